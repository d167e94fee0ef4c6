/**
 * Resource metadata: what a resource is (type, size, alignment, access pattern, priority,
 * flags, dependencies). Its Schemas are in `schemas.ts`.
 *
 * @module
 */
import type { AccessPattern, ResourcePriority } from "./generated/tables.ts"
import type { ResourceTypeName } from "./resource-type.ts"

/**
 * A resource handle: a slot index and the slot's generation when the resource was made.
 * A handle whose generation no longer matches its slot is stale.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResourceHandle {
  /** The index of the resource's slot in the manager's table. */
  readonly slot: number
  /** The slot's generation when the resource was made; it changes when the slot is reused. */
  readonly generation: number
  /** The identity of the manager that issued the handle: another manager's handle never resolves. */
  readonly manager: number
}

/**
 * Prints a handle as `slot#generation`.
 *
 * @example
 * ```ts
 * import { formatHandle } from "@flight-hal/core"
 *
 * formatHandle({ slot: 3, generation: 7 }) // "3#7"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export const formatHandle = (handle: Pick<ResourceHandle, "slot" | "generation">): string =>
  `${handle.slot}#${handle.generation}`

/**
 * What a resource is: the input of every acquisition.
 *
 * @example
 * ```ts
 * import { ResourceFlags, type ResourceMetadata } from "@flight-hal/core"
 *
 * const texture: ResourceMetadata = {
 *   type: "Memory",
 *   sizeBytes: 1024 * 1024,
 *   alignmentBytes: 16,
 *   accessPattern: "ReadWrite",
 *   priority: "Normal",
 *   flags: ResourceFlags.combine("Cacheable", "GPUAccessible")
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ResourceMetadata {
  /** Its type: a built-in `ResourceType`, or a user-defined type the manager's config declares. */
  readonly type: ResourceTypeName
  /** Its size in bytes, charged to its type's budget: a safe integer ≥ 0. */
  readonly sizeBytes: number
  /** Its alignment in bytes: a power of two in [1, 2^30] (default 8). */
  readonly alignmentBytes?: number | undefined
  /** How it is accessed (default ReadWrite). */
  readonly accessPattern?: AccessPattern | undefined
  /** Its priority: queue order and access to the reserve (default Normal). */
  readonly priority?: ResourcePriority | undefined
  /** Its `ResourceFlag` bit set (default 0). */
  readonly flags?: number | undefined
  /** Live resources of the same manager it depends on (default none). */
  readonly dependsOn?: ReadonlyArray<ResourceHandle> | undefined
}

/**
 * Metadata with every default filled in.
 *
 * @since 0.1.0
 * @category models
 */
export interface NormalizedMetadata {
  /** The resource's type: its budget and pools. */
  readonly type: ResourceMetadata["type"]
  /** Its size in bytes, charged to its type's budget. */
  readonly sizeBytes: number
  /** Its alignment in bytes, a power of two in [1, 2^30] (default 8). */
  readonly alignmentBytes: number
  /** How it is accessed (default ReadWrite). */
  readonly accessPattern: NonNullable<ResourceMetadata["accessPattern"]>
  /** Its priority: queue order and access to the reserve (default Normal). */
  readonly priority: NonNullable<ResourceMetadata["priority"]>
  /** Its ResourceFlag bit set (default 0). */
  readonly flags: number
  /** The live resources it depends on (default none). */
  readonly dependsOn: ReadonlyArray<ResourceHandle>
}

/**
 * Fills in the defaults of optional metadata fields.
 *
 * @example
 * ```ts
 * import { normalizeMetadata } from "@flight-hal/core"
 *
 * normalizeMetadata({ type: "Memory", sizeBytes: 64 }).priority // "Normal"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export const normalizeMetadata = (metadata: ResourceMetadata): NormalizedMetadata => ({
  type: metadata.type,
  sizeBytes: metadata.sizeBytes,
  alignmentBytes: metadata.alignmentBytes ?? 8,
  accessPattern: metadata.accessPattern ?? "ReadWrite",
  priority: metadata.priority ?? "Normal",
  flags: metadata.flags ?? 0,
  dependsOn: metadata.dependsOn ?? []
})
