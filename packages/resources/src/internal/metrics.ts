/**
 * What a manager measures beyond its stats, for its metrics and timelines: the wait histogram (granted waits,
 * per type), leaks per type, observers of pressure changes, and peak windows (the true peak of each type
 * between two samples). Recorded off the acquire fast path only: a wait is recorded when it is settled, a leak
 * when it is reported, a pressure change when it is published; the window peak is kept by `charge` in the same
 * comparison as the all-time peak. Counters that already live in the state (admissions, releases, failures by
 * reason, Emergency admissions) are read from there when metrics are collected.
 *
 * @since 0.1.0
 */
import type { LeakReport, PressureEvent } from "../ResourceStats.ts"
import { exactClock } from "./burst-clock.ts"
import type { ManagerState } from "./state.ts"

/**
 * The upper bounds (ms) of the wait histogram's buckets (`flight_hal_resource_acquire_wait_millis`); a last
 * bucket, `+Inf`, takes the rest.
 */
export const WAIT_BOUNDARIES: ReadonlyArray<number> = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000]

/** The wait histogram of one type, as Effect's `HistogramState` has it (cumulative bucket counts). */
export interface WaitHistogram {
  readonly buckets: ReadonlyArray<[number, number]>
  readonly count: number
  readonly sum: number
  readonly min: number
  readonly max: number
}

/** A reader of peak windows: the highest usage of each type since it last took them. */
export class PeakWindow {
  /** Per type: the highest usage seen since the last `take` (folded in from the state's window peak). */
  readonly peaks: Float64Array
  constructor(types: number) {
    this.peaks = new Float64Array(types)
  }
}

/** A pressure change with the manager's clock reading when it was published. */
export type PressureObserver = (event: PressureEvent, atMillis: number) => void

/**
 * The measurements of one manager's core.
 *
 * @since 0.1.0
 */
export class CoreMetrics {
  /** Resources reported as leaks, per type (at close, or found by the garbage collector). */
  readonly leaks: Float64Array
  /** Per type, `WAIT_BOUNDARIES.length + 1` bucket counts (not cumulative; the last one is +Inf). */
  private readonly buckets: Float64Array
  private readonly count: Float64Array
  private readonly sum: Float64Array
  private readonly min: Float64Array
  private readonly max: Float64Array
  private readonly windows = new Set<PeakWindow>()
  /** Called for every pressure change (budget and system) as it is published. */
  readonly pressureObservers = new Set<PressureObserver>()

  constructor(private readonly state: ManagerState) {
    const types = state.usage.length
    this.leaks = new Float64Array(types)
    this.buckets = new Float64Array(types * (WAIT_BOUNDARIES.length + 1))
    this.count = new Float64Array(types)
    this.sum = new Float64Array(types)
    this.min = new Float64Array(types).fill(Number.POSITIVE_INFINITY)
    this.max = new Float64Array(types).fill(Number.NEGATIVE_INFINITY)
  }

  /** Records one granted wait of `millis` for a type. */
  waited(type: number, millis: number): void {
    let bucket = 0
    while (bucket < WAIT_BOUNDARIES.length && millis > (WAIT_BOUNDARIES[bucket] as number)) bucket++
    const at = type * (WAIT_BOUNDARIES.length + 1) + bucket
    this.buckets[at] = (this.buckets[at] as number) + 1
    this.count[type] = (this.count[type] as number) + 1
    this.sum[type] = (this.sum[type] as number) + millis
    if (millis < (this.min[type] as number)) this.min[type] = millis
    if (millis > (this.max[type] as number)) this.max[type] = millis
  }

  /** The wait histogram of a type. */
  waitHistogram(type: number): WaitHistogram {
    const stride = WAIT_BOUNDARIES.length + 1
    const buckets: Array<[number, number]> = []
    let cumulated = 0
    for (let i = 0; i < WAIT_BOUNDARIES.length; i++) {
      cumulated += this.buckets[type * stride + i] as number
      buckets.push([WAIT_BOUNDARIES[i] as number, cumulated])
    }
    const count = this.count[type] as number
    return {
      buckets,
      count,
      sum: this.sum[type] as number,
      // Effect's empty histogram reads min MAX_VALUE, max -MAX_VALUE
      min: count === 0 ? Number.MAX_VALUE : (this.min[type] as number),
      max: count === 0 ? -Number.MAX_VALUE : (this.max[type] as number)
    }
  }

  /** Counts reported leaks by type. */
  leaked(leaks: ReadonlyArray<LeakReport>): void {
    for (const leak of leaks) {
      const type = this.state.typeTable.indexOf(leak.type)
      if (type >= 0) this.leaks[type] = (this.leaks[type] as number) + 1
    }
  }

  /** Hands a published pressure change to the observers (a throwing observer is isolated). */
  pressure(event: PressureEvent): void {
    if (this.pressureObservers.size === 0) return
    const at = exactClock(this.state.now)() // the timeline's own clock (its samples advance within a burst too)
    for (const observer of this.pressureObservers) {
      try {
        observer(event, at)
      } catch {
        // an observer (a timeline recorder) must not break a transition
      }
    }
  }

  /** A new reader of peak windows, starting now. */
  openWindow(): PeakWindow {
    this.foldWindows()
    const window = new PeakWindow(this.state.usage.length)
    window.peaks.set(this.state.usage)
    this.windows.add(window)
    return window
  }

  /** Stops a reader of peak windows. */
  closeWindow(window: PeakWindow): void {
    this.windows.delete(window)
  }

  /**
   * The highest usage of each type since this reader last took it (or opened), the usage now included; the
   * reader's window starts again at the current usage. Other readers keep their own windows.
   */
  takePeaks(window: PeakWindow): Float64Array {
    this.foldWindows()
    const peaks = Float64Array.from(window.peaks)
    window.peaks.set(this.state.usage)
    return peaks
  }

  /** Folds the state's window peak into every reader, then restarts it at the current usage. */
  private foldWindows(): void {
    const state = this.state
    for (let type = 0; type < state.usage.length; type++) {
      const peak = Math.max(state.windowPeak[type] as number, state.usage[type] as number)
      for (const window of this.windows) if (peak > (window.peaks[type] as number)) window.peaks[type] = peak
      state.windowPeak[type] = state.usage[type] as number
    }
  }
}
