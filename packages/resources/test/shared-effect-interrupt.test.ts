/**
 * The SharedResources service: a Blocking acquisition whose fiber is interrupted around its grant. A grant that
 * lands after the interruption, or just before it, is released before the Layer's close (which may run in the
 * same synchronous stretch as the interruption), so the close reports no leak and the bytes are free again.
 */
import { describe, expect, spyOn, test } from "bun:test"
import { Effect, Fiber } from "effect"
import { createSharedResourceManager, SharedResources } from "../src/index.ts"

const budgets = { Memory: { maxBytes: 100, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 } }
const settle = (millis = 30) => new Promise((resolve) => setTimeout(resolve, millis))

/** Every line written to the console while `body` runs (the Effect logger's leak warnings among them). */
const consoleLines = async (body: () => Promise<void>): Promise<Array<string>> => {
  const spies = (["log", "info", "warn", "error"] as const).map((method) =>
    spyOn(console, method).mockImplementation(() => {})
  )
  try {
    await body()
    return spies.flatMap((spy) => spy.mock.calls.map((call) => call.map(String).join(" ")))
  } finally {
    for (const spy of spies) spy.mockRestore()
  }
}

/** A fiber on a worker's Layer (attached to `manager`) that waits for 50 bytes and then holds them forever. */
const waiter = (descriptor: ReturnType<typeof createSharedResourceManager>["descriptor"], onEvent?: () => void) =>
  Effect.runFork(
    Effect.scoped(
      Effect.gen(function* () {
        const shared = yield* SharedResources
        if (onEvent !== undefined) {
          // runs in the listener's step that delivered the grant, right after it
          shared.manager.registerPressureCallback((event) => void (event.to === "Low" && onEvent()))
        }
        yield* shared.acquire({ type: "Memory", sizeBytes: 50 }, { mode: "Blocking", name: "w" })
        yield* Effect.never
      })
    ).pipe(Effect.provide(SharedResources.layerAttach(descriptor)))
  )

describe("SharedResources: an interruption around a grant", () => {
  test("interrupted just after the grant was delivered (its Layer closing at once): no leak reported", async () => {
    const manager = createSharedResourceManager({ budgets })
    const holder = manager.acquire({ type: "Memory", sizeBytes: 80 })
    const lines = await consoleLines(async () => {
      const fiber: Fiber.Fiber<unknown, unknown> = waiter(manager.descriptor, () => {
        Effect.runFork(Fiber.interrupt(fiber))
      })
      await settle()
      holder.release() // grants the wait; the worker's listener delivers it, then its pressure callback interrupts
      await settle()
    })
    expect(lines.filter((line) => line.includes("leak"))).toEqual([])
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
    expect(manager.close()).toEqual([])
  })

  test("interrupted after the grant was recorded, before it was delivered: no leak reported", async () => {
    const manager = createSharedResourceManager({ budgets })
    const holder = manager.acquire({ type: "Memory", sizeBytes: 80 })
    const lines = await consoleLines(async () => {
      const fiber = waiter(manager.descriptor)
      await settle()
      holder.release() // grants the wait (recorded in the ledger; the worker has not looked yet)
      await Effect.runPromise(Fiber.interrupt(fiber))
      await settle()
    })
    expect(lines.filter((line) => line.includes("leak"))).toEqual([])
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
    expect(manager.close()).toEqual([])
  })
})
