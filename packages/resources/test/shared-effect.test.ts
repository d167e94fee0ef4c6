import { describe, expect, test } from "bun:test"
import { Effect, Exit, Fiber, type Scope, Stream } from "effect"
import { SharedResources } from "../src/index.ts"

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
