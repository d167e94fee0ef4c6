/**
 * The shared wait queue and the steps taken under the slow-path lock: enqueue, grant (priority order, FIFO
 * within a priority, no barging, a head that does not fit blocks the type), withdraw, fail on a budget change,
 * close, and reaping a lost thread. Every function here must be called with the lock held; none runs user code.
 *
 * @internal
 * @module
 */

import { finishCarry, readCounter, writeCounter } from "./counter.ts"
import {
  EVENT_RING,
  EVENT_WORDS,
  GENERATION_MASK,
  H,
  NAME_BYTES,
  NAME_EMPTY,
  R,
  RT,
  S,
  SLOT_INT_WORDS,
  T,
  THREAD_INT_WORDS,
  ThreadFlags,
  TI,
  TYPE_BIG_WORDS,
  TYPE_INT_WORDS,
  W,
  WAITER_INT_WORDS,
  WaiterState
} from "./layout.ts"
import { Admit, Ledger, sameBytes } from "./ledger.ts"

/** A request about to wait. */
export interface WaitRequest {
  readonly thread: number
  readonly epoch: number
  readonly type: number
  readonly size: number
  readonly priority: number
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
  wi[word(entry, W.slot)] = -1
  wi[word(entry, W.nameHash)] = request.name === undefined ? 0 : request.hash
  wi[word(entry, W.nameLength)] = request.name === undefined ? 0 : request.name.length
  if (request.name !== undefined) ledger.waitersName.set(request.name, entry * NAME_BYTES)
  ledger.waitersBig[entry] = BigInt(request.size)
  Atomics.add(ledger.typesInt, request.type * TYPE_INT_WORDS + TI.waiting + request.priority, 1)
  Atomics.add(ledger.header, H.waiting, 1)
  ledger.mirrorWaiters(1)
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
  ledger.mirrorWaiters(-1)
  Atomics.store(wi, word(entry, W.state), state)
}

/** Whether a waiting entry's name is held by a live resource (it then waits for the name, not in the type's line). */
const nameTaken = (ledger: Ledger, entry: number): boolean => {
  const wi = ledger.waitersInt
  if ((wi[word(entry, W.nameLength)] as number) === 0) return false
  return ledger.findName(ledger.waiterName(entry), wi[word(entry, W.nameHash)] as number) >= 0
}

/** Whether a waiting request reserves this name (a later request does not take it: docs/semantics.md section 9). */
export const nameWaited = (ledger: Ledger, name: Uint8Array, hash: number): boolean => {
  if (Atomics.load(ledger.header, H.waiting) === 0) return false
  const wi = ledger.waitersInt
  for (let e = 0; e < ledger.maxWaiters; e++) {
    if (wi[word(e, W.state)] !== WaiterState.Waiting || wi[word(e, W.nameHash)] !== hash) continue
    if ((wi[word(e, W.nameLength)] as number) > 0 && sameBytes(ledger.waiterName(e), name)) return true
  }
  return false
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
    const slot = ledger.takeSlot()
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
    // the slot is written in the entry before the admission: a repair finishes a grant left half done
    Atomics.store(wi, word(entry, W.generation), ledger.generationOf(slot))
    Atomics.store(wi, word(entry, W.slot), slot)
    if (ledger.admit(slot, thread, false, true) !== Admit.Admitted) {
      Atomics.store(wi, word(entry, W.slot), -1)
      ledger.returnSlot(slot)
      break
    }
    if (named) ledger.insertName(slot, hash)
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

/**
 * The grants recorded and not yet taken by their threads, by slot: the waiting thread and the slot's generation
 * (read by a close once the manager is marked closed, when a thread no longer takes a grant: `takeGrant`).
 */
export const undeliveredGrants = (ledger: Ledger): Map<number, { thread: number; generation: number }> => {
  const wi = ledger.waitersInt
  const out = new Map<number, { thread: number; generation: number }>()
  for (let e = 0; e < ledger.maxWaiters; e++) {
    if (Atomics.load(wi, word(e, W.state)) !== WaiterState.Granted) continue
    out.set(wi[word(e, W.slot)] as number, {
      thread: wi[word(e, W.thread)] as number,
      generation: wi[word(e, W.generation)] as number
    })
  }
  return out
}

/** The threads that hold a live resource, as a mask (bit t: thread t holds one). */
export const holdersOf = (ledger: Ledger): number => {
  let holders = 0
  for (let slot = 0; slot < ledger.maxResources; slot++) holders |= ledger.maskOf(slot)
  return holders
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
  const bit = (1 << thread) | 0
  for (let slot = 0; slot < ledger.maxResources; slot++) {
    if ((ledger.maskOf(slot) & bit) === 0) continue
    if (ledger.dropHold(slot, ledger.generationOf(slot), thread) === 2) freed(slot)
  }
  ledger.giveBackLeases(thread)
  grantAll(ledger, changes)
  for (let type = 0; type < ledger.typeCount; type++) {
    const change = ledger.settleLevel(type)
    if (change !== undefined) changes.push([type, change[0], change[1]])
  }
}

/**
 * Makes a thread row's allocations less releases of a type equal the live count found (a lost thread may have
 * stopped between its charge and its count): the smaller change, raising allocations or releases.
 */
const settleCounts = (counters: Int32Array, row: number, live: number): void => {
  const allocations = readCounter(counters, row + RT.allocations)
  const releases = readCounter(counters, row + RT.releases)
  if (allocations - releases < live) writeCounter(counters, row + RT.allocations, releases + live)
  else if (allocations - releases > live) writeCounter(counters, row + RT.releases, allocations - live)
}

/** After `dropHold` freed a slot: its name goes and the slot returns to the free slots. */
export const freeSlot = (ledger: Ledger, slot: number): void => {
  const si = slot * SLOT_INT_WORDS
  if ((ledger.slotsInt[si + S.nameLength] as number) > 0) {
    ledger.removeName(slot, ledger.slotsInt[si + S.nameHash] as number)
    ledger.slotsInt[si + S.nameLength] = 0
  }
  ledger.returnSlot(slot)
}

/** Whether a thread slot is attached with this epoch. */
export const attachedWith = (ledger: Ledger, thread: number, epoch: number): boolean =>
  Atomics.load(ledger.threadsInt, thread * THREAD_INT_WORDS + R.claim) === 1 &&
  Atomics.load(ledger.threadsInt, thread * THREAD_INT_WORDS + R.epoch) === epoch

/**
 * Re-derives what threads terminated between two steps (`lost`) may have left half done, with the lock held and
 * every other thread out of its lock-free steps (`Ledger.quiesce`): a grant written in its entry but not
 * finished; usage (the pools' `capacity` per type, and the live slots not served by a pool), emergency bytes and
 * allocation and release counts (per type and per thread, so that they differ by the live slots) from the live
 * slots; the free list
 * (a slot neither live, listed, nor being put back by a live thread returns to it); the waiting counts from the
 * entries; the name table from the live slots; a budget's sequence lock left odd; a pressure event never stamped.
 */
export const repairLedger = (ledger: Ledger, lost: ReadonlySet<number>, capacity: ReadonlyArray<bigint>): void => {
  // leasing off: usage is re-derived below from the live slots alone (a lost thread's lease is not given back)
  ledger.resetLeasing()
  const wi = ledger.waitersInt
  for (let e = 0; e < ledger.maxWaiters; e++) {
    const slot = wi[word(e, W.slot)] as number
    if (wi[word(e, W.state)] !== WaiterState.Waiting || slot < 0) continue
    const thread = wi[word(e, W.thread)] as number
    if (ledger.maskOf(slot) === ((1 << thread) | 0) && ledger.generationOf(slot) === wi[word(e, W.generation)]) {
      Atomics.store(wi, word(e, W.state), WaiterState.Granted)
      ledger.ring(thread)
    } else wi[word(e, W.slot)] = -1
  }
  const types = ledger.typeCount
  const counters = ledger.threadCounters
  // a carry a lost thread left half done (a failure count is bumped by its own thread only, outside the steps)
  for (let t = 0; t < ledger.maxThreads; t++) {
    for (let type = 0; type < types; type++) {
      const row = ledger.threadTypeRow(t, type)
      for (const counter of [RT.allocations, RT.releases, RT.failures, RT.emergencies]) {
        if (counter === RT.failures && !lost.has(t)) continue
        if ((Atomics.load(counters, row + counter + 1) & 1) === 1) finishCarry(counters, row + counter)
      }
    }
  }
  const usage = Array.from({ length: types }, (_, type) => capacity[type] ?? 0n)
  const emergency = new Array<number>(types).fill(0)
  const threadLive = new Array<number>(ledger.maxThreads * types).fill(0)
  const keep = new Uint8Array(ledger.maxResources)
  ledger.names.fill(NAME_EMPTY)
  for (let slot = 0; slot < ledger.maxResources; slot++) {
    if (ledger.maskOf(slot) === 0) continue
    const si = slot * SLOT_INT_WORDS
    const type = ledger.slotsInt[si + S.type] as number
    const owner = ledger.slotsInt[si + S.owner] as number
    if (ledger.poolOf(slot) < 0) usage[type] = (usage[type] as bigint) + BigInt(ledger.sizeOf(slot))
    emergency[type] = (emergency[type] as number) + ledger.overageOf(slot)
    threadLive[owner * types + type] = (threadLive[owner * types + type] as number) + 1
    keep[slot] = 1
    if ((ledger.slotsInt[si + S.nameLength] as number) > 0)
      ledger.insertName(slot, ledger.slotsInt[si + S.nameHash] as number)
  }
  for (let type = 0; type < types; type++) {
    const tb = type * TYPE_BIG_WORDS
    Atomics.store(ledger.typesBig, tb + T.usage, usage[type] as bigint)
    Atomics.store(ledger.typesBig, tb + T.emergencyBytes, BigInt(emergency[type] as number))
    if (Atomics.load(ledger.typesBig, tb + T.peak) < (usage[type] as bigint)) {
      Atomics.store(ledger.typesBig, tb + T.peak, usage[type] as bigint)
    }
    const ti = type * TYPE_INT_WORDS
    if ((Atomics.load(ledger.typesInt, ti + TI.budgetSeq) & 1) === 1) Atomics.add(ledger.typesInt, ti + TI.budgetSeq, 1)
    for (let rank = 0; rank < 4; rank++) Atomics.store(ledger.typesInt, ti + TI.waiting + rank, 0)
  }
  // a budget write cut short: every thread reads its budgets again
  ledger.bumpBudgetEpochs()
  for (let t = 0; t < ledger.maxThreads; t++) {
    for (let type = 0; type < types; type++) {
      settleCounts(counters, ledger.threadTypeRow(t, type), threadLive[t * types + type] as number)
    }
    const pending = ledger.pendingOf(t)
    const attached = Atomics.load(ledger.threadsInt, t * THREAD_INT_WORDS + R.claim) !== 0
    if (pending >= 0 && !lost.has(t) && attached) keep[pending] = 1
  }
  // a slot taken but neither live nor being put back by a live thread returns (its generation moved on: a lost
  // thread may have freed it without moving it)
  for (let slot = 0; slot < ledger.maxResources; slot++) {
    if (keep[slot] === 1 || !ledger.isTaken(slot)) continue
    const si = slot * SLOT_INT_WORDS
    ledger.slotsInt[si + S.nameLength] = 0
    Atomics.store(
      ledger.slotsInt,
      si + S.generation,
      ((ledger.slotsInt[si + S.generation] as number) + 1) & GENERATION_MASK || 1
    )
    ledger.returnSlot(slot)
  }
  let waiting = 0
  for (let e = 0; e < ledger.maxWaiters; e++) {
    if (wi[word(e, W.state)] !== WaiterState.Waiting) continue
    const at = (wi[word(e, W.type)] as number) * TYPE_INT_WORDS + TI.waiting + (wi[word(e, W.priority)] as number)
    Atomics.add(ledger.typesInt, at, 1)
    waiting++
  }
  Atomics.store(ledger.header, H.waiting, waiting)
  for (let t = 0; t < ledger.maxThreads; t++) {
    const at = t * THREAD_INT_WORDS + R.flags
    Atomics.store(
      ledger.threadsInt,
      at,
      (Atomics.load(ledger.threadsInt, at) & (ThreadFlags.Waiter - 1)) | (waiting * ThreadFlags.Waiter)
    )
  }
  const end = Atomics.load(ledger.header, H.eventSeq)
  for (let seq = Math.max(0, end - EVENT_RING); seq < end; seq++) {
    const at = (seq % EVENT_RING) * EVENT_WORDS
    // never stamped (its writer was lost): readers skip it as overwritten instead of waiting for it
    if (Atomics.load(ledger.events, at) < seq + 1) Atomics.store(ledger.events, at, 0x7fffffff)
  }
}
