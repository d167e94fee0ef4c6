import { describe, expect, test } from "bun:test"
import { Context, Effect, Exit, Fiber, Layer, Scope, Stream } from "effect"
import { createResourceManager, SharedResources } from "../src/index.ts"

const budget = { maxBytes: 10_000, reservedBytes: 1_000, warningPercent: 50, criticalPercent: 80 }
const layer = () => SharedResources.layer({ budgets: { Memory: budget }, label: "effect-test" })

const run = <A, E>(effect: Effect.Effect<A, E, SharedResources | Scope.Scope>) =>
  Effect.runPromiseExit(Effect.scoped(effect).pipe(Effect.provide(layer())))

describe("SharedResources (Effect)", () => {
  test("acquire is scoped: the hold is released when the scope closes", async () => {
    const exit = await run(
      Effect.gen(function* () {
        const shared = yield* SharedResources
        const usage = yield* Effect.scoped(
          Effect.gen(function* () {
            const block = yield* shared.acquire({ type: "Memory", sizeBytes: 4096 }, { name: "tex" })
            expect(block.payload.length).toBe(4096)
            expect((yield* shared.find("tex")).sizeBytes).toBe(4096)
            return (yield* shared.getResourceStats("Memory")).currentUsage
          })
        )
        return [usage, (yield* shared.getResourceStats("Memory")).currentUsage]
      })
    )
    expect(exit).toEqual(Exit.succeed([4096, 0]))
  })

  test("ResourceManager's call forms: acquire(name, metadata), use(name, metadata, (ref) => ref.get), metadata, pressure callbacks", async () => {
    const events: Array<string> = []
    const exit = await run(
      Effect.gen(function* () {
        const shared = yield* SharedResources
        yield* shared.registerPressureCallback((event) => {
          events.push(`${event.type} ${event.from}->${event.to}`)
        })
        const read = yield* shared.use("scratch", { type: "Memory", sizeBytes: 64 }, (ref) => ref.get)
        const named = yield* shared.acquire("tex", { type: "Memory", sizeBytes: 6_000 }, { mode: "Blocking" })
        const meta = yield* shared.metadata(named.handle)
        const found = yield* shared.find("tex")
        const unnamed = yield* shared.acquire("", { type: "Memory", sizeBytes: 16 })
        const twice = yield* Effect.flip(shared.acquire("a", { type: "Memory", sizeBytes: 1 }, { name: "b" } as never))
        const noBody = yield* Effect.flip(shared.use("x", { type: "Memory", sizeBytes: 1 }, 42 as never))
        named.release()
        const released = yield* Effect.flip(named.get)
        const stats = yield* shared.getResourceStats("Memory")
        // the callback runs in this thread when the listener delivers (the test's deadline bounds the wait)
        while (events.length < 2) yield* Effect.sleep(1)
        return [
          read.length,
          meta,
          found.name,
          unnamed.name,
          twice._tag,
          noBody._tag,
          released._tag,
          stats.currentUsage,
          stats.allocationCount
        ]
      })
    )
    expect(exit).toEqual(
      Exit.succeed([
        64,
        { type: "Memory", sizeBytes: 6000 },
        "tex",
        "",
        "InvalidArgument",
        "InvalidArgument",
        "ResourceReleased",
        16,
        3
      ])
    )
    // 6,000 of 10,000 (60 %) is past the warning threshold (50 %): Low; its release goes back
    expect(events).toEqual(["Memory None->Low", "Memory Low->None"])
  })

  test("the same program runs on ResourceManager's facade and on SharedResources (use, ref.get, stats)", async () => {
    const memory = { type: "Memory", sizeBytes: 4096 } as const
    const facade = createResourceManager({ budgets: { Memory: budget } })
    const onFacade = facade.use("block", memory, (ref) => ref.payload.length)
    const exit = await run(
      Effect.gen(function* () {
        const shared = yield* SharedResources
        const length = yield* shared.use("block", memory, (ref) => Effect.map(ref.get, (payload) => payload.length))
        return [length, (yield* shared.getResourceStats("Memory")).allocationCount]
      })
    )
    expect(exit).toEqual(Exit.succeed([await onFacade, 1]))
    facade.close()
  })

  test("errors are typed in the error channel, and the state is unchanged", async () => {
    const exit = await run(
      Effect.gen(function* () {
        const shared = yield* SharedResources
        const tooBig = yield* Effect.flip(shared.use({ type: "Memory", sizeBytes: 9_500 }, () => Effect.void))
        const bad = yield* Effect.flip(shared.acquire({ type: "Nope" as "Memory", sizeBytes: 1 }))
        const badTimeout = yield* Effect.flip(
          shared.acquire({ type: "Memory", sizeBytes: 1 }, { mode: "Timeout", timeout: Number.NaN })
        )
        const stats = yield* shared.getResourceStats("Memory")
        return [tooBig._tag, bad._tag, badTimeout._tag, stats.currentUsage, stats.allocationCount]
      })
    )
    expect(exit).toEqual(Exit.succeed(["BudgetExceeded", "InvalidMetadata", "InvalidArgument", 0, 0]))
  })

  test("a Blocking wait is granted when bytes are released, and an interrupted wait leaves holding nothing", async () => {
    const exit = await run(
      Effect.gen(function* () {
        const shared = yield* SharedResources
        const first = shared.manager.acquire({ type: "Memory", sizeBytes: 8_000 }) // plain hold
        const waiter = yield* Effect.forkChild(
          Effect.scoped(
            shared.acquire({ type: "Memory", sizeBytes: 3_000 }, { mode: "Blocking" }).pipe(Effect.as("granted"))
          )
        )
        const interrupted = yield* Effect.forkChild(
          Effect.scoped(shared.acquire({ type: "Memory", sizeBytes: 3_000 }, { mode: "Blocking" }))
        )
        yield* Effect.yieldNow
        const waiting = (yield* shared.getResourceStats("Memory")).waiting
        yield* Fiber.interrupt(interrupted)
        const afterInterrupt = (yield* shared.getResourceStats("Memory")).waiting
        first.release()
        const granted = yield* Fiber.join(waiter)
        const end = yield* shared.getResourceStats("Memory")
        return [waiting, afterInterrupt, granted, end.currentUsage, end.waiting]
      })
    )
    expect(exit).toEqual(Exit.succeed([2, 1, "granted", 0, 0]))
  })

  test("Timeout fails with AcquireTimeout", async () => {
    const exit = await run(
      Effect.gen(function* () {
        const shared = yield* SharedResources
        yield* shared.acquire({ type: "Memory", sizeBytes: 8_000 })
        return yield* Effect.flip(
          shared.acquire({ type: "Memory", sizeBytes: 3_000 }, { mode: "Timeout", timeout: "5 millis" })
        )
      })
    )
    expect(Exit.isSuccess(exit) && exit.value._tag).toBe("AcquireTimeout")
  })

  test("pressureEvents streams the level changes", async () => {
    const exit = await run(
      Effect.gen(function* () {
        const shared = yield* SharedResources
        const events = yield* Effect.forkChild(Stream.runCollect(Stream.take(shared.pressureEvents, 2)))
        yield* Effect.yieldNow
        const block = shared.manager.acquire({ type: "Memory", sizeBytes: 9_500, priority: "Critical" })
        block.release()
        const collected = yield* Fiber.join(events)
        return collected.map((e) => `${e.from}->${e.to}`)
      })
    )
    expect(exit).toEqual(Exit.succeed(["None->Critical", "Critical->None"]))
  })

  test("closing the layer closes the manager: later calls fail with ManagerClosed", async () => {
    let kept: SharedResources["Service"]["manager"] | undefined
    await run(
      Effect.gen(function* () {
        kept = (yield* SharedResources).manager
      })
    )
    expect(() => kept?.acquire({ type: "Memory", sizeBytes: 1 })).toThrow(
      expect.objectContaining({ _tag: "ManagerClosed" })
    )
  })
})

describe("SharedResources' pressureEvents and options", () => {
  const budgets = { Memory: { maxBytes: 1000, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 } }

  test("pressureEvents ends when the Layer closes; a subscription made after that ends at once", async () => {
    const [events, late] = await Effect.runPromise(
      Effect.gen(function* () {
        const scope = yield* Scope.make()
        const context = yield* Layer.buildWithScope(SharedResources.layer({ budgets }), scope)
        const shared = Context.get(context, SharedResources)
        const consumer = yield* Effect.forkDetach(Stream.runCollect(shared.pressureEvents))
        // events reach the subscriptions made before them, and the shared manager delivers them on its own
        // schedule: changes are made until a second subscriber (made after the first) has seen two
        const seen = yield* Effect.forkDetach(Stream.runCollect(Stream.take(shared.pressureEvents, 2)))
        while (seen.pollUnsafe() === undefined) {
          yield* Effect.scoped(shared.acquire({ type: "Memory", sizeBytes: 600 })) // None->Low, Low->None
          yield* Effect.sleep("1 millis")
        }
        yield* Scope.close(scope, Exit.void)
        const collected = yield* Fiber.join(consumer).pipe(Effect.timeout("5 seconds"))
        const after = yield* Stream.runCollect(shared.pressureEvents).pipe(Effect.timeout("5 seconds"))
        return [collected.map((e) => `${e.from}->${e.to}`), after.length] as const
      })
    )
    expect(events.length).toBeGreaterThanOrEqual(2)
    expect(events.slice(-2)).toEqual(["None->Low", "Low->None"])
    expect(late).toBe(0)
  })

  test("options that are no object, or whose reading throws, are InvalidArgument in both call forms", async () => {
    const throwing = Object.defineProperty({}, "mode", {
      enumerable: true,
      get() {
        throw new Error("boom")
      }
    })
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    const meta = { type: "Memory", sizeBytes: 16 } as const
    const failures = await Effect.runPromise(
      Effect.gen(function* () {
        const shared = yield* SharedResources
        const found: Array<unknown> = []
        for (const options of [null, throwing, proxy, []]) {
          found.push(yield* Effect.flip(Effect.scoped(shared.acquire(meta, options as never))))
          found.push(yield* Effect.flip(Effect.scoped(shared.acquire("", meta, options as never))))
          found.push(yield* Effect.flip(shared.use(meta, () => Effect.void, options as never)))
        }
        return found
      }).pipe(Effect.provide(SharedResources.layer({ budgets })))
    )
    expect(failures).toHaveLength(12)
    for (const failure of failures) expect(failure).toMatchObject({ _tag: "InvalidArgument", argument: "options" })
  })
})
