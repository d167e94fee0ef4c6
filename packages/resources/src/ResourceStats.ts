/**
 * Stats and reports of a resource manager: per-type stats, per-driver stats, leak reports and pressure
 * events.
 *
 * @module
 */
import type {
  ResourceBudget,
  ResourceHandle,
  ResourceMetadata,
  ResourcePressure,
  ResourceType,
  ResourceTypeName
} from "@flight-hal/core"
import type { PoolStats } from "@flight-hal/pool"
import type { MemorySource } from "./PlatformDetection.ts"
import type { BuiltinProfileName } from "./PlatformProfile.ts"

/**
 * The stats of one resource type.
 *
 * @example
 * ```ts
 * import type { ResourceStats } from "@flight-hal/resources"
 *
 * const describe = (s: ResourceStats) => `${s.type}: ${s.currentUsage} bytes, pressure ${s.pressure}`
 * ```
 *
 * @since 0.1.0
 * @category stats
 */
export interface ResourceStats {
  /** The resource type. */
  readonly type: ResourceTypeName
  /** The type's numeric code: the generated table's for a built-in type, in the Custom range for a user-defined one. */
  readonly code: number
  /**
   * Bytes charged to the type now: live resources that no pool block serves, emergency overage included, and the
   * whole capacity of the type's pools (a pool-served resource is charged nothing more than its pool).
   */
  readonly currentUsage: number
  /** The highest usage seen. */
  readonly peakUsage: number
  /** Admissions (immediate, emergency and granted waiters). */
  readonly allocationCount: number
  /** Resources freed. */
  readonly releaseCount: number
  /** Requests that failed (rejected, refused for deadlock, timed out). */
  readonly failedCount: number
  /** Emergency admissions over budget. */
  readonly emergencyCount: number
  /** Overage of the live emergency admissions. */
  readonly emergencyBytes: number
  /** Requests of the type waiting now: those in the type's queue and those waiting for a name. */
  readonly waiting: number
  /** The pressure level (with the configured hysteresis). */
  readonly pressure: ResourcePressure
  /** The budget in force, or undefined (unlimited). */
  readonly budget: ResourceBudget | undefined
}

/**
 * A resource still live when the manager closed: what it was, who owned it and where it was acquired.
 *
 * @since 0.1.0
 * @category stats
 */
export interface LeakReport {
  /** The resource's name (`""` when unnamed). */
  readonly name: string
  /** The resource type. */
  readonly type: ResourceTypeName
  /** Its size in bytes. */
  readonly sizeBytes: number
  /** The owner driver. */
  readonly owner: string
  /** Time between acquisition and close, in milliseconds (by the manager's clock). */
  readonly ageMillis: number
  /** The acquisition's stack trace, when `captureAcquisitionSite` is on. */
  readonly site?: string
}

/**
 * A change of a type's pressure level, with the type's stats after the change.
 *
 * @since 0.1.0
 * @category stats
 */
export interface PressureEvent {
  /** The type whose level changed. */
  readonly type: ResourceTypeName
  /** The level before. */
  readonly from: ResourcePressure
  /** The level after. */
  readonly to: ResourcePressure
  /** The type's stats after the change. */
  readonly stats: ResourceStats
  /**
   * `"system"` for an OS-level pressure change fed in by `layerSystemPressureReclamation` (then `from`/`to`
   * are the system's levels and `type` is `Memory`); absent for a type's budget pressure.
   */
  readonly source?: "system"
}

/**
 * What one driver holds: live resources it owns or shares and their bytes per type.
 *
 * @since 0.1.0
 * @category stats
 */
export interface DriverStats {
  /** The driver id. */
  readonly driver: string
  /** Live resources it owns and still holds. */
  readonly owned: number
  /** Live resources it holds as a sharer. */
  readonly shared: number
  /** Bytes of the resources it owns, per type. */
  readonly bytesByType: Readonly<Partial<Record<ResourceTypeName, number>>>
  /** Its requests waiting now. */
  readonly waiting: number
}

/**
 * A live resource found by name (`find`): its handle, metadata as validated at its acquisition, owner and
 * holders (the owner first, then the drivers it is shared with).
 *
 * @example
 * ```ts
 * import { createResourceManager, type ResourceInfo } from "@flight-hal/resources"
 *
 * const manager = createResourceManager({})
 * const ref = manager.acquire("texture", { type: "Memory", sizeBytes: 64 })
 * const info: ResourceInfo = manager.find("texture")
 * info.metadata.sizeBytes // 64
 * info.holders // ["app"]
 * ref.release()
 * ```
 *
 * @since 0.1.0
 * @category stats
 */
export interface ResourceInfo {
  /** The resource's current handle. */
  readonly handle: ResourceHandle
  /** Its name. */
  readonly name: string
  /** Its metadata, as validated at its acquisition. */
  readonly metadata: ResourceMetadata
  /** The driver that acquired it. */
  readonly owner: string
  /** The drivers holding it now. */
  readonly holders: ReadonlyArray<string>
}

/**
 * The platform profile a manager runs on (`ManagerSnapshot.profile`): how the config asked for it, its name and
 * memory, and for `"auto"` where the memory size was read (`"fallback"`: nowhere, the built-in `web` profile is
 * used) and which built-in shape was scaled to it.
 *
 * @example
 * ```ts
 * import { createResourceManager } from "@flight-hal/resources"
 *
 * const manager = createResourceManager({ profile: "dreamcast" })
 * manager.snapshot().profile // { requested: "dreamcast", name: "dreamcast", totalMemoryBytes: 16777216 }
 * manager.close()
 * ```
 *
 * @since 0.1.0
 * @category stats
 */
export interface ManagerProfile {
  /** What the config said: `"auto"`, a built-in profile's name, or `"custom"` (a profile object). */
  readonly requested: "auto" | BuiltinProfileName | "custom"
  /** The profile's name (`"detected"` for a detected profile). */
  readonly name: string
  /** The profile's total memory, in bytes. */
  readonly totalMemoryBytes: number
  /** With `"auto"`: the source the memory size was read from, or `"fallback"` when none was readable. */
  readonly source?: MemorySource | "fallback"
  /** With `"auto"` and a readable source: the built-in shape scaled to the detected memory. */
  readonly shape?: BuiltinProfileName | "custom"
}

/**
 * The whole manager at one moment: every type's stats, live resource count, drivers and pools.
 *
 * @since 0.1.0
 * @category stats
 */
export interface ManagerSnapshot {
  /** Every type's stats, in table order. */
  readonly types: ReadonlyArray<ResourceStats>
  /** Live resources (deferred ones included). */
  readonly liveResources: number
  /**
   * The drivers the manager knows: the default owner, the config's drivers, registered and traced ones, and every
   * other driver from its first acquisition or share until it is forgotten, which may happen once it holds
   * nothing and waits for nothing (docs/semantics.md, section 1).
   */
  readonly drivers: ReadonlyArray<DriverStats>
  /** Every pool's stats, with the type its capacity is charged to. */
  readonly pools: ReadonlyArray<PoolStats & { readonly type: ResourceType }>
  /** The platform profile the manager runs on (absent when its config names none). */
  readonly profile?: ManagerProfile
}
