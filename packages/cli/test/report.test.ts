/**
 * Renders the demo's HTML report in headless Chromium (Debian's `chromium`): the screenshot must
 * not be blank and the DOM must hold the plots' SVG elements. When /usr/bin/chromium is missing
 * the test installs it with apt-get if it can; otherwise it SKIPS, loudly.
 */
import { describe, expect, test } from "bun:test"
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { dreamcast } from "@flight-hal/resources"
import { renderReport, runDemo } from "../src/index.ts"
import { colorStats, decodePng } from "./png.ts"

const CHROMIUM = "/usr/bin/chromium"

const ensureChromium = (): boolean => {
  if (existsSync(CHROMIUM)) return true
  if (Bun.which("apt-get") === null) return false
  console.warn("report test: installing chromium with apt-get (one time)")
  Bun.spawnSync(["apt-get", "install", "-y", "chromium"], { stdout: "inherit", stderr: "inherit" })
  return existsSync(CHROMIUM)
}

const available = ensureChromium()
if (!available) console.warn("SKIPPED: report rendering test — no /usr/bin/chromium and no apt-get to install it")

const chromium = (profileDir: string, extra: ReadonlyArray<string>) =>
  Bun.spawnSync(
    [
      CHROMIUM,
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${profileDir}`,
      ...extra
    ],
    { stdout: "pipe", stderr: "pipe", timeout: 120_000 }
  )

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
      const shot = chromium(join(dir, "profile-shot"), [`--screenshot=${png}`, "--window-size=1200,900", url])
      expect(shot.exitCode).toBe(0)
      const image = decodePng(readFileSync(png))
      expect([image.width, image.height]).toEqual([1200, 900])
      const { distinctColors, nonWhiteShare } = colorStats(image)
      expect(distinctColors).toBeGreaterThan(20)
      expect(nonWhiteShare).toBeGreaterThan(0.05)

      const dom = chromium(join(dir, "profile-dom"), ["--dump-dom", url]).stdout.toString()
      for (const selector of [
        '<svg id="usage-Memory"',
        '<svg id="usage-Hardware"',
        '<polyline class="usage"',
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
      console.log(`report test: ${png}: ${distinctColors} colours, ${(nonWhiteShare * 100).toFixed(1)}% non-white`)
    },
    180_000
  )
})
