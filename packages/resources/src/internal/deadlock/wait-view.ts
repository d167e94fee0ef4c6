/**
 * The deadlock module's `WaitView` over the manager's state: budgets with live bytes, live resources by
 * slot id, what each driver holds (its owned list and its shares), and every waiter in queue order.
 *
 * @since 0.1.0
 */
import { ResourcePriorityNames } from "@flight-hal/core"
import { MAX_USAGE, type ManagerState, SlotState, type Waiter } from "../state.ts"
import type { Waiter as DeadlockWaiter, ResourceInfo, TypeAccounting, WaitView } from "./index.ts"

const priorityName = (rank: number) => ResourcePriorityNames[rank] ?? "Normal"

/**
 * The deadlock module's view of a waiter: a name waiter needs its name and then its bytes; a type-queue
 * waiter with a name reserves that name. Built once per waiter and kind (a name waiter that moves to its
 * type queue becomes a bytes waiter), and kept on the waiter: every check reads every waiter.
 *
 * @since 0.1.0
 */
export const deadlockCandidate = (state: ManagerState, waiter: Waiter): DeadlockWaiter => {
  const cached = waiter.candidate
  if (cached !== undefined && cached.kind === waiter.kind) return cached
  const candidate = buildCandidate(state, waiter)
  waiter.candidate = candidate
  return candidate
}

const buildCandidate = (state: ManagerState, waiter: Waiter): DeadlockWaiter => {
  const driver = state.driverIds[waiter.driver] ?? ""
  const dependsOn = waiter.deps.length === 0 ? undefined : waiter.deps.map(String)
  const id = `w${waiter.req}`
  const priority = priorityName(waiter.priority)
  const type = state.typeName(waiter.type)
  const name = waiter.name === "" ? undefined : waiter.name
  return waiter.kind === "name"
    ? { id, driver, priority, dependsOn, kind: "name", name: waiter.name, type, sizeBytes: waiter.size }
    : { id, driver, priority, dependsOn, kind: "bytes", type, sizeBytes: waiter.size, name }
}

/**
 * The deadlock module's view of a live (or deferred) slot: its type, the bytes it gives back when freed (0 for
 * a pool block: its bytes stay charged to the pool's capacity), its name and its dependencies. The one
 * mapping of a slot, used by the check and by the wait-graph snapshot alike.
 *
 * @since 0.1.0
 */
export const resourceInfo = (state: ManagerState, slot: number): ResourceInfo | undefined => {
  if (state.stateOf(slot) === SlotState.Free) return undefined
  const name = state.names.at(slot)
  return {
    type: state.typeName(state.typeOf(slot)),
    sizeBytes: state.chargedSize(slot),
    name: name === "" ? undefined : name,
    dependsOn: (state.dependencies.get(slot) ?? []).map(String)
  }
}

/**
 * A `WaitView` reading the state directly (no copy): a check costs in proportion to the waiters and what
 * their drivers hold.
 *
 * @since 0.1.0
 */
export const waitViewOf = (state: ManagerState): WaitView => ({
  budget: (type: string): TypeAccounting | undefined => {
    const index = state.typeTable.indexOf(type)
    if (index < 0) return undefined
    // a type without a budget has the usage bound for its maxBytes and no reserve (`ManagerState.limit`)
    const budget = state.budgets[index]
    return {
      maxBytes: budget === undefined ? MAX_USAGE : budget.maxBytes,
      reservedBytes: budget === undefined ? 0 : budget.reservedBytes,
      usage: state.usage[index] as number,
      liveBytes: state.liveBytes[index] as number
    }
  },
  resource: (id: string): ResourceInfo | undefined => {
    const slot = Number(id)
    if (!Number.isInteger(slot) || slot < 0 || slot >= state.highWater) return undefined
    return resourceInfo(state, slot)
  },
  heldBy: (driver: string) => {
    const index = state.driverIndex.get(driver)
    const out: Array<string> = []
    if (index !== undefined) for (const slot of state.heldBy(index)) out.push(String(slot))
    return out
  },
  concurrent: (driver: string): boolean => {
    const index = state.driverIndex.get(driver)
    return index === undefined || !state.isSequential(index)
  },
  waiters: function* () {
    for (const queue of state.queues) {
      if (queue.size > 0) for (const waiter of queue.entries()) yield deadlockCandidate(state, waiter)
    }
    for (const queue of state.nameQueues.values()) {
      for (const waiter of queue.entries()) yield deadlockCandidate(state, waiter)
    }
  }
})
