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
  /** Bytes charged to each budgeted type. */
  readonly usage: { readonly [T in ResourceType]?: number }
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
  /** For `pressure` events: the type and the levels. */
  readonly type?: ResourceType
  readonly from?: ResourcePressure
  readonly to?: ResourcePressure
}

/**
 * The per-type part of the summary.
 *
 * @since 0.1.0
 * @category models
 */
export interface TypeSummary {
  readonly type: ResourceType
  readonly maxBytes: number
  readonly reservedBytes: number
  readonly peakBytes: number
  readonly finalBytes: number
  readonly allocations: number
  readonly releases: number
  readonly failed: number
  readonly emergency: number
  readonly peakPressure: ResourcePressure
}

/**
 * The per-pool part of the summary.
 *
 * @since 0.1.0
 * @category models
 */
export interface PoolSummary {
  readonly name: string
  readonly type: ResourceType
  readonly blockSize: number
  readonly maxCount: number
  readonly peakInUse: number
  readonly finalInUse: number
}

/**
 * What a demo run did: the same seed and options always give the same summary.
 *
 * @since 0.1.0
 * @category models
 */
export interface DemoSummary {
  readonly profile: string
  readonly totalMemoryBytes: number
  readonly seed: number
  readonly frames: number
  readonly types: ReadonlyArray<TypeSummary>
  readonly pools: ReadonlyArray<PoolSummary>
  readonly counts: {
    readonly levelLoads: number
    readonly texturesLoaded: number
    readonly audioBuffersLoaded: number
    readonly evictions: number
    readonly evictedBytes: number
    readonly shares: number
    readonly emergencyAllocations: number
    readonly timeouts: number
    readonly deadlocksDetected: number
    readonly pressureChanges: number
    readonly rejected: number
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
  readonly profile: PlatformProfile
  readonly samples: ReadonlyArray<TimelineSample>
  readonly events: ReadonlyArray<DemoEvent>
  readonly summary: DemoSummary
}
