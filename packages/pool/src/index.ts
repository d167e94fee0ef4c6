/**
 * @flight-hal/pool: O(1) fixed-block pools, size classes and SharedArrayBuffer pools, with zero dependencies.
 *
 * @module
 */
export * from "./BlockPool.ts"
export * from "./generated/errors.ts"
export * from "./generated/tables.ts"
export * from "./PoolConfig.ts"
export * from "./PoolManager.ts"
export * from "./PoolStats.ts"
export * from "./Result.ts"
export * from "./SharedBlockPool.ts"
