/**
 * The live terminal view: per-type budget bars with the warning and critical marks, pool occupancy,
 * pressure levels and the last event, redrawn in place on a TTY; of the demo (with a progress bar) and
 * of a running program's manager (`flight-hal watch`, from its JSON snapshot). Without a TTY (CI,
 * pipes) it degrades to plain progress lines.
 *
 * @module
 */
import { type ResourceBudget, type ResourcePressure, ResourceTypeNames } from "@flight-hal/core"
import type { ManagerDump, PlatformProfile } from "@flight-hal/resources"
import { formatBytes, formatMoment } from "./internal/format.ts"
import type { TimelineSample } from "./model.ts"

const BAR = 40

const COLOR: { readonly [P in ResourcePressure]: string } = {
  None: "\x1b[32m",
  Low: "\x1b[33m",
  Medium: "\x1b[33m",
  High: "\x1b[31m",
  Critical: "\x1b[1;31m"
}
const RESET = "\x1b[0m"
const DIM = "\x1b[2m"

const cellAt = (fraction: number): number => Math.min(BAR - 1, Math.max(0, Math.floor(fraction * BAR)))

/**
 * A usage bar: filled cells for the usage, `|` at the warning, `!` at the critical threshold and
 * `#` cells for the reserve (the part only Critical requests may use).
 *
 * @since 0.1.0
 * @category rendering
 */
export const budgetBar = (
  usage: number,
  budget: {
    readonly maxBytes: number
    readonly reservedBytes: number
    readonly warningPercent: number
    readonly criticalPercent: number
  }
): string => {
  const max = Math.max(budget.maxBytes, 1)
  const filled = Math.min(BAR, Math.round((usage / max) * BAR))
  const warning = cellAt(budget.warningPercent / 100)
  const critical = cellAt(budget.criticalPercent / 100)
  const reserveFrom = cellAt((budget.maxBytes - budget.reservedBytes) / max)
  const cells: Array<string> = []
  for (let i = 0; i < BAR; i++) {
    if (i === warning) cells.push(i < filled ? "╫" : "|")
    else if (i === critical) cells.push(i < filled ? "╪" : "!")
    else if (i < filled) cells.push("█")
    else cells.push(i >= reserveFrom ? "#" : "·")
  }
  return `[${cells.join("")}]${usage > budget.maxBytes ? "+" : ""}`
}

const poolBar = (used: number, max: number): string => {
  const width = 20
  const filled = Math.min(width, Math.round((used / Math.max(max, 1)) * width))
  return `[${"█".repeat(filled)}${"·".repeat(width - filled)}]`
}

const progressBar = (frame: number, frames: number): string => {
  const width = 30
  const done = Math.min(width, Math.floor((frame / Math.max(frames, 1)) * width))
  return `[${"=".repeat(done)}${done < width ? ">" : ""}${" ".repeat(Math.max(0, width - done - 1))}] ${Math.floor((frame / Math.max(frames, 1)) * 100)}%`
}

/**
 * The live view of one frame as lines of text (with ANSI colours when `color` is true).
 *
 * @since 0.1.0
 * @category rendering
 */
export const renderLiveView = (
  profile: PlatformProfile,
  sample: TimelineSample,
  frames: number,
  lastEvent: string,
  color: boolean
): ReadonlyArray<string> => {
  const lines = [`flight-hal demo · ${profile.name} (${formatBytes(profile.totalMemoryBytes)})`]
  const types = ResourceTypeNames.flatMap((type) => {
    const budget = profile.budgets[type]
    return budget === undefined
      ? []
      : [{ type, budget, usage: sample.usage[type] ?? 0, pressure: sample.pressure[type] ?? "None" }]
  })
  const pools = profile.pools.map((pool) => ({
    name: pool.name,
    used: sample.poolsInUse[pool.name] ?? 0,
    maxCount: pool.maxCount
  }))
  lines.push(...viewLines(types, pools, color))
  lines.push(`frame ${String(sample.frame).padStart(5)}/${frames} ${progressBar(sample.frame, frames)}`)
  lines.push(`last: ${lastEvent}`.slice(0, 110))
  return lines
}

/** The budget bars (a type without a budget: its usage alone) and the pool bars of a view. */
const viewLines = (
  types: ReadonlyArray<{
    readonly type: string
    readonly budget: ResourceBudget | undefined
    readonly usage: number
    readonly pressure: ResourcePressure
  }>,
  pools: ReadonlyArray<{ readonly name: string; readonly used: number; readonly maxCount: number }>,
  color: boolean
): ReadonlyArray<string> => {
  const paint = (code: string, text: string) => (color ? `${code}${text}${RESET}` : text)
  const lines: Array<string> = []
  for (const { type, budget, usage, pressure } of types) {
    const bar = budget === undefined ? `[${"·".repeat(BAR)}]` : budgetBar(usage, budget)
    const max = budget === undefined ? "unlimited" : formatBytes(budget.maxBytes)
    lines.push(
      `${type.padEnd(9)} ${bar} ${formatBytes(usage).padStart(10)} / ${max.padEnd(10)} ${paint(COLOR[pressure], pressure)}`
    )
  }
  lines.push(paint(DIM, "          | warning  ! critical  # reserve"))
  for (const pool of pools) {
    lines.push(
      `pool ${pool.name.padEnd(15)} ${poolBar(pool.used, pool.maxCount)} ${String(pool.used).padStart(6)}/${pool.maxCount}`
    )
  }
  return lines
}

/** The types a watch view shows: those with a budget, and any other holding bytes. */
const watchedTypes = (dump: ManagerDump) =>
  dump.snapshot.types.filter((t) => t.budget !== undefined || t.currentUsage > 0)

/**
 * The live view of a running program's manager, from its JSON snapshot (`flight-hal watch`), as lines of
 * text (with ANSI colours when `color` is true).
 *
 * @example
 * ```ts
 * import { createResourceManager, managerDump } from "@flight-hal/resources"
 * import { renderWatchView } from "@flight-hal/cli"
 *
 * using manager = createResourceManager({ label: "game" })
 * const lines = renderWatchView(managerDump(manager), "watching", false)
 * console.log(lines[0]) // flight-hal watch · game · 0 live resources · 23:17:57.877 UTC
 * ```
 *
 * @since 0.1.0
 * @category rendering
 */
export const renderWatchView = (dump: ManagerDump, lastEvent: string, color: boolean): ReadonlyArray<string> => {
  const live = `${dump.snapshot.liveResources} live resource${dump.snapshot.liveResources === 1 ? "" : "s"}`
  const lines = [`flight-hal watch · ${dump.label} · ${live} · ${formatMoment(dump.takenAtMillis)}`]
  const types = watchedTypes(dump).map((t) => ({
    type: t.type,
    budget: t.budget,
    usage: t.currentUsage,
    pressure: t.pressure
  }))
  const pools = dump.pools.map((pool) => ({ name: pool.name, used: pool.usedBlocks, maxCount: pool.maxCount }))
  lines.push(...viewLines(types, pools, color))
  lines.push(`last: ${lastEvent}`.slice(0, 110))
  return lines
}

/**
 * One plain line of a watched manager (the watch view without a TTY).
 *
 * @since 0.1.0
 * @category rendering
 */
export const renderWatchLine = (dump: ManagerDump): string => {
  const parts = [formatMoment(dump.takenAtMillis)]
  for (const t of watchedTypes(dump)) {
    parts.push(
      t.budget === undefined
        ? `${t.type} ${formatBytes(t.currentUsage)}`
        : `${t.type} ${Math.round((t.currentUsage / Math.max(t.budget.maxBytes, 1)) * 100)}% ${t.pressure}`
    )
  }
  return parts.join(" · ")
}

/**
 * One plain progress line (the view without a TTY).
 *
 * @since 0.1.0
 * @category rendering
 */
export const renderProgressLine = (profile: PlatformProfile, sample: TimelineSample, frames: number): string => {
  const parts = [`frame ${sample.frame}/${frames}`]
  for (const type of ResourceTypeNames) {
    const budget = profile.budgets[type]
    if (budget === undefined) continue
    const usage = sample.usage[type] ?? 0
    parts.push(
      `${type} ${Math.round((usage / Math.max(budget.maxBytes, 1)) * 100)}% ${sample.pressure[type] ?? "None"}`
    )
  }
  return parts.join(" · ")
}

/**
 * Where the view is written.
 *
 * @since 0.1.0
 * @category models
 */
export interface ViewOutput {
  /** Writes text as is. */
  readonly write: (text: string) => void
  /** Whether the output is a terminal (then the view is redrawn in place). */
  readonly isTTY: boolean
  /**
   * Whether the terminal view is coloured (default: `isTTY`). `flight-hal` passes `effect/cli`'s answer, the
   * one its help follows: no colour under `NO_COLOR`, nor under `FORCE_COLOR=0`. The view without a terminal
   * has no colours either way.
   */
  readonly color?: boolean
}

/**
 * A live view: told about each frame.
 *
 * @since 0.1.0
 * @category models
 */
export interface LiveView {
  /** Draws a frame (or, without a TTY, prints a progress line every tenth of the run). */
  readonly frame: (sample: TimelineSample, lastEvent: string) => void
}

/**
 * A view that redraws in place on a TTY (coloured unless `output.color` is false) and prints plain progress
 * lines otherwise.
 *
 * @since 0.1.0
 * @category rendering
 */
export const makeLiveView = (output: ViewOutput, profile: PlatformProfile, frames: number): LiveView => {
  let drawn = 0
  const every = Math.max(1, Math.ceil(frames / 10))
  return {
    frame: (sample: TimelineSample, lastEvent: string): void => {
      if (output.isTTY) {
        const lines = renderLiveView(profile, sample, frames, lastEvent, output.color ?? true)
        const up = drawn > 0 ? `\x1b[${drawn}F` : ""
        output.write(`${up}\x1b[J${lines.join("\n")}\n`)
        drawn = lines.length
      } else if (sample.frame % every === 0 || sample.frame === frames) {
        output.write(`${renderProgressLine(profile, sample, frames)}\n`)
      }
    }
  }
}
