/**
 * A custom profile as a manager takes it: a pool on a type the profile leaves unbudgeted is kept by
 * `config.profile` as by `profileToConfig` (it was silently dropped), and a `budgets` key that is no resource type
 * (a typo such as `memory`) is `InvalidProfile` naming the key (it was silently dropped, leaving its type
 * unlimited and its bytes outside the total-memory check).
 */
import { describe, expect, test } from "bun:test"
import { InvalidProfile } from "@flight-hal/core"
import { Effect } from "effect"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import {
  createResourceManager,
  decodeProfile,
  decodeProfileSync,
  makeProfileSync,
  PlatformProfileSchema,
  profileToConfig,
  ResourceManager,
  type ResourceManagerConfig
} from "../src/index.ts"
import { thrown } from "./support/thrown.ts"

const quiet = { onLeaks: () => {} }
const budget = { maxBytes: 1 << 19, reservedBytes: 0, warningPercent: 50, criticalPercent: 80 }

/** Memory budgeted, with a Memory pool and a pool on Performance, which the profile leaves unbudgeted. */
const handheld = {
  name: "handheld",
  totalMemoryBytes: 1 << 20,
  budgets: { Memory: budget },
  pools: [
    { type: "Memory", name: "textures", blockSize: 4096, initialCount: 2, maxCount: 8, alignment: 64 },
    { type: "Performance", name: "counters", blockSize: 64, initialCount: 4, maxCount: 16, alignment: 64 }
  ]
} as const

/** What a manager made from `config` has: its budgets per type and its pools. */
const managerOf = (config: ResourceManagerConfig) => {
  const manager = createResourceManager({ ...quiet, ...config })
  const out = {
    Memory: manager.getBudget("Memory"),
    Performance: manager.getBudget("Performance"),
    pools: manager
      .snapshot()
      .pools.map((p) => `${p.type}:${p.name}:${p.blockSize}x${p.totalBlocks}`)
      .sort()
  }
  manager.close()
  return out
}

describe("a profile's pool on a type the profile gives no budget", () => {
  test("config.profile keeps it, as profileToConfig(profile) and explicit pools do: the same manager", () => {
    const fromProfile = managerOf({ profile: handheld })
    expect(fromProfile.pools.map((p) => p.split(":")[1])).toEqual(["textures", "counters"])
    expect(fromProfile.Performance).toBeUndefined()
    expect(fromProfile).toEqual(managerOf(profileToConfig(decodeProfileSync(handheld))))
    expect(fromProfile).toEqual(managerOf({ budgets: handheld.budgets, pools: handheld.pools }))
  })

  test("the Effect front end keeps it too", async () => {
    const pools = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const manager = yield* ResourceManager
          return (yield* manager.snapshot).pools.map((p) => p.name).sort()
        })
      ).pipe(Effect.provide(ResourceManager.layer({ ...quiet, profile: handheld })))
    )
    expect(pools).toEqual(["counters", "textures"])
  })

  test("explicit pools of that type replace it; an explicit budget for that type drops it (sized to no budget)", () => {
    const mine = { type: "Performance", name: "mine", blockSize: 64, initialCount: 1, maxCount: 2 } as const
    expect(managerOf({ profile: handheld, pools: [mine] }).pools.map((p) => p.split(":")[1])).toEqual([
      "textures",
      "mine"
    ])
    const budgeted = managerOf({ profile: handheld, budgets: { Performance: budget } })
    expect(budgeted.Performance).toEqual(budget)
    expect(budgeted.pools.map((p) => p.split(":")[1])).toEqual(["textures"])
  })
})

describe("a budgets key that is no resource type", () => {
  const withBudgets = (budgets: object) => ({ ...handheld, pools: [], budgets })
  const issueAt = (key: string) =>
    `unknown resource type (a budget's key is one of "Hardware" | "Memory" | "Performance" | "Communication" | "Platform" | "Custom")\n  at ["budgets"][${JSON.stringify(key)}]`

  test("decodeProfileSync, decodeProfile and PlatformProfileSchema refuse it, naming the key", () => {
    const cases: ReadonlyArray<readonly [object, string]> = [
      [{ memory: budget }, "memory"],
      [{ Memory: budget, Bogus: { ...budget, maxBytes: 2 ** 40 } }, "Bogus"],
      [{ memory: undefined }, "memory"],
      [{ toString: budget }, "toString"],
      [JSON.parse(`{"Memory":${JSON.stringify(budget)},"__proto__":{}}`) as object, "__proto__"]
    ]
    for (const [budgets, key] of cases) {
      const profile = withBudgets(budgets)
      const sync = thrown(() => decodeProfileSync(profile))
      expect(sync).toBeInstanceOf(InvalidProfile)
      expect(sync).toMatchObject({ profile: "handheld", issue: issueAt(key) })
      const effect = Effect.runSync(Effect.flip(decodeProfile(profile)))
      expect(effect).toMatchObject({ _tag: "InvalidProfile", issue: issueAt(key) })
      const schema = Schema.decodeUnknownResult(PlatformProfileSchema)(profile)
      expect(Result.isFailure(schema) ? schema.failure.message : "accepted").toBe(issueAt(key))
    }
  })

  test("a bad budget of a type is named first, as the Schema names it", () => {
    const issue = thrown(() => decodeProfileSync(withBudgets({ memory: budget, Memory: { ...budget, maxBytes: -1 } })))
    expect((issue as InvalidProfile).issue).toContain('at ["budgets"]["Memory"]["maxBytes"]')
  })

  test("an inherited or Symbol key is no budget key (the Schema reads own enumerable string keys)", () => {
    const inherited = Object.assign(Object.create({ memory: budget }) as object, { Memory: budget })
    expect(decodeProfileSync(withBudgets(inherited)).budgets).toEqual({ Memory: budget })
    const symbol = { Memory: budget, [Symbol("memory")]: budget }
    expect(decodeProfileSync(withBudgets(symbol)).budgets).toEqual({ Memory: budget })
  })

  test("a manager's config.profile and profileToConfig refuse it; no manager is made", () => {
    const profile = withBudgets({ memory: budget })
    expect(thrown(() => createResourceManager({ ...quiet, profile }))).toMatchObject({
      _tag: "InvalidProfile",
      issue: issueAt("memory")
    })
    expect(thrown(() => profileToConfig(profile as never))).toMatchObject({ _tag: "InvalidProfile" })
  })

  test("makeProfile refuses a custom shape's budget share keyed by no resource type", () => {
    const share = { maxBasisPoints: 5000, reservedBasisPoints: 0, warningPercent: 50, criticalPercent: 80 }
    const shape = { budgets: { Memory: share, memory: share }, pools: [] }
    expect(thrown(() => makeProfileSync("handheld", 1 << 20, { shape: shape as never }))).toMatchObject({
      _tag: "InvalidProfile",
      profile: "handheld",
      issue: 'shape.budgets: unknown resource type "memory"'
    })
  })
})
