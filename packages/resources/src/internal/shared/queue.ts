/**
 * The shared wait queue and the steps taken under the slow-path lock: enqueue, grant (priority order, FIFO
 * within a priority, no barging, a head that does not fit blocks the type), withdraw, fail on a budget change,
 * close, and reaping a lost thread. Every function here must be called with the lock held; none runs user code.
 *
 * @internal
 * @module
 */

import {
  H,
  NAME_BYTES,
  R,
  S,
  SLOT_INT_WORDS,
  THREAD_INT_WORDS,
  TI,
  TYPE_INT_WORDS,
  W,
  WAITER_INT_WORDS,
  WaiterState
} from "./layout.ts"
import { Admit, generationOf, Ledger, maskOf } from "./ledger.ts"

/** A request about to wait. */
export interface WaitRequest {
  readonly thread: number
  readonly epoch: number
  readonly type: number
  readonly size: number
  readonly priority: number
  readonly request: number
  readonly name: Uint8Array | undefined
  readonly hash: number
}

/** A pressure change made while granting, to publish once the lock is released. */
export type LevelChange = readonly [type: number, from: number, to: number]

const word = (entry: number, field: number): number => entry * WAITER_INT_WORDS + field

/** Puts a request in the queue: its entry index, or -1 when the queue is full. */
export const enqueue = (ledger: Ledger, request: WaitRequest): number => {
  const entry = ledger.freeWaiter()
  if (entry < 0) return -1
  const wi = ledger.waitersInt
  wi[word(entry, W.thread)] = request.thread
  wi[word(entry, W.epoch)] = request.epoch
  wi[word(entry, W.type)] = request.type
  wi[word(entry, W.priority)] = request.priority
  wi[word(entry, W.ticket)] = Atomics.add(ledger.header, H.ticket, 1)
  wi[word(entry, W.request)] = request.request
  wi[word(entry, W.slot)] = -1
  wi[word(entry, W.nameHash)] = request.name === undefined ? 0 : request.hash
  wi[word(entry, W.nameLength)] = request.name === undefined ? 0 : request.name.length
  if (request.name !== undefined) ledger.waitersName.set(request.name, entry * NAME_BYTES)
  ledger.waitersBig[entry] = BigInt(request.size)
  Atomics.add(ledger.typesInt, request.type * TYPE_INT_WORDS + TI.waiting + request.priority, 1)
  Atomics.add(ledger.header, H.waiting, 1)
  Atomics.store(wi, word(entry, W.state), WaiterState.Waiting)
  return entry
}

/** Takes a waiting entry out of the queue, with `state` for its thread to read (Free: it left by itself). */
export const dequeue = (ledger: Ledger, entry: number, state: number): void => {
  const wi = ledger.waitersInt
  const type = wi[word(entry, W.type)] as number
  const priority = wi[word(entry, W.priority)] as number
  Atomics.sub(ledger.typesInt, type * TYPE_INT_WORDS + TI.waiting + priority, 1)
  Atomics.sub(ledger.header, H.waiting, 1)
  Atomics.store(wi, word(entry, W.state), state)
}

/** Whether a waiting entry's name is held by a live resource (it then waits for the name, not in the type's line). */
const nameTaken = (ledger: Ledger, entry: number): boolean => {
  const wi = ledger.waitersInt
  if ((wi[word(entry, W.nameLength)] as number) === 0) return false
  return ledger.findName(ledger.waiterName(entry), wi[word(entry, W.nameHash)] as number) >= 0
}

/** The entry a type serves next: the highest priority, then the lowest ticket, among those whose name is free. */
export const headOf = (ledger: Ledger, type: number): number => {
  const wi = ledger.waitersInt
  let best = -1
  let bestPriority = -1
  let bestTicket = 0
  for (let e = 0; e < ledger.maxWaiters; e++) {
    if (wi[word(e, W.state)] !== WaiterState.Waiting || wi[word(e, W.type)] !== type) continue
    const priority = wi[word(e, W.priority)] as number
    const ticket = wi[word(e, W.ticket)] as number
    if (priority < bestPriority || (priority === bestPriority && ticket - bestTicket >= 0)) continue
    if (nameTaken(ledger, e)) continue
    best = e
    bestPriority = priority
    bestTicket = ticket
  }
  return best
}

/**
 * Grants a type's queue heads while they fit (a head that does not fit blocks the type), ringing each
 * granted thread. Returns the pressure change it made, if any.
 */
export const grant = (ledger: Ledger, type: number, changes: Array<LevelChange>): void => {
  const wi = ledger.waitersInt
  for (;;) {
    const entry = headOf(ledger, type)
    if (entry < 0) break
    const slot = ledger.popSlot()
    if (slot < 0) break
    const thread = wi[word(entry, W.thread)] as number
    const named = (wi[word(entry, W.nameLength)] as number) > 0
    const hash = wi[word(entry, W.nameHash)] as number
    ledger.prepareSlot(
      slot,
      type,
      Number(ledger.waitersBig[entry]),
      thread,
      wi[word(entry, W.priority)] as number,
      named ? ledger.waiterName(entry) : undefined,
      hash
    )
    if (ledger.admit(slot, thread, false, true) !== Admit.Admitted) {
      ledger.pushSlot(slot)
      break
    }
    if (named) ledger.insertName(slot, hash)
    wi[word(entry, W.slot)] = slot
    wi[word(entry, W.generation)] = generationOf(ledger.holders(slot))
    dequeue(ledger, entry, WaiterState.Granted)
    ledger.ring(thread)
  }
  const change = ledger.settleLevel(type)
  if (change !== undefined) changes.push([type, change[0], change[1]])
}

/** Grants every type that has waiters. */
export const grantAll = (ledger: Ledger, changes: Array<LevelChange>): void => {
  for (let type = 0; type < ledger.typeCount; type++) if (ledger.waitingOf(type) > 0) grant(ledger, type, changes)
}

/** The generation recorded in a granted entry. */
export const grantedGeneration = (ledger: Ledger, entry: number): number =>
  ledger.waitersInt[word(entry, W.generation)] as number

/**
 * After a budget change: every waiter of the type whose size is now above its limit fails (state Failed),
 * then the queue is re-examined.
 */
export const refuseOversized = (ledger: Ledger, type: number, changes: Array<LevelChange>): void => {
  const budget = ledger.budget(type)
  const wi = ledger.waitersInt
  if (budget !== undefined) {
    for (let e = 0; e < ledger.maxWaiters; e++) {
      if (wi[word(e, W.state)] !== WaiterState.Waiting || wi[word(e, W.type)] !== type) continue
      const limit = Ledger.limitOf(budget, wi[word(e, W.priority)] as number)
      if ((ledger.waitersBig[e] as bigint) > limit) {
        const thread = wi[word(e, W.thread)] as number
        ledger.countFailure(type, thread)
        dequeue(ledger, e, WaiterState.Failed)
        ledger.ring(thread)
      }
    }
  }
  grant(ledger, type, changes)
}

/** Fails every waiter (state Closed) and rings their threads. */
export const closeQueue = (ledger: Ledger): void => {
  const wi = ledger.waitersInt
  for (let e = 0; e < ledger.maxWaiters; e++) {
    if (wi[word(e, W.state)] !== WaiterState.Waiting) continue
    dequeue(ledger, e, WaiterState.Closed)
    ledger.ring(wi[word(e, W.thread)] as number)
  }
}

/**
 * Releases every hold of a thread and withdraws its waits (a lost thread, or one that detaches), then
 * re-examines the queues. `freed` is called for each slot whose last hold went (it gives back a pool block,
 * then `freeSlot`).
 */
export const releaseThread = (
  ledger: Ledger,
  thread: number,
  changes: Array<LevelChange>,
  freed: (slot: number) => void
): void => {
  const wi = ledger.waitersInt
  for (let e = 0; e < ledger.maxWaiters; e++) {
    if (wi[word(e, W.thread)] !== thread) continue
    const state = wi[word(e, W.state)]
    if (state === WaiterState.Waiting) dequeue(ledger, e, WaiterState.Free)
    else if (state === WaiterState.Granted) {
      // granted but never taken: the thread's hold goes below
      Atomics.store(wi, word(e, W.state), WaiterState.Free)
    } else if (state !== WaiterState.Free) Atomics.store(wi, word(e, W.state), WaiterState.Free)
  }
  const bit = (1 << thread) >>> 0
  for (let slot = 0; slot < ledger.maxResources; slot++) {
    const holders = ledger.holders(slot)
    if ((maskOf(holders) & bit) === 0) continue
    if (ledger.dropHold(slot, generationOf(holders), thread) === 2) freed(slot)
  }
  grantAll(ledger, changes)
  for (let type = 0; type < ledger.typeCount; type++) {
    const change = ledger.settleLevel(type)
    if (change !== undefined) changes.push([type, change[0], change[1]])
  }
}

/** After `dropHold` freed a slot: its name goes and the slot returns to the free list. */
export const freeSlot = (ledger: Ledger, slot: number): void => {
  const si = slot * SLOT_INT_WORDS
  if ((ledger.slotsInt[si + S.nameLength] as number) > 0) {
    ledger.removeName(slot, ledger.slotsInt[si + S.nameHash] as number)
    ledger.slotsInt[si + S.nameLength] = 0
  }
  ledger.pushSlot(slot)
}

/** Whether a thread slot is attached with this epoch. */
export const attachedWith = (ledger: Ledger, thread: number, epoch: number): boolean =>
  Atomics.load(ledger.threadsInt, thread * THREAD_INT_WORDS + R.claim) === 1 &&
  Atomics.load(ledger.threadsInt, thread * THREAD_INT_WORDS + R.epoch) === epoch
