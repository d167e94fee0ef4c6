/**
 * Fuzz of every public entry point of both front ends with arbitrary values (fast-check `fc.anything()` plus
 * prototype-named strings, non-finite numbers, 2**53, -0, …): a call either succeeds or fails with an instance
 * of one of `@flight-hal/core`'s error classes (never a raw TypeError/RangeError or a defect); after an input
 * error the state (snapshot + wait graph) is byte-identical; after a success the budget invariants hold; and a
 * call whose input is plainly invalid (a non-string name, an unknown type, a malformed handle) does not
 * succeed. Cases are generated from a fixed seed per entry point (printed) and all run: the failures are
 * reported per entry point with their case index, so a failure replays with the same seed.
 */
import { describe, expect, test } from "bun:test"
import type { ResourceHandle, ResourceMetadata } from "@flight-hal/core"
import { ResourceFlags } from "@flight-hal/core"
import { Cause, Effect, Exit, Fiber, Layer, Scope } from "effect"
import * as fc from "fast-check"
import {
  createResourceManager,
  type PlainResourceManager,
  ResourceManager,
  type ResourceManagerConfig,
  type ResourceManagerService
} from "../src/index.ts"
import { openManager } from "./support/effect.ts"
import {
  budgetOf,
  closedViolations,
  describeError,
  facadeState,
  fingerprint,
  fingerprintIgnoringFailures,
  hw,
  inputErrorTags,
  invariantViolations,
  isCoreError,
  mem,
  prototypeNames,
  safeString,
  settle,
  typeNames
} from "./support/harness.ts"

const FACADE_RUNS = 500
const EFFECT_RUNS = 100
const CONFIG_RUNS = 600
const BASE_SEED = 0x5eed_f022

// ---------------------------------------------------------------------------------------------------------------
// Arguments: raw values, or references to the live/stale/foreign handles of the case's manager.

type Arg =
  | { readonly kind: "raw"; readonly value: unknown }
  | { readonly kind: "live"; readonly index: number }
  | { readonly kind: "stale" }
  | { readonly kind: "foreign" }
  | { readonly kind: "callback"; readonly returns: unknown }

const raw = (arb: fc.Arbitrary<unknown>): fc.Arbitrary<Arg> => arb.map((value) => ({ kind: "raw", value }))

const special: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(
  ...prototypeNames,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  2 ** 53,
  -0,
  2 ** 31,
  2 ** 32 + 8,
  -1,
  0.5,
  null,
  undefined,
  "",
  "Memory",
  "Bogus",
  "1",
  [],
  {},
  Symbol("s"),
  10n
)
const weird: fc.Arbitrary<unknown> = fc.oneof(fc.anything(), special, fc.array(fc.anything(), { maxLength: 3 }))
const maybeWeird = <A>(valid: fc.Arbitrary<A>): fc.Arbitrary<unknown> =>
  fc.oneof({ arbitrary: valid, weight: 3 }, { arbitrary: weird, weight: 1 })

const typeArb = maybeWeird(fc.constantFrom(...typeNames))
const stringArb = maybeWeird(fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom("r0", "r1", "o", "p", "")))

const handleArg: fc.Arbitrary<Arg> = fc.oneof(
  { arbitrary: fc.constantFrom<Arg>({ kind: "live", index: 0 }, { kind: "live", index: 1 }), weight: 3 },
  { arbitrary: fc.constantFrom<Arg>({ kind: "stale" }, { kind: "foreign" }), weight: 2 },
  {
    arbitrary: raw(
      fc.oneof(
        fc.record({
          slot: maybeWeird(fc.integer({ min: -2, max: 5 })),
          generation: maybeWeird(fc.integer({ min: -2, max: 5 }))
        }),
        weird
      )
    ),
    weight: 2
  }
)

const metadataValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: weird, weight: 1 },
  {
    arbitrary: fc.record(
      {
        type: typeArb,
        sizeBytes: maybeWeird(fc.integer({ min: 0, max: 1200 })),
        alignmentBytes: maybeWeird(fc.constantFrom(1, 2, 4, 8, 16, 3, 0)),
        priority: maybeWeird(fc.constantFrom("Low", "Normal", "High", "Critical")),
        accessPattern: maybeWeird(fc.constantFrom("ReadOnly", "WriteOnly", "ReadWrite", "Streaming")),
        flags: maybeWeird(fc.constantFrom(0, ResourceFlags.combine("Shareable"), 1, 2 ** 31)),
        dependsOn: maybeWeird(fc.constant("live-handles"))
      },
      { requiredKeys: ["type", "sizeBytes"] }
    ),
    weight: 4
  }
)

const modeArb = maybeWeird(fc.constantFrom("NonBlocking", "Blocking", "Timeout", "Emergency"))
const syncOptions = fc.oneof(weird, fc.record({ mode: modeArb, owner: stringArb }, { requiredKeys: [] }))
const asyncOptions = fc.oneof(
  weird,
  fc.record(
    { mode: modeArb, owner: stringArb, timeoutMillis: maybeWeird(fc.integer({ min: 0, max: 5 })) },
    { requiredKeys: [] }
  )
)
const effectOptions = fc.oneof(
  weird,
  fc.record(
    {
      mode: modeArb,
      owner: stringArb,
      timeout: maybeWeird(fc.constantFrom("1 millis", "0 millis", 3, "1 hour"))
    },
    { requiredKeys: [] }
  )
)
const budgetArb = maybeWeird(
  fc.record({
    maxBytes: maybeWeird(fc.integer({ min: 0, max: 5000 })),
    reservedBytes: maybeWeird(fc.integer({ min: 0, max: 500 })),
    warningPercent: maybeWeird(fc.integer({ min: 0, max: 100 })),
    criticalPercent: maybeWeird(fc.integer({ min: 0, max: 100 }))
  })
)
const callbackArg: fc.Arbitrary<Arg> = fc.oneof(
  {
    arbitrary: maybeWeird(fc.integer({ min: 0, max: 1000 })).map((returns): Arg => ({ kind: "callback", returns })),
    weight: 3
  },
  { arbitrary: raw(weird), weight: 1 }
)

// ---------------------------------------------------------------------------------------------------------------
// The case's world: a manager with two live resources (a Shareable Memory one and a Hardware one), a stale
// handle of it and a handle of another manager with the same slot and generation as a live one.

interface World {
  readonly handles: ReadonlyArray<ResourceHandle>
  readonly stale: ResourceHandle
  readonly foreign: ResourceHandle
}

const resolveArg = (arg: Arg, world: World, effect: boolean): unknown => {
  switch (arg.kind) {
    case "raw":
      return substituteHandles(arg.value, world)
    case "live":
      return world.handles[arg.index]
    case "stale":
      return world.stale
    case "foreign":
      return world.foreign
    case "callback":
      return effect ? () => Effect.succeed(arg.returns) : () => arg.returns
  }
}

/** Metadata records carry the marker "live-handles" for dependsOn: a list of the world's live handles. */
const substituteHandles = (value: unknown, world: World): unknown => {
  if (typeof value === "object" && value !== null && !Array.isArray(value) && "dependsOn" in value) {
    const record = value as Record<string, unknown>
    if (record.dependsOn === "live-handles") return { ...record, dependsOn: [...world.handles] }
  }
  return value
}

const isString = (value: unknown) => typeof value === "string"
const isTypeName = (value: unknown) => typeof value === "string" && (typeNames as ReadonlyArray<string>).includes(value)
const isHandleShape = (value: unknown) =>
  typeof value === "object" &&
  value !== null &&
  Number.isInteger((value as { slot?: unknown }).slot) &&
  Number.isInteger((value as { generation?: unknown }).generation)

/** Plainly invalid input an operation must not accept (a success on it is a failure). */
type Oracle = (args: ReadonlyArray<unknown>) => string | undefined

const nameOracle: Oracle = ([name]) => (isString(name) ? undefined : "non-string name accepted")
const ownerIn = (options: unknown): string | undefined => {
  if (typeof options !== "object" || options === null) return undefined
  const owner = (options as { owner?: unknown }).owner
  return owner === undefined || isString(owner) ? undefined : "non-string owner accepted"
}
const typeOracle: Oracle = ([type]) => (isTypeName(type) ? undefined : "unknown type accepted")
const handleOracle: Oracle = ([handle]) => (isHandleShape(handle) ? undefined : "malformed handle accepted")
const both =
  (...oracles: ReadonlyArray<Oracle>): Oracle =>
  (args) => {
    for (const oracle of oracles) {
      const verdict = oracle(args)
      if (verdict !== undefined) return verdict
    }
    return undefined
  }

interface Op {
  readonly name: string
  readonly args: ReadonlyArray<fc.Arbitrary<Arg>>
  readonly oracle?: Oracle
  readonly facade?: (manager: PlainResourceManager, args: ReadonlyArray<unknown>) => unknown
  readonly effect?: (
    manager: ResourceManagerService,
    args: ReadonlyArray<unknown>
  ) => Effect.Effect<unknown, unknown, Scope.Scope>
}

const a = (arb: fc.Arbitrary<unknown>) => raw(arb)
const ops: ReadonlyArray<Op> = [
  {
    name: "acquire",
    args: [a(stringArb), a(metadataValue), a(syncOptions)],
    oracle: (args) => nameOracle(args) ?? ownerIn(args[2]),
    facade: (m, [n, md, o]) => m.acquire(n as string, md as ResourceMetadata, o as never),
    effect: (m, [n, md, o]) => m.acquire(n as string, md as ResourceMetadata, o as never)
  },
  {
    name: "acquireAsync",
    args: [a(stringArb), a(metadataValue), a(asyncOptions)],
    oracle: (args) => nameOracle(args) ?? ownerIn(args[2]),
    facade: (m, [n, md, o]) => m.acquireAsync(n as string, md as ResourceMetadata, o as never)
  },
  {
    name: "acquire (modes)",
    args: [a(stringArb), a(metadataValue), a(effectOptions)],
    oracle: (args) => nameOracle(args) ?? ownerIn(args[2]),
    effect: (m, [n, md, o]) => m.acquire(n as string, md as ResourceMetadata, o as never)
  },
  {
    name: "use",
    args: [a(stringArb), a(metadataValue), a(effectOptions)],
    oracle: (args) => nameOracle(args) ?? ownerIn(args[2]),
    effect: (m, [n, md, o]) => m.use(n as string, md as ResourceMetadata, () => Effect.void, o as never)
  },
  {
    name: "share",
    args: [handleArg, a(stringArb)],
    oracle: both(handleOracle, ([, driver]) => (isString(driver) ? undefined : "non-string driver accepted")),
    facade: (m, [h, d]) => m.share(h as ResourceHandle, d as string),
    effect: (m, [h, d]) => m.share(h as ResourceHandle, d as string)
  },
  {
    name: "addDependency",
    args: [handleArg, handleArg],
    oracle: both(handleOracle, ([, h]) => (isHandleShape(h) ? undefined : "malformed dependency accepted")),
    facade: (m, [x, y]) => m.addDependency(x as ResourceHandle, y as ResourceHandle),
    effect: (m, [x, y]) => m.addDependency(x as ResourceHandle, y as ResourceHandle)
  },
  {
    name: "reclaim",
    args: [handleArg],
    oracle: handleOracle,
    facade: (m, [h]) => m.reclaim(h as ResourceHandle),
    effect: (m, [h]) => m.reclaim(h as ResourceHandle)
  },
  {
    name: "setBudget",
    args: [a(typeArb), a(budgetArb)],
    oracle: typeOracle,
    facade: (m, [t, b]) => m.setBudget(t as never, b as never),
    effect: (m, [t, b]) => m.setBudget(t as never, b as never)
  },
  {
    name: "getBudget",
    args: [a(typeArb)],
    oracle: typeOracle,
    facade: (m, [t]) => m.getBudget(t as never),
    effect: (m, [t]) => m.getBudget(t as never)
  },
  {
    name: "removeBudget",
    args: [a(typeArb)],
    oracle: typeOracle,
    facade: (m, [t]) => m.removeBudget(t as never),
    effect: (m, [t]) => m.removeBudget(t as never)
  },
  {
    name: "registerReclamationCallback",
    args: [a(typeArb), callbackArg],
    oracle: both(typeOracle, ([, cb]) => (typeof cb === "function" ? undefined : "non-function callback accepted")),
    facade: (m, [t, cb]) => m.registerReclamationCallback(t as never, cb as never),
    effect: (m, [t, cb]) => m.registerReclamationCallback(t as never, cb as never)
  },
  {
    name: "registerPressureCallback",
    args: [callbackArg],
    oracle: ([cb]) => (typeof cb === "function" ? undefined : "non-function callback accepted"),
    facade: (m, [cb]) => m.registerPressureCallback(cb as never),
    effect: (m, [cb]) => m.registerPressureCallback(cb as never)
  },
  {
    name: "getResourceStats",
    args: [a(typeArb)],
    oracle: typeOracle,
    facade: (m, [t]) => m.getResourceStats(t as never),
    effect: (m, [t]) => m.getResourceStats(t as never)
  },
  {
    name: "driverStats",
    args: [a(stringArb)],
    oracle: ([d]) => (isString(d) ? undefined : "non-string driver accepted"),
    facade: (m, [d]) => m.driverStats(d as string),
    effect: (m, [d]) => m.driverStats(d as string)
  },
  {
    name: "holders",
    args: [handleArg],
    oracle: handleOracle,
    facade: (m, [h]) => m.holders(h as ResourceHandle),
    effect: (m, [h]) => m.holders(h as ResourceHandle)
  },
  {
    name: "dependents",
    args: [handleArg],
    oracle: handleOracle,
    facade: (m, [h]) => m.dependents(h as ResourceHandle),
    effect: (m, [h]) => m.dependents(h as ResourceHandle)
  },
  {
    name: "dependencies",
    args: [handleArg],
    oracle: handleOracle,
    facade: (m, [h]) => m.dependencies(h as ResourceHandle),
    effect: (m, [h]) => m.dependencies(h as ResourceHandle)
  },
  {
    name: "registerResource",
    args: [a(stringArb), a(metadataValue), a(stringArb)],
    oracle: both(nameOracle, ([, , o]) => (o === undefined || isString(o) ? undefined : "non-string owner accepted")),
    facade: (m, [n, md, o]) => m.registerResource(n as string, md as ResourceMetadata, o as string)
  },
  {
    name: "releaseResource",
    args: [handleArg, a(stringArb)],
    oracle: both(handleOracle, ([, o]) => (o === undefined || isString(o) ? undefined : "non-string owner accepted")),
    facade: (m, [h, o]) => m.releaseResource(h as ResourceHandle, o as string)
  }
]

const baseConfig: ResourceManagerConfig = {
  budgets: { Memory: budgetOf(1000), Hardware: budgetOf(10) },
  onLeaks: () => {}
}
const shareable = { flags: ResourceFlags.combine("Shareable") }

/** A foreign handle with the same slot/generation as the first live one, and a stale one. */
const foreignOf = (handle: ResourceHandle): ResourceHandle => ({ ...handle, manager: handle.manager + 1 })

const sampleCases = (op: Op, runs: number, seed: number) =>
  fc.sample(fc.tuple(...(op.args as Array<fc.Arbitrary<Arg>>)), { seed, numRuns: runs })

const seedOf = (index: number, effect: boolean) => BASE_SEED + index * 7919 + (effect ? 1 : 0)

/** Judges one call's outcome; returns the failure description or undefined. */
const judge = (
  outcome:
    | { readonly ok: true }
    | { readonly ok: false; readonly error: unknown }
    | { readonly ok: false; readonly defect: string },
  before: string,
  beforeMasked: string,
  after: string,
  afterMasked: string,
  violations: ReadonlyArray<string>,
  invalid: string | undefined
): string | undefined => {
  if ("defect" in outcome) return `defect: ${outcome.defect}`
  if (!outcome.ok) {
    if (!isCoreError(outcome.error)) return `raw error: ${describeError(outcome.error)}`
    const tag = outcome.error._tag
    if (inputErrorTags.has(tag) && after !== before) return `${tag} changed the state`
    if (!inputErrorTags.has(tag) && afterMasked !== beforeMasked) return `${tag} changed the state (failedCount aside)`
    return undefined
  }
  if (invalid !== undefined) return invalid
  if (violations.length > 0) return `invariant: ${violations.join("; ")}`
  return undefined
}

/** Groups failures by verdict (the first 70 characters, digits folded) with a count and the first case. */
const summarize = (
  failures: ReadonlyArray<{ readonly label: string; readonly verdict: string }>
): ReadonlyArray<string> => {
  const byKind = new Map<string, { count: number; first: string }>()
  for (const { label, verdict } of failures) {
    const kind = verdict.slice(0, 70).replace(/\d+/g, "#")
    const entry = byKind.get(kind)
    if (entry === undefined) byKind.set(kind, { count: 1, first: `${verdict.slice(0, 200)} — ${label.slice(0, 200)}` })
    else entry.count++
  }
  return [...byKind.entries()].map(([kind, { count, first }]) => `${count}× ${kind} | first: ${first}`)
}

describe(`fuzz: facade entry points (${FACADE_RUNS} cases each)`, () => {
  ops.forEach((op, index) => {
    if (op.facade === undefined) return
    const call = op.facade
    const seed = seedOf(index, false)
    test(`facade ${op.name}: typed errors only, no state change on bad input (seed ${seed})`, async () => {
      const cases = sampleCases(op, FACADE_RUNS, seed)
      console.log(`[fuzz] facade ${op.name}: ${cases.length} cases, seed ${seed}`)
      const failures: Array<{ label: string; verdict: string }> = []
      for (const [caseIndex, argList] of cases.entries()) {
        const manager = createResourceManager(baseConfig)
        const r0 = manager.acquire("r0", mem(300, shareable), { owner: "o" })
        const r1 = manager.acquire("r1", hw(1), { owner: "p" })
        const gone = manager.acquire("gone", hw(1), { owner: "p" })
        const staleHandle = gone.handle
        gone.release()
        const world: World = { handles: [r0.handle, r1.handle], stale: staleHandle, foreign: foreignOf(r0.handle) }
        const args = argList.map((arg) => resolveArg(arg, world, false))
        const label = `case ${caseIndex} args=${safeString(args)}`
        const before = facadeState(manager)
        const beforeMasked = fingerprintIgnoringFailures(manager.snapshot(), manager.waitGraph())
        let outcome: { ok: true } | { ok: false; error: unknown }
        try {
          const result = call(manager, args)
          if (result instanceof Promise) {
            let settled: { ok: true } | { ok: false; error: unknown } | undefined
            result.then(
              () => {
                settled = { ok: true }
              },
              (error: unknown) => {
                settled = { ok: false, error }
              }
            )
            await settle(1)
            outcome = settled ?? { ok: true }
          } else outcome = { ok: true }
        } catch (error) {
          outcome = { ok: false, error }
        }
        let verdict: string | undefined
        try {
          const after = facadeState(manager)
          const afterMasked = fingerprintIgnoringFailures(manager.snapshot(), manager.waitGraph())
          verdict = judge(
            outcome,
            before,
            beforeMasked,
            after,
            afterMasked,
            invariantViolations(manager.snapshot(), manager.waitGraph()),
            op.oracle?.(args)
          )
        } catch (error) {
          // the call corrupted the state: the introspection views no longer work
          verdict = `reading the state after the call raised ${describeError(error)}`
        }
        if (verdict !== undefined) failures.push({ label, verdict })
        try {
          manager.close()
          const closed = closedViolations(manager.snapshot(), manager.waitGraph())
          if (closed.length > 0) failures.push({ label, verdict: `after close: ${closed.join("; ")}` })
        } catch (error) {
          failures.push({ label, verdict: `close (or reading the state after it) raised ${describeError(error)}` })
        }
      }
      expect(summarize(failures)).toEqual([])
    }, 20000)
  })
})

describe(`fuzz: Effect service entry points (${EFFECT_RUNS} cases each)`, () => {
  ops.forEach((op, index) => {
    if (op.effect === undefined) return
    const call = op.effect
    const seed = seedOf(index, true)
    test(`Effect ${op.name}: typed errors only, no state change on bad input (seed ${seed})`, async () => {
      const cases = sampleCases(op, EFFECT_RUNS, seed)
      console.log(`[fuzz] Effect ${op.name}: ${cases.length} cases, seed ${seed}`)
      const failures: Array<{ label: string; verdict: string }> = []
      for (const [caseIndex, argList] of cases.entries()) {
        const open = await openManager(baseConfig)
        const m = open.manager
        const setup = await open.run(
          Effect.gen(function* () {
            const r0 = yield* m.acquire("r0", mem(300, shareable), { owner: "o" })
            const r1 = yield* m.acquire("r1", hw(1), { owner: "p" })
            const stale = yield* Effect.scoped(Effect.map(m.acquire("gone", hw(1), { owner: "p" }), (r) => r.handle))
            return { handles: [r0.handle, r1.handle], stale, foreign: foreignOf(r0.handle) } satisfies World
          })
        )
        if (Exit.isFailure(setup)) throw new Error("setup failed")
        const world = setup.value
        const args = argList.map((arg) => resolveArg(arg, world, true))
        const label = `case ${caseIndex} args=${safeString(args)}`
        const read = async () => {
          const exit = await open.run(Effect.all([m.snapshot, m.waitGraph]))
          if (Exit.isFailure(exit)) throw new Error("state read failed")
          const [snapshot, graph] = exit.value
          return {
            exact: fingerprint(snapshot, graph),
            masked: fingerprintIgnoringFailures(snapshot, graph),
            violations: invariantViolations(snapshot, graph)
          }
        }
        const before = await read()
        let outcome: { ok: true } | { ok: false; error: unknown } | { ok: false; defect: string } = { ok: true }
        let effect: Effect.Effect<unknown, unknown, Scope.Scope> | undefined
        try {
          effect = call(m, args)
        } catch (error) {
          outcome = { ok: false, defect: `threw while building the Effect: ${describeError(error)}` }
        }
        // the call runs in a scope of its own that stays open (its acquisitions stay live) until the case ends
        const callScope = Scope.makeUnsafe()
        if (effect !== undefined) {
          const fiber = Effect.runFork(
            Effect.exit(effect).pipe(
              Effect.provideService(ResourceManager, m),
              Effect.provideService(Scope.Scope, callScope)
            )
          )
          await settle(2)
          const exit = fiber.pollUnsafe()
          if (exit === undefined) {
            await Effect.runPromise(Fiber.interrupt(fiber))
            outcome = { ok: true }
          } else {
            const inner = Exit.isSuccess(exit) ? exit.value : undefined
            if (inner === undefined) outcome = { ok: false, defect: "the fiber was interrupted" }
            else if (Exit.isSuccess(inner)) outcome = { ok: true }
            else {
              const fail = inner.cause.reasons.find((r) => r._tag === "Fail") as { error: unknown } | undefined
              outcome =
                fail !== undefined
                  ? { ok: false, error: fail.error }
                  : { ok: false, defect: Cause.pretty(inner.cause).slice(0, 300) }
            }
          }
        }
        const after = await read().catch((error: unknown) => error)
        const verdict =
          after instanceof Error
            ? `reading the state after the call failed: ${after.message}`
            : judge(
                outcome,
                before.exact,
                before.masked,
                (after as Awaited<ReturnType<typeof read>>).exact,
                (after as Awaited<ReturnType<typeof read>>).masked,
                (after as Awaited<ReturnType<typeof read>>).violations,
                op.oracle?.(args)
              )
        if (verdict !== undefined) failures.push({ label, verdict })
        await Effect.runPromise(Scope.close(callScope, Exit.void))
        await open.close()
        const closed = await Effect.runPromiseExit(Effect.all([m.snapshot, m.waitGraph]))
        if (Exit.isSuccess(closed)) {
          const v = closedViolations(closed.value[0], closed.value[1])
          if (v.length > 0) failures.push({ label, verdict: `after close: ${v.join("; ")}` })
        } else if (!(after instanceof Error)) failures.push({ label, verdict: "reading the state after close failed" })
      }
      expect(summarize(failures)).toEqual([])
    }, 20000)
  })
})

describe(`fuzz: configs (${CONFIG_RUNS} cases per front end)`, () => {
  const poolArb = maybeWeird(
    fc.record(
      {
        type: typeArb,
        blockSize: maybeWeird(fc.integer({ min: 1, max: 256 })),
        initialCount: maybeWeird(fc.integer({ min: 0, max: 4 })),
        maxCount: maybeWeird(fc.integer({ min: 1, max: 8 })),
        name: stringArb
      },
      { requiredKeys: ["type", "blockSize", "maxCount"] }
    )
  )
  const configArb = fc.oneof(
    { arbitrary: weird, weight: 1 },
    {
      arbitrary: fc.record(
        {
          budgets: maybeWeird(fc.dictionary(fc.constantFrom(...typeNames, ...prototypeNames, "Bogus"), budgetArb)),
          pools: maybeWeird(fc.array(poolArb, { maxLength: 2 })),
          hysteresisPercent: maybeWeird(fc.integer({ min: 0, max: 20 })),
          defaultDriver: stringArb,
          label: stringArb,
          captureAcquisitionSite: maybeWeird(fc.boolean()),
          bogus: weird
        },
        { requiredKeys: [] }
      ),
      weight: 4
    }
  )
  const expectRejected = (config: unknown): string | undefined => {
    if (typeof config !== "object" || config === null)
      return config === undefined ? undefined : "non-object config accepted"
    const c = config as Record<string, unknown>
    const known = new Set([
      "budgets",
      "pools",
      "hysteresisPercent",
      "defaultDriver",
      "captureAcquisitionSite",
      "trace",
      "label",
      "detectGarbageCollectedLeaks",
      "onLeaks"
    ])
    for (const key of Object.keys(c)) if (!known.has(key)) return `unknown key ${key} accepted`
    const h = c.hysteresisPercent
    if (h !== undefined && !(typeof h === "number" && h >= 0 && h <= 100)) return "bad hysteresisPercent accepted"
    if (c.defaultDriver !== undefined && typeof c.defaultDriver !== "string") return "non-string defaultDriver accepted"
    return undefined
  }
  const seed = BASE_SEED + 424242

  test(`createResourceManager(config) throws only core errors and rejects bad configs (seed ${seed})`, () => {
    const configs = fc.sample(configArb, { seed, numRuns: CONFIG_RUNS })
    console.log(`[fuzz] createResourceManager: ${configs.length} configs, seed ${seed}`)
    const failures: Array<{ label: string; verdict: string }> = []
    for (const [i, config] of configs.entries()) {
      try {
        const manager = createResourceManager(config as ResourceManagerConfig)
        const invalid = expectRejected(config)
        if (invalid !== undefined) failures.push({ label: `case ${i} args=${safeString(config)}`, verdict: invalid })
        manager.close()
      } catch (error) {
        if (!isCoreError(error))
          failures.push({
            label: `case ${i} args=${safeString(config)}`,
            verdict: `raw error: ${describeError(error)}`
          })
      }
    }
    expect(summarize(failures)).toEqual([])
  })

  test(`ResourceManager.layer(config) fails only with core errors and rejects bad configs (seed ${seed + 1})`, async () => {
    const configs = fc.sample(configArb, { seed: seed + 1, numRuns: CONFIG_RUNS / 2 })
    console.log(`[fuzz] ResourceManager.layer: ${configs.length} configs, seed ${seed + 1}`)
    const failures: Array<{ label: string; verdict: string }> = []
    for (const [i, config] of configs.entries()) {
      let exit: Exit.Exit<unknown, unknown>
      try {
        exit = await Effect.runPromiseExit(
          Effect.scoped(
            Layer.build(ResourceManager.layer({ ...(config as object), onLeaks: () => {} } as ResourceManagerConfig))
          )
        )
      } catch (error) {
        failures.push({ label: `case ${i} args=${safeString(config)}`, verdict: `layer threw ${describeError(error)}` })
        continue
      }
      const label = `case ${i} args=${safeString(config)}`
      if (Exit.isSuccess(exit)) {
        const invalid = typeof config === "object" && config !== null ? expectRejected(config) : undefined
        if (invalid !== undefined) failures.push({ label, verdict: invalid })
      } else {
        const fail = exit.cause.reasons.find((r) => r._tag === "Fail") as { error: unknown } | undefined
        if (fail === undefined) failures.push({ label, verdict: "defect while building the layer" })
        else if (!isCoreError(fail.error)) failures.push({ label, verdict: `raw error: ${describeError(fail.error)}` })
      }
    }
    expect(summarize(failures)).toEqual([])
  }, 20000)
})
