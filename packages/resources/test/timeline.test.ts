import { describe, expect, test } from "bun:test"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { InvalidArgument } from "@flight-hal/core"
import { Effect, Exit, Fiber, Layer, Scope } from "effect"
import { TestClock } from "effect/testing"
import {
  createResourceManager,
  managerDump,
  type PressureEvent,
  ResourceManager,
  recordTimeline,
  recordTimelineScoped,
  type TimelineEventRecord,
  type TimelineHeader,
  type TimelineRecord,
  type TimelineSampleRecord
} from "../src/index.ts"
import { timelineToFile } from "../src/TimelineFile.ts"
import { mem } from "./support/harness.ts"

const budget = { maxBytes: 1000, reservedBytes: 100, warningPercent: 50, criticalPercent: 80 }

/** A recording's lines, parsed: the header, then the records. */
const parsed = (lines: ReadonlyArray<string>) => {
  const [first, ...rest] = lines.map((line) => JSON.parse(line) as unknown)
  return { header: first as TimelineHeader, records: rest as Array<TimelineRecord> }
}
const samplesOf = (records: ReadonlyArray<TimelineRecord>) =>
  records.filter((r): r is TimelineSampleRecord => r.kind === "sample")
const eventsOf = (records: ReadonlyArray<TimelineRecord>) =>
  records.filter((r): r is TimelineEventRecord => r.kind === "event")

describe("recordTimeline (plain facade)", () => {
  test("a sample holds the true peak since the previous one, not only the usage at its time", () => {
    const lines: Array<string> = []
    using manager = createResourceManager({ budgets: { Memory: budget }, label: "game" })
    const timeline = recordTimeline(manager, { sink: (line) => lines.push(line) })
    manager.acquire("spike", mem(900, { priority: "Critical" })).release() // reached and left between samples
    const kept = manager.acquire("kept", mem(100))
    timeline.sample()
    timeline.sample()
    kept.release()
    timeline.stop()
    timeline.stop() // idempotent
    const { header, records } = parsed(lines)
    expect(header).toMatchObject({ format: "flight-hal/timeline", version: 1, label: "game" })
    expect(header.types.find((t) => t.type === "Memory")?.budget).toEqual(budget)
    const samples = samplesOf(records)
    expect(samples.map((s) => [s.usage.Memory, s.peak.Memory])).toEqual([
      [0, 0], // the first sample, at the start
      [100, 900], // the spike shows
      [100, 100], // the next window starts at the usage then
      [0, 100] // the last one, at stop
    ])
    expect(records.at(-1)?.kind).toBe("end")
    expect(timeline.samples()).toBe(4)
    // types without a budget and without usage are left out of the samples
    expect(Object.keys(samples[1]?.usage ?? {})).toEqual(["Memory"])
  })

  test("time advances in a loop that never yields (a game loop sampling once per frame), and in a dump", () => {
    const lines: Array<string> = []
    using manager = createResourceManager({ budgets: { Memory: budget }, label: "loop" })
    const timeline = recordTimeline(manager, { sink: (line) => lines.push(line) })
    const start = Date.now()
    manager.acquire("frame", mem(10)).release() // the facade's clock is read (and cached for this burst) here
    while (Date.now() - start < 20) {
      // a frame's work, synchronous: no microtask runs in between
    }
    timeline.sample()
    const dumped = managerDump(manager)
    timeline.stop()
    const samples = samplesOf(parsed(lines).records)
    expect(samples[1]?.t ?? 0).toBeGreaterThanOrEqual(20)
    expect(dumped.takenAtMillis - start).toBeGreaterThanOrEqual(20)
  })

  test("two recorders each see the peaks of their own windows", () => {
    using manager = createResourceManager({ budgets: { Memory: budget } })
    const a: Array<string> = []
    const b: Array<string> = []
    const first = recordTimeline(manager, { sink: (line) => a.push(line) })
    const second = recordTimeline(manager, { sink: (line) => b.push(line) })
    manager.acquire("spike", mem(700)).release()
    first.sample() // takes the spike for `first` only
    manager.acquire("small", mem(200)).release()
    second.sample()
    first.sample()
    first.stop()
    second.stop()
    expect(samplesOf(parsed(a).records).map((s) => s.peak.Memory)).toEqual([0, 700, 200, 0])
    expect(samplesOf(parsed(b).records).map((s) => s.peak.Memory)).toEqual([0, 700, 0])
  })

  test("pressure changes as they happen; failures by reason, Emergency admissions, budgets and leaks as counted", async () => {
    const lines: Array<string> = []
    const manager = createResourceManager({
      budgets: { Memory: budget, Hardware: budget },
      drivers: { a: { sequential: true }, b: { sequential: true } },
      onLeaks: () => {}
    })
    const timeline = recordTimeline(manager, { sink: (line) => lines.push(line) })
    const big = manager.acquire("big", mem(850)) // None → High
    expect(() => manager.acquire("more", mem(100))).toThrow() // budget_exceeded
    expect(() => manager.acquire("big", mem(1))).toThrow() // resource_busy
    const late = manager.acquireAsync("late", mem(100), { mode: "Timeout", timeoutMillis: 0 })
    await late.catch(() => undefined) // timeout
    const x = manager.acquire("x", { type: "Hardware", sizeBytes: 1 }, { owner: "a" })
    const y = manager.acquire("y", { type: "Hardware", sizeBytes: 1 }, { owner: "b" })
    const waiting = manager.acquireAsync("y", { type: "Hardware", sizeBytes: 1 }, { owner: "a" })
    await expect(manager.acquireAsync("x", { type: "Hardware", sizeBytes: 1 }, { owner: "b" })).rejects.toMatchObject({
      _tag: "DeadlockDetected"
    })
    y.release()
    ;(await waiting).release()
    x.release()
    manager.acquire("crash", mem(200, { priority: "Critical" }), { mode: "Emergency" }) // leaked at close
    timeline.sample()
    manager.setBudget("Memory", { ...budget, maxBytes: 2000 })
    big.release()
    manager.close()
    timeline.stop()
    const events = eventsOf(parsed(lines).records)
    const counted = (event: string, type = "Memory") => events.find((e) => e.event === event && e.type === type)?.count
    expect(counted("budget_exceeded")).toBe(1)
    expect(counted("resource_busy")).toBe(1)
    expect(counted("timeout")).toBe(1)
    expect(counted("deadlock", "Hardware")).toBe(1)
    expect(counted("emergency")).toBe(1)
    expect(counted("leak")).toBe(1)
    const pressure = events.filter((e) => e.event === "pressure" && e.type === "Memory").map((e) => `${e.from}→${e.to}`)
    expect(pressure[0]).toBe("None→High")
    expect(pressure).toContain("High→Critical") // the Emergency admission over the limit
    expect(events.find((e) => e.event === "budget")?.budget?.maxBytes).toBe(2000)
    // every event comes after the sample before it and before the one after it, in time
    const ts = parsed(lines).records.map((r) => r.t)
    expect(ts).toEqual([...ts].sort((p, q) => p - q))
  })

  test("throws InvalidArgument for what is not a manager", () => {
    expect(() => recordTimeline({} as never, { sink: () => {} })).toThrow()
  })

  test("a sink that throws: the timer's samples lose their line, the process goes on; stop still ends it all", async () => {
    using manager = createResourceManager({ budgets: { Memory: budget }, onLeaks: () => {} })
    let calls = 0
    const recorder = recordTimeline(manager, {
      sink: () => {
        calls++
        if (calls > 2) throw new Error("disk full")
      },
      intervalMillis: 1
    })
    // timer samples that throw (thrown from a timer, it ended the process past any catch): waited for, not timed
    // (a stalled event loop only makes the wait longer; 10 s is a watchdog)
    for (let waited = 0; calls <= 3 && waited < 10_000; waited += 5) {
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    expect(calls).toBeGreaterThan(3)
    expect(() => recorder.stop()).toThrow("disk full") // its last sample's line: the caller sees it
    const after = calls
    manager.acquire("late", mem(600)).release() // two level changes: the observer is gone
    await new Promise((resolve) => setTimeout(resolve, 20)) // and so is the timer
    expect(calls).toBe(after)
    recorder.stop() // stopped already: nothing
  })
})

describe("recordTimelineScoped (Effect)", () => {
  test("samples every interval by the Clock, and ends with the scope", async () => {
    const lines: Array<string> = []
    const events: Array<PressureEvent> = []
    await Effect.runPromise(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        const scope = yield* Scope.make()
        yield* recordTimelineScoped({ sink: (line) => lines.push(line), interval: "10 millis" }).pipe(
          Scope.provide(scope)
        )
        yield* manager.registerPressureCallback((event) => {
          events.push(event)
        })
        const held = yield* Effect.forkChild(
          Effect.scoped(
            Effect.gen(function* () {
              yield* manager.acquire("level", mem(600))
              yield* Effect.sleep("25 millis")
            })
          ),
          { startImmediately: true }
        )
        yield* TestClock.adjust("35 millis")
        yield* Fiber.join(held)
        yield* Scope.close(scope, Exit.void)
      }).pipe(
        Effect.scoped,
        Effect.provide(
          ResourceManager.layer({ budgets: { Memory: budget } }).pipe(Layer.provideMerge(TestClock.layer()))
        )
      )
    )
    const { header, records } = parsed(lines)
    expect(header.intervalMillis).toBe(10)
    const samples = samplesOf(records)
    expect(samples.map((s) => [s.t, s.usage.Memory, s.peak.Memory])).toEqual([
      [0, 0, 0],
      [10, 600, 600],
      [20, 600, 600],
      [30, 0, 600], // released at 25: the peak of the window still shows it
      [35, 0, 0] // the last sample, when the scope closed
    ])
    const changes = eventsOf(records)
      .filter((e) => e.event === "pressure")
      .map((e) => [e.t, e.to])
    expect(changes).toEqual([
      [0, "Low"],
      [25, "None"]
    ])
    expect(events.length).toBe(2)
    expect(records.at(-1)).toEqual({ kind: "end", t: 35 })
  })

  const scopedRun = <A, E>(program: Effect.Effect<A, E, ResourceManager | Scope.Scope>) =>
    Effect.runPromise(
      Effect.exit(program).pipe(
        Effect.scoped,
        Effect.provide(
          ResourceManager.layer({ budgets: { Memory: budget }, onLeaks: () => {} }).pipe(
            Layer.provideMerge(TestClock.layer())
          )
        )
      )
    )

  test("bad options fail with InvalidArgument in the error channel, naming the option", async () => {
    const sink = () => {}
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [{ sink, interval: Number.POSITIVE_INFINITY }, "options.interval"], // wrote a header report refuses
      [{ sink, interval: 0 }, "options.interval"], // sampled in a busy loop
      [{ sink, interval: Number.NaN }, "options.interval"],
      [{ sink, interval: "soon" }, "options.interval"],
      [{ sink, interval: -5 }, "options.interval"],
      [{ sink: 5, interval: "1 second" }, "options.sink"],
      [{ sink, interval: "1 second", label: 5 }, "options.label"],
      [null, "options"]
    ]
    for (const [options, argument] of cases) {
      const exit = await scopedRun(recordTimelineScoped(options as never))
      expect(Exit.isFailure(exit) && exit.cause.reasons[0]?._tag).toBe("Fail")
      const error = Exit.isFailure(exit) ? (exit.cause.reasons[0] as { readonly error?: unknown }).error : undefined
      expect(error).toBeInstanceOf(InvalidArgument)
      expect((error as InvalidArgument).argument).toBe(argument)
    }
  })

  test("a sink that throws: samples and the end lose their lines, the program ends without a defect", async () => {
    let calls = 0
    const exit = await scopedRun(
      Effect.gen(function* () {
        yield* recordTimelineScoped({
          sink: () => {
            calls++
            if (calls > 2) throw new Error("disk full")
          },
          interval: "10 millis"
        })
        yield* TestClock.adjust("50 millis")
        return "done"
      })
    )
    expect(exit).toEqual(Exit.succeed("done"))
    expect(calls).toBeGreaterThan(5)
  })
})

describe("timelineToFile", () => {
  test("writes one line per record; lines after close are dropped", () => {
    const dir = mkdtempSync(join(tmpdir(), "flight-hal-timeline-"))
    try {
      const path = join(dir, "timeline.ndjson")
      const file = timelineToFile(path)
      using manager = createResourceManager({ budgets: { Memory: budget } })
      const timeline = recordTimeline(manager, { sink: file.sink })
      manager.acquire("a", mem(10)).release()
      timeline.stop()
      file.close()
      file.sink("{}")
      file.close()
      const lines = readFileSync(path, "utf8").trimEnd().split("\n")
      expect(lines.map((line) => (JSON.parse(line) as { kind?: string; format?: string }).kind ?? "header")).toEqual([
        "header",
        "sample",
        "sample",
        "end"
      ])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
