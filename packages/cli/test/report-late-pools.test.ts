/**
 * `report <timeline>` charts every pool the timeline has, whenever it appeared: the header's (the pools of the
 * start), the ones a sample's `newPools` adds (created after the recorder started) and, in a file from a recorder
 * that did not write `newPools`, the ones its samples' `pools` name; each pool's line over the samples that have
 * it (a pool destroyed before the end stops at its last sample).
 */
import { describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { parseTimeline, renderReportModel, timelineReportModel } from "../src/index.ts"

const budget = { maxBytes: 1 << 16, reservedBytes: 0, warningPercent: 75, criticalPercent: 90 }

const sample = (t: number, pools: Record<string, number>, extra: object = {}) =>
  JSON.stringify({
    kind: "sample",
    t,
    usage: { Memory: 0 },
    peak: { Memory: 0 },
    pressure: { Memory: "None" },
    waiting: { Memory: 0 },
    emergencyBytes: { Memory: 0 },
    pools,
    ...extra
  })

/** early from the start; late and gone created before the sample at 1 s; gone destroyed after the one at 2 s. */
const timeline = (withShapes: boolean) =>
  [
    JSON.stringify({
      format: "flight-hal/timeline",
      version: 1,
      label: "late",
      startedAtMillis: 0,
      types: [{ type: "Memory", budget }],
      pools: [{ name: "early", type: "Memory", blockSize: 64, maxCount: 4 }]
    }),
    sample(0, { early: 0 }),
    sample(
      1000,
      { early: 2, late: 2, gone: 1 },
      withShapes
        ? {
            newPools: [
              { name: "late", type: "Memory", blockSize: 128, maxCount: 16 },
              { name: "gone", type: "Memory", blockSize: 32, maxCount: 8 }
            ]
          }
        : {}
    ),
    sample(2000, { early: 2, late: 4, gone: 0 }),
    sample(3000, { early: 0, late: 8 }),
    JSON.stringify({ kind: "end", t: 4000 })
  ].join("\n")

const render = async (text: string) => {
  const model = timelineReportModel(await Effect.runPromise(parseTimeline(text)))
  return { model, html: renderReportModel(model) }
}

/** The points of each polyline of a pool, by pool. */
const poolLines = (html: string): Record<string, ReadonlyArray<string>> => {
  const lines: Record<string, Array<string>> = {}
  for (const [, pool = "", points = ""] of html.matchAll(
    /<polyline class="pool" data-pool="([^"]*)"[^>]* points="([^"]*)"/g
  )) {
    lines[pool] = [...(lines[pool] ?? []), points]
  }
  return lines
}

// The chart: x from 72 (0 s) to 984 (the end, 4 s), 228 units a second; y from 228 (0 %) to 8 (100 %).
describe("report <timeline>: pools created after the recording started", () => {
  test("every pool is charted, each line over the samples that have it", async () => {
    const { model, html } = await render(timeline(true))
    expect(model.pools).toEqual([
      { name: "early", blockSize: 64, maxCount: 4 },
      { name: "late", blockSize: 128, maxCount: 16 },
      { name: "gone", blockSize: 32, maxCount: 8 }
    ])
    expect(html).toContain("Pool occupancy")
    expect(poolLines(html)).toEqual({
      early: ["72,228 72,228 300,118 528,118 756,228"], // from the origin, as the pools of the start always were
      late: ["300,200.5 528,173 756,118"], // 2, 4 and 8 of 16 blocks, from 1 s
      gone: ["300,200.5 528,228"] // 1 and 0 of 8, then destroyed
    })
    expect(html).toContain("late (16 blocks × 128 B)")
    expect(html).toContain("gone (8 blocks × 32 B)")
  })

  test("a file whose samples name a pool without its shape: charted against the most blocks it had in use", async () => {
    const { model, html } = await render(timeline(false))
    expect(model.pools.map((p) => p.name)).toEqual(["early", "late", "gone"])
    expect(poolLines(html)).toEqual({
      early: ["72,228 72,228 300,118 528,118 756,228"],
      late: ["300,173 528,118 756,8"], // 2, 4 and 8 of the 8 it had at most
      gone: ["300,8 528,228"]
    })
    expect(html).toContain("late (shape not recorded: % of the most blocks in use, 8)")
  })

  test("a pool in one sample only is a point", async () => {
    const text = timeline(true).replace(
      sample(2000, { early: 2, late: 4, gone: 0 }),
      sample(2000, { early: 2, late: 4 })
    )
    const { html } = await render(text)
    expect(poolLines(html).gone).toBeUndefined()
    expect(html).toMatch(/<circle class="pool-point" data-pool="gone"[^>]* cx="300" cy="200.5"/)
  })
})
