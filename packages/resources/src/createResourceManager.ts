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
  AcquireTimeout,
  InvalidArgument,
  InvalidMetadata,
  ManagerClosed,
  type ResourceBudget,
  type ResourceHandle,
  type ResourceMetadata,
  type ResourceType,
  ResourceTypeNames
} from "@flight-hal/core"
import { type WaitGraphSnapshot, waitGraphSnapshot } from "./internal/deadlock.ts"
import { Engine, validateMetadata } from "./internal/engine.ts"
import { Mode, typeIndexOf, typeNameOf } from "./internal/state.ts"
import {
  addDependency,
  interrupt,
  NeedsReclaim,
  type Request,
  reclaim,
  share,
  timeout,
  WaitingRequest,
  wake
} from "./internal/transitions.ts"
import { introspect } from "./introspection.ts"
import type { ResourceManagerConfig } from "./ResourceManagerConfig.ts"
import { type ResourceRef, SharedHandle } from "./ResourceRef.ts"
import type { DriverStats, LeakReport, ManagerSnapshot, PressureEvent, ResourceStats } from "./stats.ts"

/**
 * Options of a synchronous acquisition.
 *
 * @since 0.1.0
 * @category models
 */
export interface SyncAcquireOptions<T> {
  /** `NonBlocking` (default) or `Emergency`. */
  readonly mode?: "NonBlocking" | "Emergency"
  /** The owner driver (default `"app"`). */
  readonly owner?: string
  /** Makes the payload on first access. */
  readonly create?: (metadata: ResourceMetadata) => T
  /** Destroys the payload when the resource is freed. */
  readonly destroy?: (payload: T) => void
}

/**
 * Options of an asynchronous acquisition.
 *
 * @since 0.1.0
 * @category models
 */
export interface AsyncAcquireOptions<T> extends Omit<SyncAcquireOptions<T>, "mode"> {
  /** `Blocking` (default) or `Timeout` (with `timeoutMillis`); NonBlocking/Emergency also accepted. */
  readonly mode?: "NonBlocking" | "Blocking" | "Timeout" | "Emergency"
  /** The longest wait in Timeout mode, in milliseconds. */
  readonly timeoutMillis?: number
  /** Aborting it while waiting rejects with the signal's reason and leaves the queue. */
  readonly signal?: AbortSignal
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
  acquire<T = Uint8Array>(name: string, metadata: ResourceMetadata, options?: SyncAcquireOptions<T>): ResourceRef<T>
  /** Acquires, waiting if needed (Blocking, Timeout); rejects with AcquireTimeout, DeadlockDetected, … */
  acquireAsync<T = Uint8Array>(
    name: string,
    metadata: ResourceMetadata,
    options?: AsyncAcquireOptions<T>
  ): Promise<ResourceRef<T>>
  /** Makes `driver` a holder of a live Shareable resource. */
  share(handle: ResourceHandle, driver: string): SharedHandle
  /** Adds a dependency edge between live resources. */
  addDependency(dependent: ResourceHandle, dependency: ResourceHandle): void
  /** Releases a Reclaimable resource on its owner's behalf; returns the bytes freed. */
  reclaim(handle: ResourceHandle): number
  /** Sets a type's budget (throws InvalidBudget and leaves it unchanged); waiters that can never fit fail. */
  setBudget(type: ResourceType, budget: ResourceBudget): void
  /** A type's budget, or undefined (unlimited). */
  getBudget(type: ResourceType): ResourceBudget | undefined
  /** Removes a type's budget (unlimited from now on; waiters are admitted). */
  removeBudget(type: ResourceType): void
  /** Registers a reclamation callback (told the missing bytes; returns the bytes it claims). */
  registerReclamationCallback(type: ResourceType, callback: (missingBytes: number) => number): Disposable
  /** Registers a pressure callback (called after the state change; errors are isolated). */
  registerPressureCallback(callback: (event: PressureEvent) => void): Disposable
  /** The stats of one type. */
  getResourceStats(type: ResourceType): ResourceStats
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
  /** A serializable snapshot of the wait-for graph and the holders (for the CLI's inspect view). */
  waitGraph(): WaitGraphSnapshot
  /**
   * Discouraged (interop with the seed's C-style API): registers a resource without a ref; it stays live
   * until `releaseResource`. Prefer `acquire` with `using`.
   */
  registerResource(name: string, metadata: ResourceMetadata, owner?: string): ResourceHandle
  /** Discouraged: releases a resource registered with `registerResource` (idempotent). */
  releaseResource(handle: ResourceHandle, owner?: string): void
  /** Releases everything still live (reverse order) and returns the leak report. */
  close(): ReadonlyArray<LeakReport>
}

interface Tracked {
  readonly engine: Engine
  readonly slot: number
  readonly generation: number
  readonly driver: number
  readonly report: (leaks: ReadonlyArray<LeakReport>) => void
  /** Set by the ref's release: a released ref that is collected is no leak. */
  released: boolean
}

const leakRegistry =
  typeof FinalizationRegistry === "undefined"
    ? undefined
    : new FinalizationRegistry<Tracked>((tracked) => {
        const engine = tracked.engine
        const slot = tracked.slot
        if (tracked.released || engine.closed || !engine.isCurrent(slot, tracked.generation)) return
        if (!engine.state.holds(slot, tracked.driver)) return
        const leak = engine.leakOf(slot)
        engine.release(slot, tracked.driver)
        tracked.report([leak])
      })

/**
 * Creates a plain resource manager from a config (throws InvalidBudget for an invalid budget).
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
export const createResourceManager = (config: ResourceManagerConfig = {}): PlainResourceManager & AsyncDisposable => {
  const engine = new Engine(config, burstClock())
  const state = engine.state
  const reclaimers: Array<Array<(missing: number) => number>> = ResourceTypeNames.map(() => [])
  const pressureCallbacks = new Set<(event: PressureEvent) => void>()
  const reportLeaks = (leaks: ReadonlyArray<LeakReport>) => {
    if (leaks.length === 0) return
    if (config.onLeaks !== undefined) config.onLeaks(leaks)
    else for (const leak of leaks) console.warn(`flight-hal leak: ${leak.name} ${leak.type} ${leak.sizeBytes} bytes`)
  }
  const trackLeaks = leakRegistry !== undefined && config.detectGarbageCollectedLeaks === true

  // Pressure callbacks run in a microtask after the transition; disposing a registration and close() first
  // deliver every pending event (in order), so no event published before them is lost.
  const pending: Array<PressureEvent> = []
  let flushScheduled = false
  const flush = () => {
    flushScheduled = false
    for (let event = pending.shift(); event !== undefined; event = pending.shift()) {
      for (const callback of [...pressureCallbacks]) {
        try {
          callback(event)
        } catch (error) {
          console.warn("flight-hal: pressure callback failed", error)
        }
      }
    }
  }
  state.pressureListener = (change) => {
    if (pressureCallbacks.size === 0) return
    const type = typeNameOf(change.type)
    pending.push({ type, from: change.from, to: change.to, stats: engine.stats(type) })
    if (!flushScheduled) {
      flushScheduled = true
      queueMicrotask(flush)
    }
  }

  const reclaimFor = (type: number, missing: () => number) => {
    if (missing() > 0) engine.trimPools(type)
    for (const callback of [...(reclaimers[type] ?? [])]) {
      if (missing() <= 0) return
      try {
        callback(missing())
      } catch (error) {
        console.warn("flight-hal: reclamation callback failed", error)
      }
    }
  }

  const prepare = (
    name: string,
    metadata: ResourceMetadata,
    mode: number,
    owner: string | undefined,
    reuse = false
  ): Request => {
    if (engine.closed) throw new ManagerClosed()
    const valid = validateMetadata(metadata)
    if (valid instanceof InvalidMetadata) throw valid
    const request = engine.request(name, valid, mode, owner, reuse ? engine.scratchRequest : undefined)
    if (!("type" in request)) throw request
    return request
  }

  const mayReclaim = (type: number): boolean => (reclaimers[type]?.length ?? 0) > 0 || engine.hasPools(type)

  const decide = (request: Request) => {
    const type = request.type
    let result = engine.submit(request, !mayReclaim(type))
    if (result instanceof NeedsReclaim) {
      reclaimFor(type, () => (state.usage[type] as number) + request.size - state.limit(type, request.priority))
      result = engine.submit(request, true)
    }
    if (
      typeof result === "number" &&
      request.mode === Mode.Emergency &&
      state.overage.has(result) &&
      mayReclaim(type)
    ) {
      reclaimFor(type, () => (state.usage[type] as number) - state.limit(type, request.priority))
    }
    return result
  }

  const makeRef = <T>(
    slot: number,
    request: Request,
    name: string,
    metadata: ResourceMetadata,
    options: Pick<SyncAcquireOptions<T>, "create" | "destroy"> | undefined
  ): ResourceRef<T> => {
    const ref = engine.bind(slot, request.driver, name, metadata, options?.create, options?.destroy)
    if (trackLeaks && leakRegistry !== undefined) {
      // registered without an unregister token: a token costs microseconds per ref on JavaScriptCore, and a
      // released ref only marks its tracker
      const tracker: Tracked = {
        engine,
        slot,
        generation: state.generation[slot] as number,
        driver: request.driver,
        report: reportLeaks,
        released: false
      }
      ref.tracker = tracker
      leakRegistry.register(ref, tracker)
    }
    return ref
  }

  const resolve = (handle: ResourceHandle): number => {
    const slot = engine.resolve(handle)
    if (typeof slot !== "number") throw slot
    return slot
  }

  const manager: PlainResourceManager & AsyncDisposable = {
    acquire<T = Uint8Array>(name: string, metadata: ResourceMetadata, options?: SyncAcquireOptions<T>) {
      const mode = options?.mode === "Emergency" ? Mode.Emergency : Mode.NonBlocking
      const request = prepare(name, metadata, mode, options?.owner, true)
      const result = decide(request)
      if (typeof result !== "number") throw result
      const ref = makeRef(result, request, name, metadata, options)
      return ref
    },
    acquireAsync<T = Uint8Array>(name: string, metadata: ResourceMetadata, options?: AsyncAcquireOptions<T>) {
      try {
        const modeName = options?.mode ?? "Blocking"
        const mode = Mode[modeName]
        if (mode === undefined) throw new InvalidArgument({ argument: "mode", issue: `unknown mode ${modeName}` })
        const timeoutMillis = options?.timeoutMillis
        if (mode === Mode.Timeout && (timeoutMillis === undefined || !(timeoutMillis >= 0))) {
          throw new InvalidArgument({ argument: "timeoutMillis", issue: "Timeout mode needs timeoutMillis ≥ 0" })
        }
        const request = prepare(name, metadata, mode, options?.owner)
        const result = decide(request)
        if (typeof result === "number") {
          return Promise.resolve(makeRef(result, request, name, metadata, options))
        }
        if (!(result instanceof WaitingRequest)) return Promise.reject(result)
        return new Promise<ResourceRef<T>>((resolvePromise, rejectPromise) => {
          const started = state.now()
          let timer: ReturnType<typeof setTimeout> | undefined
          const signal = options?.signal
          const onAbort = () => {
            cleanup()
            wake(interrupt(state, result))
            rejectPromise(signal?.reason)
          }
          const cleanup = () => {
            if (timer !== undefined) clearTimeout(timer)
            signal?.removeEventListener("abort", onAbort)
          }
          result.settle = {
            granted: (slot) => {
              cleanup()
              resolvePromise(makeRef(slot, request, name, metadata, options))
            },
            failed: (error) => {
              cleanup()
              rejectPromise(error)
            }
          }
          if (signal !== undefined) {
            if (signal.aborted) return onAbort()
            signal.addEventListener("abort", onAbort, { once: true })
          }
          if (mode === Mode.Timeout) {
            timer = setTimeout(() => {
              signal?.removeEventListener("abort", onAbort)
              wake(timeout(state, result))
              rejectPromise(
                new AcquireTimeout({
                  name,
                  resourceType: typeNameOf(request.type),
                  waitedMillis: state.now() - started
                })
              )
            }, timeoutMillis)
          }
        })
      } catch (error) {
        return Promise.reject(error)
      }
    },
    share(handle, driver) {
      const slot = resolve(handle)
      const index = share(state, slot, driver)
      if (typeof index !== "number") throw index
      return new SharedHandle(engine, engine.handleOf(slot), driver, index)
    },
    addDependency(dependent, dependency) {
      const error = addDependency(state, resolve(dependent), resolve(dependency))
      if (error !== undefined) throw error
    },
    reclaim(handle) {
      const slot = resolve(handle)
      const size = state.sizes[slot] as number
      const result = reclaim(state, slot)
      if (!("freed" in result)) throw result
      engine.finalize(result.freed)
      wake(result.settled)
      return result.freed.length > 0 ? size : 0
    },
    setBudget(type, budget) {
      const error = engine.setBudget(type, budget)
      if (error !== undefined) throw error
    },
    getBudget: (type) => state.budgets[typeIndexOf[type]],
    removeBudget: (type) => engine.removeBudget(type),
    registerReclamationCallback(type, callback) {
      const list = reclaimers[typeIndexOf[type]]
      list?.push(callback)
      return {
        [Symbol.dispose]: () => {
          const index = list?.indexOf(callback) ?? -1
          if (list !== undefined && index >= 0) list.splice(index, 1)
        }
      }
    },
    registerPressureCallback(callback) {
      pressureCallbacks.add(callback)
      return {
        [Symbol.dispose]: () => {
          flush()
          pressureCallbacks.delete(callback)
        }
      }
    },
    getResourceStats: (type) => engine.stats(type),
    snapshot: () => introspect.snapshot(engine),
    driverStats: (driver) => introspect.driverStats(engine, driver),
    holders: (handle) => introspect.holders(engine, resolve(handle)),
    dependents: (handle) => introspect.dependents(engine, resolve(handle)),
    dependencies: (handle) => introspect.dependencies(engine, resolve(handle)),
    waitGraph: () => waitGraphSnapshot(introspect.waitState(engine)),
    registerResource(name, metadata, owner) {
      const request = prepare(name, metadata, Mode.NonBlocking, owner, true)
      const result = decide(request)
      if (typeof result !== "number") throw result
      return engine.handleOf(result)
    },
    releaseResource(handle, owner) {
      const slot = engine.resolve(handle)
      if (typeof slot !== "number") return
      const driver = state.driver(owner ?? engine.defaultDriver)
      if (state.holds(slot, driver)) engine.release(slot, driver)
    },
    close() {
      const leaks = engine.close(new ManagerClosed())
      flush()
      reportLeaks(leaks)
      return leaks
    },
    [Symbol.dispose]() {
      manager.close()
    },
    [Symbol.asyncDispose]() {
      manager.close()
      return Promise.resolve()
    }
  }
  return manager
}

/**
 * `Date.now()` read once per synchronous burst: the value is reused until the next microtask. A clock read
 * costs 20–90 ns, most of the facade's acquire budget; ages in leak reports stay exact to within one burst.
 */
const burstClock = (): (() => number) => {
  let cached = -1
  const expire = () => {
    cached = -1
  }
  return () => {
    if (cached < 0) {
      cached = Date.now()
      queueMicrotask(expire)
    }
    return cached
  }
}
