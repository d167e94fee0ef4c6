/**
 * The pools a `PoolManager` destroyed. The manager refuses their growth itself, without asking its budget
 * (`admitGrowth`): such a refusal is not the budget's, and a pool's `PoolExhausted` must not say it is.
 *
 * @internal
 * @module
 */

/** Pools destroyed by their manager (added by `destroyPool`). */
export const retired: WeakSet<object> = new WeakSet()
