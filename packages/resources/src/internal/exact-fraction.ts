/**
 * Exact arithmetic on doubles that stand for fractions (percents with a fraction, usage with a hysteresis): a
 * finite double is an integer over a power of two, and the products are made in BigInt, where they do not round.
 *
 * @module
 */

/**
 * A finite double as the exact fraction it is: an integer numerator over a power of two.
 *
 * @example
 * ```ts
 * import { exactFraction } from "./exact-fraction.ts"
 *
 * exactFraction(75) // [75n, 1n]
 * exactFraction(0.5) // [1n, 2n]
 * ```
 */
export const exactFraction = (x: number): readonly [bigint, bigint] => {
  let numerator = x
  let denominator = 1n
  // doubling a double is exact; a finite double is an integer after at most 1074 doublings
  while (!Number.isInteger(numerator)) {
    numerator *= 2
    denominator *= 2n
  }
  return [BigInt(numerator), denominator]
}

/**
 * ⌈bytes × percent / 100⌉, exactly, for whole `bytes` ≥ 0 and a finite `percent` ≥ 0 (`bytes * percent / 100` in
 * doubles asks 8 of 100 bytes for 7 %: 100 × 0.07 is 7.000000000000001).
 *
 * @example
 * ```ts
 * import { percentOfCeil } from "./exact-fraction.ts"
 *
 * percentOfCeil(100, 7) // 7
 * percentOfCeil(3, 50) // 2
 * ```
 */
export const percentOfCeil = (bytes: number, percent: number): number => {
  const [numerator, denominator] = exactFraction(percent)
  const dividend = BigInt(bytes) * numerator
  const divisor = denominator * 100n
  return Number((dividend + divisor - 1n) / divisor)
}
