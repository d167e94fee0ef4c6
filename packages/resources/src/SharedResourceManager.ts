/**
 * One budget across worker threads: a manager whose ledger (budgets, usage, peaks, counts, pressure levels,
 * live resources, names, the wait queue) lives in a `SharedArrayBuffer`. The thread that creates it hands
 * workers its {@link SharedManagerDescriptor} (`postMessage` it); each worker attaches and gets the same API on
 * the same ledger. A request that fits with no one waiting ahead is admitted by atomic operations alone; waits
 * take a short lock and are woken through `Atomics.waitAsync`. See docs/shared-manager.md.
 *
 * @example
 * ```ts
 * import { createSharedResourceManager } from "@flight-hal/resources"
 *
 * using manager = createSharedResourceManager({
 *   budgets: { Memory: { maxBytes: 1 << 20, reservedBytes: 0, warningPercent: 75, criticalPercent: 90 } }
 * })
 * // new Worker(url).postMessage(manager.descriptor): the worker calls attachSharedResourceManager(descriptor)
 * using block = manager.acquire({ type: "Memory", sizeBytes: 4096 })
 * console.log(manager.getResourceStats("Memory").currentUsage) // 4096
 * ```
 *
 * @since 0.1.0
 * @module
 */
import {
  AcquireTimeout,
  AcquisitionMode,
  AlreadyShared,
  BudgetExceeded,
  type InvalidPoolConfig as CoreInvalidPoolConfig,
  DeadlockDetected,
  DuplicatePool,
  formatHandle,
  InvalidArgument,
  InvalidMetadata,
  ManagerClosed,
  NotHolder,
  type PayloadUnavailable,
  PoolExhausted,
  type ResourceBudget,
  ResourceBusy,
  type ResourceHandle,
  type ResourceMetadata,
  ResourceNotFound,
  ResourcePressureNames,
  ResourcePriority,
  ResourceReleased,
  type ResourceTypeName,
  SharedMemoryUnavailable,
  StaleHandle
} from "@flight-hal/core"
import { SharedBlockPool } from "@flight-hal/pool"
import type * as Effect from "effect/Effect"
import { checkWait } from "./internal/deadlock/check.ts"
import { viewOfState, type Waiter } from "./internal/deadlock/model.ts"
import { defineInspect } from "./internal/inspect.ts"
import { orThrow } from "./internal/or-throw.ts"
import { defaultPayload, type HoldEnded, holdEnded, runCreate, runDestroy } from "./internal/payload.ts"
import { readPayload } from "./internal/payload-read.ts"
import { toCoreError } from "./internal/pools.ts"
import { Registrations } from "./internal/registrations.ts"
import { acquireSettled, metadataFirst, type SettledAcquire } from "./internal/shared/call-forms.ts"
import {
  EVENT_RING,
  EVENT_WORDS,
  H,
  LAYOUT_VERSION,
  layoutOf,
  MAGIC,
  MAX_POOLS,
  MAX_THREADS,
  NAME_BYTES,
  R,
  RT,
  T,
  THREAD_INT_WORDS,
  TI,
  TYPE_BIG_WORDS,
  TYPE_INT_WORDS,
  W,
  WAITER_INT_WORDS,
  WaiterState
} from "./internal/shared/layout.ts"
import { Admit, DROP_FENCED, FENCED_SLOT, hashBytes, Ledger, threadsOfMask } from "./internal/shared/ledger.ts"
import {
  attachedWith,
  closeQueue,
  dequeue,
  enqueue,
  freeSlot,
  grant,
  grantAll,
  grantedGeneration,
  headOf,
  holdersOf,
  type LevelChange,
  nameWaited,
  refuseOversized,
  releaseThread,
  repairLedger,
  undeliveredGrants
} from "./internal/shared/queue.ts"
import { anySequential, sharedWaitState, threadDriver } from "./internal/shared/wait-state.ts"
import { show, shownName, showThrown } from "./internal/show.ts"
import { abortedNow, abortReason, type SignalWatch, watchSignal } from "./internal/signal-watch.ts"
import { runIsolated } from "./internal/thenable.ts"
import { TypeTable } from "./internal/type-table.ts"
import {
  type AcquireSettings,
  copyKeys,
  exposeMetadata,
  isObjectArgument,
  validateAcquireOptions,
  validateBudget,
  validateHandle,
  validateHysteresis,
  validateMetadata
} from "./internal/validate.ts"
import type { AsyncAcquireOptionFields, AsyncAcquireOptions } from "./PlainResourceManager.ts"
import type { AcquireMode } from "./ResourceManager.ts"
import type { DefaultPayload } from "./ResourceRef.ts"
import type { PressureEvent, ResourceStats } from "./ResourceStats.ts"

/**
 * How a shared manager is made: its budgets, its user-defined types, and the sizes of its shared tables. Every
 * optional field may be `undefined`, which means the default, as when it is left out.
 *
 * @since 0.1.0
 * @category models
 */
export interface SharedManagerConfig {
  /** A name for reports and printing. */
  readonly label?: string | undefined
  /** User-defined resource types, as for `createResourceManager`. */
  readonly types?: Readonly<Record<string, { readonly code?: number | undefined }>> | undefined
  /** The budgets per type; a type without one is unlimited. */
  readonly budgets?: Partial<Record<ResourceTypeName, ResourceBudget>> | undefined
  /**
   * Pools of fixed-size blocks in shared memory (at most 8): a request of the type that a block holds is served
   * from the smallest such pool, charged nothing more (the pool's whole capacity is charged at creation), and its
   * payload is the block's bytes, the same in every thread.
   */
  readonly pools?: ReadonlyArray<SharedPoolConfig> | undefined
  /** The creating thread is a sequential driver (see {@link SharedAttachOptions.sequential}); default false. */
  readonly sequential?: boolean | undefined
  /** Threads that may attach at once, the creator included: 1–32 (default 16). */
  readonly maxThreads?: number | undefined
  /** Live resources across all threads: 1–2^20 (default 4096). */
  readonly maxResources?: number | undefined
  /** Requests waiting across all threads: 1–65536 (default 1024). */
  readonly maxWaiters?: number | undefined
  /**
   * A thread whose heartbeat has not moved for this long is declared lost by the creating thread: its holdings
   * are released and its waits withdrawn (default 5000 ms; 100 ms – 2^31−1). A thread busy in synchronous code
   * that long is lost too. The creating thread is never declared lost: create the manager in the thread that
   * lives longest (docs/shared-manager.md, "Only the creating thread reaps").
   */
  readonly lostAfterMillis?: number | undefined
  /**
   * As the single-thread manager's: a pressure level is entered as soon as usage reaches its threshold, and left
   * only once usage falls this margin (a percentage of maxBytes, 0–100, default 0) below it.
   */
  readonly hysteresisPercent?: number | undefined
  /**
   * Bytes of a budget a thread may lease at a time (0–2^29; default 0: no leasing). With leasing, a thread
   * charges this many bytes to a type's usage at once, under the lock, while usage stays below the type's lease
   * ceiling (below the warning threshold, its hysteresis and the reserve); then its admissions that fit the lease,
   * and its releases back into it (up to twice this), touch only words of its own instead of the shared usage
   * word, so threads that acquire and release the same type scale. Refusals, overages and pressure levels stay
   * exact (leasing is turned off, and the leased bytes given back, before any of them is decided), and usage in
   * stats excludes leased bytes. What changes: `peakUsage` counts leased bytes (an upper bound of the live peak).
   * See docs/shared-manager.md, "Leasing".
   */
  readonly leaseBytes?: number | undefined
}

/**
 * A pool of a shared manager (`alignment` may be `undefined`: the default).
 *
 * @since 0.1.0
 * @category models
 */
export interface SharedPoolConfig {
  /** The type it serves. */
  readonly type: ResourceTypeName
  /** Bytes per block (rounded up to `alignment`). */
  readonly blockSize: number
  /** Blocks in the pool, all charged at creation. */
  readonly blockCount: number
  /** Block alignment in bytes, a power of two (default 8). */
  readonly alignment?: number | undefined
}

/**
 * Options of {@link attachSharedResourceManager} (`sequential` may be `undefined`: the default).
 *
 * @since 0.1.0
 * @category models
 */
export interface SharedAttachOptions {
  /**
   * The thread is a sequential driver: while one of its requests waits it releases nothing, so its waits are
   * checked for deadlock (`DeadlockDetected`, with the same reduction as the single-thread manager) against the
   * other sequential threads. Default false: a concurrent owner, whose holdings count as releasable.
   */
  readonly sequential?: boolean | undefined
}

/**
 * What a worker needs to attach: send it with `postMessage` (the buffer is shared, not copied).
 *
 * @since 0.1.0
 * @category models
 */
export interface SharedManagerDescriptor {
  /** Marks the object as a shared manager descriptor. */
  readonly kind: "flight-hal/shared-manager"
  /** The ledger (shared between threads, never copied). */
  readonly buffer: SharedArrayBuffer
  /** The buffers of the manager's pools, in config order. */
  readonly pools: ReadonlyArray<SharedArrayBuffer>
}

/**
 * Options of a synchronous acquisition. Every optional field may be `undefined`, which means the default, as when
 * it is left out.
 *
 * @since 0.1.0
 * @category models
 */
export interface SharedAcquireOptions<T> {
  /** `NonBlocking` (default) or `Emergency`. */
  readonly mode?: "NonBlocking" | "Emergency" | undefined
  /** A name unique among the manager's live resources in every thread (at most 64 UTF-8 bytes). */
  readonly name?: string | undefined
  /** Makes this thread's payload (default: a `Uint8Array(sizeBytes)` for Memory, else undefined). */
  readonly create?: ((metadata: ResourceMetadata) => T) | undefined
  /**
   * Disposes of this thread's payload, once made, when its hold ends in this thread (the ref's `release()`,
   * `release(handle)`, this thread's `close()`): before a pool block goes back to its pool, a throw swallowed.
   * See docs/shared-manager.md, "When `destroy` runs".
   */
  readonly destroy?: ((payload: T) => void) | undefined
}

/**
 * Options of an acquisition that may wait: the fields of {@link SharedAcquireAsyncOptionFields}, and with `M`
 * exactly `Timeout` a required `mode: "Timeout"` and `timeoutMillis`, as the plain facade's `AsyncAcquireOptions`
 * ({@link SharedTimeoutMillisOfMode}; `{ mode: "Timeout" }` alone does not compile: the manager refuses it with
 * `InvalidArgument`). `M`, the mode, is inferred from `mode` where the options are written.
 *
 * @since 0.1.0
 * @category models
 */
export type SharedAcquireAsyncOptions<T, M extends AcquireMode = AcquireMode> = SharedAcquireAsyncOptionFields<T, M> &
  SharedTimeoutMillisOfMode<M>

/**
 * What the mode `M` asks of a shared acquisition's `timeoutMillis`, as the plain facade's `AsyncAcquireOptions`
 * asks it: with `M` exactly `Timeout`, `mode: "Timeout"` and `timeoutMillis` are required (its `mode` and
 * `timeoutMillis`); with any other `M`, nothing ({@link SharedAcquireAsyncOptionFields} types `timeoutMillis`
 * `undefined` when `Timeout` is not among the modes).
 *
 * @example
 * ```ts
 * import type { SharedTimeoutMillisOfMode } from "@flight-hal/resources"
 *
 * const timed: SharedTimeoutMillisOfMode<"Timeout"> = { mode: "Timeout", timeoutMillis: 50 }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type SharedTimeoutMillisOfMode<M extends AcquireMode> = [M] extends [never]
  ? unknown
  : [M] extends ["Timeout"]
    ? Pick<AsyncAcquireOptions<unknown, "Timeout">, "mode" | "timeoutMillis">
    : unknown

/**
 * The fields of {@link SharedAcquireAsyncOptions}. Every optional field may be `undefined`, which means the
 * default, as when it is left out.
 *
 * @since 0.1.0
 * @category models
 */
export interface SharedAcquireAsyncOptionFields<T, M extends AcquireMode = AcquireMode>
  extends Omit<SharedAcquireOptions<T>, "mode"> {
  /** `Blocking` (default), `Timeout` (with `timeoutMillis`), `NonBlocking` or `Emergency`. */
  readonly mode?: M | undefined
  /**
   * How long a `Timeout` request waits, in milliseconds (required by it, refused by the others), typed as the plain
   * facade's `AsyncAcquireOptions` types it: `undefined` when the mode is known and is not `Timeout`
   * (`{ mode: "Blocking", timeoutMillis: 10 }` does not compile: the manager refuses it with `InvalidArgument`).
   */
  readonly timeoutMillis?: AsyncAcquireOptionFields<T, M>["timeoutMillis"]
  /**
   * Aborts the wait (the Promise rejects with the signal's reason); so does an abort during a NonBlocking
   * admission (by a reclamation or pressure callback the manager runs for it), which releases what was admitted.
   * Read before the request is submitted: one that cannot be used is refused with InvalidArgument (signal),
   * nothing queued or charged.
   */
  readonly signal?: AbortSignal | undefined
}

/**
 * A live resource as any thread of the manager sees it.
 *
 * @since 0.1.0
 * @category models
 */
export interface SharedResourceInfo {
  /** Its handle, valid in every thread. */
  readonly handle: ResourceHandle
  /** Its type. */
  readonly type: ResourceTypeName
  /** Its size, charged to its type. */
  readonly sizeBytes: number
  /** Its name ("" when unnamed). */
  readonly name: string
  /** The index of the thread that acquired it. */
  readonly owner: number
  /** The threads holding it (its acquirer while it holds it, and every share). */
  readonly holders: ReadonlyArray<number>
}

/**
 * One thread's part of one type.
 *
 * @since 0.1.0
 * @category models
 */
export interface ThreadTypeStats {
  /** The type. */
  readonly type: ResourceTypeName
  /**
   * This thread's part of the type's usage: the sizes of the live resources it acquired that are charged to the
   * budget. A resource served by a pool block counts nothing here: its bytes are in its pool's capacity, charged
   * to the type at creation and to no thread (as a single-thread manager charges pools: docs/semantics.md,
   * section 6). So the threads' `currentUsage` plus the pools' capacity is the type's `currentUsage` whenever no
   * thread is between steps. How many of its resources live, pool-served ones included: `allocationCount −
   * releaseCount`.
   */
  readonly currentUsage: number
  /** Resources of the type this thread acquired. */
  readonly allocationCount: number
  /** Of those, the ones freed. */
  readonly releaseCount: number
  /** This thread's refused or timed-out requests of the type. */
  readonly failedCount: number
}

/**
 * A leak found at close or detach: a resource still held, and by which thread.
 *
 * @since 0.1.0
 * @category models
 */
export interface SharedLeakReport {
  /** The thread holding it. */
  readonly thread: number
  /** Its name ("" when unnamed). */
  readonly name: string
  /** Its type. */
  readonly type: ResourceTypeName
  /** Its size. */
  readonly sizeBytes: number
  /** Milliseconds since it was acquired. */
  readonly ageMillis: number
}

/**
 * One type's ledger as read by {@link SharedResourceManager.audit}: usage and what the live resources and pools
 * account for, read one after the other (equal whenever no thread is between steps).
 *
 * @since 0.1.0
 * @category models
 */
export interface SharedLedgerAudit {
  /** The type. */
  readonly type: ResourceTypeName
  /** The type's usage: its usage word less the bytes leased to threads and not spent. */
  readonly usage: number
  /** Bytes leased to threads and not spent (`leaseBytes`; 0 without leasing). */
  readonly leasedBytes: number
  /** Leases charged to the type since the manager was created. */
  readonly leases: number
  /**
   * What its pools and live resources account for in usage: the pools' capacity plus the sizes of the live
   * resources no pool block serves (a pool-served resource's bytes are in its pool's capacity), as usage is
   * counted (docs/semantics.md, sections 5 and 6). Not the sizes of the live resources: with pools, it counts
   * free blocks and leaves out the sizes of the resources the blocks serve.
   */
  readonly liveBytes: number
  /** Its live resources. */
  readonly liveCount: number
  /** Bytes admitted over budget by Emergency, still live. */
  readonly emergencyBytes: number
  /** Requests of the type waiting. */
  readonly waiting: number
  /** Its budget, or undefined when unlimited. */
  readonly budget: ResourceBudget | undefined
}

/**
 * A thread's hold on a shared resource: `release()` it (or `using`). The payload is this thread's own.
 *
 * @since 0.1.0
 * @category models
 */
export class SharedResource<T = Uint8Array> implements Disposable {
  /** @internal */
  private isReleased = false
  /** @internal */
  private made = false
  /** @internal */
  private value: T | undefined = undefined
  /** @internal */
  private madeHandle: ResourceHandle | undefined = undefined
  /** @internal Its entry among its thread's hooked holds (a `destroy` hook and a made payload), else undefined. */
  private hooked: HookedHold | undefined = undefined

  /** @internal */
  constructor(
    /** @internal */
    private readonly owner: SharedManagerImpl,
    /** @internal The slot and generation this hold is on (the handle is the caller's to keep, not to trust). */
    private readonly slot: number,
    /** @internal */
    private readonly generation: number,
    /** @internal The manager's identity in handles. */
    private readonly managerId: number,
    /** Its metadata. */
    readonly metadata: ResourceMetadata,
    /** Its name ("" when unnamed). */
    readonly name: string,
    /** @internal */
    private readonly create: ((metadata: ResourceMetadata) => T) | undefined,
    /** @internal */
    private readonly destroy: ((payload: T) => void) | undefined,
    /** @internal Its place among the refs its thread made (see `SharedManagerImpl.holdEnded`). */
    private readonly serial: number
  ) {}

  /** Its handle, valid in every thread of the manager (made on first access, then the same object). */
  get handle(): ResourceHandle {
    if (this.madeHandle === undefined) {
      this.madeHandle = Object.freeze({ slot: this.slot, generation: this.generation, manager: this.managerId })
    }
    return this.madeHandle
  }

  /**
   * Whether this hold was released: by this ref, by `release(handle)` in its thread, or by the manager's close (or
   * its thread's detach). Once true, it stays true:
   * a later `share` of the resource by the same thread is a hold of its own, which this ref never reaches.
   */
  get released(): boolean {
    return this.isReleased || this.owner.holdEnded(this.slot, this.generation, this.serial)
  }

  /**
   * This thread's payload, made on first access; throws ResourceReleased after release, and PayloadUnavailable
   * when the default payload (a `Uint8Array` of `sizeBytes`) cannot be allocated. A `create` hook that ends
   * this hold (releases this ref, `release(handle)` in this thread, closes the manager) makes that access throw
   * `ResourceReleased` too, and its value goes to the `destroy` hook at once (docs/semantics.md, section 17).
   */
  get payload(): T {
    if (this.released) throw new ResourceReleased({ resource: this.name })
    const payload = this.#livePayload()
    if (payload === holdEnded) throw new ResourceReleased({ resource: this.name })
    return payload
  }

  /**
   * The payload of a hold known to be live, made on first access (`payload` and `get` read it); `holdEnded` when
   * the `create` hook ended this hold. `#private`: it does not check the hold.
   */
  #livePayload(): T | HoldEnded {
    if (!this.made) {
      if (this.create === undefined) {
        this.value = this.owner.payloadOf<T>(this.slot, this.metadata, this.name)
      } else {
        const made = runCreate(this, this.create, this.metadata, this.name)
        // the hook may have ended this very hold (released this ref, `release(handle)`, closed the manager): the
        // value is this ref's alone and is never handed out, it goes to `destroy` now (a throw swallowed, as the
        // single-thread managers do) and the ref stays released
        if (this.released || !this.owner.holdsLive(this.slot, this.generation)) {
          this.isReleased = true
          this.#destroyQuietly(made)
          return holdEnded
        }
        this.value = made
      }
      this.made = true
      // a hook to run when the hold ends: its thread's manager ends it too (`release(handle)`, `close()`) and runs
      // the hook before the block goes back; a ref without one has no entry
      if (this.destroy !== undefined) {
        this.hooked = this.owner.trackHook(this.slot, this.generation, () => this.#endHold())
      }
    }
    return this.value as T
  }

  /**
   * The manager ended this hold (`release(handle)`, `close()`): the ref is released and its `destroy` hook runs,
   * once (nothing when the ref was released already), a throw swallowed. `#private`: a caller's call would run
   * the hook on a payload still held.
   */
  #endHold(): void {
    if (this.isReleased) return
    this.isReleased = true
    this.#destroyQuietly(this.value as T)
  }

  /**
   * Gives a payload to the `destroy` hook, if any: caller code run after the hold ended, so a throw is swallowed
   * (docs/semantics.md section 14), as the single-thread managers do, and the release, the access or the close that
   * ran it neither throws nor half happens. `#private`, as `#endHold`.
   */
  #destroyQuietly(payload: T): void {
    // a throw swallowed, a returned promise's rejection taken (not awaited), a returned Effect not run (`runDestroy`)
    if (this.destroy !== undefined) runDestroy(this.destroy, payload, undefined)
  }

  /**
   * The payload as an Effect, failing with `ResourceReleased` after release, and with `PayloadUnavailable` when
   * the default payload cannot be allocated (as a `ResourceRef`'s `get`, so `(ref) => ref.get` reads either).
   */
  get get(): Effect.Effect<T, ResourceReleased | PayloadUnavailable> {
    return readPayload(this, SharedResource.#readLive)
  }

  /** `get`'s read of the payload (a live hold's `#livePayload`). */
  static readonly #readLive = <T>(ref: SharedResource<T>): T | HoldEnded => ref.#livePayload()

  /**
   * Releases this thread's hold (idempotent; a no-op for the hold once the manager is closed or `release(handle)`
   * ended it: it never ends a later hold of the same thread).
   */
  release(): void {
    if (this.isReleased) return
    this.isReleased = true
    if (!this.made || this.destroy === undefined) {
      this.owner.releaseOwn(this.slot, this.generation, this.serial, false)
      return
    }
    if (this.hooked !== undefined) this.owner.untrackHook(this.slot, this.hooked)
    // a freed pool block goes back to its pool after the hook, which may still use its payload (a view of the
    // block: docs/semantics.md section 6), so that an acquisition inside the hook gets a block of its own
    const block = this.owner.releaseOwn(this.slot, this.generation, this.serial, true)
    try {
      this.#destroyQuietly(this.value as T)
    } finally {
      if (block !== undefined) this.owner.giveBack(block)
    }
  }

  /** Releases the hold at the end of a `using` scope. */
  [Symbol.dispose](): void {
    this.release()
  }
}

defineInspect(
  SharedResource.prototype,
  (r) =>
    `SharedResource<${shownName(r.name)} ${r.metadata.type} ${r.metadata.sizeBytes} B, ${formatHandle(r.handle)}, ${r.released ? "released" : "live"}>`,
  (r) => ({
    name: r.name,
    type: r.metadata.type,
    sizeBytes: r.metadata.sizeBytes,
    released: r.released,
    handle: r.handle
  })
)

/**
 * A manager shared by every thread attached to it. Every method may be called from any attached thread.
 * Errors are thrown as the typed classes of `@flight-hal/core`.
 *
 * @since 0.1.0
 * @category models
 */
export interface SharedResourceManager extends Disposable {
  /** What a worker attaches with. */
  readonly descriptor: SharedManagerDescriptor
  /** This thread's index (0 ≤ thread < maxThreads). */
  readonly thread: number
  /** Whether this thread created the manager (its `close` closes the manager for every thread). */
  readonly isCreator: boolean
  /** The label of the config. */
  readonly label: string
  /**
   * Acquires without waiting: admitted by atomic steps when it fits and no one of its priority or higher waits;
   * else this thread's reclamation callbacks run, the other threads' are asked, and it fails with
   * `BudgetExceeded`. Emergency is admitted over budget. A taken name is `ResourceBusy`. The payload is the default
   * one of the metadata's type (`DefaultPayload`: bytes for Memory, `Uint8Array | undefined` for the others).
   */
  acquire<const D extends ResourceMetadata>(
    metadata: D,
    options?: SharedAcquireOptions<DefaultPayload<D>> & { readonly create?: undefined }
  ): SharedResource<DefaultPayload<D>>
  /** Acquires without waiting a resource whose payload is `T` (made by `create`, or as given by the type argument). */
  acquire<T = Uint8Array>(metadata: ResourceMetadata, options?: SharedAcquireOptions<T>): SharedResource<T>
  /** The facade's form: `acquire(name, metadata, options)` ("" for unnamed); the payload is the default one. */
  acquire<const D extends ResourceMetadata>(
    name: string,
    metadata: D,
    options?: Omit<SharedAcquireOptions<DefaultPayload<D>>, "name"> & { readonly create?: undefined }
  ): SharedResource<DefaultPayload<D>>
  /** The facade's form of a payload `T` (made by `create`, or as given by the type argument). */
  acquire<T = Uint8Array>(
    name: string,
    metadata: ResourceMetadata,
    options?: Omit<SharedAcquireOptions<T>, "name">
  ): SharedResource<T>
  /**
   * Acquires, waiting in the manager's queue (every thread's requests in one priority-then-FIFO order). A wait
   * that would leave sequential threads unable to finish fails with `DeadlockDetected`. The payload is the default
   * one of the metadata's type (`DefaultPayload`: bytes for Memory, `Uint8Array | undefined` for the others).
   */
  acquireAsync<const D extends ResourceMetadata, M extends AcquireMode = AcquireMode>(
    metadata: D,
    options?: SharedAcquireAsyncOptions<DefaultPayload<D>, M> & { readonly create?: undefined }
  ): Promise<SharedResource<DefaultPayload<D>>>
  /**
   * Acquires (waiting if needed) a resource whose payload is `T`. With an explicit `T` the mode is not inferred:
   * `timeoutMillis` is then checked at run time only.
   */
  acquireAsync<T = Uint8Array, M extends AcquireMode = AcquireMode>(
    metadata: ResourceMetadata,
    options?: SharedAcquireAsyncOptions<T, M>
  ): Promise<SharedResource<T>>
  /** The facade's form: `acquireAsync(name, metadata, options)` ("" for unnamed); the payload is the default one. */
  acquireAsync<const D extends ResourceMetadata, M extends AcquireMode = AcquireMode>(
    name: string,
    metadata: D,
    options?: Omit<SharedAcquireAsyncOptionFields<DefaultPayload<D>, M>, "name"> &
      SharedTimeoutMillisOfMode<M> & { readonly create?: undefined }
  ): Promise<SharedResource<DefaultPayload<D>>>
  /** The facade's form of a payload `T` (made by `create`, or as given by the type argument). */
  acquireAsync<T = Uint8Array, M extends AcquireMode = AcquireMode>(
    name: string,
    metadata: ResourceMetadata,
    options?: Omit<SharedAcquireAsyncOptionFields<T, M>, "name"> & SharedTimeoutMillisOfMode<M>
  ): Promise<SharedResource<T>>
  /**
   * Acquires (default Blocking) as `acquireAsync(name, metadata, options)`, runs `body`, and releases once its
   * result settles, whatever the outcome (the facade's `use`); the payload is the default one of the metadata's
   * type (`DefaultPayload`: bytes for Memory).
   */
  use<const D extends ResourceMetadata, A = unknown, M extends AcquireMode = AcquireMode>(
    name: string,
    metadata: D,
    body: (resource: SharedResource<DefaultPayload<D>>) => A | PromiseLike<A>,
    options?: Omit<SharedAcquireAsyncOptionFields<DefaultPayload<D>, M>, "name"> &
      SharedTimeoutMillisOfMode<M> & { readonly create?: undefined }
  ): Promise<A>
  /** `use` of a payload `T` made by `create` (or given by the type of `body`'s parameter). */
  use<T = Uint8Array, A = unknown, M extends AcquireMode = AcquireMode>(
    name: string,
    metadata: ResourceMetadata,
    body: (resource: SharedResource<T>) => A | PromiseLike<A>,
    options?: Omit<SharedAcquireAsyncOptionFields<T, M>, "name"> & SharedTimeoutMillisOfMode<M>
  ): Promise<A>
  /** A live resource's metadata (type and size; as given by its acquirer in its own thread). */
  metadata(handle: ResourceHandle): ResourceMetadata
  /** Becomes a holder of a live resource (from any thread): it lives until every holder released it. */
  share<T = Uint8Array>(
    handle: ResourceHandle,
    options?: Pick<SharedAcquireOptions<T>, "create" | "destroy">
  ): SharedResource<T>
  /** Releases this thread's hold on a resource by handle (what `SharedResource.release` does). */
  release(handle: ResourceHandle): void
  /** The live resource with this name, from any thread. */
  find(name: string): SharedResourceInfo
  /** A live resource by handle. */
  info(handle: ResourceHandle): SharedResourceInfo
  /** Installs a budget (every thread sees it at once); waiters that can never fit fail, others may be admitted. */
  setBudget(type: ResourceTypeName, budget: ResourceBudget): void
  /** The type's budget, or undefined when it has none. */
  getBudget(type: ResourceTypeName): ResourceBudget | undefined
  /** Makes the type unlimited: its waiters are admitted. */
  removeBudget(type: ResourceTypeName): void
  /** The type's stats across every thread. */
  getResourceStats(type: ResourceTypeName): ResourceStats
  /**
   * One thread's part of each type (default: this thread): its part of usage (the resources it acquired that are
   * live and charged to the budget, not those a pool block serves) and its counts.
   */
  threadStats(thread?: number): ReadonlyArray<ThreadTypeStats>
  /** The attached threads' indexes. */
  threads(): ReadonlyArray<number>
  /**
   * Reads, per type, usage and what the pools and live resources account for (`liveBytes`: equal to usage
   * whenever no thread is between steps), for checks and dashboards.
   */
  audit(): ReadonlyArray<SharedLedgerAudit>
  /** Called in this thread for every pressure change of any type, made by any thread. */
  registerPressureCallback(callback: (event: PressureEvent) => void): Disposable
  /**
   * Called in this thread with the bytes still missing when a request of the type does not fit, made in this
   * thread (synchronously) or in another (asked through the ledger). Only bytes really released count.
   */
  registerReclamationCallback(type: ResourceTypeName, callback: (missingBytes: number) => number): Disposable
  /**
   * In the creating thread: closes the manager for every thread (each waiter fails with `ManagerClosed`) and
   * releases everything, reporting the leaks per thread. In another thread: detaches it (its holdings are
   * released and reported, its waits fail with `ManagerClosed`).
   */
  close(): ReadonlyArray<SharedLeakReport>
}

/** A request's metadata, checked, with its type's index and its priority's rank. */
interface ValidRequest {
  readonly metadata: ResourceMetadata
  readonly type: number
  readonly priority: number
}

/** What an admission attempt returns when it admits nothing (it returns the slot otherwise, ≥ 0). */
const Refused = {
  /** The name is taken, or reserved by a waiter. */
  Busy: -1,
  /** The request does not fit. */
  NoFit: -2,
  /** A waiter of its priority or higher is queued (no barging). */
  Queued: -3,
  /** Every resource slot is live. */
  Full: -4,
  /** Decide again under the lock, leasing off (`Admit.Sweep`). */
  Sweep: -5
} as const

const DEFAULTS = { maxThreads: 16, maxResources: 4096, maxWaiters: 1024, lostAfterMillis: 5000, leaseBytes: 0 } as const
const CONFIG_KEYS: ReadonlySet<string> = new Set([
  "label",
  "types",
  "budgets",
  "maxThreads",
  "maxResources",
  "maxWaiters",
  "lostAfterMillis",
  "hysteresisPercent",
  "pools",
  "sequential",
  "leaseBytes"
])
const encoder = new TextEncoder()
const decoder = new TextDecoder()

const sizeOption = (config: Record<string, unknown>, key: keyof typeof DEFAULTS, max: number, min = 1): number => {
  const value = config[key] ?? DEFAULTS[key]
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidArgument({
      argument: `config.${key}`,
      issue: `expected an integer from ${min} to ${max}, got ${show(value)}`
    })
  }
  return value
}

const sharedMemoryIssue = (): string | undefined => {
  if (typeof SharedArrayBuffer !== "function") {
    return "SharedArrayBuffer is not defined (in a browser, serve the page cross-origin isolated: COOP same-origin and COEP require-corp)"
  }
  if (typeof Atomics !== "object" || typeof BigInt64Array !== "function")
    return "Atomics on BigInt64Array are not available"
  return undefined
}

/**
 * Creates a shared manager in this thread (which attaches to it as its creator). Throws
 * `SharedMemoryUnavailable` where `SharedArrayBuffer` is missing, `InvalidArgument` / `InvalidBudget` for a bad
 * config (`InvalidArgument { argument: "config" }` for one whose reading throws: a getter, a Proxy). The config
 * is read once, its types, budgets and pools too.
 *
 * @example
 * ```ts
 * import { createSharedResourceManager } from "@flight-hal/resources"
 *
 * const manager = createSharedResourceManager({ maxThreads: 4 })
 * console.log(manager.thread, manager.isCreator) // 0 true
 * manager.close()
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const createSharedResourceManager = (config: SharedManagerConfig = {}): SharedResourceManager => {
  const issue = sharedMemoryIssue()
  if (issue !== undefined) throw new SharedMemoryUnavailable({ issue })
  const raw = readSharedConfig(config)
  for (const key of Object.keys(raw)) {
    if (!CONFIG_KEYS.has(key)) throw new InvalidArgument({ argument: `config.${key}`, issue: "unknown option" })
  }
  const label = raw.label ?? "shared-manager"
  if (typeof label !== "string")
    throw new InvalidArgument({ argument: "config.label", issue: `expected a string, got ${show(label)}` })
  const types = orThrow(TypeTable.make(raw.types))
  const maxThreads = sizeOption(raw, "maxThreads", MAX_THREADS)
  const maxResources = sizeOption(raw, "maxResources", 2 ** 20)
  const maxWaiters = sizeOption(raw, "maxWaiters", 65536)
  const lostAfterMillis = sizeOption(raw, "lostAfterMillis", 2 ** 31 - 1, 100)
  const leaseBytes = sizeOption(raw, "leaseBytes", 2 ** 29, 0)
  orThrow(validateHysteresis(raw.hysteresisPercent))
  const budgets: Array<readonly [number, ResourceBudget]> = []
  const given = raw.budgets ?? {}
  if (typeof given !== "object" || given === null || Array.isArray(given)) {
    throw new InvalidArgument({ argument: "config.budgets", issue: `expected an object, got ${show(given)}` })
  }
  for (const [type, budget] of Object.entries(given)) {
    const valid = orThrow(validateBudget(type, budget, types))
    budgets.push([valid.index, valid.budget])
  }
  const managerId = 2 ** 30 + Math.floor(Math.random() * 2 ** 30)
  const pools = makePools(raw.pools, types, maxThreads, budgets, managerId)
  const poolTypes = pools.map((p) => p.type)
  const configBytes = encoder.encode(JSON.stringify({ label, types: raw.types ?? {}, pools: poolTypes }))
  const layout = layoutOf(types.count, maxThreads, maxResources, maxWaiters, configBytes.length)
  let buffer: SharedArrayBuffer
  try {
    buffer = new SharedArrayBuffer(layout.totalBytes)
  } catch (error) {
    throw new SharedMemoryUnavailable({
      issue: `could not allocate ${layout.totalBytes} shared bytes: ${show(String(error))}`
    })
  }
  Ledger.initialize(
    buffer,
    {
      types: types.count,
      threads: maxThreads,
      slots: maxResources,
      waiters: maxWaiters,
      config: configBytes,
      lostAfterMillis,
      hysteresisPercent: (raw.hysteresisPercent as number | undefined) ?? 0,
      leaseBytes
    },
    managerId
  )
  const ledger = new Ledger(buffer)
  for (const [index, budget] of budgets) ledger.writeBudget(index, budget)
  for (const { type, pool } of pools) ledger.chargeCapacity(type, pool.blockSize * pool.blockCount)
  for (let type = 0; type < types.count; type++) ledger.settleLevel(type)
  const buffers = pools.map(({ pool }) => {
    pool.detach() // every thread, the creator too, attaches in `claim`
    return pool.buffer
  })
  return SharedManagerImpl.claim(ledger, types, label, true, buffers, poolTypes, raw.sequential === true)
}

/** The start of the name of a manager's pool buffer: the manager's id and the pool's index. */
const poolTag = (managerId: number, index: number): string => `${managerId}.${index}:`

/** A plain object (not an array), as a config's parts must be. */
const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * A shared manager's config read once into a plain copy (its `types`, `budgets` and `pools` too: each entry
 * copied), which is all that is checked and used afterwards, or InvalidArgument (thrown): not an object, or a
 * read that throws (a getter, a Proxy).
 */
const readSharedConfig = (config: unknown): Record<string, unknown> => {
  const bad = (issue: string) => new InvalidArgument({ argument: "config", issue })
  if (typeof config !== "object" || config === null) throw bad(`expected an object, got ${show(config)}`)
  let copy: Record<string, unknown> | undefined
  try {
    if (!Array.isArray(config)) {
      copy = copyKeys(config, CONFIG_KEYS)
      const { types, budgets, pools } = copy
      const entries = (record: object, each: (value: unknown) => unknown) =>
        Object.fromEntries(Object.entries(record).map(([key, value]) => [key, each(value)]))
      const shallow = (value: unknown) => (isRecord(value) ? { ...value } : value)
      if (isRecord(types)) copy.types = entries(types, shallow)
      if (isRecord(budgets)) copy.budgets = entries(budgets, (value) => value)
      if (Array.isArray(pools)) copy.pools = Array.from(pools as ReadonlyArray<unknown>, shallow)
    }
  } catch (error) {
    throw bad(`could not be read (${showThrown(error)})`)
  }
  if (copy === undefined) throw bad("expected an object, got an array")
  return copy
}

/** Makes the config's pools (all-or-nothing): each charged to its type, which must have room for it. */
const makePools = (
  given: unknown,
  types: TypeTable,
  maxThreads: number,
  budgets: ReadonlyArray<readonly [number, ResourceBudget]>,
  managerId: number
): Array<{ readonly type: number; readonly pool: SharedBlockPool }> => {
  const list = given ?? []
  if (!Array.isArray(list) || list.length > MAX_POOLS) {
    throw new InvalidArgument({
      argument: "config.pools",
      issue: `expected an array of at most ${MAX_POOLS} pools, got ${show(list)}`
    })
  }
  const made: Array<{ readonly type: number; readonly pool: SharedBlockPool }> = []
  const charged = new Map<number, number>()
  const fail = (error: Error): never => {
    for (const { pool } of made) pool.detach()
    throw error
  }
  for (const [i, entry] of list.entries()) {
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      fail(new InvalidArgument({ argument: `config.pools[${i}]`, issue: `expected a pool config, got ${show(entry)}` }))
    }
    const { type: typeName, blockSize, blockCount, alignment, ...rest } = entry as Record<string, unknown>
    const extra = Object.keys(rest)[0]
    if (extra !== undefined)
      fail(new InvalidArgument({ argument: `config.pools[${i}].${extra}`, issue: "unknown option" }))
    const type = types.indexOf(typeName)
    if (type < 0)
      fail(new InvalidArgument({ argument: `config.pools[${i}].type`, issue: types.unknownIssue(typeName) }))
    const name = `${types.nameOf(type)}-${show(blockSize)}`
    if (made.some((m) => m.type === type && m.pool.blockSize === blockSize)) {
      fail(new DuplicatePool({ resourceType: types.nameOf(type), blockSize: blockSize as number }))
    }
    const result = SharedBlockPool.make({
      // the buffer's name starts with the manager's id and the pool's index: an attachment checks it is given
      // this manager's pools, in order (`claim`); the pool's errors name it as the config does
      name: `${poolTag(managerId, made.length)}${name}`,
      blockSize: blockSize as number,
      blockCount: blockCount as number,
      maxThreads,
      batchSize: 1,
      ...(alignment === undefined ? {} : { alignment: alignment as number })
    })
    if (!result.ok) {
      // named as the config names it (the buffer's name starts with the manager's id)
      const { category, code } = result.error
      const renamed = { ...Object.fromEntries(Object.entries(result.error)), category, code, pool: name }
      return fail(toCoreError<CoreInvalidPoolConfig>(renamed))
    }
    const pool = result.value
    made.push({ type, pool })
    const capacity = (charged.get(type) ?? 0) + pool.blockSize * pool.blockCount
    charged.set(type, capacity)
    const budget = budgets.find(([index]) => index === type)?.[1]
    if (budget !== undefined && capacity > budget.maxBytes - budget.reservedBytes) {
      const { blockSize, blockCount } = pool
      fail(new PoolExhausted({ pool: name, blockSize, maxCount: blockCount, refusedBytes: blockSize * blockCount }))
    }
  }
  return made
}

/**
 * Attaches this thread (a worker) to a shared manager from its descriptor. Throws `InvalidArgument` for what is
 * not a descriptor, `ManagerClosed` when the manager is closed or every thread slot is taken (with pools too).
 *
 * Pass the descriptor as `postMessage` or `workerData` delivers it: its buffers shared, not copied. A byte copy
 * of the ledger buffer (`descriptor.buffer.slice(0)`) cannot be told from the real one here (same bytes): it
 * attaches, and this thread then keeps books of its own that no other thread sees, a second budget (see
 * docs/shared-manager.md, "Limits").
 *
 * @example
 * ```ts
 * // worker.ts
 * import { attachSharedResourceManager, type SharedManagerDescriptor } from "@flight-hal/resources"
 *
 * self.onmessage = (event: MessageEvent<SharedManagerDescriptor>) => {
 *   using manager = attachSharedResourceManager(event.data) // detaches at the end of the scope
 *   using block = manager.acquire({ type: "Memory", sizeBytes: 4096 })
 * }
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const attachSharedResourceManager = (
  descriptor: SharedManagerDescriptor,
  options: SharedAttachOptions = {}
): SharedResourceManager => {
  // the options and the descriptor are read once, each field, before anything is checked: what is checked is
  // what is used (a getter may answer differently on each read), and a read that throws (a getter, a Proxy's
  // trap, a revoked Proxy) is InvalidArgument
  if (!isObjectArgument(options)) {
    throw new InvalidArgument({ argument: "options", issue: `expected an object, got ${show(options)}` })
  }
  let sequential: unknown
  try {
    sequential = (options as { readonly sequential?: unknown }).sequential ?? false
  } catch (error) {
    throw new InvalidArgument({ argument: "options", issue: `could not be read (${showThrown(error)})` })
  }
  if (typeof sequential !== "boolean") {
    throw new InvalidArgument({ argument: "options.sequential", issue: `expected a boolean, got ${show(sequential)}` })
  }
  const issue = sharedMemoryIssue()
  if (issue !== undefined) throw new SharedMemoryUnavailable({ issue })
  let kind: unknown
  let buffer: unknown
  let given: unknown
  let pools: ReadonlyArray<SharedArrayBuffer> | undefined
  try {
    if (typeof descriptor === "object" && descriptor !== null) {
      ;({ kind, buffer, pools: given } = descriptor as Partial<Record<keyof SharedManagerDescriptor, unknown>>)
      // a copy of the pool list, its entries read once (a Proxy, or an array whose entries are getters)
      const list = Array.isArray(given) ? Array.from(given as ReadonlyArray<unknown>) : undefined
      if (list?.every(isSharedBuffer)) pools = list
    }
  } catch (error) {
    throw new InvalidArgument({ argument: "descriptor", issue: `could not be read (${showThrown(error)})` })
  }
  if (kind !== "flight-hal/shared-manager" || !isSharedBuffer(buffer) || buffer.byteLength < 256) {
    throw new InvalidArgument({
      argument: "descriptor",
      issue: `expected a shared manager's descriptor, got ${show(descriptor)}`
    })
  }
  const header = new Int32Array(buffer, 0, 64)
  if (Atomics.load(header, H.magic) !== MAGIC || header[H.version] !== LAYOUT_VERSION) {
    throw new InvalidArgument({
      argument: "descriptor",
      issue: "its buffer is not a shared manager's (or another version's)"
    })
  }
  // the magic and version were right; the rest may still be forged or corrupt (its sizes past the buffer's end,
  // its config no JSON): a bad descriptor, not a RangeError or a SyntaxError
  let ledger: Ledger
  let config: { readonly label: string; readonly types: unknown; readonly pools: ReadonlyArray<number> }
  try {
    ledger = new Ledger(buffer)
    config = JSON.parse(decoder.decode(ledger.configBytes()))
    if (!Array.isArray(config.pools) || typeof config.label !== "string") throw new Error("a config of another shape")
  } catch (error) {
    throw new InvalidArgument({
      argument: "descriptor",
      issue: `its buffer is a corrupt shared manager's (${showThrown(error)})`
    })
  }
  if (pools === undefined || pools.length !== config.pools.length) {
    throw new InvalidArgument({
      argument: "descriptor.pools",
      issue: `expected the ${config.pools.length} pool buffers of the manager`
    })
  }
  const types = orThrow(TypeTable.make(config.types))
  return SharedManagerImpl.claim(ledger, types, config.label, false, pools, config.pools, sequential)
}

/**
 * Whether a value is a SharedArrayBuffer, by its brand (the `byteLength` getter's own check), not `instanceof`,
 * which runs a Proxy's getPrototypeOf trap and accepts a Proxy over a buffer, which typed arrays cannot view.
 */
const isSharedBuffer = (value: unknown): value is SharedArrayBuffer => {
  try {
    sharedByteLength().call(value)
    return true
  } catch {
    return false
  }
}
let byteLengthGetter: (() => number) | undefined
const sharedByteLength = (): (() => number) => {
  byteLengthGetter ??= Object.getOwnPropertyDescriptor(SharedArrayBuffer.prototype, "byteLength")?.get as () => number
  return byteLengthGetter
}

/**
 * `[metadata, options]` of either call form (`metadataFirst`), where reading the options (`"name" in`, their
 * copy) runs caller code: a Proxy's trap or a getter that throws is InvalidArgument { argument: "options" }.
 */
const callForm = (first: unknown, second: unknown, third: unknown): [unknown, unknown] => {
  try {
    return metadataFirst(first, second, third)
  } catch (error) {
    if (error instanceof InvalidArgument) throw error
    throw new InvalidArgument({ argument: "options", issue: `could not be read (${showThrown(error)})` })
  }
}

const SYNC_MODES = ["NonBlocking", "Emergency"] as const
const ALL_MODES = ["Blocking", "Timeout", "NonBlocking", "Emergency"] as const
/** A `timeoutMillis` option as given: NaN (refused) for what is not a number. */
const millisOf = (value: unknown): number => (typeof value === "number" ? value : Number.NaN)
/** A thread's payload hooks (from options or from validated settings). */
interface PayloadHooks<T> {
  readonly create?: ((metadata: ResourceMetadata) => T) | undefined
  readonly destroy?: ((payload: T) => void) | undefined
}
/**
 * The payload hooks of validated settings: the settings themselves, typed by the caller's payload type (the
 * checks made `create` and `destroy` functions or undefined; no object per acquisition).
 */
const hooksOf = <T>(settings: AcquireSettings): PayloadHooks<T> => settings as PayloadHooks<T>

/** One of the manager's pools as this thread is attached to it. */
interface ManagerPool {
  readonly pool: SharedBlockPool
  readonly type: number
  readonly index: number
}

/**
 * A freed resource's pool block, kept out of its pool until its ref's `destroy` hook ran, with the ledger's count
 * of lost-thread repairs when it was kept (a later repair put it back on the pool's free list already).
 */
interface HeldBlock {
  readonly pool: SharedBlockPool
  readonly block: number
  readonly repairs: number
}

/** A live hold of this thread whose ref has a `destroy` hook and a made payload: how the manager ends it. */
interface HookedHold {
  /** The generation of the resource held. */
  readonly generation: number
  /** Marks the ref released and runs its hook (once; a throw swallowed). */
  readonly end: () => void
}

/** A wait of this thread, settled by its listener. */
interface PendingWait {
  readonly entry: number
  readonly metadata: ResourceMetadata
  readonly type: number
  readonly name: string
  readonly options: AcquireSettings
  readonly started: number
  readonly resolve: (ref: SharedResource<unknown>) => void
  readonly reject: (error: unknown) => void
  timer: ReturnType<typeof setTimeout> | undefined
  /** Its caller's signal, listened to since before the request was submitted (undefined: none). */
  readonly watch: SignalWatch | undefined
}

const unrefTimer = (timer: unknown): void => {
  if (typeof timer === "object" && timer !== null && "unref" in timer && typeof timer.unref === "function") {
    timer.unref()
    return
  }
  const deno = (globalThis as { Deno?: { unrefTimer?: (id: number) => void } }).Deno
  if (typeof timer === "number" && deno?.unrefTimer !== undefined) deno.unrefTimer(timer)
}

/** A callback's failure handler: logs `what` with the error. */
const warn =
  (what: string) =>
  (error: unknown): void =>
    console.warn(`flight-hal shared manager: ${what}`, error)

/** @internal */
class SharedManagerImpl implements SharedResourceManager, SettledAcquire {
  readonly descriptor: SharedManagerDescriptor
  private readonly epoch: number
  private detached = false
  private readonly pending = new Map<number, PendingWait>()
  /** The pressure callbacks, each with its number of live registrations (one registered twice is called once). */
  private readonly pressureCallbacks = new Registrations<(event: PressureEvent) => void>()
  /** Whether `deliverEvents` runs (a callback that disposes a registration does not deliver from inside it). */
  private delivering = false
  private readonly reclaimers: Array<Array<(missingBytes: number) => number>>
  private readonly reclaimSeen: Array<number>
  /** The types whose callbacks run in this thread now (an admission made from inside one does not ask them again). */
  private readonly reclaiming = new Set<number>()
  private eventSeen: number
  private readonly heartbeat: ReturnType<typeof setInterval>
  private readonly lastBeat: Array<number>
  private readonly lastMoved: Array<number>
  private listening = false
  private readonly poolsByType: ReadonlyArray<ReadonlyArray<ManagerPool>>
  /** The refs this thread made so far (a ref's serial is the count once it was made). */
  private refsMade = 0
  /**
   * The holds of this thread that `release(handle)` ended, by slot: the generation, and the serial of the last ref
   * made before (that ref's hold is the one that ended, earlier refs' holds had ended already).
   */
  private readonly endedHolds = new Map<number, { readonly generation: number; readonly lastRef: number }>()
  /** The generation of the slot `submit` last admitted at once (read under the lock, taken by `wait`). */
  private admittedGeneration = 0
  /**
   * This thread's live holds whose refs have a `destroy` hook and a made payload, by slot (a thread holds a slot's
   * resource once): `release(handle)` and `close()` run their hooks before the blocks go back. Refs without a
   * hook, or whose payload was never read, have no entry.
   */
  private readonly hookedHolds = new Map<number, HookedHold>()
  /** While `close()` runs this thread's hooks: the thread is closed to them (calls fail, a close does nothing). */
  private closing = false
  /** Freed pool blocks kept out of their pools while hooks run (`heldBlock`, `giveBack`). */
  private keptBlocks = 0
  /** A close gave up the thread's index while blocks were kept: the last `giveBack` gives it up. */
  private leaveIndexAfterHooks = false
  /** The thread's pool slots were given up (`leavePools`). */
  private poolsLeft = false

  private constructor(
    private readonly ledger: Ledger,
    private readonly types: TypeTable,
    readonly label: string,
    readonly thread: number,
    readonly isCreator: boolean,
    private readonly pools: ReadonlyArray<ManagerPool>
  ) {
    this.descriptor = Object.freeze({
      kind: "flight-hal/shared-manager",
      buffer: ledger.buffer,
      pools: Object.freeze(pools.map(({ pool }) => pool.buffer))
    })
    this.poolsByType = Array.from({ length: types.count }, (_, type) =>
      pools.filter((p) => p.type === type).sort((a, b) => a.pool.blockSize - b.pool.blockSize)
    )
    const at = thread * THREAD_INT_WORDS
    this.epoch = Atomics.load(ledger.threadsInt, at + R.epoch)
    this.reclaimers = Array.from({ length: types.count }, () => [])
    this.reclaimSeen = Array.from({ length: types.count }, (_, t) =>
      Atomics.load(ledger.typesInt, t * TYPE_INT_WORDS + TI.reclaimSeq)
    )
    this.eventSeen = Atomics.load(ledger.header, H.eventSeq)
    this.lastBeat = new Array<number>(ledger.maxThreads).fill(-1)
    this.lastMoved = new Array<number>(ledger.maxThreads).fill(0)
    const lostAfter = ledger.header[H.lostAfterMillis] as number
    this.heartbeat = setInterval(() => this.beat(), Math.max(25, Math.floor(lostAfter / 4)))
    ledger.onStall = () => this.beat()
    unrefTimer(this.heartbeat)
    void this.listen()
  }

  /** Claims a thread slot of the ledger. */
  static claim(
    ledger: Ledger,
    types: TypeTable,
    label: string,
    creator: boolean,
    poolBuffers: ReadonlyArray<SharedArrayBuffer>,
    poolTypes: ReadonlyArray<number>,
    sequential: boolean
  ): SharedManagerImpl {
    if (ledger.closed) throw new ManagerClosed()
    // each pool buffer checked to be this manager's own, at its place (its name starts with the manager's id and
    // its index: a descriptor may carry another manager's pool buffers, or this one's out of order), before
    // anything of the ledger changes: attached and detached at once, so a refused attachment claims nothing
    const managerId = ledger.header[H.managerId] as number
    for (const [index, buffer] of poolBuffers.entries()) {
      const attached = SharedBlockPool.attach(buffer)
      if (!attached.ok && attached.error.field === "buffer") {
        // a buffer that is no pool at all is a bad descriptor
        throw new InvalidArgument({
          argument: "descriptor.pools",
          issue: `pool buffer ${index} is not a shared pool's buffer (${attached.error.issue})`
        })
      }
      // the only other refusal is a full pool (every one of its thread slots attached), whose error names it
      const name = attached.ok ? attached.value.name : attached.error.pool
      if (attached.ok) attached.value.detach()
      if (!name.startsWith(poolTag(managerId, index))) {
        throw new InvalidArgument({
          argument: "descriptor.pools",
          issue: `pool buffer ${index} is not this manager's pool ${index} (another manager's, or out of order)`
        })
      }
      // this manager's pools have a thread slot per thread index: one of them full means every thread slot of the
      // manager is taken (the same ManagerClosed as without pools, not a pool config error the caller never wrote)
      if (!attached.ok) throw new ManagerClosed()
    }
    for (let thread = 0; thread < ledger.maxThreads; thread++) {
      const at = thread * THREAD_INT_WORDS
      // an index whose former thread acquired resources that live on (shared) keeps their books until they go
      if (ledger.threadLive(thread) !== 0) continue
      if (Atomics.compareExchange(ledger.threadsInt, at + R.claim, 0, 1) !== 0) continue
      Atomics.add(ledger.threadsInt, at + R.epoch, 1)
      Atomics.store(ledger.threadsInt, at + R.step, 0)
      Atomics.store(ledger.threadsInt, at + R.sequential, sequential ? 1 : 0)
      Atomics.add(ledger.threadsInt, at + R.heartbeat, 1)
      ledger.markBaseline(thread)
      ledger.bind(thread)
      // each pool's thread slot recorded in the thread's row as soon as it is claimed: a thread that dies here is
      // reaped with the slots it claimed
      const pools: Array<ManagerPool> = []
      for (const [index, buffer] of poolBuffers.entries()) {
        const attached = SharedBlockPool.attach(buffer)
        if (!attached.ok) {
          // checked above to be this manager's pool: it is full while a thread index is free (its slots taken by
          // something else than the manager's threads, such as a direct `SharedBlockPool.attach` of its buffer;
          // a closing thread gives its pool slots up before its index)
          for (const { pool } of pools) pool.detach()
          Atomics.store(ledger.threadsInt, at + R.claim, 0)
          throw new ManagerClosed()
        }
        const pool = attached.value
        Atomics.store(ledger.threadsInt, at + R.poolSlots + index, pool.slot + 1)
        pools.push({ pool, type: poolTypes[index] as number, index })
      }
      return new SharedManagerImpl(ledger, types, label, thread, creator, pools)
    }
    throw new ManagerClosed()
  }

  // ------------------------------------------------------------ state checks

  private get usable(): boolean {
    return !this.detached && !this.closing && !this.ledger.closed && attachedWith(this.ledger, this.thread, this.epoch)
  }

  private ensureUsable(): void {
    if (!this.usable) throw new ManagerClosed()
  }

  /** Whether the creator reaped this thread (declared it lost) since it attached. */
  private reapedMeanwhile(): boolean {
    return !attachedWith(this.ledger, this.thread, this.epoch)
  }

  private handleOf(slot: number, generation: number): ResourceHandle {
    return Object.freeze({ slot, generation, manager: this.ledger.header[H.managerId] as number })
  }

  /**
   * A handle of this manager that is live, read once into a frozen copy (what is checked is what is used: a
   * getter may answer differently on each read, or throw, and a Proxy's traps may throw), or the error.
   */
  private resolve(handle: unknown, argument = "handle"): ResourceHandle {
    const copy = orThrow(validateHandle(handle, argument))
    const { slot, generation, manager } = copy
    if (manager !== this.ledger.header[H.managerId] || slot < 0 || slot >= this.ledger.maxResources) {
      throw new ResourceNotFound({ resource: formatHandle({ slot, generation }) })
    }
    if (!this.ledger.isLive(slot, generation)) {
      // freed by a close after the caller's check that the manager was usable (another thread's, or a getter of
      // the handle's that closed it): ManagerClosed, as for a call made after the close (the close marks the
      // manager closed before it frees anything)
      this.ensureUsable()
      throw this.stale(slot, generation)
    }
    return copy
  }

  private stale(slot: number, generation: number): StaleHandle {
    return new StaleHandle({
      handle: formatHandle({ slot, generation }),
      slot,
      currentGeneration: this.ledger.generationOf(slot)
    })
  }

  // ------------------------------------------------------------ acquisition

  private validate(metadata: unknown): ValidRequest {
    // frozen at once: a shared manager's refs and records hand it out as they are
    const valid = exposeMetadata(orThrow(validateMetadata(metadata)))
    const type = this.types.indexOf(valid.type)
    if (type < 0) throw new InvalidMetadata({ issue: `type: ${this.types.unknownIssue(valid.type)}` })
    if (valid.dependsOn !== undefined && valid.dependsOn.length > 0) {
      throw new InvalidMetadata({ issue: "dependsOn: a shared manager does not track dependencies" })
    }
    return { metadata: valid, type, priority: ResourcePriority[valid.priority ?? "Normal"] }
  }

  private nameBytes(name: unknown): Uint8Array | undefined {
    if (name === undefined || name === "") return undefined
    if (typeof name !== "string")
      throw new InvalidArgument({ argument: "name", issue: `expected a string, got ${show(name)}` })
    // a lone surrogate encodes as U+FFFD: two different names would be one in the ledger
    if (!name.isWellFormed()) {
      throw new InvalidArgument({ argument: "name", issue: "a shared resource's name must be well-formed UTF-16" })
    }
    const bytes = encoder.encode(name)
    if (bytes.length > NAME_BYTES) {
      throw new InvalidArgument({
        argument: "name",
        issue: `a shared resource's name has at most ${NAME_BYTES} UTF-8 bytes`
      })
    }
    return bytes
  }

  /** A refusal for bytes, counted as this thread's failure. */
  private budgetExceeded(type: number, size: number, priority: number, queued = false): BudgetExceeded {
    this.ledger.countFailure(type, this.thread)
    return this.budgetExceededError(type, size, priority, queued)
  }

  /**
   * The BudgetExceeded of a request of this size and priority, from the ledger as it is now. `queued`: refused
   * because waiters of its priority or higher are queued (the ledger says so before it checks the fit): when it
   * fits, the error counts them (`waitersAhead`), else its bytes are the reason.
   */
  private budgetExceededError(type: number, size: number, priority: number, queued = false): BudgetExceeded {
    const budget = this.ledger.budget(type)
    const limit = budget === undefined ? Number.MAX_SAFE_INTEGER : Number(Ledger.limitOf(budget, priority))
    const resourceType = this.types.nameOf(type)
    const available = Math.max(0, limit - Number(this.ledger.usage(type)))
    const waitersAhead = queued && size <= available ? this.ledger.waitingAtOrAbove(type, priority) : 0
    return new BudgetExceeded(
      waitersAhead > 0
        ? { resourceType, requested: size, available, limit, waitersAhead }
        : { resourceType, requested: size, available, limit }
    )
  }

  /** Impossible requests fail at once, in every mode but Emergency. */
  private checkPossible(type: number, size: number, priority: number, emergency: boolean): void {
    if (emergency) return
    const budget = this.ledger.budget(type)
    if (budget === undefined) return
    if (size > (priority === ResourcePriority.Critical ? budget.maxBytes : budget.maxBytes - budget.reservedBytes))
      throw this.budgetExceeded(type, size, priority)
  }

  /** One admission attempt without waiting: the slot, or a `Refused` code (the slot freed). */
  private tryAdmit(
    type: number,
    metadata: ResourceMetadata,
    priority: number,
    emergency: boolean,
    name: Uint8Array | undefined
  ): number {
    const ledger = this.ledger
    const hash = name === undefined ? 0 : hashBytes(name)
    if (name !== undefined) {
      ledger.lock(this.thread)
      try {
        this.ensureUsable()
        if (ledger.findName(name, hash) >= 0 || nameWaited(ledger, name, hash)) return Refused.Busy
        return this.admitInto(type, metadata, priority, emergency, name, hash)
      } finally {
        ledger.unlock(this.thread)
      }
    }
    let slot: number
    ledger.enterStep(this.thread)
    try {
      this.ensureUsable() // closed while this request was on its way (close waits for the steps in progress)
      slot = this.admitInto(type, metadata, priority, emergency, undefined, 0)
    } finally {
      ledger.leaveStep(this.thread)
    }
    if (slot !== Refused.Sweep) return slot
    // it did not fit, or was over budget, on a usage that may count leased bytes: decided under the lock, where the
    // admission turns leasing off itself if it still does not fit
    ledger.lock(this.thread)
    try {
      this.ensureUsable()
      return this.admitInto(type, metadata, priority, emergency, undefined, 0)
    } finally {
      ledger.unlock(this.thread)
    }
  }

  /** Takes the lease this thread's last admission asked for (under the lock; `Ledger.takeLease`). */
  private takeLease(): void {
    const ledger = this.ledger
    ledger.lock(this.thread)
    try {
      if (this.usable) ledger.takeLease()
      else ledger.leaseWanted = -1
    } finally {
      ledger.unlock(this.thread)
    }
  }

  /** Admits into a fresh slot: from a pool block when a pool of the type holds it, else charged to the budget. */
  private admitInto(
    type: number,
    metadata: ResourceMetadata,
    priority: number,
    emergency: boolean,
    name: Uint8Array | undefined,
    hash: number
  ): number {
    const ledger = this.ledger
    const size = metadata.sizeBytes
    // Declared lost while alive, in the middle of this step (`Ledger.fenced`): nothing more is written, what was is the
    // repair's (the slot taken, a block, a charge), and the call fails as the thread's later calls do.
    const slot = ledger.takeSlot()
    if (slot === FENCED_SLOT) throw new ManagerClosed()
    if (slot < 0) return Refused.Full
    if (ledger.fenced()) throw new ManagerClosed()
    ledger.prepareSlot(slot, type, size, this.thread, priority, name, hash)
    const pools = this.poolsByType[type] as ReadonlyArray<ManagerPool>
    if (pools.length > 0) {
      const alignment = metadata.alignmentBytes ?? 8
      for (const { pool, index } of pools) {
        if (pool.blockSize < size || pool.alignment < alignment) continue
        if (ledger.fenced()) throw new ManagerClosed()
        const block = pool.alloc()
        if (block < 0) continue
        if (!ledger.admitPooled(slot, this.thread, index, block)) throw new ManagerClosed()
        if (name !== undefined) ledger.insertName(slot, hash)
        return slot
      }
    }
    const result = ledger.admit(slot, this.thread, emergency, false)
    if (result === Admit.Fenced) throw new ManagerClosed()
    if (result !== Admit.Admitted) {
      ledger.returnSlot(slot)
      return result === Admit.NoFit ? Refused.NoFit : result === Admit.Queued ? Refused.Queued : Refused.Sweep
    }
    if (name !== undefined) ledger.insertName(slot, hash)
    return slot
  }

  /**
   * This thread's ref on a live slot (its payload: `create`'s value, else `payloadOf`); `serial`, its place among
   * this thread's refs, is taken now unless given (taken at the admission).
   */
  private refOf<T>(
    slot: number,
    generation: number,
    metadata: ResourceMetadata,
    name: string,
    options: PayloadHooks<T> | undefined,
    serial = ++this.refsMade
  ): SharedResource<T> {
    const managerId = this.ledger.header[H.managerId] as number
    return new SharedResource<T>(
      this,
      slot,
      generation,
      managerId,
      metadata,
      name,
      options?.create,
      options?.destroy,
      serial
    )
  }

  /**
   * The payload of a slot this thread holds, without a `create` hook: the pool block's bytes (the same memory in
   * every thread), else a fresh `Uint8Array(sizeBytes)` for Memory, else undefined.
   */
  payloadOf<T>(slot: number, metadata: ResourceMetadata, name: string): T {
    const pool = this.poolServing(slot)
    if (pool === undefined) return defaultPayload(metadata, name) as T
    return pool.view(this.ledger.blockOf(slot)).subarray(0, metadata.sizeBytes) as T
  }

  /**
   * `share`'s options: an object whose `create` and `destroy`, when given, are functions, read once (what is
   * checked is what the ref calls: a getter may answer differently on each read, or throw, and a Proxy's traps
   * may throw: InvalidArgument { argument: "options" }).
   */
  private hooksOption<T>(options: unknown): PayloadHooks<T> | undefined {
    if (options === undefined) return undefined
    if (typeof options !== "object" || options === null) {
      throw new InvalidArgument({ argument: "options", issue: `expected an object, got ${show(options)}` })
    }
    let hooks: { readonly create: unknown; readonly destroy: unknown }
    try {
      const { create, destroy } = options as Record<string, unknown>
      hooks = { create, destroy }
    } catch (error) {
      throw new InvalidArgument({ argument: "options", issue: `could not be read (${showThrown(error)})` })
    }
    for (const key of ["create", "destroy"] as const) {
      if (hooks[key] !== undefined && typeof hooks[key] !== "function") {
        throw new InvalidArgument({ argument: key, issue: `expected a function, got ${show(hooks[key])}` })
      }
    }
    return hooks as PayloadHooks<T>
  }

  acquire<T = Uint8Array>(
    first: ResourceMetadata | string,
    second?: ResourceMetadata | SharedAcquireOptions<T>,
    third?: SharedAcquireOptions<T>
  ): SharedResource<T> {
    this.ensureUsable()
    let metadata: unknown = first
    let options: unknown = second
    if (typeof first === "string") [metadata, options] = callForm(first, second, third)
    const settings = orThrow(validateAcquireOptions(options, SYNC_MODES, "NonBlocking", "timeoutMillis", millisOf))
    const v = this.validate(metadata)
    const nameText = this.nameOption(options)
    const emergency = settings.mode === AcquisitionMode.Emergency
    return this.acquireNow(v, emergency, this.nameBytes(nameText), nameText, hooksOf<T>(settings))
  }

  /**
   * The `name` option ("" when absent), read once; options that are not an object were refused before. A read
   * that throws (a getter, a Proxy) is InvalidArgument { argument: "options" }.
   */
  private nameOption(options: unknown): string {
    let name: unknown
    try {
      // only a name left out is unnamed: null is a (bad) value, as everywhere else
      const given = (options as { readonly name?: unknown } | undefined)?.name
      name = given === undefined ? "" : given
    } catch (error) {
      throw new InvalidArgument({ argument: "options", issue: `could not be read (${showThrown(error)})` })
    }
    if (typeof name !== "string")
      throw new InvalidArgument({ argument: "name", issue: `expected a string, got ${show(name)}` })
    return name
  }

  use<T = Uint8Array, A = unknown>(
    name: string,
    metadata: ResourceMetadata,
    body: (resource: SharedResource<T>) => A | PromiseLike<A>,
    options?: Omit<SharedAcquireAsyncOptions<T>, "name">
  ): Promise<A> {
    if (typeof body !== "function") {
      return Promise.reject(new InvalidArgument({ argument: "body", issue: `expected a function, got ${show(body)}` }))
    }
    return this.acquireAsync<T>(name, metadata, options).then(async (resource) => {
      try {
        return await body(resource)
      } finally {
        resource.release()
      }
    })
  }

  metadata(handle: ResourceHandle): ResourceMetadata {
    const info = this.info(handle)
    return Object.freeze({ type: info.type, sizeBytes: info.sizeBytes })
  }

  private acquireNow<T>(
    v: ValidRequest,
    emergency: boolean,
    name: Uint8Array | undefined,
    nameText: string,
    options: PayloadHooks<T>
  ): SharedResource<T> {
    const size = v.metadata.sizeBytes
    this.checkPossible(v.type, size, v.priority, emergency)
    let slot = this.tryAdmit(v.type, v.metadata, v.priority, emergency, name)
    if (slot === Refused.NoFit && this.reclaimers[v.type]?.length) slot = this.reclaimAndRetry(v, emergency, name)
    if (slot === Refused.NoFit) this.askOthersToReclaim(v.type, size, v.priority)
    if (slot < 0) throw this.refusal(slot, v.type, size, v.priority, nameText)
    // declared lost while alive in the middle of this admission, back after the reaping: the call fails as the
    // thread's later calls do (a hold published before the repair was released by the reaper; one that landed
    // after it was taken back by the admission: `Ledger.commitHold`)
    if (this.reapedMeanwhile()) throw new ManagerClosed()
    // the admission's generation, read while this thread is its only holder (see `wait`)
    const generation = this.ledger.generationOf(slot)
    this.publishChange(v.type, this.ledger.settleAfterStep(v.type))
    if (this.ledger.leaseWanted >= 0) this.takeLease()
    return this.refOf(slot, generation, v.metadata, nameText, options)
  }

  /**
   * A request that did not fit: this thread's reclamation callbacks are told what is missing, then one more
   * attempt (a method of its own: the closure would otherwise be made on every acquisition).
   */
  private reclaimAndRetry(v: ValidRequest, emergency: boolean, name: Uint8Array | undefined): number {
    this.reclaimHere(v.type, () => this.missingFor(v.type, v.metadata.sizeBytes, v.priority))
    this.ensureUsable() // a callback may have closed the manager (docs/semantics.md section 14)
    return this.tryAdmit(v.type, v.metadata, v.priority, emergency, name)
  }

  /** The error of a `Refused` admission (counted as this thread's failure). */
  private refusal(refused: number, type: number, size: number, priority: number, name: string): Error {
    if (refused === Refused.Busy) {
      this.ledger.countFailure(type, this.thread)
      return new ResourceBusy({ resource: name })
    }
    if (refused === Refused.Full) {
      this.ledger.countFailure(type, this.thread)
      return new InvalidArgument({
        argument: "maxResources",
        issue: `all ${this.ledger.maxResources} resource slots of the shared manager are live`
      })
    }
    return this.budgetExceeded(type, size, priority, refused === Refused.Queued)
  }

  acquireAsync<T = Uint8Array>(
    first: ResourceMetadata | string,
    second?: ResourceMetadata | SharedAcquireAsyncOptions<T>,
    third?: SharedAcquireAsyncOptions<T>
  ): Promise<SharedResource<T>> {
    return new Promise<SharedResource<T>>((resolve, reject) => this.acquireInto(first, second, third, resolve, reject))
  }

  /** `acquireAsync` reporting through callbacks (`resolve` called in the step that delivers the grant). */
  [acquireSettled]<T>(
    metadata: unknown,
    options: unknown,
    resolve: (ref: SharedResource<T>) => void,
    reject: (error: unknown) => void
  ): void {
    this.acquireInto(metadata, options, undefined, resolve, reject)
  }

  /** `acquireAsync`'s work: the outcome goes to `resolve` or `reject`, once. */
  private acquireInto<T>(
    first: unknown,
    second: unknown,
    third: unknown,
    resolve: (ref: SharedResource<T>) => void,
    reject: (error: unknown) => void
  ): void {
    try {
      this.ensureUsable()
      const [metadata, options] = callForm(first, second, third)
      const settings = orThrow(validateAcquireOptions(options, ALL_MODES, "Blocking", "timeoutMillis", millisOf))
      const v = this.validate(metadata)
      const nameText = this.nameOption(options)
      const name = this.nameBytes(nameText)
      // the signal is read and listened to before the request is submitted: one that cannot be used is refused
      // before the admission changes anything (reclamation included), as the plain facade does
      const watch = settings.signal === undefined ? undefined : orThrow(watchSignal(settings.signal))
      const { mode } = settings
      if (mode === AcquisitionMode.NonBlocking || mode === AcquisitionMode.Emergency) {
        const emergency = mode === AcquisitionMode.Emergency
        // an abort before the request is acted on only if it waits; one during its admission (caller code the
        // admission ran: this thread's reclamation callbacks, pressure callbacks one of them delivered) ends it
        const abortedBefore = watch?.aborted === true
        let ref: SharedResource<T>
        try {
          ref = this.acquireNow(v, emergency, name, nameText, hooksOf<T>(settings))
        } finally {
          watch?.stop()
        }
        if (watch === undefined || !watch.aborted || abortedBefore) {
          resolve(ref)
          return
        }
        // not taken: its payload was never made (no destroy hook runs), a pool block goes back, and what the
        // callbacks released stays released
        ref.release()
        reject(abortReason(settings.signal))
        return
      }
      this.wait<T>(v, name, nameText, settings, watch, resolve, reject)
    } catch (error) {
      reject(error)
    }
  }

  /**
   * A Blocking or Timeout request: admitted at once, or queued and waited for. `watch` (its caller's signal,
   * listened to already) is stopped when it does not wait; a wait acts on an abort noted before it started.
   */
  private wait<T>(
    v: ValidRequest,
    name: Uint8Array | undefined,
    nameText: string,
    settings: AcquireSettings,
    watch: SignalWatch | undefined,
    resolve: (ref: SharedResource<T>) => void,
    reject: (error: unknown) => void
  ): void {
    let entry: number
    try {
      entry = this.submit(v, name, nameText)
    } catch (error) {
      watch?.stop()
      throw error
    }
    if (entry < 0 && this.reapedMeanwhile()) {
      // admitted at once, and this thread declared lost meanwhile (see `acquireNow`)
      watch?.stop()
      throw new ManagerClosed()
    }
    if (entry < 0) {
      // the admission's generation (recorded under the lock by `submit`): stopping the watch runs caller code
      // (the signal's removeEventListener), which may free the resource and let another take its slot; the ref
      // then reads as released instead of reaching that other resource (docs/semantics.md, section 14)
      // (its serial is taken now too: a `release(handle)` there ends this ref's hold, one that another thread
      // shares included)
      const generation = this.admittedGeneration
      const serial = ++this.refsMade
      watch?.stop()
      resolve(this.refOf(-entry - 1, generation, v.metadata, nameText, hooksOf<T>(settings), serial))
      return
    }
    const pending: PendingWait = {
      entry,
      metadata: v.metadata,
      type: v.type,
      name: nameText,
      options: settings,
      started: Date.now(),
      resolve: resolve as (ref: SharedResource<unknown>) => void,
      reject,
      timer: undefined,
      watch
    }
    this.pending.set(entry, pending)
    const waitMillis = settings.waitMillis
    if (waitMillis >= 0) pending.timer = setTimeout(() => this.leave(pending, "timeout"), waitMillis)
    if (watch !== undefined) {
      // aborted before the wait (already, or by a callback while it was submitted): it leaves at once
      if (watch.aborted) {
        this.leave(pending, "abort")
        return
      }
      watch.onAbort = () => this.leave(pending, "abort")
    }
    this.serviceWaits()
    if (this.pending.has(entry)) this.askOthersToReclaim(v.type)
    if (this.pending.has(entry) && this.reclaimers[v.type]?.length) {
      queueMicrotask(() => this.reclaimForQueue(v.type))
    }
  }

  /**
   * Submits a Blocking or Timeout request under the lock: `-slot - 1` when admitted at once, else its wait
   * entry (queued); throws when it is refused.
   */
  private submit(v: ValidRequest, name: Uint8Array | undefined, nameText: string): number {
    const size = v.metadata.sizeBytes
    this.checkPossible(v.type, size, v.priority, false)
    const ledger = this.ledger
    const changes: Array<LevelChange> = []
    const hash = name === undefined ? 0 : hashBytes(name)
    let entry = -1
    let slot = -1
    ledger.lock(this.thread)
    try {
      this.ensureUsable()
      const nameFree = name === undefined || (ledger.findName(name, hash) < 0 && !nameWaited(ledger, name, hash))
      if (nameFree) {
        slot = this.admitInto(v.type, v.metadata, v.priority, false, name, hash)
        if (slot === Refused.Full) throw this.refusal(Refused.Full, v.type, size, v.priority, nameText)
        if (slot >= 0) this.admittedGeneration = ledger.generationOf(slot)
      }
      if (slot < 0) {
        this.checkDeadlock(v, name, nameFree)
        entry = enqueue(ledger, {
          thread: this.thread,
          epoch: this.epoch,
          type: v.type,
          size,
          priority: v.priority,
          name,
          hash
        })
        if (entry < 0) {
          ledger.countFailure(v.type, this.thread)
          throw new InvalidArgument({
            argument: "maxWaiters",
            issue: `all ${ledger.maxWaiters} wait entries of the shared manager are taken`
          })
        }
        grant(ledger, v.type, changes)
      }
    } finally {
      ledger.unlock(this.thread)
    }
    this.publishAll(changes)
    if (slot < 0) return entry
    this.settle(v.type)
    return -slot - 1
  }

  /** Refuses a wait that would leave sequential threads unable to finish (under the lock). */
  private checkDeadlock(v: ValidRequest, name: Uint8Array | undefined, nameFree: boolean): void {
    if (!anySequential(this.ledger)) return
    const state = sharedWaitState(this.ledger, this.types)
    const base = {
      id: "candidate",
      driver: threadDriver(this.thread),
      priority: v.metadata.priority ?? "Normal",
      type: v.metadata.type,
      sizeBytes: v.metadata.sizeBytes
    }
    const nameText = name === undefined ? undefined : decoder.decode(name)
    const candidate: Waiter =
      nameText !== undefined && !nameFree
        ? { ...base, kind: "name", name: nameText }
        : { ...base, kind: "bytes", name: nameText }
    const deadlock = checkWait(viewOfState(state), candidate)
    if (deadlock === undefined) return
    this.ledger.countFailure(v.type, this.thread)
    throw new DeadlockDetected({ drivers: deadlock.drivers, resources: deadlock.resources })
  }

  /** A wait leaves on its timeout or its signal, unless its grant was recorded first. */
  private leave(pending: PendingWait, why: "timeout" | "abort"): void {
    if (this.pending.get(pending.entry) !== pending) return
    const ledger = this.ledger
    const changes: Array<LevelChange> = []
    let left = false
    ledger.lock(this.thread)
    try {
      const at = pending.entry * WAITER_INT_WORDS
      if (Atomics.load(ledger.waitersInt, at + W.state) === WaiterState.Waiting) {
        dequeue(ledger, pending.entry, WaiterState.Free)
        if (why === "timeout") ledger.countFailure(pending.type, this.thread)
        grant(ledger, pending.type, changes)
        left = true
      }
    } finally {
      ledger.unlock(this.thread)
    }
    this.publishAll(changes)
    if (!left) {
      this.serviceWaits()
      return
    }
    this.forget(pending)
    if (why === "timeout") {
      pending.reject(
        new AcquireTimeout({
          resource: pending.name,
          resourceType: this.types.nameOf(pending.type),
          waitedMillis: Math.round(Date.now() - pending.started)
        })
      )
    } else {
      // the caller's signal is caller code: a throw from reading its reason rejects typed
      pending.reject(abortReason(pending.options.signal))
    }
  }

  private forget(pending: PendingWait): void {
    this.pending.delete(pending.entry)
    if (pending.timer !== undefined) clearTimeout(pending.timer)
    const watch = pending.watch
    if (watch !== undefined) {
      // a throw from the caller's removeEventListener is ignored: a wait may end inside another caller's release
      watch.onAbort = undefined
      watch.stop()
    }
  }

  // ------------------------------------------------------------ release and sharing

  release(handle: ResourceHandle): void {
    this.ensureUsable()
    const { slot, generation } = this.resolve(handle)
    const found = this.hookedHolds.size === 0 ? undefined : this.hookedHolds.get(slot)
    const hooked = found?.generation === generation ? found : undefined
    // a hooked hold's `destroy` hook runs before a freed block goes back to its pool (as its ref's release does)
    const block = this.dropHold(slot, generation, false, hooked !== undefined)
    // the ref of the hold just ended (made before now) stays released: a later share is a hold of its own
    this.endedHolds.set(slot, { generation, lastRef: this.refsMade })
    if (hooked === undefined) return
    this.hookedHolds.delete(slot)
    try {
      hooked.end()
    } finally {
      if (block !== undefined) this.giveBack(block)
    }
  }

  /** Records a ref's hooked hold (its payload was just made): `release(handle)` and `close()` end it. */
  trackHook(slot: number, generation: number, end: () => void): HookedHold {
    const hooked: HookedHold = { generation, end }
    this.hookedHolds.set(slot, hooked)
    return hooked
  }

  /** Forgets a ref's hooked hold (its own `release()` ends it). */
  untrackHook(slot: number, hooked: HookedHold): void {
    if (this.hookedHolds.get(slot) === hooked) this.hookedHolds.delete(slot)
  }

  /**
   * Ends this thread's hooked holds that are left, newest first: each ref released and its hook run, once. The
   * map is emptied first, so a hook that releases another ref of them, or closes, runs no hook twice.
   */
  private endHookedHolds(): void {
    if (this.hookedHolds.size === 0) return
    const holds = [...this.hookedHolds.values()].reverse()
    this.hookedHolds.clear()
    for (const hooked of holds) hooked.end()
  }

  /**
   * Whether this thread can still use the manager and holds the resource of `generation` in `slot` (a `create`
   * hook may have ended the hold it makes the payload for: released it, closed the manager).
   */
  holdsLive(slot: number, generation: number): boolean {
    const ledger = this.ledger
    return (
      this.usable && ledger.generationOf(slot) === generation && (ledger.maskOf(slot) & ((1 << this.thread) | 0)) !== 0
    )
  }

  /**
   * Whether the hold of this thread's ref number `serial` on `slot` of `generation` ended without the ref: by
   * `release(handle)`, or by the manager's close (or this thread's detach), which released every hold (the ref
   * then reports `released`, its payload fails with `ResourceReleased`, and its `release()` releases nothing).
   */
  holdEnded(slot: number, generation: number, serial: number): boolean {
    if (!this.usable) return true
    // a slot of another generation now: the resource was freed, so the hold ended whatever the record says (the
    // record is the slot's latest `release(handle)`, which may be of a later resource in the same slot; a ref
    // made after caller code freed its resource has no record at all)
    if (this.ledger.generationOf(slot) !== generation) return true
    if (this.endedHolds.size === 0) return false
    const ended = this.endedHolds.get(slot)
    return ended !== undefined && ended.generation === generation && serial <= ended.lastRef
  }

  /**
   * A ref's release: drops this thread's hold, unless it ended without the ref (a closed manager or a detached
   * thread, `release(handle)`: `holdEnded`) or is gone already.
   */
  releaseOwn(slot: number, generation: number, serial: number, keepBlock: boolean): HeldBlock | undefined {
    return this.holdEnded(slot, generation, serial) ? undefined : this.dropHold(slot, generation, true, keepBlock)
  }

  /**
   * Gives back a block that `dropHold` kept (its pool through this thread's slot, or a slot of its own), unless a
   * lost-thread repair ran since it was kept: the repair rebuilt the pool's free list from the live slots and
   * listed the block already (freeing it again would put a block that another resource may have taken meanwhile
   * on the list a second time). The check and the free are one lock-free step, which a repair does not overlap.
   */
  giveBack({ pool, block, repairs }: HeldBlock): void {
    const ledger = this.ledger
    // a thread reaped meanwhile marks no step (its row may be another thread's): the reaping's repair was counted
    const stepped = attachedWith(ledger, this.thread, this.epoch)
    if (stepped) ledger.enterStep(this.thread)
    try {
      if (ledger.repairs() !== repairs) return
      if (pool.free(block)) {
        pool.flush()
        return
      }
      // this thread detached from the pool meanwhile (the hook closed the manager or detached the thread): the
      // block goes back through a slot of its own, so that the other threads get it again
      const attached = SharedBlockPool.attach(pool.buffer)
      if (!attached.ok) return
      attached.value.free(block)
      attached.value.detach()
    } finally {
      if (stepped) ledger.leaveStep(this.thread)
      if (--this.keptBlocks === 0 && this.leaveIndexAfterHooks) {
        this.leaveIndexAfterHooks = false
        this.leaveIndex()
      }
    }
  }

  /** Gives up this thread's index, unless it was reaped meanwhile (the reaper gave it up). */
  private leaveIndex(): void {
    const at = this.thread * THREAD_INT_WORDS
    if (Atomics.load(this.ledger.threadsInt, at + R.epoch) !== this.epoch) return
    Atomics.compareExchange(this.ledger.threadsInt, at + R.claim, 1, 0)
  }

  /** `release(handle)` or a share's undo: drops this thread's hold; `quiet` ignores a hold already gone. */
  private releaseHold(handle: ResourceHandle, quiet: boolean): void {
    let resolved: ResourceHandle
    try {
      resolved = this.resolve(handle)
    } catch (error) {
      if (quiet && error instanceof StaleHandle) return
      throw error
    }
    this.dropHold(resolved.slot, resolved.generation, quiet)
  }

  /**
   * Drops this thread's hold; a freed pooled slot's block goes back to its pool, unless `keepBlock`: then it is
   * returned, for the caller to give back (`giveBack`) once the ref's `destroy` hook ran.
   */
  private dropHold(slot: number, generation: number, quiet: boolean, keepBlock = false): HeldBlock | undefined {
    const ledger = this.ledger
    // a lock-free step: the hold, a pooled slot's block, and for a freed unnamed slot with no one waiting, the slot
    ledger.enterStep(this.thread)
    let type = 0
    let dropped: 0 | 1 | 2 | typeof DROP_FENCED
    let named: boolean
    let quick: boolean
    let kept: HeldBlock | undefined
    try {
      dropped = ledger.dropHold(slot, generation, this.thread)
      type = ledger.typeOf(slot)
      // declared lost while alive in the middle of this release: the repair frees the slot (and its block)
      if (dropped === 2 && ledger.fenced()) dropped = DROP_FENCED
      if (dropped === 2 && keepBlock) kept = this.heldBlock(slot)
      else if (dropped === 2) this.returnBlock(slot)
      named = dropped === 2 && ledger.nameOf(slot).length > 0
      quick = dropped === 2 && !named && !ledger.mayHaveWaiters()
      if (quick) ledger.returnSlot(slot)
      else if (dropped === 2) ledger.setPending(this.thread, slot)
    } finally {
      ledger.leaveStep(this.thread)
    }
    if (dropped === 0 || dropped === DROP_FENCED) {
      if (quiet) return undefined
      this.ensureUsable() // the hold was released by a close (or this thread reaped) meanwhile: ManagerClosed
      throw new NotHolder({ resource: formatHandle({ slot, generation }), driver: `thread ${this.thread}` })
    }
    if (quick) this.publishChange(type, ledger.settleAfterStep(type))
    else if (dropped === 2) this.freed(slot, type, named)
    return kept
  }

  /**
   * A freed pooled slot's block, kept out of its pool (undefined: the slot was charged to the budget); read inside
   * the release's step, with the repairs counted so far.
   */
  private heldBlock(slot: number): HeldBlock | undefined {
    const pool = this.poolServing(slot)
    if (pool === undefined) return undefined
    this.keptBlocks++
    return { pool, block: this.ledger.blockOf(slot), repairs: this.ledger.repairs() }
  }

  /** After a resource was freed, under the lock: its name goes, the slot returns, waiters are re-examined. */
  private freed(slot: number, type: number, named: boolean): void {
    const ledger = this.ledger
    const changes: Array<LevelChange> = []
    ledger.lock(this.thread)
    try {
      // reaped meanwhile (declared lost while alive, in the middle of this release): the repair has freed the slot
      // already, and may have handed it out again
      if (!attachedWith(ledger, this.thread, this.epoch)) return
      freeSlot(ledger, slot)
      ledger.setPending(this.thread, -1)
      // Waiters of other types may be held back by a full resource table (a fast path took the last free slot
      // between a release and its grant): the freed slot is theirs too.
      if (named || ledger.waitingOf(type) !== Atomics.load(ledger.header, H.waiting)) grantAll(ledger, changes)
      else grant(ledger, type, changes)
    } finally {
      ledger.unlock(this.thread)
    }
    this.publishAll(changes)
    this.settle(type)
  }

  /** The pool whose block serves a slot (undefined: charged to the budget; no lookup of a negative index). */
  private poolServing(slot: number): SharedBlockPool | undefined {
    const index = this.ledger.poolOf(slot)
    return index < 0 ? undefined : this.pools[index]?.pool
  }

  /** Gives a freed pooled slot's block back to its pool (flushed: a lost thread keeps no free block cached). */
  private returnBlock(slot: number): void {
    const pool = this.poolServing(slot)
    if (pool === undefined) return
    pool.free(this.ledger.blockOf(slot))
    pool.flush()
  }

  /**
   * While the ledger is repaired (the other threads stopped, their pool caches empty): each pool's free list is
   * rebuilt from the blocks of the live slots, so that a block a lost thread had taken (in the middle of an
   * allocation before its slot recorded it, of a release after its slot let it go, or of the pool's own steps)
   * comes back.
   */
  private repairPools(): void {
    const ledger = this.ledger
    for (const { pool, index } of this.pools) {
      const held = new Set<number>()
      for (let slot = 0; slot < ledger.maxResources; slot++) {
        if (ledger.maskOf(slot) !== 0 && ledger.poolOf(slot) === index) held.add(ledger.blockOf(slot))
      }
      pool.rebuild((handle) => held.has(handle))
    }
  }

  /** `releaseThread`'s step for each freed slot (under the lock). */
  private readonly freeUnderLock = (slot: number): void => {
    this.returnBlock(slot)
    freeSlot(this.ledger, slot)
  }

  share<T = Uint8Array>(
    handle: ResourceHandle,
    options?: Pick<SharedAcquireOptions<T>, "create" | "destroy">
  ): SharedResource<T> {
    this.ensureUsable()
    const hooks = this.hooksOption<T>(options)
    // read once: the copy is what is resolved, held and described
    const resolved = this.resolve(handle)
    const { slot, generation } = resolved
    let added: "ok" | "stale" | "held" | "fenced" | number
    this.ledger.enterStep(this.thread)
    try {
      this.ensureUsable()
      added = this.ledger.addHold(slot, generation, this.thread)
    } finally {
      this.ledger.leaveStep(this.thread)
    }
    // declared lost while alive in the middle of this step, back after the reaping: the call fails as the thread's
    // later calls do (a hold added before the repair was released by the reaper; one found reaped before or after
    // its compare-and-swap is "fenced": `Ledger.addHold`)
    if (added === "fenced" || (added === "ok" && this.reapedMeanwhile())) throw new ManagerClosed()
    if (typeof added === "number") {
      // the resource was freed and its slot taken again meanwhile: the hold landed on the new one, and goes
      this.releaseHold(this.handleOf(slot, added), true)
      throw this.stale(slot, generation)
    }
    if (added === "stale") this.resolve(resolved)
    if (added === "held") {
      throw new AlreadyShared({ resource: formatHandle(resolved), driver: `thread ${this.thread}` })
    }
    const info = this.describe(slot, generation)
    if (info === undefined) {
      this.ensureUsable() // freed by a close (or this thread reaped) meanwhile
      throw this.stale(slot, generation)
    }
    return this.refOf(slot, generation, Object.freeze({ type: info.type, sizeBytes: info.sizeBytes }), info.name, hooks)
  }

  find(name: string): SharedResourceInfo {
    this.ensureUsable()
    const bytes = this.nameBytes(name)
    // "" is no name (ResourceNotFound says "(unnamed)"); another string that is not one is shown as it was given
    if (bytes === undefined) throw new ResourceNotFound({ resource: name === "" ? "" : show(name) })
    const ledger = this.ledger
    ledger.lock(this.thread)
    let slot: number
    let generation = 0
    try {
      this.ensureUsable()
      slot = ledger.findName(bytes, hashBytes(bytes))
      if (slot >= 0) generation = ledger.generationOf(slot)
    } finally {
      ledger.unlock(this.thread)
    }
    const info = slot < 0 ? undefined : this.describe(slot, generation)
    if (info !== undefined) return info
    this.ensureUsable() // freed by a close meanwhile: ManagerClosed
    throw new ResourceNotFound({ resource: name })
  }

  info(handle: ResourceHandle): SharedResourceInfo {
    this.ensureUsable()
    const { slot, generation } = this.resolve(handle)
    const info = this.describe(slot, generation)
    if (info !== undefined) return info
    this.ensureUsable() // freed by a close meanwhile: ManagerClosed
    throw this.stale(slot, generation)
  }

  /**
   * The resource in a slot of this generation, its fields read between two reads of the holder word (undefined
   * when it was freed meanwhile: the slot may already describe another resource).
   */
  private describe(slot: number, generation: number): SharedResourceInfo | undefined {
    const ledger = this.ledger
    if (ledger.generationOf(slot) !== generation) return undefined
    const mask = ledger.maskOf(slot)
    if (mask === 0 || ledger.generationOf(slot) !== generation) return undefined
    const threads = threadsOfMask(mask)
    const info: SharedResourceInfo = Object.freeze({
      handle: this.handleOf(slot, generation),
      type: this.types.nameOf(ledger.typeOf(slot)),
      sizeBytes: ledger.sizeOf(slot),
      name: decoder.decode(ledger.nameOf(slot).slice()),
      owner: ledger.ownerOf(slot),
      holders: Object.freeze(threads)
    })
    return ledger.isLive(slot, generation) ? info : undefined
  }

  // ------------------------------------------------------------ budgets

  private typeIndex(type: unknown): number {
    return orThrow(this.types.validate(type))
  }

  setBudget(type: ResourceTypeName, budget: ResourceBudget): void {
    this.ensureUsable()
    const valid = orThrow(validateBudget(type, budget, this.types))
    this.changeBudget(valid.index, valid.budget)
  }

  removeBudget(type: ResourceTypeName): void {
    this.ensureUsable()
    this.changeBudget(this.typeIndex(type), undefined)
  }

  private changeBudget(type: number, budget: ResourceBudget | undefined): void {
    const ledger = this.ledger
    const changes: Array<LevelChange> = []
    ledger.lock(this.thread)
    try {
      ledger.turnOffLeasing(type) // the lease ceiling moves with the budget
      ledger.writeBudget(type, budget)
      refuseOversized(ledger, type, changes)
    } finally {
      ledger.unlock(this.thread)
    }
    this.publishAll(changes)
    this.settle(type)
  }

  getBudget(type: ResourceTypeName): ResourceBudget | undefined {
    return this.ledger.budget(this.typeIndex(type))
  }

  // ------------------------------------------------------------ stats

  getResourceStats(type: ResourceTypeName): ResourceStats {
    return this.statsOf(this.typeIndex(type))
  }

  private statsOf(type: number): ResourceStats {
    const ledger = this.ledger
    const tb = type * TYPE_BIG_WORDS
    const big = (word: number) => Number(Atomics.load(ledger.typesBig, tb + word))
    const releaseCount = ledger.typeCounter(type, RT.releases) // before the allocations: see Ledger.liveOf
    return Object.freeze({
      type: this.types.nameOf(type),
      code: this.types.codes[type] as number,
      currentUsage: Number(ledger.usage(type)), // leased bytes excluded
      peakUsage: big(T.peak),
      allocationCount: ledger.typeCounter(type, RT.allocations),
      releaseCount,
      failedCount: ledger.typeCounter(type, RT.failures),
      emergencyCount: ledger.typeCounter(type, RT.emergencies),
      emergencyBytes: big(T.emergencyBytes),
      waiting: this.ledger.waitingOf(type),
      pressure: ResourcePressureNames[this.ledger.level(type)] ?? "None",
      budget: this.ledger.budget(type)
    })
  }

  threadStats(thread: number = this.thread): ReadonlyArray<ThreadTypeStats> {
    if (!Number.isSafeInteger(thread) || thread < 0 || thread >= this.ledger.maxThreads) {
      throw new InvalidArgument({
        argument: "thread",
        issue: `expected a thread index below ${this.ledger.maxThreads}, got ${show(thread)}`
      })
    }
    const ledger = this.ledger
    const usage = ledger.threadUsage(thread)
    return Object.freeze(
      this.types.names.map((type, index) => {
        const releaseCount = ledger.threadCounter(thread, index, RT.releases)
        return Object.freeze({
          type,
          currentUsage: usage[index] as number,
          allocationCount: ledger.threadCounter(thread, index, RT.allocations),
          releaseCount,
          failedCount: ledger.threadCounter(thread, index, RT.failures)
        })
      })
    )
  }

  threads(): ReadonlyArray<number> {
    const out: Array<number> = []
    for (let t = 0; t < this.ledger.maxThreads; t++) {
      if (Atomics.load(this.ledger.threadsInt, t * THREAD_INT_WORDS + R.claim) === 1) out.push(t)
    }
    return Object.freeze(out)
  }

  audit(): ReadonlyArray<SharedLedgerAudit> {
    const ledger = this.ledger
    const liveBytes = new Array<number>(ledger.typeCount).fill(0)
    const liveCount = new Array<number>(ledger.typeCount).fill(0)
    for (const { pool, type } of this.pools)
      liveBytes[type] = (liveBytes[type] as number) + pool.blockSize * pool.blockCount
    for (let slot = 0; slot < ledger.maxResources; slot++) {
      if (ledger.maskOf(slot) === 0) continue
      const type = ledger.typeOf(slot)
      if (ledger.poolOf(slot) < 0) liveBytes[type] = (liveBytes[type] as number) + ledger.sizeOf(slot)
      liveCount[type] = (liveCount[type] as number) + 1
    }
    return Object.freeze(
      this.types.names.map((type, index) =>
        Object.freeze({
          type,
          usage: Number(ledger.usage(index)),
          leasedBytes: ledger.leased(index),
          leases: Number(Atomics.load(ledger.typesBig, index * TYPE_BIG_WORDS + T.leases)),
          liveBytes: liveBytes[index] as number,
          liveCount: liveCount[index] as number,
          emergencyBytes: Number(Atomics.load(ledger.typesBig, index * TYPE_BIG_WORDS + T.emergencyBytes)),
          waiting: ledger.waitingOf(index),
          budget: ledger.budget(index)
        })
      )
    )
  }

  // ------------------------------------------------------------ pressure and reclamation

  registerPressureCallback(callback: (event: PressureEvent) => void): Disposable {
    this.ensureUsable()
    if (typeof callback !== "function") {
      throw new InvalidArgument({ argument: "callback", issue: `expected a function, got ${show(callback)}` })
    }
    this.pressureCallbacks.add(callback)
    let registered = true
    return {
      // once: disposing it again must not end another registration of the same callback; the events pending
      // are delivered first (docs/semantics.md, section 8)
      [Symbol.dispose]: () => {
        if (!registered) return
        registered = false
        this.flushEvents()
        this.pressureCallbacks.remove(callback)
      }
    }
  }

  registerReclamationCallback(type: ResourceTypeName, callback: (missingBytes: number) => number): Disposable {
    this.ensureUsable()
    const index = this.typeIndex(type)
    if (typeof callback !== "function") {
      throw new InvalidArgument({ argument: "callback", issue: `expected a function, got ${show(callback)}` })
    }
    const list = this.reclaimers[index] as Array<(missingBytes: number) => number>
    const entry = (missing: number) => callback(missing)
    list.push(entry)
    return {
      [Symbol.dispose]: () => {
        const at = list.indexOf(entry)
        if (at >= 0) list.splice(at, 1)
      }
    }
  }

  /** Bytes a request of this size and priority still misses (0 when it fits). */
  private missingFor(type: number, size: number, priority: number): number {
    const budget = this.ledger.budget(type)
    if (budget === undefined) return 0
    return Math.max(0, Number(this.ledger.usage(type)) + size - Number(Ledger.limitOf(budget, priority)))
  }

  /**
   * Runs this thread's callbacks of a type in order while something is missing (read afresh before each); not
   * again from inside one of them (docs/semantics.md section 14, no recursion).
   */
  private reclaimHere(type: number, missing: () => number): void {
    if (this.reclaiming.has(type)) return
    this.reclaiming.add(type)
    try {
      for (const callback of [...(this.reclaimers[type] ?? [])]) {
        const need = missing()
        if (need <= 0 || !this.usable) return
        // a promise it returns counts for nothing (the run is synchronous); one that rejects is logged as a throw
        runIsolated(() => callback(need), warn("reclamation callback failed"))
      }
    } finally {
      this.reclaiming.delete(type)
    }
  }

  /** What the head of a type's queue misses, read under the lock. */
  private missingForQueue(type: number): number {
    const ledger = this.ledger
    ledger.lock(this.thread)
    try {
      const head = headOf(ledger, type)
      if (head < 0) return 0
      const at = head * WAITER_INT_WORDS
      return this.missingFor(type, Number(ledger.waitersBig[head]), ledger.waitersInt[at + W.priority] as number)
    } finally {
      ledger.unlock(this.thread)
    }
  }

  /** A ring's reclamation: for the head of the queue, or for the failed NonBlocking request that rang. */
  private reclaimForRing(type: number, seq: number): void {
    if (!this.usable) return
    this.reclaimHere(type, () => Math.max(this.missingForQueue(type), this.missingForFailed(type, seq)))
  }

  private reclaimForQueue(type: number): void {
    if (!this.usable) return
    this.reclaimHere(type, () => this.missingForQueue(type))
  }

  /** Asks every thread's callbacks of the type (through the ledger; they run in their threads). */
  /**
   * Rings the other threads to run their reclamation callbacks for `type`: for the head of its queue, and, for a
   * failed NonBlocking request (`size`, `priority`), for what that request missed (it waits in no queue).
   */
  private askOthersToReclaim(type: number, size?: number, priority?: number): void {
    const words = this.ledger.typesInt
    const at = type * TYPE_INT_WORDS
    if (size !== undefined && priority !== undefined) {
      // the record first, then its ring's number (a thread that sees another number ignores it: advisory only)
      Atomics.store(words, at + TI.reclaimSize, Math.min(size, 2 ** 31 - 1))
      Atomics.store(words, at + TI.reclaimPriority, priority)
      Atomics.store(words, at + TI.reclaimRequestSeq, Atomics.load(words, at + TI.reclaimSeq) + 1)
    }
    Atomics.add(words, at + TI.reclaimSeq, 1)
    this.reclaimSeen[type] = Atomics.load(words, at + TI.reclaimSeq)
    for (const thread of this.threads()) if (thread !== this.thread) this.ledger.ring(thread)
  }

  /** What the last failed NonBlocking request of `type` misses now, if it rang with `seq`; else 0. */
  private missingForFailed(type: number, seq: number): number {
    const words = this.ledger.typesInt
    const at = type * TYPE_INT_WORDS
    if (Atomics.load(words, at + TI.reclaimRequestSeq) !== seq) return 0
    return this.missingFor(type, Atomics.load(words, at + TI.reclaimSize), Atomics.load(words, at + TI.reclaimPriority))
  }

  /** Settles a type's pressure level after a usage change, publishing the event when it changed. */
  private settle(type: number): void {
    this.publishChange(type, this.ledger.settleLevel(type))
  }

  private publishChange(type: number, change: [number, number] | undefined): void {
    if (change !== undefined) this.ledger.publish(type, change[0], change[1])
  }

  private publishAll(changes: ReadonlyArray<LevelChange>): void {
    for (const [type, from, to] of changes) this.ledger.publish(type, from, to)
  }

  // ------------------------------------------------------------ the listener

  private async listen(): Promise<void> {
    if (this.listening) return
    this.listening = true
    const ledger = this.ledger
    const bell = this.thread * THREAD_INT_WORDS + R.bell
    const waitAsync = (Atomics as { waitAsync?: typeof Atomics.waitAsync }).waitAsync
    while (!this.detached) {
      const seen = Atomics.load(ledger.threadsInt, bell)
      this.service()
      if (this.detached) break
      if (Atomics.load(ledger.threadsInt, bell) !== seen) continue
      if (waitAsync !== undefined) {
        const result = waitAsync(ledger.threadsInt, bell, seen)
        if (result.async) await result.value
      } else {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.pending.size > 0 ? 2 : 50)
          if (this.pending.size === 0) unrefTimer(timer)
        })
      }
    }
    this.listening = false
  }

  /** Everything the bell may announce: close, loss, grants, pressure events, reclamation requests. */
  private service(): void {
    if (this.detached) return
    if (!this.usable) {
      // closed by the creator (or this thread reaped): the events of the close's releases are delivered first
      this.flushEvents()
      this.stop()
      return
    }
    this.serviceWaits()
    this.flushEvents()
    this.serviceReclamation()
  }

  private serviceWaits(): void {
    if (this.pending.size === 0) return
    const ledger = this.ledger
    for (const pending of [...this.pending.values()]) {
      const at = pending.entry * WAITER_INT_WORDS
      const state = Atomics.load(ledger.waitersInt, at + W.state)
      if (state === WaiterState.Waiting) continue
      this.forget(pending)
      if (state === WaiterState.Granted) {
        const slot = ledger.waitersInt[at + W.slot] as number
        const generation = grantedGeneration(ledger, pending.entry)
        if (!this.takeGrant(at)) {
          // the manager was closed (or this thread detached or reaped) before this thread took the grant (meanwhile,
          // by `forget`'s caller code, say): still a waiter, it fails, and the close releases the grant unreported
          pending.reject(new ManagerClosed())
          continue
        }
        this.settle(pending.type)
        if (pending.watch !== undefined && (pending.watch.aborted || abortedNow(pending.options.signal))) {
          // its signal was aborted after the grant and before this thread delivered it (by a `destroy` hook of the
          // release that granted it, say), or is being aborted now, its listener not yet run (an abort listener added
          // before the manager's released and made this thread service its waits): the grant is given back at once
          // and the wait fails as the abort says (docs/semantics.md, section 14)
          this.dropHold(slot, generation, true)
          pending.reject(abortReason(pending.options.signal))
          continue
        }
        pending.resolve(this.refOf(slot, generation, pending.metadata, pending.name, hooksOf(pending.options)))
      } else if (state === WaiterState.Failed) {
        Atomics.store(ledger.waitersInt, at + W.state, WaiterState.Free)
        // counted as a failure by the budget change that refused it
        const priority = ResourcePriority[pending.metadata.priority ?? "Normal"]
        pending.reject(this.budgetExceededError(pending.type, pending.metadata.sizeBytes, priority))
      } else {
        if (state === WaiterState.Closed) Atomics.store(ledger.waitersInt, at + W.state, WaiterState.Free)
        pending.reject(new ManagerClosed())
      }
    }
  }

  /**
   * Takes a grant recorded in wait entry word `at` for this thread, unless the manager is closed (or this thread is
   * no longer usable): a lock-free step, so that a close, which waits for the steps in progress before it marks the
   * manager closed, finds every grant either taken (a hold it reports) or never to be taken (a waiter).
   */
  private takeGrant(at: number): boolean {
    const ledger = this.ledger
    if (!this.usable) return false
    ledger.enterStep(this.thread)
    try {
      if (!this.usable) return false
      Atomics.store(ledger.waitersInt, at + W.state, WaiterState.Free)
      return true
    } finally {
      ledger.leaveStep(this.thread)
    }
  }

  /** Delivers the pending pressure events now, unless detached or delivering already (a callback's re-entry). */
  private flushEvents(): void {
    if (this.detached || this.delivering) return
    this.delivering = true
    try {
      this.deliverEvents()
    } finally {
      this.delivering = false
    }
  }

  private deliverEvents(): void {
    const ledger = this.ledger
    // the end read afresh: a callback's own changes (its releases, a close) are delivered in this run too
    while (this.eventSeen < Atomics.load(ledger.header, H.eventSeq)) {
      const seq = this.eventSeen
      const at = (seq % EVENT_RING) * EVENT_WORDS
      const stamp = Atomics.load(ledger.events, at)
      if (stamp < seq + 1) return // being written: the writer rings again
      this.eventSeen++
      if (stamp > seq + 1 || this.pressureCallbacks.size === 0) continue // overwritten (a slow reader), or no one listens
      const type = Atomics.load(ledger.events, at + 1)
      const event: PressureEvent = Object.freeze({
        type: this.types.nameOf(type),
        from: ResourcePressureNames[Atomics.load(ledger.events, at + 2)] ?? "None",
        to: ResourcePressureNames[Atomics.load(ledger.events, at + 3)] ?? "None",
        stats: this.statsOf(type)
      })
      for (const callback of this.pressureCallbacks.values()) {
        // a promise it returns is not awaited; one that rejects is logged as a throw
        runIsolated(() => callback(event), warn("pressure callback failed"))
      }
    }
  }

  private serviceReclamation(): void {
    for (let type = 0; type < this.ledger.typeCount; type++) {
      const seq = Atomics.load(this.ledger.typesInt, type * TYPE_INT_WORDS + TI.reclaimSeq)
      if (seq === this.reclaimSeen[type]) continue
      this.reclaimSeen[type] = seq
      if ((this.reclaimers[type]?.length ?? 0) > 0) this.reclaimForRing(type, seq)
    }
  }

  /** The heartbeat; the creator also looks for lost threads. */
  private beat(): void {
    if (this.closing) return // the close's hooks run in this thread now: the close stops the heartbeat after
    if (!this.usable) {
      this.stop()
      return
    }
    const ledger = this.ledger
    Atomics.add(ledger.threadsInt, this.thread * THREAD_INT_WORDS + R.heartbeat, 1)
    if (!this.isCreator) return
    let now = Date.now()
    const lostAfter = ledger.header[H.lostAfterMillis] as number
    for (let t = 0; t < ledger.maxThreads; t++) {
      if (t === this.thread || Atomics.load(ledger.threadsInt, t * THREAD_INT_WORDS + R.claim) !== 1) {
        this.lastBeat[t] = -1
        continue
      }
      const beat = Atomics.load(ledger.threadsInt, t * THREAD_INT_WORDS + R.heartbeat)
      if (beat !== this.lastBeat[t]) {
        this.lastBeat[t] = beat
        this.lastMoved[t] = now
      } else if (now - (this.lastMoved[t] as number) >= lostAfter) {
        this.reap(t)
        // a reaping may wait (for a lost thread's step, or its lock): the threads looked at next are timed from
        // after it, or a reaping that waited long would have them declared lost though they beat
        now = Date.now()
      }
    }
  }

  /** Declares a thread lost: its holdings are released and its waits withdrawn; its later calls fail. */
  private reap(thread: number): void {
    const ledger = this.ledger
    const at = thread * THREAD_INT_WORDS
    if (Atomics.compareExchange(ledger.threadsInt, at + R.claim, 1, 2) !== 1) return
    Atomics.add(ledger.threadsInt, at + R.epoch, 1)
    if (Atomics.load(ledger.header, H.lock) === thread + 1) ledger.forceUnlock(thread)
    const changes: Array<LevelChange> = []
    const lost = new Set([thread])
    ledger.lock(this.thread)
    try {
      // the lost thread may have stopped between two steps: stop the others' lock-free steps, repair, release
      for (const stuck of ledger.quiesce(this.thread, lost, ledger.header[H.lostAfterMillis] as number)) {
        if (Atomics.compareExchange(ledger.threadsInt, stuck * THREAD_INT_WORDS + R.claim, 1, 2) !== 1) continue
        Atomics.add(ledger.threadsInt, stuck * THREAD_INT_WORDS + R.epoch, 1)
        lost.add(stuck)
      }
      try {
        const capacity = new Array<bigint>(ledger.typeCount).fill(0n)
        for (const { pool, type } of this.pools) {
          capacity[type] = (capacity[type] as bigint) + BigInt(pool.blockSize * pool.blockCount)
        }
        repairLedger(ledger, lost, capacity)
        this.repairPools()
        // a block kept out of its pool for a hook (HeldBlock) is listed now: its thread must not free it again
        ledger.countRepair()
        for (const t of lost) releaseThread(ledger, t, changes, this.freeUnderLock)
      } finally {
        ledger.resume()
      }
    } finally {
      ledger.unlock(this.thread)
    }
    for (const t of lost) {
      for (const { pool, index } of this.pools) {
        const poolSlot = Atomics.exchange(ledger.threadsInt, t * THREAD_INT_WORDS + R.poolSlots + index, 0) - 1
        if (poolSlot >= 0) SharedBlockPool.releaseSlot(pool.buffer, poolSlot)
      }
      Atomics.store(ledger.threadsInt, t * THREAD_INT_WORDS + R.step, 0)
      Atomics.store(ledger.threadsInt, t * THREAD_INT_WORDS + R.claim, 0)
      this.lastBeat[t] = -1
    }
    this.publishAll(changes)
  }

  // ------------------------------------------------------------ close

  close(): ReadonlyArray<SharedLeakReport> {
    const ledger = this.ledger
    // a hook run by this close that closes again: the close goes on as it was
    if (this.closing) return []
    if (!this.detached && this.usable) {
      // this thread's hooks run first, outside the lock, while their holds (and pool blocks) are still theirs;
      // the thread is closed to them: an acquisition, a share or a release(handle) fails with ManagerClosed
      this.closing = true
      try {
        this.endHookedHolds()
      } finally {
        this.closing = false
      }
    }
    // closed before (or by a hook): holds another thread ended (the creator's close, a reaping) run their hooks
    // here, unless their refs' release() ran them
    if (this.detached || !this.usable) {
      this.leaveClosed()
      this.endHookedHolds()
      this.flushEvents()
      this.stop()
      return []
    }
    let reports: ReadonlyArray<SharedLeakReport>
    const changes: Array<LevelChange> = []
    ledger.lock(this.thread)
    try {
      if (this.isCreator) {
        // the lock-free steps in progress end first; those that start later see the manager closed
        ledger.quiesce(this.thread, new Set(), ledger.header[H.lostAfterMillis] as number)
        ledger.markClosed()
        ledger.resume()
      }
      reports = this.isCreator ? this.leaksOf(-1) : this.leaksOf(this.thread)
      if (this.isCreator) {
        closeQueue(ledger)
        // every other thread that is attached or still holds something: a thread that saw the manager closed (the
        // mark above) may have detached since, giving up its index, before its holds are released here
        const holders = holdersOf(ledger)
        for (let t = 0; t < ledger.maxThreads; t++) {
          if (t === this.thread) continue
          const attached = Atomics.load(ledger.threadsInt, t * THREAD_INT_WORDS + R.claim) === 1
          if (attached || (holders & ((1 << t) | 0)) !== 0) releaseThread(ledger, t, changes, this.freeUnderLock)
          else ledger.giveBackLeases(t)
        }
      }
      releaseThread(ledger, this.thread, changes, this.freeUnderLock)
    } finally {
      ledger.unlock(this.thread)
    }
    this.publishAll(changes)
    if (this.isCreator) ledger.ringAll()
    // the pool slots before the index: an attachment that finds the index free finds a slot free in every pool
    // (one per index), where it failed with ManagerClosed while this thread delivered its events below
    this.leavePools()
    // a close from inside a hook whose block is kept out of its pool: the index is given up once the block is back
    // (its `giveBack` is a lock-free step, which only a thread with an index marks)
    if (this.keptBlocks > 0) this.leaveIndexAfterHooks = true
    else Atomics.store(ledger.threadsInt, this.thread * THREAD_INT_WORDS + R.claim, 0)
    // the events pending, the close's own included, are delivered before this thread stops listening
    // (docs/semantics.md, section 8)
    this.flushEvents()
    this.stop()
    return reports
  }

  /**
   * A thread's `close()` once the creator closed the manager (its listener may have stopped already): its
   * index is given up, so `threads()` no longer lists it (the creator's close released its holds; no thread
   * attaches to a closed manager, and the epoch tells a later claim of the index, by a lost thread's reaping,
   * from this one).
   */
  private leaveClosed(): void {
    if (this.ledger.closed) this.leaveIndex()
  }

  /**
   * The live resources held by `thread` (-1: every thread), as leak reports (under the lock, the manager marked
   * closed or this thread closing): a grant its thread has not taken is not a hold of that thread (the wait fails with
   * ManagerClosed, and the close releases the grant without a report).
   */
  private leaksOf(thread: number): ReadonlyArray<SharedLeakReport> {
    const ledger = this.ledger
    const now = Date.now()
    const out: Array<SharedLeakReport> = []
    const undelivered = undeliveredGrants(ledger)
    for (let slot = 0; slot < ledger.maxResources; slot++) {
      const mask = ledger.maskOf(slot)
      if (mask === 0) continue
      const notHeld = undelivered.get(slot)
      for (const t of threadsOfMask(mask)) {
        if (thread >= 0 && t !== thread) continue
        if (notHeld !== undefined && notHeld.thread === t && notHeld.generation === ledger.generationOf(slot)) continue
        out.push(
          Object.freeze({
            thread: t,
            name: decoder.decode(ledger.nameOf(slot).slice()),
            type: this.types.nameOf(ledger.typeOf(slot)),
            sizeBytes: ledger.sizeOf(slot),
            ageMillis: Math.max(0, now - ledger.createdAt(slot))
          })
        )
      }
    }
    return Object.freeze(out)
  }

  /**
   * Gives up this thread's pool slots, once: a close does it before it gives up the thread's index (the row is
   * the thread's own until then), `stop` for the other ways out.
   */
  private leavePools(): void {
    if (this.poolsLeft) return
    this.poolsLeft = true
    // a pool's thread slot is given up only when this thread's row still records it: a thread reaped while alive
    // finds its slots freed by the reaper already (and perhaps claimed by another thread since)
    for (const { pool, index } of this.pools) {
      const at = this.thread * THREAD_INT_WORDS + R.poolSlots + index
      if (Atomics.compareExchange(this.ledger.threadsInt, at, pool.slot + 1, 0) === pool.slot + 1) pool.detach()
    }
  }

  /** Stops this thread's listener and timers; pending waits fail with ManagerClosed. */
  private stop(): void {
    if (this.detached) return
    this.detached = true
    clearInterval(this.heartbeat)
    this.leavePools()
    for (const pending of [...this.pending.values()]) {
      this.forget(pending)
      pending.reject(new ManagerClosed())
    }
    this.ledger.ring(this.thread)
  }

  [Symbol.dispose](): void {
    this.close()
  }
}

defineInspect(
  SharedManagerImpl.prototype,
  (m) =>
    `SharedResourceManager<${m.label}, thread ${m.thread}${m.isCreator ? " (creator)" : ""}, ${m.threads().length} attached>`
)
