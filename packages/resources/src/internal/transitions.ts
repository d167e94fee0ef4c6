/**
 * The transitions of the manager's state machine, one exported function per action of the TLA+ spec
 * (`spec/ResourceManager.tla`, vocabulary in the transitions brief): acquire, acquireEmergency, reject,
 * enqueue, refuseDeadlock, grant, timeout, interrupt, release, share, reclaim. `submit` decides which of
 * the request transitions applies. Plain synchronous code: every function leaves the state consistent
 * and returns either a result or a typed error value (never throws on bad input).
 *
 * @since 0.1.0
 */
import {
  AlreadyShared,
  BudgetExceeded,
  DeadlockDetected,
  DependencyCycle,
  DependencyNotLive,
  type ManagerClosed,
  AcquisitionMode as Mode,
  NotHolder,
  NotShareable,
  ResourceBusy,
  ResourceFlag,
  type ResourceMetadata,
  ResourceNotFound
} from "@flight-hal/core"
import { exactClock } from "./burst-clock.ts"
import { checkShare, type Waiter as DeadlockWaiter } from "./deadlock/index.ts"
import { checkManagerWait } from "./deadlock/manager-check.ts"
import { waitViewOf } from "./deadlock/wait-view.ts"
import { FailureReason } from "./failure-reasons.ts"
import type { Request } from "./request.ts"
import { MAX_USAGE, type ManagerState, POOLED, SlotState, type Waiter, type WaiterSettle } from "./state.ts"
import { WaitQueue } from "./wait-queue.ts"

const Shareable = ResourceFlag.Shareable
const Reclaimable = ResourceFlag.Reclaimable

/**
 * A request that could not be admitted and now waits. It records how its wait ended (a granted slot or an
 * error) the moment the state machine settles it, so a front end that starts listening later (an Effect
 * callback registered after a yield) never misses the outcome.
 *
 * @since 0.1.0
 */
export class WaitingRequest implements Waiter, WaiterSettle {
  kind: "bytes" | "name"
  queued = false
  nonBare = false
  candidate: DeadlockWaiter | undefined = undefined
  /** The slot it was granted (-1: none, or given back). */
  grantedSlot = -1
  /**
   * Granted after its own side had ended the wait (a signal aborted by a `destroy` hook that ran between the
   * grant and the wake): nobody takes the slot, so the manager gives it back (`Core.settle`).
   */
  untaken = false
  /** Why it failed, when it did. */
  failure: unknown = undefined
  /** Whether its wait ended (granted, failed, timed out or abandoned). */
  ended = false
  /**
   * When it started waiting, by the manager's exact clock (`exactClock`: the facade's burst clock may have been
   * read long before, in the same synchronous burst), set as it is enqueued. Its `waitedMillis` and the wait
   * histogram count from it.
   */
  enqueuedAt = 0
  private listener: (() => void) | undefined = undefined
  constructor(
    readonly req: number,
    readonly type: number,
    readonly size: number,
    readonly priority: number,
    readonly driver: number,
    readonly name: string,
    readonly flags: number,
    readonly deps: ReadonlyArray<number>,
    readonly mode: number,
    kind: "bytes" | "name",
    /** The request it waits for. */
    readonly request: Request
  ) {
    this.kind = kind
  }

  get settle(): WaiterSettle {
    return this
  }

  get metadata(): ResourceMetadata | undefined {
    return this.request.metadata
  }

  granted(slot: number, generation: number): void {
    this.grantedSlot = slot
    // the slot may be freed and reused before the waiter takes it (Request.generation)
    this.request.generation = generation
    if (this.ended) this.untaken = true
    this.finish()
  }

  failed(error: unknown): void {
    this.failure = error
    this.finish()
  }

  /** Marks the wait as ended by its own side (timeout, abandon): no outcome is delivered. */
  end(): void {
    this.ended = true
    this.listener = undefined
  }

  /** Calls `listener` once the wait ends (at once if it already has). */
  onEnd(listener: () => void): void {
    if (this.ended) listener()
    else this.listener = listener
  }

  private finish(): void {
    this.ended = true
    const listener = this.listener
    this.listener = undefined
    if (listener !== undefined) listener()
  }
}

/**
 * Returned by {@link submit} when the request does not fit and reclamation has not run yet: the caller
 * runs the type's reclamation (pool trims, then callbacks, told `missing` bytes) and submits again with
 * `reclaimed = true`.
 *
 * @since 0.1.0
 */
export class NeedsReclaim {
  constructor(readonly missing: number) {}
}

/**
 * The errors a submitted request can end with at once.
 *
 * @since 0.1.0
 */
export type SubmitFailure = BudgetExceeded | ResourceBusy | DeadlockDetected

/**
 * What {@link submit} decided: a slot (admitted), a waiting request, a reclamation request, or an error.
 *
 * @since 0.1.0
 */
export type SubmitResult = number | WaitingRequest | NeedsReclaim | SubmitFailure

/**
 * Decides a request: admits it (`acquire` / `acquireEmergency`), fails it (`reject` / `refuseDeadlock`),
 * makes it wait (`enqueue`), or asks the caller for reclamation first.
 *
 * @since 0.1.0
 */
export const submit = (state: ManagerState, request: Request, reclaimed: boolean): SubmitResult => {
  const { type, size, priority, mode } = request
  const limit = state.limit(type, priority)
  if (mode !== Mode.Emergency && size > limit) {
    return reject(state, request, budgetExceeded(state, type, size, limit))
  }
  if (request.name !== "" && state.nameTaken(request.name)) {
    if (mode === Mode.NonBlocking || mode === Mode.Emergency) {
      return reject(state, request, new ResourceBusy({ resource: request.name }))
    }
    return waitOrRefuse(state, request, "name")
  }
  if (request.pooled === true) return acquire(state, request)
  const usage = state.usage[type] as number
  const fits = usage + size <= limit
  if (fits && (mode === Mode.Emergency || state.queues[type]?.atOrAbove(priority) === 0)) {
    return acquire(state, request)
  }
  if (mode === Mode.Emergency) {
    // the usage bound: past 2^53 − 1 a double no longer counts bytes exactly (every other admission fits limit(p))
    if (usage + size > MAX_USAGE) return reject(state, request, budgetExceeded(state, type, size, MAX_USAGE))
    return acquireEmergency(state, request)
  }
  if (!fits && !reclaimed) return new NeedsReclaim(usage + size - limit)
  if (mode === Mode.NonBlocking) {
    // it fits: refused by the no-barging rule, and the error names the waiters ahead of it
    const ahead = fits ? (state.queues[type]?.atOrAbove(priority) ?? 0) : 0
    return reject(state, request, budgetExceeded(state, type, size, limit, ahead))
  }
  return waitOrRefuse(state, request, "bytes")
}

/** The BudgetExceeded of a request of `size` bytes under `limit`; `waitersAhead` (> 0) when it fits but would barge. */
const budgetExceeded = (
  state: ManagerState,
  type: number,
  size: number,
  limit: number,
  waitersAhead = 0
): BudgetExceeded => {
  const resourceType = state.typeName(type)
  const available = Math.max(0, limit - (state.usage[type] as number))
  return new BudgetExceeded(
    waitersAhead > 0
      ? { resourceType, requested: size, available, limit, waitersAhead }
      : { resourceType, requested: size, available, limit }
  )
}

const waitOrRefuse = (
  state: ManagerState,
  request: Request,
  kind: "bytes" | "name"
): WaitingRequest | DeadlockDetected => {
  const waiter = new WaitingRequest(
    state.nextRequest,
    request.type,
    request.size,
    request.priority,
    request.driver,
    request.name,
    request.flags,
    request.deps,
    request.mode,
    kind,
    request
  )
  const deadlock = canSkipCheck(state, request, kind) ? undefined : wouldDeadlock(state, waiter)
  if (deadlock !== undefined) {
    return refuseDeadlock(
      state,
      request,
      new DeadlockDetected({ drivers: deadlock.drivers, resources: deadlock.resources })
    )
  }
  state.nextRequest++
  waiter.enqueuedAt = exactClock(state.now)()
  enqueue(state, waiter)
  return waiter
}

/**
 * Whether the reduction would certainly let this wait in, so it can be skipped (keeping such waits O(1)).
 * The request's driver holds nothing, waits for nothing else and pins no dependency; no driver is stuck
 * already (`deadlockFree`); the request joins its queue behind every waiter (none of a lower priority is
 * waiting there) and, waiting for bytes, no name waiter waits (a name waiter's bytes wait for the type
 * queue's waiters of its priority or higher), so it holds nobody back; and its bytes fit once every live
 * resource is freed (free pool capacity never comes back). Then every other driver finishes without it, and after that its name is free
 * and its bytes fit. A request that would be queued ahead of a waiter is checked: that waiter's driver may
 * hold the bytes it needs (spec/traces/bad-priority-insert-deadlock-L5.ndjson). A name request is checked
 * while a sequential driver has several waiters: their name waiters' bytes are served in one order (priority,
 * then arrival), and the new request's bytes could come before one of theirs (test/deadlock-cache.test.ts).
 */
const canSkipCheck = (state: ManagerState, request: Request, kind: "bytes" | "name"): boolean => {
  if (!state.deadlockFree || request.deps.length > 0) return false
  // a concurrent owner's waiter is its own actor, holding nothing: like an idle driver
  if (state.isSequential(request.driver) && !state.idle(request.driver)) return false
  const { type, priority } = request
  if (kind === "bytes" && state.nameQueues.size > 0 && !bareNameWaiters(state)) return false
  // with a driver that has several waiters, name waiters' bytes are served in one order (priority, then
  // arrival): a new name waiter's bytes would come before a lower-priority waiter's of that driver
  if (kind === "name" && state.multiWaiting > 0) return false
  const queue = kind === "name" ? state.nameQueues.get(request.name) : state.queues[type]
  if (queue !== undefined && queue.size !== queue.atOrAbove(priority)) return false
  const unowned = (state.usage[type] as number) - (state.liveBytes[type] as number)
  return unowned + request.size <= state.limit(type, priority)
}

/**
 * Whether every name waiter is an actor that holds nothing and pins nothing: a concurrent owner's waiter, or
 * the only waiter of a sequential driver that holds nothing, with no dependencies. Then a bytes waiter that
 * queues behind a name waiter's bytes can hold back only such actors (and, through the names they would
 * get, other name waiters): none of them holds bytes the candidate needs, so the shortcut stays exact.
 * O(1): counted as waiters start and end (a driver that acquires or is shared something while it waits
 * taints the state, which turns every shortcut off).
 */
const bareNameWaiters = (state: ManagerState): boolean => state.nonBareNameWaiters === 0 && state.multiWaiting === 0

/**
 * The deadlock check of a request about to wait, or of a name waiter about to move (the spec's
 * `RefuseDeadlock` guard): `checkWait`'s verdict, reached over the manager's own arrays, with the plentiful
 * case's shortcut (deadlock/manager-check.ts).
 */
const wouldDeadlock = (state: ManagerState, waiter: Waiter) => checkManagerWait(state, waiter)

/** Fills a fresh slot for an admitted request and charges its bytes. */
const admit = (state: ManagerState, request: Request, depsPinned: boolean): number => {
  const slot = fillSlot(
    state,
    request.type,
    request.size,
    request.driver,
    request.flags,
    request.pooled === true,
    request.metadata,
    request.name
  )
  const deps = request.deps
  if (deps.length > 0) {
    state.dependencies.set(slot, deps)
    for (const dep of deps) {
      if (!depsPinned) state.addDependents(dep, 1)
      let set = state.dependents.get(dep)
      if (set === undefined) {
        set = new Set()
        state.dependents.set(dep, set)
      }
      set.add(slot)
    }
  }
  return slot
}

/**
 * What every admission writes (`admit`, and `Core.admitAtOnce` for the common case): a fresh slot, live, held by
 * `driver`, its name taken, its bytes charged (none for a pool block: the pool's capacity is charged).
 *
 * @since 0.1.0
 */
export const fillSlot = (
  state: ManagerState,
  type: number,
  size: number,
  driver: number,
  flags: number,
  pooled: boolean,
  metadata: ResourceMetadata | undefined,
  name: string
): number => {
  // in small pieces: a `fillSlot` this small is inlined into `Core.admitAtOnce` by the JIT, a call fewer per
  // acquisition (docs/manager.md, "A smaller fillSlot")
  const slot = takeLiveSlot(state, type, pooled ? flags | POOLED : flags, driver, metadata)
  nameSlot(state, slot, name)
  countAdmission(state, type, pooled ? 0 : size, driver)
  return slot
}

/** A free slot made live: of `type` with `flags`, owned by `owner` (first in its list), acquired now, next in sequence. */
const takeLiveSlot = (
  state: ManagerState,
  type: number,
  flags: number,
  owner: number,
  metadata: ResourceMetadata | undefined
): number => {
  const slot = state.takeSlot()
  state.occupy(slot, type, flags, owner, state.now() - state.epoch, state.nextSequence)
  state.metadata[slot] = metadata
  state.nextSequence = (state.nextSequence + 1) >>> 0
  state.linkOwned(slot, owner)
  return slot
}

/** A newly live slot takes its name (none for `""`). */
const nameSlot = (state: ManagerState, slot: number, name: string): void => {
  if (name !== "") {
    // a free slot's name is "" already (`putSlot` clears it)
    state.names.set(slot, name)
    state.liveNames.add(name, slot)
  }
}

/**
 * Counts an admission of `type` to `driver` and charges its bytes (`charged`: none for a pool block). A sequential
 * driver with a request waiting may be stuck by it; a concurrent owner's holdings count as free in the reduction:
 * admitting to it changes nothing there.
 */
const countAdmission = (state: ManagerState, type: number, charged: number, driver: number): void => {
  if ((state.waitingCount[driver] ?? 0) > 0 && state.isSequential(driver)) state.taint()
  state.liveCount++
  state.liveBytes[type] = (state.liveBytes[type] as number) + charged
  state.allocationCount[type] = (state.allocationCount[type] as number) + 1
  state.charge(type, charged)
}

/**
 * Acquire: a request that fits limit(p), with no waiter of its priority or higher ahead (an Emergency
 * request that fits skips that check) and a free name, is admitted; its driver is the first holder.
 *
 * @since 0.1.0
 */
export const acquire = (state: ManagerState, request: Request): number => {
  const req = state.nextRequest++
  const slot = admit(state, request, false)
  if (state.trace !== undefined) state.trace.admitted("Acquire", req, request, slot)
  return slot
}

/**
 * AcquireEmergency: an Emergency request that does not fit is admitted over budget (as long as usage stays within
 * the usage bound, `MAX_USAGE`: `submit` rejects it otherwise); its overage `min(size, usage + size − limit(p))` is
 * added to the type's emergency bytes until it is freed.
 *
 * @since 0.1.0
 */
export const acquireEmergency = (state: ManagerState, request: Request): number => {
  const req = state.nextRequest++
  const { type, size } = request
  const overage = Math.min(size, (state.usage[type] as number) + size - state.limit(type, request.priority))
  // counted before the charge: the pressure event the charge raises carries the step's stats, this admission's
  // overage included (docs/semantics.md, section 8)
  state.emergencyBytes[type] = (state.emergencyBytes[type] as number) + overage
  state.emergencyCount[type] = (state.emergencyCount[type] as number) + 1
  const slot = admit(state, request, false)
  state.overage.set(slot, overage)
  if (state.trace !== undefined) state.trace.admitted("AcquireEmergency", req, request, slot)
  return slot
}

/**
 * Reject: the request fails at once (BudgetExceeded or ResourceBusy); only the failure counter changes.
 *
 * @since 0.1.0
 */
export const reject = <E extends BudgetExceeded | ResourceBusy>(state: ManagerState, request: Request, error: E): E => {
  const req = state.nextRequest++
  state.countFailure(request.type, error._tag === "ResourceBusy" ? FailureReason.ResourceBusy : FailureReason.Rejected)
  if (state.trace !== undefined) state.trace.failed("Reject", req, request, error._tag)
  return error
}

/**
 * RefuseDeadlock: the request would wait, but the reduction with it added leaves a driver that could never
 * finish; it fails with DeadlockDetected and only the failure counter changes.
 *
 * @since 0.1.0
 */
export const refuseDeadlock = (state: ManagerState, request: Request, error: DeadlockDetected): DeadlockDetected => {
  const req = state.nextRequest++
  state.countFailure(request.type, FailureReason.Deadlock)
  if (state.trace !== undefined) state.trace.failed("RefuseDeadlock", req, request, error._tag)
  return error
}

const nameQueue = (state: ManagerState, name: string): WaitQueue<Waiter> => {
  let queue = state.nameQueues.get(name)
  if (queue === undefined) {
    queue = new WaitQueue<Waiter>()
    state.nameQueues.set(name, queue)
  }
  return queue
}

/**
 * Enqueue: a Blocking/Timeout request starts waiting, in its type's queue (for bytes; it reserves its name)
 * or in its name's queue. A waiter pins its dependencies like a live dependent.
 *
 * @since 0.1.0
 */
export const enqueue = (state: ManagerState, waiter: WaitingRequest): void => {
  state.waiting.set(waiter.req, waiter)
  state.waitsStarted++
  state.countWait(waiter.driver, 1)
  for (const dep of waiter.deps) state.addDependents(dep, 1)
  if (waiter.kind === "name") {
    if (waiter.deps.length > 0 || (state.isSequential(waiter.driver) && !heldNothing(state, waiter.driver))) {
      waiter.nonBare = true
      state.nonBareNameWaiters++
    }
    nameQueue(state, waiter.name).push(waiter)
  } else {
    if (waiter.name !== "") state.reservedNames.set(waiter.name, waiter)
    state.queues[waiter.type]?.push(waiter)
  }
  if (state.trace !== undefined) state.trace.enqueued(waiter, true)
}

/** Whether a driver holds no live resource (as owner or sharer). */
const heldNothing = (state: ManagerState, driver: number): boolean =>
  (state.ownedHead[driver] ?? -1) < 0 && !state.sharedBy.has(driver)

/** Uncounts a name waiter that leaves its name queue (see `ManagerState.nonBareNameWaiters`). */
const leftNameQueue = (state: ManagerState, waiter: Waiter): void => {
  if (waiter.nonBare !== true) return
  waiter.nonBare = false
  state.nonBareNameWaiters--
}

/**
 * Takes a waiter out of the wait set: out of its queue (if still queued), its reserved name given back (and
 * listed for re-examination), its dependencies unpinned (a deferred dependency whose last pin goes is freed
 * into `freed`). The one place a wait ends without an admission: timeout, interrupt, a refused name move, a
 * lowered budget and close all come through here.
 */
const removeWaiter = (
  state: ManagerState,
  waiter: Waiter,
  types: TypeSet,
  names: Array<string>,
  freed: Array<number>
): void => {
  state.waiting.delete(waiter.req)
  state.countWait(waiter.driver, -1)
  if (waiter.kind === "name") {
    leftNameQueue(state, waiter)
    const queue = state.nameQueues.get(waiter.name)
    queue?.remove(waiter)
    if (queue !== undefined && queue.size === 0) state.nameQueues.delete(waiter.name)
  } else {
    state.queues[waiter.type]?.remove(waiter)
    if (waiter.name !== "" && state.reservedNames.get(waiter.name) === waiter) {
      state.reservedNames.delete(waiter.name)
      names.push(waiter.name)
    }
  }
  addType(types, waiter.type)
  for (const dep of waiter.deps) unpin(state, dep, types, names, freed)
  state.waitEnded()
}

/**
 * Moves the head of a name's queue on once the name is free: admitted; or, when it does not fit, it starts
 * a new wait for its bytes in its type queue (the spec's `EnqueueFromName`) if the reduction lets it
 * (`RefuseDeadlockFromName` otherwise: it fails with DeadlockDetected, and the name is examined again for the
 * next name waiter).
 */
const grantName = (
  state: ManagerState,
  name: string,
  types: TypeSet,
  names: Array<string>,
  settled: Array<Settlement>,
  freed: Array<number>
): void => {
  const queue = state.nameQueues.get(name)
  if (queue === undefined) return
  const waiter = queue.head()
  if (waiter === undefined) {
    state.nameQueues.delete(name)
    return
  }
  queue.remove(waiter)
  leftNameQueue(state, waiter)
  if (queue.size === 0) state.nameQueues.delete(name)
  const typeQueue = state.queues[waiter.type]
  const fits = (state.usage[waiter.type] as number) + waiter.size <= state.limit(waiter.type, waiter.priority)
  if (fits && typeQueue !== undefined && typeQueue.atOrAbove(waiter.priority) === 0) {
    admitWaiter(state, waiter, settled)
    return
  }
  waiter.kind = "bytes"
  const deadlock = wouldDeadlock(state, waiter)
  if (deadlock !== undefined) {
    state.countFailure(waiter.type, FailureReason.Deadlock)
    if (state.trace !== undefined) state.trace.beginLeave()
    removeWaiter(state, waiter, types, names, freed)
    const error = new DeadlockDetected({ drivers: deadlock.drivers, resources: deadlock.resources })
    if (state.trace !== undefined) state.trace.refusedMove(waiter, error._tag)
    settled.push({ waiter, slot: -1, generation: -1, error })
    names.push(name)
    return
  }
  state.reservedNames.set(waiter.name, waiter)
  typeQueue?.push(waiter)
  if (state.trace !== undefined) state.trace.enqueued(waiter, false)
}

/** Why a wait ended without an admission, delivered to the waiter by `wake`. */
type SettleError = BudgetExceeded | DeadlockDetected | ManagerClosed

interface Settlement {
  readonly waiter: Waiter
  /** The admitted slot; -1 when the waiter failed (`error`). */
  readonly slot: number
  /** The admitted slot's generation at the admission (-1 when failed). */
  readonly generation: number
  readonly error?: SettleError
}

const admitWaiter = (state: ManagerState, waiter: Waiter, settled: Array<Settlement>): void => {
  state.waiting.delete(waiter.req)
  state.countWait(waiter.driver, -1)
  state.waitEnded()
  if (waiter.name !== "") state.reservedNames.delete(waiter.name)
  const slot = admit(state, waiter, true)
  if (state.trace !== undefined) state.trace.granted(waiter, slot)
  settled.push({ waiter, slot, generation: state.generationOf(slot) })
}

/**
 * Grant: admits the head waiter(s) of a type's queue while they fit (higher priority first, FIFO within a
 * priority; a head that does not fit blocks everyone behind it: no barging). Returns the admissions so
 * the caller can wake the waiters after the state change.
 *
 * @since 0.1.0
 */
export const grant = (state: ManagerState, type: number, settled: Array<Settlement> = []): Array<Settlement> => {
  const queue = state.queues[type]
  if (queue === undefined) return settled
  for (let waiter = queue.head(); waiter !== undefined; waiter = queue.head()) {
    if ((state.usage[type] as number) + waiter.size > state.limit(type, waiter.priority)) break
    queue.remove(waiter)
    admitWaiter(state, waiter, settled)
  }
  return settled
}

/** Wakes the settled waiters (after every state change of the step): admitted ones get their slot. */
export const wake = (settled: ReadonlyArray<Settlement>): void => {
  for (const { slot, generation, waiter, error } of settled) {
    if (error === undefined) waiter.settle.granted(slot, generation)
    else waiter.settle.failed(error)
  }
}

/** A waiter leaves its queue holding nothing; frees what it pinned; re-examines the queues. */
const leave = (state: ManagerState, waiter: Waiter, action: "Timeout" | "Interrupt"): ReleaseResult => {
  if (!waiter.queued) return unchanged
  const types = typeSet()
  const names: Array<string> = []
  const freed: Array<number> = []
  if (action === "Timeout") state.countFailure(waiter.type, FailureReason.Timeout)
  removeWaiter(state, waiter, types, names, freed)
  if (state.trace !== undefined) state.trace.left(action, waiter)
  const settled = settleQueues(state, types, names, [], freed)
  return { freed, settled }
}

/**
 * Timeout: a Timeout-mode waiter's time ran out; it leaves its queue holding nothing (the caller fails it
 * with AcquireTimeout). Returns what was freed and the waiters settled because it left.
 *
 * @since 0.1.0
 */
export const timeout = (state: ManagerState, waiter: Waiter): ReleaseResult => leave(state, waiter, "Timeout")

/**
 * Interrupt: a waiter's fiber was interrupted (or its signal aborted); it leaves its queue holding nothing.
 * Returns what was freed and the waiters settled because it left.
 *
 * @since 0.1.0
 */
export const interrupt = (state: ManagerState, waiter: Waiter): ReleaseResult => leave(state, waiter, "Interrupt")

const unpin = (state: ManagerState, slot: number, types: TypeSet, names: Array<string>, freed: Array<number>) => {
  const count = state.addDependents(slot, -1)
  if (count === 0 && state.stateOf(slot) === SlotState.Deferred) free(state, slot, types, names, freed)
}

/** Frees a slot with no holder and no live dependent, then cascades to deferred dependencies. */
const free = (state: ManagerState, slot: number, types: TypeSet, names: Array<string>, freed: Array<number>) => {
  const type = state.typeOf(slot)
  const size = state.chargedSize(slot)
  const name = state.names.at(slot)
  freed.push(slot)
  if (state.trace !== undefined) state.trace.freed(slot)
  if (name !== "") {
    state.liveNames.delete(name)
    if (state.nameQueues.size > 0 && state.nameQueues.has(name)) names.push(name)
  }
  const overage = state.overage.size === 0 ? undefined : state.overage.get(slot)
  if (overage !== undefined) {
    state.overage.delete(slot)
    state.emergencyBytes[type] = (state.emergencyBytes[type] as number) - overage
  }
  state.dropSlot(slot, type, size)
  addType(types, type)
  const deps = state.dependencies.size === 0 ? undefined : state.dependencies.get(slot)
  if (deps !== undefined) {
    state.dependencies.delete(slot)
    // newest first, so a cascade frees (and a close reports) dependencies in the same order as the rest
    for (const dep of deps.length > 1 ? newestFirst(state, deps) : deps) {
      const set = state.dependents.get(dep)
      if (set !== undefined) {
        set.delete(slot)
        if (set.size === 0) state.dependents.delete(dep)
      }
      const count = state.addDependents(dep, -1)
      if (count === 0 && state.stateOf(dep) === SlotState.Deferred) free(state, dep, types, names, freed)
    }
  }
}

/** Slots ordered by acquisition, most recent first. */
const newestFirst = (state: ManagerState, slots: ReadonlyArray<number>): Array<number> => {
  const now = state.nextSequence
  const age = (slot: number) => (now - state.sequenceOf(slot)) >>> 0
  return [...slots].sort((a, b) => age(a) - age(b))
}

const noSettlements: Array<Settlement> = []

/** Re-examines the name queues and type queues touched by a step; allocates only when something is granted. */
/**
 * A set of type indexes: a bitmask of the first 31 (the built-in types and the first user-defined ones), a
 * list of the others (a manager may declare up to 1,024 types).
 */
interface TypeSet {
  bits: number
  high: Array<number> | undefined
}

/** Types below this index live in a TypeSet's bitmask. */
const MASKED_TYPES = 31

const typeSet = (): TypeSet => ({ bits: 0, high: undefined })

const addType = (set: TypeSet, type: number): void => {
  if (type < MASKED_TYPES) set.bits |= 1 << type
  else if (set.high === undefined) set.high = [type]
  else if (!set.high.includes(type)) set.high.push(type)
}

const clearTypes = (set: TypeSet): void => {
  set.bits = 0
  set.high = undefined
}

/** Grants the first waiters of a type's queue, if it has any. */
const grantQueued = (state: ManagerState, type: number, out: Array<Settlement>): Array<Settlement> => {
  if ((state.queues[type]?.size ?? 0) === 0) return out
  const settled = out === noSettlements ? [] : out
  grant(state, type, settled)
  return settled
}

const settleQueues = (
  state: ManagerState,
  types: TypeSet,
  names: Array<string>,
  settled: Array<Settlement>,
  freed: Array<number>
): Array<Settlement> => {
  let out = settled
  for (const name of names) {
    if (isOnlyQueued(state, name)) {
      if (out === noSettlements) out = []
      grantName(state, name, types, names, out, freed)
    }
  }
  for (let type = 0, bits = types.bits; bits !== 0; type++, bits >>>= 1) {
    if ((bits & 1) !== 0) out = grantQueued(state, type, out)
  }
  if (types.high !== undefined) for (const type of types.high) out = grantQueued(state, type, out)
  return out
}

/** A name held by nobody and reserved by nobody, with requests waiting for it. */
const isOnlyQueued = (state: ManagerState, name: string): boolean =>
  !state.nameLive(name) && !state.reservedNames.has(name)

/**
 * The outcome of a release: the slots actually freed and the waiters admitted because of it. Read it at
 * once: the common single-slot result is a shared object, valid until the next transition.
 *
 * @since 0.1.0
 */
export interface ReleaseResult {
  readonly freed: ReadonlyArray<number>
  readonly settled: ReadonlyArray<Settlement>
}

const scratchTypes: TypeSet = typeSet()
const scratchNames: Array<string> = []
const noFreed: ReadonlyArray<number> = []
const scratchFreed: Array<number> = []
const oneFreed: Array<number> = [0]
const oneFreedResult: ReleaseResult = { freed: oneFreed, settled: noSettlements }
const unchanged: ReleaseResult = { freed: noFreed, settled: noSettlements }

const releaseAs = (
  state: ManagerState,
  slot: number,
  driver: number,
  action: "Release" | "Reclaim"
): ReleaseResult | NotHolder => {
  if (state.stateOf(slot) !== SlotState.Live || !state.holds(slot, driver)) {
    return new NotHolder({ resource: state.names.at(slot), driver: state.driverIds[driver] ?? "" })
  }
  const req = state.trace === undefined ? 0 : state.trace.beginRelease(slot)
  const shared = state.sharedBy.size === 0 ? undefined : state.sharedBy.get(driver)
  if (shared?.delete(slot) === true) {
    if (shared.size === 0) state.sharedBy.delete(driver)
  } else {
    state.unlinkOwned(slot, driver)
  }
  const all = state.holders.size === 0 ? undefined : state.holders.get(slot)
  if (all !== undefined) {
    all.splice(all.indexOf(driver), 1)
    if (all.length > 0) {
      if (state.trace !== undefined) state.trace.released(action, req, driver, all)
      return unchanged
    }
    state.holders.delete(slot)
  }
  if (state.dependentsOf(slot) > 0) {
    state.defer(slot)
    if (state.trace !== undefined) state.trace.released(action, req, driver, [])
    return unchanged
  }
  const freed = scratchFreed
  freed.length = 0
  free(state, slot, scratchTypes, scratchNames, freed)
  if (state.trace !== undefined) state.trace.released(action, req, driver, [])
  let settled = noSettlements
  if (scratchNames.length > 0 || state.waiting.size > 0) {
    try {
      settled = settleQueues(state, scratchTypes, scratchNames, noSettlements, freed)
    } finally {
      clearTypes(scratchTypes)
      scratchNames.length = 0
    }
  } else {
    clearTypes(scratchTypes)
  }
  if (freed.length === 1 && settled === noSettlements) {
    // the common case allocates nothing: the result is shared and valid until the next transition
    oneFreed[0] = slot
    return oneFreedResult
  }
  return { freed: [...freed], settled }
}

/**
 * Release: `driver` stops holding the resource. When no holder and no live dependent remain it is freed
 * (usage and name given back) and deferred releases of its dependencies cascade; then the queues whose
 * bytes or names came back are re-examined. A driver that does not hold it gets NotHolder.
 *
 * @since 0.1.0
 */
export const release = (state: ManagerState, slot: number, driver: number): ReleaseResult | NotHolder =>
  releaseAs(state, slot, driver, "Release")

/**
 * Reclaim: a release made by the manager on the owner's behalf, for a Reclaimable resource whose owner
 * still holds it (a reclamation callback freeing what it owns).
 *
 * @since 0.1.0
 */
export const reclaim = (state: ManagerState, slot: number): ReleaseResult | NotHolder => {
  const owner = state.ownerOf(slot)
  if ((state.flagsOf(slot) & Reclaimable) === 0) {
    return new NotHolder({ resource: state.names.at(slot), driver: "reclamation" })
  }
  return releaseAs(state, slot, owner, "Reclaim")
}

/**
 * Share: `driver` becomes a holder of a live Shareable resource; bytes are unchanged. Returns the driver's
 * index (the driver is interned only on success). A share to a sequential driver that has a request
 * waiting runs the deadlock check first (the resource then comes back only when that driver finishes) and
 * is refused with DeadlockDetected, the state unchanged, when it would leave a driver unable to finish.
 *
 * @since 0.1.0
 */
export const share = (
  state: ManagerState,
  slot: number,
  driverId: string
): number | NotShareable | ResourceNotFound | AlreadyShared | DeadlockDetected => {
  const name = state.names.at(slot)
  if (state.stateOf(slot) !== SlotState.Live) return new ResourceNotFound({ resource: name })
  if ((state.flagsOf(slot) & Shareable) === 0) return new NotShareable({ resource: name })
  const known = state.driverIndex.get(driverId)
  if (known !== undefined && state.holds(slot, known)) return new AlreadyShared({ resource: name, driver: driverId })
  if (known !== undefined && (state.waitingCount[known] ?? 0) > 0 && state.isSequential(known)) {
    const deadlock = checkShare(waitViewOf(state), driverId, String(slot))
    if (deadlock !== undefined) {
      const error = new DeadlockDetected({ drivers: deadlock.drivers, resources: deadlock.resources })
      if (state.trace !== undefined) state.trace.refusedShare(slot, known, error._tag)
      return error
    }
    // no new deadlock, but a waiting driver now holds more: the shortcut's idle-waiter reasoning is off
    state.taint()
  }
  const driver = known ?? state.driver(driverId)
  let all = state.holders.get(slot)
  if (all === undefined) {
    all = [state.ownerOf(slot)]
    state.holders.set(slot, all)
  }
  all.push(driver)
  let set = state.sharedBy.get(driver)
  if (set === undefined) {
    set = new Set()
    state.sharedBy.set(driver, set)
  }
  set.add(slot)
  if (state.trace !== undefined) state.trace.shared(slot, driver, all)
  return driver
}

/**
 * How a dependency error names a resource: its name, or its handle (`slot#generation`) when it has none, so that
 * the resources of a cycle or a refusal can be told apart (docs/semantics.md, section 3).
 *
 * @since 0.1.0
 */
export const labelOf = (state: ManagerState, slot: number): string => {
  const name = state.names.at(slot)
  return name !== "" ? name : `${slot}#${state.generationOf(slot)}`
}

/**
 * Adds a dependency edge `dependent → dependency` between live resources, refusing cycles.
 *
 * @since 0.1.0
 */
export const addDependency = (
  state: ManagerState,
  dependent: number,
  dependency: number
): undefined | DependencyCycle | DependencyNotLive => {
  if (state.stateOf(dependency) !== SlotState.Live || state.stateOf(dependent) === SlotState.Free) {
    return new DependencyNotLive({ resource: labelOf(state, dependent), dependency: labelOf(state, dependency) })
  }
  const path = pathTo(state, dependency, dependent)
  if (path !== undefined) {
    if (state.trace !== undefined) state.trace.dependency("RefuseDependency", dependent, dependency)
    return new DependencyCycle({ cycle: [labelOf(state, dependent), ...path.map((slot) => labelOf(state, slot))] })
  }
  const existing = state.dependencies.get(dependent) ?? []
  if (existing.includes(dependency)) return undefined
  state.taint()
  state.dependencies.set(dependent, [...existing, dependency])
  state.addDependents(dependency, 1)
  let set = state.dependents.get(dependency)
  if (set === undefined) {
    set = new Set()
    state.dependents.set(dependency, set)
  }
  set.add(dependent)
  if (state.trace !== undefined) state.trace.dependency("AddDependency", dependent, dependency)
  return undefined
}

/** A dependency path from `from` to `to` (both included), or undefined. */
const pathTo = (state: ManagerState, from: number, to: number): Array<number> | undefined => {
  const parent = new Map<number, number>([[from, -1]])
  const stack = [from]
  for (let slot = stack.pop(); slot !== undefined; slot = stack.pop()) {
    if (slot === to) {
      const path: Array<number> = []
      for (let at = slot; at !== -1; at = parent.get(at) ?? -1) path.unshift(at)
      return path
    }
    for (const next of state.dependencies.get(slot) ?? []) {
      if (!parent.has(next)) {
        parent.set(next, slot)
        stack.push(next)
      }
    }
  }
  return undefined
}

/**
 * After a budget change: every waiter (in its type queue or in a name queue) that can now never fit fails
 * with BudgetExceeded and leaves holding nothing (its dependencies unpinned, its reserved name given back);
 * then the type queue and the touched name queues are re-examined (a larger budget may admit waiters).
 *
 * @since 0.1.0
 */
export const rebudget = (state: ManagerState, type: number): ReleaseResult => {
  state.taint()
  const types = typeSet()
  addType(types, type)
  const names: Array<string> = []
  const freed: Array<number> = []
  const settled: Array<Settlement> = []
  const impossible: Array<Waiter> = []
  for (const waiter of state.waiting.values()) {
    if (waiter.type === type && waiter.size > state.limit(type, waiter.priority)) impossible.push(waiter)
  }
  if (state.trace !== undefined) state.trace.beginFailing()
  for (const waiter of impossible) {
    state.countFailure(type, FailureReason.BudgetLowered)
    removeWaiter(state, waiter, types, names, freed)
    if (waiter.kind === "name") names.push(waiter.name)
    settled.push({
      waiter,
      slot: -1,
      generation: -1,
      error: budgetExceeded(state, type, waiter.size, state.limit(type, waiter.priority))
    })
  }
  if (state.trace !== undefined) state.trace.rebudgeted(type, impossible)
  settleQueues(state, types, names, settled, freed)
  return { freed, settled }
}

/**
 * Close: every waiter fails with `error` and leaves holding nothing (dependencies it pinned are unpinned, so
 * they can be released). No queue is re-examined: the manager is closing. With a trace, the caller ends the
 * close with `trace.closed()` once every live resource is released.
 *
 * @since 0.1.0
 */
export const failAllWaiters = (state: ManagerState, error: ManagerClosed): ReleaseResult => {
  const freed: Array<number> = []
  const settled: Array<Settlement> = []
  const types = typeSet()
  const failed = [...state.waiting.values()]
  if (state.trace !== undefined) state.trace.beginFailing()
  for (const waiter of failed) {
    removeWaiter(state, waiter, types, [], freed)
    settled.push({ waiter, slot: -1, generation: -1, error })
  }
  if (state.trace !== undefined) state.trace.closing(failed)
  return { freed, settled }
}

/** Re-examines the queues of the given types (after an external usage change such as a pool trim). */
export const reexamine = (state: ManagerState, types: Iterable<number>): ReleaseResult => {
  const settled: Array<Settlement> = []
  const freed: Array<number> = []
  const set = typeSet()
  for (const type of types) addType(set, type)
  settleQueues(state, set, [], settled, freed)
  return { freed, settled }
}

export type { Request, Settlement }
