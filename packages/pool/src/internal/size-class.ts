/**
 * The size-class table of one resource type: routes an n-byte request to the smallest pool whose blocks fit,
 * in O(1): a log2 bucket gives the first candidate, and only pools of that same bucket are skipped over.
 *
 * @internal
 * @module
 */

/** The ceiling of log2(n) for n ≥ 1 (0 for n ≤ 1); 32 for n > 2^31. */
export const bucketOf = (n: number): number => (n <= 1 ? 0 : n > 2 ** 31 ? 32 : 32 - Math.clz32(n - 1))

/** Pools sorted by block size, with the first pool of every bucket. */
export class SizeClassTable<P extends { readonly blockSize: number; readonly alignment: number }> {
  private entries: Array<P> = []
  /** firstOf[b]: index in `entries` of the first pool whose bucket is ≥ b (entries.length if none). */
  private firstOf: Int32Array = new Int32Array(34)

  /** Rebuilds the table from the type's pools (on create/destroy only). */
  rebuild(pools: Iterable<P>): void {
    this.entries = [...pools].sort((a, b) => a.blockSize - b.blockSize)
    let k = 0
    for (let b = 0; b < this.firstOf.length; b++) {
      while (k < this.entries.length && bucketOf((this.entries[k] as P).blockSize) < b) k++
      this.firstOf[b] = k
    }
  }

  /** The smallest pool whose blocks hold `bytes` and are aligned to `alignment` (a power of two), or undefined. */
  route(bytes: number, alignment = 1): P | undefined {
    const entries = this.entries
    let k = this.firstOf[bucketOf(bytes)] as number
    let pool = entries[k]
    while (pool !== undefined && (pool.blockSize < bytes || pool.alignment < alignment)) pool = entries[++k]
    return pool
  }

  /** The pools, smallest blocks first. */
  get pools(): ReadonlyArray<P> {
    return this.entries
  }
}
