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
import { burstClock } from "../burst-clock.ts"
import { pressureLevelAbove, pressureWithHysteresis } from "../pressure.ts"
import { inRingInterval } from "../ring.ts"
import { bump, readCounter, writeCounter } from "./counter.ts"
import {
  EVENT_RING,
  EVENT_WORDS,
  GENERATION_MASK,
  H,
  HEADER_WORDS,
  LAYOUT_VERSION,
  type Layout,
  layoutOf,
  MAGIC,
  NAME_BYTES,
  NAME_EMPTY,
  R,
  RT,
  S,
  SLOT_INT_WORDS,
  SLOT_NUM_WORDS,
  SN,
  T,
  THREAD_INT_WORDS,
  THREAD_TYPE_WORDS,
  ThreadFlags,
  TI,
  TYPE_BIG_WORDS,
  TYPE_INT_WORDS,
  W,
  WAITER_INT_WORDS,
  WaiterState
} from "./layout.ts"

/**
 * A double's bits as a BigInt64 (and back), or as two Int32 words: the ledger keeps the percents of the config
 * and of the budgets exactly as given (docs/semantics.md section 8 compares them exactly), in words that
 * Atomics reads and writes.
 */
const scratch = new Float64Array(1)
const scratchBits = new BigInt64Array(scratch.buffer)
const scratchWords = new Int32Array(scratch.buffer)
const bitsOf = (value: number): bigint => {
  scratch[0] = value
  return scratchBits[0] as bigint
}
const doubleOf = (bits: bigint): number => {
  scratchBits[0] = bits
  return scratch[0] as number
}
const CRITICAL_RANK = 3
/** What an unnamed slot's name is (one shared empty array, not a view made per call). */
const NO_NAME = new Uint8Array(0)

/**
 * What a fast admission did. `Sweep`: the request does not fit, or is over budget, on a usage that may count
 * leased bytes; it is decided again under the lock once leasing is off (`Ledger.turnOffLeasing`).
 */
export const Admit = { Admitted: 0, NoFit: 1, Queued: 2, Sweep: 3, Fenced: 4 } as const

/** `takeSlot`'s answer when this thread was reaped (`Ledger.fenced`): it takes no slot. */
export const FENCED_SLOT = -2

/** `dropHold`'s answer when this thread was found reaped in the middle of the release (`Ledger.fenced`). */
export const DROP_FENCED = 3

/** An admission's attempts before it asks for a lease again after one was refused. */
const LEASE_RETRY = 64

/** The budget of a type as the ledger holds it, re-read when its sequence moves (with its limits as BigInts). */
interface CachedBudget {
  seq: number
  budget: ResourceBudget | undefined
  /** `limitOf(budget, p)` below Critical, and at Critical (unused while `budget` is undefined). */
  limit: bigint
  criticalLimit: bigint
  /**
   * The lease ceiling (`leaseCeilingOf`): leases are taken only while usage stays at or below it; -1 when the
   * type has no budget or leasing is off for good.
   */
  ceiling: number
  ceilingBig: bigint
}

/**
 * The highest usage at which a type's pressure level is None whatever the level before (the hysteresis
 * included) and the reserve untouched: every usage at or below it, the live bytes included, has level None.
 */
const leaseCeilingOf = (budget: ResourceBudget, hysteresisPercent: number): number => {
  const max = budget.maxBytes
  const hysteresis = (max * hysteresisPercent) / 100
  const below = Math.floor(Math.min((budget.warningPercent * max) / 100, max - budget.reservedBytes) - hysteresis)
  // the arithmetic above may be a byte off where the level functions are exact: step down to their answer
  let ceiling = below
  while (ceiling >= 0 && pressureLevelAbove(budget, ceiling, hysteresisPercent) !== 0) ceiling--
  return Math.max(-1, ceiling)
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
  readonly typesBig: BigInt64Array
  readonly typesInt: Int32Array
  readonly threadsInt: Int32Array
  /** Per thread and type: the counters (`RT`, each an Int32 pair of `counter.ts`). */
  readonly threadCounters: Int32Array
  readonly slotsInt: Int32Array
  readonly slotsNum: Float64Array
  readonly slotsName: Uint8Array
  /** One bit per slot, set while the slot is taken (`takeSlot` … `returnSlot`). */
  readonly inUse: Int32Array
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
  /** The last size `bigSize` converted, and its BigInt. */
  private lastSize = 0
  private lastSizeBig = 0n
  /** Per type, the usage this thread saw last (its admissions start from it: `admit`). */
  private readonly usageSeen: Array<bigint>
  /** Per type, a peak this thread has seen (peaks only grow): a usage at or below it need not read the peak word. */
  private readonly peakSeen: Float64Array
  /** The in-use word this thread looks at first (threads start apart, so they seldom touch the same word). */
  private hint = 0
  /** This thread's row in `threadsInt` once `bind` ran (-1: not bound, the header is read). */
  private row = -1
  /** The budget epoch the cached budgets were read at. */
  private budgetEpoch = -1
  /** The config's `hysteresisPercent`, exactly as given. */
  private readonly hysteresisPercent: number
  /** The clock of the slots' `createdAt` (read once per synchronous burst). */
  private readonly now = burstClock()
  /**
   * The type's usage right after this thread's last admission or freeing `dropHold` (-1 when it left usage as it
   * was: a pooled resource): `settleAfterStep` starts from it, so that the common case, no level change, reads no
   * BigInt word.
   */
  private lastUsage = -1
  /** Whether `Atomics.wait` may block this thread (not a browser's main thread). */
  private canBlock = true
  /**
   * Called now and then while this thread waits for the lock (its heartbeat; in the creator, the reaping of lost
   * threads: a lock left by a terminated thread is freed only by the reaper, which may be the one waiting).
   */
  onStall: (() => void) | undefined = undefined
  private stalling = false
  /**
   * The bytes of budget this thread leases at a time (the config's `leaseBytes`, at most 2^29 so that a lease word
   * of two chunks fits an Int32; 0: leasing is off for good).
   */
  readonly leaseChunk: number
  private readonly leaseChunkBig: bigint
  /** This thread's index once bound (-1: not bound). */
  private self = -1
  /** This thread's epoch (its row's `R.epoch`) when it bound: the reaper moves the row's on (`fenced`). */
  private epoch = 0
  /** Whether this thread holds the lock. */
  private locked = false
  /** Per type: the admissions this thread makes before it asks for a lease again. */
  private readonly leaseSkip: Int32Array
  /**
   * A type whose last step by this thread left usage above the lease ceiling while leasing may have been on: its
   * level is settled under the lock, leasing turned off first (-1: none).
   */
  private sweepType = -1
  /** A type this thread asks a lease of once its step is over (`takeLease`; -1: none). */
  leaseWanted = -1

  constructor(buffer: SharedArrayBuffer) {
    const header = new Int32Array(buffer, 0, HEADER_WORDS)
    this.buffer = buffer
    this.header = header
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
    this.threadCounters = new Int32Array(buffer, l.threadCounters, this.maxThreads * this.typeCount * THREAD_TYPE_WORDS)
    this.slotsInt = new Int32Array(buffer, l.slotsInt, this.maxResources * SLOT_INT_WORDS)
    this.slotsNum = new Float64Array(buffer, l.slotsNum, this.maxResources * SLOT_NUM_WORDS)
    this.slotsName = new Uint8Array(buffer, l.slotsName, this.maxResources * NAME_BYTES)
    this.inUse = new Int32Array(buffer, l.inUse, Math.ceil(this.maxResources / 32))
    this.peakSeen = new Float64Array(this.typeCount)
    this.usageSeen = new Array<bigint>(this.typeCount).fill(0n)
    scratchWords[0] = header[H.hysteresis] as number
    scratchWords[1] = header[H.hysteresis + 1] as number
    this.hysteresisPercent = scratch[0] as number
    this.waitersInt = new Int32Array(buffer, l.waitersInt, this.maxWaiters * WAITER_INT_WORDS)
    this.waitersBig = new BigInt64Array(buffer, l.waitersBig, this.maxWaiters)
    this.waitersName = new Uint8Array(buffer, l.waitersName, this.maxWaiters * NAME_BYTES)
    this.names = new Int32Array(buffer, l.names, l.nameCapacity)
    this.events = new Int32Array(buffer, l.events, EVENT_RING * EVENT_WORDS)
    this.budgets = Array.from({ length: this.typeCount }, () => ({
      seq: -1,
      budget: undefined,
      limit: 0n,
      criticalLimit: 0n,
      ceiling: -1,
      ceilingBig: -1n
    }))
    this.leaseChunk = header[H.leaseChunk] as number
    this.leaseChunkBig = BigInt(this.leaseChunk)
    this.leaseSkip = new Int32Array(this.typeCount)
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
      hysteresisPercent: number
      leaseBytes: number
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
    scratch[0] = sizes.hysteresisPercent
    header[H.hysteresis] = scratchWords[0] as number
    header[H.hysteresis + 1] = scratchWords[1] as number
    header[H.managerId] = managerId
    header[H.configLength] = sizes.config.length
    header[H.leaseChunk] = sizes.leaseBytes
    // leasing starts off: every lease word -1 (epoch 0)
    const rows = new Int32Array(buffer, l.threadCounters, sizes.threads * sizes.types * THREAD_TYPE_WORDS)
    for (let row = 0; row < sizes.threads * sizes.types; row++) rows[row * THREAD_TYPE_WORDS + RT.lease] = -1
    new Uint8Array(buffer, l.config, sizes.config.length).set(sizes.config)
    const slotsInt = new Int32Array(buffer, l.slotsInt, sizes.slots * SLOT_INT_WORDS)
    for (let i = 0; i < sizes.slots; i++) slotsInt[i * SLOT_INT_WORDS + S.generation] = 1
    // the last in-use word's bits past the table are taken for good
    const inUse = new Int32Array(buffer, l.inUse, Math.ceil(sizes.slots / 32))
    if (sizes.slots % 32 !== 0) inUse[inUse.length - 1] = ~((1 << (sizes.slots % 32)) - 1)
    Atomics.store(header, H.magic, MAGIC)
  }

  /** The config JSON's bytes. */
  configBytes(): Uint8Array {
    return new Uint8Array(this.buffer, this.layout.config, this.header[H.configLength] as number).slice()
  }

  /** Whether the manager is closed (read in this thread's row once bound to one, else in the header). */
  get closed(): boolean {
    if (this.row < 0) return Atomics.load(this.header, H.closed) !== 0
    return (Atomics.load(this.threadsInt, this.row + R.flags) & ThreadFlags.Closed) !== 0
  }

  /** Closes the manager: the header's word, then every thread's row (a thread attaching meanwhile included). */
  markClosed(): void {
    Atomics.store(this.header, H.closed, 1)
    this.setFlag(ThreadFlags.Closed, true)
  }

  private setFlag(flag: number, on: boolean): void {
    for (let t = 0; t < this.maxThreads; t++) {
      const at = t * THREAD_INT_WORDS + R.flags
      if (on) Atomics.or(this.threadsInt, at, flag)
      else Atomics.and(this.threadsInt, at, ~flag)
    }
  }

  // ---------------------------------------------------------------- budgets

  /** The type's budget, or undefined when it has none (re-read after a change, under its sequence lock). */
  budget(type: number): ResourceBudget | undefined {
    const cached = this.budgets[type] as CachedBudget
    const ti = type * TYPE_INT_WORDS
    if (this.row >= 0) {
      // bound to a thread: the budgets cached stay valid until a change bumps this thread's epoch
      const epoch = Atomics.load(this.threadsInt, this.row + R.budgetEpoch)
      if (epoch !== this.budgetEpoch) {
        this.budgetEpoch = epoch
        for (const other of this.budgets) other.seq = -1
      } else if (cached.seq !== -1) return cached.budget
    } else if (Atomics.load(this.typesInt, ti + TI.budgetSeq) === cached.seq) return cached.budget
    for (;;) {
      const before = Atomics.load(this.typesInt, ti + TI.budgetSeq)
      if ((before & 1) === 1) continue
      const tb = type * TYPE_BIG_WORDS
      const has = Atomics.load(this.typesBig, tb + T.hasBudget) !== 0n
      const budget = has
        ? Object.freeze({
            maxBytes: Number(Atomics.load(this.typesBig, tb + T.maxBytes)),
            reservedBytes: Number(Atomics.load(this.typesBig, tb + T.reservedBytes)),
            warningPercent: doubleOf(Atomics.load(this.typesBig, tb + T.warning)),
            criticalPercent: doubleOf(Atomics.load(this.typesBig, tb + T.critical))
          })
        : undefined
      if (Atomics.load(this.typesInt, ti + TI.budgetSeq) !== before) continue
      cached.seq = before
      cached.budget = budget
      if (budget !== undefined) {
        cached.limit = Ledger.limitOf(budget, 0)
        cached.criticalLimit = Ledger.limitOf(budget, CRITICAL_RANK)
        cached.ceiling = this.leaseChunk > 0 ? leaseCeilingOf(budget, this.hysteresisPercent) : -1
        cached.ceilingBig = BigInt(cached.ceiling)
      } else {
        cached.ceiling = -1
        cached.ceilingBig = -1n
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
      Atomics.store(this.typesBig, tb + T.warning, bitsOf(budget.warningPercent))
      Atomics.store(this.typesBig, tb + T.critical, bitsOf(budget.criticalPercent))
      Atomics.store(this.typesBig, tb + T.hasBudget, 1n)
    }
    Atomics.add(this.typesInt, ti + TI.budgetSeq, 1)
    this.bumpBudgetEpochs()
  }

  /** Counts `change` (±1) waiting entries in every thread's row (with the queue's words, under the lock). */
  mirrorWaiters(change: number): void {
    this.addToEveryRow(R.flags, change * ThreadFlags.Waiter)
  }

  /**
   * Whether a waiting entry may exist, as this thread's row counts them (a thread not bound reads the header's
   * count). 0 is exact for a step that changed usage before reading it: an entry queued after the read is
   * counted in the row before its grant reads the usage.
   */
  mayHaveWaiters(): boolean {
    if (this.row < 0) return Atomics.load(this.header, H.waiting) !== 0
    return Atomics.load(this.threadsInt, this.row + R.flags) >>> 2 !== 0
  }

  /** Tells every thread that its cached budgets are to be read again. */
  bumpBudgetEpochs(): void {
    this.addToEveryRow(R.budgetEpoch, 1)
  }

  private addToEveryRow(word: number, delta: number): void {
    for (let t = 0; t < this.maxThreads; t++) Atomics.add(this.threadsInt, t * THREAD_INT_WORDS + word, delta)
  }

  /** A slot's size as a BigInt (sizes repeat: one conversion for a run of them). */
  private bigSize(size: number): bigint {
    if (size !== this.lastSize) {
      this.lastSize = size
      this.lastSizeBig = BigInt(size)
    }
    return this.lastSizeBig
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

  /**
   * The type's usage less the bytes leased and not spent: the live bytes (exact while leasing is off, or under the
   * lock but for a lock-free step in progress).
   */
  usage(type: number): bigint {
    const usage = this.usageWord(type)
    return this.leaseChunk === 0 ? usage : usage - BigInt(this.leased(type))
  }

  /** The bytes of a type leased to threads and not spent (a sum of their lease words, read one by one). */
  leased(type: number): number {
    let leased = 0
    if (this.leaseChunk === 0) return leased
    for (let t = 0; t < this.maxThreads; t++) {
      const lease = Atomics.load(this.threadCounters, this.threadTypeRow(t, type) + RT.lease)
      if (lease > 0) leased += lease
    }
    return leased
  }

  /** The usage word: the live bytes, the bytes leased and not spent, and bytes a sweep is moving. */
  usageWord(type: number): bigint {
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

  /**
   * Takes a free slot (sets its in-use bit), or -1 when every slot is taken. The search starts at this thread's
   * hint (where it last took or returned a slot), so threads seldom touch the same word.
   */
  takeSlot(): number {
    const inUse = this.inUse
    const words = inUse.length
    for (let n = 0, at = this.hint; n < words; n++, at = at + 1 === words ? 0 : at + 1) {
      for (;;) {
        const bits = Atomics.load(inUse, at)
        if (bits === -1) break
        const free = ~bits & (bits + 1) // the lowest clear bit
        if (this.fenced()) return FENCED_SLOT
        if (Atomics.compareExchange(inUse, at, bits, bits | free) !== bits) continue
        this.hint = at
        return at * 32 + 31 - Math.clz32(free)
      }
    }
    return -1
  }

  /**
   * Returns a slot that is not live (never admitted, or freed: its generation moved on) to the free slots (nothing,
   * when this thread was reaped meanwhile: the repair returned it).
   */
  returnSlot(slot: number): void {
    if (this.fenced()) return
    const at = slot >> 5
    Atomics.and(this.inUse, at, ~(1 << (slot & 31)))
    this.hint = at
  }

  /** Whether a slot is taken (live, being admitted, or freed and not yet returned). */
  isTaken(slot: number): boolean {
    return (Atomics.load(this.inUse, slot >> 5) & (1 << (slot & 31))) !== 0
  }

  /**
   * Binds this ledger to its thread: the manager's flags and budget epoch are read in the thread's row, and the
   * search for free slots starts in a cache line of in-use words (16) of its own while the table has enough of
   * them, so that threads do not take each other's line.
   */
  bind(thread: number): void {
    this.self = thread
    this.row = thread * THREAD_INT_WORDS
    this.epoch = Atomics.load(this.threadsInt, this.row + R.epoch)
    this.hint = (thread * 16) % this.inUse.length
  }

  /**
   * Whether this thread was declared lost since it bound: the reaper moves the row's epoch on before anything else
   * (before it waits for the thread's step, repairs the ledger and releases the thread's holds). A lock-free step
   * reads it right before each of its writes to the ledger and, once it is true, writes nothing more (it leaves its
   * step): what it wrote before is the repair's to undo, as for a thread that died there (docs/shared-manager.md,
   * "Lost threads"). One plain (not `Atomics`) load of a word of the thread's own row: the fence is read about ten
   * times per acquire + release, and `Atomics.load` there cost about 95 ns of a 510 ns leased pair (bun 1.4.4),
   * a plain load 10 ns. A plain load is not ordered with the reaper's store, but the late step it guards comes
   * after a stop longer than `lostAfterMillis`, long after the store reached every core; and a step that resumes
   * through a synchronizing operation (an `Atomics.wait` the reaper's thread notified, as in the tests) sees it
   * by happens-before.
   */
  fenced(): boolean {
    return this.row >= 0 && (this.threadsInt[this.row + R.epoch] as number) !== this.epoch
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
    const sn = slot * SLOT_NUM_WORDS
    this.slotsNum[sn + SN.size] = size
    this.slotsNum[sn + SN.overage] = 0
    this.slotsNum[sn + SN.createdAt] = this.now()
  }

  /** The slot's holder mask (bit i: thread i holds it; 0: not live). */
  maskOf(slot: number): number {
    return Atomics.load(this.slotsInt, slot * SLOT_INT_WORDS + S.mask)
  }

  /** The slot's generation (of its live resource, or of the next one). */
  generationOf(slot: number): number {
    return Atomics.load(this.slotsInt, slot * SLOT_INT_WORDS + S.generation)
  }

  /**
   * Whether the slot holds a live resource of this generation. The generation is read before and after the
   * mask: it moves on only while the mask is 0, so the same generation around a non-zero mask is that mask's.
   */
  isLive(slot: number, generation: number): boolean {
    const si = slot * SLOT_INT_WORDS
    return (
      Atomics.load(this.slotsInt, si + S.generation) === generation &&
      Atomics.load(this.slotsInt, si + S.mask) !== 0 &&
      Atomics.load(this.slotsInt, si + S.generation) === generation
    )
  }

  sizeOf(slot: number): number {
    return this.slotsNum[slot * SLOT_NUM_WORDS + SN.size] as number
  }

  /** The bytes of a slot admitted over budget by Emergency (0 otherwise). */
  overageOf(slot: number): number {
    return this.slotsNum[slot * SLOT_NUM_WORDS + SN.overage] as number
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
    return this.slotsNum[slot * SLOT_NUM_WORDS + SN.createdAt] as number
  }

  // ---------------------------------------------------------------- admission and release

  /**
   * Charges a prepared slot to its type and makes it live, held by `thread`: the fit check and the charge
   * are one compare-and-swap on the usage word (retried when another thread moved it). With `ignoreQueue`
   * (a grant under the lock) waiters are not looked at; otherwise a waiter of the request's priority or
   * higher means `Queued`. Emergency is admitted over budget. The allocation is counted before the slot is
   * live, so that no release of it can be counted first.
   */
  admit(slot: number, thread: number, emergency: boolean, ignoreQueue: boolean): number {
    const si = slot * SLOT_INT_WORDS
    const type = this.slotsInt[si + S.type] as number
    const priority = this.slotsInt[si + S.priority] as number
    const sn = slot * SLOT_NUM_WORDS
    const size = this.bigSize(this.slotsNum[sn + SN.size] as number)
    const tb = type * TYPE_BIG_WORDS
    const budget = this.budget(type)
    if (
      !ignoreQueue &&
      !emergency &&
      budget !== undefined &&
      this.mayHaveWaiters() &&
      this.waitingAtOrAbove(type, priority) > 0
    ) {
      return Admit.Queued
    }
    const limit = budget === undefined ? -1n : this.cachedLimit(type, priority)
    const usageWord = tb + T.usage
    const row = (this.slotsInt[si + S.owner] as number) * this.typeCount + type
    const leasing = this.leaseChunk > 0 && limit >= 0n && this.self >= 0
    // the lease epoch as this thread's row has it, read before the usage (a seqlock: `leasingWasOff`)
    const epochAt = leasing ? this.threadTypeRow(this.self, type) + RT.leaseEpoch : -1
    let epoch = leasing ? Atomics.load(this.threadCounters, epochAt) : 0
    // the slot's generation before this step writes anything more (see `commitHold`)
    const generation = Atomics.load(this.slotsInt, si + S.generation)
    if (this.fenced()) return Admit.Fenced
    if (leasing && !ignoreQueue && this.spendLease(type, sn)) {
      // (a lease word swept by a repair is -1: a late spend fails)
      this.lastUsage = -1
      return this.commitHold(si, thread, row, generation) ? Admit.Admitted : Admit.Fenced
    }
    let after: bigint
    if (limit < 0n) {
      after = Atomics.add(this.typesBig, usageWord, size) + size
    } else {
      // The first attempt starts from the usage this thread saw last (a grant, under the lock, from a load): when it
      // is still the usage, one compare-and-swap admits; when not, the failed compare-and-swap has read the usage.
      // A request is refused, or its overage computed, only on a value read by that load or compare-and-swap.
      let usage = ignoreQueue ? Atomics.load(this.typesBig, usageWord) : (this.usageSeen[type] as bigint)
      let read = ignoreQueue
      for (;;) {
        after = usage + size
        if (after <= limit) {
          if (emergency) {
            // an earlier round may have marked the slot over budget
            this.slotsNum[sn + SN.overage] = 0
            this.slotsInt[si + S.emergency] = 0
          }
          const seen = Atomics.compareExchange(this.typesBig, usageWord, usage, after)
          if (seen === usage) break
          usage = seen
          read = true
          continue
        }
        if (!read) {
          usage = Atomics.load(this.typesBig, usageWord)
          read = true
          continue
        }
        if (leasing && !leasingWasOff(this.threadCounters, epochAt, epoch)) {
          // a refusal or an overage only on the live bytes: leasing off first (under the lock), then decide again
          if (!this.locked) return Admit.Sweep
          this.turnOffLeasing(type)
          epoch = Atomics.load(this.threadCounters, epochAt)
          usage = Atomics.load(this.typesBig, usageWord)
          continue
        }
        this.usageSeen[type] = usage
        if (!emergency) return Admit.NoFit
        const over = after - limit
        const overage = over < size ? over : size
        // The slot is marked and the overage counted before the usage that carries it: a live slot over budget
        // always has its mark and overage, and at no instant does usage − emergencyBytes exceed maxBytes.
        this.slotsNum[sn + SN.overage] = Number(overage)
        Atomics.store(this.slotsInt, si + S.emergency, 1)
        Atomics.add(this.typesBig, tb + T.emergencyBytes, overage)
        if (Atomics.compareExchange(this.typesBig, usageWord, usage, after) !== usage) {
          Atomics.sub(this.typesBig, tb + T.emergencyBytes, overage)
          usage = Atomics.load(this.typesBig, usageWord)
          continue
        }
        bump(this.threadCounters, row * THREAD_TYPE_WORDS + RT.emergencies)
        break
      }
    }
    this.usageSeen[type] = after
    if (!this.commitHold(si, thread, row, generation)) return Admit.Fenced
    this.raisePeak(type, after)
    if (leasing) this.afterDirectStep(type, after, epochAt, epoch, ignoreQueue || size > this.leaseChunkBig)
    return Admit.Admitted
  }

  /**
   * Counts a charged slot's allocation and publishes its holder bit (the admission's last write): false when this
   * thread was found reaped, the admission void. `generation` is the slot's, read before the fence was last found
   * down: a repair that returned the slot has moved it on.
   *
   * The bit is published by a compare-and-swap from 0, then the fence is read again. A thread reaped while it was
   * stopped right at this write may land it after the repair, on a slot the repair returned to the free ones (the
   * slot's generation moved on): it takes that bit back at once, unless another thread's admission of the slot has
   * overwritten it (a compare-and-swap that finds such a bit overwrites it). Found reaped with the generation
   * unchanged, the bit landed before the repair, which releases it.
   */
  private commitHold(si: number, thread: number, row: number, generation: number): boolean {
    if (this.fenced()) return false
    bump(this.threadCounters, row * THREAD_TYPE_WORDS + RT.allocations)
    const bit = (1 << thread) | 0
    // (a reaping between the bump and the compare-and-swap is found by the read after it)
    if (Atomics.compareExchange(this.slotsInt, si + S.mask, 0, bit) !== 0) {
      // a late step's bit on a slot this thread took after the repair returned it
      if (this.fenced()) return false
      Atomics.store(this.slotsInt, si + S.mask, bit)
    }
    if (!this.fenced()) return true
    if (Atomics.load(this.slotsInt, si + S.generation) !== generation) {
      Atomics.compareExchange(this.slotsInt, si + S.mask, bit, 0)
    }
    return false
  }

  // ---------------------------------------------------------------- leases (docs/decisions.md, spec/SharedLease.tla)

  /** Spends a slot's size from this thread's lease of its type (one compare-and-swap); false when it does not fit. */
  private spendLease(type: number, sn: number): boolean {
    const size = this.slotsNum[sn + SN.size] as number
    const at = this.threadTypeRow(this.self, type) + RT.lease
    for (let lease = Atomics.load(this.threadCounters, at); lease >= size; ) {
      const seen = Atomics.compareExchange(this.threadCounters, at, lease, lease - size)
      if (seen === lease) return true
      lease = seen
    }
    return false
  }

  /** Gives bytes back into this thread's lease (at most two chunks held); false when leasing is off or it is full. */
  private returnToLease(type: number, size: number): boolean {
    const at = this.threadTypeRow(this.self, type) + RT.lease
    const most = 2 * this.leaseChunk
    for (let lease = Atomics.load(this.threadCounters, at); lease >= 0 && lease + size <= most; ) {
      const seen = Atomics.compareExchange(this.threadCounters, at, lease, lease + size)
      if (seen === lease) return true
      lease = seen
    }
    return false
  }

  /**
   * After a step on the usage word (`after`: the usage it left): above the ceiling, unless leasing was off and
   * stayed off around the step, the level is settled under the lock once leasing is off (`settleAfterStep`). An
   * admission that found its lease short asks for one now and then (`leaseWanted`).
   */
  private afterDirectStep(type: number, after: bigint, epochAt: number, epoch: number, noAsk: boolean): void {
    this.sweepIfAbove(type, after, epochAt, epoch)
    if (noAsk || (this.budgets[type] as CachedBudget).ceiling < this.leaseChunk) return
    const skip = (this.leaseSkip[type] as number) - 1
    this.leaseSkip[type] = skip
    if (skip <= 0) this.leaseWanted = type
  }

  /**
   * After a step that left usage at `usage` (the type's budget cached): above the ceiling, unless leasing was off
   * and stayed off around the step, the level is to be settled under the lock, leasing turned off first.
   */
  private sweepIfAbove(type: number, usage: bigint, epochAt: number, epoch: number): void {
    const ceiling = (this.budgets[type] as CachedBudget).ceilingBig
    if (usage > ceiling && !leasingWasOff(this.threadCounters, epochAt, epoch)) this.sweepType = type
  }

  /** Sets a type's lease epoch and every thread row's copy of it (under the lock). */
  private setLeaseEpoch(type: number, epoch: number): void {
    Atomics.store(this.typesInt, type * TYPE_INT_WORDS + TI.leaseEpoch, epoch)
    for (let t = 0; t < this.maxThreads; t++) {
      Atomics.store(this.threadCounters, this.threadTypeRow(t, type) + RT.leaseEpoch, epoch)
    }
  }

  /**
   * Turns a type's leasing off (under the lock): the epoch goes odd, every lease word is swept to -1 and its bytes
   * taken off usage, then the epoch goes to its next multiple of 4. Usage is then the live bytes (and those of
   * lock-free steps in progress).
   */
  turnOffLeasing(type: number): void {
    const epoch = Atomics.load(this.typesInt, type * TYPE_INT_WORDS + TI.leaseEpoch)
    if ((epoch & 3) === 0) return
    this.setLeaseEpoch(type, epoch | 3)
    const usageAt = type * TYPE_BIG_WORDS + T.usage
    for (let t = 0; t < this.maxThreads; t++) {
      const lease = Atomics.exchange(this.threadCounters, this.threadTypeRow(t, type) + RT.lease, -1)
      if (lease > 0) Atomics.sub(this.typesBig, usageAt, BigInt(lease))
    }
    this.setLeaseEpoch(type, (epoch | 3) + 1)
  }

  /**
   * Under the lock, for the type this thread asked a lease of: turns leasing on when it is off, the level is
   * None, nobody waits and usage is at most half the ceiling; then, leasing on, charges a chunk to usage (while
   * usage stays at or below the ceiling) and adds it to this thread's lease. A refused ask is retried after
   * `LEASE_RETRY` admissions.
   */
  takeLease(): void {
    const type = this.leaseWanted
    this.leaseWanted = -1
    if (type < 0 || this.self < 0) return
    this.leaseSkip[type] = LEASE_RETRY
    const budget = this.budget(type)
    const ceiling = (this.budgets[type] as CachedBudget).ceiling
    const chunk = this.leaseChunk
    const own = this.threadTypeRow(this.self, type) + RT.lease
    // a lease holds at most two chunks (an Int32 word)
    if (budget === undefined || ceiling < chunk || Atomics.load(this.threadCounters, own) > chunk) return
    const usageAt = type * TYPE_BIG_WORDS + T.usage
    const epoch = Atomics.load(this.typesInt, type * TYPE_INT_WORDS + TI.leaseEpoch)
    if ((epoch & 3) === 0) {
      const quiet = this.level(type) === 0 && this.waitingOf(type) === 0
      if (!quiet || 2 * Number(Atomics.load(this.typesBig, usageAt)) > ceiling) return
      this.setLeaseEpoch(type, epoch + 1)
      for (let t = 0; t < this.maxThreads; t++) {
        Atomics.compareExchange(this.threadCounters, this.threadTypeRow(t, type) + RT.lease, -1, 0)
      }
      this.setLeaseEpoch(type, epoch + 2)
    } else if ((epoch & 3) !== 2) return
    const big = BigInt(chunk)
    for (let usage = Atomics.load(this.typesBig, usageAt); Number(usage) + chunk <= ceiling; ) {
      const seen = Atomics.compareExchange(this.typesBig, usageAt, usage, usage + big)
      if (seen !== usage) {
        usage = seen
        continue
      }
      Atomics.add(this.threadCounters, own, chunk)
      Atomics.add(this.typesBig, type * TYPE_BIG_WORDS + T.leases, 1n)
      const lastUsage = this.lastUsage
      this.raisePeak(type, usage + big)
      this.lastUsage = lastUsage
      this.leaseSkip[type] = 0
      return
    }
  }

  /** Gives `thread`'s leases back to usage (under the lock): a thread that detaches or is released. */
  giveBackLeases(thread: number): void {
    if (this.leaseChunk === 0) return
    for (let type = 0; type < this.typeCount; type++) {
      const at = this.threadTypeRow(thread, type) + RT.lease
      const lease = Atomics.load(this.threadCounters, at)
      if (lease <= 0) continue
      Atomics.store(this.threadCounters, at, 0)
      Atomics.sub(this.typesBig, type * TYPE_BIG_WORDS + T.usage, BigInt(lease))
    }
  }

  /**
   * For a repair (under the lock, every lock-free step stopped): leasing off for every type, each lease word -1 and
   * each epoch at its next multiple of 4. The caller re-derives usage from the live slots.
   */
  resetLeasing(): void {
    if (this.leaseChunk === 0) return
    for (let type = 0; type < this.typeCount; type++) {
      for (let t = 0; t < this.maxThreads; t++)
        Atomics.store(this.threadCounters, this.threadTypeRow(t, type) + RT.lease, -1)
      const epoch = Atomics.load(this.typesInt, type * TYPE_INT_WORDS + TI.leaseEpoch)
      if ((epoch & 3) !== 0) this.setLeaseEpoch(type, (epoch | 3) + 1)
    }
  }

  /**
   * Makes a prepared slot live, held by `thread`, served by block `block` of pool `pool`: nothing is charged (the
   * pool's capacity is), no fit or queue check applies.
   */
  admitPooled(slot: number, thread: number, pool: number, block: number): boolean {
    const si = slot * SLOT_INT_WORDS
    const type = this.slotsInt[si + S.type] as number
    const row = (this.slotsInt[si + S.owner] as number) * this.typeCount + type
    const generation = Atomics.load(this.slotsInt, si + S.generation)
    if (this.fenced()) return false
    this.slotsInt[si + S.pool] = pool + 1
    this.slotsInt[si + S.block] = block
    this.lastUsage = -1
    return this.commitHold(si, thread, row, generation)
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
    const after = Atomics.add(this.typesBig, type * TYPE_BIG_WORDS + T.usage, BigInt(bytes)) + BigInt(bytes)
    this.raisePeak(type, after)
  }

  /** Raises the type's peak to `usage` (the peak word is read only when `usage` is above a peak seen before). */
  private raisePeak(type: number, usage: bigint): void {
    const value = Number(usage)
    this.lastUsage = value
    if (value <= (this.peakSeen[type] as number)) return
    const at = type * TYPE_BIG_WORDS + T.peak
    for (;;) {
      const peak = Atomics.load(this.typesBig, at)
      if (usage <= peak) {
        this.peakSeen[type] = Number(peak)
        return
      }
      if (Atomics.compareExchange(this.typesBig, at, peak, usage) === peak) {
        this.peakSeen[type] = value
        return
      }
    }
  }

  /**
   * Drops `thread`'s hold on a slot of generation `generation`: 1 when the resource is still held by others,
   * 2 when this was the last hold and the resource is freed (its bytes uncharged, its generation moved on; the
   * caller then removes its name and returns the slot), 0 when the handle is stale or the thread holds nothing,
   * `DROP_FENCED` when this thread was found reaped (`fenced`) before it wrote anything, or after it dropped the last
   * hold and before it wrote the rest (the repair frees the slot then, as for a thread that died there).
   * The mask is read before the generation: while the thread's bit is set nobody else can free the slot, so the
   * generation read after it is that of the resource the bit holds.
   */
  dropHold(slot: number, generation: number, thread: number): 0 | 1 | 2 | typeof DROP_FENCED {
    const si = slot * SLOT_INT_WORDS
    const bit = (1 << thread) | 0
    for (;;) {
      const mask = Atomics.load(this.slotsInt, si + S.mask)
      if ((mask & bit) === 0 || Atomics.load(this.slotsInt, si + S.generation) !== generation) return 0
      const rest = mask & ~bit
      if (this.fenced()) return DROP_FENCED
      if (Atomics.compareExchange(this.slotsInt, si + S.mask, mask, rest) !== mask) continue
      if (rest !== 0) return 1
      if (this.fenced()) return DROP_FENCED
      const type = this.slotsInt[si + S.type] as number
      const row = (this.slotsInt[si + S.owner] as number) * this.typeCount + type
      const tb = type * TYPE_BIG_WORDS
      const sn = slot * SLOT_NUM_WORDS
      Atomics.store(this.slotsInt, si + S.generation, (generation + 1) & GENERATION_MASK || 1)
      const sizeNumber = this.slotsNum[sn + SN.size] as number
      const leasing = this.leaseChunk > 0 && this.self >= 0
      // (the slot's generation moved on, not yet returned: a repair now would return it and drop its charge)
      if (this.fenced()) return DROP_FENCED
      if ((this.slotsInt[si + S.pool] as number) !== 0) this.lastUsage = -1
      // back into this thread's lease when it is on and has room (under the lock bytes go to usage)
      else if (leasing && !this.locked && this.returnToLease(type, sizeNumber)) this.lastUsage = -1
      else {
        // with leasing, the epoch is read around the step as an admission does
        const epochAt = leasing ? this.threadTypeRow(this.self, type) + RT.leaseEpoch : -1
        const epoch = leasing ? Atomics.load(this.threadCounters, epochAt) : 0
        const size = this.bigSize(sizeNumber)
        const usage = Atomics.sub(this.typesBig, tb + T.usage, size) - size
        this.usageSeen[type] = usage
        this.lastUsage = Number(usage)
        if (leasing && this.budget(type) !== undefined) this.sweepIfAbove(type, usage, epochAt, epoch)
      }
      const overage = this.slotsNum[sn + SN.overage] as number
      if (overage !== 0) Atomics.sub(this.typesBig, tb + T.emergencyBytes, BigInt(overage))
      bump(this.threadCounters, row * THREAD_TYPE_WORDS + RT.releases)
      return 2
    }
  }

  /**
   * Adds `thread` as a holder of the live resource of generation `generation`: "ok", "stale" (released, or another
   * generation), "held" (the thread holds it already), or the generation the hold landed in instead (a number):
   * the resource of `generation` was freed and the slot taken again by a resource with the same holders between
   * the reads and the compare-and-swap; the caller then drops that hold as a release.
   */
  addHold(slot: number, generation: number, thread: number): "ok" | "stale" | "held" | "fenced" | number {
    const si = slot * SLOT_INT_WORDS
    const bit = (1 << thread) | 0
    for (;;) {
      if (Atomics.load(this.slotsInt, si + S.generation) !== generation) return "stale"
      const mask = Atomics.load(this.slotsInt, si + S.mask)
      if (mask === 0) return "stale"
      if ((mask & bit) !== 0) return "held"
      if (this.fenced()) return "fenced"
      if (Atomics.compareExchange(this.slotsInt, si + S.mask, mask, mask | bit) !== mask) continue
      if (this.fenced()) {
        // reaped while adding it (stopped right at the compare-and-swap): the bit may have landed after the repair
        // released this thread's holds, so it goes again, unless it is the last hold (the others released meanwhile:
        // the resource is then left to this bit, docs/shared-manager.md, Limits)
        for (let m = Atomics.load(this.slotsInt, si + S.mask); (m & bit) !== 0 && m !== bit; ) {
          const seen = Atomics.compareExchange(this.slotsInt, si + S.mask, m, m & ~bit)
          if (seen === m) break
          m = seen
        }
        return "fenced"
      }
      // with the bit set nobody can free the slot: the generation now is the one the hold is in
      const landed = Atomics.load(this.slotsInt, si + S.generation)
      return landed === generation ? "ok" : landed
    }
  }

  // ---------------------------------------------------------------- counters

  /** The first word of `thread`'s row of a type (its counters, its lease, its copy of the lease epoch). */
  threadTypeRow(thread: number, type: number): number {
    return (thread * this.typeCount + type) * THREAD_TYPE_WORDS
  }

  /** Counts a failed request of a type, in `thread`'s row. */
  countFailure(type: number, thread: number): void {
    bump(this.threadCounters, this.threadTypeRow(thread, type) + RT.failures)
  }

  /** A type's counter (`RT.allocations` …) summed over every thread row. */
  typeCounter(type: number, counter: number): number {
    let total = 0
    for (let t = 0; t < this.maxThreads; t++) {
      total += readCounter(this.threadCounters, this.threadTypeRow(t, type) + counter)
    }
    return total
  }

  /** A thread's counter of a type since it attached (its row less the row's value then). */
  threadCounter(thread: number, type: number, counter: number): number {
    const at = this.threadTypeRow(thread, type)
    return readCounter(this.threadCounters, at + counter) - readCounter(this.threadCounters, at + RT.baseline + counter)
  }

  /** Starts a thread's own figures from its row's values now (at attach; rows are never reset). */
  markBaseline(thread: number): void {
    for (let type = 0; type < this.typeCount; type++) {
      const at = this.threadTypeRow(thread, type)
      for (const counter of [RT.allocations, RT.releases, RT.failures, RT.emergencies]) {
        writeCounter(this.threadCounters, at + RT.baseline + counter, readCounter(this.threadCounters, at + counter))
      }
    }
  }

  /**
   * Live resources of a type: its allocations less its releases (no counter of its own on the hot path). The
   * releases are read first: a resource is counted released only after it was counted allocated, so the
   * difference never goes below the live count of the moment of that first read.
   */
  liveOf(type: number): number {
    const releases = this.typeCounter(type, RT.releases)
    return this.typeCounter(type, RT.allocations) - releases
  }

  /** Per type, the bytes charged for the live resources `thread` acquired (one scan of the slots: for stats). */
  threadUsage(thread: number): Array<number> {
    const bytes = new Array<number>(this.typeCount).fill(0)
    for (let slot = 0; slot < this.maxResources; slot++) {
      const si = slot * SLOT_INT_WORDS
      if (this.maskOf(slot) === 0 || this.slotsInt[si + S.owner] !== thread || this.slotsInt[si + S.pool] !== 0)
        continue
      const type = this.slotsInt[si + S.type] as number
      bytes[type] = (bytes[type] as number) + this.sizeOf(slot)
    }
    return bytes
  }

  /** Live resources `thread` acquired, of every type (released ones count in their acquirer's row). */
  threadLive(thread: number): number {
    let live = 0
    for (let type = 0; type < this.typeCount; type++) {
      const at = this.threadTypeRow(thread, type)
      const releases = readCounter(this.threadCounters, at + RT.releases)
      live += readCounter(this.threadCounters, at + RT.allocations) - releases
    }
    return live
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
      if (held === 0) {
        if (thread === this.self) this.locked = true
        return
      }
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
    if (thread === this.self) this.locked = false
    Atomics.compareExchange(this.header, H.lock, thread + 1, 0)
    Atomics.notify(this.header, H.lock, 1)
  }

  // ---------------------------------------------------------------- lock-free steps and repair

  /**
   * Marks this thread inside a lock-free step (bit 0 of its step word); waits (beating) while a repair runs. A thread
   * reaped meanwhile (`fenced`) marks nothing: its row is the reaper's now, and may become another thread's.
   */
  enterStep(thread: number): void {
    if (thread === this.self && this.fenced()) return
    const step = thread * THREAD_INT_WORDS + R.step
    const flags = thread * THREAD_INT_WORDS + R.flags
    for (;;) {
      Atomics.or(this.threadsInt, step, 1)
      if ((Atomics.load(this.threadsInt, flags) & ThreadFlags.Repair) === 0) return
      Atomics.and(this.threadsInt, step, ~1)
      Atomics.notify(this.threadsInt, step)
      this.pause(this.header, H.repair, 1)
      this.stall(thread)
    }
  }

  /**
   * Ends this thread's lock-free step. A thread reaped meanwhile clears its mark only while its reaping is in
   * progress (the claim word 2, the epoch moved on once: the reaper waits for the mark), not in a row given up since.
   */
  leaveStep(thread: number): void {
    const step = thread * THREAD_INT_WORDS + R.step
    if (
      thread === this.self &&
      this.fenced() &&
      (Atomics.load(this.threadsInt, this.row + R.claim) !== 2 ||
        Atomics.load(this.threadsInt, this.row + R.epoch) !== ((this.epoch + 1) | 0))
    )
      return
    Atomics.and(this.threadsInt, step, ~1)
    if ((Atomics.load(this.threadsInt, thread * THREAD_INT_WORDS + R.flags) & ThreadFlags.Repair) !== 0) {
      Atomics.notify(this.threadsInt, step)
    }
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

  /**
   * Under the lock: stops the lock-free steps and waits until no attached thread is inside one. Returns the threads
   * still inside one after `patienceMillis` (then lost too). `resume` lets them go on.
   *
   * The `lost` threads' steps are waited for too, up to `lostGrace()`: a thread declared lost may be alive (a worker
   * preempted, or paused, for `lostAfterMillis` in the middle of its step), and its step, once it goes on, must
   * land before the repair (which would otherwise return its slot to the free ones and leave its holder bit, or
   * leave a pool block twice on the free list), not after. One still inside its step then is taken for dead
   * (terminated between two steps). A lost thread's later steps wait for `resume` (they read the flag) and find it
   * reaped.
   */
  quiesce(self: number, lost: ReadonlySet<number>, patienceMillis: number): Array<number> {
    // a thread marks its step, then reads its flag; here the flag is set, then the marks are read
    Atomics.store(this.header, H.repair, 1)
    this.setFlag(ThreadFlags.Repair, true)
    const start = Date.now()
    const end = start + patienceMillis
    const lostEnd = start + Math.min(patienceMillis, this.lostGrace())
    for (;;) {
      const busy: Array<number> = []
      let waitFor = -1
      const now = Date.now()
      for (let t = 0; t < this.maxThreads; t++) {
        const at = t * THREAD_INT_WORDS
        if (t === self || Atomics.load(this.threadsInt, at + R.claim) === 0) continue
        if ((Atomics.load(this.threadsInt, at + R.step) & 1) === 0) continue
        if (!lost.has(t)) busy.push(t)
        else if (now > lostEnd) continue
        if (waitFor < 0) waitFor = t
      }
      if (waitFor < 0 || now > end) return busy
      const first = waitFor * THREAD_INT_WORDS + R.step
      this.pause(this.threadsInt, first, Atomics.load(this.threadsInt, first))
      Atomics.add(this.threadsInt, self * THREAD_INT_WORDS + R.heartbeat, 1)
    }
  }

  /**
   * How long the reaper waits for a lost thread to end the step it is in (`quiesce`), or to free the lock it holds
   * (`forceUnlock`), before it takes it for dead: a quarter of `lostAfterMillis` each. (The creator's heartbeat
   * loop reads the time once per round, before a reaping: a reaping that blocks it for `lostAfterMillis` or more
   * would have the threads it looks at next declared lost though they beat.)
   */
  private lostGrace(): number {
    return Math.floor((this.header[H.lostAfterMillis] as number) / 4)
  }

  /** Lost-thread repairs done so far (a step reads it to tell whether a repair ran since an earlier step). */
  repairs(): number {
    return Atomics.load(this.header, H.repairs)
  }

  /** Counts a repair (by the reaper, with the lock-free steps stopped). */
  countRepair(): void {
    Atomics.add(this.header, H.repairs, 1)
  }

  resume(): void {
    this.setFlag(ThreadFlags.Repair, false)
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

  /**
   * Frees the lock when `thread` (lost) holds it: first waits up to `lostGrace()` for the thread to free it itself (a
   * thread declared lost may be alive, in the middle of a step under the lock: that step must end before the
   * repair, not run alongside it), then takes it for dead.
   */
  forceUnlock(thread: number): void {
    const end = Date.now() + this.lostGrace()
    while (Atomics.load(this.header, H.lock) === thread + 1 && Date.now() <= end) {
      this.pause(this.header, H.lock, thread + 1)
    }
    this.unlock(thread)
  }

  // ---------------------------------------------------------------- names (under the lock)

  /** The live slot holding this name, or -1. */
  findName(name: Uint8Array, hash: number): number {
    const capacity = this.names.length
    for (let i = 0, at = hash & (capacity - 1); i < capacity; i++, at = (at + 1) & (capacity - 1)) {
      const entry = this.names[at] as number
      if (entry === NAME_EMPTY) return -1
      const slot = entry - 1
      if (this.slotsInt[slot * SLOT_INT_WORDS + S.nameHash] !== hash) continue
      if (this.maskOf(slot) === 0 || !sameBytes(this.nameOf(slot), name)) continue
      return slot
    }
    return -1
  }

  /** Records a live slot's name (its bytes are in the slot). */
  insertName(slot: number, hash: number): void {
    const capacity = this.names.length
    for (let i = 0, at = hash & (capacity - 1); i < capacity; i++, at = (at + 1) & (capacity - 1)) {
      const entry = this.names[at] as number
      // an entry of a freed slot (its thread was reaped before it removed the name) may be taken over
      if (entry === NAME_EMPTY || this.maskOf(entry - 1) === 0) {
        this.names[at] = slot + 1
        return
      }
    }
  }

  /**
   * Forgets a slot's name entry, leaving no tombstone: the entries after it in its run that may move back (their
   * home is not between the hole and where they are) move into the hole, and the last hole becomes empty. With
   * tombstones, a table whose names keep changing ran out of empty entries, and every lookup of a name not in it
   * then probed the whole table (`nameCapacity` entries, under the lock).
   */
  removeName(slot: number, hash: number): void {
    const names = this.names
    const mask = names.length - 1
    let hole = -1
    for (let i = 0, at = hash & mask; i <= mask; i++, at = (at + 1) & mask) {
      const entry = names[at] as number
      if (entry === NAME_EMPTY) return
      if (entry === slot + 1) {
        hole = at
        break
      }
    }
    if (hole < 0) return
    for (let i = 0, at = (hole + 1) & mask; i < mask; i++, at = (at + 1) & mask) {
      const entry = names[at] as number
      if (entry === NAME_EMPTY) break
      const home = (this.slotsInt[(entry - 1) * SLOT_INT_WORDS + S.nameHash] as number) & mask
      // it stays when its home lies in (hole, at]: moving it before its home would hide it from lookups
      if (inRingInterval(hole, home, at)) continue
      names[hole] = entry
      hole = at
    }
    names[hole] = NAME_EMPTY
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
    if (this.locked && this.leaseChunk > 0) this.sweepAboveCeiling(type)
    for (let round = 0; round < 8; round++) {
      const old = Atomics.load(this.typesInt, ti)
      const level = this.levelOf(type, Number(this.usageWord(type)), old)
      if (old === level) return undefined
      if (Atomics.compareExchange(this.typesInt, ti, old, level) === old) return [old, level]
    }
    return undefined
  }

  /**
   * `settleLevel` after this thread's last admission or release of the type: nothing to do when that step left
   * usage as it was, or when the level of the usage it left is the level recorded (a step of another thread that
   * moves the level settles it itself); otherwise the level is re-derived from the usage read afresh.
   */
  settleAfterStep(type: number): [number, number] | undefined {
    const sweep = this.sweepType
    if (sweep >= 0) {
      this.sweepType = -1
      // (a sweep asked for another type was made by the settle under the lock that followed that step)
      if (sweep === type) return this.settleUnderLock(type)
    }
    const usage = this.lastUsage
    if (usage < 0) return undefined
    const current = Atomics.load(this.typesInt, type * TYPE_INT_WORDS + TI.level)
    if (this.levelOf(type, usage, current) === current) return undefined
    // with leasing, a level moves only under the lock (leased bytes may be in the usage read)
    return this.leaseChunk > 0 && this.self >= 0 ? this.settleUnderLock(type) : this.settleLevel(type)
  }

  /** Takes the lock and settles the level (leasing turned off first when usage is above the ceiling). */
  private settleUnderLock(type: number): [number, number] | undefined {
    this.lock(this.self)
    try {
      return this.settleLevel(type)
    } finally {
      this.unlock(this.self)
    }
  }

  /**
   * Under the lock: leasing off when usage is above the ceiling (so the level is settled from the live bytes), or
   * when the type has no ceiling (no budget: nothing may stay leased).
   */
  private sweepAboveCeiling(type: number): void {
    this.budget(type)
    const ceiling = (this.budgets[type] as CachedBudget).ceilingBig
    if (ceiling < 0n || this.usageWord(type) > ceiling) this.turnOffLeasing(type)
  }

  /** The level of `usage` when the level now is `current` (with the config's hysteresis). */
  private levelOf(type: number, usage: number, current: number): number {
    const budget = this.budget(type)
    return budget === undefined ? 0 : pressureWithHysteresis(budget, usage, current, this.hysteresisPercent)
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

/**
 * Whether leasing was off at `epoch` (read before a step on the usage word) and still is, by the row's copy read
 * now: then no lease was outstanding and no bytes were in flight while the step read usage (the seqlock of
 * spec/SharedLease.tla's `ReadOn`).
 */
const leasingWasOff = (words: Int32Array, at: number, epoch: number): boolean =>
  (epoch & 3) === 0 && Atomics.load(words, at) === epoch
