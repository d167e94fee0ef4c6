/**
 * The manager's pools: a `PoolManager` whose capacity is charged to the budgets, wrapped so that every entry
 * point validates its input, returns `@flight-hal/core` error classes, tells the core which types have pools,
 * and refuses to destroy a pool whose blocks are still held (their bytes would vanish from the budget).
 *
 * @since 0.1.0
 */
import {
  type DuplicatePool,
  type ErrorCategory,
  errorClassFor,
  InvalidArgument,
  type InvalidPoolConfig,
  type PoolExhausted,
  PoolInUse,
  type PoolNotFound,
  type ResourceType,
  ResourceTypeNames
} from "@flight-hal/core"
import { err, ok, type PoolConfig, PoolManager } from "@flight-hal/pool"
import type { ManagerPools } from "../ManagerPools.ts"
import { show } from "./show.ts"
import { TypeTable } from "./type-table.ts"
import { isObjectArgument } from "./validate.ts"

/** The `@flight-hal/core` error of a `@flight-hal/pool` error (same tag, category, code and fields). */
export const toCoreError = <E>(error: { readonly category: string; readonly code: number }): E => {
  const CoreClass = errorClassFor(error.category as ErrorCategory, error.code)
  if (CoreClass === undefined) return error as E
  const fields: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(error)) {
    if (key !== "_tag" && key !== "category" && key !== "code" && key !== "name") fields[key] = value
  }
  const Make = CoreClass as unknown as new (fields: Record<string, unknown>) => E
  try {
    return new Make(fields)
  } catch {
    // a field the pool filled from bad input (a non-string name, say): printed, so the error still names it
    for (const key of Object.keys(fields)) if (typeof fields[key] !== "number") fields[key] = String(fields[key])
    return new Make(fields)
  }
}

const blockSizeIssue = (blockSize: unknown): InvalidArgument | undefined =>
  Number.isSafeInteger(blockSize) && (blockSize as number) > 0
    ? undefined
    : new InvalidArgument({ argument: "blockSize", issue: `expected a positive integer, got ${show(blockSize)}` })

/** The budget hooks the pools call. */
export interface PoolCharges {
  /** Admits `bytes` of new capacity for `type` (charging it) or refuses. */
  admitGrowth(type: number, bytes: number): boolean
  /** Capacity given back. */
  released(type: number, bytes: number): void
}

/**
 * How the manager's own admissions of a type that has pools were served (the core routes and allocates itself,
 * past `PoolManager.allocate`'s counters): by a block, by the heap because the routed pool had none left, or by
 * the heap because no pool takes the size. Counted once per admission.
 */
export class RoutingCounts {
  hits = 0
  misses = 0
  exhaustedFallbacks = 0
}

/**
 * Makes the manager's pools over the budget hooks; `changed` is told the (indexes of the) types that have pools
 * after every pool is created or destroyed. `routingStats` adds the manager's own admissions (`routing`) to the
 * pool manager's `allocate` calls.
 */
export const makeManagerPools = (
  charges: PoolCharges,
  changed: (pooled: ReadonlySet<number>) => void
): { readonly pools: ManagerPools; readonly raw: PoolManager; readonly routing: RoutingCounts } => {
  const routing = new RoutingCounts()
  const raw = new PoolManager({
    admitGrowth: (type, bytes) => charges.admitGrowth(ResourceTypeNames.indexOf(type), bytes),
    onRelease: (type, bytes) => charges.released(ResourceTypeNames.indexOf(type), bytes)
  })
  const refresh = () => changed(new Set(raw.pools().map(({ type }) => ResourceTypeNames.indexOf(type))))
  const checked = (type: unknown, blockSize: unknown): InvalidArgument | undefined => {
    const index = TypeTable.builtin.validate(type)
    return typeof index === "number" ? blockSizeIssue(blockSize) : index
  }
  const pools: ManagerPools = {
    createPool(config: PoolConfig) {
      if (!isObjectArgument(config)) {
        return err(new InvalidArgument({ argument: "config", issue: `expected a pool config, got ${show(config)}` }))
      }
      const made = raw.createPool(config)
      if (!made.ok) return err(toCoreError<InvalidPoolConfig | DuplicatePool | PoolExhausted>(made.error))
      refresh()
      return made
    },
    destroyPool(type, blockSize) {
      const bad = checked(type, blockSize)
      if (bad !== undefined) return err(bad)
      const pool = raw.getPool(type, blockSize)
      const inUse = pool === undefined ? 0 : pool.stats().usedBlocks
      if (pool !== undefined && inUse > 0) return err(new PoolInUse({ resourceType: type, blockSize, inUse }))
      const done = raw.destroyPool(type, blockSize)
      if (!done.ok) return err(toCoreError<PoolNotFound>(done.error))
      refresh()
      return ok(undefined)
    },
    getPool: (type, blockSize) => (checked(type, blockSize) === undefined ? raw.getPool(type, blockSize) : undefined),
    getPoolStats(type, blockSize) {
      const bad = checked(type, blockSize)
      if (bad !== undefined) return err(bad)
      const stats = raw.getPoolStats(type, blockSize)
      return stats.ok ? stats : err(toCoreError<PoolNotFound>(stats.error))
    },
    trim: (type) => (type === undefined || TypeTable.builtin.indexOf(type) >= 0 ? raw.trim(type) : 0),
    pools: () => raw.pools(),
    routingStats: () => {
      const own = raw.routingStats()
      return {
        ...own,
        hits: own.hits + routing.hits,
        misses: own.misses + routing.misses,
        exhaustedFallbacks: own.exhaustedFallbacks + routing.exhaustedFallbacks
      }
    }
  }
  return { pools, raw, routing }
}

/** The name of a pooled type's index (pools serve built-in types only; their indexes come first). */
export const poolTypeName = (index: number): ResourceType => ResourceTypeNames[index] ?? "Custom"
