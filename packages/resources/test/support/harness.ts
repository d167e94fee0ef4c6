/**
 * Shared harness of the adversarial suites (fuzz, differential, reentrancy, yield-sweep, regressions): error
 * classification against `@flight-hal/core`, state fingerprints (snapshot + wait graph), budgets, settle points,
 * and the budget invariants. Public API only.
 */

import type { ResourceBudget, ResourceMetadata, ResourceType } from "@flight-hal/core"
import * as core from "@flight-hal/core"
import { ResourceTypeNames } from "@flight-hal/core"
import type { ManagerSnapshot, PlainResourceManager } from "../../src/index.ts"

/** Every error class exported by `@flight-hal/core`. */
export const coreErrorClasses: ReadonlyArray<new (...args: never) => Error> = (
  Object.values(core) as ReadonlyArray<unknown>
).filter(
  (value): value is new (...args: never) => Error =>
    typeof value === "function" && (value as { prototype?: unknown }).prototype instanceof Error
)

/** Whether `error` is an instance of one of `@flight-hal/core`'s error classes (with a string `_tag`). */
export const isCoreError = (error: unknown): error is Error & { readonly _tag: string } =>
  coreErrorClasses.some((C) => error instanceof C) && typeof (error as { _tag?: unknown })._tag === "string"

/** A short description of an unexpected error, for assertion messages. */
export const describeError = (error: unknown): string => {
  if (error instanceof Error) {
    const tag = (error as { _tag?: unknown })._tag
    return `${error.constructor.name}${tag === undefined ? "" : `(${String(tag)})`}: ${error.message}`
  }
  return `non-Error ${typeof error}: ${safeString(error)}`
}

export const safeString = (value: unknown): string => {
  try {
    if (typeof value === "symbol") return value.toString()
    if (typeof value === "bigint") return `${value}n`
    const json = JSON.stringify(value, (_k, v) =>
      typeof v === "bigint" ? `${v}n` : typeof v === "number" && !Number.isFinite(v) ? String(v) : v
    )
    return json === undefined ? String(value) : json.slice(0, 300)
  } catch {
    return "<unprintable>"
  }
}

/** Errors about the input itself: the state must be byte-identical after them (not even `failedCount` moves). */
export const inputErrorTags: ReadonlySet<string> = new Set([
  "InvalidMetadata",
  "InvalidArgument",
  "InvalidBudget",
  "ResourceNotFound",
  "StaleHandle",
  "NotShareable",
  "AlreadyShared",
  "NotHolder",
  "DependencyCycle",
  "InvalidPoolConfig",
  "ManagerClosed"
])

export const budgetOf = (maxBytes: number, reservedBytes = 0): ResourceBudget => ({
  maxBytes,
  reservedBytes,
  warningPercent: 50,
  criticalPercent: 80
})

export const mem = (
  sizeBytes: number,
  extra: Partial<ResourceMetadata> = {}
): ResourceMetadata & { readonly type: "Memory" } => ({
  ...extra,
  type: "Memory",
  sizeBytes
})

export const hw = (sizeBytes: number, extra: Partial<ResourceMetadata> = {}): ResourceMetadata => ({
  type: "Hardware",
  sizeBytes,
  ...extra
})

/** The manager's observable state: snapshot and wait graph, as JSON. */
export const fingerprint = (snapshot: unknown, waitGraph: unknown): string =>
  `${JSON.stringify(snapshot)}\n${JSON.stringify(waitGraph)}`

/**
 * The resources' state only, with every `failedCount` zeroed: what a rejection of a well-formed request must
 * leave unchanged (it counts a failure and may register its owner's name, nothing else).
 */
export const fingerprintIgnoringFailures = (snapshot: ManagerSnapshot, waitGraph: unknown): string =>
  JSON.stringify({
    types: snapshot.types.map((t) => ({ ...t, failedCount: 0 })),
    liveResources: snapshot.liveResources,
    pools: snapshot.pools,
    resources: (waitGraph as { resources?: unknown }).resources,
    waits: ((waitGraph as { drivers?: ReadonlyArray<{ waitsFor: ReadonlyArray<unknown> }> }).drivers ?? []).flatMap(
      (d) => d.waitsFor
    )
  })

export const facadeState = (manager: PlainResourceManager): string =>
  fingerprint(manager.snapshot(), manager.waitGraph())

/** Settle point: lets every microtask and every scheduled setImmediate callback (Effect's scheduler) run. */
export const settle = async (rounds = 4): Promise<void> => {
  for (let i = 0; i < rounds; i++) {
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
}

/** The outcome of a promise after a settle point: still pending, fulfilled or rejected. */
export type Observed<A> =
  | { readonly state: "pending" }
  | { readonly state: "fulfilled"; readonly value: A }
  | { readonly state: "rejected"; readonly error: unknown }

/** Tracks a promise so its state can be read synchronously after a settle point. */
export const observe = <A>(promise: Promise<A>): { readonly current: () => Observed<A> } => {
  let observed: Observed<A> = { state: "pending" }
  promise.then(
    (value) => {
      observed = { state: "fulfilled", value }
    },
    (error: unknown) => {
      observed = { state: "rejected", error }
    }
  )
  return { current: () => observed }
}

/** Runs `f`, returning its value or the thrown error. */
export const attempt = <A>(
  f: () => A
): { readonly ok: true; readonly value: A } | { readonly ok: false; readonly error: unknown } => {
  try {
    return { ok: true, value: f() }
  } catch (error) {
    return { ok: false, error }
  }
}

interface WaitGraphLike {
  readonly resources: ReadonlyArray<{ readonly type: string; readonly sizeBytes: number }>
  readonly drivers: ReadonlyArray<{
    readonly waitsFor: ReadonlyArray<{ readonly resource: string; readonly sizeBytes?: number; readonly type?: string }>
  }>
}

/**
 * Budget invariants from the public views, as a list of violations (empty when they hold):
 * - for a type without pools, usage equals the sum of the sizes of its live resources; with pools, usage is at
 *   least the pools' capacity;
 * - a type with a budget and waiters has at least one waiter that does not fit now (nothing waits that could be
 *   granted);
 * - `waiting` in the stats matches the wait graph's byte waiters.
 */
export const invariantViolations = (snapshot: ManagerSnapshot, waitGraph: unknown): ReadonlyArray<string> => {
  const graph = waitGraph as WaitGraphLike
  const out: Array<string> = []
  for (const stats of snapshot.types) {
    const type = stats.type
    const pools = snapshot.pools.filter((p) => p.type === type)
    const live = graph.resources.filter((r) => r.type === type).reduce((sum, r) => sum + r.sizeBytes, 0)
    const capacity = pools.reduce((sum, p) => sum + p.totalCapacityBytes, 0)
    if (pools.length === 0 && stats.currentUsage !== live) {
      out.push(`${type}: usage ${stats.currentUsage} but live resources sum to ${live}`)
    }
    if (pools.length > 0 && stats.currentUsage < capacity) {
      out.push(`${type}: usage ${stats.currentUsage} below its pools' capacity ${capacity}`)
    }
    const waiters = graph.drivers.flatMap((d) => d.waitsFor).filter((w) => w.resource === `bytes:${type}`)
    const waitingOfType = graph.drivers.flatMap((d) => d.waitsFor).filter((w) => w.type === type).length
    if (stats.waiting !== waitingOfType) {
      out.push(`${type}: stats.waiting ${stats.waiting} but ${waitingOfType} waiters for it in the wait graph`)
    }
    if (waiters.length > 0) {
      const max = stats.budget?.maxBytes
      if (max === undefined) out.push(`${type}: ${waiters.length} waiters on an unlimited type`)
      else if (
        waiters.every((w) => stats.currentUsage + (w.sizeBytes ?? 0) <= max - (stats.budget?.reservedBytes ?? 0))
      ) {
        out.push(`${type}: every waiter would fit now (usage ${stats.currentUsage}, max ${max})`)
      }
    }
  }
  return out
}

/** Quiescence (after close, or once every request ended): no usage, nothing live, nothing waiting. */
export const closedViolations = (snapshot: ManagerSnapshot, waitGraph: unknown): ReadonlyArray<string> => {
  const graph = waitGraph as WaitGraphLike
  const out: Array<string> = []
  for (const stats of snapshot.types) {
    if (stats.currentUsage !== 0) out.push(`${stats.type}: usage ${stats.currentUsage} left`)
    if (stats.waiting !== 0) out.push(`${stats.type}: ${stats.waiting} waiting left`)
  }
  if (snapshot.liveResources !== 0) out.push(`${snapshot.liveResources} live resources left`)
  if (graph.resources.length !== 0) out.push(`${graph.resources.length} resources left in the wait graph`)
  const waits = graph.drivers.reduce((n, d) => n + d.waitsFor.length, 0)
  if (waits !== 0) out.push(`${waits} waits left in the wait graph`)
  return out
}

export const typeNames: ReadonlyArray<ResourceType> = ResourceTypeNames

/** Names inherited from Object.prototype, used as adversarial strings. */
export const prototypeNames: ReadonlyArray<string> = [
  "toString",
  "constructor",
  "__proto__",
  "hasOwnProperty",
  "valueOf",
  "isPrototypeOf"
]

/** A deterministic PRNG (mulberry32) for seeded scenarios. */
export const prng = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
