/**
 * The wait state read by the deadlock-detection reduction: budgets, live resources, their holders and
 * dependencies, and the waiting requests in queue order. Plain data (`WaitState`) for snapshots and tests,
 * and a lookup interface (`WaitView`) that the manager implements over its own indexes so that a check
 * only touches the waiting drivers and what they hold.
 *
 * Pure and dependency-free on purpose: nothing here imports another package.
 *
 * @since 0.1.0
 */

/**
 * A request priority, spelled as in `@flight-hal/core` (the core tables are not imported here).
 *
 * @since 0.1.0
 * @category models
 */
export type WaitPriority = "Low" | "Normal" | "High" | "Critical"

/**
 * The budget of one resource type as the reduction sees it. A type with no budget is unlimited and never
 * makes anyone wait. (The single-thread manager gives every type one: a type without a budget has the usage
 * bound, 2^53 − 1, for its `maxBytes` and no reserve, as its admission does.)
 *
 * - `maxBytes`, `reservedBytes`: the budget; a non-Critical request may use up to `maxBytes - reservedBytes`.
 * - `usage`: every byte currently charged to the type (live resources, pool capacity, emergency overage);
 *   it may exceed `maxBytes` after emergency admissions.
 *
 * @since 0.1.0
 * @category models
 */
export interface TypeBudget {
  readonly maxBytes: number
  readonly reservedBytes: number
  readonly usage: number
}

/**
 * A budget plus the part of `usage` that live resources account for (`liveBytes` = the sum of `sizeBytes`
 * over the live resources of the type). Bytes charged but not owned by a resource (free pool capacity)
 * are never assumed to come back.
 *
 * @since 0.1.0
 * @category models
 */
export interface TypeAccounting extends TypeBudget {
  readonly liveBytes: number
}

/**
 * What the reduction needs to know about one live resource: its type and size (the units it returns to
 * its type when freed), its exclusive name if any, and the live resources it depends on (a resource is not
 * freed before its dependents, so holding a dependent pins its dependencies).
 *
 * @since 0.1.0
 * @category models
 */
export interface ResourceInfo {
  readonly type: string
  readonly sizeBytes: number
  readonly name?: string | undefined
  readonly dependsOn: readonly string[]
}

/**
 * A live resource in the plain wait state: `ResourceInfo` plus its id and its holders (the owner and every
 * sharer still holding it; empty when every holder released it but live dependents defer its release).
 *
 * @since 0.1.0
 * @category models
 */
export interface LiveResource extends ResourceInfo {
  readonly id: string
  readonly holders: readonly string[]
}

/**
 * The fields every waiting request has: a unique id, the driver (owner) that made it, its priority (its
 * place in its queue), and optionally the live resources the requested resource will depend on. A
 * waiting request pins those dependencies: they cannot be freed before the waiter's driver finishes (a
 * grant must never create a dependency on a freed resource).
 *
 * @since 0.1.0
 * @category models
 */
export interface WaiterBase {
  readonly id: string
  readonly driver: string
  readonly priority: WaitPriority
  readonly dependsOn?: readonly string[] | undefined
}

/**
 * A request waiting in its type's queue for `sizeBytes` bytes. It can be granted when
 * `Work[type] >= sizeBytes + (priority === "Critical" ? 0 : reservedBytes)` (that is `usage + size <=
 * limit(priority)`), and a grant takes `sizeBytes` units. A named request waiting in a type queue
 * reserves its `name`: nobody else gets that name before the waiter's driver has finished.
 *
 * @since 0.1.0
 * @category models
 */
export interface BytesWaiter extends WaiterBase {
  readonly kind: "bytes"
  readonly type: string
  readonly sizeBytes: number
  readonly name?: string | undefined
}

/**
 * A request waiting in a name's queue until that (exclusive, one-unit) name is free. It needs the name and
 * then, when `type` is given, `sizeBytes` bytes of that type (the spec's `CanFinish`): the bytes once every
 * waiter of its priority or higher in the type's queue has been granted and they fit. It is not in the
 * type's queue while it waits for its name, so it never holds back the lower-priority waiters there.
 *
 * @since 0.1.0
 * @category models
 */
export interface NameWaiter extends WaiterBase {
  readonly kind: "name"
  readonly name: string
  readonly type?: string | undefined
  readonly sizeBytes?: number | undefined
}

/**
 * A waiting request: for bytes of a type, or for an exclusive name.
 *
 * @since 0.1.0
 * @category models
 */
export type Waiter = BytesWaiter | NameWaiter

/**
 * The whole wait state as plain, serializable data.
 *
 * - `budgets`: budgeted types by name (a type missing here is unlimited; the single-thread manager lists every
 *   type, see {@link TypeBudget}).
 * - `resources`: every live resource.
 * - `waiters`: every waiting request; the waiters of one queue appear in queue order (higher priority
 *   first, FIFO within a priority); waiters of different queues may interleave.
 * - `concurrent`: the drivers that are concurrent owners (see {@link WaitView.concurrent}); every other
 *   driver is sequential. Absent: every driver is sequential.
 *
 * @since 0.1.0
 * @category models
 */
export interface WaitState {
  readonly budgets: Readonly<Record<string, TypeBudget>>
  readonly resources: readonly LiveResource[]
  readonly waiters: readonly Waiter[]
  readonly concurrent?: readonly string[] | undefined
}

/**
 * Read access to the wait state through lookups, so that a check costs in proportion to the waiting
 * drivers and what they hold, not to every live resource. The manager implements it over its own indexes;
 * `viewOfState` builds one from a plain `WaitState`.
 *
 * @example
 * ```ts
 * import { findDeadlock } from "./check.ts"
 *
 * // The manager answers from its own indexes; small maps stand in for them here.
 * const budgets = new Map<string, TypeAccounting>([
 *   ["Memory", { maxBytes: 8, reservedBytes: 0, usage: 8, liveBytes: 8 }]
 * ])
 * const resources = new Map<string, ResourceInfo>([["r1", { type: "Memory", sizeBytes: 8, dependsOn: [] }]])
 * const held = new Map<string, readonly string[]>([["A", ["r1"]]])
 * const queues: readonly Waiter[] = [
 *   { id: "w1", driver: "B", priority: "Normal", kind: "bytes", type: "Memory", sizeBytes: 4 }
 * ]
 * const view: WaitView = {
 *   budget: (type) => budgets.get(type),
 *   resource: (id) => resources.get(id),
 *   heldBy: (driver) => held.get(driver) ?? [],
 *   waiters: () => queues
 * }
 * findDeadlock(view) // undefined: A is not waiting, so its 8 bytes will come back for B
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface WaitView {
  /** The budget and live bytes of a type, or `undefined` when the type is unbudgeted. */
  budget(type: string): TypeAccounting | undefined
  /** A live resource by id, or `undefined` when it is not live. */
  resource(id: string): ResourceInfo | undefined
  /** The ids of the live resources a driver holds (as owner or sharer). */
  heldBy(driver: string): Iterable<string>
  /** Every waiting request, each queue's waiters in queue order. */
  waiters(): Iterable<Waiter>
  /**
   * Whether a driver is a concurrent owner: independent tasks act for it, so what it holds is released by
   * tasks that are not waiting (it counts as free, like a driver that is not waiting), and each of its
   * waiting requests is its own waiter that holds nothing. Absent, or false: the driver is sequential (while
   * one of its requests waits it releases nothing).
   *
   * @since 0.1.0
   */
  concurrent?(driver: string): boolean
}

/**
 * The outcome of a check that found drivers which could never finish.
 *
 * - `drivers`: those drivers, sorted.
 * - `resources`: the queues they are blocked on, sorted: `"bytes:<type>"` or `"name:<name>"`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Deadlock {
  readonly drivers: readonly string[]
  readonly resources: readonly string[]
}

const priorityRanks: Readonly<Record<WaitPriority, number>> = { Low: 0, Normal: 1, High: 2, Critical: 3 }

/**
 * The rank of a priority in queue order (higher is served first).
 *
 * @since 0.1.0
 * @category queue order
 */
export const priorityRank = (priority: WaitPriority): number => priorityRanks[priority]

/**
 * The key of the queue a waiter waits in: `"bytes:<type>"` or `"name:<name>"`. Also the resource names used
 * in a `Deadlock`.
 *
 * @example
 * ```ts
 * queueKey({ id: "w1", driver: "gpu", priority: "Normal", kind: "name", name: "Texture1" }) // "name:Texture1"
 * ```
 *
 * @since 0.1.0
 * @category queue order
 */
export const queueKey = (waiter: Waiter): string =>
  waiter.kind === "bytes" ? `bytes:${waiter.type}` : `name:${waiter.name}`

/**
 * Builds a `WaitView` over a plain `WaitState` (indexes by id, by holder, live bytes per type) in one pass.
 *
 * @example
 * ```ts
 * const budgets = { Memory: { maxBytes: 8, reservedBytes: 0, usage: 8 } }
 * const view = viewOfState({ budgets, resources: [], waiters: [] })
 * view.budget("Memory") // { maxBytes: 8, reservedBytes: 0, usage: 8, liveBytes: 0 }
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const viewOfState = (state: WaitState): WaitView => {
  const byId = new Map<string, LiveResource>()
  const byHolder = new Map<string, string[]>()
  const liveBytes = new Map<string, number>()
  for (const resource of state.resources) {
    byId.set(resource.id, resource)
    liveBytes.set(resource.type, (liveBytes.get(resource.type) ?? 0) + resource.sizeBytes)
    for (const holder of resource.holders) {
      const held = byHolder.get(holder)
      if (held === undefined) byHolder.set(holder, [resource.id])
      else held.push(resource.id)
    }
  }
  const accounting = new Map<string, TypeAccounting>()
  for (const [type, budget] of Object.entries(state.budgets)) {
    accounting.set(type, { ...budget, liveBytes: liveBytes.get(type) ?? 0 })
  }
  const nothing: readonly string[] = []
  const concurrent = new Set(state.concurrent ?? nothing)
  return {
    budget: (type) => accounting.get(type),
    resource: (id) => byId.get(id),
    heldBy: (driver) => byHolder.get(driver) ?? nothing,
    waiters: () => state.waiters,
    concurrent: (driver) => concurrent.has(driver)
  }
}
