/**
 * The manager's deadlock check (`checkManagerWait`), run before a request starts waiting and before a freed
 * name's waiter moves to its type queue. Two parts, both over the manager's own arrays (no strings, no
 * objects per waiter or resource):
 *
 * - **The adapter.** It fills the reduction of `reducer.ts` straight from `ManagerState` with the input the
 *   string-based `reduce` reads through `waitViewOf`: the same supplies, actors, entries in the same order,
 *   reservations and pins. When the reduction leaves an actor stuck, the string-based `checkWait` runs to
 *   decide and to describe the deadlock (who is stuck on what), so every verdict is `checkWait`'s; when it
 *   leaves nobody stuck, `checkWait` would accept too.
 * - **The plentiful case.** If every type has room for all waited bytes at once (after pins and the
 *   reserve), every waited name starts free and, when any name is waited for, every actor has one waiter,
 *   every actor finishes (docs/semantics.md, section 12, "The shortcut"), so the wait is accepted without a
 *   reduction. Its sums (waited bytes and pinned bytes per type, and whether a waited name is busy) only grow
 *   while waits are added, so they are carried from one check to the next: a burst of n waits costs O(n) in
 *   all, not O(n²).
 *
 * @since 0.1.0
 */
import { MAX_USAGE, type ManagerState, SlotState, type Waiter } from "../state.ts"
import { checkWait } from "./check.ts"
import type { Deadlock } from "./model.ts"
import { Reducer } from "./reducer.ts"
import { deadlockCandidate, waitViewOf } from "./wait-view.ts"

const NONE = -1
/** Stamps and epochs start over before they overflow an Int32Array. */
const STAMP_LIMIT = 0x3fffffff

const growInts = (array: Int32Array<ArrayBuffer>, length: number): Int32Array<ArrayBuffer> => {
  if (length <= array.length) return array
  const next = new Int32Array(Math.max(length, array.length * 2))
  next.set(array)
  return next
}

/**
 * How the checks went, over every manager (for tests and benchmarks): accepted by the plentiful case,
 * reduced over the manager's arrays, described by `checkWait`, and how often the carried sums were summed
 * afresh.
 *
 * @since 0.1.0
 */
export const waitCheckCounts = { plentiful: 0, reduced: 0, described: 0, rebuilt: 0 }

/** One manager's check: the reduction's input maps and the carried sums, reused by every check. */
class WaitCheck {
  private readonly reducer = new Reducer()
  /** Type index → supply in the current reduction (NONE: none yet). */
  private readonly supplyOfType: Int32Array<ArrayBuffer>
  /** Name → supply in the current reduction. */
  private readonly supplyOfName = new Map<string, number>()
  /** Entry → the waiter it stands for. */
  private readonly waiterOfEntry: Array<Waiter> = []
  /** Actor → its sequential driver (NONE: one waiter of a concurrent owner). */
  private driverOfActor = new Int32Array(16)
  /** Sequential driver → its actor, valid when `driverStamp` is the current `stamp`. */
  private actorOfDriver = new Int32Array(16)
  private driverStamp = new Int32Array(16)
  private stamp = 0
  private readonly stack: Array<number> = []
  private readonly enqueueQueued = (waiter: Waiter): void => this.enqueue(waiter, true)

  // ---- the plentiful case's carried sums ----
  /** Whether the sums stand for the current waiters (false: sum them afresh at the next check). */
  private valid = false
  /** `state.waitsStarted` when every started wait is in the sums. */
  private expected = 0
  /** The sums' epoch: slots and drivers marked with it are in the sums. */
  private epoch = 0
  /** Waits added to the sums since they were summed afresh (those that ended since included). */
  private carried = 0
  /** Per type: bytes of the waiters (a name waiter's bytes included), how many, and bytes pinned. */
  private readonly waited: Float64Array<ArrayBuffer>
  private readonly waitedCount: Int32Array<ArrayBuffer>
  private readonly pinned: Float64Array<ArrayBuffer>
  /** A waited name is pinned or reserved (it does not start free). */
  private busyName = false
  /** Named slots in `pinned` (none: no name waiter's name can be pinned). */
  private namedPins = 0
  /** Per slot: the epoch and generation in which its bytes were added to `pinned`. */
  private countedEpoch = new Int32Array(0)
  private countedGeneration = new Uint32Array(0)
  /** Per slot: the walk that last visited it. */
  private visited = new Int32Array(0)
  private walk = 0
  /** Per driver: the epoch in which what it holds was walked. */
  private walkedEpoch = new Int32Array(16)
  /** The name the waiter being added waits for ("" when none). */
  private waitedName = ""
  private readonly addQueued = (waiter: Waiter): void => this.add(waiter, false)

  constructor(private readonly state: ManagerState) {
    const types = state.typeTable.count
    this.supplyOfType = new Int32Array(types)
    this.waited = new Float64Array(types)
    this.waitedCount = new Int32Array(types)
    this.pinned = new Float64Array(types)
  }

  /** The verdict for `waiter` about to wait (`isNew`: a new wait; otherwise a name waiter's move). */
  verdict(waiter: Waiter, isNew: boolean): Deadlock | undefined {
    if (this.plentiful(waiter, isNew)) {
      waitCheckCounts.plentiful++
      this.expected = this.state.waitsStarted + (isNew ? 1 : 0)
      if (audit !== undefined) audit(this.state, waiter, undefined, true)
      return undefined
    }
    waitCheckCounts.reduced++
    let deadlock: Deadlock | undefined
    if (this.reduce(waiter) > 0) {
      waitCheckCounts.described++
      deadlock = checkWait(waitViewOf(this.state), deadlockCandidate(this.state, waiter))
    }
    this.expected = this.state.waitsStarted + (isNew && deadlock === undefined ? 1 : 0)
    if (audit !== undefined) audit(this.state, waiter, deadlock, false)
    return deadlock
  }

  // ---- the adapter ----

  /**
   * Fills the reducer as `reduce(waitViewOf(state), candidate)` does and runs it; returns the number of
   * actors that never finish. The order is the view's: type queues by index, then name queues, each in
   * service order; then the candidate; then reservations; then each actor's pins, actor by actor.
   */
  reduce(candidate: Waiter): number {
    const state = this.state
    const reducer = this.reducer
    reducer.reset()
    if (++this.stamp > STAMP_LIMIT) {
      this.stamp = 1
      this.driverStamp.fill(0)
    }
    this.supplyOfType.fill(NONE)
    this.supplyOfName.clear()
    for (const queue of state.queues) queue.forEach(this.enqueueQueued)
    for (const queue of state.nameQueues.values()) queue.forEach(this.enqueueQueued)
    this.enqueue(candidate, false)

    // a type-queue waiter with a name reserves it, when someone waits for that name
    if (this.supplyOfName.size > 0) {
      for (let entry = 0; entry < reducer.entries; entry++) {
        const waiter = this.waiterOfEntry[entry]
        if (waiter === undefined || waiter.kind !== "bytes" || waiter.name === "") continue
        const name = this.supplyOfName.get(waiter.name)
        if (name !== undefined) reducer.reserve(entry, name)
      }
    }

    // what each actor pins: what a sequential driver holds, what its waiters will depend on, transitively
    const stack = this.stack
    for (let actor = 0; actor < reducer.actors; actor++) {
      const driver = this.driverOfActor[actor] as number
      if (driver !== NONE) this.pushHeld(driver)
      for (let entry = reducer.firstOf(actor); entry !== NONE; entry = reducer.nextOf(entry)) {
        const deps = this.waiterOfEntry[entry]?.deps
        if (deps !== undefined) for (const dep of deps) stack.push(dep)
      }
      for (let slot = stack.pop(); slot !== undefined; slot = stack.pop()) {
        if (slot < 0 || slot >= state.highWater || state.stateOf(slot) === SlotState.Free) continue
        const bytes = this.supplyOfType[state.typeOf(slot)] ?? NONE
        const name = state.names.at(slot)
        const nameSupply = name === "" ? NONE : (this.supplyOfName.get(name) ?? NONE)
        const size = state.chargedSize(slot)
        if (reducer.pin(actor, slot, size, bytes, nameSupply)) {
          const deps = state.dependencies.get(slot)
          if (deps !== undefined) for (const dep of deps) stack.push(dep)
        }
      }
    }
    return reducer.run()
  }

  /** After `reduce`: the drivers of the actors that never finish, sorted (for tests). */
  stuckDrivers(): ReadonlyArray<string> {
    const reducer = this.reducer
    const drivers = new Set<string>()
    for (let actor = 0; actor < reducer.actors; actor++) {
      if (!reducer.stuck(actor)) continue
      const sequential = this.driverOfActor[actor] as number
      const driver = sequential !== NONE ? sequential : (this.waiterOfEntry[reducer.firstOf(actor)]?.driver ?? NONE)
      drivers.add(this.state.driverIds[driver] ?? "")
    }
    return [...drivers].sort()
  }

  /** Adds a waiter to its queue: a sequential driver is one actor, a concurrent owner's waiter is its own. */
  private enqueue(waiter: Waiter, first: boolean): void {
    const reducer = this.reducer
    let actor: number
    const driver = waiter.driver
    if (this.state.isSequential(driver)) {
      if (driver >= this.driverStamp.length) {
        this.driverStamp = growInts(this.driverStamp, driver + 1)
        this.actorOfDriver = growInts(this.actorOfDriver, driver + 1)
      }
      if (this.driverStamp[driver] === this.stamp) actor = this.actorOfDriver[driver] as number
      else {
        actor = this.newActor(driver)
        this.driverStamp[driver] = this.stamp
        this.actorOfDriver[driver] = actor
      }
    } else actor = this.newActor(NONE)
    const rank = waiter.priority
    const entry =
      waiter.kind === "bytes"
        ? reducer.entry(actor, this.typeSupply(waiter.type), false, waiter.size, rank, NONE, first)
        : reducer.entry(
            actor,
            this.nameSupply(waiter.name),
            true,
            waiter.size,
            rank,
            // a name waiter needs its bytes too, from its type's supply
            this.typeSupply(waiter.type),
            first
          )
    this.waiterOfEntry[entry] = waiter
  }

  private newActor(driver: number): number {
    const actor = this.reducer.actor()
    if (actor >= this.driverOfActor.length) this.driverOfActor = growInts(this.driverOfActor, actor + 1)
    this.driverOfActor[actor] = driver
    return actor
  }

  /** A type's supply: its free bytes once every live resource is freed (pins are taken off by `pin`). */
  private typeSupply(type: number): number {
    const known = this.supplyOfType[type] ?? NONE
    if (known !== NONE) return known
    const state = this.state
    const budget = state.budgets[type]
    // a type without a budget has the usage bound for its maxBytes and no reserve (`state.limit`, `waitViewOf`)
    const supply = this.reducer.typeSupply(
      true,
      budget === undefined ? 0 : budget.reservedBytes,
      (budget === undefined ? MAX_USAGE : budget.maxBytes) -
        (state.usage[type] as number) +
        (state.liveBytes[type] as number)
    )
    this.supplyOfType[type] = supply
    return supply
  }

  private nameSupply(name: string): number {
    let supply = this.supplyOfName.get(name)
    if (supply === undefined) {
      supply = this.reducer.nameSupply()
      this.supplyOfName.set(name, supply)
    }
    return supply
  }

  /** Pushes every live slot `driver` holds (owned and shared) onto the stack. */
  private pushHeld(driver: number): void {
    const state = this.state
    const stack = this.stack
    for (let slot = state.ownedHead[driver] ?? -1; slot >= 0; slot = state.nextOwnedOf(slot)) stack.push(slot)
    const shared = state.sharedBy.size === 0 ? undefined : state.sharedBy.get(driver)
    if (shared !== undefined) for (const slot of shared) stack.push(slot)
  }

  // ---- the plentiful case ----

  /**
   * Whether every actor finishes with `candidate` added, by the plentiful case's sufficient condition over
   * the carried sums. False says nothing (the reduction decides).
   *
   * The sums stand for the current waiters while no operation outside waiting has touched the wait state
   * (`deadlockFree`: an admission or a share to a waiting sequential driver, an added dependency, pool
   * growth and a budget change all taint it until nothing waits) and every started wait was added
   * (`waitsStarted`). Over-counting is safe (the condition only gets harder): a wait that ended, a slot
   * freed, a refused candidate stay in the sums until they are summed afresh.
   */
  private plentiful(candidate: Waiter, isNew: boolean): boolean {
    const state = this.state
    if (!state.deadlockFree) {
      this.valid = false
      return false
    }
    if (!this.valid || state.waitsStarted !== this.expected) this.rebuild()
    this.add(candidate, isNew)
    if (this.holds(candidate, isNew)) return true
    // ended waits may be what fails it: sum afresh once they are more than one in two
    if (this.carried <= 2 * state.waiting.size + 1) return false
    this.rebuild()
    this.add(candidate, isNew)
    return this.holds(candidate, isNew)
  }

  /** The condition, over the sums with the candidate added. */
  private holds(candidate: Waiter, isNew: boolean): boolean {
    if (this.busyName) return false
    const state = this.state
    if (state.nameQueues.size > 0 || candidate.kind === "name") {
      // one waiter per actor: no sequential driver with several waiters, the candidate's included
      if (state.multiWaiting > 0) return false
      if (isNew && state.isSequential(candidate.driver) && (state.waitingCount[candidate.driver] ?? 0) > 0) return false
    }
    const waitedCount = this.waitedCount
    for (let type = 0; type < waitedCount.length; type++) {
      if (waitedCount[type] === 0) continue
      const budget = state.budgets[type]
      const work =
        (budget === undefined ? MAX_USAGE : budget.maxBytes) -
        (state.usage[type] as number) +
        (state.liveBytes[type] as number) -
        (this.pinned[type] as number)
      if ((this.waited[type] as number) + (budget === undefined ? 0 : budget.reservedBytes) > work) return false
    }
    return true
  }

  /** Sums afresh over the queued waiters. */
  private rebuild(): void {
    waitCheckCounts.rebuilt++
    const state = this.state
    this.valid = true
    if (++this.epoch > STAMP_LIMIT) {
      this.epoch = 1
      this.countedEpoch.fill(0)
      this.walkedEpoch.fill(0)
    }
    this.waited.fill(0)
    this.waitedCount.fill(0)
    this.pinned.fill(0)
    this.busyName = false
    this.namedPins = 0
    this.carried = 0
    for (const queue of state.queues) queue.forEach(this.addQueued)
    for (const queue of state.nameQueues.values()) queue.forEach(this.addQueued)
  }

  /**
   * Adds a waiter to the sums: its bytes; what it pins (what its sequential driver holds, walked once per
   * wait of that driver, and its dependencies), transitively; and whether its name, or a name it pins or
   * reserves, is one a waiter waits for while it is busy.
   */
  private add(waiter: Waiter, isNew: boolean): void {
    const state = this.state
    this.carried++
    this.waited[waiter.type] = (this.waited[waiter.type] as number) + waiter.size
    this.waitedCount[waiter.type] = (this.waitedCount[waiter.type] as number) + 1
    this.waitedName = waiter.kind === "name" ? waiter.name : ""
    const driver = waiter.driver
    let walk = waiter.deps.length > 0
    if (state.isSequential(driver)) {
      if (driver >= this.walkedEpoch.length) this.walkedEpoch = growInts(this.walkedEpoch, driver + 1)
      // a driver that starts waiting may hold more than when it last waited: walk it again
      const starts = isNew && (state.waitingCount[driver] ?? 0) === 0
      if (starts || this.walkedEpoch[driver] !== this.epoch) {
        this.walkedEpoch[driver] = this.epoch
        this.pushHeld(driver)
        walk = true
      }
    }
    if (walk) {
      for (const dep of waiter.deps) this.stack.push(dep)
      this.walkPins()
    }
    if (waiter.kind === "name") {
      if (state.reservedNames.has(waiter.name)) this.busyName = true
      else if (this.namedPins > 0) {
        const slot = state.liveNames.get(waiter.name)
        if (slot >= 0 && this.counted(slot)) this.busyName = true
      }
    } else if (waiter.name !== "" && state.nameQueues.has(waiter.name)) this.busyName = true
    this.waitedName = ""
  }

  /** Walks the stack's slots and their dependencies, adding each live slot not yet in the sums. */
  private walkPins(): void {
    const state = this.state
    if (state.capacity > this.visited.length) {
      const grown = new Int32Array(state.capacity)
      grown.set(this.visited)
      this.visited = grown
      const epochs = new Int32Array(state.capacity)
      epochs.set(this.countedEpoch)
      this.countedEpoch = epochs
      const generations = new Uint32Array(state.capacity)
      generations.set(this.countedGeneration)
      this.countedGeneration = generations
    }
    if (++this.walk > STAMP_LIMIT) {
      this.walk = 1
      this.visited.fill(0)
    }
    const stack = this.stack
    for (let slot = stack.pop(); slot !== undefined; slot = stack.pop()) {
      if (slot < 0 || slot >= state.highWater || this.visited[slot] === this.walk) continue
      this.visited[slot] = this.walk
      if (state.stateOf(slot) === SlotState.Free) continue
      if (!this.counted(slot)) this.count(slot)
      const deps = state.dependencies.get(slot)
      if (deps !== undefined) for (const dep of deps) stack.push(dep)
    }
  }

  /** Whether the resource now in `slot` is in the sums. */
  private counted(slot: number): boolean {
    return this.countedEpoch[slot] === this.epoch && this.countedGeneration[slot] === this.state.generationOf(slot)
  }

  private count(slot: number): void {
    const state = this.state
    this.countedEpoch[slot] = this.epoch
    this.countedGeneration[slot] = state.generationOf(slot)
    const type = state.typeOf(slot)
    this.pinned[type] = (this.pinned[type] as number) + state.chargedSize(slot)
    const name = state.names.at(slot)
    if (name === "") return
    this.namedPins++
    if (name === this.waitedName || state.nameQueues.has(name)) this.busyName = true
  }
}

/**
 * Told of every check once it is decided: the state before the wait, the waiter, the verdict, and whether the
 * plentiful case decided it (for tests: they hold each verdict to `checkWait` and the brute-force search).
 *
 * @since 0.1.0
 */
export type WaitCheckAudit = (
  state: ManagerState,
  waiter: Waiter,
  verdict: Deadlock | undefined,
  plentiful: boolean
) => void

let audit: WaitCheckAudit | undefined

/**
 * Installs (or, with `undefined`, removes) the function told of every check (see {@link WaitCheckAudit}).
 *
 * @since 0.1.0
 */
export const auditWaitChecks = (next: WaitCheckAudit | undefined): void => {
  audit = next
}

const checks = new WeakMap<ManagerState, WaitCheck>()

const checkOf = (state: ManagerState): WaitCheck => {
  let check = checks.get(state)
  if (check === undefined) {
    check = new WaitCheck(state)
    checks.set(state, check)
  }
  return check
}

/**
 * The deadlock check of a waiter about to wait: a new wait (not yet in `state.waiting`), or a name waiter
 * that moves to its type queue (out of every queue, still in `state.waiting`). Returns `checkWait`'s
 * verdict over `waitViewOf(state)`: `undefined` when it may wait, or the deadlock it would cause.
 *
 * @since 0.1.0
 */
export const checkManagerWait = (state: ManagerState, waiter: Waiter): Deadlock | undefined =>
  checkOf(state).verdict(waiter, !state.waiting.has(waiter.req))

/**
 * The adapter's reduction alone (no plentiful case, no `checkWait`): the drivers that would never finish
 * with `waiter` added, sorted. For tests, against `reduce(waitViewOf(state), candidate)`.
 *
 * @since 0.1.0
 */
export const reducedStuckDrivers = (state: ManagerState, waiter: Waiter): ReadonlyArray<string> => {
  const check = checkOf(state)
  return check.reduce(waiter) === 0 ? [] : check.stuckDrivers()
}
