/**
 * Per-type budgets: the most bytes a type may hold, the part reserved for Critical requests,
 * and the usage thresholds of pressure (`criticalPercent` is where pressure `High` begins; pressure
 * `Critical` means the reserve is in use).
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
  /** The most bytes the type may hold (only Emergency requests are admitted past it). */
  maxBytes: ByteCount,
  /**
   * The part of `maxBytes` that only Critical-priority requests may use. Pressure is `Critical` once usage is past
   * `maxBytes − reservedBytes` (the reserve is in use).
   */
  reservedBytes: ByteCount,
  /**
   * Usage, in % of `maxBytes`, at which pressure leaves `None`: `Low` from here, `Medium` from halfway between
   * `warningPercent` and `criticalPercent`.
   */
  warningPercent: Percent,
  /**
   * Usage, in % of `maxBytes`, at which pressure becomes `High` (not `Critical`: that level means the reserve is in
   * use, or usage is past `maxBytes`; with `reservedBytes: 0`, only usage past `maxBytes` reaches it).
   */
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
 * A budget for one resource type: `maxBytes`, the `reservedBytes` only Critical-priority requests may use, and
 * the thresholds of pressure in % of `maxBytes`: `Low` from `warningPercent`, `Medium` from halfway to
 * `criticalPercent`, `High` from `criticalPercent`, `Critical` once the reserve is in use (or usage is past
 * `maxBytes`).
 *
 * @example
 * ```ts
 * import type { ResourceBudget } from "@flight-hal/core"
 *
 * // 10 MiB max, 1 MiB reserved for Critical requests; pressure Low from 75%, High from 90%,
 * // Critical past 9 MiB (the reserve in use)
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
