/**
 * @flight-hal/resources: the Effect ResourceManager (RAII scopes, budgets, pressure, reclamation,
 * acquisition modes, sharing, dependencies, deadlock-free waiting) and a plain facade.
 *
 * @module
 */
export * from "./ResourceManagerConfig.ts"
