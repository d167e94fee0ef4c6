/**
 * The Effect service's counterpart of a facade wait aborted while a release grants it: a waiting acquisition's
 * fiber interrupted in the same synchronous step as the release that grants it (before the release, inside it
 * from a `destroy` hook, or right after it, before the fiber runs again). docs/semantics.md section 5: the wait is
 * the only interruptible part, and an interruption gives a grant back (or leaves the queue); the acquisition ends
 * interrupted (its body never runs when the interruption came first), nothing stays charged, and the bytes go to
 * the next waiter.
 */
import { describe, expect, test } from "bun:test"
import { Effect, Exit, Fiber, Scope } from "effect"
import { ResourceManager } from "../src/index.ts"
import { runScenario } from "./support/effect.ts"

const budgets = { Memory: { maxBytes: 100, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 } }
const mem = (sizeBytes: number) => ({ type: "Memory" as const, sizeBytes })

type Order = "interrupt, then release" | "release, then interrupt" | "interrupt from the release's destroy hook"

/** A waiting acquisition of 50 bytes behind a 90-byte blocker; the blocker's release and the interruption in one step. */
const scenario = (order: Order) =>
  Effect.gen(function* () {
    const manager = yield* ResourceManager
    const scope = yield* Scope.make()
    let interrupt = (): void => {}
    const blocker = yield* manager
      .acquire("blocker", mem(90), { create: () => 1, destroy: () => interrupt() })
      .pipe(Effect.provideService(Scope.Scope, scope))
    expect(blocker.payload).toBe(1) // made, so the destroy hook runs at the release
    let bodyRan = false
    const waiter = yield* Effect.forkChild(
      Effect.scoped(
        manager.acquire("w", mem(50), { mode: "Blocking" }).pipe(
          Effect.tap(() =>
            Effect.sync(() => {
              bodyRan = true
            })
          ),
          Effect.andThen(Effect.never)
        )
      )
    )
    // the next waiter: granted the bytes the interrupted one gives back (or never took)
    const next = yield* Effect.forkChild(
      Effect.scoped(manager.acquire("next", mem(60), { mode: "Blocking", owner: "other" }).pipe(Effect.as("granted")))
    )
    yield* Effect.yieldNow
    expect((yield* manager.getResourceStats("Memory")).waiting).toBe(2)
    yield* Effect.sync(() => {
      if (order === "interrupt, then release") {
        waiter.interruptUnsafe()
        blocker.release()
      } else if (order === "release, then interrupt") {
        blocker.release()
        waiter.interruptUnsafe()
      } else {
        interrupt = () => waiter.interruptUnsafe()
        blocker.release()
      }
    })
    const exit = yield* Fiber.await(waiter)
    const nextOutcome = yield* Fiber.join(next)
    yield* Scope.close(scope, Exit.void)
    const find = yield* Effect.exit(manager.find("w"))
    return { interrupted: Exit.hasInterrupts(exit), bodyRan, nextOutcome, nameFree: Exit.isFailure(find) }
  })

describe("an Effect wait interrupted while a release grants it", () => {
  for (const order of [
    "interrupt, then release",
    "release, then interrupt",
    "interrupt from the release's destroy hook"
  ] as const) {
    // the interruption that comes after the grant finds the acquisition over (its body may have started): it ends
    // the body, and the scope gives the resource back
    const interruptFirst = order !== "release, then interrupt"
    test(`${order}: interrupted, nothing held, the bytes go to the next waiter`, async () => {
      const { exit, violations, leaks } = await runScenario({ budgets }, 2048, scenario(order))
      expect(Exit.isSuccess(exit)).toBe(true)
      if (!Exit.isSuccess(exit)) return
      const { bodyRan, ...rest } = exit.value
      expect(rest).toEqual({ interrupted: true, nextOutcome: "granted", nameFree: true })
      if (interruptFirst) expect(bodyRan).toBe(false)
      expect(violations).toEqual([])
      expect(leaks).toEqual([])
    })
  }
})
