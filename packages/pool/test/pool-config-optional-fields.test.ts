/**
 * `PoolConfig.initialCount` is optional, as the run time has it (left out, or `undefined`, it is 0: docs/pools.md,
 * "a field left out takes its default"), and under `exactOptionalPropertyTypes` (on in this repository's tsconfig)
 * every optional field of `PoolConfig` and `SharedBlockPoolOptions` takes an explicit `undefined`, which the run
 * time reads as the default: a wrapper forwarding its own optional settings (`alignment: options.alignment`)
 * compiles. `tsc -b` checks these objects (without the types' change: TS2741 for the left-out initialCount, TS2375
 * for the undefined fields); the tests run them to show the defaults apply.
 */
import { describe, expect, test } from "bun:test"
import { type PoolConfig, PoolManager, SharedBlockPool, type SharedBlockPoolOptions } from "../src/index.ts"

/** A wrapper's own options, forwarded field by field: each may be undefined. */
interface Forwarded {
  readonly initialCount?: number | undefined
  readonly alignment?: number | undefined
  readonly name?: string | undefined
  readonly debug?: boolean | undefined
  readonly maxThreads?: number | undefined
  readonly batchSize?: number | undefined
  readonly threadSafe?: boolean | undefined
}
const forwarded: Forwarded = {}

describe("PoolConfig's optional fields", () => {
  test("a config without initialCount compiles and starts with no block", () => {
    const config: PoolConfig = { type: "Memory", blockSize: 64, maxCount: 4 }
    const manager = new PoolManager()
    const made = manager.createPool(config)
    if (!made.ok) throw made.error
    expect(made.value.stats().totalBlocks).toBe(0)
    // and inline, as a call's argument
    const inline = manager.createPool({ type: "Memory", blockSize: 128, maxCount: 2 })
    expect(inline.ok && inline.value.stats().totalBlocks).toBe(0)
  })

  test("every optional field undefined takes its default", () => {
    const config: PoolConfig = {
      type: "Memory",
      blockSize: 60,
      maxCount: 4,
      initialCount: forwarded.initialCount,
      alignment: forwarded.alignment,
      threadSafe: forwarded.threadSafe,
      name: forwarded.name,
      debug: forwarded.debug
    }
    const made = new PoolManager().createPool(config)
    if (!made.ok) throw made.error
    const stats = made.value.stats()
    expect([stats.name, stats.blockSize, stats.totalBlocks]).toEqual(["Memory-60", 64, 0])
  })

  test("a thread-safe config with undefined fields makes a shared pool of maxCount blocks", () => {
    const config: PoolConfig = {
      type: "Memory",
      blockSize: 64,
      maxCount: 4,
      initialCount: undefined,
      alignment: undefined,
      threadSafe: true,
      name: undefined,
      debug: undefined
    }
    const made = new PoolManager().createPool(config)
    if (!made.ok) throw made.error
    expect(made.value).toBeInstanceOf(SharedBlockPool)
    expect(made.value.stats().totalBlocks).toBe(4)
    if (made.value instanceof SharedBlockPool) made.value.detach()
  })
})

describe("SharedBlockPoolOptions' optional fields", () => {
  test("every optional field undefined takes its default", () => {
    const options: SharedBlockPoolOptions = {
      blockSize: 60,
      blockCount: 64,
      alignment: forwarded.alignment,
      name: forwarded.name,
      maxThreads: forwarded.maxThreads,
      batchSize: forwarded.batchSize,
      debug: forwarded.debug
    }
    const made = SharedBlockPool.make(options)
    if (!made.ok) throw made.error
    const pool = made.value
    // the defaults: alignment 8, name pool-<blockSize>, 16 threads, batch blockCount / (4 × 16) = 1, no debug
    expect([pool.name, pool.blockSize, pool.alignment, pool.batchSize, pool.debug]).toEqual([
      "pool-60",
      64,
      8,
      1,
      false
    ])
    const attached = Array.from({ length: 16 }, () => SharedBlockPool.attach(pool.buffer))
    expect(attached.filter((r) => r.ok)).toHaveLength(15) // 16 slots, the maker's included
    for (const r of attached) if (r.ok) r.value.detach()
    pool.detach()
  })
})
