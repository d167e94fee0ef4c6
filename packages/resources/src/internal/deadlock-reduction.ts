/**
 * The Work/Finish reduction (Coffman; Silberschatz's deadlock-detection algorithm), generalised to the
 * manager's waits: multi-unit byte budgets with a reserve, one-unit exclusive names, queue order without
 * barging, shared holders, deferred release through dependencies, and drivers with several waiting fibers.
 *
 * Only waiting drivers take part. A driver that is not waiting is assumed to finish (release all it holds)
 * at once, so the resources nobody waiting pins are counted as free from the start:
 * `Work[t] = maxBytes - usage + liveBytes - pinnedBytes`, where a resource is pinned when a waiting driver
 * holds it or holds (or waits to create) one of its transitive dependents.
 *
 * Moves, repeated until none applies:
 * - Grant the first ungranted waiter of a queue when it fits (`Work[t] >= size + reserve` or the name is
 *   free). The granted units stay with its driver until the driver finishes: a driver with several
 *   waiting fibers is treated as one process that may need all its grants at once.
 * - Finish a driver once all its waiters are granted: its grants come back, and every pinned resource whose
 *   waiting pinners have all finished is freed (its bytes and name come back).
 *
 * No move ever disables another (a queue's units are only taken by that queue's head, finishing only adds
 * units), so the greedy fixpoint reaches the same state as every maximal order: a driver left unfinished
 * can never finish.
 *
 * @since 0.1.0
 */
import { priorityRank, type Waiter, type WaitView } from "./deadlock-model.ts"

/** The units one queue hands out: a type's bytes (`units` = Work) or a name (`units` = current holds). */
interface Supply {
  readonly key: string
  /** `false` for an unbudgeted type: it never makes anyone wait and takes nothing. */
  readonly budgeted: boolean
  readonly reservedBytes: number
  readonly queue: Entry[]
  units: number
  /** Index of the first waiter not yet granted. */
  head: number
}

interface Entry {
  readonly waiter: Waiter
  readonly supply: Supply
  readonly driver: DriverState
  granted: boolean
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

interface DriverState {
  readonly id: string
  readonly index: number
  readonly entries: Entry[]
  readonly pins: Pin[]
  ungranted: number
}

/**
 * The result of one reduction: the drivers that can never finish and, for each, the queues of its waiters
 * that were never granted.
 *
 * @since 0.1.0
 * @category models
 */
export interface Reduction {
  readonly stuck: ReadonlyMap<string, ReadonlySet<string>>
}

/**
 * Runs the reduction over the waiting drivers of `view`, with `candidate` (if given) joining its queue after
 * every waiter of the same or a higher priority.
 *
 * @example
 * ```ts
 * import { type Waiter, viewOfState } from "./deadlock-model.ts"
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

  const supplyOf = (waiter: Waiter): Supply => {
    const [map, id] = waiter.kind === "bytes" ? [types, waiter.type] : [names, waiter.name]
    let supply = map.get(id)
    if (supply === undefined) {
      const budget = waiter.kind === "bytes" ? view.budget(id) : undefined
      supply = {
        key: `${waiter.kind}:${id}`,
        budgeted: waiter.kind === "name" || budget !== undefined,
        reservedBytes: budget?.reservedBytes ?? 0,
        queue: [],
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
    let driver = drivers.get(waiter.driver)
    if (driver === undefined) {
      driver = { id: waiter.driver, index: drivers.size, entries: [], pins: [], ungranted: 0 }
      drivers.set(waiter.driver, driver)
    }
    const supply = supplyOf(waiter)
    const entry: Entry = { waiter, supply, driver, granted: false }
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

  // Pin every resource whose release waits for a waiting driver: what it holds, what its waiters will
  // depend on, and (transitively) their dependencies. Only supplies some waiter waits for are tracked.
  const pins = new Map<string, Pin>()
  const stack: string[] = []
  for (const driver of drivers.values()) {
    for (const held of view.heldBy(driver.id)) stack.push(held)
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
    for (const { waiter, supply } of driver.entries) {
      if (waiter.kind === "bytes") giveBytes(supply, waiter.sizeBytes)
      else giveName(supply)
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

  let supply = worklist.pop()
  while (supply !== undefined) {
    let entry = supply.queue[supply.head]
    while (entry !== undefined && tryGrant(supply, entry.waiter)) {
      entry.granted = true
      supply.head++
      entry.driver.ungranted--
      if (entry.driver.ungranted === 0) finish(entry.driver)
      entry = supply.queue[supply.head]
    }
    supply = worklist.pop()
  }

  const stuck = new Map<string, Set<string>>()
  for (const driver of drivers.values()) {
    if (driver.ungranted === 0) continue
    const blockedOn = new Set<string>()
    for (const entry of driver.entries) if (!entry.granted) blockedOn.add(entry.supply.key)
    stuck.set(driver.id, blockedOn)
  }
  return { stuck }
}
