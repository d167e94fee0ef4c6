/**
 * The metadata fast path accepts exactly what `ResourceMetadataSchema` accepts: for arbitrary values close to
 * metadata (every field drawn from valid values, near misses and junk, inherited names included), the fast
 * path never accepts what the Schema rejects, and `validateMetadata` (fast path, else the Schema) agrees with
 * the Schema on every value. (Both take any non-empty type name; which types exist is the manager's type
 * table's business, tested in custom-types.test.ts.)
 */
import { describe, expect, test } from "bun:test"
import { ResourceMetadataSchema } from "@flight-hal/core"
import { Schema } from "effect"
import fc from "fast-check"
import { isPlainValidMetadata, validateMetadata } from "../src/internal/validate.ts"

const decode = Schema.decodeUnknownExit(ResourceMetadataSchema)
const schemaAccepts = (value: unknown): boolean => decode(value)._tag === "Success"

const protoNames = ["toString", "constructor", "__proto__", "hasOwnProperty", "valueOf"]
const oneOf = <T>(...values: ReadonlyArray<T>) => fc.constantFrom(...values)
const junk = fc.oneof(
  fc.anything(),
  oneOf<unknown>(null, undefined, Number.NaN, Number.POSITIVE_INFINITY, -0, 2 ** 53, -1, 1.5, "1", ...protoNames)
)
const field = <T>(valid: fc.Arbitrary<T>) =>
  fc.option(fc.oneof({ weight: 4, arbitrary: valid }, junk), { nil: undefined })
const handle = fc.record({ slot: fc.nat(), generation: fc.nat(), manager: fc.nat() })

const metadataLike = fc.record(
  {
    type: fc.oneof(oneOf("Hardware", "Memory", "Performance", "Communication", "Platform", "Custom", "Shader"), junk),
    sizeBytes: fc.oneof({ weight: 4, arbitrary: fc.nat() }, fc.double(), junk),
    alignmentBytes: field(fc.integer({ min: 0, max: 31 }).map((n) => 2 ** n)),
    accessPattern: field(oneOf("ReadOnly", "WriteOnly", "ReadWrite", "Streaming")),
    priority: field(oneOf("Low", "Normal", "High", "Critical")),
    flags: field(fc.oneof(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 64, max: 2 ** 33 }), oneOf(2 ** 32 + 8))),
    dependsOn: field(fc.array(fc.oneof({ weight: 4, arbitrary: handle }, junk), { maxLength: 3 }))
  },
  { requiredKeys: [] }
)

describe("metadata validation: the fast path and the Schema agree", () => {
  test("on 8,000 metadata-like values and 2,000 arbitrary values (seeded)", () => {
    let accepted = 0
    const check = (value: unknown) => {
      const schema = schemaAccepts(value)
      if (isPlainValidMetadata(value)) expect({ value, schema }).toEqual({ value, schema: true })
      const viaValidate = !(validateMetadata(value) instanceof Error)
      expect({ value, viaValidate }).toEqual({ value, viaValidate: schema })
      if (schema) accepted++
    }
    fc.assert(fc.property(metadataLike, check), { numRuns: 8_000, seed: 20261127 })
    fc.assert(fc.property(fc.anything(), check), { numRuns: 2_000, seed: 20261128 })
    console.log(`[validation] 10,000 values, ${accepted} valid (seeds 20261127, 20261128)`)
    expect(accepted).toBeGreaterThan(200)
  }, 60_000)
})
