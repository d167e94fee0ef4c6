/**
 * The `--report` page: one self-contained HTML file (inline CSS and SVG, no script, no network)
 * with, for each budgeted type, its usage over the frames against the warning, critical and budget
 * lines with the pressure changes marked, and the pools' occupancy.
 *
 * @module
 */
import { type ResourcePressure, type ResourceType, ResourceTypeNames } from "@flight-hal/core"
import { formatBytes } from "./internal/format.ts"
import type { DemoRun } from "./model.ts"

const WIDTH = 1000
const HEIGHT = 260
const PAD = { left: 80, right: 20, top: 20, bottom: 36 }

const PRESSURE_COLORS: { readonly [P in ResourcePressure]: string } = {
  None: "#2e7d32",
  Low: "#9e9d24",
  Medium: "#f9a825",
  High: "#ef6c00",
  Critical: "#c62828"
}

const POOL_COLORS = ["#1565c0", "#6a1b9a", "#00838f", "#ad1457", "#4e342e", "#283593"] as const

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c)

interface Scale {
  readonly x: (frame: number) => number
  readonly y: (value: number) => number
}

const makeScale = (frames: number, maxValue: number): Scale => {
  const innerW = WIDTH - PAD.left - PAD.right
  const innerH = HEIGHT - PAD.top - PAD.bottom
  const span = Math.max(frames, 1)
  const top = maxValue > 0 ? maxValue : 1
  return {
    x: (frame) => PAD.left + (frame / span) * innerW,
    y: (value) => PAD.top + innerH - (Math.min(value, top) / top) * innerH
  }
}

const n = (v: number): string => v.toFixed(1)

const axes = (scale: Scale, frames: number, maxValue: number, label: (v: number) => string): string => {
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const value = maxValue * f
    const y = n(scale.y(value))
    return `<line class="grid" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y}" y2="${y}"/><text class="tick" x="${PAD.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeHtml(label(value))}</text>`
  })
  const step = Math.max(1, Math.ceil(frames / 10))
  const xticks: Array<string> = []
  for (let f = 0; f <= frames; f += step) {
    xticks.push(
      `<text class="tick" x="${n(scale.x(f))}" y="${HEIGHT - PAD.bottom + 16}" text-anchor="middle">${f}</text>`
    )
  }
  const base = HEIGHT - PAD.bottom
  return [
    ...ticks,
    ...xticks,
    `<line class="axis" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${base}" y2="${base}"/>`,
    `<line class="axis" x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${base}"/>`,
    `<text class="tick" x="${WIDTH - PAD.right}" y="${HEIGHT - 4}" text-anchor="end">frame</text>`
  ].join("")
}

const hline = (scale: Scale, value: number, cls: string, label: string, side: "left" | "right"): string => {
  const y = n(scale.y(value))
  const x = side === "right" ? WIDTH - PAD.right - 4 : PAD.left + 4
  return `<line class="${cls}" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y}" y2="${y}"/><text class="${cls}-label" x="${x}" y="${n(scale.y(value) - 4)}" text-anchor="${side === "right" ? "end" : "start"}">${escapeHtml(label)}</text>`
}

const usageChart = (run: DemoRun, type: ResourceType): string => {
  const budget = run.profile.budgets[type]
  if (budget === undefined) return ""
  const frames = run.samples.length
  const peak = Math.max(0, ...run.samples.map((s) => s.usage[type] ?? 0))
  const maxValue = Math.max(budget.maxBytes, peak) * 1.08
  const scale = makeScale(frames, maxValue)
  const points = [`${n(scale.x(0))},${n(scale.y(0))}`]
  for (const sample of run.samples) points.push(`${n(scale.x(sample.frame))},${n(scale.y(sample.usage[type] ?? 0))}`)
  const warning = Math.floor((budget.maxBytes * budget.warningPercent) / 100)
  const critical = Math.floor((budget.maxBytes * budget.criticalPercent) / 100)
  const marks = run.events
    .filter((e) => e.kind === "pressure" && e.type === type)
    .map((e) => {
      const sample = run.samples[e.frame - 1]
      const x = n(scale.x(e.frame))
      const y = n(scale.y(sample?.usage[type] ?? 0))
      const color = PRESSURE_COLORS[e.to ?? "None"]
      return `<g class="pressure-mark" data-to="${e.to ?? ""}"><line x1="${x}" x2="${x}" y1="${PAD.top}" y2="${HEIGHT - PAD.bottom}" stroke="${color}" stroke-dasharray="2 3"/><circle cx="${x}" cy="${y}" r="5" fill="${color}"><title>frame ${e.frame}: ${escapeHtml(`${e.from ?? ""} → ${e.to ?? ""}`)}</title></circle></g>`
    })
  return `<section>
<h2>${escapeHtml(type)} usage</h2>
<p class="legend"><span class="k usage"></span>usage <span class="k warning"></span>warning ${budget.warningPercent}% <span class="k critical"></span>critical ${budget.criticalPercent}% <span class="k budget"></span>limit (max − reserved) <span class="k max"></span>max ${escapeHtml(formatBytes(budget.maxBytes))} · peak at a frame end ${escapeHtml(formatBytes(peak))} · ${marks.length} pressure changes</p>
<svg id="usage-${escapeHtml(type)}" class="chart usage-chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeHtml(type)} usage over frames">
${axes(scale, frames, maxValue, formatBytes)}
${hline(scale, warning, "warning", "warning", "right")}
${hline(scale, critical, "critical", "critical", "right")}
${hline(scale, budget.maxBytes - budget.reservedBytes, "budget", "limit", "left")}
${hline(scale, budget.maxBytes, "max", "max", "left")}
<polyline class="usage" points="${points.join(" ")}"/>
<g class="pressure-marks">${marks.join("")}</g>
</svg>
</section>`
}

const poolChart = (run: DemoRun): string => {
  const frames = run.samples.length
  const scale = makeScale(frames, 100)
  const lines = run.profile.pools.map((pool, i) => {
    const color = POOL_COLORS[i % POOL_COLORS.length] ?? "#000"
    const points = [`${n(scale.x(0))},${n(scale.y(0))}`]
    for (const sample of run.samples) {
      const used = sample.poolsInUse[pool.name] ?? 0
      points.push(`${n(scale.x(sample.frame))},${n(scale.y((used / pool.maxCount) * 100))}`)
    }
    return `<polyline class="pool" data-pool="${escapeHtml(pool.name)}" stroke="${color}" points="${points.join(" ")}"/>`
  })
  const legend = run.profile.pools
    .map(
      (pool, i) =>
        `<span class="k" style="background:${POOL_COLORS[i % POOL_COLORS.length] ?? "#000"}"></span>${escapeHtml(pool.name)} (${pool.maxCount} × ${escapeHtml(formatBytes(pool.blockSize))})`
    )
    .join(" ")
  return `<section>
<h2>Pool occupancy (blocks in use / maxCount)</h2>
<p class="legend">${legend}</p>
<svg id="pools" class="chart pool-chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="pool occupancy over frames">
${axes(scale, frames, 100, (v) => `${Math.round(v)}%`)}
${lines.join("\n")}
</svg>
</section>`
}

const eventsTable = (run: DemoRun): string => {
  const rows = run.events
    .filter((e) => e.kind !== "pressure")
    .map(
      (e) =>
        `<tr class="event ${e.kind}"><td>${e.frame}</td><td>${escapeHtml(e.kind)}</td><td>${escapeHtml(e.message)}</td></tr>`
    )
  return `<section><h2>Events</h2><table><thead><tr><th>frame</th><th>kind</th><th>what</th></tr></thead><tbody>${rows.join("")}</tbody></table></section>`
}

const STYLE = `
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#212121;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:18px 0 4px}
.meta{color:#555;margin:0 0 8px}
.chart{display:block;border:1px solid #ddd;background:#fafafa}
.grid{stroke:#e0e0e0;stroke-width:1}.axis{stroke:#616161;stroke-width:1}
.tick{font-size:11px;fill:#616161}
.usage{fill:none;stroke:#1565c0;stroke-width:2.5}
.pool{fill:none;stroke-width:2}
.warning{stroke:#f9a825;stroke-width:1.5;stroke-dasharray:6 4}.warning-label{fill:#f9a825;font-size:11px}
.critical{stroke:#ef6c00;stroke-width:1.5;stroke-dasharray:6 4}.critical-label{fill:#ef6c00;font-size:11px}
.budget{stroke:#c62828;stroke-width:1.5}.budget-label{fill:#c62828;font-size:11px}
.max{stroke:#000;stroke-width:1}.max-label{fill:#000;font-size:11px}
.legend{font-size:12px;color:#424242;margin:2px 0 6px}
.k{display:inline-block;width:14px;height:4px;margin:0 4px 2px 10px;vertical-align:middle;background:#1565c0}
.k.warning{background:#f9a825}.k.critical{background:#ef6c00}.k.budget{background:#c62828}.k.max{background:#000}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ddd;padding:2px 8px;text-align:left}
`

/**
 * Renders a demo run as a self-contained HTML page.
 *
 * @example
 * ```ts
 * import { dreamcast } from "@flight-hal/resources"
 * import { renderReport, runDemo } from "@flight-hal/cli"
 *
 * const run = await runDemo({ profile: dreamcast, frames: 30, seed: 7 })
 * const html = renderReport(run) // write it to report.html and open it in a browser
 * ```
 *
 * @since 0.1.0
 * @category report
 */
export const renderReport = (run: DemoRun): string => {
  const s = run.summary
  const charts = ResourceTypeNames.filter((type) => run.profile.budgets[type] !== undefined).map((type) =>
    usageChart(run, type)
  )
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>flight-hal demo report: ${escapeHtml(s.profile)}, seed ${s.seed}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>flight-hal demo: ${escapeHtml(s.profile)} (${escapeHtml(formatBytes(s.totalMemoryBytes))})</h1>
<p class="meta">seed ${s.seed} · ${s.frames} frames · ${s.counts.levelLoads} level loads · ${s.counts.evictions} evictions · ${s.counts.emergencyAllocations} emergency allocations · ${s.counts.timeouts} timeouts · ${s.counts.deadlocksDetected} deadlocks detected · ${s.counts.pressureChanges} pressure changes</p>
${charts.join("\n")}
${poolChart(run)}
${eventsTable(run)}
</body>
</html>
`
}
