/**
 * Exact arithmetic on doubles that stand for fractions (percents with a fraction, usage with a hysteresis): a
 * finite double is an integer over a power of two, and the products are made in BigInt, where they do not round.
 *
 * @module
 */

/** Scratch for reading a double's bits (written and read within one call). */
const bits = new DataView(new ArrayBuffer(8))

/**
 * A finite double as the exact fraction it is: an integer numerator over the least power of two.
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
  if (Number.isInteger(x)) return [BigInt(x), 1n]
  // not an integer, so finite with a negative binary exponent: x = ± mantissa · 2^exponent, read from its bits
  // (constant time: doubling 5e-324 until it is an integer takes 1,074 steps)
  bits.setFloat64(0, x)
  const high = bits.getUint32(0)
  const biased = (high >>> 20) & 0x7ff
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(bits.getUint32(4))
  let shift = biased === 0 ? 1074 : 1075 - biased
  if (biased !== 0) mantissa |= 1n << 52n
  // the least power of two: drop the mantissa's trailing zeros
  while ((mantissa & 1n) === 0n) {
    mantissa >>= 1n
    shift--
  }
  return [high >>> 31 === 1 ? -mantissa : mantissa, 1n << BigInt(shift)]
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
