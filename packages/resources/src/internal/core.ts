/**
 * The one admission core under both front ends (the Effect service and the plain facade). It owns, once:
 * input validation (through `validate.ts`), the admission pipeline as a resumable step (`start` → `Reclaiming`
 * steps the front end runs its own way → the final slot, waiter or error), the reclamation registry, the
 * pressure-event queue, payload finalizers and pool blocks, leak reports, and every operation (release,
 * share, addDependency, reclaim, timeout, interrupt, setBudget, close), each doing its own finalize and wake.
 * Synchronous and Effect-free: a front end only decides how to run user callbacks and how to wait.
 *
 * No state is shared between calls except the manager's own: every request is a fresh object, so a user
 * callback that calls back into the manager can never disturb the call in progress.
 *
 * @since 0.1.0
 */
import {
  AcquireTimeout,
  AcquisitionMode,
  DependencyNotLive,
  type DuplicatePool,
  formatHandle,
  InvalidArgument,
  type InvalidBudget,
  InvalidMetadata,
  type InvalidPoolConfig,
  MAX_NAME_LENGTH,
  ManagerClosed,
  type NotHolder,
  type PoolExhausted,
  type ResourceBudget,
  ResourceFlag,
  type ResourceHandle,
  type ResourceMetadata,
  ResourceNotFound,
  ResourcePressureNames,
  ResourcePriority,
  StaleHandle
} from "@flight-hal/core"
import type { ManagedPool } from "@flight-hal/pool"
import type { ManagerConfigError, ResourceManagerConfig } from "../ResourceManagerConfig.ts"
import { ResourceRef, SharedHandle } from "../ResourceRef.ts"
import type {
  DriverStats,
  LeakReport,
  ManagerProfile,
  PressureEvent,
  ResourceInfo,
  ResourceStats
} from "../ResourceStats.ts"
import { exactClock } from "./burst-clock.ts"
import { captureSite } from "./call-site.ts"
import { percentOfCeil } from "./exact-fraction.ts"
import { introspect } from "./introspection.ts"
import { CoreMetrics } from "./metrics.ts"
import { defaultPayload, type HookEffectRunner, Payload, type PayloadDestroy, runDestroy } from "./payload.ts"
import { makeManagerPools, poolTypeName, type RoutingCounts } from "./pools.ts"
import { mergeProfile, resolveProfile } from "./profile-config.ts"
import type { Request } from "./request.ts"
import { endShareHold } from "./share-hold.ts"
import { cut, showThrown } from "./show.ts"
import { SlotTable } from "./slot-table.ts"
import { ManagerState, SlotState } from "./state.ts"
import { TraceRecorder, unitIssue } from "./trace-recorder.ts"
import {
  addDependency,
  failAllWaiters,
  fillSlot,
  interrupt,
  labelOf,
  NeedsReclaim,
  type ReleaseResult,
  rebudget,
  reclaim,
  reexamine,
  release,
  type SubmitResult,
  share,
  submit,
  timeout,
  WaitingRequest,
  wake
} from "./transitions.ts"
import { TypeTable } from "./type-table.ts"
import {
  budgetEntries,
  copyMetadata,
  exposeMetadata,
  isPlainValidMetadata,
  MetadataMemo,
  readDriverKind,
  unknownMetadataType,
  validateBudget,
  validateConfigShape,
  validateDriverId,
  validateDriverLookup,
  validateHandle,
  validateMetadata,
  validateName,
  validateRelief,
  validateString
} from "./validate.ts"

/**
 * Payload clean-up run when the resource is really freed (after its last holder and dependents).
 *
 * @since 0.1.0
 */
export type Finalizer = () => void

/** The pool a type's requests of one size and alignment were last routed to. */
interface RouteMemo {
  readonly size: number
  readonly alignment: number | undefined
  readonly pool: ManagedPool | undefined
}

/** A request made from caller input: the state machine's request plus the validated metadata refs carry. */
export interface AcquireRequest extends Request {
  readonly metadata: ResourceMetadata
  /** The driver's id: its index is looked up on each submission (a forgotten driver's index goes to another id). */
  readonly driverId: string
}

/** Errors a request can end with before it waits. */
export type AdmissionFailure = Exclude<SubmitResult, number | WaitingRequest | NeedsReclaim> | ManagerClosed

/**
 * One step of an admission or a reclamation run: an admitted slot, a waiting request (its wait is the front
 * end's to run), a failure, or a {@link Reclaiming} step (run its callback, then `advance`).
 */
export type Step<R> = number | WaitingRequest | AdmissionFailure | Reclaiming<R>

/** A type to reclaim for and the bytes still missing there (read afresh before every callback). */
interface ReclaimTarget {
  readonly type: number
  readonly missing: () => number
}

/**
 * A reclamation run in progress: the manager trims the type's free pool blocks, then asks its callbacks in
 * registration order, each told the bytes still missing, until nothing is missing or none is left; it trims
 * again after each callback, so pool blocks a callback's releases left free at a pool's tail count in the same
 * run. The front end runs `callback(missing)` its own way (a plain call, an Effect) and calls `advance()` for the
 * next step. A manager closed by a callback ends the run (`ManagerClosed` for an admission).
 */
export class Reclaiming<R> {
  /** The callback to run now. */
  callback: R | undefined = undefined
  /** The bytes it is told are missing. */
  missing = 0
  private target = 0
  private callbacks: ReadonlyArray<R> | undefined = undefined
  private next = 0
  /** The type whose callback is running (-1: none): a nested admission of that type does not reclaim again. */
  private running = -1

  constructor(
    private readonly core: Core<R>,
    private readonly targets: ReadonlyArray<ReclaimTarget>,
    private readonly finish: () => Step<R>,
    /** An Emergency payback run's admission: its caller takes it at the run's end (`abandon` gives it back). */
    private readonly admitted?: { readonly slot: number; readonly request: AcquireRequest }
  ) {}

  /** The next callback to run (this step again), or the run's outcome. */
  advance(): Step<R> {
    this.cancel()
    const core = this.core
    if (core.closed) return this.finish()
    for (; this.target < this.targets.length; this.target++, this.callbacks = undefined, this.next = 0) {
      const { type, missing } = this.targets[this.target] as ReclaimTarget
      // before the first callback and after each one: the free tail of the type's pools is given back (the blocks
      // a callback's releases returned to their pools are charged as capacity until a trim takes them off)
      if (missing() > 0) core.trimPools(type)
      if (this.callbacks === undefined) this.callbacks = [...(core.reclaimers[type] ?? [])]
      const need = missing()
      if (need > 0 && this.next < this.callbacks.length) {
        this.callback = this.callbacks[this.next++]
        this.missing = need
        this.running = type
        core.reclaimingTypes[type] = (core.reclaimingTypes[type] as number) + 1
        return this
      }
    }
    return this.finish()
  }

  /** The running callback is over (or abandoned: an interrupted fiber): its type may reclaim again. */
  cancel(): void {
    if (this.running < 0) return
    const counts = this.core.reclaimingTypes
    counts[this.running] = (counts[this.running] as number) - 1
    this.running = -1
  }

  /**
   * The run's caller leaves during a callback (an interrupted Effect acquisition, an interrupted
   * `relieveSystemPressure` fiber): the run ends there, asking no further callback. An admission still to come is
   * never made (no failure is counted); a payback run's admission is given back. What the callbacks released stays
   * released.
   */
  abandon(): void {
    this.cancel()
    this.target = this.targets.length
    const admitted = this.admitted
    if (admitted !== undefined && !this.core.closed) this.core.giveBack(admitted.slot, admitted.request)
  }
}

/**
 * The core of one manager.
 *
 * @since 0.1.0
 */
export class Core<R> {
  /** This manager's identity, carried by every handle it issues. */
  readonly id: number = nextManagerId()
  /** The last copy of caller metadata (`copyMetadata`): the front ends' and the core's copies share it. */
  readonly metadataMemo: MetadataMemo = new MetadataMemo()
  /** The last metadata the one step found admissible, and its type's index (`oneStepType`). */
  private oneStepMetadata: ResourceMetadata | undefined = undefined
  private oneStepTypeIndex = -1
  readonly state: ManagerState
  readonly defaultDriver: string
  /** The default driver's index (interned first). */
  private readonly defaultDriverIndex: number
  /** `captureAcquisitionSite`: every acquisition's site is taken when it is requested (`request`). */
  readonly captureSites: boolean
  /** Per-slot side data in plain arrays indexed by slot (allocated when used). */
  private readonly finalizers: Array<Finalizer | undefined> = []
  private readonly sites: Array<string | undefined> = []
  /** Live slots' pool blocks (with `slotHooks`, `settle` skips `finalize` when both are 0). */
  private heldBlocks = 0
  /** Live slots' finalizers, sites and payload cells (`releaseAtOnce` looks for none of them when 0). */
  private slotHooks = 0
  /** The pool of each pool-backed live slot (a side datum), and its block's handle in that pool. */
  private readonly blockPools: Array<ManagedPool | undefined> = []
  private readonly blockHandles: Array<number> = []
  /** The last pool routed to for each type (by size and alignment), until the pools change. */
  private readonly routes: Array<RouteMemo | undefined> = []
  /** The validated metadata of each live slot (`find`, `metadata`, shares). */
  /** The payload cell of each live Shareable slot, seen by its ref and its shares (a side datum). */
  private readonly payloads: Array<Payload<unknown> | undefined> = []
  /**
   * The last share each driver was given of each live shared slot (a slot with one has a cell: `finalize` drops
   * it): a new share by that driver ends the old one for good (`SharedHandle.holdEnded`).
   */
  private readonly shareHandles: SlotTable<Map<number, SharedHandle<unknown>>> = new SlotTable()
  /** 1 for a type some pool serves (a byte per type: read twice on every admission). */
  private readonly pooledTypes: Uint8Array
  private readonly rawPools
  /** How its own admissions of pooled types were served (`pools.routingStats()` adds them). */
  private readonly routing: RoutingCounts
  /** The manager's pools: their capacity is charged to their type's budget. */
  readonly pools
  /** Reclamation callbacks per type, in registration order. */
  readonly reclaimers: Array<Array<R>>
  /**
   * Callbacks of each type running now. An admission made from inside one (a callback that acquires its own
   * type) is decided without asking the callbacks again, so a reclamation never recurses.
   */
  readonly reclaimingTypes: Int32Array
  /** Pressure events not yet delivered to the callbacks, oldest first. */
  readonly pendingPressure: Array<PressureEvent> = []
  /** Called when the first event enters an empty `pendingPressure` (the front end schedules delivery). */
  onPressurePending: () => void = () => {}
  /** Whether anyone listens to pressure events (else none is queued). */
  pressureWanted: () => boolean = () => false
  /** Every pressure event, as it happens (the Effect front end's PubSub). */
  onPressureEvent: (event: PressureEvent) => void = () => {}
  closed = false
  /** The wait histogram, leaks, pressure observers and peak windows (`metrics.ts`). */
  readonly metrics: CoreMetrics
  /** The platform profile the manager runs on (from `config.profile`). */
  profile: ManagerProfile | undefined = undefined
  private readonly onLeaks: ((leaks: ReadonlyArray<LeakReport>) => void) | undefined
  /**
   * How an Effect returned by a `destroy` hook is run: the Effect front end sets it; the plain facade (no Effect
   * runtime in its bundle) leaves it undefined, and such an Effect is not run (`runDestroy`).
   */
  runEffect: HookEffectRunner | undefined = undefined

  private constructor(config: ResourceManagerConfig, now: () => number, types: TypeTable) {
    this.state = new ManagerState({ hysteresisPercent: config.hysteresisPercent ?? 0, now, types })
    this.metrics = new CoreMetrics(this.state)
    this.defaultDriver = config.defaultDriver ?? "app"
    this.captureSites = config.captureAcquisitionSite ?? false
    this.onLeaks = config.onLeaks
    this.defaultDriverIndex = this.keepDriver(this.defaultDriver)
    for (const [driver, kind] of Object.entries(config.drivers ?? {})) {
      const index = this.keepDriver(driver)
      if (kind?.sequential === true) this.state.sequential.add(index)
    }
    this.reclaimers = Array.from({ length: this.state.usage.length }, () => [])
    this.reclaimingTypes = new Int32Array(this.state.usage.length)
    this.pooledTypes = new Uint8Array(this.state.usage.length)
    const made = makeManagerPools(
      { admitGrowth: (type, bytes) => this.admitPoolGrowth(type, bytes), released: (t, b) => this.poolReleased(t, b) },
      (pooled) => {
        this.pooledTypes.fill(0)
        for (const type of pooled) this.pooledTypes[type] = 1
        this.routes.length = 0
      }
    )
    this.pools = made.pools
    this.rawPools = made.raw
    this.routing = made.routing
    this.state.pressureListener = (change) => {
      const type = this.state.typeName(change.type)
      const event: PressureEvent = { type, from: change.from, to: change.to, stats: this.stats(change.type) }
      this.publishPressure(event)
    }
  }

  /**
   * A core from a config, or the typed error of its first bad field (nothing is kept). A config whose reading
   * throws (a getter, a Proxy) is `InvalidArgument { argument: "config" }` naming what was thrown.
   */
  static make<R>(config: unknown, now: () => number): Core<R> | ManagerConfigError {
    try {
      return Core.makeFrom<R>(config, now)
    } catch (error) {
      return new InvalidArgument({ argument: "config", issue: `could not be read (${showThrown(error)})` })
    }
  }

  private static makeFrom<R>(config: unknown, now: () => number): Core<R> | ManagerConfigError {
    const shape = validateConfigShape(config)
    if (shape !== undefined) return shape
    const c = config as ResourceManagerConfig
    const types = TypeTable.make(c.types)
    if (types instanceof InvalidArgument) return types
    const traceTypes = c.trace?.types
    if (traceTypes !== undefined) {
      const unknown = Array.isArray(traceTypes) ? traceTypes.find((type) => types.indexOf(type) < 0) : traceTypes
      if (unknown !== undefined) {
        return new InvalidArgument({ argument: "config.trace.types", issue: types.unknownIssue(unknown) })
      }
    }
    // a profile gives the budgets and pools of the types the config leaves out
    const resolved = c.profile === undefined ? undefined : resolveProfile(c.profile)
    if (resolved !== undefined && !("info" in resolved)) return resolved
    const merged = resolved === undefined ? undefined : mergeProfile(c, resolved.profile)
    const budgets: Array<{ readonly index: number; readonly budget: ResourceBudget }> = []
    for (const [type, budget] of merged?.budgets ?? budgetEntries(c.budgets)) {
      if (budget === undefined) continue
      const valid = validateBudget(type, budget, types)
      if (!("index" in valid)) return valid
      budgets.push(valid)
    }
    const core = new Core<R>(c, now, types)
    for (const { index, budget } of budgets) core.state.setBudgetRaw(index, budget)
    core.profile = resolved?.info
    for (const pool of merged?.pools ?? c.pools ?? []) {
      const made = core.pools.createPool(pool)
      if (!made.ok) return made.error as InvalidPoolConfig | DuplicatePool | PoolExhausted
    }
    const trace = c.trace
    if (trace !== undefined) {
      // every byte count of a trace is a whole number of units: a config whose are not cannot be traced in them
      const issue = unitIssue(core.state, trace.unitBytes ?? 1)
      if (issue !== undefined) return new InvalidArgument({ argument: "config.trace.unitBytes", issue })
      for (const driver of trace.drivers ?? []) core.keepDriver(driver)
      core.state.trace = new TraceRecorder(core.state, trace.sink, {
        ...(trace.unitBytes === undefined ? {} : { unitBytes: trace.unitBytes }),
        ...(trace.drivers === undefined ? {} : { drivers: trace.drivers }),
        ...(trace.types === undefined ? {} : { types: trace.types })
      })
    }
    return core
  }

  // ---- pressure ----

  /** Queues a pressure event for the callbacks (and hands it to `onPressureEvent` at once). */
  publishPressure(event: PressureEvent): void {
    this.onPressureEvent(event)
    this.metrics.pressure(event)
    if (!this.pressureWanted()) return
    this.pendingPressure.push(event)
    if (this.pendingPressure.length === 1) this.onPressurePending()
  }

  /** Interns a driver kept for the manager's life (never forgotten while idle); its index. */
  private keepDriver(id: string): number {
    const index = this.state.driver(id)
    this.state.keptDrivers.add(index)
    return index
  }

  // ---- requests ----

  /**
   * A request from caller input: the name, the metadata and the owner are validated, dependencies must be
   * live resources of this manager. Always a fresh object. `intern: false` leaves a new owner unknown until the
   * request is submitted (`submit` looks the index up then), so a request refused before (a bad signal) leaves
   * no driver behind; the state machine's own tests hand requests made with the default straight to `submit`.
   * With `captureAcquisitionSite` the request carries its site: `site` when the front end took it earlier (the
   * Effect service, where the acquisition's Effect was made), else the stack of this call, which the facade makes
   * in its caller's call.
   */
  request(
    name: unknown,
    metadata: unknown,
    mode: number,
    owner: unknown,
    intern = true,
    site?: string
  ): AcquireRequest | InvalidArgument | InvalidMetadata | DependencyNotLive | ManagerClosed {
    if (this.closed) return new ManagerClosed()
    const validName = validateName(name, "name")
    if (typeof validName !== "string") return validName
    const driverId = owner === undefined ? this.defaultDriver : validateDriverId(owner, "owner")
    if (typeof driverId !== "string") return driverId
    const valid = validateMetadata(metadata, this.metadataMemo)
    if (valid instanceof InvalidMetadata) return valid
    const type = this.state.typeTable.indexOf(valid.type)
    if (type < 0) return unknownMetadataType(this.state.typeTable, valid.type)
    let deps: ReadonlyArray<number> = noDeps
    const dependsOn = valid.dependsOn
    if (dependsOn !== undefined && dependsOn.length > 0) {
      const slots: Array<number> = []
      for (const handle of dependsOn) {
        const slot = this.resolve(handle)
        if (typeof slot !== "number" || this.state.stateOf(slot) !== SlotState.Live) {
          // a resource of this manager (deferred) by its name, else the handle as given
          const dependency = typeof slot === "number" ? labelOf(this.state, slot) : formatHandle(handle)
          return new DependencyNotLive({ resource: validName, dependency })
        }
        if (!slots.includes(slot)) slots.push(slot)
      }
      deps = slots
    }
    return {
      type,
      size: valid.sizeBytes,
      priority: valid.priority === undefined ? ResourcePriority.Normal : ResourcePriority[valid.priority],
      mode,
      driver: intern ? this.state.driver(driverId) : -1, // `submit` looks it up again in any case
      driverId,
      name: validName,
      flags: valid.flags ?? 0,
      deps,
      metadata: valid,
      site: this.captureSites ? (site ?? captureSite()) : undefined
    }
  }

  // ---- admission ----

  /** Whether a type has pools to trim or callbacks to ask. */
  private mayReclaim(type: number): boolean {
    if (this.reclaimingTypes[type] !== 0) return false
    return (this.reclaimers[type]?.length ?? 0) > 0 || this.pooledTypes[type] === 1
  }

  /**
   * The common acquisition in one step, with nothing allocated: an unnamed or named NonBlocking or Emergency
   * request by the default driver, without dependencies and not Shareable, that fits now, on a manager
   * that records no trace, captures no sites and has nobody waiting. Admitted as `request` + `start` would
   * admit it (the same checks in the same order: `submit`, then `acquire`'s `fillSlot`, the pool block held),
   * and its slot returned; -1 when any of that does not hold, for the general path to decide (nothing changed).
   * What it saves is the general path's layers (the request object, `start`, `submit`, the route, `acquire`,
   * `afterAdmission`): docs/manager.md, "The common acquisition in one step".
   */
  admitAtOnce(name: unknown, input: unknown): number {
    const state = this.state
    if (this.closed || state.trace !== undefined || this.captureSites || state.waiting.size !== 0) return -1
    if (typeof name !== "string" || name.length > MAX_NAME_LENGTH || (name !== "" && state.nameTaken(name))) return -1
    // the manager's own copy, read once (a front end's copy passes through): what is checked is what is charged
    const copy = copyMetadata(input, this.metadataMemo)
    const type = this.oneStepType(copy)
    if (type < 0) return -1
    const metadata = copy as ResourceMetadata
    const flags = metadata.flags ?? 0
    const size = metadata.sizeBytes
    const priority = metadata.priority === undefined ? ResourcePriority.Normal : ResourcePriority[metadata.priority]
    const limit = state.limit(type, priority)
    // it fits even without a pool block: a pool that has none (or may not grow) changes nothing but the charge, so
    // nothing after the allocation below can send the request back to the general path
    if ((state.usage[type] as number) + size > limit) return -1
    let pool: ManagedPool | undefined
    let block = -1
    if (this.pooledTypes[type] === 1) {
      const memo = this.routes[type]
      if (memo === undefined || memo.size !== size || memo.alignment !== metadata.alignmentBytes) return -1
      pool = memo.pool
      if (pool !== undefined) block = pool.alloc()
      this.countRouted(pool, block >= 0)
    }
    const pooled = block >= 0
    state.nextRequest++
    const slot = fillSlot(state, type, size, this.defaultDriverIndex, flags, pooled, metadata, name)
    if (pooled) this.holdBlock(slot, pool as ManagedPool, block)
    return slot
  }

  /**
   * The type index of metadata the one step may admit (valid, without dependencies, not Shareable, of a type this
   * manager serves), else -1. A copy never changes, so the answer for the last copy admitted is kept: an
   * acquisition of the same kind as the one before (one shared copy: `MetadataMemo`) skips the checks.
   */
  private oneStepType(metadata: unknown): number {
    if (metadata === this.oneStepMetadata) return this.oneStepTypeIndex
    if (!isPlainValidMetadata(metadata) || (metadata.dependsOn !== undefined && metadata.dependsOn.length > 0)) {
      return -1
    }
    if (((metadata.flags ?? 0) & ResourceFlag.Shareable) !== 0) return -1
    const type = this.state.typeTable.indexOf(metadata.type)
    if (type >= 0) {
      this.oneStepMetadata = metadata
      this.oneStepTypeIndex = type
    }
    return type
  }

  /**
   * What both front ends try first for an acquisition without options: the default driver's ref of a slot
   * `admitAtOnce` admitted (what `bind` makes for such a request), or undefined for the general path to decide.
   */
  acquireAtOnce<T>(name: string, input: unknown): ResourceRef<T> | undefined {
    const slot = this.admitAtOnce(name, input)
    if (slot < 0) return undefined
    const metadata = this.state.metadata[slot] as ResourceMetadata
    const generation = this.state.generationOf(slot)
    const driver = this.defaultDriverIndex
    return new ResourceRef<T>(this, slot, generation, name, metadata, this.defaultDriver, driver, undefined)
  }

  /**
   * Starts an admission: the slot when admitted at once (the fast path, nothing allocated beyond the
   * request), a waiting request, a failure, or a reclamation step to run first.
   */
  start(request: AcquireRequest): Step<R> {
    if (this.closed) return new ManagerClosed()
    const type = request.type
    const first = this.submit(request, !this.mayReclaim(type))
    if (!(first instanceof NeedsReclaim)) return this.afterAdmission(first, request)
    const state = this.state
    // a request a pool routes is served once that pool has a free block (one a callback's release gave back): its
    // retry takes it, charged nothing, so nothing more is missing (and the block is not trimmed away)
    const missing = () =>
      this.routedBlockFree(request)
        ? 0
        : (state.usage[type] as number) + request.size - state.limit(type, request.priority)
    return new Reclaiming<R>(this, [{ type, missing }], () =>
      this.closed ? new ManagerClosed() : this.afterAdmission(this.submit(request, true), request)
    ).advance()
  }

  /** An Emergency admission over budget asks reclamation to pay the overage back (the caller keeps the slot). */
  private afterAdmission(result: SubmitResult, request: AcquireRequest): Step<R> {
    if (result instanceof NeedsReclaim) return new ManagerClosed()
    const state = this.state
    const type = request.type
    if (typeof result !== "number" || request.mode !== AcquisitionMode.Emergency || !state.overage.has(result))
      return result
    if (!this.mayReclaim(type)) return result
    const over = () => (state.usage[type] as number) - state.limit(type, request.priority)
    return new Reclaiming<R>(this, [{ type, missing: over }], () => (this.closed ? new ManagerClosed() : result), {
      slot: result,
      request
    }).advance()
  }

  /**
   * Both front ends' `relieveSystemPressure`: the arguments checked (InvalidArgument, nothing published), then,
   * on an open manager, the `source: "system"` event published and, with `reclaim`, the reclamation run for
   * OS-level pressure: for every type holding bytes, `percent` % of its usage is asked back (free pool blocks
   * first, then the callbacks). Undefined when there is nothing to run.
   */
  relieveSystemPressure(from: unknown, to: unknown, reclaim: unknown): Reclaiming<R> | undefined | InvalidArgument {
    const relief = validateRelief(from, to, reclaim)
    if (relief instanceof InvalidArgument) return relief
    if (this.closed) return undefined
    this.publishPressure({ type: "Memory", from: relief.from, to: relief.to, stats: this.stats(1), source: "system" })
    const percent = relief.percent
    if (percent === undefined) return undefined
    const share = Math.min(100, Math.max(0, Number.isFinite(percent) ? percent : 0))
    const state = this.state
    const targets: Array<ReclaimTarget> = []
    for (let type = 0; type < state.usage.length; type++) {
      const usage = state.usage[type] as number
      if (usage <= 0) continue
      const goal = usage - percentOfCeil(usage, share)
      targets.push({ type, missing: () => (state.usage[type] as number) - goal })
    }
    const run = new Reclaiming<R>(this, targets, () => 0).advance()
    return run instanceof Reclaiming ? run : undefined
  }

  /** Submits to the state machine, serving the request from a pool block when a pool routes its size. */
  private submit(request: AcquireRequest, reclaimed: boolean): SubmitResult {
    // the driver's index as of now: caller code (a signal's getter, reclamation callbacks, which may wait) can run
    // between the request's making and a submission, and the driver, holding nothing yet, may be forgotten meanwhile
    request.driver = this.state.driver(request.driverId)
    const pooledType = this.pooledTypes[request.type] === 1
    const pool = pooledType ? this.routeOf(request) : undefined
    const handle = pool === undefined ? -1 : pool.alloc()
    if (pool === undefined || handle < 0) {
      request.pooled = false
      const result = submit(this.state, request, reclaimed)
      if (typeof result === "number" && pooledType) this.countRouted(pool, false)
      return this.admitted(request, result)
    }
    request.pooled = true
    const result = submit(this.state, request, true)
    if (typeof result === "number") {
      this.holdBlock(result, pool, handle)
      this.countRouted(pool, true)
    } else pool.free(handle)
    return this.admitted(request, result)
  }

  /** Whether the pool a request routes to has a free block now (the reclamation path only: not the fast path). */
  private routedBlockFree(request: AcquireRequest): boolean {
    if (this.pooledTypes[request.type] !== 1) return false
    const pool = this.routeOf(request)
    return pool !== undefined && pool.stats().freeBlocks > 0
  }

  /** Counts an admission of a type that has pools: served by a block, or by the heap (the pool had none, or none routed). */
  private countRouted(pool: ManagedPool | undefined, served: boolean): void {
    const routing = this.routing
    if (served) routing.hits++
    else if (pool !== undefined) routing.exhaustedFallbacks++
    else routing.misses++
  }

  /**
   * `result`, with the request's `generation` recorded when it is an admitted slot (see `Request.generation`) and
   * its site given to the slot.
   */
  private admitted(request: AcquireRequest, result: SubmitResult): SubmitResult {
    if (typeof result === "number") {
      request.generation = this.state.generationOf(result)
      if (request.site !== undefined) this.attachSite(result, request.site)
    }
    return result
  }

  /** Records a live slot's acquisition site (dropped when the slot is freed: `finalize`). */
  private attachSite(slot: number, site: string): void {
    if (this.sites[slot] === undefined) this.slotHooks++
    this.sites[slot] = site
  }

  /** Records the pool block serving a slot (given back when the slot is freed: `finalize`). */
  private holdBlock(slot: number, pool: ManagedPool, block: number): void {
    this.blockPools[slot] = pool
    this.blockHandles[slot] = block
    this.heldBlocks++
  }

  /** The pool a request's block comes from (none for a taken name: the request fails or waits without one). */
  private routeOf(request: Request): ManagedPool | undefined {
    if (this.state.nameTaken(request.name)) return undefined
    // only a pool whose blocks are aligned as the metadata asks (a heap payload starts at offset 0: aligned)
    const size = request.size
    const alignment = request.metadata?.alignmentBytes
    const memo = this.routes[request.type]
    if (memo !== undefined && memo.size === size && memo.alignment === alignment) return memo.pool
    const pool = this.rawPools.route(poolTypeName(request.type), size, alignment)
    this.routes[request.type] = { size, alignment, pool }
    return pool
  }

  /** The payload of a slot without a `create` hook: its pool block's view, else the default payload. */
  defaultPayload(slot: number, metadata: ResourceMetadata, name: string): unknown {
    const pool = this.blockPools[slot]
    return pool === undefined ? defaultPayload(metadata, name) : pool.view(this.blockHandles[slot] as number)
  }

  /** Pool growth is admitted like a NonBlocking request of Normal priority, then charged. */
  private admitPoolGrowth(type: number, bytes: number): boolean {
    const state = this.state
    if (this.closed) return false
    const fits = (state.usage[type] as number) + bytes <= state.limit(type, ResourcePriority.Normal)
    if (!fits || (state.queues[type]?.atOrAbove(ResourcePriority.Normal) ?? 0) > 0) {
      if (state.trace !== undefined) state.trace.pool("RefusePoolGrow", type, bytes)
      return false
    }
    state.poolBytes[type] = (state.poolBytes[type] as number) + bytes
    state.charge(type, bytes)
    state.taint()
    if (state.trace !== undefined) state.trace.pool("PoolGrow", type, bytes)
    return true
  }

  /** Pool capacity given back (trim, destroyPool): uncharged, then the type's queue is re-examined. */
  private poolReleased(type: number, bytes: number): void {
    const state = this.state
    state.poolBytes[type] = (state.poolBytes[type] as number) - bytes
    state.charge(type, -bytes)
    if (state.trace !== undefined) state.trace.pool("PoolTrim", type, bytes)
    this.settle(reexamine(state, [type]))
  }

  /** Trims the free tail of a type's pools (the manager's own reclamation: before and after each user callback). */
  trimPools(type: number): number {
    return this.pooledTypes[type] === 1 ? this.pools.trim(poolTypeName(type)) : 0
  }

  // ---- waits ----

  /**
   * A wait that ended without a grant because its time ran out: leaves the queue, AcquireTimeout. Its
   * `waitedMillis` is read from the exact clock, from the moment the request started waiting
   * (`WaitingRequest.enqueuedAt`) to now (the facade's burst clock can be older than the request).
   */
  timeout(waiter: WaitingRequest): AcquireTimeout | undefined {
    if (waiter.ended) return undefined
    waiter.end()
    this.settle(timeout(this.state, waiter))
    return new AcquireTimeout({
      resource: waiter.name,
      resourceType: this.state.typeName(waiter.type),
      waitedMillis: this.waitedMillis(waiter)
    })
  }

  /** How long a waiter has waited until now, by the exact clock, from when it was enqueued. */
  private waitedMillis(waiter: WaitingRequest): number {
    return Math.max(0, exactClock(this.state.now)() - waiter.enqueuedAt)
  }

  /** How a wait that is over ended: the granted slot, the failure, or (its time ran out) AcquireTimeout. */
  outcome(waiter: WaitingRequest): number | unknown {
    if (waiter.grantedSlot >= 0) return waiter.grantedSlot
    if (waiter.ended) return waiter.failure
    return this.timeout(waiter)
  }

  /**
   * An admission its caller will not take (its signal aborted during the admission): its resource released at
   * once, unless caller code freed it since (its slot may hold another resource by now).
   */
  giveBack(slot: number, request: AcquireRequest): void {
    if (request.generation !== undefined) this.releaseOwned(slot, request.generation, request.driver)
  }

  /** A waiter that will never take its outcome (interrupted, aborted): leaves its queue, or gives a grant back. */
  abandon(waiter: WaitingRequest): void {
    if (waiter.grantedSlot >= 0) {
      const slot = waiter.grantedSlot
      waiter.grantedSlot = -1
      // unless caller code freed it since the grant (its slot may hold another resource by now)
      if (!this.closed && this.state.generationOf(slot) === waiter.request.generation) this.release(slot, waiter.driver)
      return
    }
    if (waiter.ended) return
    waiter.end()
    this.settle(interrupt(this.state, waiter))
  }

  // ---- refs ----

  /**
   * The holder's ref of an admitted slot: the payload is its pool block's view, the `create` hook's value, or
   * a fresh Uint8Array for Memory; when the resource is freed the `destroy` hook runs and the block goes back.
   */
  bind<T>(
    slot: number,
    request: AcquireRequest,
    create: ((metadata: ResourceMetadata) => T) | undefined,
    destroy: ((payload: T) => void) | undefined
  ): ResourceRef<T> {
    const generation = request.generation ?? this.state.generationOf(slot)
    if (this.state.generationOf(slot) !== generation) {
      // freed by caller code since its admission (a payback run's callback, a `destroy` hook before the wake): a
      // released ref, with nothing attached to the slot, which another resource may hold by now
      return new ResourceRef<T>(this, slot, generation, request.name, request.metadata, request.driverId, -1, undefined)
    }
    // a Shareable resource's payload is one cell, seen by the ref and by every share; a ref with a `destroy` hook
    // keeps its payload in a cell of its own, which the finalizer reads: a finalizer that held the ref would keep a
    // forgotten ref from ever being collected (`detectGarbageCollectedLeaks` would never find it)
    const cell =
      (request.flags & ResourceFlag.Shareable) !== 0
        ? this.payloadCell(slot, create, destroy, true)
        : destroy === undefined
          ? undefined
          : this.ownCell(slot, request.name, request.metadata, create, destroy)
    const hooks =
      create === undefined && destroy === undefined && cell === undefined ? undefined : { create, destroy, cell }
    const ref = new ResourceRef<T>(
      this,
      slot,
      generation,
      request.name,
      request.metadata,
      request.driverId,
      request.driver,
      hooks
    )
    if (destroy !== undefined) this.finalizeWith(slot, cell as Payload<T>, destroy)
    return ref
  }

  /**
   * The finalizer of a slot whose ref has a `destroy` hook: the hook gets the payload if it was made (and is not
   * `undefined`), through `runDestroy`. It holds the payload's cell, never the ref (a closure made here, in a
   * function of its own, captures nothing else of `bind`).
   */
  private finalizeWith<T>(slot: number, cell: Payload<T>, destroy: (payload: T) => void): void {
    this.slotHooks++
    this.finalizers[slot] = () => {
      const payload = cell.created()
      if (payload !== undefined) runDestroy(destroy as PayloadDestroy, payload, this.runEffect)
    }
  }

  /**
   * The payload cell of a ref with a `destroy` hook that is not Shareable: its own (no share sees it, the slot does
   * not list it), made on the first access with its `create` hook, else the slot's default payload.
   */
  private ownCell<T>(
    slot: number,
    name: string,
    metadata: ResourceMetadata,
    create: ((metadata: ResourceMetadata) => T) | undefined,
    destroy: (payload: T) => void
  ): Payload<T> {
    if (create !== undefined) exposeMetadata(metadata) // a create hook sees it
    return new Payload<T>(metadata, create ?? ((m) => this.defaultPayload(slot, m, name) as T), destroy)
  }

  /**
   * The payload cell of a live Shareable slot, made (with `make`, else the default payload) when it has none; the
   * owner's ref (`owner`) brings its `create` and `destroy` hooks to a cell a share made first.
   */
  private payloadCell<T>(
    slot: number,
    make: ((metadata: ResourceMetadata) => T) | undefined,
    destroy: ((payload: T) => void) | undefined,
    owner = false
  ): Payload<T> {
    const existing = this.payloads[slot] as Payload<T> | undefined
    if (existing !== undefined) {
      if (owner) existing.adopt(make, destroy)
      return existing
    }
    const metadata = this.state.metadata[slot] as ResourceMetadata
    if (make !== undefined) exposeMetadata(metadata) // a create hook sees it
    const cell = new Payload<T>(
      metadata,
      make ?? ((m) => this.defaultPayload(slot, m, this.state.names.at(slot)) as T),
      destroy
    )
    this.payloads[slot] = cell as Payload<unknown>
    this.slotHooks++
    return cell
  }

  /**
   * What becomes of a payload a `create` hook made for a read through a hold the hook itself ended (it released
   * that ref or share, reclaimed it, or closed the manager); that read fails with ResourceReleased, as every read
   * after the release does (docs/semantics.md, section 2). While the resource of `generation` lives on (other
   * holders, or dependents that defer its release) the value is kept (true): its other holders see it and its
   * `destroy` hook gets it when the resource is freed. When the hook freed it, its finalizer ran before the value
   * existed: the value goes to `destroy` now (`runDestroy`, as in `finalize`) and is not kept (false).
   */
  keepsMade(slot: number, generation: number, value: unknown, destroy: PayloadDestroy | undefined): boolean {
    if (this.isCurrent(slot, generation)) return true
    // `value` is the payload of the resource whose hook `destroy` is
    if (destroy !== undefined && value !== undefined) runDestroy(destroy, value, this.runEffect)
    return false
  }

  /**
   * Runs the finalizers of freed slots (errors isolated), then wakes the settled waiters. A granted wait's time, from
   * its request's start to now by the exact clock, goes to the wait histogram before its waiter wakes, and its
   * request's site to its slot, unless caller code run since the grant (a `destroy` hook above) freed that slot.
   */
  settle(result: ReleaseResult): void {
    const freed = result.freed
    if (this.heldBlocks + this.slotHooks > 0 && freed.length > 0) {
      // a finalizer may re-enter the manager and reuse a shared result: one slot is read before it runs, several
      // are copied first (a pool-backed release, the common case, copies nothing)
      if (freed.length === 1) this.finalize(freed[0] as number)
      else for (const slot of [...freed]) this.finalize(slot)
    }
    if (result.settled.length > 0) {
      for (const { waiter, slot, generation, error } of result.settled) {
        if (error !== undefined || !(waiter instanceof WaitingRequest)) continue
        this.metrics.waited(waiter.type, this.waitedMillis(waiter))
        const site = waiter.request.site
        if (site !== undefined && this.isCurrent(slot, generation)) this.attachSite(slot, site)
      }
      wake(result.settled)
      for (const { waiter } of result.settled) {
        if (waiter instanceof WaitingRequest && waiter.untaken) {
          waiter.untaken = false
          this.abandon(waiter)
        }
      }
    }
  }

  /** Gives a freed slot's pool block back to its pool, if it has one. */
  private returnBlock(slot: number): void {
    const block = this.blockHandles[slot] as number
    this.takeBlock(slot)?.free(block)
  }

  /** Takes a freed slot's pool block off the slot (its handle stays in `blockHandles`): the block's pool, if any. */
  private takeBlock(slot: number): ManagedPool | undefined {
    const pool = this.blockPools[slot]
    if (pool !== undefined) {
      this.blockPools[slot] = undefined
      this.heldBlocks--
    }
    return pool
  }

  /**
   * Drops a freed slot's side data: its site and payload cell, its destroy hook (run), then its pool block. The
   * slot is free while the hook runs, and the hook may acquire: a new resource can take this slot and a block of
   * its own, so the freed resource's block is taken off the slot first, and goes back after the hook (which may
   * still read its view).
   */
  private finalize(slot: number): void {
    if (this.sites[slot] !== undefined) {
      this.sites[slot] = undefined
      this.slotHooks--
    }
    if (this.payloads[slot] !== undefined) {
      this.payloads[slot] = undefined
      this.slotHooks--
      this.shareHandles.delete(slot)
    }
    const block = this.blockHandles[slot] as number
    const pool = this.takeBlock(slot)
    const finalizer = this.finalizers[slot]
    if (finalizer !== undefined) {
      this.finalizers[slot] = undefined
      this.slotHooks--
      try {
        finalizer()
      } catch {
        // a payload finalizer that throws must not break the manager
      }
    }
    pool?.free(block)
  }

  // ---- handles ----

  /** The slot of a handle of this manager, or the error of a stale / unknown / foreign handle. */
  resolve(handle: ResourceHandle): number | StaleHandle | ResourceNotFound {
    const slot = handle.slot
    if (handle.manager !== this.id || !Number.isInteger(slot) || slot < 0 || slot >= this.state.highWater) {
      return new ResourceNotFound({ resource: formatHandle(handle) })
    }
    const current = this.state.generationOf(slot)
    if (current !== handle.generation) {
      return new StaleHandle({ handle: formatHandle(handle), slot, currentGeneration: current })
    }
    if (this.state.stateOf(slot) === SlotState.Free) return new ResourceNotFound({ resource: formatHandle(handle) })
    return slot
  }

  /** The slot of caller input that should be a handle (InvalidArgument when it is not one). */
  slotOf(value: unknown, argument = "handle"): number | InvalidArgument | StaleHandle | ResourceNotFound {
    const handle = validateHandle(value, argument)
    return handle instanceof InvalidArgument ? handle : this.resolve(handle)
  }

  /** Whether `slot` still holds the resource of `generation` (and it is not freed). */
  isCurrent(slot: number, generation: number): boolean {
    return (
      slot < this.state.highWater &&
      this.state.generationOf(slot) === generation &&
      this.state.stateOf(slot) !== SlotState.Free
    )
  }

  /** Whether `slot` still holds the resource of `generation` and `driver` holds it. */
  holdsCurrent(slot: number, generation: number, driver: number): boolean {
    const state = this.state
    if (slot >= state.highWater || state.generationOf(slot) !== generation) return false
    // nothing shared: only the owner of a live slot holds it (what `isCurrent` and `holds` say together)
    if (state.holders.size === 0) return state.liveOwnerOf(slot) === driver
    return state.stateOf(slot) !== SlotState.Free && state.holds(slot, driver)
  }

  /**
   * Whether `slot` still holds the resource of `generation` and its owner `driver` still holds it through the
   * hold its acquisition made: the slot is still in the owner's list (`ManagerState.ownedHead`), which only an
   * admission adds it to. Once that hold ended (its ref's release, `reclaim`, `releaseResource`, the close), it
   * never comes back: a later share by the same driver is a hold of its own (docs/semantics.md, section 2).
   */
  ownsCurrent(slot: number, generation: number, driver: number): boolean {
    const state = this.state
    if (slot >= state.highWater || state.generationOf(slot) !== generation) return false
    if (state.liveOwnerOf(slot) !== driver) return false
    // nothing shared: the owner of a live slot holds it by its acquisition's hold (ending it frees or defers it)
    if (state.holders.size === 0) return true
    return state.inOwnedList(slot, driver)
  }

  /** The handle of a live slot (frozen: a share releases through its handle, which nobody may retarget). */
  handleOf(slot: number): ResourceHandle {
    return Object.freeze({ slot, generation: this.state.generationOf(slot), manager: this.id })
  }

  // ---- operations ----

  /**
   * Ends the hold of a ref, `driver`'s acquisition of `slot` in `generation`, when it is still held
   * (`ownsCurrent`); nothing otherwise. The one-step release needs the slot live, owned by `driver` and nothing
   * shared, which with the generation is what `ownsCurrent` asks, so a slot it frees needs no check before.
   */
  releaseOwned(slot: number, generation: number, driver: number): void {
    const state = this.state
    if (slot < state.highWater && state.generationOf(slot) === generation && this.releaseAtOnce(slot, driver)) return
    // the one step did not apply (nothing changed): the general release, if the hold goes on
    if (this.ownsCurrent(slot, generation, driver)) this.releaseByTransition(slot, driver)
  }

  /** Releases `driver`'s hold on `slot` (finalize, wake). */
  release(slot: number, driver: number): void {
    if (!this.releaseAtOnce(slot, driver)) this.releaseByTransition(slot, driver)
  }

  /** The general release: the `Release` transition, then finalizers and wake-ups for what it freed. */
  private releaseByTransition(slot: number, driver: number): void {
    const result = release(this.state, slot, driver)
    if ("freed" in result) this.settle(result)
  }

  /**
   * The common release in one step: `driver` is the only holder of a live slot that has no dependents and no
   * dependencies (no dependency anywhere: a dependent count above 0 needs one), no Emergency overage, no site,
   * cell or destroy hook, on a manager that records no trace and where nobody waits (so nothing can be granted,
   * and no name has a queue: a name queue lives only while it holds a waiter). Freed as `release` + `settle`
   * would free it (the same writes: the name, the owner's list, the counters, the slot, the charge, then the
   * pool block); false when any of that does not hold, for the general path (nothing changed).
   */
  releaseAtOnce(slot: number, driver: number): boolean {
    const state = this.state
    if (
      state.trace !== undefined ||
      state.waiting.size !== 0 ||
      state.holders.size !== 0 ||
      state.sharedBy.size !== 0 ||
      state.dependencies.size !== 0 ||
      state.overage.size !== 0 ||
      state.liveOwnerOf(slot) !== driver ||
      (this.slotHooks !== 0 &&
        (this.sites[slot] !== undefined || this.payloads[slot] !== undefined || this.finalizers[slot] !== undefined))
    ) {
      return false
    }
    const name = state.names.used ? state.names.at(slot) : ""
    if (name !== "") state.liveNames.delete(name)
    state.unlinkOwned(slot, driver)
    state.dropSlot(slot, state.typeOf(slot), state.chargedSize(slot))
    this.returnBlock(slot)
    return true
  }

  /** `driver` becomes a holder of a live Shareable resource. */
  share<T = unknown>(handle: unknown, driver: unknown) {
    if (this.closed) return new ManagerClosed()
    const slot = this.slotOf(handle)
    if (typeof slot !== "number") return slot
    const driverId = validateDriverId(driver, "driver")
    if (typeof driverId !== "string") return driverId
    const index = share(this.state, slot, driverId)
    if (typeof index !== "number") return index
    // a resource without a ref (registerResource) gets its cell here: its pool block's view, else the default
    const cell = this.payloadCell<T>(slot, undefined, undefined)
    const shared = new SharedHandle<T>(
      this,
      this.handleOf(slot),
      driverId,
      index,
      this.state.names.at(slot),
      exposeMetadata(this.state.metadata[slot] as ResourceMetadata),
      cell
    )
    // the driver's earlier share of this resource, whose hold ended without it (`releaseResource`, `reclaim`),
    // stays released: its `release()` must not end this new hold
    let shares = this.shareHandles.get(slot)
    if (shares === undefined) {
      shares = new Map()
      this.shareHandles.set(slot, shares)
    }
    const earlier = shares.get(index)
    if (earlier !== undefined) endShareHold(earlier)
    shares.set(index, shared as SharedHandle<unknown>)
    return shared
  }

  /**
   * The live resource named `name`: its handle, metadata, owner and holders (ResourceNotFound otherwise, the name
   * shown bounded: `cut`).
   */
  find(name: unknown): ResourceInfo | InvalidArgument | ResourceNotFound {
    const valid = validateString(name, "name")
    if (typeof valid !== "string") return valid
    const slot = valid === "" ? -1 : this.state.liveNames.get(valid)
    if (slot < 0 || this.state.stateOf(slot) !== SlotState.Live) return new ResourceNotFound({ resource: cut(valid) })
    return this.infoOf(slot)
  }

  /** The metadata of a live (or deferred) resource, as validated at its acquisition. */
  metadataOf(handle: unknown): ResourceMetadata | InvalidArgument | StaleHandle | ResourceNotFound {
    const slot = this.slotOf(handle)
    return typeof slot === "number" ? exposeMetadata(this.state.metadata[slot] as ResourceMetadata) : slot
  }

  /** What `find` says about a live slot. */
  private infoOf(slot: number): ResourceInfo {
    const state = this.state
    return {
      handle: this.handleOf(slot),
      name: state.names.at(slot),
      metadata: exposeMetadata(this.state.metadata[slot] as ResourceMetadata),
      owner: state.driverIds[state.ownerOf(slot)] ?? "",
      holders: introspect.holders(this, slot)
    }
  }

  /**
   * Declares the kind of an owner at run time: `{ sequential: true }` (the default here) makes it a driver
   * whose waits get exact deadlock detection; `{ sequential: false }` a concurrent owner. The kind of an
   * owner that holds or waits for something cannot change (InvalidArgument): the checks already made
   * assumed its kind.
   */
  registerDriver(driver: unknown, options: unknown): undefined | InvalidArgument | ManagerClosed {
    if (this.closed) return new ManagerClosed()
    const driverId = validateDriverId(driver, "driver")
    if (typeof driverId !== "string") return driverId
    const kind = readDriverKind(options)
    if (typeof kind === "string") return new InvalidArgument({ argument: "options", issue: kind })
    const sequential = kind.sequential ?? true
    const state = this.state
    const index = state.driver(driverId)
    if (state.isSequential(index) !== sequential && !state.idle(index)) {
      const issue = `owner ${driverId} holds or waits for resources: its kind can change only while it is idle`
      return new InvalidArgument({ argument: "driver", issue })
    }
    // a registered driver is kept for the manager's life, like the config's
    state.keptDrivers.add(index)
    const changed = state.isSequential(index) !== sequential
    if (sequential) state.sequential.add(index)
    else state.sequential.delete(index)
    if (changed && state.trace !== undefined) state.trace.kindChanged(index)
    return undefined
  }

  /** Adds a dependency edge between live resources. */
  addDependency(dependent: unknown, dependency: unknown) {
    if (this.closed) return new ManagerClosed()
    const a = this.slotOf(dependent, "dependent")
    if (typeof a !== "number") return a
    const b = this.slotOf(dependency, "dependency")
    if (typeof b !== "number") return b
    return addDependency(this.state, a, b)
  }

  /** Releases a Reclaimable resource on its owner's behalf; the bytes freed. */
  reclaim(handle: unknown): number | NotHolder | InvalidArgument | StaleHandle | ResourceNotFound | ManagerClosed {
    if (this.closed) return new ManagerClosed()
    const slot = this.slotOf(handle)
    if (typeof slot !== "number") return slot
    const size = this.state.sizeOf(slot)
    const result = reclaim(this.state, slot)
    if (!("freed" in result)) return result
    const freed = result.freed.length > 0 ? size : 0
    this.settle(result)
    return freed
  }

  /** Releases a holder's hold given by driver id (the discouraged manual API); a no-op when it holds nothing. */
  releaseBy(handle: unknown, owner: unknown): undefined | InvalidArgument {
    // a lookup: an id no driver can have (too long) holds nothing
    const driverId = owner === undefined ? this.defaultDriver : validateDriverLookup(owner, "owner")
    if (typeof driverId !== "string") return driverId
    const slot = this.slotOf(handle)
    if (slot instanceof InvalidArgument) return slot
    if (typeof slot !== "number" || this.closed) return undefined
    const driver = this.state.driverIndex.get(driverId)
    if (driver !== undefined && this.state.holds(slot, driver)) this.release(slot, driver)
    return undefined
  }

  /** Installs a budget (InvalidBudget leaves it unchanged); waiters that can never fit fail. */
  setBudget(type: unknown, budget: unknown): InvalidBudget | undefined {
    const valid = validateBudget(type, budget, this.state.typeTable)
    if (!("index" in valid)) return valid
    this.state.setBudgetRaw(valid.index, valid.budget)
    this.settle(rebudget(this.state, valid.index))
    return undefined
  }

  /** Removes a type's budget (unlimited from now on). */
  removeBudget(type: unknown): InvalidArgument | undefined {
    const index = this.state.typeTable.validate(type)
    if (typeof index !== "number") return index
    this.state.setBudgetRaw(index, undefined)
    this.settle(rebudget(this.state, index))
    return undefined
  }

  /** A type's budget (frozen), undefined when unlimited. */
  getBudget(type: unknown): ResourceBudget | undefined | InvalidArgument {
    const index = this.state.typeTable.validate(type)
    return typeof index === "number" ? this.state.budgets[index] : index
  }

  /** Registers a reclamation callback; returns its unregistration (idempotent: it ends this registration only). */
  addReclaimer(type: unknown, callback: R): (() => void) | InvalidArgument {
    const index = this.state.typeTable.validate(type)
    if (typeof index !== "number") return index
    if (typeof callback !== "function") {
      return new InvalidArgument({ argument: "callback", issue: "expected a function" })
    }
    const list = this.reclaimers[index] as Array<R>
    list.push(callback)
    let registered = true
    return () => {
      if (!registered) return
      registered = false
      const at = list.indexOf(callback)
      if (at >= 0) list.splice(at, 1)
    }
  }

  /** The stats of one type (by index). */
  stats(t: number): ResourceStats {
    const state = this.state
    return {
      type: this.state.typeName(t),
      code: state.typeTable.codes[t] as number,
      currentUsage: state.usage[t] as number,
      peakUsage: state.peak[t] as number,
      allocationCount: state.allocationCount[t] as number,
      releaseCount: state.releaseCount[t] as number,
      failedCount: state.failedCount(t),
      emergencyCount: state.emergencyCount[t] as number,
      emergencyBytes: state.emergencyBytes[t] as number,
      waiting: state.waitingOfType(t),
      pressure: ResourcePressureNames[state.pressure[t] as number] ?? "None",
      budget: state.budgets[t]
    }
  }

  /** What one driver owns, shares and waits for. */
  driverStats(driver: unknown): DriverStats | InvalidArgument {
    const id = validateDriverLookup(driver, "driver")
    return typeof id === "string" ? introspect.driverStats(this, id) : id
  }

  /** The stats of a type given by name. */
  statsOf(type: unknown): ResourceStats | InvalidArgument {
    const index = this.state.typeTable.validate(type)
    return typeof index === "number" ? this.stats(index) : index
  }

  /** What a leak report says about a live slot. */
  leakOf(slot: number): LeakReport {
    const state = this.state
    const site = this.sites[slot]
    return {
      name: state.names.at(slot),
      type: state.typeName(state.typeOf(slot)),
      sizeBytes: state.sizeOf(slot),
      owner: state.driverIds[state.ownerOf(slot)] ?? "",
      ageMillis: (state.now() - state.epoch - state.acquiredAtOf(slot)) >>> 0,
      ...(site === undefined ? {} : { site })
    }
  }

  /** Live slots, most recently acquired first. */
  private liveSlotsNewestFirst(): Array<number> {
    const state = this.state
    const slots: Array<number> = []
    for (let slot = 0; slot < state.highWater; slot++) if (state.stateOf(slot) !== SlotState.Free) slots.push(slot)
    const now = state.nextSequence
    const age = (slot: number) => (now - state.sequenceOf(slot)) >>> 0
    return slots.sort((a, b) => age(a) - age(b))
  }

  /**
   * Closes the manager: every waiter fails with ManagerClosed and leaves holding nothing; every live resource
   * is released (newest first; dependencies after their dependents, freed with their finalizers run) and
   * reported as a leak, in the order they were freed. `onLeaks` is called (a throw is isolated). Idempotent.
   */
  close(): ReadonlyArray<LeakReport> {
    if (this.closed) return []
    this.closed = true
    const state = this.state
    this.settle(failAllWaiters(state, new ManagerClosed()))
    const order = this.liveSlotsNewestFirst()
    const reports = new Map<number, LeakReport>()
    for (const slot of order) reports.set(slot, this.leakOf(slot))
    const leaks: Array<LeakReport> = []
    for (const slot of order) {
      if (state.stateOf(slot) !== SlotState.Live) continue
      for (const holder of [...state.holderList(slot)]) {
        const result = release(state, slot, holder)
        if (!("freed" in result)) continue
        for (const freed of result.freed) {
          const report = reports.get(freed)
          if (report !== undefined) leaks.push(report)
        }
        this.settle(result)
      }
    }
    if (state.trace !== undefined) state.trace.closed()
    this.metrics.leaked(leaks)
    if (leaks.length > 0 && this.onLeaks !== undefined) {
      try {
        this.onLeaks(leaks)
      } catch {
        // a leak callback that throws must not make close throw
      }
    }
    return leaks
  }
}

const noDeps: ReadonlyArray<number> = []

let managerCount = 0
/** A process-unique manager identity (random start, so two bundles of the library do not collide). */
const nextManagerId = (): number => {
  if (managerCount === 0) managerCount = 1 + Math.floor(Math.random() * 2 ** 30)
  return managerCount++
}
