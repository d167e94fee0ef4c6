import { describe, expect, test } from "bun:test"
import { InvalidArgument } from "@flight-hal/core"
import { Effect, Fiber, Layer, Metric, type Scope } from "effect"
import { PrometheusMetrics } from "effect/observability"
import { TestClock } from "effect/testing"
import {
  createResourceManager,
  managerMetrics,
  prometheusText,
  ResourceManager,
  type ResourceManagerConfig
} from "../src/index.ts"
import { mem } from "./support/harness.ts"

const budget = { maxBytes: 1000, reservedBytes: 100, warningPercent: 50, criticalPercent: 80 }
const config: ResourceManagerConfig = { budgets: { Memory: budget, Hardware: budget } }

/** Runs a program against a manager built in a fresh metric registry (so no other test's series show). */
const runIsolated = <A, E>(
  body: Effect.Effect<A, E, ResourceManager | Scope.Scope>,
  managerConfig: ResourceManagerConfig = config
): Promise<A> =>
  Effect.runPromise(
    Effect.scoped(body).pipe(
      Effect.provide(ResourceManager.layer(managerConfig).pipe(Layer.provideMerge(TestClock.layer()))),
      Effect.provideService(Metric.MetricRegistry, new Map())
    )
  )

type Snapshot = ReadonlyArray<Metric.Metric.Snapshot>

const series = (all: Snapshot, id: string, attributes: Record<string, string>) =>
  all.filter((m) => m.id === id && Object.entries(attributes).every(([key, value]) => m.attributes?.[key] === value))

const one = (all: Snapshot, id: string, attributes: Record<string, string>) => {
  const found = series(all, id, attributes)
  expect(found.length).toBe(1)
  return found[0] as Metric.Metric.Snapshot
}

const countOf = (all: Snapshot, id: string, attributes: Record<string, string>): number => {
  const metric = one(all, id, attributes)
  expect(metric.type).toBe("Counter")
  return Number((metric.state as Metric.CounterState<number>).count)
}

const gaugeOf = (all: Snapshot, id: string, attributes: Record<string, string>): number => {
  const metric = one(all, id, attributes)
  expect(metric.type).toBe("Gauge")
  return Number((metric.state as Metric.GaugeState<number>).value)
}

describe("live metrics (Effect)", () => {
  test("right after activity, before any snapshot: counters count, gauges read the levels", async () => {
    const result = await runIsolated(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        const before = yield* Metric.snapshot
        const after = yield* Effect.scoped(
          Effect.gen(function* () {
            yield* manager.acquire("a", mem(300))
            yield* manager.acquire("b", mem(200))
            yield* Effect.flip(manager.acquire("big", mem(800))) // BudgetExceeded
            yield* Effect.flip(manager.acquire("a", mem(1))) // ResourceBusy
            return yield* Metric.snapshot
          })
        )
        const released = yield* Metric.snapshot
        return { before, after, released }
      })
    )
    // every series exists from the start, at 0
    expect(countOf(result.before, "flight_hal_resource_allocations_total", { type: "Memory" })).toBe(0)
    expect(gaugeOf(result.before, "flight_hal_resource_usage_bytes", { type: "Memory" })).toBe(0)
    // no `snapshot` call anywhere: the values are read from the manager when collected
    expect(countOf(result.after, "flight_hal_resource_allocations_total", { type: "Memory" })).toBe(2)
    expect(gaugeOf(result.after, "flight_hal_resource_usage_bytes", { type: "Memory" })).toBe(500)
    expect(gaugeOf(result.after, "flight_hal_resource_peak_bytes", { type: "Memory" })).toBe(500)
    expect(gaugeOf(result.after, "flight_hal_resource_pressure_level", { type: "Memory" })).toBe(1) // Low
    const failures = (reason: string) =>
      countOf(result.after, "flight_hal_resource_failures_total", { type: "Memory", reason })
    expect([failures("budget_exceeded"), failures("resource_busy"), failures("deadlock")]).toEqual([1, 1, 0])
    expect(countOf(result.released, "flight_hal_resource_releases_total", { type: "Memory" })).toBe(2)
    expect(gaugeOf(result.released, "flight_hal_resource_usage_bytes", { type: "Memory" })).toBe(0)
    expect(gaugeOf(result.released, "flight_hal_resource_peak_bytes", { type: "Memory" })).toBe(500)
    // every count is a counter, every level a gauge
    for (const { name, kind } of managerMetrics) {
      const found = result.after.filter((m) => m.id === name)
      expect(found.length).toBeGreaterThan(name.startsWith("flight_hal_pool_") ? -1 : 0)
      for (const m of found) expect(m.type.toLowerCase()).toBe(kind)
      if (kind === "counter") expect(name.endsWith("_total")).toBe(true)
    }
  })

  test("a granted wait feeds the histogram; timeouts, deadlocks and Emergency admissions are counted", async () => {
    const all = await runIsolated(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        const held = yield* Effect.scoped(
          Effect.gen(function* () {
            yield* manager.acquire("hold", mem(850))
            const waiter = yield* Effect.forkChild(
              Effect.scoped(manager.acquire("wait", mem(100), { mode: "Blocking" })),
              { startImmediately: true }
            )
            yield* TestClock.adjust("7 millis")
            return waiter
          })
        ) // "hold" released: the waiter is granted after 7 ms
        yield* Fiber.join(held)
        const timedOut = yield* Effect.scoped(
          Effect.gen(function* () {
            yield* manager.acquire("hold2", mem(850))
            const waiter = yield* Effect.forkChild(
              Effect.flip(Effect.scoped(manager.acquire("late", mem(100), { mode: "Timeout", timeout: "5 millis" }))),
              { startImmediately: true }
            )
            yield* TestClock.adjust("10 millis")
            return yield* Fiber.join(waiter)
          })
        )
        expect(timedOut._tag).toBe("AcquireTimeout")
        // two sequential drivers waiting for what the other holds: the second wait is refused
        yield* manager.registerDriver("a")
        yield* manager.registerDriver("b")
        yield* Effect.scoped(
          Effect.gen(function* () {
            const tiny = { type: "Hardware" as const, sizeBytes: 1 }
            yield* manager.acquire("x", tiny, { owner: "a" })
            yield* manager.acquire("y", tiny, { owner: "b" })
            yield* Effect.forkChild(Effect.scoped(manager.acquire("y", tiny, { owner: "a", mode: "Blocking" })), {
              startImmediately: true
            })
            const refused = yield* Effect.flip(manager.acquire("x", tiny, { owner: "b", mode: "Blocking" }))
            expect(refused._tag).toBe("DeadlockDetected")
          })
        )
        yield* Effect.scoped(manager.acquire("crash", mem(2000, { priority: "Critical" }), { mode: "Emergency" }))
        return yield* Metric.snapshot
      })
    )
    const histogram = one(all, "flight_hal_resource_acquire_wait_millis", { type: "Memory" })
    expect(histogram.type).toBe("Histogram")
    const state = histogram.state as Metric.HistogramState
    expect([state.count, state.sum, state.min, state.max]).toEqual([1, 7, 7, 7])
    expect(state.buckets.find(([le]) => le === 5)?.[1]).toBe(0)
    expect(state.buckets.find(([le]) => le === 10)?.[1]).toBe(1)
    expect(countOf(all, "flight_hal_resource_failures_total", { type: "Memory", reason: "timeout" })).toBe(1)
    expect(countOf(all, "flight_hal_resource_failures_total", { type: "Hardware", reason: "deadlock" })).toBe(1)
    expect(countOf(all, "flight_hal_resource_emergency_admissions_total", { type: "Memory" })).toBe(1)
  })

  test("leaks are counted at close; the live series go with the Layer, the leak counter stays", async () => {
    const registry: Metric.MetricRegistry = new Map()
    const inside = await Effect.runPromise(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        // acquired in a scope that outlives the Layer: reported as a leak at close
        yield* manager.acquire("leaked", mem(10))
        return yield* Metric.snapshot
      }).pipe(
        Effect.provide(ResourceManager.layer({ ...config, label: "leaky" })),
        Effect.scoped,
        Effect.provideService(Metric.MetricRegistry, registry)
      )
    )
    expect(countOf(inside, "flight_hal_resource_leaks_total", { type: "Memory", manager: "leaky" })).toBe(0)
    expect(gaugeOf(inside, "flight_hal_resource_usage_bytes", { type: "Memory", manager: "leaky" })).toBe(10)
    const after = await Effect.runPromise(Metric.snapshot.pipe(Effect.provideService(Metric.MetricRegistry, registry)))
    expect(countOf(after, "flight_hal_resource_leaks_total", { type: "Memory", manager: "leaky" })).toBe(1)
    expect(after.filter((m) => m.id === "flight_hal_resource_usage_bytes")).toEqual([])
  })

  test("pool series follow the manager's pools", async () => {
    const all = await runIsolated(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        yield* manager.acquire("block", mem(4000)) // served by the pool
        const first = yield* Metric.snapshot // brings the pool series of a pool made at run time in
        manager.pools.createPool({ type: "Memory", blockSize: 64, initialCount: 1, maxCount: 2 })
        yield* Metric.snapshot
        return { first, second: yield* Metric.snapshot }
      }),
      {
        budgets: { Memory: { ...budget, maxBytes: 1 << 20 } },
        pools: [{ type: "Memory", blockSize: 4096, initialCount: 2, maxCount: 4 }]
      }
    )
    const pool = (all: Snapshot, blockSize: number) =>
      series(all, "flight_hal_pool_blocks_in_use", { type: "Memory" }).filter((m) =>
        m.attributes?.pool?.includes(String(blockSize))
      )
    expect(pool(all.first, 4096).map((m) => (m.state as Metric.GaugeState<number>).value)).toEqual([1])
    expect(pool(all.first, 64)).toEqual([])
    expect(pool(all.second, 64).map((m) => (m.state as Metric.GaugeState<number>).value)).toEqual([0])
    expect(series(all.second, "flight_hal_pool_max_blocks", { type: "Memory" }).length).toBe(2)
  })
})

/** A small Prometheus text parser: the families declared, and every sample with its labels. */
const parse = (text: string) => {
  const types = new Map<string, string>()
  const helps = new Map<string, string>()
  const samples: Array<{ name: string; labels: Record<string, string>; value: number }> = []
  expect(text.endsWith("\n")).toBe(true)
  for (const line of text.slice(0, -1).split("\n")) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line)
    if (meta !== null) {
      const [, what, name = "", rest = ""] = meta
      if (what === "TYPE") {
        expect(["counter", "gauge", "histogram"]).toContain(rest)
        expect(types.has(name)).toBe(false)
        types.set(name, rest)
      } else helps.set(name, rest)
      continue
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line)
    expect(sample).not.toBeNull()
    const [, name = "", , body = "", value = ""] = sample ?? []
    const labels: Record<string, string> = {}
    const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/gy
    let consumed = 0
    for (let m = label.exec(body); m !== null; m = label.exec(body)) {
      labels[m[1] ?? ""] = (m[2] ?? "").replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c))
      consumed = label.lastIndex
    }
    expect(consumed).toBe(body.length) // every label is well-formed
    const family = name.replace(/_(bucket|sum|count)$/, "")
    const type = types.get(name) ?? types.get(family)
    expect(type).toBeDefined() // declared before its samples
    expect(helps.has(types.has(name) ? name : family)).toBe(true)
    samples.push({ name, labels, value: value === "+Inf" ? Number.POSITIVE_INFINITY : Number(value) })
  }
  return { types, samples }
}

describe("prometheusText (plain facade)", () => {
  test("is valid text exposition: HELP and TYPE for each family, counters end in _total, labels escaped", () => {
    const label = 'game "one"\\two\nthree'
    using manager = createResourceManager({ ...config, label })
    const ref = manager.acquire("a", mem(300))
    expect(() => manager.acquire("b", mem(900))).toThrow()
    const { types, samples } = parse(prometheusText(manager))
    expect([...types.keys()]).toEqual(
      managerMetrics.filter((m) => !m.name.startsWith("flight_hal_pool_")).map((m) => m.name)
    )
    for (const [name, type] of types) if (type === "counter") expect(name.endsWith("_total")).toBe(true)
    for (const sample of samples) expect(sample.labels.manager).toBe(label) // escaped, then read back whole
    const memory = (name: string, extra: Record<string, string> = {}) =>
      samples.find(
        (s) =>
          s.name === name &&
          s.labels.type === "Memory" &&
          Object.entries(extra).every(([key, value]) => s.labels[key] === value)
      )?.value
    expect(memory("flight_hal_resource_allocations_total")).toBe(1)
    expect(memory("flight_hal_resource_failures_total", { reason: "budget_exceeded" })).toBe(1)
    expect(memory("flight_hal_resource_usage_bytes")).toBe(300)
    // the histogram: cumulative buckets, +Inf equal to the count
    const buckets = samples.filter(
      (s) => s.name === "flight_hal_resource_acquire_wait_millis_bucket" && s.labels.type === "Memory"
    )
    expect(buckets.at(-1)?.labels.le).toBe("+Inf")
    expect(buckets.at(-1)?.value).toBe(memory("flight_hal_resource_acquire_wait_millis_count"))
    ref.release()
    expect(memory("flight_hal_resource_usage_bytes")).toBe(300) // the parsed text is a snapshot
    expect(
      parse(prometheusText(manager)).samples.find(
        (s) => s.name === "flight_hal_resource_usage_bytes" && s.labels.type === "Memory"
      )?.value
    ).toBe(0)
  })

  test("counts a granted wait, a timeout, a lowered budget and leaks at close", async () => {
    const manager = createResourceManager({
      ...config,
      pools: [{ type: "Memory", blockSize: 64, initialCount: 1, maxCount: 2 }]
    })
    manager.acquire("block", mem(64)) // a pool block, leaked
    const held = manager.acquire("hold", mem(800))
    const granted = manager.acquireAsync("wait", mem(100))
    held.release()
    ;(await granted).release()
    const hold = manager.acquire("hold", mem(800))
    const late = manager.acquireAsync("late", mem(100), { mode: "Timeout", timeoutMillis: 0 })
    expect(
      await late.then(
        () => undefined,
        (e: { _tag: string }) => e._tag
      )
    ).toBe("AcquireTimeout")
    const lowered = manager.acquireAsync("lowered", mem(500))
    manager.setBudget("Memory", { ...budget, maxBytes: 500 })
    expect(
      await lowered.then(
        () => undefined,
        (e: { _tag: string }) => e._tag
      )
    ).toBe("BudgetExceeded")
    void hold
    const leaks = manager.close()
    expect(leaks.length).toBe(2)
    const { samples } = parse(prometheusText(manager))
    const value = (name: string, labels: Record<string, string>) =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value
    expect(value("flight_hal_resource_acquire_wait_millis_count", { type: "Memory" })).toBe(1)
    expect(value("flight_hal_resource_failures_total", { type: "Memory", reason: "timeout" })).toBe(1)
    expect(value("flight_hal_resource_failures_total", { type: "Memory", reason: "budget_lowered" })).toBe(1)
    expect(value("flight_hal_resource_leaks_total", { type: "Memory" })).toBe(2)
    expect(value("flight_hal_pool_max_blocks", { type: "Memory" })).toBe(2)
    expect(value("flight_hal_pool_blocks_in_use", { type: "Memory" })).toBe(0)
  })

  test("throws InvalidArgument for what is not a manager", () => {
    expect(() => prometheusText({} as never)).toThrow(InvalidArgument)
  })

  test("two pools with one name are two series (block_size tells them apart): no label set is repeated", () => {
    using manager = createResourceManager({ onLeaks: () => {} })
    manager.pools.createPool({ type: "Memory", blockSize: 64, initialCount: 1, maxCount: 2, name: "dup" })
    manager.pools.createPool({ type: "Memory", blockSize: 128, initialCount: 1, maxCount: 2, name: "dup" })
    const held = manager.acquire("", { type: "Memory", sizeBytes: 100 })
    const { samples } = parse(prometheusText(manager))
    const keys = samples.map((sample) => `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`)
    expect(new Set(keys).size).toBe(keys.length)
    const inUse = samples.filter((sample) => sample.name === "flight_hal_pool_blocks_in_use")
    expect(inUse.map((sample) => [sample.labels.block_size, sample.value]).sort()).toEqual([
      ["128", 1],
      ["64", 0]
    ])
    held.release()
  })
})

describe("one set of metrics for both front ends", () => {
  test("PrometheusMetrics.format of the Effect service and prometheusText print the same text, line for line", async () => {
    const work = {
      label: "same",
      ...config,
      pools: [{ type: "Memory" as const, blockSize: 64, initialCount: 1, maxCount: 4 }]
    }
    const effectText = await Effect.runPromise(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        yield* manager.acquire("a", mem(64))
        yield* manager.acquire("b", mem(300))
        yield* Effect.flip(manager.acquire("c", mem(900)))
        return yield* PrometheusMetrics.format()
      }).pipe(
        Effect.provide(ResourceManager.layer(work)),
        Effect.scoped,
        Effect.provideService(Metric.MetricRegistry, new Map())
      )
    )
    using manager = createResourceManager(work)
    manager.acquire("a", mem(64))
    manager.acquire("b", mem(300))
    expect(() => manager.acquire("c", mem(900))).toThrow()
    const plainText = prometheusText(manager)
    // the same lines in the same order (sorted lines hid a family listed elsewhere: the leak counter, the pools)
    expect(plainText.split("\n")).toEqual(effectText.split("\n"))
    expect(plainText).toContain('flight_hal_resource_usage_bytes{type="Memory",manager="same"} 364') // 300 + the pool's one block
  })
})
