import { describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { createResourceManager, ResourceManager } from "../src/index.ts"

const quiet = { onLeaks: () => {} }

/** Two Memory pools whose small blocks are only 8-aligned: 104 bytes is 13 × 8. */
const pools = [
  { type: "Memory" as const, blockSize: 104, initialCount: 1, maxCount: 8, alignment: 8 },
  { type: "Memory" as const, blockSize: 256, initialCount: 1, maxCount: 8, alignment: 64 }
]

describe("alignmentBytes is honoured", () => {
  test("a 64-aligned request is never served from an 8-aligned pool (pool-served, every block, after growth)", () => {
    const manager = createResourceManager({ ...quiet, pools })
    const refs = []
    // 8 requests: the 256-byte pool grows from 1 block to 8
    for (let i = 0; i < 8; i++) {
      const ref = manager.acquire(`aligned${i}`, { type: "Memory", sizeBytes: 100, alignmentBytes: 64 })
      expect(ref.payload.byteOffset % 64).toBe(0)
      expect(ref.payload.byteLength).toBeGreaterThanOrEqual(100)
      refs.push(ref)
    }
    const [small, large] = manager.snapshot().pools
    expect(small?.usedBlocks).toBe(0)
    expect(large?.usedBlocks).toBe(8)
    // without alignment, the same size goes to the smaller pool, at offsets that are multiples of 8 only
    const plain = [0, 1, 2].map((i) =>
      manager.acquire(`plain${i}`, { type: "Memory", sizeBytes: 100, alignmentBytes: 8 })
    )
    for (const ref of plain) expect(ref.payload.byteOffset % 8).toBe(0)
    expect(manager.snapshot().pools[0]?.usedBlocks).toBe(3)
    for (const ref of [...refs, ...plain]) ref.release()
    manager.close()
  })

  test("a request no pool's alignment satisfies gets a heap payload at offset 0", () => {
    const manager = createResourceManager({ ...quiet, pools })
    for (const alignmentBytes of [128, 4096, 2 ** 30]) {
      using ref = manager.acquire("heap", { type: "Memory", sizeBytes: 100, alignmentBytes })
      expect(ref.payload.byteOffset % alignmentBytes).toBe(0)
      expect(ref.payload.byteLength).toBe(100)
    }
    expect(manager.snapshot().pools.map((p) => p.usedBlocks)).toEqual([0, 0])
    manager.close()
  })

  test("without pools the Memory payload is aligned as asked", () => {
    const manager = createResourceManager(quiet)
    for (const alignmentBytes of [1, 2, 8, 64, 4096]) {
      using ref = manager.acquire("m", { type: "Memory", sizeBytes: 33, alignmentBytes })
      expect(ref.payload.byteOffset % alignmentBytes).toBe(0)
    }
    manager.close()
  })

  test("a thread-safe (SharedBlockPool) pool serves aligned blocks", () => {
    const manager = createResourceManager({
      ...quiet,
      pools: [{ type: "Memory", blockSize: 96, initialCount: 4, maxCount: 4, alignment: 32, threadSafe: true }]
    })
    const refs = [0, 1, 2, 3].map((i) =>
      manager.acquire(`s${i}`, { type: "Memory", sizeBytes: 90, alignmentBytes: 32 })
    )
    for (const ref of refs) expect(ref.payload.byteOffset % 32).toBe(0)
    expect(manager.snapshot().pools[0]?.usedBlocks).toBe(4)
    // a 64-aligned request skips the 32-aligned pool
    using wide = manager.acquire("wide", { type: "Memory", sizeBytes: 90, alignmentBytes: 64 })
    expect(wide.payload.byteOffset % 64).toBe(0)
    for (const ref of refs) ref.release()
    manager.close()
  })

  test("the Effect front end routes by alignment too", async () => {
    const offsets = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const manager = yield* ResourceManager
          const out: Array<number> = []
          for (let i = 0; i < 4; i++) {
            const ref = yield* manager.acquire(`e${i}`, { type: "Memory", sizeBytes: 100, alignmentBytes: 64 })
            out.push((yield* ref.get).byteOffset)
          }
          const snapshot = yield* manager.snapshot
          return { out, used: snapshot.pools.map((p) => p.usedBlocks) }
        })
      ).pipe(Effect.provide(ResourceManager.layer({ ...quiet, pools })))
    )
    for (const offset of offsets.out) expect(offset % 64).toBe(0)
    expect(offsets.used).toEqual([0, 4])
  })
})
