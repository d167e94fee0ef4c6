/**
 * The manager's `pools:` entries and `manager.pools.createPool` take the pool package's `PoolConfig`, whose
 * `initialCount` is optional (default 0) and whose optional fields take an explicit `undefined` under
 * `exactOptionalPropertyTypes`, as the run time reads them. `tsc -b` checks these objects (TS2741 / TS2322
 * without the change); the test runs them to show the defaults apply.
 */
import { describe, expect, test } from "bun:test"
import { createResourceManager, type ManagerPoolConfig } from "../src/index.ts"

const quiet = { onLeaks: () => {} }
const forwarded: { readonly initialCount?: number | undefined; readonly name?: string | undefined } = {}

describe("the manager's pool configs", () => {
  test("a pools: entry without initialCount, one with undefined fields, and createPool without one", () => {
    const entry: ManagerPoolConfig = {
      type: "Memory",
      blockSize: 128,
      maxCount: 4,
      initialCount: forwarded.initialCount,
      name: forwarded.name,
      alignment: undefined,
      threadSafe: undefined,
      debug: undefined
    }
    const manager = createResourceManager({
      ...quiet,
      pools: [{ type: "Memory", blockSize: 64, maxCount: 4 }, entry]
    })
    const made = manager.pools.createPool({ type: "Memory", blockSize: 256, maxCount: 2 })
    expect(made.ok).toBe(true)
    const pools = manager.snapshot().pools
    expect(pools.map((p) => [p.blockSize, p.totalCapacityBytes])).toEqual([
      [64, 0],
      [128, 0],
      [256, 0]
    ])
    manager.close()
  })
})
