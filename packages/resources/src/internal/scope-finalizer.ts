/**
 * Registering a scope finalizer synchronously, inside the step that acquired the resource, so that no
 * interruption can come between the acquisition and the registration (what `Effect.acquireRelease` gets by
 * running both uninterruptibly, for the price of two more fiber steps and a region).
 *
 * It writes the scope's state as `effect/Scope` documents it (`Scope.State`: `Empty`, `Open` with one
 * finalizer or a map of them keyed by identity, `Closed`), the same transitions `Scope.addFinalizerExit`
 * makes; a test closes scopes with one, two and many finalizers registered this way and checks order and
 * exits.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Scope from "effect/Scope"

/** A finalizer as a scope keeps it. */
export type ScopeFinalizer = (exit: Exit.Exit<unknown, unknown>) => Effect.Effect<void>

/**
 * Adds `finalizer` to `scope` now, under the identity `key`. Returns false, adding nothing, when the scope is
 * closed already (the caller then finalizes at once, as `Scope.addFinalizerExit` does).
 */
export const addFinalizerNow = (scope: Scope.Scope, key: object, finalizer: ScopeFinalizer): boolean => {
  const state = scope.state
  if (state._tag === "Closed") return false
  if (state._tag === "Empty") {
    scope.state = { _tag: "Open", finalizerKey: key, finalizer, finalizers: undefined }
    return true
  }
  if (state.finalizers !== undefined) {
    state.finalizers.set(key, finalizer)
  } else if (state.finalizer !== undefined && state.finalizerKey !== undefined) {
    state.finalizers = new Map([
      [state.finalizerKey, state.finalizer],
      [key, finalizer]
    ])
    state.finalizerKey = undefined
    state.finalizer = undefined
  } else {
    state.finalizerKey = key
    state.finalizer = finalizer
  }
  return true
}
