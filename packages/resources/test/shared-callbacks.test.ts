/**
 * A shared manager's pressure and reclamation callbacks as docs/semantics.md sections 8 and 14 say: a promise
 * that one returns and that rejects is logged as a throw is (never an unhandled rejection, which ends a Bun or
 * Node process).
 */
import { describe, expect, spyOn, test } from "bun:test"
import { Effect } from "effect"
import { createSharedResourceManager, SharedResources } from "../src/index.ts"

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

  test("the Effect service: a pressure callback's rejected promise is logged, never unhandled", async () => {
    const { warned, unhandled } = await watchingRejections(() =>
      Effect.runPromise(
        Effect.scoped(
          Effect.gen(function* () {
            const shared = yield* SharedResources
            yield* shared.registerPressureCallback(() => Promise.reject(new Error("rejected")) as unknown as undefined)
            yield* shared.acquire({ type: "Memory", sizeBytes: 60 })
            yield* Effect.sleep("20 millis")
          })
        ).pipe(Effect.provide(SharedResources.layer({ budgets })))
      )
    )
    expect(warned).toContain("flight-hal shared manager: pressure callback failed")
    expect(unhandled).toEqual([])
  })
})
