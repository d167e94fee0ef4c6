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

/** A revoked Proxy: every operation on it throws a TypeError, `typeof` does not. */
const revoked = (): never => {
  const { proxy, revoke } = Proxy.revocable({}, {})
  revoke()
  return proxy as never
}

describe("regressions: bugs the entry-point fuzz suite found", () => {
  test("P1: a revoked Proxy as the options object is InvalidPoolConfig (field config), not a raw TypeError", () => {
    const local = BlockPool.make(revoked())
    expect(local.ok ? undefined : (local.error as InvalidPoolConfig).field).toBe("config")
    const shared = SharedBlockPool.make(revoked())
    expect(shared.ok ? undefined : shared.error.field).toBe("config")
    expect(() => new PoolManager(revoked())).toThrow(InvalidPoolConfig)
    const manager = new PoolManager()
    const created = manager.createPool(revoked())
    expect(created.ok ? undefined : (created.error as InvalidPoolConfig).field).toBe("config")
    expect(manager.pools()).toHaveLength(0)
  })
  test("P2: PoolManager.release of an allocation whose fields or pool cannot be read: false, nothing freed", () => {
    const manager = new PoolManager()
    manager.createPool({ type: "Memory", blockSize: 64, initialCount: 1, maxCount: 2 })
    const held = manager.allocate("Memory", 48)
    if (!held.ok || held.value.kind !== "pool") throw new Error("a pool allocation")
    const allocation = held.value
    const throwsOnRead = new Proxy(
      {},
      {
        get() {
          throw new Error("get")
        },
        getPrototypeOf() {
          throw new Error("getPrototypeOf")
        }
      }
    )
    const posing = new Proxy(allocation.pool, {
      get() {
        throw new Error("get")
      }
    })
    const hostile: ReadonlyArray<unknown> = [
      revoked(),
      throwsOnRead,
      {
        get kind(): string {
          throw new Error("getter")
        }
      },
      {
        ...allocation,
        get handle(): number {
          throw new Error("getter")
        }
      },
      { ...allocation, pool: revoked() },
      { ...allocation, pool: throwsOnRead },
      { ...allocation, pool: posing }
    ]
    for (const value of hostile) expect(manager.release(value as never)).toBe(false)
    expect(allocation.pool.isAllocated(allocation.handle)).toBe(true)
    expect(manager.release(allocation)).toBe(true)
  })
  test("P3: attach and releaseSlot of a Proxy (throwing, revoked, or over a pool's buffer): refused", () => {
    const made = SharedBlockPool.make({ blockSize: 64, blockCount: 4, maxThreads: 2 })
    if (!made.ok) throw made.error
    const pool = made.value
    const protoThrows = new Proxy(
      {},
      {
        getPrototypeOf() {
          throw new Error("getPrototypeOf")
        }
      }
    )
    const getThrows = new Proxy(pool.buffer, {
      get() {
        throw new Error("get")
      }
    })
    for (const buffer of [protoThrows, revoked(), getThrows, new Proxy(pool.buffer, {})]) {
      const attached = SharedBlockPool.attach(buffer as never)
      expect(attached.ok ? undefined : attached.error.field).toBe("buffer")
      expect(SharedBlockPool.releaseSlot(buffer as never, 1)).toBe(false)
    }
    // the real buffer still attaches (slot 1 was never claimed by the refused calls)
    const second = SharedBlockPool.attach(pool.buffer)
    expect(second.ok ? second.value.slot : undefined).toBe(1)
    if (second.ok) second.value.detach()
    pool.detach()
  })
  test("P5: rebuild(isHeld) with isHeld not a function, or throwing: InvalidPoolConfig, the pool unchanged", () => {
    const made = SharedBlockPool.make({ blockSize: 64, blockCount: 8, maxThreads: 2 })
    if (!made.ok) throw made.error
    const pool = made.value
    const kept = pool.alloc()
    pool.free(pool.alloc()) // one block in this thread's cache
    const before = { stats: pool.stats(), listed: pool.verifySharedFreeList() }
    const throwing = () => {
      throw new Error("isHeld")
    }
    for (const isHeld of ["x", null, 5, {}, throwing, revoked()]) {
      let thrown: unknown
      try {
        pool.rebuild(isHeld as never)
      } catch (error) {
        thrown = error
      }
      expect(thrown).toBeInstanceOf(InvalidPoolConfig)
      expect((thrown as InvalidPoolConfig).field).toBe("isHeld")
    }
    expect({ stats: pool.stats(), listed: pool.verifySharedFreeList() }).toEqual(before)
    expect(pool.isAllocated(kept)).toBe(true)
    expect(pool.free(kept)).toBe(true)
    pool.detach()
  })
  test("P4: attach of a pool buffer whose header is out of range: InvalidPoolConfig (field buffer)", () => {
    const made = SharedBlockPool.make({ blockSize: 64, blockCount: 4, maxThreads: 2 })
    if (!made.ok) throw made.error
    const source = made.value.buffer
    const copy = (word: number, value: number) => {
      const c = new SharedArrayBuffer(source.byteLength)
      new Uint8Array(c).set(new Uint8Array(source))
      new Int32Array(c, 0, 64)[word] = value
      return c
    }
    // blockSize, blockCount, tag, maxThreads, batchSize, indexBits, dataOffset, wordsOffset, alignment, nameLength,
    // head
    for (const word of [2, 3, 4, 5, 6, 7, 8, 9, 10, 14, 16]) {
      for (const value of [-1, 255, 2 ** 20, 2 ** 31 - 1, -(2 ** 31)]) {
        const attached = SharedBlockPool.attach(copy(word, value))
        expect([word, value, attached.ok ? "attached" : attached.error.field]).toEqual([word, value, "buffer"])
      }
    }
    // a head naming an allocated block (index 0 + 1): a refill would retry forever
    made.value.alloc()
    const allocatedHead = SharedBlockPool.attach(copy(16, 1))
    expect(allocatedHead.ok ? "attached" : allocatedHead.error.field).toBe("buffer")
    const sound = SharedBlockPool.attach(copy(15, 0))
    if (!sound.ok) throw sound.error
    sound.value.free(sound.value.alloc())
    sound.value.detach()
    made.value.detach()
  })
  test("P6: an isHeld that allocates, frees or rebuilds during rebuild: refused, the free list stays sound", () => {
    const made = SharedBlockPool.make({ blockSize: 64, blockCount: 8, maxThreads: 2 })
    if (!made.ok) throw made.error
    const p = made.value
    const x = p.alloc()
    const y = p.alloc()
    p.free(p.alloc())
    const nested: Array<unknown> = []
    p.rebuild((h) => {
      nested.push(p.alloc(), p.free(x))
      try {
        p.rebuild(() => false)
      } catch (error) {
        nested.push((error as InvalidPoolConfig).field)
      }
      return h === x || h === y
    })
    expect(new Set(nested)).toEqual(new Set([-1, false, "isHeld"]))
    expect(p.verifySharedFreeList()).toBe(6)
    expect(p.stats().usedBlocks).toBe(2)
    expect(p.stats().failures).toBe(0) // the refused allocs are not failures
    expect(p.stats().invalidFrees).toBe(0) // nor the refused frees invalid ones
    const taken = Array.from({ length: 8 }, () => p.alloc()) // terminates: 6 blocks, then -1
    expect(taken.filter((h) => h >= 0)).toHaveLength(6)
    expect(p.isAllocated(x) && p.isAllocated(y)).toBe(true)
    p.detach()
  })
  test("P7: an admitGrowth hook that allocates from or grows its own pool: no recursion, the nested call refused", () => {
    let pool: BlockPool | undefined
    let calls = 0
    const nested: Array<number> = []
    const made = BlockPool.make({
      blockSize: 8,
      maxCount: 16,
      initialCount: 1,
      admitGrowth: () => {
        calls++
        // bounded, so that without the guard this test fails instead of overflowing the stack
        if (pool !== undefined && calls < 50) nested.push(pool.alloc(), pool.grow(1))
        return true
      }
    })
    if (!made.ok) throw made.error
    pool = made.value
    const handles = Array.from({ length: 20 }, () => pool?.alloc() ?? -1)
    expect(handles.filter((h) => h >= 0)).toHaveLength(16)
    expect(calls).toBe(3) // 0 -> 1 (make), 1 -> 9, 9 -> 16 blocks
    expect(new Set(nested)).toEqual(new Set([-1, 0])) // the nested alloc failed as exhausted, the nested grow added 0
    expect(pool.verifyFreeList()).toBe(0)
    // a debug pool on slab storage whose hook grows it: alloc gets its block, no raw RangeError
    let slabs: BlockPool | undefined
    const debug = BlockPool.make({
      blockSize: 1,
      maxCount: 2,
      debug: true,
      storage: "slabs",
      admitGrowth: () => {
        slabs?.grow(1)
        return true
      }
    })
    if (!debug.ok) throw debug.error
    slabs = debug.value
    expect(slabs.alloc()).toBeGreaterThanOrEqual(0)
    expect(slabs.verifyFreeList()).toBeGreaterThanOrEqual(0)
  })

  test("P8: an onCapacityChange hook that trims its own pool: alloc returns a block, the trim releases nothing", () => {
    let pool: BlockPool | undefined
    const trimmed: Array<number> = []
    const made = BlockPool.make({
      blockSize: 8,
      maxCount: 1,
      storage: "slabs",
      // bounded, so that without the guard this test fails instead of hanging
      onCapacityChange: () => void (trimmed.length < 10 && trimmed.push(pool?.trim() ?? -1))
    })
    if (!made.ok) throw made.error
    pool = made.value
    const handle = pool.alloc()
    expect(handle).toBeGreaterThanOrEqual(0)
    expect(trimmed).toEqual([0])
    expect(pool.free(handle)).toBe(true)
    expect(pool.trim()).toBeGreaterThanOrEqual(0) // outside a growth, trim works (and its report's trim is a no-op)
    expect(pool.verifyFreeList()).toBeGreaterThanOrEqual(0)
  })
  test("P9: a PoolManager admitGrowth hook that allocates from the manager: bounded, the nested request from the heap", () => {
    let manager: PoolManager | undefined
    let calls = 0
    const nested: Array<string> = []
    manager = new PoolManager({
      admitGrowth: () => {
        calls++
        // bounded, so that without the guard this test fails instead of overflowing the stack
        const a = calls < 50 ? manager?.allocate("Memory", 48) : undefined
        if (a?.ok) nested.push(a.value.kind)
        return true
      }
    })
    manager.createPool({ type: "Memory", blockSize: 64, initialCount: 1, maxCount: 8 })
    const kinds = Array.from({ length: 8 }, () => {
      const a = manager?.allocate("Memory", 48)
      return a?.ok ? a.value.kind : "error"
    })
    expect(calls).toBeLessThan(5)
    expect(nested.every((kind) => kind === "heap")).toBe(true)
    expect(kinds.filter((kind) => kind === "pool")).toHaveLength(8)
  })

  test("P10: a PoolManager admitGrowth hook that creates a pool: no recursion, what is charged is registered", () => {
    let charged = 0
    let manager: PoolManager | undefined
    let calls = 0
    const nested: Array<string> = []
    manager = new PoolManager({
      admitGrowth: (_type, bytes) => {
        calls++
        // bounded, so that without the guard this test fails instead of overflowing the stack
        const made =
          calls < 50
            ? manager?.createPool({ type: "Hardware", blockSize: 16, initialCount: 1, maxCount: 2 })
            : undefined
        if (made !== undefined) nested.push(made.ok ? "created" : made.error._tag)
        charged += bytes
        return true
      },
      onRelease: (_type, bytes) => {
        charged -= bytes
      }
    })
    manager.createPool({ type: "Memory", blockSize: 64, initialCount: 1, maxCount: 8 })
    expect(calls).toBe(2)
    expect(nested).toEqual(["DuplicatePool", "created"]) // the inner call: its pool is being created
    const registered = manager.pools().reduce((sum, { pool }) => sum + pool.stats().totalCapacityBytes, 0)
    expect(manager.pools()).toHaveLength(2)
    expect(charged).toBe(registered)
  })

  test("P11: a PoolManager admitGrowth hook that destroys the pool being grown: the growth refused and refunded", () => {
    let charged = 0
    let manager: PoolManager | undefined
    manager = new PoolManager({
      admitGrowth: (_type, bytes) => {
        manager?.destroyPool("Memory", 64)
        charged += bytes
        return true
      },
      onRelease: (_type, bytes) => {
        charged -= bytes
      }
    })
    manager.createPool({ type: "Memory", blockSize: 64, initialCount: 1, maxCount: 8 })
    const first = manager.allocate("Memory", 48)
    expect(first.ok ? first.value.kind : undefined).toBe("pool")
    const second = manager.allocate("Memory", 48) // needs growth: the hook destroys the pool
    expect(second.ok ? second.value.kind : undefined).toBe("heap")
    expect(manager.pools()).toHaveLength(0)
    expect(charged).toBe(0)
    if (first.ok && first.value.kind === "pool") {
      const pool = first.value.pool as BlockPool
      expect(pool.stats().totalBlocks).toBe(1) // the destroyed pool did not grow
      expect(pool.grow()).toBe(0) // nor does it later: a destroyed pool is charged nothing
    }
    expect(charged).toBe(0)
  })
})
