/**
 * The HTML report: one self-contained page (inline CSS and SVG, no script, no network), of a demo run
 * (`demo --report`) or of a recorded timeline (`flight-hal report <timeline>`), both made into a
 * {@link ReportModel}. For each budgeted type: its usage at each sample and its peak since the previous
 * sample (within each frame of the demo: a peak reached and paid back in between shows), against the
 * warning, critical, limit and max lines; under the
 * plot a lane coloured by the pressure level over time (with a legend); above it the timeouts,
 * deadlocks, refusals and Emergency admissions, stacked so that no two marks overlap. Then the
 * pools' occupancy and the event table. The charts scale with the window (SVG `viewBox`, CSS width
 * 100 %), and the axes use round ticks (1, 2 or 5 × 10^k of the unit).
 *
 * @module
 */
import { type ResourceBudget, type ResourcePressure, ResourcePressureNames, ResourceTypeNames } from "@flight-hal/core"
import { niceTicks, segmentStarts, stackRows } from "./internal/chart.ts"
import { count, formatBytes } from "./internal/format.ts"
import type { DemoRun } from "./model.ts"

/**
 * A point of the report's x axis (a frame of the demo, seconds of a timeline) and what was measured there.
 *
 * @since 0.1.0
 * @category report
 */
export interface ReportSample {
  /** Where on the x axis. */
  readonly x: number
  /** Bytes charged per type. */
  readonly usage: { readonly [type: string]: number }
  /** The highest usage per type since the previous sample (the demo: within the frame), the peak line. */
  readonly peak: { readonly [type: string]: number }
  /** Blocks in use per pool; a pool left out did not exist at this sample (created later, or destroyed). */
  readonly poolsInUse: { readonly [pool: string]: number }
  /** The pressure level per type, where known: the pressure lane starts at the first sample's. */
  readonly pressure?: { readonly [type: string]: ResourcePressure | undefined }
}

/**
 * Something that happened, for the event lanes (timeouts, deadlocks, refusals, Emergency admissions), the
 * pressure lane (`pressure`, with `to`) and the event table (every kind but `pressure`).
 *
 * @since 0.1.0
 * @category report
 */
export interface ReportEvent {
  /** Where on the x axis. */
  readonly x: number
  /** `timeout`, `deadlock`, `rejected` and `emergency` are marked on the charts; `pressure` colours the lane. */
  readonly kind: string
  /** A one-line description. */
  readonly message: string
  /** The type concerned (an event without one is marked on every chart). */
  readonly type?: string
  /** A pressure change's level before. */
  readonly from?: ResourcePressure
  /** A pressure change's level after. */
  readonly to?: ResourcePressure
}

/**
 * What the report draws, from a demo run ({@link demoReportModel}) or a timeline (`timelineReportModel`).
 *
 * @since 0.1.0
 * @category report
 */
export interface ReportModel {
  /** The page's heading. */
  readonly title: string
  /** The items of the line under the heading. */
  readonly meta: ReadonlyArray<string>
  /** The x axis' unit (`frame`, `s`). */
  readonly axis: string
  /** The end of the x axis. */
  readonly xMax: number
  /** The legend of the usage line. */
  readonly usageLabel: string
  /** The legend of the peak line. */
  readonly peakLabel: string
  /** The types to chart, each with its budget. */
  readonly types: ReadonlyArray<{ readonly type: string; readonly budget: ResourceBudget }>
  /**
   * The pools to chart, each over the samples whose `poolsInUse` has it (a pool of the first sample from the
   * origin). `blockSize` and `maxCount` absent: a pool whose shape the source does not give (a timeline from a
   * recorder that wrote no `newPools`), charted against the most blocks it had in use.
   */
  readonly pools: ReadonlyArray<{ readonly name: string; readonly blockSize?: number; readonly maxCount?: number }>
  /** The samples, in order of x. */
  readonly samples: ReadonlyArray<ReportSample>
  /** The events, in order of x. */
  readonly events: ReadonlyArray<ReportEvent>
}

/** The drawing's coordinate space (the page scales it to the window's width). */
const WIDTH = 1000
const PLOT_HEIGHT = 220
const LANE = 14
/** The narrowest a pressure segment is drawn (viewBox units): a level held for no time between two samples still shows. */
const MIN_SEGMENT = 3
const PAD = { left: 72, right: 16, top: 8, bottom: 30 }

const PRESSURE_COLORS: { readonly [P in ResourcePressure]: string } = {
  None: "#2e7d32",
  Low: "#9e9d24",
  Medium: "#f9a825",
  High: "#ef6c00",
  Critical: "#c62828"
}

/** The events marked on the usage charts: label, colour and an SVG shape centred on 0,0 (drawn, not a font glyph). */
const EVENT_MARKS = {
  timeout: { label: "timeout", color: "#6a1b9a", shape: `<circle r="4.5" fill="none" stroke-width="2"/>` },
  deadlock: {
    label: "deadlock refused",
    color: "#b71c1c",
    shape: `<path d="M-4,-4L4,4M4,-4L-4,4" stroke-width="2.2"/>`
  },
  rejected: { label: "request refused", color: "#455a64", shape: `<path d="M-5,-4H5L0,4Z" stroke="none"/>` },
  emergency: { label: "Emergency admission", color: "#c62828", shape: `<path d="M0,-5L5,0L0,5L-5,0Z" stroke="none"/>` }
} as const

/** A mark's shape at x,y in its colour. */
const markShape = (kind: MarkedKind, x: number | string, y: number | string): string => {
  const mark = EVENT_MARKS[kind]
  return `<g transform="translate(${x},${y})" fill="${mark.color}" stroke="${mark.color}">${mark.shape}</g>`
}

type MarkedKind = keyof typeof EVENT_MARKS

const isMarked = (kind: string): kind is MarkedKind => kind in EVENT_MARKS

const POOL_COLORS = ["#1565c0", "#6a1b9a", "#00838f", "#ad1457", "#4e342e", "#283593"] as const

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c)

const n = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(1))

/** The binary unit that keeps a byte axis' numbers small: `{ size, name }`. */
const byteUnit = (max: number): { readonly size: number; readonly name: string } => {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"] as const
  let u = 0
  while (u < units.length - 1 && max >= 1024 ** (u + 1)) u++
  return { size: 1024 ** u, name: units[u] ?? "B" }
}

interface Frame {
  /** Top of the plot area. */
  readonly top: number
  /** Bottom of the plot area (the x axis). */
  readonly base: number
  readonly x: (frame: number) => number
  readonly y: (value: number) => number
}

const makeFrame = (xMax: number, top: number, axisMax: number): Frame => {
  const innerW = WIDTH - PAD.left - PAD.right
  const base = top + PLOT_HEIGHT
  const span = xMax > 0 ? xMax : 1
  return {
    top,
    base,
    x: (frame) => PAD.left + (frame / span) * innerW,
    y: (value) => base - (Math.min(Math.max(value, 0), axisMax) / axisMax) * PLOT_HEIGHT
  }
}

const tickText = (v: number): string => String(Number(v.toPrecision(6)))

const axes = (f: Frame, model: ReportModel, ticks: ReadonlyArray<number>, label: (v: number) => string): string => {
  const ys = ticks.map((value) => {
    const y = n(f.y(value))
    return `<line class="grid" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y}" y2="${y}"/><text class="tick" x="${PAD.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeHtml(label(value))}</text>`
  })
  const xs = niceTicks(model.xMax, 10)
    .filter((x) => x <= model.xMax)
    .map((x) => `<text class="tick" x="${n(f.x(x))}" y="${n(f.base + 16)}" text-anchor="middle">${tickText(x)}</text>`)
  return [
    ...ys,
    ...xs,
    `<line class="axis" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${f.base}" y2="${f.base}"/>`,
    `<line class="axis" x1="${PAD.left}" x2="${PAD.left}" y1="${f.top}" y2="${f.base}"/>`,
    `<text class="tick" x="${WIDTH - PAD.right}" y="${n(f.base + 28)}" text-anchor="end">${escapeHtml(model.axis)}</text>`
  ].join("")
}

/** The height a line's label takes (its font is 11 units), with a little room. */
const LABEL_HEIGHT = 13

/**
 * Where the labels of lines at these ys go (the baseline of each, in the same order): just above its line, pushed
 * down just enough that no two overlap (the limit just under max with a small reserve: "max" and "limit" were
 * printed on top of each other).
 */
const labelYs = (ys: ReadonlyArray<number>): ReadonlyArray<number> => {
  const placed: Array<number> = ys.map(() => 0)
  let previous = Number.NEGATIVE_INFINITY
  for (const i of ys.map((_, i) => i).sort((a, b) => (ys[a] ?? 0) - (ys[b] ?? 0))) {
    previous = Math.max((ys[i] ?? 0) - 4, previous + LABEL_HEIGHT)
    placed[i] = previous
  }
  return placed
}

/** A horizontal line with its label at one end, the label's baseline at `labelY`. */
const hline = (f: Frame, value: number, cls: string, label: string, side: "left" | "right", labelY: number): string => {
  const y = n(f.y(value))
  const x = side === "right" ? WIDTH - PAD.right - 4 : PAD.left + 4
  return `<line class="${cls}" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y}" y2="${y}"/><text class="${cls}-label" x="${x}" y="${n(labelY)}" text-anchor="${side === "right" ? "end" : "start"}">${escapeHtml(label)}</text>`
}

/** Where an event or a sample is, in words (`frame 12`, `1.5 s`: a unit after its number, a frame before). */
const at = (model: ReportModel, x: number): string =>
  model.axis === "frame" ? `frame ${tickText(x)}` : `${tickText(x)} ${model.axis}`

/** What the x axis counts, in words for a screen reader (`frames`, `time (s)`). */
const axisWords = (model: ReportModel): string => (model.axis === "frame" ? "frames" : `time (${model.axis})`)

/**
 * The pressure lane: one segment per level change, from its x to the next change, after the level the recording
 * started at (the first change's `from`, else the first sample's level, else None: a manager recorded while
 * already under pressure starts there, not at None). Every change's segment is at least a few units wide, so a
 * level that came and went between two samples (a Critical at one millisecond) shows.
 */
const pressureLane = (model: ReportModel, type: string, f: Frame, y: number): string => {
  const lo = f.x(0)
  const hi = f.x(model.xMax)
  const changes = model.events.filter((e) => e.kind === "pressure" && e.type === type)
  const starts = segmentStarts(
    changes.map((e) => f.x(e.x)),
    lo,
    hi,
    MIN_SEGMENT
  )
  const start = changes[0]?.from ?? model.samples[0]?.pressure?.[type] ?? "None"
  const first = `<rect class="pressure-start" data-level="${start}" x="${n(lo)}" y="${y}" width="${n((starts[0] ?? hi) - lo)}" height="${LANE}" fill="${PRESSURE_COLORS[start]}"/>`
  const segments = changes.map((e, i) => {
    const to = e.to ?? "None"
    const from = starts[i] ?? lo
    const until = starts[i + 1] ?? hi
    return `<g class="pressure-mark" data-to="${to}"><rect x="${n(from)}" y="${y}" width="${n(Math.max(0, until - from))}" height="${LANE}" fill="${PRESSURE_COLORS[to]}"><title>${escapeHtml(`${at(model, e.x)}: ${e.from ?? ""} → ${to}`)}</title></rect></g>`
  })
  return `<text class="lane-label" x="${PAD.left - 6}" y="${y + LANE - 3}" text-anchor="end">pressure</text>${first}${segments.join("")}`
}

/** The event lane(s) above the plot: timeouts, deadlocks, refusals, Emergency admissions. */
const eventLane = (
  model: ReportModel,
  type: string,
  f: Frame,
  y: number
): { readonly svg: string; readonly rows: number } => {
  const marked = model.events.filter(
    (e): e is ReportEvent & { kind: MarkedKind } => isMarked(e.kind) && (e.type === undefined || e.type === type)
  )
  const rows = stackRows(
    marked.map((e) => f.x(e.x)),
    LANE
  )
  const svg = marked.map((e, i) => {
    const mark = EVENT_MARKS[e.kind]
    const x = n(f.x(e.x))
    const cy = y + (rows[i] ?? 0) * LANE + LANE / 2
    return `<g class="event-mark ${e.kind}"><title>${escapeHtml(`${at(model, e.x)}: ${e.message}`)}</title><line x1="${x}" x2="${x}" y1="${n(cy + LANE / 2)}" y2="${f.base}" stroke="${mark.color}" stroke-dasharray="2 3"/>${markShape(e.kind, x, n(cy))}</g>`
  })
  return { svg: svg.join(""), rows: Math.max(1, ...rows.map((r) => r + 1)) }
}

/** One legend entry, its swatch and label kept on one line. */
const item = (html: string): string => `<span class="item">${html}</span>`

const pressureLegend = (): string =>
  ResourcePressureNames.map((level) =>
    item(`<span class="k" style="background:${PRESSURE_COLORS[level]}"></span>${escapeHtml(level)}`)
  ).join(" ")

const eventLegend = (): string =>
  (Object.keys(EVENT_MARKS) as ReadonlyArray<MarkedKind>)
    .map((kind) =>
      item(
        `<svg class="sym" viewBox="-7 -7 14 14" width="14" height="14" aria-hidden="true">${markShape(kind, 0, 0)}</svg>${escapeHtml(EVENT_MARKS[kind].label)}`
      )
    )
    .join(" ")

const usageChart = (model: ReportModel, type: string, budget: ResourceBudget): string => {
  const peak = Math.max(0, ...model.samples.map((s) => s.peak[type] ?? s.usage[type] ?? 0))
  const peakX = model.samples.find((s) => (s.peak[type] ?? 0) >= peak)?.x ?? 0
  const unit = byteUnit(Math.max(budget.maxBytes, peak))
  const ticks = niceTicks(Math.max(budget.maxBytes, peak) / unit.size).map((t) => t * unit.size)
  const axisMax = ticks[ticks.length - 1] ?? 1
  // The rows the event marks need depend on their x only, which the plot's top does not change.
  const eventsHeight = eventLane(model, type, makeFrame(model.xMax, 0, axisMax), 0).rows * LANE + 4
  const f = makeFrame(model.xMax, PAD.top + eventsHeight, axisMax)
  const lane = eventLane(model, type, f, PAD.top)
  const laneY = f.base + PAD.bottom
  const height = laneY + LANE + 6
  const line = (values: (s: ReportSample) => number) =>
    [`${n(f.x(0))},${n(f.y(0))}`, ...model.samples.map((s) => `${n(f.x(s.x))},${n(f.y(values(s)))}`)].join(" ")
  const warning = Math.floor((budget.maxBytes * budget.warningPercent) / 100)
  const critical = Math.floor((budget.maxBytes * budget.criticalPercent) / 100)
  const limit = budget.maxBytes - budget.reservedBytes
  // the labels on each side kept apart: warning and critical on the right, limit and max on the left
  const right = labelYs([f.y(warning), f.y(critical)])
  const left = labelYs([f.y(budget.reservedBytes > 0 ? limit : budget.maxBytes), f.y(budget.maxBytes)])
  const changes = model.events.filter((e) => e.kind === "pressure" && e.type === type).length
  const label = (v: number) => `${n(Number((v / unit.size).toPrecision(6)))} ${unit.name}`
  return `<section>
<h2>${escapeHtml(type)} usage</h2>
<p class="legend">${[
    `<span class="k usage"></span>${escapeHtml(model.usageLabel)}`,
    `<span class="k peak"></span>${escapeHtml(model.peakLabel)}`,
    `<span class="k warning"></span>warning ${budget.warningPercent}%`,
    `<span class="k critical"></span>critical ${budget.criticalPercent}%`,
    `<span class="k budget"></span>limit (max − reserved)`,
    `<span class="k max"></span>max ${escapeHtml(formatBytes(budget.maxBytes))}`
  ]
    .map(item)
    .join(" ")}</p>
<p class="legend">peak ${escapeHtml(formatBytes(peak))} (${escapeHtml(at(model, peakX))}) · ${count(changes, "pressure change")} · pressure: ${pressureLegend()}</p>
<svg id="usage-${escapeHtml(type)}" class="chart usage-chart" viewBox="0 0 ${WIDTH} ${height}" preserveAspectRatio="xMinYMin meet" role="img" aria-label="${escapeHtml(type)} usage over ${escapeHtml(axisWords(model))}">
${axes(f, model, ticks, label)}
${hline(f, warning, "warning", "warning", "right", right[0] ?? 0)}
${hline(f, critical, "critical", "critical", "right", right[1] ?? 0)}
${budget.reservedBytes > 0 ? hline(f, limit, "budget", "limit", "left", left[0] ?? 0) : ""}
${hline(f, budget.maxBytes, "max", budget.reservedBytes > 0 ? "max" : "max = limit (no reserve)", "left", left[1] ?? 0)}
<polyline class="peak" points="${line((s) => s.peak[type] ?? 0)}"/>
<polyline class="usage" points="${line((s) => s.usage[type] ?? 0)}"/>
<g class="event-marks">${lane.svg}</g>
<g class="pressure-lane">${pressureLane(model, type, f, laneY)}</g>
</svg>
</section>`
}

/**
 * The runs of consecutive samples that have a pool (in its `poolsInUse`): one for a pool that lived through the
 * recording, from its first sample to its last; more for one destroyed and created again.
 */
const poolRuns = (model: ReportModel, name: string): ReadonlyArray<ReadonlyArray<number>> => {
  const runs: Array<Array<number>> = []
  model.samples.forEach((sample, i) => {
    if (!Object.hasOwn(sample.poolsInUse, name)) return
    const last = runs.at(-1)
    if (last !== undefined && last.at(-1) === i - 1) last.push(i)
    else runs.push([i])
  })
  return runs
}

/** The most blocks a pool had in use at a sample. */
const mostInUse = (model: ReportModel, name: string): number =>
  Math.max(0, ...model.samples.map((s) => s.poolsInUse[name] ?? 0))

const poolChart = (model: ReportModel): string => {
  if (model.pools.length === 0) return ""
  const f = makeFrame(model.xMax, PAD.top, 100)
  const lines = model.pools.map((pool, i) => {
    const color = POOL_COLORS[i % POOL_COLORS.length] ?? "#000"
    const used = (sample: ReportSample) => sample.poolsInUse[pool.name] ?? 0
    // without its maxCount, a pool is charted against the most blocks it had in use
    const full = Math.max(pool.maxCount ?? mostInUse(model, pool.name), 1)
    const name = escapeHtml(pool.name)
    return poolRuns(model, pool.name)
      .map((run) => {
        const points = run.flatMap((s) => {
          const sample = model.samples[s]
          return sample === undefined ? [] : [`${n(f.x(sample.x))},${n(f.y((used(sample) / full) * 100))}`]
        })
        // a pool of the first sample starts at the origin, as the usage lines do
        if (run[0] === 0) points.unshift(`${n(f.x(0))},${n(f.y(0))}`)
        if (points.length > 1) {
          return `<polyline class="pool" data-pool="${name}" stroke="${color}" points="${points.join(" ")}"/>`
        }
        const [cx = "0", cy = "0"] = (points[0] ?? "").split(",")
        return `<circle class="pool-point" data-pool="${name}" fill="${color}" cx="${cx}" cy="${cy}" r="3"/>`
      })
      .join("")
  })
  const legend = model.pools
    .map((pool, i) => {
      const shape =
        pool.maxCount === undefined || pool.blockSize === undefined
          ? `shape not recorded: % of the most blocks in use, ${mostInUse(model, pool.name)}`
          : `${count(pool.maxCount, "block")} × ${formatBytes(pool.blockSize)}`
      return item(
        `<span class="k" style="background:${POOL_COLORS[i % POOL_COLORS.length] ?? "#000"}"></span>${escapeHtml(pool.name)} (${escapeHtml(shape)})`
      )
    })
    .join(" ")
  return `<section>
<h2>Pool occupancy (blocks in use / maxCount)</h2>
<p class="legend">${legend}</p>
<svg id="pools" class="chart pool-chart" viewBox="0 0 ${WIDTH} ${f.base + PAD.bottom}" preserveAspectRatio="xMinYMin meet" role="img" aria-label="pool occupancy over ${escapeHtml(axisWords(model))}">
${axes(f, model, [0, 20, 40, 60, 80, 100], (v) => `${v}%`)}
${lines.join("\n")}
</svg>
</section>`
}

const eventsTable = (model: ReportModel): string => {
  const rows = model.events
    .filter((e) => e.kind !== "pressure")
    .map(
      (e) =>
        `<tr class="event ${escapeHtml(e.kind)}"><td>${tickText(e.x)}</td><td>${escapeHtml(e.kind)}</td><td>${escapeHtml(e.message)}</td></tr>`
    )
  return `<section><h2>Events</h2><table><thead><tr><th>${escapeHtml(model.axis)}</th><th>kind</th><th>what</th></tr></thead><tbody>${rows.join("")}</tbody></table></section>`
}

const STYLE = `
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:16px 24px;color:#212121;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:18px 0 4px}
.meta{color:#555;margin:0 0 8px}
.chart{display:block;width:100%;max-width:1600px;height:auto;border:1px solid #ddd;background:#fafafa}
.grid{stroke:#e0e0e0;stroke-width:1}.axis{stroke:#616161;stroke-width:1}
.tick,.lane-label{font-size:11px;fill:#616161}
.usage{fill:none;stroke:#1565c0;stroke-width:2.5}
.peak{fill:none;stroke:#1565c0;stroke-width:1.5;stroke-dasharray:4 3;opacity:.7}
.pool{fill:none;stroke-width:2}
.warning{stroke:#f9a825;stroke-width:1.5;stroke-dasharray:6 4}.warning-label{fill:#f9a825;font-size:11px}
.critical{stroke:#ef6c00;stroke-width:1.5;stroke-dasharray:6 4}.critical-label{fill:#ef6c00;font-size:11px}
.budget{stroke:#c62828;stroke-width:1.5}.budget-label{fill:#c62828;font-size:11px}
.max{stroke:#000;stroke-width:1}.max-label{fill:#000;font-size:11px}
.legend{font-size:12px;color:#424242;margin:2px 0 4px}.item{white-space:nowrap}
.k{display:inline-block;width:14px;height:6px;margin:0 4px 2px 10px;vertical-align:middle;background:#1565c0}
.k.peak{background:repeating-linear-gradient(90deg,#1565c0 0 4px,transparent 4px 7px);height:3px}
.k.warning{background:#f9a825}.k.critical{background:#ef6c00}.k.budget{background:#c62828}.k.max{background:#000}
.sym{display:inline-block;margin:0 4px 0 10px;vertical-align:middle}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ddd;padding:2px 8px;text-align:left}
`

/**
 * The report model of a demo run: x is the frame; the peak line is each frame's own peak (the highest usage
 * within the frame, a spike paid back before the frame's end included), so after a spike it comes back down;
 * the legend states the highest of them, the run's true peak, and its frame.
 *
 * @example
 * ```ts
 * import { dreamcast } from "@flight-hal/resources"
 * import { demoReportModel, runDemo } from "@flight-hal/cli"
 *
 * const model = demoReportModel(await runDemo({ profile: dreamcast, frames: 30, seed: 7 }))
 * console.log(model.axis, model.xMax) // frame 30
 * ```
 *
 * @since 0.1.0
 * @category report
 */
export const demoReportModel = (run: DemoRun): ReportModel => {
  const s = run.summary
  const c = s.counts
  return {
    title: `flight-hal demo: ${s.profile} (${formatBytes(s.totalMemoryBytes)})`,
    meta: [
      `seed ${s.seed}`,
      count(s.frames, "frame"),
      count(c.levelLoads, "level load"),
      count(c.evictions, "eviction"),
      count(c.emergencyAllocations, "Emergency allocation"),
      count(c.timeouts, "timeout"),
      `${count(c.deadlocksDetected, "deadlock")} detected`,
      count(c.rejected, "refused request"),
      count(c.pressureChanges, "pressure change")
    ],
    axis: "frame",
    xMax: run.samples.length,
    usageLabel: "usage at frame end",
    peakLabel: "peak within the frame",
    types: ResourceTypeNames.flatMap((type) => {
      const budget = run.profile.budgets[type]
      return budget === undefined ? [] : [{ type, budget }]
    }),
    pools: run.profile.pools,
    samples: run.samples.map((sample) => ({
      x: sample.frame,
      usage: sample.usage,
      peak: sample.peak,
      poolsInUse: sample.poolsInUse,
      pressure: sample.pressure
    })),
    events: run.events.map(({ frame, ...event }) => ({ x: frame, ...event }))
  }
}

/**
 * Renders a report model as a self-contained HTML page.
 *
 * @example
 * ```ts
 * import { renderReportModel } from "@flight-hal/cli"
 *
 * const html = renderReportModel({
 *   title: "my game", meta: [], axis: "s", xMax: 2, usageLabel: "usage", peakLabel: "peak", pools: [],
 *   types: [{ type: "Memory", budget: { maxBytes: 1024, reservedBytes: 0, warningPercent: 75, criticalPercent: 90 } }],
 *   samples: [{ x: 1, usage: { Memory: 512 }, peak: { Memory: 900 }, poolsInUse: {} }],
 *   events: []
 * })
 * console.log(html.includes('<svg id="usage-Memory"')) // true
 * ```
 *
 * @since 0.1.0
 * @category report
 */
export const renderReportModel = (model: ReportModel): string => {
  const charts = model.types.map(({ type, budget }) => usageChart(model, type, budget))
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(model.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(model.title)}</h1>
<p class="meta">${model.meta.map((text) => item(escapeHtml(text))).join(" · ")}</p>
<p class="legend">marks above the usage plots: ${eventLegend()}</p>
${charts.join("\n")}
${poolChart(model)}
${eventsTable(model)}
</body>
</html>
`
}

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
export const renderReport = (run: DemoRun): string => renderReportModel(demoReportModel(run))
