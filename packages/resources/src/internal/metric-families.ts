/**
 * The manager's metrics, once for both front ends: every metric family (name, help, kind) with its series and
 * how each series reads its value from the core when metrics are collected. The Effect service registers
 * these series with Effect's `Metric` registry; the plain facade formats them as Prometheus text.
 *
 * @since 0.1.0
 */
import type { ManagedPool } from "@flight-hal/pool"
import { FAILURE_REASONS, failureReasonLabels } from "./failure-reasons.ts"
import type { AttachedCore } from "./manager-core.ts"
import type { WaitHistogram } from "./metrics.ts"

/** The Prometheus type of a family. */
export type FamilyKind = "counter" | "gauge" | "histogram"

/** One series: its attributes (labels) and how its value is read now. */
export interface Series<V> {
  readonly attributes: Readonly<Record<string, string>>
  readonly read: () => V
}

/** A metric family: a name, its help text, its kind and its series for one manager. */
export interface Family {
  readonly name: string
  readonly help: string
  readonly kind: FamilyKind
  /** The pool families' series change as pools are created and destroyed. */
  readonly perPool: boolean
  readonly series: (manager: AttachedCore) => ReadonlyArray<Series<number>> | ReadonlyArray<Series<WaitHistogram>>
}

/** The attributes of a series: its own, then `manager` when the config gave a label. */
export const attributesOf = (manager: AttachedCore, own: Record<string, string>): Record<string, string> =>
  manager.label === undefined ? own : { ...own, manager: manager.label }

/** One series per type the manager serves, read by type index. */
const perType =
  (read: (manager: AttachedCore, type: number) => number) =>
  (manager: AttachedCore): ReadonlyArray<Series<number>> =>
    manager.core.state.typeTable.names.map((type, index) => ({
      attributes: attributesOf(manager, { type }),
      read: () => read(manager, index)
    }))

const typeFamily = (
  name: string,
  kind: "counter" | "gauge",
  help: string,
  read: (manager: AttachedCore, type: number) => number
): Family => ({ name, kind, help, perPool: false, series: perType(read) })

/** The most blocks a pool may hold (a shared pool's fixed block count). */
export const poolMaxBlocks = (pool: ManagedPool): number => ("maxCount" in pool ? pool.maxCount : pool.blockCount)

/**
 * One series per pool of the manager: its name, type and block size as attributes (two pools may share a name;
 * a pool is one type and block size, so the three tell every pool apart).
 */
const poolFamily = (
  name: string,
  help: string,
  read: (stats: { readonly usedBlocks: number; readonly totalBlocks: number }, maxCount: number) => number
): Family => ({
  name,
  kind: "gauge",
  help,
  perPool: true,
  series: (manager) =>
    manager.core.pools.pools().map(({ type, pool }) => ({
      attributes: attributesOf(manager, { pool: pool.name, type, block_size: String(pool.blockSize) }),
      read: () => read(pool.stats(), poolMaxBlocks(pool))
    }))
})

/**
 * Every metric family, in the order the Prometheus text lists them. Counters end in `_total`; every series
 * has a `type` attribute (the pool families also `pool` and `block_size`), and `manager` when the config has a
 * `label`.
 */
export const families: ReadonlyArray<Family> = [
  typeFamily(
    "flight_hal_resource_allocations_total",
    "counter",
    "Resources admitted, per type",
    (m, t) => m.core.state.allocationCount[t] as number
  ),
  typeFamily(
    "flight_hal_resource_releases_total",
    "counter",
    "Resources freed, per type",
    (m, t) => m.core.state.releaseCount[t] as number
  ),
  {
    name: "flight_hal_resource_failures_total",
    kind: "counter",
    help: "Failed acquisitions per type and reason (budget_exceeded, resource_busy, deadlock, timeout, budget_lowered)",
    perPool: false,
    series: (manager) =>
      manager.core.state.typeTable.names.flatMap((type, index) =>
        failureReasonLabels.map((reason, r) => ({
          attributes: attributesOf(manager, { type, reason }),
          read: () => manager.core.state.failures[index * FAILURE_REASONS + r] as number
        }))
      )
  },
  typeFamily(
    "flight_hal_resource_emergency_admissions_total",
    "counter",
    "Emergency acquisitions admitted over budget, per type",
    (m, t) => m.core.state.emergencyCount[t] as number
  ),
  typeFamily(
    "flight_hal_resource_leaks_total",
    "counter",
    "Resources reported as leaks (released at close, or found by the garbage collector), per type",
    (m, t) => m.core.metrics.leaks[t] as number
  ),
  typeFamily(
    "flight_hal_resource_usage_bytes",
    "gauge",
    "Bytes charged per type (live resources and pool capacity)",
    (m, t) => m.core.state.usage[t] as number
  ),
  typeFamily(
    "flight_hal_resource_peak_bytes",
    "gauge",
    "Highest usage per type since the manager started",
    (m, t) => m.core.state.peak[t] as number
  ),
  typeFamily(
    "flight_hal_resource_emergency_bytes",
    "gauge",
    "Bytes admitted over budget by Emergency acquisitions and not yet freed, per type",
    (m, t) => m.core.state.emergencyBytes[t] as number
  ),
  typeFamily("flight_hal_resource_waiting", "gauge", "Requests waiting per type", (m, t) =>
    m.core.state.waitingOfType(t)
  ),
  typeFamily(
    "flight_hal_resource_pressure_level",
    "gauge",
    "Pressure level per type: 0 None, 1 Low, 2 Medium, 3 High, 4 Critical",
    (m, t) => m.core.state.pressure[t] as number
  ),
  poolFamily("flight_hal_pool_blocks_in_use", "Blocks of a manager's pool in use", (stats) => stats.usedBlocks),
  poolFamily(
    "flight_hal_pool_capacity_blocks",
    "Blocks a manager's pool holds memory for (charged to its type)",
    (stats) => stats.totalBlocks
  ),
  poolFamily("flight_hal_pool_max_blocks", "The most blocks a manager's pool may hold", (_, max) => max),
  {
    name: "flight_hal_resource_acquire_wait_millis",
    kind: "histogram",
    help: "Time acquisitions waited before admission, in milliseconds, per type",
    perPool: false,
    series: (manager) =>
      manager.core.state.typeTable.names.map((type, index) => ({
        attributes: attributesOf(manager, { type }),
        read: () => manager.core.metrics.waitHistogram(index)
      }))
  }
]
