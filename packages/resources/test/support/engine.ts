/**
 * A bare engine (`Core`) for the tests that drive the state machine's transitions directly: the given owners
 * declared sequential drivers, budgets with warning and critical levels of 50% and 90%, a clock stopped at 0.
 */
import { Core } from "../../src/internal/core.ts"

/** A budget's bytes: `maxBytes` and `reservedBytes` (0 unless given). */
export interface TestBudget {
  readonly maxBytes: number
  readonly reservedBytes?: number
}

export const engineOf = (
  sequential: ReadonlyArray<string>,
  budgets: Readonly<Record<string, TestBudget>>
): Core<unknown> => {
  const made = Core.make<unknown>(
    {
      onLeaks: () => {},
      drivers: Object.fromEntries(sequential.map((driver) => [driver, { sequential: true }])),
      budgets: Object.fromEntries(
        Object.entries(budgets).map(([type, { maxBytes, reservedBytes }]) => [
          type,
          { maxBytes, reservedBytes: reservedBytes ?? 0, warningPercent: 50, criticalPercent: 90 }
        ])
      )
    },
    () => 0
  )
  if (!(made instanceof Core)) throw made
  return made
}
