/**
 * The data the demo produces: a timeline sampled once per frame (for the live view and the
 * report) and a summary (the final table and `--json`).
 *
 * @module
 */
import type { ResourcePressure, ResourceType } from "@flight-hal/core"
import type { PlatformProfile } from "@flight-hal/resources"

/**
 * The state of the workload at the end of one frame.
 *
 * @since 0.1.0
 * @category models
 */
export interface TimelineSample {
  /** The frame number, from 1. */
  readonly frame: number
  /** Bytes charged to each budgeted type at the frame's end. */
  readonly usage: { readonly [T in ResourceType]?: number }
  /**
   * The highest usage of each budgeted type during this frame (from the previous frame's end to this
   * one's, read from the manager's window peak), so a peak reached and left inside the frame (an Emergency
   * admission paid back by reclamation) shows in that frame and not in the next. The highest of all is the
   * summary's `peakBytes`.
   */
  readonly peak: { readonly [T in ResourceType]?: number }
  /** Pressure level of each budgeted type. */
  readonly pressure: { readonly [T in ResourceType]?: ResourcePressure }
  /** Blocks in use in each pool, by pool name. */
  readonly poolsInUse: Readonly<Record<string, number>>
}

/**
 * A notable thing that happened in the demo.
 *
 * @since 0.1.0
 * @category models
 */
export interface DemoEvent {
  /** The frame it happened in. */
  readonly frame: number
  /** What kind of thing. */
  readonly kind: "level-load" | "share" | "evict" | "emergency" | "timeout" | "deadlock" | "pressure" | "rejected"
  /** A one-line description. */
  readonly message: string
  /** The resource type concerned, when there is one (always for `pressure` events). */
  readonly type?: ResourceType
  /** For `pressure` events: the level before. */
  readonly from?: ResourcePressure
  /** For `pressure` events: the level after. */
  readonly to?: ResourcePressure
}

/**
 * The per-type part of the summary.
 *
 * @since 0.1.0
 * @category models
 */
export interface TypeSummary {
  /** The resource type. */
  readonly type: ResourceType
  /** The budget's maxBytes. */
  readonly maxBytes: number
  /** The budget's reserved bytes. */
  readonly reservedBytes: number
  /** The highest usage (from the manager's stats). */
  readonly peakBytes: number
  /** Usage at the end. */
  readonly finalBytes: number
  /** Admissions. */
  readonly allocations: number
  /** Resources freed. */
  readonly releases: number
  /** Requests that failed. */
  readonly failed: number
  /** Emergency admissions. */
  readonly emergency: number
  /** The highest pressure level reached (from the pressure events, so within a frame too). */
  readonly peakPressure: ResourcePressure
}

/**
 * The per-pool part of the summary.
 *
 * @since 0.1.0
 * @category models
 */
export interface PoolSummary {
  /** The name. */
  readonly name: string
  /** The resource type. */
  readonly type: ResourceType
  /** Bytes per block. */
  readonly blockSize: number
  /** The most blocks the pool may hold. */
  readonly maxCount: number
  /** The most blocks in use at a frame end. */
  readonly peakInUse: number
  /** Blocks in use at the end. */
  readonly finalInUse: number
}

/**
 * What a demo run did: the same seed and options always give the same summary.
 *
 * @since 0.1.0
 * @category models
 */
export interface DemoSummary {
  /** The profile's name. */
  readonly profile: string
  /** The profile's memory. */
  readonly totalMemoryBytes: number
  /** The PRNG seed. */
  readonly seed: number
  /** Frames run. */
  readonly frames: number
  /** Every budgeted type's stats. */
  readonly types: ReadonlyArray<TypeSummary>
  /** The pools. */
  readonly pools: ReadonlyArray<PoolSummary>
  /** What happened, counted. */
  readonly counts: {
    /** Levels loaded. */
    readonly levelLoads: number
    /** Textures loaded. */
    readonly texturesLoaded: number
    /** Audio buffers loaded. */
    readonly audioBuffersLoaded: number
    /** Textures evicted from the cache. */
    readonly evictions: number
    /** Bytes evicted. */
    readonly evictedBytes: number
    /** Shares made. */
    readonly shares: number
    /** Emergency allocations admitted. */
    readonly emergencyAllocations: number
    /** Timeout requests that timed out. */
    readonly timeouts: number
    /** Deadlocks the manager detected. */
    readonly deadlocksDetected: number
    /** Pressure level changes. */
    readonly pressureChanges: number
    /** Requests refused (budget or pool). */
    readonly rejected: number
    /** Live resources left at the end. */
    readonly leaks: number
  }
  /** The deadlock the demo provoked, as the manager reported it. */
  readonly deadlock: { readonly drivers: ReadonlyArray<string>; readonly message: string } | null
}

/**
 * Everything a run recorded.
 *
 * @since 0.1.0
 * @category models
 */
export interface DemoRun {
  /** The profile's name. */
  readonly profile: PlatformProfile
  /** One sample per frame. */
  readonly samples: ReadonlyArray<TimelineSample>
  /** What happened, in order. */
  readonly events: ReadonlyArray<DemoEvent>
  /** The summary. */
  readonly summary: DemoSummary
}
