/**
 * A manager config is read once, into the manager's own copy, and only the copy is checked and used
 * (docs/semantics.md: what was checked is what is installed): a getter that answers differently on a later read
 * cannot get an unchecked value installed. Also: with a profile, only the budgets object's own keys count (an
 * inherited budget neither installs nor cancels the profile's), and `config.trace` refuses unknown keys by name.
 */
import { describe, expect, test } from "bun:test"
import { InvalidArgument, type ResourceBudget } from "@flight-hal/core"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { createResourceManager, ResourceManager, type ResourceManagerConfig } from "../src/index.ts"

const mem: ResourceBudget = { maxBytes: 1 << 20, reservedBytes: 0, warningPercent: 50, criticalPercent: 60 }

/** A getter answering `first` on its first read and `later` afterwards; `reads()` counts the reads. */
const flip = (first: unknown, later: unknown) => {
  let n = 0
  return { get: () => (n++ === 0 ? first : later), reads: () => n }
}

const thrown = (f: () => unknown): unknown => {
  try {
    f()
  } catch (error) {
    return error
  }
  return undefined
}

describe("a manager config is read once", () => {
  test("with a profile, an explicit budget given by a getter is read once and installed", () => {
    const read = flip(mem, undefined)
    const budgets = Object.defineProperty({}, "Memory", { get: read.get, enumerable: true })
    const manager = createResourceManager({ profile: "dreamcast", budgets })
    expect(manager.getResourceStats("Memory").budget).toEqual(mem)
    expect(read.reads()).toBe(1)
    manager.close()
  })

  test("a custom type's code is read once: a code checked in the Custom range is the code installed", () => {
    const read = flip(0x80000005, 2)
    const types = { Shader: Object.defineProperty({}, "code", { get: read.get, enumerable: true }) }
    const manager = createResourceManager({ types } as ResourceManagerConfig)
    expect(manager.getResourceStats("Shader" as never).code).toBe(0x80000005)
    expect(read.reads()).toBe(1)
    manager.close()
  })

  test("a driver kind is read once", () => {
    const kind = flip({ sequential: true }, { sequential: false })
    const drivers = Object.defineProperty({}, "audio", { get: kind.get, enumerable: true })
    const manager = createResourceManager({ drivers } as ResourceManagerConfig)
    expect(kind.reads()).toBe(1)
    manager.close()
  })

  test("with a profile, a pool is read once (its type decides whether the profile's pools join)", () => {
    const type = flip("Memory", "Hardware")
    const pool = Object.defineProperty({ blockSize: 4096, initialCount: 0, maxCount: 4, name: "own" }, "type", {
      get: type.get,
      enumerable: true
    })
    const manager = createResourceManager({ profile: "dreamcast", pools: [pool as never] })
    expect(type.reads()).toBe(1)
    expect(
      manager
        .snapshot()
        .pools.filter((p) => p.type === "Memory")
        .map((p) => p.name)
    ).toEqual(["own"])
    manager.close()
  })

  for (const [key, first, later] of [
    ["drivers", "audio", ""],
    ["drivers", "audio", 42],
    ["types", "Memory", "Bogus"]
  ] as const) {
    test(`trace.${key}[0] is read once: the recorder gets the checked ${JSON.stringify(first)}, not ${JSON.stringify(later)}`, () => {
      const lines: Array<string> = []
      const read = flip(first, later)
      const list = Object.defineProperty([], 0, { get: read.get, enumerable: true })
      const manager = createResourceManager({ trace: { sink: (line) => lines.push(line), [key]: list } })
      expect(JSON.parse(lines[0] as string)[key]).toEqual([first])
      if (key === "drivers") expect(manager.snapshot().drivers.map((d) => d.driver)).toEqual(["app", "audio"])
      expect(read.reads()).toBe(1)
      manager.close()
    })
  }
})

describe("with a profile, only the budgets object's own keys count", () => {
  test("an inherited budget neither installs nor cancels the profile's budget and pools", () => {
    const withProfile = createResourceManager({ profile: "dreamcast" })
    const expected = withProfile.getResourceStats("Memory").budget
    const pools = withProfile.snapshot().pools.length
    withProfile.close()
    const manager = createResourceManager({ profile: "dreamcast", budgets: Object.create({ Memory: mem }) })
    expect(manager.getResourceStats("Memory").budget).toEqual(expected)
    expect(manager.snapshot().pools.length).toBe(pools)
    manager.close()
    const plain = createResourceManager({ budgets: Object.create({ Memory: mem }) })
    expect(plain.getResourceStats("Memory").budget).toBeUndefined()
    plain.close()
  })
})

describe("config.trace refuses unknown keys", () => {
  const sink = () => {}
  for (const trace of [
    { sink, unitbytes: 1024 },
    { sink, colour: "red" },
    { ...JSON.parse('{"__proto__": 1}'), sink }
  ]) {
    const key = Object.keys(trace).find((k) => k !== "sink") as string
    test(`config.trace.${key}: InvalidArgument, from the facade and the Effect layer`, () => {
      const error = thrown(() => createResourceManager({ trace } as ResourceManagerConfig))
      expect(error).toBeInstanceOf(InvalidArgument)
      expect(error).toMatchObject({ argument: `config.trace.${key}`, issue: "unknown option" })
      const exit = Effect.runSyncExit(
        Effect.provide(
          Effect.map(ResourceManager, () => "ok"),
          ResourceManager.layer({ trace } as ResourceManagerConfig)
        )
      )
      expect(Exit.isFailure(exit) && String(exit.cause)).toContain(`config.trace.${key}: unknown option`)
    })
  }
})
