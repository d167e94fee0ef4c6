/**
 * Renders the demo's HTML report in headless Chromium (Debian's `chromium`): the screenshot must
 * not be blank and the DOM must hold the plots' SVG elements. When /usr/bin/chromium is missing
 * the test installs it with apt-get if it can; otherwise it SKIPS, loudly.
 */
import { describe, expect, test } from "bun:test"
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createResourceManager, dreamcast, recordTimeline } from "@flight-hal/resources"
import { Effect } from "effect"
import { ensureChromium, headlessFlags } from "../../../scripts/packaging/chromium.mjs"
import { parseTimeline, renderReport, renderReportModel, runDemo, timelineReportModel } from "../src/index.ts"
import { niceTicks, segmentStarts, stackRows } from "../src/internal/chart.ts"
import { formatBytes } from "../src/internal/format.ts"
import { colorStats, decodePng } from "./png.ts"

// The same finder/installer as the browser conformance run (scripts/conformance.mjs).
const chromiumFound = ensureChromium((line) => console.warn(`report test: ${line}`))
const available = chromiumFound.executable !== undefined
if (!available) {
  console.warn(`\n!!! SKIPPED: report rendering test (screenshot and DOM) — ${chromiumFound.skipped} !!!\n`)
}

/** Where the test leaves its screenshot, to be looked at (FLIGHT_HAL_REPORT_PNG overrides). */
const screenshotPath = process.env.FLIGHT_HAL_REPORT_PNG ?? join(tmpdir(), "flight-hal-report.png")

const chromium = (profileDir: string, extra: ReadonlyArray<string>) =>
  Bun.spawnSync([chromiumFound.executable ?? "chromium", ...headlessFlags, `--user-data-dir=${profileDir}`, ...extra], {
    stdout: "pipe",
    stderr: "pipe",
    timeout: 120_000
  })

/** The y of each sample's point on a chart's polyline (the first point, the origin, left out): higher usage, smaller y. */
const plotted = (html: string, chart: string, line: "usage" | "peak"): ReadonlyArray<number> => {
  const svg = html.slice(html.indexOf(`<svg id="${chart}"`))
  const points = svg.match(new RegExp(`<polyline class="${line}" points="([^"]*)"`))?.[1] ?? ""
  return points
    .split(" ")
    .slice(1)
    .map((point) => Number(point.split(",")[1]))
}

describe("report", () => {
  test.skipIf(!available)(
    "the report renders in Chromium: a non-blank screenshot and the plots' SVG elements",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "flight-hal-report-"))
      const run = await runDemo({ profile: dreamcast, frames: 120, seed: 42 })
      const html = renderReport(run)
      expect(html).not.toMatch(/https?:\/\//) // self-contained: no network
      expect(html).not.toContain("<script")
      const page = join(dir, "report.html")
      writeFileSync(page, html)
      const url = `file://${page}`

      const png = join(dir, "report.png")
      const shot = chromium(join(dir, "profile-shot"), [`--screenshot=${png}`, "--window-size=1200,1400", url])
      expect(shot.exitCode).toBe(0)
      const image = decodePng(readFileSync(png))
      expect([image.width, image.height]).toEqual([1200, 1400])
      copyFileSync(png, screenshotPath)
      const { distinctColors, nonWhiteShare } = colorStats(image)
      expect(distinctColors).toBeGreaterThan(20)
      expect(nonWhiteShare).toBeGreaterThan(0.05)

      const dom = chromium(join(dir, "profile-dom"), ["--dump-dom", url]).stdout.toString()
      for (const selector of [
        '<svg id="usage-Memory"',
        '<svg id="usage-Hardware"',
        '<polyline class="usage"',
        '<polyline class="peak"',
        '<g class="event-mark timeout"',
        '<g class="event-mark deadlock"',
        '<g class="event-mark emergency"',
        '<line class="warning"',
        '<line class="critical"',
        '<line class="budget"',
        '<g class="pressure-mark"',
        '<svg id="pools"',
        '<polyline class="pool" data-pool="textures"'
      ]) {
        expect(dom).toContain(selector)
      }
      const marks = dom.match(/<g class="pressure-mark"/g)?.length ?? 0
      expect(marks).toBe(run.events.filter((e) => e.kind === "pressure" && e.type === "Memory").length)
      // Responsive: the charts follow the window's width (no fixed pixel width).
      expect(html).not.toMatch(/<svg id="[^"]*"[^>]* width=/)
      console.log(
        `report test: ${screenshotPath}: ${distinctColors} colours, ${(nonWhiteShare * 100).toFixed(1)}% non-white`
      )
    },
    180_000
  )

  test("the report shows the true peak (the Emergency admission above max), round ticks and correct plurals", async () => {
    const run = await runDemo({ profile: dreamcast, frames: 120, seed: 42 })
    const html = renderReport(run)
    const memory = run.summary.types.find((t) => t.type === "Memory")
    expect(memory).toBeDefined()
    const peak = memory?.peakBytes ?? 0
    expect(peak).toBeGreaterThan(dreamcast.budgets.Memory?.maxBytes ?? Number.POSITIVE_INFINITY)
    expect(Math.max(...run.samples.map((s) => s.peak.Memory ?? 0))).toBe(peak)
    // the axis ticks are round numbers of the unit
    const ticks = [...html.matchAll(/<text class="tick"[^>]*text-anchor="end"[^>]*>([\d.]+) MiB</g)].map((m) => m[1])
    expect(ticks.length).toBeGreaterThan(2)
    for (const tick of ticks) expect(Number(tick) % 1).toBe(0)
    expect(html).toContain(">1 timeout<")
    expect(html).not.toMatch(/\b1 (timeouts|deadlocks|pressure changes|level loads)\b/)
  })

  test("round ticks and non-overlapping rows", () => {
    expect(niceTicks(10.56)).toEqual([0, 5, 10, 15])
    expect(niceTicks(2.59)).toEqual([0, 1, 2, 3])
    expect(niceTicks(120, 10)).toEqual([0, 20, 40, 60, 80, 100, 120])
    expect(stackRows([0, 5, 20, 21, 22], 10)).toEqual([0, 1, 0, 1, 2])
  })

  test("the demo's peak line is each frame's own peak: the spike in its frame only, then back down", async () => {
    const run = await runDemo({ profile: dreamcast, frames: 120, seed: 42 })
    const spike = run.summary.types.find((t) => t.type === "Memory")?.peakBytes ?? 0
    const at = run.events.find((e) => e.kind === "emergency")?.frame ?? 0
    expect(spike).toBeGreaterThan(dreamcast.budgets.Memory?.maxBytes ?? Number.POSITIVE_INFINITY)
    const peaks = run.samples.map((s) => s.peak.Memory ?? 0)
    // the spike is the peak of the Emergency admission's frame, and of no other: it was partly paid back
    // (the pressure callback evicted the texture cache) before the frame's end
    expect(peaks[at - 1]).toBe(spike)
    expect(run.samples[at - 1]?.usage.Memory).toBeLessThan(spike)
    expect(peaks.filter((peak) => peak === spike)).toHaveLength(1)
    for (const peak of peaks.slice(at)) expect(peak).toBeLessThan(spike)
    // a frame in which nothing happened peaks at its start or its end usage, for every type
    let quiet = 0
    for (const [i, sample] of run.samples.entries()) {
      if (run.events.some((e) => e.frame === sample.frame)) continue
      quiet++
      const before = run.samples[i - 1]
      for (const type of ["Memory", "Hardware"] as const)
        expect(sample.peak[type]).toBe(Math.max(before?.usage[type] ?? 0, sample.usage[type] ?? 0))
    }
    expect(quiet).toBeGreaterThan(run.samples.length / 2)
    // the chart: the peak line's highest point is the spike's frame alone, and it comes back to the usage line
    const html = renderReport(run)
    const peakY = plotted(html, "usage-Memory", "peak")
    const usageY = plotted(html, "usage-Memory", "usage")
    expect(peakY).toHaveLength(run.samples.length)
    const top = Math.min(...peakY)
    expect(peakY.indexOf(top)).toBe(at - 1)
    expect(peakY.filter((y) => y === top)).toHaveLength(1)
    expect(peakY.at(-1)).toBe(usageY.at(-1) ?? Number.NaN)
    // the legend states the run's true peak and its frame
    expect(html).toContain(`peak ${formatBytes(spike)} (frame ${at})`)
    expect(html).toContain("peak within the frame")
  })

  test("report <timeline>: a spike in frame 3 only is frame 3's peak; later frames show their own", async () => {
    const budget = { maxBytes: 1 << 20, reservedBytes: 0, warningPercent: 75, criticalPercent: 90 }
    const manager = createResourceManager({ budgets: { Memory: budget } })
    const lines: Array<string> = []
    const timeline = recordTimeline(manager, { sink: (line) => lines.push(line) })
    const level = manager.acquire("level", { type: "Memory", sizeBytes: 200 << 10 })
    const spike = (1 << 20) + (100 << 10)
    for (let frame = 1; frame <= 8; frame++) {
      // each frame's own maximum: a scratch buffer, gone before the frame's end
      manager.acquire(`scratch-${frame}`, { type: "Memory", sizeBytes: frame << 14 }).release()
      if (frame === 3)
        manager
          .acquire("crash-dump", { type: "Memory", sizeBytes: spike - (200 << 10) }, { mode: "Emergency" })
          .release()
      timeline.sample()
    }
    level.release()
    timeline.stop()
    manager.close()
    const model = timelineReportModel(await Effect.runPromise(parseTimeline(lines.join("\n"))))
    // the first sample is the recording's start; then one per frame, then the last one of stop()
    const frames = model.samples.slice(1, 9).map((s) => s.peak.Memory)
    expect(frames).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((f) => (f === 3 ? spike : (200 << 10) + (f << 14))))
    for (const s of model.samples.slice(1, 9)) expect(s.usage.Memory).toBe(200 << 10)
    const html = renderReportModel(model)
    const peakY = plotted(html, "usage-Memory", "peak").slice(1, 9)
    expect(Math.min(...peakY)).toBe(peakY[2] ?? Number.NaN)
    // frames 4 to 8 peak higher each frame (a smaller y), all below the spike
    for (let f = 4; f < 8; f++) expect(peakY[f] ?? 0).toBeLessThan(peakY[f - 1] ?? 0)
    expect(peakY[3] ?? 0).toBeGreaterThan(peakY[2] ?? 0)
    expect(html).toContain(`peak ${formatBytes(spike)}`)
  })

  test("report <timeline>: the pressure lane starts at the level the recording started at", async () => {
    const budget = { maxBytes: 1000, reservedBytes: 0, warningPercent: 50, criticalPercent: 80 }
    const lanes = async (changeLater: boolean) => {
      const manager = createResourceManager({ budgets: { Memory: budget }, onLeaks: () => {} })
      const held = manager.acquire("held", { type: "Memory", sizeBytes: 850 }) // High before the recording
      const lines: Array<string> = []
      const timeline = recordTimeline(manager, { sink: (line) => lines.push(line) })
      timeline.sample()
      if (changeLater) held.release() // High -> None, recorded
      timeline.sample()
      timeline.stop()
      manager.close()
      const html = renderReportModel(timelineReportModel(await Effect.runPromise(parseTimeline(lines.join("\n")))))
      // a time is written with its unit after it (it read "(s 0)"), and the charts say what their axis counts
      expect(html).toMatch(/peak [^<(]+ \(\d+(\.\d+)? s\)/)
      expect(html).toContain('aria-label="Memory usage over time (s)"')
      // no reserve: one line for max and limit, not two labels on top of each other
      expect(html).toContain("max = limit (no reserve)")
      expect(html).not.toContain('<line class="budget"')
      // the colour the lane starts with (High's), whatever attributes the rect carries
      return /<rect class="pressure-start"[^>]* fill="([^"]+)"/.exec(html)?.[1]
    }
    // it drew None until the first change, or all along when nothing changed
    const high = "#ef6c00"
    expect(await lanes(false)).toBe(high)
    expect(await lanes(true)).toBe(high)
  })

  test("report <timeline>: a level held for no time between two samples still shows, and the lane keeps its width", () => {
    const budget = { maxBytes: 1 << 20, reservedBytes: 1 << 16, warningPercent: 60, criticalPercent: 85 }
    const pressure = (x: number, from: "None" | "Critical", to: "None" | "Critical") => ({
      x,
      kind: "pressure",
      type: "Memory",
      from,
      to,
      message: `Memory pressure ${from} → ${to}`
    })
    const html = renderReportModel({
      title: "t",
      meta: [],
      axis: "s",
      xMax: 0.3,
      usageLabel: "usage",
      peakLabel: "peak",
      pools: [],
      types: [{ type: "Memory", budget }],
      samples: [{ x: 0.3, usage: { Memory: 0 }, peak: { Memory: 1 << 21 }, poolsInUse: {} }],
      // None → Critical → None at the same millisecond, and a change at the very end
      events: [
        pressure(0.185, "None", "Critical"),
        pressure(0.185, "Critical", "None"),
        pressure(0.3, "None", "Critical")
      ]
    })
    const rects = [
      ...html.matchAll(/<rect (?:class="pressure-start" data-level="\w+" )?x="([\d.]+)" y="\d+" width="([\d.]+)"/g)
    ]
    const widths = rects.map((m) => Number(m[2]))
    expect(widths.length).toBe(4)
    const critical = /<g class="pressure-mark" data-to="Critical"><rect x="[\d.]+" y="\d+" width="([\d.]+)"/.exec(html)
    expect(Number(critical?.[1])).toBeGreaterThanOrEqual(3)
    expect(Math.min(...widths.slice(1))).toBeGreaterThanOrEqual(3) // every change shows, the last one too
    // the segments still cover exactly the lane, one after the other
    expect(widths.reduce((a, b) => a + b, 0)).toBeCloseTo(1000 - 72 - 16, 0)
    for (let i = 1; i < rects.length; i++) {
      expect(Number(rects[i]?.[1])).toBeCloseTo(Number(rects[i - 1]?.[1]) + (widths[i - 1] ?? 0), 0)
    }
    // many changes at once on a short lane: evenly narrow, never beyond the lane
    expect(segmentStarts([5, 5, 5, 5], 0, 8, 3)).toEqual([0, 2, 4, 6])
    expect(segmentStarts([10, 10], 0, 10, 3)).toEqual([4, 7])
  })

  test("report: the line labels on each side are kept apart when the lines are close (a small reserve)", () => {
    const labels = (budget: {
      maxBytes: number
      reservedBytes: number
      warningPercent: number
      criticalPercent: number
    }) => {
      const html = renderReportModel({
        title: "t",
        meta: [],
        axis: "s",
        xMax: 1,
        usageLabel: "usage",
        peakLabel: "peak",
        pools: [],
        types: [{ type: "Memory", budget }],
        samples: [{ x: 1, usage: { Memory: 0 }, peak: { Memory: 1.17 * 2 ** 20 }, poolsInUse: {} }],
        events: []
      })
      const y = (cls: string) =>
        Number(new RegExp(`<text class="${cls}-label" x="[\\d.]+" y="([\\d.]+)"`).exec(html)?.[1])
      return { max: y("max"), limit: y("budget"), critical: y("critical"), warning: y("warning") }
    }
    // max 1 MiB, 64 KiB reserved, on a 0-1.5 MiB axis: the limit line 9 units under max
    const close = labels({ maxBytes: 1 << 20, reservedBytes: 1 << 16, warningPercent: 75, criticalPercent: 90 })
    expect(close.limit - close.max).toBeGreaterThanOrEqual(11)
    // critical and warning 3 % apart
    const near = labels({ maxBytes: 1 << 20, reservedBytes: 1 << 18, warningPercent: 87, criticalPercent: 90 })
    expect(near.warning - near.critical).toBeGreaterThanOrEqual(11)
    // lines far apart keep their labels just above them
    const far = labels({ maxBytes: 1 << 20, reservedBytes: 1 << 18, warningPercent: 50, criticalPercent: 90 })
    expect([far.limit - far.max, far.warning - far.critical].every((d) => d > 30)).toBe(true)
  })
})
