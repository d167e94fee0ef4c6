/**
 * The checks the manager runs: `checkWait` before a request starts waiting, and `findDeadlock` over a
 * whole wait state. Both run the reduction of `deadlock-reduction.ts`.
 *
 * @since 0.1.0
 */
import type { Deadlock, Waiter, WaitView } from "./model.ts"
import { actorOf, type Reduction, reduce } from "./reduction.ts"

/** The deadlock of some stuck actors: their drivers (a concurrent owner once) and their queues. */
const describe = (reduction: Reduction, actors: readonly string[]): Deadlock => {
  const resources = new Set<string>()
  const drivers = new Set<string>()
  for (const actor of actors) {
    drivers.add(reduction.owner.get(actor) ?? actor)
    for (const key of reduction.stuck.get(actor) ?? []) resources.add(key)
  }
  return { drivers: [...drivers].sort(), resources: [...resources].sort() }
}

/**
 * Decides whether `candidate` may start waiting. Runs the reduction with the candidate added to its
 * queue (after the waiters of the same or a higher priority). A driver with several waiting fibers
 * finishes only once all its waiters can be granted, one after another, keeping what each grant took.
 *
 * Returns `undefined` when it is safe to wait, or the deadlock it would cause: refused when the
 * candidate's own driver could then never finish, or when a driver that could finish without the
 * candidate no longer can. `drivers` names those drivers and `resources` the queues they would be stuck
 * on. A deadlock that already exists without the candidate, and that the candidate neither joins nor
 * extends, does not refuse it. A concurrent owner's waiter is its own actor: it is refused only when it
 * could never be granted even if every concurrent owner released everything it holds. Grants and releases keep the state free of deadlocks; only an Emergency
 * admission, or a share or an added dependency by a driver that is waiting, can create one without a
 * wait (check those with `findDeadlock`).
 *
 * @example
 * ```ts
 * import { viewOfState } from "./model.ts"
 *
 * // A holds name X and waits for Y; B holds Y and asks for X.
 * const view = viewOfState({
 *   budgets: {},
 *   resources: [
 *     { id: "rx", type: "Memory", sizeBytes: 0, name: "X", dependsOn: [], holders: ["A"] },
 *     { id: "ry", type: "Memory", sizeBytes: 0, name: "Y", dependsOn: [], holders: ["B"] }
 *   ],
 *   waiters: [{ id: "w1", driver: "A", priority: "Normal", kind: "name", name: "Y" }]
 * })
 * checkWait(view, { id: "w2", driver: "B", priority: "Normal", kind: "name", name: "X" })
 * // { drivers: ["A", "B"], resources: ["name:X", "name:Y"] }
 * checkWait(view, { id: "w3", driver: "C", priority: "Normal", kind: "name", name: "X" }) // undefined: safe
 * ```
 *
 * @since 0.1.0
 * @category deadlock
 */
export const checkWait = (view: WaitView, candidate: Waiter): Deadlock | undefined => {
  const withCandidate = reduce(view, candidate)
  if (withCandidate.stuck.size === 0) return undefined
  const without = reduce(view, undefined).stuck
  const own = actorOf(view, candidate)
  const named = [...withCandidate.stuck.keys()].filter((actor) => actor === own || !without.has(actor))
  return named.length === 0 ? undefined : describe(withCandidate, named)
}

/**
 * Decides whether `driver` may become a holder of the live resource `resource` (a share). A share to a
 * sequential driver that is waiting keeps the resource's bytes and name from coming back until that driver
 * finishes: the reduction runs with the share added, and the share is refused when it leaves an actor
 * unable to finish that could finish without it. Returns `undefined` when the share is safe, or the
 * deadlock it would create. A share to a concurrent owner, or to a driver that is not waiting, never
 * creates one.
 *
 * @example
 * ```ts
 * import { viewOfState } from "./model.ts"
 *
 * // O holds R (900 of 1000 bytes); D waits for 500. If D shares R, R comes back only when D finishes.
 * const view = viewOfState({
 *   budgets: { Memory: { maxBytes: 1000, reservedBytes: 0, usage: 900 } },
 *   resources: [{ id: "R", type: "Memory", sizeBytes: 900, dependsOn: [], holders: ["O"] }],
 *   waiters: [{ id: "w1", driver: "D", priority: "Normal", kind: "bytes", type: "Memory", sizeBytes: 500 }]
 * })
 * checkShare(view, "D", "R") // { drivers: ["D"], resources: ["bytes:Memory"] }
 * checkShare(view, "E", "R") // undefined: E is not waiting
 * ```
 *
 * @since 0.1.0
 * @category deadlock
 */
export const checkShare = (view: WaitView, driver: string, resource: string): Deadlock | undefined => {
  const shared: WaitView = {
    budget: (type) => view.budget(type),
    resource: (id) => view.resource(id),
    heldBy: (holder) => (holder === driver ? [...view.heldBy(holder), resource] : view.heldBy(holder)),
    waiters: () => view.waiters(),
    concurrent: (holder) => view.concurrent?.(holder) === true
  }
  const after = reduce(shared, undefined)
  if (after.stuck.size === 0) return undefined
  const before = reduce(view, undefined).stuck
  const named = [...after.stuck.keys()].filter((actor) => !before.has(actor))
  return named.length === 0 ? undefined : describe(after, named)
}

/**
 * Runs the reduction over the whole wait state as it is and names every driver that could never finish
 * (for inspection and tests), or `undefined` when every driver can finish.
 *
 * @example
 * ```ts
 * import { viewOfState } from "./model.ts"
 *
 * // A holds name X and waits for Y; B holds Y and waits for X (say, after an Emergency admission).
 * const view = viewOfState({
 *   budgets: {},
 *   resources: [
 *     { id: "rx", type: "Memory", sizeBytes: 0, name: "X", dependsOn: [], holders: ["A"] },
 *     { id: "ry", type: "Memory", sizeBytes: 0, name: "Y", dependsOn: [], holders: ["B"] }
 *   ],
 *   waiters: [
 *     { id: "w1", driver: "A", priority: "Normal", kind: "name", name: "Y" },
 *     { id: "w2", driver: "B", priority: "Normal", kind: "name", name: "X" }
 *   ]
 * })
 * findDeadlock(view) // { drivers: ["A", "B"], resources: ["name:X", "name:Y"] }
 * findDeadlock(viewOfState({ budgets: {}, resources: [], waiters: [] })) // undefined
 * ```
 *
 * @since 0.1.0
 * @category deadlock
 */
export const findDeadlock = (view: WaitView): Deadlock | undefined => {
  const reduction = reduce(view, undefined)
  return reduction.stuck.size === 0 ? undefined : describe(reduction, [...reduction.stuck.keys()])
}
