// A detached SharedBlockPool handle's tryAlloc says the handle has detached (PoolDetached), not that the pool is
// exhausted: the pool may have every block free. It changes nothing and counts nothing (its slot may be another's).
import { describe, expect, test } from "bun:test"
import { PoolDetached, PoolExhausted, SharedBlockPool } from "../src/index.ts"

const must = <A>(r: { readonly ok: true; readonly value: A } | { readonly ok: false; readonly error: unknown }): A => {
  if (!r.ok) throw r.error
  return r.value
}

describe("a detached SharedBlockPool handle", () => {
  test("tryAlloc gives PoolDetached with the pool's name and the handle's slot, while blocks are free", () => {
    const pool = must(SharedBlockPool.make({ name: "f", blockSize: 1024, blockCount: 8, maxThreads: 2 }))
    const other = must(SharedBlockPool.attach(pool.buffer))
    pool.detach()
    const before = other.stats()
    expect(before.freeBlocks).toBe(8)
    const r = pool.tryAlloc()
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error).toBeInstanceOf(PoolDetached)
    expect(r.error).not.toBeInstanceOf(PoolExhausted)
    expect(r.error._tag).toBe("PoolDetached")
    expect(r.error.message).toBe("Pool f: this handle (slot 0) has detached; attach again to allocate")
    expect(r.error instanceof PoolDetached && [r.error.pool, r.error.slot, r.error.category, r.error.code]).toEqual([
      "f",
      pool.slot,
      "Pool",
      8
    ])
    // nothing changed, nothing counted
    expect(other.stats()).toEqual(before)
    // the other handle still allocates
    expect(other.tryAlloc().ok).toBe(true)
    other.detach()
  })

  test("a detached handle whose slot another attachment took: still PoolDetached, the new owner's counts unchanged", () => {
    const pool = must(SharedBlockPool.make({ name: "g", blockSize: 64, blockCount: 4, maxThreads: 1 }))
    pool.detach()
    const next = must(SharedBlockPool.attach(pool.buffer))
    expect(next.slot).toBe(pool.slot)
    const before = next.stats()
    const r = pool.tryAlloc()
    expect(!r.ok && r.error._tag).toBe("PoolDetached")
    expect(next.stats()).toEqual(before)
    next.detach()
  })

  test("an attached handle with every block in use still gives PoolExhausted", () => {
    const pool = must(SharedBlockPool.make({ name: "h", blockSize: 64, blockCount: 2, maxThreads: 1 }))
    must(pool.tryAlloc())
    must(pool.tryAlloc())
    const r = pool.tryAlloc()
    expect(!r.ok && r.error._tag).toBe("PoolExhausted")
    pool.detach()
  })
})
