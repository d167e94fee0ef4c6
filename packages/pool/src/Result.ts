/**
 * The value returned by the checked API of the pools: success or a typed error, never a throw.
 *
 * @module
 */

/**
 * A successful outcome carrying `value`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Ok<A> {
  /** Always `true`: the discriminant to narrow on. */
  readonly ok: true
  /** The operation's result. */
  readonly value: A
}

/**
 * A failed outcome carrying a typed `error` (an instance of one of the generated error classes).
 *
 * @since 0.1.0
 * @category models
 */
export interface Err<E> {
  /** Always `false`: the discriminant to narrow on. */
  readonly ok: false
  /** Why the operation failed. */
  readonly error: E
}

/**
 * The outcome of a checked pool operation: narrow on `ok`.
 *
 * @example
 * ```ts
 * import { BlockPool } from "@flight-hal/pool"
 *
 * const made = BlockPool.make({ name: "audio", blockSize: 4096, initialCount: 4, maxCount: 16 })
 * if (!made.ok) throw made.error // InvalidPoolConfig, with field / value / issue
 * const pool = made.value
 * const block = pool.tryAlloc()
 * if (block.ok) pool.free(block.value)
 * else console.error(block.error.message) // PoolExhausted
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Result<A, E> = Ok<A> | Err<E>

/**
 * Builds a successful {@link Result}.
 *
 * @example
 * ```ts
 * import { ok } from "@flight-hal/pool"
 *
 * const r = ok(42) // { ok: true, value: 42 }
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const ok = <A>(value: A): Ok<A> => ({ ok: true, value })

/**
 * Builds a failed {@link Result}.
 *
 * @example
 * ```ts
 * import { err, PoolNotFound } from "@flight-hal/pool"
 *
 * const r = err(new PoolNotFound({ resourceType: "Memory", blockSize: 64 }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const err = <E>(error: E): Err<E> => ({ ok: false, error })
