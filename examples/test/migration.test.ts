import { describe, expect, test } from "bun:test"
import { runMigration } from "../migration.ts"

describe("examples/migration", () => {
  test("manual code leaks silently; the interop step reports the leak; RAII cannot leak and is budgeted", () => {
    expect(runMigration()).toEqual({
      manualBytesLeaked: 8192,
      interopLeaks: [{ name: "forgotten", sizeBytes: 2048, owner: "app" }],
      raiiUsageInside: 8192,
      raiiUsageAfter: 0,
      overBudget: "BudgetExceeded: requested 65536, limit 16384"
    })
  })
})
