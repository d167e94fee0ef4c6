/**
 * Caller values that are not what they seem: getters that answer differently on each read or throw, Proxies,
 * objects changed after the call. The manager reads each value once into a copy of its own, so what it checks is
 * what it charges, keeps and reports, and a read that throws is a typed error with nothing changed.
 */
import { describe, expect, test } from "bun:test"
import {
  InvalidArgument,
  InvalidBudget,
  InvalidMetadata,
  InvalidProfile,
  type ResourceMetadata
} from "@flight-hal/core"
import { Effect, Layer } from "effect"
import {
  builtinShapes,
  createResourceManager,
  createSharedResourceManager,
  decodeProfileSync,
  dreamcast,
  endpointReply,
  makeProfileSync,
  managerDump,
  managerEndpoint,
  memoryEventsLevel,
  parseMemoryEvents,
  profileToConfig,
  psiLevel,
  ResourceManager,
  recordTimeline,
  shapeFor
} from "../src/index.ts"
import { thrown } from "./support/thrown.ts"

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

  test("an array or a revoked Proxy is no options object: InvalidArgument options, in both front ends", async () => {
    using manager = createResourceManager({ budgets: { Hardware: budget } })
    const revoked = Proxy.revocable({}, {})
    revoked.revoke()
    const metadata = { type: "Hardware", sizeBytes: 1 } as const
    for (const options of [[], [{ mode: "Emergency" }], revoked.proxy]) {
      expect(thrown(() => manager.acquire("a", metadata, options as never))).toMatchObject({
        _tag: "InvalidArgument",
        argument: "options"
      })
      const failed = await Effect.runPromise(
        Effect.scoped(
          Effect.flip(Effect.flatMap(ResourceManager, (service) => service.acquire("a", metadata, options as never)))
        ).pipe(Effect.provide(ResourceManager.layer({ onLeaks: () => {} })))
      )
      expect(failed).toMatchObject({ _tag: "InvalidArgument", argument: "options" })
    }
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

  test("a reclamation callback whose promise rejects: logged, never an unhandled rejection (both front ends)", async () => {
    const unhandled: Array<unknown> = []
    const onUnhandled = (reason: unknown) => void unhandled.push(reason)
    process.on("unhandledRejection", onUnhandled)
    const warned: Array<unknown> = []
    const original = console.warn
    console.warn = (...args: Array<unknown>) => void warned.push(args[0])
    try {
      const rejecting = (async () => {
        throw new Error("async reclaim failed")
      }) as unknown as () => number
      const manager = createResourceManager({ budgets: { Memory: budget }, onLeaks: () => {} })
      manager.acquire("held", { type: "Memory", sizeBytes: 900 })
      manager.registerReclamationCallback("Memory", rejecting)
      expect(() => manager.acquire("more", { type: "Memory", sizeBytes: 200 })).toThrow()
      manager.close()
      await Effect.runPromise(
        Effect.gen(function* () {
          const service = yield* ResourceManager
          yield* service.acquire("held", { type: "Memory", sizeBytes: 900 })
          yield* service.registerReclamationCallback("Memory", rejecting as never)
          yield* Effect.exit(service.acquire("more", { type: "Memory", sizeBytes: 200 }))
        }).pipe(
          Effect.scoped,
          Effect.provide(ResourceManager.layer({ budgets: { Memory: budget }, onLeaks: () => {} }))
        )
      )
      await new Promise((resolve) => setTimeout(resolve, 10))
      expect(warned).toContain("flight-hal: reclamation callback failed")
      expect(unhandled).toEqual([])
    } finally {
      console.warn = original
      process.off("unhandledRejection", onUnhandled)
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

  test("use with a body that returns what is not an Effect fails with InvalidArgument body and releases", async () => {
    for (const returned of [42, undefined, Promise.resolve(1)]) {
      const result = await Effect.runPromise(
        Effect.scoped(
          Effect.gen(function* () {
            const manager = yield* ResourceManager
            const failure = yield* Effect.flip(
              manager.use("u", { type: "Hardware", sizeBytes: 10 }, (() => returned) as never)
            )
            const stats = yield* manager.getResourceStats("Hardware")
            return { failure, stats }
          })
        ).pipe(Effect.provide(layer))
      )
      expect(result.failure).toBeInstanceOf(InvalidArgument)
      expect(result.failure).toMatchObject({ argument: "body" })
      expect(result.stats.currentUsage).toBe(0)
      expect(result.stats.releaseCount).toBe(result.stats.allocationCount)
    }
  })
})

/** A revoked Proxy: every operation on it (even Array.isArray) throws a TypeError. */
const revokedProxy = (): never => {
  const { proxy, revoke } = Proxy.revocable({}, {})
  revoke()
  return proxy as never
}
/** A Proxy whose getPrototypeOf trap throws (so `instanceof` on it throws). */
const prototypeThrows = (): never =>
  new Proxy(
    {},
    {
      getPrototypeOf() {
        throw new Error("trap")
      }
    }
  ) as never

/** A function Proxy every trap of which throws (`typeof` says "function", `instanceof` throws). */
const throwingFunctionProxy = (): never =>
  new Proxy(
    () => 1,
    new Proxy(
      {},
      {
        get: (_target, trap) => () => {
          throw new Error(`hostile ${String(trap)} trap`)
        }
      }
    )
  ) as never

describe("revoked Proxies and Proxies whose traps throw are typed errors (R1–R3)", () => {
  test("metadata: acquire, acquireAsync, registerResource and the Effect service answer InvalidMetadata", async () => {
    using manager = managerWithBudget()
    const before = JSON.stringify(manager.snapshot())
    for (const make of [revokedProxy, prototypeThrows, throwingFunctionProxy]) {
      for (const options of [undefined, { owner: "app" }]) {
        const error = thrown(() => manager.acquire("t", make(), options))
        expect(error).toBeInstanceOf(InvalidMetadata)
      }
      expect(thrown(() => manager.registerResource("t", make()))).toBeInstanceOf(InvalidMetadata)
      expect(await manager.acquireAsync("t", make()).catch((e) => e)).toBeInstanceOf(InvalidMetadata)
      const failure = await Effect.runPromise(
        Effect.scoped(
          Effect.gen(function* () {
            const service = yield* ResourceManager
            return [
              yield* Effect.flip(service.acquire("t", make())),
              yield* Effect.flip(service.use("t", make(), () => Effect.void))
            ]
          })
        ).pipe(Effect.provide(ResourceManager.layer({})))
      )
      for (const f of failure) expect(f).toBeInstanceOf(InvalidMetadata)
    }
    expect(JSON.stringify(manager.snapshot())).toBe(before)
  })

  test("setBudget with a revoked Proxy is InvalidBudget and keeps the budget", () => {
    using manager = managerWithBudget()
    expect(thrown(() => manager.setBudget("Memory", revokedProxy()))).toBeInstanceOf(InvalidBudget)
    expect(manager.getBudget("Memory")).toEqual(budget)
  })

  test("registerDriver with a revoked Proxy is InvalidArgument (plain) and a failure (Effect)", async () => {
    using manager = managerWithBudget()
    expect(thrown(() => manager.registerDriver("gpu", revokedProxy()))).toBeInstanceOf(InvalidArgument)
    const failure = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const service = yield* ResourceManager
          return yield* Effect.flip(service.registerDriver("gpu", revokedProxy()))
        })
      ).pipe(Effect.provide(ResourceManager.layer({})))
    )
    expect(failure).toBeInstanceOf(InvalidArgument)
  })
})

describe("a config is read once (R8)", () => {
  /** A config with pools whose `defaultDriver` answers undefined on its first read and `later` after. */
  const shiftingDriver = (later: unknown) => {
    let reads = 0
    const config = {
      pools: [{ type: "Memory" as const, blockSize: 64, initialCount: 0, maxCount: 2 }],
      get defaultDriver() {
        return reads++ === 0 ? undefined : later
      }
    }
    return Object.defineProperty(config, "reads", { value: () => reads, enumerable: false }) as typeof config & {
      readonly reads: () => number
    }
  }

  test("a defaultDriver getter that answers undefined, then {} gives a working manager (plain)", () => {
    for (const later of [{}, 5, Symbol("s")]) {
      const config = shiftingDriver(later)
      using manager = createResourceManager(config as never)
      manager.acquire("probe", { type: "Memory", sizeBytes: 8 }).release()
      expect(config.reads()).toBe(1)
    }
  })

  test("the same config gives a working Effect service", async () => {
    const config = shiftingDriver({})
    const allocations = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const manager = yield* ResourceManager
          yield* Effect.scoped(manager.acquireScoped("probe", { type: "Memory", sizeBytes: 8 }))
          return (yield* manager.getResourceStats("Memory")).allocationCount
        })
      ).pipe(Effect.provide(ResourceManager.layer(config as never)))
    )
    expect(allocations).toBe(1)
    expect(config.reads()).toBe(1)
  })

  test("a config Proxy that throws is InvalidArgument config", async () => {
    for (const config of [revokedProxy(), throwingFunctionProxy()]) {
      expect(thrown(() => createResourceManager(config))).toBeInstanceOf(InvalidArgument)
      const failure = await Effect.runPromise(
        Effect.flip(Layer.build(ResourceManager.layer(config)).pipe(Effect.scoped))
      )
      expect(failure).toBeInstanceOf(InvalidArgument)
    }
  })
})

describe("managerDump options and endpoint requests (R9, R10)", () => {
  test("managerDump: bad or unreadable options are InvalidArgument; what it answers is JSON", () => {
    using manager = managerWithBudget()
    const getterThrows = {
      get label(): string {
        throw new Error("boom")
      }
    }
    for (const options of [null, 5, revokedProxy(), getterThrows, { label: 5n }, { takenAtMillis: 1n }]) {
      const error = thrown(() => managerDump(manager, options as never))
      expect(error).toBeInstanceOf(InvalidArgument)
    }
    expect(thrown(() => managerDump(manager, { takenAtMillis: Number.NaN }))).toBeInstanceOf(InvalidArgument)
    expect(thrown(() => managerDump(manager, { pools: [{ name: "p" }] as never }))).toBeInstanceOf(InvalidArgument)
    // a type the dump's reader (flight-hal inspect) would refuse is refused when the dump is made
    const pool = { name: "p", blockSize: 64, maxCount: 4, totalBlocks: 4, usedBlocks: 0, peakUsedBlocks: 0 }
    expect(thrown(() => managerDump(manager, { pools: [{ ...pool, type: "Bogus" }] as never }))).toBeInstanceOf(
      InvalidArgument
    )
    expect(managerDump(manager, { pools: [{ ...pool, type: "Memory" }] }).pools).toHaveLength(1)
    let reads = 0
    const shifting = {
      get label() {
        return reads++ === 0 ? "x" : (5n as never)
      }
    }
    const dump = managerDump(manager, shifting)
    expect(reads).toBe(1)
    expect(JSON.parse(JSON.stringify(dump)).label).toBe("x")
  })

  test("endpointReply: a method or path that is not a string is a 400 reply", () => {
    using manager = managerWithBudget()
    expect(endpointReply(manager, "GET", 5 as never).status).toBe(400)
    expect(endpointReply(manager, Symbol() as never, "/snapshot").status).toBe(400)
    expect(endpointReply(manager, "GET", "/snapshot").status).toBe(200)
  })

  test("managerEndpoint: what is not a request is a 400 Response", async () => {
    using manager = managerWithBudget()
    const handler = managerEndpoint(manager)
    for (const request of [{}, null, revokedProxy(), { method: "GET", url: "not a url" }]) {
      const response = handler(request as never)
      expect(response.status).toBe(400)
      expect(await response.text()).toBe("bad request\n")
    }
    expect(handler(new Request("http://localhost/snapshot")).status).toBe(200)
    expect(await handler(new Request("http://localhost/snapshot", { method: "HEAD" })).text()).toBe("")
  })
})

describe("profiles: decodeProfileSync and makeProfileSync (R11, R12)", () => {
  const valid = () => ({
    name: "p",
    totalMemoryBytes: 1 << 20,
    budgets: { Memory: { maxBytes: 1 << 19, reservedBytes: 0, warningPercent: 70, criticalPercent: 90 } },
    pools: [{ type: "Memory", blockSize: 64, initialCount: 0, maxCount: 4, alignment: 8, name: "small" }]
  })

  test("decodeProfileSync: Proxies and throwing getters are InvalidProfile; each field is read once", () => {
    const getterThrows = Object.defineProperty(valid(), "pools", {
      get() {
        throw new Error("boom")
      }
    })
    for (const input of [revokedProxy(), prototypeThrows(), getterThrows]) {
      expect(thrown(() => decodeProfileSync(input))).toBeInstanceOf(InvalidProfile)
    }
    const pools = valid().pools
    let reads = 0
    const shifting = Object.defineProperty(valid(), "pools", {
      get: () => (reads++ === 0 ? pools : {}),
      enumerable: true
    })
    const decoded = decodeProfileSync(shifting)
    expect(reads).toBe(1)
    expect(decoded.pools).toEqual(pools as never)
  })

  test("makeProfileSync: an unconvertible total or a shape that is not one is InvalidProfile", () => {
    for (const total of [Symbol("s"), Object.create(null), revokedProxy(), 10n]) {
      expect(thrown(() => makeProfileSync("x", total as never))).toBeInstanceOf(InvalidProfile)
    }
    for (const shape of [true, 0, "toString", {}, { budgets: {}, pools: {} }, revokedProxy()]) {
      expect(thrown(() => makeProfileSync("x", 2 ** 24, { shape } as never))).toBeInstanceOf(InvalidProfile)
    }
    expect(thrown(() => makeProfileSync(Object.create(null), 0))).toBeInstanceOf(InvalidProfile)
    expect(thrown(() => makeProfileSync("x", 2 ** 24, revokedProxy()))).toBeInstanceOf(InvalidProfile)
    expect(makeProfileSync("x", 2 ** 24, { shape: builtinShapes.web }).name).toBe("x")
  })
})

describe("pure profile and pressure helpers answer bad input with a typed error (R13–R16)", () => {
  test("profileToConfig: a profile that is not one is InvalidProfile, bad options InvalidArgument", () => {
    for (const profile of [undefined, null, revokedProxy(), { name: "x" }]) {
      expect(thrown(() => profileToConfig(profile as never))).toBeInstanceOf(InvalidProfile)
    }
    for (const options of [null, 5, revokedProxy(), []]) {
      expect(thrown(() => profileToConfig(dreamcast, options as never))).toBeInstanceOf(InvalidArgument)
    }
    let reads = 0
    const shifting = {
      get label() {
        return reads++ === 0 ? "mine" : 5
      }
    }
    using manager = createResourceManager(profileToConfig(dreamcast, shifting as never))
    expect(reads).toBe(1)
    expect(managerDump(manager).label).toBe("mine")
  })

  test("shapeFor: a limit that is not one, or unconvertible bytes, is InvalidArgument", () => {
    for (const limit of [null, undefined, revokedProxy(), { source: "os", bytes: Symbol() }, { source: "os" }]) {
      expect(thrown(() => shapeFor(limit as never))).toBeInstanceOf(InvalidArgument)
    }
    expect(shapeFor({ bytes: 2 ** 24, source: "os", notes: [] } as never)).toBe("dreamcast")
  })

  test("psiLevel, parseMemoryEvents, memoryEventsLevel: bad input is InvalidArgument", () => {
    expect(thrown(() => psiLevel(5 as never))).toBeInstanceOf(InvalidArgument)
    expect(thrown(() => parseMemoryEvents(null as never))).toBeInstanceOf(InvalidArgument)
    for (const [previous, current] of [
      [undefined, {}],
      [{}, null],
      [{}, revokedProxy()],
      [{}, { oom: Symbol() }],
      [{ max: Object.create(null) }, {}]
    ]) {
      expect(thrown(() => memoryEventsLevel(previous as never, current as never))).toBeInstanceOf(InvalidArgument)
    }
    expect(memoryEventsLevel({ max: 0 }, { max: 1 })).toBe("High")
  })
})

describe("recordTimeline options (R17)", () => {
  test("options that are not TimelineOptions are InvalidArgument, and nothing is written", () => {
    using manager = managerWithBudget()
    const lines: Array<string> = []
    const sink = (line: string) => lines.push(line)
    const getterThrows = {
      sink,
      get label(): string {
        throw new Error("boom")
      }
    }
    for (const options of [
      {},
      null,
      revokedProxy(),
      getterThrows,
      { sink, label: 5n },
      { sink, intervalMillis: 5n },
      { sink, intervalMillis: Symbol() },
      { sink, intervalMillis: Number.NaN },
      { sink, intervalMillis: Number.POSITIVE_INFINITY },
      { sink, intervalMillis: 2 ** 31 }
    ]) {
      expect(thrown(() => recordTimeline(manager, options as never))).toBeInstanceOf(InvalidArgument)
    }
    expect(lines).toEqual([])
    let reads = 0
    const shifting = {
      sink,
      get label() {
        return reads++ === 0 ? "t" : 5n
      }
    }
    const recorder = recordTimeline(manager, shifting as never)
    recorder.stop()
    expect(reads).toBe(1)
    expect(JSON.parse(lines[0] as string).label).toBe("t")
  })
})

describe("createSharedResourceManager reads its config once (R18)", () => {
  test("a revoked Proxy, a throwing getter, a Proxy as budgets or pools are InvalidArgument config", () => {
    const getterThrows = {
      get label(): string {
        throw new Error("boom")
      }
    }
    for (const config of [
      revokedProxy(),
      getterThrows,
      { budgets: revokedProxy() },
      { pools: [revokedProxy()] },
      {
        pools: new Proxy([], {
          get: () => {
            throw new Error("trap")
          }
        })
      }
    ]) {
      const error = thrown(() => createSharedResourceManager(config as never))
      expect(error).toBeInstanceOf(InvalidArgument)
    }
  })

  test("hysteresisPercent is read once", () => {
    let reads = 0
    const config = {
      budgets: { Memory: budget },
      get hysteresisPercent() {
        return reads++ === 0 ? 5 : (Symbol() as never)
      }
    }
    const shared = createSharedResourceManager(config)
    shared.acquire("probe", { type: "Memory", sizeBytes: 8 }).release()
    shared.close()
    expect(reads).toBe(1)
  })
})
