/**
 * The checks the plain path runs without Schema (`src/internal/check.ts`) are the Schemas they mirror: for
 * values close to valid input (every field drawn from valid values, near misses and junk; keys absent, present
 * as `undefined` or inherited from a prototype) and for arbitrary values, a check accepts exactly what its
 * Schema accepts and fails with exactly the Schema decoder's message. For metadata, the allocation-free fast
 * path (`isPlainValidMetadata`) is held to the same Schema.
 */
import { describe, expect, test } from "bun:test"
import { ResourceBudgetSchema, ResourceMetadataSchema } from "@flight-hal/core"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import fc from "fast-check"
import { builtinProfiles, PlatformProfileSchema } from "../src/index.ts"
import { type Decoded, decodeBudget, decodeMetadata } from "../src/internal/check.ts"
import { decodeProfileInput } from "../src/internal/profile-check.ts"
import { isPlainValidMetadata } from "../src/internal/validate.ts"

/** The Schema's verdict in the checks' shape: the input, or the decoder's message. */
const schemaVerdict =
  <S extends Schema.Top & { readonly DecodingServices: never }>(schema: S) =>
  (input: unknown): Decoded<unknown> => {
    const result = Schema.decodeUnknownResult(schema)(input)
    return Result.isSuccess(result)
      ? { _tag: "Success", value: input }
      : { _tag: "Failure", issue: result.failure.message }
  }

const protoNames = ["toString", "constructor", "__proto__", "hasOwnProperty", "valueOf"]
const oneOf = <T>(...values: ReadonlyArray<T>) => fc.constantFrom(...values)
/** Numbers at and around every boundary the Schemas test, and values of other kinds. */
const junk = fc.oneof(
  fc.anything(),
  oneOf<unknown>(
    null,
    undefined,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    -0,
    2 ** 53,
    -(2 ** 53),
    2 ** 31,
    2 ** 32,
    2 ** 33,
    -1,
    1.5,
    "1",
    "",
    true,
    [],
    {},
    () => 1,
    ...protoNames
  )
)
/** A valid value most of the time, else junk. */
const mostly = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: valid }, junk)

/** Moves some of an object's keys to its prototype (a Schema struct reads inherited keys too). */
const withPrototype = (record: Record<string, unknown>, inherited: ReadonlyArray<boolean>): object => {
  const own: Record<string, unknown> = {}
  const proto: Record<string, unknown> = {}
  Object.keys(record).forEach((key, i) => {
    if (inherited[i % Math.max(inherited.length, 1)] === true) proto[key] = record[key]
    else own[key] = record[key]
  })
  return Object.assign(Object.create(proto) as object, own)
}
/** A record as it is, or with some keys inherited, or as an array carrying the same keys. */
const shaped = (record: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 6, arbitrary: record },
    {
      weight: 2,
      arbitrary: fc.tuple(record, fc.array(fc.boolean(), { maxLength: 8 })).map(([r, i]) => withPrototype(r, i))
    },
    { weight: 1, arbitrary: record.map((r) => Object.assign([], r)) }
  )

const handle = shaped(
  fc.record(
    { slot: mostly(fc.integer()), generation: mostly(fc.nat()), manager: mostly(fc.nat()) },
    { requiredKeys: [] }
  )
)
const field = <T>(valid: fc.Arbitrary<T>) => fc.option(mostly(valid), { nil: undefined })

const metadataLike = shaped(
  fc.record(
    {
      type: fc.oneof(oneOf("Memory", "Hardware", "Shader", "x"), junk),
      sizeBytes: mostly(fc.oneof(fc.nat(), fc.maxSafeNat())),
      alignmentBytes: field(fc.integer({ min: 0, max: 31 }).map((n) => 2 ** n)),
      accessPattern: field(oneOf("ReadOnly", "WriteOnly", "ReadWrite", "Streaming")),
      priority: field(oneOf("Low", "Normal", "High", "Critical")),
      flags: field(fc.oneof(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 64, max: 2 ** 33 }))),
      dependsOn: field(fc.array(handle, { maxLength: 3 }))
    },
    { requiredKeys: [] }
  )
)

const budgetLike = shaped(
  fc.record(
    {
      maxBytes: mostly(fc.nat({ max: 10_000 })),
      reservedBytes: mostly(fc.nat({ max: 10_000 })),
      warningPercent: mostly(fc.oneof(fc.integer({ min: 1, max: 100 }), fc.double({ min: 0, max: 101 }))),
      criticalPercent: mostly(fc.oneof(fc.integer({ min: 1, max: 100 }), fc.double({ min: 0, max: 101 })))
    },
    { requiredKeys: [] }
  )
)

const poolLike = shaped(
  fc.record(
    {
      type: fc.oneof(oneOf("Memory", "Hardware", "Custom", "Shader"), junk),
      blockSize: mostly(fc.integer({ min: 0, max: 2 ** 20 })),
      initialCount: mostly(fc.nat({ max: 64 })),
      maxCount: mostly(fc.integer({ min: 0, max: 2 ** 24 })),
      alignment: mostly(fc.integer({ min: 0, max: 12 }).map((n) => 2 ** n)),
      name: mostly(oneOf("a", "b", "c", ""))
    },
    { requiredKeys: [] }
  )
)
const profileLike = fc.oneof(
  // a built-in profile with one part replaced (mostly valid: the cross-checks get exercised)
  fc
    .tuple(
      oneOf(...Object.values(builtinProfiles)),
      oneOf("name", "totalMemoryBytes", "total", "budgets", "pools", "Memory", "budget", "pool", "none"),
      junk,
      budgetLike,
      poolLike,
      fc.integer({ min: 1, max: 2 ** 36 })
    )
    .map(([profile, part, value, budget, pool, total]) => {
      const copy = structuredClone(profile) as unknown as Record<string, unknown> & {
        budgets: Record<string, unknown>
        pools: Array<unknown>
      }
      if (part === "Memory") copy.budgets.Memory = budget
      else if (part === "budget") copy.budgets.Memory = value
      else if (part === "pool") copy.pools.push(pool)
      else if (part === "total") copy.totalMemoryBytes = total
      else if (part !== "none") copy[part] = value
      return copy
    }),
  // anything shaped like a profile
  shaped(
    fc.record(
      {
        name: mostly(oneOf("p", "")),
        totalMemoryBytes: mostly(fc.integer({ min: 0, max: 2 ** 40 })),
        budgets: mostly(
          shaped(fc.dictionary(oneOf("Memory", "Hardware", "Custom", "Shader", "toString"), mostly(budgetLike)))
        ),
        pools: mostly(fc.array(poolLike, { maxLength: 3 }))
      },
      { requiredKeys: [] }
    )
  )
)

const agree = (light: Decoded<unknown>, schema: Decoded<unknown>, value: unknown) => {
  if (light._tag !== schema._tag || light._tag === "Failure") expect({ value, light }).toEqual({ value, light: schema })
}

describe("the light checks are the Schemas they mirror", () => {
  /**
   * Runs `check` (which returns whether the Schema accepted the value) on `near` values and arbitrary ones,
   * seeded, and requires at least `minValid` accepted values (so the valid side is exercised too).
   */
  const holds = (
    label: string,
    check: (value: unknown) => boolean,
    near: fc.Arbitrary<unknown>,
    [runs, seed]: readonly [number, number],
    minValid: number
  ) => {
    let accepted = 0
    const counted = (value: unknown) => {
      if (check(value)) accepted++
    }
    fc.assert(fc.property(near, counted), { numRuns: runs, seed })
    fc.assert(fc.property(fc.anything(), counted), { numRuns: 2_000, seed: seed + 1 })
    console.log(`[light checks] ${label}: ${runs + 2_000} values, ${accepted} valid (seeds ${seed}, ${seed + 1})`)
    expect(accepted).toBeGreaterThan(minValid)
  }

  test("metadata: same verdict and message as ResourceMetadataSchema; the fast path accepts exactly as much", () => {
    const schema = schemaVerdict(ResourceMetadataSchema)
    const check = (value: unknown) => {
      const expected = schema(value)
      agree(decodeMetadata(value), expected, value)
      expect({ value, fast: isPlainValidMetadata(value) }).toEqual({ value, fast: expected._tag === "Success" })
      return expected._tag === "Success"
    }
    holds("metadata", check, metadataLike, [12_000, 20261127], 500)
  }, 60_000)

  test("budgets: same verdict and message as ResourceBudgetSchema", () => {
    const schema = schemaVerdict(ResourceBudgetSchema)
    const check = (value: unknown) => {
      const expected = schema(value)
      agree(decodeBudget(value), expected, value)
      return expected._tag === "Success"
    }
    holds("budgets", check, budgetLike, [10_000, 20261129], 300)
  }, 60_000)

  test("profiles: same verdict, message and decoded copy as PlatformProfileSchema", () => {
    const check = (value: unknown) => {
      const result = Schema.decodeUnknownResult(PlatformProfileSchema)(value)
      const light = decodeProfileInput(value)
      if (Result.isFailure(result)) {
        expect({ value, light }).toEqual({ value, light: { _tag: "Failure", issue: result.failure.message } })
        return false
      }
      expect({ value, light }).toStrictEqual({ value, light: { _tag: "Success", value: result.success } })
      return true
    }
    holds("profiles", check, profileLike, [4_000, 20261131], 300)
  }, 60_000)

  test("known messages, one per kind of issue", () => {
    const issue = (value: unknown) => {
      const decoded = decodeMetadata(value)
      return decoded._tag === "Failure" ? decoded.issue : "valid"
    }
    expect(issue(null)).toBe("Expected object")
    expect(issue({ type: "Memory" })).toBe('Missing key\n  at ["sizeBytes"]')
    expect(issue({ type: "Memory", sizeBytes: 1, priority: "Urgent" })).toBe(
      'Expected "Low" | "Normal" | "High" | "Critical"\n  at ["priority"]'
    )
    expect(issue({ type: "Memory", sizeBytes: 1, priority: 1 })).toBe(
      'Expected "Low" | "Normal" | "High" | "Critical" | undefined\n  at ["priority"]'
    )
    expect(issue({ type: "Memory", sizeBytes: 1, dependsOn: [{ slot: 0, generation: 0, manager: 2 ** 60 }] })).toBe(
      'Expected an integer\n  at ["dependsOn"][0]["manager"]'
    )
    expect(issue({ type: "Memory", sizeBytes: 1, flags: 64 })).toBe(
      'unknown ResourceFlag bit(s) 0x40 in 0x40\n  at ["flags"]'
    )
  })

  test("a byte count past 2^53 − 1 gets the byte count's message, in the check and in the Schema", () => {
    for (const n of [2 ** 53, 2 ** 60, 1e300, -1, 1.5]) {
      const metadata = { type: "Memory", sizeBytes: n }
      const sizeIssue = `a byte count is a safe integer ≥ 0, got ${n}\n  at ["sizeBytes"]`
      expect(decodeMetadata(metadata)).toEqual({ _tag: "Failure", issue: sizeIssue })
      expect(schemaVerdict(ResourceMetadataSchema)(metadata)).toEqual({ _tag: "Failure", issue: sizeIssue })
      const budget = { maxBytes: n, reservedBytes: 0, warningPercent: 50, criticalPercent: 80 }
      const maxIssue = `a byte count is a safe integer ≥ 0, got ${n}\n  at ["maxBytes"]`
      expect(decodeBudget(budget)).toEqual({ _tag: "Failure", issue: maxIssue })
      expect(schemaVerdict(ResourceBudgetSchema)(budget)).toEqual({ _tag: "Failure", issue: maxIssue })
    }
  })

  test("flags and alignment past 2^53 − 1, fractional or NaN get their own message (an integer is no 'Expected an integer')", () => {
    for (const n of [2 ** 53 + 2, 1e308, 1.5, Number.NaN, -1]) {
      for (const [field, expected] of [
        ["flags", `a ResourceFlag set is a 32-bit non-negative integer, got ${n}`],
        ["alignmentBytes", `an alignment is a power of two between 1 and 2^30, got ${n}`]
      ] as const) {
        const value = { type: "Memory", sizeBytes: 1, [field]: n }
        const issue = `${expected}\n  at ["${field}"]`
        expect(decodeMetadata(value)).toEqual({ _tag: "Failure", issue })
        expect(schemaVerdict(ResourceMetadataSchema)(value)).toEqual({ _tag: "Failure", issue })
      }
    }
  })

  test("a flag set with bit 31 names its unknown bits as unsigned hex, in the check and in the Schema", () => {
    for (const [flags, unknown] of [
      [0xffffffff, "0xffffffc0"],
      [0x80000000, "0x80000000"],
      [0x80000001, "0x80000000"]
    ] as const) {
      const expected = `unknown ResourceFlag bit(s) ${unknown} in 0x${flags.toString(16)}\n  at ["flags"]`
      const value = { type: "Memory", sizeBytes: 1, flags }
      expect(decodeMetadata(value)).toEqual({ _tag: "Failure", issue: expected })
      expect(schemaVerdict(ResourceMetadataSchema)(value)).toEqual({ _tag: "Failure", issue: expected })
    }
  })
})
