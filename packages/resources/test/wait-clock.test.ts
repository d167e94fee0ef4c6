/**
 * A wait is timed by the exact clock, at its start and at its end: the facade's clock read once per synchronous
 * burst (`burst-clock.ts`) would start it when the burst began, before whatever the caller computed since, and
 * `AcquireTimeout.waitedMillis` (and the wait histogram) would count that time as waiting. `setSystemTime`
 * freezes `Date.now()`, so each step's time is the one set, whatever the machine's speed.
 */
import { afterEach, describe, expect, setSystemTime, test } from "bun:test"
import type { AcquireTimeout } from "@flight-hal/core"
import { Effect, Exit, Fiber, Layer } from "effect"
import { TestClock } from "effect/testing"
import { createResourceManager, prometheusText, ResourceManager } from "../src/index.ts"
import { mem } from "./support/harness.ts"

const budget = { maxBytes: 100, reservedBytes: 0, warningPercent: 50, criticalPercent: 80 }

/** The value of one series of the manager's Prometheus text. */
const sample = (text: string, name: string): number | undefined => {
  const line = text.split("\n").find((l) => l.startsWith(`${name}{type="Memory"`))
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1))
}

afterEach(() => {
  setSystemTime()
})

describe("a wait is timed by the exact clock", () => {
  test("AcquireTimeout.waitedMillis counts from the request, not from the burst's first clock read", async () => {
    setSystemTime(new Date(1_000))
    const manager = createResourceManager({ budgets: { Memory: budget } })
    const held = manager.acquire("held", mem(100)) // the burst's clock reads 1000 here
    setSystemTime(new Date(1_200)) // 200 ms of the caller's own work, in the same burst
    const waiting = manager.acquireAsync("tex", mem(10), { mode: "Timeout", timeoutMillis: 40 })
    setSystemTime(new Date(1_240)) // the time when the timer fires
    const error = (await waiting.then(
      () => undefined,
      (e: unknown) => e
    )) as AcquireTimeout
    expect(error._tag).toBe("AcquireTimeout")
    expect(error.waitedMillis).toBe(40)
    expect(error.message).toBe("Acquiring tex (Memory) timed out after 40 ms")
    held.release()
    manager.close()
  })

  test("the wait histogram times a granted wait from its request to its grant, both read exactly", async () => {
    setSystemTime(new Date(1_000))
    const manager = createResourceManager({ budgets: { Memory: budget } })
    const held = manager.acquire("held", mem(100)) // the burst's clock reads 1000 here
    setSystemTime(new Date(1_200))
    const waiting = manager.acquireAsync("w", mem(10)) // Blocking: starts waiting at 1200
    await Promise.resolve() // a new burst
    manager.acquire("other", { type: "Hardware", sizeBytes: 1 }).release() // it reads the clock: 1200
    setSystemTime(new Date(1_250)) // 50 ms later, in the same burst
    held.release() // grants the wait at 1250
    ;(await waiting).release()
    const text = prometheusText(manager)
    expect(sample(text, "flight_hal_resource_acquire_wait_millis_count")).toBe(1)
    expect(sample(text, "flight_hal_resource_acquire_wait_millis_sum")).toBe(50)
    manager.close()
  })

  test("the Effect service's TestClock times waits exactly (waitedMillis and the histogram)", async () => {
    const layer = ResourceManager.layer({ budgets: { Memory: budget } }).pipe(Layer.provideMerge(TestClock.layer()))
    const program = Effect.gen(function* () {
      const manager = yield* ResourceManager
      const held = yield* manager.acquire("held", mem(100))
      const granted = yield* Effect.forkChild(Effect.scoped(manager.acquire("w", mem(10), { mode: "Blocking" })))
      const timed = yield* Effect.forkChild(
        Effect.scoped(manager.acquire("t", mem(10), { mode: "Timeout", timeout: "30 millis" }))
      )
      yield* Effect.yieldNow
      yield* TestClock.adjust("30 millis")
      const timeout = yield* Fiber.await(timed)
      yield* TestClock.adjust("20 millis")
      held.release()
      yield* Fiber.join(granted)
      return { timeout, text: prometheusText(manager) }
    })
    const { timeout, text } = await Effect.runPromise(Effect.scoped(Effect.provide(program, layer)))
    expect(Exit.isFailure(timeout) && JSON.stringify(timeout)).toContain('"waitedMillis":30')
    expect(sample(text, "flight_hal_resource_acquire_wait_millis_count")).toBe(1)
    expect(sample(text, "flight_hal_resource_acquire_wait_millis_sum")).toBe(50)
  })
})
