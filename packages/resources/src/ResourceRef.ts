/**
 * References to acquired resources: `ResourceRef<T>` (handle, metadata, payload; released exactly once)
 * and `SharedHandle` (a driver's share of a resource).
 *
 * @module
 */
import { type PayloadUnavailable, type ResourceHandle, type ResourceMetadata, ResourceReleased } from "@flight-hal/core"
import type * as Effect from "effect/Effect"
import { defineInspect, describeHeld, heldJson } from "./internal/inspect.ts"
import { type HoldEnded, holdEnded, type Payload, type PayloadHooks, runCreate } from "./internal/payload.ts"
import { readPayload } from "./internal/payload-read.ts"
import type { RefOwner } from "./internal/ref-owner.ts"
import { setShareHoldEnder } from "./internal/share-hold.ts"
import { exposeMetadata } from "./internal/validate.ts"

/**
 * The payload type of an acquisition without a `create` hook: a `Uint8Array` for `Memory` (its pool block's view,
 * or fresh bytes); `Uint8Array | undefined` for every other type, whose payload is `undefined` unless a pool of
 * the type served the request (then its block's view: pools serve any type, and the `auto` profile has a
 * Hardware one).
 *
 * @example
 * ```ts
 * import type { DefaultPayload } from "@flight-hal/resources"
 *
 * const memory: DefaultPayload<{ type: "Memory"; sizeBytes: 64 }> = new Uint8Array(64)
 * const timer: DefaultPayload<{ type: "Hardware"; sizeBytes: 1 }> = undefined
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type DefaultPayload<M extends { readonly type: ResourceMetadata["type"] }> = [M["type"]] extends ["Memory"]
  ? Uint8Array
  : Uint8Array | undefined

/** The payload of a ref not yet made. */
const unmade: unique symbol = Symbol("unmade")

/**
 * A live resource as its holder sees it. The payload is valid until the ref is released; after that
 * every access fails with `ResourceReleased` (thrown by `payload`, failed by `get`). Release is idempotent.
 * Closing the manager (the facade's `close()` or the Layer's scope) releases every ref still live, and
 * `reclaim` releases its owner's hold: the ref then reports `released` and every access fails, like after its
 * own release.
 * The handle is slot + generation: once the resource is freed and its slot reused, the handle is stale and
 * can never reach the new resource.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ResourceManager } from "@flight-hal/resources"
 *
 * const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     const manager = yield* ResourceManager
 *     const ref = yield* manager.acquire("texture", { type: "Memory", sizeBytes: 4096 })
 *     const buffer = yield* ref.get // a Uint8Array of (at least) 4096 bytes
 *     return buffer.byteLength
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class ResourceRef<T = Uint8Array> implements Disposable, AsyncDisposable {
  /** @internal */
  private isReleased = false
  /** @internal the payload of a ref without a cell, once made */
  private value: T | typeof unmade = unmade

  /** @ignore made by the manager (internal) */
  constructor(
    /** @internal */
    private readonly engine: RefOwner,
    /** @internal */
    private readonly slot: number,
    /** @internal */
    private readonly generation: number,
    /** The resource's name (`""` when unnamed). */
    readonly name: string,
    /** @internal the metadata as validated: the manager's own copy (frozen when handed out) */
    private readonly validMetadata: ResourceMetadata,
    /** The driver holding it through this ref. */
    readonly driver: string,
    /**
     * @internal the driver's index, for the manager's checks: while the ref's hold goes on it is the driver's (a
     * driver holding something is never forgotten), and a check of a hold that ended finds nothing under it
     */
    private readonly driverIndex: number,
    /**
     * @internal the `create` and `destroy` hooks and a Shareable resource's payload cell; undefined for the common
     * ref, which has none of them (a smaller object to make on every acquisition)
     */
    private readonly hooks: PayloadHooks<T> | undefined
  ) {}

  /** @internal */
  private cachedHandle: ResourceHandle | undefined = undefined

  /** The metadata it was acquired with, as the manager validated it (a frozen copy of what was passed). */
  get metadata(): ResourceMetadata {
    return exposeMetadata(this.validMetadata)
  }

  /** The resource's handle (slot, generation and the manager's identity), frozen. */
  get handle(): ResourceHandle {
    if (this.cachedHandle === undefined) {
      this.cachedHandle = Object.freeze({ slot: this.slot, generation: this.generation, manager: this.engine.id })
    }
    return this.cachedHandle
  }

  /**
   * Whether this ref was released: by its holder, by the manager's close, or its hold ended otherwise (`reclaim`,
   * `releaseResource(handle, owner)`). Once true, it stays true: a later share of the resource by the same driver
   * is a hold of its own, which this ref never reaches.
   */
  get released(): boolean {
    // a hold can also end without this ref (the close, `reclaim`, `releaseResource`): the owner's list says so
    return (
      this.isReleased || this.engine.closed || !this.engine.ownsCurrent(this.slot, this.generation, this.driverIndex)
    )
  }

  /**
   * The payload; throws `ResourceReleased` after release. Created on first access: the `create` hook's
   * value, else for a Memory resource its pool block (a view of at least `sizeBytes`) or a fresh
   * `Uint8Array(sizeBytes)` on a pool miss. A pool block is not cleared (it holds its last holder's bytes, a
   * fresh array zeros): `fill(0)` when that matters. A `create` hook that releases this ref or closes the manager
   * makes that access throw `ResourceReleased` too. A `Uint8Array` that cannot be allocated (a size beyond the
   * engine's largest array, or no memory for it) throws `PayloadUnavailable`: the ref stays held, and a later
   * access tries again; so does a read from inside the `create` hook that is making this payload.
   */
  get payload(): T {
    // `released`, written out: JavaScriptCore does not inline the getter's call on this path (about 100
    // instructions of a 1,700-instruction acquire + payload + release, docs/manager.md)
    if (
      this.isReleased ||
      this.engine.closed ||
      !this.engine.ownsCurrent(this.slot, this.generation, this.driverIndex)
    ) {
      throw new ResourceReleased({ resource: this.name })
    }
    const payload = this.#livePayload()
    if (payload === holdEnded) throw new ResourceReleased({ resource: this.name })
    return payload
  }

  /**
   * The payload of a ref known to be live, made on first access (`payload` and `get` read it); `holdEnded` when the
   * `create` hook ended this hold. `#private`: a caller that could reach it would read a released ref's payload
   * (a pool block another resource now owns).
   */
  #livePayload(): T | HoldEnded {
    const hooks = this.hooks
    if (hooks?.cell !== undefined) return hooks.cell.get(this.engine, this.slot, this.generation, this)
    // not Shareable, no `destroy` hook: the payload is this ref's alone, kept here (no cell); a hook that throws
    // leaves it unmade
    if (this.value === unmade) {
      const create = hooks?.create
      if (create === undefined) {
        this.value = this.engine.defaultPayload(this.slot, this.validMetadata, this.name) as T
        return this.value
      }
      const made = runCreate(this, create, this.metadata, this.name)
      // the hook may have ended this very hold (released this ref, closed the manager)
      if (this.released) {
        if (this.engine.keepsMade(this.slot, this.generation, made, hooks?.destroy)) this.value = made
        return holdEnded
      }
      this.value = made
    }
    return this.value
  }

  /**
   * The payload as an Effect, failing with `ResourceReleased` after release, and with `PayloadUnavailable` when
   * the default payload (a `Uint8Array` of `sizeBytes`) cannot be allocated (the ref stays held).
   */
  get get(): Effect.Effect<T, ResourceReleased | PayloadUnavailable> {
    return readPayload(this, ResourceRef.#readLive)
  }

  /** `get`'s read of the payload (a live ref's `#livePayload`). */
  static readonly #readLive = <T>(ref: ResourceRef<T>): T | HoldEnded => ref.#livePayload()

  /**
   * Releases this holder's hold (idempotent: a second call does nothing, and so does a call once the hold ended
   * otherwise: it never ends another hold of the same driver).
   */
  release(): void {
    if (this.isReleased) return
    this.isReleased = true
    const engine = this.engine
    if (engine.closed) return
    engine.releaseOwned(this.slot, this.generation, this.driverIndex)
  }

  /** Releases the ref (`using ref = manager.acquire(...)`). */
  [Symbol.dispose](): void {
    this.release()
  }

  /** Releases the ref (`await using ref = await manager.acquireAsync(...)`). */
  [Symbol.asyncDispose](): Promise<void> {
    this.release()
    return Promise.resolve()
  }
}

// console.log(ref) and String(ref) on Node, Bun and Deno: `ResourceRef<texture Memory 4096 B, owner app, live>`;
// JSON.stringify(ref): its name, type, size, driver, state and handle
defineInspect(ResourceRef.prototype, (ref) => describeHeld("ResourceRef", "owner", ref), heldJson)

/**
 * An untyped {@link ResourceRef}: its payload is `unknown`.
 *
 * @since 0.1.0
 * @category models
 */
export type ScopedResource = ResourceRef<unknown>

/**
 * A driver's share of a resource: while it is held, the driver can use the resource's payload (the same value
 * the owner's ref sees: `payload` throws, `get` fails with `ResourceReleased` after this share's release or the
 * manager's close). The resource lives while any holder holds it, so the payload outlives the owner's release;
 * it is destroyed (the `destroy` hook runs, a pool block goes back) when the last holder lets go. Release is
 * idempotent. The payload type is the caller's to state (`share<Float32Array>(…)`): a handle does not carry it.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ResourceManager } from "@flight-hal/resources"
 *
 * const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     const manager = yield* ResourceManager
 *     const ref = yield* manager.acquire("frame", { type: "Memory", sizeBytes: 64, flags: 8 })
 *     const shared = yield* manager.share<Uint8Array>(ref.handle, "gpu")
 *     ref.release() // the owner is done; the gpu driver still holds the frame
 *     const bytes = yield* shared.get // the frame's 64 bytes
 *     return bytes.byteLength
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class SharedHandle<T = unknown> implements Disposable {
  /** Whether this share's hold ended by its `release()`, or for good when the driver got a new share. */
  #isReleased = false

  /** @ignore made by the manager (internal) */
  constructor(
    /** @internal */
    private readonly engine: RefOwner,
    /** The shared resource's handle. */
    readonly handle: ResourceHandle,
    /** The driver this share belongs to. */
    readonly driver: string,
    /** @internal */
    private readonly driverIndex: number,
    /** The resource's name (`""` when unnamed). */
    readonly name: string,
    /** The metadata the resource was acquired with. */
    readonly metadata: ResourceMetadata,
    /** @internal */
    private readonly cell: Payload<T>
  ) {}

  /**
   * Whether this share was released: by its driver, by the manager's close, or its hold removed otherwise
   * (`releaseResource(handle, driver)`, `reclaim`). Once true, it stays true: a later share by the same driver
   * is a new `SharedHandle`, and this one never reaches its hold.
   */
  get released(): boolean {
    return (
      this.#isReleased ||
      this.engine.closed ||
      !this.engine.holdsCurrent(this.handle.slot, this.handle.generation, this.driverIndex)
    )
  }

  /**
   * The resource's payload; throws `ResourceReleased` once this share is released (by the `create` hook that
   * access runs, too), and `PayloadUnavailable` when the default payload cannot be allocated.
   */
  get payload(): T {
    if (this.released) throw new ResourceReleased({ resource: this.name })
    const payload = this.#livePayload()
    if (payload === holdEnded) throw new ResourceReleased({ resource: this.name })
    return payload
  }

  /**
   * The payload of a live share (`payload` and `get` read it); `holdEnded` when its `create` hook ended this hold.
   * `#private`, as a ref's: it does not check the hold.
   */
  #livePayload(): T | HoldEnded {
    return this.cell.get(this.engine, this.handle.slot, this.handle.generation, this)
  }

  /** `get`'s read of the payload (a live share's `#livePayload`). */
  static readonly #readLive = <T>(share: SharedHandle<T>): T | HoldEnded => share.#livePayload()

  /**
   * The payload as an Effect, failing with `ResourceReleased` once this share is released, and with
   * `PayloadUnavailable` when the default payload cannot be allocated.
   */
  get get(): Effect.Effect<T, ResourceReleased | PayloadUnavailable> {
    return readPayload(this, SharedHandle.#readLive)
  }

  static {
    // the core ends a share's hold for good (the manager gave its driver a new share) through `endShareHold`; a
    // caller cannot: it would mark the share released while the manager still counts the driver as a holder
    setShareHoldEnder((share) => {
      share.#isReleased = true
    })
  }

  /** Releases the share (idempotent; a no-op once its hold ended otherwise). */
  release(): void {
    if (this.#isReleased) return
    this.#isReleased = true
    if (this.engine.closed) return
    const slot = this.engine.resolve(this.handle)
    if (typeof slot === "number" && this.engine.holdsCurrent(slot, this.handle.generation, this.driverIndex)) {
      this.engine.release(slot, this.driverIndex)
    }
  }

  /** Releases the share (`using share = manager.share(...)`). */
  [Symbol.dispose](): void {
    this.release()
  }
}

// console.log(handle) on Node, Bun and Deno: `SharedHandle<texture Memory 4096 B, holder audio, live>`
defineInspect(SharedHandle.prototype, (handle) => describeHeld("SharedHandle", "holder", handle), heldJson)
