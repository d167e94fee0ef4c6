/**
 * The Effect `ResourceManager` service and its Layer: RAII acquisition with `Effect.acquireRelease`,
 * the four acquisition modes, reclamation callbacks, pressure events (PubSub/Stream and scoped callbacks),
 * budgets, stats and Metrics, sharing, dependencies, deadlock-free waiting, and leak reports at close.
 *
 * @module
 */
import {
  AcquireTimeout,
  type AlreadyShared,
  type BudgetExceeded,
  type DeadlockDetected,
  type DependencyCycle,
  type DependencyNotLive,
  InvalidArgument,
  type InvalidBudget,
  InvalidMetadata,
  ManagerClosed,
  type NotHolder,
  type NotShareable,
  type ResourceBudget,
  type ResourceBusy,
  type ResourceHandle,
  type ResourceMetadata,
  type ResourceNotFound,
  type ResourcePressure,
  type ResourceType,
  ResourceTypeNames,
  type StaleHandle
} from "@flight-hal/core"
import type { PoolManager } from "@flight-hal/pool"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as PubSub from "effect/PubSub"
import * as Scope from "effect/Scope"
import * as Semaphore from "effect/Semaphore"
import * as Stream from "effect/Stream"
import { type WaitGraphSnapshot, waitGraphSnapshot } from "./internal/deadlock.ts"
import { Engine, validateMetadata } from "./internal/engine.ts"
import { Mode, typeIndexOf, typeNameOf } from "./internal/state.ts"
import {
  addDependency as addDependencyTransition,
  interrupt as interruptTransition,
  NeedsReclaim,
  reclaim as reclaimTransition,
  type SubmitResult,
  share as shareTransition,
  timeout as timeoutTransition,
  WaitingRequest,
  wake
} from "./internal/transitions.ts"
import { introspect } from "./introspection.ts"
import type { ResourceManagerConfig } from "./ResourceManagerConfig.ts"
import { ResourceRef, type ScopedResource, SharedHandle } from "./ResourceRef.ts"
import type { DriverStats, LeakReport, ManagerSnapshot, PressureEvent, ResourceStats } from "./stats.ts"

/**
 * How an acquisition behaves when the request does not fit (see DESIGN.md): `NonBlocking` (default) fails
 * with BudgetExceeded, `Blocking` waits (interruptible), `Timeout` waits at most `timeout` then fails with
 * AcquireTimeout, `Emergency` is admitted over budget.
 *
 * @since 0.1.0
 * @category models
 */
export type AcquireMode = "NonBlocking" | "Blocking" | "Timeout" | "Emergency"

/**
 * Options of an acquisition.
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
export interface AcquireOptions<T, M extends AcquireMode = AcquireMode> {
  /** Default `NonBlocking`. */
  readonly mode?: M
  /** The longest wait of `Timeout` mode (required by it). */
  readonly timeout?: Duration.Input
  /** The owner driver (default: the config's `defaultDriver`, `"app"`). */
  readonly owner?: string
  /** Makes the payload (called on first access); default: an ArrayBuffer for Memory, else undefined. */
  readonly create?: (metadata: ResourceMetadata) => T
  /** Destroys the payload when the resource is freed (after its last holder and dependents). */
  readonly destroy?: (payload: T) => void
}

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
 * NonBlocking `BudgetExceeded | ResourceBusy`; Emergency `ResourceBusy`; Blocking `BudgetExceeded` (an
 * impossible request, or a budget lowered while waiting) `| DeadlockDetected`; Timeout the same plus
 * `AcquireTimeout`.
 *
 * @example
 * ```ts
 * import type { AcquireErrorOf } from "@flight-hal/resources"
 *
 * type E = AcquireErrorOf<"Emergency"> // InvalidMetadata | … | ResourceBusy
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
        ? ResourceBusy
        : M extends "Blocking"
          ? BudgetExceeded | DeadlockDetected
          : BudgetExceeded | DeadlockDetected | AcquireTimeout)

/**
 * A reclamation callback: told the bytes still missing, frees what it can (by releasing resources) and
 * returns the bytes it claims to have freed. The claim is only logged: admission re-checks the real usage.
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
 * The resource manager's interface.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResourceManagerService {
  /** Acquires a resource (NonBlocking) released when the current Scope closes. */
  acquire<T = Uint8Array>(
    name: string,
    metadata: ResourceMetadata
  ): Effect.Effect<ResourceRef<T>, AcquireErrorOf<"NonBlocking">, Scope.Scope>
  /** Acquires a resource released when the current Scope closes; the error channel follows the mode. */
  acquire<T = Uint8Array, M extends AcquireMode = AcquireMode>(
    name: string,
    metadata: ResourceMetadata,
    options: AcquireOptions<T, M>
  ): Effect.Effect<ResourceRef<T>, AcquireErrorOf<M>, Scope.Scope>
  /** `acquire` returning an untyped ref (the seed's `ScopedResource`). */
  acquireScoped<M extends AcquireMode = "NonBlocking">(
    name: string,
    metadata: ResourceMetadata,
    options?: AcquireOptions<unknown, M>
  ): Effect.Effect<ScopedResource, AcquireErrorOf<M>, Scope.Scope>
  /** Acquires, runs `use`, releases — no Scope allocated (the hot path). */
  use<T, A, E, R, M extends AcquireMode = AcquireMode>(
    name: string,
    metadata: ResourceMetadata,
    use: (ref: ResourceRef<T>) => Effect.Effect<A, E, R>,
    options?: AcquireOptions<T, M>
  ): Effect.Effect<A, AcquireErrorOf<M> | E, R>
  /** Makes `driver` a holder of a live Shareable resource until the Scope closes. */
  share(
    handle: ResourceHandle,
    driver: string
  ): Effect.Effect<SharedHandle, NotShareable | ResourceNotFound | StaleHandle | AlreadyShared, Scope.Scope>
  /** Adds a dependency edge between live resources (DependencyCycle when it would close a cycle). */
  addDependency(
    dependent: ResourceHandle,
    dependency: ResourceHandle
  ): Effect.Effect<void, DependencyCycle | DependencyNotLive | StaleHandle | ResourceNotFound>
  /** Releases a Reclaimable resource on its owner's behalf (for reclamation callbacks). */
  reclaim(handle: ResourceHandle): Effect.Effect<number, NotHolder | StaleHandle | ResourceNotFound>
  /** Sets a type's budget (InvalidBudget leaves it unchanged). */
  setBudget(type: ResourceType, budget: ResourceBudget): Effect.Effect<void, InvalidBudget>
  /** A type's budget, if any. */
  getBudget(type: ResourceType): Effect.Effect<ResourceBudget | undefined>
  /** Removes a type's budget (unlimited). */
  removeBudget(type: ResourceType): Effect.Effect<void>
  /** Registers a reclamation callback for a type until the Scope closes. */
  registerReclamationCallback(
    type: ResourceType,
    callback: ReclamationCallback
  ): Effect.Effect<void, never, Scope.Scope>
  /** Pressure level changes. */
  readonly pressureEvents: Stream.Stream<PressureEvent>
  /** Registers a pressure callback until the Scope closes. */
  registerPressureCallback(callback: PressureCallback): Effect.Effect<void, never, Scope.Scope>
  /**
   * Reacts to an OS-level (system) pressure change (see `layerSystemPressureReclamation`): publishes a
   * pressure event with `source: "system"` (type `Memory`), and when `reclaim` is given, the manager's
   * reclamation runs for every type holding bytes before any budget is hit: free pool blocks are trimmed,
   * then the type's reclamation callbacks are asked, in order, for `reclaim.percent` % of its usage.
   */
  relieveSystemPressure(
    from: ResourcePressure,
    to: ResourcePressure,
    reclaim?: { readonly percent: number }
  ): Effect.Effect<void>
  /** The stats of a type. */
  getResourceStats(type: ResourceType): Effect.Effect<ResourceStats>
  /** Every type's stats, live count and drivers (also updates the Metrics). */
  readonly snapshot: Effect.Effect<ManagerSnapshot>
  /** What one driver holds. */
  driverStats(driver: string): Effect.Effect<DriverStats>
  /** The holders of a resource. */
  holders(handle: ResourceHandle): Effect.Effect<ReadonlyArray<string>, StaleHandle | ResourceNotFound>
  /** The live dependents of a resource. */
  dependents(handle: ResourceHandle): Effect.Effect<ReadonlyArray<ResourceHandle>, StaleHandle | ResourceNotFound>
  /** The dependencies of a resource. */
  dependencies(handle: ResourceHandle): Effect.Effect<ReadonlyArray<ResourceHandle>, StaleHandle | ResourceNotFound>
  /** A serializable snapshot of the wait-for graph and the holders. */
  readonly waitGraph: Effect.Effect<WaitGraphSnapshot>
  /** The manager's pools (the seed's `pool_manager()`): their capacity is charged to their type's budget. */
  readonly pools: PoolManager
}

const ResourceManagerBase: Context.ServiceClass<
  ResourceManager,
  "@flight-hal/resources/ResourceManager",
  ResourceManagerService
> = Context.Service<ResourceManager, ResourceManagerService>()("@flight-hal/resources/ResourceManager")

/**
 * The resource manager service.
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
  static readonly layer = (config: ResourceManagerConfig = {}): Layer.Layer<ResourceManager> =>
    Layer.effect(ResourceManager, make(config))
}

const modeCodes: Readonly<Record<AcquireMode, number>> = {
  NonBlocking: Mode.NonBlocking,
  Blocking: Mode.Blocking,
  Timeout: Mode.Timeout,
  Emergency: Mode.Emergency
}

const usageGauge = Metric.gauge("flight_hal_resource_usage_bytes", { description: "Bytes charged per type" })
const peakGauge = Metric.gauge("flight_hal_resource_peak_bytes", { description: "Peak bytes per type" })
const allocationsGauge = Metric.gauge("flight_hal_resource_allocations", { description: "Admissions per type" })
const failuresGauge = Metric.gauge("flight_hal_resource_failures", { description: "Failed requests per type" })
const emergencyGauge = Metric.gauge("flight_hal_resource_emergency_bytes", { description: "Emergency overage" })
const waitingGauge = Metric.gauge("flight_hal_resource_waiting", { description: "Waiting requests per type" })
const leakCounter = Metric.counter("flight_hal_resource_leaks", { description: "Resources reported as leaks" })
const waitHistogram = Metric.histogram("flight_hal_resource_acquire_wait_millis", {
  description: "Time acquisitions waited before admission, in milliseconds",
  boundaries: [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000]
})

const updateMetrics = (stats: ReadonlyArray<ResourceStats>): Effect.Effect<void> =>
  Effect.forEach(
    stats,
    (s) => {
      const attributes = { type: s.type }
      return Effect.all([
        Metric.update(Metric.withAttributes(usageGauge, attributes), s.currentUsage),
        Metric.update(Metric.withAttributes(peakGauge, attributes), s.peakUsage),
        Metric.update(Metric.withAttributes(allocationsGauge, attributes), s.allocationCount),
        Metric.update(Metric.withAttributes(failuresGauge, attributes), s.failedCount),
        Metric.update(Metric.withAttributes(emergencyGauge, attributes), s.emergencyBytes),
        Metric.update(Metric.withAttributes(waitingGauge, attributes), s.waiting)
      ])
    },
    { discard: true }
  )

const make = (config: ResourceManagerConfig) =>
  Effect.gen(function* () {
    const clock = yield* Clock.Clock
    const engine = new Engine(config, () => clock.currentTimeMillisUnsafe())
    const state = engine.state
    const pubsub = yield* PubSub.unbounded<PressureEvent>()
    const pressureCallbacks = new Set<PressureCallback>()
    const reclaimers: Array<Array<ReclamationCallback>> = ResourceTypeNames.map(() => [])

    // Pressure callbacks: every event goes to `pending` (and to the PubSub for `pressureEvents`). A background
    // fiber delivers them promptly; closing a registration's scope or the Layer first drains `pending`, so
    // every event published before a scope closes reaches the callbacks registered then, in order, even when
    // the program never yields. One drain at a time (a one-permit semaphore) keeps the order.
    const pending: Array<PressureEvent> = []
    const pressureWake = yield* PubSub.unbounded<void>()
    const publishPressure = (event: PressureEvent): void => {
      PubSub.publishUnsafe(pubsub, event)
      if (pressureCallbacks.size === 0) return
      pending.push(event)
      if (pending.length === 1) PubSub.publishUnsafe(pressureWake, undefined)
    }
    state.pressureListener = (change) =>
      publishPressure({
        type: typeNameOf(change.type),
        from: change.from,
        to: change.to,
        stats: engine.stats(typeNameOf(change.type))
      })

    const runPressureCallback = (callback: PressureCallback, event: PressureEvent): Effect.Effect<void> =>
      Effect.suspend(() => callback(event) ?? Effect.void).pipe(
        Effect.catchCause((cause) => Effect.logWarning("pressure callback failed", Cause.pretty(cause)))
      )
    const delivering = Semaphore.makeUnsafe(1)
    const drainPressureEvents: Effect.Effect<void> = delivering.withPermits(1)(
      Effect.whileLoop({
        while: () => pending.length > 0,
        body: () => {
          const event = pending.shift() as PressureEvent
          return Effect.forEach([...pressureCallbacks], (callback) => runPressureCallback(callback, event), {
            discard: true
          })
        },
        step: () => {}
      })
    )
    const wakeUps = yield* PubSub.subscribe(pressureWake)
    yield* Effect.forkScoped(Effect.forever(Effect.andThen(PubSub.take(wakeUps), drainPressureEvents)))

    const stillMissing = (type: number, size: number, priority: number): number =>
      (state.usage[type] as number) + size - state.limit(type, priority)

    /** Runs the type's reclamation callbacks in order while bytes are missing; failures are isolated. */
    const reclaimFor = (type: number, missing: () => number): Effect.Effect<void> =>
      Effect.gen(function* () {
        if (missing() > 0) engine.trimPools(type)
        for (const callback of [...(reclaimers[type] ?? [])]) {
          const need = missing()
          if (need <= 0) return
          const before = state.usage[type] as number
          const claimed = yield* Effect.suspend(() => callback(need)).pipe(
            Effect.catchCause((cause) =>
              Effect.as(Effect.logWarning("reclamation callback failed", Cause.pretty(cause)), 0)
            )
          )
          const freed = before - (state.usage[type] as number)
          if (claimed !== freed) {
            yield* Effect.logDebug(`reclamation callback claimed ${claimed} bytes, freed ${freed}`)
          }
        }
      })

    const waitFor = (
      waiter: WaitingRequest,
      mode: number,
      timeoutMillis: number,
      name: string
    ): Effect.Effect<number, AcquireError> => {
      let grantedSlot = -1
      let delivered = false
      const started = state.now()
      const deliver = Effect.sync(() => {
        delivered = true
        const waited = state.now() - started
        return [grantedSlot, waited] as const
      }).pipe(
        Effect.tap(([, waited]) => Metric.update(waitHistogram, waited)),
        Effect.map(([slot]) => slot)
      )
      const wait = Effect.callback<number, AcquireError>((resume) => {
        waiter.settle = {
          granted: (slot) => {
            grantedSlot = slot
            resume(deliver)
          },
          failed: (error) => resume(Effect.fail(error as AcquireError))
        }
        return Effect.sync(() => {
          if (grantedSlot >= 0) {
            if (!delivered) engine.release(grantedSlot, waiter.driver)
          } else {
            wake(interruptTransition(state, waiter))
          }
        })
      })
      if (mode !== Mode.Timeout) return Effect.interruptible(wait)
      const expire = Effect.sleep(Duration.millis(timeoutMillis)).pipe(
        Effect.flatMap(() =>
          Effect.suspend((): Effect.Effect<number, AcquireTimeout> => {
            if (grantedSlot >= 0) return deliver
            wake(timeoutTransition(state, waiter))
            return Effect.fail(
              new AcquireTimeout({
                name,
                resourceType: typeNameOf(waiter.type),
                waitedMillis: state.now() - started
              })
            )
          })
        )
      )
      return Effect.interruptible(Effect.raceFirst(wait, expire))
    }

    /**
     * Runs an acquisition as far as it goes synchronously: the bound ref when admitted at once (the fast path,
     * no Effect allocated), else the Effect finishing it (an error, a reclamation, a wait).
     */
    const startAcquire = <T>(
      name: string,
      metadata: ResourceMetadata,
      options: AcquireOptions<T> | undefined
    ): ResourceRef<T> | Effect.Effect<ResourceRef<T>, AcquireError> => {
      if (engine.closed) return Effect.fail(new ManagerClosed())
      const valid = validateMetadata(metadata)
      if (valid instanceof InvalidMetadata) return Effect.fail(valid)
      const mode = modeCodes[options?.mode ?? "NonBlocking"]
      if (mode === undefined) {
        return Effect.fail(new InvalidArgument({ argument: "mode", issue: `unknown mode ${String(options?.mode)}` }))
      }
      let timeoutMillis = 0
      if (mode === Mode.Timeout) {
        const duration = options?.timeout === undefined ? undefined : Duration.fromInput(options.timeout)
        if (duration === undefined || duration._tag === "None") {
          return Effect.fail(new InvalidArgument({ argument: "timeout", issue: "Timeout mode needs a duration" }))
        }
        timeoutMillis = Duration.toMillis(duration.value)
      }
      const request = engine.request(name, valid, mode, options?.owner)
      if (!("type" in request)) return Effect.fail(request)
      const type = request.type
      const bind = (slot: number) => makeRef(slot, request.driver, name, metadata, options)
      const finish = (result: SubmitResult): ResourceRef<T> | Effect.Effect<ResourceRef<T>, AcquireError> => {
        if (typeof result === "number") {
          const ref = bind(result)
          if (mode === Mode.Emergency && state.overage.has(result) && mayReclaim(type)) {
            return Effect.as(
              reclaimFor(type, () => stillMissing(type, 0, request.priority)),
              ref
            )
          }
          return ref
        }
        if (result instanceof WaitingRequest) return Effect.map(waitFor(result, mode, timeoutMillis, name), bind)
        if (result instanceof NeedsReclaim) return Effect.die(result)
        return Effect.fail(result)
      }
      const first = engine.submit(request, !mayReclaim(type))
      if (first instanceof NeedsReclaim) {
        return Effect.flatMap(
          reclaimFor(type, () => stillMissing(type, request.size, request.priority)),
          () => {
            const second = finish(engine.submit(request, true))
            return second instanceof ResourceRef ? Effect.succeed(second) : second
          }
        )
      }
      return finish(first)
    }

    const makeRef = <T>(
      slot: number,
      driver: number,
      name: string,
      metadata: ResourceMetadata,
      options: AcquireOptions<T, AcquireMode> | undefined
    ): ResourceRef<T> => engine.bind(slot, driver, name, metadata, options?.create, options?.destroy)

    const releaseRef = (ref: ResourceRef<unknown>): Effect.Effect<void> => Effect.sync(() => ref.release())

    const mayReclaim = (type: number): boolean => (reclaimers[type]?.length ?? 0) > 0 || engine.hasPools(type)

    const acquire = <T = Uint8Array, M extends AcquireMode = AcquireMode>(
      name: string,
      metadata: ResourceMetadata,
      options?: AcquireOptions<T, M>
    ): Effect.Effect<ResourceRef<T>, AcquireErrorOf<M>, Scope.Scope> =>
      // Effect.acquireRelease's work by hand (uninterruptible from the acquisition to the finalizer's
      // registration), so that an admission at once costs no Effect beyond the finalizer's registration.
      Effect.uninterruptible(
        Effect.withFiber((fiber) => {
          const scope = Context.getUnsafe(fiber.context, Scope.Scope)
          const started = startAcquire(name, metadata, options)
          if (started instanceof ResourceRef) return registerRelease(scope, started)
          return Effect.flatMap(started, (ref) => registerRelease(scope, ref))
        })
      ) as Effect.Effect<ResourceRef<T>, AcquireErrorOf<M>, Scope.Scope>

    const registerRelease = <T>(scope: Scope.Scope, ref: ResourceRef<T>): Effect.Effect<ResourceRef<T>> =>
      Effect.as(
        Scope.addFinalizerExit(scope, () => releaseRef(ref)),
        ref
      )

    const use = <T, A, E, R, M extends AcquireMode = AcquireMode>(
      name: string,
      metadata: ResourceMetadata,
      body: (ref: ResourceRef<T>) => Effect.Effect<A, E, R>,
      options?: AcquireOptions<T, M>
    ): Effect.Effect<A, AcquireErrorOf<M> | E, R> =>
      // Effect.acquireUseRelease's work by hand: an admission at once runs `body` with no Effect for the acquisition.
      Effect.uninterruptibleMask((restore) => {
        const run = (ref: ResourceRef<T>): Effect.Effect<A, E, R> => {
          let used: Effect.Effect<A, E, R>
          try {
            used = body(ref)
          } catch (defect) {
            ref.release()
            return Effect.die(defect)
          }
          return Effect.onExit(restore(used), () => {
            ref.release()
            return Effect.void
          })
        }
        const started = startAcquire(name, metadata, options)
        return started instanceof ResourceRef ? run(started) : Effect.flatMap(started, run)
      }) as Effect.Effect<A, AcquireErrorOf<M> | E, R>

    const resolveEffect = (handle: ResourceHandle): Effect.Effect<number, StaleHandle | ResourceNotFound> =>
      Effect.suspend(() => {
        const slot = engine.resolve(handle)
        return typeof slot === "number" ? Effect.succeed(slot) : Effect.fail(slot)
      })

    const service: ResourceManagerService = {
      pools: engine.pools,
      acquire: acquire as ResourceManagerService["acquire"],
      acquireScoped: <M extends AcquireMode = "NonBlocking">(
        name: string,
        metadata: ResourceMetadata,
        options?: AcquireOptions<unknown, M>
      ) =>
        acquire<unknown, M>(name, metadata, options) as Effect.Effect<ScopedResource, AcquireErrorOf<M>, Scope.Scope>,
      use,
      share: (handle, driver) =>
        Effect.acquireRelease(
          Effect.flatMap(resolveEffect(handle), (slot) => {
            const index = shareTransition(state, slot, driver)
            return typeof index === "number"
              ? Effect.succeed(new SharedHandle(engine, engine.handleOf(slot), driver, index))
              : Effect.fail(index)
          }),
          (shared) => Effect.sync(() => shared.release())
        ),
      addDependency: (dependent, dependency) =>
        Effect.flatMap(Effect.all([resolveEffect(dependent), resolveEffect(dependency)]), ([a, b]) => {
          const error = addDependencyTransition(state, a, b)
          return error === undefined ? Effect.void : Effect.fail(error)
        }),
      reclaim: (handle) =>
        Effect.flatMap(resolveEffect(handle), (slot) =>
          Effect.suspend(() => {
            const size = state.sizes[slot] as number
            const result = reclaimTransition(state, slot)
            if (!("freed" in result)) return Effect.fail(result)
            engine.finalize(result.freed)
            wake(result.settled)
            return Effect.succeed(result.freed.length > 0 ? size : 0)
          })
        ),
      setBudget: (type, budget) =>
        Effect.suspend(() => {
          const error = engine.setBudget(type, budget)
          return error === undefined ? Effect.void : Effect.fail(error)
        }),
      getBudget: (type) => Effect.sync(() => state.budgets[typeIndexOf[type]]),
      removeBudget: (type) => Effect.sync(() => engine.removeBudget(type)),
      registerReclamationCallback: (type, callback) =>
        Effect.acquireRelease(
          Effect.sync(() => reclaimers[typeIndexOf[type]]?.push(callback)),
          () =>
            Effect.sync(() => {
              const list = reclaimers[typeIndexOf[type]]
              const index = list?.indexOf(callback) ?? -1
              if (list !== undefined && index >= 0) list.splice(index, 1)
            })
        ),
      pressureEvents: Stream.fromPubSub(pubsub),
      registerPressureCallback: (callback) =>
        Effect.acquireRelease(
          Effect.sync(() => pressureCallbacks.add(callback)),
          () =>
            Effect.andThen(
              drainPressureEvents,
              Effect.sync(() => pressureCallbacks.delete(callback))
            )
        ),
      relieveSystemPressure: (from, to, reclaim) =>
        Effect.gen(function* () {
          if (engine.closed) return
          publishPressure({ type: "Memory", from, to, stats: engine.stats("Memory"), source: "system" })
          if (reclaim === undefined) return
          const share = Math.min(100, Math.max(0, reclaim.percent)) / 100
          for (let type = 0; type < ResourceTypeNames.length; type++) {
            const usage = state.usage[type] as number
            if (usage <= 0) continue
            const goal = usage - Math.ceil(usage * share)
            yield* reclaimFor(type, () => (state.usage[type] as number) - goal)
          }
        }),
      getResourceStats: (type) => Effect.sync(() => engine.stats(type)),
      snapshot: Effect.suspend(() => {
        const snapshot = introspect.snapshot(engine)
        return Effect.as(updateMetrics(snapshot.types), snapshot)
      }),
      driverStats: (driver) => Effect.sync(() => introspect.driverStats(engine, driver)),
      holders: (handle) => Effect.map(resolveEffect(handle), (slot) => introspect.holders(engine, slot)),
      dependents: (handle) => Effect.map(resolveEffect(handle), (slot) => introspect.dependents(engine, slot)),
      dependencies: (handle) => Effect.map(resolveEffect(handle), (slot) => introspect.dependencies(engine, slot)),
      waitGraph: Effect.sync(() => waitGraphSnapshot(introspect.waitState(engine)))
    }

    yield* Effect.addFinalizer(() =>
      Effect.gen(function* () {
        const leaks = engine.close(new ManagerClosed())
        yield* drainPressureEvents
        yield* reportLeaks(leaks, config)
      })
    )
    return ResourceManager.of(service)
  })

const reportLeaks = (leaks: ReadonlyArray<LeakReport>, config: ResourceManagerConfig): Effect.Effect<void> =>
  Effect.gen(function* () {
    if (leaks.length === 0) return
    yield* Metric.update(leakCounter, leaks.length)
    for (const leak of leaks) {
      yield* Effect.logWarning(
        `leak: ${leak.name === "" ? "(unnamed)" : leak.name} ${leak.type} ${leak.sizeBytes} bytes owned by ${leak.owner}, ` +
          `age ${leak.ageMillis} ms${leak.site === undefined ? "" : `, acquired at ${leak.site}`}`
      )
    }
    if (config.onLeaks !== undefined) {
      const onLeaks = config.onLeaks
      yield* Effect.sync(() => onLeaks(leaks)).pipe(Effect.catchCause(() => Effect.void))
    }
  })
