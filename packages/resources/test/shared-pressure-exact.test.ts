/**
 * A shared manager keeps the percents of its budgets and its `hysteresisPercent` exactly as given (it stored them
 * rounded to a millionth of a percent): its pressure levels follow docs/semantics.md section 8 exactly, as the
 * single-thread manager's do, and `getBudget` returns the budget that was set.
 */
import { describe, expect, test } from "bun:test"
import type { ResourceBudget } from "@flight-hal/core"
import { createResourceManager, createSharedResourceManager } from "../src/index.ts"

const memory = (sizeBytes: number) => ({ type: "Memory" as const, sizeBytes })

/** The pressure after each acquisition of `sizes` then after releasing the first, on both managers. */
const levels = (budget: ResourceBudget, sizes: ReadonlyArray<number>, hysteresisPercent = 0) => {
  const plain = createResourceManager({ budgets: { Memory: budget }, hysteresisPercent, onLeaks: () => {} })
  const shared = createSharedResourceManager({ budgets: { Memory: budget }, hysteresisPercent })
  const read = () => [plain.getResourceStats("Memory").pressure, shared.getResourceStats("Memory").pressure]
  const seen = [read()]
  const refs = sizes.map((size) => {
    const pair = [plain.acquire("", memory(size)), shared.acquire(memory(size))] as const
    seen.push(read())
    return pair
  })
  for (const ref of refs[0] ?? []) ref.release()
  seen.push(read())
  const budgets = [plain.getBudget("Memory"), shared.getBudget("Memory")]
  plain.close()
  shared.close()
  return { plain: seen.map(([p]) => p), shared: seen.map(([, s]) => s), budgets }
}

const budget = (maxBytes: number, warningPercent: number, criticalPercent = 90): ResourceBudget => ({
  maxBytes,
  reservedBytes: 0,
  warningPercent,
  criticalPercent
})

describe("a shared manager's pressure with fractional percents", () => {
  const cases: ReadonlyArray<readonly [string, ResourceBudget, ReadonlyArray<number>, number?]> = [
    ["a warning below a millionth of a percent (4e-7 % of 1e12 bytes is 4000)", budget(1e12, 4e-7), [1, 3999, 1]],
    ["50.0000004 % of 1e9 bytes (500000004)", budget(1e9, 50.0000004), [5e8, 4, 1]],
    [
      "33.3333333 % of 2^53 − 1 bytes",
      budget(Number.MAX_SAFE_INTEGER, 33.3333333),
      [Math.floor((Number.MAX_SAFE_INTEGER / 100) * 33.33333325), 1]
    ],
    ["a hysteresis of 4e-7 % of 1e12 bytes (4000)", budget(1e12, 50), [1000, 5e11 - 1000], 4e-7]
  ]
  for (const [label, given, sizes, hysteresis] of cases) {
    test(`${label}: the levels of the single-thread manager, and getBudget as set`, () => {
      const { plain, shared, budgets } = levels(given, sizes, hysteresis)
      expect(shared).toEqual(plain)
      expect(budgets).toEqual([given, given])
    })
  }
})
