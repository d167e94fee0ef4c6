/**
 * Ending a `SharedHandle`'s hold for good, from the core: the one thing the package does to a share that its users
 * cannot. The state it writes is the class's `#private` field (out of reach at run time from outside the package,
 * not only to tsc); `SharedHandle`'s static block sets the function up, and the core calls it through
 * {@link endShareHold}.
 *
 * @since 0.1.0
 */
import type { SharedHandle } from "../ResourceRef.ts"

/** The function `SharedHandle`'s static block set up (none before the class is evaluated). */
let ender: ((share: SharedHandle<unknown>) => void) | undefined

/**
 * Sets up {@link endShareHold}: called by `SharedHandle`'s static block, once (a later call changes nothing).
 *
 * @since 0.1.0
 */
export const setShareHoldEnder = (end: (share: SharedHandle<unknown>) => void): void => {
  ender ??= end
}

/**
 * The manager gave the driver a new share of the resource: `share`, its earlier one, is released for good (its
 * `release()` must not end the new hold). Only the core calls it.
 *
 * @since 0.1.0
 */
export const endShareHold = (share: SharedHandle<unknown>): void => {
  // `ender` is set whenever a share exists: the class that made `share` ran its static block
  ender?.(share)
}
