/**
 * A resource's payload, made once on the first access by any of its holders (the owner's ref or a share) and
 * then seen by all of them: the `create` hook's value, else a fresh `Uint8Array(sizeBytes)` for `Memory`, else
 * `undefined`. A hook that throws leaves it unmade: the next access calls the hook again.
 *
 * @since 0.2.0
 */
import type { ResourceMetadata } from "@flight-hal/core"

/** The payload of a resource without a `create` hook (and not served by a pool). */
export const defaultPayload = (metadata: ResourceMetadata): Uint8Array | undefined =>
  metadata.type === "Memory" ? new Uint8Array(metadata.sizeBytes) : undefined

/**
 * One shared resource's payload cell (a ref that is not shared keeps its payload itself). `create` is the
 * owner's hook, or the manager's default (the pool block's view, else {@link defaultPayload}).
 */
export class Payload<T> {
  private made = false
  private value: T | undefined = undefined

  constructor(
    private readonly metadata: ResourceMetadata,
    private create: (metadata: ResourceMetadata) => T
  ) {}

  /**
   * The owner's way to make the payload, for a cell a share made first (a share taken between a waiter's grant
   * and its ref): used unless the payload was made already.
   */
  adopt(create: ((metadata: ResourceMetadata) => T) | undefined): void {
    if (!this.made && create !== undefined) this.create = create
  }

  /** The payload, made on the first call. */
  get(): T {
    if (!this.made) {
      this.value = this.create(this.metadata)
      this.made = true
    }
    return this.value as T
  }

  /** The payload if it was made (for destroy hooks). */
  created(): T | undefined {
    return this.value
  }
}
