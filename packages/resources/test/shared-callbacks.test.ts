/**
 * A shared manager's pressure and reclamation callbacks as docs/semantics.md sections 8 and 14 say: a promise
 * that one returns and that rejects is logged as a throw is (never an unhandled rejection, which ends a Bun or
 * Node process; SharedResources' callbacks log through Effect: shared-effect-forms.test.ts); each pressure event reaches a callback registered twice once, and the events pending when a
 * registration is disposed or the manager closed (the close's own releases' included) are delivered first.
 */
import { describe, expect, spyOn, test } from "bun:test"
import { Context, Effect, Exit, Fiber, Layer, Scope, Stream } from "effect"
import { createSharedResourceManager, type PressureEvent, SharedResources } from "../src/index.ts"

const budgets = { Memory: { maxBytes: 100, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 } }
const settle = (millis = 20) => new Promise((resolve) => setTimeout(resolve, millis))

/** Runs `body` with console.warn's first arguments and the unhandled rejections collected. */
const watchingRejections = async (body: () => Promise<void>) => {
  const unhandled: Array<unknown> = []
  const onUnhandled = (reason: unknown) => void unhandled.push(reason)
  process.on("unhandledRejection", onUnhandled)
  const warn = spyOn(console, "warn").mockImplementation(() => {})
  try {
    await body()
    await settle()
    return { warned: warn.mock.calls.map((call) => call[0]), unhandled }
  } finally {
    warn.mockRestore()
    process.off("unhandledRejection", onUnhandled)
  }
}

describe("shared manager: callbacks whose promise rejects", () => {
  test("a pressure callback: logged, never an unhandled rejection", async () => {
    const { warned, unhandled } = await watchingRejections(async () => {
      const manager = createSharedResourceManager({ budgets })
      manager.registerPressureCallback(async () => {
        throw new Error("pressure callback rejected")
      })
      const held = manager.acquire({ type: "Memory", sizeBytes: 60 }) // None -> Low
      await settle()
      held.release()
      manager.close()
    })
    expect(warned).toContain("flight-hal shared manager: pressure callback failed")
    expect(unhandled).toEqual([])
  })

  test("a reclamation callback: logged, never an unhandled rejection", async () => {
    const { warned, unhandled } = await watchingRejections(async () => {
      const manager = createSharedResourceManager({ budgets })
      const rejecting = (async () => {
        throw new Error("reclamation callback rejected")
      }) as unknown as () => number
      manager.registerReclamationCallback("Memory", rejecting)
      const held = manager.acquire({ type: "Memory", sizeBytes: 60 })
      expect(() => manager.acquire({ type: "Memory", sizeBytes: 60 })).toThrow()
      held.release()
      manager.close()
    })
    expect(warned).toContain("flight-hal shared manager: reclamation callback failed")
    expect(unhandled).toEqual([])
  })
  // the Effect service's callbacks take ResourceManager's forms and log through Effect's logger:
  // shared-effect-forms.test.ts (a returned promise that rejects is logged as a wrong return, never unhandled)
})

describe("shared manager: pressure events delivered once each, and before a registration or the manager ends", () => {
  test("one callback registered twice gets each event once; disposing one registration twice ends that one only", async () => {
    const manager = createSharedResourceManager({ budgets })
    const seen: Array<string> = []
    const callback = (event: PressureEvent) => void seen.push(`${event.from}->${event.to}`)
    const first = manager.registerPressureCallback(callback)
    manager.registerPressureCallback(callback)
    const held = manager.acquire({ type: "Memory", sizeBytes: 60 }) // None -> Low
    await settle()
    expect(seen).toEqual(["None->Low"])
    first[Symbol.dispose]()
    first[Symbol.dispose]()
    held.release() // Low -> None: the second registration is live
    await settle()
    expect(seen).toEqual(["None->Low", "Low->None"])
    manager.close()
  })

  test("disposing a registration delivers the pending events first", () => {
    const manager = createSharedResourceManager({ budgets })
    const seen: Array<string> = []
    const registration = manager.registerPressureCallback((event) => void seen.push(`${event.from}->${event.to}`))
    manager.acquire({ type: "Memory", sizeBytes: 60 }).release() // None -> Low -> None, pending
    registration[Symbol.dispose]()
    expect(seen).toEqual(["None->Low", "Low->None"])
    manager.close()
  })

  test("close() delivers the pending events, its own releases' included", () => {
    const manager = createSharedResourceManager({ budgets })
    const seen: Array<string> = []
    manager.registerPressureCallback((event) => void seen.push(`${event.from}->${event.to}`))
    manager.acquire({ type: "Memory", sizeBytes: 60 }) // None -> Low, pending; left for the close to release
    expect(manager.close()).toHaveLength(1)
    expect(seen).toEqual(["None->Low", "Low->None"])
  })

  test("the Effect service: one callback in two scopes gets each event once; pressureEvents gets the close's events", async () => {
    const seen: Array<string> = []
    const callback = (event: PressureEvent) => void seen.push(`${event.from}->${event.to}`)
    const streamed = await Effect.runPromise(
      Effect.gen(function* () {
        const scope = yield* Scope.make()
        const context = yield* Layer.buildWithScope(SharedResources.layer({ budgets }), scope)
        const shared = Context.get(context, SharedResources)
        const consumer = yield* Effect.forkDetach(Stream.runCollect(shared.pressureEvents))
        yield* Effect.sleep("10 millis")
        yield* shared.registerPressureCallback(callback).pipe(Scope.provide(scope))
        yield* shared.registerPressureCallback(callback).pipe(Scope.provide(scope))
        shared.manager.acquire({ type: "Memory", sizeBytes: 60 }) // None -> Low, kept: the close releases it
        yield* Effect.sleep("20 millis")
        yield* Scope.close(scope, Exit.void)
        const events = yield* Fiber.join(consumer)
        return events.map((event) => `${event.from}->${event.to}`)
      })
    )
    expect(streamed).toEqual(["None->Low", "Low->None"])
    // once, not twice; the registrations ended (their scope closes them first) before the close's release
    expect(seen).toEqual(["None->Low"])
  })
})
