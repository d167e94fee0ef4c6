/**
 * Calls a user hook so that it can never break a pool: a throw counts as `false` (a refusal).
 *
 * @internal
 * @module
 */

/** Calls `f` (if any) with `args`; returns its result, or `false` if it threw. */
export const safeCall = <A extends ReadonlyArray<unknown>>(
  f: ((...args: A) => unknown) | undefined,
  ...args: A
): unknown => {
  if (f === undefined) return undefined
  try {
    return f(...args)
  } catch {
    return false
  }
}
