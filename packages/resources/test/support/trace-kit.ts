/**
 * What the trace tests share: a quiet manager's options, the budget and Memory metadata they record, and the
 * trace's lines parsed.
 */
import type { ResourceBudget, ResourceMetadata } from "@flight-hal/core"

/** Leaks at close are part of what a trace records, not a failure of the test. */
export const quiet = { onLeaks: () => {} }

/** A budget with the warning at 50 % and the critical level at 90 % (the levels the recorded traces expect). */
export const budget = (maxBytes: number, reservedBytes = 0): ResourceBudget => ({
  maxBytes,
  reservedBytes,
  warningPercent: 50,
  criticalPercent: 90
})

/** Memory metadata of `sizeBytes`, at `priority` when given. */
export const memory = (sizeBytes: number, priority?: ResourceMetadata["priority"]): ResourceMetadata =>
  priority === undefined ? { type: "Memory", sizeBytes } : { type: "Memory", sizeBytes, priority }

/** A trace line, its `action` named. */
export type Line = Record<string, unknown> & { readonly action: string }

/** A trace's lines as objects. */
export const parse = (lines: ReadonlyArray<string>): Array<Line> => lines.map((line) => JSON.parse(line) as Line)
