import { describe, expect, test } from "bun:test"
import { InvalidProfile, UnknownProfile } from "@flight-hal/core"
import { Effect } from "effect"
import { createResourceManager } from "../src/PlainResourceManager.ts"
import {
  builtinMemory,
  builtinProfileNames,
  builtinProfiles,
  builtinShapes,
  decodeProfile,
  decodeProfileSync,
  dreamcast,
  getProfile,
  getProfileSync,
  makeProfile,
  makeProfileSync,
  type PlatformProfile,
  profileToConfig
} from "../src/PlatformProfile.ts"

const MiB = 1024 * 1024
const GiB = 1024 * MiB

/** The pools of a profile as [name, blockSize, initialCount, maxCount, alignment]. */
const poolRows = (profile: PlatformProfile) =>
  profile.pools.map((p) => [p.name, p.type, p.blockSize, p.initialCount, p.maxCount, p.alignment])

describe("built-in profiles: exact bytes", () => {
  test("dreamcast follows the seed: Memory 60% with 10% reserved, Hardware 20% with 5% reserved of 16 MiB", () => {
    expect(dreamcast.totalMemoryBytes).toBe(16 * MiB)
    // ⌊16 777 216 × 0.6⌋ = 10 066 329, ⌊× 0.1⌋ = 1 677 721, ⌊× 0.2⌋ = 3 355 443, ⌊× 0.05⌋ = 838 860
    expect(dreamcast.budgets.Memory).toEqual({
      maxBytes: 10_066_329,
      reservedBytes: 1_677_721,
      warningPercent: 55,
      criticalPercent: 75
    })
    expect(dreamcast.budgets.Hardware).toEqual({
      maxBytes: 3_355_443,
      reservedBytes: 838_860,
      warningPercent: 55,
      criticalPercent: 75
    })
    expect(dreamcast.budgets.Performance).toBeUndefined()
    // Memory limit 8 388 608: textures 40% → 3 355 443 / 32 KiB = 102; audio 15% → 1 258 291 / 4 KiB = 307;
    // vertex 10% → 838 860 / 16 KiB = 51; Hardware limit 2 516 583 × 25% = 629 145 / 2 KiB = 307; initial 25%.
    expect(poolRows(dreamcast)).toEqual([
      ["textures", "Memory", 32_768, 25, 102, 32],
      ["audio-buffers", "Memory", 4_096, 76, 307, 32],
      ["vertex-buffers", "Memory", 16_384, 12, 51, 32],
      ["dma-buffers", "Hardware", 2_048, 76, 307, 32]
    ])
  })

  test("web: 512 MiB, conservative pools", () => {
    const web = builtinProfiles.web
    expect(web.totalMemoryBytes).toBe(512 * MiB)
    expect(web.budgets.Memory).toEqual({
      maxBytes: 322_122_547,
      reservedBytes: 53_687_091,
      warningPercent: 50,
      criticalPercent: 70
    })
    expect(web.budgets.Hardware).toEqual({
      maxBytes: 107_374_182,
      reservedBytes: 26_843_545,
      warningPercent: 50,
      criticalPercent: 70
    })
    // ratio 32: block sizes × 4 (the largest power of two ≤ √32)
    expect(poolRows(web)).toEqual([
      ["textures", "Memory", 131_072, 102, 409, 64],
      ["audio-buffers", "Memory", 16_384, 409, 1_638, 64],
      ["vertex-buffers", "Memory", 65_536, 51, 204, 64],
      ["dma-buffers", "Hardware", 8_192, 245, 983, 64]
    ])
  })

  test("desktop: 8 GiB, larger pools with more blocks", () => {
    const desktop = builtinProfiles.desktop
    expect(desktop.totalMemoryBytes).toBe(8 * GiB)
    expect(desktop.budgets.Memory).toEqual({
      maxBytes: 5_153_960_755,
      reservedBytes: 858_993_459,
      warningPercent: 60,
      criticalPercent: 75
    })
    expect(desktop.budgets.Hardware).toEqual({
      maxBytes: 1_717_986_918,
      reservedBytes: 429_496_729,
      warningPercent: 60,
      criticalPercent: 75
    })
    expect(poolRows(desktop)).toEqual([
      ["textures", "Memory", 524_288, 819, 3_276, 64],
      ["audio-buffers", "Memory", 65_536, 2_457, 9_830, 64],
      ["vertex-buffers", "Memory", 262_144, 409, 1_638, 64],
      ["dma-buffers", "Hardware", 32_768, 2_457, 9_830, 64]
    ])
  })

  test("server: 32 GiB, pools capped at one pool's 2 GiB", () => {
    const server = builtinProfiles.server
    expect(server.totalMemoryBytes).toBe(32 * GiB)
    expect(server.budgets.Memory).toEqual({
      maxBytes: 20_615_843_020,
      reservedBytes: 3_435_973_836,
      warningPercent: 65,
      criticalPercent: 75
    })
    expect(server.budgets.Hardware).toEqual({
      maxBytes: 6_871_947_673,
      reservedBytes: 1_717_986_918,
      warningPercent: 65,
      criticalPercent: 75
    })
    expect(poolRows(server)).toEqual([
      ["textures", "Memory", 1_048_576, 512, 2_048, 64],
      ["audio-buffers", "Memory", 131_072, 3_276, 13_107, 64],
      ["vertex-buffers", "Memory", 524_288, 819, 3_276, 64],
      ["dma-buffers", "Hardware", 65_536, 1_966, 7_864, 64]
    ])
    for (const pool of server.pools) expect(pool.blockSize * pool.maxCount).toBeLessThanOrEqual(2 ** 31)
  })

  test("every built-in matches the documented integer formulas and passes its own schema", () => {
    for (const name of builtinProfileNames) {
      const profile = builtinProfiles[name]
      const total = BigInt(builtinMemory[name])
      for (const [type, share] of Object.entries(builtinShapes[name].budgets)) {
        const budget = profile.budgets[type as "Memory" | "Hardware"]
        expect(budget?.maxBytes).toBe(Number((total * BigInt(share.maxBasisPoints)) / 10_000n))
        expect(budget?.reservedBytes).toBe(Number((total * BigInt(share.reservedBasisPoints)) / 10_000n))
      }
      for (const pool of profile.pools) {
        expect(Number.isSafeInteger(pool.blockSize) && (pool.blockSize & (pool.blockSize - 1)) === 0).toBe(true)
        expect(pool.initialCount).toBeLessThanOrEqual(pool.maxCount)
      }
      expect(decodeProfileSync(JSON.parse(JSON.stringify(profile)))).toEqual(profile)
      // High stays reachable: the critical threshold is below each type's non-reserved limit.
      for (const budget of Object.values(profile.budgets)) {
        expect((budget.maxBytes * budget.criticalPercent) / 100).toBeLessThanOrEqual(
          budget.maxBytes - budget.reservedBytes
        )
      }
    }
  })

  test("pools scale with memory: more memory never gives smaller blocks or fewer blocks", () => {
    const sizes = [16 * MiB, 64 * MiB, 256 * MiB, 1 * GiB, 4 * GiB]
    const profiles = sizes.map((bytes) => makeProfileSync(`p${bytes}`, bytes, { shape: "dreamcast" }))
    for (let i = 1; i < profiles.length; i++) {
      const [small, large] = [profiles[i - 1], profiles[i]]
      small?.pools.forEach((pool, k) => {
        const bigger = large?.pools[k]
        expect(bigger?.blockSize).toBeGreaterThanOrEqual(pool.blockSize)
        expect((bigger?.blockSize ?? 0) * (bigger?.maxCount ?? 0)).toBeGreaterThan(pool.blockSize * pool.maxCount)
      })
    }
    expect(makeProfileSync("same", 16 * MiB, { shape: "dreamcast" })).toEqual({ ...dreamcast, name: "same" })
  })
})

describe("built-in profiles are frozen", () => {
  /** The paths of the objects and arrays inside `value` (itself included) that are not frozen. */
  const unfrozen = (value: unknown, path: string): Array<string> => {
    if (typeof value !== "object" || value === null) return []
    const inner = Object.entries(value).flatMap(([key, v]) => unfrozen(v, `${path}.${key}`))
    return Object.isFrozen(value) ? inner : [path, ...inner]
  }

  test("the profiles, shapes, memories and names, deeply", () => {
    const exported = { builtinProfiles, builtinShapes, builtinMemory, builtinProfileNames, dreamcast }
    expect(Object.entries(exported).flatMap(([name, value]) => unfrozen(value, name))).toEqual([])
  })

  test("a change is refused and a manager still runs on the real profile", () => {
    expect(() => Object.assign(dreamcast, { totalMemoryBytes: -1, name: "" })).toThrow(TypeError)
    expect(() => Object.assign(dreamcast.budgets.Memory as object, { maxBytes: 1 })).toThrow(TypeError)
    expect(() => (dreamcast.pools as Array<unknown>).pop()).toThrow(TypeError)
    const manager = createResourceManager({ profile: "dreamcast" })
    expect(manager.snapshot().profile).toEqual({
      requested: "dreamcast",
      name: "dreamcast",
      totalMemoryBytes: 16 * MiB
    })
    expect(manager.getResourceStats("Memory").budget?.maxBytes).toBe(10_066_329)
    expect(manager.snapshot().pools.length).toBe(4)
    manager.close()
    expect(getProfileSync("dreamcast").totalMemoryBytes).toBe(16 * MiB)
  })
})

describe("custom profiles", () => {
  test("makeProfile scales a custom shape exactly", async () => {
    const profile = await Effect.runPromise(
      makeProfile("handheld", 64 * MiB, {
        shape: {
          budgets: {
            Memory: { maxBasisPoints: 5000, reservedBasisPoints: 500, warningPercent: 60, criticalPercent: 80 }
          },
          pools: [
            {
              name: "sprites",
              type: "Memory",
              baseBlockSize: 1000,
              alignment: 8,
              capacityBasisPoints: 5000,
              initialBasisPoints: 1000
            }
          ]
        }
      })
    )
    expect(profile.budgets).toEqual({
      Memory: { maxBytes: 33_554_432, reservedBytes: 3_355_443, warningPercent: 60, criticalPercent: 80 }
    })
    // ratio 4 → ×2 → the largest power of two ≤ 2000 is 1024; ⌊30 198 989 × 0.5⌋ = 15 099 494 / 1024 = 14 745
    expect(profile.pools).toEqual([
      { name: "sprites", type: "Memory", blockSize: 1024, initialCount: 1474, maxCount: 14_745, alignment: 8 }
    ])
  })

  test("bad custom profiles fail with InvalidProfile, naming the issue", async () => {
    const tooSmall = await Effect.runPromise(Effect.flip(makeProfile("tiny", 4096, { shape: "dreamcast" })))
    expect(tooSmall).toBeInstanceOf(InvalidProfile)
    expect(tooSmall.profile).toBe("tiny")
    expect(tooSmall.issue).toContain("cannot hold one")

    expect(() => makeProfileSync("neg", -1)).toThrow(InvalidProfile)
    expect(() => makeProfileSync("frac", 1.5)).toThrow(InvalidProfile)
    expect(() =>
      makeProfileSync("over", 16 * MiB, {
        shape: {
          budgets: {
            Memory: { maxBasisPoints: 9000, reservedBasisPoints: 9500, warningPercent: 70, criticalPercent: 90 }
          },
          pools: []
        }
      })
    ).toThrow(/reservedBytes/)
    expect(() =>
      makeProfileSync("unbudgeted", 16 * MiB, {
        shape: {
          budgets: {},
          pools: [
            {
              name: "x",
              type: "Custom",
              baseBlockSize: 64,
              alignment: 8,
              capacityBasisPoints: 100,
              initialBasisPoints: 0
            }
          ]
        }
      })
    ).toThrow(/no budget share/)
  })

  test("decodeProfile checks the schema and the cross-field rules", async () => {
    const base = JSON.parse(JSON.stringify(dreamcast)) as PlatformProfile
    const cases: ReadonlyArray<[unknown, RegExp]> = [
      [{ ...base, name: "" }, /.+/],
      [{ ...base, totalMemoryBytes: 1024 }, /more than totalMemoryBytes/],
      [{ ...base, pools: [...base.pools, base.pools[0]] }, /used twice/],
      [{ ...base, pools: [{ ...base.pools[0], initialCount: 1000 }] }, /exceeds maxCount/],
      [{ ...base, pools: [{ ...base.pools[0], alignment: 48 }] }, /.+/],
      [{ ...base, pools: [{ ...base.pools[0], blockSize: 100 }] }, /not a multiple of alignment/],
      [
        { ...base, pools: [{ ...base.pools[0], maxCount: 1000 }] },
        /the Memory pools \(textures\) can grow to \d+ bytes \(blockSize × maxCount\), more than budgets\.Memory\.maxBytes/
      ],
      [
        { ...base, budgets: { Memory: { maxBytes: 10, reservedBytes: 0, warningPercent: 90, criticalPercent: 80 } } },
        /warningPercent/
      ],
      [{ ...base, pools: [{ ...base.pools[0], type: "Nope" }] }, /.+/],
      ["not a profile", /.+/]
    ]
    for (const [input, issue] of cases) {
      const error = await Effect.runPromise(Effect.flip(decodeProfile(input)))
      expect(error).toBeInstanceOf(InvalidProfile)
      expect(error.issue).toMatch(issue)
    }
  })

  test("getProfile knows the built-ins and fails with UnknownProfile otherwise", async () => {
    expect(await Effect.runPromise(getProfile("dreamcast"))).toBe(dreamcast)
    const unknown = await Effect.runPromise(Effect.flip(getProfile("n64")))
    expect(unknown).toBeInstanceOf(UnknownProfile)
    expect(unknown.profile).toBe('"n64"')
    expect(() => getProfileSync("toString")).toThrow(UnknownProfile)
  })

  test("a name that is not a string: UnknownProfile with a printable name, the value never read", () => {
    const unreadable = new Proxy(
      {},
      {
        get() {
          throw new Error("read")
        }
      }
    )
    for (const name of [unreadable, 42, null]) {
      const thrown = (() => {
        try {
          return getProfileSync(name as never)
        } catch (error) {
          return error
        }
      })()
      expect(thrown).toBeInstanceOf(UnknownProfile)
      expect(String(thrown)).toStartWith("UnknownProfile: Unknown platform profile")
    }
    expect(Effect.runSync(Effect.flip(getProfile({} as never))).profile).toBe("an object")
  })
})

describe("profileToConfig", () => {
  test("a profile's budgets and pools become the manager's config", () => {
    const config = profileToConfig(dreamcast, { hysteresisPercent: 2 })
    expect(config.budgets).toEqual(dreamcast.budgets)
    expect(config.pools).toEqual(dreamcast.pools)
    expect(config.label).toBe("dreamcast")
    expect(config.hysteresisPercent).toBe(2)
    expect(profileToConfig(dreamcast, { label: "mine" }).label).toBe("mine")
  })
})
