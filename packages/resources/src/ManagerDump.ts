/**
 * A manager's JSON snapshot (a "dump", format `flight-hal/dump`, version 1): its stats per type (with the
 * failures by reason and the leaks), its drivers, its wait-for graph and its pools. `flight-hal inspect`
 * reads it from a file or a URL, and `flight-hal watch` polls it. Plain JSON, made without Effect, from a
 * manager of either front end.
 *
 * @module
 */
import { InvalidArgument, type ResourceBudget, type ResourceTypeName, ResourceTypeNames } from "@flight-hal/core"
import { exactClock } from "./internal/burst-clock.ts"
import { FAILURE_REASONS, type FailureReasonLabel, failureReasonLabels } from "./internal/failure-reasons.ts"
import { introspect, waitGraphOf } from "./internal/introspection.ts"
import { attachedCore } from "./internal/manager-core.ts"
import { poolMaxBlocks } from "./internal/metric-families.ts"
import { show, showThrown } from "./internal/show.ts"
import type { AnyResourceManager } from "./ManagerMetrics.ts"
import type { ResourceStats } from "./ResourceStats.ts"

/**
 * One type's stats in a dump (the manager's `ResourceStats`; `budget` absent when unlimited), with the
 * failures by reason and the leaks reported so far (both absent in dumps of older versions of the library).
 *
 * @since 0.1.0
 * @category dump
 */
export interface DumpedStats extends Omit<ResourceStats, "budget"> {
  /** The budget in force (absent: unlimited, as JSON has no undefined). */
  readonly budget?: ResourceBudget
  /** `failedCount` by reason. */
  readonly failures?: { readonly [R in FailureReasonLabel]?: number }
  /** Resources of this type reported as leaks. */
  readonly leaks?: number
}

/**
 * A driver's stats in a dump.
 *
 * @since 0.1.0
 * @category dump
 */
export interface DumpedDriver {
  /** The driver id. */
  readonly driver: string
  /** Live resources it owns. */
  readonly owned: number
  /** Live resources it shares. */
  readonly shared: number
  /**
   * The sizes of the resources it owns, summed per type (pool-served ones included: their blocks are charged as
   * pool capacity, so this is not a part of the type's usage).
   */
  readonly bytesByType: { readonly [type: string]: number }
  /** Requests waiting. */
  readonly waiting: number
}

/**
 * The wait-for graph in a dump (the manager's wait-graph snapshot).
 *
 * @since 0.1.0
 * @category dump
 */
export interface DumpedWaitGraph {
  /** The drivers. */
  readonly drivers: ReadonlyArray<{
    /** The driver id. */
    readonly driver: string
    /** Ids of the resources it holds. */
    readonly holds: ReadonlyArray<string>
    /** Its waiting requests. */
    readonly waitsFor: ReadonlyArray<{
      /** The waiter's id. */
      readonly waiter: string
      /** The queue waited in (`bytes:<type>` or `name:<name>`). */
      readonly resource: string
      /** The request's priority. */
      readonly priority: string
      /** Bytes (0 for a name wait). */
      readonly sizeBytes: number
    }>
  }>
  /** The live resources. */
  readonly resources: ReadonlyArray<{
    /** The resource's id (its slot). */
    readonly id: string
    /** The resource type. */
    readonly type: string
    /** The name. */
    readonly name: string | null
    /** Its size in bytes (its metadata's `sizeBytes`, a pool-served resource's too). */
    readonly sizeBytes: number
    /**
     * The bytes its type's budget is charged for it, which its release gives back: its size, or 0 when a pool
     * block serves it (the block is pool capacity, charged already). Absent in a dump written before it was, whose
     * `sizeBytes` was this charge.
     */
    readonly chargedBytes?: number
    /** The drivers holding it. */
    readonly holders: ReadonlyArray<string>
    /** Ids of its dependencies. */
    readonly dependsOn: ReadonlyArray<string>
    /** Ids of its live dependents. */
    readonly dependents: ReadonlyArray<string>
  }>
  /** The drivers that could never finish, or null. */
  readonly deadlock: unknown
}

/**
 * A pool in a dump.
 *
 * @since 0.1.0
 * @category dump
 */
export interface DumpedPool {
  /** The name. */
  readonly name: string
  /** The type its capacity is charged to (absent for pools the manager does not own). */
  readonly type?: ResourceTypeName
  /** Bytes per block. */
  readonly blockSize: number
  /** The most blocks the pool may hold. */
  readonly maxCount: number
  /** Blocks the pool holds now (capacity). */
  readonly totalBlocks: number
  /** Blocks in use. */
  readonly usedBlocks: number
  /** The most blocks in use at once. */
  readonly peakUsedBlocks: number
}

/**
 * A dump: what `flight-hal inspect` reads and `flight-hal watch` polls.
 *
 * @since 0.1.0
 * @category dump
 */
export interface ManagerDump {
  /** Always `flight-hal/dump`. */
  readonly format: "flight-hal/dump"
  /** The dump format's version. */
  readonly version: 1
  /** A label for the dump. */
  readonly label: string
  /** When it was taken, by the manager's clock. */
  readonly takenAtMillis: number
  /** The manager's stats snapshot. */
  readonly snapshot: {
    /** Every type's stats. */
    readonly types: ReadonlyArray<DumpedStats>
    /** Live resources. */
    readonly liveResources: number
    /** The drivers. */
    readonly drivers: ReadonlyArray<DumpedDriver>
  }
  /** The wait-for graph. */
  readonly waitGraph: DumpedWaitGraph
  /** The pools. */
  readonly pools: ReadonlyArray<DumpedPool>
}

/**
 * Options of {@link managerDump}.
 *
 * @since 0.1.0
 * @category dump
 */
export interface ManagerDumpOptions {
  /** The dump's label (default: the config's `label`, else `"resource-manager"`). */
  readonly label?: string | undefined
  /** When it is taken (default: the manager's clock now). */
  readonly takenAtMillis?: number | undefined
  /** The pools to list (default: the manager's own pools). */
  readonly pools?: ReadonlyArray<DumpedPool> | undefined
}

/** The pool fields of a dump that are counts (safe integers ≥ 0). */
const poolCounts = [
  "blockSize",
  "maxCount",
  "totalBlocks",
  "usedBlocks",
  "peakUsedBlocks"
] as const satisfies ReadonlyArray<keyof DumpedPool>

/** A caller's pool entry read once into a copy, or why it is bad. */
const readPool = (pool: unknown): DumpedPool | string => {
  if (typeof pool !== "object" || pool === null || Array.isArray(pool)) return `expected an object, got ${show(pool)}`
  const { name, type } = pool as Record<string, unknown>
  if (typeof name !== "string") return `name: expected a string, got ${show(name)}`
  // a manager's pools are of the built-in types (a custom type has no pool), so a dump names one of them; the
  // reader behind `flight-hal inspect` is more lenient (any non-empty name), so whatever is written reads back
  if (type !== undefined && !(ResourceTypeNames as ReadonlyArray<unknown>).includes(type)) {
    return `type: expected a resource type's name, got ${show(type)}`
  }
  const copy: Record<string, unknown> = type === undefined ? { name } : { name, type }
  for (const key of poolCounts) {
    const n = (pool as Record<string, unknown>)[key]
    if (!Number.isSafeInteger(n) || (n as number) < 0) return `${key}: expected a safe integer ≥ 0, got ${show(n)}`
    copy[key] = n
  }
  return copy as unknown as DumpedPool
}

/** {@link ManagerDumpOptions} read once into a checked copy (every field JSON can hold), or InvalidArgument. */
const readDumpOptions = (options: unknown): ManagerDumpOptions | InvalidArgument => {
  if (options === undefined) return {}
  const bad = (argument: string, issue: string) => new InvalidArgument({ argument, issue })
  if (typeof options !== "object" || options === null) {
    return bad("options", `expected an object, got ${show(options)}`)
  }
  try {
    if (Array.isArray(options)) return bad("options", "expected an object, got an array")
    const { label, takenAtMillis, pools } = options as Record<keyof ManagerDumpOptions, unknown>
    if (label !== undefined && typeof label !== "string") {
      return bad("options.label", `expected a string, got ${show(label)}`)
    }
    if (takenAtMillis !== undefined && (typeof takenAtMillis !== "number" || !Number.isFinite(takenAtMillis))) {
      return bad("options.takenAtMillis", `expected a finite number, got ${show(takenAtMillis)}`)
    }
    let copied: Array<DumpedPool> | undefined
    if (pools !== undefined) {
      if (!Array.isArray(pools)) return bad("options.pools", `expected an array, got ${show(pools)}`)
      copied = []
      for (const [i, pool] of Array.from(pools as ReadonlyArray<unknown>).entries()) {
        const read = readPool(pool)
        if (typeof read === "string") return bad(`options.pools[${i}]`, read)
        copied.push(read)
      }
    }
    return {
      ...(label === undefined ? {} : { label }),
      ...(takenAtMillis === undefined ? {} : { takenAtMillis }),
      ...(copied === undefined ? {} : { pools: copied })
    }
  } catch (error) {
    return bad("options", `could not be read (${showThrown(error)})`)
  }
}

/**
 * Takes a dump of a manager of either front end, ready for `JSON.stringify`. It lists every live resource
 * (in the wait-for graph), so its cost grows with them. Throws
 * `InvalidArgument` for anything that is not a manager of this library, and for options that are not
 * {@link ManagerDumpOptions} (`label` a string, `takenAtMillis` a finite number, `pools` an array of
 * {@link DumpedPool}; each read once) or whose reading throws.
 *
 * @example
 * ```ts
 * import { createResourceManager, managerDump } from "@flight-hal/resources"
 *
 * using manager = createResourceManager({ label: "app" })
 * using ref = manager.acquire("level", { type: "Memory", sizeBytes: 4096 })
 * const dump = managerDump(manager)
 * console.log(dump.label, dump.snapshot.liveResources) // app 1
 * ```
 *
 * @since 0.1.0
 * @category dump
 */
export const managerDump = (manager: AnyResourceManager, given?: ManagerDumpOptions): ManagerDump => {
  const attached = attachedCore(manager)
  if (!("core" in attached)) throw attached
  const options = readDumpOptions(given)
  if (options instanceof InvalidArgument) throw options
  const core = attached.core
  const state = core.state
  const snapshot = introspect.snapshot(core)
  const graph = waitGraphOf(core)
  return {
    format: "flight-hal/dump",
    version: 1,
    label: options.label ?? attached.label ?? "resource-manager",
    takenAtMillis: options.takenAtMillis ?? exactClock(state.now)(),
    snapshot: {
      // JSON has no undefined: a type without a budget simply has no `budget` key.
      types: snapshot.types.map(({ budget, ...rest }, t) => {
        const failures: { [R in FailureReasonLabel]?: number } = {}
        failureReasonLabels.forEach((reason, r) => {
          failures[reason] = state.failures[t * FAILURE_REASONS + r] as number
        })
        const stats = { ...rest, failures, leaks: core.metrics.leaks[t] as number }
        return budget === undefined ? stats : { ...stats, budget }
      }),
      liveResources: snapshot.liveResources,
      drivers: snapshot.drivers.map((d) => ({ ...d, bytesByType: { ...d.bytesByType } }))
    },
    waitGraph: JSON.parse(JSON.stringify(graph)) as DumpedWaitGraph,
    pools:
      options.pools ??
      core.pools.pools().map(({ type, pool }) => {
        const stats = pool.stats()
        return {
          name: pool.name,
          type,
          blockSize: stats.blockSize,
          maxCount: poolMaxBlocks(pool),
          totalBlocks: stats.totalBlocks,
          usedBlocks: stats.usedBlocks,
          peakUsedBlocks: stats.peakUsedBlocks
        }
      })
  }
}
