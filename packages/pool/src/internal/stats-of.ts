/**
 * How a pool derives its public stats from the counters it keeps (internal: the pools' own bookkeeping).
 *
 * @since 0.1.0
 */
import type { PoolStats } from "../PoolStats.ts"

/**
 * The counters a pool keeps, from which {@link statsOf} derives a {@link PoolStats} in O(1).
 *
 * @since 0.1.0
 */
export interface PoolCounters {
  /** The pool's name. */
  readonly name: string
  /** Bytes per block. */
  readonly blockSize: number
  /** Blocks the pool currently holds memory for (free and used). */
  readonly totalBlocks: number
  /** Successful allocations since creation. */
  readonly allocations: number
  /** Successful frees since creation. */
  readonly frees: number
  /** The most blocks in use at once, as last recorded (the current use counts too). */
  readonly peakUsedBlocks: number
  /** Allocations that returned no block. */
  readonly failures: number
  /** Frees rejected (out of range, double free, foreign block). */
  readonly invalidFrees: number
  /** Poison violations detected in debug mode. */
  readonly useAfterFree: number
}

/**
 * Derives the full stats from a pool's counters (used = allocations − frees).
 *
 * @since 0.1.0
 */
export const statsOf = (c: PoolCounters): PoolStats => {
  const used = c.allocations - c.frees
  const total = c.totalBlocks
  return {
    name: c.name,
    blockSize: c.blockSize,
    totalBlocks: total,
    usedBlocks: used,
    freeBlocks: total - used,
    usedBytes: used * c.blockSize,
    freeBytes: (total - used) * c.blockSize,
    totalCapacityBytes: total * c.blockSize,
    peakUsedBlocks: Math.max(c.peakUsedBlocks, used),
    allocations: c.allocations,
    frees: c.frees,
    failures: c.failures,
    invalidFrees: c.invalidFrees,
    useAfterFree: c.useAfterFree,
    efficiency: total === 0 ? 0 : used / total
  }
}
