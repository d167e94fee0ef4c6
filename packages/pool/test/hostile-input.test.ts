/**
 * Caller values that are not what the types say (null, Symbols, BigInts, objects without a prototype, getters
 * that throw or answer differently on each read): a typed error or a refusal, never a raw TypeError, and what a
 * pool checks is what it is made of.
 */
import { describe, expect, test } from "bun:test"
import { BlockPool, InvalidPoolConfig, PoolManager, SharedBlockPool } from "../src/index.ts"

const unprintable = Object.create(null) as unknown
const hostileHandles: ReadonlyArray<unknown> = [Symbol("h"), 10n, unprintable, null, undefined, "3", {}]

describe("pool inputs that are not numbers or objects", () => {
  test("BlockPool.make and SharedBlockPool.make: not an object, an unprintable or throwing field", () => {
    const throwing = {
      maxCount: 4,
      get blockSize(): number {
        throw new Error("boom")
      }
    }
    for (const input of [null, undefined, 5, "x", throwing, { blockSize: unprintable, maxCount: 4 }]) {
      const local = BlockPool.make(input as never)
      expect(local.ok).toBe(false)
      if (!local.ok) expect(local.error).toBeInstanceOf(InvalidPoolConfig)
      const shared = SharedBlockPool.make(input as never)
      expect(shared.ok).toBe(false)
      if (!shared.ok) expect(shared.error).toBeInstanceOf(InvalidPoolConfig)
    }
    for (const [field, value] of [
      ["debug", "yes"],
      ["admitGrowth", 5],
      ["onCapacityChange", "no"],
      ["onUseAfterFree", {}]
    ] as const) {
      const made = BlockPool.make({ blockSize: 64, maxCount: 4, [field]: value } as never)
      expect(made.ok).toBe(false)
      if (!made.ok) expect((made.error as InvalidPoolConfig).field).toBe(field)
    }
    // null is a value, not "left out": it does not take the default
    for (const field of ["initialCount", "alignment", "name"] as const) {
      const made = BlockPool.make({ blockSize: 64, maxCount: 4, [field]: null } as never)
      expect(made.ok ? undefined : (made.error as InvalidPoolConfig).field).toBe(field)
    }
    const debug = SharedBlockPool.make({ blockSize: 64, blockCount: 4, debug: "yes" } as never)
    expect(debug.ok ? undefined : debug.error.field).toBe("debug")
  })

  test("a blockSize getter that answers differently later: the pool is what was checked", () => {
    let reads = 0
    const shifting = {
      maxCount: 4,
      get blockSize() {
        return reads++ === 0 ? 64 : 100_000
      }
    }
    const made = BlockPool.make(shifting)
    if (!made.ok) throw made.error
    expect(reads).toBe(1)
    expect(made.value.blockSize).toBe(64)
    const manager = new PoolManager()
    reads = 0
    const pool = manager.createPool({ type: "Memory", initialCount: 1, ...shifting } as never)
    if (!pool.ok) throw pool.error
    expect(pool.value.blockSize).toBe(64)
    expect(manager.getPool("Memory", 64)).toBe(pool.value)
  })

  test("handles that are not numbers: refused, never thrown", () => {
    const local = BlockPool.make({ blockSize: 64, maxCount: 4, initialCount: 1 })
    const shared = SharedBlockPool.make({ blockSize: 64, blockCount: 4 })
    if (!local.ok || !shared.ok) throw new Error("made")
    for (const pool of [local.value, shared.value]) {
      const held = pool.alloc()
      for (const handle of hostileHandles) {
        expect(pool.free(handle as number)).toBe(false)
        const tried = pool.tryFree(handle as number)
        expect(tried.ok).toBe(false)
        if (!tried.ok) expect(tried.error._tag).toBe("InvalidBlock")
        expect(pool.view(handle as number).byteLength).toBe(0)
        expect(pool.isAllocated(handle as number)).toBe(false)
        expect(pool.indexOf(handle as number)).toBe(-1)
      }
      expect(pool.isAllocated(held)).toBe(true)
      expect(pool.free(held)).toBe(true)
    }
  })

  test("PoolManager: options, types, sizes and allocations from caller input", () => {
    expect(() => new PoolManager(null as never)).toThrow(InvalidPoolConfig)
    expect(() => new PoolManager({ admitGrowth: 5 } as never)).toThrow(InvalidPoolConfig)
    const manager = new PoolManager()
    const created = manager.createPool(null as never)
    expect(created.ok ? undefined : created.error._tag).toBe("InvalidPoolConfig")
    manager.createPool({ type: "Memory", blockSize: 64, initialCount: 1, maxCount: 4 })
    for (const type of [Symbol("t"), unprintable, "toString", 5, null]) {
      expect(manager.getPool(type as never, 64)).toBeUndefined()
      const stats = manager.getPoolStats(type as never, 64)
      expect(stats.ok ? undefined : stats.error._tag).toBe("PoolNotFound")
      const destroyed = manager.destroyPool(type as never, 64)
      expect(destroyed.ok ? undefined : destroyed.error._tag).toBe("PoolNotFound")
      expect(manager.route(type as never, 10)).toBeUndefined()
      const allocated = manager.allocate(type as never, 10)
      expect(allocated.ok ? undefined : allocated.error.field).toBe("type")
    }
    expect(manager.getPool("Memory", Symbol() as never)).toBeUndefined()
    expect(manager.route("Memory", 10n as never)).toBeUndefined()
    for (const allocation of [5, null, undefined, "x", { kind: "pool", pool: 5, handle: 1 }, { kind: "pool" }]) {
      expect(manager.release(allocation as never)).toBe(false)
    }
    expect(manager.routingStats().misses).toBe(0) // nothing was counted for refused input
  })
})
