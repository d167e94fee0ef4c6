/**
 * A seeded pseudo-random generator (mulberry32): the same seed gives the same sequence on every
 * runtime, so the demo is reproducible.
 *
 * @internal
 */
export interface Prng {
  /** A float in [0, 1). */
  readonly next: () => number
  /** An integer in [min, max]. */
  readonly int: (min: number, max: number) => number
  /** One element of a non-empty list. */
  readonly pick: <A>(items: readonly [A, ...Array<A>]) => A
}

/** A mulberry32 generator seeded with the low 32 bits of `seed`. */
export const makePrng = (seed: number): Prng => {
  let state = seed >>> 0
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1))
  const pick = <A>(items: readonly [A, ...Array<A>]): A => items[Math.floor(next() * items.length)] ?? items[0]
  return { next, int, pick }
}
