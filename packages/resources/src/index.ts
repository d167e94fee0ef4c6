/**
 * @flight-hal/resources: the Effect ResourceManager (RAII scopes, budgets, pressure, reclamation,
 * acquisition modes, sharing, dependencies, deadlock-free waiting) and a plain facade.
 *
 * @module
 */

export * from "./createResourceManager.ts"
export * from "./detect.ts"
export * from "./ManagerPools.ts"
export * from "./profiles.ts"
export * from "./ResourceManager.ts"
export * from "./ResourceManagerConfig.ts"
export * from "./ResourceRef.ts"
export * from "./stats.ts"
export * from "./system-pressure.ts"
export * from "./system-pressure-reclamation.ts"
