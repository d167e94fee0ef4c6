/**
 * The manager's state: slots as records of one typed array (grown by doubling), per-type usage,
 * counters and budgets, wait queues, names, holders, dependency edges and drivers. Plain synchronous data;
 * the transitions of `transitions.ts` are the only writers.
 *
 * @since 0.1.0
 */
import {
  type ResourceBudget,
  type ResourceMetadata,
  type ResourcePressure,
  ResourcePressureNames,
  ResourcePriority,
  type ResourceTypeName
} from "@flight-hal/core"
import type { Waiter as DeadlockWaiter } from "./deadlock/model.ts"
import { FAILURE_REASONS } from "./failure-reasons.ts"
import { NameIndex } from "./name-index.ts"
import { PagedStrings } from "./paged-strings.ts"
import { LEVELS, pressureBand, pressureWithHysteresis } from "./pressure.ts"
import { SlotTable } from "./slot-table.ts"
import type { TransitionTrace } from "./transition-trace.ts"
import { TypeTable } from "./type-table.ts"
import { WaitQueue } from "./wait-queue.ts"

/** Flag bit (above the ResourceFlag bits) marking a resource whose payload is a pool block: charged 0. */
export const POOLED = 0x80

/**
 * The usage bound: the most bytes a type's usage may count, 2^53 − 1 (`Number.MAX_SAFE_INTEGER`), the largest
 * integer up to which every sum of byte counts is exact in a double (above it an addition rounds, and the releases
 * that follow leave usage off, even below 0). No admission takes usage above it: it is `limit(p)` of a type without
 * a budget, every budget's `maxBytes` is at most it, and an Emergency admission past it is refused
 * (docs/semantics.md, section 5).
 */
export const MAX_USAGE: number = Number.MAX_SAFE_INTEGER

/** Slot states. */
export const SlotState = { Free: 0, Live: 1, Deferred: 2 } as const

/** The callbacks through which a waiter learns how its wait ended. */
export interface WaiterSettle {
  /** Admitted on `slot`, whose generation was `generation` at the grant. */
  granted(slot: number, generation: number): void
  failed(error: unknown): void
}

/** A request that waits in a type queue (for bytes) or a name queue. */
export interface Waiter {
  readonly req: number
  readonly type: number
  readonly size: number
  readonly priority: number
  readonly driver: number
  readonly name: string
  readonly flags: number
  readonly deps: ReadonlyArray<number>
  readonly mode: number
  /** When it started waiting, by the manager's exact clock: a wait's `waitedMillis` and the wait histogram count from it. */
  readonly enqueuedAt: number
  /** The validated metadata it was requested with. */
  readonly metadata?: ResourceMetadata | undefined
  /** "bytes" in a type queue, "name" in a name queue. */
  kind: "bytes" | "name"
  queued: boolean
  /** A name waiter counted in `ManagerState.nonBareNameWaiters`. */
  nonBare?: boolean
  /** Its view for the deadlock check, built once per kind (`deadlockCandidate`). */
  candidate?: DeadlockWaiter | undefined
  readonly settle: WaiterSettle
}

/** A level change of a type's pressure. */
export interface PressureChange {
  readonly type: number
  readonly from: ResourcePressure
  readonly to: ResourcePressure
}

const INITIAL_SLOTS = 1024

/** The fewest new driver ids between two passes that forget idle drivers (`ManagerState.forgetIdleDrivers`). */
export const MIN_FORGET_AFTER = 1024

/**
 * A slot's record in `ManagerState.slots`: eight 32-bit words, side by side, so an acquisition and a release
 * touch one record of one array (docs/decisions.md, "A slot is one record"). Unsigned values (the generation,
 * the acquisition time, the sequence) are stored as their 32 bits and read back with `>>> 0`.
 */
const SLOT_WORDS = 8
/** The generation (mod 2^32): bumped when the slot is freed, so every handle to it becomes stale. */
const GENERATION = 0
/**
 * The slot's state (bits 0–7), its flags (bits 8–15: six `ResourceFlag` bits and `POOLED`) and its type's index
 * (bits 16–30: up to 32,767 types, more than the 6 built-in and 1,024 declared a manager can have).
 */
const KIND = 1
/** The owning driver's index. */
const OWNER = 2
/** Live dependents (and waiting requests that will depend on the slot). */
const DEPENDENTS = 3
/** Acquisition time in milliseconds since `epoch` (mod 2^32: wraps after 49 days; only leak-report ages read it). */
const ACQUIRED_AT = 4
/** Next / previous slot in the owner's list of held slots (-1: none). */
const NEXT_OWNED = 5
const PREV_OWNED = 6
/** Acquisition sequence number (mod 2^32), for reverse-order release at close. */
const SEQUENCE = 7

const grow = <T extends Float64Array | Int32Array | Uint32Array | Uint8Array>(array: T, length: number): T => {
  const next = new (array.constructor as new (length: number) => T)(length)
  next.set(array)
  return next
}

/**
 * The whole mutable state of one manager.
 *
 * @since 0.1.0
 */
export class ManagerState {
  // ---- slots (one record of `SLOT_WORDS` words each; read and written through the methods below) ----
  capacity = INITIAL_SLOTS
  private slots = new Int32Array(INITIAL_SLOTS * SLOT_WORDS)
  /** The validated metadata of each live (or deferred) slot: its size, and what `metadata(handle)` answers. */
  readonly metadata: Array<ResourceMetadata | undefined> = []
  readonly names: PagedStrings = new PagedStrings()
  /** Free slot indexes (a stack). */
  freeSlots = new Int32Array(INITIAL_SLOTS)
  freeCount = 0
  /** Slots ever used (slots ≥ this were never handed out). */
  highWater = 0
  liveCount = 0
  nextSequence = 0

  // ---- sparse per-slot data ----
  /** Every holder when more than the owner holds (or held) the resource; absent: the owner alone. */
  readonly holders: SlotTable<Array<number>> = new SlotTable()
  /** The dependencies of a slot. */
  readonly dependencies: SlotTable<ReadonlyArray<number>> = new SlotTable()
  /** The dependents of a slot. */
  readonly dependents: SlotTable<Set<number>> = new SlotTable()
  /** Emergency overage of slots admitted over budget. */
  readonly overage: SlotTable<number> = new SlotTable()

  // ---- per type (index: the type table's) ----
  /** The types this manager serves: the built-in types, then the config's custom types. */
  readonly typeTable: TypeTable
  readonly usage: Float64Array
  readonly peak: Float64Array
  readonly allocationCount: Float64Array
  readonly releaseCount: Float64Array
  /** Failed requests by type and reason: index `type * FAILURE_REASONS + reason` (see `failure-reasons.ts`). */
  readonly failures: Float64Array
  /**
   * The highest usage since the last time a sampler took it (`internal/metrics.ts`): so a sample sees the
   * true peak between two samples. Always ≤ `peak`.
   */
  readonly windowPeak: Float64Array
  readonly emergencyCount: Float64Array
  readonly emergencyBytes: Float64Array
  /** Bytes charged by live resources (pool-backed resources are charged through their pool's capacity). */
  readonly liveBytes: Float64Array
  /** Pool capacity charged to each type. */
  readonly poolBytes: Float64Array
  readonly pressure: Uint8Array
  /**
   * The usage in which each type's level stays now (`pressureBand`): a charge inside it re-evaluates nothing. The
   * band of `pressure[type]` in `levelLow`/`levelHigh`, kept apart: reading it through `pressure` cost 60–90
   * instructions more per budgeted acquire + release (the facade's heap variant, counted under valgrind).
   */
  private readonly pressureLow: Float64Array
  private readonly pressureHigh: Float64Array
  /** Each type's band of each level (index `type * LEVELS + level`), computed when its budget is set. */
  private readonly levelLow: Float64Array
  private readonly levelHigh: Float64Array
  readonly budgets: Array<ResourceBudget | undefined>
  readonly queues: Array<WaitQueue<Waiter>>

  // ---- names ----
  /** Live (and deferred) names → slot. */
  readonly liveNames: NameIndex = new NameIndex(this.names)
  /** Names reserved by a request waiting in a type queue. */
  readonly reservedNames = new Map<string, Waiter>()
  /** Requests waiting for a live name. */
  readonly nameQueues = new Map<string, WaitQueue<Waiter>>()

  // ---- drivers ----
  /** The id of each driver index; `""` for an index forgotten and not yet given again (`forgetIdleDrivers`). */
  readonly driverIds: Array<string> = []
  readonly driverIndex = new Map<string, number>()
  /** Indexes of forgotten drivers, given to new driver ids first (a stack). */
  private readonly freeDrivers: Array<number> = []
  /**
   * Drivers kept for the manager's life whether or not they hold anything: the default owner, the drivers of the
   * config and of `registerDriver`, the trace's declared drivers.
   */
  readonly keptDrivers = new Set<number>()
  /** New driver ids interned since the last `forgetIdleDrivers`, and how many more start the next one. */
  private internedSinceForget = 0
  private forgetAfter = MIN_FORGET_AFTER
  /** Live slots each driver holds as a sharer (owners are found through the slot arrays). */
  readonly sharedBy = new Map<number, Set<number>>()
  /** Requests each driver has waiting. */
  readonly waitingCount: Array<number> = []
  /** First slot of each driver's list of slots it owns and still holds (-1: none). */
  readonly ownedHead: Array<number> = []
  /**
   * The sequential drivers (declared in the config's `drivers` or registered at run time): while one of
   * their requests waits they release nothing. Every other driver is a concurrent owner (independent tasks
   * act for it), the default owner included.
   */
  readonly sequential = new Set<number>()

  // ---- requests ----
  nextRequest = 1
  /**
   * Waits started so far (`enqueue` counts each; a name waiter's move to its type queue is not a new one).
   * The deadlock check carries its sums from one wait to the next only while every wait it did not see
   * itself is accounted for (deadlock/manager-check.ts).
   */
  waitsStarted = 0
  /** Every waiter, by request id. */
  readonly waiting = new Map<number, Waiter>()

  // ---- options ----
  readonly hysteresisPercent: number
  pressureListener: ((change: PressureChange) => void) | undefined = undefined
  trace: TransitionTrace | undefined = undefined
  now: () => number

  constructor(
    options: { readonly hysteresisPercent?: number; readonly now?: () => number; readonly types?: TypeTable } = {}
  ) {
    const types = options.types ?? TypeTable.builtin
    const count = types.count
    this.typeTable = types
    this.usage = new Float64Array(count)
    this.peak = new Float64Array(count)
    this.allocationCount = new Float64Array(count)
    this.releaseCount = new Float64Array(count)
    this.failures = new Float64Array(count * FAILURE_REASONS)
    this.windowPeak = new Float64Array(count)
    this.emergencyCount = new Float64Array(count)
    this.emergencyBytes = new Float64Array(count)
    this.liveBytes = new Float64Array(count)
    this.poolBytes = new Float64Array(count)
    this.pressure = new Uint8Array(count)
    // no budget: the level is None whatever the usage
    this.pressureLow = new Float64Array(count).fill(Number.NEGATIVE_INFINITY)
    this.pressureHigh = new Float64Array(count).fill(Number.POSITIVE_INFINITY)
    this.levelLow = new Float64Array(count * LEVELS).fill(Number.NEGATIVE_INFINITY)
    this.levelHigh = new Float64Array(count * LEVELS).fill(Number.POSITIVE_INFINITY)
    this.budgets = new Array(count).fill(undefined)
    this.queues = Array.from({ length: count }, () => new WaitQueue<Waiter>())
    this.hysteresisPercent = options.hysteresisPercent ?? 0
    this.now = options.now ?? Date.now
    this.epoch = this.now()
  }

  /** The clock reading `acquiredAt` is relative to. */
  readonly epoch: number

  private lastDriverId = ""
  private lastDriver = -1

  /** The size in bytes of a live (or deferred) slot. */
  sizeOf(slot: number): number {
    return this.metadata[slot]?.sizeBytes ?? 0
  }

  /** The bytes a live (or deferred) slot charges to its type: its size, or none for a pool block. */
  chargedSize(slot: number): number {
    return (this.flagsOf(slot) & POOLED) === 0 ? this.sizeOf(slot) : 0
  }

  /** The name of a type index. */
  typeName(index: number): ResourceTypeName {
    return this.typeTable.nameOf(index)
  }

  /** Requests waiting for a type: in its queue, or in a name queue for a resource of that type. */
  waitingOfType(type: number): number {
    let count = this.queues[type]?.size ?? 0
    if (this.nameQueues.size > 0) {
      for (const queue of this.nameQueues.values())
        for (const waiter of queue.entries()) if (waiter.type === type) count++
    }
    return count
  }

  /** The index of a driver, interned on first use (the last one looked up is cached). */
  driver(id: string): number {
    if (id === this.lastDriverId) return this.lastDriver
    const known = this.driverIndex.get(id)
    if (known !== undefined) {
      this.lastDriverId = id
      this.lastDriver = known
      return known
    }
    if (++this.internedSinceForget >= this.forgetAfter && this.freeDrivers.length === 0) this.forgetIdleDrivers()
    const reused = this.freeDrivers.pop()
    let index: number
    if (reused === undefined) {
      index = this.driverIds.length
      this.driverIds.push(id)
      this.ownedHead.push(-1)
      this.waitingCount.push(0)
    } else {
      // a forgotten driver's index: it held nothing and waited for nothing, so its entries are at rest
      index = reused
      this.driverIds[index] = id
    }
    this.driverIndex.set(id, index)
    this.lastDriverId = id
    this.lastDriver = index
    return index
  }

  /** The ids of the drivers this manager knows now, in index order (forgotten ones left out). */
  knownDriverIds(): Array<string> {
    return this.driverIds.filter((id) => id !== "")
  }

  /**
   * Forgets every driver that holds nothing, waits for nothing, owns no slot still live or deferred and is not kept
   * (`keptDrivers`): its id leaves the index and its index goes to the next new driver id. Run from `driver` once
   * as many new ids were interned as the larger of {@link MIN_FORGET_AFTER}, the drivers known and the slots ever
   * used, so its cost (one pass over the slots and the drivers) is a constant per new driver id, and a manager
   * whose owners come and go (an id per request) keeps at most about that many idle drivers.
   *
   * A request carries its driver's index only while it is recorded (admitted: the slot's owner; waiting: the
   * waiters) or within one synchronous step; the core looks it up on each submission (`Core.submit`), so a
   * forgotten index never reaches the state for its old id. Called only from `driver`, which then sets the cache
   * of the last driver looked up (a forgotten one may be in it until then).
   */
  private forgetIdleDrivers(): void {
    const count = this.driverIds.length
    // busy beyond `idle`: kept drivers (the sequential ones among them), and owners of deferred resources
    const busy = new Uint8Array(count)
    for (const driver of this.keptDrivers) busy[driver] = 1
    for (let slot = 0; slot < this.highWater; slot++) {
      if (this.stateOf(slot) !== SlotState.Free) busy[this.ownerOf(slot)] = 1
    }
    // from the top down, so that the stack gives the lowest index first: a manager reuses the front of its arrays
    for (let driver = count - 1; driver >= 0; driver--) {
      const id = this.driverIds[driver] as string
      if (busy[driver] === 1 || id === "" || !this.idle(driver)) continue
      this.driverIndex.delete(id)
      this.driverIds[driver] = ""
      this.freeDrivers.push(driver)
    }
    this.internedSinceForget = 0
    this.forgetAfter = Math.max(MIN_FORGET_AFTER, count - this.freeDrivers.length, this.highWater)
  }

  /** A free slot, growing the arrays when none is left. */
  takeSlot(): number {
    if (this.freeCount > 0) {
      this.freeCount--
      return this.freeSlots[this.freeCount] as number
    }
    if (this.highWater === this.capacity) this.growSlots()
    return this.highWater++
  }

  /** Counts the release of a freed slot of `type`, gives its `size` charged bytes back and returns it to the free stack. */
  dropSlot(slot: number, type: number, size: number): void {
    this.liveCount--
    this.liveBytes[type] = (this.liveBytes[type] as number) - size
    this.releaseCount[type] = (this.releaseCount[type] as number) + 1
    this.putSlot(slot)
    this.charge(type, -size)
  }

  /** Returns a slot to the free stack and bumps its generation (every handle to it becomes stale). */
  putSlot(slot: number): void {
    const at = slot * SLOT_WORDS
    const slots = this.slots
    slots[at + GENERATION] = (slots[at + GENERATION] as number) + 1 // mod 2^32, read back unsigned
    slots[at + KIND] = (slots[at + KIND] as number) & ~0xff // Free (0); the type and flags stay as they were
    this.metadata[slot] = undefined
    if (this.names.used) this.names.set(slot, "")
    this.freeSlots[this.freeCount++] = slot
  }

  private growSlots(): void {
    const capacity = this.capacity * 2
    this.slots = grow(this.slots, capacity * SLOT_WORDS)
    this.freeSlots = grow(this.freeSlots, capacity)
    this.capacity = capacity
  }

  /**
   * Writes the record of a slot taken by an admission: live, of `type` with `flags`, owned by `owner`, no
   * dependents, acquired at `acquiredAt` (ms since `epoch`) as the `sequence`th acquisition; the generation stays.
   */
  occupy(slot: number, type: number, flags: number, owner: number, acquiredAt: number, sequence: number): void {
    const at = slot * SLOT_WORDS
    const slots = this.slots
    slots[at + KIND] = SlotState.Live | (flags << 8) | (type << 16)
    slots[at + OWNER] = owner
    slots[at + DEPENDENTS] = 0
    slots[at + ACQUIRED_AT] = acquiredAt
    slots[at + SEQUENCE] = sequence
  }

  /** A slot's generation (mod 2^32): handles of an earlier generation are stale. */
  generationOf(slot: number): number {
    return (this.slots[slot * SLOT_WORDS + GENERATION] as number) >>> 0
  }

  /** A slot's state (`SlotState`). */
  stateOf(slot: number): number {
    return (this.slots[slot * SLOT_WORDS + KIND] as number) & 0xff
  }

  /** A live (or deferred) slot becomes deferred: released by its holders, freed when its last dependent goes. */
  defer(slot: number): void {
    const at = slot * SLOT_WORDS + KIND
    this.slots[at] = ((this.slots[at] as number) & ~0xff) | SlotState.Deferred
  }

  /** The type index of a live (or deferred) slot. */
  typeOf(slot: number): number {
    return (this.slots[slot * SLOT_WORDS + KIND] as number) >>> 16
  }

  /** The flags of a live (or deferred) slot (`ResourceFlag` bits and `POOLED`). */
  flagsOf(slot: number): number {
    return ((this.slots[slot * SLOT_WORDS + KIND] as number) >>> 8) & 0xff
  }

  /** The owning driver of a live slot; -1 for a slot that is not live (free or deferred). */
  liveOwnerOf(slot: number): number {
    const at = slot * SLOT_WORDS
    return ((this.slots[at + KIND] as number) & 0xff) === SlotState.Live ? (this.slots[at + OWNER] as number) : -1
  }

  /** The owning driver of a live (or deferred) slot. */
  ownerOf(slot: number): number {
    return this.slots[slot * SLOT_WORDS + OWNER] as number
  }

  /** The live dependents of a slot (and waiting requests that will depend on it). */
  dependentsOf(slot: number): number {
    return this.slots[slot * SLOT_WORDS + DEPENDENTS] as number
  }

  /** Adds `delta` (±1) to a slot's dependents and returns the new count. */
  addDependents(slot: number, delta: number): number {
    const at = slot * SLOT_WORDS + DEPENDENTS
    const count = (this.slots[at] as number) + delta
    this.slots[at] = count
    return count
  }

  /** When a live slot was acquired: milliseconds since `epoch`, mod 2^32. */
  acquiredAtOf(slot: number): number {
    return (this.slots[slot * SLOT_WORDS + ACQUIRED_AT] as number) >>> 0
  }

  /** A live slot's acquisition sequence number (mod 2^32). */
  sequenceOf(slot: number): number {
    return (this.slots[slot * SLOT_WORDS + SEQUENCE] as number) >>> 0
  }

  /** The next slot in the owner's list after `slot` (-1: the last). */
  nextOwnedOf(slot: number): number {
    return this.slots[slot * SLOT_WORDS + NEXT_OWNED] as number
  }

  /** Whether `slot` is in `driver`'s list of owned slots (it is, from its admission until its hold ends). */
  inOwnedList(slot: number, driver: number): boolean {
    return (this.slots[slot * SLOT_WORDS + PREV_OWNED] as number) !== -1 || this.ownedHead[driver] === slot
  }

  /** Adds `slot` to its owner's list. */
  linkOwned(slot: number, driver: number): void {
    const slots = this.slots
    const head = this.ownedHead[driver] ?? -1
    const at = slot * SLOT_WORDS
    slots[at + NEXT_OWNED] = head
    slots[at + PREV_OWNED] = -1
    if (head >= 0) slots[head * SLOT_WORDS + PREV_OWNED] = slot
    this.ownedHead[driver] = slot
  }

  /** Removes `slot` from its owner's list. */
  unlinkOwned(slot: number, driver: number): void {
    const slots = this.slots
    const at = slot * SLOT_WORDS
    const next = slots[at + NEXT_OWNED] as number
    const prev = slots[at + PREV_OWNED] as number
    if (prev >= 0) slots[prev * SLOT_WORDS + NEXT_OWNED] = next
    else this.ownedHead[driver] = next
    if (next >= 0) slots[next * SLOT_WORDS + PREV_OWNED] = prev
    slots[at + NEXT_OWNED] = -1
    slots[at + PREV_OWNED] = -1
  }

  /** Every live slot a driver holds (owned and shared). */
  *heldBy(driver: number): Generator<number> {
    for (let slot = this.ownedHead[driver] ?? -1; slot >= 0; slot = this.nextOwnedOf(slot)) yield slot
    const shared = this.sharedBy.size === 0 ? undefined : this.sharedBy.get(driver)
    if (shared !== undefined) yield* shared
  }

  /**
   * False once an operation outside waiting may have left a driver stuck while requests wait (an admission
   * or a share to a driver that has a request waiting, a lowered budget, a dependency added, pool growth);
   * true again whenever nothing waits. The deadlock check's shortcut for idle drivers relies on it.
   */
  deadlockFree = true

  /** Marks the state as possibly deadlocked when requests wait (see `deadlockFree`). */
  taint(): void {
    if (this.waiting.size > 0) this.deadlockFree = false
  }

  /** Called when a wait ends: with nothing waiting, no driver can be stuck. */
  waitEnded(): void {
    if (this.waiting.size === 0) this.deadlockFree = true
  }

  /**
   * Name waiters that were not bare when they started waiting (they had dependencies, or their sequential
   * driver held something), and sequential drivers with several requests waiting. While both are 0, every
   * name waiter holds and pins nothing (a bare waiter's driver that acquires or is shared something while
   * it waits taints the state), which the deadlock check's shortcut relies on.
   */
  nonBareNameWaiters = 0
  multiWaiting = 0

  /** Counts a request of `driver` starting (+1) or ending (-1) its wait. */
  countWait(driver: number, delta: 1 | -1): void {
    const before = this.waitingCount[driver] ?? 0
    const after = before + delta
    this.waitingCount[driver] = after
    if (before > 1 !== after > 1 && this.isSequential(driver)) this.multiWaiting += delta
  }

  /** Whether a driver is sequential (see `sequential`); false for a concurrent owner. */
  isSequential(driver: number): boolean {
    return this.sequential.size > 0 && this.sequential.has(driver)
  }

  /** Whether a driver holds nothing and waits for nothing. */
  idle(driver: number): boolean {
    return (this.ownedHead[driver] ?? -1) < 0 && !this.sharedBy.has(driver) && (this.waitingCount[driver] ?? 0) === 0
  }

  /** limit(p) of a type: maxBytes − reservedBytes, or maxBytes for Critical; the usage bound without a budget. */
  limit(type: number, priority: number): number {
    const budget = this.budgets[type]
    if (budget === undefined) return MAX_USAGE
    return priority === ResourcePriority.Critical ? budget.maxBytes : budget.maxBytes - budget.reservedBytes
  }

  /** Whether `slot` is held by `driver`. */
  holds(slot: number, driver: number): boolean {
    const all = this.holders.size === 0 ? undefined : this.holders.get(slot)
    if (all !== undefined) return all.includes(driver)
    return this.liveOwnerOf(slot) === driver
  }

  /** The holders of a live slot. */
  holderList(slot: number): Array<number> {
    const all = this.holders.get(slot)
    if (all !== undefined) return all
    return this.stateOf(slot) === SlotState.Live ? [this.ownerOf(slot)] : []
  }

  /** Whether a live (or deferred) resource has this name. */
  nameLive(name: string): boolean {
    return this.liveNames.get(name) >= 0
  }

  /** Whether a name is taken: live, reserved by a waiter, or waited for. */
  nameTaken(name: string): boolean {
    if (name === "") return false
    if (this.nameLive(name)) return true
    if (this.reservedNames.size === 0 && this.nameQueues.size === 0) return false
    if (this.reservedNames.has(name)) return true
    const queue = this.nameQueues.get(name)
    return queue !== undefined && queue.size > 0
  }

  /** Adds `delta` bytes to a type's usage, keeping the peaks, and re-evaluates its pressure. */
  charge(type: number, delta: number): void {
    // nothing changes: the peaks stand, and the level is a fixed point of its usage (`pressureWithHysteresis`)
    if (delta === 0) return
    const usage = (this.usage[type] as number) + delta
    this.usage[type] = usage
    // windowPeak ≤ peak, so one comparison on the common path keeps both
    if (usage > (this.windowPeak[type] as number)) {
      this.windowPeak[type] = usage
      if (usage > (this.peak[type] as number)) this.peak[type] = usage
    }
    this.updatePressure(type)
  }

  /** Failed requests of `type`, all reasons together. */
  failedCount(type: number): number {
    let count = 0
    for (let at = type * FAILURE_REASONS, end = at + FAILURE_REASONS; at < end; at++) {
      count += this.failures[at] as number
    }
    return count
  }

  /** Counts a failed request of `type` and its reason. */
  countFailure(type: number, reason: number): void {
    const at = type * FAILURE_REASONS + reason
    this.failures[at] = (this.failures[at] as number) + 1
  }

  /**
   * Re-evaluates a type's pressure level (with hysteresis) when its usage has left the band in which the level
   * stays, keeps the new level's band, and reports a change to the listener.
   */
  updatePressure(type: number): void {
    const usage = this.usage[type] as number
    if (usage >= (this.pressureLow[type] as number) && usage <= (this.pressureHigh[type] as number)) return
    const budget = this.budgets[type]
    const current = this.pressure[type] as number
    const next = budget === undefined ? 0 : pressureWithHysteresis(budget, usage, current, this.hysteresisPercent)
    this.pressureLow[type] = this.levelLow[type * LEVELS + next] as number
    this.pressureHigh[type] = this.levelHigh[type * LEVELS + next] as number
    if (next !== current) {
      this.pressure[type] = next
      const listener = this.pressureListener
      if (listener !== undefined) {
        listener({
          type,
          from: ResourcePressureNames[current] ?? "None",
          to: ResourcePressureNames[next] ?? "None"
        })
      }
    }
  }

  /** Installs (or removes) the budget of a type. */
  setBudgetRaw(type: number, budget: ResourceBudget | undefined): void {
    this.budgets[type] = budget
    for (let level = 0; level < LEVELS; level++) {
      // no budget: the level is None whatever the usage
      const band = budget === undefined ? undefined : pressureBand(budget, level, this.hysteresisPercent)
      this.levelLow[type * LEVELS + level] = band === undefined ? Number.NEGATIVE_INFINITY : band.low
      this.levelHigh[type * LEVELS + level] = band === undefined ? Number.POSITIVE_INFINITY : band.high
    }
    // an empty band: the level is evaluated now, under the new budget
    this.pressureLow[type] = Number.POSITIVE_INFINITY
    this.pressureHigh[type] = Number.NEGATIVE_INFINITY
    this.updatePressure(type)
  }
}
