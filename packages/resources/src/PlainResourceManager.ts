/**
 * The plain (non-Effect) facade over the same state machine: synchronous `acquire` (NonBlocking,
 * Emergency) returning a `Disposable` ref, `acquireAsync` (Blocking, Timeout) returning a Promise of an
 * `AsyncDisposable` ref, thrown errors of the generated classes, leak reports at close (and, opt-in with
 * `detectGarbageCollectedLeaks`, for refs garbage-collected without release), and the discouraged manual
 * `registerResource` / `releaseResource` pair.
 *
 * @module
 */

import {
  AcquisitionModeNames,
  InvalidArgument,
  type ResourceBudget,
  type ResourceHandle,
  type ResourceMetadata,
  type ResourcePressure,
  type ResourceTypeName
} from "@flight-hal/core"
import { burstClock } from "./internal/burst-clock.ts"
import { type AcquireRequest, Core, Reclaiming, type Step } from "./internal/core.ts"
import { defineInspect, describeManager } from "./internal/inspect.ts"
import { introspect, type WaitGraph, waitGraphOf } from "./internal/introspection.ts"
import { attachCore } from "./internal/manager-core.ts"
import { orThrow } from "./internal/or-throw.ts"
import { Registrations } from "./internal/registrations.ts"
import { shownName } from "./internal/show.ts"
import { abortedNow, abortReason, type SignalWatch, watchSignal } from "./internal/signal-watch.ts"
import { runIsolated } from "./internal/thenable.ts"
import { WaitingRequest } from "./internal/transitions.ts"
import { type AcquireSettings, copyConfig, copyMetadata, validateAcquireOptions } from "./internal/validate.ts"
import type { ManagerPools } from "./ManagerPools.ts"
import type { AcquireMode } from "./ResourceManager.ts"
import type { DriverConfig, ResourceManagerConfig } from "./ResourceManagerConfig.ts"
import type { DefaultPayload, ResourceRef, SharedHandle } from "./ResourceRef.ts"
import type {
  DriverStats,
  LeakReport,
  ManagerSnapshot,
  PressureEvent,
  ResourceInfo,
  ResourceStats
} from "./ResourceStats.ts"

/**
 * The wait-for graph that `waitGraph()` returns on both front ends, as a dump holds it (`managerDump`): the drivers
 * with what they hold and wait for, each live resource with its holders, dependencies and dependents, its size
 * (`sizeBytes`, a pool-served resource's too) and what its type's budget is charged for it (`chargedBytes`: 0 when a
 * pool block serves it), and the deadlock found, if any (else `null`).
 *
 * Its parts are named too: `drivers` are `DriverNode`s (what a driver holds, and its waiting requests, each a
 * `WaitEdge` with the queue, the priority and the bytes asked for), `resources` are `WaitGraphResource`s, and
 * `deadlock` is a `Deadlock` (the drivers that could never finish and the queues they are blocked on) or `null`.
 *
 * @since 0.1.0
 * @category introspection
 */
export type { Deadlock, DriverNode, WaitEdge, WaitGraph, WaitGraphResource } from "./internal/introspection.ts"

/**
 * Options of a synchronous acquisition. Every optional field may be `undefined`, which means the default, as when
 * it is left out.
 *
 * @since 0.1.0
 * @category models
 */
export interface SyncAcquireOptions<T> {
  /** `NonBlocking` (default) or `Emergency`. */
  readonly mode?: "NonBlocking" | "Emergency" | undefined
  /** The owner driver (default `"app"`). */
  readonly owner?: string | undefined
  /** Makes the payload on first access. */
  readonly create?: ((metadata: ResourceMetadata) => T) | undefined
  /** Destroys the payload when the resource is freed. */
  readonly destroy?: ((payload: T) => void) | undefined
}

/**
 * Options of an asynchronous acquisition: the fields of {@link AsyncAcquireOptionFields}, and with `M` exactly
 * `Timeout` a required `mode: "Timeout"` and `timeoutMillis` (`{ mode: "Timeout" }` alone does not compile: the
 * manager refuses it with `InvalidArgument`). `M`, the mode, is inferred from `mode` where the options are written.
 *
 * @since 0.1.0
 * @category models
 */
export type AsyncAcquireOptions<T, M extends AcquireMode = AcquireMode> = AsyncAcquireOptionFields<T, M> &
  ([M] extends [never]
    ? unknown
    : [M] extends ["Timeout"]
      ? { readonly mode: "Timeout"; readonly timeoutMillis: number }
      : unknown)

/**
 * The fields of {@link AsyncAcquireOptions}. Every optional field may be `undefined`, which means the default, as
 * when it is left out.
 *
 * @since 0.1.0
 * @category models
 */
export interface AsyncAcquireOptionFields<T, M extends AcquireMode = AcquireMode>
  extends Omit<SyncAcquireOptions<T>, "mode"> {
  /** `Blocking` (default) or `Timeout` (with `timeoutMillis`); NonBlocking/Emergency also accepted. */
  readonly mode?: M | undefined
  /**
   * The longest wait of Timeout mode, in milliseconds (required by it, refused by the others): ≤ 2^31 − 1. Its type
   * is `undefined` when the mode is known and is not `Timeout` (`{ mode: "Blocking", timeoutMillis: 10 }` does not
   * compile: the manager refuses it with `InvalidArgument`).
   */
  readonly timeoutMillis?: ("Timeout" extends M ? number : never) | undefined
  /**
   * Aborting it while waiting rejects with the signal's reason and leaves the queue; so does an abort during the
   * admission (by a reclamation or pressure callback the manager runs for it), which releases what was admitted.
   */
  readonly signal?: AbortSignal | undefined
}

/**
 * The plain resource manager.
 *
 * @example
 * ```ts
 * import { createResourceManager } from "@flight-hal/resources"
 *
 * const manager = createResourceManager({
 *   budgets: { Memory: { maxBytes: 1 << 20, reservedBytes: 0, warningPercent: 75, criticalPercent: 90 } }
 * })
 * {
 *   using texture = manager.acquire("texture", { type: "Memory", sizeBytes: 4096 })
 *   texture.payload.byteLength // 4096
 * } // released here
 * manager.close()
 * ```
 *
 * @since 0.1.0
 * @category facade
 */
export interface PlainResourceManager extends Disposable {
  /** Acquires at once (NonBlocking or Emergency); throws BudgetExceeded, ResourceBusy, InvalidMetadata, … */
  acquire<const D extends ResourceMetadata>(
    name: string,
    metadata: D,
    options?: SyncAcquireOptions<DefaultPayload<D>> & { readonly create?: undefined }
  ): ResourceRef<DefaultPayload<D>>
  /** Acquires at once a resource whose payload is `T` (made by `create`, or as given by the type argument). */
  acquire<T = Uint8Array>(name: string, metadata: ResourceMetadata, options?: SyncAcquireOptions<T>): ResourceRef<T>
  /** Acquires, waiting if needed (Blocking, Timeout); rejects with AcquireTimeout, DeadlockDetected, … */
  acquireAsync<const D extends ResourceMetadata, M extends AcquireMode = AcquireMode>(
    name: string,
    metadata: D,
    options?: AsyncAcquireOptions<DefaultPayload<D>, M> & { readonly create?: undefined }
  ): Promise<ResourceRef<DefaultPayload<D>>>
  /**
   * Acquires (waiting if needed) a resource whose payload is `T`. With an explicit `T` the mode is not inferred:
   * `timeoutMillis` is then checked at run time only.
   */
  acquireAsync<T = Uint8Array, M extends AcquireMode = AcquireMode>(
    name: string,
    metadata: ResourceMetadata,
    options?: AsyncAcquireOptions<T, M>
  ): Promise<ResourceRef<T>>
  /**
   * Acquires (default Blocking), runs `body`, and releases once its result settles, whatever the outcome; the
   * payload is the default one of the metadata's type (`DefaultPayload`: bytes for Memory).
   */
  use<const D extends ResourceMetadata, A = unknown, M extends AcquireMode = AcquireMode>(
    name: string,
    metadata: D,
    body: (ref: ResourceRef<DefaultPayload<D>>) => A | PromiseLike<A>,
    options?: AsyncAcquireOptions<DefaultPayload<D>, M> & { readonly create?: undefined }
  ): Promise<A>
  /** `use` of a payload `T` made by `create` (or given by the type of `body`'s parameter). */
  use<T = Uint8Array, A = unknown, M extends AcquireMode = AcquireMode>(
    name: string,
    metadata: ResourceMetadata,
    body: (ref: ResourceRef<T>) => A | PromiseLike<A>,
    options?: AsyncAcquireOptions<T, M>
  ): Promise<A>
  /**
   * Makes `driver` a holder of a live Shareable resource; the share gives it the payload (`payload`) for as long
   * as it holds it. `T` is the payload type (a handle does not carry it).
   */
  share<T = unknown>(handle: ResourceHandle, driver: string): SharedHandle<T>
  /** The live resource named `name`: its handle, metadata, owner and holders (throws ResourceNotFound otherwise). */
  find(name: string): ResourceInfo
  /** The metadata a resource was acquired with (throws StaleHandle / ResourceNotFound / InvalidArgument). */
  metadata(handle: ResourceHandle): ResourceMetadata
  /**
   * Declares an owner's kind. Without `options`, or with `sequential` left out or `undefined`, it declares a sequential
   * driver (unlike an entry of `config.drivers`, where `{}` is a concurrent owner); `{ sequential: false }` a
   * concurrent owner. A sequential driver gets exact deadlock detection; every other owner is concurrent (see
   * `ResourceManagerConfig.drivers`). Throws InvalidArgument when the owner holds or waits for something and its kind
   * would change.
   */
  registerDriver(driver: string, options?: DriverConfig): void
  /** Adds a dependency edge between live resources. */
  addDependency(dependent: ResourceHandle, dependency: ResourceHandle): void
  /** Releases a Reclaimable resource on its owner's behalf; returns the bytes freed. */
  reclaim(handle: ResourceHandle): number
  /** Sets a type's budget (throws InvalidBudget and leaves it unchanged); waiters that can never fit fail. */
  setBudget(type: ResourceTypeName, budget: ResourceBudget): void
  /** A type's budget, or undefined (unlimited). */
  getBudget(type: ResourceTypeName): ResourceBudget | undefined
  /** Removes a type's budget (unlimited from now on; waiters are admitted). */
  removeBudget(type: ResourceTypeName): void
  /** Registers a reclamation callback (told the missing bytes; returns the bytes it claims). */
  registerReclamationCallback(type: ResourceTypeName, callback: (missingBytes: number) => number): Disposable
  /** Registers a pressure callback (called after the state change; errors are isolated). */
  registerPressureCallback(callback: (event: PressureEvent) => void): Disposable
  /** The stats of one type. */
  getResourceStats(type: ResourceTypeName): ResourceStats
  /** Every type's stats, the live count, the drivers and the pools. */
  snapshot(): ManagerSnapshot
  /** What one driver owns, shares and waits for. */
  driverStats(driver: string): DriverStats
  /** The drivers holding a resource (throws StaleHandle / ResourceNotFound). */
  holders(handle: ResourceHandle): ReadonlyArray<string>
  /** The live dependents of a resource. */
  dependents(handle: ResourceHandle): ReadonlyArray<ResourceHandle>
  /** The dependencies of a resource. */
  dependencies(handle: ResourceHandle): ReadonlyArray<ResourceHandle>
  /**
   * A serializable snapshot of the wait-for graph and the holders (for the CLI's inspect view), as the dump has it:
   * each resource with its size (`sizeBytes`) and what its type's budget is charged for it (`chargedBytes`).
   */
  waitGraph(): WaitGraph
  /**
   * Discouraged (for code ported from a C-style register/release API): registers a resource without a ref; it
   * stays live until `releaseResource`. Prefer `acquire` with `using`.
   */
  registerResource(name: string, metadata: ResourceMetadata, owner?: string): ResourceHandle
  /** Discouraged: releases a resource registered with `registerResource` (idempotent). */
  releaseResource(handle: ResourceHandle, owner?: string): void
  /**
   * Reacts to an OS-level pressure change: a `source: "system"` event, and reclamation of `percent` % of usage.
   * Throws InvalidArgument for a `from` or `to` that is not a pressure level, or a `reclaim` without a numeric
   * `percent` (nothing published).
   */
  relieveSystemPressure(from: ResourcePressure, to: ResourcePressure, reclaim?: { readonly percent: number }): void
  /** The manager's pools: their capacity is charged to their type's budget. */
  readonly pools: ManagerPools
  /** Releases everything still live (reverse order) and returns the leak report. */
  close(): ReadonlyArray<LeakReport>
}

interface Tracked {
  readonly core: Core<Reclaimer>
  readonly slot: number
  readonly generation: number
  readonly driver: number
  readonly report: (leaks: ReadonlyArray<LeakReport>) => void
}

type Reclaimer = (missingBytes: number) => number

const leakRegistry =
  typeof FinalizationRegistry === "undefined"
    ? undefined
    : new FinalizationRegistry<Tracked>(({ core, slot, generation, driver, report }) => {
        // a released ref no longer holds its slot: freed (generation bumped), deferred, held by others only, or
        // held by its driver through a later share (not this ref's hold)
        if (core.closed || !core.ownsCurrent(slot, generation, driver)) return
        const leak = core.leakOf(slot)
        core.release(slot, driver)
        core.metrics.leaked([leak])
        report([leak])
      })

const warn = (what: string) => (error: unknown) => console.warn(`flight-hal: ${what}`, error)

/** Runs the reclamation steps of an admission synchronously (callback errors isolated). */
const runSync = (step: Step<Reclaimer>): Exclude<Step<Reclaimer>, Reclaiming<Reclaimer>> => {
  let current = step
  while (current instanceof Reclaiming) {
    // a promise it returns counts for nothing (the run is synchronous); one that rejects is logged like a throw
    const { callback, missing } = current
    runIsolated(() => (callback as Reclaimer)(missing), warn("reclamation callback failed"))
    current = current.advance()
  }
  return current
}

const modes = { sync: ["NonBlocking", "Emergency"], async: AcquisitionModeNames } as const
const plainMillis = (value: unknown): number => (typeof value === "number" ? value : Number.NaN)

const warnLeaks = (leaks: ReadonlyArray<LeakReport>, label = "resource-manager") => {
  for (const l of leaks)
    console.warn(`flight-hal ${label} leak: ${shownName(l.name)} ${l.type} ${l.sizeBytes} bytes owned by ${l.owner}`)
}

/** Reports refs found by the garbage collector: to `onLeaks` (a throw is isolated), else as warnings. */
const collectedLeakReporter = (config: ResourceManagerConfig) => (leaks: ReadonlyArray<LeakReport>) => {
  const onLeaks = config.onLeaks
  if (onLeaks === undefined) return warnLeaks(leaks, config.label)
  try {
    onLeaks(leaks)
  } catch (error) {
    warn("onLeaks failed")(error)
  }
}

/** The holder's ref of an admitted slot; tracked for garbage-collection leaks when `report` is given. */
const bindRef = <T>(
  core: Core<Reclaimer>,
  slot: number,
  request: AcquireRequest,
  settings: AcquireSettings,
  report: ((leaks: ReadonlyArray<LeakReport>) => void) | undefined
): ResourceRef<T> => {
  const create = settings.create as ((m: ResourceMetadata) => T) | undefined
  const ref = core.bind(slot, request, create, settings.destroy as ((payload: T) => void) | undefined)
  if (report !== undefined && leakRegistry !== undefined) {
    // no unregister token: a token costs microseconds per ref on JavaScriptCore
    // the admission's generation: a resource freed before its ref was made (Request.generation) reports nothing
    const generation = request.generation ?? core.state.generationOf(slot)
    leakRegistry.register(ref, { core, slot, generation, driver: request.driver, report })
  }
  return ref
}

/** A wait as a Promise: granted, failed, timed out (a timer) or aborted (the signal, already listened to). */
const waitAsync = <T>(
  core: Core<Reclaimer>,
  waiter: WaitingRequest,
  settings: AcquireSettings,
  watch: SignalWatch | undefined,
  bind: (slot: number) => ResourceRef<T>
): Promise<ResourceRef<T>> =>
  new Promise<ResourceRef<T>>((resolve, reject) => {
    const signal = settings.signal
    const onAbort = () => {
      core.abandon(waiter) // leaves the queue, or gives a grant back at once
      done()
      // the caller's signal is caller code: a throw from reading its reason rejects typed
      reject(abortReason(signal))
    }
    const timer =
      settings.waitMillis < 0 ? undefined : setTimeout(() => reject(core.timeout(waiter)), settings.waitMillis)
    const done = () => {
      if (timer !== undefined) clearTimeout(timer)
      if (watch !== undefined) {
        watch.onAbort = undefined
        watch.stop()
      }
    }
    waiter.onEnd(() => {
      // granted while the signal's abort is being dispatched, before the watch's listener ran (`done` would remove
      // it): the wait does not keep its grant (docs/semantics.md, sections 5 and 14); no signal reads as not aborted
      if (waiter.grantedSlot >= 0 && abortedNow(signal)) return onAbort()
      done()
      if (waiter.grantedSlot >= 0) resolve(bind(waiter.grantedSlot))
      else reject(waiter.failure)
    })
    if (watch === undefined) return
    // aborted before the wait (already, or by a reclamation callback during the admission): it leaves at once
    if (watch.aborted) onAbort()
    else watch.onAbort = onAbort
  })

/**
 * Creates a plain resource manager from a config. A bad config throws one of the `ManagerConfigError`s, naming
 * the bad field: InvalidArgument (an unknown or ill-typed option, or a config that cannot be read), InvalidBudget
 * (a bad budget), InvalidPoolConfig (a bad pool), DuplicatePool (two pools of one type and block size),
 * PoolExhausted (a pool whose initial capacity its type's budget refuses), UnknownProfile (an unknown profile
 * name) or InvalidProfile (an invalid profile).
 *
 * @example
 * ```ts
 * import { createResourceManager } from "@flight-hal/resources"
 *
 * await using manager = createResourceManager({})
 * const ref = await manager.acquireAsync("dma", { type: "Hardware", sizeBytes: 1 }, { mode: "Blocking" })
 * ref.release()
 * ```
 *
 * @since 0.1.0
 * @category facade
 */
export const createResourceManager = (given: ResourceManagerConfig = {}): PlainResourceManager & AsyncDisposable => {
  // read once: the core and this front end read only the copy
  const config = orThrow(copyConfig(given)).config as ResourceManagerConfig
  const core = orThrow(Core.make<Reclaimer>(config, burstClock()))
  const callbacks = new Registrations<(event: PressureEvent) => void>()
  const reportCollected = collectedLeakReporter(config)
  const trackLeaks = leakRegistry !== undefined && config.detectGarbageCollectedLeaks === true
  // Pressure callbacks run in a microtask after the transition; disposing a registration and close() first
  // deliver every pending event (in order), so no event published before them is lost.
  // A flush asked for from inside a callback (one that closes the manager or disposes a registration) returns at
  // once: the flush in progress goes on and delivers the rest in order. A callback's returned promise that
  // rejects is logged like a throw.
  let flushing = false
  const flush = () => {
    if (flushing) return
    flushing = true
    try {
      for (let event = core.pendingPressure.shift(); event !== undefined; event = core.pendingPressure.shift()) {
        for (const callback of callbacks.values()) {
          runIsolated(() => callback(event), warn("pressure callback failed"))
        }
      }
    } finally {
      flushing = false
    }
  }
  core.pressureWanted = () => callbacks.size > 0
  core.onPressurePending = () => queueMicrotask(flush)

  const bind = <T>(slot: number, request: AcquireRequest, settings: AcquireSettings): ResourceRef<T> =>
    bindRef<T>(core, slot, request, settings, trackLeaks ? reportCollected : undefined)
  const begin = (name: unknown, metadata: unknown, settings: AcquireSettings) => {
    const request = orThrow(core.request(name, metadata, settings.mode, settings.owner))
    return { request, step: runSync(core.start(request)) }
  }
  const manager: PlainResourceManager & AsyncDisposable = {
    acquire<T>(name: string, input: ResourceMetadata, options?: SyncAcquireOptions<T>): ResourceRef<T> {
      const metadata = copyMetadata(input, core.metadataMemo) // read once, for whichever path admits it
      if (options === undefined && !trackLeaks) {
        // the common case in one step; anything else takes the general path
        const ref = core.acquireAtOnce<T>(name, metadata)
        if (ref !== undefined) return ref
      }
      const settings = orThrow(validateAcquireOptions(options, modes.sync, "NonBlocking", "timeoutMillis", plainMillis))
      const { request, step } = begin(name, metadata, settings)
      if (typeof step !== "number") throw step
      return bind(step, request, settings)
    },
    acquireAsync<T>(name: string, metadata: ResourceMetadata, options?: AsyncAcquireOptions<T>) {
      try {
        const settings = orThrow(validateAcquireOptions(options, modes.async, "Blocking", "timeoutMillis", plainMillis))
        // the owner is interned at submission: a signal refused below leaves no new driver behind
        const request = orThrow(core.request(name, metadata, settings.mode, settings.owner, false))
        // the signal is read and listened to before the request is submitted: one that cannot be used is refused
        // before the admission changes anything (reclamation included)
        const watch = settings.signal === undefined ? undefined : orThrow(watchSignal(settings.signal))
        // an abort before the request is acted on only if it waits; one during its admission (caller code the
        // admission ran: reclamation callbacks, pressure callbacks one of them delivered) ends it either way
        const abortedBefore = watch?.aborted === true
        let step: ReturnType<typeof runSync>
        try {
          step = runSync(core.start(request))
        } catch (error) {
          watch?.stop()
          throw error
        }
        if (step instanceof WaitingRequest)
          return waitAsync(core, step, settings, watch, (slot) => bind<T>(slot, request, settings))
        watch?.stop()
        if (typeof step === "number") {
          if (watch === undefined || !watch.aborted || abortedBefore)
            return Promise.resolve(bind<T>(step, request, settings))
          core.giveBack(step, request) // no ref is made: what a callback released stays released
          return Promise.reject(abortReason(settings.signal))
        }
        return Promise.reject(step)
      } catch (error) {
        return Promise.reject(error)
      }
    },
    async use<T, A>(
      name: string,
      metadata: ResourceMetadata,
      body: (ref: ResourceRef<T>) => A | PromiseLike<A>,
      options?: AsyncAcquireOptions<T>
    ) {
      if (typeof body !== "function") throw new InvalidArgument({ argument: "body", issue: "expected a function" })
      const ref = await manager.acquireAsync<T>(name, metadata, options)
      try {
        return await body(ref)
      } finally {
        ref.release()
      }
    },
    share: <T>(handle: ResourceHandle, driver: string) => orThrow(core.share<T>(handle, driver)),
    find: (name) => orThrow(core.find(name)),
    metadata: (handle) => orThrow(core.metadataOf(handle)),
    registerDriver: (driver, options) => void orThrow(core.registerDriver(driver, options)),
    addDependency: (dependent, dependency) => void orThrow(core.addDependency(dependent, dependency)),
    reclaim: (handle) => orThrow(core.reclaim(handle)),
    setBudget: (type, budget) => void orThrow(core.setBudget(type, budget)),
    getBudget: (type) => orThrow(core.getBudget(type)),
    removeBudget: (type) => void orThrow(core.removeBudget(type)),
    registerReclamationCallback(type, callback) {
      const remove = orThrow(core.addReclaimer(type, callback))
      return { [Symbol.dispose]: remove }
    },
    registerPressureCallback(callback) {
      if (typeof callback !== "function")
        throw new InvalidArgument({ argument: "callback", issue: "expected a function" })
      callbacks.add(callback)
      let registered = true
      return {
        // once: disposing it again must not end another registration of the same callback
        [Symbol.dispose]: () => {
          if (!registered) return
          registered = false
          flush()
          callbacks.remove(callback)
        }
      }
    },
    relieveSystemPressure(from, to, reclaim) {
      const run = orThrow(core.relieveSystemPressure(from, to, reclaim))
      if (run !== undefined) runSync(run)
    },
    pools: core.pools,
    getResourceStats: (type) => orThrow(core.statsOf(type)),
    snapshot: () => introspect.snapshot(core),
    driverStats: (driver) => orThrow(core.driverStats(driver)),
    holders: (handle) => introspect.holders(core, orThrow(core.slotOf(handle))),
    dependents: (handle) => introspect.dependents(core, orThrow(core.slotOf(handle))),
    dependencies: (handle) => introspect.dependencies(core, orThrow(core.slotOf(handle))),
    waitGraph: () => waitGraphOf(core),
    registerResource(name, metadata, owner) {
      const { step } = begin(
        name,
        metadata,
        orThrow(validateAcquireOptions({ owner }, modes.sync, "NonBlocking", "timeoutMillis", plainMillis))
      )
      if (typeof step !== "number") throw step
      return core.handleOf(step)
    },
    releaseResource: (handle, owner) => void orThrow(core.releaseBy(handle, owner)),
    close() {
      const leaks = core.close()
      flush()
      if (config.onLeaks === undefined) warnLeaks(leaks, config.label) // close() calls onLeaks itself (in the core)
      return leaks
    },
    [Symbol.dispose]: () => void manager.close(),
    [Symbol.asyncDispose]: () => Promise.resolve(void manager.close())
  }
  attachCore(manager, core, config.label)
  defineInspect(manager, () => describeManager(core, config.label))
  return manager
}
