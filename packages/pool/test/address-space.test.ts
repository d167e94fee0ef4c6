/**
 * A pool on one resizable buffer reserves `maxCount × blockSize` of address space when it is made, and a runtime can
 * refuse that (a RangeError: a `ulimit -v`, or the mappings of thousands of such pools used up). Made with the
 * default storage, the pool then keeps its blocks in slabs; asked for one buffer, it fails with InvalidPoolConfig.
 * Neither throws. The refusal is staged by an `ArrayBuffer` that refuses every `maxByteLength`.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test"
import { BlockPool, InvalidPoolConfig, PoolManager } from "../src/index.ts"

const Real = globalThis.ArrayBuffer
/** An ArrayBuffer whose resizable form the runtime refuses, as it does when the address space is used up. */
class RefusingArrayBuffer extends Real {
  constructor(length: number, options?: { readonly maxByteLength?: number }) {
    if (options?.maxByteLength !== undefined) throw new RangeError("Out of memory")
    super(length)
  }
}

describe("a reservation the runtime refuses", () => {
  beforeEach(() => {
    globalThis.ArrayBuffer = RefusingArrayBuffer as ArrayBufferConstructor
  })
  afterEach(() => {
    globalThis.ArrayBuffer = Real
  })

  test("default storage: the pool is made on slabs and works", () => {
    const made = BlockPool.make({ blockSize: 1 << 20, initialCount: 1, maxCount: 2048 })
    expect(made.ok).toBe(true)
    if (!made.ok) return
    const pool = made.value
    expect(pool.storageKind).toBe("slabs")
    const block = pool.alloc()
    expect(pool.view(block).byteLength).toBe(1 << 20)
    expect(pool.free(block)).toBe(true)
  })

  test('storage "resizable": InvalidPoolConfig naming the field, nothing thrown', () => {
    const made = BlockPool.make({ blockSize: 1 << 20, maxCount: 2048, storage: "resizable" })
    expect(made.ok).toBe(false)
    if (made.ok) return
    const error = made.error
    if (!(error instanceof InvalidPoolConfig)) throw new Error(`expected InvalidPoolConfig, got ${error._tag}`)
    expect(error.field).toBe("storage")
    expect(error.issue).toContain("could not reserve")
  })

  test("a pool manager's createPool: made on slabs, routed as usual", () => {
    const manager = new PoolManager()
    const created = manager.createPool({ type: "Memory", blockSize: 4096, initialCount: 1, maxCount: 64 })
    expect(created.ok).toBe(true)
    const pool = manager.route("Memory", 100)
    expect(pool instanceof BlockPool && pool.storageKind).toBe("slabs")
  })
})
