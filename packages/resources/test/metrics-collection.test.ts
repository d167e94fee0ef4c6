/**
 * What a collection of the Effect service's metrics reads: the pools as they are at the collection (a pool made
 * or destroyed at run time shows, or is gone, in the very next scrape or export), in the order of the plain
 * facade's `prometheusText` (the same text, line for line); and the wait histogram's buckets as
 * docs/observability.md lists them.
 */
import { describe, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { Effect, Metric, type Scope } from "effect"
import { OtlpExporter, PrometheusMetrics } from "effect/observability"
import {
  createResourceManager,
  managerMetrics,
  prometheusText,
  ResourceManager,
  type ResourceManagerConfig
} from "../src/index.ts"
import { mem } from "./support/harness.ts"
import { otlpCapture } from "./support/otlp-capture.ts"

const budget = { maxBytes: 100_000, reservedBytes: 0, warningPercent: 50, criticalPercent: 80 }
const config: ResourceManagerConfig = { label: "svc", budgets: { Memory: budget } }
const pool = { type: "Memory" as const, blockSize: 256, initialCount: 1, maxCount: 4 }

/** The lines of a Prometheus text that name a pool. */
const poolLines = (text: string, name: string) =>
  text.split("\n").filter((line) => line.startsWith("flight_hal_pool_") && line.includes(`pool="${name}"`))

/** The families a Prometheus text declares, in its order. */
const familiesOf = (text: string) =>
  text
    .split("\n")
    .filter((line) => line.startsWith("# TYPE "))
    .map((line) => line.split(" ")[2])

/** Runs a program against the service in a registry of its own. */
const run = <A, E>(
  body: Effect.Effect<A, E, ResourceManager | Scope.Scope>,
  registry: Metric.MetricRegistry = new Map(),
  managerConfig: ResourceManagerConfig = config
): Promise<A> =>
  Effect.runPromise(
    Effect.scoped(body).pipe(
      Effect.provide(ResourceManager.layer(managerConfig)),
      Effect.provideService(Metric.MetricRegistry, registry)
    )
  )

describe("a run-time pool in the very next collection (Effect service)", () => {
  test("PrometheusMetrics.format right after createPool lists the pool, right after destroyPool no longer", async () => {
    const texts = await run(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        const before = yield* PrometheusMetrics.format()
        expect(manager.pools.createPool(pool).ok).toBe(true)
        const created = yield* PrometheusMetrics.format()
        expect(manager.pools.destroyPool("Memory", 256).ok).toBe(true)
        const destroyed = yield* PrometheusMetrics.format()
        return { before, created, destroyed }
      })
    )
    expect(poolLines(texts.before, "Memory-256")).toEqual([])
    expect(poolLines(texts.created, "Memory-256")).toEqual([
      'flight_hal_pool_blocks_in_use{pool="Memory-256",type="Memory",block_size="256",manager="svc"} 0',
      'flight_hal_pool_capacity_blocks{pool="Memory-256",type="Memory",block_size="256",manager="svc"} 1',
      'flight_hal_pool_max_blocks{pool="Memory-256",type="Memory",block_size="256",manager="svc"} 4'
    ])
    expect(poolLines(texts.destroyed, "Memory-256")).toEqual([])
    expect(texts.destroyed).toContain('flight_hal_resource_usage_bytes{type="Memory",manager="svc"} 0')
  })

  test("Metric.snapshot right after createPool and destroyPool follows the pools", async () => {
    const pooled = (all: ReadonlyArray<Metric.Metric.Snapshot>) =>
      all.filter((m) => m.attributes?.pool === "Memory-256").map((m) => m.id)
    const snapshots = await run(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        manager.pools.createPool(pool)
        const created = yield* Metric.snapshot
        manager.pools.destroyPool("Memory", 256)
        const destroyed = yield* Metric.snapshot
        return { created, destroyed }
      })
    )
    expect(pooled(snapshots.created)).toEqual([
      "flight_hal_pool_blocks_in_use",
      "flight_hal_pool_capacity_blocks",
      "flight_hal_pool_max_blocks"
    ])
    expect(pooled(snapshots.destroyed)).toEqual([])
  })

  test("the OtlpMetrics export right after createPool has the pool, the one after destroyPool not", async () => {
    const { bodies, layer: otlp } = otlpCapture()
    await Effect.runPromise(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        const flusher = yield* OtlpExporter.Flusher
        yield* flusher.flush
        manager.pools.createPool(pool)
        yield* flusher.flush
        manager.pools.destroyPool("Memory", 256)
        yield* flusher.flush
      }).pipe(
        Effect.scoped,
        Effect.provide(ResourceManager.layer(config)),
        Effect.provide(otlp),
        Effect.provideService(Metric.MetricRegistry, new Map())
      )
    )
    expect(bodies.slice(0, 3).map((body) => body.includes('"Memory-256"'))).toEqual([false, true, false])
  })

  test("nothing comes back after the Layer closes: a pool made then adds no series", async () => {
    const registry: Metric.MetricRegistry = new Map()
    const manager = await run(ResourceManager, registry)
    manager.pools.createPool(pool)
    expect([...registry.values()].map((m) => m.id).filter((id) => id !== "flight_hal_resource_leaks_total")).toEqual([])
  })
})

describe("the service's text is prometheusText's, in the same order", () => {
  const work: ResourceManagerConfig = { ...config, pools: [{ ...pool, blockSize: 64 }] }

  test("with config pools and a pool made at run time, line for line", async () => {
    const effectText = await run(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        yield* manager.acquire("a", mem(64))
        yield* manager.acquire("b", mem(300))
        manager.pools.createPool(pool)
        return yield* PrometheusMetrics.format()
      }),
      new Map(),
      work
    )
    using manager = createResourceManager(work)
    using a = manager.acquire("a", mem(64))
    using b = manager.acquire("b", mem(300))
    manager.pools.createPool(pool)
    expect(effectText).toBe(prometheusText(manager))
    expect(a.metadata.sizeBytes + b.metadata.sizeBytes).toBe(364)
  })

  test("without pools, and a pool made at run time keeps the order", async () => {
    const texts = await run(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        const bare = yield* PrometheusMetrics.format()
        manager.pools.createPool(pool)
        return { bare, pooled: yield* PrometheusMetrics.format() }
      })
    )
    using manager = createResourceManager(config)
    expect(texts.bare).toBe(prometheusText(manager))
    manager.pools.createPool(pool)
    expect(texts.pooled).toBe(prometheusText(manager))
    expect(familiesOf(texts.pooled)).toEqual(managerMetrics.map((m) => m.name))
  })

  test("a second Layer with the same label (the leak counter outlived the first) lists the families in order", async () => {
    const registry: Metric.MetricRegistry = new Map()
    await run(PrometheusMetrics.format(), registry, work)
    const second = await run(PrometheusMetrics.format(), registry, work)
    expect(familiesOf(second)).toEqual(managerMetrics.map((m) => m.name))
  })
})

describe("the wait histogram in docs/observability.md", () => {
  test("docs/observability.md lists the wait histogram's buckets exactly as the text has them", () => {
    using manager = createResourceManager(config)
    const bounds = prometheusText(manager)
      .split("\n")
      .filter((line) => line.startsWith('flight_hal_resource_acquire_wait_millis_bucket{type="Memory",'))
      .map((line) => /le="([^"]*)"/.exec(line)?.[1])
      .filter((le) => le !== "+Inf")
    const doc = readFileSync(new URL("../../../docs/observability.md", import.meta.url), "utf8")
    const row = doc.split("\n").find((line) => line.startsWith("| `flight_hal_resource_acquire_wait_millis` |"))
    const listed = /buckets ([0-9, ]+) ms/.exec(row ?? "")?.[1]
    expect(listed).toBe(bounds.join(", "))
  })
})
