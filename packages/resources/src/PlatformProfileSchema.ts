/**
 * The Schema of a platform profile, for programs that decode profiles with Effect Schema (a module of its own,
 * so that the profiles themselves never load Schema; `decodeProfile` gives the same verdict and issue text
 * without it).
 *
 * @module
 */
import {
  Alignment,
  ByteCount,
  ResourceBudgetSchema,
  type ResourceType,
  ResourceTypeNames,
  ResourceTypeSchema
} from "@flight-hal/core"
import * as Schema from "effect/Schema"
import {
  budgetKeys,
  crossCheck,
  NOT_A_RESOURCE_TYPE,
  poolKeys,
  profileKeys,
  UNKNOWN_FIELD
} from "./internal/profile-check.ts"
import type { PlatformProfile } from "./PlatformProfile.ts"

const PositiveInt: Schema.Int = Schema.Int.check(
  Schema.makeFilter((n: number) =>
    Number.isSafeInteger(n) && n >= 1 ? undefined : `expected an integer ≥ 1, got ${n}`
  )
)

/**
 * Every key but `keys`, whatever its value (`undefined` too), refused as an unknown field: the rest of a struct of
 * `keys`, so a misspelt field cannot pass as a field left out.
 */
const noOtherField = (keys: ReadonlyArray<string>) =>
  Schema.Record(
    Schema.String.check(Schema.makeFilter((key: string) => (keys.includes(key) ? "a field" : undefined))),
    Schema.Unknown.check(Schema.makeFilter(() => UNKNOWN_FIELD))
  )

const PoolPresetSchema = Schema.StructWithRest(
  Schema.Struct({
    type: ResourceTypeSchema,
    blockSize: PositiveInt,
    initialCount: ByteCount,
    maxCount: PositiveInt,
    alignment: Alignment,
    name: Schema.NonEmptyString
  }),
  [noOtherField(poolKeys)]
)

/** `ResourceBudgetSchema` with no other field (its own check runs after the fields, as the Struct's does). */
const ProfileBudgetSchema = Schema.StructWithRest(ResourceBudgetSchema, [noOtherField(budgetKeys)])

const budgetEntries = Object.fromEntries(
  ResourceTypeNames.map((type) => [type, Schema.optionalKey(ProfileBudgetSchema)])
) as { readonly [T in ResourceType]: Schema.optionalKey<typeof ProfileBudgetSchema> }

/** Any other key of `budgets` (not a resource type: a typo such as `memory`), refused whatever its value. */
const OtherKey = Schema.String.check(
  Schema.makeFilter((key: string) =>
    (ResourceTypeNames as ReadonlyArray<string>).includes(key) ? "a resource type" : undefined
  )
)
const NoBudget = Schema.Unknown.check(Schema.makeFilter(() => NOT_A_RESOURCE_TYPE))

/**
 * Schema of a {@link PlatformProfile}: a non-empty name, every budget valid and keyed by a resource type (any
 * other own key of `budgets` is refused, so a typo cannot leave its type unlimited), no field a profile, a budget
 * or a pool does not have (`unknown field`, at its path: checked after the fields it has, without any parse
 * option), every pool valid
 * (`initialCount ≤ maxCount`, blockSize a multiple of the alignment, within one pool's limits,
 * unique names), the budgets' maxBytes adding up to at most the total memory, and the pools of a
 * budgeted type fitting in its budget.
 *
 * @example
 * ```ts
 * import { PlatformProfileSchema, web } from "@flight-hal/resources"
 * import * as Schema from "effect/Schema"
 *
 * Schema.decodeUnknownSync(PlatformProfileSchema)(JSON.parse(JSON.stringify(web))).name // "web"
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const PlatformProfileSchema: Schema.Codec<PlatformProfile> = Schema.StructWithRest(
  Schema.Struct({
    name: Schema.NonEmptyString,
    totalMemoryBytes: PositiveInt,
    budgets: Schema.StructWithRest(Schema.Struct(budgetEntries), [Schema.Record(OtherKey, NoBudget)]),
    pools: Schema.Array(PoolPresetSchema)
  }),
  [noOtherField(profileKeys)]
).check(Schema.makeFilter(crossCheck))
