/**
 * The Effect `ResourceManager` service and its Layer: RAII acquisition released when the Scope closes,
 * the four acquisition modes, reclamation callbacks, pressure events (PubSub/Stream and scoped callbacks),
 * budgets, stats and Metrics, sharing, dependencies, deadlock detection for sequential drivers, and leak
 * reports at close.
 *
 * @module
 */
import {
  type AcquireTimeout,
  AcquisitionModeNames,
  type AlreadyShared,
  type BudgetExceeded,
  type DeadlockDetected,
  type DependencyCycle,
  type DependencyNotLive,
  InvalidArgument,
  type InvalidBudget,
  type InvalidMetadata,
  type ManagerClosed,
  type NotHolder,
  type NotShareable,
  type ResourceBudget,
  type ResourceBusy,
  type ResourceHandle,
  type ResourceMetadata,
  type ResourceNotFound,
  type ResourcePressure,
  type ResourceTypeName,
  type StaleHandle
} from "@flight-hal/core"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as PubSub from "effect/PubSub"
import * as Scope from "effect/Scope"
import * as Semaphore from "effect/Semaphore"
import * as Stream from "effect/Stream"
import { captureSite } from "./internal/call-site.ts"
import { type AcquireRequest, Core, Reclaiming, type Step } from "./internal/core.ts"
import { durationMillis } from "./internal/duration-millis.ts"
import { countLeaks, followPools, registerManagerMetrics } from "./internal/effect-metrics.ts"
import { evaluatedByStep } from "./internal/effect-step.ts"
import { runHookEffect } from "./internal/hook-effect.ts"
import { defineInspect, describeManager } from "./internal/inspect.ts"
import { introspect, type WaitGraph, waitGraphOf } from "./internal/introspection.ts"
import { type AttachedCore, attachCore } from "./internal/manager-core.ts"
import { Registrations } from "./internal/registrations.ts"
import { addFinalizerNow } from "./internal/scope-finalizer.ts"
import { show, shownName } from "./internal/show.ts"
import { isThenable } from "./internal/thenable.ts"
import { WaitingRequest } from "./internal/transitions.ts"
import { copyConfig, copyMetadata, validateAcquireOptions } from "./internal/validate.ts"
import type { ManagerPools } from "./ManagerPools.ts"
import type { DriverConfig, ManagerConfigError, ProfileOption, ResourceManagerConfig } from "./ResourceManagerConfig.ts"
import { type DefaultPayload, ResourceRef, type ScopedResource, type SharedHandle } from "./ResourceRef.ts"
import type {
  DriverStats,
  LeakReport,
  ManagerSnapshot,
  PressureEvent,
  ResourceInfo,
  ResourceStats
} from "./ResourceStats.ts"

/**
 * How an acquisition behaves when the request does not fit (see docs/semantics.md): `NonBlocking` (default) fails
 * with BudgetExceeded, `Blocking` waits (interruptible), `Timeout` waits at most `timeout` then fails with
 * AcquireTimeout, `Emergency` is admitted over budget.
 *
 * @since 0.1.0
 * @category models
 */
export type AcquireMode = "NonBlocking" | "Blocking" | "Timeout" | "Emergency"

/**
 * Options of an acquisition: the fields of {@link AcquireOptionFields}, and what the mode `M` asks of the timeout
 * ({@link TimeoutOfMode}): mode `Timeout` takes `timeout` and requires it, every other mode refuses it, and options
 * without a `mode` (the default, NonBlocking) take none. `M` is inferred from `mode` where the options are written;
 * with `M` every mode (the default, or a `mode` whose type is a union) a written `mode` takes a `timeout` (checked at
 * run time only).
 *
 * @example
 * ```ts
 * import type { AcquireOptions } from "@flight-hal/resources"
 *
 * const options: AcquireOptions<Float32Array> = {
 *   mode: "Timeout",
 *   timeout: "50 millis",
 *   owner: "audio",
 *   create: (metadata) => new Float32Array(metadata.sizeBytes / 4)
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type AcquireOptions<T, M extends AcquireMode = AcquireMode> = AcquireOptionFields<T, M> & TimeoutOfMode<M>

/**
 * The fields of {@link AcquireOptions}. Every optional field may be `undefined`, which means the default, as when
 * it is left out.
 *
 * @since 0.1.0
 * @category models
 */
export interface AcquireOptionFields<T, M extends AcquireMode = AcquireMode> {
  /** Default `NonBlocking`. */
  readonly mode?: M | undefined
  /**
   * The longest wait of `Timeout` mode (required by it, refused by the others): finite, ≥ 0, ≤ 2^31 − 1 ms. Its
   * type is `undefined` when the mode is known and is not `Timeout` (`{ mode: "Blocking", timeout: "1 second" }`
   * does not compile: the manager refuses it with `InvalidArgument`).
   */
  readonly timeout?: ("Timeout" extends M ? Duration.Input : never) | undefined
  /** The owner driver (default: the config's `defaultDriver`, `"app"`). */
  readonly owner?: string | undefined
  /** Makes the payload (called on first access); default: a pool block's view or a Uint8Array for Memory, else undefined. */
  readonly create?: ((metadata: ResourceMetadata) => T) | undefined
  /**
   * Destroys the payload when the resource is freed (after its last holder and dependents). It may return an
   * Effect (a `void` result accepts one), which is run (forked at once: its synchronous part within the release, the rest not waited for; a
   * failure is dropped as a throw is swallowed).
   */
  readonly destroy?: ((payload: T) => void) | undefined
}

/**
 * What the mode `M` asks of an acquisition's `timeout` (docs/semantics.md section 5: a timeout is required with
 * mode `Timeout` and refused with every other): with `M` exactly `Timeout`, `mode: "Timeout"` and a `timeout` are
 * required (`{ mode: "Timeout" }` alone does not compile); with `M` every mode or a union of modes with `Timeout`,
 * options without a `mode` take no `timeout` (`{ timeout: "1 second" }` does not compile: the default mode,
 * NonBlocking, refuses it); with any other `M`, nothing (`AcquireOptionFields` types the timeout `undefined`).
 *
 * @example
 * ```ts
 * import type { TimeoutOfMode } from "@flight-hal/resources"
 *
 * const timed: TimeoutOfMode<"Timeout"> = { mode: "Timeout", timeout: "50 millis" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type TimeoutOfMode<M extends AcquireMode> = [M] extends [never]
  ? unknown
  : [M] extends ["Timeout"]
    ? { readonly mode: "Timeout"; readonly timeout: Duration.Input }
    : "Timeout" extends M
      ? { readonly mode: M } | { readonly mode?: undefined; readonly timeout?: undefined }
      : unknown

/**
 * The errors of an acquisition.
 *
 * @since 0.1.0
 * @category errors
 */
export type AcquireError =
  | InvalidMetadata
  | InvalidArgument
  | DependencyNotLive
  | BudgetExceeded
  | ResourceBusy
  | DeadlockDetected
  | AcquireTimeout
  | ManagerClosed

/**
 * The errors an acquisition in mode `M` can end with: bad input and a closed manager in every mode, then
 * NonBlocking `BudgetExceeded | ResourceBusy`; Emergency `ResourceBusy | BudgetExceeded` (BudgetExceeded only past
 * the usage bound: usage + size above 2^53 − 1, where bytes are no longer counted exactly); Blocking
 * `BudgetExceeded` (an impossible request, or a budget lowered while waiting) `| DeadlockDetected`; Timeout the
 * same plus `AcquireTimeout`.
 *
 * @example
 * ```ts
 * import type { AcquireErrorOf } from "@flight-hal/resources"
 *
 * type E = AcquireErrorOf<"Emergency"> // InvalidMetadata | … | ResourceBusy | BudgetExceeded
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export type AcquireErrorOf<M extends AcquireMode> =
  | InvalidMetadata
  | InvalidArgument
  | DependencyNotLive
  | ManagerClosed
  | (M extends "NonBlocking"
      ? BudgetExceeded | ResourceBusy
      : M extends "Emergency"
        ? ResourceBusy | BudgetExceeded
        : M extends "Blocking"
          ? BudgetExceeded | DeadlockDetected
          : BudgetExceeded | DeadlockDetected | AcquireTimeout)

/**
 * A reclamation callback: told the bytes still missing, frees what it can (by releasing resources) and
 * returns the bytes it claims to have freed. The claim is informational: admission re-checks the real usage,
 * so only bytes really released count.
 *
 * @since 0.1.0
 * @category models
 */
export type ReclamationCallback = (missingBytes: number) => Effect.Effect<number, unknown>

/**
 * A pressure callback; a failure or a throw is logged and isolated.
 *
 * @since 0.1.0
 * @category models
 */
export type PressureCallback = (event: PressureEvent) => Effect.Effect<void, unknown> | void

/**
 * The resource manager's interface: what `yield* ResourceManager` gives (see {@link ResourceManager} for the
 * Layer). The plain facade's counterpart is {@link PlainResourceManager}.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ResourceManager, type ResourceManagerService } from "@flight-hal/resources"
 *
 * const scratch = (manager: ResourceManagerService) =>
 *   manager.use("scratch", { type: "Memory", sizeBytes: 64 }, (ref) => ref.get)
 * const program = Effect.gen(function* () {
 *   return yield* scratch(yield* ResourceManager)
 * })
 * const bytes = Effect.runSync(program.pipe(Effect.provide(ResourceManager.layer())))
 * bytes.byteLength // 64
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ResourceManagerService {
  /** Acquires a resource (NonBlocking) released when the current Scope closes; Memory payloads are bytes. */
  acquire<const D extends ResourceMetadata>(
    name: string,
    metadata: D
  ): Effect.Effect<ResourceRef<DefaultPayload<D>>, AcquireErrorOf<"NonBlocking">, Scope.Scope>
  /** Acquires a resource released when the current Scope closes; the error channel follows the mode. */
  acquire<const D extends ResourceMetadata, M extends AcquireMode = "NonBlocking">(
    name: string,
    metadata: D,
    options: AcquireOptions<DefaultPayload<D>, M> & { readonly create?: undefined }
  ): Effect.Effect<ResourceRef<DefaultPayload<D>>, AcquireErrorOf<M>, Scope.Scope>
  /**
   * Acquires a resource whose payload is `T` (made by `create`, or as given by the type argument), in the default
   * mode, NonBlocking (no `mode` in the options): the error channel is NonBlocking's.
   */
  acquire<T = Uint8Array>(
    name: string,
    metadata: ResourceMetadata,
    options?: AcquireOptions<T, "NonBlocking"> & { readonly mode?: undefined }
  ): Effect.Effect<ResourceRef<T>, AcquireErrorOf<"NonBlocking">, Scope.Scope>
  /**
   * Acquires a resource whose payload is `T` (made by `create`, or as given by the type argument). With an explicit
   * `T` the mode is not inferred: the error channel is then every mode's, `AcquireError`.
   */
  acquire<T = Uint8Array, M extends AcquireMode = AcquireMode>(
    name: string,
    metadata: ResourceMetadata,
    options?: AcquireOptions<T, M>
  ): Effect.Effect<ResourceRef<T>, AcquireErrorOf<M>, Scope.Scope>
  /** `acquire` returning an untyped ref (a `ScopedResource`: its payload is `unknown`). */
  acquireScoped<M extends AcquireMode = "NonBlocking">(
    name: string,
    metadata: ResourceMetadata,
    options?: AcquireOptions<unknown, M>
  ): Effect.Effect<ScopedResource, AcquireErrorOf<M>, Scope.Scope>
  /**
   * Acquires (NonBlocking: no `mode` in the options), runs `use`, releases — no Scope allocated (the hot path). The
   * payload is the default one of the metadata's type (`DefaultPayload`: bytes for Memory).
   */
  use<const D extends ResourceMetadata, A = unknown, E = never, R = never>(
    name: string,
    metadata: D,
    use: (ref: ResourceRef<DefaultPayload<D>>) => Effect.Effect<A, E, R>,
    options?: AcquireOptions<DefaultPayload<D>, "NonBlocking"> & {
      readonly mode?: undefined
      readonly create?: undefined
    }
  ): Effect.Effect<A, AcquireErrorOf<"NonBlocking"> | E, R>
  /** `use` of a default payload (`DefaultPayload`) in a mode: the error channel follows the mode. */
  use<const D extends ResourceMetadata, A = unknown, E = never, R = never, M extends AcquireMode = "NonBlocking">(
    name: string,
    metadata: D,
    use: (ref: ResourceRef<DefaultPayload<D>>) => Effect.Effect<A, E, R>,
    options: AcquireOptions<DefaultPayload<D>, M> & { readonly create?: undefined }
  ): Effect.Effect<A, AcquireErrorOf<M> | E, R>
  /**
   * `use` of a payload `T` made by `create` (NonBlocking: no `mode` in the options). Let `T` be inferred (from
   * `create`, or from the type of `use`'s parameter): type arguments given explicitly leave the body's error and
   * context types at their defaults (`never`).
   */
  use<T = Uint8Array, A = unknown, E = never, R = never>(
    name: string,
    metadata: ResourceMetadata,
    use: (ref: ResourceRef<T>) => Effect.Effect<A, E, R>,
    options?: AcquireOptions<T, "NonBlocking"> & { readonly mode?: undefined }
  ): Effect.Effect<A, AcquireErrorOf<"NonBlocking"> | E, R>
  /** `use` of a payload `T` made by `create`, in a mode: the error channel follows the mode. */
  use<T = Uint8Array, A = unknown, E = never, R = never, M extends AcquireMode = AcquireMode>(
    name: string,
    metadata: ResourceMetadata,
    use: (ref: ResourceRef<T>) => Effect.Effect<A, E, R>,
    options?: AcquireOptions<T, M>
  ): Effect.Effect<A, AcquireErrorOf<M> | E, R>
  /**
   * Makes `driver` a holder of a live Shareable resource until the Scope closes; the share gives it the
   * payload (`get`) for as long as it holds it. `T` is the payload type (a handle does not carry it).
   */
  share<T = unknown>(handle: ResourceHandle, driver: string): Effect.Effect<SharedHandle<T>, ShareError, Scope.Scope>
  /** The live resource named `name`: its handle, metadata, owner and holders (ResourceNotFound otherwise). */
  find(name: string): Effect.Effect<ResourceInfo, InvalidArgument | ResourceNotFound>
  /** The metadata a resource was acquired with. */
  metadata(handle: ResourceHandle): Effect.Effect<ResourceMetadata, HandleError>
  /**
   * Declares an owner's kind. Without `options`, or with `sequential` left out or `undefined`, it declares a sequential
   * driver (unlike an entry of `config.drivers`, where `{}` is a concurrent owner); `{ sequential: false }` a
   * concurrent owner. A sequential driver gets exact deadlock detection; every other owner is concurrent (see
   * `ResourceManagerConfig.drivers`). InvalidArgument when the owner holds or waits for something and its kind would
   * change.
   */
  registerDriver(driver: string, options?: DriverConfig): Effect.Effect<void, InvalidArgument | ManagerClosed>
  /** Adds a dependency edge between live resources (DependencyCycle when it would close a cycle). */
  addDependency(
    dependent: ResourceHandle,
    dependency: ResourceHandle
  ): Effect.Effect<void, DependencyCycle | DependencyNotLive | HandleError | ManagerClosed>
  /** Releases a Reclaimable resource on its owner's behalf (for reclamation callbacks); the bytes freed. */
  reclaim(handle: ResourceHandle): Effect.Effect<number, NotHolder | HandleError | ManagerClosed>
  /** Sets a type's budget (InvalidBudget leaves it unchanged); waiters that can never fit fail. */
  setBudget(type: ResourceTypeName, budget: ResourceBudget): Effect.Effect<void, InvalidBudget>
  /** A type's budget (frozen), if any. */
  getBudget(type: ResourceTypeName): Effect.Effect<ResourceBudget | undefined, InvalidArgument>
  /** Removes a type's budget (unlimited). */
  removeBudget(type: ResourceTypeName): Effect.Effect<void, InvalidArgument>
  /**
   * Registers a reclamation callback for a type until the Scope closes. It runs on the fiber of the acquisition it
   * reclaims for, and is interrupted with that fiber: the acquisition then ends without being admitted.
   */
  registerReclamationCallback(
    type: ResourceTypeName,
    callback: ReclamationCallback
  ): Effect.Effect<void, InvalidArgument, Scope.Scope>
  /**
   * Pressure level changes, from the moment the stream's subscription is made: a consumer forked now may
   * subscribe after its first yield, so register with `registerPressureCallback` to see every event. The stream
   * ends when the Layer's scope closes, after the events of the releases the close makes; a subscription made
   * after that ends at once.
   */
  readonly pressureEvents: Stream.Stream<PressureEvent>
  /** Registers a pressure callback until the Scope closes (InvalidArgument when it is not a function). */
  registerPressureCallback(callback: PressureCallback): Effect.Effect<void, InvalidArgument, Scope.Scope>
  /**
   * Reacts to an OS-level (system) pressure change (see `layerSystemPressureReclamation`): publishes a
   * pressure event with `source: "system"` (type `Memory`), and when `reclaim` is given, the manager's
   * reclamation runs for every type holding bytes before any budget is hit: free pool blocks are trimmed,
   * then the type's reclamation callbacks are asked, in order, for `reclaim.percent` % of its usage.
   * Fails with InvalidArgument for a `from` or `to` that is not a pressure level, or a `reclaim` without a
   * numeric `percent` (nothing published).
   */
  relieveSystemPressure(
    from: ResourcePressure,
    to: ResourcePressure,
    reclaim?: { readonly percent: number }
  ): Effect.Effect<void, InvalidArgument>
  /** The stats of a type. */
  getResourceStats(type: ResourceTypeName): Effect.Effect<ResourceStats, InvalidArgument>
  /** Every type's stats, live count, drivers and pools (the Metrics are live: read when collected). */
  readonly snapshot: Effect.Effect<ManagerSnapshot>
  /** What one driver holds (InvalidArgument for a driver that is not a non-empty string). */
  driverStats(driver: string): Effect.Effect<DriverStats, InvalidArgument>
  /** The holders of a resource. */
  holders(handle: ResourceHandle): Effect.Effect<ReadonlyArray<string>, HandleError>
  /** The live dependents of a resource. */
  dependents(handle: ResourceHandle): Effect.Effect<ReadonlyArray<ResourceHandle>, HandleError>
  /** The dependencies of a resource. */
  dependencies(handle: ResourceHandle): Effect.Effect<ReadonlyArray<ResourceHandle>, HandleError>
  /**
   * A serializable snapshot of the wait-for graph and the holders, as the dump has it: each resource with its size
   * (`sizeBytes`) and what its type's budget is charged for it (`chargedBytes`).
   */
  readonly waitGraph: Effect.Effect<WaitGraph>
  /** The manager's pools: their capacity is charged to their type's budget. */
  readonly pools: ManagerPools
}

/**
 * The errors of a call that takes a handle: not a handle (`InvalidArgument`), stale, or not a live resource
 * of this manager (another manager's handle included).
 *
 * @since 0.1.0
 * @category errors
 */
export type HandleError = InvalidArgument | StaleHandle | ResourceNotFound

/**
 * The Effect `Config` of the profile a manager runs on: the `FLIGHT_HAL_PROFILE` setting (from the environment
 * with the default `ConfigProvider`): `"auto"` or a built-in profile's name; `undefined` when it is not set.
 *
 * @example
 * ```ts
 * import { ConfigProvider, Effect } from "effect"
 * import { profileConfig } from "@flight-hal/resources"
 *
 * const provider = ConfigProvider.fromUnknown({ FLIGHT_HAL_PROFILE: "dreamcast" })
 * Effect.runSync(profileConfig.parse(provider)) // "dreamcast"
 * ```
 *
 * @since 0.1.0
 * @category config
 */
export const profileConfig: Config.Config<string | undefined> = Config.String("FLIGHT_HAL_PROFILE").pipe(
  Config.withDefault(undefined)
)

/**
 * The errors of `share`.
 *
 * @since 0.1.0
 * @category errors
 */
export type ShareError = NotShareable | AlreadyShared | DeadlockDetected | HandleError | ManagerClosed

const ResourceManagerBase: Context.ServiceClass<
  ResourceManager,
  "@flight-hal/resources/ResourceManager",
  ResourceManagerService
> = Context.Service<ResourceManager, ResourceManagerService>()("@flight-hal/resources/ResourceManager")

/**
 * The resource manager service: the `Context` key of a {@link ResourceManagerService}, built by
 * {@link ResourceManager.layer}. `yield* ResourceManager` gives the service; its operations are
 * {@link ResourceManagerService.acquire | acquire} (released when the Scope closes),
 * {@link ResourceManagerService.use | use} (acquire, run, release, no Scope),
 * {@link ResourceManagerService.acquireScoped | acquireScoped},
 * {@link ResourceManagerService.share | share} (another driver's hold), {@link ResourceManagerService.find | find},
 * {@link ResourceManagerService.setBudget | setBudget},
 * {@link ResourceManagerService.registerReclamationCallback | registerReclamationCallback},
 * {@link ResourceManagerService.pressureEvents | pressureEvents}, {@link ResourceManagerService.snapshot | snapshot}
 * and {@link ResourceManagerService.waitGraph | waitGraph}: see {@link ResourceManagerService} for all of them.
 * Without Effect, use {@link createResourceManager}.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ResourceManager } from "@flight-hal/resources"
 *
 * const layer = ResourceManager.layer({
 *   budgets: { Memory: { maxBytes: 1 << 20, reservedBytes: 1 << 16, warningPercent: 75, criticalPercent: 90 } }
 * })
 *
 * const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     const manager = yield* ResourceManager
 *     const ref = yield* manager.acquire("buffer", { type: "Memory", sizeBytes: 4096 })
 *     return ref.handle
 *   })
 * ).pipe(Effect.provide(layer))
 * ```
 *
 * @since 0.1.0
 * @category services
 */
export class ResourceManager extends ResourceManagerBase {
  /** A Layer building the manager from a config; closing it releases and reports every leak. */
  static readonly layer = (config: ResourceManagerConfig = {}): Layer.Layer<ResourceManager, ManagerConfigError> =>
    Layer.effect(ResourceManager, make(config))

  /**
   * {@link ResourceManager.layer} with the profile read from Effect's `Config` ({@link profileConfig}:
   * `FLIGHT_HAL_PROFILE` in the environment). The setting, when present, wins over `config.profile`; without
   * either the manager runs on `"auto"`. An unknown name fails with `UnknownProfile`.
   *
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import { ResourceManager } from "@flight-hal/resources"
   *
   * // FLIGHT_HAL_PROFILE=dreamcast bun app.ts
   * const program = Effect.gen(function*() {
   *   const manager = yield* ResourceManager
   *   return (yield* manager.snapshot).profile?.name
   * }).pipe(Effect.provide(ResourceManager.layerConfig()))
   * ```
   */
  static readonly layerConfig = (
    config: ResourceManagerConfig = {}
  ): Layer.Layer<ResourceManager, ManagerConfigError | Config.ConfigError> =>
    Layer.effect(
      ResourceManager,
      Effect.flatMap(profileConfig, (profile) => {
        const copied = copyConfig(config)
        if (copied instanceof InvalidArgument) return Effect.fail(copied)
        const c = copied.config
        if (typeof c !== "object" || c === null || Array.isArray(c)) return make(c)
        const given = (c as ResourceManagerConfig).profile
        return make({ ...c, profile: (profile as ProfileOption | undefined) ?? given ?? "auto" })
      })
    )
}

/** A core call as an Effect: its error values fail, anything else succeeds. */
const sync = <X>(call: () => X): Effect.Effect<Exclude<X, Error>, Extract<X, Error>> =>
  Effect.suspend(() => {
    const result = call()
    return result instanceof Error
      ? Effect.fail(result as Extract<X, Error>)
      : Effect.succeed(result as Exclude<X, Error>)
  })

type EffectCore = Core<ReclamationCallback>

/** Runs a step to its end: reclamation callbacks as Effects (failures isolated), waits as fibers. */
const drive = (
  core: EffectCore,
  step: Step<ReclamationCallback>,
  waitMillis: number
): Effect.Effect<number, AcquireError> => {
  if (typeof step === "number") return Effect.succeed(step)
  if (step instanceof Reclaiming) {
    // the callback is interruptible, an acquisition's too (the rest of it is not): interrupted, the run ends there
    // (its type may reclaim again), the request is never admitted and counts no failure, and a payback run gives
    // its admission back
    const callback = Effect.onInterrupt(Effect.interruptible(runReclaimer(step)), () =>
      Effect.sync(() => step.abandon())
    )
    return Effect.flatMap(callback, () => drive(core, step.advance(), waitMillis))
  }
  if (step instanceof WaitingRequest) return waitFor(core, step, waitMillis)
  return Effect.fail(step)
}

// The wait is the only interruptible part: its outcome is recorded by the core the moment it is settled, and
// an interruption gives a grant back (or leaves the queue) before the acquisition ends.
const waitFor = (core: EffectCore, waiter: WaitingRequest, waitMillis: number): Effect.Effect<number, AcquireError> => {
  const ended = Effect.callback<void>((resume) => waiter.onEnd(() => resume(Effect.void)))
  const bounded = waitMillis < 0 ? ended : Effect.raceFirst(ended, Effect.sleep(Duration.millis(waitMillis)))
  return Effect.interruptible(bounded).pipe(
    Effect.onInterrupt(() => Effect.sync(() => core.abandon(waiter))),
    Effect.flatMap(() =>
      Effect.suspend((): Effect.Effect<number, AcquireError> => {
        const outcome = core.outcome(waiter)
        return typeof outcome === "number" ? Effect.succeed(outcome) : Effect.fail(outcome as AcquireError)
      })
    )
  )
}

/**
 * An acquisition as far as it goes synchronously: the bound ref when admitted at once, else the Effect finishing it.
 * `site` is the acquisition site (`captureAcquisitionSite`), taken where the acquisition's Effect was made; a
 * manager with the option admits nothing in one step (`admitAtOnce` declines: it captures no site).
 */
const startAcquire = <T>(
  core: EffectCore,
  name: string,
  input: ResourceMetadata,
  options: AcquireOptions<T> | undefined,
  site: string | undefined
): ResourceRef<T> | Effect.Effect<ResourceRef<T>, AcquireError> => {
  const metadata = copyMetadata(input, core.metadataMemo) // read once, for whichever path admits it
  if (options === undefined) {
    // the common case in one step; anything else takes the general path
    const ref = core.acquireAtOnce<T>(name, metadata)
    if (ref !== undefined) return ref
  }
  return startRequest(core, name, metadata, options, site)
}

/** The general path of an acquisition: the options and the request validated, then the admission's first step. */
const startRequest = <T>(
  core: EffectCore,
  name: string,
  metadata: unknown,
  options: AcquireOptions<T> | undefined,
  site: string | undefined
): ResourceRef<T> | Effect.Effect<ResourceRef<T>, AcquireError> => {
  const settings = validateAcquireOptions(options, AcquisitionModeNames, "NonBlocking", "timeout", durationMillis)
  if (settings instanceof InvalidArgument) return Effect.fail(settings)
  const request = core.request(name, metadata, settings.mode, settings.owner, true, site)
  if (!("type" in request)) return Effect.fail(request)
  const create = settings.create as ((metadata: ResourceMetadata) => T) | undefined
  const destroy = settings.destroy as ((payload: T) => void) | undefined
  const step = core.start(request)
  if (typeof step === "number") return core.bind(step, request, create, destroy)
  return bindWhenDriven(core, drive(core, step, settings.waitMillis), request, create, destroy)
}

// The closures of the slow paths live in functions of their own: a function that makes a closure allocates its
// variables' environment on every call, the fast path's calls too, unless JavaScriptCore's optimizing tier sinks it
// (two cells per acquisition the fast path did not need: docs/manager.md, "Allocations per acquisition").

/** The ref of an admission that waited or reclaimed first. */
const bindWhenDriven = <T>(
  core: EffectCore,
  driven: Effect.Effect<number, AcquireError>,
  request: AcquireRequest,
  create: ((metadata: ResourceMetadata) => T) | undefined,
  destroy: ((payload: T) => void) | undefined
): Effect.Effect<ResourceRef<T>, AcquireError> =>
  Effect.map(driven, (slot) => core.bind(slot, request, create, destroy))

// Effect.acquireRelease's work by hand. Admitted at once: the release is registered in the same synchronous step
// (no interruption can come between); otherwise uninterruptible from the wait's end to the registration. With
// `captureAcquisitionSite` the site is the stack of this call, where the acquisition's Effect is made (as
// `Effect.fn` takes its call site), not the fiber's that runs it.
const scopedAcquire =
  (core: EffectCore) =>
  <T, M extends AcquireMode>(name: string, metadata: ResourceMetadata, options?: AcquireOptions<T>) => {
    const site = core.captureSites ? captureSite() : undefined
    return Effect.withFiber((fiber) => {
      const scope = Context.getUnsafe(fiber.context, Scope.Scope)
      const started = startAcquire(core, name, metadata, options, site)
      if (started instanceof ResourceRef) return registerRelease(scope, started)
      return registerWhenAcquired(scope, started)
    }) as Effect.Effect<ResourceRef<T>, AcquireErrorOf<M>, Scope.Scope>
  }

/** An acquisition that waited or reclaimed first: uninterruptible from the wait's end to the registration. */
const registerWhenAcquired = <T>(
  scope: Scope.Scope,
  started: Effect.Effect<ResourceRef<T>, AcquireError>
): Effect.Effect<ResourceRef<T>, AcquireError> =>
  Effect.uninterruptible(Effect.flatMap(started, (ref) => registerRelease(scope, ref)))

/**
 * Registers the ref's release with the scope (released at once when the scope is closed already). The
 * finalizer releases when the scope calls it, which it does at the finalizer's turn in the close, so a plain
 * call stands for an `Effect.sync` (one Effect less per acquisition).
 */
const registerRelease = <T>(scope: Scope.Scope, ref: ResourceRef<T>): Effect.Effect<ResourceRef<T>> => {
  if (!addFinalizerNow(scope, ref, releaseInScope.bind(ref))) ref.release()
  return Effect.succeed(ref)
}

/** A scope's finalizer for a ref (bound to it): one bound function per acquisition instead of a closure and its scope. */
function releaseInScope(this: ResourceRef<unknown>): Effect.Effect<void> {
  this.release()
  return Effect.void
}

// Effect.acquireUseRelease's work by hand, in three fiber steps on the fast path: an exit frame (no ref yet:
// an interruption or a yield before the acquisition releases nothing), then the acquisition and the body in one
// step, so the release is in place before any interruption or yield can come. The release is a plain call, not
// an Effect. Two Effect primitives of their own stand for a `suspend` and a `withFiber` with
// their closures: a `use` call is one `UseCall`, each of its runs one `UseRun`.
const useResource =
  (core: EffectCore) =>
  <T, A, E, R, M extends AcquireMode>(
    name: string,
    metadata: ResourceMetadata,
    body: (ref: ResourceRef<T>) => Effect.Effect<A, E, R>,
    options?: AcquireOptions<T>
  ): Effect.Effect<A, AcquireErrorOf<M> | E, R> =>
    // checked before anything is acquired, as the facade's `use` does; the site is the stack of the `use` call
    typeof body !== "function"
      ? (notAFunction() as Effect.Effect<never, AcquireErrorOf<M>>)
      : (new UseCall(
          core,
          name,
          metadata,
          body,
          options,
          core.captureSites ? captureSite() : undefined
        ) as unknown as Effect.Effect<A, AcquireErrorOf<M> | E, R>)

/** What `use` fails with when its body is not a function. */
const notAFunction = () => Effect.fail(new InvalidArgument({ argument: "body", issue: "expected a function" }))

/** A `use` call: the Effect the caller runs (any number of times, concurrently too). */
class UseCall<T, A, E, R> {
  constructor(
    readonly core: EffectCore,
    readonly name: string,
    readonly metadata: ResourceMetadata,
    readonly body: (ref: ResourceRef<T>) => Effect.Effect<A, E, R>,
    readonly options: AcquireOptions<T> | undefined,
    /** The acquisition site (`captureAcquisitionSite`): where `use` was called, the Effect made. */
    readonly site: string | undefined
  ) {}

  /** A run: its release frame first, then the run itself. */
  step(): Effect.Effect<A, AcquireError | E, R> {
    const run = new UseRun(this)
    // not `interruptible: true`: an interrupted fiber unwinds past the frames that are, so `finish` would not run
    return Effect.onExitPrimitive(run as unknown as Effect.Effect<A, AcquireError | E, R>, run.finish)
  }
}

/** One run of a `use` call: the acquisition and the body; `finish` releases what it holds (once, on any exit). */
class UseRun<T, A, E, R> {
  private held: ResourceRef<T> | undefined = undefined

  constructor(private readonly call: UseCall<T, A, E, R>) {}

  /** The exit frame's finalizer: releases the ref (nothing when the run ended before it held one). */
  readonly finish = (): undefined => {
    this.held?.release()
    return undefined
  }

  /** Acquires, then runs the body (a body that throws dies, and `finish` releases). */
  step(): Effect.Effect<A, AcquireError | E, R> {
    const call = this.call
    const started = startAcquire(call.core, call.name, call.metadata, call.options, call.site)
    if (started instanceof ResourceRef) {
      this.held = started
      return bodyEffect(call.body(started))
    }
    return this.whenAcquired(started)
  }

  /**
   * An acquisition that waited or reclaimed first: from the wait's end to the hold, uninterruptible (the body runs
   * as the caller's region does).
   */
  private whenAcquired(started: Effect.Effect<ResourceRef<T>, AcquireError>): Effect.Effect<A, AcquireError | E, R> {
    const body = this.call.body
    return Effect.uninterruptibleMask((restore) =>
      Effect.flatMap(started, (ref) => {
        this.held = ref
        return restore(bodyEffect(body(ref)))
      })
    )
  }
}

evaluatedByStep(UseCall, "ResourceManager.use")
evaluatedByStep(UseRun, "ResourceManager.use run")

/** What a `use` body returned, when it is an Effect; else `InvalidArgument body` (the run's frame releases). */
const bodyEffect = <A, E, R>(returned: Effect.Effect<A, E, R>): Effect.Effect<A, E | InvalidArgument, R> =>
  Effect.isEffect(returned)
    ? returned
    : Effect.fail(new InvalidArgument({ argument: "body", issue: "returned something that is not an Effect" }))

const make = (given: unknown) =>
  Effect.gen(function* () {
    // read once: the core and this front end read only the copy
    const copied = copyConfig(given)
    if (copied instanceof InvalidArgument) return yield* Effect.fail(copied)
    const config = copied.config as ResourceManagerConfig
    const clock = yield* Clock.Clock
    const made = Core.make<ReclamationCallback>(config, () => clock.currentTimeMillisUnsafe())
    if (!(made instanceof Core)) return yield* Effect.fail(made)
    const core = made
    core.runEffect = runHookEffect // an Effect a `destroy` hook returns is run (docs/semantics.md, section 14)
    const attached: AttachedCore = { core, label: config.label }
    const poolsChanged = yield* registerManagerMetrics(attached) // live metrics, read from the core when collected
    const pubsub = yield* PubSub.unbounded<PressureEvent>()
    const callbacks = new Registrations<PressureCallback>()
    const pressureWake = yield* PubSub.unbounded<void>()
    core.onPressureEvent = (event) => PubSub.publishUnsafe(pubsub, event)
    core.pressureWanted = () => callbacks.size > 0
    core.onPressurePending = () => PubSub.publishUnsafe(pressureWake, undefined)

    // One drain at a time (a one-permit semaphore) keeps the order; closing a registration or the Layer drains
    // first, so every event published before it reaches the callbacks registered then. A drain asked for from
    // inside a callback (a callback that closes the Layer) returns at once: the drain in progress goes on.
    let drainer: unknown
    const deliverPending: Effect.Effect<void> = Effect.whileLoop({
      while: () => core.pendingPressure.length > 0,
      body: () => {
        const event = core.pendingPressure.shift() as PressureEvent
        return Effect.forEach(callbacks.values(), (callback) => runPressureCallback(callback, event), { discard: true })
      },
      step: () => {}
    })
    const delivering = Semaphore.makeUnsafe(1)
    const drainPressure: Effect.Effect<void> = Effect.withFiber((fiber) =>
      fiber === drainer
        ? Effect.void
        : delivering.withPermits(1)(
            Effect.suspend(() => {
              drainer = fiber
              return Effect.ensuring(
                deliverPending,
                Effect.sync(() => {
                  drainer = undefined
                })
              )
            })
          )
    )
    const wakeUps = yield* PubSub.subscribe(pressureWake)
    yield* Effect.forkScoped(Effect.forever(Effect.andThen(PubSub.take(wakeUps), drainPressure)))

    const acquire = scopedAcquire(core)
    const service: ResourceManagerService = {
      pools: followPools(core.pools, poolsChanged), // a pool's series follow it at once
      acquire: acquire as ResourceManagerService["acquire"],
      acquireScoped: (name, metadata, options) =>
        acquire(name, metadata, options as AcquireOptions<unknown> | undefined),
      use: useResource(core) as ResourceManagerService["use"],
      share: <T>(handle: ResourceHandle, driver: string) =>
        Effect.acquireRelease(
          sync(() => core.share<T>(handle, driver)),
          (shared) => Effect.sync(() => shared.release())
        ),
      find: (name) => sync(() => core.find(name)),
      metadata: (handle) => sync(() => core.metadataOf(handle)),
      registerDriver: (driver, options) => Effect.asVoid(sync(() => core.registerDriver(driver, options))),
      addDependency: (dependent, dependency) => Effect.asVoid(sync(() => core.addDependency(dependent, dependency))),
      reclaim: (handle) => sync(() => core.reclaim(handle)),
      setBudget: (type, budget) => Effect.asVoid(sync(() => core.setBudget(type, budget))),
      getBudget: (type) => sync(() => core.getBudget(type)),
      removeBudget: (type) => Effect.asVoid(sync(() => core.removeBudget(type))),
      registerReclamationCallback: (type, callback) =>
        Effect.asVoid(
          Effect.acquireRelease(
            sync(() => core.addReclaimer(type, callback)),
            (remove) => Effect.sync(remove)
          )
        ),
      pressureEvents: Stream.fromPubSub(pubsub),
      registerPressureCallback: (callback) =>
        Effect.acquireRelease(
          sync(() =>
            typeof callback === "function"
              ? callbacks.add(callback)
              : new InvalidArgument({ argument: "callback", issue: "expected a function" })
          ),
          () =>
            Effect.andThen(
              drainPressure,
              Effect.sync(() => callbacks.remove(callback))
            )
        ),
      relieveSystemPressure: (from, to, reclaim) =>
        Effect.suspend(() => {
          const run = core.relieveSystemPressure(from, to, reclaim)
          if (run instanceof InvalidArgument) return Effect.fail(run)
          return run === undefined ? Effect.void : Effect.ignore(drive(core, run, -1))
        }),
      getResourceStats: (type) => sync(() => core.statsOf(type)),
      snapshot: Effect.sync(() => introspect.snapshot(core)),
      driverStats: (driver) => sync(() => core.driverStats(driver)),
      holders: (handle) =>
        Effect.map(
          sync(() => core.slotOf(handle)),
          (slot) => introspect.holders(core, slot)
        ),
      dependents: (handle) =>
        Effect.map(
          sync(() => core.slotOf(handle)),
          (slot) => introspect.dependents(core, slot)
        ),
      dependencies: (handle) =>
        Effect.map(
          sync(() => core.slotOf(handle)),
          (slot) => introspect.dependencies(core, slot)
        ),
      waitGraph: Effect.sync(() => waitGraphOf(core))
    }

    yield* Effect.addFinalizer(() =>
      Effect.gen(function* () {
        const leaks = core.close()
        yield* drainPressure
        // the close's own events are in: the stream ends for its consumers (and for any subscribing later)
        yield* PubSub.shutdown(pubsub)
        yield* countLeaks(attached, leaks)
        yield* reportLeaks(leaks, config.label ?? "resource-manager")
      })
    )
    attachCore(service, core, config.label)
    defineInspect(service, () => describeManager(core, config.label))
    return ResourceManager.of(service)
  })

/**
 * A callback's result as the Effect to run: an Effect as it is, anything else a defect naming what came back
 * (the fiber loop would die on it, past every `catchCause`), which the caller's isolation then logs. A promise
 * that came back is not awaited; its rejection is taken (the defect logged says what came back), so that it
 * does not reach the process as an unhandled rejection.
 */
const callbackEffect = <A, E>(result: unknown, what: string): Effect.Effect<A, E> => {
  if (Effect.isEffect(result)) return result as Effect.Effect<A, E>
  if (isThenable(result)) result.then(undefined, () => {})
  return Effect.die(new TypeError(`${what} returned ${show(result)}, not an Effect`))
}

const runReclaimer = (step: Reclaiming<ReclamationCallback>): Effect.Effect<void> => {
  const callback = step.callback as ReclamationCallback
  const missing = step.missing
  return Effect.suspend(() => callbackEffect<number, never>(callback(missing), "a reclamation callback")).pipe(
    Effect.catchCause((cause) => Effect.as(Effect.logWarning("reclamation callback failed", Cause.pretty(cause)), 0)),
    Effect.asVoid
  )
}

const runPressureCallback = (callback: PressureCallback, event: PressureEvent): Effect.Effect<void> =>
  Effect.suspend(() => {
    const result: unknown = callback(event)
    return result === undefined ? Effect.void : callbackEffect<void, never>(result, "a pressure callback")
  }).pipe(Effect.catchCause((cause) => Effect.logWarning("pressure callback failed", Cause.pretty(cause))))

const reportLeaks = (leaks: ReadonlyArray<LeakReport>, label: string): Effect.Effect<void> =>
  Effect.gen(function* () {
    if (leaks.length === 0) return
    for (const leak of leaks) {
      yield* Effect.logWarning(
        `${label} leak: ${shownName(leak.name)} ${leak.type} ${leak.sizeBytes} bytes owned by ${leak.owner}, ` +
          `age ${leak.ageMillis} ms${leak.site === undefined ? "" : `, acquired at ${leak.site}`}`
      )
    }
  })
