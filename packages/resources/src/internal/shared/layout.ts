/**
 * The memory layout of a shared manager's SharedArrayBuffer, the same for every thread attached to it.
 *
 * ```
 * header        64 Int32 words: sizes, the closed flag, the lock, the slot free-list head, sequences
 * config        UTF-8 JSON of the label and the custom types (so an attaching thread builds the same table)
 * types         per type: 16 BigInt64 words (bytes and counters) + 16 Int32 words (waiters, level, sequences)
 * threads       per thread: 16 Int32 words (claim, epoch, heartbeat, bell) + 4 BigInt64 words per type
 * slots         per resource slot: 12 Int32 words + 4 BigInt64 words + 1 Float64 + NAME_BYTES of UTF-8 name
 * waiters       per wait-queue entry: 16 Int32 words + 1 BigInt64 word
 * names         an open-addressing table of Int32 words: slot + 1, TOMBSTONE or EMPTY (under the lock)
 * events        a ring of pressure events: 4 Int32 words each (stamp, type, from, to)
 * ```
 *
 * Byte quantities are BigInt64 words, so a budget may exceed 2 GiB and Atomics still apply.
 *
 * @internal
 * @module
 */

/** "FHSM" */
export const MAGIC = 0x4648534d
export const LAYOUT_VERSION = 1

/** Int32 words of the header. */
export const H = {
  magic: 0,
  version: 1,
  typeCount: 2,
  maxThreads: 3,
  maxResources: 4,
  maxWaiters: 5,
  /** 0 open, 1 closed. */
  closed: 6,
  /** The slow-path lock: 0 free, else the holder's thread index + 1. */
  lock: 7,
  /** The next wait ticket (FIFO order within a priority). */
  ticket: 10,
  /** A thread whose heartbeat has not moved for this long is declared lost. */
  lostAfterMillis: 11,
  /** The next pressure event's sequence number. */
  eventSeq: 12,
  /** The manager's identity in handles. */
  managerId: 13,
  /** Bytes of the config JSON. */
  configLength: 14,
  /** Waiting entries in all. */
  waiting: 16,
  /** 1 while the reaper repairs the ledger after a lost thread: lock-free steps wait. */
  repair: 18
} as const

/**
 * The BigInt64 word (over the header; Int32 words 32–33) holding the tagged head of the free slot list:
 * `(version << 32) | (slot + 1)`, a 32-bit version so that an ABA needs 2^32 head changes during one stalled
 * compare-and-swap.
 */
export const FREE_HEAD64 = 16

export const HEADER_WORDS = 64
export const HEADER_BYTES = HEADER_WORDS * 4

/** BigInt64 words of a type. */
export const T = {
  usage: 0,
  maxBytes: 1,
  reservedBytes: 2,
  peak: 3,
  emergencyBytes: 4,
  allocations: 5,
  releases: 6,
  failures: 7,
  emergencyCount: 8,
  /** 1 when the type has a budget. */
  hasBudget: 9,
  /** warningPercent and criticalPercent, in millionths of a percent. */
  warning: 10,
  critical: 11
} as const
export const TYPE_BIG_WORDS = 16

/** Int32 words of a type. */
export const TI = {
  /** Waiters queued at each priority rank: words 0–3. */
  waiting: 0,
  /** The pressure level (0 None … 4 Critical). */
  level: 4,
  /** Odd while a budget is being written (a sequence lock), even otherwise. */
  budgetSeq: 5,
  /** Bumped for each reclamation request. */
  reclaimSeq: 6
} as const
export const TYPE_INT_WORDS = 16

/** Int32 words of a thread. */
export const R = {
  /** 0 free, 1 attached, 2 being reaped. */
  claim: 0,
  /** Bumped at each attach and reap: a lost thread's later calls see another epoch. */
  epoch: 1,
  heartbeat: 2,
  /** Bumped (and notified) to wake the thread: grants, close, pressure, reclamation. */
  bell: 3,
  /** 1 when the thread is a sequential driver (deadlock detection applies to its waits). */
  sequential: 6,
  /**
   * Bit 0: 1 while the thread is inside a lock-free step (an admission or a release without the lock). Bits
   * 1–31: a slot this thread freed and puts back on the free list under the lock, + 1 (0: none).
   */
  step: 7,
  /** Words 8–15: the thread's slot in each of the manager's pools (+1; 0 = not attached). */
  poolSlots: 8
} as const
export const THREAD_INT_WORDS = 16
/** A shared manager has at most this many pools (one thread word each). */
export const MAX_POOLS = 8

/** BigInt64 words per thread and type. */
export const RT = { usage: 0, allocations: 1, releases: 2, failures: 3 } as const
export const THREAD_TYPE_WORDS = 4

/** Int32 words of a resource slot. */
export const S = {
  type: 0,
  /** The thread that acquired it. */
  owner: 1,
  /** The next free slot + 1 (in the free list). */
  next: 2,
  priority: 3,
  /** 1 when admitted over budget by Emergency. */
  emergency: 4,
  /** Bytes of the name (0: unnamed). */
  nameLength: 5,
  /** The name's hash. */
  nameHash: 6,
  /** The pool serving it + 1 (0: charged to the budget, no pool); its block handle is in `block`. */
  pool: 7,
  block: 8
} as const
export const SLOT_INT_WORDS = 12
/**
 * BigInt64 words of a slot. `holders` is `(generation << 32) | mask`: bit i of the mask is set while thread i
 * holds the resource (its acquirer, or a share); a free slot has mask 0 and its next generation.
 */
export const SB = { holders: 0, size: 1, overage: 2 } as const
export const SLOT_BIG_WORDS = 4
export const NAME_BYTES = 64
/** Threads are bits of a slot's 32-bit holder mask. */
export const MAX_THREADS = 32
/** Generations are 31-bit (handles stay small integers). */
export const GENERATION_MASK = 0x7fffffff

/** Int32 words of a wait-queue entry. */
export const W = {
  /** FREE, WAITING, GRANTED, FAILED (budget change), CLOSED. */
  state: 0,
  thread: 1,
  epoch: 2,
  type: 3,
  priority: 4,
  ticket: 5,
  /** The granted slot. */
  slot: 6,
  /** The name slot reserved for a named request: the name hash, and the bytes in the entry's name area. */
  nameHash: 8,
  nameLength: 9,
  /** The granted slot's generation. */
  generation: 10
} as const
export const WAITER_INT_WORDS = 16
export const WaiterState = { Free: 0, Waiting: 1, Granted: 2, Failed: 3, Closed: 4 } as const

export const NAME_EMPTY = 0
export const NAME_TOMBSTONE = -1

export const EVENT_RING = 256
export const EVENT_WORDS = 4

/** Byte offsets of every region, from the sizes. */
export interface Layout {
  readonly config: number
  readonly typesBig: number
  readonly typesInt: number
  readonly threadsInt: number
  readonly threadsBig: number
  readonly slotsInt: number
  readonly slotsBig: number
  readonly slotsTime: number
  readonly slotsName: number
  readonly waitersInt: number
  readonly waitersBig: number
  readonly waitersName: number
  readonly names: number
  readonly nameCapacity: number
  readonly events: number
  readonly totalBytes: number
}

const align8 = (n: number): number => Math.ceil(n / 8) * 8

/** The regions of a manager with these sizes and `configBytes` of config JSON. */
export const layoutOf = (
  types: number,
  threads: number,
  slots: number,
  waiters: number,
  configBytes: number
): Layout => {
  let at = HEADER_BYTES
  const region = (bytes: number): number => {
    const start = align8(at)
    at = start + bytes
    return start
  }
  const nameCapacity = 2 ** Math.ceil(Math.log2(Math.max(16, slots * 2)))
  const config = region(configBytes)
  const typesBig = region(types * TYPE_BIG_WORDS * 8)
  const typesInt = region(types * TYPE_INT_WORDS * 4)
  const threadsInt = region(threads * THREAD_INT_WORDS * 4)
  const threadsBig = region(threads * types * THREAD_TYPE_WORDS * 8)
  const slotsInt = region(slots * SLOT_INT_WORDS * 4)
  const slotsBig = region(slots * SLOT_BIG_WORDS * 8)
  const slotsTime = region(slots * 8)
  const slotsName = region(slots * NAME_BYTES)
  const waitersInt = region(waiters * WAITER_INT_WORDS * 4)
  const waitersBig = region(waiters * 8)
  const waitersName = region(waiters * NAME_BYTES)
  const names = region(nameCapacity * 4)
  const events = region(EVENT_RING * EVENT_WORDS * 4)
  return {
    config,
    typesBig,
    typesInt,
    threadsInt,
    threadsBig,
    slotsInt,
    slotsBig,
    slotsTime,
    slotsName,
    waitersInt,
    waitersBig,
    waitersName,
    names,
    nameCapacity,
    events,
    totalBytes: align8(at)
  }
}
