/**
 * A manager's metrics without Effect: {@link prometheusText} formats the same metric families the Effect
 * service registers with Effect's `Metric` registry (so `PrometheusMetrics.format` of the service and
 * `prometheusText` print the same text: the same lines, names, types and labels, in the same order). Counters
 * for counts (`*_total`), gauges for levels, the wait histogram; every series has a `type` attribute, and
 * `manager` when the config has a `label`. Values are read from the manager when the text is made: nothing is
 * pushed on the acquire path.
 *
 * @module
 */
import type { InvalidArgument } from "@flight-hal/core"
import { attachedCore } from "./internal/manager-core.ts"
import { families } from "./internal/metric-families.ts"
import type { WaitHistogram } from "./internal/metrics.ts"
import type { PlainResourceManager } from "./PlainResourceManager.ts"
import type { ResourceManagerService } from "./ResourceManager.ts"

/**
 * Why an acquisition failed, as the metrics (`flight_hal_resource_failures_total{reason}`), the dump and the
 * timeline name it: `budget_exceeded` and `resource_busy` (refused at once), `deadlock` (a wait refused),
 * `timeout`, `budget_lowered` (a waiter failed by a lowered budget).
 *
 * @example
 * ```ts
 * import type { FailureReasonLabel } from "@flight-hal/resources"
 *
 * const reason: FailureReasonLabel = "timeout"
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export type { FailureReasonLabel } from "./internal/failure-reasons.ts"

/**
 * A manager of either front end: the plain facade, or the Effect service (`yield* ResourceManager`).
 *
 * @since 0.1.0
 * @category models
 */
export type AnyResourceManager = PlainResourceManager | ResourceManagerService

/**
 * The name, Prometheus type and help text of each metric a manager exposes, in the order the text lists them.
 *
 * @example
 * ```ts
 * import { managerMetrics } from "@flight-hal/resources"
 *
 * const counters = managerMetrics.filter((m) => m.kind === "counter").map((m) => m.name)
 * console.log(counters.includes("flight_hal_resource_allocations_total")) // true
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const managerMetrics: ReadonlyArray<{
  readonly name: string
  readonly kind: "counter" | "gauge" | "histogram"
  readonly help: string
}> = families.map(({ name, kind, help }) => ({ name, kind, help }))

const escapeLabel = (value: string): string => value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")
const escapeHelp = (text: string): string => text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")

const formatValue = (value: number): string => {
  if (Number.isNaN(value)) return "NaN"
  if (value === Number.POSITIVE_INFINITY) return "+Inf"
  if (value === Number.NEGATIVE_INFINITY) return "-Inf"
  return String(value)
}

const labels = (attributes: Readonly<Record<string, string>>, extra?: readonly [string, string]): string => {
  const pairs = Object.entries(attributes).map(([key, value]) => `${key}="${escapeLabel(value)}"`)
  if (extra !== undefined) pairs.push(`${extra[0]}="${escapeLabel(extra[1])}"`)
  return pairs.length === 0 ? "" : `{${pairs.join(",")}}`
}

/**
 * The manager's metrics in the Prometheus text exposition format (version 0.0.4): for each family a
 * `# HELP` and a `# TYPE` line, then its series. Serve it as `text/plain; version=0.0.4` on `/metrics`.
 * Throws `InvalidArgument` for anything that is not a manager of this library.
 *
 * @example
 * ```ts
 * import { createResourceManager, prometheusText } from "@flight-hal/resources"
 *
 * using manager = createResourceManager({ label: "app" })
 * manager.acquire("frame", { type: "Memory", sizeBytes: 1024 }).release()
 * const text = prometheusText(manager)
 * console.log(text.includes('flight_hal_resource_allocations_total{type="Memory",manager="app"} 1')) // true
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const prometheusText = (manager: AnyResourceManager): string => {
  const attached = attachedCore(manager)
  if (!("core" in attached)) throw attached satisfies InvalidArgument
  const lines: Array<string> = []
  for (const family of families) {
    const series = family.series(attached)
    if (series.length === 0) continue
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.kind}`)
    for (const { attributes, read } of series) {
      const value = read()
      if (typeof value === "number") {
        lines.push(`${family.name}${labels(attributes)} ${formatValue(value)}`)
        continue
      }
      const histogram: WaitHistogram = value
      for (const [boundary, count] of histogram.buckets) {
        lines.push(`${family.name}_bucket${labels(attributes, ["le", String(boundary)])} ${count}`)
      }
      lines.push(`${family.name}_bucket${labels(attributes, ["le", "+Inf"])} ${histogram.count}`)
      lines.push(`${family.name}_sum${labels(attributes)} ${formatValue(histogram.sum)}`)
      lines.push(`${family.name}_count${labels(attributes)} ${histogram.count}`)
    }
  }
  return `${lines.join("\n")}\n`
}
