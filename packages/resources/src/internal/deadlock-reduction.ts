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
import { insertionIndex, queueKey, type Waiter, type WaitView } from "./deadlock-model.ts"

interface Pin {
  readonly type: string
  readonly sizeBytes: number
  readonly name: string | undefined
  readonly dependsOn: readonly string[]
  /** Waiting drivers that must still finish before the resource is freed. */
  pending: number
  /** Index of the last driver that counted this pin (dedupes a driver's closure without a Set). */
  stamp: number
}

interface DriverState {
  readonly index: number
  readonly waiters: Waiter[]
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
 * Runs the reduction over the waiting drivers of `view`, with `candidate` (if given) joining its queue at
 * its priority's place.
 *
 * @example
 * ```ts
 * const { stuck } = reduce(viewOfState(state), candidate)
 * stuck.size === 0 // nobody can get stuck
 * ```
 *
 * @since 0.1.0
 * @category reduction
 */
export const reduce = (view: WaitView, candidate: Waiter | undefined): Reduction => {
  const queues = new Map<string, Waiter[]>()
  for (const waiter of view.waiters()) {
    const key = queueKey(waiter)
    const queue = queues.get(key)
    if (queue === undefined) queues.set(key, [waiter])
    else queue.push(waiter)
  }
  if (candidate !== undefined) {
    const key = queueKey(candidate)
    const queue = queues.get(key)
    if (queue === undefined) queues.set(key, [candidate])
    else queue.splice(insertionIndex(queue, candidate), 0, candidate)
  }

  const drivers = new Map<string, DriverState>()
  for (const queue of queues.values()) {
    for (const waiter of queue) {
      let driver = drivers.get(waiter.driver)
      if (driver === undefined) {
        driver = { index: drivers.size, waiters: [], pins: [], ungranted: 0 }
        drivers.set(waiter.driver, driver)
      }
      driver.waiters.push(waiter)
      driver.ungranted++
    }
  }

  // Pin every resource whose release waits for a waiting driver: what it holds, what its waiters will
  // depend on, and (transitively) their dependencies.
  const pins = new Map<string, Pin>()
  const pinnedBytes = new Map<string, number>()
  const nameHolds = new Map<string, number>()
  const stack: string[] = []
  for (const [id, driver] of drivers) {
    for (const held of view.heldBy(id)) stack.push(held)
    for (const waiter of driver.waiters) if (waiter.dependsOn !== undefined) stack.push(...waiter.dependsOn)
    let next = stack.pop()
    while (next !== undefined) {
      let pin = pins.get(next)
      if (pin === undefined) {
        const info = view.resource(next)
        if (info !== undefined) {
          const { type, sizeBytes, name, dependsOn } = info
          pin = { type, sizeBytes, name, dependsOn, pending: 0, stamp: -1 }
          pins.set(next, pin)
          pinnedBytes.set(info.type, (pinnedBytes.get(info.type) ?? 0) + info.sizeBytes)
          if (info.name !== undefined) nameHolds.set(info.name, (nameHolds.get(info.name) ?? 0) + 1)
        }
      }
      if (pin !== undefined && pin.stamp !== driver.index) {
        pin.stamp = driver.index
        pin.pending++
        driver.pins.push(pin)
        stack.push(...pin.dependsOn)
      }
      next = stack.pop()
    }
  }

  // Work per budgeted type; `null` marks an unbudgeted type (never waits, takes nothing).
  const work = new Map<string, number | null>()
  const reserve = new Map<string, number>()
  const workOf = (type: string): number | null => {
    const known = work.get(type)
    if (known !== undefined) return known
    const budget = view.budget(type)
    const initial =
      budget === undefined ? null : budget.maxBytes - budget.usage + budget.liveBytes - (pinnedBytes.get(type) ?? 0)
    if (budget !== undefined) reserve.set(type, budget.reservedBytes)
    work.set(type, initial)
    return initial
  }
  const addWork = (type: string, units: number): void => {
    const current = workOf(type)
    if (current !== null) work.set(type, current + units)
  }

  const pending: string[] = [...queues.keys()]
  const heads = new Map<string, number>()
  const granted = new Set<Waiter>()

  const returnName = (name: string): void => {
    const holds = (nameHolds.get(name) ?? 0) - 1
    nameHolds.set(name, holds)
    if (holds === 0) pending.push(`name:${name}`)
  }
  const finish = (driver: DriverState): void => {
    for (const waiter of driver.waiters) {
      if (waiter.kind === "bytes") {
        addWork(waiter.type, waiter.sizeBytes)
        pending.push(`bytes:${waiter.type}`)
      } else returnName(waiter.name)
    }
    for (const pin of driver.pins) {
      pin.pending--
      if (pin.pending === 0) {
        addWork(pin.type, pin.sizeBytes)
        pending.push(`bytes:${pin.type}`)
        if (pin.name !== undefined) returnName(pin.name)
      }
    }
  }
  const tryGrant = (waiter: Waiter): boolean => {
    if (waiter.kind === "name") {
      if ((nameHolds.get(waiter.name) ?? 0) > 0) return false
      nameHolds.set(waiter.name, 1)
      return true
    }
    const available = workOf(waiter.type)
    if (available === null) return true
    const needed = waiter.sizeBytes + (waiter.priority === "Critical" ? 0 : (reserve.get(waiter.type) ?? 0))
    if (available < needed) return false
    work.set(waiter.type, available - waiter.sizeBytes)
    return true
  }

  let key = pending.pop()
  while (key !== undefined) {
    const queue = queues.get(key)
    if (queue !== undefined) {
      let head = heads.get(key) ?? 0
      let waiter = queue[head]
      while (waiter !== undefined && tryGrant(waiter)) {
        granted.add(waiter)
        head++
        heads.set(key, head)
        const driver = drivers.get(waiter.driver)
        if (driver !== undefined) {
          driver.ungranted--
          if (driver.ungranted === 0) finish(driver)
        }
        waiter = queue[head]
      }
    }
    key = pending.pop()
  }

  const stuck = new Map<string, Set<string>>()
  for (const [id, driver] of drivers) {
    if (driver.ungranted === 0) continue
    const blockedOn = new Set<string>()
    for (const waiter of driver.waiters) if (!granted.has(waiter)) blockedOn.add(queueKey(waiter))
    stuck.set(id, blockedOn)
  }
  return { stuck }
}
