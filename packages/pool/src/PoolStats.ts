/**
 * The O(1) statistics snapshot every pool reports.
 *
 * @module
 */

/**
 * A snapshot of one pool's counters, computed in O(1) from counters the pool keeps as it goes.
 *
 * `efficiency` is `usedBytes / totalCapacityBytes` (0 when the pool has no capacity yet).
 * `failures` counts allocations that found no block (exhaustion, or growth refused by the admission hook);
 * `invalidFrees` counts frees rejected as out of range, double or foreign; `useAfterFree` counts poison
 * violations found in debug mode.
 *
 * @example
 * ```ts
 * import { BlockPool } from "@flight-hal/pool"
 *
 * const made = BlockPool.make({ name: "vertices", blockSize: 64, initialCount: 8, maxCount: 64 })
 * if (made.ok) {
 *   const pool = made.value
 *   pool.alloc()
 *   const s = pool.stats()
 *   console.log(s.usedBlocks, s.freeBlocks, s.efficiency) // 1 7 0.125
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface PoolStats {
  /** The pool's name. */
  readonly name: string
  /** Bytes per block (the configured size rounded up to the alignment). */
  readonly blockSize: number
  /** Blocks the pool currently holds memory for (free and used). */
  readonly totalBlocks: number
  /** Blocks handed out and not yet freed. */
  readonly usedBlocks: number
  /** `totalBlocks - usedBlocks`. */
  readonly freeBlocks: number
  /** `usedBlocks * blockSize`. */
  readonly usedBytes: number
  /** `freeBlocks * blockSize`. */
  readonly freeBytes: number
  /** `totalBlocks * blockSize`: the bytes the pool holds, charged to its type's budget. */
  readonly totalCapacityBytes: number
  /** The most blocks ever in use at once. */
  readonly peakUsedBlocks: number
  /** Successful allocations since creation. */
  readonly allocations: number
  /** Successful frees since creation. */
  readonly frees: number
  /** Allocations that returned no block. */
  readonly failures: number
  /** Frees rejected (out of range, double free, foreign block); each left the pool unchanged. */
  readonly invalidFrees: number
  /** Poison violations detected in debug mode. */
  readonly useAfterFree: number
  /** `usedBytes / totalCapacityBytes`, 0 for an empty pool. */
  readonly efficiency: number
}
