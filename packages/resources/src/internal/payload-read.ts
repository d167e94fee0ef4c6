/**
 * `ref.get` and `shared.get` as one Effect value each, evaluated in one fiber step: the payload, or
 * `ResourceReleased` when the holder was released by the time the Effect runs (never when it was made).
 * `Effect.suspend` did the same in two allocations (its thunk and the Effect) and one more step.
 *
 * @since 0.3.0
 */
import { ResourceReleased } from "@flight-hal/core"
import type * as Effect from "effect/Effect"
import * as Effectable from "effect/Effectable"
import * as Exit from "effect/Exit"

/** What a payload read asks of its holder (a ref or a share). */
export interface PayloadHolder<T> {
  /** Whether the hold ended. */
  readonly released: boolean
  /** The resource's name (for `ResourceReleased`). */
  readonly name: string
  /** The payload, made on first access; only called while the hold is live. */
  livePayload(): T
}

/** The payload of `holder` as an Effect; a `create` hook that throws dies, as a throw in `Effect.suspend` did. */
export class PayloadRead<T> extends Effectable.Class<T, ResourceReleased> {
  constructor(private readonly holder: PayloadHolder<T>) {
    super()
  }

  /** Read when the fiber evaluates this Effect. */
  asEffect(): Effect.Effect<T, ResourceReleased> {
    const holder = this.holder
    return holder.released ? Exit.fail(new ResourceReleased({ name: holder.name })) : Exit.succeed(holder.livePayload())
  }
}
