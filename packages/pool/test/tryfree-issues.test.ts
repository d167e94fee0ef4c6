// tryFree says why a free was refused (docs/pools.md, "Rejections never corrupt"), and BlockPool and SharedBlockPool
// give the same reason for the same kind of value. Every refusal changes nothing but the invalidFrees count.
import { describe, expect, test } from "bun:test"
import { BlockPool, SharedBlockPool } from "../src/index.ts"

const must = <A>(r: { readonly ok: true; readonly value: A } | { readonly ok: false; readonly error: unknown }): A => {
  if (!r.ok) throw r.error
  return r.value
}

/** A pool of 8 blocks with block 0 allocated and block 1 allocated then freed; the other blocks never handed out. */
const worlds = () => {
  const block = must(BlockPool.make({ name: "local", blockSize: 16, initialCount: 8, maxCount: 8 }))
  const shared = must(SharedBlockPool.make({ name: "shared", blockSize: 16, blockCount: 8, maxThreads: 1 }))
  return [block, shared].map((pool) => {
    const held = pool.alloc()
    const freed = pool.alloc()
    pool.free(freed)
    return { pool, held, freed }
  })
}

/** The values to refuse, each with the reason both classes give. */
const cases = (held: number, freed: number, foreign: number) =>
  [
    [freed, "already free (double free)", "not allocated (already free, or never allocated)"],
    [held + 5, "never allocated", "not allocated (already free, or never allocated)"],
    [held + 8, "out of range", "out of range"],
    [held + 1000, "out of range", "out of range"],
    [foreign, "not a block of this pool (foreign handle)", "not a block of this pool (foreign handle)"],
    [2 ** 31, "out of range", "out of range"],
    [2 ** 31 + held, "out of range", "out of range"],
    [2 ** 40, "out of range", "out of range"],
    [2 ** 53, "out of range", "out of range"],
    [-1, "negative handle", "negative handle"],
    [-(2 ** 31), "negative handle", "negative handle"],
    [-(2 ** 40), "negative handle", "negative handle"],
    [1.5, "not an integer handle", "not an integer handle"],
    [Number.NaN, "not an integer handle", "not an integer handle"],
    [Number.POSITIVE_INFINITY, "not an integer handle", "not an integer handle"],
    [String(held), "not an integer handle", "not an integer handle"]
  ] as const

describe("tryFree's reasons", () => {
  test("BlockPool and SharedBlockPool refuse each value for the reason that holds, alike", () => {
    const [local, shared] = worlds() as [ReturnType<typeof worlds>[number], ReturnType<typeof worlds>[number]]
    // a foreign handle: another pool's (of the same thread: another tag)
    const other = must(BlockPool.make({ blockSize: 16, initialCount: 1, maxCount: 1 }))
    const foreign = other.alloc()
    for (const [world, column] of [
      [local, 1],
      [shared, 2]
    ] as const) {
      const { pool, held, freed } = world
      const before = pool.stats()
      const rows = cases(held, freed, foreign)
      const got = rows.map((row) => {
        const r = pool.tryFree(row[0] as number)
        return r.ok ? "freed" : r.error.issue
      })
      expect(got).toEqual(rows.map((row) => row[column]))
      // nothing changed but the count of refused frees
      expect(pool.stats()).toEqual({ ...before, invalidFrees: before.invalidFrees + rows.length })
      expect(pool.isAllocated(held)).toBe(true)
      // the error's index is the value as given (NaN for one that is not a number)
      const r = pool.tryFree(String(held) as unknown as number)
      expect(!r.ok && r.error.index).toBeNaN()
      const big = pool.tryFree(2 ** 40)
      expect(!big.ok && big.error.index).toBe(2 ** 40)
    }
    if (shared.pool instanceof SharedBlockPool) shared.pool.detach()
  })

  test("a BlockPool's block past a trim is out of range; regrown, it was never allocated", () => {
    const pool = must(BlockPool.make({ blockSize: 16, maxCount: 64, storage: "resizable" }))
    const handles = Array.from({ length: 16 }, () => pool.alloc())
    for (const h of handles) pool.free(h)
    const last = handles[15] as number
    expect(pool.trim()).toBeGreaterThan(0)
    const r = pool.tryFree(last)
    expect(!r.ok && r.error.issue).toBe("out of range")
    expect(pool.grow(16)).toBe(16)
    const again = pool.tryFree(last)
    expect(!again.ok && again.error.issue).toBe("never allocated")
  })

  test("a shared pool: refused by a detached handle, and while rebuild asks isHeld", () => {
    const pool = must(SharedBlockPool.make({ blockSize: 16, blockCount: 8, maxThreads: 2 }))
    const held = pool.alloc()
    let during = ""
    pool.rebuild((h) => {
      if (h === held) {
        const r = pool.tryFree(held)
        during = r.ok ? "freed" : r.error.issue
      }
      return h === held
    })
    expect(during).toBe("a rebuild is running (its isHeld is being asked)")
    expect(pool.isAllocated(held)).toBe(true)
    pool.detach()
    const r = pool.tryFree(held)
    expect(!r.ok && r.error.issue).toBe("this thread has detached from the pool")
  })
})
