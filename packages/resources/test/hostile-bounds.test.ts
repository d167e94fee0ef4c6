/**
 * Hostile input that costs the caller nothing and the manager a lot: arrays whose `length` is all they have
 * (read up to their first bad element, refused by their length past the bound), durations that are not finite,
 * and values whose printed form is huge or secret (bounded in every message), as docs/semantics.md section 3 says.
 */
import { describe, expect, test } from "bun:test"
import { InvalidArgument, InvalidMetadata, InvalidProfile, UnknownProfile } from "@flight-hal/core"
import { type Duration, Effect } from "effect"
import {
  createResourceManager,
  decodeProfileSync,
  getProfileSync,
  makeProfileSync,
  ResourceManager
} from "../src/index.ts"
import { durationMillis } from "../src/internal/duration-millis.ts"
import { show, showThrown } from "../src/internal/show.ts"
import { thrown } from "./support/thrown.ts"

/** The documented bound of a caller's array. */
const MAX_LIST = 65_536

/**
 * An array (a Proxy of one) that reports `length` and answers `at(i)` for element i, counting the elements read:
 * a caller pays nothing for a large `length`, so the manager must not walk it.
 */
const counting = (length: number, at: (i: number) => unknown = () => undefined) => {
  let reads = 0
  const list = new Proxy([] as Array<unknown>, {
    get(target, key, receiver) {
      if (key === "length") return length
      if (typeof key === "string" && /^\d+$/.test(key)) {
        reads++
        return at(Number(key))
      }
      return Reflect.get(target, key, receiver)
    },
    has(_target, key) {
      return typeof key === "string" && /^\d+$/.test(key) && Number(key) < length
    }
  })
  return { list, reads: () => reads }
}

const sparse = (length: number): Array<unknown> => {
  const list: Array<unknown> = []
  list.length = length
  return list
}

const issueOf = (error: unknown): string => (error as { readonly issue: string }).issue

describe("caller arrays: bounded, read up to their first bad element", () => {
  test("dependsOn longer than the bound: InvalidMetadata by its length, no element read", () => {
    const manager = createResourceManager({ onLeaks: () => {} })
    for (const length of [MAX_LIST + 1, 2 ** 32 - 1]) {
      const { list, reads } = counting(length)
      const error = thrown(() => manager.acquire("x", { type: "Memory", sizeBytes: 1, dependsOn: list as never }))
      expect(error).toBeInstanceOf(InvalidMetadata)
      expect(issueOf(error)).toBe(`dependsOn: at most ${MAX_LIST} handles, got an array of length ${length}`)
      expect(reads()).toBe(0)
    }
    expect(manager.snapshot().liveResources).toBe(0)
    manager.close()
  })

  test("dependsOn within the bound: read up to its first bad element (a hole too), the issue at that index", () => {
    const manager = createResourceManager({ onLeaks: () => {} })
    const ref = manager.acquire("dep", { type: "Memory", sizeBytes: 1 })
    const cases: ReadonlyArray<readonly [(i: number) => unknown, number]> = [
      [() => undefined, 0],
      [(i) => (i === 0 ? ref.handle : "x"), 1]
    ]
    for (const [at, index] of cases) {
      const { list, reads } = counting(MAX_LIST, at)
      const error = thrown(() => manager.acquire("x", { type: "Memory", sizeBytes: 1, dependsOn: list as never }))
      expect(error).toBeInstanceOf(InvalidMetadata)
      expect(issueOf(error)).toBe(`Expected object at ["dependsOn"][${index}]`)
      expect(reads()).toBe(index + 1)
    }
    // a real sparse array at the bound: refused at its first hole
    const error = thrown(() =>
      manager.registerResource("y", { type: "Memory", sizeBytes: 1, dependsOn: sparse(MAX_LIST) as never })
    )
    expect(issueOf(error)).toBe('Expected object at ["dependsOn"][0]')
    // a good one still works
    const dependent = manager.acquire("z", { type: "Memory", sizeBytes: 1, dependsOn: [ref.handle] })
    expect(manager.dependencies(dependent.handle)).toHaveLength(1)
    dependent.release()
    ref.release()
    manager.close()
  })

  test("the Effect service reads dependsOn the same way", async () => {
    const { list, reads } = counting(MAX_LIST + 1)
    const error = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const manager = yield* ResourceManager
          return yield* manager.acquire("x", { type: "Memory", sizeBytes: 1, dependsOn: list as never })
        })
      ).pipe(Effect.provide(ResourceManager.layer({ onLeaks: () => {} })), Effect.flip)
    )
    expect(error).toBeInstanceOf(InvalidMetadata)
    expect(reads()).toBe(0)
  })

  test("config.pools: refused by its length past the bound, else read up to its first bad element", () => {
    const long = counting(MAX_LIST + 1)
    const tooLong = thrown(() => createResourceManager({ pools: long.list as never }))
    expect(tooLong).toBeInstanceOf(InvalidArgument)
    expect(tooLong).toMatchObject({
      argument: "config.pools",
      issue: `expected an array of at most ${MAX_LIST} elements, got one of length ${MAX_LIST + 1}`
    })
    expect(long.reads()).toBe(0)
    const holes = counting(MAX_LIST)
    expect(thrown(() => createResourceManager({ pools: holes.list as never }))).toBeInstanceOf(InvalidArgument)
    expect(holes.reads()).toBe(1)
  })

  test("config.trace.drivers and trace.types: the same bound, read up to the first bad element", () => {
    for (const key of ["drivers", "types"]) {
      const long = counting(MAX_LIST + 1, () => "Memory")
      expect(
        thrown(() => createResourceManager({ trace: { sink: () => {}, [key]: long.list } } as never))
      ).toMatchObject({
        _tag: "InvalidArgument",
        argument: `config.trace.${key}`
      })
      expect(long.reads()).toBe(0)
      const holes = counting(MAX_LIST)
      expect(
        thrown(() => createResourceManager({ trace: { sink: () => {}, [key]: holes.list } } as never))
      ).toMatchObject({
        _tag: "InvalidArgument",
        argument: `config.trace.${key}`
      })
      expect(holes.reads()).toBe(1)
    }
    // a hole in trace.types was taken for "no unknown type"
    expect(thrown(() => createResourceManager({ trace: { sink: () => {}, types: sparse(1) } } as never))).toMatchObject(
      {
        _tag: "InvalidArgument",
        argument: "config.trace.types"
      }
    )
  })

  test("a profile's pools and a shape's pools: the same bound, read up to the first bad element", () => {
    const profile = (pools: unknown) => ({ name: "p", totalMemoryBytes: 1000, budgets: {}, pools })
    const long = counting(MAX_LIST + 1)
    const tooLong = thrown(() => decodeProfileSync(profile(long.list)))
    expect(tooLong).toBeInstanceOf(InvalidProfile)
    expect(issueOf(tooLong)).toBe(`pools: at most ${MAX_LIST} pools, got an array of length ${MAX_LIST + 1}`)
    expect(long.reads()).toBe(0)
    const holes = counting(MAX_LIST)
    expect(issueOf(thrown(() => decodeProfileSync(profile(holes.list))))).toBe('Expected object\n  at ["pools"][0]')
    expect(holes.reads()).toBe(1)
    // through a manager's config.profile
    const viaConfig = counting(MAX_LIST)
    expect(thrown(() => createResourceManager({ profile: profile(viaConfig.list) as never }))).toBeInstanceOf(
      InvalidProfile
    )
    expect(viaConfig.reads()).toBe(1)

    const shapeLong = counting(MAX_LIST + 1)
    const shapeError = thrown(() =>
      makeProfileSync("p", 1000, { shape: { budgets: {}, pools: shapeLong.list } as never })
    )
    expect(issueOf(shapeError)).toBe(
      `shape.pools: at most ${MAX_LIST} pool shapes, got an array of length ${MAX_LIST + 1}`
    )
    expect(shapeLong.reads()).toBe(0)
    const shapeHoles = counting(MAX_LIST)
    expect(
      issueOf(thrown(() => makeProfileSync("p", 1000, { shape: { budgets: {}, pools: shapeHoles.list } as never })))
    ).toBe("shape.pools: expected pool shapes, got undefined")
    expect(shapeHoles.reads()).toBe(1)
  })
})

describe("durations: every form that is not finite is refused", () => {
  const notFinite: ReadonlyArray<unknown> = [
    Number.NaN,
    { seconds: Number.NaN },
    { milliseconds: Number.NaN },
    { minutes: 1, nanoseconds: Number.NaN },
    { seconds: Number.POSITIVE_INFINITY },
    { seconds: "5" },
    { seconds: undefined },
    [Number.NaN, 0],
    [0, Number.NaN],
    [Number.POSITIVE_INFINITY, 0],
    [1, "0"]
  ]

  test("durationMillis: NaN for each, the milliseconds for finite ones", () => {
    for (const input of notFinite) expect(durationMillis(input)).toBeNaN()
    expect(durationMillis({ seconds: 1.5 })).toBe(1500)
    expect(durationMillis({ seconds: 1, minutes: undefined })).toBe(1000)
    expect(durationMillis([1, 500_000_000])).toBe(1500)
    expect(durationMillis("2 seconds")).toBe(2000)
  })

  test("the Effect service: InvalidArgument { argument: timeout }, never a wait that times out at once", async () => {
    const run = (timeout: unknown) =>
      Effect.runPromise(
        Effect.scoped(
          Effect.gen(function* () {
            const manager = yield* ResourceManager
            yield* manager.acquire("full", { type: "Memory", sizeBytes: 1000 })
            return yield* manager.acquire(
              "wait",
              { type: "Memory", sizeBytes: 10 },
              { mode: "Timeout", timeout: timeout as Duration.Input }
            )
          })
        ).pipe(
          Effect.provide(
            ResourceManager.layer({
              onLeaks: () => {},
              budgets: { Memory: { maxBytes: 1000, reservedBytes: 0, warningPercent: 60, criticalPercent: 85 } }
            })
          ),
          Effect.flip
        )
      )
    for (const timeout of notFinite) {
      const error = await run(timeout)
      expect(error).toBeInstanceOf(InvalidArgument)
      expect(error).toMatchObject({ argument: "timeout" })
    }
  })
})

describe("messages show caller values bounded", () => {
  const huge = "h".repeat(2 ** 20)
  function secretPluginCode() {
    // API_KEY = "do-not-print"
    return 1
  }
  /** The longest message a value of any size may give (a fixed text plus two bounded values). */
  const BOUND = 600

  test("show: a long string cut with its length, a function by its name only, a symbol and an Error bounded", () => {
    expect(show(huge)).toBe(`"${"h".repeat(64)}…" (${2 ** 20} characters)`)
    expect(show("short")).toBe('"short"')
    expect(show("h".repeat(64))).toBe(`"${"h".repeat(64)}"`)
    expect(show(secretPluginCode)).toBe("function secretPluginCode")
    expect(show(() => "API_KEY")).toBe("a function")
    expect(show(Object.defineProperty(() => 1, "name", { value: huge })).length).toBeLessThan(120)
    expect(show(Symbol(huge)).length).toBeLessThan(120)
    expect(show(10n ** 200n).length).toBeLessThan(120)
    expect(showThrown(new Error(huge)).length).toBeLessThan(120)
    expect(showThrown(huge).length).toBeLessThan(120)
    // a surrogate pair is never cut in half
    expect(show("😀".repeat(64))).toBe(`"${"😀".repeat(32)}…" (128 characters)`)
  })

  test("the manager's messages: bounded whatever the value, no function source", () => {
    const manager = createResourceManager({ onLeaks: () => {} })
    const budget = { maxBytes: 1, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 }
    const messages = [
      thrown(() => manager.acquire("x", { type: huge as never, sizeBytes: 1 })),
      thrown(() => manager.acquire("x", { type: "Memory", sizeBytes: 1 }, huge as never)),
      thrown(() => manager.acquire("x", { type: "Memory", sizeBytes: 1 }, { mode: huge as never })),
      thrown(() => manager.setBudget(huge as never, budget)),
      thrown(() => manager.getResourceStats(huge as never)),
      thrown(() => manager.releaseResource(huge as never)),
      thrown(() => manager.relieveSystemPressure(huge as never, "None")),
      thrown(() => createResourceManager({ [huge]: 1 } as never)),
      thrown(() => createResourceManager({ drivers: { [huge]: { [huge]: true } } } as never)),
      thrown(() => createResourceManager({ drivers: { audio: { sequential: huge } } } as never)),
      thrown(() => createResourceManager({ trace: { sink: () => {}, [huge]: 1 } } as never)),
      thrown(() => createResourceManager({ profile: huge as never })),
      thrown(() => getProfileSync(huge as never)),
      thrown(() => makeProfileSync(huge, -1)),
      thrown(() => decodeProfileSync({ name: huge, totalMemoryBytes: -1, budgets: {}, pools: [] })),
      thrown(() =>
        manager.acquire("x", {
          get type(): never {
            throw new Error(huge)
          },
          sizeBytes: 1
        })
      )
    ]
    for (const error of messages) {
      expect(error).toBeInstanceOf(Error)
      expect((error as Error).message.length).toBeLessThan(BOUND)
    }
    const mode = thrown(() =>
      manager.acquire("x", { type: "Memory", sizeBytes: 1 }, { mode: secretPluginCode as never })
    )
    expect((mode as Error).message).toBe(
      "Invalid argument mode: expected one of NonBlocking, Emergency, got function secretPluginCode"
    )
    const driver = thrown(() => createResourceManager({ drivers: { audio: secretPluginCode as never } }))
    expect((driver as Error).message).not.toContain("API_KEY")
    expect((driver as Error).message).toContain("got function secretPluginCode")
    manager.close()
  })
})

describe("a profile's pool names in its messages: each cut, at most eight listed", () => {
  test("the pools of a type that outgrow its budget", () => {
    const names = [...Array.from({ length: 19 }, (_, i) => `p${i}`), "n".repeat(2 ** 20)]
    const pools = names.map((name) => ({
      type: "Memory",
      blockSize: 64,
      initialCount: 0,
      maxCount: 10,
      alignment: 8,
      name
    }))
    const budget = { maxBytes: 100, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 }
    const error = thrown(() =>
      decodeProfileSync({ name: "p", totalMemoryBytes: 10_000, budgets: { Memory: budget }, pools })
    )
    expect(issueOf(error)).toBe(
      "the Memory pools (p0, p1, p2, p3, p4, p5, p6, p7, … (20 in all)) can grow to 12800 bytes (blockSize × maxCount), more than budgets.Memory.maxBytes (100)"
    )
    const one = thrown(() =>
      decodeProfileSync({ name: "p", totalMemoryBytes: 10_000, budgets: { Memory: budget }, pools: pools.slice(19) })
    )
    expect((one as Error).message.length).toBeLessThan(300)
  })
})

describe("names in messages are visible", () => {
  test('an unknown profile name is quoted: "" shows as ""', () => {
    for (const error of [
      thrown(() => getProfileSync("")),
      thrown(() => createResourceManager({ profile: "" as never }))
    ]) {
      expect(error).toBeInstanceOf(UnknownProfile)
      expect((error as Error).message).toBe('Unknown platform profile ""')
    }
    expect((thrown(() => getProfileSync("n64")) as Error).message).toBe('Unknown platform profile "n64"')
  })

  test('an invalid profile with an empty name shows it as ""', () => {
    expect((thrown(() => makeProfileSync("", 1000)) as Error).message).toStartWith('Invalid platform profile "":')
    expect(
      (thrown(() => decodeProfileSync({ name: "", totalMemoryBytes: 1000, budgets: {}, pools: [] })) as Error).message
    ).toStartWith('Invalid platform profile "":')
  })
})
