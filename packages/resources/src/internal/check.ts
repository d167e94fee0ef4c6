/**
 * Checks of caller input without Schema. Each check mirrors one Schema — `ResourceMetadataSchema` and
 * `ResourceBudgetSchema` of `@flight-hal/core`, `PlatformProfileSchema` of this package — and fails with the
 * text that Schema's decoder gives for the same input (its first issue: the message, then `at` and the path),
 * so a manager names a bad field the same way whether or not Schema is loaded. Property tests hold every check
 * equal to its Schema, accepted values and issue texts alike (`test/validation-fast-path.test.ts`,
 * `test/light-checks.test.ts`). The enumerations come from the generated tables.
 *
 * The combinators cover what those Schemas use, with Schema's rules: a struct reads a key that is `in` the
 * input (inherited ones included), stops at the first bad field in declaration order, then runs its own
 * filter; an optional field takes `undefined`, and a value of another kind than the field takes is
 * "Expected <kind> | undefined".
 *
 * @since 0.1.0
 */
import {
  AccessPatternNames,
  ALIGNMENT_RULE,
  MAX_ALIGNMENT,
  ResourceFlagMask,
  type ResourceMetadata,
  ResourcePriorityNames
} from "@flight-hal/core"
import { show } from "./show.ts"

/** Where an issue is: the keys and indexes from the input's root. */
export type Path = ReadonlyArray<string | number>

/** A check's failure: its message and where it is. */
export interface Issue {
  readonly message: string
  readonly path: Path
}

/** A check: undefined when the input is valid, else the first issue. */
export type Check = (input: unknown, path: Path) => Issue | undefined

/** The outcome of a check as the validators read it (the shape of an Effect `Exit`'s tag). */
export type Decoded<A> =
  | { readonly _tag: "Success"; readonly value: A }
  | { readonly _tag: "Failure"; readonly issue: string }

/** The issue as Schema's decoder prints it: `message`, then `\n  at ["key"][0]…` when it is not at the root. */
export const formatIssue = (issue: Issue): string =>
  issue.path.length === 0
    ? issue.message
    : `${issue.message}\n  at ${issue.path.map((key) => `[${JSON.stringify(key)}]`).join("")}`

const fail = (message: string, path: Path): Issue => ({ message, path })

/** A filter: the message of a bad value, undefined for a good one. */
type Filter<A> = (value: A) => string | undefined

const filtered = <A>(value: A, filter: Filter<A> | undefined, path: Path): Issue | undefined => {
  const message = filter?.(value)
  return message === undefined ? undefined : fail(message, path)
}

/** `Schema.Number`, then `filter`. */
export const number =
  (filter?: Filter<number>): Check =>
  (input, path) =>
    typeof input !== "number" ? fail("Expected number", path) : filtered(input, filter, path)

/** `Schema.Int` (a safe integer), then `filter`. */
export const int =
  (filter?: Filter<number>): Check =>
  (input, path) => {
    if (typeof input !== "number") return fail("Expected number", path)
    if (!Number.isSafeInteger(input)) return fail("Expected an integer", path)
    return filtered(input, filter, path)
  }

/** `Schema.NonEmptyString`. */
export const nonEmptyString: Check = (input, path) => {
  if (typeof input !== "string") return fail("Expected string", path)
  return input.length < 1 ? fail("Expected a value with a length of at least 1", path) : undefined
}

/** The expected text of string literals: `"A" | "B"`. */
const literalsText = (names: ReadonlyArray<string>): string => names.map((name) => JSON.stringify(name)).join(" | ")

/** `Schema.Literals(names)` of strings. */
export const literals = (names: ReadonlyArray<string>): Check => {
  const expected = `Expected ${literalsText(names)}`
  return (input, path) => (names.includes(input as string) ? undefined : fail(expected, path))
}

/**
 * `Schema.optional(check)`: `undefined`, or a value `check` takes. A value of another kind than `check` takes
 * (`sameKind` false) fails with "Expected `kind` | undefined", as Schema's union does.
 */
export const optional =
  (check: Check, kind: string, sameKind: (input: unknown) => boolean): Check =>
  (input, path) => {
    if (input === undefined) return undefined
    return sameKind(input) ? check(input, path) : fail(`Expected ${kind} | undefined`, path)
  }

/** `Schema.optional(Schema.Literals(names))` of strings. */
export const optionalLiterals = (names: ReadonlyArray<string>): Check =>
  optional(literals(names), literalsText(names), (input) => typeof input === "string")

/** `Schema.optional` of a number Schema. */
export const optionalNumber = (check: Check): Check => optional(check, "number", (input) => typeof input === "number")

/** `Schema.Array(item)`: every element, holes included (as `undefined`). */
export const array =
  (item: Check): Check =>
  (input, path) => {
    if (!Array.isArray(input)) return fail("Expected array", path)
    for (let i = 0; i < input.length; i++) {
      const issue = item(input[i], [...path, i])
      if (issue !== undefined) return issue
    }
    return undefined
  }

/**
 * The most elements a caller's array may hold where the manager reads it element by element (`dependsOn`, a
 * config's `pools` and `trace.drivers` / `trace.types`, a profile's or a shape's `pools`): a longer one is refused
 * by its `length` before any element is read, so an array that is nothing but a large `length` (`a.length = 1e9`)
 * costs nothing.
 */
export const MAX_LIST_LENGTH = 2 ** 16

/** A caller's array refused by its length: that length as messages show it (`show`). */
export interface TooLong {
  readonly tooLong: string
}

/**
 * A caller's array read once, element by element through `each`, up to and including the first element `good`
 * refuses (the check stops there, and a sparse array's holes are not walked); {@link TooLong} when its `length`
 * is over {@link MAX_LIST_LENGTH} (no element read). Throws what a read throws.
 */
export const readList = <T>(
  list: ReadonlyArray<unknown>,
  each: (element: unknown) => T,
  good: (element: T) => boolean
): Array<T> | TooLong => {
  const length: unknown = list.length
  if (!(typeof length === "number" && length <= MAX_LIST_LENGTH)) {
    return { tooLong: show(length) }
  }
  const read: Array<T> = []
  for (let i = 0; i < length; i++) {
    const element = each(list[i])
    read.push(element)
    if (!good(element)) break
  }
  return read
}

/** `Schema.optional(Schema.Array(item))`. */
export const optionalArray = (item: Check): Check => optional(array(item), "array", Array.isArray)

/**
 * One field of a struct check: its key, its check, and whether the key may be absent (`Schema.optionalKey`;
 * `Schema.optional` is that with a check that also takes `undefined`, see {@link optional}).
 */
export type Field = readonly [key: string, check: Check, mayBeAbsent?: boolean]

/** Whether a struct reads `key` from `input` (Schema's rule: `in`, own only for `__proto__`). */
const hasKey = (input: object, key: string): boolean => (key === "__proto__" ? Object.hasOwn(input, key) : key in input)

/** Whether a value is what a struct takes: an object that is not null and not an array. */
export const isStructInput = (input: unknown): input is Readonly<Record<string, unknown>> =>
  typeof input === "object" && input !== null && !Array.isArray(input)

/** `Schema.Struct(fields)`, then `refine` on the whole value (its message at the struct's path). */
export const struct =
  (fields: ReadonlyArray<Field>, refine?: Filter<Readonly<Record<string, unknown>>>): Check =>
  (input, path) => {
    if (!isStructInput(input)) return fail("Expected object", path)
    for (const [key, check, mayBeAbsent = false] of fields) {
      if (!hasKey(input, key)) {
        if (!mayBeAbsent) return fail("Missing key", [...path, key])
        continue
      }
      const issue = check(input[key], [...path, key])
      if (issue !== undefined) return issue
    }
    return filtered(input, refine, path)
  }

/** The outcome of `check` on `input`, with the input as the value when it is valid. */
export const decodeWith = <A>(check: Check, input: unknown): Decoded<A> => {
  const issue = check(input, [])
  return issue === undefined ? { _tag: "Success", value: input as A } : { _tag: "Failure", issue: formatIssue(issue) }
}

// ---------------------------------------------------------------------------------------------
// the core's Schemas

/** `ByteCount`: a safe integer ≥ 0, its own message for any other number (its check runs before `isInt`'s). */
export const byteCount: Check = number((n) =>
  Number.isSafeInteger(n) && n >= 0 ? undefined : `a byte count is a safe integer ≥ 0, got ${n}`
)

/** `Alignment`: a power of two in [1, 2^30], its own message for any other number (its check runs before `isInt`'s). */
export const alignment: Check = number((n) =>
  Number.isSafeInteger(n) && n >= 1 && n <= MAX_ALIGNMENT && (n & (n - 1)) === 0
    ? undefined
    : `an alignment is ${ALIGNMENT_RULE}, got ${n}`
)

/** `ResourceFlagSetSchema`: a 32-bit set of known flag bits, its own message for any other number (as `alignment`). */
const flagSet: Check = number((set) => {
  if (!Number.isInteger(set) || set < 0 || set > 0xffffffff) {
    return `a ResourceFlag set is a 32-bit non-negative integer, got ${set}`
  }
  const unknown = (set & ~ResourceFlagMask) >>> 0 // unsigned: bit 31 prints as 0x80000000, not -0x80000000
  return unknown === 0 ? undefined : `unknown ResourceFlag bit(s) 0x${unknown.toString(16)} in 0x${set.toString(16)}`
})

/** `ResourceTypeNameSchema`: a non-empty string. */
const typeName: Check = (input, path) =>
  typeof input === "string" && input.length > 0 ? undefined : fail("Expected ResourceTypeName", path)

/** `ResourceHandleSchema`. */
const handle: Check = struct([
  ["slot", int()],
  ["generation", int()],
  ["manager", int()]
])

/** `ResourceMetadataSchema`. */
export const metadataCheck: Check = struct([
  ["type", typeName],
  ["sizeBytes", byteCount],
  ["alignmentBytes", optionalNumber(alignment), true],
  ["accessPattern", optionalLiterals(AccessPatternNames), true],
  ["priority", optionalLiterals(ResourcePriorityNames), true],
  ["flags", optionalNumber(flagSet), true],
  ["dependsOn", optionalArray(handle), true]
])

/** The percentage of a threshold: in (0, 100]. */
const percent: Check = number((n) =>
  Number.isFinite(n) && n > 0 && n <= 100 ? undefined : `a percentage is in (0, 100], got ${n}`
)

/** `ResourceBudgetSchema`: its fields, then reserve ≤ max and warning < critical. */
export const budgetCheck: Check = struct(
  [
    ["maxBytes", byteCount],
    ["reservedBytes", byteCount],
    ["warningPercent", percent],
    ["criticalPercent", percent]
  ],
  (b) => {
    if ((b.reservedBytes as number) > (b.maxBytes as number)) {
      return `reservedBytes (${b.reservedBytes}) must not exceed maxBytes (${b.maxBytes})`
    }
    if ((b.warningPercent as number) >= (b.criticalPercent as number)) {
      return `warningPercent (${b.warningPercent}) must be below criticalPercent (${b.criticalPercent})`
    }
    return undefined
  }
)

/** Metadata checked as `ResourceMetadataSchema` decodes it (the value is the input itself). */
export const decodeMetadata = (input: unknown): Decoded<ResourceMetadata> => decodeWith(metadataCheck, input)

/** A budget checked as `ResourceBudgetSchema` decodes it (the value is the input itself). */
export const decodeBudget = (
  input: unknown
): Decoded<{
  readonly maxBytes: number
  readonly reservedBytes: number
  readonly warningPercent: number
  readonly criticalPercent: number
}> => decodeWith(budgetCheck, input)
