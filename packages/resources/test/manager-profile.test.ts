import { describe, expect, test } from "bun:test"
import { InvalidProfile, PlatformDetectionFailed } from "@flight-hal/core"
import { ConfigProvider, Effect, Layer } from "effect"
import {
  autoProfile,
  CGROUP_V2_MEMORY_MAX,
  createResourceManager,
  type DetectionProbes,
  detectProfileAsync,
  detectProfileSync,
  dreamcast,
  makeProfileSync,
  ResourceManager,
  type ResourceManagerConfig,
  web
} from "../src/index.ts"
import { resolveProfile } from "../src/internal/profile-config.ts"
import { thrown } from "./support/thrown.ts"

const quiet = { onLeaks: () => {} }
const GiB = 1024 * 1024 * 1024
const small = { maxBytes: 4096, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 }
const nothing: DetectionProbes = {
  readFile: () => undefined,
  osTotalMemory: () => undefined,
  denoTotalMemory: () => undefined,
  deviceMemoryGiB: () => undefined
}

const budgetsOf = (config: ResourceManagerConfig) => {
  const manager = createResourceManager({ ...quiet, ...config })
  const out = {
    Memory: manager.getBudget("Memory"),
    Hardware: manager.getBudget("Hardware"),
    Custom: manager.getBudget("Custom"),
    pools: manager.snapshot().pools.map((p) => `${p.type}:${p.name}`),
    profile: manager.snapshot().profile
  }
  manager.close()
  return out
}

describe("config.profile (facade)", () => {
  test("a built-in name gives its budgets and pools; the snapshot names the profile", () => {
    const out = budgetsOf({ profile: "dreamcast" })
    expect(out.Memory).toEqual(dreamcast.budgets.Memory)
    expect(out.Hardware).toEqual(dreamcast.budgets.Hardware)
    expect(out.Custom).toBeUndefined()
    expect(out.pools.sort()).toEqual(dreamcast.pools.map((p) => `${p.type}:${p.name}`).sort())
    expect(out.profile).toEqual({ requested: "dreamcast", name: "dreamcast", totalMemoryBytes: 16 * 1024 * 1024 })
  })

  test("snapshot().profile is frozen: changing it changes no later snapshot", () => {
    for (const profile of ["dreamcast", "auto", makeProfileSync("handheld", 64 * 1024 * 1024)] as const) {
      const manager = createResourceManager({ ...quiet, profile })
      const first = manager.snapshot().profile
      const expected = structuredClone(first)
      expect(Object.isFrozen(first)).toBe(true)
      expect(() => Object.assign(first as object, { name: "hacked", totalMemoryBytes: 1 })).toThrow(TypeError)
      expect(manager.snapshot().profile).toEqual(expected)
      manager.close()
    }
  })

  test("explicit budgets and pools override the profile's per type", () => {
    // an explicit Hardware budget: the profile's Hardware budget and its (Hardware) pool are not taken
    const budget = budgetsOf({ profile: "dreamcast", budgets: { Hardware: small } })
    expect(budget.Hardware).toEqual(small)
    expect(budget.Memory).toEqual(dreamcast.budgets.Memory)
    expect(budget.pools.filter((p) => p.startsWith("Hardware"))).toEqual([])
    expect(budget.pools.filter((p) => p.startsWith("Memory")).length).toBe(3)
    // explicit Memory pools replace the profile's Memory pools; the profile's Memory budget stays
    const pools = budgetsOf({
      profile: "dreamcast",
      pools: [{ type: "Memory", blockSize: 64, initialCount: 1, maxCount: 4, name: "mine" }]
    })
    expect(pools.Memory).toEqual(dreamcast.budgets.Memory)
    expect(pools.pools.sort()).toEqual(["Hardware:dma-buffers", "Memory:mine"])
    // a budget for a type the profile leaves out is added
    expect(budgetsOf({ profile: "web", budgets: { Custom: small } }).Custom).toEqual(small)
  })

  test("a profile object is validated and used", () => {
    const handheld = makeProfileSync("handheld", 64 * 1024 * 1024, { shape: "dreamcast" })
    const out = budgetsOf({ profile: handheld })
    expect(out.Memory).toEqual(handheld.budgets.Memory)
    expect(out.profile).toEqual({ requested: "custom", name: "handheld", totalMemoryBytes: 64 * 1024 * 1024 })
  })

  test('"auto" runs on the detected profile and says which source it used', () => {
    const detected = autoProfile()
    if (detected instanceof Error) throw detected
    const out = budgetsOf({ profile: "auto" })
    expect(out.Memory).toEqual(detected.profile.budgets.Memory)
    expect(out.Hardware).toEqual(detected.profile.budgets.Hardware)
    expect(out.profile).toEqual({
      requested: "auto",
      name: detected.profile.name,
      totalMemoryBytes: detected.profile.totalMemoryBytes,
      source: detected.source,
      ...(detected.shape === undefined ? {} : { shape: detected.shape })
    })
  })

  test("an invalid profile is a typed error and no manager is made", () => {
    expect(thrown(() => createResourceManager({ profile: "nope" as never }))).toMatchObject({
      _tag: "UnknownProfile",
      profile: '"nope"'
    })
    // an inherited name is no built-in profile
    expect(thrown(() => createResourceManager({ profile: "toString" as never }))).toMatchObject({
      _tag: "UnknownProfile"
    })
    for (const bad of [42, true, null]) {
      expect(thrown(() => createResourceManager({ profile: bad as never }))).toMatchObject({
        _tag: "InvalidArgument",
        argument: "config.profile"
      })
    }
    const invalid = thrown(() =>
      createResourceManager({ profile: { name: "x", totalMemoryBytes: -1, budgets: {}, pools: [] } })
    )
    expect(invalid).toBeInstanceOf(InvalidProfile)
    expect(thrown(() => createResourceManager({ profile: ["dreamcast"] as never }))).toMatchObject({
      _tag: "InvalidArgument",
      argument: "config.profile"
    })
  })

  test('"auto" falls back to the built-in web profile when no memory size is readable', () => {
    const resolved = resolveProfile("auto", { probes: nothing })
    expect(resolved).toEqual({
      profile: web,
      info: { requested: "auto", name: "web", totalMemoryBytes: web.totalMemoryBytes, source: "fallback" }
    })
    // a readable but too small memory is no fallback: InvalidProfile
    const tiny = { probes: { ...nothing, osTotalMemory: () => 1024 } }
    expect(autoProfile(tiny)).toBeInstanceOf(InvalidProfile)
    expect(resolveProfile("auto", tiny)).toBeInstanceOf(InvalidProfile)
  })
})

describe("detectProfileSync / detectProfile say which source they used", () => {
  test("a container limit: cgroup-v2, scaled with the server shape, the same as the async detection", async () => {
    const probes = {
      ...nothing,
      readFile: (path: string) => (path === CGROUP_V2_MEMORY_MAX ? "1073741824\n" : undefined),
      osTotalMemory: () => 16 * GiB
    }
    const sync = detectProfileSync({ probes })
    if (sync instanceof Error) throw sync
    expect(sync.source).toBe("cgroup-v2")
    expect(sync.shape).toBe("server")
    expect(sync.profile.totalMemoryBytes).toBe(GiB)
    const async = await detectProfileAsync({ probes })
    expect(async).toEqual(sync)
  })

  test("the host's memory, and a custom shape", () => {
    const host = detectProfileSync({ probes: { ...nothing, osTotalMemory: () => 8 * GiB } })
    if (host instanceof Error) throw host
    expect([host.source, host.shape]).toEqual(["os.totalmem", "desktop"])
    const custom = detectProfileSync({
      probes: { ...nothing, deviceMemoryGiB: () => 4 },
      shape: {
        budgets: { Memory: { maxBasisPoints: 5000, reservedBasisPoints: 0, warningPercent: 50, criticalPercent: 90 } },
        pools: []
      }
    })
    if (custom instanceof Error) throw custom
    expect([custom.source, custom.shape]).toEqual(["navigator.deviceMemory", "custom"])
  })

  test("the synchronous detection counts a probe answering with a Promise as unavailable", () => {
    const failed = detectProfileSync({
      probes: {
        ...nothing,
        osTotalMemory: () => Promise.resolve(8 * GiB),
        readFile: () => Promise.reject(new Error("x"))
      }
    })
    expect(failed).toBeInstanceOf(PlatformDetectionFailed)
  })
})

describe("profiles in the Effect front end", () => {
  const profileOf = (layer: Layer.Layer<ResourceManager, unknown>) =>
    Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const manager = yield* ResourceManager
          const snapshot = yield* manager.snapshot
          return { profile: snapshot.profile, memory: yield* manager.getBudget("Memory") }
        })
      ).pipe(Effect.provide(layer))
    )

  const withEnv = (env: Record<string, string>, config?: ResourceManagerConfig) =>
    ResourceManager.layerConfig({ ...quiet, ...config }).pipe(
      Layer.provide(ConfigProvider.layer(ConfigProvider.fromUnknown(env)))
    )

  test("ResourceManager.layer takes config.profile", async () => {
    const out = await profileOf(ResourceManager.layer({ ...quiet, profile: "web" }))
    expect(out.profile?.name).toBe("web")
    expect(out.memory).toEqual(web.budgets.Memory)
  })

  test("layerConfig reads FLIGHT_HAL_PROFILE, which wins over config.profile", async () => {
    const out = await profileOf(withEnv({ FLIGHT_HAL_PROFILE: "dreamcast" }, { profile: "web" }))
    expect(out.profile).toEqual({ requested: "dreamcast", name: "dreamcast", totalMemoryBytes: 16 * 1024 * 1024 })
    expect(out.memory).toEqual(dreamcast.budgets.Memory)
  })

  test('layerConfig without the setting: config.profile, else "auto"', async () => {
    expect((await profileOf(withEnv({}, { profile: "web" }))).profile?.requested).toBe("web")
    expect((await profileOf(withEnv({}))).profile?.requested).toBe("auto")
  })

  test("layerConfig with an unknown name fails with UnknownProfile", async () => {
    const error = await Effect.runPromise(
      Effect.flip(
        Effect.scoped(Layer.build(withEnv({ FLIGHT_HAL_PROFILE: "gameboy" }))).pipe(Effect.map(() => "built"))
      )
    )
    expect(error).toMatchObject({ _tag: "UnknownProfile", profile: '"gameboy"' })
  })
})
