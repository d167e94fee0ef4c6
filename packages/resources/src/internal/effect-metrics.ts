/**
 * The Effect service's metrics: the series of `metric-families.ts` registered with Effect's `Metric` registry
 * (`Metric.registerUnsafe`), each read from the manager's core when metrics are collected (a snapshot, a
 * Prometheus scrape, an OTLP export), so nothing is pushed on the acquire path. They are removed when the
 * manager's Layer closes. The leak counter is the exception: leaks are reported at close, so it is an ordinary
 * pushed counter that outlives the Layer.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import type * as Scope from "effect/Scope"
import type { LeakReport } from "../ResourceStats.ts"
import type { AttachedCore } from "./manager-core.ts"
import { attributesOf, type Family, families, type Series } from "./metric-families.ts"
import { WAIT_BOUNDARIES, type WaitHistogram } from "./metrics.ts"

const LEAKS = "flight_hal_resource_leaks_total"

const noUpdate = (): void => {}

/** Registers one series of a family with the registry of `context`. */
const register = (context: Parameters<typeof Metric.registerUnsafe>[1], family: Family, series: Series<unknown>) => {
  const options = { description: family.help, attributes: series.attributes }
  if (family.kind === "counter") {
    const read = series.read as () => number
    return Metric.registerUnsafe(Metric.counter(family.name, { ...options, incremental: true }), context, {
      get: () => ({ count: read(), incremental: true }),
      update: noUpdate,
      modify: noUpdate
    })
  }
  if (family.kind === "gauge") {
    const read = series.read as () => number
    return Metric.registerUnsafe(Metric.gauge(family.name, options), context, {
      get: () => ({ value: read() }),
      update: noUpdate,
      modify: noUpdate
    })
  }
  const read = series.read as () => WaitHistogram
  return Metric.registerUnsafe(Metric.histogram(family.name, { ...options, boundaries: WAIT_BOUNDARIES }), context, {
    get: read,
    update: noUpdate,
    modify: noUpdate
  })
}

/** The pushed leak counter of one type. */
const leakCounter = (manager: AttachedCore, type: string) => {
  const family = families.find((f) => f.name === LEAKS)
  const attributes = attributesOf(manager, { type })
  return Metric.counter(LEAKS, { description: family?.help, attributes, incremental: true })
}

/**
 * Registers the manager's series in the current metric registry until the scope closes. Pool series follow
 * the manager's pools: a pool created or destroyed at run time shows, or goes, from the next collection on.
 */
export const registerManagerMetrics = (manager: AttachedCore): Effect.Effect<void, never, Scope.Scope> =>
  Effect.gen(function* () {
    const context = yield* Effect.context<never>()
    const registrations: Array<Metric.Registration> = []
    const pooled = new Map<string, Metric.Registration>()
    let poolKeys = ""
    const syncPools = () => {
      const keys = manager.core.pools
        .pools()
        .map(({ type, pool }) => `${type}\u0000${pool.blockSize}\u0000${pool.name}`)
        .join("\u0001")
      if (keys === poolKeys) return
      poolKeys = keys
      const wanted = new Set<string>()
      for (const family of families) {
        if (!family.perPool) continue
        for (const series of family.series(manager)) {
          const key = `${family.name}\u0000${JSON.stringify(series.attributes)}`
          wanted.add(key)
          if (!pooled.has(key)) pooled.set(key, register(context, family, series))
        }
      }
      for (const [key, registration] of pooled) {
        if (wanted.has(key)) continue
        registration.remove()
        pooled.delete(key)
      }
    }
    let first = true
    for (const family of families) {
      if (family.perPool || family.name === LEAKS) continue
      for (const series of family.series(manager) as ReadonlyArray<Series<unknown>>) {
        // the first series read in a collection brings the pool series up to date
        const withSync: Series<unknown> = first
          ? {
              attributes: series.attributes,
              read: () => {
                syncPools()
                return series.read()
              }
            }
          : series
        first = false
        registrations.push(register(context, family, withSync))
      }
    }
    syncPools()
    // the leak counters exist from the start (at 0), as the other series do
    for (const type of manager.core.state.typeTable.names) yield* Metric.update(leakCounter(manager, type), 0)
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        for (const registration of registrations) registration.remove()
        for (const registration of pooled.values()) registration.remove()
      })
    )
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
