import { describe, expect, test } from "bun:test"
import { ResourceFlags } from "@flight-hal/core"
import { Deferred, Effect, Exit, Layer, Scope } from "effect"
import { TestClock } from "effect/testing"
import {
  layerSystemPressure,
  layerSystemPressureReclamation,
  type PressureEvent,
  ResourceManager,
  type ResourceManagerConfig,
  reportSystemPressure,
  type SystemPressure
} from "../src/index.ts"

const config: ResourceManagerConfig = {
  onLeaks: () => {},
  budgets: { Memory: { maxBytes: 1 << 20, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 } },
  pools: [{ type: "Memory", blockSize: 64, initialCount: 4, maxCount: 8 }]
}

const layer = (reclaimAt: "High" | "Critical") =>
  layerSystemPressureReclamation({ reclaimAt, reclaimPercent: 100 }).pipe(
    Layer.provideMerge(Layer.merge(ResourceManager.layer(config), layerSystemPressure({ events: null }))),
    Layer.provideMerge(TestClock.layer())
  )

describe("system pressure feeds the manager's reclamation", () => {
  test("OS-level Critical trims free pool blocks, then asks reclamation callbacks, and emits a system event", async () => {
    const result = await Effect.runPromise(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        const events: Array<PressureEvent> = []
        const sawHigh = yield* Deferred.make<void>()
        const reclaimed = yield* Deferred.make<number>()
        yield* manager.registerPressureCallback((event) => {
          if (event.source === "system") events.push(event)
          if (event.source === "system" && event.to === "High") Deferred.doneUnsafe(sawHigh, Exit.void)
        })
        const cache = yield* manager.acquire("cache", {
          type: "Memory",
          sizeBytes: 100_000,
          flags: ResourceFlags.combine("Reclaimable")
        })
        const asked: Array<number> = []
        const usageAtCallback: Array<number> = []
        yield* manager.registerReclamationCallback("Memory", (missing) =>
          Effect.gen(function* () {
            asked.push(missing)
            usageAtCallback.push((yield* manager.getResourceStats("Memory")).currentUsage)
            const freed = yield* manager.reclaim(cache.handle).pipe(Effect.orElseSucceed(() => 0))
            yield* Deferred.succeed(reclaimed, freed)
            return freed
          })
        )
        const before = (yield* manager.getResourceStats("Memory")).currentUsage
        // High is below reclaimAt (Critical): an event, no reclamation
        yield* reportSystemPressure("High")
        yield* Deferred.await(sawHigh)
        const afterHigh = (yield* manager.getResourceStats("Memory")).currentUsage
        yield* reportSystemPressure("Critical")
        const freed = yield* Deferred.await(reclaimed)
        const after = (yield* manager.getResourceStats("Memory")).currentUsage
        return { before, afterHigh, asked, usageAtCallback, freed, after, events }
      }).pipe(Effect.scoped, Effect.provide(layer("Critical")))
    )
    expect(result.before).toBe(256 + 100_000) // 4 free pool blocks of 64 bytes are charged, plus the cache
    expect(result.afterHigh).toBe(result.before)
    // the pool's free blocks went first: the callback saw only the cache's bytes left and was asked for them
    expect(result.usageAtCallback).toEqual([100_000])
    expect(result.asked).toEqual([100_000])
    expect(result.freed).toBe(100_000)
    expect(result.after).toBe(0)
    expect(result.events.map((e) => `${e.from}->${e.to}`)).toEqual(["None->High", "High->Critical"])
    expect(result.events.every((e) => e.type === "Memory")).toBe(true)
  })

  test("reclaimAt High reclaims at High; no fiber or timer is left once the Layer closes", async () => {
    const result = await Effect.runPromise(
      Effect.gen(function* () {
        const scope = yield* Scope.make()
        const context = yield* Layer.buildWithScope(
          layerSystemPressureReclamation({ reclaimAt: "High", reclaimPercent: 100 }).pipe(
            Layer.provideMerge(Layer.merge(ResourceManager.layer(config), layerSystemPressure({ events: null })))
          ),
          scope
        )
        const calls: Array<number> = []
        const done = yield* Deferred.make<void>()
        const run = <A, E>(effect: Effect.Effect<A, E, ResourceManager | SystemPressure>) =>
          Effect.orDie(Effect.provide(effect, context))
        yield* run(
          Effect.gen(function* () {
            const manager = yield* ResourceManager
            yield* manager.registerReclamationCallback("Memory", (missing) =>
              Effect.sync(() => {
                calls.push(missing)
                Deferred.doneUnsafe(done, Exit.void)
                return 0
              })
            )
            yield* manager.acquire("kept", { type: "Memory", sizeBytes: 1000 })
            yield* reportSystemPressure("High")
            yield* Deferred.await(done)
          }).pipe(Scope.provide(scope))
        )
        const usage = yield* run(
          Effect.gen(function* () {
            const manager = yield* ResourceManager
            return yield* manager.getResourceStats("Memory")
          })
        )
        yield* Scope.close(scope, Exit.void)
        const callsAtClose = calls.length
        yield* TestClock.adjust("1 hour")
        return { calls, callsAtClose, usage: usage.currentUsage, later: calls.length }
      }).pipe(Effect.scoped, Effect.provide(TestClock.layer()))
    )
    // the pool's 256 free bytes were trimmed first; the callback was asked for the 1000 still held
    expect(result.calls).toEqual([1000])
    expect(result.usage).toBe(1000)
    expect(result.later).toBe(result.callsAtClose)
  })
})

describe("layerSystemPressureReclamation's options", () => {
  test("options that are not as typed fail the Layer with InvalidArgument naming the option", async () => {
    const bad: ReadonlyArray<[unknown, string]> = [
      [{ reclaimAt: "bogus" }, "reclaimAt"],
      [{ reclaimAt: "Medium" }, "reclaimAt"],
      [{ reclaimPercent: "50" }, "reclaimPercent"],
      [{ reclaimPercent: Number.NaN }, "reclaimPercent"],
      [{ reclaimPercent: 101 }, "reclaimPercent"],
      [null, "options"],
      [[], "options"]
    ]
    for (const [options, argument] of bad) {
      const exit = await Effect.runPromiseExit(
        Effect.void.pipe(
          Effect.provide(
            layerSystemPressureReclamation(options as never).pipe(
              Layer.provideMerge(Layer.merge(ResourceManager.layer(config), layerSystemPressure({ events: null })))
            )
          )
        )
      )
      expect(exit).toMatchObject({ _tag: "Failure" })
      if (exit._tag === "Failure") {
        expect(String(exit.cause)).toContain("InvalidArgument")
        expect(String(exit.cause)).toContain(argument)
      }
    }
  })
})
