/**
 * A type's pressure level as a function of its usage (docs/semantics.md, Pressure), and the band of usage in
 * which a level stays as it is: the state re-evaluates the level only when a charge takes the usage out of its
 * band, so a charge that changes no level costs two comparisons.
 *
 * @module
 */
import { type ResourceBudget, ResourcePressure } from "@flight-hal/core"
import { exactFraction } from "./exact-fraction.ts"

/** The number of pressure levels (None, Low, Medium, High, Critical). */
export const LEVELS = 5

/**
 * The pressure level (0 None … 4 Critical) of `usage` under `budget` (docs/semantics.md, Pressure):
 * None u < w; Low w ≤ u < (w+c)/2; Medium (w+c)/2 ≤ u < c; High u ≥ c with the reserve untouched;
 * Critical once the reserve is in use or usage exceeds maxBytes. Non-decreasing in `usage`.
 *
 * @since 0.1.0
 */
export const pressureLevel = (budget: ResourceBudget, usage: number): number => {
  const max = budget.maxBytes
  if (usage > max - budget.reservedBytes || usage > max) return ResourcePressure.Critical
  if (max === 0) return ResourcePressure.None
  const w = budget.warningPercent
  const c = budget.criticalPercent
  const exactInDoubles =
    Number.isInteger(w) &&
    Number.isInteger(c) &&
    Number.isInteger(usage) &&
    200 * max <= SAFE &&
    Math.abs(usage) * 200 <= SAFE
  if (!exactInDoubles && Number.isFinite(usage + max + w + c)) {
    const [un, ud] = exactFraction(usage)
    return exactLevel(un, ud, max, w, c)
  }
  // every product below is an integer of at most 2^53: exact in doubles
  const scaled = usage * 200
  if (scaled >= c * 2 * max) return ResourcePressure.High
  if (scaled >= (w + c) * max) return ResourcePressure.Medium
  if (scaled >= w * 2 * max) return ResourcePressure.Low
  return ResourcePressure.None
}

/** The largest integer a double holds exactly, with every integer below it. */
const SAFE = 2 ** 53

/**
 * `pressureLevel`'s comparisons in exact arithmetic, for budgets past about 45 TB, percents with a fraction or a
 * usage shifted by a hysteresis, where the products of doubles round: the usage is the fraction `un / ud`, each
 * percent the exact rational a double is (an integer over a power of two), and the comparisons are made in
 * BigInt. Only on usage leaving its band, never per charge.
 */
const exactLevel = (un: bigint, ud: bigint, max: number, w: number, c: number): number => {
  const [wn, wd] = exactFraction(w)
  const [cn, cd] = exactFraction(c)
  const u = un * 200n
  const m = BigInt(max)
  if (u * cd >= cn * 2n * m * ud) return ResourcePressure.High
  if (u * wd * cd >= (wn * cd + cn * wd) * m * ud) return ResourcePressure.Medium
  if (u * wd >= wn * 2n * m * ud) return ResourcePressure.Low
  return ResourcePressure.None
}

/**
 * The level of `usage + h`, where `h = maxBytes × hysteresisPercent / 100` is taken exactly: `h` has a fraction
 * a double may not hold (3406 × 7 / 100 is 238.42, stored as 238.41999…), and usage + h can sit exactly on a
 * threshold (docs/semantics.md, Pressure: levels are compared exactly).
 */
export const pressureLevelAbove = (budget: ResourceBudget, usage: number, hysteresisPercent: number): number => {
  if (hysteresisPercent === 0) return pressureLevel(budget, usage)
  const max = budget.maxBytes
  const scaled = max * hysteresisPercent
  // a whole h: usage + h is an integer, and pressureLevel is exact on integers; else exactly, in BigInt (only when
  // usage leaves its band, and in the bands' bisection when a budget is set)
  if (Number.isInteger(hysteresisPercent) && scaled <= SAFE && scaled % 100 === 0) {
    const shifted = usage + scaled / 100
    if (Number.isSafeInteger(shifted)) return pressureLevel(budget, shifted)
  }
  // usage + h as the fraction un / ud: (100 · usage · hd + max · hn) / (100 · hd)
  const [hn, hd] = exactFraction(hysteresisPercent)
  const [usageN, usageD] = exactFraction(usage)
  const m = BigInt(max)
  const un = 100n * usageN * hd + m * hn * usageD
  const ud = 100n * hd * usageD
  if (un > (m - BigInt(budget.reservedBytes)) * ud || un > m * ud) return ResourcePressure.Critical
  if (max === 0) return ResourcePressure.None
  return exactLevel(un, ud, max, budget.warningPercent, budget.criticalPercent)
}

/**
 * The level of `usage` when the level now is `current`: a level is entered as soon as usage reaches its
 * threshold, and left only once usage is `h = maxBytes × hysteresisPercent / 100` bytes below it (exactly).
 */
export const pressureWithHysteresis = (
  budget: ResourceBudget,
  usage: number,
  current: number,
  hysteresisPercent: number
): number => {
  const raised = pressureLevel(budget, usage)
  return raised >= current ? raised : Math.min(current, pressureLevelAbove(budget, usage, hysteresisPercent))
}

/**
 * The usage in which `level` stays: every usage `u` with `low ≤ u ≤ high` has
 * `pressureWithHysteresis(budget, u, level, hysteresisPercent) === level`, and no integer usage outside it has.
 *
 * That holds exactly where `pressureLevel(budget, u) ≤ level` (u ≤ high) and `pressureLevelAbove(budget, u,
 * hysteresisPercent) ≥ level` (u ≥ low): both sides are monotone in `u`, so each bound is one integer threshold,
 * found by bisection with the level functions themselves (so rounding cannot make the band wider than the
 * function it stands for). About 110 evaluations: a state computes the bands of a type's five levels when its
 * budget is set, not per charge.
 */
export const pressureBand = (
  budget: ResourceBudget,
  level: number,
  hysteresisPercent: number
): { readonly low: number; readonly high: number } => ({
  low:
    level <= ResourcePressure.None
      ? Number.NEGATIVE_INFINITY
      : leastInteger((u) => pressureLevelAbove(budget, u, hysteresisPercent) >= level),
  high:
    level >= ResourcePressure.Critical
      ? Number.POSITIVE_INFINITY
      : leastInteger((u) => pressureLevel(budget, u) > level) - 1
})

/** The integers a usage can be compared with (a usage is a whole number of bytes, at most 2^53 − 1). */
const LIMIT = 2 ** 53

/**
 * The least integer `u` in [−2^53, 2^53] where `holds(u)`, for a predicate that is monotone (false, then true):
 * −Infinity when it holds at −2^53 already, +Infinity when it holds nowhere there.
 */
const leastInteger = (holds: (u: number) => boolean): number => {
  if (holds(-LIMIT)) return Number.NEGATIVE_INFINITY
  if (!holds(LIMIT)) return Number.POSITIVE_INFINITY
  let lo = -LIMIT // holds(lo) is false
  let hi = LIMIT // holds(hi) is true
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2)
    if (holds(mid)) hi = mid
    else lo = mid
  }
  return hi
}
