/**
 * The shared ledger: typed views on a shared manager's buffer and the atomic steps on them (admission,
 * release, the slot free list, the slow-path lock, the pressure-event ring, thread bells). Every thread
 * attached to the manager has one `Ledger` on the same buffer.
 *
 * Termination safety: a terminated worker may stop between any two `Atomics` calls (Bun's engine delivers
 * termination there: the stress test and a two-counter experiment show it), so a step that changes several
 * words (usage and the holder word, the counters, the free list) may be left half done. A thread therefore marks
 * its lock-free steps (`enterStep`/`leaveStep`, and `pending` for a freed slot it will put back under the lock);
 * the reaper takes the lock, stops the lock-free steps of the live threads (`quiesce`), and re-derives from the
 * slots and wait entries what a lost thread may have left half done (`repairLedger` in queue.ts).
 *
 * @internal
 * @module
 */
import type { ResourceBudget } from "@flight-hal/core"
import { pressureLevel } from "../state.ts"
import {
  EVENT_RING,
  EVENT_WORDS,
  FREE_HEAD64,
  GENERATION_MASK,
  H,
  HEADER_WORDS,
  LAYOUT_VERSION,
  type Layout,
  layoutOf,
  MAGIC,
  NAME_BYTES,
  NAME_EMPTY,
  NAME_TOMBSTONE,
  R,
  RT,
  S,
  SB,
  SLOT_BIG_WORDS,
  SLOT_INT_WORDS,
  T,
  THREAD_INT_WORDS,
  THREAD_TYPE_WORDS,
  TI,
  TYPE_BIG_WORDS,
  TYPE_INT_WORDS,
  W,
  WAITER_INT_WORDS,
  WaiterState
} from "./layout.ts"

const PPM = 1_000_000
const CRITICAL_RANK = 3
/** What an unnamed slot's name is (one shared empty array, not a view made per call). */
const NO_NAME = new Uint8Array(0)

/** What a fast admission did. */
export const Admit = { Admitted: 0, NoFit: 1, Queued: 2, Full: 3 } as const

/** The budget of a type as the ledger holds it, re-read when its sequence moves (with its limits as BigInts). */
interface CachedBudget {
  seq: number
  budget: ResourceBudget | undefined
  /** `limitOf(budget, p)` below Critical, and at Critical (unused while `budget` is undefined). */
  limit: bigint
  criticalLimit: bigint
}

/**
 * A 64-bit word (a slot's holder word, the free list's tagged head) taken apart and put together without BigInt
 * arithmetic (each BigInt operation allocates): the word goes into a 64-bit scratch cell whose halves are read and
 * written as 32-bit integers (the high half signed, as `word >> 32n` is; the low half unsigned, as
 * `word & 0xffffffffn` is; a high half written wraps to 32 bits, as `BigInt.asIntN(64, high << 32n)` does).
 * Each thread has its own module, so its own scratch.
 */
const scratch = new BigInt64Array(1)
const scratchHigh = new Int32Array(scratch.buffer)
const scratchLow = new Uint32Array(scratch.buffer)
/** The index of each half in the scratch cell, by the platform's byte order. */
const LOW = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1
const HIGH = 1 - LOW

/** A printable holder word's parts. */
export const generationOf = (holders: bigint): number => {
  scratch[0] = holders
  return scratchHigh[HIGH] as number
}
export const maskOf = (holders: bigint): number => {
  scratch[0] = holders
  return scratchLow[LOW] as number
}
/** `word` with its mask half replaced by `mask` (its generation half kept). */
const withMask = (word: bigint, mask: number): bigint => {
  scratch[0] = word
  scratchLow[LOW] = mask
  return scratch[0] as bigint
}
/** The word of these halves (`high` wraps to a signed 32-bit integer). */
const wordOf = (high: number, low: number): bigint => {
  scratchHigh[HIGH] = high
  scratchLow[LOW] = low
  return scratch[0] as bigint
}

/** The thread indexes whose bits are set in a holder mask, in order. */
export const threadsOfMask = (mask: number): Array<number> => {
  const threads: Array<number> = []
  for (let rest = mask >>> 0; rest !== 0; rest = (rest & (rest - 1)) >>> 0) threads.push(31 - Math.clz32(rest & -rest))
  return threads
}

/** FNV-1a of UTF-8 bytes, never 0. */
export const hashBytes = (bytes: Uint8Array): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ (bytes[i] as number), 0x01000193)
  return h === 0 ? 1 : h
}

/**
 * Views on a shared manager's buffer and the atomic steps every thread runs on it.
 *
 * @internal
 */
export class Ledger {
  readonly buffer: SharedArrayBuffer
  readonly layout: Layout
  readonly header: Int32Array
  /** The header as BigInt64 words (the free slot list's head is `head64[FREE_HEAD64]`). */
  private readonly head64: BigInt64Array
  readonly typesBig: BigInt64Array
  readonly typesInt: Int32Array
  readonly threadsInt: Int32Array
  readonly threadsBig: BigInt64Array
  readonly slotsInt: Int32Array
  readonly slotsBig: BigInt64Array
  readonly slotsTime: Float64Array
  readonly slotsName: Uint8Array
  readonly waitersInt: Int32Array
  readonly waitersBig: BigInt64Array
  readonly waitersName: Uint8Array
  readonly names: Int32Array
  readonly events: Int32Array
  readonly typeCount: number
  readonly maxThreads: number
  readonly maxResources: number
  readonly maxWaiters: number
  private readonly budgets: Array<CachedBudget>
  /** The last size `prepareSlot` converted, and its BigInt (sizes repeat: one conversion for a run of them). */
  private lastSize = 0
  private lastSizeBig = 0n
  /** Whether `Atomics.wait` may block this thread (not a browser's main thread). */
  private canBlock = true
  /**
   * Called now and then while this thread waits for the lock (its heartbeat; in the creator, the reaping of lost
   * threads: a lock left by a terminated thread is freed only by the reaper, which may be the one waiting).
   */
  onStall: (() => void) | undefined = undefined
  private stalling = false

  constructor(buffer: SharedArrayBuffer) {
    const header = new Int32Array(buffer, 0, HEADER_WORDS)
    this.buffer = buffer
    this.header = header
    this.head64 = new BigInt64Array(buffer, 0, HEADER_WORDS / 2)
    this.typeCount = header[H.typeCount] as number
    this.maxThreads = header[H.maxThreads] as number
    this.maxResources = header[H.maxResources] as number
    this.maxWaiters = header[H.maxWaiters] as number
    const l = layoutOf(
      this.typeCount,
      this.maxThreads,
      this.maxResources,
      this.maxWaiters,
      header[H.configLength] as number
    )
    this.layout = l
    this.typesBig = new BigInt64Array(buffer, l.typesBig, this.typeCount * TYPE_BIG_WORDS)
    this.typesInt = new Int32Array(buffer, l.typesInt, this.typeCount * TYPE_INT_WORDS)
    this.threadsInt = new Int32Array(buffer, l.threadsInt, this.maxThreads * THREAD_INT_WORDS)
    this.threadsBig = new BigInt64Array(buffer, l.threadsBig, this.maxThreads * this.typeCount * THREAD_TYPE_WORDS)
    this.slotsInt = new Int32Array(buffer, l.slotsInt, this.maxResources * SLOT_INT_WORDS)
    this.slotsBig = new BigInt64Array(buffer, l.slotsBig, this.maxResources * SLOT_BIG_WORDS)
    this.slotsTime = new Float64Array(buffer, l.slotsTime, this.maxResources)
    this.slotsName = new Uint8Array(buffer, l.slotsName, this.maxResources * NAME_BYTES)
    this.waitersInt = new Int32Array(buffer, l.waitersInt, this.maxWaiters * WAITER_INT_WORDS)
    this.waitersBig = new BigInt64Array(buffer, l.waitersBig, this.maxWaiters)
    this.waitersName = new Uint8Array(buffer, l.waitersName, this.maxWaiters * NAME_BYTES)
    this.names = new Int32Array(buffer, l.names, l.nameCapacity)
    this.events = new Int32Array(buffer, l.events, EVENT_RING * EVENT_WORDS)
    this.budgets = Array.from({ length: this.typeCount }, () => ({
      seq: -1,
      budget: undefined,
      limit: 0n,
      criticalLimit: 0n
    }))
  }

  /** Lays out a fresh buffer: every slot free (generation 1), every type unlimited. */
  static initialize(
    buffer: SharedArrayBuffer,
    sizes: {
      types: number
      threads: number
      slots: number
      waiters: number
      config: Uint8Array
      lostAfterMillis: number
    },
    managerId: number
  ): void {
    const header = new Int32Array(buffer, 0, HEADER_WORDS)
    const l = layoutOf(sizes.types, sizes.threads, sizes.slots, sizes.waiters, sizes.config.length)
    header[H.version] = LAYOUT_VERSION
    header[H.typeCount] = sizes.types
    header[H.maxThreads] = sizes.threads
    header[H.maxResources] = sizes.slots
    header[H.maxWaiters] = sizes.waiters
    header[H.lostAfterMillis] = sizes.lostAfterMillis
    header[H.managerId] = managerId
    header[H.configLength] = sizes.config.length
    new Uint8Array(buffer, l.config, sizes.config.length).set(sizes.config)
    const slotsInt = new Int32Array(buffer, l.slotsInt, sizes.slots * SLOT_INT_WORDS)
    const slotsBig = new BigInt64Array(buffer, l.slotsBig, sizes.slots * SLOT_BIG_WORDS)
    for (let i = 0; i < sizes.slots; i++) {
      slotsInt[i * SLOT_INT_WORDS + S.next] = i + 1 < sizes.slots ? i + 2 : 0
      slotsBig[i * SLOT_BIG_WORDS + SB.holders] = 1n << 32n
    }
    new BigInt64Array(buffer, 0, HEADER_WORDS / 2)[FREE_HEAD64] = 1n // slot 0, version 0
    Atomics.store(header, H.magic, MAGIC)
  }

  /** The config JSON's bytes. */
  configBytes(): Uint8Array {
    return new Uint8Array(this.buffer, this.layout.config, this.header[H.configLength] as number).slice()
  }

  get closed(): boolean {
    return Atomics.load(this.header, H.closed) !== 0
  }

  // ---------------------------------------------------------------- budgets

  /** The type's budget, or undefined when it has none (re-read after a change, under its sequence lock). */
  budget(type: number): ResourceBudget | undefined {
    const cached = this.budgets[type] as CachedBudget
    const ti = type * TYPE_INT_WORDS
    const seq = Atomics.load(this.typesInt, ti + TI.budgetSeq)
    if (seq === cached.seq) return cached.budget
    for (;;) {
      const before = Atomics.load(this.typesInt, ti + TI.budgetSeq)
      if ((before & 1) === 1) continue
      const tb = type * TYPE_BIG_WORDS
      const has = Atomics.load(this.typesBig, tb + T.hasBudget) !== 0n
      const budget = has
        ? Object.freeze({
            maxBytes: Number(Atomics.load(this.typesBig, tb + T.maxBytes)),
            reservedBytes: Number(Atomics.load(this.typesBig, tb + T.reservedBytes)),
            warningPercent: Number(Atomics.load(this.typesBig, tb + T.warning)) / PPM,
            criticalPercent: Number(Atomics.load(this.typesBig, tb + T.critical)) / PPM
          })
        : undefined
      if (Atomics.load(this.typesInt, ti + TI.budgetSeq) !== before) continue
      cached.seq = before
      cached.budget = budget
      if (budget !== undefined) {
        cached.limit = Ledger.limitOf(budget, 0)
        cached.criticalLimit = Ledger.limitOf(budget, CRITICAL_RANK)
      }
      return budget
    }
  }

  /** Installs (or with undefined removes) a type's budget. Call under the lock. */
  writeBudget(type: number, budget: ResourceBudget | undefined): void {
    const ti = type * TYPE_INT_WORDS
    const tb = type * TYPE_BIG_WORDS
    Atomics.add(this.typesInt, ti + TI.budgetSeq, 1)
    if (budget === undefined) {
      Atomics.store(this.typesBig, tb + T.hasBudget, 0n)
    } else {
      Atomics.store(this.typesBig, tb + T.maxBytes, BigInt(budget.maxBytes))
      Atomics.store(this.typesBig, tb + T.reservedBytes, BigInt(budget.reservedBytes))
      Atomics.store(this.typesBig, tb + T.warning, BigInt(Math.round(budget.warningPercent * PPM)))
      Atomics.store(this.typesBig, tb + T.critical, BigInt(Math.round(budget.criticalPercent * PPM)))
      Atomics.store(this.typesBig, tb + T.hasBudget, 1n)
    }
    Atomics.add(this.typesInt, ti + TI.budgetSeq, 1)
  }

  /** `limit(p)` of a budget as a BigInt: maxBytes, less the reserve unless Critical. */
  static limitOf(budget: ResourceBudget, priority: number): bigint {
    return BigInt(priority === CRITICAL_RANK ? budget.maxBytes : budget.maxBytes - budget.reservedBytes)
  }

  /** `limitOf(budget(type), priority)` from the cache: call right after `budget(type)` returned a budget. */
  private cachedLimit(type: number, priority: number): bigint {
    const cached = this.budgets[type] as CachedBudget
    return priority === CRITICAL_RANK ? cached.criticalLimit : cached.limit
  }

  usage(type: number): bigint {
    return Atomics.load(this.typesBig, type * TYPE_BIG_WORDS + T.usage)
  }

  /** Waiters of the type at priority rank `priority` or higher. */
  waitingAtOrAbove(type: number, priority: number): number {
    const ti = type * TYPE_INT_WORDS + TI.waiting
    let n = 0
    for (let rank = priority; rank <= CRITICAL_RANK; rank++) n += Atomics.load(this.typesInt, ti + rank)
    return n
  }

  waitingOf(type: number): number {
    return this.waitingAtOrAbove(type, 0)
  }

  // ---------------------------------------------------------------- slots

  /** Takes a free slot off the tagged free list, or -1 when the table is full. */
  popSlot(): number {
    const head64 = this.head64
    for (;;) {
      const head = Atomics.load(head64, FREE_HEAD64)
      const index = maskOf(head) - 1 // the head is (version << 32) | (slot + 1): its halves
      if (index < 0) return -1
      const next = Atomics.load(this.slotsInt, index * SLOT_INT_WORDS + S.next)
      const tagged = wordOf(generationOf(head) + 1, next)
      if (Atomics.compareExchange(head64, FREE_HEAD64, head, tagged) === head) return index
    }
  }

  /** Puts a freed slot back on the free list. */
  pushSlot(slot: number): void {
    const head64 = this.head64
    for (;;) {
      const head = Atomics.load(head64, FREE_HEAD64)
      Atomics.store(this.slotsInt, slot * SLOT_INT_WORDS + S.next, maskOf(head))
      const tagged = wordOf(generationOf(head) + 1, slot + 1)
      if (Atomics.compareExchange(head64, FREE_HEAD64, head, tagged) === head) return
    }
  }

  /** Writes what a slot about to be charged describes (it is not live until `admit` commits it). */
  prepareSlot(
    slot: number,
    type: number,
    size: number,
    owner: number,
    priority: number,
    name: Uint8Array | undefined,
    hash: number
  ): void {
    const si = slot * SLOT_INT_WORDS
    this.slotsInt[si + S.type] = type
    this.slotsInt[si + S.owner] = owner
    this.slotsInt[si + S.priority] = priority
    this.slotsInt[si + S.emergency] = 0
    this.slotsInt[si + S.pool] = 0
    this.slotsInt[si + S.nameLength] = name === undefined ? 0 : name.length
    this.slotsInt[si + S.nameHash] = name === undefined ? 0 : hash
    if (name !== undefined) this.slotsName.set(name, slot * NAME_BYTES)
    if (size !== this.lastSize) {
      this.lastSize = size
      this.lastSizeBig = BigInt(size)
    }
    this.slotsBig[slot * SLOT_BIG_WORDS + SB.size] = this.lastSizeBig
    this.slotsBig[slot * SLOT_BIG_WORDS + SB.overage] = 0n
    this.slotsTime[slot] = Date.now()
  }

  holders(slot: number): bigint {
    return Atomics.load(this.slotsBig, slot * SLOT_BIG_WORDS + SB.holders)
  }

  sizeOf(slot: number): number {
    return Number(this.slotsBig[slot * SLOT_BIG_WORDS + SB.size])
  }

  typeOf(slot: number): number {
    return this.slotsInt[slot * SLOT_INT_WORDS + S.type] as number
  }

  ownerOf(slot: number): number {
    return this.slotsInt[slot * SLOT_INT_WORDS + S.owner] as number
  }

  nameOf(slot: number): Uint8Array {
    const length = this.slotsInt[slot * SLOT_INT_WORDS + S.nameLength] as number
    if (length === 0) return NO_NAME
    return this.slotsName.subarray(slot * NAME_BYTES, slot * NAME_BYTES + length)
  }

  createdAt(slot: number): number {
    return this.slotsTime[slot] as number
  }

  // ---------------------------------------------------------------- admission and release

  /**
   * Charges a prepared slot to its type and makes it live, held by `thread`: the fit check and the charge
   * are one compare-and-swap on the usage word (retried when another thread moved it). With `ignoreQueue`
   * (a grant under the lock) waiters are not looked at; otherwise a waiter of the request's priority or
   * higher means `Queued`. Emergency is admitted over budget.
   */
  admit(slot: number, thread: number, emergency: boolean, ignoreQueue: boolean): number {
    const si = slot * SLOT_INT_WORDS
    const type = this.slotsInt[si + S.type] as number
    const priority = this.slotsInt[si + S.priority] as number
    const sb = slot * SLOT_BIG_WORDS
    const size = this.slotsBig[sb + SB.size] as bigint
    const tb = type * TYPE_BIG_WORDS
    const rb = (thread * this.typeCount + type) * THREAD_TYPE_WORDS
    const free = Atomics.load(this.slotsBig, sb + SB.holders)
    const live = withMask(free, (1 << thread) >>> 0)
    const budget = this.budget(type)
    if (!ignoreQueue && !emergency && budget !== undefined && this.waitingAtOrAbove(type, priority) > 0) {
      return Admit.Queued
    }
    const limit = budget === undefined ? -1n : this.cachedLimit(type, priority)
    const usageWord = tb + T.usage
    let after: bigint
    if (limit < 0n) {
      after = Atomics.add(this.typesBig, usageWord, size) + size
      Atomics.store(this.slotsBig, sb + SB.holders, live)
      Atomics.add(this.threadsBig, rb + RT.usage, size)
    } else {
      for (;;) {
        const usage = Atomics.load(this.typesBig, usageWord)
        after = usage + size
        if (after <= limit) {
          if (emergency) {
            // an earlier round may have marked the slot over budget
            Atomics.store(this.slotsBig, sb + SB.overage, 0n)
            Atomics.store(this.slotsInt, si + S.emergency, 0)
          }
          if (Atomics.compareExchange(this.typesBig, usageWord, usage, after) !== usage) continue
          Atomics.store(this.slotsBig, sb + SB.holders, live)
          Atomics.add(this.threadsBig, rb + RT.usage, size)
          break
        }
        if (!emergency) return Admit.NoFit
        const over = after - limit
        const overage = over < size ? over : size
        // The slot is marked and the overage counted before the usage that carries it: a live slot over budget
        // always has its mark and overage, and at no instant does usage − emergencyBytes exceed maxBytes.
        Atomics.store(this.slotsBig, sb + SB.overage, overage)
        Atomics.store(this.slotsInt, si + S.emergency, 1)
        Atomics.add(this.typesBig, tb + T.emergencyBytes, overage)
        if (Atomics.compareExchange(this.typesBig, usageWord, usage, after) !== usage) {
          Atomics.sub(this.typesBig, tb + T.emergencyBytes, overage)
          continue
        }
        Atomics.store(this.slotsBig, sb + SB.holders, live)
        Atomics.add(this.threadsBig, rb + RT.usage, size)
        Atomics.add(this.typesBig, tb + T.emergencyCount, 1n)
        break
      }
    }
    Atomics.add(this.typesBig, tb + T.allocations, 1n)
    Atomics.add(this.threadsBig, rb + RT.allocations, 1n)
    this.raisePeak(tb, after)
    return Admit.Admitted
  }

  /**
   * Makes a prepared slot live, held by `thread`, served by block `block` of pool `pool`: nothing is charged (the
   * pool's capacity is), no fit or queue check applies.
   */
  admitPooled(slot: number, thread: number, pool: number, block: number): void {
    const si = slot * SLOT_INT_WORDS
    const type = this.slotsInt[si + S.type] as number
    const sb = slot * SLOT_BIG_WORDS
    const tb = type * TYPE_BIG_WORDS
    const rb = (thread * this.typeCount + type) * THREAD_TYPE_WORDS
    const free = Atomics.load(this.slotsBig, sb + SB.holders)
    const live = withMask(free, (1 << thread) >>> 0)
    this.slotsInt[si + S.pool] = pool + 1
    this.slotsInt[si + S.block] = block
    Atomics.store(this.slotsBig, sb + SB.holders, live)
    Atomics.add(this.typesBig, tb + T.allocations, 1n)
    Atomics.add(this.threadsBig, rb + RT.allocations, 1n)
  }

  /** The pool serving a slot (-1: none) and its block handle. */
  poolOf(slot: number): number {
    return (this.slotsInt[slot * SLOT_INT_WORDS + S.pool] as number) - 1
  }

  blockOf(slot: number): number {
    return this.slotsInt[slot * SLOT_INT_WORDS + S.block] as number
  }

  /** Charges a pool's capacity to its type at creation (before any thread attaches). */
  chargeCapacity(type: number, bytes: number): void {
    const tb = type * TYPE_BIG_WORDS
    const after = Atomics.add(this.typesBig, tb + T.usage, BigInt(bytes)) + BigInt(bytes)
    this.raisePeak(tb, after)
  }

  private raisePeak(tb: number, usage: bigint): void {
    for (;;) {
      const peak = Atomics.load(this.typesBig, tb + T.peak)
      if (usage <= peak || Atomics.compareExchange(this.typesBig, tb + T.peak, peak, usage) === peak) return
    }
  }

  /**
   * Drops `thread`'s hold on a slot of generation `generation`: 1 when the resource is still held by others,
   * 2 when this was the last hold and the resource is freed (its bytes uncharged; the caller then removes its
   * name and pushes the slot back), 0 when the handle is stale or the thread holds nothing.
   */
  dropHold(slot: number, generation: number, thread: number): 0 | 1 | 2 {
    const sb = slot * SLOT_BIG_WORDS
    const bit = (1 << thread) >>> 0
    const si = slot * SLOT_INT_WORDS
    for (;;) {
      const word = Atomics.load(this.slotsBig, sb + SB.holders)
      const mask = maskOf(word)
      if (generationOf(word) !== generation || (mask & bit) === 0) return 0
      const rest = (mask & ~bit) >>> 0
      if (rest !== 0) {
        if (Atomics.compareExchange(this.slotsBig, sb + SB.holders, word, withMask(word, rest)) === word) {
          return 1
        }
        continue
      }
      const type = this.slotsInt[si + S.type] as number
      const owner = this.slotsInt[si + S.owner] as number
      const tb = type * TYPE_BIG_WORDS
      const rb = (owner * this.typeCount + type) * THREAD_TYPE_WORDS
      const size = (this.slotsInt[si + S.pool] as number) === 0 ? (this.slotsBig[sb + SB.size] as bigint) : 0n
      const overage = this.slotsBig[sb + SB.overage] as bigint
      const overBudget = overage !== 0n
      const next = wordOf((generation + 1) & GENERATION_MASK || 1, 0)
      if (Atomics.compareExchange(this.slotsBig, sb + SB.holders, word, next) !== word) continue
      Atomics.sub(this.typesBig, tb + T.usage, size)
      Atomics.sub(this.threadsBig, rb + RT.usage, size)
      if (overBudget) Atomics.sub(this.typesBig, tb + T.emergencyBytes, overage)
      Atomics.add(this.typesBig, tb + T.releases, 1n)
      Atomics.add(this.threadsBig, rb + RT.releases, 1n)
      return 2
    }
  }

  /**
   * Live resources of a type: its allocations less its releases (no counter of its own on the hot path). The
   * releases are read first: a resource is counted released only after it was counted allocated, so the
   * difference never goes below the live count of the moment of that first read.
   */
  liveOf(type: number): number {
    return this.liveIn(this.typesBig, type * TYPE_BIG_WORDS + T.allocations, type * TYPE_BIG_WORDS + T.releases)
  }

  /** Live resources `thread` acquired, of every type (released ones count in their acquirer's words). */
  threadLive(thread: number): number {
    let live = 0
    for (let type = 0; type < this.typeCount; type++) {
      const rb = (thread * this.typeCount + type) * THREAD_TYPE_WORDS
      live += this.liveIn(this.threadsBig, rb + RT.allocations, rb + RT.releases)
    }
    return live
  }

  private liveIn(words: BigInt64Array, allocationsAt: number, releasesAt: number): number {
    const releases = Atomics.load(words, releasesAt)
    return Number(Atomics.load(words, allocationsAt) - releases)
  }

  /** Adds `thread` as a holder of a live slot: false when stale, released, or already held by it. */
  addHold(slot: number, generation: number, thread: number): "ok" | "stale" | "held" {
    const sb = slot * SLOT_BIG_WORDS
    const bit = (1 << thread) >>> 0
    for (;;) {
      const word = Atomics.load(this.slotsBig, sb + SB.holders)
      const mask = maskOf(word)
      if (generationOf(word) !== generation || mask === 0) return "stale"
      if ((mask & bit) !== 0) return "held"
      const next = withMask(word, (mask | bit) >>> 0)
      if (Atomics.compareExchange(this.slotsBig, sb + SB.holders, word, next) === word) return "ok"
    }
  }

  /** Counts a failed request of a type, in the type and in the thread. */
  countFailure(type: number, thread: number): void {
    Atomics.add(this.typesBig, type * TYPE_BIG_WORDS + T.failures, 1n)
    Atomics.add(this.threadsBig, (thread * this.typeCount + type) * THREAD_TYPE_WORDS + RT.failures, 1n)
  }

  // ---------------------------------------------------------------- the lock

  /**
   * Takes the slow-path lock (spins, then blocks briefly where the thread may block). While it waits, the thread's
   * heartbeat goes on (waiting for a lock is not being lost) and `onStall` runs every 16 rounds.
   */
  lock(thread: number): void {
    const me = thread + 1
    for (let spins = 0; ; spins++) {
      const held = Atomics.compareExchange(this.header, H.lock, 0, me)
      if (held === 0) return
      if (spins > 64 && this.canBlock) {
        try {
          Atomics.wait(this.header, H.lock, held, 1)
        } catch {
          this.canBlock = false
        }
      }
      if (spins > 64 && (spins & 15) === 0) this.stall(thread)
    }
  }

  private stall(thread: number): void {
    Atomics.add(this.threadsInt, thread * THREAD_INT_WORDS + R.heartbeat, 1)
    if (this.onStall === undefined || this.stalling) return
    this.stalling = true
    try {
      this.onStall()
    } finally {
      this.stalling = false
    }
  }

  unlock(thread: number): void {
    Atomics.compareExchange(this.header, H.lock, thread + 1, 0)
    Atomics.notify(this.header, H.lock, 1)
  }

  // ---------------------------------------------------------------- lock-free steps and repair

  /** Marks this thread inside a lock-free step (bit 0 of its step word); waits (beating) while a repair runs. */
  enterStep(thread: number): void {
    const step = thread * THREAD_INT_WORDS + R.step
    for (;;) {
      Atomics.or(this.threadsInt, step, 1)
      if (Atomics.load(this.header, H.repair) === 0) return
      Atomics.and(this.threadsInt, step, ~1)
      Atomics.notify(this.threadsInt, step)
      this.pause(this.header, H.repair, 1)
      this.stall(thread)
    }
  }

  leaveStep(thread: number): void {
    const step = thread * THREAD_INT_WORDS + R.step
    Atomics.and(this.threadsInt, step, ~1)
    if (Atomics.load(this.header, H.repair) !== 0) Atomics.notify(this.threadsInt, step)
  }

  /** Records (slot ≥ 0, inside a step) or clears (-1) the freed slot this thread puts back under the lock. */
  setPending(thread: number, slot: number): void {
    const step = thread * THREAD_INT_WORDS + R.step
    Atomics.store(this.threadsInt, step, ((slot + 1) << 1) | (Atomics.load(this.threadsInt, step) & 1))
  }

  /** The freed slot a thread puts back under the lock, or -1. */
  pendingOf(thread: number): number {
    return (Atomics.load(this.threadsInt, thread * THREAD_INT_WORDS + R.step) >>> 1) - 1
  }

  /** Calls `visit` with each slot on the free list, head first (at most maxResources of them). */
  forEachFree(visit: (slot: number) => void): void {
    let at = maskOf(Atomics.load(this.head64, FREE_HEAD64)) - 1
    for (let n = 0; at >= 0 && n < this.maxResources; n++) {
      visit(at)
      at = (Atomics.load(this.slotsInt, at * SLOT_INT_WORDS + S.next) as number) - 1
    }
  }

  /**
   * Under the lock: stops the lock-free steps and waits until no attached thread but `lost` ones is inside one.
   * Returns the threads still inside one after `patienceMillis` (then lost too). `resume` lets them go on.
   */
  quiesce(self: number, lost: ReadonlySet<number>, patienceMillis: number): Array<number> {
    Atomics.store(this.header, H.repair, 1)
    const end = Date.now() + patienceMillis
    for (;;) {
      const busy: Array<number> = []
      for (let t = 0; t < this.maxThreads; t++) {
        const at = t * THREAD_INT_WORDS
        if (t === self || lost.has(t) || Atomics.load(this.threadsInt, at + R.claim) === 0) continue
        if ((Atomics.load(this.threadsInt, at + R.step) & 1) !== 0) busy.push(t)
      }
      if (busy.length === 0 || Date.now() > end) return busy
      const first = (busy[0] as number) * THREAD_INT_WORDS + R.step
      this.pause(this.threadsInt, first, Atomics.load(this.threadsInt, first))
      Atomics.add(this.threadsInt, self * THREAD_INT_WORDS + R.heartbeat, 1)
    }
  }

  resume(): void {
    Atomics.store(this.header, H.repair, 0)
    Atomics.notify(this.header, H.repair)
  }

  /** Blocks up to 1 ms while `array[index]` is `value` (returns at once where the thread may not block). */
  private pause(array: Int32Array, index: number, value: number): void {
    if (!this.canBlock) return
    try {
      Atomics.wait(array, index, value, 1)
    } catch {
      this.canBlock = false
    }
  }

  /** Frees the lock when `thread` (lost) held it. */
  forceUnlock(thread: number): void {
    this.unlock(thread)
  }

  // ---------------------------------------------------------------- names (under the lock)

  /** The live slot holding this name, or -1. */
  findName(name: Uint8Array, hash: number): number {
    const capacity = this.names.length
    for (let i = 0, at = hash & (capacity - 1); i < capacity; i++, at = (at + 1) & (capacity - 1)) {
      const entry = this.names[at] as number
      if (entry === NAME_EMPTY) return -1
      if (entry === NAME_TOMBSTONE) continue
      const slot = entry - 1
      if (this.slotsInt[slot * SLOT_INT_WORDS + S.nameHash] !== hash) continue
      if (maskOf(this.holders(slot)) === 0 || !sameBytes(this.nameOf(slot), name)) continue
      return slot
    }
    return -1
  }

  /** Records a live slot's name (its bytes are in the slot). */
  insertName(slot: number, hash: number): void {
    const capacity = this.names.length
    for (let i = 0, at = hash & (capacity - 1); i < capacity; i++, at = (at + 1) & (capacity - 1)) {
      const entry = this.names[at] as number
      const dead = entry !== NAME_EMPTY && entry !== NAME_TOMBSTONE && maskOf(this.holders(entry - 1)) === 0
      if (entry === NAME_EMPTY || entry === NAME_TOMBSTONE || dead) {
        this.names[at] = slot + 1
        return
      }
    }
  }

  /** Forgets a slot's name entry. */
  removeName(slot: number, hash: number): void {
    const capacity = this.names.length
    for (let i = 0, at = hash & (capacity - 1); i < capacity; i++, at = (at + 1) & (capacity - 1)) {
      const entry = this.names[at] as number
      if (entry === NAME_EMPTY) return
      if (entry === slot + 1) {
        this.names[at] = NAME_TOMBSTONE
        return
      }
    }
  }

  // ---------------------------------------------------------------- waiters (under the lock)

  /** A free wait-queue entry, or -1. */
  freeWaiter(): number {
    for (let i = 0; i < this.maxWaiters; i++) {
      if (this.waitersInt[i * WAITER_INT_WORDS + W.state] === WaiterState.Free) return i
    }
    return -1
  }

  waiterName(entry: number): Uint8Array {
    const length = this.waitersInt[entry * WAITER_INT_WORDS + W.nameLength] as number
    return this.waitersName.subarray(entry * NAME_BYTES, entry * NAME_BYTES + length)
  }

  // ---------------------------------------------------------------- pressure and bells

  /** Re-derives a type's pressure level from its usage; returns the [from, to] change this thread made, if any. */
  settleLevel(type: number): [number, number] | undefined {
    const ti = type * TYPE_INT_WORDS + TI.level
    for (let round = 0; round < 8; round++) {
      const budget = this.budget(type)
      const level = budget === undefined ? 0 : pressureLevel(budget, Number(this.usage(type)))
      const old = Atomics.load(this.typesInt, ti)
      if (old === level) return undefined
      if (Atomics.compareExchange(this.typesInt, ti, old, level) === old) return [old, level]
    }
    return undefined
  }

  level(type: number): number {
    return Atomics.load(this.typesInt, type * TYPE_INT_WORDS + TI.level)
  }

  /** Appends a pressure event to the ring and rings every attached thread. */
  publish(type: number, from: number, to: number): void {
    const seq = Atomics.add(this.header, H.eventSeq, 1)
    const at = (seq % EVENT_RING) * EVENT_WORDS
    Atomics.store(this.events, at + 1, type)
    Atomics.store(this.events, at + 2, from)
    Atomics.store(this.events, at + 3, to)
    Atomics.store(this.events, at, seq + 1)
    this.ringAll()
  }

  /** Wakes one thread's listener. */
  ring(thread: number): void {
    const at = thread * THREAD_INT_WORDS + R.bell
    Atomics.add(this.threadsInt, at, 1)
    Atomics.notify(this.threadsInt, at)
  }

  ringAll(): void {
    for (let t = 0; t < this.maxThreads; t++) {
      if (Atomics.load(this.threadsInt, t * THREAD_INT_WORDS + R.claim) !== 0) this.ring(t)
    }
  }
}

export const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
