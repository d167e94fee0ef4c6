/**
 * `ref.get` and `shared.get` as one Effect value each, evaluated in one fiber step: the payload, or
 * `ResourceReleased` when the holder was released by the time the Effect runs (never when it was made), or by the
 * `create` hook the read ran, or `PayloadUnavailable` when the default payload could not be allocated.
 * `Effect.suspend` did the same in two allocations (its thunk and the Effect) and one more step.
 *
 * @since 0.1.0
 */
import { PayloadUnavailable, ResourceReleased } from "@flight-hal/core"
import type * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { evaluatedByStep } from "./effect-step.ts"
import { type HoldEnded, holdEnded } from "./payload.ts"

/** What a payload read asks of its holder (a ref or a share). */
export interface PayloadHolder {
  /** Whether the hold ended. */
  readonly released: boolean
  /** The resource's name (for `ResourceReleased`). */
  readonly name: string
}

/**
 * How a read gets the payload of its holder: the holder class's own function over its `#private` method (out of
 * reach of the holder's users at run time), only called while the hold is live. {@link holdEnded} when the `create`
 * hook it ran ended this hold; throws `PayloadUnavailable` when the default payload could not be allocated.
 */
export type LivePayload<H, T> = (holder: H) => T | HoldEnded

/**
 * One payload read: an Effect primitive whose evaluation reads the payload in the fiber's step (`step`). The read
 * is an object the caller holds (`ref.get`): the function that reads the payload unchecked is `#private`, so that
 * only the checked `step` reaches it.
 */
class PayloadRead<H extends PayloadHolder, T> {
  readonly #holder: H
  readonly #live: LivePayload<H, T>

  constructor(holder: H, live: LivePayload<H, T>) {
    this.#holder = holder
    this.#live = live
  }

  /** The payload, or `ResourceReleased` / `PayloadUnavailable` as an `Exit`. */
  step(): Exit.Exit<T, PayloadReadError> {
    const holder = this.#holder
    if (holder.released) return Exit.fail(new ResourceReleased({ resource: holder.name }))
    // a `create` hook that throws dies, as a throw in `Effect.suspend` did; one that ends this hold fails the read;
    // a default payload that cannot be allocated fails it with PayloadUnavailable (the hold stays)
    let payload: T | HoldEnded
    try {
      payload = this.#live(holder)
    } catch (error) {
      if (error instanceof PayloadUnavailable) return Exit.fail(error)
      throw error
    }
    return payload === holdEnded ? Exit.fail(new ResourceReleased({ resource: holder.name })) : Exit.succeed(payload)
  }
}
evaluatedByStep(PayloadRead, "PayloadRead")

/**
 * The payload of `holder` as an Effect, read (by `live`, the holder class's own reader) when the fiber evaluates it.
 *
 * @since 0.1.0
 */
export const readPayload = <H extends PayloadHolder, T>(
  holder: H,
  live: LivePayload<H, T>
): Effect.Effect<T, PayloadReadError> => new PayloadRead(holder, live) as unknown as Effect.Effect<T, PayloadReadError>

/**
 * How a payload read fails: the hold ended, or the default payload could not be allocated.
 *
 * @since 0.1.0
 */
export type PayloadReadError = ResourceReleased | PayloadUnavailable
