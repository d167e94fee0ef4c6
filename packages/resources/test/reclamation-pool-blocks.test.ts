import { describe, expect, test } from "bun:test"
import { BlockPool } from "@flight-hal/pool"
import { Effect } from "effect"
import {
  createResourceManager,
  type PlainResourceManager,
  type PressureEvent,
  ResourceManager,
  type ResourceRef
} from "../src/index.ts"

// A texture cache evicting in a reclamation callback, its textures served by a Memory pool of 64 KiB blocks.
// Releasing a pool-served resource gives its block back to the pool, and the block's bytes stay charged as pool
// capacity: only a trim gives them back, and a trim gives back only the pool's wholly free tail. The reclamation
// run trims before the first callback and again after each callback, so a callback that releases the resources
// holding the pool's last blocks makes room in the same run; a release in the middle of the pool makes room only
// for a request that pool serves (its retry takes the free block, charged nothing).

const KiB = 1024
const BLOCK = 64 * KiB
const LIMIT = 8 * BLOCK
const budget = { maxBytes: LIMIT, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 }

/**
 * A manager whose Memory budget is 8 blocks of its pool (which may grow to `maxCount`), and 8 textures filling the
 * pool (block i: tex<i>).
 */
const fullCache = (maxCount = 8) => {
  const manager = createResourceManager({
    onLeaks: () => {},
    budgets: { Memory: budget },
    pools: [{ type: "Memory", name: "tex64", blockSize: BLOCK, initialCount: 0, maxCount }]
  })
  const pool = manager.pools.getPool("Memory", BLOCK)
  if (!(pool instanceof BlockPool)) throw new Error("no pool")
  const textures: Array<ResourceRef<Uint8Array>> = []
  for (let i = 0; i < 8; i++)
    textures.push(manager.acquire<Uint8Array>(`tex${i}`, { type: "Memory", sizeBytes: BLOCK }))
  return { manager, pool, textures }
}

const usage = (manager: PlainResourceManager) => manager.getResourceStats("Memory").currentUsage

/** Releases the named textures (by index) and returns the bytes they held. */
const evict = (textures: ReadonlyArray<ResourceRef<Uint8Array>>, indexes: ReadonlyArray<number>): number => {
  for (const i of indexes) textures[i]?.release()
  return indexes.length * BLOCK
}

describe("a reclamation callback releasing pool-served resources", () => {
  test("releasing the pool's tail makes room for a request no pool serves, in the same run", () => {
    const { manager, pool, textures } = fullCache()
    expect(usage(manager)).toBe(LIMIT)
    const asked: Array<number> = []
    manager.registerReclamationCallback("Memory", (missing) => {
      asked.push(missing)
      return evict(textures, [7, 6, 5]) // newest first: blocks 7, 6, 5, the pool's tail
    })
    const second: Array<number> = []
    manager.registerReclamationCallback("Memory", (missing) => {
      second.push(missing)
      return 0
    })
    const big = manager.acquire("big", { type: "Memory", sizeBytes: 2 * BLOCK + 1 })
    expect(big.released).toBe(false)
    expect(asked).toEqual([2 * BLOCK + 1])
    expect(second).toEqual([]) // the trim after the first callback made room: the next one is not asked
    expect(pool.stats().totalBlocks).toBe(5) // the three tail blocks were trimmed, their bytes uncharged
    expect(pool.stats().freeBlocks).toBe(0)
    expect(usage(manager)).toBe(5 * BLOCK + 2 * BLOCK + 1)
    const stats = manager.getResourceStats("Memory")
    expect(stats.allocationCount).toBe(9)
    expect(stats.releaseCount).toBe(3)
    expect(stats.failedCount).toBe(0)
    expect(stats.peakUsage).toBe(LIMIT)
    manager.close()
  })

  test("releases in the middle of the pool give nothing back to a request no pool serves (the blocks stay charged)", () => {
    const { manager, pool, textures } = fullCache()
    const asked: Array<number> = []
    manager.registerReclamationCallback("Memory", (missing) => {
      asked.push(missing)
      return evict(textures, [0, 1, 2]) // least recently used first: blocks 0, 1, 2
    })
    expect(() => manager.acquire("big", { type: "Memory", sizeBytes: 2 * BLOCK + 1 })).toThrow(
      "requested 131073 bytes, 0 available of limit 524288"
    )
    expect(asked).toEqual([2 * BLOCK + 1])
    expect(pool.stats().freeBlocks).toBe(3)
    expect(usage(manager)).toBe(LIMIT) // the free blocks' capacity: still charged, no trim can give it back
    expect(manager.pools.trim("Memory")).toBe(0)
    // but they serve the pool's own requests, charged nothing
    for (let i = 0; i < 3; i++) manager.acquire(`again${i}`, { type: "Memory", sizeBytes: BLOCK })
    expect(pool.stats().freeBlocks).toBe(0)
    expect(usage(manager)).toBe(LIMIT)
    manager.close()
  })

  test("the trim after each callback: the next callback is told what is still missing after it", () => {
    const { manager, pool, textures } = fullCache()
    const asked: Array<number> = []
    manager.registerReclamationCallback("Memory", (missing) => {
      asked.push(missing)
      return evict(textures, [7, 0]) // the tail block and a block in the middle
    })
    manager.registerReclamationCallback("Memory", (missing) => {
      asked.push(missing)
      return evict(textures, [6, 5])
    })
    manager.registerReclamationCallback("Memory", (missing) => {
      asked.push(missing)
      return 0
    })
    manager.acquire("big", { type: "Memory", sizeBytes: 2 * BLOCK + 1 })
    // block 7 trimmed after the first callback (block 0 stays: it is not at the tail), blocks 6 and 5 after the second
    expect(asked).toEqual([2 * BLOCK + 1, BLOCK + 1])
    expect(pool.stats().totalBlocks).toBe(5)
    expect(pool.stats().freeBlocks).toBe(1)
    expect(usage(manager)).toBe(5 * BLOCK + 2 * BLOCK + 1)
    manager.close()
  })

  test("pressure events follow the trims and the admission exactly", () => {
    const { manager, textures } = fullCache()
    const events: Array<string> = []
    const registration = manager.registerPressureCallback((event: PressureEvent) =>
      events.push(`${event.from}->${event.to}@${event.stats.currentUsage}`)
    )
    manager.registerReclamationCallback("Memory", () => evict(textures, [7, 6, 5]))
    manager.acquire("big", { type: "Memory", sizeBytes: 2 * BLOCK + 1 })
    registration[Symbol.dispose]() // delivers the pending events
    // 512 KiB (High) -> trim of 3 blocks: 320 KiB (62.5 %, Low) -> the admission: 448 KiB + 1 (87.5 %, Medium)
    expect(events).toEqual([`High->Low@${5 * BLOCK}`, `Low->Medium@${7 * BLOCK + 1}`])
    manager.close()
  })

  test("a request the pool serves takes the block a callback freed: the run ends, the next callback is not asked", () => {
    const { manager, pool, textures } = fullCache()
    const asked: Array<string> = []
    manager.registerReclamationCallback("Memory", (missing) => {
      asked.push(`first ${missing}`)
      return evict(textures, [0]) // the least recently used texture, in the middle of the pool
    })
    manager.registerReclamationCallback("Memory", (missing) => {
      asked.push(`second ${missing}`)
      return evict(textures, [1])
    })
    const fresh = manager.acquire<Uint8Array>("fresh", { type: "Memory", sizeBytes: BLOCK })
    expect(asked).toEqual([`first ${BLOCK}`])
    expect(textures[1]?.released).toBe(false) // evicted only what made room
    expect(fresh.payload.byteLength).toBe(BLOCK)
    expect(pool.stats().freeBlocks).toBe(0)
    expect(usage(manager)).toBe(LIMIT)
    expect(manager.pools.routingStats().exhaustedFallbacks).toBe(0)
    const stats = manager.getResourceStats("Memory")
    expect([stats.allocationCount, stats.releaseCount, stats.failedCount]).toEqual([9, 1, 0])
    manager.close()
  })

  for (const maxCount of [8, 16]) {
    test(`the tail block a callback freed serves a request the pool serves: it is taken, not trimmed (maxCount ${maxCount})`, () => {
      const { manager, pool, textures } = fullCache(maxCount)
      const view = textures[7]?.payload
      const asked: Array<number> = []
      manager.registerReclamationCallback("Memory", (missing) => {
        asked.push(missing)
        return evict(textures, [7])
      })
      const fresh = manager.acquire<Uint8Array>("fresh", { type: "Memory", sizeBytes: BLOCK })
      expect(asked).toEqual([BLOCK])
      expect(fresh.payload).toBe(view as Uint8Array) // the same block, its view kept: never trimmed and grown again
      expect(pool.stats().totalBlocks).toBe(8)
      expect(pool.stats().usedBlocks).toBe(8)
      expect(manager.pools.routingStats().exhaustedFallbacks).toBe(0)
      expect(usage(manager)).toBe(LIMIT)
      manager.close()
    })
  }

  test("an Emergency admission's payback: a callback releasing the pool's tail brings usage back under the limit", () => {
    const { manager, pool, textures } = fullCache()
    const asked: Array<number> = []
    manager.registerReclamationCallback("Memory", (missing) => {
      asked.push(missing)
      return evict(textures, [7, 6, 5])
    })
    const big = manager.acquire("big", { type: "Memory", sizeBytes: 2 * BLOCK + 1 }, { mode: "Emergency" })
    expect(big.released).toBe(false)
    // admitted before any reclamation (Emergency does not wait for it), then the payback run asks for the overage
    expect(asked).toEqual([2 * BLOCK + 1])
    expect(pool.stats().totalBlocks).toBe(5)
    expect(usage(manager)).toBe(7 * BLOCK + 1)
    const stats = manager.getResourceStats("Memory")
    expect(stats.emergencyCount).toBe(1)
    expect(stats.emergencyBytes).toBe(2 * BLOCK + 1) // the overage at admission, kept until the resource is freed
    manager.close()
  })

  test("OS-level pressure relief: a callback releasing the pool's tail gives its capacity back in the run", () => {
    const { manager, pool, textures } = fullCache()
    const asked: Array<number> = []
    manager.registerReclamationCallback("Memory", (missing) => {
      asked.push(missing)
      return evict(textures, [7, 6])
    })
    manager.relieveSystemPressure("None", "Critical", { percent: 25 })
    expect(asked).toEqual([2 * BLOCK]) // 25 % of 512 KiB
    expect(pool.stats().totalBlocks).toBe(6)
    expect(usage(manager)).toBe(6 * BLOCK)
    manager.close()
  })

  test("nothing is trimmed, and no callback asked, for requests that fit", () => {
    const { manager, pool, textures } = fullCache()
    let asked = 0
    manager.registerReclamationCallback("Memory", () => {
      asked++
      return 0
    })
    evict(textures, [7, 6])
    // the free tail stays for the pool's next requests: released blocks are trimmed only by a reclamation run
    expect(pool.stats().totalBlocks).toBe(8)
    expect(usage(manager)).toBe(LIMIT)
    manager.acquire("again", { type: "Memory", sizeBytes: BLOCK }).release()
    manager.acquire("small", { type: "Memory", sizeBytes: 0 }).release()
    expect(asked).toBe(0)
    expect(pool.stats().totalBlocks).toBe(8)
    expect(usage(manager)).toBe(LIMIT)
    manager.close()
  })
})

describe("what a cache can do about it (docs/manager.md, Reclamation)", () => {
  test("after churn the newest texture may hold a block in the middle: choosing victims by byteOffset frees the tail", () => {
    const { manager, pool, textures } = fullCache()
    evict(textures, [2])
    const refill = manager.acquire<Uint8Array>("refill", { type: "Memory", sizeBytes: BLOCK }) // takes block 2 again
    expect(refill.payload.byteOffset).toBe(2 * BLOCK) // one buffer per pool: the offset is the block's position
    const cache = [...textures.filter((ref) => !ref.released), refill]
    manager.registerReclamationCallback("Memory", (missing) => {
      // the blocks nearest the end of the pool's buffer first (a pool trims back to its last held block)
      const victims = [...cache].sort((a, b) => b.payload.byteOffset - a.payload.byteOffset)
      let freed = 0
      for (const ref of victims) {
        if (freed >= missing) break
        ref.release()
        freed += BLOCK
      }
      return freed
    })
    manager.acquire("big", { type: "Memory", sizeBytes: 2 * BLOCK + 1 })
    expect(refill.released).toBe(false) // the newest texture was not the one to evict
    expect(pool.stats().totalBlocks).toBe(5)
    expect(usage(manager)).toBe(7 * BLOCK + 1)
    manager.close()
  })

  test("a budget that holds the pool at maxCount plus the other requests: no eviction is needed", () => {
    const manager = createResourceManager({
      onLeaks: () => {},
      budgets: { Memory: { ...budget, maxBytes: LIMIT + 2 * BLOCK + 1 } },
      pools: [{ type: "Memory", name: "tex64", blockSize: BLOCK, initialCount: 0, maxCount: 8 }]
    })
    for (let i = 0; i < 8; i++) manager.acquire(`tex${i}`, { type: "Memory", sizeBytes: BLOCK })
    let asked = 0
    manager.registerReclamationCallback("Memory", () => {
      asked++
      return 0
    })
    manager.acquire("big", { type: "Memory", sizeBytes: 2 * BLOCK + 1 })
    expect(asked).toBe(0)
    expect(usage(manager)).toBe(LIMIT + 2 * BLOCK + 1)
    manager.close()
  })

  test("textures no pool serves (alignmentBytes above the pool's alignment): every eviction uncharges its bytes", () => {
    const { manager, pool, textures } = fullCache()
    evict(textures, [0, 1, 2, 3, 4, 5, 6, 7])
    expect(manager.pools.trim("Memory")).toBe(LIMIT)
    const lru: Array<ResourceRef<Uint8Array>> = []
    for (let i = 0; i < 8; i++) {
      lru.push(manager.acquire<Uint8Array>(`t${i}`, { type: "Memory", sizeBytes: BLOCK, alignmentBytes: 16 }))
    }
    expect(pool.stats().totalBlocks).toBe(0) // the pool's blocks are 8-aligned: none of these is pool-served
    manager.registerReclamationCallback("Memory", (missing) => {
      let freed = 0
      while (freed < missing && lru.length > 0) {
        lru.shift()?.release() // least recently used first
        freed += BLOCK
      }
      return freed
    })
    manager.acquire("big", { type: "Memory", sizeBytes: 2 * BLOCK + 1 })
    expect(lru.length).toBe(5)
    expect(usage(manager)).toBe(5 * BLOCK + 2 * BLOCK + 1)
    manager.close()
  })
})

describe("the Effect front end", () => {
  test("a callback releasing the pool's tail makes room for a request no pool serves, in the same run", async () => {
    const config = {
      budgets: { Memory: budget },
      pools: [{ type: "Memory" as const, name: "tex64", blockSize: BLOCK, initialCount: 0, maxCount: 8 }]
    }
    const result = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const manager = yield* ResourceManager
          const textures: Array<ResourceRef<Uint8Array>> = []
          for (let i = 0; i < 8; i++)
            textures.push(yield* manager.acquire(`tex${i}`, { type: "Memory", sizeBytes: BLOCK }))
          const asked: Array<number> = []
          yield* manager.registerReclamationCallback("Memory", (missing) =>
            Effect.sync(() => {
              asked.push(missing)
              return evict(textures, [7, 6, 5])
            })
          )
          yield* manager.acquire("big", { type: "Memory", sizeBytes: 2 * BLOCK + 1 })
          const stats = yield* manager.getResourceStats("Memory")
          return [asked, stats.currentUsage, stats.failedCount] as const
        })
      ).pipe(Effect.provide(ResourceManager.layer(config)))
    )
    expect(result).toEqual([[2 * BLOCK + 1], 7 * BLOCK + 1, 0])
  })
})
