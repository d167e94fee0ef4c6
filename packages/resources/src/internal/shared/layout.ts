/**
 * The memory layout of a shared manager's SharedArrayBuffer, the same for every thread attached to it.
 *
 * ```
 * header        64 Int32 words: sizes, the closed flag, the lock, sequences
 * config        UTF-8 JSON of the label and the custom types (so an attaching thread builds the same table)
 * types         per type: 16 BigInt64 words (bytes) + 16 Int32 words (waiters, level, sequences)
 * threads       per thread: 16 Int32 words (claim, epoch, heartbeat, bell) + 32 Int32 words per type (counters,
 *               the thread's lease of the type's budget and its copy of the type's lease epoch)
 * slots         per resource slot: 12 Int32 words + 3 Float64 words + NAME_BYTES of UTF-8 name
 * in use        one bit per slot (Int32 words): set while the slot is taken (being admitted, live, or freed and
 *               not yet returned)
 * waiters       per wait-queue entry: 16 Int32 words + 1 BigInt64 word
 * names         an open-addressing table of Int32 words, linear probing: slot + 1 or EMPTY (under the lock; a
 *               removal moves the run's later entries back, so there are no tombstones)
 * events        a ring of pressure events: 4 Int32 words each (stamp, type, from, to)
 * ```
 *
 * The budget's byte quantities (usage, limits, peak) are BigInt64 words, so a budget may exceed 2 GiB and Atomics
 * still apply. Everything a lock-free step touches besides the usage word is an Int32 word (on Bun every Atomics
 * operation on a BigInt64 word allocates its result): counters are Int32 pairs (`counter.ts`), a slot's holder
 * mask and generation are two Int32 words, free slots are bits.
 *
 * @internal
 * @module
 */

/** "FHSM" */
export const MAGIC = 0x4648534d
export const LAYOUT_VERSION = 5

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
  repair: 18,
  /** The config's `hysteresisPercent`, exactly: the double's bits in words 19 and 20 (as a Float64Array lays them). */
  hysteresis: 19,
  /** The config's `leaseBytes`: the bytes of budget a thread leases at a time (0: leasing is off for good). */
  leaseChunk: 21,
  /** Lost-thread repairs done (bumped by each before the lock-free steps resume; wraps). */
  repairs: 22
} as const

export const HEADER_WORDS = 64
export const HEADER_BYTES = HEADER_WORDS * 4

/** BigInt64 words of a type. */
export const T = {
  usage: 0,
  maxBytes: 1,
  reservedBytes: 2,
  peak: 3,
  emergencyBytes: 4,
  /** Leases charged to the type since creation (bumped under the lock). */
  leases: 5,
  /** 1 when the type has a budget. */
  hasBudget: 9,
  /** warningPercent and criticalPercent, exactly: each double's bits as a BigInt64. */
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
  reclaimSeq: 6,
  /**
   * The lease epoch (changed under the lock only; `Ledger.turnOffLeasing`, `takeLease`): `epoch % 4` is 0 while
   * leasing is off, 1 while it is being turned on, 2 while it is on, 3 while it is being turned off. Each thread's
   * row has a copy (`RT.leaseEpoch`), written before and after every change, which the thread reads on its
   * lock-free steps.
   */
  leaseEpoch: 7,
  /**
   * The last failed NonBlocking request that asked the other threads to reclaim: its size (clamped to 2^31 − 1),
   * its priority rank, and the `reclaimSeq` it rang with (a thread that services that ring, and has no queue head
   * to reclaim for, reclaims what that request missed: nobody waits for it, it has already failed).
   */
  reclaimSize: 8,
  reclaimPriority: 9,
  reclaimRequestSeq: 10
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
  /**
   * The manager's state as this thread reads it on its fast path (`ThreadFlags`), written into every thread's row
   * by whoever changes it: the thread reads a word of its own cache line instead of one all threads read (on Bun
   * an `Atomics.load` of a word other threads read too takes the cache line as a write does).
   */
  flags: 4,
  /** Bumped in every thread's row when a budget changes: the thread's cached budgets are then read again. */
  budgetEpoch: 5,
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
/** Bits of a thread's `R.flags` word. */
export const ThreadFlags = {
  /** The reaper is repairing the ledger: lock-free steps wait. */
  Repair: 1,
  /** The manager is closed. */
  Closed: 2,
  /**
   * Bits 2–31 count the waiting entries (of every type): added to every row after an entry is queued and before
   * its grant is tried, taken away after it leaves the queue. A step that reads 0 in its own row has no waiter to
   * look for (a fast admission, a release deciding whether to grant).
   */
  Waiter: 4
} as const
/** A shared manager has at most this many pools (one thread word each). */
export const MAX_POOLS = 8

/**
 * Int32 words per thread and type: the thread's counters (each an Int32 pair, `counter.ts`) and, at `baseline`,
 * their values when the thread attached (a thread's own figures are the difference). Allocations and releases
 * are counted in the row of the thread that acquired the resource (a grant or a release by another thread too);
 * failures and emergencies in the row of the thread that asked.
 */
export const RT = {
  allocations: 0,
  releases: 2,
  failures: 4,
  emergencies: 6,
  baseline: 8,
  /**
   * The thread's lease of the type's budget: -1 while leasing is off, else the bytes leased to it and not spent
   * (charged to usage already). Only its thread changes it lock-free (a compare-and-swap to spend or give back);
   * under the lock a lease is added to it, or the word is swept to -1 or set from -1 to 0.
   */
  lease: 16,
  /** This thread's copy of the type's lease epoch (`TI.leaseEpoch`). */
  leaseEpoch: 17
} as const
export const THREAD_TYPE_WORDS = 32

/** Int32 words of a resource slot. */
export const S = {
  type: 0,
  /** The thread that acquired it. */
  owner: 1,
  priority: 3,
  /** 1 when admitted over budget by Emergency. */
  emergency: 4,
  /** Bytes of the name (0: unnamed). */
  nameLength: 5,
  /** The name's hash. */
  nameHash: 6,
  /** The pool serving it + 1 (0: charged to the budget, no pool); its block handle is in `block`. */
  pool: 7,
  block: 8,
  /**
   * The holders: bit i is set while thread i holds the resource (its acquirer, or a share); 0 while the slot is
   * not live. Set by the admission after everything else in the slot is written.
   */
  mask: 9,
  /**
   * The generation, moved on only while `mask` is 0 (by the release that freed the slot, before the slot is
   * returned): a handle names a slot and a generation.
   */
  generation: 10
} as const
export const SLOT_INT_WORDS = 12
/** Float64 words of a slot (written before the slot is live, read after its mask is seen). */
export const SN = { size: 0, overage: 1, createdAt: 2 } as const
export const SLOT_NUM_WORDS = 3
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

export const EVENT_RING = 256
export const EVENT_WORDS = 4

/** Byte offsets of every region, from the sizes. */
export interface Layout {
  readonly config: number
  readonly typesBig: number
  readonly typesInt: number
  readonly threadsInt: number
  readonly threadCounters: number
  readonly slotsInt: number
  readonly slotsNum: number
  readonly slotsName: number
  readonly inUse: number
  readonly waitersInt: number
  readonly waitersBig: number
  readonly waitersName: number
  readonly names: number
  readonly nameCapacity: number
  readonly events: number
  readonly totalBytes: number
}

/**
 * Regions start on a 64-byte boundary (a cache line): a thread's row (16 words) then fills a line of its own, so
 * that one thread's writes to its row do not take the line from the others (false sharing).
 */
const LINE = 64
const alignLine = (n: number): number => Math.ceil(n / LINE) * LINE

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
    const start = alignLine(at)
    at = start + bytes
    return start
  }
  const nameCapacity = 2 ** Math.ceil(Math.log2(Math.max(16, slots * 2)))
  const config = region(configBytes)
  const typesBig = region(types * TYPE_BIG_WORDS * 8)
  const typesInt = region(types * TYPE_INT_WORDS * 4)
  const threadsInt = region(threads * THREAD_INT_WORDS * 4)
  const threadCounters = region(threads * types * THREAD_TYPE_WORDS * 4)
  const slotsInt = region(slots * SLOT_INT_WORDS * 4)
  const slotsNum = region(slots * SLOT_NUM_WORDS * 8)
  const slotsName = region(slots * NAME_BYTES)
  const inUse = region(Math.ceil(slots / 32) * 4)
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
    threadCounters,
    slotsInt,
    slotsNum,
    slotsName,
    inUse,
    waitersInt,
    waitersBig,
    waitersName,
    names,
    nameCapacity,
    events,
    totalBytes: alignLine(at)
  }
}
