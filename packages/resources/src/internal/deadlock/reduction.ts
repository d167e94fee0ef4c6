/**
 * The Work/Finish reduction (Coffman; Silberschatz's deadlock-detection algorithm), generalised to the
 * manager's waits: multi-unit byte budgets with a reserve, one-unit exclusive names, queue order without
 * barging, shared holders, deferred release through dependencies, and drivers with several waiting fibers.
 *
 * Only waiting drivers take part. A driver that is not waiting is assumed to finish (release all it holds)
 * at once, so the resources nobody waiting pins are counted as free from the start. A concurrent owner
 * (`WaitView.concurrent`) is never one process: what it holds counts as free like a driver that is not
 * waiting (tasks that do not wait release it), and each of its waiting requests is its own actor that
 * holds nothing (it still pins its dependencies and reserves its name):
 * `Work[t] = maxBytes - usage + liveBytes - pinnedBytes`, where a resource is pinned when a waiting driver
 * holds it or holds (or waits to create) one of its transitive dependents.
 *
 * Moves, repeated until none applies:
 * - Grant the first ungranted waiter of a queue when it fits (`Work[t] >= size + reserve` or the name is
 *   free). The granted units stay with its driver until the driver finishes: a driver with several
 *   waiting fibers is treated as one process that may need all its grants at once.
 * - A name waiter that has its name then needs its bytes (the spec's `CanFinish`): granted once every waiter
 *   of its priority or higher in its type's queue is granted and they fit. It is not in that queue, so it
 *   never holds back the lower-priority waiters there.
 * - A type-queue waiter with a name reserves that name until its driver finishes.
 * - Finish a driver once all its waiters are granted: its grants come back, and every pinned resource whose
 *   waiting pinners have all finished is freed (its bytes and name come back).
 *
 * No move ever disables another (a queue's units are only taken by that queue's head, finishing only adds
 * units), so the greedy fixpoint reaches the same state as every maximal order: a driver left unfinished
 * can never finish.
 *
 * @since 0.1.0
 */
import { priorityRank, type Waiter, type WaitView } from "./model.ts"

/** The units one queue hands out: a type's bytes (`units` = Work) or a name (`units` = current holds). */
interface Supply {
  readonly key: string
  /** `false` for an unbudgeted type: it never makes anyone wait and takes nothing. */
  readonly budgeted: boolean
  readonly reservedBytes: number
  readonly queue: Entry[]
  /** Name waiters' bytes stages that take their bytes from this (type) supply. */
  readonly stages: Stage[]
  /** One waiter per actor: the stages whose name is granted and whose bytes are not yet (in grant order). */
  ready: Stage[]
  /** Several waiters per actor: index of the first stage not yet granted (stages are granted in order). */
  stageHead: number
  units: number
  /** Index of the first waiter not yet granted. */
  head: number
}

interface Entry {
  readonly waiter: Waiter
  readonly supply: Supply
  readonly driver: DriverState
  /** For a name waiter that also needs bytes: that second stage. */
  stage: Stage | undefined
  /** For a type-queue waiter with a name: the name supply it holds until its driver finishes. */
  reserves: Supply | undefined
  /** Fully granted (for a name waiter with bytes: both its name and its bytes). */
  granted: boolean
}

/** The bytes a name waiter needs once it has its name. */
interface Stage {
  readonly entry: Entry
  readonly supply: Supply
  readonly sizeBytes: number
  readonly critical: boolean
  readonly rank: number
  /** Entries of its type's queue with its priority or higher (a prefix of the queue). */
  ahead: number
  nameGranted: boolean
}

interface Pin {
  readonly sizeBytes: number
  readonly dependsOn: readonly string[]
  /** The supply its bytes go back to, when some waiter waits for that type. */
  readonly bytes: Supply | undefined
  /** The supply its name goes back to, when some waiter waits for that name. */
  readonly name: Supply | undefined
  /** Waiting drivers that must still finish before the resource is freed. */
  pending: number
  /** Index of the last driver that counted this pin (dedupes a driver's closure without a Set). */
  stamp: number
}

/** An actor: a sequential driver, or one waiting request of a concurrent owner. */
interface DriverState {
  readonly id: string
  /** The driver (owner) the actor acts for: `id` for a sequential driver. */
  readonly owner: string
  readonly concurrent: boolean
  readonly index: number
  readonly entries: Entry[]
  readonly pins: Pin[]
  ungranted: number
}

/**
 * The result of one reduction: the actors that can never finish and, for each, the queues of its waiters
 * that were never granted. An actor is a sequential driver (keyed by its id) or one waiting request of a
 * concurrent owner (keyed by {@link actorOf}); `owner` gives the driver of each stuck actor.
 *
 * @since 0.1.0
 * @category models
 */
export interface Reduction {
  readonly stuck: ReadonlyMap<string, ReadonlySet<string>>
  readonly owner: ReadonlyMap<string, string>
}

/**
 * The actor a waiter belongs to in the reduction: its driver when the driver is sequential, or the waiter
 * itself (`"<driver>\u0000<waiter id>"`) when the driver is a concurrent owner.
 *
 * @example
 * ```ts
 * import { viewOfState } from "./model.ts"
 *
 * const view = viewOfState({ budgets: {}, resources: [], waiters: [], concurrent: ["app"] })
 * actorOf(view, { id: "w1", driver: "app", priority: "Normal", kind: "name", name: "X" }) // "app\u0000w1"
 * actorOf(view, { id: "w2", driver: "audio", priority: "Normal", kind: "name", name: "X" }) // "audio"
 * ```
 *
 * @since 0.3.0
 * @category reduction
 */
export const actorOf = (view: WaitView, waiter: Waiter): string =>
  view.concurrent?.(waiter.driver) === true ? `${waiter.driver}\u0000${waiter.id}` : waiter.driver

/**
 * Runs the reduction over the waiting drivers of `view`, with `candidate` (if given) joining its queue after
 * every waiter of the same or a higher priority.
 *
 * @example
 * ```ts
 * import { type Waiter, viewOfState } from "./model.ts"
 *
 * // B holds 6 of Memory's 8 bytes and waits for name X, which A holds; A asks for 4 bytes.
 * const view = viewOfState({
 *   budgets: { Memory: { maxBytes: 8, reservedBytes: 0, usage: 6 } },
 *   resources: [
 *     { id: "r1", type: "Memory", sizeBytes: 6, dependsOn: [], holders: ["B"] },
 *     { id: "rx", type: "Memory", sizeBytes: 0, name: "X", dependsOn: [], holders: ["A"] }
 *   ],
 *   waiters: [{ id: "w1", driver: "B", priority: "Normal", kind: "name", name: "X" }]
 * })
 * reduce(view, undefined).stuck.size // 0: every driver can finish
 * const candidate: Waiter = { id: "w2", driver: "A", priority: "Normal", kind: "bytes", type: "Memory", sizeBytes: 4 }
 * const { stuck } = reduce(view, candidate)
 * stuck // A stuck on "bytes:Memory", B on "name:X": A must not wait
 * ```
 *
 * @since 0.1.0
 * @category reduction
 */
export const reduce = (view: WaitView, candidate: Waiter | undefined): Reduction => {
  const types = new Map<string, Supply>()
  const names = new Map<string, Supply>()
  const drivers = new Map<string, DriverState>()
  const supplies: Supply[] = []

  const supplyOf = (waiter: Waiter): Supply =>
    waiter.kind === "bytes" ? supplyFor("bytes", waiter.type) : supplyFor("name", waiter.name)
  const supplyFor = (kind: "bytes" | "name", id: string): Supply => {
    const map = kind === "bytes" ? types : names
    let supply = map.get(id)
    if (supply === undefined) {
      const budget = kind === "bytes" ? view.budget(id) : undefined
      supply = {
        key: `${kind}:${id}`,
        budgeted: kind === "name" || budget !== undefined,
        reservedBytes: budget?.reservedBytes ?? 0,
        queue: [],
        stages: [],
        ready: [],
        stageHead: 0,
        // Work before pins: every live byte counts as free; pinned bytes are taken off below.
        units: budget === undefined ? 0 : budget.maxBytes - budget.usage + budget.liveBytes,
        head: 0
      }
      map.set(id, supply)
      supplies.push(supply)
    }
    return supply
  }
  const enqueue = (waiter: Waiter, first: boolean): void => {
    const actor = actorOf(view, waiter)
    let driver = drivers.get(actor)
    if (driver === undefined) {
      const concurrent = actor !== waiter.driver
      driver = { id: actor, owner: waiter.driver, concurrent, index: drivers.size, entries: [], pins: [], ungranted: 0 }
      drivers.set(actor, driver)
    }
    const supply = supplyOf(waiter)
    const entry: Entry = { waiter, supply, driver, stage: undefined, reserves: undefined, granted: false }
    if (waiter.kind === "name" && waiter.type !== undefined) {
      // a name waiter that needs bytes too: its bytes stage takes them from its type's supply
      const stage: Stage = {
        entry,
        supply: supplyFor("bytes", waiter.type),
        sizeBytes: waiter.sizeBytes ?? 0,
        critical: waiter.priority === "Critical",
        rank: priorityRank(waiter.priority),
        ahead: 0,
        nameGranted: false
      }
      entry.stage = stage
      stage.supply.stages.push(stage)
      driver.ungranted++
    }
    place(entry, driver, first)
  }
  const place = (entry: Entry, driver: DriverState, first: boolean): void => {
    const { waiter, supply } = entry
    driver.entries.push(entry)
    driver.ungranted++
    if (first) {
      supply.queue.push(entry)
      return
    }
    const rank = priorityRank(waiter.priority)
    let at = supply.queue.length
    while (at > 0 && priorityRank(supply.queue[at - 1]?.waiter.priority ?? "Critical") < rank) at--
    supply.queue.splice(at, 0, entry)
  }
  for (const waiter of view.waiters()) enqueue(waiter, true)
  if (candidate !== undefined) enqueue(candidate, false)
  // With one waiter per driver (the spec's model) a name waiter's bytes wait only for the type queue's waiters
  // of its priority or higher. With a driver that has several waiters, grants are held, and a name waiter's
  // bytes competing with lower-priority waiters would make the outcome depend on the order of grants; there
  // the bytes stages queue after the whole type queue and after each other (priority, then FIFO), so that
  // the reduction stays exact (one outcome whatever the order).
  let severalWaiters = false
  for (const driver of drivers.values()) if (driver.entries.length > 1) severalWaiters = true
  for (const supply of supplies) {
    if (supply.stages.length === 0) continue
    if (severalWaiters) {
      supply.stages.sort((a, b) => b.rank - a.rank)
      for (const stage of supply.stages) stage.ahead = supply.queue.length
      continue
    }
    // the queue is in priority order: the waiters of rank r or higher are a prefix, counted once per rank
    const atOrAbove = [0, 0, 0, 0, 0]
    for (const { waiter } of supply.queue) {
      const rank = priorityRank(waiter.priority)
      atOrAbove[rank] = (atOrAbove[rank] ?? 0) + 1
    }
    for (let rank = 2; rank >= 0; rank--) atOrAbove[rank] = (atOrAbove[rank] ?? 0) + (atOrAbove[rank + 1] ?? 0)
    for (const stage of supply.stages) stage.ahead = atOrAbove[stage.rank] ?? 0
  }
  // A type-queue waiter with a name reserves it: the name is busy until that waiter's driver finishes.
  if (names.size > 0) {
    for (const driver of drivers.values()) {
      for (const entry of driver.entries) {
        const { waiter } = entry
        if (waiter.kind !== "bytes" || waiter.name === undefined) continue
        const reserved = names.get(waiter.name)
        if (reserved === undefined) continue
        reserved.units++
        entry.reserves = reserved
      }
    }
  }

  // Pin every resource whose release waits for a waiting driver: what it holds, what its waiters will
  // depend on, and (transitively) their dependencies. Only supplies some waiter waits for are tracked.
  const pins = new Map<string, Pin>()
  const stack: string[] = []
  for (const driver of drivers.values()) {
    if (!driver.concurrent) for (const held of view.heldBy(driver.id)) stack.push(held)
    for (const { waiter } of driver.entries) if (waiter.dependsOn !== undefined) stack.push(...waiter.dependsOn)
    let next = stack.pop()
    while (next !== undefined) {
      let pin = pins.get(next)
      if (pin === undefined) {
        const info = view.resource(next)
        if (info !== undefined) {
          const bytes = types.get(info.type)
          const name = info.name === undefined ? undefined : names.get(info.name)
          if (bytes?.budgeted) bytes.units -= info.sizeBytes
          if (name !== undefined) name.units++
          pin = { sizeBytes: info.sizeBytes, dependsOn: info.dependsOn, bytes, name, pending: 0, stamp: -1 }
          pins.set(next, pin)
        }
      }
      if (pin !== undefined && pin.stamp !== driver.index) {
        pin.stamp = driver.index
        pin.pending++
        driver.pins.push(pin)
        for (const dependency of pin.dependsOn) stack.push(dependency)
      }
      next = stack.pop()
    }
  }

  const worklist: Supply[] = [...supplies]
  const giveBytes = (supply: Supply | undefined, units: number): void => {
    if (supply === undefined || !supply.budgeted) return
    supply.units += units
    worklist.push(supply)
  }
  const giveName = (supply: Supply | undefined): void => {
    if (supply === undefined) return
    supply.units--
    if (supply.units === 0) worklist.push(supply)
  }
  const finish = (driver: DriverState): void => {
    for (const { waiter, supply, stage, reserves } of driver.entries) {
      if (waiter.kind === "bytes") {
        giveBytes(supply, waiter.sizeBytes)
        giveName(reserves)
      } else {
        giveName(supply)
        if (stage !== undefined) giveBytes(stage.supply, stage.sizeBytes)
      }
    }
    for (const pin of driver.pins) {
      pin.pending--
      if (pin.pending > 0) continue
      giveBytes(pin.bytes, pin.sizeBytes)
      giveName(pin.name)
    }
  }
  const tryGrant = (supply: Supply, waiter: Waiter): boolean => {
    if (waiter.kind === "name") {
      if (supply.units > 0) return false
      supply.units = 1
      return true
    }
    if (!supply.budgeted) return true
    const needed = waiter.sizeBytes + (waiter.priority === "Critical" ? 0 : supply.reservedBytes)
    if (supply.units < needed) return false
    supply.units -= waiter.sizeBytes
    return true
  }

  const grantStage = (stage: Stage): boolean => {
    const { supply } = stage
    if (stage.entry.granted) return true
    if (!stage.nameGranted || supply.head < stage.ahead) return false
    if (supply.budgeted) {
      if (supply.units < stage.sizeBytes + (stage.critical ? 0 : supply.reservedBytes)) return false
      supply.units -= stage.sizeBytes
    }
    stage.entry.granted = true
    stage.entry.driver.ungranted--
    if (stage.entry.driver.ungranted === 0) finish(stage.entry.driver)
    return true
  }

  let supply = worklist.pop()
  while (supply !== undefined) {
    let entry = supply.queue[supply.head]
    while (entry !== undefined && tryGrant(supply, entry.waiter)) {
      supply.head++
      entry.driver.ungranted--
      if (entry.stage === undefined) entry.granted = true
      else {
        entry.stage.nameGranted = true
        if (!severalWaiters) entry.stage.supply.ready.push(entry.stage)
        worklist.push(entry.stage.supply)
      }
      if (entry.driver.ungranted === 0) finish(entry.driver)
      entry = supply.queue[supply.head]
    }
    if (severalWaiters) {
      // the stages are granted in order: stop at the first that cannot be
      for (let stage = supply.stages[supply.stageHead]; stage !== undefined && grantStage(stage); ) {
        supply.stageHead++
        stage = supply.stages[supply.stageHead]
      }
    } else if (supply.ready.length > 0) {
      // only stages whose name is granted can take bytes; keep those that cannot yet
      const ready = supply.ready
      supply.ready = []
      for (const stage of ready) if (!grantStage(stage)) supply.ready.push(stage)
    }
    supply = worklist.pop()
  }

  const stuck = new Map<string, Set<string>>()
  const owner = new Map<string, string>()
  for (const driver of drivers.values()) {
    if (driver.ungranted === 0) continue
    owner.set(driver.id, driver.owner)
    const blockedOn = new Set<string>()
    for (const entry of driver.entries) {
      if (entry.granted) continue
      blockedOn.add(entry.stage?.nameGranted === true ? entry.stage.supply.key : entry.supply.key)
    }
    stuck.set(driver.id, blockedOn)
  }
  return { stuck, owner }
}
