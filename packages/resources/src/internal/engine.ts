/**
 * The engine shared by the Effect service and the plain facade: the state machine plus validation of
 * inputs (metadata, budgets, handles), payload finalizers, acquisition sites, stats and the close/leak
 * sweep. Synchronous and Effect-free.
 *
 * @since 0.1.0
 */
import {
  AccessPattern,
  DependencyNotLive,
  formatHandle,
  InvalidBudget,
  InvalidMetadata,
  type ResourceBudget,
  ResourceBudgetSchema,
  ResourceFlagMask,
  type ResourceHandle,
  type ResourceMetadata,
  ResourceMetadataSchema,
  ResourceNotFound,
  ResourcePressureNames,
  ResourcePriority,
  type ResourceType,
  ResourceTypeNames,
  StaleHandle
} from "@flight-hal/core"
import { type ManagedPool, PoolManager } from "@flight-hal/pool"
import * as Cause from "effect/Cause"
import type * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import type { ResourceManagerConfig } from "../ResourceManagerConfig.ts"
import { ResourceRef } from "../ResourceRef.ts"
import type { LeakReport, ResourceStats } from "../stats.ts"
import { ManagerState, SlotState, typeIndexOf, typeNameOf } from "./state.ts"
import { TraceRecorder } from "./trace-recorder.ts"
import {
  type ReleaseResult,
  type Request,
  rebudget,
  reexamine,
  release,
  type SubmitResult,
  submit,
  wake
} from "./transitions.ts"

const decodeMetadata = Schema.decodeUnknownExit(ResourceMetadataSchema)
const decodeBudget = Schema.decodeUnknownExit(ResourceBudgetSchema)

/** The Schema issue text of a failed decode (the SchemaError's message, without the Cause wrapper). */
const issueOf = (exit: Exit.Exit<unknown, unknown>): string => {
  if (exit._tag !== "Failure") return "invalid"
  const error = Cause.squash(exit.cause)
  const text = error instanceof Error ? error.message : String(error)
  return text.split("\n").slice(0, 4).join(" ").replace(/\s+/g, " ").trim()
}

const isAlignment = (n: unknown): boolean =>
  typeof n === "number" && Number.isSafeInteger(n) && n >= 1 && n <= 2 ** 30 && (n & (n - 1)) === 0

/** The fast mirror of ResourceMetadataSchema for the common case (the Schema names the issue otherwise). */
const quickValid = (m: ResourceMetadata): boolean => {
  if (typeof m !== "object" || m === null) return false
  if (typeIndexOf[m.type] === undefined) return false
  const size = m.sizeBytes
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) return false
  if (m.alignmentBytes !== undefined && !isAlignment(m.alignmentBytes)) return false
  if (m.priority !== undefined && ResourcePriority[m.priority] === undefined) return false
  if (m.accessPattern !== undefined && AccessPattern[m.accessPattern] === undefined) return false
  const flags = m.flags
  if (flags !== undefined && (!Number.isSafeInteger(flags) || flags < 0 || (flags & ~ResourceFlagMask) !== 0)) {
    return false
  }
  return m.dependsOn === undefined || Array.isArray(m.dependsOn)
}

/**
 * Validates metadata: the typed metadata, or InvalidMetadata naming the issue.
 *
 * @since 0.1.0
 */
export const validateMetadata = (metadata: ResourceMetadata): ResourceMetadata | InvalidMetadata => {
  if (quickValid(metadata)) return metadata
  const exit = decodeMetadata(metadata)
  if (exit._tag === "Success") return exit.value
  return new InvalidMetadata({ issue: issueOf(exit) })
}

/**
 * Validates a budget: the budget, or InvalidBudget naming the issue.
 *
 * @since 0.1.0
 */
export const validateBudget = (type: ResourceType, budget: ResourceBudget): ResourceBudget | InvalidBudget => {
  if (typeIndexOf[type] === undefined) {
    return new InvalidBudget({ resourceType: String(type), issue: `unknown resource type ${String(type)}` })
  }
  const exit = decodeBudget(budget)
  if (exit._tag === "Success") return exit.value
  return new InvalidBudget({ resourceType: type, issue: issueOf(exit) })
}

/**
 * Payload clean-up run when the resource is really freed (after its last holder and dependents).
 *
 * @since 0.1.0
 */
export type Finalizer = () => void

/**
 * The engine: state, inputs, stats, close.
 *
 * @since 0.1.0
 */
export class Engine {
  readonly state: ManagerState
  readonly defaultDriver: string
  readonly captureSites: boolean
  /**
   * Per-slot side data in plain arrays indexed by slot (not Maps: set/delete churn on a JavaScriptCore Map
   * near a rehash threshold costs O(n) per operation). Only allocated when used.
   */
  readonly finalizers: Array<Finalizer | undefined> = []
  readonly sites: Array<string | undefined> = []
  /** Live slots with a finalizer or a site (the release fast path skips `finalize` when 0). */
  private sideData = 0
  /** The pool block of each pool-backed live slot. */
  readonly blocks: Array<{ readonly pool: ManagedPool; readonly handle: number } | undefined> = []
  /** The manager's pools; their capacity is charged to their type's budget as they grow. */
  readonly pools: PoolManager
  /** Types that have at least one pool. */
  private readonly pooledTypes = new Set<number>()
  closed = false

  constructor(config: ResourceManagerConfig, now: () => number = Date.now) {
    const options: { hysteresisPercent?: number; now: () => number } = { now }
    if (config.hysteresisPercent !== undefined) options.hysteresisPercent = config.hysteresisPercent
    this.state = new ManagerState(options)
    this.defaultDriver = config.defaultDriver ?? "app"
    this.captureSites = config.captureAcquisitionSite ?? false
    this.state.driver(this.defaultDriver)
    for (const type of ResourceTypeNames) {
      const budget = config.budgets?.[type]
      if (budget !== undefined) {
        const valid = validateBudget(type, budget)
        if (valid instanceof InvalidBudget) throw valid
        this.state.setBudgetRaw(typeIndexOf[type], valid)
      }
    }
    this.pools = new PoolManager({
      admitGrowth: (type, bytes) => this.admitPoolGrowth(typeIndexOf[type], bytes),
      onRelease: (type, bytes) => this.poolReleased(typeIndexOf[type], bytes)
    })
    for (const pool of config.pools ?? []) {
      const made = this.pools.createPool(pool)
      if (!made.ok) throw made.error
      this.pooledTypes.add(typeIndexOf[pool.type])
    }
    const trace = config.trace
    if (trace !== undefined) {
      for (const driver of trace.drivers ?? []) this.state.driver(driver)
      const options: { unitBytes?: number; drivers?: ReadonlyArray<string>; types?: ReadonlyArray<ResourceType> } = {}
      if (trace.unitBytes !== undefined) options.unitBytes = trace.unitBytes
      if (trace.drivers !== undefined) options.drivers = trace.drivers
      if (trace.types !== undefined) options.types = trace.types
      this.state.trace = new TraceRecorder(this.state, trace.sink, options)
    }
  }

  /**
   * Pool growth is admitted like a NonBlocking request of Normal priority: it must fit
   * maxBytes − reservedBytes with no waiter of Normal priority or higher queued; then it is charged.
   */
  private admitPoolGrowth(type: number, bytes: number): boolean {
    const state = this.state
    if ((state.usage[type] as number) + bytes > state.limit(type, 1)) return false
    if ((state.queues[type]?.atOrAbove(1) ?? 0) > 0) return false
    state.poolBytes[type] = (state.poolBytes[type] as number) + bytes
    state.charge(type, bytes)
    state.taint()
    return true
  }

  /** Pool capacity given back (trim, destroyPool): uncharged, then the type's queue is re-examined. */
  private poolReleased(type: number, bytes: number): void {
    const state = this.state
    state.poolBytes[type] = (state.poolBytes[type] as number) - bytes
    state.charge(type, -bytes)
    wake(reexamine(state, [type]))
  }

  /** Whether a type has pools (the manager's reclamation then trims them first). */
  hasPools(type: number): boolean {
    return this.pooledTypes.has(type)
  }

  /**
   * A pool block for an unnamed-or-free-name request of `size` bytes, or undefined (no pool routes it, the
   * pool is exhausted, or its growth was refused by the budget).
   */
  takeBlock(
    type: number,
    size: number,
    name: string
  ): { readonly pool: ManagedPool; readonly handle: number } | undefined {
    if (!this.pooledTypes.has(type) || this.state.nameTaken(name)) return undefined
    const pool = this.pools.route(typeNameOf(type), size)
    if (pool === undefined) return undefined
    const handle = pool.alloc()
    return handle < 0 ? undefined : { pool, handle }
  }

  /**
   * Submits a request to the state machine, serving it from a pool block when a pool routes its size (the
   * block's bytes are already charged through the pool's capacity; growing the pool is admitted like a
   * NonBlocking request). A block is given back when the request is not admitted at once.
   */
  submit(request: Request, reclaimed: boolean): SubmitResult {
    const block = this.takeBlock(request.type, request.size, request.name)
    if (block === undefined) return submit(this.state, request, reclaimed)
    const result = submit(this.state, { ...request, pooled: true }, true)
    if (typeof result === "number") this.blocks[result] = block
    else block.pool.free(block.handle)
    return result
  }

  /**
   * Makes the holder's ref of an admitted slot: the payload is its pool block's view, the `create` hook's
   * value, or a fresh Uint8Array for Memory; when the resource is freed the block goes back to its pool and
   * the `destroy` hook runs.
   */
  bind<T>(
    slot: number,
    driver: number,
    name: string,
    metadata: ResourceMetadata,
    create: ((metadata: ResourceMetadata) => T) | undefined,
    destroy: ((payload: T) => void) | undefined
  ): ResourceRef<T> {
    const block = this.blocks.length > slot ? this.blocks[slot] : undefined
    const make =
      block === undefined ? create : (create ?? ((() => block.pool.view(block.handle)) as unknown as () => T))
    const ref = new ResourceRef<T>(
      this,
      slot,
      this.state.generation[slot] as number,
      name,
      metadata,
      this.state.driverIds[driver] ?? "",
      driver,
      make
    )
    if (destroy !== undefined || block !== undefined) {
      this.sideData++
      this.finalizers[slot] = () => {
        if (destroy !== undefined) {
          const payload = ref.createdPayload()
          if (payload !== undefined) destroy(payload)
        }
        if (block !== undefined) {
          this.blocks[slot] = undefined
          block.pool.free(block.handle)
        }
      }
    }
    if (this.captureSites) {
      this.sideData++
      this.sites[slot] = new Error("acquired here").stack ?? ""
    }
    return ref
  }

  /** Trims the free capacity of a type's pools (the manager's own reclamation, before user callbacks). */
  trimPools(type: number): number {
    return this.pooledTypes.has(type) ? this.pools.trim(typeNameOf(type)) : 0
  }

  /** The slot of a handle, or the error of a stale / unknown handle. */
  resolve(handle: ResourceHandle): number | StaleHandle | ResourceNotFound {
    const slot = handle.slot
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.state.highWater) {
      return new ResourceNotFound({ resource: formatHandle(handle) })
    }
    const current = this.state.generation[slot] as number
    if (current !== handle.generation) {
      return new StaleHandle({ handle: formatHandle(handle), slot, currentGeneration: current })
    }
    if (this.state.slotState[slot] === SlotState.Free) return new ResourceNotFound({ resource: formatHandle(handle) })
    return slot
  }

  /** Whether `slot` still holds the resource of `generation` (and it is not freed). */
  isCurrent(slot: number, generation: number): boolean {
    return (
      slot < this.state.highWater &&
      this.state.generation[slot] === generation &&
      this.state.slotState[slot] !== SlotState.Free
    )
  }

  /** The handle of a live slot. */
  handleOf(slot: number): ResourceHandle {
    return { slot, generation: this.state.generation[slot] as number }
  }

  /**
   * A state-machine request from validated metadata; dependencies must be live (DependencyNotLive).
   */
  request(
    name: string,
    metadata: ResourceMetadata,
    mode: number,
    driver: string | undefined,
    scratch?: MutableRequest
  ): Request | DependencyNotLive {
    let deps: ReadonlyArray<number> = noDeps
    const dependsOn = metadata.dependsOn
    if (dependsOn !== undefined && dependsOn.length > 0) {
      const slots: Array<number> = []
      for (const handle of dependsOn) {
        const slot = this.resolve(handle)
        if (typeof slot !== "number" || this.state.slotState[slot] !== SlotState.Live) {
          return new DependencyNotLive({ name, dependency: formatHandle(handle) })
        }
        if (!slots.includes(slot)) slots.push(slot)
      }
      deps = slots
    }
    const into = scratch ?? ({} as MutableRequest)
    into.type = typeIndexOf[metadata.type]
    into.size = metadata.sizeBytes
    into.priority = metadata.priority === undefined ? 1 : ResourcePriority[metadata.priority]
    into.mode = mode
    into.driver = this.state.driver(driver ?? this.defaultDriver)
    into.name = name
    into.flags = metadata.flags ?? 0
    into.deps = deps
    return into
  }

  /**
   * A reusable request object for synchronous callers that finish with the request before the next call
   * (the facade's sync `acquire`); spares an allocation per acquisition.
   */
  readonly scratchRequest: MutableRequest = {
    type: 0,
    size: 0,
    priority: 1,
    mode: 0,
    driver: 0,
    name: "",
    flags: 0,
    deps: [],
    pooled: false
  }

  /** Runs the finalizers of freed slots (errors are isolated). */
  finalize(freed: ReadonlyArray<number>): void {
    if (this.sideData === 0) return
    for (const slot of freed) {
      if (this.sites[slot] !== undefined) {
        this.sites[slot] = undefined
        this.sideData--
      }
      const finalizer = this.finalizers[slot]
      if (finalizer !== undefined) {
        this.finalizers[slot] = undefined
        this.sideData--
        try {
          finalizer()
        } catch {
          // a payload finalizer that throws must not break the manager
        }
      }
    }
  }

  /** Releases `driver`'s hold on `slot`, runs freed finalizers and wakes admitted waiters. */
  release(slot: number, driver: number): ReleaseResult | undefined {
    const result = release(this.state, slot, driver)
    if (!("freed" in result)) return undefined
    this.finalize(result.freed)
    if (result.settled.length > 0) wake(result.settled)
    return result
  }

  /** Installs a validated budget and re-examines the type's queue. */
  setBudget(type: ResourceType, budget: ResourceBudget): InvalidBudget | undefined {
    const valid = validateBudget(type, budget)
    if (valid instanceof InvalidBudget) return valid
    const index = typeIndexOf[type]
    this.state.setBudgetRaw(index, valid)
    wake(rebudget(this.state, index))
    return undefined
  }

  /** Removes a type's budget (unlimited from now on). */
  removeBudget(type: ResourceType): void {
    const index = typeIndexOf[type]
    if (index === undefined) return
    this.state.setBudgetRaw(index, undefined)
    wake(rebudget(this.state, index))
  }

  /** The stats of one type. */
  stats(type: ResourceType): ResourceStats {
    const state = this.state
    const t = typeIndexOf[type]
    return {
      type,
      currentUsage: state.usage[t] as number,
      peakUsage: state.peak[t] as number,
      allocationCount: state.allocationCount[t] as number,
      releaseCount: state.releaseCount[t] as number,
      failedCount: state.failedCount[t] as number,
      emergencyCount: state.emergencyCount[t] as number,
      emergencyBytes: state.emergencyBytes[t] as number,
      waiting: state.queues[t]?.size ?? 0,
      pressure: ResourcePressureNames[state.pressure[t] as number] ?? "None",
      budget: state.budgets[t]
    }
  }

  /** Live slots, most recently acquired first. */
  liveSlotsNewestFirst(): Array<number> {
    const state = this.state
    const slots: Array<number> = []
    for (let slot = 0; slot < state.highWater; slot++) if (state.slotState[slot] !== SlotState.Free) slots.push(slot)
    const now = state.nextSequence
    const age = (slot: number) => (now - (state.sequence[slot] as number)) >>> 0
    return slots.sort((a, b) => age(a) - age(b))
  }

  /** What a leak report says about a live slot. */
  leakOf(slot: number): LeakReport {
    const state = this.state
    const site = this.sites[slot]
    return {
      name: state.names.at(slot),
      type: typeNameOf(state.types[slot] as number),
      sizeBytes: state.sizes[slot] as number,
      owner: state.driverIds[state.owners[slot] as number] ?? "",
      ageMillis: (state.now() - state.epoch - (state.acquiredAt[slot] as number)) >>> 0,
      ...(site === undefined ? {} : { site })
    }
  }

  /**
   * Closes the engine: every waiter fails with `closedError`, every live resource is released (newest first;
   * dependencies after their dependents) and reported as a leak, in the order they were freed.
   */
  close(closedError: unknown): Array<LeakReport> {
    if (this.closed) return []
    this.closed = true
    const state = this.state
    for (const waiter of [...state.waiting.values()]) {
      waiter.queued = false
      state.waitingCount[waiter.driver] = 0
      waiter.settle.failed(closedError)
    }
    state.waiting.clear()
    state.waitEnded()
    const leaks: Array<LeakReport> = []
    const reports = new Map<number, LeakReport>()
    const order = this.liveSlotsNewestFirst()
    for (const slot of order) reports.set(slot, this.leakOf(slot))
    for (const slot of order) {
      if (state.slotState[slot] !== SlotState.Live) continue
      for (const holder of [...state.holderList(slot)]) {
        const result = release(state, slot, holder)
        if ("freed" in result) {
          for (const freed of result.freed) {
            const report = reports.get(freed)
            if (report !== undefined) leaks.push(report)
          }
          this.finalize(result.freed)
        }
      }
    }
    return leaks
  }
}

const noDeps: ReadonlyArray<number> = []

/** A request whose fields can be refilled (see `Engine.scratchRequest`). */
export interface MutableRequest {
  type: number
  size: number
  priority: number
  mode: number
  driver: number
  name: string
  flags: number
  deps: ReadonlyArray<number>
  pooled?: boolean
}

export { SlotState }
