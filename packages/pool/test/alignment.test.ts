import { describe, expect, test } from "bun:test"
import { BlockPool, PoolManager, SharedBlockPool } from "../src/index.ts"

const alignments = [1, 8, 16, 32, 64, 128, 4096]

/** Every block of a pool, allocated until it is exhausted. */
const drain = (pool: { alloc(): number }): Array<number> => {
  const handles: Array<number> = []
  for (let h = pool.alloc(); h >= 0; h = pool.alloc()) handles.push(h)
  return handles
}

describe("pools honour their alignment", () => {
  for (const storage of ["resizable", "slabs"] as const) {
    test(`BlockPool (${storage}): every block's byteOffset is a multiple of the alignment, after growth too`, () => {
      for (const alignment of alignments) {
        // 104 bytes is 8-aligned only: the block size is rounded up to the alignment
        const made = BlockPool.make({ blockSize: 104, initialCount: 1, maxCount: 9, alignment, storage })
        if (!made.ok) throw made.error
        const pool = made.value
        const handles = drain(pool) // grows from 1 block to 9
        expect(handles.length).toBe(9)
        for (const handle of handles) {
          const view = pool.view(handle)
          expect(view.byteOffset % alignment).toBe(0)
          expect(view.byteLength).toBeGreaterThanOrEqual(104)
        }
      }
    })
  }

  test("SharedBlockPool: every block's byteOffset is a multiple of the alignment", () => {
    for (const alignment of alignments) {
      const made = SharedBlockPool.make({ blockSize: 104, blockCount: 6, alignment, maxThreads: 1 })
      if (!made.ok) throw made.error
      const pool = made.value
      expect(pool.alignment).toBe(alignment)
      const handles = drain(pool)
      expect(handles.length).toBe(6)
      for (const handle of handles) expect(pool.view(handle).byteOffset % alignment).toBe(0)
      pool.detach()
    }
  })
})

describe("PoolManager routes by alignment", () => {
  const manager = () => {
    const m = new PoolManager()
    for (const config of [
      { blockSize: 104, alignment: 8 },
      { blockSize: 256, alignment: 64 },
      { blockSize: 1024, alignment: 256 }
    ]) {
      const r = m.createPool({ type: "Memory", initialCount: 1, maxCount: 4, ...config })
      if (!r.ok) throw r.error
    }
    return m
  }

  test("a request goes only to a pool whose alignment satisfies it", () => {
    const m = manager()
    expect(m.route("Memory", 100)?.blockSize).toBe(104)
    expect(m.route("Memory", 100, 8)?.blockSize).toBe(104)
    expect(m.route("Memory", 100, 64)?.blockSize).toBe(256)
    expect(m.route("Memory", 100, 128)?.blockSize).toBe(1024)
    expect(m.route("Memory", 100, 512)).toBeUndefined()
  })

  test("allocate: a 64-aligned request is never served from the 8-aligned pool", () => {
    const m = manager()
    for (const alignment of [1, 8, 64, 256, 512]) {
      for (let i = 0; i < 6; i++) {
        const a = m.allocate("Memory", 100, alignment)
        if (!a.ok) throw a.error
        expect(a.value.view.byteOffset % alignment).toBe(0)
        expect(a.value.view.byteLength).toBeGreaterThanOrEqual(100)
      }
    }
  })

  test("allocate: the heap fallback is aligned (offset 0)", () => {
    const m = manager()
    const a = m.allocate("Memory", 5000, 4096)
    if (!a.ok) throw a.error
    expect(a.value.kind).toBe("heap")
    expect(a.value.view.byteOffset % 4096).toBe(0)
  })

  test("allocate: an alignment that is not a power of two is InvalidPoolConfig naming it", () => {
    const m = manager()
    for (const bad of [0, 3, 48, -8, 1.5, Number.NaN, 2 ** 31]) {
      const a = m.allocate("Memory", 100, bad)
      expect(a.ok).toBe(false)
      if (!a.ok) {
        expect(a.error._tag).toBe("InvalidPoolConfig")
        expect(a.error.field).toBe("alignment")
      }
    }
    expect(m.routingStats()).toEqual({ hits: 0, misses: 0, exhaustedFallbacks: 0, pools: 3 })
  })
})
