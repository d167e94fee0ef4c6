import { describe, expect, test } from "bun:test"
import { BlockPool, type BlockPoolOptions, NO_BLOCK, UseAfterFree } from "../src/index.ts"

const make = (options: Partial<BlockPoolOptions> = {}): BlockPool => {
  const r = BlockPool.make({ name: "t", blockSize: 64, initialCount: 4, maxCount: 8, ...options })
  if (!r.ok) throw r.error
  return r.value
}

describe("BlockPool", () => {
  test("hands out distinct blocks with cached zero-copy views", () => {
    const pool = make()
    const a = pool.alloc()
    const b = pool.alloc()
    expect(a).not.toBe(b)
    const view = pool.view(a)
    expect(view.length).toBe(64)
    expect(pool.view(a)).toBe(view) // cached: the same object every time
    view.fill(1)
    pool.view(b).fill(2)
    expect(view.every((x) => x === 1)).toBe(true) // blocks do not overlap
    expect(view.buffer).toBe(pool.view(b).buffer) // one buffer (resizable) here
    expect(pool.view(a).byteOffset % 8).toBe(0)
  })

  test("grows without moving blocks, never beyond maxCount, then returns the sentinel", () => {
    const pool = make()
    const first = pool.alloc()
    const view = pool.view(first)
    view.fill(9)
    const held = [first]
    for (let i = 1; i < 8; i++) held.push(pool.alloc())
    expect(pool.stats().totalBlocks).toBe(8)
    expect(pool.view(first)).toBe(view)
    expect(view.every((x) => x === 9)).toBe(true)
    expect(pool.alloc()).toBe(NO_BLOCK)
    const r = pool.tryAlloc()
    expect(!r.ok && r.error._tag === "PoolExhausted" && r.error.maxCount === 8).toBe(true)
    expect(pool.stats().failures).toBe(2)
  })

  test("slab storage also keeps blocks in place across growth", () => {
    const pool = make({ storage: "slabs" })
    expect(pool.storageKind).toBe("slabs")
    const handles = Array.from({ length: 8 }, () => pool.alloc())
    handles.forEach((h, k) => {
      pool.view(h).fill(k)
    })
    handles.forEach((h, k) => {
      expect(pool.view(h).every((x) => x === k)).toBe(true)
    })
  })

  test("rejects double free, out-of-range, foreign and non-integer handles without side effects", () => {
    const pool = make()
    const other = make()
    const h = pool.alloc()
    const foreign = other.alloc()
    expect(pool.free(h)).toBe(true)
    const before = pool.stats()
    // this pool's tag with an index past its capacity (maxCount 8): out of range, whatever the tag is
    const outOfRange = h + 1_000
    const issues = [h, foreign, outOfRange, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY].map((x) => {
      const r = pool.tryFree(x)
      return r.ok ? "ok" : r.error.issue
    })
    expect(issues).toEqual([
      "already free (double free)",
      "not a block of this pool (foreign handle)",
      "out of range",
      "negative handle",
      "not an integer handle",
      "not an integer handle",
      "not an integer handle"
    ])
    const after = pool.stats()
    expect({ ...after, invalidFrees: 0 }).toEqual({ ...before, invalidFrees: 0 })
    expect(after.invalidFrees).toBe(7)
    expect(pool.verifyFreeList()).toBe(4)
    expect(pool.view(foreign).length).toBe(0)
  })

  test("a number equal to a live handle in its low 32 bits, or a fraction of one, frees nothing", () => {
    // free takes the tag off with `^` (an int32 operation): numbers past 32 bits or with a fraction must not be
    // truncated into a handle
    const pool = make()
    const h = pool.alloc()
    const before = pool.stats()
    // -h: the handle negated, except for the handle 0 (tag 0, block 0), whose -0 is 0 itself
    for (const x of [h + 2 ** 32, h - 2 ** 32, h + 2 ** 52, h + 0.5, h - 0.25, h === 0 ? -1 : -h, h | 0x80000000]) {
      expect(pool.free(x)).toBe(false)
    }
    expect(pool.isAllocated(h)).toBe(true)
    expect(pool.stats()).toEqual({ ...before, invalidFrees: 7 })
    expect(pool.free(h)).toBe(true)
  })

  test("a debug pool checks the block of an alloc that grew the pool once", () => {
    // the block the growth adds is written (by the growth's own hook) before the alloc hands it out: one report
    const seen: UseAfterFree[] = []
    let pool: BlockPool | undefined
    let tag = 0
    const created = BlockPool.make({
      name: "t",
      blockSize: 64,
      initialCount: 1,
      maxCount: 4,
      debug: true,
      onUseAfterFree: (e) => seen.push(e),
      onCapacityChange: (delta) => {
        if (delta > 0 && pool !== undefined) pool.view(1 | tag)[0] = 7
      }
    })
    if (!created.ok) throw created.error
    pool = created.value
    const first = pool.alloc()
    tag = first - pool.indexOf(first)
    const second = pool.alloc() // grows: block 1 is new, and the hook wrote into it
    expect(pool.indexOf(second)).toBe(1)
    expect(seen.map((e) => e.index)).toEqual([1])
    expect(pool.stats().useAfterFree).toBe(1)
    expect(pool.free(second)).toBe(true)
    expect(pool.view(second).every((x) => x === 0xdd)).toBe(true) // poisoned on free
  })

  test("stats are exact", () => {
    const pool = make()
    const a = pool.alloc()
    pool.alloc()
    pool.free(a)
    expect(pool.stats()).toEqual({
      name: "t",
      blockSize: 64,
      totalBlocks: 4,
      usedBlocks: 1,
      freeBlocks: 3,
      usedBytes: 64,
      freeBytes: 192,
      totalCapacityBytes: 256,
      peakUsedBlocks: 2,
      allocations: 2,
      frees: 1,
      failures: 0,
      invalidFrees: 0,
      useAfterFree: 0,
      efficiency: 0.25
    })
    expect(pool.bookkeepingBytesPerBlock).toBe(4)
  })

  test("admitGrowth can refuse growth and onCapacityChange sees every byte", () => {
    const deltas: number[] = []
    let allow = true
    const pool = make({ initialCount: 1, admitGrowth: () => allow, onCapacityChange: (d) => deltas.push(d) })
    pool.alloc()
    allow = false
    expect(pool.alloc()).toBe(NO_BLOCK)
    allow = true
    expect(pool.alloc()).toBeGreaterThanOrEqual(0)
    expect(deltas).toEqual([64, 7 * 64])
    const refused = BlockPool.make({ blockSize: 8, initialCount: 2, maxCount: 4, admitGrowth: () => false })
    expect(!refused.ok && refused.error._tag === "PoolExhausted").toBe(true)
    const throwing = make({
      initialCount: 0,
      admitGrowth: () => {
        throw new Error("budget service down")
      }
    })
    expect(throwing.alloc()).toBe(NO_BLOCK) // a throwing hook counts as a refusal
  })

  test("trim releases the free tail and reports it", () => {
    const released: number[] = []
    const pool = make({ initialCount: 0, onCapacityChange: (d) => d < 0 && released.push(-d) })
    const handles = Array.from({ length: 8 }, () => pool.alloc())
    for (const h of handles.slice(2)) pool.free(h)
    expect(pool.trim()).toBe(6 * 64)
    expect(released).toEqual([6 * 64])
    expect(pool.stats().totalBlocks).toBe(2)
    expect(pool.trim()).toBe(0)
    for (const h of handles.slice(0, 2)) pool.free(h)
    expect(pool.trim(1)).toBe(64)
    expect(pool.verifyFreeList()).toBe(1)
  })

  test("grow and trim read a count that is not one alike: nothing changes, 0 returned; only an omitted one defaults", () => {
    const pool = make({ initialCount: 4, maxCount: 64 })
    const notCounts = [null, Number.NaN, -1, 2.5, "8", Number.POSITIVE_INFINITY] as unknown as number[]
    for (const count of notCounts) {
      expect(pool.grow(count)).toBe(0)
      expect(pool.trim(count)).toBe(0)
      expect(pool.stats().totalBlocks).toBe(4)
    }
    expect(pool.grow()).toBe(8) // the default: double, at least 8
    expect(pool.trim()).toBe(12 * 64) // the default: keep none of the free tail
  })

  test("debug mode detects writes after free", () => {
    const seen: UseAfterFree[] = []
    const pool = make({ debug: true, onUseAfterFree: (e) => seen.push(e) })
    const h = pool.alloc()
    pool.free(h)
    pool.view(h)[3] = 1 // use after free
    const r = pool.tryAlloc()
    expect(!r.ok && r.error instanceof UseAfterFree && r.error.index === pool.indexOf(h)).toBe(true)
    expect(pool.stats().useAfterFree).toBe(1)
    expect(pool.stats().usedBlocks).toBe(0) // the block was re-poisoned and stays free
    const again = pool.alloc()
    expect(again).toBe(h)
    pool.free(again)
    pool.view(again)[0] = 0
    pool.alloc() // unchecked alloc reports through the hook, never throws
    expect(seen.map((e) => e._tag)).toEqual(["UseAfterFree"])
  })

  test("running out of memory during growth leaves the pool unchanged and refunds the admitted bytes", () => {
    const deltas: number[] = []
    const pool = make({ initialCount: 0, admitGrowth: () => true, onCapacityChange: (d) => deltas.push(d) })
    expect(pool.storageKind).toBe("resizable")
    const proto = ArrayBuffer.prototype as unknown as { resize: (n: number) => void }
    const resize = proto.resize
    proto.resize = () => {
      throw new RangeError("out of memory")
    }
    try {
      expect(pool.alloc()).toBe(NO_BLOCK)
    } finally {
      proto.resize = resize
    }
    expect(deltas).toEqual([-8 * 64])
    expect(pool.stats().totalBlocks).toBe(0)
    expect(pool.stats().failures).toBe(1)
    expect(pool.alloc()).toBeGreaterThanOrEqual(0) // memory is back: growth works again
  })
})
