/**
 * Resource metadata: what a resource is (type, size, alignment, access pattern, priority,
 * flags, dependencies), validated with Schema.
 *
 * @module
 */
import * as Schema from "effect/Schema"
import {
  type AccessPattern,
  AccessPatternSchema,
  ResourceFlagSetSchema,
  type ResourcePriority,
  ResourcePrioritySchema
} from "./generated/tables.ts"
import { type ResourceTypeName, ResourceTypeNameSchema } from "./resource-type.ts"

/**
 * A safe integer ≥ 0: a size in bytes.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ByteCount: Schema.Int = Schema.Int.check(
  Schema.makeFilter((n: number) =>
    Number.isSafeInteger(n) && n >= 0 ? undefined : `a byte count is a safe integer ≥ 0, got ${n}`
  )
)

/**
 * A power of two ≥ 1: an alignment in bytes.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Alignment: Schema.Int = Schema.Int.check(
  Schema.makeFilter((n: number) =>
    Number.isSafeInteger(n) && n >= 1 && (n & (n - 1)) === 0 && n <= 2 ** 30
      ? undefined
      : `an alignment is a power of two between 1 and 2^30, got ${n}`
  )
)

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
 * Schema of a {@link ResourceHandle}.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResourceHandleSchema: Schema.Struct<{
  readonly slot: Schema.Int
  readonly generation: Schema.Int
  readonly manager: Schema.Int
}> = Schema.Struct({
  slot: Schema.Int,
  generation: Schema.Int,
  manager: Schema.Int
})

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

const metadataFields: {
  readonly type: typeof ResourceTypeNameSchema
  readonly sizeBytes: Schema.Int
  readonly alignmentBytes: Schema.optional<Schema.Int>
  readonly accessPattern: Schema.optional<typeof AccessPatternSchema>
  readonly priority: Schema.optional<typeof ResourcePrioritySchema>
  readonly flags: Schema.optional<Schema.Int>
  readonly dependsOn: Schema.optional<Schema.$Array<typeof ResourceHandleSchema>>
} = {
  type: ResourceTypeNameSchema,
  sizeBytes: ByteCount,
  alignmentBytes: Schema.optional(Alignment),
  accessPattern: Schema.optional(AccessPatternSchema),
  priority: Schema.optional(ResourcePrioritySchema),
  flags: Schema.optional(ResourceFlagSetSchema),
  dependsOn: Schema.optional(Schema.Array(ResourceHandleSchema))
}

/**
 * Schema of {@link ResourceMetadata}. Optional fields may be left out or `undefined`; they take the defaults
 * of {@link normalizeMetadata}: alignment 8, ReadWrite, Normal priority, no flags, no dependencies.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResourceMetadataSchema: Schema.Struct<typeof metadataFields> = Schema.Struct(metadataFields)

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
  /** Its alignment in bytes, a power of two (default 8). */
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
