/**
 * The pressure band (`internal/pressure.ts`): the usage in which a level stays is exactly where
 * `pressureWithHysteresis` answers that level, and a state that re-evaluates only outside the band goes through
 * the same levels, and reports the same changes, as one that re-evaluates at every charge.
 */
import { describe, expect, test } from "bun:test"
import type { ResourceBudget } from "@flight-hal/core"
import fc from "fast-check"
import { pressureBand, pressureLevel, pressureLevelAbove, pressureWithHysteresis } from "../src/internal/pressure.ts"
import { ManagerState } from "../src/internal/state.ts"

/** Valid budgets (the Schema's rules: reserved ≤ max, 0 < warning < critical ≤ 100), small and huge. */
const budgetArb: fc.Arbitrary<ResourceBudget> = fc
  .record({
    maxBytes: fc.oneof(
      fc.integer({ min: 0, max: 3000 }),
      fc.integer({ min: 0, max: 2 ** 40 }),
      fc.constantFrom(0, 1, 7, 100, 4096, 2 ** 31, Number.MAX_SAFE_INTEGER)
    ),
    reservedFraction: fc.oneof(fc.constantFrom(0, 1), fc.double({ min: 0, max: 1, noNaN: true })),
    percents: fc
      .tuple(
        fc.oneof(fc.integer({ min: 1, max: 100 }), fc.double({ min: 0.001, max: 100, noNaN: true })),
        fc.oneof(fc.integer({ min: 1, max: 100 }), fc.double({ min: 0.001, max: 100, noNaN: true }))
      )
      .filter(([a, b]) => a !== b)
  })
  .map(({ maxBytes, reservedFraction, percents: [a, b] }) => ({
    maxBytes,
    reservedBytes: Math.floor(maxBytes * reservedFraction),
    warningPercent: Math.min(a, b),
    criticalPercent: Math.max(a, b)
  }))

const percentArb = fc.oneof(fc.constantFrom(0, 0.5, 2, 10, 100), fc.double({ min: 0, max: 100, noNaN: true }))

/** Whether `level` stays at `usage` (a hysteresis of `hysteresisPercent`): what the band must say. */
const stays = (budget: ResourceBudget, usage: number, level: number, hysteresisPercent: number) =>
  pressureWithHysteresis(budget, usage, level, hysteresisPercent) === level

/** semantics.md section 8's table in BigInt, for integer percents (exact whatever the size). */
const exactLevel = (budget: ResourceBudget, usage: number): number => {
  const max = BigInt(budget.maxBytes)
  const u = BigInt(usage)
  const w = BigInt(budget.warningPercent)
  const c = BigInt(budget.criticalPercent)
  if (u > max - BigInt(budget.reservedBytes) || u > max) return 4
  if (max === 0n) return 0
  return 100n * u >= c * max ? 3 : 200n * u >= (w + c) * max ? 2 : 100n * u >= w * max ? 1 : 0
}

describe("pressureLevel", () => {
  test("is exact for budgets of any size, up to 2^53 − 1 bytes (doubles round past about 45 TB)", () => {
    const huge = fc
      .record({
        maxBytes: fc.oneof(
          fc.integer({ min: 2 ** 44, max: Number.MAX_SAFE_INTEGER }),
          fc.constant(Number.MAX_SAFE_INTEGER)
        ),
        w: fc.integer({ min: 1, max: 99 }),
        dc: fc.integer({ min: 1, max: 99 })
      })
      .map(({ maxBytes, w, dc }) => ({
        maxBytes,
        reservedBytes: 0,
        warningPercent: w,
        criticalPercent: Math.min(100, w + dc)
      }))
    fc.assert(
      fc.property(huge, fc.integer({ min: 0, max: 3 }), fc.integer({ min: -3, max: 3 }), (budget, edge, step) => {
        // a usage next to one of the thresholds, where rounding decides
        const percents = [
          budget.warningPercent * 2,
          budget.warningPercent + budget.criticalPercent,
          budget.criticalPercent * 2,
          0
        ]
        const at = Number((BigInt(percents[edge] ?? 0) * BigInt(budget.maxBytes)) / 200n) + step
        const usage = Math.max(0, Math.min(budget.maxBytes, at))
        expect(pressureLevel(budget, usage)).toBe(exactLevel(budget, usage))
      }),
      { numRuns: 5000 }
    )
    // the auditor's cases: doubles said Medium, Low and Medium
    const cases: Array<[number, number, number, number]> = [
      [Number.MAX_SAFE_INTEGER, 50, 90, 6305039478318693],
      [Number.MAX_SAFE_INTEGER, 75, 90, 6755399441055743],
      [59928369490123, 90, 97, 56033025473265]
    ]
    for (const [maxBytes, warningPercent, criticalPercent, usage] of cases) {
      const budget = { maxBytes, reservedBytes: 0, warningPercent, criticalPercent }
      expect(pressureLevel(budget, usage)).toBe(exactLevel(budget, usage))
    }
  })
})

/**
 * semantics.md section 8's level of `usage + h`, `h = M · p / 100`, in BigInt for integer percents: with
 * `X = 100 · usage + M · p`, usage + h reaches a threshold `t · M / 100` exactly when `X ≥ t · M`.
 */
const exactLevelAbove = (budget: ResourceBudget, usage: number, percent: number): number => {
  const max = BigInt(budget.maxBytes)
  const x = 100n * BigInt(usage) + max * BigInt(percent)
  const w = BigInt(budget.warningPercent)
  const c = BigInt(budget.criticalPercent)
  if (x > 100n * (max - BigInt(budget.reservedBytes)) || x > 100n * max) return 4
  if (max === 0n) return 0
  return x >= c * max ? 3 : 2n * x >= (w + c) * max ? 2 : x >= w * max ? 1 : 0
}

describe("pressureLevelAbove (usage + h, h = maxBytes · hysteresisPercent / 100)", () => {
  test("is exact where h has a fraction a double cannot hold (3406 · 7 / 100 is stored as 238.41999…)", () => {
    // hysteresis = warning percent: usage 0 plus h sits exactly on the warning threshold, so the level is Low
    for (const maxBytes of [1000, 1001, 3406, 3407, 2 ** 40 + 1, Number.MAX_SAFE_INTEGER]) {
      const budget = { maxBytes, reservedBytes: 0, warningPercent: 7, criticalPercent: 100 }
      expect([maxBytes, pressureLevelAbove(budget, 0, 7)]).toEqual([maxBytes, 1])
      expect([maxBytes, pressureWithHysteresis(budget, 0, 1, 7)]).toEqual([maxBytes, 1])
    }
  })

  test("agrees with the rule in BigInt for integer percents, on budgets small and huge", () => {
    const integerBudget = fc
      .record({
        maxBytes: fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
        reservedFraction: fc.double({ min: 0, max: 1, noNaN: true }),
        w: fc.integer({ min: 1, max: 99 }),
        span: fc.integer({ min: 1, max: 99 })
      })
      .map(({ maxBytes, reservedFraction, w, span }) => ({
        maxBytes,
        reservedBytes: Math.floor(maxBytes * reservedFraction),
        warningPercent: w,
        criticalPercent: Math.min(100, w + span)
      }))
    fc.assert(
      fc.property(
        integerBudget,
        fc.integer({ min: 0, max: 100 }),
        fc.double({ min: 0, max: 1.2, noNaN: true }),
        (b, p, f) => {
          const usage = Math.min(Number.MAX_SAFE_INTEGER, Math.floor(b.maxBytes * f))
          expect(pressureLevelAbove(b, usage, p)).toBe(exactLevelAbove(b, usage, p))
          // at the integer just below the warning threshold less h
          const edge = Math.max(0, Math.ceil((b.warningPercent * b.maxBytes - b.maxBytes * p) / 100) - 1)
          if (Number.isSafeInteger(edge)) expect(pressureLevelAbove(b, edge, p)).toBe(exactLevelAbove(b, edge, p))
        }
      ),
      { numRuns: 3000 }
    )
    // a guard against a hang, not a time limit: thousands of exact evaluations, slow on a loaded machine
  }, 60_000)
})

describe("pressureBand", () => {
  test("its bounds are exact: the level stays at both bounds and at no integer just outside them", () => {
    fc.assert(
      fc.property(budgetArb, percentArb, fc.integer({ min: 0, max: 4 }), (budget, percent, level) => {
        const hysteresis = percent
        const { low, high } = pressureBand(budget, level, hysteresis)
        if (Number.isFinite(low)) {
          expect(stays(budget, low - 1, level, hysteresis)).toBe(false)
          if (low <= high) expect(stays(budget, low, level, hysteresis)).toBe(true)
        }
        if (Number.isFinite(high)) {
          expect(stays(budget, high + 1, level, hysteresis)).toBe(false)
          if (low <= high) expect(stays(budget, high, level, hysteresis)).toBe(true)
        }
      }),
      { numRuns: 3000 }
    )
    // a guard against a hang, not a time limit: thousands of exact evaluations, slow on a loaded machine
  }, 60_000)

  test("on small budgets, every usage from 0 to past maxBytes is in the band exactly when the level stays", () => {
    fc.assert(
      fc.property(
        budgetArb.filter((b) => b.maxBytes <= 3000),
        percentArb,
        fc.integer({ min: 0, max: 4 }),
        (budget, percent, level) => {
          const hysteresis = percent
          const { low, high } = pressureBand(budget, level, hysteresis)
          for (let usage = 0; usage <= budget.maxBytes + 2; usage++) {
            if (stays(budget, usage, level, hysteresis) !== (low <= usage && usage <= high)) {
              throw new Error(`usage ${usage}, level ${level}, band [${low}, ${high}]`)
            }
          }
        }
      ),
      { numRuns: 400 }
    )
  }, 60_000)

  test("the edge cases: no room at all, a reserve that is the whole budget, the largest budget", () => {
    const zero = { maxBytes: 0, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 }
    expect(pressureBand(zero, 0, 0)).toEqual({ low: Number.NEGATIVE_INFINITY, high: 0 })
    expect(pressureBand(zero, 4, 0)).toEqual({ low: 1, high: Number.POSITIVE_INFINITY })
    const reserved = { maxBytes: 100, reservedBytes: 100, warningPercent: 50, criticalPercent: 90 }
    expect(pressureBand(reserved, 0, 0)).toEqual({ low: Number.NEGATIVE_INFINITY, high: 0 })
    const largest = {
      maxBytes: Number.MAX_SAFE_INTEGER,
      reservedBytes: 0,
      warningPercent: 75,
      criticalPercent: 90
    }
    const { high } = pressureBand(largest, 0, 0)
    expect(pressureLevel(largest, high)).toBe(0)
    expect(pressureLevel(largest, high + 1)).toBe(1)
  })
})

describe("the state's pressure, re-evaluated only outside the band", () => {
  test("goes through the levels, and reports the changes, that re-evaluating at every charge gives", () => {
    fc.assert(
      fc.property(
        budgetArb.filter((b) => b.maxBytes > 0 && b.maxBytes <= 2 ** 40),
        percentArb,
        fc.array(fc.double({ min: -0.5, max: 0.5, noNaN: true }), { minLength: 1, maxLength: 200, size: "max" }),
        (budget, percent, steps) => {
          const state = new ManagerState({ hysteresisPercent: percent })
          const type = state.typeTable.indexOf("Memory")
          const changes: Array<string> = []
          state.pressureListener = (change) => changes.push(`${change.from}->${change.to}`)
          state.setBudgetRaw(type, budget)
          const hysteresis = percent
          let usage = 0
          let level = pressureWithHysteresis(budget, 0, 0, hysteresis)
          const expected: Array<number> = []
          for (const step of steps) {
            // a whole number of bytes, never below 0, sometimes past maxBytes (an Emergency overage)
            const delta = Math.max(-usage, Math.round(step * budget.maxBytes * 1.4))
            state.charge(type, delta)
            usage += delta
            const next = pressureWithHysteresis(budget, usage, level, hysteresis)
            if (next !== level) expected.push(next)
            level = next
            expect(state.pressure[type]).toBe(level)
          }
          expect(changes.length).toBe(expected.length)
        }
      ),
      { numRuns: 500 }
    )
  }, 60_000)

  test("a new budget is evaluated at once, whatever the band of the old one said", () => {
    const state = new ManagerState()
    const type = state.typeTable.indexOf("Memory")
    state.setBudgetRaw(type, { maxBytes: 1000, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 })
    state.charge(type, 400)
    expect(state.pressure[type]).toBe(0)
    state.setBudgetRaw(type, { maxBytes: 500, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 })
    expect(state.pressure[type]).toBe(2) // 400 of 500: Medium
    state.charge(type, 1)
    expect(state.pressure[type]).toBe(2)
    state.setBudgetRaw(type, undefined)
    expect(state.pressure[type]).toBe(0)
    state.charge(type, 10_000)
    expect(state.pressure[type]).toBe(0)
  })
})
