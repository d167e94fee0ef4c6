/**
 * `PlatformProfileSchema`'s decoding without Schema, for the plain path (a manager's `profile`, the built-in
 * profiles, platform detection): the same verdict, the same issue text and the same decoded copy (only the
 * known keys) as the Schema, which a property test holds equal (`test/light-checks.test.ts`).
 *
 * @since 0.1.0
 */
import { type ResourceType, ResourceTypeNames } from "@flight-hal/core"
import type { PlatformProfile, PoolPreset, ProfileBudgets } from "../PlatformProfile.ts"
import {
  alignment,
  array,
  budgetCheck,
  byteCount,
  type Check,
  type Decoded,
  type Field,
  formatIssue,
  int,
  isStructInput,
  literals,
  MAX_LIST_LENGTH,
  nonEmptyString,
  readList,
  struct
} from "./check.ts"
import { cut, cutList, show } from "./show.ts"

/** The most blocks one pool can hold (the pool package's limit). */
export const MAX_POOL_BLOCKS = 2 ** 23

/** The most bytes one pool can hold (the pool package's limit). */
export const MAX_POOL_BYTES = 2 ** 31

/**
 * What a profile's fields cannot say alone: the budgets fit in the total memory, pool names are unique, each pool
 * is consistent and within one pool's limits, and the pools of a budgeted type fit in its budget.
 */
export const crossCheck = (profile: PlatformProfile): string | undefined => {
  let budgeted = 0
  for (const type of ResourceTypeNames) budgeted += profile.budgets[type]?.maxBytes ?? 0
  if (budgeted > profile.totalMemoryBytes) {
    return `the budgets' maxBytes add up to ${budgeted}, more than totalMemoryBytes (${profile.totalMemoryBytes})`
  }
  const names = new Set<string>()
  const pooled = new Map<ResourceType, { bytes: number; names: Array<string> }>()
  for (const pool of profile.pools) {
    if (names.has(pool.name)) return `pool name ${show(pool.name)} is used twice`
    names.add(pool.name)
    if (pool.initialCount > pool.maxCount) {
      return `pool ${cut(pool.name)}: initialCount (${pool.initialCount}) exceeds maxCount (${pool.maxCount})`
    }
    if (pool.blockSize % pool.alignment !== 0) {
      return `pool ${cut(pool.name)}: blockSize (${pool.blockSize}) is not a multiple of alignment (${pool.alignment})`
    }
    if (pool.maxCount > MAX_POOL_BLOCKS || pool.blockSize * pool.maxCount > MAX_POOL_BYTES) {
      return `pool ${cut(pool.name)}: ${pool.maxCount} blocks of ${pool.blockSize} bytes exceed one pool's limits (2^23 blocks, 2^31 bytes)`
    }
    const of = pooled.get(pool.type) ?? { bytes: 0, names: [] }
    pooled.set(pool.type, { bytes: of.bytes + pool.blockSize * pool.maxCount, names: [...of.names, pool.name] })
  }
  for (const [type, { bytes, names }] of pooled) {
    const budget = profile.budgets[type]
    if (budget !== undefined && bytes > budget.maxBytes) {
      return (
        `the ${type} pools (${cutList(names)}) can grow to ${bytes} bytes (blockSize × maxCount), ` +
        `more than budgets.${type}.maxBytes (${budget.maxBytes})`
      )
    }
  }
  return undefined
}

/** `PositiveInt`: a safe integer ≥ 1. */
const positiveInt = int((n) => (Number.isSafeInteger(n) && n >= 1 ? undefined : `expected an integer ≥ 1, got ${n}`))

/** The issue of a field a profile, a budget or a pool does not have (a typo would leave its value unset). */
export const UNKNOWN_FIELD = "unknown field"

/** The fields of a profile, of a profile's budget and of a pool (any other own enumerable key is refused). */
export const profileKeys: ReadonlyArray<string> = ["name", "totalMemoryBytes", "budgets", "pools"]
export const budgetKeys: ReadonlyArray<string> = ["maxBytes", "reservedBytes", "warningPercent", "criticalPercent"]
export const poolKeys: ReadonlyArray<string> = ["type", "blockSize", "initialCount", "maxCount", "alignment", "name"]

/**
 * `check` (a struct of `keys`, then its filter) closed as the Schema's `StructWithRest` with a record refusing every
 * other key (with `message`): a field's issue first, then the first own enumerable key not in `keys` (in
 * `Object.keys` order, its value not read: `undefined` is refused too), then the filter's issue.
 */
const closed =
  (check: Check, keys: ReadonlyArray<string>, message = UNKNOWN_FIELD): Check =>
  (input, path) => {
    const issue = check(input, path)
    if (issue !== undefined && issue.path.length > path.length) return issue
    const other = isStructInput(input) ? Object.keys(input).find((key) => !keys.includes(key)) : undefined
    return other === undefined ? issue : { message, path: [...path, other] }
  }

/** `PoolPresetSchema`. */
const poolPreset = closed(
  struct([
    ["type", literals(ResourceTypeNames)],
    ["blockSize", positiveInt],
    ["initialCount", byteCount],
    ["maxCount", positiveInt],
    ["alignment", alignment],
    ["name", nonEmptyString]
  ]),
  poolKeys
)

/** The issue of a `budgets` key that is no resource type (a typo would otherwise leave its type unlimited). */
export const NOT_A_RESOURCE_TYPE = `unknown resource type (a budget's key is one of ${ResourceTypeNames.map((name) =>
  JSON.stringify(name)
).join(" | ")})`

/**
 * The profile's `budgets`: an optional key per built-in type, each a `ResourceBudgetSchema` with no other field,
 * and no other key (the Schema's record of every other key, {@link NOT_A_RESOURCE_TYPE}).
 */
const budgets = closed(
  struct(ResourceTypeNames.map((type): Field => [type, closed(budgetCheck, budgetKeys), true])),
  ResourceTypeNames,
  NOT_A_RESOURCE_TYPE
)

/** `PlatformProfileSchema`. */
const profileCheck = closed(
  struct(
    [
      ["name", nonEmptyString],
      ["totalMemoryBytes", positiveInt],
      ["budgets", budgets],
      ["pools", array(poolPreset)]
    ],
    (profile) => crossCheck(profile as unknown as PlatformProfile)
  ),
  profileKeys
)

/** The decoded copy of a valid profile, as the Schema makes it: the known keys only, own properties. */
const copyProfile = (profile: PlatformProfile): PlatformProfile => {
  const copied: { [T in ResourceType]?: ProfileBudgets[T] } = {}
  for (const type of ResourceTypeNames) {
    if (!(type in profile.budgets)) continue
    const budget = profile.budgets[type]
    if (budget === undefined) continue
    const { maxBytes, reservedBytes, warningPercent, criticalPercent } = budget
    copied[type] = { maxBytes, reservedBytes, warningPercent, criticalPercent }
  }
  const pools = profile.pools.map(
    ({ type, blockSize, initialCount, maxCount, alignment, name }): PoolPreset => ({
      type,
      blockSize,
      initialCount,
      maxCount,
      alignment,
      name
    })
  )
  return { name: profile.name, totalMemoryBytes: profile.totalMemoryBytes, budgets: copied, pools }
}

/**
 * A struct input's copy of `keys`, each present one read once (through `inner`), and every other own enumerable
 * key kept by name (its value not read: the check refuses the key whatever it holds), so the check sees a typo as
 * it is; anything else as it is.
 */
const snapshotStruct = (
  input: unknown,
  keys: ReadonlyArray<string>,
  inner: (key: string, value: unknown) => unknown = (_, value) => value
): unknown => {
  if (!isStructInput(input)) return input
  const copy: Record<string, unknown> = {}
  for (const key of keys) if (key in input) copy[key] = inner(key, input[key])
  for (const key of Object.keys(input)) {
    // defined, not assigned: an own "__proto__" key (JSON.parse makes one) stays a key
    if (!keys.includes(key)) Object.defineProperty(copy, key, { value: undefined, enumerable: true, writable: true })
  }
  return copy
}

/** A profile whose `pools` is longer than `MAX_LIST_LENGTH`: thrown by {@link snapshotProfileInput}, nothing read. */
export class PoolsTooLong {
  constructor(readonly issue: string) {}
}

/**
 * An untrusted profile read once, key by key, into a plain copy of what {@link decodeProfileInput} checks (the
 * budgets and pools too), so a getter cannot answer one value to the check and another to the copy; a value
 * that is not a struct (an array, a primitive) is kept as it is for the check to refuse. The pools are read up
 * to the first one that is no struct (the check stops there). Throws what a read throws (a getter, a Proxy), or
 * {@link PoolsTooLong}: the caller turns it into its typed error.
 */
export const snapshotProfileInput = (input: unknown): unknown =>
  snapshotStruct(input, profileKeys, (key, value) => {
    if (key === "budgets")
      return snapshotStruct(value, ResourceTypeNames, (_, budget) => snapshotStruct(budget, budgetKeys))
    if (key === "pools" && Array.isArray(value)) {
      const read = readList(value, (pool) => snapshotStruct(pool, poolKeys), isStructInput)
      if (!Array.isArray(read)) {
        throw new PoolsTooLong(`pools: at most ${MAX_LIST_LENGTH} pools, got an array of length ${read.tooLong}`)
      }
      return read
    }
    return value
  })

/** An untrusted profile decoded as `PlatformProfileSchema` decodes it: its copy, or the Schema's issue text. */
export const decodeProfileInput = (input: unknown): Decoded<PlatformProfile> => {
  const issue = profileCheck(input, [])
  return issue === undefined
    ? { _tag: "Success", value: copyProfile(input as PlatformProfile) }
    : { _tag: "Failure", issue: formatIssue(issue) }
}
