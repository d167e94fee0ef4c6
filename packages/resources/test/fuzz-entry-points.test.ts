/**
 * Property-based fuzz of the public entry points of both front ends (every method of the plain manager and of
 * `manager.pools`, on a live and on a closed manager; ResourceRef and SharedHandle; the Effect service's main
 * methods; and the other exports taking caller input: createResourceManager, managerDump, prometheusText,
 * endpointReply, the profile functions, the system-pressure parsers, recordTimeline,
 * createSharedResourceManager) with argument tuples where
 * one or more positions are hostile (test/support/hostile-values.ts at the root: wrong types, prototype-named strings, NaN,
 * ±Infinity, -0, 2**53, BigInts, Symbols, functions, Proxies whose traps throw, revoked Proxies, getters that
 * throw or answer differently on later reads, frozen objects; and, from the run's world, a stale handle,
 * another manager's handle, ref or share, refs and shares as handles, callbacks that throw, answer nonsense or
 * call back into the manager) and the rest valid. For each call:
 * 1. nothing escapes but the tagged errors of `@flight-hal/core` (thrown, rejected, returned as
 *    `{ ok: false, error }`, or failed in the Effect error channel: never a defect), or the call succeeds; the one
 *    exception is a caller's own error the API documents as passed on (a `use` body's, a `create` hook's, an
 *    abort signal's reason);
 * 2. a refused call leaves the observable state (snapshot, wait graph, routing stats, the world's refs and shares,
 *    the other manager's state) deep-equal; for a refusal that is not about the input itself (BudgetExceeded,
 *    ResourceBusy, …) the counters aside, and the free pool blocks its admission's reclamation trimmed;
 * 3. the manager still works afterwards: a valid acquire/release succeeds, usage comes back, the budget invariants
 *    hold, and close leaves nothing behind.
 * Fixed seeds; fast-check prints the shrunk counterexample and its path on failure.
 */
import { describe, expect, test } from "bun:test"
import { types } from "node:util"
import * as core from "@flight-hal/core"
import { ResourceFlags, type ResourceHandle, ResourceTypeNames } from "@flight-hal/core"
import { Cause, Effect, Exit, Fiber, Scope } from "effect"
import * as fc from "fast-check"
import {
  argumentsFor,
  constant,
  describeThrown,
  disguised,
  type Gen,
  gen,
  type Position,
  withHostileField
} from "../../../test/support/hostile-values.ts"
import * as resources from "../src/index.ts"
import {
  createResourceManager,
  type PlainResourceManager,
  type ResourceManagerConfig,
  type ResourceManagerService,
  ResourceRef,
  SharedHandle
} from "../src/index.ts"
import { type OpenManager, openManager } from "./support/effect.ts"
import * as kit from "./support/fuzz-kit.ts"
import { anyHostile, budget, or, values } from "./support/fuzz-kit.ts"
import {
  closedViolations,
  fingerprint,
  inputErrorTags,
  invariantViolations,
  observe,
  settle
} from "./support/harness.ts"

const FACADE_RUNS = 60
const EFFECT_RUNS = 25
const SEED = 0x5eed_e11e

// ---------------------------------------------------------------------------------------------------------------
// The world of a run: a manager with live resources, a share, a registered resource, a stale handle, and another
// manager with the same resources (its handles have the same slot and generation as this one's).

type Manager = PlainResourceManager & AsyncDisposable

const config = (): ResourceManagerConfig => ({
  budgets: { Memory: budget(4096), Hardware: budget(1000) },
  pools: [{ type: "Memory", blockSize: 64, initialCount: 2, maxCount: 8 }],
  onLeaks: () => {}
})
const SHAREABLE = ResourceFlags.combine("Shareable", "Reclaimable")

interface World extends kit.CallerWorld {
  readonly m: Manager
  readonly other: Manager
  readonly mem: ResourceRef<Uint8Array>
  readonly hw: ResourceRef<unknown>
  readonly share: SharedHandle<unknown>
  readonly stale: ResourceHandle
  readonly registered: ResourceHandle
  readonly foreignMem: ResourceRef<Uint8Array>
  readonly foreignShare: SharedHandle<unknown>
  /** Registrations and refs a callback made, disposed of before the health check. */
  readonly leftovers: Array<{ release(): void } | Disposable>
}

const makeWorld = (closed: boolean): World => {
  const m = createResourceManager(config())
  const mem = m.acquire("mem", { type: "Memory", sizeBytes: 100, flags: SHAREABLE }, { owner: "o" })
  const hw = m.acquire("hw", { type: "Hardware", sizeBytes: 10, flags: SHAREABLE }, { owner: "p" })
  const share = m.share(mem.handle, "gpu")
  const gone = m.acquire("gone", { type: "Hardware", sizeBytes: 1 })
  const stale = gone.handle
  gone.release()
  const registered = m.registerResource("reg", { type: "Hardware", sizeBytes: 5 }, "q")
  const other = createResourceManager(config())
  const foreignMem = other.acquire("mem", { type: "Memory", sizeBytes: 100, flags: SHAREABLE }, { owner: "o" })
  other.acquire("hw", { type: "Hardware", sizeBytes: 10, flags: SHAREABLE }, { owner: "p" })
  const foreignShare = other.share(foreignMem.handle, "gpu")
  if (closed) m.close()
  return {
    m,
    other,
    mem: mem as ResourceRef<Uint8Array>,
    hw,
    share,
    stale,
    registered,
    foreignMem: foreignMem as ResourceRef<Uint8Array>,
    foreignShare,
    closed,
    closedByCaller: false,
    thrown: new Set(),
    leftovers: []
  }
}

/** What a refusal must leave as it was: exact, and with `failedCount` (and drivers) aside. */
const observeWorld = (w: World) => {
  const snapshot = w.m.snapshot()
  const graph = w.m.waitGraph()
  const outside = JSON.stringify({
    routing: w.m.pools.routingStats(),
    released: [w.mem.released, w.hw.released, w.share.released, w.foreignMem.released, w.foreignShare.released],
    other: fingerprint(w.other.snapshot(), w.other.waitGraph())
  })
  return {
    exact: `${fingerprint(snapshot, graph)}\n${outside}`,
    masked: `${maskedOf(snapshot, graph)}\n${outside}`
  }
}

/**
 * What a refusal that is not about the input (BudgetExceeded, ResourceBusy, …) must leave as it was: the live
 * resources, their holders and dependencies, the waits, the budgets, and the usage by live resources. Counters
 * (failedCount, allocation counts) may move, and the admission's reclamation may have trimmed free pool blocks.
 */
const maskedOf = (snapshot: resources.ManagerSnapshot, graph: ReturnType<Manager["waitGraph"]>): string =>
  JSON.stringify({
    levels: levelsOf(snapshot),
    budgets: snapshot.types.map((t) => t.budget),
    resources: graph.resources,
    waits: graph.drivers.flatMap((d) => d.waitsFor)
  })

/** Usage by live resources (pool capacity aside: a probe served by a pool may grow it), waiters, live count. */
const levels = (w: World) => levelsOf(w.m.snapshot())

const levelsOf = (snapshot: resources.ManagerSnapshot) => {
  const capacity = (type: string) =>
    snapshot.pools.filter((p) => p.type === type).reduce((sum, p) => sum + p.totalCapacityBytes, 0)
  return {
    usage: snapshot.types.map((t) => [t.type, t.currentUsage - capacity(t.type), t.waiting]),
    live: snapshot.liveResources,
    pools: snapshot.pools.map((p) => p.usedBlocks)
  }
}

/** The manager works (or, closed, stays closed and empty); close leaves nothing behind. */
const healthy = (w: World) => {
  for (const leftover of w.leftovers.splice(0)) {
    if (Symbol.dispose in leftover) leftover[Symbol.dispose]()
    else leftover.release()
  }
  const closed = w.closed || w.closedByCaller
  if (!closed) {
    const before = levels(w)
    const memory = w.m.acquire("probe", { type: "Memory", sizeBytes: 10 })
    expect(memory.payload.byteLength).toBeGreaterThanOrEqual(10)
    memory.release()
    w.m.acquire("probe", { type: "Hardware", sizeBytes: 1 }, { owner: "probe" }).release()
    expect(levels(w)).toEqual(before)
    expect(invariantViolations(w.m.snapshot(), w.m.waitGraph())).toEqual([])
  } else {
    expect(() => w.m.acquire("probe", { type: "Memory", sizeBytes: 10 })).toThrow(core.ManagerClosed)
  }
  w.m.close()
  expect(closedViolationsWithPools(w.m)).toEqual([])
  w.other.close()
}

/** After close: nothing live or waiting; a type's usage is its pools' capacity (pools outlive close). */
const closedViolationsWithPools = (m: Manager): ReadonlyArray<string> => {
  const snapshot = m.snapshot()
  const capacity = (type: string) =>
    snapshot.pools.filter((p) => p.type === type).reduce((sum, p) => sum + p.totalCapacityBytes, 0)
  return closedViolations(snapshot, m.waitGraph()).filter((violation) => {
    const usage = /^(\w+): usage (\d+) left$/.exec(violation)
    return usage === null || Number(usage[2]) !== capacity(usage[1] as string)
  })
}

// ---------------------------------------------------------------------------------------------------------------
// Callbacks: misbehaving, or calling back into the manager.

const reentries: ReadonlyArray<kit.Reentry<World>> = [
  kit.reentry.acquiresMemory,
  [
    "acquires a Hardware resource and keeps it",
    (w) => void w.leftovers.push(w.m.acquire("kept", { type: "Hardware", sizeBytes: 3 }))
  ],
  kit.reentry.releasesMem,
  ["releases the world's share", (w) => w.share.release()],
  ["reclaims the world's Memory resource", (w) => void w.m.reclaim(w.mem.handle)],
  kit.reentry.raisesMemoryBudget,
  ["trims the pools", (w) => void w.m.pools.trim()],
  kit.reentry.registersReclaimer,
  kit.reentry.closesManager
]

const callbackGen = kit.callbacks<World>(reentries, { rejecting: true })

// ---------------------------------------------------------------------------------------------------------------
// Positions.

const namePosition: Position<World> = {
  valid: values("a", "", "texture", "mem"),
  hostile: anyHostile()
}

const driverPosition: Position<World> = {
  valid: values("gpu2", "o", "audio"),
  hostile: or(anyHostile(), values("", "gpu", "toString"))
}

const typePosition: Position<World> = {
  valid: values("Memory", "Hardware"),
  hostile: or(
    anyHostile(),
    values("memory", "Memory ", "Bogus", "Custom"),
    fc.constant(gen<World>('new String("Memory")', () => new String("Memory")))
  )
}

const validHandle = fc.constantFrom(
  gen<World>("mem.handle", (w) => w.mem.handle),
  gen<World>("hw.handle", (w) => w.hw.handle),
  gen<World>("the registered handle", (w) => w.registered)
)

/** Handles that are not one of this manager's live resources, or not handles. */
const handleVariants = kit.handleVariants<World>({
  otherHold: gen<World>("the other manager's share's handle", (w) => w.foreignShare.handle),
  lookalike: gen<World>("a SharedHandle as the handle", (w) => w.share),
  slotBelow: false
})

const handlePosition = kit.handlePosition(validHandle, handleVariants)

/** Whether a handle is one no call may accept as live: stale, another manager's, not an object. */
const foreignOrStale = (value: unknown, w: World): string | undefined => {
  if (value === w.stale) return "a stale handle accepted"
  if (value === w.foreignMem.handle || value === w.foreignShare.handle) return "another manager's handle accepted"
  if (value === w.foreignMem) return "another manager's ref accepted"
  if (typeof value !== "object" || value === null) return "a non-object handle accepted"
  return undefined
}

const validMetadata: fc.Arbitrary<Gen<World>> = fc
  .record(
    {
      type: fc.constantFrom("Memory", "Hardware", "Custom"),
      sizeBytes: fc.integer({ min: 0, max: 64 }),
      alignmentBytes: fc.constantFrom(1, 8, 16),
      priority: fc.constantFrom("Low", "Normal", "High", "Critical"),
      accessPattern: fc.constantFrom("ReadOnly", "ReadWrite", "Streaming"),
      flags: fc.constantFrom(0, SHAREABLE),
      dependsOn: fc.constant("hw.handle")
    },
    { requiredKeys: ["type", "sizeBytes"] }
  )
  .map(({ dependsOn, ...fields }) =>
    gen<World>(`${fc.stringify(fields)}${dependsOn === undefined ? "" : " dependsOn [hw.handle]"}`, (w) =>
      dependsOn === undefined ? { ...fields } : { ...fields, dependsOn: [w.hw.handle] }
    )
  )

const metadataPosition = kit.metadataPosition(validMetadata, or(handleVariants, anyHostile()), [
  2 ** 31,
  2 ** 53 - 1,
  4000,
  1000
])

// A hook or reclamation callback answering a rejected Promise is left out where the manager does not look at the
// answer (a payload, a destroy's or a reclaimer's result): the rejection would be the caller's own unhandled one.
const createHook = callbackGen(() => new Uint8Array(4), kit.notRejecting)
const destroyHook = callbackGen(() => undefined, kit.notRejecting)

const { sync: syncOptionsPosition, async: asyncOptionsPosition } = kit.optionsPositions<World>({
  fields: { owner: fc.constantFrom("app", "x") },
  field: anyHostile(),
  hooks: kit.hooksOf(createHook, destroyHook),
  recordAccessorThrows: true
})

const validBudget: fc.Arbitrary<Gen<World>> = fc
  .record({
    maxBytes: fc.integer({ min: 2048, max: 8192 }),
    reservedBytes: fc.integer({ min: 0, max: 64 }),
    warningPercent: fc.integer({ min: 10, max: 60 }),
    criticalPercent: fc.integer({ min: 70, max: 100 })
  })
  .map((b) => gen<World>(fc.stringify(b), () => ({ ...b })))

const budgetPosition = kit.recordPosition(validBudget, kit.budgetKeys)

const levelPosition: Position<World> = {
  valid: values("None", "Low", "Medium", "High", "Critical"),
  hostile: or(anyHostile(), values("none", "Severe"))
}

const validRelief: fc.Arbitrary<Gen<World>> = fc.oneof(
  values(undefined),
  fc.integer({ min: 0, max: 100 }).map((percent) => gen<World>(`{ percent: ${percent} }`, () => ({ percent })))
)

const reliefPosition: Position<World> = {
  valid: validRelief,
  hostile: or(
    anyHostile(),
    withHostileField(
      validRelief.filter((g) => g.label !== "undefined"),
      ["percent"]
    )
  )
}

const driverKindPosition: Position<World> = {
  valid: fc.constantFrom(
    constant<World>(undefined),
    gen<World>("{ sequential: true }", () => ({ sequential: true })),
    gen<World>("{ sequential: false }", () => ({ sequential: false }))
  ),
  hostile: or(
    anyHostile(),
    withHostileField(fc.constant(gen<World>("{ sequential: true }", () => ({ sequential: true }))), ["sequential"])
  )
}

const poolKeys = ["type", "blockSize", "initialCount", "maxCount", "alignment", "threadSafe", "name", "debug"]
const validPoolConfig: fc.Arbitrary<Gen<World>> = fc
  .record(
    {
      type: fc.constantFrom("Memory", "Hardware"),
      blockSize: fc.constantFrom(32, 64, 128, 256),
      initialCount: fc.integer({ min: 0, max: 2 }),
      maxCount: fc.integer({ min: 2, max: 4 }),
      alignment: fc.constantFrom(1, 8, 64),
      threadSafe: fc.boolean(),
      name: fc.string({ maxLength: 4 }),
      debug: fc.boolean()
    },
    { requiredKeys: ["type", "blockSize", "initialCount", "maxCount"] }
  )
  .map((c) => gen<World>(fc.stringify(c), () => ({ ...c })))

const poolConfigPosition = kit.recordPosition(validPoolConfig, poolKeys)

const blockSizePosition: Position<World> = {
  valid: values(64, 128),
  hostile: or(anyHostile(), values(64.5, -64, "64"))
}

const reclaimerPosition: Position<World> = {
  valid: fc.constant(gen<World>("() => 0", () => () => 0)),
  hostile: or(
    anyHostile(),
    callbackGen(() => 0, kit.notRejecting)
  )
}

const pressureCallbackPosition: Position<World> = {
  valid: fc.constant(gen<World>("() => {}", () => () => {})),
  hostile: or(
    anyHostile(),
    callbackGen(() => undefined)
  )
}

const bodyPosition: Position<World> = {
  valid: fc.constant(gen<World>("(ref) => ref.name", () => (ref: ResourceRef) => ref.name)),
  hostile: or(
    anyHostile(kit.throwingFunctions),
    callbackGen((ref) => (ref as ResourceRef).released)
  )
}

// ---------------------------------------------------------------------------------------------------------------
// The facade's judge.

interface FacadeEntry {
  readonly name: string
  readonly positions: ReadonlyArray<Position<World>>
  readonly call: (w: World, args: ReadonlyArray<unknown>) => unknown
  /** A query: nothing may change whatever it answers. */
  readonly pure?: boolean
  /** How a returned value (not a Result, not a Promise) answers: a refusal (nothing may change) or done. */
  readonly answer?: (result: unknown) => "refused" | "done"
  /** Whether a throw of the run's own callbacks may come out (documented as passed on). */
  readonly passesCallerThrows?: boolean
  /** Why these arguments must be refused, if they must. */
  readonly mustRefuse?: (args: ReadonlyArray<unknown>, w: World) => string | undefined
  /** Whether these arguments must leave the state as it was even when the call returns (a documented no-op). */
  readonly noOp?: (args: ReadonlyArray<unknown>, w: World) => boolean
  /** Uses and undoes a success (releases a ref, runs then disposes a registration, restores a budget). */
  readonly after?: (w: World, result: unknown, args: ReadonlyArray<unknown>) => void | Promise<void>
}

const isResult = (value: unknown): value is { readonly ok: boolean; readonly error?: unknown } =>
  typeof value === "object" && value !== null && typeof (value as { readonly ok?: unknown }).ok === "boolean"

/** A ref's payload read and its release: typed errors (or the create hook's own throw) only. */
const useRef = (w: World, ref: ResourceRef<unknown>) => {
  try {
    void ref.payload
  } catch (error) {
    kit.checkError(error, w, true, "throw from payload")
  }
  try {
    ref.release()
  } catch (error) {
    kit.checkError(error, w, false, "throw from release")
  }
}

const judgeFacade =
  (entry: FacadeEntry, closed: boolean) =>
  async (gens: ReadonlyArray<Gen<World>>): Promise<void> => {
    const w = makeWorld(closed)
    let { args, before, failed, error, result } = kit.callIn(w, gens, observeWorld, entry.call)
    if (result instanceof Promise) {
      const watched = observe(result)
      await settle(3)
      const state = watched.current()
      if (state.state === "pending") {
        // a wait: legitimate only as a waiter of the queue; closing the manager ends it, typed
        const waiting = w.m.snapshot().types.reduce((n, t) => n + t.waiting, 0)
        if (waiting === 0) throw new Error("a pending promise that is not a wait (a hang)")
        await kit.closeEndsWait(w, watched, 2, false, (value) => (value as ResourceRef<unknown>).release())
        healthy(w)
        return
      }
      if (state.state === "rejected") {
        failed = true
        error = state.error
      } else result = state.value
    }
    let answer: "refused" | "done" = failed ? "refused" : "done"
    if (!failed && isResult(result) && !result.ok) {
      failed = true
      answer = "refused"
      error = result.error
      if (!kit.isTyped(error)) throw new Error(`raw error in a Result: ${describeThrown(error)}`)
    } else if (!failed && !isResult(result) && entry.answer !== undefined) answer = entry.answer(result)
    if (failed) kit.checkError(error, w, entry.passesCallerThrows, "error")
    // a caller's own throw passed on ends a call that did its work (a `use` body's: acquired, then released)
    if (failed && w.thrown.has(error)) answer = "done"
    const noOp = answer === "done" && entry.noOp?.(args, w) === true
    if (!w.closedByCaller && (answer === "refused" || entry.pure === true || noOp)) {
      kit.expectKept(before, observeWorld(w), error, entry.pure)
    }
    if (answer === "done") {
      const reason = entry.mustRefuse?.(args, w)
      if (reason !== undefined) throw new Error(`accepted: ${reason}`)
      if (!failed) await entry.after?.(w, result, args)
    }
    healthy(w)
  }

const fuzzFacade = (entries: ReadonlyArray<FacadeEntry>, seed: number, closed: boolean, runs: number) => {
  entries.forEach((entry, index) => {
    test(`${entry.name}${closed ? " (closed manager)" : ""}: typed errors only, refusals change nothing`, () =>
      kit.assertQuietly(
        fc.asyncProperty(argumentsFor(entry.positions), judgeFacade(entry, closed)),
        seed + index,
        runs
      ))
  })
}

const nonString = (value: unknown, what: string) =>
  typeof value === "string" ? undefined : `a non-string ${what} accepted`
const ownerOf = (options: unknown): unknown => {
  if (typeof options !== "object" || options === null || types.isProxy(options)) return undefined
  const descriptor = Object.getOwnPropertyDescriptor(options, "owner")
  return descriptor !== undefined && "value" in descriptor ? descriptor.value : undefined
}
const ownerOracle = (options: unknown) => {
  const owner = ownerOf(options)
  return owner === undefined || (typeof owner === "string" && owner !== "") ? undefined : "a bad owner accepted"
}
const isType = (value: unknown) =>
  typeof value === "string" && (ResourceTypeNames as ReadonlyArray<string>).includes(value)

/** Runs a registered reclamation callback (an acquisition that needs reclamation), then disposes of it. */
const exerciseReclaimer = (w: World, registration: unknown) => {
  if (!w.closedByCaller) {
    try {
      w.m.acquire("big", { type: "Memory", sizeBytes: 4000 }).release()
    } catch (error) {
      kit.checkError(error, w, false, "throw from an acquisition running the reclamation callback")
    }
  }
  ;(registration as Disposable)[Symbol.dispose]()
}

/** Runs a registered pressure callback (pressure up and down, delivered in a microtask), then disposes of it. */
const exercisePressure = async (w: World, registration: unknown) => {
  if (!w.closedByCaller) {
    try {
      w.m.acquire("pressure", { type: "Memory", sizeBytes: 3500 }).release()
    } catch (error) {
      kit.checkError(error, w, false, "throw from an acquisition raising pressure")
    }
  }
  await settle(2)
  ;(registration as Disposable)[Symbol.dispose]()
}

const releaseIfRef = (_w: World, result: unknown) => {
  if (result instanceof ResourceRef || result instanceof SharedHandle) result.release()
}

const facadeEntries: ReadonlyArray<FacadeEntry> = [
  {
    name: "acquire",
    positions: [namePosition, metadataPosition, syncOptionsPosition],
    call: (w, [n, md, o]) => w.m.acquire(n as never, md as never, o as never),
    mustRefuse: ([n, , o]) => nonString(n, "name") ?? ownerOracle(o),
    after: (w, ref) => useRef(w, ref as ResourceRef<unknown>)
  },
  {
    name: "acquireAsync",
    positions: [namePosition, metadataPosition, asyncOptionsPosition],
    call: (w, [n, md, o]) => w.m.acquireAsync(n as never, md as never, o as never),
    passesCallerThrows: true,
    mustRefuse: ([n, , o]) => nonString(n, "name") ?? ownerOracle(o),
    after: (w, ref) => useRef(w, ref as ResourceRef<unknown>)
  },
  {
    name: "use",
    positions: [namePosition, metadataPosition, bodyPosition, asyncOptionsPosition],
    call: (w, [n, md, body, o]) => w.m.use(n as never, md as never, body as never, o as never),
    passesCallerThrows: true,
    mustRefuse: ([n, , body, o]) =>
      nonString(n, "name") ?? ownerOracle(o) ?? (typeof body === "function" ? undefined : "a non-function body")
  },
  {
    name: "share",
    positions: [handlePosition, driverPosition],
    call: (w, [h, d]) => w.m.share(h as never, d as never),
    mustRefuse: ([h, d], w) => foreignOrStale(h, w) ?? nonString(d, "driver"),
    after: releaseIfRef
  },
  {
    name: "find",
    positions: [namePosition],
    call: (w, [n]) => w.m.find(n as never),
    pure: true,
    mustRefuse: ([n]) => nonString(n, "name")
  },
  {
    name: "metadata",
    positions: [handlePosition],
    call: (w, [h]) => w.m.metadata(h as never),
    pure: true,
    mustRefuse: ([h], w) => foreignOrStale(h, w)
  },
  {
    name: "registerDriver",
    positions: [driverPosition, driverKindPosition],
    call: (w, [d, kind]) => w.m.registerDriver(d as never, kind as never),
    mustRefuse: ([d]) => nonString(d, "driver")
  },
  {
    name: "addDependency",
    positions: [handlePosition, handlePosition],
    call: (w, [a, b]) => w.m.addDependency(a as never, b as never),
    mustRefuse: ([a, b], w) => foreignOrStale(a, w) ?? foreignOrStale(b, w)
  },
  {
    name: "reclaim",
    positions: [handlePosition],
    call: (w, [h]) => w.m.reclaim(h as never),
    mustRefuse: ([h], w) => foreignOrStale(h, w)
  },
  {
    name: "setBudget",
    positions: [typePosition, budgetPosition],
    call: (w, [t, b]) => w.m.setBudget(t as never, b as never),
    mustRefuse: ([t]) => (isType(t) ? undefined : "an unknown type accepted")
  },
  {
    name: "getBudget",
    positions: [typePosition],
    call: (w, [t]) => w.m.getBudget(t as never),
    pure: true,
    mustRefuse: ([t]) => (isType(t) ? undefined : "an unknown type accepted")
  },
  {
    name: "removeBudget",
    positions: [typePosition],
    call: (w, [t]) => w.m.removeBudget(t as never),
    mustRefuse: ([t]) => (isType(t) ? undefined : "an unknown type accepted")
  },
  {
    name: "registerReclamationCallback",
    positions: [typePosition, reclaimerPosition],
    call: (w, [t, cb]) => w.m.registerReclamationCallback(t as never, cb as never),
    mustRefuse: ([t, cb]) =>
      isType(t) ? (typeof cb === "function" ? undefined : "a non-function callback") : "an unknown type accepted",
    after: exerciseReclaimer
  },
  {
    name: "registerPressureCallback",
    positions: [pressureCallbackPosition],
    call: (w, [cb]) => w.m.registerPressureCallback(cb as never),
    mustRefuse: ([cb]) => (typeof cb === "function" ? undefined : "a non-function callback"),
    after: exercisePressure
  },
  {
    name: "getResourceStats",
    positions: [typePosition],
    call: (w, [t]) => w.m.getResourceStats(t as never),
    pure: true,
    mustRefuse: ([t]) => (isType(t) ? undefined : "an unknown type accepted")
  },
  {
    name: "driverStats",
    positions: [driverPosition],
    call: (w, [d]) => w.m.driverStats(d as never),
    pure: true,
    mustRefuse: ([d]) => nonString(d, "driver")
  },
  {
    name: "holders",
    positions: [handlePosition],
    call: (w, [h]) => w.m.holders(h as never),
    pure: true,
    mustRefuse: ([h], w) => foreignOrStale(h, w)
  },
  {
    name: "dependents",
    positions: [handlePosition],
    call: (w, [h]) => w.m.dependents(h as never),
    pure: true,
    mustRefuse: ([h], w) => foreignOrStale(h, w)
  },
  {
    name: "dependencies",
    positions: [handlePosition],
    call: (w, [h]) => w.m.dependencies(h as never),
    pure: true,
    mustRefuse: ([h], w) => foreignOrStale(h, w)
  },
  {
    name: "registerResource",
    positions: [
      namePosition,
      metadataPosition,
      { valid: values(undefined, "q", "r"), hostile: driverPosition.hostile }
    ],
    call: (w, [n, md, owner]) => w.m.registerResource(n as never, md as never, owner as never),
    mustRefuse: ([n, , owner]) =>
      nonString(n, "name") ?? (owner === undefined || owner === "" ? undefined : nonString(owner, "owner")),
    after: (w, handle, [, , owner]) => w.m.releaseResource(handle as ResourceHandle, owner as string | undefined)
  },
  {
    name: "releaseResource",
    positions: [
      { valid: fc.constant(gen<World>("the registered handle", (w) => w.registered)), hostile: handlePosition.hostile },
      { valid: values(undefined, "q"), hostile: driverPosition.hostile }
    ],
    call: (w, [h, owner]) => w.m.releaseResource(h as never, owner as never),
    // idempotent: a handle that is not live here (stale, another manager's) is a no-op, not an error
    noOp: ([h], w) => foreignOrStale(h, w) !== undefined
  },
  {
    name: "relieveSystemPressure",
    positions: [levelPosition, levelPosition, reliefPosition],
    call: (w, [from, to, relief]) => w.m.relieveSystemPressure(from as never, to as never, relief as never)
  },
  {
    name: "pools.createPool",
    positions: [poolConfigPosition],
    call: (w, [c]) => w.m.pools.createPool(c as never)
  },
  {
    name: "pools.destroyPool",
    positions: [typePosition, blockSizePosition],
    call: (w, [t, s]) => w.m.pools.destroyPool(t as never, s as never)
  },
  {
    name: "pools.getPool",
    positions: [typePosition, blockSizePosition],
    call: (w, [t, s]) => w.m.pools.getPool(t as never, s as never),
    answer: (r) => (r === undefined ? "refused" : "done"),
    pure: true
  },
  {
    name: "pools.getPoolStats",
    positions: [typePosition, blockSizePosition],
    call: (w, [t, s]) => w.m.pools.getPoolStats(t as never, s as never),
    pure: true
  },
  {
    name: "pools.trim",
    positions: [{ valid: values(undefined, "Memory", "Hardware"), hostile: typePosition.hostile }],
    call: (w, [t]) => w.m.pools.trim(t as never),
    answer: (r) => (r === 0 ? "refused" : "done")
  }
]

describe("fuzz: plain manager entry points", () => {
  fuzzFacade(facadeEntries, SEED, false, FACADE_RUNS)
})

describe("fuzz: plain manager entry points on a closed manager", () => {
  fuzzFacade(facadeEntries, SEED + 1000, true, Math.ceil(FACADE_RUNS / 3))
})

// ---------------------------------------------------------------------------------------------------------------
// ResourceRef and SharedHandle: their methods take no arguments; what is hostile is the state they are used in
// (released, reclaimed, their resource shared or freed, the manager closed, another manager's) and the hooks
// given at acquisition (create / destroy hooks that throw or call back into the manager). A random sequence of
// operations; after each: typed errors (or a create hook's own throw) only, `released` never goes back to false,
// a released holder's payload is ResourceReleased, and the budget invariants hold.

type Holder = ResourceRef<unknown> | SharedHandle<unknown>

type HolderOp =
  | {
      readonly op: "acquire"
      readonly type: "Memory" | "Hardware"
      readonly shareable: boolean
      readonly create: Gen<World> | undefined
      readonly destroy: Gen<World> | undefined
    }
  | { readonly op: "share"; readonly target: number; readonly driver: string }
  | {
      readonly op: "payload" | "get" | "inspect" | "release" | "dispose" | "asyncDispose" | "reclaim"
      readonly target: number
    }
  | { readonly op: "releaseResource"; readonly target: number; readonly driver: string }
  | { readonly op: "close" }

const holderOp: fc.Arbitrary<HolderOp> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("acquire" as const),
      type: fc.constantFrom("Memory" as const, "Hardware" as const),
      shareable: fc.boolean(),
      create: fc.option(createHook, { nil: undefined }),
      destroy: fc.option(destroyHook, { nil: undefined })
    })
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("share" as const),
      target: fc.nat(),
      // owners too: a ref whose hold ended without it (reclaim, releaseResource) stays released when its owner
      // driver shares the resource again
      driver: fc.constantFrom("gpu", "audio", "app", "o", "p")
    })
  },
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constantFrom(
        "payload" as const,
        "get" as const,
        "inspect" as const,
        "release" as const,
        "dispose" as const,
        "asyncDispose" as const,
        "reclaim" as const
      ),
      target: fc.nat()
    })
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("releaseResource" as const),
      target: fc.nat(),
      // sharers too: a SharedHandle whose hold releaseResource ended stays released when its driver shares again
      driver: fc.constantFrom("app", "o", "p", "gpu", "audio")
    })
  },
  { weight: 1, arbitrary: fc.constant({ op: "close" as const }) }
)

/** One operation on the holders; throws on a raw error or a broken promise of the holders. */
const applyHolderOp = async (w: World, holders: Array<Holder>, op: HolderOp) => {
  const pick = (target: number) => holders[target % holders.length] as Holder
  const attempt = async (what: string, f: () => unknown, passesCallerThrows = false) => {
    try {
      const value = f()
      if (value instanceof Promise) await value
    } catch (error) {
      kit.checkError(error, w, passesCallerThrows, `throw from ${what}`)
    }
  }
  switch (op.op) {
    case "acquire": {
      const options = {
        ...(op.create === undefined ? {} : { create: op.create.make(w) }),
        ...(op.destroy === undefined ? {} : { destroy: op.destroy.make(w) })
      }
      const metadata = { type: op.type, sizeBytes: 16, flags: op.shareable ? SHAREABLE : 0 }
      await attempt("acquire", () => holders.push(w.m.acquire("h", metadata, options as never)))
      return
    }
    case "share": {
      const holder = pick(op.target)
      await attempt("share", () => holders.push(w.m.share(holder.handle, op.driver)))
      return
    }
    case "payload": {
      const holder = pick(op.target)
      const released = holder.released
      try {
        void holder.payload
        if (released) throw new Error("a released holder's payload was read")
      } catch (error) {
        kit.checkError(error, w, true, "throw from payload")
        if (released && !(error instanceof core.ResourceReleased)) throw new Error("not ResourceReleased after release")
      }
      return
    }
    case "get": {
      const holder = pick(op.target)
      const released = holder.released
      const exit = Effect.runSyncExit(holder.get as Effect.Effect<unknown, unknown>)
      if (Exit.isFailure(exit)) kit.checkGetFailure(w, exit.cause)
      else if (released) throw new Error("a released holder's get succeeded")
      return
    }
    case "inspect": {
      const holder = pick(op.target)
      await attempt("the getters", () => [holder.metadata, holder.handle, holder.name, holder.driver, holder.released])
      return
    }
    case "release":
      await attempt("release", () => pick(op.target).release())
      return
    case "dispose":
      await attempt("[Symbol.dispose]", () => pick(op.target)[Symbol.dispose]())
      return
    case "asyncDispose": {
      const holder = pick(op.target)
      if (holder instanceof ResourceRef) await attempt("[Symbol.asyncDispose]", () => holder[Symbol.asyncDispose]())
      return
    }
    case "reclaim":
      await attempt("reclaim", () => w.m.reclaim(pick(op.target).handle))
      return
    case "releaseResource":
      await attempt("releaseResource", () => w.m.releaseResource(pick(op.target).handle, op.driver))
      return
    case "close":
      w.closedByCaller = true
      await attempt("close", () => w.m.close())
      return
  }
}

describe("fuzz: ResourceRef and SharedHandle", () => {
  test("holders in hostile states and with hostile hooks: typed errors only, released stays released", () =>
    kit.assertQuietly(
      fc.asyncProperty(fc.array(holderOp, { minLength: 1, maxLength: 12 }), async (ops) => {
        const w = makeWorld(false)
        // the world's own holders, and the other manager's (their methods must not reach this manager)
        const holders: Array<Holder> = [w.mem, w.hw, w.share, w.foreignMem, w.foreignShare]
        const other = fingerprint(w.other.snapshot(), w.other.waitGraph())
        let touchedOther = false
        for (const op of ops) {
          const target = "target" in op ? holders[op.target % holders.length] : undefined
          const ending = op.op === "release" || op.op === "dispose" || op.op === "asyncDispose"
          if (ending && (target === w.foreignMem || target === w.foreignShare)) touchedOther = true
          const wasReleased = holders.map((h) => h.released)
          await applyHolderOp(w, holders, op)
          await settle(1)
          wasReleased.forEach((was, i) => {
            if (was && !(holders[i] as Holder).released) throw new Error(`holder ${i} came back from released`)
          })
          if (!w.closedByCaller && !w.m.snapshot().types.some((t) => t.emergencyCount > 0)) {
            expect(invariantViolations(w.m.snapshot(), w.m.waitGraph())).toEqual([])
          }
        }
        if (!touchedOther) expect(fingerprint(w.other.snapshot(), w.other.waitGraph())).toBe(other)
        for (const holder of holders) holder.release()
        healthy(w)
      }),
      SEED + 2000,
      FACADE_RUNS * 2
    ))
})

// ---------------------------------------------------------------------------------------------------------------
// The Effect service: the main methods, run with Effect.runFork in a scope of their own (settled, then polled),
// on a manager built per run by its Layer.

interface EffectEntry {
  readonly name: string
  readonly positions: ReadonlyArray<Position<World>>
  readonly call: (m: ResourceManagerService, args: ReadonlyArray<unknown>) => Effect.Effect<unknown, unknown, never>
  readonly pure?: boolean
  /** Whether a failure or defect of the run's own callbacks may come out (a `use` body's, documented). */
  readonly passesCallerThrows?: boolean
  readonly mustRefuse?: (args: ReadonlyArray<unknown>, w: World) => string | undefined
}

const effectBodyPosition: Position<World> = {
  valid: fc.constant(gen<World>("(ref) => ref.get", () => (ref: ResourceRef<unknown>) => ref.get)),
  hostile: or(
    anyHostile(kit.throwingFunctions).filter((g) => kindOf(g) !== "function"),
    fc.constantFrom(
      // what is not an Effect: InvalidArgument body, and the run's frame releases
      gen<World>("a body returning 42", () => () => 42),
      gen<World>("a body returning undefined", () => () => undefined),
      gen<World>("a body returning a Promise", () => () => Promise.resolve(1)),
      gen<World>("a body that throws", (w) => () => {
        throw kit.recorded(w, "body")
      }),
      gen<World>("a body failing with its own error", (w) => () => Effect.fail(kit.recorded(w, "body failure"))),
      gen<World>("a body that dies", (w) => () => Effect.die(kit.recorded(w, "body defect"))),
      gen<World>("a body that releases its ref", () => (ref: ResourceRef<unknown>) => Effect.sync(() => ref.release())),
      gen<World>(
        "a body that reads after releasing",
        (w) => (ref: ResourceRef<unknown>) =>
          Effect.flatMap(
            Effect.sync(() => ref.release()),
            // its ResourceReleased is the body's own failure
            () => Effect.tapError(ref.get, (error) => Effect.sync(() => w.thrown.add(error)))
          )
      )
    )
  )
}

const effectOptionsPosition: Position<World> = {
  valid: fc.oneof(
    values(undefined),
    fc
      .record(
        { mode: fc.constantFrom("NonBlocking", "Emergency"), owner: fc.constantFrom("app", "x") },
        { requiredKeys: [] }
      )
      .map((o) => gen<World>(fc.stringify(o), () => ({ ...o }))),
    values("1 millis", 0, 3).map((t) =>
      gen<World>(`{ mode: "Timeout", timeout: ${t.label} }`, () => ({
        mode: "Timeout",
        timeout: t.make(undefined as never)
      }))
    )
  ),
  hostile: or(
    anyHostile(),
    withHostileField(
      fc.constant(gen<World>('{ mode: "Timeout", timeout: 1 }', () => ({ mode: "Timeout", timeout: 1 }))),
      ["mode", "timeout", "owner", "create", "destroy"]
    ),
    disguised(fc.constant(gen<World>('{ mode: "NonBlocking" }', () => ({ mode: "NonBlocking" }))))
  )
}

const effectEntries: ReadonlyArray<EffectEntry> = [
  {
    name: "acquire",
    positions: [namePosition, metadataPosition, effectOptionsPosition],
    call: (m, [n, md, o]) => m.acquire(n as never, md as never, o as never) as never,
    mustRefuse: ([n, , o]) => nonString(n, "name") ?? ownerOracle(o)
  },
  {
    name: "acquireScoped",
    positions: [namePosition, metadataPosition, effectOptionsPosition],
    call: (m, [n, md, o]) => m.acquireScoped(n as never, md as never, o as never) as never,
    mustRefuse: ([n, , o]) => nonString(n, "name") ?? ownerOracle(o)
  },
  {
    name: "use",
    positions: [namePosition, metadataPosition, effectBodyPosition, effectOptionsPosition],
    call: (m, [n, md, body, o]) => m.use(n as never, md as never, body as never, o as never),
    passesCallerThrows: true,
    mustRefuse: ([n, , body, o]) =>
      nonString(n, "name") ?? ownerOracle(o) ?? (typeof body === "function" ? undefined : "a non-function body")
  },
  {
    name: "share",
    positions: [handlePosition, driverPosition],
    call: (m, [h, d]) => m.share(h as never, d as never) as never,
    mustRefuse: ([h, d], w) => foreignOrStale(h, w) ?? nonString(d, "driver")
  },
  {
    name: "find",
    positions: [namePosition],
    call: (m, [n]) => m.find(n as never),
    pure: true,
    mustRefuse: ([n]) => nonString(n, "name")
  },
  {
    name: "metadata",
    positions: [handlePosition],
    call: (m, [h]) => m.metadata(h as never),
    pure: true,
    mustRefuse: ([h], w) => foreignOrStale(h, w)
  },
  {
    name: "registerDriver",
    positions: [driverPosition, driverKindPosition],
    call: (m, [d, kind]) => m.registerDriver(d as never, kind as never),
    mustRefuse: ([d]) => nonString(d, "driver")
  },
  {
    name: "addDependency",
    positions: [handlePosition, handlePosition],
    call: (m, [a, b]) => m.addDependency(a as never, b as never),
    mustRefuse: ([a, b], w) => foreignOrStale(a, w) ?? foreignOrStale(b, w)
  },
  {
    name: "reclaim",
    positions: [handlePosition],
    call: (m, [h]) => m.reclaim(h as never),
    mustRefuse: ([h], w) => foreignOrStale(h, w)
  },
  {
    name: "setBudget",
    positions: [typePosition, budgetPosition],
    call: (m, [t, b]) => m.setBudget(t as never, b as never),
    mustRefuse: ([t]) => (isType(t) ? undefined : "an unknown type accepted")
  },
  {
    name: "getBudget",
    positions: [typePosition],
    call: (m, [t]) => m.getBudget(t as never),
    pure: true,
    mustRefuse: ([t]) => (isType(t) ? undefined : "an unknown type accepted")
  },
  {
    name: "removeBudget",
    positions: [typePosition],
    call: (m, [t]) => m.removeBudget(t as never),
    mustRefuse: ([t]) => (isType(t) ? undefined : "an unknown type accepted")
  },
  {
    name: "registerReclamationCallback",
    positions: [typePosition, { valid: reclaimerPosition.valid, hostile: anyHostile() }],
    call: (m, [t, cb]) =>
      m.registerReclamationCallback(
        t as never,
        (typeof cb === "function" ? () => Effect.succeed(0) : cb) as never
      ) as never,
    mustRefuse: ([t, cb]) =>
      isType(t) ? (typeof cb === "function" ? undefined : "a non-function callback") : "an unknown type accepted"
  },
  {
    name: "registerPressureCallback",
    positions: [{ valid: pressureCallbackPosition.valid, hostile: anyHostile() }],
    call: (m, [cb]) => m.registerPressureCallback(cb as never) as never,
    mustRefuse: ([cb]) => (typeof cb === "function" ? undefined : "a non-function callback")
  },
  {
    name: "relieveSystemPressure",
    positions: [levelPosition, levelPosition, reliefPosition],
    call: (m, [from, to, relief]) => m.relieveSystemPressure(from as never, to as never, relief as never)
  },
  {
    name: "getResourceStats",
    positions: [typePosition],
    call: (m, [t]) => m.getResourceStats(t as never),
    pure: true,
    mustRefuse: ([t]) => (isType(t) ? undefined : "an unknown type accepted")
  },
  {
    name: "driverStats",
    positions: [driverPosition],
    call: (m, [d]) => m.driverStats(d as never),
    pure: true,
    mustRefuse: ([d]) => nonString(d, "driver")
  },
  {
    name: "holders",
    positions: [handlePosition],
    call: (m, [h]) => m.holders(h as never),
    pure: true,
    mustRefuse: ([h], w) => foreignOrStale(h, w)
  },
  {
    name: "dependents",
    positions: [handlePosition],
    call: (m, [h]) => m.dependents(h as never),
    pure: true,
    mustRefuse: ([h], w) => foreignOrStale(h, w)
  },
  {
    name: "dependencies",
    positions: [handlePosition],
    call: (m, [h]) => m.dependencies(h as never),
    pure: true,
    mustRefuse: ([h], w) => foreignOrStale(h, w)
  }
]

/** The Effect world: the same fields as the facade's (the positions read its handles), its manager a service. */
interface EffectWorld {
  readonly open: OpenManager
  readonly world: World
}

const makeEffectWorld = async (): Promise<EffectWorld> => {
  const open = await openManager(config())
  const m = open.manager
  const setup = await open.run(
    Effect.gen(function* () {
      const mem = yield* m.acquire("mem", { type: "Memory", sizeBytes: 100, flags: SHAREABLE }, { owner: "o" })
      const hw = yield* m.acquire("hw", { type: "Hardware", sizeBytes: 10, flags: SHAREABLE }, { owner: "p" })
      const share = yield* m.share(mem.handle, "gpu")
      const stale = yield* Effect.scoped(
        Effect.map(m.acquire("gone", { type: "Hardware", sizeBytes: 1 }), (r) => r.handle)
      )
      const reg = yield* m.acquire("reg", { type: "Hardware", sizeBytes: 5 }, { owner: "q" })
      return { mem, hw, share, stale, registered: reg.handle }
    })
  )
  if (Exit.isFailure(setup)) throw new Error(`setup failed: ${Cause.pretty(setup.cause)}`)
  // another manager (a facade) for foreign handles, refs and shares; `m` is it too (no Effect entry uses `m`)
  const other = createResourceManager(config())
  const foreignMem = other.acquire("mem", { type: "Memory", sizeBytes: 100, flags: SHAREABLE }, { owner: "o" })
  const foreignShare = other.share(foreignMem.handle, "gpu")
  const world: World = {
    ...setup.value,
    mem: setup.value.mem as ResourceRef<Uint8Array>,
    m: other,
    other,
    foreignMem: foreignMem as ResourceRef<Uint8Array>,
    foreignShare,
    closed: false,
    closedByCaller: false,
    thrown: new Set(),
    leftovers: []
  }
  return { open, world }
}

const effectState = async (e: EffectWorld) => {
  const exit = await e.open.run(Effect.all([e.open.manager.snapshot, e.open.manager.waitGraph]))
  if (Exit.isFailure(exit)) throw new Error("reading the state failed")
  const [snapshot, graph] = exit.value
  const outside = JSON.stringify({
    routing: e.open.manager.pools.routingStats(),
    released: [e.world.mem.released, e.world.hw.released, e.world.share.released],
    other: fingerprint(e.world.other.snapshot(), e.world.other.waitGraph())
  })
  return {
    exact: `${fingerprint(snapshot, graph)}\n${outside}`,
    masked: `${maskedOf(snapshot, graph)}\n${outside}`,
    snapshot,
    graph
  }
}

/** `use`'s failure for a body that returned what is not an Effect (it ran after the acquisition). */
const returnedNonEffect = (error: unknown): boolean =>
  error instanceof core.InvalidArgument && error.argument === "body" && error.issue.includes("not an Effect")

const judgeEffect = (entry: EffectEntry) => async (gens: ReadonlyArray<Gen<World>>) => {
  const e = await makeEffectWorld()
  const m = e.open.manager
  try {
    const args = gens.map((g) => g.make(e.world))
    const before = await effectState(e)
    let effect: Effect.Effect<unknown, unknown, never>
    try {
      effect = entry.call(m, args)
    } catch (error) {
      throw new Error(`threw while making the Effect: ${describeThrown(error)}`)
    }
    const callScope = Scope.makeUnsafe()
    const fiber = Effect.runFork(
      Effect.exit(effect).pipe(Effect.provideService(Scope.Scope, callScope)) as Effect.Effect<
        Exit.Exit<unknown, unknown>
      >
    )
    await settle(3)
    const polled = fiber.pollUnsafe()
    let refused = false
    let error: unknown
    if (polled === undefined) {
      // a wait (Blocking or Timeout): interrupting it must leave nothing behind
      await Effect.runPromise(Fiber.interrupt(fiber))
      refused = true
    } else {
      if (Exit.isFailure(polled)) throw new Error(`the fiber failed: ${Cause.pretty(polled.cause)}`)
      const exit = polled.value
      if (Exit.isFailure(exit)) {
        refused = true
        const fail = exit.cause.reasons.find(Cause.isFailReason)
        const die = exit.cause.reasons.find(Cause.isDieReason)
        const own = fail?.error ?? die?.defect
        if (entry.passesCallerThrows === true && (e.world.thrown.has(own) || returnedNonEffect(own))) {
          // the body's own failure or defect, passed on, or a body that returned what is not an Effect: the call
          // did its work (acquired, then released)
          refused = false
        } else {
          if (fail === undefined) throw new Error(`a defect: ${Cause.pretty(exit.cause).slice(0, 400)}`)
          error = fail.error
          if (!kit.isTyped(error)) throw new Error(`a raw failure: ${describeThrown(error)}`)
        }
      }
    }
    if (refused || entry.pure === true) {
      const after = await effectState(e)
      const inputError = kit.isTyped(error) && inputErrorTags.has(error._tag)
      if (entry.pure === true || inputError) expect(after.exact).toBe(before.exact)
      else expect(after.masked).toBe(before.masked)
    }
    if (!refused) {
      const reason = entry.mustRefuse?.(args, e.world)
      if (reason !== undefined) throw new Error(`accepted: ${reason}`)
    }
    await Effect.runPromise(Scope.close(callScope, Exit.void))
    // what the call acquired in its scope is released with it (a reclaim releases one of the world's resources)
    if (entry.name !== "reclaim") expect(levelsOf((await effectState(e)).snapshot)).toEqual(levelsOf(before.snapshot))
    // still works: an acquisition and its release; usage back; the invariants hold
    const probe = await e.open.run(
      Effect.scoped(Effect.flatMap(m.acquire("probe", { type: "Memory", sizeBytes: 10 }), (ref) => ref.get))
    )
    expect(Exit.isSuccess(probe)).toBe(true)
    const after = await effectState(e)
    expect(invariantViolations(after.snapshot, after.graph)).toEqual([])
  } finally {
    await e.open.close()
    e.world.other.close()
  }
  const closed = await effectState(e)
  const capacity = closed.snapshot.pools.reduce((sum, p) => sum + p.totalCapacityBytes, 0)
  expect(closed.snapshot.liveResources).toBe(0)
  expect(closed.snapshot.types.reduce((sum, t) => sum + t.currentUsage, 0)).toBe(capacity)
}

describe("fuzz: Effect service entry points", () => {
  effectEntries.forEach((entry, index) => {
    test(`Effect ${entry.name}: fails with typed errors only (no defect), refusals change nothing`, () =>
      kit.assertQuietly(
        fc.asyncProperty(argumentsFor(entry.positions), judgeEffect(entry)),
        SEED + 3000 + index,
        EFFECT_RUNS
      ))
  })
})

// ---------------------------------------------------------------------------------------------------------------
// The other exports that take caller input: the manager's config, dumps and metrics of a manager, profiles, the
// system-pressure parsers, the shared manager's config, timelines. They are queries of the world's manager (its
// state may not change), or make something of their own (checked, then closed).

interface UtilityEntry {
  readonly name: string
  readonly positions: ReadonlyArray<Position<World>>
  readonly call: (w: World, args: ReadonlyArray<unknown>) => unknown
  /** Uses and ends what a success made (closes a manager, stops a recorder). */
  readonly after?: (w: World, result: unknown) => void
}

const judgeUtility = (entry: UtilityEntry) => (gens: ReadonlyArray<Gen<World>>) => {
  const w = makeWorld(false)
  const args = gens.map((g) => g.make(w))
  const before = observeWorld(w)
  let result: unknown
  let done = false
  try {
    result = entry.call(w, args)
    done = true
  } catch (error) {
    kit.checkError(error, w, false, "throw")
  }
  expect(observeWorld(w).exact).toBe(before.exact)
  if (done) entry.after?.(w, result)
  healthy(w)
}

const managerPosition: Position<World> = {
  valid: fc.constantFrom(
    gen<World>("the manager", (w) => w.m),
    gen<World>("the other manager", (w) => w.other)
  ),
  hostile: or(
    anyHostile(),
    fc.constantFrom(
      gen<World>("a ResourceRef", (w) => w.mem),
      gen<World>("the manager's pools", (w) => w.m.pools),
      gen<World>("a copy of the manager", (w) => ({ ...w.m })),
      gen<World>("Object.create(manager)", (w) => Object.create(w.m))
    )
  )
}

const configKeys = ["budgets", "pools", "hysteresisPercent", "defaultDriver", "drivers", "label", "onLeaks", "types"]
const validConfig: fc.Arbitrary<Gen<World>> = fc
  .record(
    {
      budgets: fc.constant({ Memory: budget(4096) }),
      pools: fc.constant([{ type: "Memory", blockSize: 64, initialCount: 1, maxCount: 4 }]),
      hysteresisPercent: fc.integer({ min: 0, max: 20 }),
      defaultDriver: fc.constantFrom("app", "main"),
      drivers: fc.constant({ audio: { sequential: false } }),
      label: fc.string({ maxLength: 4 }),
      types: fc.constant({ Shader: {} })
    },
    { requiredKeys: [] }
  )
  .map((c) => gen<World>(fc.stringify(c), () => ({ ...structuredClone(c), onLeaks: () => {} })))

/** A valid config with one of its nested objects (a budget, a pool, a driver, a type) made hostile. */
const nestedHostileConfig: fc.Arbitrary<Gen<World>> = fc.oneof(
  withHostileField(validBudget, kit.budgetKeys).map((b) =>
    gen<World>(`{ budgets: { Memory: ${b.label} } }`, (w) => ({ budgets: { Memory: b.make(w) }, onLeaks: () => {} }))
  ),
  or(anyHostile(), withHostileField(validPoolConfig, poolKeys)).map((p) =>
    gen<World>(`{ pools: [${p.label}] }`, (w) => ({ pools: [p.make(w)], onLeaks: () => {} }))
  ),
  anyHostile().map((d) =>
    gen<World>(`{ drivers: { audio: ${d.label} } }`, (w) => ({ drivers: { audio: d.make(w) }, onLeaks: () => {} }))
  ),
  anyHostile().map((t) =>
    gen<World>(`{ types: { Shader: ${t.label} } }`, (w) => ({ types: { Shader: t.make(w) }, onLeaks: () => {} }))
  )
)

const strings = (...more: ReadonlyArray<string>) =>
  fc.oneof(
    fc.string({ maxLength: 40 }).map((v) => constant<World>(v)),
    values("toString", "__proto__", "", "\u0000", "some avg10=NaN", "full avg10=1e309", "oom 9007199254740993", ...more)
  )

/** A world-independent hostile value's kind (the families' primitives and objects need no world). */
const kindOf = (g: Gen<World>) => typeof g.make(undefined as never)

const validProfile = fc.constantFrom(
  gen<World>("web", () => resources.web),
  gen<World>("dreamcast", () => resources.dreamcast)
)

const utilityEntries: ReadonlyArray<UtilityEntry> = [
  {
    name: "createResourceManager",
    positions: [
      {
        valid: validConfig,
        hostile: or(
          anyHostile(),
          withHostileField(validConfig, configKeys),
          disguised(validConfig),
          nestedHostileConfig
        )
      }
    ],
    call: (_w, [c]) => createResourceManager(c as never),
    after: (_w, made) => {
      const m = made as Manager
      m.acquire("probe", { type: "Memory", sizeBytes: 8 }).release()
      m.close()
    }
  },
  {
    name: "managerDump",
    positions: [
      managerPosition,
      {
        valid: fc.constantFrom(
          constant<World>(undefined),
          gen<World>('{ label: "x" }', () => ({ label: "x" })),
          gen<World>("{ takenAtMillis: 5 }", () => ({ takenAtMillis: 5 }))
        ),
        hostile: or(
          anyHostile(),
          withHostileField(fc.constant(gen<World>('{ label: "x" }', () => ({ label: "x" }))), [
            "label",
            "takenAtMillis",
            "pools"
          ])
        )
      }
    ],
    call: (_w, [m, o]) => JSON.stringify(resources.managerDump(m as never, o as never))
  },
  {
    name: "prometheusText",
    positions: [managerPosition],
    call: (_w, [m]) => resources.prometheusText(m as never)
  },
  {
    name: "endpointReply",
    positions: [
      managerPosition,
      { valid: values("GET", "HEAD", "POST"), hostile: anyHostile() },
      {
        valid: values("/snapshot", "/metrics", "/x"),
        hostile: or(anyHostile(), strings("/snapshot/", "/metrics\u0000"))
      }
    ],
    call: (_w, [m, method, path]) => resources.endpointReply(m as never, method as never, path as never)
  },
  {
    name: "getProfileSync",
    positions: [{ valid: values("web", "dreamcast", "desktop", "server"), hostile: anyHostile() }],
    call: (_w, [name]) => resources.getProfileSync(name as never)
  },
  {
    name: "decodeProfileSync",
    positions: [
      {
        valid: validProfile.map((p) => gen<World>(`structuredClone(${p.label})`, (w) => structuredClone(p.make(w)))),
        hostile: or(
          anyHostile(),
          withHostileField(
            validProfile.map((p) => gen<World>(p.label, (w) => structuredClone(p.make(w)))),
            ["name", "budgets", "pools", "totalMemoryBytes"],
            anyHostile()
          )
        )
      }
    ],
    call: (_w, [input]) => resources.decodeProfileSync(input)
  },
  {
    name: "makeProfileSync",
    positions: [
      { valid: values("handheld", "x"), hostile: anyHostile() },
      { valid: values(2 ** 24, 2 ** 26), hostile: anyHostile() },
      {
        valid: fc.constantFrom(
          constant<World>(undefined),
          gen<World>('{ shape: "dreamcast" }', () => ({ shape: "dreamcast" }))
        ),
        hostile: or(
          anyHostile(),
          withHostileField(fc.constant(gen<World>('{ shape: "dreamcast" }', () => ({ shape: "dreamcast" }))), [
            "shape"
          ]),
          withHostileField(
            fc.constant(gen<World>("builtinShapes.web", () => structuredClone(resources.builtinShapes.web))),
            ["budgets", "pools"]
          ).map((shape) => gen<World>(`{ shape: ${shape.label} }`, (w) => ({ shape: shape.make(w) })))
        )
      }
    ],
    call: (_w, [name, total, options]) => resources.makeProfileSync(name as never, total as never, options as never)
  },
  {
    name: "profileToConfig",
    positions: [
      {
        valid: validProfile,
        hostile: or(anyHostile(), withHostileField(validProfile, ["name", "budgets", "pools"], anyHostile()))
      },
      {
        valid: fc.constantFrom(
          constant<World>(undefined),
          gen<World>('{ label: "x" }', () => ({ label: "x" }))
        ),
        hostile: or(
          anyHostile(),
          withHostileField(
            fc.constant(gen<World>('{ label: "x" }', () => ({ label: "x" }))),
            ["label", "budgets", "pools"],
            anyHostile()
          )
        )
      }
    ],
    call: (_w, [profile, options]) =>
      createResourceManager(resources.profileToConfig(profile as never, options as never)),
    after: (_w, made) => (made as Manager).close()
  },
  {
    name: "shapeFor",
    positions: [
      {
        valid: fc.constantFrom(
          gen<World>('{ bytes: 2**24, source: "cgroup-v2", notes: [] }', () => ({
            bytes: 2 ** 24,
            source: "cgroup-v2",
            notes: []
          })),
          gen<World>('{ bytes: 2**30, source: "os", notes: [] }', () => ({ bytes: 2 ** 30, source: "os", notes: [] }))
        ),
        hostile: or(
          anyHostile(),
          withHostileField(
            fc.constant(
              gen<World>('{ bytes: 2**24, source: "os", notes: [] }', () => ({ bytes: 2 ** 24, source: "os" }))
            ),
            ["bytes", "source"],
            anyHostile()
          )
        )
      }
    ],
    call: (_w, [limit]) => resources.shapeFor(limit as never)
  },
  {
    name: "psiLevel",
    positions: [{ valid: values("some avg10=1.00 avg60=0 avg300=0 total=1"), hostile: or(anyHostile(), strings()) }],
    call: (_w, [text]) => resources.psiLevel(text as never)
  },
  {
    name: "parseMemoryEvents",
    positions: [{ valid: values("low 0\nhigh 1\nmax 2\noom 0"), hostile: or(anyHostile(), strings()) }],
    call: (_w, [text]) => resources.parseMemoryEvents(text as never)
  },
  {
    name: "memoryEventsLevel",
    positions: [0, 1].map(() => ({
      valid: fc.constant(gen<World>("{ oom: 0, max: 1 }", () => ({ oom: 0, max: 1 }))),
      hostile: or(
        anyHostile(),
        withHostileField(fc.constant(gen<World>("{ oom: 0, max: 1 }", () => ({ oom: 0, max: 1 }))), [
          "oom",
          "oom_kill",
          "max",
          "high",
          "__proto__"
        ])
      )
    })),
    call: (_w, [previous, current]) => resources.memoryEventsLevel(previous as never, current as never)
  },
  {
    name: "recordTimeline",
    positions: [
      managerPosition,
      {
        valid: fc.constant(gen<World>("{ sink: () => {} }", () => ({ sink: () => {} }))),
        hostile: or(
          anyHostile(),
          withHostileField(fc.constant(gen<World>("{ sink: () => {} }", () => ({ sink: () => {} }))), [
            "label",
            "sink",
            "intervalMillis"
          ]),
          values(Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, -1, 1.5).map((interval) =>
            gen<World>(`{ sink: () => {}, intervalMillis: ${interval.label} }`, (w) => ({
              sink: () => {},
              intervalMillis: interval.make(w)
            }))
          )
        )
      }
    ],
    call: (_w, [m, o]) => resources.recordTimeline(m as never, o as never),
    after: (_w, recorder) => {
      ;(recorder as resources.TimelineRecorder).sample()
      ;(recorder as resources.TimelineRecorder).stop()
    }
  },
  {
    name: "createSharedResourceManager",
    positions: [
      {
        valid: fc.constantFrom(
          gen<World>("{}", () => ({})),
          gen<World>("{ budgets: { Memory } }", () => ({ budgets: { Memory: budget(4096) } }))
        ),
        hostile: or(
          anyHostile(),
          withHostileField(
            fc.constant(gen<World>("{ budgets: { Memory } }", () => ({ budgets: { Memory: budget(4096) } }))),
            ["budgets", "pools", "label", "maxThreads", "maxResources", "hysteresisPercent", "sequential"],
            anyHostile()
          )
        )
      }
    ],
    call: (_w, [c]) => resources.createSharedResourceManager(c as never),
    after: (_w, made) => {
      const shared = made as resources.SharedResourceManager
      shared.acquire("probe", { type: "Memory", sizeBytes: 8 }).release()
      shared.close()
    }
  }
]

describe("fuzz: the other exports taking caller input", () => {
  utilityEntries.forEach((entry, index) => {
    test(`${entry.name}: typed errors only, the world's managers unchanged`, () =>
      kit.assertQuietly(
        fc.property(argumentsFor(entry.positions), judgeUtility(entry)),
        SEED + 4000 + index,
        FACADE_RUNS
      ))
  })
})
