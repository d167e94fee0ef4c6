/**
 * The Effect service's metrics: the series of `metric-families.ts` registered with Effect's `Metric` registry
 * (`Metric.registerUnsafe`), each read from the manager's core when metrics are collected (a snapshot, a
 * Prometheus scrape, an OTLP export), so nothing is pushed on the acquire path. They are removed when the
 * manager's Layer closes. The leak counter is the exception: leaks are reported at close, so it is an ordinary
 * pushed counter that outlives the Layer.
 *
 * A collection takes the registry's list of series before it reads any value, so the pool series are brought up
 * to date when the pools change (the service's `createPool` and `destroyPool`), not when a collection reads them.
 * The manager's entries are kept in the registry in the order of `families` (the order of the plain facade's
 * `prometheusText`), because `PrometheusMetrics` lists each family where its first series is in the registry.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import type * as Scope from "effect/Scope"
import type { ManagerPools } from "../ManagerPools.ts"
import type { LeakReport } from "../ResourceStats.ts"
import type { AttachedCore } from "./manager-core.ts"
import { attributesOf, type Family, families, type Series } from "./metric-families.ts"
import { WAIT_BOUNDARIES, type WaitHistogram } from "./metrics.ts"

const LEAKS = "flight_hal_resource_leaks_total"

const noUpdate = (): void => {}

/** One series of ours in the registry: its registration, and its hooks' `get` (which tells its entry apart). */
interface Registered {
  readonly registration: Metric.Registration
  readonly get: unknown
}

/** Registers one series of a family with the registry of `context`; `before` runs before each read. */
const register = (
  context: Parameters<typeof Metric.registerUnsafe>[1],
  family: Family,
  series: Series<unknown>,
  before: () => void
): Registered => {
  const options = { description: family.help, attributes: series.attributes }
  if (family.kind === "counter") {
    const read = series.read as () => number
    const get = () => {
      before()
      return { count: read(), incremental: true }
    }
    const metric = Metric.counter(family.name, { ...options, incremental: true })
    return { get, registration: Metric.registerUnsafe(metric, context, { get, update: noUpdate, modify: noUpdate }) }
  }
  if (family.kind === "gauge") {
    const read = series.read as () => number
    const get = () => {
      before()
      return { value: read() }
    }
    const metric = Metric.gauge(family.name, options)
    return { get, registration: Metric.registerUnsafe(metric, context, { get, update: noUpdate, modify: noUpdate }) }
  }
  const read = series.read as () => WaitHistogram
  const get = () => {
    before()
    return read()
  }
  const metric = Metric.histogram(family.name, { ...options, boundaries: WAIT_BOUNDARIES })
  return { get, registration: Metric.registerUnsafe(metric, context, { get, update: noUpdate, modify: noUpdate }) }
}

/** The pushed leak counter of one type. */
const leakCounter = (manager: AttachedCore, type: string) => {
  const family = families.find((f) => f.name === LEAKS)
  const attributes = attributesOf(manager, { type })
  return Metric.counter(LEAKS, { description: family?.help, attributes, incremental: true })
}

/** The pools of a manager as one string: it changes when a pool is created or destroyed. */
const poolKeysOf = (manager: AttachedCore): string =>
  manager.core.pools
    .pools()
    .map(({ type, pool }) => `${type}\u0000${pool.blockSize}\u0000${pool.name}`)
    .join("\u0001")

/**
 * Registers the manager's series in the current metric registry until the scope closes, in the order of
 * `families`. Returns what to call when the manager's pools have changed: it registers the series of a new pool
 * and removes those of a destroyed one, so the next collection has them (a collection also does this first
 * when it finds the pools changed, for the one after it).
 */
export const registerManagerMetrics = (manager: AttachedCore): Effect.Effect<() => void, never, Scope.Scope> =>
  Effect.gen(function* () {
    const context = yield* Effect.context<never>()
    const registry = Context.get(context, Metric.MetricRegistry)
    const names = manager.core.state.typeTable.names
    // the leak counters are found by name and attributes (pushed counters: Effect makes their entries)
    const leakType = new Map<string, number>(names.map((type, index) => [type, index]))
    let registered = new Map<string, Registered>()
    let poolKeys: string | undefined
    let open = true
    const sync = (): void => {
      if (!open) return
      const keys = poolKeysOf(manager)
      if (keys === poolKeys) return
      poolKeys = keys
      const next = new Map<string, Registered>()
      const rank = new Map<unknown, number>()
      let at = 0
      let leaksAt = 0
      for (const family of families) {
        if (family.name === LEAKS) {
          leaksAt = at // the leak counters' places, one per type
          at += names.length
          continue
        }
        for (const series of family.series(manager) as ReadonlyArray<Series<unknown>>) {
          const key = `${family.name}\u0000${JSON.stringify(series.attributes)}`
          // the first series read in a collection checks the pools (for a change made past `followPools`)
          const kept = registered.get(key) ?? register(context, family, series, at === 0 ? sync : noUpdate)
          next.set(key, kept)
          rank.set(kept.get, at++)
        }
      }
      for (const [key, { registration }] of registered) if (!next.has(key)) registration.remove()
      registered = next
      // our entries (a series another manager's took over is left where it is), moved into the families' order
      const ours: Array<readonly [string, Metric.Metric.Metadata<unknown, unknown>, number]> = []
      for (const [key, metadata] of registry) {
        const own = rank.get(metadata.hooks.get)
        const leak =
          metadata.id === LEAKS && metadata.attributes?.manager === manager.label
            ? leakType.get(metadata.attributes?.type ?? "")
            : undefined
        if (own !== undefined) ours.push([key, metadata, own])
        else if (leak !== undefined) ours.push([key, metadata, leaksAt + leak])
      }
      ours.sort((a, b) => a[2] - b[2])
      for (const [key] of ours) registry.delete(key)
      for (const [key, metadata] of ours) registry.set(key, metadata)
    }
    // the leak counters exist from the start (at 0), as the other series do
    for (const type of names) yield* Metric.update(leakCounter(manager, type), 0)
    sync()
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        open = false
        for (const { registration } of registered.values()) registration.remove()
      })
    )
    return sync
  })

/** The manager's pools, telling `changed` after a pool is created or destroyed. */
export const followPools = (pools: ManagerPools, changed: () => void): ManagerPools => ({
  createPool: (config) => {
    const made = pools.createPool(config)
    if (made.ok) changed()
    return made
  },
  destroyPool: (type, blockSize) => {
    const done = pools.destroyPool(type, blockSize)
    if (done.ok) changed()
    return done
  },
  getPool: (type, blockSize) => pools.getPool(type, blockSize),
  getPoolStats: (type, blockSize) => pools.getPoolStats(type, blockSize),
  trim: (type) => pools.trim(type),
  pools: () => pools.pools(),
  routingStats: () => pools.routingStats()
})

/** Adds reported leaks to the leak counters, per type. */
export const countLeaks = (manager: AttachedCore, leaks: ReadonlyArray<LeakReport>): Effect.Effect<void> =>
  Effect.suspend(() => {
    const byType = new Map<string, number>()
    for (const leak of leaks) byType.set(leak.type, (byType.get(leak.type) ?? 0) + 1)
    return Effect.forEach(byType, ([type, count]) => Metric.update(leakCounter(manager, type), count), {
      discard: true
    })
  })
