import { describe, expect, test } from "bun:test"
import {
  BlockPool,
  InvalidPoolConfig,
  MAX_BLOCKS,
  MAX_POOL_BYTES,
  PoolManager,
  SharedBlockPool,
  validateLayout
} from "../src/index.ts"

const good = { name: "cfg", blockSize: 64, initialCount: 4, maxCount: 16, alignment: 8 }

/** Each bad input, the field it must be reported on, and a word of the issue. */
const bad: ReadonlyArray<readonly [string, Record<string, unknown>, string, string]> = [
  ["zero blockSize", { blockSize: 0 }, "blockSize", "at least 1"],
  ["negative blockSize", { blockSize: -64 }, "blockSize", "at least 1"],
  ["NaN blockSize", { blockSize: Number.NaN }, "blockSize", "NaN"],
  ["fractional blockSize", { blockSize: 64.5 }, "blockSize", "integer"],
  ["infinite blockSize", { blockSize: Number.POSITIVE_INFINITY }, "blockSize", "finite"],
  ["unsafe-integer blockSize", { blockSize: 2 ** 53 }, "blockSize", "safe integer"],
  ["string blockSize", { blockSize: "64" }, "blockSize", "number"],
  ["zero maxCount", { maxCount: 0, initialCount: 0 }, "maxCount", "at least 1"],
  ["negative maxCount", { maxCount: -1 }, "maxCount", "at least 1"],
  ["NaN maxCount", { maxCount: Number.NaN }, "maxCount", "NaN"],
  ["fractional maxCount", { maxCount: 16.5 }, "maxCount", "integer"],
  ["unsafe-integer maxCount", { maxCount: 2 ** 60 }, "maxCount", "safe integer"],
  ["negative initialCount", { initialCount: -1 }, "initialCount", "negative"],
  ["NaN initialCount", { initialCount: Number.NaN }, "initialCount", "NaN"],
  ["fractional initialCount", { initialCount: 1.5 }, "initialCount", "integer"],
  ["initialCount > maxCount", { initialCount: 17 }, "initialCount", "exceed maxCount"],
  ["zero alignment", { alignment: 0 }, "alignment", "at least 1"],
  ["non-power-of-two alignment", { alignment: 24 }, "alignment", "power of two"],
  ["fractional alignment", { alignment: 0.5 }, "alignment", "integer"],
  ["too many blocks", { maxCount: MAX_BLOCKS + 1, initialCount: 0, blockSize: 1 }, "maxCount", "exceed"],
  ["capacity over one ArrayBuffer", { maxCount: 2 ** 20, initialCount: 0, blockSize: 4096 }, "maxCount", "limit"],
  ["empty name", { name: "" }, "name", "non-empty"]
]

describe("invalid configs are typed errors and allocate nothing", () => {
  for (const [label, patch, field, issue] of bad) {
    test(`BlockPool.make: ${label}`, () => {
      let admitted = 0
      const r = BlockPool.make({
        ...good,
        ...patch,
        admitGrowth: () => {
          admitted++
          return true
        }
      } as never)
      expect(r.ok).toBe(false)
      if (r.ok || !(r.error instanceof InvalidPoolConfig)) throw new Error("expected InvalidPoolConfig")
      expect(r.error._tag).toBe("InvalidPoolConfig")
      expect(r.error.field).toBe(field)
      expect(r.error.issue).toContain(issue)
      expect(r.error.message).toContain(field)
      expect(admitted).toBe(0) // nothing was charged, nothing allocated
    })

    test(`PoolManager.createPool: ${label}`, () => {
      let admitted = 0
      const manager = new PoolManager({
        admitGrowth: () => {
          admitted++
          return true
        }
      })
      const r = manager.createPool({ type: "Memory", ...good, ...patch } as never)
      expect(r.ok).toBe(false)
      if (!r.ok) expect(r.error._tag).toBe("InvalidPoolConfig")
      expect(admitted).toBe(0)
      expect(manager.routingStats().pools).toBe(0)
    })
  }

  test("SharedBlockPool.make reports blockCount, maxThreads and batchSize problems", () => {
    const cases: ReadonlyArray<readonly [Record<string, unknown>, string]> = [
      [{ blockCount: 0 }, "blockCount"],
      [{ blockCount: 1.5 }, "blockCount"],
      [{ blockCount: Number.NaN }, "blockCount"],
      [{ blockSize: -1 }, "blockSize"],
      [{ alignment: 3 }, "alignment"],
      [{ maxThreads: 0 }, "maxThreads"],
      [{ maxThreads: 2.5 }, "maxThreads"],
      [{ batchSize: 0 }, "batchSize"],
      [{ batchSize: 1000 }, "batchSize"],
      // null is a value, not a field left out (docs/pools.md): it does not take the default
      [{ maxThreads: null }, "maxThreads"],
      [{ batchSize: null }, "batchSize"],
      [{ blockCount: 2 ** 21, blockSize: 1024 }, "blockCount"]
    ]
    for (const [patch, field] of cases) {
      const r = SharedBlockPool.make({ blockSize: 64, blockCount: 64, ...patch } as never)
      expect(r.ok).toBe(false)
      if (!r.ok) expect(r.error.field).toBe(field)
    }
    // the value is printed once, as a block pool prints it (not quoted again)
    const zero = SharedBlockPool.make({ blockSize: 64, blockCount: 0 })
    expect(zero.ok ? "made" : zero.error.value).toBe("0")
  })

  test("createPool rejects an unknown type and non-boolean flags", () => {
    const manager = new PoolManager()
    const t = manager.createPool({ ...good, type: "Disk" } as never)
    expect(!t.ok && t.error._tag === "InvalidPoolConfig" && t.error.field === "type").toBe(true)
    const f = manager.createPool({ ...good, type: "Memory", threadSafe: "yes" } as never)
    expect(!f.ok && f.error._tag === "InvalidPoolConfig" && f.error.field === "threadSafe").toBe(true)
  })

  test("BlockPool.make rejects an unknown storage kind", () => {
    const r = BlockPool.make({ ...good, storage: "disk" } as never)
    expect(!r.ok && r.error._tag === "InvalidPoolConfig" && r.error.field === "storage").toBe(true)
  })

  test("the largest valid capacity is accepted by validation", () => {
    const r = validateLayout({ blockSize: 256, maxCount: MAX_POOL_BYTES / 256 })
    expect(r.ok).toBe(true)
    const over = validateLayout({ blockSize: 256, maxCount: MAX_POOL_BYTES / 256 + 1 })
    expect(over.ok).toBe(false)
  })

  test("blockSize is rounded up to the alignment", () => {
    const r = validateLayout({ blockSize: 100, maxCount: 4, alignment: 64 })
    expect(r.ok && r.value.blockSize).toBe(128)
  })
})
