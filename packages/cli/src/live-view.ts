/**
 * The demo's live terminal view: per-type budget bars with the warning and critical marks, pool
 * occupancy, pressure levels and a progress bar, redrawn in place on a TTY. Without a TTY (CI,
 * pipes) it degrades to plain progress lines, about ten per run.
 *
 * @module
 */
import { type ResourcePressure, ResourceTypeNames } from "@flight-hal/core"
import type { PlatformProfile } from "@flight-hal/resources"
import { formatBytes } from "./internal/format.ts"
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
  const paint = (code: string, text: string) => (color ? `${code}${text}${RESET}` : text)
  const lines = [`flight-hal demo · ${profile.name} (${formatBytes(profile.totalMemoryBytes)})`]
  for (const type of ResourceTypeNames) {
    const budget = profile.budgets[type]
    if (budget === undefined) continue
    const usage = sample.usage[type] ?? 0
    const level = sample.pressure[type] ?? "None"
    lines.push(
      `${type.padEnd(9)} ${budgetBar(usage, budget)} ${formatBytes(usage).padStart(10)} / ${formatBytes(budget.maxBytes).padEnd(10)} ${paint(COLOR[level], level)}`
    )
  }
  lines.push(paint(DIM, "          | warning  ! critical  # reserve"))
  for (const pool of profile.pools) {
    const used = sample.poolsInUse[pool.name] ?? 0
    lines.push(
      `pool ${pool.name.padEnd(15)} ${poolBar(used, pool.maxCount)} ${String(used).padStart(6)}/${pool.maxCount}`
    )
  }
  lines.push(`frame ${String(sample.frame).padStart(5)}/${frames} ${progressBar(sample.frame, frames)}`)
  lines.push(`last: ${lastEvent}`.slice(0, 110))
  return lines
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
 * A view that redraws in place on a TTY and prints plain progress lines otherwise.
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
        const lines = renderLiveView(profile, sample, frames, lastEvent, true)
        const up = drawn > 0 ? `\x1b[${drawn}F` : ""
        output.write(`${up}\x1b[J${lines.join("\n")}\n`)
        drawn = lines.length
      } else if (sample.frame % every === 0 || sample.frame === frames) {
        output.write(`${renderProgressLine(profile, sample, frames)}\n`)
      }
    }
  }
}
