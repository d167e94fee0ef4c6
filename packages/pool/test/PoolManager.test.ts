import { describe, expect, test } from "bun:test"
import * as fc from "fast-check"
import { BlockPool, PoolManager, type ResourceType, SharedBlockPool } from "../src/index.ts"

const withPools = (options: ConstructorParameters<typeof PoolManager>[0] = {}) => {
  const manager = new PoolManager(options)
  for (const blockSize of [64, 100, 4096, 65536]) {
    const r = manager.createPool({ type: "Memory", blockSize, initialCount: 2, maxCount: 4 })
    if (!r.ok) throw r.error
  }
  return manager
}

describe("PoolManager", () => {
  test("routes each request to the smallest pool that fits", () => {
    const manager = withPools()
    const cases: Array<[number, number | undefined]> = [
      [0, 64],
      [1, 64],
      [64, 64],
      [65, 104], // 100 rounded up to the default 8-byte alignment
      [104, 104],
      [105, 4096],
      [4096, 4096],
      [4097, 65536],
      [65537, undefined]
    ]
    for (const [bytes, blockSize] of cases) expect(manager.route("Memory", bytes)?.blockSize).toBe(blockSize)
    expect(manager.route("Hardware", 1)).toBeUndefined()
    // what allocate refuses routes nowhere (it routed NaN and negative sizes to the smallest pool)
    for (const bytes of [Number.NaN, -1, 0.5, 2 ** 53, Number.POSITIVE_INFINITY]) {
      expect(manager.route("Memory", bytes)).toBeUndefined()
    }
    for (const alignment of [Number.NaN, 0, 3, 2 ** 31]) expect(manager.route("Memory", 10, alignment)).toBeUndefined()
    expect(manager.route("Memory", 10, 8)?.blockSize).toBe(64)
  })

  test("allocate hits pools, falls back to plain buffers on misses and exhaustion, and counts both", () => {
    const manager = withPools()
    const hit = manager.allocate("Memory", 3000)
    expect(hit.ok && hit.value.kind === "pool" && hit.value.view.length === 4096).toBe(true)
    const miss = manager.allocate("Memory", 100_000)
    expect(miss.ok && miss.value.kind === "heap" && miss.value.view.length === 100_000).toBe(true)
    for (let i = 0; i < 3; i++) manager.allocate("Memory", 70_000)
    const held = Array.from({ length: 4 }, () => manager.allocate("Memory", 60_000))
    expect(held.map((r) => r.ok && r.value.kind)).toEqual(["pool", "pool", "pool", "pool"])
    const fallback = manager.allocate("Memory", 60_000)
    expect(fallback.ok && fallback.value.kind).toBe("heap")
    expect(manager.routingStats()).toEqual({ hits: 5, misses: 4, exhaustedFallbacks: 1, pools: 4 })
    if (hit.ok) {
      expect(manager.release(hit.value)).toBe(true)
      expect(manager.release(hit.value)).toBe(false)
    }
    const bad = manager.allocate("Memory", -1)
    expect(!bad.ok && bad.error.field).toBe("bytes")
  })

  test("a 0-byte request is served like any other: a block of the smallest pool, else an empty heap view", () => {
    // the resource manager's rule for `sizeBytes: 0` (accepted, served by the pool that routes it): docs/pools.md
    const manager = withPools()
    const zero = manager.allocate("Memory", 0)
    if (!zero.ok || zero.value.kind !== "pool") throw new Error("a 0-byte request is served by a pool")
    expect(zero.value.pool).toBe(manager.route("Memory", 0) as BlockPool) // the pool `route` names for 0
    expect([zero.value.bytes, zero.value.pool.blockSize, zero.value.view.byteLength]).toEqual([0, 64, 64])
    expect(manager.release(zero.value)).toBe(true)
    const stats = manager.getPoolStats("Memory", 64)
    expect(stats.ok && [stats.value.allocations, stats.value.usedBlocks]).toEqual([1, 0])
    // no pool that fits (these pools are 8-aligned), or none of the type: a heap view of no bytes, a miss
    const unaligned = manager.allocate("Memory", 0, 64)
    const none = manager.allocate("Hardware", 0)
    for (const heap of [unaligned, none])
      expect(heap.ok && [heap.value.kind, heap.value.view.byteLength]).toEqual(["heap", 0])
    expect(manager.routingStats()).toMatchObject({ hits: 1, misses: 2, exhaustedFallbacks: 0 })
  })

  test("duplicate pools, missing pools and destroy", () => {
    const released: Array<[ResourceType, number]> = []
    const manager = withPools({ onRelease: (type, bytes) => released.push([type, bytes]) })
    const dup = manager.createPool({ type: "Memory", blockSize: 64, initialCount: 0, maxCount: 1 })
    expect(!dup.ok && dup.error._tag === "DuplicatePool" && dup.error.blockSize === 64).toBe(true)
    const dupAligned = manager.createPool({ type: "Memory", blockSize: 104, initialCount: 0, maxCount: 1 })
    expect(!dupAligned.ok && dupAligned.error._tag).toBe("DuplicatePool")
    const otherType = manager.createPool({ type: "Hardware", blockSize: 64, initialCount: 0, maxCount: 1 })
    expect(otherType.ok).toBe(true)
    const stats = manager.getPoolStats("Memory", 4096)
    expect(stats.ok && stats.value.totalCapacityBytes).toBe(2 * 4096)
    const missing = manager.getPoolStats("Memory", 128)
    expect(!missing.ok && missing.error._tag === "PoolNotFound").toBe(true)
    const a = manager.allocate("Memory", 4000)
    expect(manager.destroyPool("Memory", 4096).ok).toBe(true)
    expect(released).toEqual([["Memory", 8192]])
    expect(manager.route("Memory", 4000)?.blockSize).toBe(65536)
    if (a.ok) expect(manager.release(a.value)).toBe(false) // its pool is gone
    const again = manager.destroyPool("Memory", 4096)
    expect(!again.ok && again.error._tag).toBe("PoolNotFound")
    expect(manager.getPoolStats("Memory", 100).ok).toBe(true) // configured size works as a key too
  })

  test("admitGrowth sees every byte before it is taken; trim gives it back through onRelease", () => {
    const charged = new Map<ResourceType, number>()
    const budget = 64 * 4 // the initial blocks: no room for a growth, not even of one block
    const manager = new PoolManager({
      admitGrowth: (type, bytes) => {
        const now = charged.get(type) ?? 0
        if (now + bytes > budget) return false
        charged.set(type, now + bytes)
        return true
      },
      onRelease: (type, bytes) => charged.set(type, (charged.get(type) ?? 0) - bytes)
    })
    manager.createPool({ type: "Memory", blockSize: 64, initialCount: 4, maxCount: 100 })
    expect(charged.get("Memory")).toBe(256)
    const blocks = Array.from({ length: 4 }, () => manager.allocate("Memory", 64))
    const fifth = manager.allocate("Memory", 64) // growth (to 8 blocks, or by 1) would exceed the budget
    expect(fifth.ok && fifth.value.kind).toBe("heap")
    expect(charged.get("Memory")).toBe(256)
    for (const b of blocks) if (b.ok) manager.release(b.value)
    expect(manager.trim("Memory")).toBe(256)
    expect(charged.get("Memory")).toBe(0)
    const shared = manager.createPool({
      type: "Memory",
      blockSize: 128,
      initialCount: 0,
      maxCount: 100,
      threadSafe: true
    })
    expect(!shared.ok && shared.error._tag).toBe("PoolExhausted") // 12800 bytes refused up front
  })

  test("threadSafe pools are SharedBlockPools and route like the others", () => {
    const manager = new PoolManager()
    const r = manager.createPool({ type: "Memory", blockSize: 256, initialCount: 0, maxCount: 64, threadSafe: true })
    expect(r.ok && r.value.constructor.name).toBe("SharedBlockPool")
    const a = manager.allocate("Memory", 200)
    expect(a.ok && a.value.kind === "pool" && a.value.view.length === 256).toBe(true)
    if (a.ok) expect(manager.release(a.value)).toBe(true)
    expect(manager.destroyPool("Memory", 256).ok).toBe(true)
  })
})

describe("size-class routing against a brute-force search", () => {
  test("route(n) is the smallest pool whose aligned block size is >= n", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 1 << 20 }), { minLength: 0, maxLength: 12 }),
        fc.array(fc.integer({ min: 0, max: (1 << 20) + 10 }), { minLength: 1, maxLength: 30, size: "max" }),
        fc.array(fc.nat(), { maxLength: 4 }),
        (sizes, requests, destroyPicks) => {
          const manager = new PoolManager()
          const alive = new Set<number>()
          for (const size of sizes) {
            const r = manager.createPool({ type: "Memory", blockSize: size, initialCount: 0, maxCount: 1 })
            if (r.ok) alive.add(r.value.blockSize)
          }
          for (const pick of destroyPicks) {
            const victim = [...alive][pick % Math.max(1, alive.size)]
            if (victim !== undefined && manager.destroyPool("Memory", victim).ok) alive.delete(victim)
          }
          for (const n of requests) {
            const expected = [...alive].filter((s) => s >= n).sort((a, b) => a - b)[0]
            expect(manager.route("Memory", n)?.blockSize).toBe(expected)
          }
        }
      ),
      { numRuns: 300 }
    )
  })
})

describe("a destroyed pool reports nothing more", () => {
  /** A manager whose hooks log every call, with one Memory pool of 64-byte blocks (4 of 16 made). */
  const logged = (admit = true) => {
    const calls: Array<string> = []
    const manager = new PoolManager({
      ...(admit
        ? {
            admitGrowth: (type: ResourceType, bytes: number) => {
              calls.push(`admit ${type} ${bytes}`)
              return true
            }
          }
        : {}),
      onRelease: (type, bytes) => void calls.push(`release ${type} ${bytes}`)
    })
    const made = manager.createPool({ type: "Memory", blockSize: 64, initialCount: 4, maxCount: 16 })
    if (!made.ok || !(made.value instanceof BlockPool)) throw new Error("no pool")
    calls.length = 0
    return { manager, pool: made.value, calls }
  }

  test("trim of a destroyed pool kept from getPool: its capacity was released once, by destroyPool", () => {
    const { manager, pool, calls } = logged()
    expect(manager.getPool("Memory", 64)).toBe(pool)
    expect(manager.destroyPool("Memory", 64).ok).toBe(true)
    expect(calls).toEqual(["release Memory 256"])
    pool.trim() // the pool object still works, but its bytes were already given back
    expect(calls).toEqual(["release Memory 256"])
  })

  test("alloc, growth, free and trim of a destroyed pool kept from pools() call no hook", () => {
    const { manager, pool, calls } = logged()
    expect(manager.pools().map((p) => p.pool)).toEqual([pool])
    const held = [pool.alloc(), pool.alloc()]
    expect(manager.destroyPool("Memory", 64).ok).toBe(true)
    expect(calls).toEqual(["release Memory 256"])
    for (let i = 0; i < 3; i++) pool.alloc() // the 5th block needs growth: refused, the hook not asked
    expect(pool.grow(4)).toBe(0)
    expect(pool.stats().totalBlocks).toBe(4)
    for (const h of held) pool.free(h)
    pool.trim()
    expect(calls).toEqual(["release Memory 256"])
  })

  test("a destroyed shared pool kept by a caller still works: its held blocks can be freed, new ones taken", () => {
    const manager = new PoolManager()
    const made = manager.createPool({ type: "Memory", blockSize: 64, initialCount: 4, maxCount: 4, threadSafe: true })
    if (!made.ok || !(made.value instanceof SharedBlockPool)) throw new Error("no shared pool")
    const pool = made.value
    const held = [pool.alloc(), pool.alloc()]
    expect(manager.destroyPool("Memory", 64).ok).toBe(true)
    // it was detached by the destroy: these frees were refused and the two blocks lost to every thread
    expect(held.map((h) => pool.free(h))).toEqual([true, true])
    const again = pool.alloc()
    expect(again).toBeGreaterThanOrEqual(0)
    expect(pool.free(again)).toBe(true)
    expect(pool.stats().usedBlocks).toBe(0)
    pool.detach()
  })

  test("without admitGrowth, a destroyed pool may grow (nothing is charged) but its trims are not reported", () => {
    const { manager, pool, calls } = logged(false)
    expect(manager.destroyPool("Memory", 64).ok).toBe(true)
    expect(pool.grow(4)).toBe(4)
    expect(pool.trim()).toBe(8 * 64)
    expect(calls).toEqual(["release Memory 256"])
  })

  test("manager.trim skips a pool its onRelease hook destroyed: each byte is released once", () => {
    let released = 0
    let manager: PoolManager | undefined
    manager = new PoolManager({
      onRelease: (_type, bytes) => {
        released += bytes
        manager?.destroyPool("Memory", 128) // while the 64-byte pool's trim is reported
      }
    })
    manager.createPool({ type: "Memory", blockSize: 64, initialCount: 4, maxCount: 16 })
    manager.createPool({ type: "Memory", blockSize: 128, initialCount: 4, maxCount: 16 })
    const returned = manager.trim("Memory")
    expect(manager.pools()).toHaveLength(1)
    expect(released).toBe(4 * 64 + 4 * 128) // the 128-byte pool's capacity once (by destroyPool), not twice
    expect(returned).toBe(4 * 64) // what trim itself released
  })
})
