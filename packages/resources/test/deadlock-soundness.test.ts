import { describe, expect, test } from "bun:test"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DeadlockDetected, type ResourceMetadata, type ResourcePriority } from "@flight-hal/core"
import { Deferred, Effect, Exit, Fiber, Option } from "effect"
import { createResourceManager, ResourceManager } from "../src/index.ts"
import { traceToFile } from "../src/TraceFile.ts"

// The two disagreements TLC trace validation found between the manager and spec/ResourceManager.tla
// (spec/traces/{bad,good}-priority-insert-*, {bad-unjustified-refusal,good-name-waiter-not-in-type-queue}*).

const mem = (sizeBytes: number, priority: ResourcePriority = "Normal"): ResourceMetadata => ({
  type: "Memory",
  sizeBytes,
  priority
})
/** Declares owners sequential drivers (exact deadlock detection); every other owner is concurrent. */
const sequential = (...owners: ReadonlyArray<string>) => ({
  drivers: Object.fromEntries(owners.map((owner) => [owner, { sequential: true }]))
})
const budget = (maxBytes: number) => ({
  onLeaks: () => {},
  ...sequential("a", "b", "c", "d", "e", "f", "x", "z", "d1", "d2", "d3"),
  budgets: { Memory: { maxBytes, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 } }
})

describe("deadlock-check soundness against the model", () => {
  test("an idle driver queued ahead of a lower-priority waiter that holds its bytes is refused", async () => {
    const manager = createResourceManager(budget(3))
    manager.acquire("", mem(2), { owner: "e" })
    const f = manager.acquire("", mem(1), { owner: "f" })
    const waitE = manager.acquireAsync("", mem(1, "Low"), { owner: "e", mode: "Blocking" })
    // d holds nothing, but it would queue ahead of e's Low waiter and need e's 2 bytes: a deadlock
    const error = await manager.acquireAsync("", mem(2), { owner: "d", mode: "Blocking" }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DeadlockDetected)
    expect((error as DeadlockDetected).drivers).toEqual(["d", "e"])
    expect((error as DeadlockDetected).resources).toEqual(["bytes:Memory"])
    f.release()
    const granted = await waitE
    expect(granted.metadata.sizeBytes).toBe(1)
    expect(manager.getResourceStats("Memory").waiting).toBe(0)
    manager.close()
  })

  test("an idle driver queued ahead of a name waiter's bytes that needs that waiter's bytes is refused", async () => {
    // found by trace validation (seed 7): d2 holds 5 and waits for "X" then 3 bytes (High); d1 holds "X"
    const manager = createResourceManager(budget(10))
    manager.acquire("", mem(5), { owner: "d2" })
    const x = manager.acquire("X", mem(2), { owner: "d1" })
    const waitD2 = manager.acquireAsync("X", mem(3, "High"), { owner: "d2", mode: "Blocking" })
    // idle d3 asks for 6 at High: d2's bytes would queue behind it, and it needs d2's 5 bytes
    const error = await manager
      .acquireAsync("", mem(6, "High"), { owner: "d3", mode: "Blocking" })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DeadlockDetected)
    expect((error as DeadlockDetected).drivers).toEqual(["d2", "d3"])
    x.release()
    expect((await waitD2).metadata.sizeBytes).toBe(3)
    manager.close()
  })

  test("an idle driver that only queues behind every waiter still skips nothing it needs", async () => {
    const manager = createResourceManager(budget(3))
    manager.acquire("", mem(2), { owner: "e" })
    const f = manager.acquire("", mem(1), { owner: "f" })
    const waitE = manager.acquireAsync("", mem(1, "Normal"), { owner: "e", mode: "Blocking" })
    // d queues behind e (same priority): when f releases, e is granted; d needs 2 and waits for e's release
    const waitD = manager.acquireAsync("", mem(2, "Low"), { owner: "d", mode: "Blocking" })
    expect(manager.getResourceStats("Memory").waiting).toBe(2)
    f.release()
    const e = await waitE
    expect(manager.getResourceStats("Memory").waiting).toBe(1)
    manager.close()
    await waitD.catch(() => {})
    expect(e.metadata.sizeBytes).toBe(1)
  })

  test("a name waiter is not in the type queue: a lower-priority wait behind it is allowed", async () => {
    const manager = createResourceManager(budget(6))
    const tex = manager.acquire("tex", mem(2), { owner: "a" })
    const c = manager.acquire("", mem(3), { owner: "c" })
    const waitB = manager.acquireAsync("tex", mem(2), { owner: "b", mode: "Blocking" })
    // the model lets a wait: once c releases, a is granted, then a releases "tex" for b
    const waitA = manager.acquireAsync("", mem(3, "Low"), { owner: "a", mode: "Blocking" })
    c.release()
    const a = await waitA
    expect(a.metadata.sizeBytes).toBe(3)
    tex.release()
    const b = await waitB
    expect(b.metadata.sizeBytes).toBe(2)
    expect(manager.getResourceStats("Memory").currentUsage).toBe(5)
    manager.close()
  })

  test("a name reserved by a type-queue waiter counts as held by its driver", async () => {
    const manager = createResourceManager(budget(4))
    const big = manager.acquire("", mem(4), { owner: "b" })
    // a's "n" waits in the type queue for b's bytes and reserves "n"
    const waitA = manager.acquireAsync("n", mem(2), { owner: "a", mode: "Blocking" })
    // b asking for "n" would wait for a, which waits for b's bytes
    const error = await manager.acquireAsync("n", mem(0), { owner: "b", mode: "Blocking" }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DeadlockDetected)
    expect((error as DeadlockDetected).drivers).toEqual(["a", "b"])
    big.release()
    expect((await waitA).metadata.sizeBytes).toBe(2)
    manager.close()
  })

  test("a name waiter whose name frees but whose move would deadlock fails with DeadlockDetected", async () => {
    // spec/traces/bad-name-move-deadlock-L8.ndjson: b's move into the type queue went ahead of x's Low
    // waiter, b needed x's bytes and x was behind b. The move is a new wait: the reduction refuses it.
    const path = join(mkdtempSync(join(tmpdir(), "rm-name-move-")), "trace.ndjson")
    const trace = traceToFile(path, { drivers: ["b", "x", "z"], types: ["Memory"] })
    const manager = createResourceManager({ ...budget(7), trace: trace.config })
    manager.acquire("", mem(3), { owner: "x" })
    const n = manager.acquire("N", mem(3), { owner: "z" })
    const z1 = manager.acquire("", mem(1), { owner: "z" })
    const waitX = manager.acquireAsync("", mem(4, "Low"), { owner: "x", mode: "Blocking" })
    const waitB = manager.acquireAsync("N", mem(5), { owner: "b", mode: "Blocking" }).catch((e: unknown) => e)
    n.release()
    const error = await waitB
    expect(error).toBeInstanceOf(DeadlockDetected)
    expect((error as DeadlockDetected).drivers).toEqual(["b", "x"])
    expect((error as DeadlockDetected).resources).toEqual(["bytes:Memory"])
    // b left holding nothing: x still waits and is granted once z releases its unit
    expect(manager.getResourceStats("Memory").waiting).toBe(1)
    z1.release()
    expect((await waitX).metadata.sizeBytes).toBe(4)
    manager.close()
    trace.close()
    const lines = readFileSync(path, "utf8").trim().split("\n")
    expect(JSON.parse(lines[7] ?? "{}")).toMatchObject({
      action: "RefuseDeadlock",
      req: 5,
      driver: "b",
      error: "DeadlockDetected",
      queue: [],
      freed: []
    })
  })

  test("the Effect service fails the refused name waiter's Effect with DeadlockDetected", async () => {
    const program = Effect.gen(function* () {
      const manager = yield* ResourceManager
      const opts = (owner: string) => ({ owner, mode: "Blocking" as const })
      const holdUntil = (done: Deferred.Deferred<void>, name: string, meta: ResourceMetadata, owner: string) =>
        Effect.forkChild(Effect.scoped(Effect.andThen(manager.acquire(name, meta, { owner }), Deferred.await(done))))
      // the drivers waiting for something (type and name queues)
      const waiters = Effect.map(manager.waitGraph, (graph) =>
        graph.drivers.filter((node) => node.waitsFor.length > 0).map((node) => node.driver)
      )
      // lets the forked fibers run until `count` drivers wait (bounded: a missing waiter fails the test)
      const settled = (count: number) =>
        Effect.gen(function* () {
          for (let i = 0; i < 100 && (yield* waiters).length !== count; i++) yield* Effect.yieldNow
        })
      const releaseN = yield* Deferred.make<void>()
      const releaseRest = yield* Deferred.make<void>()
      yield* holdUntil(releaseRest, "", mem(3), "x")
      yield* holdUntil(releaseN, "N", mem(3), "z")
      yield* holdUntil(releaseRest, "", mem(1), "z")
      yield* Effect.yieldNow
      const waitX = yield* Effect.forkChild(Effect.scoped(manager.acquire("", mem(4, "Low"), opts("x"))))
      yield* Effect.yieldNow
      const waitB = yield* Effect.forkChild(Effect.scoped(manager.acquire("N", mem(5), opts("b"))))
      yield* Effect.yieldNow
      yield* settled(2)
      expect(yield* waiters).toEqual(["b", "x"])
      yield* Deferred.succeed(releaseN, undefined)
      const exitB = yield* Fiber.await(waitB)
      const waiting = yield* waiters
      yield* Deferred.succeed(releaseRest, undefined)
      yield* Fiber.join(waitX)
      return { exitB, waiting }
    })
    const { exitB, waiting } = await Effect.runPromise(
      Effect.scoped(program).pipe(Effect.provide(ResourceManager.layer(budget(7))))
    )
    expect(waiting).toEqual(["x"])
    const error = Option.getOrUndefined(Exit.findErrorOption(exitB))
    expect(error).toBeInstanceOf(DeadlockDetected)
    expect((error as DeadlockDetected).drivers).toEqual(["b", "x"])
  })
})
