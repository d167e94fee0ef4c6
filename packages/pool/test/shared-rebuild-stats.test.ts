/**
 * `SharedBlockPool.rebuild` brings the blocks nobody holds back to the free list; `stats()` must agree with it
 * afterwards: `usedBlocks` is the number of held blocks, never more than `totalBlocks` (before the fix the
 * per-thread counters kept counting the recovered blocks as used: a pool that lost 5 blocks to a terminated
 * thread, rebuilt, and then handed every free block out read "21 of 16 used", `freeBlocks` -5).
 */
import { describe, expect, test } from "bun:test"
import { SharedBlockPool, type SharedBlockPoolOptions } from "../src/index.ts"

const make = (options: Partial<SharedBlockPoolOptions> = {}): SharedBlockPool => {
  const r = SharedBlockPool.make({ name: "frames", blockSize: 64, blockCount: 16, maxThreads: 2, ...options })
  if (!r.ok) throw r.error
  return r.value
}

const counts = (pool: SharedBlockPool) => {
  const s = pool.stats()
  return { used: s.usedBlocks, free: s.freeBlocks, efficiency: s.efficiency }
}

/** Allocates until the pool has no block left for this thread; returns the handles. */
const drain = (pool: SharedBlockPool): Array<number> => {
  const out: Array<number> = []
  for (let h = pool.alloc(); h >= 0; h = pool.alloc()) out.push(h)
  return out
}

describe("SharedBlockPool.rebuild: stats agree with the rebuilt list", () => {
  test("the documented example: one block kept, one taken by a thread that is gone", () => {
    const pool = make({ blockCount: 4 })
    const kept = pool.alloc()
    pool.alloc() // taken by a thread that is gone
    expect(pool.rebuild((h) => h === kept)).toBe(1)
    expect(counts(pool)).toEqual({ used: 1, free: 3, efficiency: 0.25 })
    expect(drain(pool).length).toBe(3)
    expect(counts(pool)).toEqual({ used: 4, free: 0, efficiency: 1 })
  })

  test("a thread gone holding blocks and caching others (its slot released): usedBlocks is what is still held", () => {
    const pool = make({ batchSize: 4 })
    // the other thread's handle, never detached: it holds 5 blocks and caches the rest of its last batch
    const attached = SharedBlockPool.attach(pool.buffer)
    if (!attached.ok) throw attached.error
    const gone = attached.value
    for (let i = 0; i < 5; i++) expect(gone.alloc()).toBeGreaterThanOrEqual(0)
    const mine = new Set([pool.alloc(), pool.alloc()])
    expect(SharedBlockPool.releaseSlot(pool.buffer, gone.slot)).toBe(true)
    pool.rebuild((h) => mine.has(h))
    expect(pool.verifySharedFreeList()).toBe(14)
    expect(counts(pool)).toEqual({ used: 2, free: 14, efficiency: 2 / 16 })
    expect(drain(pool).length).toBe(14)
    expect(counts(pool)).toEqual({ used: 16, free: 0, efficiency: 1 })
    expect(String(pool)).toContain("16 of 16 used")
  })

  test("a held block no allocation counted (a thread stopped between taking it and counting it) counts as used", () => {
    const pool = make()
    const h = pool.alloc()
    pool.free(h)
    pool.flush()
    // isHeld names a block the counters call free: the rebuild keeps it allocated, and stats count it
    expect(pool.rebuild((x) => x === h)).toBe(0)
    expect(pool.isAllocated(h)).toBe(true)
    expect(counts(pool).used).toBe(1)
    expect(pool.free(h)).toBe(true)
    expect(counts(pool).used).toBe(0)
    const s = pool.stats()
    // the counters stay counts: neither goes down
    expect([s.allocations, s.frees]).toEqual([2, 2])
  })

  test("a rebuild that changes nothing changes no counter", () => {
    const pool = make()
    const held = [pool.alloc(), pool.alloc()]
    const before = pool.stats()
    pool.rebuild((x) => held.includes(x))
    const after = pool.stats()
    expect([after.allocations, after.frees, after.usedBlocks]).toEqual([before.allocations, before.frees, 2])
  })
})
