/**
 * Records the state machine's transitions as NDJSON lines in the format of `spec/README.md` ("Trace
 * format"), for validation against the TLA+ model. Installed only when tracing is configured: every
 * transition pays one `state.trace !== undefined` branch when it is off.
 *
 * The header comes first, then one `PoolGrow` line per type whose pools had capacity when the manager was made. Every byte count a line would
 * carry must be a multiple of the unit, and below 10^9 units (a trace's numbers have at most nine digits,
 * spec/README.md "Numbers"): the config's counts are checked when the manager is made (`unitIssue`), and a later one that is not
 * (a size, a budget, a pool growth, a usage), or a driver of the header whose kind changes, ends
 * the trace with a `TraceStopped` line saying why (the model could not follow it).
 *
 * @since 0.1.0
 */
import { AcquisitionModeNames, ResourceFlag, ResourcePriorityNames, type ResourceTypeName } from "@flight-hal/core"
import type { Request } from "./request.ts"
import { MAX_USAGE, type ManagerState, type Waiter } from "./state.ts"
import type { TracedWaiter, TransitionTrace } from "./transition-trace.ts"

/** The request data a request line carries. */
type RequestData = Request

/**
 * The trace format the recorder writes (the header's `format`): 2 since 2026-11-29 (`AcquirePooled`, the initial
 * pool capacity as `PoolGrow` lines, `TraceStopped`); a header without it is format 1. spec/README.md, "Trace format".
 */
export const TRACE_FORMAT = 2

/** The first number a trace cannot hold: TLC reads 32-bit integers, and nine digits keep a sum of two below 2^31. */
export const TRACE_NUMBER_LIMIT = 1e9

/** Why `bytes`, a whole number of units, cannot be a trace number: 10^9 units or more. */
const tooLarge = (what: string, bytes: number, unitBytes: number): string | undefined =>
  bytes / unitBytes >= TRACE_NUMBER_LIMIT
    ? `${what} ${bytes} is 10^9 units or more, past a trace's nine digits: raise unitBytes`
    : undefined

/**
 * Why a manager's config cannot be traced in `unitBytes` units: a number the header (or its `PoolGrow` lines) would
 * hold — a budget's maxBytes or reservedBytes, a type's pool capacity — is not a whole number of units, or is
 * 10^9 units or more.
 */
export const unitIssue = (state: ManagerState, unitBytes: number): string | undefined => {
  const counts: Array<[string, number]> = []
  state.budgets.forEach((budget, type) => {
    if (budget === undefined) return
    counts.push([`${state.typeName(type)} maxBytes`, budget.maxBytes])
    counts.push([`${state.typeName(type)} reservedBytes`, budget.reservedBytes])
  })
  state.poolBytes.forEach((bytes, type) => void counts.push([`${state.typeName(type)} pool capacity`, bytes]))
  let issue: string | undefined
  for (const [what, bytes] of counts) {
    issue ??=
      bytes % unitBytes !== 0
        ? `${what} ${bytes} is not a multiple of ${unitBytes}: a trace counts whole units`
        : tooLarge(what, bytes, unitBytes)
  }
  return issue
}

/**
 * Writes one line per transition to a sink.
 *
 * @since 0.1.0
 */
export class TraceRecorder implements TransitionTrace {
  private readonly reqBySlot = new Map<number, number>()
  private pendingFreed: Array<number> = []
  private readonly unit: number
  /**
   * The types every line's usage and emergency objects carry: the configured ones (the header's `types`), plus
   * every type a line has named since (a request, a pool, a budget change), from that line on: a type's usage is 0
   * until a line names it, so an object without it still says its usage (spec/README.md, "Trace format").
   */
  private readonly types: Array<number>
  /** The header's drivers. */
  private readonly headerDrivers: ReadonlySet<string>
  /**
   * The first number of the line being built that a trace cannot hold (a byte count that is not a multiple of the
   * unit, or of ten digits or more in units): why the trace stops.
   */
  private unfit: string | undefined = undefined

  constructor(
    private readonly state: ManagerState,
    private readonly sink: (line: string) => void,
    options: {
      readonly unitBytes?: number
      readonly drivers?: ReadonlyArray<string>
      readonly types?: ReadonlyArray<ResourceTypeName>
    }
  ) {
    this.unit = options.unitBytes ?? 1
    // the names were validated with the config: each is a type of this manager
    this.types = [...new Set((options.types ?? state.typeTable.names).map((type) => state.typeTable.indexOf(type)))]
    // every budget, of a type outside `types` too: a line may name that type later (a request, a pool), and the
    // model gives a type the header has no budget for none
    const budgets: Record<string, { max: number; reserved: number }> = {}
    state.budgets.forEach((budget, index) => {
      if (budget !== undefined) {
        budgets[state.typeName(index)] = {
          max: this.units(budget.maxBytes),
          reserved: this.units(budget.reservedBytes)
        }
      }
    })
    // the usage bound in units (a recorded usage is a multiple of the unit): written when the trace checker reads it
    // (at most nine digits, spec/README.md "Numbers"); left out, it lies beyond every number a trace can hold
    const maxUsage = Math.floor(MAX_USAGE / this.unit)
    const drivers = options.drivers ?? state.knownDriverIds()
    this.headerDrivers = new Set(drivers)
    this.write(
      JSON.stringify({
        action: "Init",
        format: TRACE_FORMAT,
        unit: this.unit === 1 ? "byte" : this.unit === 1024 ? "KiB" : `${this.unit}B`,
        drivers: [...drivers],
        // the kinds at the start: a header driver whose kind changes later ends the trace (kindChanged)
        sequential: drivers.filter((id) => {
          const index = state.driverIndex.get(id)
          return index !== undefined && state.isSequential(index)
        }),
        types: this.types.map((index) => state.typeName(index)),
        budgets,
        ...(maxUsage < TRACE_NUMBER_LIMIT ? { maxUsage } : {})
      })
    )
    // the capacity of the config's pools, charged before the trace starts: the model starts with none, so it is one
    // PoolGrow line per type (admitted as the manager admitted it: within limit(Normal), nobody waiting)
    const pool: Record<string, number> = {}
    const usage: Record<string, number> = {}
    const emergency: Record<string, number> = {}
    const carry = (type: number, units: number) => {
      pool[state.typeName(type)] = units
      usage[state.typeName(type)] = units
      emergency[state.typeName(type)] = 0
    }
    for (const type of this.types) carry(type, 0)
    state.poolBytes.forEach((bytes, type) => {
      if (bytes === 0) return
      if (!this.types.includes(type)) this.types.push(type)
      carry(type, this.units(bytes))
      const fields = { type: state.typeName(type), bytes: this.units(bytes), pool, usage, emergency }
      this.write(JSON.stringify({ action: "PoolGrow", ...fields }))
    })
  }

  /** Ends the trace with a TraceStopped line: what follows could not be a behaviour of the model. */
  private stop(reason: string): void {
    this.write(JSON.stringify({ action: "TraceStopped", reason }))
    this.ended = true
  }

  /** A driver's kind changed (registerDriver): the model's kinds are constant, so a header driver's ends the trace. */
  kindChanged(driver: number): void {
    if (this.ended) return
    const id = this.driverName(driver)
    if (!this.headerDrivers.has(id)) return
    const kind = this.state.isSequential(driver) ? "sequential" : "concurrent"
    this.stop(
      `driver ${id} became ${kind} after the header: the model's kinds are constant (declare them in config.drivers)`
    )
  }

  private write(line: string): void {
    try {
      this.sink(line)
    } catch {
      // a sink that throws (a full disk, a closed stream) must not break the manager, the header's write
      // included (it runs while the manager is made): the trace is incomplete
    }
  }

  /**
   * Bytes in units; a count a trace cannot hold (not a multiple of the unit, or 10^9 units or more) is noted
   * (`unfit`): the line is not written.
   */
  private units(bytes: number, what = "a byte count"): number {
    this.unfit ??=
      bytes % this.unit !== 0
        ? `${what} ${bytes} is not a multiple of unitBytes ${this.unit}: the model's sums would not hold`
        : tooLarge(what, bytes, this.unit)
    return Math.round(bytes / this.unit)
  }

  private post(): { usage: Record<string, number>; emergency: Record<string, number> } {
    const usage: Record<string, number> = {}
    const emergency: Record<string, number> = {}
    for (const type of this.types) {
      const name = this.state.typeName(type)
      usage[name] = this.units(this.state.usage[type] as number, `${name} usage`)
      emergency[name] = this.units(this.state.emergencyBytes[type] as number)
    }
    return { usage, emergency }
  }

  private driverName(driver: number): string {
    return this.state.driverIds[driver] ?? ""
  }

  private requestFields(req: number, request: RequestData): Record<string, unknown> {
    return {
      req,
      driver: this.driverName(request.driver),
      mode: AcquisitionModeNames[request.mode] ?? "NonBlocking",
      type: this.state.typeName(request.type),
      size: this.units(request.size, `request ${req}'s size`),
      priority: ResourcePriorityNames[request.priority] ?? "Normal",
      name: request.name,
      shareable: (request.flags & ResourceFlag.Shareable) !== 0,
      reclaimable: (request.flags & ResourceFlag.Reclaimable) !== 0,
      deps: request.deps.map((slot) => this.reqOf(slot))
    }
  }

  private emit(action: string, fields: Record<string, unknown>): void {
    // nothing follows a Close line (spec/README.md, "Trace format"): a closed manager only stutters in the model,
    // and what it still does (budget changes, which it does not refuse after close) is not a transition
    if (this.ended) {
      this.unfit = undefined
      return
    }
    if (typeof fields.type === "string") {
      const type = this.state.typeTable.indexOf(fields.type)
      if (type >= 0 && !this.types.includes(type)) this.types.push(type)
    }
    const post = this.post()
    const unfit = this.unfit
    if (unfit !== undefined) {
      this.unfit = undefined
      this.stop(`${action}: ${unfit}`)
      return
    }
    this.write(JSON.stringify({ action, ...fields, ...post }))
  }

  private queueOf(waiter: Waiter): Array<number> {
    const queue = waiter.kind === "name" ? this.state.nameQueues.get(waiter.name) : this.state.queues[waiter.type]
    return queue === undefined ? [] : [...queue.entries()].map((entry) => entry.req)
  }

  /** The request id of a live slot. */
  reqOf(slot: number): number {
    return this.reqBySlot.get(slot) ?? 0
  }

  /** Acquire / AcquireEmergency; AcquirePooled for a request a pool block serves (charged nothing). */
  admitted(action: "Acquire" | "AcquireEmergency", req: number, request: RequestData, slot: number): void {
    this.reqBySlot.set(slot, req)
    this.emit(request.pooled === true ? "AcquirePooled" : action, {
      ...this.requestFields(req, request),
      holders: [this.driverName(request.driver)]
    })
  }

  /** Reject / RefuseDeadlock. */
  failed(action: "Reject" | "RefuseDeadlock", req: number, request: RequestData, error: string): void {
    this.emit(action, { ...this.requestFields(req, request), error })
  }

  /** Enqueue (a new request, or a name waiter moving to its type queue). */
  enqueued(waiter: Waiter, isNew: boolean): void {
    const head = isNew
      ? this.requestFields(waiter.req, waiter)
      : { req: waiter.req, driver: this.driverName(waiter.driver) }
    this.emit("Enqueue", { ...head, wait: waiter.kind === "name" ? "name" : "type", queue: this.queueOf(waiter) })
  }

  /** Grant. */
  granted(waiter: Waiter, slot: number): void {
    this.reqBySlot.set(slot, waiter.req)
    this.emit("Grant", {
      req: waiter.req,
      driver: this.driverName(waiter.driver),
      holders: [this.driverName(waiter.driver)],
      queue: this.queueOf(waiter)
    })
  }

  /** Timeout / Interrupt. */
  left(action: "Timeout" | "Interrupt", waiter: Waiter): void {
    this.pendingFreed = []
    this.emit(action, { req: waiter.req, driver: this.driverName(waiter.driver), queue: this.queueOf(waiter) })
  }

  /** Starts a step that may free slots before its line is written (a refused name move). */
  beginLeave(): void {
    this.pendingFreed = []
  }

  /**
   * RefuseDeadlock of a waiting name waiter whose move to its type queue the reduction refused: it left its
   * name queue holding nothing; `freed` = what it had pinned and is now freed.
   */
  refusedMove(waiter: Waiter, error: string): void {
    const freed = this.pendingFreed
    this.pendingFreed = []
    const queue = this.state.nameQueues.get(waiter.name)
    this.emit("RefuseDeadlock", {
      req: waiter.req,
      driver: this.driverName(waiter.driver),
      error,
      queue: queue === undefined ? [] : [...queue.entries()].map((entry) => entry.req),
      freed
    })
  }

  /** Starts a release: returns the slot's request id and clears the freed list (kept while closing). */
  beginRelease(slot: number): number {
    if (this.closingFailed === undefined) this.pendingFreed = []
    return this.reqOf(slot)
  }

  /** A slot was freed by the current step. */
  freed(slot: number): void {
    this.pendingFreed.push(this.reqOf(slot))
    this.reqBySlot.delete(slot)
  }

  /** Release / Reclaim (held back while closing: the Close line reports the leaks). */
  released(action: "Release" | "Reclaim", req: number, driver: number, holders: ReadonlyArray<number>): void {
    if (this.closingFailed !== undefined) return
    const freed = this.pendingFreed
    this.pendingFreed = []
    this.emit(action, {
      req,
      driver: this.driverName(driver),
      holders: holders.map((holder) => this.driverName(holder)),
      freed
    })
  }

  /** Share. */
  shared(slot: number, driver: number, holders: ReadonlyArray<number>): void {
    this.emit("Share", {
      req: this.reqOf(slot),
      driver: this.driverName(driver),
      holders: holders.map((holder) => this.driverName(holder))
    })
  }

  /** RefuseShare: a share to a sequential driver with a request waiting, refused by the deadlock check. */
  refusedShare(slot: number, driver: number, error: string): void {
    this.emit("RefuseShare", { req: this.reqOf(slot), driver: this.driverName(driver), error })
  }

  /** AddDependency / RefuseDependency; `driver` is a holder of the dependent (its first). */
  dependency(action: "AddDependency" | "RefuseDependency", dependent: number, dependency: number): void {
    const holder = this.state.holderList(dependent)[0]
    this.emit(action, {
      req: this.reqOf(dependent),
      driver: holder === undefined ? "" : this.driverName(holder),
      dependency: this.reqOf(dependency),
      ...(action === "RefuseDependency" ? { error: "DependencyCycle" } : {})
    })
  }

  /** Starts a step that fails waiters and may free what they pinned. */
  beginFailing(): void {
    this.pendingFreed = []
  }

  /**
   * Rebudget (setBudget: the new `max` and `reserved`) or Unbudget (removeBudget: the type is unlimited up to the
   * usage bound, so no waiter fails), then the re-examination's Grant lines follow.
   */
  rebudgeted(type: number, failed: ReadonlyArray<TracedWaiter>): void {
    const freed = this.pendingFreed
    this.pendingFreed = []
    const budget = this.state.budgets[type]
    const change =
      budget === undefined
        ? { action: "Unbudget", fields: {} }
        : {
            action: "Rebudget",
            fields: {
              max: this.units(budget.maxBytes, `${this.state.typeName(type)} maxBytes`),
              reserved: this.units(budget.reservedBytes, `${this.state.typeName(type)} reservedBytes`)
            }
          }
    this.emit(change.action, {
      type: this.state.typeName(type),
      ...change.fields,
      failed: failed.map((waiter) => waiter.req),
      freed
    })
  }

  /** PoolGrow / RefusePoolGrow / PoolTrim, with the post-state pool capacity per type. */
  pool(action: "PoolGrow" | "RefusePoolGrow" | "PoolTrim", type: number, bytes: number): void {
    // the pool's type is carried from this line on (in `pool` too: a type a line leaves out must have none)
    if (!this.types.includes(type)) this.types.push(type)
    const pool: Record<string, number> = {}
    for (const t of this.types) {
      const name = this.state.typeName(t)
      pool[name] = this.units(this.state.poolBytes[t] as number, `${name} pool capacity`)
    }
    this.emit(action, {
      type: this.state.typeName(type),
      bytes: this.units(bytes, "pool bytes"),
      pool,
      ...(action === "RefusePoolGrow" ? { error: "BudgetExceeded" } : {})
    })
  }

  private closingFailed: ReadonlyArray<number> | undefined = undefined
  /** The Close line was written: the trace is complete. */
  private ended = false
  private unpinned: ReadonlyArray<number> = []

  /** Close begins: the waiters failed; what they alone pinned was freed. Release lines are held back. */
  closing(failed: ReadonlyArray<TracedWaiter>): void {
    this.closingFailed = failed.map((waiter) => waiter.req)
    this.unpinned = this.pendingFreed
    this.pendingFreed = []
  }

  /** Close ends: one line with the failed waiters, what they unpinned, and the leaks in release order. */
  closed(): void {
    const leaks = this.pendingFreed
    this.pendingFreed = []
    const failed = this.closingFailed ?? []
    this.closingFailed = undefined
    this.emit("Close", { failed, unpinned: this.unpinned, leaks })
    this.ended = true
  }
}
