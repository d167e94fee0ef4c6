/**
 * @flight-hal/resources: the Effect ResourceManager (RAII scopes, budgets, pressure, reclamation,
 * acquisition modes, sharing, dependencies, deadlock detection for sequential drivers) and a plain facade.
 *
 * @module
 */

export * from "./ManagerDump.ts"
export * from "./ManagerEndpoint.ts"
export * from "./ManagerMetrics.ts"
export * from "./ManagerPools.ts"
export * from "./PlainResourceManager.ts"
export * from "./PlatformDetection.ts"
export * from "./PlatformProfile.ts"
export * from "./PlatformProfileSchema.ts"
export * from "./ResourceManager.ts"
export * from "./ResourceManagerConfig.ts"
export * from "./ResourceRef.ts"
export * from "./ResourceStats.ts"
export * from "./SharedResourceManager.ts"
export * from "./SharedResources.ts"
export * from "./SystemPressure.ts"
export * from "./SystemPressureReclamation.ts"
export * from "./Timeline.ts"
