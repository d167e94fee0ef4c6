/**
 * A shared manager's `destroy` hook on a pool-served resource with the default payload (a view of its pool block)
 * runs before the block goes back to the pool, whichever way the hold ends in the ref's thread: the ref's
 * `release()`, `release(handle)`, or the thread's `close()` (a detach, or the creator's close of its own refs).
 * It runs once, outside the ledger's lock (the hook may call back in), a throw swallowed, and the ref reports
 * `released` and its `release()` does nothing more (docs/semantics.md section 17).
 *
 * With a pool of one block the reuse is certain: before the fix `release(handle)` and `close()` returned the block
 * at once and the hook ran later, from the ref's `release()`, on a block another resource had by then.
 *
 * The last group drives a lost-thread repair (the creator's reaping, called directly) while a hook keeps a freed
 * block out of its pool: the repair counts that block free, so the hook's thread must not free it again.
 */
import { afterEach, describe, expect, test } from "bun:test"
import { ManagerClosed, type ResourceHandle, type ResourceMetadata } from "@flight-hal/core"
import { SharedBlockPool } from "@flight-hal/pool"
import type { SharedResource, SharedResourceManager } from "../src/index.ts"
import { OpenedManagers } from "./support/shared-agents.ts"
import { thrown } from "./support/thrown.ts"

const budgets = { Memory: { maxBytes: 1 << 20, reservedBytes: 0, warningPercent: 75, criticalPercent: 90 } }
const small = { type: "Memory", sizeBytes: 32 } as const satisfies ResourceMetadata
const pooled = (payload: Uint8Array): boolean => payload.buffer instanceof SharedArrayBuffer

const opened = new OpenedManagers()
afterEach(() => opened.closeAll())
/** A manager with one pool of `blocks` blocks of 64 bytes. */
const make = (blocks = 1): SharedResourceManager =>
  opened.make({ budgets, pools: [{ type: "Memory", blockSize: 64, blockCount: blocks }] })

/** A pool-served ref whose `destroy` hook records each call and then runs `also`; its payload read (made). */
const hooked = (
  manager: SharedResourceManager,
  also: (payload: Uint8Array) => void = () => {}
): { readonly ref: SharedResource; readonly calls: Array<Uint8Array> } => {
  const calls: Array<Uint8Array> = []
  const ref = manager.acquire(small, {
    destroy: (payload: Uint8Array) => {
      calls.push(payload)
      also(payload)
    }
  })
  expect(pooled(ref.payload)).toBe(true)
  ref.payload.fill(0xaa)
  return { ref, calls }
}

/** The hold ended with its hook run once: the ref reports released, and its release() runs the hook no more. */
const endedOnce = (ref: SharedResource, calls: ReadonlyArray<Uint8Array>): void => {
  expect([calls.length, ref.released]).toEqual([1, true])
  ref.release()
  expect(calls.length).toBe(1)
}

/** Every block of the pool is free: `count` acquisitions are all pool-served, each on a block of its own. */
const allBlocksBack = (manager: SharedResourceManager, count: number): void => {
  const refs = Array.from({ length: count }, () => manager.acquire(small))
  expect(refs.map((r) => pooled(r.payload))).toEqual(refs.map(() => true))
  expect(new Set(refs.map((r) => r.payload.byteOffset)).size).toBe(count)
  for (const r of refs) r.release()
}

describe("shared manager: a destroy hook runs before its block goes back to the pool", () => {
  test("release(handle): the hook runs at once, on its own block; the ref is released and runs it no more", () => {
    const manager = make()
    let inside: SharedResource | undefined
    const { ref, calls } = hooked(manager, (payload) => {
      // the block is still this resource's: an acquisition here is served from the budget, not from its block
      inside = manager.acquire(small)
      inside.payload.fill(0x77)
      payload.fill(0) // the hook scrubs its own payload
    })
    manager.release(ref.handle)
    endedOnce(ref, calls)
    if (inside === undefined) throw new Error("the hook did not run")
    expect(pooled(inside.payload)).toBe(false)
    expect(inside.payload[0]).toBe(0x77)
    inside.release()
    allBlocksBack(manager, 1)
  })

  test("release(handle) of a shared resource: the hook runs once, the resource lives on with its other holder", () => {
    const manager = make()
    const other = opened.attachHere(manager)
    const { ref, calls } = hooked(manager)
    const share = other.share(ref.handle)
    manager.release(ref.handle)
    endedOnce(ref, calls)
    expect(share.payload[0]).toBe(0xaa) // the block is still the resource's
    share.release()
    allBlocksBack(manager, 1)
  })

  test("a worker's close (a detach): its hooks run at the close, before its blocks go back", () => {
    const manager = make()
    const worker = opened.attachHere(manager)
    const { ref, calls } = hooked(worker, (payload) => payload.fill(0))
    worker.close()
    expect(calls.length).toBe(1)
    expect(ref.released).toBe(true)
    // the block is back: the creator has it now, and the worker's ref does not touch it again
    const next = manager.acquire(small)
    expect(pooled(next.payload)).toBe(true)
    next.payload.fill(0x77)
    ref.release()
    expect(calls.length).toBe(1)
    expect(next.payload[0]).toBe(0x77)
  })

  test("the creator's close: its own hooks run at the close, the latest-made payload first, once each", () => {
    const manager = make(2)
    const order: Array<string> = []
    const a = manager.acquire(small, { destroy: () => void order.push("a") })
    const b = manager.acquire(small, { destroy: () => void order.push("b") })
    expect([a.payload.length, b.payload.length]).toEqual([32, 32])
    const leaks = manager.close()
    expect(leaks.length).toBe(2) // still held when the close began: leaks as before
    expect(order).toEqual(["b", "a"])
    expect([a.released, b.released]).toEqual([true, true])
    a.release()
    b.release()
    expect(order).toEqual(["b", "a"])
  })

  test("another thread's refs at the creator's close: the hook runs in their thread, at release() or close()", () => {
    const manager = make(2)
    const worker = opened.attachHere(manager)
    const a = hooked(worker)
    const b = hooked(worker)
    manager.close()
    // the holds ended in the creator's thread, with the blocks back in the closed manager's pool (no resource will
    // have them again); the worker's hooks have not run
    expect([a.calls.length, b.calls.length]).toEqual([0, 0])
    expect([a.ref.released, b.ref.released]).toEqual([true, true])
    a.ref.release() // the ref's release runs its hook
    expect([a.calls.length, b.calls.length]).toEqual([1, 0])
    expect(worker.close()).toEqual([]) // the thread's close runs the rest
    expect([a.calls.length, b.calls.length]).toEqual([1, 1])
    a.ref.release()
    b.ref.release()
    expect([a.calls.length, b.calls.length]).toEqual([1, 1])
  })

  test("refs without a made payload, or without a hook, are released by the close as before", () => {
    const manager = make(2)
    let calls = 0
    const unread = manager.acquire(small, { destroy: () => void calls++ })
    const plain = manager.acquire(small)
    expect(plain.payload.length).toBe(32)
    manager.close()
    expect([unread.released, plain.released]).toEqual([true, true])
    unread.release()
    expect(calls).toBe(0) // no payload was made: nothing to destroy
  })

  test("a hook that throws: the release, the release(handle) and the close neither throw nor half happen", () => {
    const manager = make(3)
    const worker = opened.attachHere(manager)
    const boom = (): void => {
      throw new Error("boom")
    }
    const a = hooked(manager, boom)
    const b = hooked(manager, boom)
    const c = hooked(worker, boom)
    a.ref.release()
    manager.release(b.ref.handle)
    expect(worker.close()).toHaveLength(1)
    expect([a.calls.length, b.calls.length, c.calls.length]).toEqual([1, 1, 1])
    allBlocksBack(manager, 3)
  })
})

describe("shared manager: a destroy hook that calls back in", () => {
  test("release(handle)'s hook acquires, shares, releases and closes: each hook once, every block back", () => {
    const manager = make(4)
    const worker = opened.attachHere(manager)
    const seen: Array<string> = []
    const second = hooked(worker, () => seen.push("second"))
    const shared = manager.acquire(small)
    let handle: ResourceHandle | undefined
    let firstBlock = -1
    const inside: Array<unknown> = [] // recorded here, checked after: a hook's throw is swallowed
    const first = hooked(worker, () => {
      seen.push("first")
      const fresh = worker.acquire(small) // the pool has a block left: the kept one is not among them
      inside.push(pooled(fresh.payload), fresh.payload.byteOffset !== firstBlock)
      const share = worker.share(shared.handle)
      share.release()
      inside.push(thrown(() => worker.release(handle as ResourceHandle)) !== undefined) // its hold is gone
      worker.release(second.ref.handle) // another hooked hold: its hook runs now, inside this one
      worker.close() // the fresh resource is released by the close; this hook is not run again
    })
    handle = first.ref.handle
    firstBlock = first.ref.payload.byteOffset
    worker.release(first.ref.handle)
    expect(inside).toEqual([true, true, true])
    expect(seen).toEqual(["first", "second"])
    expect([first.ref.released, second.ref.released]).toEqual([true, true])
    first.ref.release()
    second.ref.release()
    expect(seen).toEqual(["first", "second"])
    shared.release()
    allBlocksBack(manager, 4)
  })

  test("close's hooks: acquire, share and release(handle) fail with ManagerClosed, close does nothing more", () => {
    const manager = make(2)
    const worker = opened.attachHere(manager)
    const other = manager.acquire(small)
    const failures: Array<unknown> = []
    let inner: ReadonlyArray<unknown> | undefined
    const { ref, calls } = hooked(worker, () => {
      failures.push(thrown(() => worker.acquire(small)))
      failures.push(thrown(() => worker.share(other.handle)))
      failures.push(thrown(() => worker.release(ref.handle)))
      inner = worker.close()
      ref.release() // the hold being closed: nothing more
    })
    const leaks = worker.close()
    expect(leaks.length).toBe(1)
    expect(inner).toEqual([])
    expect(failures.map((e) => e instanceof ManagerClosed)).toEqual([true, true, true])
    expect(calls.length).toBe(1)
    other.release()
    allBlocksBack(manager, 2)
  })

  test("a worker's close whose hook closes the manager (the creator's close): each hook once", () => {
    const manager = make(2)
    const worker = opened.attachHere(manager)
    const mine = hooked(manager)
    const theirs = hooked(worker, () => manager.close())
    expect(worker.close()).toEqual([]) // the creator's close released (and reported) the worker's hold
    expect([theirs.calls.length, mine.calls.length]).toEqual([1, 1])
    expect([theirs.ref.released, mine.ref.released]).toEqual([true, true])
  })

  test("a hook that releases another hooked ref of its thread during the close: each hook once", () => {
    const manager = make(2)
    const worker = opened.attachHere(manager)
    const b = hooked(worker)
    const a = hooked(worker, () => b.ref.release())
    worker.close()
    expect([a.calls.length, b.calls.length]).toEqual([1, 1])
    allBlocksBack(manager, 2)
  })
})

/** Frees refused by the manager's first pool, summed over its threads. */
const invalidFrees = (manager: SharedResourceManager): number => {
  const buffer = manager.descriptor.pools[0]
  if (buffer === undefined) throw new Error("no pool")
  const attached = SharedBlockPool.attach(buffer)
  if (!attached.ok) throw attached.error
  const stats = attached.value.stats()
  attached.value.detach()
  return stats.invalidFrees
}

/**
 * The one block is free, and no free was refused on the way (a kept block given back after a repair had listed
 * it is refused by the pool, and counted).
 */
const poolWhole = (manager: SharedResourceManager): void => {
  allBlocksBack(manager, 1)
  expect(invalidFrees(manager)).toBe(0)
}

/** The creator's reaping of a thread (what its heartbeat does once the thread's heartbeat stopped). */
const reap = (creator: SharedResourceManager, thread: number): void =>
  (creator as unknown as { reap(thread: number): void }).reap(thread)

describe("shared manager: a lost-thread repair while a destroy hook keeps a freed block", () => {
  test("the repair counts the kept block free: the hook's thread does not free it again", () => {
    const manager = make()
    const lost = opened.attachHere(manager)
    let inside: SharedResource | undefined
    const { ref } = hooked(manager, () => {
      reap(manager, lost.thread) // the repair rebuilds the pool's free list from the live slots
      inside = manager.acquire(small)
    })
    ref.release()
    if (inside === undefined) throw new Error("the hook did not run")
    // one block in the pool: whichever resource has it, no other live one may
    const after = manager.acquire(small)
    const live = [inside, after].filter((r) => pooled(r.payload))
    expect(live.length).toBe(1)
    inside.release()
    after.release()
    poolWhole(manager)
  })

  test("no acquisition between the repair and the hook's end: the block is not freed twice (no refused free)", () => {
    const manager = make()
    const lost = opened.attachHere(manager)
    const { ref } = hooked(manager, () => reap(manager, lost.thread))
    ref.release()
    poolWhole(manager)
  })

  test("a hook that detaches its thread: the index is given up once the kept block is back", () => {
    const manager = make()
    const worker = opened.attachHere(manager)
    let listedInHook: boolean | undefined
    const { ref } = hooked(worker, () => {
      worker.close()
      listedInHook = manager.threads().includes(worker.thread)
    })
    ref.release()
    expect(listedInHook).toBe(true)
    expect(manager.threads().includes(worker.thread)).toBe(false)
    poolWhole(manager)
  })
})
