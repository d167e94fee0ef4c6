/**
 * A profile decoded from JSON refuses a field a profile, a budget or a pool does not have, at any depth, naming its
 * path: `decodeProfileSync` (and so a manager's `config.profile`) and `PlatformProfileSchema` alike, where such a
 * field (a top-level `hysteresisPercent`, `budgets.Memory.maxByte`, `pools[1].colour`) was dropped while the CLI's
 * `--config` refused it (reported by a user shipping one app to several platforms).
 */
import { describe, expect, test } from "bun:test"
import { InvalidProfile } from "@flight-hal/core"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { createResourceManager, decodeProfileSync, dreamcast, PlatformProfileSchema } from "../src/index.ts"

/** A built-in profile as JSON gives it (plain objects, nothing frozen). */
const json = (): Record<string, unknown> & { budgets: Record<string, object>; pools: Array<object> } =>
  JSON.parse(JSON.stringify(dreamcast))

/** `decodeProfileSync`'s issue, or "valid". */
const issue = (input: unknown): string => {
  try {
    decodeProfileSync(input)
    return "valid"
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidProfile)
    return (error as InvalidProfile).issue
  }
}

describe("a field a profile does not have", () => {
  const withPool1 = (extra: object) => {
    const profile = json()
    profile.pools[1] = { ...profile.pools[1], ...extra }
    return profile
  }
  const withMemory = (extra: object) => {
    const profile = json()
    profile.budgets.Memory = { ...profile.budgets.Memory, ...extra }
    return profile
  }

  test("is refused at any depth, named by its path, by decodeProfile(Sync) and PlatformProfileSchema alike", () => {
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [{ ...json(), hysteresisPercent: 2 }, '["hysteresisPercent"]'],
      [withMemory({ maxByte: 1 }), '["budgets"]["Memory"]["maxByte"]'],
      [withPool1({ colour: "red" }), '["pools"][1]["colour"]'],
      // whatever its value, undefined too
      [{ ...json(), note: undefined }, '["note"]'],
      // JSON.parse makes "__proto__" an own key
      [JSON.parse(JSON.stringify(dreamcast).replace("{", '{"__proto__":1,')), '["__proto__"]']
    ]
    for (const [input, path] of cases) {
      const expected = `unknown field\n  at ${path}`
      expect(issue(input)).toBe(expected)
      const result = Schema.decodeUnknownResult(PlatformProfileSchema)(input)
      expect(Result.isFailure(result) ? result.failure.message : "valid").toBe(expected)
    }
  })

  test("comes after the fields' own issues and before the cross-checks, as in the Schema", () => {
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      // a missing field of the same struct first (a misspelt key is also a missing one)
      [withMemory({ maxBytes: undefined, maxByte: 1 }), 'Expected number\n  at ["budgets"]["Memory"]["maxBytes"]'],
      // the budget's own check (reserve > max) after the unknown field
      [withMemory({ reservedBytes: 2 ** 40, extra: 1 }), 'unknown field\n  at ["budgets"]["Memory"]["extra"]'],
      // the profile's cross-check after it too
      [{ ...json(), totalMemoryBytes: 1, extra: 1 }, 'unknown field\n  at ["extra"]']
    ]
    for (const [input, expected] of cases) {
      expect(issue(input)).toBe(expected)
      const result = Schema.decodeUnknownResult(PlatformProfileSchema)(input)
      expect(Result.isFailure(result) ? result.failure.message : "valid").toBe(expected)
    }
  })

  test("an inherited key is no field of the profile (own enumerable keys only, as the Schema reads them)", () => {
    const profile = Object.assign(Object.create({ colour: "red" }) as object, json())
    Object.defineProperty(profile, "hidden", { value: 1, enumerable: false })
    expect(issue(profile)).toBe("valid")
    expect(Result.isSuccess(Schema.decodeUnknownResult(PlatformProfileSchema)(profile))).toBe(true)
  })

  test("a manager's config.profile refuses it too: no manager is made", () => {
    let thrown: unknown
    try {
      createResourceManager({ profile: withPool1({ colour: "red" }) as never }).close()
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(InvalidProfile)
    expect((thrown as InvalidProfile).issue).toBe('unknown field\n  at ["pools"][1]["colour"]')
  })
})
