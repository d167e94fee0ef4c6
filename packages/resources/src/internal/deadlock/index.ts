/**
 * Deadlock detection for the manager's waits: the check the manager runs before a request starts waiting
 * (`checkWait`) and a whole-state check (`findDeadlock`). Both run the multi-unit Work/Finish reduction of
 * `deadlock-reduction.ts`; see there for the model (queue order, reserves, shared holders, deferred release
 * through dependencies, drivers with several waiting fibers).
 *
 * Cost: only waiting drivers take part. Resources that no waiting driver pins are summed up by the
 * manager's per-type `liveBytes`, so a check reads the waiters, what the waiting drivers hold and the
 * dependencies of that, and nothing else: it does not grow with idle drivers or their resources.
 *
 * Pure, synchronous and dependency-free.
 *
 * @since 0.1.0
 */
export { checkShare, checkWait, findDeadlock } from "./check.ts"
export {
  type BytesWaiter,
  type Deadlock,
  type LiveResource,
  type NameWaiter,
  priorityRank,
  queueKey,
  type ResourceInfo,
  type TypeAccounting,
  type TypeBudget,
  viewOfState,
  type Waiter,
  type WaiterBase,
  type WaitPriority,
  type WaitState,
  type WaitView
} from "./model.ts"
export { actorOf, type Reduction, reduce } from "./reduction.ts"
export {
  type DriverNode,
  type ResourceNode,
  type WaitEdge,
  type WaitGraphSnapshot,
  waitGraphSnapshot
} from "./snapshot.ts"
