import { describe, expect, test } from "bun:test"
import { dreamcast } from "@flight-hal/resources"
import { Effect } from "effect"
import { ConfigFileError, profileFromConfigText } from "../src/index.ts"

/** The error a config text fails with (the test fails when it decodes). */
const failure = (value: unknown): ConfigFileError => {
  const result = Effect.runSync(Effect.result(profileFromConfigText("f.json", JSON.stringify(value), dreamcast)))
  if (result._tag === "Success") throw new Error("decoded")
  return result.failure
}

const profile = JSON.parse(JSON.stringify(dreamcast))

describe("--config files", () => {
  test("a field the shape does not have is an error at any depth, named by its path", () => {
    const budget = { maxBytes: 1 << 20, reservedBytes: 0, warningPercent: 75, criticalPercent: 90 }
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [{ budgets: { Memory: { ...budget, maxByte: 1000 } } }, "budgets.Memory.maxByte"],
      [
        { ...profile, budgets: { ...profile.budgets, Memory: { ...profile.budgets.Memory, extra: 1 } } },
        "budgets.Memory.extra"
      ],
      [
        { ...profile, pools: profile.pools.map((p: object, i: number) => (i === 1 ? { ...p, colour: "red" } : p)) },
        "pools.1.colour"
      ],
      [{ ...profile, budgets: { ...profile.budgets, Ram: budget } }, "budgets.Ram"],
      [{ ...profile, theme: "dark" }, "theme"]
    ]
    for (const [value, field] of cases) {
      const error = failure(value)
      expect(error).toBeInstanceOf(ConfigFileError)
      expect(error.field).toBe(field)
      expect(error.message).toStartWith(`f.json: ${field}: `)
      expect(error.message).not.toContain("\n")
    }
    expect(failure({ budgets: { Memory: { ...budget, maxByte: 1000 } } }).issue).toBe("unknown field")
    // the same values without the stray field decode
    const memory = { ...profile.budgets.Memory, warningPercent: 50 }
    const ok = Effect.runSync(
      profileFromConfigText("f.json", JSON.stringify({ budgets: { Memory: memory } }), dreamcast)
    )
    expect(ok.budgets.Memory?.warningPercent).toBe(50)
  })

  test("budgets too small for the profile's pools: the pools, their profile and the budget field are named", () => {
    const tiny = { maxBytes: 1024, reservedBytes: 0, warningPercent: 75, criticalPercent: 90 }
    const error = failure({ budgets: { Memory: tiny } })
    const memoryPools = dreamcast.pools.filter((p) => p.type === "Memory").map((p) => p.name)
    expect(memoryPools.length).toBeGreaterThan(0)
    for (const name of memoryPools) expect(error.message).toContain(name)
    expect(error.message).toContain("budgets.Memory.maxBytes (1024)")
    expect(error.message).toContain(`(budgets laid over profile ${dreamcast.name})`)
  })
})
