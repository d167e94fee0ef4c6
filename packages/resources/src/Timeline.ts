/**
 * A timeline of a manager: its usage per type over time with the true peak between two samples, its pressure
 * changes (as they happen), its timeouts, refused deadlocks, refusals, budget changes, Emergency admissions
 * and leaks, and its pools' occupancy, written as NDJSON (format `flight-hal/timeline`, version 1; see
 * docs/observability.md). `flight-hal report <timeline>` renders it as the HTML report.
 *
 * Recording costs nothing on the acquire path: a sample reads the manager's counters and the highest usage
 * since the previous sample (kept by the manager in the same comparison as its all-time peak); pressure
 * changes are observed when the manager publishes them.
 *
 * @module
 */
import type { ResourceBudget, ResourcePressure, ResourceTypeName } from "@flight-hal/core"
import { InvalidArgument, ResourcePressureNames } from "@flight-hal/core"
import type { ManagedPool } from "@flight-hal/pool"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { exactClock } from "./internal/burst-clock.ts"
import { durationMillis } from "./internal/duration-millis.ts"
import { FAILURE_REASONS, type FailureReasonLabel, failureReasonLabels } from "./internal/failure-reasons.ts"
import { attachedCore } from "./internal/manager-core.ts"
import { poolMaxBlocks } from "./internal/metric-families.ts"
import type { PressureObserver } from "./internal/metrics.ts"
import { show, showThrown } from "./internal/show.ts"
import type { AnyResourceManager } from "./ManagerMetrics.ts"
import { ResourceManager } from "./ResourceManager.ts"

/**
 * The first line of a timeline.
 *
 * @since 0.1.0
 * @category timeline
 */
export interface TimelineHeader {
  /** Always `flight-hal/timeline`. */
  readonly format: "flight-hal/timeline"
  /** The format's version: 1. */
  readonly version: 1
  /** The manager's label (the config's, or the recorder's `label`). */
  readonly label: string
  /** The manager's clock when the recording started (`t` of every later line counts from it). */
  readonly startedAtMillis: number
  /** The sampling interval, when the recorder samples by itself. */
  readonly intervalMillis?: number
  /** Every type the manager serves, with its budget when it has one. */
  readonly types: ReadonlyArray<{
    readonly type: ResourceTypeName
    readonly budget?: ResourceBudget
  }>
  /** The manager's pools when the recording started (a pool created later: the sample's `newPools`). */
  readonly pools: ReadonlyArray<TimelinePool>
}

/**
 * A pool's shape in a timeline: in the header's `pools`, or in a sample's `newPools`.
 *
 * @since 0.1.0
 * @category timeline
 */
export interface TimelinePool {
  /** The pool's name (the key of a sample's `pools`). */
  readonly name: string
  /** The type its capacity is charged to. */
  readonly type: ResourceTypeName
  /** Bytes per block. */
  readonly blockSize: number
  /** The most blocks the pool may hold. */
  readonly maxCount: number
}

/**
 * A sample: the state at `t`, and the highest usage of each type since the previous sample.
 *
 * @since 0.1.0
 * @category timeline
 */
export interface TimelineSampleRecord {
  /** A sample. */
  readonly kind: "sample"
  /** Milliseconds since `startedAtMillis`, by the manager's clock. */
  readonly t: number
  /** Bytes charged per type now (types with no budget and no usage are left out). */
  readonly usage: { readonly [type: string]: number }
  /** The highest usage per type since the previous sample (the true peak, reached and left in between). */
  readonly peak: { readonly [type: string]: number }
  /** Pressure level per type now. */
  readonly pressure: { readonly [type: string]: ResourcePressure }
  /** Requests waiting per type now. */
  readonly waiting: { readonly [type: string]: number }
  /** Emergency overage per type now. */
  readonly emergencyBytes: { readonly [type: string]: number }
  /** Blocks in use per pool now. */
  readonly pools: { readonly [pool: string]: number }
  /**
   * The pools created since the previous sample (since the recording started, for the first), each pool once:
   * present only when there is one (a pool destroyed and created again is a new pool).
   */
  readonly newPools?: ReadonlyArray<TimelinePool>
}

/**
 * What a timeline marks: a pressure change (at the moment it happened), or what the counters say happened
 * since the previous sample (at the sample's `t`, `count` times).
 *
 * @since 0.1.0
 * @category timeline
 */
export type TimelineEventKind = "pressure" | "budget" | "emergency" | "leak" | FailureReasonLabel

/**
 * An event of a timeline.
 *
 * @since 0.1.0
 * @category timeline
 */
export interface TimelineEventRecord {
  /** An event. */
  readonly kind: "event"
  /** Milliseconds since `startedAtMillis`. */
  readonly t: number
  /** What happened. */
  readonly event: TimelineEventKind
  /** The type concerned. */
  readonly type: ResourceTypeName
  /** How many times since the previous sample (counted events). */
  readonly count?: number
  /** A pressure change's level before (for `source: "system"`, the system's level). */
  readonly from?: ResourcePressure
  /** A pressure change's level after. */
  readonly to?: ResourcePressure
  /** `"system"` for an OS-level pressure change. */
  readonly source?: "system"
  /** A budget change's new budget (absent: removed). */
  readonly budget?: ResourceBudget
}

/**
 * The last line of a finished timeline.
 *
 * @since 0.1.0
 * @category timeline
 */
export interface TimelineEndRecord {
  /** The end of the recording. */
  readonly kind: "end"
  /** Milliseconds since `startedAtMillis`. */
  readonly t: number
}

/**
 * One line of a timeline file after the header.
 *
 * @since 0.1.0
 * @category timeline
 */
export type TimelineRecord = TimelineSampleRecord | TimelineEventRecord | TimelineEndRecord

/**
 * A recording in progress.
 *
 * @since 0.1.0
 * @category timeline
 */
export interface TimelineRecorder extends Disposable {
  /** Takes a sample now (and writes the events counted since the previous one). */
  readonly sample: () => void
  /** Takes a last sample, writes the end line and stops (idempotent). */
  readonly stop: () => void
  /** Samples taken so far. */
  readonly samples: () => number
}

/**
 * Options of {@link recordTimeline}.
 *
 * @since 0.1.0
 * @category timeline
 */
export interface TimelineOptions {
  /** Receives each line (without its newline), the header first: `timelineToFile(path).sink`, or your own. */
  readonly sink: (line: string) => void
  /**
   * Samples every so many milliseconds of wall-clock time (an unref'd timer), from 1 to 2^31 − 1 (0 is refused,
   * as `recordTimelineScoped` refuses an `interval` under 1 ms); absent: only on `sample()`.
   */
  readonly intervalMillis?: number | undefined
  /** The label in the header (default: the config's `label`, else `"resource-manager"`). */
  readonly label?: string | undefined
}

/** What the previous sample counted, to write what happened since as events. */
interface Counted {
  readonly failures: Float64Array
  readonly emergency: Float64Array
  readonly leaks: Float64Array
  budgets: Array<ResourceBudget | undefined>
}

/**
 * Starts recording a timeline of a manager of either front end: writes the header and a first sample at
 * once, then a sample on every `sample()` (and every `intervalMillis` when given) and each pressure change as
 * it happens, until `stop()` (or dispose) writes a last sample and the end line. The manager's `close()` does
 * not stop it: stop it before or after. Throws `InvalidArgument` for anything that is not a manager, and for
 * options that are not {@link TimelineOptions} (`sink` a function, `intervalMillis` a number in
 * [1, 2^31 − 1], `label` a string; each read once) or whose reading throws. A sink that throws makes `sample()`
 * and `stop()` throw (`stop` ends the recording first); on a timer sample or a pressure change the line is lost.
 *
 * @example
 * ```ts
 * import { createResourceManager, recordTimeline } from "@flight-hal/resources"
 *
 * using manager = createResourceManager({
 *   budgets: { Memory: { maxBytes: 1 << 20, reservedBytes: 0, warningPercent: 75, criticalPercent: 90 } }
 * })
 * const lines: Array<string> = []
 * {
 *   using timeline = recordTimeline(manager, { sink: (line) => lines.push(line) })
 *   manager.acquire("spike", { type: "Memory", sizeBytes: 900 << 10 }).release()
 *   timeline.sample() // e.g. once per frame
 * }
 * const samples = lines.map((line) => JSON.parse(line)).filter((record) => record.kind === "sample")
 * console.log(samples[1].peak.Memory) // 921600: the spike, though usage is 0 again
 * ```
 *
 * @since 0.1.0
 * @category timeline
 */
export const recordTimeline = (manager: AnyResourceManager, options: TimelineOptions): TimelineRecorder => {
  const attached = attachedCore(manager)
  if (!("core" in attached)) throw attached
  return startTimeline(manager, readTimelineOptions(options), true)
}

/** The longest interval a timer takes (setInterval's limit: 2^31 − 1 ms). */
const MAX_INTERVAL_MILLIS = 2 ** 31 - 1

/** {@link TimelineOptions} read once into a checked copy, or InvalidArgument (thrown). */
const readTimelineOptions = (options: unknown): TimelineOptions => {
  const bad = (argument: string, issue: string) => new InvalidArgument({ argument, issue })
  if (typeof options !== "object" || options === null) {
    throw bad("options", `expected { sink: (line) => void, … }, got ${show(options)}`)
  }
  let sink: unknown
  let intervalMillis: unknown
  let label: unknown
  try {
    ;({ sink, intervalMillis, label } = options as Record<keyof TimelineOptions, unknown>)
  } catch (error) {
    throw bad("options", `could not be read (${showThrown(error)})`)
  }
  if (typeof sink !== "function") throw bad("options.sink", `expected a function, got ${show(sink)}`)
  if (
    intervalMillis !== undefined &&
    (typeof intervalMillis !== "number" ||
      !Number.isFinite(intervalMillis) ||
      intervalMillis < 1 ||
      intervalMillis > MAX_INTERVAL_MILLIS)
  ) {
    throw bad("options.intervalMillis", `expected a number in [1, 2^31 − 1], got ${show(intervalMillis)}`)
  }
  if (label !== undefined && typeof label !== "string") {
    throw bad("options.label", `expected a string, got ${show(label)}`)
  }
  return {
    sink: sink as TimelineOptions["sink"],
    ...(intervalMillis === undefined ? {} : { intervalMillis }),
    ...(label === undefined ? {} : { label })
  }
}

/** A pool of the manager as the timeline describes it. */
const poolShape = ({ type, pool }: { readonly type: ResourceTypeName; readonly pool: ManagedPool }): TimelinePool => ({
  name: pool.name,
  type,
  blockSize: pool.stats().blockSize,
  maxCount: poolMaxBlocks(pool)
})

/** A recording; with `ownTimer`, it samples every `intervalMillis` itself (else its caller does). */
const startTimeline = (manager: AnyResourceManager, options: TimelineOptions, ownTimer: boolean): TimelineRecorder => {
  const attached = attachedCore(manager)
  if (!("core" in attached)) throw attached
  const { core } = attached
  const state = core.state
  const names = state.typeTable.names
  // the clock itself, not the facade's once-per-burst reading: a loop that never yields samples once per frame
  const now = exactClock(state.now)
  const startedAt = now()
  const at = () => now() - startedAt
  const write = (record: TimelineHeader | TimelineRecord) => options.sink(JSON.stringify(record))
  const header: TimelineHeader = {
    format: "flight-hal/timeline",
    version: 1,
    label: options.label ?? attached.label ?? "resource-manager",
    startedAtMillis: startedAt,
    ...(options.intervalMillis === undefined ? {} : { intervalMillis: options.intervalMillis }),
    types: names.map((type, t) => {
      const budget = state.budgets[t]
      return budget === undefined ? { type } : { type, budget }
    }),
    pools: core.pools.pools().map(poolShape)
  }
  write(header)
  // the pools whose shape is written (the header's, then each sample's `newPools`): a pool object is a new pool
  const shown = new WeakSet<object>(core.pools.pools().map(({ pool }) => pool))
  const window = core.metrics.openWindow()
  const counted: Counted = {
    failures: Float64Array.from(state.failures),
    emergency: Float64Array.from(state.emergencyCount),
    leaks: Float64Array.from(core.metrics.leaks),
    budgets: [...state.budgets]
  }
  const observer: PressureObserver = (event, atMillis) =>
    write({
      kind: "event",
      t: atMillis - startedAt,
      event: "pressure",
      type: event.type,
      from: event.from,
      to: event.to,
      ...(event.source === undefined ? {} : { source: event.source })
    })
  core.metrics.pressureObservers.add(observer)
  let taken = 0
  let stopped = false

  const writeCounted = (t: number) => {
    const delta = (event: TimelineEventKind, type: number, now: number, before: number) => {
      if (now > before) write({ kind: "event", t, event, type: names[type] as ResourceTypeName, count: now - before })
    }
    for (let type = 0; type < names.length; type++) {
      for (let r = 0; r < FAILURE_REASONS; r++) {
        const i = type * FAILURE_REASONS + r
        delta(
          failureReasonLabels[r] as FailureReasonLabel,
          type,
          state.failures[i] as number,
          counted.failures[i] as number
        )
      }
      delta("emergency", type, state.emergencyCount[type] as number, counted.emergency[type] as number)
      delta("leak", type, core.metrics.leaks[type] as number, counted.leaks[type] as number)
      const budget = state.budgets[type]
      if (budget !== counted.budgets[type]) {
        write({
          kind: "event",
          t,
          event: "budget",
          type: names[type] as ResourceTypeName,
          ...(budget === undefined ? {} : { budget })
        })
      }
    }
    counted.failures.set(state.failures)
    counted.emergency.set(state.emergencyCount)
    counted.leaks.set(core.metrics.leaks)
    counted.budgets = [...state.budgets]
  }

  const sample = () => {
    if (stopped) return
    const t = at()
    writeCounted(t)
    const peaks = core.metrics.takePeaks(window)
    const usage: Record<string, number> = {}
    const peak: Record<string, number> = {}
    const pressure: Record<string, ResourcePressure> = {}
    const waiting: Record<string, number> = {}
    const emergencyBytes: Record<string, number> = {}
    names.forEach((type, i) => {
      if (state.budgets[i] === undefined && (peaks[i] as number) === 0) return
      usage[type] = state.usage[i] as number
      peak[type] = peaks[i] as number
      pressure[type] = ResourcePressureNames[state.pressure[i] as number] ?? "None"
      waiting[type] = state.waitingOfType(i)
      emergencyBytes[type] = state.emergencyBytes[i] as number
    })
    const pools: Record<string, number> = {}
    const newPools: Array<TimelinePool> = []
    for (const entry of core.pools.pools()) {
      pools[entry.pool.name] = entry.pool.stats().usedBlocks
      if (!shown.has(entry.pool)) {
        shown.add(entry.pool)
        newPools.push(poolShape(entry))
      }
    }
    write({
      kind: "sample",
      t,
      usage,
      peak,
      pressure,
      waiting,
      emergencyBytes,
      pools,
      ...(newPools.length === 0 ? {} : { newPools })
    })
    taken++
  }

  const runtime = globalThis as {
    setInterval?: (callback: () => void, ms: number) => unknown
    clearInterval?: (timer: unknown) => void
  }
  // the timer's samples: a sink that throws there (a full disk) loses that line, as the pressure observer's do;
  // thrown from a timer, it would end the process, past any catch of the caller's
  const timedSample = () => {
    try {
      sample()
    } catch {
      // the line is lost; the next sample tries again
    }
  }
  const timer =
    options.intervalMillis === undefined || !ownTimer
      ? undefined
      : runtime.setInterval?.(timedSample, options.intervalMillis)
  ;(timer as { unref?: () => void } | undefined)?.unref?.()

  // a last sample, then the end line; the timer, the observer and the window end even when the sink throws
  // (which the caller of `stop` then sees)
  const stop = () => {
    if (stopped) return
    try {
      sample()
    } finally {
      stopped = true
      if (timer !== undefined) runtime.clearInterval?.(timer)
      core.metrics.pressureObservers.delete(observer)
      core.metrics.closeWindow(window)
    }
    write({ kind: "end", t: at() })
  }
  sample()
  return { sample, stop, samples: () => taken, [Symbol.dispose]: stop }
}

/**
 * Records a timeline of the `ResourceManager` service for as long as the scope lasts: a sample every
 * `interval` by Effect's `Clock` (so `TestClock` drives it in tests), pressure changes as they happen, and
 * the end line when the scope closes. The recorder is returned for samples of your own (once per frame).
 * Fails with `InvalidArgument` naming the option for an `interval` that is not a duration from 1 ms to
 * 2^31 − 1 ms, a `sink` that is not a function or a `label` that is not a string. A line the sink throws on (a full
 * disk) is lost; the recording goes on.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { recordTimelineScoped, ResourceManager } from "@flight-hal/resources"
 *
 * const lines: Array<string> = []
 * const program = Effect.gen(function*() {
 *   yield* recordTimelineScoped({ sink: (line) => lines.push(line), interval: "100 millis" })
 *   const manager = yield* ResourceManager
 *   yield* manager.acquire("level", { type: "Memory", sizeBytes: 4096 })
 * }).pipe(Effect.scoped, Effect.provide(ResourceManager.layer()))
 * await Effect.runPromise(program)
 * console.log(JSON.parse(lines.at(-1) ?? "{}").kind) // end
 * ```
 *
 * @since 0.1.0
 * @category timeline
 */
export const recordTimelineScoped = (options: {
  /** Receives each line (without its newline), the header first. */
  readonly sink: (line: string) => void
  /** Samples every so long by the `Clock`. */
  readonly interval: Duration.Input
  /** The label in the header (default: the config's `label`, else `"resource-manager"`). */
  readonly label?: string | undefined
}): Effect.Effect<TimelineRecorder, InvalidArgument, ResourceManager | Scope.Scope> =>
  Effect.gen(function* () {
    const manager = yield* ResourceManager
    const read = yield* Effect.try({
      try: () => readScopedTimelineOptions(options),
      catch: (error) =>
        error instanceof InvalidArgument
          ? error
          : new InvalidArgument({ argument: "options", issue: `could not be read (${showThrown(error)})` })
    })
    const interval = Duration.millis(read.intervalMillis ?? 1)
    const recorder = yield* Effect.acquireRelease(
      Effect.sync(() => startTimeline(manager, read, false)),
      // a sink that throws at the end: the recording is over either way (`stop` ends it first), the line is lost
      (recorder) => Effect.sync(() => recorder.stop()).pipe(Effect.catchDefect(() => Effect.void))
    )
    const sample = Effect.sync(recorder.sample).pipe(Effect.catchDefect(() => Effect.void)) // a lost line, as above
    yield* Effect.forkScoped(Effect.forever(Effect.andThen(Effect.sleep(interval), sample)))
    return recorder
  })

/**
 * The scoped recorder's options read once: `interval` a `Duration.Input` of at least 1 ms (0 or NaN sampled in a
 * busy loop; Infinity wrote a header `flight-hal report` refuses), then the checks of {@link recordTimeline}'s
 * options; InvalidArgument (thrown) otherwise.
 */
const readScopedTimelineOptions = (options: unknown): TimelineOptions => {
  if (typeof options !== "object" || options === null) {
    throw new InvalidArgument({
      argument: "options",
      issue: `expected { sink, interval, label? }, got ${show(options)}`
    })
  }
  const { sink, interval, label } = options as {
    readonly sink?: unknown
    readonly interval?: unknown
    readonly label?: unknown
  }
  const intervalMillis = durationMillis(interval)
  if (!(intervalMillis >= 1 && intervalMillis <= MAX_INTERVAL_MILLIS)) {
    throw new InvalidArgument({
      argument: "options.interval",
      issue: `expected a duration from 1 ms to 2^31 − 1 ms, got ${show(interval)}`
    })
  }
  return readTimelineOptions({ sink, intervalMillis, label })
}
