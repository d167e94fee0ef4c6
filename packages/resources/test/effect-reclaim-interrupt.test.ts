/**
 * An Effect acquisition interrupted while a reclamation callback runs for it (docs/semantics.md, section 5,
 * Interruption): the callback is interrupted with it, the run asks no further callback, the request is never
 * admitted and counts no failure, an Emergency payback run gives its admission back, and the type reclaims again
 * for the next request. It waited for the callback to end (uninterruptible), then counted a NonBlocking failure
 * for a caller that had left (reported by a new user: `Effect.timeout(acquire, "30 millis")` took a second).
 */
import { describe, expect, test } from "bun:test"
import { Deferred, Effect, Exit, Fiber } from "effect"
import { type AcquireMode, ResourceManager } from "../src/index.ts"

const budget = { maxBytes: 100, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 }
const layer = ResourceManager.layer({ budgets: { Memory: budget } })
const mem = (sizeBytes: number) => ({ type: "Memory" as const, sizeBytes })

/**
 * Fills Memory with 90 bytes, registers a reclamation callback that signals `started` then never ends (marking
 * `interrupted` when it is), starts `acquire` on a fiber, interrupts it once the callback runs, and returns what
 * followed: the fiber's exit, the stats, and whether the callback was interrupted and asked again later.
 */
const interruptedDuringReclaim = (mode: AcquireMode, size: number, use = false) =>
  Effect.scoped(
    Effect.gen(function* () {
      const manager = yield* ResourceManager
      yield* manager.acquire("cache", mem(90))
      const started = yield* Deferred.make<void>()
      let calls = 0
      let interrupted = 0
      yield* manager.registerReclamationCallback("Memory", () =>
        Effect.gen(function* () {
          // the first call never ends; a later one frees nothing
          if (++calls > 1) return 0
          yield* Deferred.succeed(started, undefined)
          return yield* Effect.never
        }).pipe(Effect.onInterrupt(() => Effect.sync(() => interrupted++)))
      )
      const options = mode === "Timeout" ? { mode, timeout: "1 minute" as const } : { mode }
      const acquisition = use
        ? manager.use("x", mem(size), () => Effect.succeed("used"), options)
        : Effect.scoped(Effect.as(manager.acquire("x", mem(size), options), "acquired"))
      const fiber = yield* Effect.forkChild(acquisition)
      yield* Deferred.await(started)
      const exit = yield* Fiber.interrupt(fiber).pipe(Effect.andThen(Fiber.await(fiber)))
      const stats = yield* manager.getResourceStats("Memory")
      // the next request of the type asks the callback again (the run ended; the type is not left reclaiming)
      const next = yield* Effect.flip(manager.acquire("y", mem(20)))
      return { exit, stats, interrupted, askedAgain: calls === 2, next: next._tag }
    })
  ).pipe(Effect.provide(layer))

describe("an Effect acquisition interrupted during its reclamation callback", () => {
  const cases = [
    ["NonBlocking", false],
    ["Timeout", false],
    ["Blocking", false],
    ["NonBlocking", true]
  ] as const
  for (const [mode, use] of cases) {
    test(`${use ? "use" : "acquire"}, ${mode}: ends interrupted, the callback interrupted, nothing admitted, no failure`, async () => {
      const result = await Effect.runPromise(interruptedDuringReclaim(mode, 50, use))
      // interrupted, not a success: `use`'s body never ran
      expect(Exit.hasInterrupts(result.exit)).toBe(true)
      expect(result.interrupted).toBe(1)
      expect(result.stats.currentUsage).toBe(90)
      expect(result.stats.allocationCount).toBe(1)
      expect(result.stats.failedCount).toBe(0)
      expect(result.stats.waiting).toBe(0)
      expect(result.askedAgain).toBe(true)
      expect(result.next).toBe("BudgetExceeded")
    })
  }

  test("Emergency: the payback run's admission is given back", async () => {
    const result = await Effect.runPromise(interruptedDuringReclaim("Emergency", 50))
    expect(Exit.hasInterrupts(result.exit)).toBe(true)
    expect(result.interrupted).toBe(1)
    // admitted over budget (counted), then released when its caller left during the payback
    expect(result.stats.currentUsage).toBe(90)
    expect(result.stats.allocationCount).toBe(2)
    expect(result.stats.emergencyCount).toBe(1)
    expect(result.stats.emergencyBytes).toBe(0)
    expect(result.askedAgain).toBe(true)
  })
})
