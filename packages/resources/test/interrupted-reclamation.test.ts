/**
 * A reclamation run whose fiber is interrupted while a callback runs (the Effect service's `relieveSystemPressure`
 * forked and interrupted, as `layerSystemPressureReclamation`'s fiber is when its scope closes) ends its step: the
 * type's callbacks are asked again by the next admission that needs them. It once left the type counted as
 * reclaiming for good: every later admission skipped reclamation and failed with BudgetExceeded. And while a
 * callback waits, another fiber's admission of the type starts no second run: NonBlocking fails, Blocking waits and
 * is granted when the running callback frees bytes (docs/semantics.md, section 14, "No recursion, one run per type").
 */
import { describe, expect, test } from "bun:test"
import { Effect, Exit, Fiber, Layer } from "effect"
import { TestClock } from "effect/testing"
import { ResourceManager, type ResourceRef } from "../src/index.ts"

const budget = { maxBytes: 1000, reservedBytes: 100, warningPercent: 50, criticalPercent: 80 }

describe("an interrupted reclamation callback", () => {
  for (const interrupted of [true, false]) {
    test(`relieveSystemPressure ${interrupted ? "interrupted mid-callback" : "run to its end"}: the next admission reclaims`, async () => {
      const program = Effect.gen(function* () {
        const manager = yield* ResourceManager
        const victims: Array<ResourceRef> = []
        let calls = 0
        yield* manager.registerReclamationCallback("Memory", () =>
          Effect.gen(function* () {
            calls++
            yield* Effect.sleep("10 millis")
            const victim = victims.shift()
            victim?.release()
            return victim === undefined ? 0 : 400
          })
        )
        victims.push(yield* manager.acquire("v1", { type: "Memory", sizeBytes: 400 }))
        victims.push(yield* manager.acquire("v2", { type: "Memory", sizeBytes: 400 }))
        const relief = yield* Effect.forkChild(manager.relieveSystemPressure("None", "Critical", { percent: 50 }))
        yield* Effect.yieldNow
        expect(calls).toBe(1) // the callback is running (asleep)
        if (interrupted) yield* Fiber.interrupt(relief)
        else {
          yield* TestClock.adjust("10 millis")
          yield* Fiber.join(relief)
          victims.push(yield* manager.acquire("v3", { type: "Memory", sizeBytes: 400 }))
        }
        expect(victims.length).toBe(2)
        const before = calls
        // 800 used of a 900 limit: 300 more needs the callbacks
        const acquired = yield* Effect.forkChild(Effect.exit(manager.acquire("c", { type: "Memory", sizeBytes: 300 })))
        yield* Effect.yieldNow
        yield* TestClock.adjust("10 millis")
        const exit = yield* Fiber.join(acquired)
        return { asked: calls - before, admitted: Exit.isSuccess(exit), left: victims.length }
      })
      const result = await Effect.runPromise(
        Effect.scoped(program).pipe(
          Effect.provide(
            ResourceManager.layer({ budgets: { Memory: budget }, onLeaks: () => {} }).pipe(
              Layer.provideMerge(TestClock.layer())
            )
          )
        )
      )
      expect(result).toEqual({ asked: 1, admitted: true, left: 1 })
    })
  }

  for (const mode of ["NonBlocking", "Blocking"] as const) {
    test(`another fiber's ${mode} admission while a callback waits starts no second run`, async () => {
      const program = Effect.gen(function* () {
        const manager = yield* ResourceManager
        const victims: Array<ResourceRef> = []
        const asked: Array<number> = []
        yield* manager.registerReclamationCallback("Memory", (missing) =>
          Effect.gen(function* () {
            asked.push(missing)
            yield* Effect.sleep("10 millis")
            victims.shift()?.release()
            return 300
          })
        )
        for (const name of ["v1", "v2", "v3"])
          victims.push(yield* manager.acquire(name, { type: "Memory", sizeBytes: 300 }))
        const first = yield* Effect.forkChild(Effect.exit(manager.acquire("a", { type: "Memory", sizeBytes: 100 })))
        yield* Effect.yieldNow // inside the callback, asleep
        const second = yield* Effect.forkChild(
          Effect.exit(manager.acquire("b", { type: "Memory", sizeBytes: 100 }, { mode }))
        )
        yield* Effect.yieldNow
        yield* TestClock.adjust("20 millis")
        const [a, b] = [yield* Fiber.join(first), yield* Fiber.join(second)]
        const tagOf = (exit: Exit.Exit<unknown, unknown>) =>
          Exit.isSuccess(exit)
            ? "admitted"
            : (exit.cause.reasons[0] as { readonly error?: { readonly _tag: string } }).error?._tag
        return { a: tagOf(a), b: tagOf(b), asked, left: victims.length }
      })
      const result = await Effect.runPromise(
        Effect.scoped(program).pipe(
          Effect.provide(
            ResourceManager.layer({ budgets: { Memory: budget }, onLeaks: () => {} }).pipe(
              Layer.provideMerge(TestClock.layer())
            )
          )
        )
      )
      expect(result).toEqual({
        a: "admitted",
        b: mode === "NonBlocking" ? "BudgetExceeded" : "admitted",
        asked: [100],
        left: 2
      })
    })
  }
})
