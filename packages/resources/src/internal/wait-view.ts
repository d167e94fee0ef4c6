/**
 * The deadlock module's `WaitView` over the manager's state: budgets with live bytes, live resources by
 * slot id, what each driver holds (its owned list and its shares), and every waiter in queue order.
 *
 * @since 0.1.0
 */
import { ResourcePriorityNames, type ResourceType } from "@flight-hal/core"
import type { Waiter as DeadlockWaiter, ResourceInfo, TypeAccounting, WaitView } from "./deadlock.ts"
import { type ManagerState, POOLED, SlotState, typeIndexOf, typeNameOf, type Waiter } from "./state.ts"

const priorityName = (rank: number) => ResourcePriorityNames[rank] ?? "Normal"

/**
 * The deadlock module's view of a waiter.
 *
 * @since 0.1.0
 */
export const deadlockCandidate = (state: ManagerState, waiter: Waiter): DeadlockWaiter => {
  const driver = state.driverIds[waiter.driver] ?? ""
  const dependsOn = waiter.deps.length === 0 ? undefined : waiter.deps.map(String)
  return waiter.kind === "name"
    ? {
        id: `w${waiter.req}`,
        driver,
        priority: priorityName(waiter.priority),
        kind: "name",
        name: waiter.name,
        dependsOn
      }
    : {
        id: `w${waiter.req}`,
        driver,
        priority: priorityName(waiter.priority),
        kind: "bytes",
        type: typeNameOf(waiter.type),
        sizeBytes: waiter.size,
        dependsOn
      }
}

/** The bytes part of a name waiter, as a bytes waiter of the same driver. */
const bytesOfNameWaiter = (state: ManagerState, waiter: Waiter): DeadlockWaiter => ({
  id: `b${waiter.req}`,
  driver: state.driverIds[waiter.driver] ?? "",
  priority: priorityName(waiter.priority),
  kind: "bytes",
  type: typeNameOf(waiter.type),
  sizeBytes: waiter.size
})

/**
 * A `WaitView` reading the state directly (no copy): a check costs in proportion to the waiters and what
 * their drivers hold. `extra`: a name waiter about to wait whose bytes part must be in the view too.
 *
 * @since 0.1.0
 */
export const waitViewOf = (state: ManagerState, extra?: Waiter): WaitView => ({
  budget: (type: string): TypeAccounting | undefined => {
    const index = typeIndexOf[type as ResourceType]
    const budget = index === undefined ? undefined : state.budgets[index]
    if (index === undefined || budget === undefined) return undefined
    return {
      maxBytes: budget.maxBytes,
      reservedBytes: budget.reservedBytes,
      usage: state.usage[index] as number,
      liveBytes: state.liveBytes[index] as number
    }
  },
  resource: (id: string): ResourceInfo | undefined => {
    const slot = Number(id)
    if (!Number.isInteger(slot) || slot < 0 || slot >= state.highWater) return undefined
    if (state.slotState[slot] === SlotState.Free) return undefined
    const name = state.names.at(slot)
    return {
      type: typeNameOf(state.types[slot] as number),
      sizeBytes: ((state.flags[slot] as number) & POOLED) === 0 ? (state.sizes[slot] as number) : 0,
      name: name === "" ? undefined : name,
      dependsOn: (state.dependencies.get(slot) ?? []).map(String)
    }
  },
  heldBy: (driver: string) => {
    const index = state.driverIndex.get(driver)
    const out: Array<string> = []
    if (index !== undefined) for (const slot of state.heldBy(index)) out.push(String(slot))
    return out
  },
  waiters: () => {
    // A request waiting for a name will then need its bytes (the spec's CanFinish asks for both): each name
    // waiter also appears as a bytes waiter of its type, placed where it would join that queue (after every
    // waiter of its priority or higher). The reduction treats a driver's waiters as needing all grants.
    const pending: Array<Array<Waiter>> = state.queues.map(() => [])
    for (const queue of state.nameQueues.values())
      for (const waiter of queue.entries()) pending[waiter.type]?.push(waiter)
    if (extra !== undefined) pending[extra.type]?.push(extra)
    const out: Array<DeadlockWaiter> = []
    state.queues.forEach((queue, type) => {
      const named = pending[type] ?? []
      if (queue.size === 0 && named.length === 0) return
      const real = queue.entries()
      named.sort((a, b) => b.priority - a.priority || a.req - b.req)
      let at = 0
      for (let rank = 3; rank >= 0; rank--) {
        for (const waiter of real) if (waiter.priority === rank) out.push(deadlockCandidate(state, waiter))
        while (at < named.length && (named[at] as Waiter).priority === rank) {
          out.push(bytesOfNameWaiter(state, named[at] as Waiter))
          at++
        }
      }
    })
    for (const queue of state.nameQueues.values()) {
      for (const waiter of queue.entries()) out.push(deadlockCandidate(state, waiter))
    }
    return out
  }
})
