/**
 * Introspection of a manager's state: holders, dependents and dependencies of a resource, per-driver
 * stats, the whole-manager snapshot and the plain wait state (for the wait-for graph of the CLI's inspect
 * view). Shared by the Effect service and the plain facade.
 *
 * @since 0.1.0
 */
import type { ResourceHandle, ResourcePriority, ResourceTypeName } from "@flight-hal/core"
import type { DriverStats, ManagerSnapshot } from "../ResourceStats.ts"
import type { Core } from "./core.ts"
import { type LiveResource, type TypeBudget, type Waiter, type WaitState, waitGraphSnapshot } from "./deadlock/index.ts"
import { deadlockCandidate, resourceInfo } from "./deadlock/wait-view.ts"
import { MAX_USAGE } from "./state.ts"

type Engine = Core<unknown>

const holders = (engine: Engine, slot: number): ReadonlyArray<string> =>
  engine.state.holderList(slot).map((driver) => engine.state.driverIds[driver] ?? "")

const dependents = (engine: Engine, slot: number): ReadonlyArray<ResourceHandle> =>
  [...(engine.state.dependents.get(slot) ?? [])].map((s) => engine.handleOf(s))

const dependencies = (engine: Engine, slot: number): ReadonlyArray<ResourceHandle> =>
  (engine.state.dependencies.get(slot) ?? []).map((s) => engine.handleOf(s))

const driverStats = (engine: Engine, driver: string): DriverStats => {
  const state = engine.state
  const index = state.driverIndex.get(driver)
  // summed by type index, then made own keys: a type may be named "toString" or "__proto__" (an object's
  // `bytes[type] ?? 0` read the inherited member, and an assignment to "__proto__" set the prototype)
  const bytes = new Map<number, number>()
  let owned = 0
  let shared = 0
  let waiting = 0
  if (index !== undefined) {
    for (let slot = state.ownedHead[index] ?? -1; slot >= 0; slot = state.nextOwnedOf(slot)) {
      owned++
      const type = state.typeOf(slot)
      bytes.set(type, (bytes.get(type) ?? 0) + state.sizeOf(slot))
    }
    shared = state.sharedBy.get(index)?.size ?? 0
    for (const waiter of state.waiting.values()) if (waiter.driver === index) waiting++
  }
  const bytesByType: Partial<Record<ResourceTypeName, number>> = Object.fromEntries(
    [...bytes].map(([type, sum]) => [state.typeName(type), sum])
  )
  return { driver, owned, shared, bytesByType, waiting }
}

const snapshot = (engine: Engine): ManagerSnapshot => ({
  types: engine.state.typeTable.names.map((_, type) => engine.stats(type)),
  liveResources: engine.state.liveCount,
  drivers: engine.state.knownDriverIds().map((driver) => driverStats(engine, driver)),
  pools: engine.pools.pools().map(({ type, pool }) => ({ ...pool.stats(), type })),
  ...(engine.profile === undefined ? {} : { profile: engine.profile })
})

const waitState = (engine: Engine): WaitState => {
  const state = engine.state
  const budgets: Record<string, TypeBudget> = {}
  state.budgets.forEach((budget, type) => {
    // a type without a budget has the usage bound for its maxBytes and no reserve (`ManagerState.limit`)
    budgets[state.typeName(type)] = {
      maxBytes: budget === undefined ? MAX_USAGE : budget.maxBytes,
      reservedBytes: budget === undefined ? 0 : budget.reservedBytes,
      usage: state.usage[type] as number
    }
  })
  const resources: Array<LiveResource> = []
  for (let slot = 0; slot < state.highWater; slot++) {
    const info = resourceInfo(state, slot)
    if (info !== undefined) resources.push({ id: String(slot), ...info, holders: holders(engine, slot) })
  }
  const waiters: Array<Waiter> = []
  for (const queue of state.queues) for (const waiter of queue.entries()) waiters.push(deadlockCandidate(state, waiter))
  for (const queue of state.nameQueues.values()) {
    for (const waiter of queue.entries()) waiters.push(deadlockCandidate(state, waiter))
  }
  const concurrent = state.driverIds.filter((id, driver) => id !== "" && !state.isSequential(driver))
  return { budgets, resources, waiters, concurrent }
}

/**
 * One waiting request of a driver in the wait-for graph: the waiter's id, the queue it waits in, its priority and
 * the bytes it asks for (0 for a name).
 *
 * @since 0.1.0
 * @category introspection
 */
export interface WaitEdge {
  /** The waiter's id. */
  readonly waiter: string
  /** The queue it waits in: `"bytes:<type>"` or `"name:<name>"`. */
  readonly resource: string
  /** The request's priority. */
  readonly priority: ResourcePriority
  /** The bytes it asks for (0 for a name). */
  readonly sizeBytes: number
  /** The type of the resource the request asks for (a name waiter's too, once known). */
  readonly type?: string | undefined
}

/**
 * A driver in the wait-for graph: the resources it holds and its waiting requests.
 *
 * @since 0.1.0
 * @category introspection
 */
export interface DriverNode {
  /** The driver id. */
  readonly driver: string
  /** The ids of the resources it holds, sorted. */
  readonly holds: ReadonlyArray<string>
  /** Its waiting requests, in the order given. */
  readonly waitsFor: ReadonlyArray<WaitEdge>
}

/**
 * The drivers of the wait-for graph that could never finish, and the queues they are blocked on.
 *
 * @since 0.1.0
 * @category introspection
 */
export interface Deadlock {
  /** Those drivers, sorted. */
  readonly drivers: ReadonlyArray<string>
  /** The queues they are blocked on, sorted: `"bytes:<type>"` or `"name:<name>"`. */
  readonly resources: ReadonlyArray<string>
}

/**
 * A live resource of the wait-for graph: `sizeBytes` is its size (its metadata's, pool-served or not, as in
 * `DriverStats.bytesByType`), `chargedBytes` what its type's budget is charged for it (its size, or 0 when a
 * pool block serves it: the block is pool capacity, charged already), which is what its release gives back.
 *
 * @since 0.1.0
 * @category introspection
 */
export interface WaitGraphResource {
  /** The resource's id (its slot). */
  readonly id: string
  /** Its type. */
  readonly type: string
  /** Its name, `null` when unnamed (so the value survives JSON). */
  readonly name: string | null
  /** Its size in bytes (its metadata's `sizeBytes`, a pool-served resource's too). */
  readonly sizeBytes: number
  /** The drivers holding it, sorted. */
  readonly holders: ReadonlyArray<string>
  /** The ids of its dependencies, sorted. */
  readonly dependsOn: ReadonlyArray<string>
  /** The ids of its live dependents, sorted. */
  readonly dependents: ReadonlyArray<string>
  /** What its type's budget is charged for it: its size, or 0 when a pool block serves it. */
  readonly chargedBytes: number
}

/**
 * The wait-for graph with each resource's size and charged bytes: drivers sorted by id, resources in slot order,
 * and `deadlock` (the drivers that could never finish and their queues) or `null`. Plain JSON-safe data.
 *
 * @since 0.1.0
 * @category introspection
 */
export interface WaitGraph {
  /** Every driver that holds or waits for something, once. */
  readonly drivers: ReadonlyArray<DriverNode>
  /** The live resources, each with its size (`sizeBytes`) and its charged bytes (`chargedBytes`). */
  readonly resources: ReadonlyArray<WaitGraphResource>
  /** The drivers that could never finish and the queues they are blocked on, or `null`. */
  readonly deadlock: Deadlock | null
}

/**
 * The wait-for graph of `waitGraph()` and the dump: each resource with its size and its charged bytes (a function
 * of its own, not in {@link introspect}, so that a bundle that does not use it leaves it out).
 *
 * @since 0.1.0
 * @category introspection
 */
export const waitGraphOf = (engine: Engine): WaitGraph => {
  // the wait state's sizes are the charged bytes, which the deadlock verdict needs (what a release gives back)
  const graph = waitGraphSnapshot(waitState(engine))
  return {
    ...graph,
    resources: graph.resources.map((r) => ({
      ...r,
      sizeBytes: engine.state.sizeOf(Number(r.id)),
      chargedBytes: r.sizeBytes
    }))
  }
}

/**
 * Read-only views of an engine's state.
 *
 * @since 0.1.0
 * @category introspection
 */
export const introspect: {
  /** The drivers holding a live slot. */
  readonly holders: (engine: Engine, slot: number) => ReadonlyArray<string>
  /** The live dependents of a slot. */
  readonly dependents: (engine: Engine, slot: number) => ReadonlyArray<ResourceHandle>
  /** The dependencies of a slot. */
  readonly dependencies: (engine: Engine, slot: number) => ReadonlyArray<ResourceHandle>
  /** What one driver owns, shares and waits for. */
  readonly driverStats: (engine: Engine, driver: string) => DriverStats
  /** The whole-manager snapshot. */
  readonly snapshot: (engine: Engine) => ManagerSnapshot
  /** The plain wait state (budgets, live resources with holders, waiters in queue order). */
  readonly waitState: (engine: Engine) => WaitState
} = { holders, dependents, dependencies, driverStats, snapshot, waitState }
