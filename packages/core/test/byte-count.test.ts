// ByteCount's message: every number that is not a byte count gets the library's own message, integers past
// 2^53 − 1 included (Schema.Int's check used to run first and say "Expected an integer" for them).
import { describe, expect, test } from "bun:test"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { ByteCount, ResourceBudgetSchema, ResourceMetadataSchema } from "../src/index.ts"

const issueOf = <S extends Schema.Top & { readonly DecodingServices: never }>(schema: S, input: unknown): string => {
  const result = Schema.decodeUnknownResult(schema)(input)
  return Result.isSuccess(result) ? "accepted" : result.failure.message
}

describe("ByteCount", () => {
  const bad = [-1, -0.5, 1.5, 2 ** 53, 2 ** 60, 1e300, -(2 ** 53), Number.NaN, Number.POSITIVE_INFINITY]
  test("every number that is not a safe integer ≥ 0 gets the byte count's message", () => {
    for (const n of bad) expect(issueOf(ByteCount, n)).toBe(`a byte count is a safe integer ≥ 0, got ${n}`)
  })
  test("safe integers ≥ 0 are accepted; a value that is no number is still 'Expected number'", () => {
    for (const n of [0, 1, 4096, 2 ** 53 - 1]) expect(issueOf(ByteCount, n)).toBe("accepted")
    expect(issueOf(ByteCount, "1")).toBe("Expected number")
  })
  test("sizeBytes and maxBytes name the field after the message", () => {
    for (const n of [2 ** 53, 2 ** 60, 1e300]) {
      expect(issueOf(ResourceMetadataSchema, { type: "Memory", sizeBytes: n })).toBe(
        `a byte count is a safe integer ≥ 0, got ${n}\n  at ["sizeBytes"]`
      )
      expect(
        issueOf(ResourceBudgetSchema, { maxBytes: n, reservedBytes: 0, warningPercent: 50, criticalPercent: 80 })
      ).toBe(`a byte count is a safe integer ≥ 0, got ${n}\n  at ["maxBytes"]`)
    }
  })
})
