/**
 * Caller values that are not what they seem: getters that answer differently on each read or throw, Proxies,
 * objects changed after the call. The manager reads each value once into a copy of its own, so what it checks is
 * what it charges, keeps and reports, and a read that throws is a typed error with nothing changed.
 */
import { describe, expect, test } from "bun:test"
import { InvalidArgument, InvalidBudget, InvalidMetadata, type ResourceMetadata } from "@flight-hal/core"
import { Effect } from "effect"
import { createResourceManager, ResourceManager } from "../src/index.ts"

const budget = { maxBytes: 1000, reservedBytes: 0, warningPercent: 70, criticalPercent: 90 }
const managerWithBudget = () => createResourceManager({ budgets: { Memory: budget, Hardware: budget } })

/** Metadata whose `sizeBytes` answers `sizes[i]` on its i-th read (the last one after that). */
const shifting = (type: "Memory" | "Hardware", sizes: ReadonlyArray<number>) => {
  let reads = 0
  return {
    type,
    get sizeBytes() {
      return sizes[Math.min(reads++, sizes.length - 1)]
    },
    reads: () => reads
  }
}

describe("metadata is read once and kept as a frozen copy", () => {
  test("a caller who changes the object after the call changes nothing the manager charges or reports", () => {
    using manager = managerWithBudget()
    const metadata = { type: "Memory" as const, sizeBytes: 100 }
    const ref = manager.acquire("tex", metadata)
    metadata.sizeBytes = 50_000_000
    expect(ref.metadata.sizeBytes).toBe(100)
    expect(manager.find("tex").metadata.sizeBytes).toBe(100)
    expect(Object.isFrozen(ref.metadata)).toBe(true)
    expect(() => {
      ;(ref.metadata as { sizeBytes: number }).sizeBytes = 5
    }).toThrow(TypeError)
    expect(ref.payload.byteLength).toBe(100)
    ref.release()
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
  })

  for (const [path, options] of [
    ["one step", undefined],
    ["general path", { owner: "app" }]
  ] as const) {
    test(`a getter that answers differently on each read is read once (${path})`, () => {
      using manager = managerWithBudget()
      for (const later of [5000, -1, 1.5, Number.NaN]) {
        const metadata = shifting("Hardware", [100, later])
        const ref = manager.acquire("dma", metadata as ResourceMetadata, options)
        expect(metadata.reads()).toBe(1)
        expect(manager.getResourceStats("Hardware").currentUsage).toBe(100)
        expect(ref.payload).toBeUndefined() // Hardware has no default payload
        ref.release()
        expect(manager.getResourceStats("Hardware").currentUsage).toBe(0)
      }
      // a size that is bad on its first (only) read is refused as any bad size is
      const bad = shifting("Hardware", [-5, 100]) as ResourceMetadata
      expect(() => manager.acquire("dma", bad, options)).toThrow(InvalidMetadata)
      expect(manager.getResourceStats("Hardware").currentUsage).toBe(0)
    })
  }

  test("a Proxy sees one read of each field", () => {
    using manager = managerWithBudget()
    const reads = new Map<PropertyKey, number>()
    const metadata = new Proxy(
      { type: "Memory", sizeBytes: 64, priority: "High" },
      {
        get(target, key, receiver) {
          reads.set(key, (reads.get(key) ?? 0) + 1)
          return Reflect.get(target, key, receiver)
        }
      }
    )
    const ref = manager.acquire("p", metadata as ResourceMetadata)
    expect(reads.get("sizeBytes")).toBe(1)
    expect(reads.get("type")).toBe(1)
    expect(reads.get("priority")).toBe(1)
    expect(ref.metadata).toEqual({ type: "Memory", sizeBytes: 64, priority: "High" })
    ref.release()
  })

  test("a field whose read throws is InvalidMetadata, and nothing changes", () => {
    using manager = managerWithBudget()
    const before = JSON.stringify(manager.snapshot())
    const throwing = {
      type: "Memory",
      get sizeBytes(): number {
        throw new Error("boom")
      }
    }
    for (const options of [undefined, { owner: "app" }]) {
      const error = (() => {
        try {
          manager.acquire("t", throwing as ResourceMetadata, options)
        } catch (e) {
          return e
        }
      })()
      expect(error).toBeInstanceOf(InvalidMetadata)
      expect((error as InvalidMetadata).issue).toBe("a field could not be read (boom)")
    }
    expect(() => manager.registerResource("t", throwing as ResourceMetadata)).toThrow(InvalidMetadata)
    expect(JSON.stringify(manager.snapshot())).toBe(before)
  })

  test("dependsOn is copied: emptying the caller's array later does not drop the dependency", () => {
    using manager = managerWithBudget()
    const base = manager.acquire("base", { type: "Memory", sizeBytes: 10 })
    const dependsOn = [base.handle]
    const top = manager.acquire("top", { type: "Memory", sizeBytes: 10, dependsOn })
    dependsOn.length = 0
    expect(top.metadata.dependsOn).toEqual([base.handle])
    expect(manager.dependencies(top.handle)).toEqual([base.handle])
    top.release()
    base.release()
  })
})

describe("handles are frozen", () => {
  test("a ref's and a share's handle cannot be retargeted", () => {
    using manager = createResourceManager({})
    const a = manager.acquire("a", { type: "Memory", sizeBytes: 8, flags: 0x08 })
    const b = manager.acquire("b", { type: "Memory", sizeBytes: 8, flags: 0x08 })
    const shared = manager.share(a.handle, "gpu")
    expect(Object.isFrozen(a.handle)).toBe(true)
    expect(Object.isFrozen(shared.handle)).toBe(true)
    expect(() => {
      ;(shared.handle as { slot: number }).slot = b.handle.slot
    }).toThrow(TypeError)
    shared.release()
    expect(manager.holders(a.handle)).toEqual(["app"])
    expect(manager.holders(b.handle)).toEqual(["app"])
  })
})

describe("budgets, handles and configs are read once; a read that throws is a typed error", () => {
  test("a budget whose getter answers differently later installs what was checked", () => {
    using manager = createResourceManager({ budgets: { Hardware: budget } })
    let reads = 0
    const shifting = {
      get maxBytes() {
        return reads++ === 0 ? 2000 : -1
      },
      reservedBytes: 0,
      warningPercent: 70,
      criticalPercent: 90
    }
    manager.setBudget("Hardware", shifting)
    expect(reads).toBe(1)
    expect(manager.getBudget("Hardware")?.maxBytes).toBe(2000)
    const throwing = {
      ...budget,
      get maxBytes(): number {
        throw new Error("nope")
      }
    }
    expect(() => manager.setBudget("Hardware", throwing)).toThrow(InvalidBudget)
    expect(manager.getBudget("Hardware")?.maxBytes).toBe(2000)
    const config = createResourceManager({ budgets: { Hardware: { ...shifting, maxBytes: 3000 } } })
    expect(config.getBudget("Hardware")?.maxBytes).toBe(3000)
    config.close()
  })

  test("a handle whose getter throws or shifts is refused or resolved as first read", () => {
    using manager = createResourceManager({})
    const a = manager.acquire("a", { type: "Memory", sizeBytes: 8 })
    const throwing = {
      get slot(): number {
        throw new Error("boom")
      },
      generation: 0,
      manager: 0
    }
    expect(() => manager.metadata(throwing)).toThrow(InvalidArgument)
    expect(() => manager.holders(throwing)).toThrow(InvalidArgument)
    let reads = 0
    const { slot, generation, manager: id } = a.handle
    const shifting = {
      get slot() {
        return reads++ === 0 ? slot : slot + 1000
      },
      generation,
      manager: id
    }
    expect(manager.metadata(shifting).sizeBytes).toBe(8)
    expect(reads).toBe(1)
    a.release()
  })

  test("a config whose reading throws is InvalidArgument naming the config; trace options are checked", () => {
    const throwing = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error("no keys")
        }
      }
    )
    expect(() => createResourceManager(throwing)).toThrow(InvalidArgument)
    const sink = () => {}
    for (const [trace, argument] of [
      [{ sink, drivers: 5 }, "config.trace.drivers"],
      [{ sink, drivers: ["app", 5] }, "config.trace.drivers"],
      [{ sink, drivers: [""] }, "config.trace.drivers"],
      [{ sink, unitBytes: 0 }, "config.trace.unitBytes"],
      [{ sink, unitBytes: Number.NaN }, "config.trace.unitBytes"],
      [{ sink, unitBytes: 1.5 }, "config.trace.unitBytes"]
    ] as const) {
      try {
        createResourceManager({ trace } as never)
        throw new Error("accepted")
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidArgument)
        expect((error as InvalidArgument).argument).toBe(argument)
      }
    }
  })
})

describe("acquisition and driver options are read once", () => {
  test("options whose getter throws are InvalidArgument options; a shifting mode is read once", () => {
    using manager = createResourceManager({ budgets: { Hardware: budget } })
    const throwing = {
      get mode(): string {
        throw new Error("m")
      }
    }
    expect(() => manager.acquire("a", { type: "Hardware", sizeBytes: 1 }, throwing as never)).toThrow(InvalidArgument)
    let reads = 0
    const shifting = {
      get mode() {
        return reads++ === 0 ? "NonBlocking" : "Blocking"
      }
    }
    const ref = manager.acquire("a", { type: "Hardware", sizeBytes: 1 }, shifting as never)
    expect(reads).toBe(1)
    ref.release()
    const throwingKind = {
      get sequential(): boolean {
        throw new Error("k")
      }
    }
    expect(() => manager.registerDriver("gpu", throwingKind)).toThrow(InvalidArgument)
    // null is a value, not "left out": a null mode is a bad mode
    expect(() => manager.acquire("a", { type: "Hardware", sizeBytes: 1 }, { mode: null } as never)).toThrow(
      InvalidArgument
    )
    expect(manager.getResourceStats("Hardware").currentUsage).toBe(0)
  })
})

describe("caller callbacks and signals that misbehave", () => {
  test("acquireAsync: a signal that throws withdraws the wait (nothing held) and rejects typed", async () => {
    using manager = createResourceManager({ budgets: { Hardware: budget } })
    const hog = manager.acquire("hog", { type: "Hardware", sizeBytes: 1000 })
    const throwingAdd = {
      aborted: false,
      addEventListener() {
        throw new Error("x")
      },
      removeEventListener() {}
    }
    const error = await manager
      .acquireAsync("s", { type: "Hardware", sizeBytes: 10 }, { signal: throwingAdd as unknown as AbortSignal })
      .then(
        () => undefined,
        (e: unknown) => e
      )
    expect(error).toBeInstanceOf(InvalidArgument)
    expect((error as InvalidArgument).argument).toBe("signal")
    expect(manager.getResourceStats("Hardware").waiting).toBe(0)
    hog.release()
    expect(manager.snapshot().liveResources).toBe(0) // nobody was granted "s" behind the caller's back
    // a signal whose removeEventListener throws: the grant (inside another caller's release) still completes
    const hog2 = manager.acquire("hog", { type: "Hardware", sizeBytes: 1000 })
    const throwingRemove = {
      aborted: false,
      addEventListener() {},
      removeEventListener() {
        throw new Error("remove boom")
      }
    }
    const pending = manager.acquireAsync(
      "s",
      { type: "Hardware", sizeBytes: 10 },
      {
        signal: throwingRemove as unknown as AbortSignal
      }
    )
    expect(() => hog2.release()).not.toThrow()
    const ref = await pending
    expect(ref.released).toBe(false)
    ref.release()
    expect(manager.getResourceStats("Hardware").currentUsage).toBe(0)
  })

  test("facade: a pressure callback that rejects is logged; one that closes the manager keeps the order", async () => {
    const warned: Array<unknown> = []
    const original = console.warn
    console.warn = (...args: Array<unknown>) => void warned.push(args[0])
    try {
      const manager = createResourceManager({ budgets: { Memory: budget } })
      const seen: Array<string> = []
      manager.registerPressureCallback(async () => {
        throw new Error("async boom")
      })
      manager.registerPressureCallback((e) => {
        if (seen.length === 0) manager.close()
        seen.push(`${e.from}->${e.to}`)
      })
      const last: Array<string> = []
      manager.registerPressureCallback((e) => void last.push(`${e.from}->${e.to}`))
      const big = manager.acquire("big", { type: "Memory", sizeBytes: 950 }) // None -> Critical
      big.release()
      await new Promise((resolve) => setTimeout(resolve, 10))
      expect(warned).toContain("flight-hal: pressure callback failed")
      expect(last).toEqual(seen)
      expect(seen[0]?.startsWith("None->")).toBe(true)
    } finally {
      console.warn = original
    }
  })

  test("relieveSystemPressure checks its arguments and publishes nothing for bad ones", async () => {
    using manager = createResourceManager({ budgets: { Memory: budget } })
    const events: Array<unknown> = []
    manager.registerPressureCallback((e) => void events.push(e))
    for (const args of [
      ["toString", "High"],
      ["None", Number.NaN],
      ["None", "High", null],
      ["None", "High", { percent: "x" }],
      [
        "None",
        "High",
        {
          get percent(): number {
            throw new Error("p")
          }
        }
      ]
    ] as const) {
      expect(() => (manager.relieveSystemPressure as (...a: ReadonlyArray<unknown>) => void)(...args)).toThrow(
        InvalidArgument
      )
    }
    manager.relieveSystemPressure("None", "High")
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(events).toHaveLength(1)
  })
})

describe("Effect front end: callbacks and bodies that are not what the types say", () => {
  const layer = ResourceManager.layer({ budgets: { Hardware: budget } })

  test("a reclamation callback that returns a number is logged and isolated; the acquisition goes on", async () => {
    const exit = await Effect.runPromiseExit(
      Effect.scoped(
        Effect.gen(function* () {
          const manager = yield* ResourceManager
          yield* manager.registerReclamationCallback("Hardware", (() => 5) as never)
          yield* manager.acquire("a", { type: "Hardware", sizeBytes: 900 })
          return yield* Effect.result(manager.acquire("b", { type: "Hardware", sizeBytes: 200 }))
        })
      ).pipe(Effect.provide(layer))
    )
    expect(exit._tag).toBe("Success")
    if (exit._tag === "Success") expect(exit.value._tag).toBe("Failure") // BudgetExceeded, a typed failure
  })

  test("a pressure callback that returns a non-Effect is logged; later events still arrive; the Layer closes", async () => {
    const seen = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const manager = yield* ResourceManager
          const seen: Array<string> = []
          yield* manager.registerPressureCallback((() => 5) as never)
          yield* manager.registerPressureCallback((e) => Effect.sync(() => void seen.push(`${e.from}->${e.to}`)))
          const ref = yield* manager.acquire("a", { type: "Hardware", sizeBytes: 950 })
          yield* Effect.yieldNow
          ref.release()
          yield* Effect.yieldNow
          yield* Effect.sleep(1)
          return seen
        })
      ).pipe(Effect.provide(layer))
    )
    expect(seen.length).toBeGreaterThanOrEqual(2)
  })

  test("use with a body that is not a function fails with InvalidArgument before acquiring", async () => {
    const result = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const manager = yield* ResourceManager
          const failure = yield* Effect.flip(manager.use("u", { type: "Hardware", sizeBytes: 1 }, "x" as never))
          const stats = yield* manager.getResourceStats("Hardware")
          return { failure, allocations: stats.allocationCount }
        })
      ).pipe(Effect.provide(layer))
    )
    expect(result.failure).toBeInstanceOf(InvalidArgument)
    expect(result.allocations).toBe(0)
  })
})
