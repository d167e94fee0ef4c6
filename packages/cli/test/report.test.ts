/**
 * Renders the demo's HTML report in headless Chromium (Debian's `chromium`): the screenshot must
 * not be blank and the DOM must hold the plots' SVG elements. When /usr/bin/chromium is missing
 * the test installs it with apt-get if it can; otherwise it SKIPS, loudly.
 */
import { describe, expect, test } from "bun:test"
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { dreamcast } from "@flight-hal/resources"
import { ensureChromium, headlessFlags } from "../../../scripts/packaging/chromium.mjs"
import { renderReport, runDemo } from "../src/index.ts"
import { niceTicks, stackRows } from "../src/internal/chart.ts"
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
})
