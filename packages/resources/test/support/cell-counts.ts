/**
 * Counting the heap cells some code allocates, by kind, with JavaScriptCore's own count (`heapStats()` of
 * `bun:jsc`; Bun only). Used by `fast-path-allocations.test.ts` and `bench/allocations.ts`.
 *
 * @module
 */
import { heapStats } from "bun:jsc"

/** Heap cells by kind. */
export type Cells = Record<string, number>

const cellCounts = (): Cells => ({ ...(heapStats().objectTypeCounts as Cells) })

/**
 * Starts a count after a full collection; the function it returns ends it and gives the cells allocated since,
 * per op for `ops` ops, by kind (only kinds with some). What a count allocates itself (its result), measured by
 * two counts in a row, is taken off; `Structure`s (the engine's shapes, made once) are left out. Nothing between
 * the start and the end may yield to other work, and a collection in between would lower the count: keep the
 * window to a few hundred small ops.
 */
export const startCellCount = (): ((ops: number) => Cells) => {
  Bun.gc(true)
  const first = cellCounts()
  const before = cellCounts()
  return (ops) => {
    const after = cellCounts()
    const made: Cells = {}
    for (const [kind, count] of Object.entries(after)) {
      if (kind === "Structure") continue
      const itself = (before[kind] ?? 0) - (first[kind] ?? 0)
      const added = count - (before[kind] ?? 0) - itself
      if (added > 0) made[kind] = added / ops
    }
    return made
  }
}
