/**
 * Reference for the deadlock reduction: an explicit search over every reachable state of the wait state's
 * "world", trying every order of grants and driver finishes. It shares no logic with the reduction: each
 * state is the set of granted waiters and finished drivers, and everything else (free bytes, busy names,
 * freed resources) is recomputed from scratch from the plain `WaitState`.
 *
 * Moves:
 * - grant a waiter: not yet granted, every waiter ahead of it in its queue granted, and it fits
 *   (free bytes >= size + reserve unless Critical, or the name is free; unbudgeted types always fit);
 * - grant the bytes of a name waiter that needs bytes too (the spec's CanFinish): its name granted, every
 *   waiter of its type's queue with its priority or higher granted, and the bytes fit (it is not in the
 *   type's queue: lower-priority waiters there never wait for it);
 * - finish a driver: all its waiters fully granted (a driver with no waiter can finish at once).
 * A type-queue waiter with a name keeps that name busy until its driver has finished.
 * A resource is freed once every driver in its holder closure has finished: its holders, the holders of
 * its transitive dependents, and the drivers of waiters whose requests depend on it (transitively).
 *
 * Concurrent owners (`state.concurrent`): independent tasks act for such an owner. The tasks that hold its
 * resources are not waiting, so they may release at any moment: the owner itself is a driver with no
 * waiter (it can finish at once, in any order). Each of its waiting requests is a task of its own that
 * holds nothing: a driver `<owner>#<waiter id>` with that one waiter. Stuck drivers are reported both as
 * these tasks (`stuckActors`) and as owners (`stuck`).
 *
 * @since 0.1.0
 */
import type { LiveResource, Waiter, WaitState } from "../src/internal/deadlock/index.ts"

const rank = { Low: 0, Normal: 1, High: 2, Critical: 3 } as const

/**
 * What the search found: `stuck` = drivers that finish in no reachable state; `terminalUnfinished` = the
 * distinct sets of unfinished drivers over all terminal states (one set when the system is confluent);
 * `resources` = the queues of the never-granted waiters of stuck drivers in a terminal state.
 */
export interface BruteForceVerdict {
  readonly stuck: readonly string[]
  /** The stuck drivers and concurrent owners' tasks (`<owner>#<waiter id>`), sorted. */
  readonly stuckActors: readonly string[]
  /** The driver (or task) the candidate acts for. */
  readonly candidateActor: string | undefined
  readonly resources: readonly string[]
  readonly terminalUnfinished: readonly string[]
  readonly states: number
}

const keyOf = (waiter: Waiter): string => (waiter.kind === "bytes" ? `bytes:${waiter.type}` : `name:${waiter.name}`)

/** The waiters in order, the candidate after every waiter of its queue with the same or a higher priority. */
const withCandidate = (waiters: readonly Waiter[], candidate: Waiter | undefined): Waiter[] => {
  const all = [...waiters]
  if (candidate === undefined) return all
  let at = all.length
  for (let i = all.length - 1; i >= 0; i--) {
    const other = all[i]
    if (other === undefined || keyOf(other) !== keyOf(candidate)) continue
    if (rank[other.priority] >= rank[candidate.priority]) break
    at = i
  }
  all.splice(at, 0, candidate)
  return all
}

/** Every resource id reachable from `start` by following dependsOn edges (start included). */
const dependencyClosure = (resources: readonly LiveResource[], start: readonly string[]): Set<string> => {
  const seen = new Set<string>()
  const todo = [...start]
  while (todo.length > 0) {
    const id = todo.shift()
    if (id === undefined || seen.has(id)) continue
    const resource = resources.find((r) => r.id === id)
    if (resource === undefined) continue
    seen.add(id)
    todo.push(...resource.dependsOn)
  }
  return seen
}

/** Explores the whole state space of `state` plus `candidate`. */
export const bruteForce = (state: WaitState, candidate?: Waiter): BruteForceVerdict => {
  const concurrent = new Set(state.concurrent ?? [])
  const ownerOf = new Map<string, string>()
  const asTask = (w: Waiter): Waiter => {
    if (!concurrent.has(w.driver)) return w
    const task = `${w.driver}#${w.id}`
    ownerOf.set(task, w.driver)
    return { ...w, driver: task }
  }
  const task = candidate === undefined ? undefined : asTask(candidate)
  const waiters = withCandidate(state.waiters.map(asTask), task)
  const driverSet = new Set<string>()
  for (const r of state.resources) for (const h of r.holders) driverSet.add(h)
  for (const w of waiters) driverSet.add(w.driver)
  const drivers = [...driverSet].sort()

  // closure[r] = drivers that must all finish before resource r is freed
  const closure = state.resources.map((r) => {
    const must = new Set<string>()
    for (const other of state.resources) {
      if (dependencyClosure(state.resources, [other.id]).has(r.id)) for (const h of other.holders) must.add(h)
    }
    for (const w of waiters) {
      if (dependencyClosure(state.resources, w.dependsOn ?? []).has(r.id)) must.add(w.driver)
    }
    return must
  })
  // ahead[i] = indexes of the waiters ahead of waiter i in its queue
  const ahead = waiters.map((w, i) => waiters.flatMap((o, j) => (j < i && keyOf(o) === keyOf(w) ? [j] : [])))
  const needsBytes = (w: Waiter): w is Waiter & { kind: "name"; type: string } =>
    w.kind === "name" && w.type !== undefined
  // With a driver that has several waiters, a name waiter's bytes wait for the whole type queue and for the
  // bytes of the name waiters before it (priority, then FIFO); otherwise only for the type queue's waiters
  // of its priority or higher.
  const severalWaiters = drivers.some((d) => waiters.filter((w) => w.driver === d).length > 1)
  // stageAhead[i] = for a name waiter that needs bytes: what must be granted before its bytes
  const stageAhead = waiters.map((w) =>
    waiters.flatMap((o, j) => {
      if (!needsBytes(w) || o.kind !== "bytes" || o.type !== w.type) return []
      return severalWaiters || rank[o.priority] >= rank[w.priority] ? [j] : []
    })
  )
  // FIFO among name waiters' bytes: the candidate arrives last
  const arrival = (i: number): number => (waiters[i] === task ? waiters.length : i)
  const stageBefore = waiters.map((w, i) =>
    waiters.flatMap((o, j) =>
      severalWaiters &&
      needsBytes(w) &&
      needsBytes(o) &&
      o.type === w.type &&
      (rank[o.priority] > rank[w.priority] || (rank[o.priority] === rank[w.priority] && arrival(j) < arrival(i)))
        ? [j]
        : []
    )
  )

  const seen = new Set<string>()
  const everFinished = new Set<string>()
  const terminal = new Set<string>()
  let example: { granted: boolean[]; bytesGranted: boolean[]; finished: Set<string> } | undefined

  const explore = (granted: boolean[], bytesGranted: boolean[], finished: Set<string>): void => {
    const key = `${granted.map((g, i) => (g ? (bytesGranted[i] ? 2 : 1) : 0)).join("")}|${[...finished].sort().join(",")}`
    const done = (i: number): boolean =>
      granted[i] === true && (!needsBytes(waiters[i] as Waiter) || bytesGranted[i] === true)
    if (seen.has(key)) return
    seen.add(key)
    for (const d of finished) everFinished.add(d)

    const freed = state.resources.map((_, i) => [...(closure[i] ?? [])].every((d) => finished.has(d)))
    const free = (type: string): number | undefined => {
      const budget = state.budgets[type]
      if (budget === undefined || !Object.hasOwn(state.budgets, type)) return undefined
      let units = budget.maxBytes - budget.usage
      state.resources.forEach((r, i) => {
        if (r.type === type && freed[i]) units += r.sizeBytes
      })
      waiters.forEach((w, i) => {
        if (finished.has(w.driver)) return
        if (granted[i] && w.kind === "bytes" && w.type === type) units -= w.sizeBytes
        if (bytesGranted[i] && w.kind === "name" && w.type === type) units -= w.sizeBytes ?? 0
      })
      return units
    }
    const nameBusy = (name: string): boolean =>
      state.resources.some((r, i) => r.name === name && !freed[i]) ||
      waiters.some((w, i) => granted[i] && w.kind === "name" && w.name === name && !finished.has(w.driver)) ||
      waiters.some((w) => w.kind === "bytes" && w.name === name && !finished.has(w.driver))
    const fitsBytes = (type: string, sizeBytes: number, priority: Waiter["priority"]): boolean => {
      const units = free(type)
      const reserve = priority === "Critical" ? 0 : (state.budgets[type]?.reservedBytes ?? 0)
      return units === undefined || units >= sizeBytes + reserve
    }

    let moved = false
    waiters.forEach((w, i) => {
      if (granted[i] || !(ahead[i] ?? []).every((j) => granted[j])) return
      const fits = w.kind === "name" ? !nameBusy(w.name) : fitsBytes(w.type, w.sizeBytes, w.priority)
      if (!fits) return
      moved = true
      const next = [...granted]
      next[i] = true
      explore(next, bytesGranted, finished)
    })
    waiters.forEach((w, i) => {
      if (!needsBytes(w) || !granted[i] || bytesGranted[i] || !(stageAhead[i] ?? []).every((j) => granted[j])) return
      if (!(stageBefore[i] ?? []).every((j) => bytesGranted[j])) return
      if (!fitsBytes(w.type, w.sizeBytes ?? 0, w.priority)) return
      moved = true
      const next = [...bytesGranted]
      next[i] = true
      explore(granted, next, finished)
    })
    for (const d of drivers) {
      if (finished.has(d)) continue
      if (!waiters.every((w, i) => w.driver !== d || done(i))) continue
      moved = true
      explore(granted, bytesGranted, new Set([...finished, d]))
    }
    if (!moved) {
      terminal.add(drivers.filter((d) => !finished.has(d)).join(","))
      example = { granted, bytesGranted, finished }
    }
  }
  explore(
    waiters.map(() => false),
    waiters.map(() => false),
    new Set()
  )

  const stuckActors = drivers.filter((d) => !everFinished.has(d))
  const stuck = [...new Set(stuckActors.map((d) => ownerOf.get(d) ?? d))].sort()
  const resources = new Set<string>()
  if (example !== undefined) {
    const { granted, bytesGranted, finished } = example
    waiters.forEach((w, i) => {
      if (finished.has(w.driver)) return
      if (!granted[i]) resources.add(keyOf(w))
      else if (needsBytes(w) && !bytesGranted[i]) resources.add(`bytes:${w.type}`)
    })
  }
  return {
    stuck,
    stuckActors,
    candidateActor: task?.driver,
    resources: [...resources].sort(),
    terminalUnfinished: [...terminal].sort(),
    states: seen.size
  }
}
