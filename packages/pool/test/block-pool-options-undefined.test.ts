/**
 * Under `exactOptionalPropertyTypes` (on in this repository's tsconfig), every optional field of
 * `BlockPoolOptions` takes an explicit `undefined`, which `BlockPool.make` reads as the default (docs/pools.md: "Only
 * a field left out (or `undefined`) takes its default"): a wrapper that forwards its own optional settings
 * (`alignment: options.alignment`) compiles. The object is checked by `tsc -b` (without `| undefined` on the
 * fields, TS2375) and the pool made from it has the defaults. `StorageKind`, the type of `storage` and
 * `storageKind`, is exported.
 */
import { describe, expect, test } from "bun:test"
import { BlockPool, type BlockPoolOptions, type StorageKind } from "../src/index.ts"

/** A wrapper's own options, forwarded field by field: each may be undefined. */
interface Forwarded {
  readonly alignment?: number | undefined
  readonly storage?: StorageKind | undefined
}
const forwarded: Forwarded = {}

describe("BlockPoolOptions with explicit undefined", () => {
  test("every optional field undefined takes its default", () => {
    const options: BlockPoolOptions = {
      blockSize: 60,
      maxCount: 4,
      initialCount: undefined,
      alignment: forwarded.alignment,
      name: undefined,
      debug: undefined,
      storage: forwarded.storage,
      admitGrowth: undefined,
      onCapacityChange: undefined,
      onUseAfterFree: undefined
    }
    const made = BlockPool.make(options)
    if (!made.ok) throw made.error
    const pool = made.value
    const kind: StorageKind = pool.storageKind
    expect([pool.name, pool.blockSize, pool.alignment, pool.initialCount]).toEqual(["pool-60", 64, 8, 0])
    expect(["resizable", "slabs"]).toContain(kind)
  })
})
