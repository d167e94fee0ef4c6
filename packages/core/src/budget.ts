/**
 * Per-type budgets: the most bytes a type may hold, the part reserved for Critical requests,
 * and the warning and critical thresholds of pressure.
 *
 * @module
 */
import * as Schema from "effect/Schema"
import { ByteCount } from "./schemas.ts"

const Percent: Schema.Number = Schema.Number.check(
  Schema.makeFilter((n: number) =>
    Number.isFinite(n) && n > 0 && n <= 100 ? undefined : `a percentage is in (0, 100], got ${n}`
  )
)

const budgetFields = {
  maxBytes: ByteCount,
  reservedBytes: ByteCount,
  warningPercent: Percent,
  criticalPercent: Percent
}

/**
 * Schema of a {@link ResourceBudget}: reservedBytes ≤ maxBytes and
 * 0 < warningPercent < criticalPercent ≤ 100.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResourceBudgetSchema: Schema.Struct<typeof budgetFields> = Schema.Struct(budgetFields).check(
  Schema.makeFilter(
    (b: {
      readonly maxBytes: number
      readonly reservedBytes: number
      readonly warningPercent: number
      readonly criticalPercent: number
    }) => {
      if (b.reservedBytes > b.maxBytes) {
        return `reservedBytes (${b.reservedBytes}) must not exceed maxBytes (${b.maxBytes})`
      }
      if (b.warningPercent >= b.criticalPercent) {
        return `warningPercent (${b.warningPercent}) must be below criticalPercent (${b.criticalPercent})`
      }
      return undefined
    }
  )
)

/**
 * A budget for one resource type, as the seed's `ResourceBudget(max, reserved, warning, critical)`.
 *
 * @example
 * ```ts
 * import type { ResourceBudget } from "@flight-hal/core"
 *
 * // 10 MiB max, 1 MiB reserved for Critical requests, warning at 75%, critical at 90%
 * const memory: ResourceBudget = {
 *   maxBytes: 10 * 1024 * 1024,
 *   reservedBytes: 1024 * 1024,
 *   warningPercent: 75,
 *   criticalPercent: 90
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type ResourceBudget = typeof ResourceBudgetSchema.Type
