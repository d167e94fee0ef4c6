/**
 * A resource's payload, made once on the first access by any of its holders (the owner's ref or a share) and
 * then seen by all of them: the `create` hook's value, else a fresh `Uint8Array(sizeBytes)` for `Memory`, else
 * `undefined`. A hook that throws leaves it unmade: the next access calls the hook again. A hook that ends the
 * hold it makes the payload for (releases that ref or share, closes the manager) fails that access
 * ({@link holdEnded}; `Core.keepsMade` decides what becomes of the value).
 *
 * @since 0.1.0
 */
import { PayloadUnavailable, type ResourceMetadata } from "@flight-hal/core"
import { isEffect } from "effect/Effect"
import type { RefOwner } from "./ref-owner.ts"
import { showThrown } from "./show.ts"
import { isThenable } from "./thenable.ts"

/**
 * What a payload read gets instead of the payload when the `create` hook it ran ended the very hold it read
 * through (released that ref or share, closed the manager): the read fails with `ResourceReleased`, as every read
 * after a release does (docs/semantics.md, section 2).
 */
export const holdEnded: unique symbol = Symbol("holdEnded")

/** The type of {@link holdEnded}. */
export type HoldEnded = typeof holdEnded

/**
 * A `destroy` hook as a ref or a cell keeps it: of a payload whose type it does not state (a `(payload: T) =>
 * void` field would make `ResourceRef<T>` invariant in `T`).
 */
export type PayloadDestroy = (payload: never) => void

/**
 * How a manager runs an Effect that a `destroy` hook returned: the Effect front end's (`Effect.runFork`: what it
 * does synchronously is done before the hook's call returns; its failure is dropped). The plain facade has none
 * (no Effect runtime in its bundle): there a returned Effect is not run.
 */
export type HookEffectRunner = (effect: unknown) => void

const ignore = (): void => {}

/**
 * Gives a payload to its `destroy` hook, the one way every manager calls it: caller code run once the hold ended,
 * so nothing it does breaks the release, the access or the close that runs it. A throw is swallowed; so is the
 * rejection of a promise (a thenable) it returns, which is not awaited (never an unhandled rejection); an Effect
 * it returns is run by `runEffect` when the manager has one (its failure swallowed as a throw is), else not run
 * (docs/semantics.md, section 14).
 */
export const runDestroy = (
  destroy: PayloadDestroy,
  payload: unknown,
  runEffect: HookEffectRunner | undefined
): void => {
  try {
    const returned: unknown = (destroy as (payload: unknown) => unknown)(payload)
    if (returned === undefined || returned === null) return
    if (isThenable(returned)) returned.then(undefined, ignore)
    else if (runEffect !== undefined && isEffect(returned)) runEffect(returned)
  } catch {
    // a payload finalizer that throws must not break the manager
  }
}

/**
 * The payload of a resource without a `create` hook (and not served by a pool): a fresh `Uint8Array(sizeBytes)`
 * for Memory, else undefined. Throws `PayloadUnavailable` when the array cannot be allocated (a size beyond the
 * engine's largest array, or no memory for it): nothing was made, and a later read tries again.
 */
export const defaultPayload = (metadata: ResourceMetadata, name: string): Uint8Array | undefined => {
  if (metadata.type !== "Memory") return undefined
  try {
    return new Uint8Array(metadata.sizeBytes)
  } catch (error) {
    throw new PayloadUnavailable({ resource: name, sizeBytes: metadata.sizeBytes, reason: showThrown(error) })
  }
}

/** The payloads whose `create` hook runs now (by their holder: a ref, a Shareable resource's cell). */
const creating = new WeakSet<object>()

/**
 * Calls the `create` hook of `holder`'s payload. A read of that payload from inside the hook (which would call it
 * again, without end) fails with `PayloadUnavailable`: nothing made, the hold kept (docs/semantics.md, section 2).
 */
export const runCreate = <T>(
  holder: object,
  create: (metadata: ResourceMetadata) => T,
  metadata: ResourceMetadata,
  name: string
): T => {
  if (creating.has(holder)) {
    throw new PayloadUnavailable({
      resource: name,
      sizeBytes: metadata.sizeBytes,
      reason: "its create hook is running (a create hook cannot read the payload it makes)"
    })
  }
  creating.add(holder)
  try {
    return create(metadata)
  } finally {
    creating.delete(holder)
  }
}

/**
 * What only some refs have: the owner's `create` and `destroy` hooks, and a payload cell: a Shareable resource's
 * (shared with its shares), or the ref's own when it has a `destroy` hook (the slot's finalizer reads the payload
 * from it, so that it never holds the ref). A ref with none of them (the common acquisition) has no such object.
 */
export interface PayloadHooks<T> {
  readonly create: ((metadata: ResourceMetadata) => T) | undefined
  readonly destroy: PayloadDestroy | undefined
  readonly cell: Payload<T> | undefined
}

/**
 * One payload cell: a Shareable resource's (seen by its ref and its shares), or the own cell of a ref with a
 * `destroy` hook (other refs keep their payload themselves). `create` is the owner's hook, or the manager's
 * default (the pool block's view, else {@link defaultPayload}).
 */
export class Payload<T> {
  private made = false
  private value: T | undefined = undefined

  constructor(
    private readonly metadata: ResourceMetadata,
    private create: (metadata: ResourceMetadata) => T,
    /** The owner's `destroy` hook (for a value made after the resource was freed: `Core.keepsMade`). */
    private destroy: PayloadDestroy | undefined = undefined
  ) {}

  /**
   * The owner's way to make (and destroy) the payload, for a cell a share made first (a share taken between a
   * waiter's grant and its ref): used unless the payload was made already.
   */
  adopt(create: ((metadata: ResourceMetadata) => T) | undefined, destroy: ((payload: T) => void) | undefined): void {
    if (this.made) return
    if (create !== undefined) this.create = create
    this.destroy = destroy
  }

  /**
   * The payload, made on the first call, read through the hold of `holder` (on `slot` of `generation`):
   * {@link holdEnded} when making it ended that hold.
   */
  get(
    engine: RefOwner,
    slot: number,
    generation: number,
    holder: { readonly released: boolean; readonly name: string }
  ): T | HoldEnded {
    if (!this.made) {
      const made = runCreate(this, this.create, this.metadata, holder.name)
      // the hook may have ended this very hold (released it, closed the manager)
      if (holder.released) {
        if (engine.keepsMade(slot, generation, made, this.destroy)) this.keep(made)
        return holdEnded
      }
      this.keep(made)
    }
    return this.value as T
  }

  private keep(value: T): void {
    this.value = value
    this.made = true
  }

  /** The payload if it was made (for destroy hooks). */
  created(): T | undefined {
    return this.value
  }
}
