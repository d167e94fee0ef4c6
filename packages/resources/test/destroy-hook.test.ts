/**
 * The `destroy` hook as every manager calls it (`runDestroy`, internal/payload.ts): a forgotten ref with the hook is
 * collected and reported like any other (`detectGarbageCollectedLeaks`), a returned promise that rejects is taken
 * (never an unhandled rejection) and not awaited, and a returned Effect is run by the Effect front end only
 * (docs/semantics.md, sections 13 and 14).
 */
import { describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { createResourceManager, createSharedResourceManager, type LeakReport, ResourceManager } from "../src/index.ts"
import { hw, mem } from "./support/harness.ts"

/** Forces collections until `done()` (bounded: a ref nothing holds is collected by the first full one). */
const collectUntil = async (done: () => boolean): Promise<void> => {
  for (let i = 0; i < 20 && !done(); i++) {
    Bun.gc(true)
    await new Promise((resolve) => setImmediate(resolve))
  }
}

/** Runs `body`, then lets the event loop turn three times (where Bun reports one); the unhandled rejections seen meanwhile. */
const unhandledDuring = async (body: () => Promise<void> | void): Promise<Array<unknown>> => {
  const unhandled: Array<unknown> = []
  const onUnhandled = (reason: unknown) => void unhandled.push(reason)
  process.on("unhandledRejection", onUnhandled)
  try {
    await body()
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve))
  } finally {
    process.off("unhandledRejection", onUnhandled)
  }
  return unhandled
}

describe("detectGarbageCollectedLeaks and the destroy hook", () => {
  test("a forgotten ref with a destroy hook is collected, reported, released, and its hook gets the payload once", async () => {
    const leaks: Array<LeakReport> = []
    const destroyed: Array<unknown> = []
    const manager = createResourceManager({ onLeaks: (l) => leaks.push(...l), detectGarbageCollectedLeaks: true })
    const weak: Array<WeakRef<object>> = []
    const forget = () => {
      // destroy only, the payload made (the default: undefined for Hardware, so a create gives it a value)
      const a = manager.acquire("made", hw(1), { create: () => ({ conn: "a" }), destroy: (p) => destroyed.push(p) })
      void a.payload
      // destroy only, the payload never made: the hook does not run
      const b = manager.acquire("unmade", hw(1), { destroy: (p) => destroyed.push(p) })
      // a Memory payload (the default Uint8Array) made, destroy only
      const c = manager.acquire("bytes", mem(4), { destroy: (p) => destroyed.push(p) })
      void c.payload
      weak.push(new WeakRef(a), new WeakRef(b), new WeakRef(c))
    }
    forget()
    await collectUntil(() => leaks.length === 3)
    expect(weak.map((w) => w.deref())).toEqual([undefined, undefined, undefined])
    expect(leaks.map((l) => l.name).sort()).toEqual(["bytes", "made", "unmade"])
    expect(manager.getResourceStats("Hardware").currentUsage).toBe(0)
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
    expect(destroyed).toHaveLength(2)
    expect(destroyed).toContainEqual({ conn: "a" })
    expect(destroyed.some((p) => p instanceof Uint8Array && p.byteLength === 4)).toBe(true)
    expect(manager.close()).toEqual([])
    expect(destroyed).toHaveLength(2)
  })

  test("a forgotten Shareable ref with a destroy hook is collected too", async () => {
    const leaks: Array<LeakReport> = []
    const destroyed: Array<unknown> = []
    const manager = createResourceManager({ onLeaks: (l) => leaks.push(...l), detectGarbageCollectedLeaks: true })
    const forget = () => {
      const ref = manager.acquire("shared", mem(8, { flags: 8 }), { destroy: (p) => destroyed.push(p) })
      void ref.payload
    }
    forget()
    await collectUntil(() => leaks.length === 1)
    expect(leaks.map((l) => l.name)).toEqual(["shared"])
    expect(destroyed).toHaveLength(1)
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
  })
})

describe("a destroy hook that returns a promise", () => {
  const rejecting = () => Promise.reject(new Error("ECONNRESET while closing"))

  test("its rejection is taken (never an unhandled rejection): release, using, await using, close", async () => {
    let calls = 0
    const destroy = () => {
      calls++
      return rejecting()
    }
    const unhandled = await unhandledDuring(async () => {
      const manager = createResourceManager({ onLeaks: () => {} })
      const options = { create: () => "conn", destroy }
      const a = manager.acquire("a", hw(1), options)
      void a.payload
      a.release()
      {
        using b = manager.acquire("b", hw(1), options)
        void b.payload
      }
      {
        await using c = await manager.acquireAsync("c", hw(1), options)
        void c.payload
      }
      const d = manager.acquire("d", hw(1), options)
      void d.payload
      expect(manager.close().map((l) => l.name)).toEqual(["d"])
    })
    expect(calls).toBe(4)
    expect(unhandled).toEqual([])
  })

  test("a thenable whose then throws is taken too", async () => {
    let calls = 0
    const unhandled = await unhandledDuring(() => {
      const manager = createResourceManager({ onLeaks: () => {} })
      const bad = manager.acquire("bad", hw(1), {
        create: () => 1,
        destroy: () => {
          calls++
          return {
            // biome-ignore lint/suspicious/noThenProperty: a thenable is what this test hands back
            then() {
              throw new Error("then")
            }
          }
        }
      })
      void bad.payload
      bad.release()
    })
    expect(calls).toBe(1)
    expect(unhandled).toEqual([])
  })

  test("the value of a create hook that ended its own hold goes to destroy, its rejection taken", () => {
    // a thenable that records the rejection handler it is given (what a promise's rejection would reach)
    const handlers: Array<unknown> = []
    // biome-ignore lint/suspicious/noThenProperty: a thenable is what this test hands back
    const recording = { then: (_: unknown, onRejected: unknown) => void handlers.push(onRejected) }
    const manager = createResourceManager({ onLeaks: () => {} })
    // the value made for a hold the hook itself ended goes to destroy at once (Core.keepsMade)
    const self = manager.acquire("self", hw(1), {
      create: () => {
        self.release()
        return "late"
      },
      destroy: () => recording
    })
    expect(() => self.payload).toThrow()
    expect(handlers.map((h) => typeof h)).toEqual(["function"])
  })

  test("it is not awaited: the release and asyncDispose return before it settles", async () => {
    const order: Array<string> = []
    let finish = () => {}
    const manager = createResourceManager({})
    const ref = await manager.acquireAsync("conn", hw(1), {
      create: () => "conn",
      destroy: () =>
        new Promise<void>((resolve) => {
          finish = () => {
            order.push("destroy settled")
            resolve()
          }
        })
    })
    void ref.payload
    await ref[Symbol.asyncDispose]()
    order.push("disposed")
    finish()
    expect(order).toEqual(["disposed", "destroy settled"])
    expect(manager.getResourceStats("Hardware").currentUsage).toBe(0)
  })

  test("a create hook that returns a promise: the promise is the payload, and destroy gets it", () => {
    const destroyed: Array<unknown> = []
    const manager = createResourceManager({})
    const made = Promise.resolve("conn")
    const ref = manager.acquire("conn", hw(1), { create: () => made, destroy: (p) => destroyed.push(p) })
    expect(ref.payload).toBe(made)
    ref.release()
    expect(destroyed).toEqual([made])
  })
})

describe("the shared manager's destroy hook", () => {
  test("a rejected promise it returns is taken: the ref's release, release(handle), close", async () => {
    let calls = 0
    const destroy = () => {
      calls++
      return Promise.reject(new Error("ECONNRESET"))
    }
    const unhandled = await unhandledDuring(() => {
      const manager = createSharedResourceManager({})
      const options = { create: () => "conn", destroy }
      const a = manager.acquire("a", hw(1), options)
      void a.payload
      a.release()
      const b = manager.acquire("b", hw(1), options)
      void b.payload
      manager.release(b.handle)
      const c = manager.acquire("c", hw(1), options)
      void c.payload
      manager.close()
    })
    expect(calls).toBe(3)
    expect(unhandled).toEqual([])
  })
})

describe("a destroy hook that returns an Effect", () => {
  test("the plain facade does not run it (no Effect runtime), and the release goes on", () => {
    let ran = 0
    const manager = createResourceManager({})
    const ref = manager.acquire("conn", hw(1), {
      create: () => "conn",
      destroy: () => Effect.sync(() => void ran++)
    })
    void ref.payload
    ref.release()
    expect(ran).toBe(0)
    expect(manager.getResourceStats("Hardware").currentUsage).toBe(0)
  })
})

describe("the Effect front end's destroy hook", () => {
  test("a rejected promise it returns is taken when the scope closes", async () => {
    const unhandled = await unhandledDuring(() =>
      Effect.runPromise(
        Effect.gen(function* () {
          const manager = yield* ResourceManager
          const ref = yield* manager.acquire("conn", hw(1), {
            create: () => "conn",
            destroy: () => Promise.reject(new Error("ECONNRESET"))
          })
          yield* ref.get
        }).pipe(Effect.scoped, Effect.provide(ResourceManager.layer()))
      )
    )
    expect(unhandled).toEqual([])
  })

  test("an Effect it returns is run within the release; a failing one is dropped and the scope closes normally", async () => {
    const closed: Array<string> = []
    const result = await Effect.runPromise(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        yield* Effect.scoped(
          Effect.gen(function* () {
            const ref = yield* manager.acquire("conn", hw(1), {
              create: () => "conn",
              destroy: (connection) => Effect.sync(() => void closed.push(connection))
            })
            yield* ref.get
          })
        )
        const afterFirst = [...closed]
        yield* Effect.scoped(
          Effect.gen(function* () {
            const ref = yield* manager.acquire("bad", hw(1), {
              create: () => "bad",
              destroy: () => Effect.fail("ECONNRESET")
            })
            yield* ref.get
          })
        )
        return { afterFirst, usage: (yield* manager.getResourceStats("Hardware")).currentUsage }
      }).pipe(Effect.provide(ResourceManager.layer()))
    )
    expect(result).toEqual({ afterFirst: ["conn"], usage: 0 })
  })
})
