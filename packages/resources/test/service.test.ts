import { describe, expect, test } from "bun:test"
import type { ResourceMetadata } from "@flight-hal/core"
import { Effect, Exit, Fiber, Layer, type Scope, Stream } from "effect"
import { TestClock } from "effect/testing"
import type { ResourceManagerConfig } from "../src/index.ts"
import { type LeakReport, ResourceManager } from "../src/index.ts"
import { mem } from "./support/harness.ts"

const budget = { maxBytes: 1000, reservedBytes: 100, warningPercent: 50, criticalPercent: 80 }

const run = <A, E>(
  body: Effect.Effect<A, E, ResourceManager | Scope.Scope>,
  config: ResourceManagerConfig = { budgets: { Memory: budget } }
): Promise<A> => Effect.runPromise(Effect.scoped(body).pipe(Effect.provide(layerOf(config))))

const usage = Effect.gen(function* () {
  const manager = yield* ResourceManager
  return (yield* manager.getResourceStats("Memory")).currentUsage
})

const layerOf = (config: ResourceManagerConfig) =>
  ResourceManager.layer(config).pipe(Layer.provideMerge(TestClock.layer()))

describe("ResourceManager service", () => {
  test("acquire charges bytes and the scope releases them", async () => {
    const result = await run(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        const inner = yield* Effect.scoped(
          Effect.gen(function* () {
            const ref = yield* manager.acquire("a", mem(300))
            const buffer = yield* ref.get
            return [buffer.byteLength, yield* usage] as const
          })
        )
        return [...inner, yield* usage]
      })
    )
    expect(result).toEqual([300, 300, 0])
  })

  test("NonBlocking fails with BudgetExceeded and leaves stats except failedCount", async () => {
    const error = await run(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        yield* manager.acquire("a", mem(900))
        const before = yield* manager.getResourceStats("Memory")
        const exit = yield* Effect.exit(manager.acquire("b", mem(1)))
        const after = yield* manager.getResourceStats("Memory")
        expect(after).toEqual({ ...before, failedCount: before.failedCount + 1 })
        return exit
      })
    )
    expect(Exit.isFailure(error)).toBe(true)
    expect(JSON.stringify(error)).toContain("BudgetExceeded")
  })

  test("invalid metadata, stale handle and use after release leave stats unchanged", async () => {
    await run(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        const before = yield* manager.getResourceStats("Memory")
        const bad = yield* Effect.flip(manager.acquire("x", mem(-1)))
        expect(bad._tag).toBe("InvalidMetadata")
        const align = yield* Effect.flip(manager.acquire("x", mem(8, { alignmentBytes: 3 })))
        expect(align._tag).toBe("InvalidMetadata")
        const unknownType = yield* Effect.flip(
          manager.acquire("x", { type: "Bogus", sizeBytes: 1 } as unknown as ResourceMetadata)
        )
        expect(unknownType._tag).toBe("InvalidMetadata")
        const unknownBudgetType = yield* Effect.flip(manager.setBudget("Bogus" as unknown as "Memory", budget))
        expect(unknownBudgetType._tag).toBe("InvalidBudget")
        // @ts-expect-error: mode Timeout without a timeout does not compile; plain JavaScript may still pass it
        const badTimeout = yield* Effect.flip(manager.acquire("x", mem(1), { mode: "Timeout" }))
        expect(badTimeout._tag).toBe("InvalidArgument")
        const budgetError = yield* Effect.flip(
          manager.setBudget("Memory", { maxBytes: 10, reservedBytes: 20, warningPercent: 50, criticalPercent: 80 })
        )
        expect(budgetError._tag).toBe("InvalidBudget")
        expect(yield* manager.getBudget("Memory")).toEqual(budget)
        const ref = yield* Effect.scoped(manager.acquire("y", mem(10)))
        const released = yield* Effect.flip(ref.get)
        expect(released._tag).toBe("ResourceReleased")
        const stale = yield* Effect.flip(manager.holders(ref.handle))
        expect(stale._tag).toBe("StaleHandle")
        ref.release() // double release: no-op
        const after = yield* manager.getResourceStats("Memory")
        expect(after).toEqual({
          ...before,
          allocationCount: 1,
          releaseCount: 1,
          peakUsage: 10
        })
      })
    )
  })

  test("Blocking waits and is granted after a release", async () => {
    const order = await run(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        const log: Array<string> = []
        const scope1 = yield* Effect.forkChild(
          Effect.scoped(
            Effect.gen(function* () {
              yield* manager.acquire("a", mem(900), { owner: "d1" })
              log.push("a acquired")
              yield* Effect.sleep("10 millis")
              log.push("a released")
            })
          )
        )
        yield* Effect.yieldNow
        const waiter = yield* Effect.forkChild(
          Effect.scoped(
            Effect.gen(function* () {
              yield* manager.acquire("b", mem(500), { mode: "Blocking", owner: "d2" })
              log.push("b acquired")
            })
          )
        )
        yield* Effect.yieldNow
        expect((yield* manager.getResourceStats("Memory")).waiting).toBe(1)
        yield* TestClock.adjust("10 millis")
        yield* Fiber.join(scope1)
        yield* Fiber.join(waiter)
        return log
      })
    )
    expect(order).toEqual(["a acquired", "a released", "b acquired"])
  })

  test("Timeout fails with AcquireTimeout after the TestClock duration", async () => {
    const result = await run(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        yield* manager.acquire("a", mem(900), { owner: "d1" })
        const fiber = yield* Effect.forkChild(
          Effect.scoped(manager.acquire("b", mem(200), { mode: "Timeout", timeout: "50 millis", owner: "d2" }))
        )
        yield* Effect.yieldNow
        yield* TestClock.adjust("49 millis")
        expect(fiber.pollUnsafe()).toBeUndefined()
        yield* TestClock.adjust("1 millis")
        const exit = yield* Fiber.await(fiber)
        const stats = yield* manager.getResourceStats("Memory")
        return [exit, stats] as const
      })
    )
    const [exit, stats] = result
    expect(Exit.isFailure(exit)).toBe(true)
    expect(JSON.stringify(exit)).toContain("AcquireTimeout")
    expect(JSON.stringify(exit)).toContain('"waitedMillis":50')
    expect(stats).toMatchObject({ waiting: 0, currentUsage: 900, failedCount: 1 })
  })

  test("a timeout racing a release: either admitted and released, or timed out holding nothing", async () => {
    const result = await run(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        const holder = yield* Effect.forkChild(
          Effect.scoped(
            Effect.gen(function* () {
              yield* manager.acquire("a", mem(900), { owner: "d1" })
              yield* Effect.sleep("50 millis")
            })
          )
        )
        yield* Effect.yieldNow
        const fiber = yield* Effect.forkChild(
          Effect.scoped(manager.acquire("b", mem(200), { mode: "Timeout", timeout: "50 millis", owner: "d2" }))
        )
        yield* Effect.yieldNow
        yield* TestClock.adjust("50 millis")
        yield* Fiber.join(holder)
        yield* Fiber.await(fiber)
        return yield* manager.getResourceStats("Memory")
      })
    )
    expect(result).toMatchObject({ waiting: 0, currentUsage: 0 })
  })

  test("interrupting 1,000 blocked waiters leaves usage and the queue empty", async () => {
    const stats = await run(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        const fibers = yield* Effect.scoped(
          Effect.gen(function* () {
            yield* manager.acquire("big", mem(900))
            const fibers = []
            for (let i = 0; i < 1000; i++) {
              fibers.push(
                yield* Effect.forkChild(
                  Effect.scoped(manager.acquire(`w${i}`, mem(1), { mode: "Blocking", owner: `d${i}` }))
                )
              )
            }
            yield* Effect.yieldNow
            expect((yield* manager.getResourceStats("Memory")).waiting).toBe(1000)
            yield* Fiber.interruptAll(fibers)
            return fibers
          })
        )
        expect(fibers.length).toBe(1000)
        return yield* manager.getResourceStats("Memory")
      })
    )
    expect(stats).toMatchObject({ waiting: 0, currentUsage: 0 })
  }, 60_000)

  test("use: acquire, run, release without a scope", async () => {
    const result = await run(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        const inside = yield* manager.use("u", mem(100), () => usage)
        return [inside, yield* usage]
      })
    )
    expect(result).toEqual([100, 0])
  })

  test("Emergency admits over budget, pressure Critical, reclamation asked to pay back", async () => {
    const result = await run(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        const asked: Array<number> = []
        yield* manager.registerReclamationCallback("Memory", (missing) =>
          Effect.sync(() => {
            asked.push(missing)
            return 0
          })
        )
        yield* manager.acquire("a", mem(900))
        yield* manager.acquire("b", mem(300), { mode: "Emergency" })
        const stats = yield* manager.getResourceStats("Memory")
        return [stats, asked] as const
      })
    )
    expect(result[0]).toMatchObject({
      currentUsage: 1200,
      emergencyCount: 1,
      emergencyBytes: 300,
      pressure: "Critical"
    })
    expect(result[1]).toEqual([300])
  })
})

describe("reclamation", () => {
  test("callbacks run in order, throwers and liars are isolated, only real frees count", async () => {
    const result = await run(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        const calls: Array<string> = []
        const victim = yield* manager.acquire("cache", mem(400, { flags: 32 }))
        yield* manager.acquire("rest", mem(400))
        yield* manager.registerReclamationCallback("Memory", (missing) =>
          Effect.sync(() => {
            calls.push(`throw ${missing}`)
            throw new Error("boom")
          })
        )
        yield* manager.registerReclamationCallback("Memory", (missing) =>
          Effect.sync(() => {
            calls.push(`lie ${missing}`)
            return 1_000_000
          })
        )
        yield* manager.registerReclamationCallback("Memory", (missing) =>
          Effect.sync(() => {
            calls.push(`free ${missing}`)
            victim.release()
            return 400
          })
        )
        yield* manager.registerReclamationCallback("Memory", () =>
          Effect.sync(() => {
            calls.push("never")
            return 0
          })
        )
        yield* manager.acquire("new", mem(300))
        return [calls, yield* usage] as const
      })
    )
    expect(result[0]).toEqual(["throw 200", "lie 200", "free 200"])
    expect(result[1]).toBe(700)
  })

  test("a callback that frees too little: BudgetExceeded, usage within budget", async () => {
    const error = await run(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        const small = yield* manager.acquire("small", mem(50))
        yield* manager.acquire("rest", mem(800))
        yield* manager.registerReclamationCallback("Memory", () =>
          Effect.sync(() => {
            small.release()
            return 500
          })
        )
        const e = yield* Effect.flip(manager.acquire("new", mem(300)))
        expect(yield* usage).toBe(800)
        return e
      })
    )
    expect(error._tag).toBe("BudgetExceeded")
  })
})

describe("pressure events", () => {
  test("stream and callbacks see level changes; a failing callback is isolated", async () => {
    const result = await run(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        const seen: Array<string> = []
        yield* manager.registerPressureCallback(() => Effect.fail("nope"))
        yield* manager.registerPressureCallback(() => {
          throw new Error("thrown")
        })
        yield* manager.registerPressureCallback((e) => {
          seen.push(`${e.from}->${e.to}@${e.stats.currentUsage}`)
        })
        const streamed = yield* Effect.forkChild(Stream.runCollect(Stream.take(manager.pressureEvents, 2)))
        yield* Effect.yieldNow
        yield* Effect.scoped(manager.acquire("a", mem(700)))
        for (let i = 0; i < 5; i++) yield* Effect.yieldNow
        const events = yield* Fiber.join(streamed)
        return [seen, [...events].map((e) => `${e.from}->${e.to}`)] as const
      })
    )
    expect(result[0]).toEqual(["None->Medium@700", "Medium->None@0"])
    expect(result[1]).toEqual(["None->Medium", "Medium->None"])
  })
})

describe("leaks", () => {
  test("closing the layer releases live resources newest first and reports them", async () => {
    const leaks: Array<LeakReport> = []
    const config: ResourceManagerConfig = {
      budgets: { Memory: budget },
      onLeaks: (l) => leaks.push(...l),
      captureAcquisitionSite: true
    }
    await Effect.runPromise(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        yield* Effect.forkDetach(
          Effect.scoped(Effect.flatMap(manager.acquire("first", mem(10), { owner: "d1" }), () => Effect.never))
        )
        yield* Effect.forkDetach(
          Effect.scoped(Effect.flatMap(manager.acquire("second", mem(20), { owner: "d2" }), () => Effect.never))
        )
        yield* Effect.yieldNow
        yield* TestClock.adjust("5 seconds")
      }).pipe(Effect.scoped, Effect.provide(layerOf(config)))
    )
    expect(leaks.map((l) => [l.name, l.type, l.sizeBytes, l.owner, l.ageMillis])).toEqual([
      ["second", "Memory", 20, "d2", 5000],
      ["first", "Memory", 10, "d1", 5000]
    ])
    expect(leaks[0]?.site).toContain("acquired here")
  })
})

describe("error channels", () => {
  test("follow the mode (type-level)", () => {
    type ErrorOf<X> = X extends Effect.Effect<unknown, infer E, unknown> ? E : never
    type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
    const check = <T extends true>(): T | undefined => undefined
    const program = Effect.gen(function* () {
      const manager = yield* ResourceManager
      const nonBlocking = manager.acquire("a", mem(1))
      const emergency = manager.acquire("a", mem(1), { mode: "Emergency" })
      const timeout = manager.acquire("a", mem(1), { mode: "Timeout", timeout: "1 second" })
      check<Equal<Extract<ErrorOf<typeof nonBlocking>, { _tag: "AcquireTimeout" }>, never>>()
      // Emergency fails with BudgetExceeded past the usage bound (usage + size above 2^53 − 1)
      check<Equal<Extract<ErrorOf<typeof emergency>, { _tag: "BudgetExceeded" }>["_tag"], "BudgetExceeded">>()
      check<Equal<Extract<ErrorOf<typeof emergency>, { _tag: "DeadlockDetected" }>, never>>()
      check<Equal<Extract<ErrorOf<typeof timeout>, { _tag: "AcquireTimeout" }>["_tag"], "AcquireTimeout">>()
      check<Equal<Extract<ErrorOf<typeof timeout>, { _tag: "ResourceBusy" }>, never>>()
    })
    // the checks above are compile-time: this file fails `tsc -b test` when an error channel is wrong
    void program
  })

  test("Emergency past the usage bound: BudgetExceeded in the channel, caught by its tag", async () => {
    const caught = await run(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        const huge = { type: "Hardware", sizeBytes: Number.MAX_SAFE_INTEGER } as const
        yield* manager.acquire("all", huge, { mode: "Emergency" })
        return yield* manager.acquire("one more", { type: "Hardware", sizeBytes: 1 }, { mode: "Emergency" }).pipe(
          Effect.as("admitted"),
          Effect.catchTag("BudgetExceeded", (error) => Effect.succeed(`${error._tag} ${error.limit}`))
        )
      })
    )
    expect(caught).toBe(`BudgetExceeded ${Number.MAX_SAFE_INTEGER}`)
  })
})

describe("sharing in Effect", () => {
  test("a share lives until its scope closes; the resource until its last holder", async () => {
    const result = await run(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        const log: Array<string> = []
        const outer = yield* Effect.scoped(
          Effect.gen(function* () {
            const frame = yield* manager.acquire("frame", mem(100, { flags: 8 }), { owner: "decoder" })
            const shared = yield* manager.share(frame.handle, "gpu")
            log.push((yield* manager.holders(frame.handle)).join(","))
            const notShareable = yield* manager.acquire("plain", mem(1))
            const refused = yield* Effect.flip(manager.share(notShareable.handle, "gpu"))
            log.push(refused._tag)
            return [frame, shared] as const
          })
        )
        log.push(String(outer[0].released), String(outer[1].released))
        log.push(String((yield* manager.getResourceStats("Memory")).currentUsage))
        return log
      })
    )
    expect(result).toEqual(["decoder,gpu", "NotShareable", "true", "true", "0"])
  })
})
