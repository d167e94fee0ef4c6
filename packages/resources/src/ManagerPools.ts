/**
 * The manager's pools: fixed-block pools per (type, block size) whose capacity, free blocks included, is charged
 * to their type's budget. Acquisitions of a type are served from its pools (pools created at start-up or at run
 * time alike), and the manager's reclamation trims their free blocks.
 *
 * @module
 */
import type {
  DuplicatePool,
  InvalidArgument,
  InvalidPoolConfig,
  PoolExhausted,
  PoolInUse,
  PoolNotFound,
  ResourceType
} from "@flight-hal/core"
import type { ManagedPool, PoolConfig, PoolStats, Result, RoutingStats } from "@flight-hal/pool"

/**
 * The pools of one manager. Errors are the classes of `@flight-hal/core`; bad input is a typed error and
 * changes nothing.
 *
 * @example
 * ```ts
 * import { createResourceManager } from "@flight-hal/resources"
 *
 * const manager = createResourceManager({
 *   budgets: { Memory: { maxBytes: 1 << 20, reservedBytes: 0, warningPercent: 75, criticalPercent: 90 } }
 * })
 * manager.pools.createPool({ type: "Memory", blockSize: 4096, initialCount: 8, maxCount: 64 })
 * const ref = manager.acquire("block", { type: "Memory", sizeBytes: 4000 }) // served by the pool
 * ref.release()
 * manager.close()
 * ```
 *
 * @since 0.1.0
 * @category pools
 */
export interface ManagerPools {
  /** Creates a pool; its initial capacity is admitted like a NonBlocking request and charged to its type. */
  createPool(
    config: PoolConfig
  ): Result<ManagedPool, InvalidPoolConfig | DuplicatePool | PoolExhausted | InvalidArgument>
  /** Destroys a pool and gives its capacity back; refused with `PoolInUse` while any of its blocks is held. */
  destroyPool(type: ResourceType, blockSize: number): Result<void, PoolNotFound | PoolInUse | InvalidArgument>
  /** The pool of (type, block size), if any. */
  getPool(type: ResourceType, blockSize: number): ManagedPool | undefined
  /** The stats of the pool of (type, block size). */
  getPoolStats(type: ResourceType, blockSize: number): Result<PoolStats, PoolNotFound | InvalidArgument>
  /** Trims the free blocks of a type's pools (every type's when omitted); returns the bytes given back. */
  trim(type?: ResourceType): number
  /** Every pool with its type. */
  pools(): ReadonlyArray<{ readonly type: ResourceType; readonly pool: ManagedPool }>
  /** Routing counters. */
  routingStats(): RoutingStats
}
