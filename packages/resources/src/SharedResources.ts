/**
 * The Effect service of a shared manager ({@link SharedResourceManager}): a Layer creates the manager in this
 * thread ({@link SharedResources.layer}) or attaches this worker to one from its descriptor
 * ({@link SharedResources.layerAttach}); acquisitions are scoped (`Effect.acquireRelease`), waits are
 * interruptible, errors are typed in the error channel, pressure events are a `Stream`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { SharedResources } from "@flight-hal/resources"
 *
 * const layer = SharedResources.layer({
 *   budgets: { Memory: { maxBytes: 1 << 20, reservedBytes: 0, warningPercent: 75, criticalPercent: 90 } }
 * })
 * const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     const shared = yield* SharedResources
 *     const block = yield* shared.acquire({ type: "Memory", sizeBytes: 4096 }, { mode: "Blocking" })
 *     return block.payload.length
 *   })
 * ).pipe(Effect.provide(layer))
 * Effect.runPromise(program).then(console.log) // 4096
 * ```
 *
 * @since 0.1.0
 * @module
 */
import {
  type AcquireTimeout,
  type AlreadyShared,
  type BudgetExceeded,
  type DeadlockDetected,
  type DependencyNotLive,
  InvalidArgument,
  type InvalidBudget,
  type InvalidMetadata,
  type ManagerClosed,
  type NotHolder,
  type ResourceBudget,
  type ResourceBusy,
  type ResourceHandle,
  type ResourceMetadata,
  type ResourceNotFound,
  type ResourceTypeName,
  type SharedMemoryUnavailable,
  type StaleHandle
} from "@flight-hal/core"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { durationMillis } from "./internal/duration-millis.ts"
import { acquireSettled, metadataFirst, type SettledAcquire } from "./internal/shared/call-forms.ts"
import { show, shownName, showThrown } from "./internal/show.ts"
import { isThenable } from "./internal/thenable.ts"
import { isObjectArgument, validateAcquireOptions } from "./internal/validate.ts"
import type {
  AcquireErrorOf,
  AcquireMode,
  AcquireOptionFields,
  PressureCallback,
  ReclamationCallback,
  TimeoutOfMode
} from "./ResourceManager.ts"
import type { DefaultPayload } from "./ResourceRef.ts"
import type { PressureEvent, ResourceStats } from "./ResourceStats.ts"
import {
  attachSharedResourceManager,
  createSharedResourceManager,
  type SharedAcquireAsyncOptions,
  type SharedAttachOptions,
  type SharedLeakReport,
  type SharedLedgerAudit,
  type SharedManagerConfig,
  type SharedManagerDescriptor,
  type SharedResource,
  type SharedResourceInfo,
  type SharedResourceManager,
  type ThreadTypeStats
} from "./SharedResourceManager.ts"

/**
 * The errors of a shared acquisition.
 *
 * @since 0.1.0
 * @category errors
 */
export type SharedAcquireError =
  | InvalidArgument
  | InvalidMetadata
  | BudgetExceeded
  | ResourceBusy
  | AcquireTimeout
  | DeadlockDetected
  | ManagerClosed

/**
 * The errors a shared acquisition in mode `M` can end with: `ResourceManager`'s {@link AcquireErrorOf} without
 * `DependencyNotLive` (a shared acquisition has no dependencies). NonBlocking (the service's default) and Emergency
 * neither wait nor time out; Blocking may end with `DeadlockDetected`, Timeout also with `AcquireTimeout`.
 *
 * @example
 * ```ts
 * import type { SharedAcquireErrorOf } from "@flight-hal/resources"
 *
 * type E = SharedAcquireErrorOf<"NonBlocking"> // InvalidMetadata | InvalidArgument | … | BudgetExceeded | ResourceBusy
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export type SharedAcquireErrorOf<M extends AcquireMode> = Exclude<AcquireErrorOf<M>, DependencyNotLive>

/**
 * The errors of a handle that does not resolve.
 *
 * @since 0.1.0
 * @category errors
 */
export type SharedHandleError = InvalidArgument | ResourceNotFound | StaleHandle | ManagerClosed

/**
 * Options of {@link SharedResourcesService.acquire}: the fields of {@link SharedAcquireEffectOptionFields}, and what
 * the mode `M` asks of the timeout, as `ResourceManager`'s `AcquireOptions` ({@link TimeoutOfMode}): mode `Timeout`
 * requires `timeout` (`{ mode: "Timeout" }` alone does not compile), every other mode refuses it, and options
 * without a `mode` (the default, NonBlocking) take none (`{ timeout: "1 second" }` does not compile); the manager
 * refuses each with `InvalidArgument`. `M` is inferred from `mode` where the options are written.
 *
 * @since 0.1.0
 * @category models
 */
export type SharedAcquireEffectOptions<T, M extends AcquireMode = AcquireMode> = SharedAcquireEffectOptionFields<T, M> &
  TimeoutOfMode<M>

/**
 * The fields of {@link SharedAcquireEffectOptions}: the mode (default NonBlocking), `timeout` for Timeout mode, a
 * name, and this thread's payload hooks. Every optional field may be `undefined`, which means the default, as when
 * it is left out.
 *
 * @since 0.1.0
 * @category models
 */
export interface SharedAcquireEffectOptionFields<T, M extends AcquireMode = AcquireMode> {
  /** `NonBlocking` (default), `Blocking`, `Timeout` (with `timeout`) or `Emergency`. */
  readonly mode?: M | undefined
  /**
   * How long a `Timeout` request waits (required by it, refused by the others), typed as `ResourceManager`'s
   * `AcquireOptions` types it: `undefined` when the mode is known and is not `Timeout`
   * (`{ mode: "Blocking", timeout: "1 second" }` does not compile: the manager refuses it with `InvalidArgument`).
   */
  readonly timeout?: AcquireOptionFields<T, M>["timeout"]
  /** A name unique among the live resources of every thread (at most 64 UTF-8 bytes). */
  readonly name?: string | undefined
  /** Makes this thread's payload (default: a `Uint8Array(sizeBytes)` for Memory). */
  readonly create?: ((metadata: ResourceMetadata) => T) | undefined
  /** Disposes of this thread's payload when the hold is released. */
  readonly destroy?: ((payload: T) => void) | undefined
}

/**
 * What `yield* SharedResources` gives.
 *
 * @since 0.1.0
 * @category models
 */
export interface SharedResourcesService {
  /** The plain manager underneath (same ledger). */
  readonly manager: SharedResourceManager
  /**
   * Acquires (NonBlocking); the hold is released when the Scope closes. The payload is the default one of the
   * metadata's type (`DefaultPayload`: bytes for Memory, `Uint8Array | undefined` for the others). Also in
   * `ResourceManager`'s form, `acquire(name, metadata, options)` ("" for unnamed).
   */
  acquire<const D extends ResourceMetadata>(
    metadata: D
  ): Effect.Effect<SharedResource<DefaultPayload<D>>, SharedAcquireErrorOf<"NonBlocking">, Scope.Scope>
  /**
   * Acquires a resource of the default payload; the error channel follows the mode. A wait is interruptible and
   * leaves holding nothing.
   */
  acquire<const D extends ResourceMetadata, M extends AcquireMode = "NonBlocking">(
    metadata: D,
    options: SharedAcquireEffectOptions<DefaultPayload<D>, M> & { readonly create?: undefined }
  ): Effect.Effect<SharedResource<DefaultPayload<D>>, SharedAcquireErrorOf<M>, Scope.Scope>
  /**
   * Acquires a resource whose payload is `T` (made by `create`, or as given by the type argument), in the default
   * mode, NonBlocking (no `mode` in the options): the error channel is NonBlocking's.
   */
  acquire<T = Uint8Array>(
    metadata: ResourceMetadata,
    options?: SharedAcquireEffectOptions<T, "NonBlocking"> & { readonly mode?: undefined }
  ): Effect.Effect<SharedResource<T>, SharedAcquireErrorOf<"NonBlocking">, Scope.Scope>
  /**
   * Acquires a resource whose payload is `T` (made by `create`, or as given by the type argument). With an explicit
   * `T` the mode is not inferred: the error channel is then every mode's, `SharedAcquireError`.
   */
  acquire<T = Uint8Array, M extends AcquireMode = AcquireMode>(
    metadata: ResourceMetadata,
    options?: SharedAcquireEffectOptions<T, M>
  ): Effect.Effect<SharedResource<T>, SharedAcquireErrorOf<M>, Scope.Scope>
  /** `ResourceManager`'s form: the name first (`""` for unnamed), then the metadata and the options. */
  acquire<const D extends ResourceMetadata, M extends AcquireMode = "NonBlocking">(
    name: string,
    metadata: D,
    options?: Omit<SharedAcquireEffectOptionFields<DefaultPayload<D>, M>, "name"> &
      TimeoutOfMode<M> & { readonly create?: undefined }
  ): Effect.Effect<SharedResource<DefaultPayload<D>>, SharedAcquireErrorOf<M>, Scope.Scope>
  /** `ResourceManager`'s form of a payload `T`, in the default mode, NonBlocking (no `mode` in the options). */
  acquire<T = Uint8Array>(
    name: string,
    metadata: ResourceMetadata,
    options?: Omit<SharedAcquireEffectOptionFields<T, "NonBlocking">, "name"> & { readonly mode?: undefined }
  ): Effect.Effect<SharedResource<T>, SharedAcquireErrorOf<"NonBlocking">, Scope.Scope>
  /** `ResourceManager`'s form of a payload `T`, in a mode: the error channel follows the mode. */
  acquire<T = Uint8Array, M extends AcquireMode = AcquireMode>(
    name: string,
    metadata: ResourceMetadata,
    options?: Omit<SharedAcquireEffectOptionFields<T, M>, "name"> & TimeoutOfMode<M>
  ): Effect.Effect<SharedResource<T>, SharedAcquireErrorOf<M>, Scope.Scope>
  /**
   * Acquires, runs `body`, releases whatever its outcome; the payload is the default one of the metadata's type
   * and the error channel follows the mode (NonBlocking without one). Also in `ResourceManager`'s form,
   * `use(name, metadata, body, options)`, so that `(ref) => ref.get` reads the payload either way.
   */
  use<const D extends ResourceMetadata, A = unknown, E = never, R = never, M extends AcquireMode = "NonBlocking">(
    metadata: D,
    body: (resource: SharedResource<DefaultPayload<D>>) => Effect.Effect<A, E, R>,
    options?: SharedAcquireEffectOptions<DefaultPayload<D>, M> & { readonly create?: undefined }
  ): Effect.Effect<A, E | SharedAcquireErrorOf<M>, R>
  /** `use` of a payload `T` made by `create` (or given by the type of `body`'s parameter), NonBlocking. */
  use<T = Uint8Array, A = unknown, E = never, R = never>(
    metadata: ResourceMetadata,
    body: (resource: SharedResource<T>) => Effect.Effect<A, E, R>,
    options?: SharedAcquireEffectOptions<T, "NonBlocking"> & { readonly mode?: undefined }
  ): Effect.Effect<A, E | SharedAcquireErrorOf<"NonBlocking">, R>
  /** `use` of a payload `T`, in a mode: the error channel follows the mode. */
  use<T = Uint8Array, A = unknown, E = never, R = never, M extends AcquireMode = AcquireMode>(
    metadata: ResourceMetadata,
    body: (resource: SharedResource<T>) => Effect.Effect<A, E, R>,
    options?: SharedAcquireEffectOptions<T, M>
  ): Effect.Effect<A, E | SharedAcquireErrorOf<M>, R>
  /** `ResourceManager`'s form: the name first (`""` for unnamed), then the metadata, the body and the options. */
  use<const D extends ResourceMetadata, A = unknown, E = never, R = never, M extends AcquireMode = "NonBlocking">(
    name: string,
    metadata: D,
    body: (resource: SharedResource<DefaultPayload<D>>) => Effect.Effect<A, E, R>,
    options?: Omit<SharedAcquireEffectOptionFields<DefaultPayload<D>, M>, "name"> &
      TimeoutOfMode<M> & { readonly create?: undefined }
  ): Effect.Effect<A, E | SharedAcquireErrorOf<M>, R>
  /** `ResourceManager`'s form of a payload `T`, NonBlocking (no `mode` in the options). */
  use<T = Uint8Array, A = unknown, E = never, R = never>(
    name: string,
    metadata: ResourceMetadata,
    body: (resource: SharedResource<T>) => Effect.Effect<A, E, R>,
    options?: Omit<SharedAcquireEffectOptionFields<T, "NonBlocking">, "name"> & { readonly mode?: undefined }
  ): Effect.Effect<A, E | SharedAcquireErrorOf<"NonBlocking">, R>
  /** `ResourceManager`'s form of a payload `T`, in a mode: the error channel follows the mode. */
  use<T = Uint8Array, A = unknown, E = never, R = never, M extends AcquireMode = AcquireMode>(
    name: string,
    metadata: ResourceMetadata,
    body: (resource: SharedResource<T>) => Effect.Effect<A, E, R>,
    options?: Omit<SharedAcquireEffectOptionFields<T, M>, "name"> & TimeoutOfMode<M>
  ): Effect.Effect<A, E | SharedAcquireErrorOf<M>, R>
  /** A live resource's metadata (type and size) by handle. */
  metadata(handle: ResourceHandle): Effect.Effect<ResourceMetadata, SharedHandleError>
  /** Holds a live resource of any thread until the Scope closes. */
  share<T = Uint8Array>(
    handle: ResourceHandle,
    options?: Pick<SharedAcquireEffectOptionFields<T>, "create" | "destroy">
  ): Effect.Effect<SharedResource<T>, SharedHandleError | AlreadyShared, Scope.Scope>
  /** Releases this thread's hold by handle. */
  release(handle: ResourceHandle): Effect.Effect<void, SharedHandleError | NotHolder>
  /** The live resource with this name, from any thread. */
  find(name: string): Effect.Effect<SharedResourceInfo, InvalidArgument | ResourceNotFound | ManagerClosed>
  /** A live resource by handle. */
  info(handle: ResourceHandle): Effect.Effect<SharedResourceInfo, SharedHandleError>
  /** Installs a budget for every thread; waiters that can never fit fail, others may be admitted. */
  setBudget(type: ResourceTypeName, budget: ResourceBudget): Effect.Effect<void, InvalidBudget | ManagerClosed>
  /** The type's budget, or undefined when it has none. */
  getBudget(type: ResourceTypeName): Effect.Effect<ResourceBudget | undefined, InvalidArgument>
  /** Makes the type unlimited (its waiters are admitted). */
  removeBudget(type: ResourceTypeName): Effect.Effect<void, InvalidArgument | ManagerClosed>
  /** The type's stats across every thread. */
  getResourceStats(type: ResourceTypeName): Effect.Effect<ResourceStats, InvalidArgument>
  /** One thread's part of each type (default: this thread). */
  threadStats(thread?: number): Effect.Effect<ReadonlyArray<ThreadTypeStats>, InvalidArgument>
  /** Usage and the live sizes per type, read one after the other. */
  readonly audit: Effect.Effect<ReadonlyArray<SharedLedgerAudit>>
  /**
   * Every pressure change of any type made by any thread, from the moment of subscription; it ends when the
   * Layer closes, after the close's own events (a subscription made after that ends at once).
   */
  readonly pressureEvents: Stream.Stream<PressureEvent>
  /**
   * Calls `callback` in this thread for every pressure change of any type, until the Scope closes.
   * `ResourceManager`'s form: an Effect it returns is run (with the services of the fiber that registered it),
   * after the Effects of the events before; a failure, a throw or a return that is neither an Effect nor
   * `undefined` is logged (`Effect.logWarning`) and the next callback runs. The Scope's close delivers the
   * pending events and waits for their Effects.
   */
  registerPressureCallback(
    callback: PressureCallback
  ): Effect.Effect<void, InvalidArgument | ManagerClosed, Scope.Scope>
  /**
   * Registers a reclamation callback of this thread until the Scope closes. `ResourceManager`'s form: it returns
   * an Effect of the bytes it claims to have freed (a number is taken too), run with the services of the fiber
   * that registered it. The shared manager asks synchronously: the Effect runs at once, as far as it can
   * without waiting; what it releases by then counts for the request that asked, and one that must wait (a
   * sleep, a promise) runs on, its releases counting as any release does. A failure, a throw or a return that
   * is neither is logged (`Effect.logWarning`) and counts as 0.
   */
  registerReclamationCallback(
    type: ResourceTypeName,
    callback: (missingBytes: number) => Effect.Effect<number, unknown> | number
  ): Effect.Effect<void, InvalidArgument | ManagerClosed, Scope.Scope>
}

/** A reclamation callback of the service: `ResourceManager`'s form, or the plain manager's (the number itself). */
type SharedReclamationCallback = (missingBytes: number) => ReturnType<ReclamationCallback> | number

const SharedResourcesBase: Context.ServiceClass<
  SharedResources,
  "@flight-hal/resources/SharedResources",
  SharedResourcesService
> = Context.Service<SharedResources, SharedResourcesService>()("@flight-hal/resources/SharedResources")

/** Whether a thrown value is one of the typed errors (else it is a defect). */
const isTyped = (error: unknown): boolean =>
  typeof error === "object" && error !== null && "_tag" in error && "category" in error && "code" in error

/** Runs a plain call: typed errors go to the error channel, anything else is a defect. */
const attempt = <A, E>(f: () => A): Effect.Effect<A, E> =>
  Effect.suspend(() => {
    try {
      return Effect.succeed(f())
    } catch (error) {
      return isTyped(error) ? Effect.fail(error as E) : Effect.die(error)
    }
  })

/** The service's modes (its default is NonBlocking; the plain `acquireAsync`'s is Blocking). */
const effectModes = ["NonBlocking", "Blocking", "Timeout", "Emergency"] as const

/**
 * The Effect options as the plain manager's, read once; options that are no object, or whose reading throws (a
 * getter, a revoked Proxy), are InvalidArgument, as the plain manager's. The mode, `timeout` and the hooks are
 * checked here as `ResourceManager` checks them (a `null` mode is a bad mode, not the default; a bad `timeout`
 * is named `timeout` and shown as given); the plain manager checks the rest.
 */
const toAsyncOptions = <T>(
  options: SharedAcquireEffectOptions<T> | undefined
): SharedAcquireAsyncOptions<T> | InvalidArgument => {
  if (options === undefined) return { mode: "NonBlocking" }
  if (!isObjectArgument(options)) {
    return new InvalidArgument({ argument: "options", issue: `expected an object, got ${show(options)}` })
  }
  let read: { readonly mode: unknown; readonly timeout: unknown; readonly rest: Record<string, unknown> }
  try {
    const { timeout, mode, ...rest } = options
    read = { mode, timeout, rest }
  } catch (error) {
    return new InvalidArgument({ argument: "options", issue: `could not be read (${showThrown(error)})` })
  }
  const { mode, timeout, rest } = read
  const settings = validateAcquireOptions(
    { ...rest, mode, timeout },
    effectModes,
    "NonBlocking",
    "timeout",
    durationMillis
  )
  if (settings instanceof InvalidArgument) return settings
  return {
    ...rest,
    mode: mode === undefined ? "NonBlocking" : (mode as (typeof effectModes)[number]),
    ...(settings.waitMillis < 0 ? {} : { timeoutMillis: settings.waitMillis })
  }
}

/** An acquisition as an interruptible Effect: a grant that lands after interruption is released at once. */
const acquireOnce = <T>(
  manager: SharedResourceManager,
  metadata: ResourceMetadata,
  options: SharedAcquireEffectOptions<T> | undefined
): Effect.Effect<SharedResource<T>, SharedAcquireError> => {
  const settings = toAsyncOptions(options)
  if (settings instanceof InvalidArgument) return Effect.fail(settings)
  if (settings.mode === "NonBlocking" || settings.mode === "Emergency") {
    return attempt(() =>
      manager.acquire<T>(metadata, { ...settings, mode: settings.mode as "NonBlocking" | "Emergency" })
    )
  }
  return Effect.callback<SharedResource<T>, SharedAcquireError>((resume, signal) => {
    const controller = new AbortController()
    let interrupted = false
    // by callbacks, not a promise: a grant that lands after the interruption is released in the step that
    // delivers it, before anything else runs (a promise's `then` could run after the Layer's close detached the
    // thread, and the close would have reported the resource as a leak)
    ;(manager as SharedResourceManager & SettledAcquire)[acquireSettled]<T>(
      metadata,
      { ...settings, signal: controller.signal },
      (resource) => {
        if (!interrupted) return resume(Effect.succeed(resource))
        try {
          resource.release()
        } catch {
          // the listener that delivers the grant must go on (the hold ends with the thread's close anyway)
        }
      },
      (error: unknown) => {
        if (interrupted) return
        resume(isTyped(error) ? Effect.fail(error as SharedAcquireError) : Effect.die(error))
      }
    )
    const abort = () => {
      interrupted = true
      controller.abort()
    }
    signal.addEventListener("abort", abort, { once: true })
    return Effect.sync(abort)
  })
}

const release = <T>(resource: SharedResource<T>) => Effect.sync(() => resource.release())

/**
 * `acquireOnce` with its release in the current Scope. Unlike `Effect.acquireRelease` (whose acquisition is
 * uninterruptible), the wait stays interruptible; from the grant on, the release is registered without a gap.
 */
const acquireScoped = <T>(
  manager: SharedResourceManager,
  metadata: ResourceMetadata,
  options: SharedAcquireEffectOptions<T> | undefined
): Effect.Effect<SharedResource<T>, SharedAcquireError, Scope.Scope> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.tap(restore(acquireOnce(manager, metadata, options)), (resource) =>
      Effect.addFinalizer(() => release(resource))
    )
  )

/** `acquire`'s two forms, as the scoped acquisition (a bad form fails with InvalidArgument). */
const acquireEither = <T>(
  manager: SharedResourceManager,
  first: unknown,
  second: unknown,
  third: unknown
): Effect.Effect<SharedResource<T>, SharedAcquireError, Scope.Scope> =>
  Effect.flatMap(
    attempt<[unknown, unknown], InvalidArgument>(() => metadataFirst(first, second, third)),
    ([m, o]) => acquireScoped<T>(manager, m as ResourceMetadata, o as SharedAcquireEffectOptions<T> | undefined)
  )

/**
 * A registration (a `Disposable` of the plain manager) held until the Scope closes; `after` runs once it is
 * disposed of.
 */
const registered = (
  register: () => Disposable,
  after: Effect.Effect<void> = Effect.void
): Effect.Effect<void, InvalidArgument | ManagerClosed, Scope.Scope> =>
  Effect.acquireRelease(attempt<Disposable, InvalidArgument | ManagerClosed>(register), (registration) =>
    Effect.andThen(
      Effect.sync(() => registration[Symbol.dispose]()),
      after
    )
  ).pipe(Effect.asVoid)

/**
 * A callback's result as the Effect to run (`ResourceManager`'s rule): an Effect as it is, anything else a defect
 * naming what came back (the fiber loop would die on it). A promise that came back is not awaited; its rejection
 * is taken, so that it does not reach the process as an unhandled rejection.
 */
const callbackEffect = <A>(result: unknown, what: string): Effect.Effect<A, unknown> => {
  if (Effect.isEffect(result)) return result as Effect.Effect<A, unknown>
  if (isThenable(result)) result.then(undefined, () => {})
  return Effect.die(new TypeError(`${what} returned ${show(result)}, not an Effect`))
}

/** A reclamation callback's run: its claim, or 0 with a warning logged when it fails (as `ResourceManager`'s). */
const reclamationRun = (callback: SharedReclamationCallback, missing: number): Effect.Effect<number> =>
  Effect.suspend(() => {
    const result: unknown = callback(missing)
    return typeof result === "number"
      ? Effect.succeed(result)
      : callbackEffect<number>(result, "a reclamation callback")
  }).pipe(
    Effect.catchCause((cause) => Effect.as(Effect.logWarning("reclamation callback failed", Cause.pretty(cause)), 0))
  )

/** A pressure callback's run: a failure is logged (as `ResourceManager`'s). */
const pressureRun = (callback: PressureCallback, event: PressureEvent): Effect.Effect<void> =>
  Effect.suspend(() => {
    const result: unknown = callback(event)
    return result === undefined ? Effect.void : callbackEffect<void>(result, "a pressure callback")
  }).pipe(Effect.catchCause((cause) => Effect.logWarning("pressure callback failed", Cause.pretty(cause))))

/**
 * The reclamation callback the plain manager calls (synchronously): runs the callback's Effect at once, as far
 * as it goes without waiting, and answers its claim (0 when it has not finished: it runs on).
 */
const plainReclamationCallback =
  (callback: SharedReclamationCallback, context: Context.Context<never>) =>
  (missing: number): number => {
    const exit = Effect.runForkWith(context)(reclamationRun(callback, missing)).pollUnsafe()
    return exit !== undefined && Exit.isSuccess(exit) ? exit.value : 0
  }

/**
 * The pressure callbacks registered through the service and the runs of their Effects, in this thread, one after
 * another in the order the plain manager delivers them (`ResourceManager`'s order): a run starts in the step that
 * delivers its event when none is in progress, and goes as far as it can synchronously; one that must wait holds
 * the later ones until it ends. A callback registered twice is one plain callback registered twice (it gets each
 * event once, as on both managers).
 */
class PressureCallbacks {
  private readonly plain = new Map<
    PressureCallback,
    { readonly deliver: (event: PressureEvent) => void; count: number }
  >()
  private readonly queue: Array<() => Fiber.Fiber<void>> = []
  private running = false
  /** The fiber of the run in progress, if any. */
  private current: Fiber.Fiber<void> | undefined

  /** The plain callback standing for `callback` (its registration counted); a non-function as it is. */
  register(callback: PressureCallback, context: Context.Context<never>): (event: PressureEvent) => void {
    if (typeof callback !== "function") return callback // the plain manager refuses it, after its own checks
    let entry = this.plain.get(callback)
    if (entry === undefined) {
      entry = { deliver: (event) => this.run(callback, event, context), count: 0 }
      this.plain.set(callback, entry)
    }
    entry.count++
    return entry.deliver
  }

  /** One registration of `callback` ended (or failed). */
  unregister(callback: PressureCallback): void {
    const entry = this.plain.get(callback)
    if (entry !== undefined && --entry.count === 0) this.plain.delete(callback)
  }

  private run(callback: PressureCallback, event: PressureEvent, context: Context.Context<never>): void {
    this.queue.push(() =>
      Effect.runForkWith(context)(
        Effect.withFiber((self) => {
          this.current = self as Fiber.Fiber<void> // known while it runs synchronously too
          return pressureRun(callback, event)
        })
      )
    )
    if (!this.running) this.next()
  }

  /** Starts the queued runs until one must wait (its end calls this again) or none is left. */
  private next(): void {
    this.running = true
    for (let start = this.queue.shift(); start !== undefined; start = this.queue.shift()) {
      const fiber = start()
      if (fiber.pollUnsafe() === undefined) {
        this.current = fiber
        fiber.addObserver(() => this.next())
        return
      }
    }
    this.current = undefined
    this.running = false
  }

  /** Waits until no run is in progress or queued; at once from inside a run (it would wait for itself). */
  readonly idle: Effect.Effect<void> = Effect.withFiber((self) => {
    const current = this.current
    if (!this.running || current === undefined || current === self) return Effect.void
    return Effect.andThen(Fiber.await(current), this.idleAgain)
  })

  private readonly idleAgain: Effect.Effect<void> = Effect.suspend(() => this.idle)
}

/**
 * The subscriptions of `pressureEvents`, each a manager callback feeding its stream's queue, registered while
 * the stream runs; `end` (at the Layer's close, after the manager's) ends every stream, and a later one at once.
 */
class PressureSubscriptions {
  private ended = false
  private readonly queues = new Set<Queue.Queue<PressureEvent, Cause.Done>>()

  constructor(private readonly manager: SharedResourceManager) {}

  /** The stream of one subscription. */
  readonly stream: Stream.Stream<PressureEvent> = Stream.callback<PressureEvent>((queue) =>
    Effect.acquireRelease(
      Effect.sync(() => this.subscribe(queue)),
      (registration) => Effect.sync(() => this.unsubscribe(queue, registration))
    )
  )

  private subscribe(queue: Queue.Queue<PressureEvent, Cause.Done>): Disposable | undefined {
    if (this.ended) {
      Queue.endUnsafe(queue)
      return undefined
    }
    try {
      const registration = this.manager.registerPressureCallback((event) => Queue.offerUnsafe(queue, event))
      this.queues.add(queue)
      return registration
    } catch {
      // closed meanwhile (by the creating thread, for every thread): nothing more will come
      Queue.endUnsafe(queue)
      return undefined
    }
  }

  private unsubscribe(queue: Queue.Queue<PressureEvent, Cause.Done>, registration: Disposable | undefined): void {
    this.queues.delete(queue)
    registration?.[Symbol.dispose]()
  }

  /** Ends every stream (after the events already in its queue) and every later one at once. */
  end(): void {
    this.ended = true
    for (const queue of this.queues) Queue.endUnsafe(queue)
    this.queues.clear()
  }
}

const makeService = (
  manager: SharedResourceManager,
  pressure: PressureSubscriptions,
  callbacks: PressureCallbacks
): SharedResourcesService => ({
  manager,
  // the overloads' channels narrow `SharedAcquireError` by the mode the options give, which the run time follows
  acquire: (<T>(first: ResourceMetadata | string, second?: unknown, third?: unknown) =>
    acquireEither<T>(manager, first, second, third)) as SharedResourcesService["acquire"],
  use: (<T, A, E, R>(first: ResourceMetadata | string, second: unknown, third?: unknown, fourth?: unknown) => {
    const named = typeof first === "string"
    const body = (named ? third : second) as (resource: SharedResource<T>) => Effect.Effect<A, E, R>
    if (typeof body !== "function") {
      return Effect.fail(new InvalidArgument({ argument: "body", issue: `expected a function, got ${show(body)}` }))
    }
    const acquired = named
      ? acquireEither<T>(manager, first, second, fourth)
      : acquireEither<T>(manager, first, third, undefined)
    return Effect.scoped(Effect.flatMap(acquired, (resource) => bodyEffect(body(resource))))
  }) as SharedResourcesService["use"],
  metadata: (handle) => attempt(() => manager.metadata(handle)),
  share: (handle, options) =>
    Effect.acquireRelease(
      attempt(() => manager.share(handle, options)),
      release
    ),
  release: (handle) => attempt(() => manager.release(handle)),
  find: (name) => attempt(() => manager.find(name)),
  info: (handle) => attempt(() => manager.info(handle)),
  setBudget: (type, budget) => attempt(() => manager.setBudget(type, budget)),
  getBudget: (type) => attempt(() => manager.getBudget(type)),
  removeBudget: (type) => attempt(() => manager.removeBudget(type)),
  getResourceStats: (type) => attempt(() => manager.getResourceStats(type)),
  threadStats: (thread) => attempt(() => manager.threadStats(thread)),
  audit: Effect.sync(() => manager.audit()),
  pressureEvents: pressure.stream,
  registerPressureCallback: (callback) =>
    Effect.flatMap(Effect.context<never>(), (context) =>
      registered(
        () => {
          const plain = callbacks.register(callback, context)
          try {
            return manager.registerPressureCallback(plain)
          } catch (error) {
            callbacks.unregister(callback)
            throw error
          }
        },
        // the plain disposal delivered the pending events: their Effects end, then the registration is gone
        Effect.andThen(
          callbacks.idle,
          Effect.sync(() => callbacks.unregister(callback))
        )
      )
    ),
  registerReclamationCallback: (type, callback) =>
    Effect.flatMap(Effect.context<never>(), (context) =>
      registered(() =>
        manager.registerReclamationCallback(
          type,
          typeof callback === "function" ? plainReclamationCallback(callback, context) : callback
        )
      )
    )
})

/** What a `use` body returned, when it is an Effect; else `InvalidArgument body` (as `ResourceManager.use`). */
const bodyEffect = <A, E, R>(returned: Effect.Effect<A, E, R>): Effect.Effect<A, E | InvalidArgument, R> =>
  Effect.isEffect(returned)
    ? returned
    : Effect.fail(new InvalidArgument({ argument: "body", issue: "returned something that is not an Effect" }))

/**
 * The shared manager service. {@link SharedResources.layer} creates the manager in this thread (closing the Layer
 * closes it for every thread and logs the leaks per thread); {@link SharedResources.layerAttach} attaches a
 * worker (closing the Layer detaches it, releasing its holdings).
 *
 * @example
 * ```ts
 * // worker.ts: the same service on the creator's ledger
 * import { Effect } from "effect"
 * import { SharedResources, type SharedManagerDescriptor } from "@flight-hal/resources"
 *
 * self.onmessage = (event: MessageEvent<SharedManagerDescriptor>) =>
 *   Effect.runPromise(
 *     Effect.scoped(
 *       Effect.gen(function*() {
 *         const shared = yield* SharedResources
 *         yield* shared.acquire({ type: "Memory", sizeBytes: 4096 }, { mode: "Blocking" })
 *       })
 *     ).pipe(Effect.provide(SharedResources.layerAttach(event.data)))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category services
 */
export class SharedResources extends SharedResourcesBase {
  /** Creates a shared manager in this thread; the Layer's close closes it for every thread. */
  static readonly layer = (
    config: SharedManagerConfig = {}
  ): Layer.Layer<SharedResources, InvalidArgument | InvalidBudget | SharedMemoryUnavailable> =>
    Layer.effect(
      SharedResources,
      scopedManager(() => createSharedResourceManager(config))
    )

  /** Attaches this thread to a shared manager from its descriptor; the Layer's close detaches it. */
  static readonly layerAttach = (
    descriptor: SharedManagerDescriptor,
    options?: SharedAttachOptions
  ): Layer.Layer<SharedResources, InvalidArgument | ManagerClosed | SharedMemoryUnavailable> =>
    Layer.effect(
      SharedResources,
      scopedManager(() => attachSharedResourceManager(descriptor, options))
    )
}

const logLeaks = (label: string, leaks: ReadonlyArray<SharedLeakReport>) =>
  Effect.forEach(leaks, (leak) =>
    Effect.logWarning(
      `flight-hal ${label} leak: ${shownName(leak.name)} ${leak.type} ${leak.sizeBytes} bytes held by thread ${leak.thread}`
    )
  )

/**
 * The manager in the Layer's scope: the close closes (or detaches) it, waits for the pressure callbacks' Effects
 * of the close's own events, then ends the `pressureEvents` streams, so each ends after those events.
 */
const scopedManager = <E>(open: () => SharedResourceManager) =>
  Effect.map(
    Effect.acquireRelease(
      Effect.map(attempt<SharedResourceManager, E>(open), (manager) => ({
        manager,
        pressure: new PressureSubscriptions(manager),
        callbacks: new PressureCallbacks()
      })),
      ({ manager, pressure, callbacks }) =>
        Effect.sync(() => manager.close()).pipe(
          Effect.flatMap((leaks) => logLeaks(manager.label, leaks)),
          Effect.andThen(callbacks.idle),
          Effect.andThen(Effect.sync(() => pressure.end()))
        )
    ),
    ({ manager, pressure, callbacks }) => makeService(manager, pressure, callbacks)
  )
