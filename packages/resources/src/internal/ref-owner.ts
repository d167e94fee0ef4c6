/**
 * What a ref needs from its manager: whether it is closed, the slot of a handle (or an error value), releasing
 * a holder's hold, and what becomes of a payload made for a hold that ended meanwhile. Implemented by the core;
 * refs hold it, users never see it.
 *
 * @since 0.1.0
 */
import type { ResourceHandle, ResourceMetadata } from "@flight-hal/core"
import type { PayloadDestroy } from "./payload.ts"

/** A ref's view of its manager. */
export interface RefOwner {
  /** The manager's identity (carried by handles). */
  readonly id: number
  /** Whether the manager is closed (refs then release nothing). */
  readonly closed: boolean
  /** The live slot of a handle, or an error value for a stale, unknown or foreign handle. */
  resolve(handle: ResourceHandle): number | object
  /** Whether `slot` still holds the resource of `generation`. */
  isCurrent(slot: number, generation: number): boolean
  /** Whether `slot` still holds the resource of `generation` and `driver` holds it. */
  holdsCurrent(slot: number, generation: number, driver: number): boolean
  /**
   * Whether `slot` still holds the resource of `generation` and its owner `driver` still holds it through the
   * hold its acquisition made (once that hold ended, a later share by the same driver is another hold).
   */
  ownsCurrent(slot: number, generation: number, driver: number): boolean
  /**
   * The payload of a slot without a `create` hook: its pool block's view, else the default payload (`name` is
   * the resource's, for `PayloadUnavailable`).
   */
  defaultPayload(slot: number, metadata: ResourceMetadata, name: string): unknown
  /** Releases `driver`'s hold on `slot`. */
  release(slot: number, driver: number): unknown
  /** Ends `driver`'s acquisition hold on `slot` of `generation` if it goes on (`ownsCurrent`); nothing otherwise. */
  releaseOwned(slot: number, generation: number, driver: number): void
  /**
   * What becomes of a payload a `create` hook made for a read through a hold the hook itself ended: kept (true)
   * while the resource of `generation` lives on, else handed to `destroy` at once (false).
   */
  keepsMade(slot: number, generation: number, value: unknown, destroy: PayloadDestroy | undefined): boolean
}
