import { afterAll, describe, expect, test } from "bun:test"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { PlatformDetectionFailed } from "@flight-hal/core"
import { Effect } from "effect"
import {
  autoProfile,
  CGROUP_V1_MEMORY_LIMIT,
  CGROUP_V2_MEMORY_MAX,
  type DetectionProbes,
  detectMemoryLimit,
  detectMemoryLimitAsync,
  detectMemoryLimitSync,
  detectProfile,
  detectProfileAsync,
  detectProfileSync
} from "../src/PlatformDetection.ts"
import { builtinProfiles } from "../src/PlatformProfile.ts"

const MiB = 1024 * 1024
const GiB = 1024 * MiB
const roots: Array<string> = []

/** A directory holding fake cgroup files, to be used as `fsRoot`. */
const fakeRoot = (files: Readonly<Record<string, string>>): string => {
  const root = mkdtempSync(join(tmpdir(), "flight-hal-detect-"))
  roots.push(root)
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  return root
}

afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true })
})

/** A runtime with none of the sources. */
const nothing: DetectionProbes = {
  readFile: async () => undefined,
  osTotalMemory: async () => undefined,
  denoTotalMemory: () => undefined,
  deviceMemoryGiB: () => undefined
}

const host = (bytes: number): Partial<DetectionProbes> => ({ ...nothing, osTotalMemory: async () => bytes })

describe("cgroup limits (fake files)", () => {
  test("cgroup v2 memory.max wins over the host's memory", async () => {
    const fsRoot = fakeRoot({ [CGROUP_V2_MEMORY_MAX]: "536870912\n" })
    const limit = await Effect.runPromise(
      detectMemoryLimit({ fsRoot, probes: { osTotalMemory: async () => 16 * GiB } })
    )
    expect(limit.bytes).toBe(512 * MiB)
    expect(limit.source).toBe("cgroup-v2")
  })

  test("cgroup v2 `max` means no limit: the host's memory is used", async () => {
    const fsRoot = fakeRoot({ [CGROUP_V2_MEMORY_MAX]: "max\n" })
    const limit = await detectMemoryLimitAsync({ fsRoot, probes: { osTotalMemory: async () => 8 * GiB } })
    expect(limit).toMatchObject({ bytes: 8 * GiB, source: "os.totalmem" })
    expect(limit.notes).toContain("cgroup-v2: max (no limit)")
  })

  test("cgroup v1 limit_in_bytes is read when there is no v2 file", async () => {
    const fsRoot = fakeRoot({ [CGROUP_V1_MEMORY_LIMIT]: "268435456\n" })
    const limit = await detectMemoryLimitAsync({ fsRoot, probes: { osTotalMemory: async () => 8 * GiB } })
    expect(limit).toMatchObject({ bytes: 256 * MiB, source: "cgroup-v1" })
  })

  test("cgroup v1's huge 'unlimited' sentinel is ignored", async () => {
    const fsRoot = fakeRoot({ [CGROUP_V1_MEMORY_LIMIT]: "9223372036854771712\n" })
    const limit = await detectMemoryLimitAsync({ fsRoot, probes: { osTotalMemory: async () => 4 * GiB } })
    expect(limit).toMatchObject({ bytes: 4 * GiB, source: "os.totalmem" })
    expect(limit.notes.some((n) => n.includes("unlimited sentinel"))).toBe(true)
  })

  test("a cgroup limit above the host's memory is ignored; garbage is ignored", async () => {
    const above = fakeRoot({ [CGROUP_V2_MEMORY_MAX]: String(64 * GiB) })
    expect(
      await detectMemoryLimitAsync({ fsRoot: above, probes: { osTotalMemory: async () => 2 * GiB } })
    ).toMatchObject({
      bytes: 2 * GiB,
      source: "os.totalmem"
    })
    const garbage = fakeRoot({ [CGROUP_V2_MEMORY_MAX]: "lots", [CGROUP_V1_MEMORY_LIMIT]: "1048576" })
    expect(
      await detectMemoryLimitAsync({ fsRoot: garbage, probes: { osTotalMemory: async () => 2 * GiB } })
    ).toMatchObject({
      bytes: MiB,
      source: "cgroup-v1"
    })
  })

  test("a container limit gives a server-shaped profile scaled to it", async () => {
    const fsRoot = fakeRoot({ [CGROUP_V2_MEMORY_MAX]: String(2 * GiB) })
    const { profile, limit } = await Effect.runPromise(
      detectProfile({ fsRoot, probes: { osTotalMemory: async () => 64 * GiB } })
    )
    expect(limit.source).toBe("cgroup-v2")
    expect(profile.name).toBe("detected")
    expect(profile.totalMemoryBytes).toBe(2 * GiB)
    expect(profile.budgets.Memory?.maxBytes).toBe(1_288_490_188) // ⌊2 GiB × 0.6⌋
    expect(profile.budgets.Memory?.warningPercent).toBe(builtinProfiles.server.budgets.Memory?.warningPercent)
  })
})

describe("runtime sources (fake runtimes)", () => {
  test("Deno: Deno.systemMemoryInfo().total", async () => {
    const limit = await detectMemoryLimitAsync({
      probes: { ...nothing, denoTotalMemory: () => 6 * GiB, osTotalMemory: async () => 1 }
    })
    expect(limit).toMatchObject({ bytes: 6 * GiB, source: "Deno.systemMemoryInfo" })
  })

  test("Node and Bun: os.totalmem()", async () => {
    const limit = await detectMemoryLimitAsync({ probes: host(12 * GiB) })
    expect(limit).toMatchObject({ bytes: 12 * GiB, source: "os.totalmem" })
    const { profile } = await detectProfileAsync({ probes: host(16 * MiB) })
    expect(profile.budgets).toEqual(builtinProfiles.dreamcast.budgets) // ≤ 64 MiB: the dreamcast shape
  })

  test("browsers: navigator.deviceMemory in GiB (fractions too), web-shaped", async () => {
    const half = await detectMemoryLimitAsync({ probes: { ...nothing, deviceMemoryGiB: () => 0.5 } })
    expect(half).toMatchObject({ bytes: 512 * MiB, source: "navigator.deviceMemory" })
    const { profile } = await detectProfileAsync({ probes: { ...nothing, deviceMemoryGiB: () => 0.5 } })
    expect({ ...profile, name: "web" }).toEqual(builtinProfiles.web)
  })

  test("a probe that throws counts as unreadable", async () => {
    const limit = await detectMemoryLimitAsync({
      probes: {
        ...nothing,
        readFile: async () => {
          throw new Error("EACCES")
        },
        denoTotalMemory: () => {
          throw new Error("PermissionDenied")
        },
        osTotalMemory: async () => 3 * GiB
      }
    })
    expect(limit).toMatchObject({ bytes: 3 * GiB, source: "os.totalmem" })
  })

  test("nothing readable: PlatformDetectionFailed listing every source", async () => {
    const error = await Effect.runPromise(Effect.flip(detectMemoryLimit({ probes: nothing })))
    expect(error).toBeInstanceOf(PlatformDetectionFailed)
    for (const source of ["cgroup-v2", "cgroup-v1", "Deno.systemMemoryInfo", "os.totalmem", "navigator.deviceMemory"]) {
      expect(error.issue).toContain(source)
    }
    await expect(detectProfileAsync({ probes: nothing })).rejects.toBeInstanceOf(PlatformDetectionFailed)
  })

  test("options whose reading throws: a typed error from every entry point, never a throw", async () => {
    const throwing = (key: string) =>
      Object.defineProperty({ probes: nothing }, key, {
        get: () => {
          throw new Error(`${key} getter`)
        },
        enumerable: true
      }) as never
    for (const key of ["shape", "probes", "fsRoot"]) {
      const options = throwing(key)
      const issue = `the options could not be read (${key} getter)`
      const profileError = { _tag: "InvalidProfile", profile: "detected", issue }
      expect(autoProfile(options)).toMatchObject(profileError)
      expect(detectProfileSync(options)).toMatchObject(profileError)
      expect(await Effect.runPromise(Effect.flip(detectProfile(options)))).toMatchObject(profileError)
      await expect(detectProfileAsync(options)).rejects.toMatchObject(profileError)
      const limitError = { _tag: "PlatformDetectionFailed", issue }
      expect(detectMemoryLimitSync(options)).toMatchObject(limitError)
      expect(await Effect.runPromise(Effect.flip(detectMemoryLimit(options)))).toMatchObject(limitError)
      await expect(detectMemoryLimitAsync(options)).rejects.toMatchObject(limitError)
    }
  })

  test("a probe answering a Symbol or an unprintable object is noted, not thrown", async () => {
    const unprintable = {
      toString() {
        throw new Error("toString")
      }
    }
    const probes = {
      ...nothing,
      denoTotalMemory: () => Symbol("x") as never,
      deviceMemoryGiB: () => unprintable as never
    }
    for (const limit of [
      detectMemoryLimitSync({ probes }),
      await Effect.runPromise(Effect.flip(detectMemoryLimit({ probes })))
    ]) {
      expect(limit).toBeInstanceOf(PlatformDetectionFailed)
      expect((limit as PlatformDetectionFailed).issue).toContain("Deno.systemMemoryInfo: Symbol(x)")
      expect((limit as PlatformDetectionFailed).issue).toContain("navigator.deviceMemory: an object")
    }
    expect(autoProfile({ probes })).toMatchObject({ source: "fallback" })
  })

  test("the real runtime (bun) is detected from some source", async () => {
    const limit = await detectMemoryLimitAsync()
    expect(limit.bytes).toBeGreaterThan(0)
    expect(["cgroup-v2", "cgroup-v1", "os.totalmem"]).toContain(limit.source)
  })
})
