/**
 * Property-based fuzz of the thread-shared manager's entry points (every method of `SharedResourceManager`, of its
 * refs, and `attachSharedResourceManager`'s descriptor and options), in the style of fuzz-entry-points.test.ts
 * (which fuzzes only the config of `createSharedResourceManager`), single-threaded: a second attachment in this
 * thread stands for another thread. Argument tuples where one or more positions are hostile
 * (test/support/hostile-values.ts at the root; and, from the run's world, a stale handle, another manager's
 * handle, another thread's handle, refs as handles, callbacks that throw, answer nonsense or call back in:
 * acquire, release, share, close, detach) and the rest valid; and sequences of valid and hostile operations with
 * such callbacks registered as reclamation and pressure callbacks and as create/destroy hooks. For each call:
 * 1. nothing escapes but the tagged errors of `@flight-hal/core` (thrown or rejected), or the call succeeds; the
 *    one exception is a caller's own error the API documents as passed on (a `use` body's, a `create` hook's, an
 *    abort signal's reason);
 * 2. a refused call leaves the ledger as its introspection shows it (audit, stats of every type, both threads'
 *    stats, threads, the world's refs, info of their handles, the other manager's audit) deep-equal; for a
 *    refusal that is not about the input itself (BudgetExceeded, ResourceBusy, …) the counters aside;
 * 3. the manager still works afterwards: a probe acquisition in each thread succeeds, usage comes back to the
 *    baseline once the world's refs are released, and close leaves nothing live.
 * Fixed seeds; fast-check prints the shrunk counterexample and its path on failure.
 */
import { describe, expect, test } from "bun:test"
import type { ResourceHandle } from "@flight-hal/core"
import { Cause, Effect, Exit } from "effect"
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
  attachSharedResourceManager,
  createSharedResourceManager,
  type SharedResource,
  type SharedResourceManager
} from "../src/index.ts"
import * as kit from "./support/fuzz-kit.ts"
import { anyHostile, budget, or, values } from "./support/fuzz-kit.ts"
import { inputErrorTags, observe, settle } from "./support/harness.ts"

const RUNS = 60
const SEQUENCE_RUNS = 200
const SEED = 0x5eed_5a4e

const sleep = (millis: number) => new Promise<void>((resolve) => setTimeout(resolve, millis))

// ---------------------------------------------------------------------------------------------------------------
// The world of a run: a manager (this thread, its creator) with live resources, a second attachment (another
// thread) holding a share of one of them and a resource of its own, a stale handle, and another manager.

const config = () => ({
  budgets: { Memory: budget(4096), Hardware: budget(1000) },
  pools: [{ type: "Memory" as const, blockSize: 64, blockCount: 4 }],
  maxThreads: 4,
  maxResources: 64,
  maxWaiters: 16
})
const TYPES = ["Memory", "Hardware"] as const

interface World extends kit.CallerWorld {
  readonly m: SharedResourceManager
  /** A second attachment in this thread: another thread of the ledger. */
  readonly other: SharedResourceManager
  /** Another manager, with the same resources. */
  readonly foreign: SharedResourceManager
  readonly mem: SharedResource<Uint8Array>
  readonly hw: SharedResource<unknown>
  /** The other thread's share of `mem`. */
  readonly share: SharedResource<unknown>
  /** The other thread's own resource. */
  readonly theirs: SharedResource<unknown>
  readonly foreignMem: SharedResource<Uint8Array>
  readonly stale: ResourceHandle
  /** What `info` answered for hw (made before the manager's close). */
  readonly hwInfo: resources.SharedResourceInfo
  /** Set by a callback of the run that detached the other thread. */
  detachedByCaller: boolean
  /** Registrations, refs and attachments a callback or a call made, disposed of before the health check. */
  readonly leftovers: Array<{ release(): void } | Disposable | { close(): unknown }>
}

const makeWorld = (closed: boolean): World => {
  const m = createSharedResourceManager(config())
  const other = attachSharedResourceManager(m.descriptor)
  const mem = m.acquire("mem", { type: "Memory", sizeBytes: 100 })
  const hw = m.acquire<unknown>("hw", { type: "Hardware", sizeBytes: 10 })
  const share = other.share<unknown>(mem.handle)
  const theirs = other.acquire<unknown>("theirs", { type: "Hardware", sizeBytes: 5 })
  const gone = m.acquire("gone", { type: "Hardware", sizeBytes: 1 })
  const stale = gone.handle
  gone.release()
  const foreign = createSharedResourceManager(config())
  const foreignMem = foreign.acquire("mem", { type: "Memory", sizeBytes: 100 })
  foreign.acquire("hw", { type: "Hardware", sizeBytes: 10 })
  const hwInfo = m.info(hw.handle)
  if (closed) m.close()
  return {
    hwInfo,
    m,
    other,
    foreign,
    mem,
    hw,
    share,
    theirs,
    foreignMem,
    stale,
    closed,
    closedByCaller: false,
    detachedByCaller: false,
    thrown: new Set(),
    leftovers: []
  }
}

const tagOf = (f: () => unknown): unknown => {
  try {
    return f()
  } catch (error) {
    return kit.isTyped(error) ? error._tag : `raw: ${describeThrown(error)}`
  }
}

/** The ledger as the manager's introspection shows it (exact, and with the counters a refusal may move aside). */
const observeWorld = (w: World) => {
  const handles = [w.mem, w.hw, w.share, w.theirs].map((r) => r.handle)
  const state = {
    audit: w.m.audit(),
    stats: TYPES.map((t) => w.m.getResourceStats(t)),
    budgets: TYPES.map((t) => w.m.getBudget(t) ?? null),
    threads: w.m.threads(),
    mine: w.m.threadStats(w.m.thread),
    theirs: w.m.threadStats(w.other.thread),
    released: [w.mem, w.hw, w.share, w.theirs].map((r) => r.released),
    infos: handles.map((h) => tagOf(() => w.m.info(h))),
    names: ["mem", "hw", "theirs"].map((n) => tagOf(() => w.m.find(n))),
    foreign: w.foreign.audit()
  }
  const exact = JSON.stringify(state)
  const masked = JSON.stringify(state, (key, value) =>
    key === "failedCount" || key === "peakUsage" || key === "pressure" ? undefined : value
  )
  return { exact, masked }
}

const usageOf = (m: SharedResourceManager) => m.audit().map((a) => [a.type, a.usage, a.liveCount, a.waiting])

/**
 * The manager still works: probe acquisitions in each thread, usage back to the baseline once the world's refs
 * and leftovers are released, close leaves nothing live (in either manager).
 */
const healthy = async (w: World) => {
  await settle(2)
  for (const left of w.leftovers.splice(0)) {
    try {
      // an attachment (which has a `release(handle)` too) is closed, a ref released, a registration disposed
      if ("close" in left && typeof left.close === "function") left.close()
      else if ("release" in left && typeof left.release === "function") left.release()
      else (left as Disposable)[Symbol.dispose]()
    } catch (error) {
      if (!kit.isTyped(error) && !w.thrown.has(error))
        throw new Error(`raw throw cleaning up: ${describeThrown(error)}`)
    }
  }
  const live = !w.closed && !w.closedByCaller
  if (live) {
    // the run may have changed the budgets: the probes run under the world's
    for (const type of TYPES) w.m.setBudget(type, config().budgets[type])
    w.m.acquire("probe", { type: "Hardware", sizeBytes: 1 }).release()
    w.m.acquire({ type: "Memory", sizeBytes: 32 }).release()
    if (!w.detachedByCaller) w.other.acquire("probe", { type: "Memory", sizeBytes: 128 }).release()
  }
  for (const ref of [w.mem, w.hw, w.share, w.theirs]) {
    try {
      ref.release()
    } catch (error) {
      if (!kit.isTyped(error) && !w.thrown.has(error))
        throw new Error(`raw throw from release: ${describeThrown(error)}`)
    }
  }
  if (live) {
    // nothing is live once the world's refs went; Memory's usage is its pool's capacity, charged at creation
    expect(usageOf(w.m)).toEqual(w.m.audit().map((a) => [a.type, a.type === "Memory" ? 256 : 0, 0, 0]))
  }
  w.other.close()
  w.m.close()
  expect(w.m.audit().every((a) => a.liveCount === 0 && a.waiting === 0)).toBe(true)
  expect(w.m.threads()).toEqual([])
  w.foreignMem.release()
  w.foreign.close()
}

// ---------------------------------------------------------------------------------------------------------------
// Callbacks: what they do, and what they answer.

const reentries: ReadonlyArray<kit.Reentry<World>> = [
  kit.reentry.acquiresMemory,
  [
    "acquires a Hardware resource and keeps it",
    (w) => void w.leftovers.push(w.m.acquire({ type: "Hardware", sizeBytes: 3 }))
  ],
  [
    "acquires in the other thread and keeps it",
    (w) => void w.leftovers.push(w.other.acquire({ type: "Memory", sizeBytes: 300 }))
  ],
  kit.reentry.releasesMem,
  ["releases the other thread's share", (w) => w.share.release()],
  ["releases hw by handle", (w) => w.m.release(w.hw.handle)],
  ["shares hw from the other thread", (w) => void w.leftovers.push(w.other.share(w.hw.handle))],
  kit.reentry.raisesMemoryBudget,
  ["removes the Hardware budget", (w) => w.m.removeBudget("Hardware")],
  kit.reentry.registersReclaimer,
  [
    "detaches the other thread",
    (w) => {
      w.detachedByCaller = true
      w.other.close()
    }
  ],
  kit.reentry.closesManager
]

const callbackGen = kit.callbacks<World>(reentries, { rejecting: false })

// ---------------------------------------------------------------------------------------------------------------
// Positions.

const namePosition: Position<World> = {
  valid: values("a", "", "texture"),
  hostile: or(anyHostile(), values("mem", "theirs", "x".repeat(300), "é".repeat(40)))
}

const typePosition: Position<World> = {
  valid: values("Memory", "Hardware"),
  hostile: or(anyHostile(), values("memory", "Custom", "Bogus", "Memory ", "toString"))
}

const validHandle = fc.constantFrom(
  gen<World>("mem.handle", (w) => w.mem.handle),
  gen<World>("hw.handle", (w) => w.hw.handle)
)

/** Handles that are not this thread's live holds, or not handles. */
const handleVariants = kit.handleVariants<World>({
  otherHold: gen<World>("the other thread's resource's handle", (w) => w.theirs.handle),
  lookalike: gen<World>("an info as the handle", (w) => w.hwInfo),
  slotBelow: true
})

const handlePosition = kit.handlePosition(validHandle, handleVariants)

const validMetadata: fc.Arbitrary<Gen<World>> = fc
  .record(
    {
      type: fc.constantFrom("Memory", "Hardware"),
      sizeBytes: fc.integer({ min: 0, max: 64 }),
      alignmentBytes: fc.constantFrom(1, 8, 16),
      priority: fc.constantFrom("Low", "Normal", "High", "Critical"),
      accessPattern: fc.constantFrom("ReadOnly", "ReadWrite", "Streaming")
    },
    { requiredKeys: ["type", "sizeBytes"] }
  )
  .map((fields) => gen<World>(fc.stringify(fields), () => ({ ...fields })))

const metadataPosition = kit.metadataPosition(validMetadata, or(handleVariants, validHandle), [
  2 ** 31,
  2 ** 53 - 1,
  5000,
  1000,
  2 ** 53
])

const createHook = callbackGen(() => new Uint8Array(4))
const destroyHook = callbackGen(() => undefined)
const hooksGen = kit.hooksOf(createHook, destroyHook)

const { sync: syncOptionsPosition, async: asyncOptionsPosition } = kit.optionsPositions<World>({
  fields: {},
  field: anyHostile(kit.throwingFunctions),
  hooks: hooksGen,
  // what a hostile signal's accessors throw is not the caller's own here: it may not come out of acquireAsync
  recordAccessorThrows: false
})

/** Options of the metadata-first form, with a `name` (valid or hostile). */
const namedOptionsPosition: Position<World> = {
  valid: fc
    .tuple(syncOptionsPosition.valid, namePosition.valid)
    .map(([o, n]) => gen<World>(`${o.label} + name ${n.label}`, (w) => ({ ...(o.make(w) ?? {}), name: n.make(w) }))),
  hostile: or(
    syncOptionsPosition.hostile,
    withHostileField(fc.constant(gen<World>('{ name: "n" }', () => ({ name: "n" }))), ["name"]),
    namePosition.hostile.map((n) => gen<World>(`{ name: ${n.label} }`, (w) => ({ name: n.make(w) })))
  )
}

const validBudget: fc.Arbitrary<Gen<World>> = fc
  .integer({ min: 0, max: 10_000 })
  .map((max) => gen<World>(`budget(${max})`, () => budget(max)))
const budgetPosition = kit.recordPosition(validBudget, kit.budgetKeys)

const threadPosition: Position<World> = {
  valid: fc.constantFrom(
    gen<World>("this thread", (w) => w.m.thread),
    gen<World>("the other thread", (w) => w.other.thread),
    constant<World>(undefined)
  ),
  hostile: or(anyHostile(), values(3, 4, 15, 16, 64))
}

const reclaimerPosition: Position<World> = {
  valid: callbackGen(() => 0),
  hostile: anyHostile()
}
const pressureCallbackPosition: Position<World> = {
  valid: callbackGen(() => undefined),
  hostile: anyHostile()
}

const bodyPosition: Position<World> = {
  valid: or(
    callbackGen(() => 1),
    fc.constant(gen<World>("a body reading the payload", () => (r: SharedResource<unknown>) => r.payload))
  ),
  // as a body, they are a body that throws, whose throw is passed on as documented (as in fuzz-entry-points.test.ts)
  hostile: anyHostile(kit.throwingFunctions)
}

const hooksPosition: Position<World> = {
  valid: or(values(undefined), hooksGen),
  hostile: or(
    anyHostile(),
    withHostileField(
      fc.constant(gen<World>("{ create, destroy }", () => ({ create: () => 1, destroy: () => {} }))),
      ["create", "destroy"],
      anyHostile(kit.throwingFunctions)
    ),
    disguised(fc.constant(gen<World>("{ create, destroy }", () => ({ create: () => 1, destroy: () => {} }))))
  )
}

const validDescriptor = fc.constant(gen<World>("m.descriptor", (w) => w.m.descriptor))
const descriptorPosition: Position<World> = {
  valid: validDescriptor,
  hostile: or(
    anyHostile(),
    withHostileField(
      validDescriptor.map((d) => gen<World>(`a copy of ${d.label}`, (w) => ({ ...(d.make(w) as object) }))),
      ["kind", "buffer", "pools"]
    ),
    disguised(validDescriptor),
    fc.constantFrom(
      gen<World>("a descriptor whose buffer is a plain ArrayBuffer", (w) => ({
        ...w.m.descriptor,
        buffer: new ArrayBuffer(w.m.descriptor.buffer.byteLength)
      })),
      gen<World>("a descriptor whose buffer is a fresh SharedArrayBuffer", (w) => ({
        ...w.m.descriptor,
        buffer: new SharedArrayBuffer(w.m.descriptor.buffer.byteLength)
      })),
      gen<World>("a descriptor with no pool buffers", (w) => ({ ...w.m.descriptor, pools: [] })),
      gen<World>("a descriptor with the other manager's pool buffers", (w) => ({
        ...w.m.descriptor,
        pools: w.foreign.descriptor.pools
      })),
      gen<World>("a descriptor with the ledger as its pool", (w) => ({
        ...w.m.descriptor,
        pools: [w.m.descriptor.buffer]
      })),
      gen<World>("a closed manager's descriptor", () => {
        const closed = createSharedResourceManager()
        closed.close()
        return closed.descriptor
      })
    )
  )
}
const attachOptionsPosition: Position<World> = {
  valid: values(undefined, {}, { sequential: false }),
  hostile: or(
    anyHostile(),
    withHostileField(fc.constant(gen<World>("{ sequential: false }", () => ({ sequential: false }))), ["sequential"]),
    disguised(fc.constant(gen<World>("{ sequential: false }", () => ({ sequential: false }))))
  )
}

// ---------------------------------------------------------------------------------------------------------------
// The judge: one call, its outcome, the state before and after, and the health check.

interface Entry {
  readonly name: string
  readonly positions: ReadonlyArray<Position<World>>
  readonly call: (w: World, args: ReadonlyArray<unknown>) => unknown
  /** Whether a caller's own throw may come out (a `use` body's, a `create` hook's, an abort reason). */
  readonly passesCallerThrows?: boolean
  /** Whether the call changes nothing even when it succeeds. */
  readonly pure?: boolean
  /** What is done with a successful call's result (release it, check it). */
  readonly after?: (w: World, result: unknown) => void | Promise<void>
}

/** A ref made by a call: its payload read (the create hook's throw passed on), its Effect get, its release. */
const exerciseRef = (w: World, ref: SharedResource<unknown>) => {
  try {
    readRef(w, ref)
  } finally {
    try {
      ref.release()
    } catch (error) {
      kit.checkError(error, w, false, "throw from release")
    }
  }
  expect(ref.released).toBe(true)
}

const readRef = (w: World, ref: SharedResource<unknown>) => {
  for (const read of [() => ref.payload, () => Effect.runSyncExit(ref.get)]) {
    try {
      const got = read()
      // a failure is typed; a defect is the create hook's own throw (checked as a throw of payload is)
      if (Exit.isExit(got) && Exit.isFailure(got)) kit.checkGetFailure(w, got.cause)
    } catch (error) {
      kit.checkError(error, w, true, "throw from payload")
    }
  }
  void ref.handle
  void ref.released
  void ref.metadata
}

const isRef = (value: unknown): value is SharedResource<unknown> =>
  value instanceof resources.SharedResource || (typeof value === "object" && value !== null && "payload" in value)

const judge =
  (entry: Entry, closed: boolean) =>
  async (gens: ReadonlyArray<Gen<World>>): Promise<void> => {
    const w = makeWorld(closed)
    try {
      let { before, failed, error, result } = kit.callIn(w, gens, observeWorld, entry.call)
      if (result instanceof Promise) {
        const watched = observe(result)
        await settle(3)
        // a grant is serviced by the listener (woken through the ledger): given time, the promise settles, or it
        // is a waiter of the queue
        const waiting = () => w.m.audit().reduce((n, t) => n + t.waiting, 0)
        const deadline = Date.now() + 2000
        while (watched.current().state === "pending" && waiting() === 0 && !w.closedByCaller) {
          if (Date.now() > deadline) throw new Error("a pending promise that is not a wait (a hang)")
          await sleep(5)
        }
        const state = watched.current()
        if (state.state === "pending") {
          // a wait: legitimate only as a waiter of the queue; closing the manager ends it, typed
          await kit.closeEndsWait(w, watched, 3, entry.passesCallerThrows, (value) => {
            if (isRef(value)) exerciseRef(w, value)
          })
          return
        }
        if (state.state === "rejected") {
          failed = true
          error = state.error
        } else result = state.value
      }
      if (failed) kit.checkError(error, w, entry.passesCallerThrows, "error")
      const refused = failed && !w.thrown.has(error)
      if (!w.closedByCaller && !w.detachedByCaller && (refused || entry.pure === true)) {
        kit.expectKept(before, observeWorld(w), error, entry.pure)
      }
      if (!failed) await entry.after?.(w, result)
    } finally {
      await healthy(w)
    }
  }

const releaseRef = (w: World, result: unknown) => {
  if (isRef(result)) exerciseRef(w, result)
}
const disposeIt = (w: World, result: unknown) => void w.leftovers.push(result as Disposable)

/** A query of one argument: nothing may change, whatever it answers. */
const query = (
  method: "metadata" | "info" | "find" | "getBudget" | "getResourceStats" | "threadStats",
  argument: string,
  position: Position<World>
): Entry => ({
  name: `${method}(${argument})`,
  positions: [position],
  call: (w, [value]) => (w.m[method] as (value: unknown) => unknown).call(w.m, value),
  pure: true
})

const managerEntries: ReadonlyArray<Entry> = [
  {
    name: "acquire(metadata, options)",
    positions: [metadataPosition, namedOptionsPosition],
    call: (w, [metadata, options]) => w.m.acquire(metadata as never, options as never),
    passesCallerThrows: false,
    after: releaseRef
  },
  {
    name: "acquire(name, metadata, options)",
    positions: [namePosition, metadataPosition, syncOptionsPosition],
    call: (w, [name, metadata, options]) => w.m.acquire(name as never, metadata as never, options as never),
    after: releaseRef
  },
  {
    name: "acquireAsync(metadata, options)",
    positions: [metadataPosition, asyncOptionsPosition],
    call: (w, [metadata, options]) => w.m.acquireAsync(metadata as never, options as never),
    passesCallerThrows: true,
    after: releaseRef
  },
  {
    name: "acquireAsync(name, metadata, options)",
    positions: [namePosition, metadataPosition, asyncOptionsPosition],
    call: (w, [name, metadata, options]) => w.m.acquireAsync(name as never, metadata as never, options as never),
    passesCallerThrows: true,
    after: releaseRef
  },
  {
    name: "use(name, metadata, body, options)",
    positions: [namePosition, metadataPosition, bodyPosition, asyncOptionsPosition],
    call: (w, [name, metadata, body, options]) =>
      w.m.use(name as never, metadata as never, body as never, options as never),
    passesCallerThrows: true
  },
  query("metadata", "handle", handlePosition),
  query("info", "handle", handlePosition),
  query("find", "name", namePosition),
  {
    name: "release(handle)",
    positions: [handlePosition],
    call: (w, [handle]) => w.m.release(handle as never)
  },
  {
    name: "other thread: release(handle)",
    positions: [handlePosition],
    call: (w, [handle]) => w.other.release(handle as never)
  },
  {
    name: "other thread: share(handle, options)",
    positions: [{ valid: validHandle, hostile: handlePosition.hostile }, hooksPosition],
    call: (w, [handle, options]) => w.other.share(handle as never, options as never),
    passesCallerThrows: true,
    after: releaseRef
  },
  {
    name: "share(handle, options) of another thread's resource",
    positions: [
      {
        valid: fc.constant(gen<World>("theirs.handle", (w) => w.theirs.handle)),
        hostile: handlePosition.hostile
      },
      hooksPosition
    ],
    call: (w, [handle, options]) => w.m.share(handle as never, options as never),
    passesCallerThrows: true,
    after: releaseRef
  },
  {
    name: "setBudget(type, budget)",
    positions: [typePosition, budgetPosition],
    call: (w, [type, b]) => w.m.setBudget(type as never, b as never)
  },
  query("getBudget", "type", typePosition),
  {
    name: "removeBudget(type)",
    positions: [typePosition],
    call: (w, [type]) => w.m.removeBudget(type as never)
  },
  query("getResourceStats", "type", typePosition),
  query("threadStats", "thread", threadPosition),
  {
    name: "registerPressureCallback(callback)",
    positions: [pressureCallbackPosition],
    call: (w, [callback]) => w.m.registerPressureCallback(callback as never),
    after: async (w, registration) => {
      // a pressure change delivered to it (through the listener) changes nothing it should not
      try {
        w.m.acquire({ type: "Hardware", sizeBytes: 900 }).release()
      } catch (error) {
        kit.checkError(error, w, false, "throw from an acquisition with a pressure callback")
      }
      await settle(3)
      disposeIt(w, registration)
    }
  },
  {
    name: "registerReclamationCallback(type, callback)",
    positions: [typePosition, reclaimerPosition],
    call: (w, [type, callback]) => w.m.registerReclamationCallback(type as never, callback as never),
    after: (w, registration) => {
      // a request that does not fit runs it: typed errors only
      try {
        w.m.acquire({ type: "Hardware", sizeBytes: 995 }).release()
      } catch (error) {
        kit.checkError(error, w, false, "throw from an acquisition with a reclamation callback")
      }
      disposeIt(w, registration)
    }
  },
  {
    name: "attachSharedResourceManager(descriptor, options)",
    positions: [descriptorPosition, attachOptionsPosition],
    call: (_w, [descriptor, options]) => attachSharedResourceManager(descriptor as never, options as never),
    after: (_w, attached) => {
      const manager = attached as SharedResourceManager
      manager.acquire({ type: "Hardware", sizeBytes: 1 }).release()
      manager.close()
    }
  }
]

/** One of the entries (its index) and its arguments, hostile in one or more positions. */
const anyEntryCall = fc
  .integer({ min: 0, max: managerEntries.length - 1 })
  .chain((i) => argumentsFor((managerEntries[i] as Entry).positions).map((args) => [i, args] as const))

describe("fuzz: shared manager entry points", () => {
  managerEntries.forEach((entry, index) => {
    test(`${entry.name}: typed errors only, refusals change nothing`, () =>
      kit.assertQuietly(fc.asyncProperty(argumentsFor(entry.positions), judge(entry, false)), SEED + index, RUNS))
  })
})

describe("fuzz: shared manager entry points on a closed manager", () => {
  test("every method: typed errors only, nothing changes", () =>
    kit.assertQuietly(
      fc.asyncProperty(anyEntryCall, async ([i, args]) => judge(managerEntries[i] as Entry, true)(args)),
      SEED + 500,
      120
    ))
})

// ---------------------------------------------------------------------------------------------------------------
// Sequences: valid and hostile operations in both threads, with hostile callbacks registered as reclamation and
// pressure callbacks and as create/destroy hooks, refs read, shared and released in every order.

/** The threads of the world: 0 is the creator, 1 the other attachment. */
const threadOf = (w: World, t: 0 | 1): SharedResourceManager => (t === 0 ? w.m : w.other)

interface Run {
  readonly w: World
  /** The refs the sequence made (released at the end). */
  readonly refs: Array<SharedResource<unknown>>
  /** Acquisitions still pending (ended by the final close). */
  readonly waits: Array<{ readonly current: () => ReturnType<ReturnType<typeof observe>["current"]> }>
}

interface Op {
  readonly label: string
  /** Runs the operation: its result (a Promise is observed), or a throw. */
  readonly run: (run: Run) => unknown
  /** Whether a caller's own throw may come out. */
  readonly passesCallerThrows?: boolean
}

const op = (label: string, run: (r: Run) => unknown, passesCallerThrows = false): Op => ({
  label,
  run,
  passesCallerThrows
})
const opGen = (arbitrary: fc.Arbitrary<Op>) =>
  arbitrary.map((o) => Object.assign(o, { [fc.toStringMethod]: () => o.label }))

const thread = fc.constantFrom<0 | 1>(0, 1)
const refIndex = fc.nat({ max: 7 })
const refAt = (r: Run, i: number): SharedResource<unknown> | undefined => r.refs[i % Math.max(1, r.refs.length)]

const keep = (r: Run, made: unknown) => {
  if (isRef(made)) r.refs.push(made)
  return made
}

const sequenceOps: fc.Arbitrary<Op> = fc.oneof(
  // valid acquisitions, with hostile hooks
  opGen(
    fc
      .tuple(thread, validMetadata, or(values(undefined), hooksGen), values("", "s1", "s2"))
      .map(([t, meta, hooks, name]) =>
        op(`thread ${t}: acquire(${name.label}, ${meta.label}, ${hooks.label})`, (r) =>
          keep(r, threadOf(r.w, t).acquire(name.make(r.w) as string, meta.make(r.w) as never, hooks.make(r.w) as never))
        )
      )
  ),
  opGen(
    fc
      .tuple(thread, validMetadata, asyncOptionsPosition.valid, values("", "s1", "s2"))
      .map(([t, meta, options, name]) =>
        op(
          `thread ${t}: acquireAsync(${name.label}, ${meta.label}, ${options.label})`,
          (r) =>
            threadOf(r.w, t)
              .acquireAsync(name.make(r.w) as string, meta.make(r.w) as never, options.make(r.w) as never)
              .then((ref) => keep(r, ref)),
          true
        )
      )
  ),
  opGen(
    fc.tuple(thread, fc.integer({ min: 100, max: 1200 })).map(([t, size]) =>
      op(`thread ${t}: a Blocking Hardware ${size} B that may wait`, (r) => {
        const p = threadOf(r.w, t)
          .acquireAsync({ type: "Hardware", sizeBytes: size }, { mode: "Blocking" })
          .then((ref) => keep(r, ref))
        r.waits.push(observe(p))
        return undefined
      })
    )
  ),
  // the refs: shared, read, released in every order
  opGen(
    fc.tuple(thread, refIndex, or(values(undefined), hooksGen)).map(([t, i, hooks]) =>
      op(`thread ${t}: share(ref ${i}, ${hooks.label})`, (r) => {
        const ref = refAt(r, i) ?? r.w.hw
        return keep(r, threadOf(r.w, t).share(ref.handle, hooks.make(r.w) as never))
      })
    )
  ),
  opGen(
    fc
      .tuple(refIndex, fc.constantFrom("payload", "get", "release", "dispose", "handle", "released", "metadata"))
      .map(([i, what]) =>
        op(
          `ref ${i}: ${what}`,
          (r) => {
            const ref = refAt(r, i) ?? r.w.mem
            switch (what) {
              case "payload":
                return ref.payload
              case "get": {
                const exit = Effect.runSyncExit(ref.get)
                if (Exit.isSuccess(exit)) return exit.value
                const fail = exit.cause.reasons.find(Cause.isFailReason)
                const die = exit.cause.reasons.find(Cause.isDieReason)
                throw fail !== undefined ? fail.error : die?.defect
              }
              case "release":
                return ref.release()
              case "dispose":
                return ref[Symbol.dispose]()
              case "handle":
                return ref.handle
              case "released":
                return ref.released
              default:
                return ref.metadata
            }
          },
          what === "payload" || what === "get"
        )
      )
  ),
  opGen(
    fc
      .tuple(thread, refIndex)
      .map(([t, i]) =>
        op(`thread ${t}: release(ref ${i}'s handle)`, (r) =>
          threadOf(r.w, t).release((refAt(r, i) ?? r.w.share).handle)
        )
      )
  ),
  // budgets and callbacks
  opGen(
    fc
      .tuple(thread, values("Memory", "Hardware"), validBudget)
      .map(([t, type, b]) =>
        op(`thread ${t}: setBudget(${type.label}, ${b.label})`, (r) =>
          threadOf(r.w, t).setBudget(type.make(r.w) as never, b.make(r.w) as never)
        )
      )
  ),
  opGen(
    fc
      .tuple(thread, values("Memory", "Hardware"))
      .map(([t, type]) =>
        op(`thread ${t}: removeBudget(${type.label})`, (r) => threadOf(r.w, t).removeBudget(type.make(r.w) as never))
      )
  ),
  opGen(
    fc
      .tuple(thread, values("Memory", "Hardware"), reclaimerPosition.valid)
      .map(([t, type, callback]) =>
        op(`thread ${t}: registerReclamationCallback(${type.label}, ${callback.label})`, (r) =>
          r.w.leftovers.push(
            threadOf(r.w, t).registerReclamationCallback(type.make(r.w) as never, callback.make(r.w) as never)
          )
        )
      )
  ),
  opGen(
    fc
      .tuple(thread, pressureCallbackPosition.valid)
      .map(([t, callback]) =>
        op(`thread ${t}: registerPressureCallback(${callback.label})`, (r) =>
          r.w.leftovers.push(threadOf(r.w, t).registerPressureCallback(callback.make(r.w) as never))
        )
      )
  ),
  // hostile calls of every method
  opGen(
    anyEntryCall.map(([i, args]) => {
      const entry = managerEntries[i] as Entry
      return op(
        `${entry.name} with ${args.map((a) => a.label).join(", ")}`,
        (r) => {
          const made = entry.call(
            r.w,
            args.map((a) => a.make(r.w))
          )
          if (made instanceof Promise) return made.then((ref) => keep(r, ref))
          if (entry.name.startsWith("attach")) r.w.leftovers.push(made as SharedResourceManager)
          else if (entry.name.startsWith("register")) r.w.leftovers.push(made as Disposable)
          return keep(r, made)
        },
        entry.passesCallerThrows === true
      )
    })
  ),
  // time passes: grants, pressure events and reclamation requests are serviced by the listeners
  opGen(fc.constant(op("settle", () => settle(2)))),
  opGen(
    fc.constant(
      op("detach the other thread", (r) => {
        r.w.detachedByCaller = true
        return r.w.other.close()
      })
    )
  ),
  opGen(
    fc.constant(
      op("close the manager", (r) => {
        r.w.closedByCaller = true
        return r.w.m.close()
      })
    )
  )
)

/** Two microtask turns: what a Promise settles with when it was decided in its call. */
const turns = async () => {
  for (let i = 0; i < 3; i++) await Promise.resolve()
}

const runSequence = async (ops: ReadonlyArray<Op>) => {
  const w = makeWorld(false)
  const r: Run = { w, refs: [], waits: [] }
  try {
    for (const o of ops) {
      const before = observeWorld(w)
      const closedBefore = w.closedByCaller || w.detachedByCaller
      let { failed, error, result } = kit.outcomeOf(() => o.run(r))
      // the state right after the call, before anything else runs (listeners, timers)
      const after = observeWorld(w)
      if (result instanceof Promise) {
        const watched = observe(result)
        await turns()
        const state = watched.current()
        if (state.state === "rejected") {
          failed = true
          error = state.error
        } else if (state.state === "pending") r.waits.push(watched)
      }
      if (failed) kit.checkError(error, w, o.passesCallerThrows, `error of ${o.label}`)
      const refused = failed && !w.thrown.has(error)
      if (refused && !closedBefore && !w.closedByCaller && !w.detachedByCaller && kit.isTyped(error)) {
        if (inputErrorTags.has(error._tag)) expect(after.exact).toBe(before.exact)
      }
    }
    await settle(2)
    for (const wait of r.waits) {
      const state = wait.current()
      if (state.state === "rejected") kit.checkError(state.error, w, true, "rejection of a wait")
    }
    // the manager still works: what the sequence holds goes, the world's health check runs
    for (const ref of r.refs) {
      try {
        ref.release()
      } catch (error) {
        kit.checkError(error, w, false, "throw from a final release")
      }
    }
  } finally {
    await endWaits(w, r)
    await healthy(w)
  }
}

/**
 * The sequence's waits once its refs went: the grants those releases made are serviced by the listeners (their
 * refs released in turn) until every wait still pending is a waiter of the ledger's queue (else: a hang); the
 * manager's close then ends those, typed.
 */
const endWaits = async (w: World, r: Run) => {
  const deadline = Date.now() + 2000
  for (;;) {
    await settle(2)
    for (const wait of r.waits) {
      const state = wait.current()
      if (state.state === "fulfilled" && isRef(state.value)) state.value.release()
      if (state.state === "rejected") kit.checkError(state.error, w, true, "rejection of a wait")
    }
    const pending = r.waits.filter((wait) => wait.current().state === "pending").length
    if (pending === 0) return
    if (pending === w.m.audit().reduce((n, a) => n + a.waiting, 0)) break
    if (Date.now() > deadline) throw new Error(`${pending} pending promises that are not waits (a hang)`)
    await sleep(5)
  }
  w.closedByCaller = true
  w.m.close()
  await settle(3)
  for (const wait of r.waits) {
    const state = wait.current()
    if (state.state === "pending") throw new Error("a wait that close did not end")
    if (state.state === "rejected") kit.checkError(state.error, w, true, "rejection of a wait after close")
  }
}

describe("fuzz: shared manager sequences", () => {
  test(
    "valid and hostile operations, re-entrant callbacks: typed errors only, refusals change nothing, it works after",
    () =>
      kit.assertQuietly(
        fc.asyncProperty(fc.array(sequenceOps, { minLength: 1, maxLength: 12 }), runSequence),
        SEED + 1000,
        SEQUENCE_RUNS
      ),
    30_000
  )
})
