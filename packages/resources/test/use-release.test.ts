/**
 * `use` and the scoped `acquire` release their resource exactly once however the body ends: a value, a typed
 * failure, a defect (a thrown body or `Effect.die`), an interruption of the body, and through the waiting path
 * (admitted after a wait, or interrupted while waiting). Counted by the type's stats (a second release of a
 * ref does nothing, so `releaseCount` counts the releases that freed), and the order of a scope's finalizers.
 */
import { describe, expect, test } from "bun:test"
import { Cause, Deferred, Effect, Exit, Fiber, Layer, Scope } from "effect"
import { TestClock } from "effect/testing"
import { ResourceManager, type ResourceManagerConfig, type ResourceManagerService } from "../src/index.ts"
import { mem } from "./support/harness.ts"

const budget = { maxBytes: 1000, reservedBytes: 100, warningPercent: 50, criticalPercent: 80 }
const config: ResourceManagerConfig = { budgets: { Memory: budget }, onLeaks: () => {} }

/** Runs `body` with a fresh manager; returns its exit and the Memory stats afterwards. */
const withManager = <A, E>(body: (manager: ResourceManagerService) => Effect.Effect<A, E, Scope.Scope>) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        const exit = yield* Effect.exit(body(manager))
        const stats = yield* manager.getResourceStats("Memory")
        return { exit, stats }
      })
    ).pipe(Effect.provide(ResourceManager.layer(config).pipe(Layer.provideMerge(TestClock.layer()))))
  )

describe("use releases exactly once", () => {
  test("a body that succeeds", async () => {
    const { exit, stats } = await withManager((m) =>
      m.use("a", mem(100), (ref) => Effect.map(ref.get, (bytes) => bytes.byteLength))
    )
    expect(Exit.isSuccess(exit) && exit.value).toBe(100)
    expect(stats).toMatchObject({ currentUsage: 0, allocationCount: 1, releaseCount: 1 })
  })

  test("a body that fails with a typed error", async () => {
    const { exit, stats } = await withManager((m) => m.use("a", mem(100), () => Effect.fail("nope" as const)))
    expect(exit).toEqual(Exit.fail("nope"))
    expect(stats).toMatchObject({ currentUsage: 0, releaseCount: 1 })
  })

  test("a body that throws before returning an Effect dies with the throw", async () => {
    const boom = new Error("boom")
    const { exit, stats } = await withManager((m) =>
      m.use("a", mem(100), () => {
        throw boom
      })
    )
    expect(Exit.isFailure(exit) && Cause.squash(exit.cause)).toBe(boom)
    expect(stats).toMatchObject({ currentUsage: 0, releaseCount: 1 })
  })

  test("a body that dies", async () => {
    const { exit, stats } = await withManager((m) => m.use("a", mem(100), () => Effect.die("defect")))
    expect(Exit.isFailure(exit) && Cause.hasDies(exit.cause)).toBe(true)
    expect(stats).toMatchObject({ currentUsage: 0, releaseCount: 1 })
  })

  test("a body released by hand inside is not released again", async () => {
    const { exit, stats } = await withManager((m) => m.use("a", mem(100), (ref) => Effect.sync(() => ref.release())))
    expect(Exit.isSuccess(exit)).toBe(true)
    expect(stats).toMatchObject({ currentUsage: 0, releaseCount: 1 })
  })

  test("an interrupted body", async () => {
    const { exit, stats } = await withManager((m) =>
      Effect.gen(function* () {
        const inside = yield* Deferred.make<void>()
        const fiber = yield* Effect.forkChild(
          m.use("a", mem(100), () => Effect.andThen(Deferred.succeed(inside, undefined), Effect.never))
        )
        yield* Deferred.await(inside)
        const usedInside = (yield* m.getResourceStats("Memory")).currentUsage
        yield* Fiber.interrupt(fiber)
        return [usedInside, yield* Fiber.await(fiber)] as const
      })
    )
    expect(Exit.isSuccess(exit)).toBe(true)
    if (Exit.isSuccess(exit)) {
      expect(exit.value[0]).toBe(100)
      expect(Exit.hasInterrupts(exit.value[1])).toBe(true)
    }
    expect(stats).toMatchObject({ currentUsage: 0, releaseCount: 1 })
  })

  test("a body that runs after a wait, and a waiter interrupted before its grant", async () => {
    const { exit, stats } = await withManager((m) =>
      Effect.gen(function* () {
        const blocker = yield* Scope.make()
        const held = yield* Scope.provide(blocker)(m.acquire("held", mem(800)))
        const waited = yield* Effect.forkChild(
          m.use("w", mem(500), (ref) => Effect.map(ref.get, (b) => b.byteLength), {
            mode: "Blocking",
            owner: "w"
          })
        )
        const abandoned = yield* Effect.forkChild(
          m.use("x", mem(500), () => Effect.never, { mode: "Blocking", owner: "x" })
        )
        yield* Effect.yieldNow
        const waiting = (yield* m.getResourceStats("Memory")).waiting
        yield* Fiber.interrupt(abandoned)
        yield* Scope.close(blocker, Exit.void)
        const result = yield* Fiber.join(waited)
        return { waiting, result, released: held.released }
      })
    )
    expect(Exit.isSuccess(exit) && exit.value).toEqual({ waiting: 2, result: 500, released: true })
    expect(stats).toMatchObject({ currentUsage: 0, waiting: 0, allocationCount: 2, releaseCount: 2 })
  })
})

describe("a scoped acquire releases exactly once", () => {
  test("when its scope closes, after finalizers registered later, with any exit", async () => {
    for (const closing of [Exit.void, Exit.fail("x"), Exit.die("d")]) {
      const order: Array<string> = []
      const { exit, stats } = await withManager((m) =>
        Effect.gen(function* () {
          const scope = yield* Scope.make()
          yield* Scope.addFinalizer(
            scope,
            Effect.sync(() => order.push("before"))
          )
          const ref = yield* Scope.provide(scope)(m.acquire("a", mem(100), { destroy: () => order.push("release") }))
          ref.payload // made now, so the release destroys it
          yield* Scope.addFinalizer(
            scope,
            Effect.sync(() => order.push(`after ${ref.released}`))
          )
          yield* Scope.close(scope, closing)
          return ref.released
        })
      )
      expect(Exit.isSuccess(exit) && exit.value).toBe(true)
      expect(order).toEqual(["after false", "release", "before"])
      expect(stats).toMatchObject({ currentUsage: 0, releaseCount: 1 })
    }
  })
})

describe("get reads when it runs", () => {
  test("a ref's and a share's get made while live fail once released; a throwing create hook dies", async () => {
    const boom = new Error("create failed")
    const { exit } = await withManager((m) =>
      Effect.gen(function* () {
        const ref = yield* m.acquire("g", mem(64, { flags: 8 })) // Shareable
        const share = yield* m.share<Uint8Array>(ref.handle, "gpu")
        const [refGet, shareGet] = [ref.get, share.get]
        const live = [(yield* refGet).byteLength, (yield* shareGet) === (yield* refGet)]
        ref.release()
        const afterOwner = [yield* Effect.flip(refGet), (yield* shareGet).byteLength]
        share.release()
        const afterShare = yield* Effect.flip(shareGet)
        const hooked = yield* m.acquire("h", mem(8), {
          create: (): Uint8Array => {
            throw boom
          }
        })
        const died = yield* Effect.exit(hooked.get)
        return { live, afterOwner, afterShare, died }
      })
    )
    if (!Exit.isSuccess(exit)) throw new Error(String(exit))
    const { live, afterOwner, afterShare, died } = exit.value
    expect(live).toEqual([64, true])
    expect((afterOwner[0] as { _tag: string })._tag).toBe("ResourceReleased")
    expect(afterOwner[1]).toBe(64)
    expect(afterShare._tag).toBe("ResourceReleased")
    expect(Exit.isFailure(died) && Cause.hasDies(died.cause) && Cause.squash(died.cause)).toBe(boom)
  })
})
