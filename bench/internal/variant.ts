/**
 * What a bench file exports: a list of variants, each either an op timed by mitata (`setup` returns it) or a
 * self-timed measurement (`measure` returns ns per op, e.g. for several workers at once, or ns per op with the
 * floor measured beside it in the same process).
 *
 * @module
 */

/** One benchmark variant: the alloc+free pair of one allocator. */
export interface Variant {
  /** Stable name, used in the output and in `--filter`. */
  readonly name: string
  /** Builds the allocator and returns the op to time (one alloc+free pair; it must consume its result). */
  readonly setup?: () => (() => unknown) | Promise<() => unknown>
  /**
   * Self-timed: returns the median ns per op, or that with the floor's ns per op and the ratio measured in the same
   * process (the row's ratio to the floor is then its own, not the floor row's from another process).
   */
  readonly measure?: () => Promise<number | WithFloor>
  /** Bookkeeping bytes per block of this allocator, when it has a per-block cost to report. */
  readonly bookkeepingBytesPerBlock?: () => number
}

/** A self-timed figure with its own floor, measured beside it in the same process. */
export interface WithFloor {
  /** ns per op. */
  readonly ns: number
  /** The floor's ns per op in the same process. */
  readonly floorNs: number
  /** The ratio to the floor, as the measurement took it (e.g. the median of per-round ratios). */
  readonly ratio: number
}

/** The block size every variant allocates. */
export const BLOCK_SIZE = 4096

/** Blocks in every pool (the pairs below use one at a time; the rest make growth irrelevant). */
export const BLOCK_COUNT = 1024
