/**
 * The shared ledger as the deadlock checker's `WaitState` (read under the lock): every live resource with its
 * holder threads, every waiting request in queue order, and which threads are concurrent owners. The same
 * reduction as the single-thread manager's then decides whether a sequential thread's wait would deadlock.
 *
 * @internal
 * @module
 */
import { ResourcePriorityNames } from "@flight-hal/core"
import type { LiveResource, TypeBudget, Waiter, WaitState } from "../deadlock/model.ts"
import type { TypeTable } from "../type-table.ts"
import { R, THREAD_INT_WORDS, W, WAITER_INT_WORDS, WaiterState } from "./layout.ts"
import { type Ledger, threadsOfMask } from "./ledger.ts"

const decoder = new TextDecoder()

/** The driver name of a thread in deadlock reports. */
export const threadDriver = (thread: number): string => `thread ${thread}`

/** Whether any attached thread declared itself sequential (else no wait can deadlock). */
export const anySequential = (ledger: Ledger): boolean => {
  for (let t = 0; t < ledger.maxThreads; t++) {
    const at = t * THREAD_INT_WORDS
    if (
      Atomics.load(ledger.threadsInt, at + R.claim) === 1 &&
      Atomics.load(ledger.threadsInt, at + R.sequential) === 1
    ) {
      return true
    }
  }
  return false
}

/** The wait state of the ledger. Call under the lock. */
export const sharedWaitState = (ledger: Ledger, types: TypeTable): WaitState => {
  // no prototype: a custom type may be named "__proto__" (a plain object's setter would take it, and the type
  // would read as unbudgeted to the check)
  const budgets: Record<string, TypeBudget> = Object.create(null)
  for (let type = 0; type < ledger.typeCount; type++) {
    const budget = ledger.budget(type)
    if (budget === undefined) continue
    budgets[types.nameOf(type)] = {
      maxBytes: budget.maxBytes,
      reservedBytes: budget.reservedBytes,
      usage: Number(ledger.usage(type))
    }
  }
  const resources: Array<LiveResource> = []
  for (let slot = 0; slot < ledger.maxResources; slot++) {
    const mask = ledger.maskOf(slot)
    if (mask === 0) continue
    const name = ledger.nameOf(slot)
    resources.push({
      id: `r${slot}#${ledger.generationOf(slot)}`,
      type: types.nameOf(ledger.typeOf(slot)),
      sizeBytes: ledger.poolOf(slot) < 0 ? ledger.sizeOf(slot) : 0,
      name: name.length === 0 ? undefined : decoder.decode(name.slice()),
      dependsOn: [],
      holders: threadsOfMask(mask).map(threadDriver)
    })
  }
  const entries: Array<{ entry: number; priority: number; ticket: number }> = []
  const wi = ledger.waitersInt
  for (let e = 0; e < ledger.maxWaiters; e++) {
    const at = e * WAITER_INT_WORDS
    if (wi[at + W.state] !== WaiterState.Waiting) continue
    entries.push({ entry: e, priority: wi[at + W.priority] as number, ticket: wi[at + W.ticket] as number })
  }
  entries.sort((a, b) => b.priority - a.priority || a.ticket - b.ticket)
  const waiters: Array<Waiter> = entries.map(({ entry, priority }) => {
    const at = entry * WAITER_INT_WORDS
    const named = ledger.waiterName(entry)
    const name = named.length === 0 ? undefined : decoder.decode(named.slice())
    const base = {
      id: `w${entry}`,
      driver: threadDriver(wi[at + W.thread] as number),
      priority: ResourcePriorityNames[priority] ?? "Normal",
      type: types.nameOf(wi[at + W.type] as number),
      sizeBytes: Number(ledger.waitersBig[entry])
    }
    const nameTaken = name !== undefined && ledger.findName(named, wi[at + W.nameHash] as number) >= 0
    return nameTaken && name !== undefined ? { ...base, kind: "name", name } : { ...base, kind: "bytes", name }
  })
  const concurrent: Array<string> = []
  for (let t = 0; t < ledger.maxThreads; t++) {
    const at = t * THREAD_INT_WORDS
    if (Atomics.load(ledger.threadsInt, at + R.sequential) !== 1) concurrent.push(threadDriver(t))
  }
  return { budgets, resources, waiters, concurrent }
}
