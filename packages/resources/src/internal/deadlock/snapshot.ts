/**
 * A serializable picture of the wait-for graph for the CLI's inspect view: for each driver what it holds
 * and what it waits for, for each live resource its holders and dependency edges, and the drivers that
 * could never finish, if any.
 *
 * @since 0.1.0
 */
import { findDeadlock } from "./check.ts"
import { type Deadlock, queueKey, viewOfState, type WaitPriority, type WaitState } from "./model.ts"

/**
 * One waiting request of a driver in a snapshot: the waiter id, the queue it waits in (`"bytes:<type>"` or
 * `"name:<name>"`), its priority, and the bytes it asks for (0 for a name).
 *
 * @since 0.1.0
 * @category snapshot
 */
export interface WaitEdge {
  readonly waiter: string
  readonly resource: string
  readonly priority: WaitPriority
  readonly sizeBytes: number
  /** The type of the resource the request asks for (a name waiter's too, once known). */
  readonly type?: string | undefined
}

/**
 * A driver in a snapshot: the resources it holds (ids, sorted) and its waits (in the order given).
 *
 * @since 0.1.0
 * @category snapshot
 */
export interface DriverNode {
  readonly driver: string
  readonly holds: readonly string[]
  readonly waitsFor: readonly WaitEdge[]
}

/**
 * A live resource in a snapshot, with its holders, its dependencies and its live dependents (ids, sorted).
 * `name` is `null` for an unnamed resource so the value survives JSON.
 *
 * @since 0.1.0
 * @category snapshot
 */
export interface ResourceNode {
  readonly id: string
  readonly type: string
  readonly name: string | null
  readonly sizeBytes: number
  readonly holders: readonly string[]
  readonly dependsOn: readonly string[]
  readonly dependents: readonly string[]
}

/**
 * The wait-for graph as plain JSON-safe data: drivers sorted by id, resources in the order given, and
 * `deadlock` (the drivers that could never finish and their queues) or `null`.
 *
 * @since 0.1.0
 * @category snapshot
 */
export interface WaitGraphSnapshot {
  readonly drivers: readonly DriverNode[]
  readonly resources: readonly ResourceNode[]
  readonly deadlock: Deadlock | null
}

const push = <V>(map: Map<string, V[]>, key: string, value: V): void => {
  const values = map.get(key)
  if (values === undefined) map.set(key, [value])
  else values.push(value)
}

/**
 * Builds the snapshot of a wait state. Every driver that holds or waits for something appears once.
 *
 * @example
 * ```ts
 * // A holds name X; B waits for it.
 * const snapshot = waitGraphSnapshot({
 *   budgets: {},
 *   resources: [{ id: "rx", type: "Memory", sizeBytes: 0, name: "X", dependsOn: [], holders: ["A"] }],
 *   waiters: [{ id: "w1", driver: "B", priority: "Normal", kind: "name", name: "X" }]
 * })
 * JSON.stringify(snapshot) // for `flight-hal inspect`
 * // drivers: A holds ["rx"]; B waitsFor [{ waiter: "w1", resource: "name:X", priority: "Normal", sizeBytes: 0 }]
 * // deadlock: null
 * ```
 *
 * @since 0.1.0
 * @category snapshot
 */
export const waitGraphSnapshot = (state: WaitState): WaitGraphSnapshot => {
  const holds = new Map<string, string[]>()
  const waits = new Map<string, WaitEdge[]>()
  const dependents = new Map<string, string[]>()
  for (const resource of state.resources) {
    for (const holder of resource.holders) push(holds, holder, resource.id)
    for (const dependency of resource.dependsOn) push(dependents, dependency, resource.id)
  }
  for (const waiter of state.waiters) {
    push(waits, waiter.driver, {
      waiter: waiter.id,
      resource: queueKey(waiter),
      priority: waiter.priority,
      sizeBytes: waiter.kind === "bytes" ? waiter.sizeBytes : 0,
      ...(waiter.type === undefined ? {} : { type: waiter.type })
    })
  }
  const ids = [...new Set([...holds.keys(), ...waits.keys()])].sort()
  return {
    drivers: ids.map((driver) => ({
      driver,
      holds: [...(holds.get(driver) ?? [])].sort(),
      waitsFor: waits.get(driver) ?? []
    })),
    resources: state.resources.map((resource) => ({
      id: resource.id,
      type: resource.type,
      name: resource.name ?? null,
      sizeBytes: resource.sizeBytes,
      holders: [...resource.holders].sort(),
      dependsOn: [...resource.dependsOn].sort(),
      dependents: [...(dependents.get(resource.id) ?? [])].sort()
    })),
    deadlock: findDeadlock(viewOfState(state)) ?? null
  }
}
