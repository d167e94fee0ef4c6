import { describe, expect, test } from "bun:test"
import { BlockPool, NO_BLOCK } from "@flight-hal/pool"
import { createResourceManager, type PlainResourceManager } from "../src/index.ts"

// Pool capacity is charged to its type's budget: the type's usage must always be the capacity of its pools
// (plus the bytes of resources not served by a pool), never less, whatever is done to a pool object a caller
// kept from `manager.pools` — after `destroyPool`, and after `close`.

const budget = { maxBytes: 1000, reservedBytes: 100, warningPercent: 50, criticalPercent: 80 }
const quiet = { onLeaks: () => {} }

const usage = (manager: PlainResourceManager) => manager.getResourceStats("Memory").currentUsage
const poolCapacity = (manager: PlainResourceManager) =>
  manager.pools.pools().reduce((sum, { pool }) => sum + pool.stats().totalCapacityBytes, 0)

/** A manager with one Memory pool of 64-byte blocks (`initialCount` made, at most 16), and that pool's object. */
const withPool = (initialCount: number) => {
  const manager = createResourceManager({
    ...quiet,
    budgets: { Memory: budget },
    pools: [{ type: "Memory", blockSize: 64, initialCount, maxCount: 16 }]
  })
  const pool = manager.pools.getPool("Memory", 64)
  if (!(pool instanceof BlockPool)) throw new Error("no pool")
  return { manager, pool }
}

describe("pool capacity after destroyPool", () => {
  test("a pool object kept after destroyPool: its trim credits nothing more, its growth charges nothing", () => {
    const { manager, pool } = withPool(4)
    expect(usage(manager)).toBe(256)
    expect(manager.pools.destroyPool("Memory", 64).ok).toBe(true)
    expect(usage(manager)).toBe(0)
    expect(pool.trim()).toBe(256) // the object still shrinks, but its bytes were credited by destroyPool
    expect(usage(manager)).toBe(0) // not -256
    for (let i = 0; i < 5; i++) pool.alloc()
    expect(pool.grow()).toBe(0)
    expect(usage(manager)).toBe(0)
    // the budget is whole: an acquisition of the full limit(Normal) fits, one byte more does not
    expect(() => manager.acquire("over", { type: "Memory", sizeBytes: 901 })).toThrow()
    manager.acquire("all", { type: "Memory", sizeBytes: 900 }).release()
    manager.close()
  })
})

describe("pool capacity after close", () => {
  test("a pool object kept across close cannot grow: nothing is charged after close", () => {
    const { manager, pool } = withPool(2)
    manager.close()
    expect(usage(manager)).toBe(128) // pools are not destroyed by close: their capacity stays charged
    expect([pool.alloc(), pool.alloc()].includes(NO_BLOCK)).toBe(false)
    expect(pool.alloc()).toBe(NO_BLOCK) // needs growth: refused
    expect(pool.grow(4)).toBe(0)
    expect(pool.stats().totalBlocks).toBe(2)
    expect(usage(manager)).toBe(128)
    const late = manager.pools.createPool({ type: "Memory", blockSize: 32, initialCount: 2, maxCount: 4 })
    expect(late.ok ? "created" : late.error._tag).toBe("PoolExhausted")
    expect(usage(manager)).toBe(128)
  })

  test("after close, a trim or destroyPool credits exactly the capacity it gives back, once", () => {
    const { manager, pool } = withPool(8)
    manager.pools.createPool({ type: "Memory", blockSize: 128, initialCount: 2, maxCount: 4 })
    const held = manager.acquire("held", { type: "Memory", sizeBytes: 60 })
    expect(usage(manager)).toBe(8 * 64 + 2 * 128)
    manager.close() // releases "held": its block goes back to the pool
    expect(held.released).toBe(true)
    expect(usage(manager)).toBe(poolCapacity(manager))
    expect(pool.trim(2)).toBe(6 * 64) // through the pool object
    expect(usage(manager)).toBe(poolCapacity(manager))
    expect(manager.pools.trim("Memory")).toBe(2 * 64 + 2 * 128) // through the manager
    expect(usage(manager)).toBe(0)
    expect(manager.pools.destroyPool("Memory", 64).ok).toBe(true)
    expect(pool.trim()).toBe(0)
    expect(usage(manager)).toBe(0)
  })

  test("an acquisition that needs pool growth, racing close from a reclamation callback, charges nothing", () => {
    const manager = createResourceManager({
      ...quiet,
      budgets: { Memory: budget },
      pools: [{ type: "Memory", blockSize: 100, initialCount: 1, maxCount: 20 }]
    })
    const big = manager.acquire("big", { type: "Memory", sizeBytes: 750 }) // 850 of 900 used
    const first = manager.acquire("first", { type: "Memory", sizeBytes: 100 }) // the pool's only block
    let closedIn = 0
    manager.registerReclamationCallback("Memory", () => {
      closedIn++
      manager.close()
      return 0
    })
    // growth (+100 bytes) does not fit: refused, the request falls back to an ordinary admission, whose
    // reclamation run closes the manager
    expect(() => manager.acquire("second", { type: "Memory", sizeBytes: 100 })).toThrow(
      expect.objectContaining({ _tag: "ManagerClosed" })
    )
    expect(closedIn).toBe(1)
    expect(big.released && first.released).toBe(true)
    expect(manager.pools.getPoolStats("Memory", 100)).toMatchObject({ ok: true, value: { totalBlocks: 1 } })
    expect(usage(manager)).toBe(poolCapacity(manager))
  })

  test("a destroy hook that runs during close and allocates from the pool: growth refused, nothing charged", () => {
    const { manager, pool } = withPool(1)
    const seen: Array<number> = []
    const ref = manager.acquire("a", { type: "Memory", sizeBytes: 64 }, { destroy: () => seen.push(pool.alloc()) })
    ref.payload // made now, so the release at close destroys it
    expect(usage(manager)).toBe(64)
    manager.close()
    expect(seen).toEqual([NO_BLOCK]) // the pool's one block was still held when the hook ran; no growth after close
    expect(pool.stats().totalBlocks).toBe(1)
    expect(usage(manager)).toBe(64)
  })
})
