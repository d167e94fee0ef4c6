import { describe, expect, test } from "bun:test"
import { Context, Effect, Exit, Fiber, Layer, Scope, Stream } from "effect"
import { TestClock } from "effect/testing"
import { createResourceManager, type PressureEvent, ResourceManager } from "../src/index.ts"

const budgets = { Memory: { maxBytes: 100, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 } }
const levels = (events: ReadonlyArray<PressureEvent>) => events.map((e) => `${e.from}->${e.to}`)

describe("pressure events are delivered deterministically", () => {
  test("Effect: events published before a registration's scope closes reach its callback, without yielding", async () => {
    const events: Array<PressureEvent> = []
    const seen = await Effect.runPromise(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        yield* Effect.scoped(
          Effect.gen(function* () {
            yield* manager.registerPressureCallback((event) => {
              events.push(event)
            })
            yield* manager.acquire("big", { type: "Memory", sizeBytes: 60 })
          })
        )
        return levels(events)
      }).pipe(Effect.provide(ResourceManager.layer({ budgets }).pipe(Layer.provideMerge(TestClock.layer()))))
    )
    // acquired (None -> Low), then released when the scope closed (Low -> None), both before it returned
    expect(seen).toEqual(["None->Low", "Low->None"])
  })

  test("Effect: events published before the Layer closes reach callbacks registered in the Layer's scope", async () => {
    const events: Array<PressureEvent> = []
    const callbacks = Layer.effectDiscard(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        yield* manager.registerPressureCallback((event) => {
          events.push(event)
        })
      })
    )
    await Effect.runPromise(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        yield* Effect.scoped(manager.acquire("big", { type: "Memory", sizeBytes: 95 }))
      }).pipe(
        Effect.provide(
          Layer.provideMerge(callbacks, ResourceManager.layer({ budgets }).pipe(Layer.provideMerge(TestClock.layer())))
        )
      )
    )
    expect(levels(events)).toEqual(["None->High", "High->None"])
  })

  test("facade: close() delivers pending events before it returns; disposing a registration delivers its pending events", () => {
    const manager = createResourceManager({ budgets, onLeaks: () => {} })
    const first: Array<PressureEvent> = []
    const second: Array<PressureEvent> = []
    const registration = manager.registerPressureCallback((event) => first.push(event))
    manager.registerPressureCallback((event) => second.push(event))
    manager.acquire("a", { type: "Memory", sizeBytes: 60 })
    registration[Symbol.dispose]()
    expect(levels(first)).toEqual(["None->Low"])
    manager.acquire("b", { type: "Memory", sizeBytes: 30 })
    manager.close()
    expect(levels(first)).toEqual(["None->Low"])
    // Low -> High on "b", then close released "b" (-> Low) and "a" (-> None)
    expect(levels(second)).toEqual(["None->Low", "Low->High", "High->Low", "Low->None"])
  })
})

describe("one callback registered twice", () => {
  test("Effect: ending one scope's registration keeps the other's; each event reaches it once", async () => {
    const seen: Array<string> = []
    const callback = (event: PressureEvent) => {
      seen.push(`${event.from}->${event.to}`)
    }
    await Effect.runPromise(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        const first = yield* Scope.make()
        const second = yield* Scope.make()
        yield* manager.registerPressureCallback(callback).pipe(Scope.provide(first))
        yield* manager.registerPressureCallback(callback).pipe(Scope.provide(second))
        yield* Effect.scoped(manager.acquire("x", { type: "Memory", sizeBytes: 60 })) // None->Low, Low->None
        yield* Scope.close(first, Exit.void)
        yield* Effect.scoped(manager.acquire("y", { type: "Memory", sizeBytes: 95 })) // None->High, back
        yield* Scope.close(second, Exit.void)
        yield* Effect.scoped(manager.acquire("z", { type: "Memory", sizeBytes: 60 })) // nobody registered
      }).pipe(Effect.provide(ResourceManager.layer({ budgets })))
    )
    expect(seen).toEqual(["None->Low", "Low->None", "None->High", "High->None"])
  })

  test("facade: disposing one registration keeps the other; each event reaches it once", async () => {
    const seen: Array<string> = []
    const callback = (event: PressureEvent) => {
      seen.push(`${event.from}->${event.to}`)
    }
    const manager = createResourceManager({ budgets })
    const first = manager.registerPressureCallback(callback)
    const second = manager.registerPressureCallback(callback)
    manager.acquire("x", { type: "Memory", sizeBytes: 60 }).release()
    first[Symbol.dispose]()
    manager.acquire("y", { type: "Memory", sizeBytes: 95 }).release()
    second[Symbol.dispose]()
    manager.acquire("z", { type: "Memory", sizeBytes: 60 }).release()
    await manager[Symbol.asyncDispose]()
    expect(seen).toEqual(["None->Low", "Low->None", "None->High", "High->None"])
  })

  test("facade: disposing one registration twice ends that one only (pressure and reclamation callbacks)", async () => {
    const seen: Array<string> = []
    const callback = (event: PressureEvent) => {
      seen.push(`${event.from}->${event.to}`)
    }
    let asked = 0
    const reclaimer = () => {
      asked++
      return 0
    }
    const manager = createResourceManager({ budgets, onLeaks: () => {} })
    const first = manager.registerPressureCallback(callback)
    manager.registerPressureCallback(callback)
    const firstReclaimer = manager.registerReclamationCallback("Memory", reclaimer)
    manager.registerReclamationCallback("Memory", reclaimer)
    first[Symbol.dispose]()
    first[Symbol.dispose]()
    firstReclaimer[Symbol.dispose]()
    firstReclaimer[Symbol.dispose]()
    const held = manager.acquire("x", { type: "Memory", sizeBytes: 60 }) // None->Low
    expect(() => manager.acquire("y", { type: "Memory", sizeBytes: 60 })).toThrow() // asks the reclaimer left
    held.release() // Low->None
    await manager[Symbol.asyncDispose]()
    expect(seen).toEqual(["None->Low", "Low->None"])
    expect(asked).toBe(1)
  })
})

describe("the pressureEvents stream", () => {
  test("ends when the Layer closes, with the close's own events; a later subscription ends at once", async () => {
    const [collected, late] = await Effect.runPromise(
      Effect.gen(function* () {
        const scope = yield* Scope.make()
        const context = yield* Layer.buildWithScope(ResourceManager.layer({ budgets, onLeaks: () => {} }), scope)
        const manager = Context.get(context, ResourceManager)
        const consumer = yield* Effect.forkDetach(Stream.runCollect(manager.pressureEvents))
        yield* Effect.yieldNow // subscribed
        yield* manager.acquire("held", { type: "Memory", sizeBytes: 60 }).pipe(Scope.provide(scope)) // None->Low
        yield* Scope.close(scope, Exit.void) // releases it: Low->None
        const events = yield* Fiber.join(consumer)
        const after = yield* Stream.runCollect(manager.pressureEvents)
        return [levels(events), after.length] as const
      })
    )
    expect(collected).toEqual(["None->Low", "Low->None"])
    expect(late).toBe(0)
  })
})
