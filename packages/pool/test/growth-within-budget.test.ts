/**
 * An alloc that finds no free block grows the pool by its default step (double, at least 8 blocks, up to
 * maxCount). When `admitGrowth` refuses that step, the pool takes the most blocks the hook admits below it, at
 * least the one the alloc needs, before the alloc fails: before the fix a budget with room for a few blocks but
 * not the whole step never let the pool grow (every alloc failed, a manager's fell back to the heap).
 */
import { describe, expect, test } from "bun:test"
import { BlockPool, type PoolExhausted } from "../src/index.ts"

const BLOCK = 64

/** A budget of `room` blocks that admits whatever fits; records every request in blocks. */
const budget = (room: number) => {
  const asked: Array<number> = []
  let left = room * BLOCK
  const admitGrowth = (bytes: number): boolean => {
    asked.push(bytes / BLOCK)
    if (bytes > left) return false
    left -= bytes
    return true
  }
  return { asked, admitGrowth, left: () => left / BLOCK }
}

const make = (admitGrowth: (bytes: number) => boolean, initialCount = 1, maxCount = 16): BlockPool => {
  const made = BlockPool.make({ name: "net", blockSize: BLOCK, initialCount, maxCount, admitGrowth })
  if (!made.ok) throw made.error
  return made.value
}

describe("BlockPool: a growth step the budget refuses is cut down to what it admits", () => {
  test("room for 3 blocks, a step of 8: the pool grows by 3 and the alloc is served", () => {
    const b = budget(4) // the initial block and 3 more
    const pool = make(b.admitGrowth)
    expect(pool.alloc()).toBeGreaterThanOrEqual(0)
    expect(pool.alloc()).toBeGreaterThanOrEqual(0)
    expect(pool.stats()).toMatchObject({ totalBlocks: 4, usedBlocks: 2, failures: 0 })
    expect(b.left()).toBe(0)
    // the initial block, the step refused, one block, then 4 refused, 2 admitted, 1 refused
    expect(b.asked).toEqual([1, 8, 1, 4, 2, 1])
    expect(pool.alloc()).toBeGreaterThanOrEqual(0)
    expect(pool.alloc()).toBeGreaterThanOrEqual(0)
    expect(pool.alloc()).toBe(-1)
    expect(pool.stats()).toMatchObject({ totalBlocks: 4, usedBlocks: 4, failures: 1 })
  })

  test("room for exactly the step less one block: every block that fits is taken", () => {
    const b = budget(1 + 7)
    const pool = make(b.admitGrowth)
    pool.alloc()
    expect(pool.alloc()).toBeGreaterThanOrEqual(0)
    expect(pool.stats().totalBlocks).toBe(8)
    expect(b.left()).toBe(0)
  })

  test("no room at all: the budget is asked for the step and for one block, and the error names the step", () => {
    const b = budget(1)
    const pool = make(b.admitGrowth)
    pool.alloc()
    const r = pool.tryAlloc()
    expect(r.ok).toBe(false)
    const error = (r as { readonly error: PoolExhausted }).error
    expect(error.refusedBytes).toBe(8 * BLOCK)
    expect(b.asked).toEqual([1, 8, 1])
    expect(pool.stats()).toMatchObject({ totalBlocks: 1, failures: 1 })
  })

  test("a step of one block refused is not asked again", () => {
    const b = budget(1)
    const pool = make(b.admitGrowth, 1, 2)
    pool.alloc()
    expect(pool.alloc()).toBe(-1)
    expect(b.asked).toEqual([1, 1])
  })

  test("the step within the budget is taken whole, as before", () => {
    const b = budget(100)
    const pool = make(b.admitGrowth)
    pool.alloc()
    pool.alloc()
    expect(pool.stats().totalBlocks).toBe(9)
    expect(b.asked).toEqual([1, 8])
  })

  test("each growth is reported to onCapacityChange as it happens", () => {
    const b = budget(4)
    const changes: Array<number> = []
    const made = BlockPool.make({
      blockSize: BLOCK,
      initialCount: 1,
      maxCount: 16,
      admitGrowth: b.admitGrowth,
      onCapacityChange: (delta) => changes.push(delta / BLOCK)
    })
    if (!made.ok) throw made.error
    made.value.alloc()
    made.value.alloc()
    expect(changes).toEqual([1, 1, 2])
  })
})
