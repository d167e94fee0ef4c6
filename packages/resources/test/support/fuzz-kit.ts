/**
 * What the two entry-point fuzz suites of this package share (fuzz-entry-points.test.ts: the plain manager, its
 * refs, the Effect service and the other exports; fuzz-shared-manager.test.ts: the thread-shared manager), generic
 * over each suite's world (a {@link CallerWorld}, with what else a helper reads of it):
 * - judging one call: {@link callIn} and {@link outcomeOf} (the arguments, the state before, what the call did),
 *   {@link isTyped}, {@link checkError}, {@link checkGetFailure}, {@link expectKept} (a refusal or a query left
 *   the observed state as it was), {@link closeEndsWait} (a pending call ended by closing the manager);
 * - running a property: {@link quietly}, {@link assertQuietly} (fixed seed and number of runs);
 * - callbacks that throw, answer nonsense, or call back into the world then answer or throw: {@link callbacks},
 *   the re-entries both suites have ({@link reentry}), {@link recorded} (a caller's own error),
 *   {@link notRejecting};
 * - positions: {@link anyHostile}, {@link or}, {@link values}, {@link defined}, {@link throwingFunctions},
 *   {@link recordPosition}, {@link handlePosition} and {@link handleVariants}, {@link metadataKeys} and
 *   {@link metadataPosition}, {@link hooksOf}, {@link optionsPositions} (acquire's and acquireAsync's options,
 *   with hostile abort signals), {@link budget} and {@link budgetKeys}.
 * The hostile values themselves are the root's test/support/hostile-values.ts.
 */
import { expect } from "bun:test"
import type { ResourceHandle } from "@flight-hal/core"
import * as core from "@flight-hal/core"
import { Cause } from "effect"
import * as fc from "fast-check"
import {
  constant,
  describeThrown,
  disguised,
  errorClassesOf,
  type Gen,
  gen,
  HostileThrow,
  hostileValue,
  isTaggedError,
  type Position,
  withHostileField
} from "../../../../test/support/hostile-values.ts"
import * as resources from "../../src/index.ts"
import { inputErrorTags, type Observed, settle } from "./harness.ts"

/** What a fuzz run's world has whatever its manager: whether it was closed, and what the run's callbacks threw. */
export interface CallerWorld {
  /** Whether the world's manager was closed before the call. */
  readonly closed: boolean
  /** Set by a callback of the run that closed the manager. */
  closedByCaller: boolean
  /** What the run's callbacks threw (a caller's own error, which some APIs document as passed on). */
  readonly thrown: Set<unknown>
}

/** A budget of `maxBytes` (none reserved, warning at 50 %, critical at 80 %). */
export const budget = (maxBytes: number) => ({ maxBytes, reservedBytes: 0, warningPercent: 50, criticalPercent: 80 })

// ---------------------------------------------------------------------------------------------------------------
// Judging.

const errorClasses = [...errorClassesOf(core), ...errorClassesOf(resources)]

/** A tagged error of `@flight-hal/core` or of this package. */
export const isTyped = (error: unknown): error is Error & { readonly _tag: string } =>
  isTaggedError(errorClasses, error)

/** A thrown or rejected value: a tagged error, or a throw of the run's callbacks where that is documented. */
export const checkError = (
  error: unknown,
  w: Pick<CallerWorld, "thrown">,
  passesCallerThrows: boolean | undefined,
  where: string
) => {
  if (isTyped(error)) return
  if (passesCallerThrows === true && w.thrown.has(error)) return
  throw new Error(`raw ${where}: ${describeThrown(error)}`)
}

/**
 * One call in world `w`: the arguments `gens` make there, the state `observeWorld` saw before the call, and what
 * the call did (see {@link outcomeOf}).
 */
export const callIn = <W>(
  w: W,
  gens: ReadonlyArray<Gen<W>>,
  observeWorld: (w: W) => WorldState,
  call: (w: W, args: ReadonlyArray<unknown>) => unknown
) => {
  const args = gens.map((g) => g.make(w))
  const before = observeWorld(w)
  return { args, before, ...outcomeOf(() => call(w, args)) }
}

/** What a call did: returned its `result`, or threw its `error` (`failed`). */
export const outcomeOf = (call: () => unknown): { failed: boolean; error: unknown; result: unknown } => {
  try {
    return { failed: false, error: undefined, result: call() }
  } catch (error) {
    return { failed: true, error, result: undefined }
  }
}

/** A ref's `get` that failed: a failure is typed; a defect is the create hook's own throw (as a payload's is). */
export const checkGetFailure = (w: Pick<CallerWorld, "thrown">, cause: Cause.Cause<unknown>) => {
  const fail = cause.reasons.find(Cause.isFailReason)
  const die = cause.reasons.find(Cause.isDieReason)
  if (fail !== undefined) checkError(fail.error, w, false, "failure of get")
  else if (die !== undefined) checkError(die.defect, w, true, "defect of get")
  else throw new Error(`get ended otherwise: ${Cause.pretty(cause)}`)
}

/** The observed state of a world: exact, and with what a refusal not about the input may move masked. */
export interface WorldState {
  readonly exact: string
  readonly masked: string
}

/**
 * A refusal (of `error`) or a query left the state as it was: exactly for a query or a refusal about the input
 * itself (or a raw one); but the masked counters for a refusal that is not (BudgetExceeded, ResourceBusy, …).
 */
export const expectKept = (before: WorldState, after: WorldState, error: unknown, pure: boolean | undefined) => {
  const inputError = !isTyped(error) || inputErrorTags.has(error._tag)
  if (pure === true || inputError) expect(after.exact).toBe(before.exact)
  else expect(after.masked).toBe(before.masked)
}

/**
 * A call's pending promise (legitimate only as a waiter of the queue) ended by closing the world's manager: after
 * `rounds` settle rounds it has ended, rejected typed (or with the run's own error where `passesCallerThrows`) or
 * fulfilled (its value handed to `use`).
 */
export const closeEndsWait = async (
  w: CallerWorld & { readonly m: { close(): unknown } },
  watched: { readonly current: () => Observed<unknown> },
  rounds: number,
  passesCallerThrows: boolean | undefined,
  use: (value: unknown) => void
) => {
  w.closedByCaller = true
  w.m.close()
  await settle(rounds)
  const ended = watched.current()
  if (ended.state === "pending") throw new Error("a wait that close did not end")
  if (ended.state === "rejected") checkError(ended.error, w, passesCallerThrows, "rejection after close")
  else use(ended.value)
}

// ---------------------------------------------------------------------------------------------------------------
// Running.

/** Runs `body` with console.warn silenced (isolated callback failures and leaks are logged). */
export const quietly = async (body: () => Promise<void>) => {
  const warn = console.warn
  console.warn = () => {}
  try {
    await body()
  } finally {
    console.warn = warn
  }
}

/** fc.assert of `property`, quietly, with its seed and number of runs (the counterexample's error reported). */
export const assertQuietly = <Ts>(property: fc.IRawProperty<Ts>, seed: number, numRuns: number) =>
  quietly(async () => {
    await fc.assert(property, { seed, numRuns, includeErrorInReport: true })
  })

// ---------------------------------------------------------------------------------------------------------------
// Callbacks: misbehaving, or calling back into the manager.

/** A caller's own error, recorded as the run's (an API that documents passing it on may let it out). */
export const recorded = (w: Pick<CallerWorld, "thrown">, what: string) => {
  const error = new HostileThrow(what)
  w.thrown.add(error)
  return error
}

/** What a callback does, and what it answers. */
export interface Behaviour<W> {
  readonly label: string
  readonly run: (w: W, input: unknown) => unknown
}

/** A way of calling back into a world's manager, by its label. */
export type Reentry<W> = readonly [string, (w: W) => void]

/** What the re-entries of every suite ({@link reentry}) use of its world. */
export interface ReentrantWorld extends CallerWorld {
  readonly m: {
    acquire(name: string, metadata: { readonly type: "Memory"; readonly sizeBytes: number }): { release(): void }
    setBudget(type: "Memory", limits: ReturnType<typeof budget>): void
    registerReclamationCallback(type: "Memory", callback: () => number): Disposable
    close(): unknown
  }
  /** The world's live Memory ref. */
  readonly mem: { release(): void }
  /** Where a re-entry keeps what it made (disposed of before the health check). */
  readonly leftovers: { push(kept: Disposable): unknown }
}

/** The re-entries every suite's callbacks make (among their own), by what they do. */
export const reentry = {
  acquiresMemory: [
    "acquires and releases a Memory resource",
    (w) => w.m.acquire("inner", { type: "Memory", sizeBytes: 8 }).release()
  ],
  releasesMem: ["releases the world's Memory ref", (w) => w.mem.release()],
  raisesMemoryBudget: ["raises the Memory budget", (w) => w.m.setBudget("Memory", budget(8192))],
  registersReclaimer: [
    "registers a reclamation callback",
    (w) => void w.leftovers.push(w.m.registerReclamationCallback("Memory", () => 0))
  ],
  closesManager: [
    "closes the manager",
    (w) => {
      w.closedByCaller = true
      w.m.close()
    }
  ]
} as const satisfies Record<string, Reentry<ReentrantWorld>>

const REJECTING = "answers a rejected Promise"

/** Leaves out the callback answering a rejected Promise (see {@link callbacks}). */
export const notRejecting = (b: Behaviour<never>) => b.label !== REJECTING

/**
 * Callbacks of a world (as Gens, `answer` turning a valid callback's input into its answer, `keep` choosing the
 * behaviours): one that throws, ones that answer nonsense (NaN, "x", with `rejecting` a rejected Promise, a
 * Proxy), and for each of `reentries` one that calls back in then answers, and one that calls back in then throws.
 * Every throw and rejection is recorded as the run's own.
 */
export const callbacks =
  <W extends CallerWorld>(reentries: ReadonlyArray<Reentry<W>>, options: { readonly rejecting: boolean }) =>
  (answer: (input: unknown) => unknown, keep: (b: Behaviour<W>) => boolean = () => true) => {
    const all: ReadonlyArray<Behaviour<W>> = [
      {
        label: "throws",
        run: (w) => {
          throw recorded(w, "callback")
        }
      },
      { label: "answers NaN", run: () => Number.NaN },
      { label: 'answers "x"', run: () => "x" },
      ...(options.rejecting
        ? [{ label: REJECTING, run: (w: W) => Promise.reject(recorded(w, "rejection")) } satisfies Behaviour<W>]
        : []),
      { label: "answers a Proxy", run: () => new Proxy({}, { get: () => 0 / 0 }) },
      ...reentries.map(
        ([label, f]): Behaviour<W> => ({
          label: `${label}, then answers`,
          run: (w, input) => {
            f(w)
            return answer(input)
          }
        })
      ),
      ...reentries.map(
        ([label, f]): Behaviour<W> => ({
          label: `${label}, then throws`,
          run: (w) => {
            f(w)
            throw recorded(w, "callback after re-entering")
          }
        })
      )
    ]
    return fc
      .constantFrom(...all.filter(keep))
      .map((b) => gen<W>(`a callback that ${b.label}`, (w) => (input: unknown) => b.run(w, input)))
  }

// ---------------------------------------------------------------------------------------------------------------
// Positions.

export const anyHostile = <W>(except: ReadonlyArray<string> = []) => hostileValue<W>(except)
export const or = <W>(...arbitraries: ReadonlyArray<fc.Arbitrary<Gen<W>>>) => fc.oneof(...arbitraries)
export const values = <W>(...list: ReadonlyArray<unknown>) => fc.constantFrom(...list).map((v) => constant<W>(v))
/** The Gens of `arbitrary` but `undefined`. */
export const defined = <W>(arbitrary: fc.Arbitrary<Gen<W>>) => arbitrary.filter((g) => g.label !== "undefined")

/**
 * Hostile values that are functions throwing when called (function Proxies, a class): as a body they are a body
 * that throws, as a hook a hook that throws, whose throw is passed on as documented (not recorded as the run's,
 * so left out where a body or hook is drawn).
 */
export const throwingFunctions = ["a throwing function Proxy", "a revoked function Proxy", "class {}"]

/** A record argument: valid; hostile, or one of its `keys` made hostile, or disguised. */
export const recordPosition = <W>(valid: fc.Arbitrary<Gen<W>>, keys: ReadonlyArray<string>): Position<W> => ({
  valid,
  hostile: or(anyHostile(), withHostileField(valid, keys), disguised(valid))
})

/** A handle argument: valid; hostile, one of `variants` (not a live handle here), a field hostile, or disguised. */
export const handlePosition = <W>(valid: fc.Arbitrary<Gen<W>>, variants: fc.Arbitrary<Gen<W>>): Position<W> => ({
  valid,
  hostile: or(anyHostile(), variants, withHostileField(valid, ["slot", "generation", "manager"]), disguised(valid))
})

/** What {@link handleVariants} uses of a world: its stale handle, its Memory ref, the other manager's, the manager. */
export interface HandleWorld {
  readonly stale: ResourceHandle
  readonly mem: { readonly handle: ResourceHandle }
  readonly foreignMem: { readonly handle: ResourceHandle }
  readonly m: unknown
}

/**
 * Handles that are not one of the caller's live holds here, or not handles: a stale one, the other manager's (its
 * resources are the same: the same slot and generation), `otherHold` (a live hold that is not the caller's), refs,
 * `lookalike` (something of the world's shaped like a handle), the manager, and mem's handle with a field moved
 * (with `slotBelow`, its slot down too) or as an array.
 */
export const handleVariants = <W extends HandleWorld>(suite: {
  readonly otherHold: Gen<W>
  readonly lookalike: Gen<W>
  readonly slotBelow: boolean
}): fc.Arbitrary<Gen<W>> => {
  const of = (w: W) => w.mem.handle
  return fc.constantFrom(
    gen<W>("a stale handle", (w) => w.stale),
    gen<W>("the other manager's handle (same slot and generation)", (w) => w.foreignMem.handle),
    suite.otherHold,
    gen<W>("a ref as the handle", (w) => w.mem),
    gen<W>("the other manager's ref as the handle", (w) => w.foreignMem),
    suite.lookalike,
    gen<W>("the manager as the handle", (w) => w.m),
    gen<W>("mem.handle, its manager + 1", (w) => ({ ...of(w), manager: of(w).manager + 1 })),
    gen<W>("mem.handle, its slot + 100", (w) => ({ ...of(w), slot: of(w).slot + 100 })),
    ...(suite.slotBelow ? [gen<W>("mem.handle, its slot - 100", (w) => ({ ...of(w), slot: of(w).slot - 100 }))] : []),
    gen<W>("mem.handle, its generation + 1", (w) => ({ ...of(w), generation: of(w).generation + 1 })),
    gen<W>("mem.handle as an array", (w) => [of(w).slot, of(w).generation, of(w).manager])
  )
}

export const metadataKeys = ["type", "sizeBytes", "alignmentBytes", "priority", "accessPattern", "flags", "dependsOn"]

/**
 * A metadata argument: valid; hostile, a field hostile, disguised, a valid one depending on one of `dependsOn`, or
 * a valid one of one of `sizes`.
 */
export const metadataPosition = <W>(
  valid: fc.Arbitrary<Gen<W>>,
  dependsOn: fc.Arbitrary<Gen<W>>,
  sizes: ReadonlyArray<number>
): Position<W> => ({
  valid,
  hostile: or(
    anyHostile(),
    withHostileField(valid, metadataKeys),
    disguised(valid),
    fc.tuple(valid, dependsOn).map(([base, handle]) =>
      gen<W>(`${base.label} with dependsOn [${handle.label}]`, (w) => ({
        ...(base.make(w) as object),
        dependsOn: [handle.make(w)]
      }))
    ),
    fc.tuple(valid, values<W>(...sizes)).map(([base, size]) =>
      gen<W>(`${base.label} with sizeBytes ${size.label}`, (w) => ({
        ...(base.make(w) as object),
        sizeBytes: size.make(w)
      }))
    )
  )
})

/** Options of create and destroy hooks drawn from `create` and `destroy`. */
export const hooksOf = <W>(create: fc.Arbitrary<Gen<W>>, destroy: fc.Arbitrary<Gen<W>>) =>
  fc
    .tuple(create, destroy)
    .map(([c, d]) =>
      gen<W>(`{ create: ${c.label}, destroy: ${d.label} }`, (w) => ({ create: c.make(w), destroy: d.make(w) }))
    )

/**
 * Options `{ signal }` with a hostile signal. An aborted signal's reason is the caller's own (a wait rejects with
 * it, as documented); a signal that cannot be used is refused (InvalidArgument signal) before the request is
 * submitted; a removeEventListener that throws is ignored (the wait may end inside another caller's release). With
 * `recordAccessorThrows`, what the signal's accessors throw is recorded as the run's own too.
 */
const hostileSignalOptions = <W extends CallerWorld>(recordAccessorThrows: boolean) => {
  const own = (w: W, what: string) => (recordAccessorThrows ? recorded(w, what) : new HostileThrow(what))
  return fc
    .constantFrom(
      gen<W>("an aborted AbortSignal", (w) => AbortSignal.abort(recorded(w, "abort reason"))),
      gen<W>("a signal without removeEventListener", () => ({ aborted: false, addEventListener: () => {} })),
      gen<W>("a signal whose aborted getter throws", (w) => ({
        get aborted(): boolean {
          throw own(w, "aborted")
        },
        addEventListener: () => {},
        removeEventListener: () => {}
      })),
      gen<W>("a signal whose addEventListener throws", (w) => ({
        aborted: false,
        addEventListener: () => {
          throw own(w, "addEventListener")
        },
        removeEventListener: () => {}
      })),
      gen<W>("a signal whose removeEventListener throws", (w) => ({
        aborted: false,
        addEventListener: () => {},
        removeEventListener: () => {
          throw own(w, "removeEventListener")
        }
      }))
    )
    .map((signal) => gen<W>(`{ signal: ${signal.label} }`, (w) => ({ signal: signal.make(w) })))
}

/**
 * The options arguments of acquire and acquireAsync. Valid: none, or a `mode` and the suite's other `fields` (each
 * optional); for acquireAsync Blocking too, or a Timeout of 0 to 5 ms. Hostile: a hostile value, a valid one with
 * a field (`mode`, one of `fields`, a hook, `timeoutMillis`, `signal`) made hostile (to a value of `field`),
 * disguised, or hooks of `hooks`; for acquireAsync, those too and a hostile signal.
 */
export const optionsPositions = <W extends CallerWorld>(shape: {
  readonly fields: Readonly<Record<string, fc.Arbitrary<unknown>>>
  readonly field: fc.Arbitrary<Gen<W>>
  readonly hooks: fc.Arbitrary<Gen<W>>
  readonly recordAccessorThrows: boolean
}): { readonly sync: Position<W>; readonly async: Position<W> } => {
  const keys = ["mode", ...Object.keys(shape.fields), "create", "destroy", "timeoutMillis", "signal"]
  const valid = (...modes: ReadonlyArray<string>) =>
    fc
      .record({ mode: fc.constantFrom(...modes), ...shape.fields }, { requiredKeys: [] })
      .map((o) => gen<W>(fc.stringify(o), () => ({ ...o })))
  const validSync = fc.oneof(values<W>(undefined), valid("NonBlocking", "Emergency"))
  const validAsync = fc.oneof(
    values<W>(undefined),
    valid("NonBlocking", "Blocking", "Emergency"),
    fc
      .integer({ min: 0, max: 5 })
      .map((ms) => gen<W>(`{ mode: "Timeout", timeoutMillis: ${ms} }`, () => ({ mode: "Timeout", timeoutMillis: ms })))
  )
  const sync: Position<W> = {
    valid: validSync,
    hostile: or(
      anyHostile(),
      withHostileField(defined(validSync), keys, shape.field),
      disguised(defined(validSync)),
      shape.hooks
    )
  }
  return {
    sync,
    async: {
      valid: validAsync,
      hostile: or(
        sync.hostile,
        withHostileField(defined(validAsync), keys, shape.field),
        hostileSignalOptions<W>(shape.recordAccessorThrows)
      )
    }
  }
}

export const budgetKeys = ["maxBytes", "reservedBytes", "warningPercent", "criticalPercent"]
