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
import { priorityRank, type ResourceInfo, type Waiter, type WaitView } from "./model.ts"
import { Reducer } from "./reducer.ts"

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
 * The key of the actor a waiter belongs to in the reduction: its driver when the driver is sequential
 * (`"s<driver>"`), or the waiter itself when the driver is a concurrent owner (`"c<length of the waiter's
 * id>:<waiter id><driver>"`). Driver ids and waiter ids are any strings, so the two kinds have their own
 * first letter and a waiter's id its length: no driver id can take another actor's key.
 *
 * @example
 * ```ts
 * import { viewOfState } from "./model.ts"
 *
 * const view = viewOfState({ budgets: {}, resources: [], waiters: [], concurrent: ["app"] })
 * actorOf(view, { id: "w1", driver: "app", priority: "Normal", kind: "name", name: "X" }) // "c2:w1app"
 * actorOf(view, { id: "w2", driver: "audio", priority: "Normal", kind: "name", name: "X" }) // "saudio"
 * ```
 *
 * @since 0.1.0
 * @category reduction
 */
export const actorOf = (view: WaitView, waiter: Waiter): string =>
  view.concurrent?.(waiter.driver) === true ? `c${waiter.id.length}:${waiter.id}${waiter.driver}` : `s${waiter.driver}`

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
  // one reducer is reused; a view that runs a reduction from inside a lookup gets a fresh one
  const reducer = spare ?? new Reducer()
  spare = undefined
  try {
    return reduceWith(reducer, view, candidate)
  } finally {
    spare = reducer
  }
}

let spare: Reducer | undefined

const NONE = -1

const reduceWith = (reducer: Reducer, view: WaitView, candidate: Waiter | undefined): Reduction => {
  reducer.reset()
  const types = new Map<string, number>()
  const names = new Map<string, number>()
  /** Supply index → its key (`"bytes:<type>"` or `"name:<name>"`). */
  const keys: string[] = []
  const actors = new Map<string, number>()
  const actorIds: string[] = []
  const owners: string[] = []
  const concurrent: boolean[] = []
  /** Entry index → its waiter. */
  const waiters: Waiter[] = []

  const typeSupply = (type: string): number => {
    let supply = types.get(type)
    if (supply === undefined) {
      const budget = view.budget(type)
      // Work before pins: every live byte counts as free; pinned bytes are taken off by `pin`.
      supply =
        budget === undefined
          ? reducer.typeSupply(false, 0, 0)
          : reducer.typeSupply(true, budget.reservedBytes, budget.maxBytes - budget.usage + budget.liveBytes)
      types.set(type, supply)
      keys[supply] = `bytes:${type}`
    }
    return supply
  }
  const nameSupply = (name: string): number => {
    let supply = names.get(name)
    if (supply === undefined) {
      supply = reducer.nameSupply()
      names.set(name, supply)
      keys[supply] = `name:${name}`
    }
    return supply
  }
  const enqueue = (waiter: Waiter, first: boolean): void => {
    const id = actorOf(view, waiter)
    let actor = actors.get(id)
    if (actor === undefined) {
      actor = reducer.actor()
      actors.set(id, actor)
      actorIds[actor] = id
      owners[actor] = waiter.driver
      concurrent[actor] = id.startsWith("c")
    }
    const rank = priorityRank(waiter.priority)
    const entry =
      waiter.kind === "bytes"
        ? reducer.entry(actor, typeSupply(waiter.type), false, waiter.sizeBytes, rank, NONE, first)
        : reducer.entry(
            actor,
            nameSupply(waiter.name),
            true,
            waiter.sizeBytes ?? 0,
            rank,
            // a name waiter that needs bytes too: its bytes stage takes them from its type's supply
            waiter.type === undefined ? NONE : typeSupply(waiter.type),
            first
          )
    waiters[entry] = waiter
  }
  for (const waiter of view.waiters()) enqueue(waiter, true)
  if (candidate !== undefined) enqueue(candidate, false)

  // A type-queue waiter with a name reserves it: the name is busy until that waiter's driver finishes.
  if (names.size > 0) {
    waiters.forEach((waiter, entry) => {
      if (waiter.kind !== "bytes" || waiter.name === undefined) return
      const reserved = names.get(waiter.name)
      if (reserved !== undefined) reducer.reserve(entry, reserved)
    })
  }

  // Pin every resource whose release waits for a waiting actor: what it holds, what its waiters will depend
  // on, and (transitively) their dependencies. Only supplies some waiter waits for are tracked.
  const resourceKeys = new Map<string, number>()
  const infos: ResourceInfo[] = []
  const stack: string[] = []
  for (let actor = 0; actor < reducer.actors; actor++) {
    if (concurrent[actor] !== true) for (const held of view.heldBy(owners[actor] ?? "")) stack.push(held)
    for (let entry = reducer.firstOf(actor); entry !== NONE; entry = reducer.nextOf(entry)) {
      const dependsOn = waiters[entry]?.dependsOn
      if (dependsOn !== undefined) for (const dependency of dependsOn) stack.push(dependency)
    }
    for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
      let key = resourceKeys.get(next)
      let info: ResourceInfo | undefined
      if (key === undefined) {
        info = view.resource(next)
        if (info === undefined) continue
        key = infos.length
        infos.push(info)
        resourceKeys.set(next, key)
      } else info = infos[key]
      if (info === undefined) continue
      const bytes = types.get(info.type) ?? NONE
      const name = info.name === undefined ? NONE : (names.get(info.name) ?? NONE)
      if (reducer.pin(actor, key, info.sizeBytes, bytes, name))
        for (const dependency of info.dependsOn) stack.push(dependency)
    }
  }

  reducer.run()
  const stuck = new Map<string, Set<string>>()
  const owner = new Map<string, string>()
  for (let actor = 0; actor < reducer.actors; actor++) {
    if (!reducer.stuck(actor)) continue
    const id = actorIds[actor] ?? ""
    owner.set(id, owners[actor] ?? id)
    const blockedOn = new Set<string>()
    reducer.blockedOn(actor, (supply) => blockedOn.add(keys[supply] ?? ""))
    stuck.set(id, blockedOn)
  }
  return { stuck, owner }
}
