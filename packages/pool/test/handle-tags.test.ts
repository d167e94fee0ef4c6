// Pool tags (docs/pools.md, "Handles"): every pool made in a thread, BlockPool and SharedBlockPool alike, takes the
// next of 256 tags, so two of them share a tag only when made a multiple of 256 apart; each thread's sequence
// starts at a random tag. Tags are read off handles (handle − index), relative to each other: nothing here depends
// on where this process's sequence stands.
import { describe, expect, test } from "bun:test"
import { BlockPool, SharedBlockPool } from "../src/index.ts"
import * as handles from "../src/internal/handle.ts"

type AnyPool = BlockPool | SharedBlockPool

const must = <A>(r: { readonly ok: true; readonly value: A } | { readonly ok: false; readonly error: unknown }): A => {
  if (!r.ok) throw r.error
  return r.value
}

const blockPool = (): BlockPool => must(BlockPool.make({ blockSize: 16, initialCount: 2, maxCount: 2 }))
const sharedPool = (): SharedBlockPool =>
  must(SharedBlockPool.make({ blockSize: 16, blockCount: 2, maxThreads: 1, batchSize: 1 }))

/** The tag number (0–255) of a pool, read off a handle it hands out (which stays allocated). */
const tagOf = (pool: AnyPool, handle: number): number => (handle - pool.indexOf(handle)) / 2 ** handles.INDEX_BITS

/**
 * Makes a pool with `Math.random` answering `avoid`'s tag while it runs: a pool that drew a random tag (as shared
 * pools did) gets a tag off the sequence, every time.
 */
const makeWithRandomAt = (make: () => AnyPool, avoid: number): AnyPool => {
  const saved = Math.random
  Math.random = () => (avoid + 0.5) / handles.TAG_COUNT
  try {
    return make()
  } finally {
    Math.random = saved
  }
}

describe("pool tags", () => {
  test("pools made in one thread take consecutive tags, BlockPools and SharedBlockPools alike", () => {
    const pools: Array<{ readonly pool: AnyPool; readonly handle: number }> = []
    let expected = -1
    for (let k = 0; k < 300; k++) {
      // the tag a random draw would give is the one half the circle away from the next in the sequence
      const avoid = expected < 0 ? 0 : (expected + 128) % handles.TAG_COUNT
      const pool = makeWithRandomAt(k % 3 === 1 ? sharedPool : blockPool, avoid)
      const handle = pool.alloc()
      const tag = tagOf(pool, handle)
      if (expected >= 0) expect(tag).toBe(expected)
      expected = (tag + 1) % handles.TAG_COUNT
      pools.push({ pool, handle })
    }
    // fewer than 256 apart: each pool refuses the others' live handles as foreign (and nothing is freed)
    for (let a = 0; a < pools.length; a++) {
      const mine = pools[a] as { readonly pool: AnyPool; readonly handle: number }
      for (let b = Math.max(0, a - 255); b < Math.min(pools.length, a + 256); b++) {
        if (b === a) continue
        const theirs = (pools[b] as { readonly handle: number }).handle
        if (mine.pool.free(theirs)) throw new Error(`pool ${a} freed the handle ${theirs} of pool ${b}`)
      }
      const next = pools[a + 1]
      if (next !== undefined) {
        const r = mine.pool.tryFree(next.handle)
        expect(!r.ok && r.error.issue).toBe("not a block of this pool (foreign handle)")
      }
      expect(mine.pool.isAllocated(mine.handle)).toBe(true)
    }
    // 256 apart: the same tag, as documented (a handle of one names the block of the same index of the other)
    const first = pools[0] as { readonly pool: AnyPool; readonly handle: number }
    const later = pools[256] as { readonly pool: AnyPool; readonly handle: number }
    expect(tagOf(later.pool, later.handle)).toBe(tagOf(first.pool, first.handle))
    expect(first.pool.indexOf(later.handle)).toBe(later.pool.indexOf(later.handle))
    for (const { pool } of pools) if (pool instanceof SharedBlockPool) pool.detach()
  })

  test("a sequence gives the next tag each time, shifted above the index bits, and wraps after 256", () => {
    const take = handles.tagSequence(254)
    expect([take(), take(), take(), take()]).toEqual([254, 255, 0, 1].map((t) => t * 2 ** handles.INDEX_BITS))
    // every tag is an int32 (the hot path's `|` and `^` need one) and clears the index bits
    const all = handles.tagSequence(0)
    for (let k = 0; k < handles.TAG_COUNT; k++) {
      const tag = all()
      expect(tag | 0).toBe(tag)
      expect(tag & handles.INDEX_MASK).toBe(0)
    }
  })

  test("each copy of the module (each thread has its own) starts its sequence at a random tag", async () => {
    const saved = Math.random
    Math.random = () => 0.5
    let fresh: typeof handles
    try {
      // a new instance of the module, as a worker loads it: its sequence starts where Math.random says
      const path = `${import.meta.dir}/../src/internal/handle.ts`
      fresh = (await import(`${path}?thread=second`)) as typeof handles
    } finally {
      Math.random = saved
    }
    expect(fresh.takeTag()).toBe(128 * 2 ** handles.INDEX_BITS)
    expect(fresh.takeTag()).toBe(129 * 2 ** handles.INDEX_BITS)
  })
})
