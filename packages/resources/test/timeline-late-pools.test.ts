/**
 * A pool created after a timeline's recorder started: the header lists the pools of the start only, so the
 * first sample that carries the new pool also carries its shape (`newPools`), which the report needs to chart it
 * (its block size and maxCount). A pool destroyed and another created with the same (type, block size) is a new
 * pool: its shape is written again.
 */
import { describe, expect, test } from "bun:test"
import { createResourceManager, recordTimeline, type TimelineHeader, type TimelineSampleRecord } from "../src/index.ts"

const budget = { maxBytes: 1 << 16, reservedBytes: 0, warningPercent: 75, criticalPercent: 90 }

const recording = () => {
  const lines: Array<string> = []
  const manager = createResourceManager({
    label: "late",
    budgets: { Memory: budget },
    pools: [{ type: "Memory", name: "early", blockSize: 64, initialCount: 1, maxCount: 4 }]
  })
  const timeline = recordTimeline(manager, { sink: (line) => lines.push(line) })
  const read = () => {
    const [header, ...rest] = lines.map((line) => JSON.parse(line) as unknown)
    return {
      header: header as TimelineHeader,
      samples: rest.filter((r): r is TimelineSampleRecord => (r as { kind?: string }).kind === "sample")
    }
  }
  return { manager, timeline, read }
}

describe("a timeline of pools created after the recording started", () => {
  test("the first sample that has the pool carries its shape, once; the header keeps the pools of the start", () => {
    const { manager, timeline, read } = recording()
    const made = manager.pools.createPool({
      type: "Memory",
      name: "late",
      blockSize: 128,
      initialCount: 2,
      maxCount: 16
    })
    expect(made.ok).toBe(true)
    const ref = manager.acquire("x", { type: "Memory", sizeBytes: 100 })
    timeline.sample()
    timeline.sample()
    ref.release()
    timeline.stop()
    manager.close()
    const { header, samples } = read()
    expect(header.pools.map((p) => p.name)).toEqual(["early"])
    expect(samples.map((s) => s.pools)).toEqual([
      { early: 0 },
      { early: 0, late: 1 },
      { early: 0, late: 1 },
      { early: 0, late: 0 }
    ])
    expect(samples.map((s) => s.newPools)).toEqual([
      undefined,
      [{ name: "late", type: "Memory", blockSize: 128, maxCount: 16 }],
      undefined,
      undefined
    ])
  })

  test("a pool destroyed, then one made again with the same block size: its shape is written again", () => {
    const { manager, timeline, read } = recording()
    manager.pools.createPool({ type: "Memory", name: "late", blockSize: 128, initialCount: 1, maxCount: 8 })
    timeline.sample()
    expect(manager.pools.destroyPool("Memory", 128).ok).toBe(true)
    timeline.sample()
    manager.pools.createPool({ type: "Memory", name: "late", blockSize: 128, initialCount: 1, maxCount: 4 })
    timeline.stop()
    manager.close()
    const { samples } = read()
    expect(samples.map((s) => Object.keys(s.pools))).toEqual([
      ["early"],
      ["early", "late"],
      ["early"],
      ["early", "late"]
    ])
    expect(samples.map((s) => s.newPools?.map((p) => p.maxCount))).toEqual([undefined, [8], undefined, [4]])
  })
})
