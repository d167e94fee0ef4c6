/**
 * Positions on a ring (an open-addressing table probed forward, wrapping at its end).
 *
 * @internal
 * @module
 */

/**
 * Whether `x` lies in `(low, high]` going forward from `low` around the ring. A backward-shift deletion keeps an
 * entry at `high` where it is when its home `x` lies there (moving it into the hole at `low` would put it before
 * its home, out of reach of lookups); every other entry of the run moves into the hole.
 *
 * @example
 * ```ts
 * inRingInterval(14, 15, 1) // true: 15 follows 14, and 1 is reached after wrapping
 * inRingInterval(14, 3, 1) // false
 * ```
 */
export const inRingInterval = (low: number, x: number, high: number): boolean =>
  low < high ? low < x && x <= high : low < x || x <= high
