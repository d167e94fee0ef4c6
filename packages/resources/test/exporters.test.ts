/**
 * The manager's metrics through Effect's own exporters: `PrometheusMetrics` (a `/metrics` route, here as a
 * web handler) and `OtlpMetrics` (OTLP/HTTP JSON, posted to a fetch that keeps the bodies: no network).
 */
import { describe, expect, test } from "bun:test"
import { Effect, Metric } from "effect"
import { HttpRouter } from "effect/http"
import { OtlpExporter, PrometheusMetrics } from "effect/observability"
import { ResourceManager } from "../src/index.ts"
import { mem } from "./support/harness.ts"
import { otlpCapture } from "./support/otlp-capture.ts"

const budget = { maxBytes: 1000, reservedBytes: 100, warningPercent: 50, criticalPercent: 80 }

describe("Effect's exporters", () => {
  test("PrometheusMetrics.layerHttp serves the manager's live metrics on /metrics", async () => {
    const registry: Metric.MetricRegistry = new Map()
    const app = HttpRouter.toWebHandler(PrometheusMetrics.layerHttp(), { disableLogger: true })
    try {
      const text = await Effect.runPromise(
        Effect.gen(function* () {
          const manager = yield* ResourceManager
          yield* manager.acquire("a", mem(300))
          // the handler reads the registry of the context it is given
          const context = yield* Effect.context<never>()
          const response = yield* Effect.promise(() => app.handler(new Request("http://localhost/metrics"), context))
          expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8")
          return yield* Effect.promise(() => response.text())
        }).pipe(
          Effect.scoped,
          Effect.provide(ResourceManager.layer({ label: "svc", budgets: { Memory: budget } })),
          Effect.provideService(Metric.MetricRegistry, registry)
        )
      )
      expect(text).toContain("# TYPE flight_hal_resource_allocations_total counter")
      expect(text).toContain('flight_hal_resource_allocations_total{type="Memory",manager="svc"} 1')
      expect(text).toContain('flight_hal_resource_usage_bytes{type="Memory",manager="svc"} 300')
      expect(text).toContain('flight_hal_resource_acquire_wait_millis_bucket{type="Memory",manager="svc",le="+Inf"} 0')
    } finally {
      await app.dispose()
    }
  })

  test("OtlpMetrics exports the counters as monotonic sums and the levels as gauges", async () => {
    const { bodies, layer: otlp } = otlpCapture()
    await Effect.runPromise(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        yield* manager.acquire("a", mem(300))
        // an export now, while the manager is open (the exporter also exports every `exportInterval` and
        // when its Layer closes)
        yield* (yield* OtlpExporter.Flusher).flush
        expect(bodies.length).toBe(1)
      }).pipe(
        Effect.scoped,
        Effect.provide(ResourceManager.layer({ budgets: { Memory: budget } })),
        Effect.provide(otlp),
        Effect.provideService(Metric.MetricRegistry, new Map())
      )
    )
    expect(bodies.length).toBeGreaterThan(0)
    const metrics = JSON.parse(bodies[0] ?? "{}").resourceMetrics[0].scopeMetrics[0].metrics as Array<{
      name: string
      sum?: {
        isMonotonic: boolean
        dataPoints: Array<{ asDouble: number; attributes: Array<{ key: string; value: { stringValue: string } }> }>
      }
      gauge?: {
        dataPoints: Array<{ asDouble: number; attributes: Array<{ key: string; value: { stringValue: string } }> }>
      }
    }>
    const named = (name: string) => metrics.find((m) => m.name === name)
    const memoryPoint = <P extends { attributes: Array<{ key: string; value: { stringValue: string } }> }>(
      points: Array<P> | undefined
    ) => points?.find((p) => p.attributes.some((a) => a.key === "type" && a.value.stringValue === "Memory"))
    expect(named("flight_hal_resource_allocations_total")?.sum?.isMonotonic).toBe(true)
    expect(memoryPoint(named("flight_hal_resource_allocations_total")?.sum?.dataPoints)?.asDouble).toBe(1)
    expect(memoryPoint(named("flight_hal_resource_usage_bytes")?.gauge?.dataPoints)?.asDouble).toBe(300)
  })
})
