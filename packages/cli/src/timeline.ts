/**
 * Timelines recorded from a user's own manager (`recordTimeline` of `@flight-hal/resources`, NDJSON, format
 * `flight-hal/timeline` version 1): read and validated by {@link parseTimeline}, made into the HTML report's
 * model by {@link timelineReportModel} (`flight-hal report <timeline>`).
 *
 * @module
 */
import { type ResourceBudget, ResourceBudgetSchema, ResourcePressureSchema } from "@flight-hal/core"
import type { TimelineEventRecord, TimelineHeader, TimelineRecord, TimelineSampleRecord } from "@flight-hal/resources"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { count } from "./internal/format.ts"
import { issueLine } from "./internal/schema-issue.ts"
import type { ReportEvent, ReportModel } from "./report.ts"

const Count = Schema.Number
const ByName = Schema.Record(Schema.String, Count)

const PoolSchema = Schema.Struct({ name: Schema.String, type: Schema.String, blockSize: Count, maxCount: Count })

const HeaderSchema = Schema.Struct({
  format: Schema.Literal("flight-hal/timeline"),
  version: Schema.Literal(1),
  label: Schema.String,
  startedAtMillis: Count,
  intervalMillis: Schema.optionalKey(Count),
  types: Schema.Array(Schema.Struct({ type: Schema.String, budget: Schema.optionalKey(ResourceBudgetSchema) })),
  pools: Schema.Array(PoolSchema)
})

const RecordSchema = Schema.Union([
  Schema.Struct({
    kind: Schema.Literal("sample"),
    t: Count,
    usage: ByName,
    peak: ByName,
    pressure: Schema.Record(Schema.String, ResourcePressureSchema),
    waiting: ByName,
    emergencyBytes: ByName,
    pools: ByName,
    newPools: Schema.optionalKey(Schema.Array(PoolSchema))
  }),
  Schema.Struct({
    kind: Schema.Literal("event"),
    t: Count,
    event: Schema.Literals([
      "pressure",
      "budget",
      "emergency",
      "leak",
      "budget_exceeded",
      "resource_busy",
      "deadlock",
      "timeout",
      "budget_lowered"
    ]),
    type: Schema.String,
    count: Schema.optionalKey(Count),
    from: Schema.optionalKey(ResourcePressureSchema),
    to: Schema.optionalKey(ResourcePressureSchema),
    source: Schema.optionalKey(Schema.Literal("system")),
    budget: Schema.optionalKey(ResourceBudgetSchema)
  }),
  Schema.Struct({ kind: Schema.Literal("end"), t: Count })
])

/**
 * A timeline file, read.
 *
 * @since 0.1.0
 * @category timeline
 */
export interface Timeline {
  /** The first line. */
  readonly header: TimelineHeader
  /** The samples, in order. */
  readonly samples: ReadonlyArray<TimelineSampleRecord>
  /** The events, in order. */
  readonly events: ReadonlyArray<TimelineEventRecord>
  /** When the recording ended (its end line), or undefined for a recording cut short. */
  readonly endedAt: number | undefined
  /**
   * The number of a last line that was cut short (no newline after it, and not JSON: the program was killed or
   * the disk filled while writing it), left out; absent or undefined when there was none (optional, so that a
   * Timeline built by hand for `timelineReportModel` needs no change).
   */
  readonly cutLine?: number | undefined
}

/**
 * Parses a timeline's NDJSON text, each line validated; the error names the line and what is wrong. A last line
 * cut short (no newline after it, and not JSON) is left out and named in `cutLine`; a bad line anywhere else, or a
 * cut-short header, is an error.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { parseTimeline } from "@flight-hal/cli"
 *
 * const text = [
 *   '{"format":"flight-hal/timeline","version":1,"label":"app","startedAtMillis":0,"types":[],"pools":[]}',
 *   '{"kind":"end","t":5}'
 * ].join("\n")
 * console.log((await Effect.runPromise(parseTimeline(text))).endedAt) // 5
 * ```
 *
 * @since 0.1.0
 * @category timeline
 */
export const parseTimeline = (text: string): Effect.Effect<Timeline, Error> =>
  Effect.gen(function* () {
    // blank lines are skipped, and every error names the line's number in the file, blank ones counted
    const lines = text
      .split("\n")
      .map((line, i) => ({ line, at: i + 1 }))
      .filter(({ line }) => line.trim() !== "")
    const json = (line: string, at: number) =>
      Effect.try({
        try: () => JSON.parse(line) as unknown,
        catch: (cause) => new Error(`line ${at}: not JSON: ${String(cause)}`)
      })
    const decode = <A>(schema: Schema.Codec<A>, value: unknown, at: number) =>
      Schema.decodeUnknownEffect(schema)(value).pipe(
        Effect.mapError((error) => new Error(`line ${at}: ${issueLine(error.message)}`))
      )
    if (lines.length === 0) return yield* Effect.fail(new Error("empty: not a flight-hal timeline"))
    const first = yield* json(lines[0]?.line ?? "", lines[0]?.at ?? 1)
    if (typeof first === "object" && first !== null && "action" in first) {
      return yield* Effect.fail(
        new Error(
          "a transition trace (for the TLA+ trace validation), not a timeline: a timeline is what " +
            "`recordTimeline` or `timelineToFile` write (docs/observability.md)"
        )
      )
    }
    const header = (yield* decode(HeaderSchema, first, lines[0]?.at ?? 1).pipe(
      Effect.mapError((error) => new Error(`not a flight-hal timeline: ${error.message}`))
    )) as TimelineHeader
    const samples: Array<TimelineSampleRecord> = []
    const events: Array<TimelineEventRecord> = []
    let endedAt: number | undefined
    let cutLine: number | undefined
    const body = lines.slice(1)
    const last = body.at(-1)
    if (
      last !== undefined &&
      !text.endsWith("\n") &&
      Result.isFailure(yield* Effect.result(json(last.line, last.at)))
    ) {
      body.pop()
      cutLine = last.at
    }
    for (const { line, at } of body) {
      const record = (yield* decode(RecordSchema, yield* json(line, at), at)) as TimelineRecord
      if (record.kind === "sample") samples.push(record)
      else if (record.kind === "event") events.push(record)
      else endedAt = record.t
    }
    return { header, samples, events, endedAt, cutLine }
  })

const refusals: { readonly [event: string]: string } = {
  budget_exceeded: "refused (BudgetExceeded)",
  resource_busy: "refused (ResourceBusy: name in use)",
  budget_lowered: "failed by a lowered budget"
}

/** An event of the timeline as the report marks it (kind) and tells it (message). */
const reportEvent = (event: TimelineEventRecord): ReportEvent => {
  const x = event.t / 1000
  const times = count(event.count ?? 1, "request")
  const type = event.type
  switch (event.event) {
    case "pressure":
      return event.source === "system"
        ? { x, kind: "system pressure", message: `system pressure ${event.from} → ${event.to}` }
        : {
            x,
            kind: "pressure",
            type,
            ...(event.from === undefined ? {} : { from: event.from }),
            ...(event.to === undefined ? {} : { to: event.to }),
            message: `${type} pressure ${event.from} → ${event.to}`
          }
    case "timeout":
      return { x, kind: "timeout", type, message: `${times} for ${type} timed out` }
    case "deadlock":
      return { x, kind: "deadlock", type, message: `${times} for ${type} refused: deadlock` }
    case "emergency":
      return {
        x,
        kind: "emergency",
        type,
        message: `${count(event.count ?? 1, "Emergency admission")} over the ${type} budget`
      }
    case "leak":
      return { x, kind: "leak", type, message: `${count(event.count ?? 1, "resource")} of ${type} reported as leaked` }
    case "budget":
      return {
        x,
        kind: "budget",
        type,
        message:
          event.budget === undefined ? `${type} budget removed` : `${type} budget set to ${event.budget.maxBytes} bytes`
      }
    default:
      return { x, kind: "rejected", type, message: `${times} for ${type} ${refusals[event.event] ?? event.event}` }
  }
}

/**
 * Every pool of a timeline, in the order it appeared: the header's, then each sample's `newPools`, then a pool a
 * sample's `pools` names without a shape (a file from a recorder that did not write `newPools`), with no block
 * size or maxCount. A name's first recorded shape stands for it.
 */
const timelinePools = (timeline: Timeline): ReportModel["pools"] => {
  const pools = new Map<string, ReportModel["pools"][number]>()
  const add = ({ name, blockSize, maxCount }: { name: string; blockSize: number; maxCount: number }) => {
    if (!pools.has(name)) pools.set(name, { name, blockSize, maxCount })
  }
  for (const pool of timeline.header.pools) add(pool)
  for (const sample of timeline.samples) for (const pool of sample.newPools ?? []) add(pool)
  for (const sample of timeline.samples) {
    for (const name of Object.keys(sample.pools)) if (!pools.has(name)) pools.set(name, { name })
  }
  return [...pools.values()]
}

/**
 * The report model of a timeline: x is seconds since the recording started; the peak line is each sample's
 * peak since the previous sample (so a peak reached and left between two samples shows); a type is charted
 * with the last budget it had; every pool is charted, one created after the recording started from the first
 * sample that has it, one destroyed up to the last.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { parseTimeline, renderReportModel, timelineReportModel } from "@flight-hal/cli"
 *
 * const text = [
 *   '{"format":"flight-hal/timeline","version":1,"label":"app","startedAtMillis":0,"pools":[],' +
 *     '"types":[{"type":"Memory","budget":{"maxBytes":1024,"reservedBytes":0,"warningPercent":75,"criticalPercent":90}}]}',
 *   '{"kind":"sample","t":500,"usage":{"Memory":100},"peak":{"Memory":1000},"pressure":{"Memory":"None"},' +
 *     '"waiting":{"Memory":0},"emergencyBytes":{"Memory":0},"pools":{}}'
 * ].join("\n")
 * const model = timelineReportModel(await Effect.runPromise(parseTimeline(text)))
 * const html = renderReportModel(model) // peak 1000 B (s 0.5)
 * ```
 *
 * @since 0.1.0
 * @category timeline
 */
export const timelineReportModel = (timeline: Timeline): ReportModel => {
  const { header, samples, events } = timeline
  const budgets = new Map<string, ResourceBudget>()
  for (const { type, budget } of header.types) if (budget !== undefined) budgets.set(type, budget)
  for (const event of events)
    if (event.event === "budget" && event.budget !== undefined) budgets.set(event.type, event.budget)
  const end = Math.max(timeline.endedAt ?? 0, samples.at(-1)?.t ?? 0, events.at(-1)?.t ?? 0)
  const total = (names: ReadonlyArray<string>) =>
    events.filter((e) => names.includes(e.event)).reduce((sum, e) => sum + (e.count ?? 1), 0)
  const pressureChanges = events.filter((e) => e.event === "pressure" && e.source === undefined).length
  return {
    title: `flight-hal timeline: ${header.label}`,
    meta: [
      count(samples.length, "sample"),
      `${Number((end / 1000).toPrecision(6))} s`,
      count(total(["timeout"]), "timeout"),
      `${count(total(["deadlock"]), "deadlock")} refused`,
      count(total(["budget_exceeded", "resource_busy", "budget_lowered"]), "refused request"),
      count(total(["emergency"]), "Emergency admission"),
      count(pressureChanges, "pressure change"),
      count(total(["leak"]), "leak")
    ],
    axis: "s",
    xMax: end / 1000,
    usageLabel: "usage at each sample",
    peakLabel: "peak since the previous sample",
    types: header.types.flatMap(({ type }) => {
      const budget = budgets.get(type)
      return budget === undefined ? [] : [{ type, budget }]
    }),
    pools: timelinePools(timeline),
    samples: samples.map((s) => ({
      x: s.t / 1000,
      usage: s.usage,
      peak: s.peak,
      poolsInUse: s.pools,
      pressure: s.pressure
    })),
    events: events.map(reportEvent)
  }
}
