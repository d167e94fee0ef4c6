/**
 * The Schemas of the core models: resource type names, byte counts, alignments, handles and metadata. A module
 * of its own, so that a program using the models without decoding them never loads Schema.
 *
 * @module
 */
import * as Schema from "effect/Schema"
import { AccessPatternSchema, ResourceFlagSetSchema, ResourcePrioritySchema } from "./generated/table-schemas.ts"
import { ALIGNMENT_RULE, MAX_ALIGNMENT } from "./generated/tables.ts"
import type { normalizeMetadata, ResourceHandle, ResourceMetadata } from "./metadata.ts"
import type { ResourceTypeName } from "./resource-type.ts"

/**
 * Schema of a resource type name in error fields and reports: any non-empty string (a built-in type or one a
 * manager's config declares; which names a manager serves is its own business).
 *
 * @example
 * ```ts
 * import { ResourceTypeNameSchema } from "@flight-hal/core"
 * import * as Schema from "effect/Schema"
 *
 * Schema.is(ResourceTypeNameSchema)("Memory") // true
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResourceTypeNameSchema: Schema.declare<ResourceTypeName> = Schema.declare(
  (u: unknown): u is ResourceTypeName => typeof u === "string" && u.length > 0,
  { identifier: "ResourceTypeName", description: "a built-in ResourceType or a user-defined type's name" }
)

/**
 * A safe integer ≥ 0: a size in bytes. Any other number (negative, fractional, NaN, ±Infinity, or an integer past
 * 2^53 − 1) fails with "a byte count is a safe integer ≥ 0, got …".
 *
 * @since 0.1.0
 * @category schemas
 */
export const ByteCount: Schema.Int = Schema.Number.check(
  // the byte count's own check first: after `Schema.isInt`, 2^53 would get its generic "Expected an integer".
  // `isInt` then never fails; it stays for what reads the checks (an integer in JSON Schema, arbitraries), so
  // this is `Schema.Int` as Effect builds it (`Number.check(isInt())`) with one more check.
  Schema.makeFilter((n: number) =>
    Number.isSafeInteger(n) && n >= 0 ? undefined : `a byte count is a safe integer ≥ 0, got ${n}`
  ),
  Schema.isInt()
) as Schema.Int

/**
 * A power of two between 1 and 2^30 (1 GiB, {@link MAX_ALIGNMENT}), inclusive: an alignment in bytes.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Alignment: Schema.Int = Schema.Number.check(
  // its own check first, as `ByteCount`'s: after `Schema.isInt`, 2^53 + 2 (an integer) would get "Expected an integer"
  Schema.makeFilter((n: number) =>
    Number.isSafeInteger(n) && n >= 1 && n <= MAX_ALIGNMENT && (n & (n - 1)) === 0
      ? undefined
      : `an alignment is ${ALIGNMENT_RULE}, got ${n}`
  ),
  Schema.isInt()
) as Schema.Int

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
