/**
 * The Work/Finish reduction of `reduction.ts` over integer indexes: supplies, actors, queue entries and pins
 * live in typed arrays owned by one `Reducer`, which is filled by an adapter (`reduce` over a `WaitView`, or
 * the manager over its own state), run, and reused by the next check. A check allocates nothing once the
 * arrays have grown to the size of the wait state, and every step is an array read: the cost per check is
 * linear in the waiters and the closures of the waiting drivers, with a small constant.
 *
 * The moves and their order are those documented in `reduction.ts`; the result (which actors never finish,
 * and on which queue each is stuck) is the reduction's unique fixpoint.
 *
 * @since 0.1.0
 */

/** Growable Int32Array / Float64Array helpers. */
type Ints = Int32Array<ArrayBuffer>
type Floats = Float64Array<ArrayBuffer>

const growInt = (array: Ints, length: number): Ints => {
  if (length <= array.length) return array
  const next = new Int32Array(Math.max(length, array.length * 2))
  next.set(array)
  return next
}
const growFloat = (array: Floats, length: number): Floats => {
  if (length <= array.length) return array
  const next = new Float64Array(Math.max(length, array.length * 2))
  next.set(array)
  return next
}

const NONE = -1
const CRITICAL = 3

/**
 * One reduction's input and state, in reusable arrays. Use: `reset()`, then supplies (`typeSupply`,
 * `nameSupply`), actors (`actor`), entries in queue order (`entry`, the candidate with `first = false`),
 * reservations (`reserve`), pins (`pin`), then `run()`.
 *
 * @since 0.1.0
 */
export class Reducer {
  // ---- supplies ----
  supplies = 0
  private budgeted = new Int32Array(16)
  private reserved = new Float64Array(16)
  private units = new Float64Array(16)
  /** Queue: first entry, last entry, first ungranted entry, entries granted. */
  private queueFirst = new Int32Array(16)
  private queueLast = new Int32Array(16)
  private queueHead = new Int32Array(16)
  private queueGranted = new Int32Array(16)
  private queueLength = new Int32Array(16)
  /** Bytes stages of name waiters taking bytes from this supply (enqueue order, then service order). */
  private stageFirst = new Int32Array(16)
  private stageLast = new Int32Array(16)
  private stageCursor = new Int32Array(16)
  /** One waiter per actor: the stages whose name is granted and whose bytes are not (grant order). */
  private readyFirst = new Int32Array(16)
  private readyLast = new Int32Array(16)

  // ---- actors ----
  actors = 0
  private ungranted = new Int32Array(16)
  private actorFirst = new Int32Array(16)
  private actorLast = new Int32Array(16)
  private actorEntries = new Int32Array(16)
  private actorPins = new Int32Array(16)

  // ---- entries ----
  entries = 0
  private entryActor = new Int32Array(16)
  private entrySupply = new Int32Array(16)
  /** 1: a name waiter (one unit of a name supply); 0: bytes. */
  private entryIsName = new Int32Array(16)
  private entrySize = new Float64Array(16)
  private entryRank = new Int32Array(16)
  private entryGranted = new Int32Array(16)
  private entryReserves = new Int32Array(16)
  private nextInQueue = new Int32Array(16)
  private nextOfActor = new Int32Array(16)
  /** The bytes stage of a name waiter: its type supply (NONE: none), size, ahead count, name granted. */
  private stageSupply = new Int32Array(16)
  private stageSize = new Float64Array(16)
  private stageAhead = new Int32Array(16)
  private stageNameGranted = new Int32Array(16)
  private nextStage = new Int32Array(16)
  private nextReady = new Int32Array(16)

  // ---- pins (one per live resource some waiting actor pins) and their links to actors ----
  pins = 0
  private pinSize = new Float64Array(16)
  private pinBytes = new Int32Array(16)
  private pinName = new Int32Array(16)
  private pinPending = new Int32Array(16)
  private pinStamp = new Int32Array(16)
  private links = 0
  private linkPin = new Int32Array(16)
  private linkNext = new Int32Array(16)
  /** Resource key → pin + 1 for the current check (`keyEpoch` says which check wrote it). */
  private pinOfKey = new Int32Array(16)
  private keyEpoch = new Int32Array(16)
  private epoch = 0

  private worklist = new Int32Array(16)
  private work = 0
  private severalWaiters = false

  /** Starts a new reduction (the arrays are kept). */
  reset(): void {
    this.supplies = 0
    this.actors = 0
    this.entries = 0
    this.pins = 0
    this.links = 0
    this.work = 0
    this.epoch++
    if (this.epoch > 0x3fffffff) {
      this.epoch = 1
      this.keyEpoch.fill(0)
    }
  }

  /** A type's bytes: `budgeted` false for an unbudgeted type (never waits, takes nothing). */
  typeSupply(budgeted: boolean, reservedBytes: number, units: number): number {
    const s = this.addSupply()
    this.budgeted[s] = budgeted ? 1 : 0
    this.reserved[s] = reservedBytes
    this.units[s] = units
    return s
  }

  /** An exclusive name: one unit, free while `units` is 0. */
  nameSupply(): number {
    const s = this.addSupply()
    this.budgeted[s] = 1
    this.reserved[s] = 0
    this.units[s] = 0
    return s
  }

  private addSupply(): number {
    const s = this.supplies++
    if (s >= this.budgeted.length) {
      const n = s + 1
      this.budgeted = growInt(this.budgeted, n)
      this.reserved = growFloat(this.reserved, n)
      this.units = growFloat(this.units, n)
      this.queueFirst = growInt(this.queueFirst, n)
      this.queueLast = growInt(this.queueLast, n)
      this.queueHead = growInt(this.queueHead, n)
      this.queueGranted = growInt(this.queueGranted, n)
      this.queueLength = growInt(this.queueLength, n)
      this.stageFirst = growInt(this.stageFirst, n)
      this.stageLast = growInt(this.stageLast, n)
      this.stageCursor = growInt(this.stageCursor, n)
      this.readyFirst = growInt(this.readyFirst, n)
      this.readyLast = growInt(this.readyLast, n)
    }
    this.queueFirst[s] = NONE
    this.queueLast[s] = NONE
    this.queueHead[s] = NONE
    this.queueGranted[s] = 0
    this.queueLength[s] = 0
    this.stageFirst[s] = NONE
    this.stageLast[s] = NONE
    this.stageCursor[s] = NONE
    this.readyFirst[s] = NONE
    this.readyLast[s] = NONE
    return s
  }

  /** A new actor (a sequential driver, or one waiter of a concurrent owner). */
  actor(): number {
    const a = this.actors++
    if (a >= this.ungranted.length) {
      const n = a + 1
      this.ungranted = growInt(this.ungranted, n)
      this.actorFirst = growInt(this.actorFirst, n)
      this.actorLast = growInt(this.actorLast, n)
      this.actorEntries = growInt(this.actorEntries, n)
      this.actorPins = growInt(this.actorPins, n)
    }
    this.ungranted[a] = 0
    this.actorFirst[a] = NONE
    this.actorLast[a] = NONE
    this.actorEntries[a] = 0
    this.actorPins[a] = NONE
    return a
  }

  /**
   * A waiter of `actor` in `supply`'s queue: after every entry so far (`first`), or, for the candidate, after
   * every entry of its rank or higher. A name waiter (`isName`) with a bytes stage gives `stage` (its type
   * supply) and `stageBytes`; a bytes waiter gives `size` and `NONE`.
   */
  entry(
    actor: number,
    supply: number,
    isName: boolean,
    size: number,
    rank: number,
    stage: number,
    first: boolean
  ): number {
    const e = this.entries++
    if (e >= this.entryActor.length) this.growEntries(e + 1)
    this.entryActor[e] = actor
    this.entrySupply[e] = supply
    this.entryIsName[e] = isName ? 1 : 0
    this.entrySize[e] = isName ? 0 : size
    this.entryRank[e] = rank
    this.entryGranted[e] = 0
    this.entryReserves[e] = NONE
    this.stageSupply[e] = stage
    this.stageSize[e] = isName ? size : 0
    this.stageAhead[e] = 0
    this.stageNameGranted[e] = 0
    this.nextStage[e] = NONE
    this.nextReady[e] = NONE
    // the actor's entries, in order
    this.nextOfActor[e] = NONE
    const last = this.actorLast[actor] as number
    if (last === NONE) this.actorFirst[actor] = e
    else this.nextOfActor[last] = e
    this.actorLast[actor] = e
    this.actorEntries[actor] = (this.actorEntries[actor] as number) + 1
    this.ungranted[actor] = (this.ungranted[actor] as number) + (stage === NONE ? 1 : 2)
    if (stage !== NONE) {
      const stageLast = this.stageLast[stage] as number
      if (stageLast === NONE) this.stageFirst[stage] = e
      else this.nextStage[stageLast] = e
      this.stageLast[stage] = e
    }
    // the queue
    this.queueLength[supply] = (this.queueLength[supply] as number) + 1
    const queueLast = this.queueLast[supply] as number
    if (first || queueLast === NONE || (this.entryRank[queueLast] as number) >= rank) {
      this.nextInQueue[e] = NONE
      if (queueLast === NONE) this.queueFirst[supply] = e
      else this.nextInQueue[queueLast] = e
      this.queueLast[supply] = e
      return e
    }
    // behind the last entry of rank ≥ `rank` (the first in a queue of lower ranks only)
    let before = NONE
    for (let at = this.queueFirst[supply] as number; at !== NONE; at = this.nextInQueue[at] as number) {
      if ((this.entryRank[at] as number) >= rank) before = at
    }
    if (before === NONE) {
      this.nextInQueue[e] = this.queueFirst[supply] as number
      this.queueFirst[supply] = e
    } else {
      this.nextInQueue[e] = this.nextInQueue[before] as number
      this.nextInQueue[before] = e
    }
    return e
  }

  /** The first entry of actor `a` (NONE: none), in the order given. */
  firstOf(a: number): number {
    return this.actorFirst[a] as number
  }

  /** The entry of the same actor after `e` (NONE: none). */
  nextOf(e: number): number {
    return this.nextOfActor[e] as number
  }

  private growEntries(n: number): void {
    this.entryActor = growInt(this.entryActor, n)
    this.entrySupply = growInt(this.entrySupply, n)
    this.entryIsName = growInt(this.entryIsName, n)
    this.entrySize = growFloat(this.entrySize, n)
    this.entryRank = growInt(this.entryRank, n)
    this.entryGranted = growInt(this.entryGranted, n)
    this.entryReserves = growInt(this.entryReserves, n)
    this.nextInQueue = growInt(this.nextInQueue, n)
    this.nextOfActor = growInt(this.nextOfActor, n)
    this.stageSupply = growInt(this.stageSupply, n)
    this.stageSize = growFloat(this.stageSize, n)
    this.stageAhead = growInt(this.stageAhead, n)
    this.stageNameGranted = growInt(this.stageNameGranted, n)
    this.nextStage = growInt(this.nextStage, n)
    this.nextReady = growInt(this.nextReady, n)
  }

  /** A bytes waiter's name, reserved (busy) until its actor finishes. */
  reserve(entry: number, name: number): void {
    this.units[name] = (this.units[name] as number) + 1
    this.entryReserves[entry] = name
  }

  /**
   * `actor` pins the live resource `key` (a dense integer ≥ 0 chosen by the adapter): its `size` bytes go back
   * to supply `bytes` and its name to supply `name` (NONE: no waiter waits for them) once every actor pinning
   * it has finished. Returns true when `actor` had not pinned it yet (the adapter then pins its dependencies).
   */
  pin(actor: number, key: number, size: number, bytes: number, name: number): boolean {
    if (key >= this.pinOfKey.length) {
      this.pinOfKey = growInt(this.pinOfKey, key + 1)
      this.keyEpoch = growInt(this.keyEpoch, key + 1)
    }
    let p: number
    if (this.keyEpoch[key] === this.epoch) p = (this.pinOfKey[key] as number) - 1
    else {
      p = this.pins++
      if (p >= this.pinSize.length) {
        const n = p + 1
        this.pinSize = growFloat(this.pinSize, n)
        this.pinBytes = growInt(this.pinBytes, n)
        this.pinName = growInt(this.pinName, n)
        this.pinPending = growInt(this.pinPending, n)
        this.pinStamp = growInt(this.pinStamp, n)
      }
      this.keyEpoch[key] = this.epoch
      this.pinOfKey[key] = p + 1
      this.pinSize[p] = size
      this.pinBytes[p] = bytes
      this.pinName[p] = name
      this.pinPending[p] = 0
      this.pinStamp[p] = NONE
      if (bytes !== NONE && this.budgeted[bytes] === 1) this.units[bytes] = (this.units[bytes] as number) - size
      if (name !== NONE) this.units[name] = (this.units[name] as number) + 1
    }
    if (this.pinStamp[p] === actor) return false
    this.pinStamp[p] = actor
    this.pinPending[p] = (this.pinPending[p] as number) + 1
    const l = this.links++
    if (l >= this.linkPin.length) {
      this.linkPin = growInt(this.linkPin, l + 1)
      this.linkNext = growInt(this.linkNext, l + 1)
    }
    this.linkPin[l] = p
    this.linkNext[l] = this.actorPins[actor] as number
    this.actorPins[actor] = l
    return true
  }

  /** Whether `key` is pinned in this check already (by any actor). */
  pinned(key: number): boolean {
    return key < this.keyEpoch.length && this.keyEpoch[key] === this.epoch
  }

  /** Runs the reduction; returns the number of actors that never finish. */
  run(): number {
    let several = false
    for (let a = 0; a < this.actors; a++) if ((this.actorEntries[a] as number) > 1) several = true
    this.severalWaiters = several
    for (let s = 0; s < this.supplies; s++) {
      this.queueHead[s] = this.queueFirst[s] as number
      if (this.stageFirst[s] === NONE) continue
      if (several) this.orderStages(s)
      else this.countAhead(s)
    }
    if (this.worklist.length < this.supplies) this.worklist = growInt(this.worklist, this.supplies)
    for (let s = 0; s < this.supplies; s++) this.worklist[s] = s
    this.work = this.supplies
    while (this.work > 0) this.serve(this.worklist[--this.work] as number)
    let stuck = 0
    for (let a = 0; a < this.actors; a++) if ((this.ungranted[a] as number) > 0) stuck++
    return stuck
  }

  /** Several waiters per actor: a supply's stages in service order (rank, then arrival), after its whole queue. */
  private orderStages(s: number): void {
    let first = NONE
    let last = NONE
    const length = this.queueLength[s] as number
    for (let rank = CRITICAL; rank >= 0; rank--) {
      for (let e = this.stageFirst[s] as number; e !== NONE; ) {
        const after = this.nextStage[e] as number
        if (this.entryRank[e] === rank) {
          this.stageAhead[e] = length
          this.nextReady[e] = NONE
          if (last === NONE) first = e
          else this.nextReady[last] = e
          last = e
        }
        e = after
      }
    }
    // the order is kept in nextReady (unused in this mode)
    this.stageCursor[s] = first
  }

  /** One waiter per actor: each stage waits for the queue's entries of its rank or higher (a prefix). */
  private countAhead(s: number): void {
    let r0 = 0
    let r1 = 0
    let r2 = 0
    let r3 = 0
    for (let e = this.queueFirst[s] as number; e !== NONE; e = this.nextInQueue[e] as number) {
      const rank = this.entryRank[e] as number
      if (rank === 0) r0++
      else if (rank === 1) r1++
      else if (rank === 2) r2++
      else r3++
    }
    for (let e = this.stageFirst[s] as number; e !== NONE; e = this.nextStage[e] as number) {
      const rank = this.entryRank[e] as number
      this.stageAhead[e] = rank >= 3 ? r3 : rank === 2 ? r2 + r3 : rank === 1 ? r1 + r2 + r3 : r0 + r1 + r2 + r3
    }
  }

  private push(s: number): void {
    if (this.work >= this.worklist.length) this.worklist = growInt(this.worklist, this.work + 1)
    this.worklist[this.work++] = s
  }

  private giveBytes(s: number, units: number): void {
    if (s === NONE || this.budgeted[s] === 0) return
    this.units[s] = (this.units[s] as number) + units
    this.push(s)
  }

  private giveName(s: number): void {
    if (s === NONE) return
    const units = (this.units[s] as number) - 1
    this.units[s] = units
    if (units === 0) this.push(s)
  }

  private finish(a: number): void {
    for (let e = this.actorFirst[a] as number; e !== NONE; e = this.nextOfActor[e] as number) {
      const supply = this.entrySupply[e] as number
      if (this.entryIsName[e] === 0) {
        this.giveBytes(supply, this.entrySize[e] as number)
        this.giveName(this.entryReserves[e] as number)
      } else {
        this.giveName(supply)
        const stage = this.stageSupply[e] as number
        if (stage !== NONE) this.giveBytes(stage, this.stageSize[e] as number)
      }
    }
    for (let l = this.actorPins[a] as number; l !== NONE; l = this.linkNext[l] as number) {
      const p = this.linkPin[l] as number
      const pending = (this.pinPending[p] as number) - 1
      this.pinPending[p] = pending
      if (pending > 0) continue
      this.giveBytes(this.pinBytes[p] as number, this.pinSize[p] as number)
      this.giveName(this.pinName[p] as number)
    }
  }

  private tryGrant(s: number, e: number): boolean {
    if (this.entryIsName[e] === 1) {
      if ((this.units[s] as number) > 0) return false
      this.units[s] = 1
      return true
    }
    if (this.budgeted[s] === 0) return true
    const size = this.entrySize[e] as number
    const needed = size + (this.entryRank[e] === CRITICAL ? 0 : (this.reserved[s] as number))
    if ((this.units[s] as number) < needed) return false
    this.units[s] = (this.units[s] as number) - size
    return true
  }

  private grantStage(e: number): boolean {
    if (this.entryGranted[e] === 1) return true
    const s = this.stageSupply[e] as number
    if (this.stageNameGranted[e] === 0 || (this.queueGranted[s] as number) < (this.stageAhead[e] as number))
      return false
    if (this.budgeted[s] === 1) {
      const size = this.stageSize[e] as number
      const needed = size + (this.entryRank[e] === CRITICAL ? 0 : (this.reserved[s] as number))
      if ((this.units[s] as number) < needed) return false
      this.units[s] = (this.units[s] as number) - size
    }
    this.entryGranted[e] = 1
    const a = this.entryActor[e] as number
    const left = (this.ungranted[a] as number) - 1
    this.ungranted[a] = left
    if (left === 0) this.finish(a)
    return true
  }

  /** Grants what supply `s` can: its queue's head entries, then its bytes stages. */
  private serve(s: number): void {
    let e = this.queueHead[s] as number
    while (e !== NONE && this.tryGrant(s, e)) {
      this.queueHead[s] = this.nextInQueue[e] as number
      this.queueGranted[s] = (this.queueGranted[s] as number) + 1
      const a = this.entryActor[e] as number
      const left = (this.ungranted[a] as number) - 1
      this.ungranted[a] = left
      const stage = this.stageSupply[e] as number
      if (stage === NONE) this.entryGranted[e] = 1
      else {
        this.stageNameGranted[e] = 1
        if (!this.severalWaiters) {
          const last = this.readyLast[stage] as number
          this.nextReady[e] = NONE
          if (last === NONE) this.readyFirst[stage] = e
          else this.nextReady[last] = e
          this.readyLast[stage] = e
        }
        this.push(stage)
      }
      if (left === 0) this.finish(a)
      e = this.queueHead[s] as number
    }
    if (this.severalWaiters) {
      // the stages are granted in order: stop at the first that cannot be
      let stage = this.stageCursor[s] as number
      while (stage !== NONE && this.grantStage(stage)) {
        stage = this.nextReady[stage] as number
        this.stageCursor[s] = stage
      }
      return
    }
    // only stages whose name is granted can take bytes; keep those that cannot yet, in order
    let ready = this.readyFirst[s] as number
    if (ready === NONE) return
    this.readyFirst[s] = NONE
    this.readyLast[s] = NONE
    while (ready !== NONE) {
      const after = this.nextReady[ready] as number
      if (!this.grantStage(ready)) {
        const last = this.readyLast[s] as number
        this.nextReady[ready] = NONE
        if (last === NONE) this.readyFirst[s] = ready
        else this.nextReady[last] = ready
        this.readyLast[s] = ready
      }
      ready = after
    }
  }

  /** After `run`: whether actor `a` never finishes. */
  stuck(a: number): boolean {
    return (this.ungranted[a] as number) > 0
  }

  /** After `run`: the supplies the never-granted entries of actor `a` are stuck on, by `visit`. */
  blockedOn(a: number, visit: (supply: number) => void): void {
    for (let e = this.actorFirst[a] as number; e !== NONE; e = this.nextOfActor[e] as number) {
      if (this.entryGranted[e] === 1) continue
      const stage = this.stageSupply[e] as number
      visit(stage !== NONE && this.stageNameGranted[e] === 1 ? stage : (this.entrySupply[e] as number))
    }
  }
}
