/**
 * @flight-hal/core: the typed tables (resource types, flags, priorities, access patterns,
 * pressure, acquisition modes), the typed errors, and the Schemas of metadata and budgets.
 *
 * @example
 * ```ts
 * import { BudgetExceeded, ResourceFlags, ResourceType } from "@flight-hal/core"
 *
 * ResourceType.Memory // 2
 * ResourceFlags.combine("Shareable", "GPUAccessible") // 10
 * BudgetExceeded.code // 2
 * ```
 *
 * @module
 */
export * from "./budget.ts"
export * from "./generated/error-schemas.ts"
export * from "./generated/errors.ts"
export * from "./generated/table-schemas.ts"
export * from "./generated/tables.ts"
export * from "./metadata.ts"
export * from "./resource-type.ts"
export * from "./schemas.ts"
