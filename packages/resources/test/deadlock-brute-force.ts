/**
 * Reference for the deadlock reduction: an explicit search over every reachable state of the wait state's
 * "world", trying every order of grants and driver finishes. It shares no logic with the reduction: each
 * state is the set of granted waiters and finished drivers, and everything else (free bytes, busy names,
 * freed resources) is recomputed from scratch from the plain `WaitState`.
 *
 * Moves:
 * - grant a waiter: not yet granted, every waiter ahead of it in its queue granted, and it fits
 *   (free bytes >= size + reserve unless Critical, or the name is free; unbudgeted types always fit);
 * - finish a driver: all its waiters granted (a driver with no waiter can finish at once).
 * A resource is freed once every driver in its holder closure has finished: its holders, the holders of
 * its transitive dependents, and the drivers of waiters whose requests depend on it (transitively).
 *
 * @since 0.1.0
 */
import type { LiveResource, Waiter, WaitState } from "../src/internal/deadlock.ts"

const rank = { Low: 0, Normal: 1, High: 2, Critical: 3 } as const

/**
 * What the search found: `stuck` = drivers that finish in no reachable state; `terminalUnfinished` = the
 * distinct sets of unfinished drivers over all terminal states (one set when the system is confluent);
 * `resources` = the queues of the never-granted waiters of stuck drivers in a terminal state.
 */
export interface BruteForceVerdict {
  readonly stuck: readonly string[]
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
  const waiters = withCandidate(state.waiters, candidate)
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

  const seen = new Set<string>()
  const everFinished = new Set<string>()
  const terminal = new Set<string>()
  let example: { granted: boolean[]; finished: Set<string> } | undefined

  const explore = (granted: boolean[], finished: Set<string>): void => {
    const key = `${granted.map((g) => (g ? 1 : 0)).join("")}|${[...finished].sort().join(",")}`
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
        if (granted[i] && w.kind === "bytes" && w.type === type && !finished.has(w.driver)) units -= w.sizeBytes
      })
      return units
    }
    const nameBusy = (name: string): boolean =>
      state.resources.some((r, i) => r.name === name && !freed[i]) ||
      waiters.some((w, i) => granted[i] && w.kind === "name" && w.name === name && !finished.has(w.driver))

    let moved = false
    waiters.forEach((w, i) => {
      if (granted[i] || !(ahead[i] ?? []).every((j) => granted[j])) return
      let fits: boolean
      if (w.kind === "name") fits = !nameBusy(w.name)
      else {
        const units = free(w.type)
        const reserve = w.priority === "Critical" ? 0 : (state.budgets[w.type]?.reservedBytes ?? 0)
        fits = units === undefined || units >= w.sizeBytes + reserve
      }
      if (!fits) return
      moved = true
      const next = [...granted]
      next[i] = true
      explore(next, finished)
    })
    for (const d of drivers) {
      if (finished.has(d)) continue
      if (!waiters.every((w, i) => w.driver !== d || granted[i])) continue
      moved = true
      explore(granted, new Set([...finished, d]))
    }
    if (!moved) {
      terminal.add(drivers.filter((d) => !finished.has(d)).join(","))
      example = { granted, finished }
    }
  }
  explore(
    waiters.map(() => false),
    new Set()
  )

  const stuck = drivers.filter((d) => !everFinished.has(d))
  const resources = new Set<string>()
  if (example !== undefined) {
    const { granted, finished } = example
    waiters.forEach((w, i) => {
      if (!granted[i] && !finished.has(w.driver)) resources.add(keyOf(w))
    })
  }
  return { stuck, resources: [...resources].sort(), terminalUnfinished: [...terminal].sort(), states: seen.size }
}
