/**
 * After a shared manager's lost-thread repair, its pools' stats are exact: the repair rebuilds each pool's free
 * list from the blocks of the live resources (`SharedBlockPool.rebuild`), and a block it takes back that the
 * pool's counters still counted as allocated (a thread stopped in the middle of an allocation, or a block a
 * `destroy` hook kept out of its pool) is no longer counted used. Before `rebuild` corrected the counters, such a
 * block stayed counted forever: `usedBlocks` above the blocks really out, up to more than `totalBlocks`.
 *
 * The repair is driven directly (the creator's reaping, what its heartbeat does once a thread's heartbeat stopped),
 * and the pool is read through an attachment of its buffer, as a caller reads a shared manager's pool.
 */
import { afterEach, describe, expect, test } from "bun:test"
import type { ResourceMetadata } from "@flight-hal/core"
import { SharedBlockPool } from "@flight-hal/pool"
import type { SharedResourceManager } from "../src/index.ts"
import { OpenedManagers } from "./support/shared-agents.ts"

const budgets = { Memory: { maxBytes: 1 << 20, reservedBytes: 0, warningPercent: 75, criticalPercent: 90 } }
const small = { type: "Memory", sizeBytes: 32 } as const satisfies ResourceMetadata
const pooled = (payload: Uint8Array): boolean => payload.buffer instanceof SharedArrayBuffer

const opened = new OpenedManagers()
afterEach(() => opened.closeAll())
const make = (blocks: number): SharedResourceManager =>
  opened.make({ budgets, pools: [{ type: "Memory", blockSize: 64, blockCount: blocks }] })

/** The creator's reaping of a thread. */
const reap = (creator: SharedResourceManager, thread: number): void =>
  (creator as unknown as { reap(thread: number): void }).reap(thread)

/** The manager's pool, as its stats read from another attachment of its buffer. */
const poolStats = (manager: SharedResourceManager) => {
  const buffer = manager.descriptor.pools[0]
  if (buffer === undefined) throw new Error("no pool")
  const attached = SharedBlockPool.attach(buffer)
  if (!attached.ok) throw attached.error
  const s = attached.value.stats()
  attached.value.detach()
  return { used: s.usedBlocks, free: s.freeBlocks }
}

/** A thread's own handle of the manager's first pool (what its pool steps go through). */
const ownPool = (manager: SharedResourceManager): SharedBlockPool => {
  const pools = (manager as unknown as { pools: ReadonlyArray<{ readonly pool: SharedBlockPool }> }).pools
  const pool = pools[0]?.pool
  if (pool === undefined) throw new Error("no pool")
  return pool
}

describe("shared manager: pool stats after a lost-thread repair", () => {
  test("a thread lost in the middle of an allocation (a block taken, no resource recorded): the block is free again and counted free", () => {
    const manager = make(4)
    const lost = opened.attachHere(manager)
    const mine = manager.acquire(small)
    expect(pooled(mine.payload)).toBe(true)
    // the lost thread's pool step took a block; it stopped before its resource slot recorded it
    expect(ownPool(lost).alloc()).toBeGreaterThanOrEqual(0)
    expect(poolStats(manager)).toEqual({ used: 2, free: 2 })
    reap(manager, lost.thread)
    expect(poolStats(manager)).toEqual({ used: 1, free: 3 })
    const more = [1, 2, 3].map(() => manager.acquire(small))
    expect(more.map((r) => pooled(r.payload))).toEqual([true, true, true])
    expect(poolStats(manager)).toEqual({ used: 4, free: 0 })
    for (const r of [mine, ...more]) r.release()
    expect(poolStats(manager)).toEqual({ used: 0, free: 4 })
  })

  test("a repair while a destroy hook keeps a freed block out of its pool: the block is counted free once", () => {
    const manager = make(1)
    const lost = opened.attachHere(manager)
    const ref = manager.acquire(small, { destroy: () => reap(manager, lost.thread) })
    expect(pooled(ref.payload)).toBe(true)
    ref.release()
    expect(poolStats(manager)).toEqual({ used: 0, free: 1 })
    const again = manager.acquire(small)
    expect(pooled(again.payload)).toBe(true)
    expect(poolStats(manager)).toEqual({ used: 1, free: 0 })
    again.release()
    expect(poolStats(manager)).toEqual({ used: 0, free: 1 })
  })
})
