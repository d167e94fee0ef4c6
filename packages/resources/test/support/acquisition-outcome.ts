/**
 * What the abort tests read of an acquisition and its manager (plain or shared): how its Promise ended, the Memory
 * usage, and whether a name is free.
 *
 * @module
 */
import { ResourceNotFound } from "@flight-hal/core"

/**
 * How an acquisition ended: `admitted` (a live ref) or `admitted, released`, or the rejection's message;
 * `admitted` reads as `word` (a wait's grant: "granted").
 */
export const outcome = (acquisition: Promise<{ readonly released: boolean }>, word = "admitted"): Promise<string> =>
  acquisition.then(
    (ref) => (ref.released ? `${word}, released` : word),
    (error: unknown) => (error instanceof Error ? error.message : String(error))
  )

/** A plain or shared manager, as the abort tests observe it. */
interface Observed {
  getResourceStats(type: "Memory"): { readonly currentUsage: number }
  find(name: string): unknown
}

/** The manager's Memory usage. */
export const usage = (manager: Observed): number => manager.getResourceStats("Memory").currentUsage

/** Whether no live resource has the name. */
export const free = (manager: Observed, name: string): boolean => {
  try {
    manager.find(name)
    return false
  } catch (error) {
    if (error instanceof ResourceNotFound) return true
    throw error
  }
}
