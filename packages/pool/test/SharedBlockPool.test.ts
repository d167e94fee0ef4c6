import { describe, expect, test } from "bun:test"
import { SharedBlockPool, type SharedBlockPoolOptions } from "../src/index.ts"
import { NAME_MAX_BYTES } from "../src/internal/shared-layout.ts"
import type { StressRequest, StressResult } from "./fixtures/stress-worker.ts"

const make = (options: Partial<SharedBlockPoolOptions> = {}): SharedBlockPool => {
  const r = SharedBlockPool.make({ name: "shared", blockSize: 64, blockCount: 64, maxThreads: 4, ...options })
  if (!r.ok) throw r.error
  return r.value
}

describe("SharedBlockPool (one thread)", () => {
  test("alloc, views, exhaustion, stats and the free list", () => {
    const pool = make({ batchSize: 4 })
    const handles = Array.from({ length: 64 }, () => pool.alloc())
    expect(new Set(handles.map((h) => pool.indexOf(h))).size).toBe(64)
    expect(pool.alloc()).toBe(-1)
    const r = pool.tryAlloc()
    expect(!r.ok && r.error._tag).toBe("PoolExhausted")
    const view = pool.view(handles[0] as number)
    expect(view.length).toBe(64)
    expect(view.buffer).toBe(pool.buffer)
    expect(pool.view(handles[0] as number)).toBe(view)
    for (const h of handles) expect(pool.free(h)).toBe(true)
    const s = pool.stats()
    expect([s.usedBlocks, s.allocations, s.frees, s.failures, s.peakUsedBlocks]).toEqual([0, 64, 64, 2, 64])
    pool.flush()
    expect(pool.verifySharedFreeList()).toBe(64)
  })

  test("rebuild: blocks not held come back to the free list (a thread's cache and a lost allocation too)", () => {
    const pool = make({ batchSize: 4, blockCount: 16 })
    const kept = [pool.alloc(), pool.alloc()]
    const lost = [pool.alloc(), pool.alloc(), pool.alloc()] // taken by a thread that is gone
    // another thread's cache holds a batch it refilled and never used
    const other = SharedBlockPool.attach(pool.buffer)
    if (!other.ok) throw other.error
    other.value.free(other.value.alloc())
    expect(pool.verifySharedFreeList()).toBeLessThan(16 - kept.length - lost.length)
    const held = new Set(kept)
    // the lost blocks, the other thread's cached batch and this thread's own cache come back
    expect(pool.rebuild((h) => held.has(h))).toBeGreaterThanOrEqual(lost.length)
    expect(pool.verifySharedFreeList()).toBe(16 - kept.length)
    // the counters agree with the rebuilt list: the lost blocks are not counted used
    expect(pool.stats().usedBlocks).toBe(kept.length)
    for (const h of kept) expect(pool.isAllocated(h)).toBe(true)
    for (const h of lost) expect(pool.isAllocated(h)).toBe(false)
    expect(pool.free(lost[0] as number)).toBe(false) // a lost block is free now: a late free is a double free
    for (const h of kept) expect(pool.free(h)).toBe(true)
    pool.flush()
    expect(pool.verifySharedFreeList()).toBe(16)
  })

  test("rejects double, foreign, out-of-range and non-integer frees", () => {
    const pool = make()
    const other = make()
    const h = pool.alloc()
    const foreign = other.alloc()
    pool.free(h)
    for (const bad of [h, 1.5, -1, Number.NaN, 1e9]) expect(pool.free(bad)).toBe(false)
    const r = pool.tryFree(h)
    // a shared pool cannot tell a freed block from one never handed out
    expect(!r.ok && r.error.issue).toBe("not allocated (already free, or never allocated)")
    // made one after the other in this thread: the two pools' tags differ
    expect(pool.indexOf(foreign)).toBe(-1)
    expect(pool.free(foreign)).toBe(false)
    expect(pool.stats().invalidFrees).toBe(7)
    pool.flush()
    expect(pool.verifySharedFreeList()).toBe(64)
  })

  test("a name longer than the header holds is cut at a character's boundary, as every thread reads it", () => {
    // 127 ASCII bytes, then "é" (2 bytes): a cut at 128 bytes would leave half of it
    const long = `${"a".repeat(NAME_MAX_BYTES - 1)}é and more`
    const pool = make({ name: long })
    const attached = SharedBlockPool.attach(pool.buffer)
    if (!attached.ok) throw attached.error
    expect(attached.value.name).toBe("a".repeat(NAME_MAX_BYTES - 1))
    expect(attached.value.name).not.toContain("\uFFFD")
    attached.value.detach()
    pool.detach()
  })

  test("attach shares the pool; a block may be freed through another attachment; detach returns the cache", () => {
    const pool = make({ batchSize: 2 })
    const attached = SharedBlockPool.attach(pool.buffer)
    if (!attached.ok) throw attached.error
    const second = attached.value
    expect(second.slot).not.toBe(pool.slot)
    expect(second.name).toBe("shared")
    const h = pool.alloc()
    pool.view(h)[0] = 42
    expect(second.view(h)[0]).toBe(42)
    expect(second.free(h)).toBe(true) // cross-thread free
    expect(pool.free(h)).toBe(false)
    second.detach()
    expect(second.alloc()).toBe(-1)
    expect(second.free(pool.alloc())).toBe(false)
    const s = pool.stats()
    expect(s.usedBlocks).toBe(1)
    const full = Array.from({ length: 4 }, () => SharedBlockPool.attach(pool.buffer))
    expect(full.map((r) => r.ok)).toEqual([true, true, true, false]) // 4 slots; the detached one was reused
    // the detached handle's refused calls count nothing in the slot another attachment now owns
    const counted = () => {
      const stats = pool.stats()
      return [stats.failures, stats.invalidFrees]
    }
    const before = counted()
    expect([second.alloc(), second.free(12345), second.free(-1)]).toEqual([-1, false, false])
    expect(counted()).toEqual(before)
    const bad = SharedBlockPool.attach(new SharedArrayBuffer(1024))
    expect(!bad.ok && bad.error.field).toBe("buffer")
  })

  test("a failed alloc asks other threads to drain their caches", () => {
    const pool = make({ blockCount: 8, batchSize: 4 })
    const attached = SharedBlockPool.attach(pool.buffer)
    if (!attached.ok) throw attached.error
    const other = attached.value
    const hs = Array.from({ length: 4 }, () => other.alloc()) // other takes a batch of 4
    const mine = Array.from({ length: 4 }, () => pool.alloc())
    for (const h of hs) other.free(h) // 4 blocks now cached by `other`
    expect(pool.alloc()).toBe(-1) // the shared list is empty; asks for a drain
    const h = other.alloc()
    other.free(h) // other's next free sees the request and flushes its cache
    expect(pool.alloc()).toBeGreaterThanOrEqual(0)
    for (const m of mine) pool.free(m)
  })

  test("debug mode detects use after free", () => {
    const pool = make({ debug: true, batchSize: 1 })
    const h = pool.alloc()
    pool.free(h)
    pool.view(h)[5] = 0
    const r = pool.tryAlloc()
    expect(!r.ok && r.error._tag).toBe("UseAfterFree")
    expect(pool.stats().useAfterFree).toBe(1)
    expect(pool.tryAlloc().ok).toBe(true)
  })
})

const runWorkers = (
  buffer: SharedArrayBuffer,
  workers: number,
  opsEach: number,
  mode: StressRequest["mode"] = "random",
  handles: ReadonlyArray<number> = []
): Promise<StressResult[]> => {
  const start = new SharedArrayBuffer(4)
  return Promise.all(
    Array.from(
      { length: workers },
      (_, id) =>
        new Promise<StressResult>((resolve, reject) => {
          const worker = new Worker(new URL("./fixtures/stress-worker.ts", import.meta.url))
          worker.onmessage = (event: MessageEvent<StressResult | { error: string }>) => {
            worker.terminate()
            const data = event.data
            if ("error" in data) reject(new Error(data.error))
            else resolve(data)
          }
          worker.onerror = (e) => reject(e)
          const request: StressRequest = {
            buffer,
            mode,
            handles,
            id: id + 1,
            ops: opsEach,
            seed: 0x9e3779b9 ^ (id * 7919),
            maxHeld: 24,
            start,
            workers
          }
          worker.postMessage(request)
        })
    )
  )
}

describe("SharedBlockPool under workers", () => {
  test("2 workers, 1.2e6 ops: no block held twice, free list intact", async () => {
    const pool = make({ name: "stress", blockCount: 256, batchSize: 8 })
    const results = await runWorkers(pool.buffer, 2, 600_000)
    const total = results.reduce((n, r) => n + r.ops, 0)
    expect(total).toBeGreaterThanOrEqual(1_000_000)
    for (const r of results) {
      expect(r.violations).toBe(0)
      expect(r.allocs).toBe(r.frees)
    }
    const s = pool.stats()
    expect(s.usedBlocks).toBe(0)
    expect(s.allocations).toBe(results.reduce((n, r) => n + r.allocs, 0))
    expect(pool.verifySharedFreeList()).toBe(256)
  }, 60_000)

  test("4 workers on a tight pool (exhaustion and drain requests under contention)", async () => {
    const pool = make({ name: "tight", blockCount: 20, batchSize: 4, maxThreads: 8 })
    const results = await runWorkers(pool.buffer, 4, 100_000)
    for (const r of results) expect(r.violations).toBe(0)
    expect(results.reduce((n, r) => n + r.failedAllocs, 0)).toBeGreaterThan(0) // each worker alone wants up to 24 of the 20 blocks
    expect(pool.stats().usedBlocks).toBe(0)
    pool.flush()
    expect(pool.verifySharedFreeList()).toBe(20)
  }, 60_000)

  test("2 workers racing to free the same 4096 blocks: each block is freed exactly once (25 rounds)", async () => {
    // the workers start together (a barrier) and walk the handles in one order, so they contend for each one; a
    // free that is not one compare-and-swap lets both win a block now and then, and 25 rounds make that show
    const pool = make({ name: "race", blockCount: 4096, batchSize: 16 })
    for (let round = 0; round < 25; round++) {
      const handles = Array.from({ length: 4096 }, () => pool.alloc())
      expect(handles.every((h) => h >= 0)).toBe(true)
      const results = await runWorkers(pool.buffer, 2, 0, "race-free", handles)
      expect(results.reduce((n, r) => n + r.frees, 0)).toBe(4096)
      expect(results.reduce((n, r) => n + r.rejectedFrees, 0)).toBe(4096)
      expect(pool.stats().usedBlocks).toBe(0)
      expect(pool.verifySharedFreeList()).toBe(4096)
    }
  }, 60_000)
})
