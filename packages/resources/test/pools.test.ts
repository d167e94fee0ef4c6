import { describe, expect, test } from "bun:test"
import { createResourceManager, type ResourceRef } from "../src/index.ts"

const budget = { maxBytes: 1000, reservedBytes: 100, warningPercent: 50, criticalPercent: 80 }
const quiet = { onLeaks: () => {} }

describe("pools inside the manager", () => {
  test("pool capacity is charged as the pool grows; taking a free block adds no charge", () => {
    const manager = createResourceManager({
      ...quiet,
      budgets: { Memory: budget },
      pools: [{ type: "Memory", blockSize: 64, initialCount: 2, maxCount: 8 }]
    })
    expect(manager.getResourceStats("Memory").currentUsage).toBe(128)
    const a = manager.acquire("a", { type: "Memory", sizeBytes: 60 })
    const b = manager.acquire("b", { type: "Memory", sizeBytes: 64 })
    expect(manager.getResourceStats("Memory").currentUsage).toBe(128)
    expect(a.payload.byteLength).toBeGreaterThanOrEqual(60)
    const c = manager.acquire("c", { type: "Memory", sizeBytes: 10 })
    const grown = manager.snapshot().pools[0]
    expect(grown?.totalCapacityBytes).toBeGreaterThan(128)
    expect(manager.getResourceStats("Memory").currentUsage).toBe(grown?.totalCapacityBytes ?? -1)
    // a miss (bigger than every block) is charged its own size
    const big = manager.acquire("big", { type: "Memory", sizeBytes: 300 })
    expect(manager.getResourceStats("Memory").currentUsage).toBe((grown?.totalCapacityBytes ?? 0) + 300)
    for (const ref of [a, b, c, big]) ref.release()
    expect(manager.getResourceStats("Memory").currentUsage).toBe(grown?.totalCapacityBytes ?? -1)
    expect(manager.snapshot().pools[0]).toMatchObject({ type: "Memory", usedBlocks: 0, allocations: 3, frees: 3 })
    manager.close()
  })

  test("growth is admitted like a NonBlocking request: refused past limit(Normal), falls back to the budget", () => {
    const manager = createResourceManager({
      ...quiet,
      budgets: { Memory: budget },
      pools: [{ type: "Memory", blockSize: 100, initialCount: 1, maxCount: 20 }]
    })
    manager.acquire("big", { type: "Memory", sizeBytes: 700 })
    let failure: unknown
    for (let i = 0; i < 10 && failure === undefined; i++) {
      try {
        manager.acquire(`x${i}`, { type: "Memory", sizeBytes: 100 })
      } catch (error) {
        failure = error
      }
      expect(manager.getResourceStats("Memory").currentUsage).toBeLessThanOrEqual(900)
    }
    expect(failure).toMatchObject({ _tag: "BudgetExceeded" })
    manager.close()
  })

  test("the manager trims free pool blocks before it calls user reclamation callbacks", () => {
    const manager = createResourceManager({
      ...quiet,
      budgets: { Memory: budget },
      pools: [{ type: "Memory", blockSize: 100, initialCount: 0, maxCount: 8 }]
    })
    const calls: Array<number> = []
    manager.registerReclamationCallback("Memory", (missing) => {
      calls.push(missing)
      return 0
    })
    const blocks = [1, 2, 3, 4, 5, 6].map((i) => manager.acquire(`b${i}`, { type: "Memory", sizeBytes: 100 }))
    for (const ref of blocks) ref.release()
    const charged = manager.getResourceStats("Memory").currentUsage
    expect(charged).toBeGreaterThanOrEqual(600)
    const big = manager.acquire("big", { type: "Memory", sizeBytes: 500 })
    expect(calls).toEqual([])
    expect(manager.getResourceStats("Memory").currentUsage).toBeLessThanOrEqual(900)
    big.release()
    manager.close()
  })
})

describe("a pool is asked only when a request is submitted (docs/semantics.md, section 6)", () => {
  const fullPool = () => {
    // a 96-byte pool of 2 blocks (192 charged) and 780 more bytes charged: 28 of 1000 left
    const manager = createResourceManager({
      ...quiet,
      budgets: { Memory: { ...budget, reservedBytes: 0 } },
      pools: [{ type: "Memory", blockSize: 96, initialCount: 2, maxCount: 2 }]
    })
    const blocks = [0, 1].map(() => manager.acquire("", { type: "Memory", sizeBytes: 50 }))
    const big = manager.acquire("big", { type: "Memory", sizeBytes: 780 })
    return { manager, blocks, big }
  }

  test("a waiter is not served by a block that comes back; a fresh request is, past the waiter", async () => {
    const { manager, blocks, big } = fullPool()
    const waiter = manager.acquireAsync("w", { type: "Memory", sizeBytes: 50 }, { owner: "other" })
    expect(manager.getResourceStats("Memory").waiting).toBe(1)
    blocks[0]?.release()
    // the block is free again and usage did not change: the waiter still waits
    expect(manager.getResourceStats("Memory")).toMatchObject({ currentUsage: 972, waiting: 1 })
    const fresh = manager.acquire("fresh", { type: "Memory", sizeBytes: 50 })
    expect(manager.getResourceStats("Memory")).toMatchObject({ currentUsage: 972, waiting: 1 })
    // bytes coming back grant it, charged in full
    big.release()
    const granted = await waiter
    expect(manager.getResourceStats("Memory")).toMatchObject({ currentUsage: 192 + 50, waiting: 0 })
    for (const ref of [granted, fresh, blocks[1]]) ref?.release()
    manager.close()
  })

  test("a budget that is all pool capacity, every block held: a wait is refused as a deadlock", async () => {
    const manager = createResourceManager({
      ...quiet,
      budgets: { Memory: { ...budget, maxBytes: 4 * 64, reservedBytes: 0 } },
      pools: [{ type: "Memory", blockSize: 64, initialCount: 4, maxCount: 4 }]
    })
    const held = [0, 1, 2, 3].map(() => manager.acquire("", { type: "Memory", sizeBytes: 64 }))
    const refused = await manager.acquireAsync("", { type: "Memory", sizeBytes: 64 }, { owner: "other" }).then(
      () => "granted",
      (error: { readonly _tag: string }) => error._tag
    )
    expect(refused).toBe("DeadlockDetected")
    for (const ref of held) ref.release()
    manager.close()
  })
})

describe("manager.pools.createPool of what is no config", () => {
  test("an array, a revoked Proxy, null, a string: InvalidArgument (config), nothing created", () => {
    const manager = createResourceManager({ ...quiet, budgets: { Memory: budget } })
    const revoked = Proxy.revocable({}, {})
    revoked.revoke()
    for (const value of [[], [{ type: "Memory", blockSize: 64, maxCount: 4 }], revoked.proxy, null, "pool"]) {
      const made = manager.pools.createPool(value as never)
      expect(made.ok ? "created" : [made.error._tag, (made.error as { readonly argument?: string }).argument]).toEqual([
        "InvalidArgument",
        "config"
      ])
    }
    expect(manager.snapshot().pools).toEqual([])
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
    manager.close()
  })
})

describe("a destroy hook that acquires while its resource's block goes back", () => {
  // The hook runs with its slot already free: an acquisition in it takes that slot. The freed block was then
  // returned from the slot's record after the hook, which by then named the new resource's block: two live
  // resources shared one block, and one block was never returned (destroyPool: PoolInUse for good).

  /** A manager with one 64-byte pool of `blocks`; "outer" (a block) is released, and its hook acquires "inner". */
  const releaseOuter = (blocks: number, innerSize: number) => {
    const manager = createResourceManager({ ...quiet, budgets: { Memory: budget } })
    manager.pools.createPool({ type: "Memory", blockSize: 64, initialCount: blocks, maxCount: blocks })
    let inner: ResourceRef<unknown> | undefined
    let innerPayload: Uint8Array | undefined
    const outer = manager.acquire(
      "outer",
      { type: "Memory", sizeBytes: 64 },
      {
        create: () => "made",
        destroy: () => {
          inner = manager.acquire("inner", { type: "Memory", sizeBytes: innerSize })
          innerPayload = inner.payload as Uint8Array // read while the hook runs
          innerPayload[0] = 42
        }
      }
    )
    expect(outer.payload).toBe("made")
    outer.release()
    if (inner === undefined || innerPayload === undefined) throw new Error("the destroy hook did not run")
    return { manager, inner, innerPayload }
  }

  test("the new resource gets a block of its own, and every block comes back", () => {
    const { manager, inner } = releaseOuter(4, 64)
    const third = manager.acquire("third", { type: "Memory", sizeBytes: 64 })
    expect(third.payload[0]).toBe(0) // not the inner resource's block
    expect(manager.snapshot().pools[0]?.usedBlocks).toBe(2)
    inner.release()
    third.release()
    expect(manager.snapshot().pools[0]?.usedBlocks).toBe(0)
    expect(manager.pools.destroyPool("Memory", 64).ok).toBe(true)
    manager.close()
  })

  test("a request no pool serves, made in the hook, gets its own heap payload, not the freed block", () => {
    const { manager, inner, innerPayload } = releaseOuter(2, 500)
    expect(innerPayload.byteLength).toBe(500)
    expect(manager.snapshot().pools[0]?.usedBlocks).toBe(0)
    inner.release()
    manager.close()
  })
})

describe("manager.pools.routingStats()", () => {
  test("counts the manager's own admissions: served by a block, by the heap when the pool is out, or unrouted", () => {
    const manager = createResourceManager({ ...quiet, budgets: { Memory: budget } })
    manager.pools.createPool({ type: "Memory", blockSize: 64, initialCount: 1, maxCount: 1 })
    const hit = manager.acquire("", { type: "Memory", sizeBytes: 60 }) // the one step: a block
    const out = manager.acquire("", { type: "Memory", sizeBytes: 60 }) // the pool has none left: the heap
    const big = manager.acquire("", { type: "Memory", sizeBytes: 500 }) // no pool takes 500 bytes
    hit.release()
    const general = manager.acquire("", { type: "Memory", sizeBytes: 60 }, { owner: "audio" }) // general path
    const failed = (() => {
      try {
        return manager.acquire("", { type: "Memory", sizeBytes: 1 << 30 })
      } catch {
        return undefined // refused: not counted
      }
    })()
    expect(failed).toBeUndefined()
    expect(manager.pools.routingStats()).toEqual({ hits: 2, misses: 1, exhaustedFallbacks: 1, pools: 1 })
    // a type without pools is not routed at all
    manager.acquire("", { type: "Hardware", sizeBytes: 1 }).release()
    expect(manager.pools.routingStats()).toEqual({ hits: 2, misses: 1, exhaustedFallbacks: 1, pools: 1 })
    for (const ref of [out, big, general]) ref.release()
    manager.close()
  })
})
