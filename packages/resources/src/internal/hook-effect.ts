/**
 * How the Effect front ends run an Effect that a `destroy` hook returned (`Core.runEffect`, `runDestroy` in
 * payload.ts): forked at once, so what it does synchronously is done before the hook's call returns (an
 * `Effect.sync` closes its connection within the release); an asynchronous remainder goes on in its fiber and is
 * not waited for, as a returned promise is not. Its failure or defect is dropped, as a hook's throw is swallowed.
 * Kept out of the plain facade's modules: the fiber runtime would add about 4 KiB gzipped to its bundle.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"

/** Runs a hook's returned Effect (one `runDestroy` found with `Effect.isEffect`). */
export const runHookEffect = (effect: unknown): void => {
  Effect.runFork(effect as Effect.Effect<unknown, unknown>)
}
