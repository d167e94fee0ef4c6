import { afterAll, describe, expect, test } from "bun:test"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import type { ResourcePressure } from "@flight-hal/core"
import { Effect, Exit, Fiber, Layer, Scope, Stream } from "effect"
import { TestClock } from "effect/testing"
import {
  CGROUP_MEMORY_EVENTS,
  layerSystemPressure,
  memoryEventsLevel,
  PSI_MEMORY,
  parseMemoryEvents,
  psiLevel,
  reportSystemPressure,
  SystemPressure,
  type SystemPressureOptions
} from "../src/SystemPressure.ts"

const roots: Array<string> = []
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true })
})

/** A directory of fake /proc and /sys files that a test rewrites between polls. */
const fakeFiles = (files: Readonly<Record<string, string>>) => {
  const root = mkdtempSync(join(tmpdir(), "flight-hal-pressure-"))
  roots.push(root)
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  for (const [path, text] of Object.entries(files)) write(path, text)
  return { root, write }
}

const psi = (some: number, full: number) =>
  `some avg10=${some.toFixed(2)} avg60=0.00 avg300=0.00 total=1\nfull avg10=${full.toFixed(2)} avg60=0.00 avg300=0.00 total=1\n`
const events = (c: { low?: number; high?: number; max?: number; oom?: number; oom_kill?: number }) =>
  `low ${c.low ?? 0}\nhigh ${c.high ?? 0}\nmax ${c.max ?? 0}\noom ${c.oom ?? 0}\noom_kill ${c.oom_kill ?? 0}\n`

/** Runs a test program with the signal and a TestClock; the Layer's scope closes at the end. */
const run = <A, E>(options: SystemPressureOptions, program: Effect.Effect<A, E, SystemPressure>) =>
  Effect.runPromise(Effect.provide(program, Layer.provideMerge(layerSystemPressure(options), TestClock.layer())))

/** Waits (on the signal's own stream, never on the wall clock) until the level is `level`. */
const levelBecomes = (level: ResourcePressure) =>
  SystemPressure.use((signal) => Stream.runHead(Stream.filter(signal.changes, (l) => l === level)).pipe(Effect.asVoid))

/** Advances the clock by one poll and waits for the expected level. */
const pollUntil = (level: ResourcePressure) =>
  Effect.gen(function* () {
    const waiter = yield* Effect.forkChild(levelBecomes(level))
    yield* TestClock.adjust("1 second")
    yield* Fiber.join(waiter)
    return yield* SystemPressure.use((s) => s.current)
  })

describe("parsers", () => {
  test("psiLevel thresholds", () => {
    expect(psiLevel(psi(0, 0))).toBe("None")
    expect(psiLevel(psi(4.99, 0))).toBe("None")
    expect(psiLevel(psi(5, 0))).toBe("Low")
    expect(psiLevel(psi(20, 0))).toBe("Medium")
    expect(psiLevel(psi(40, 9.99))).toBe("High")
    expect(psiLevel(psi(1, 10))).toBe("Critical")
    expect(psiLevel("garbage")).toBe("None")
  })

  test("memoryEventsLevel looks at the counters that grew", () => {
    const before = parseMemoryEvents(events({ low: 1, high: 2, max: 3, oom: 0 }))
    expect(memoryEventsLevel(before, before)).toBe("None")
    expect(memoryEventsLevel(before, parseMemoryEvents(events({ low: 2, high: 2, max: 3 })))).toBe("Low")
    expect(memoryEventsLevel(before, parseMemoryEvents(events({ low: 1, high: 5, max: 3 })))).toBe("Medium")
    expect(memoryEventsLevel(before, parseMemoryEvents(events({ low: 1, high: 2, max: 4 })))).toBe("High")
    expect(memoryEventsLevel(before, parseMemoryEvents(events({ low: 1, high: 2, max: 3, oom_kill: 1 })))).toBe(
      "Critical"
    )
  })
})

describe("the system pressure signal", () => {
  test("off unless enabled: no sources but manual, no polling even when files exist", async () => {
    const files = fakeFiles({ [PSI_MEMORY]: psi(90, 50) })
    const result = await run(
      { fsRoot: files.root, events: null },
      Effect.gen(function* () {
        const signal = yield* SystemPressure
        yield* TestClock.adjust("10 seconds")
        return { sources: signal.sources, level: yield* signal.current }
      })
    )
    expect(result).toEqual({ sources: ["manual"], level: "None" })
  })

  test("manual reports flow into the stream; the level is the highest source", async () => {
    const seen = await run(
      { events: null },
      Effect.gen(function* () {
        const signal = yield* SystemPressure
        const collector = yield* Effect.forkChild(Stream.runCollect(Stream.take(signal.changes, 4)))
        yield* Effect.yieldNow
        yield* reportSystemPressure("Medium")
        yield* reportSystemPressure("Medium") // no change, no event
        yield* reportSystemPressure("Critical")
        yield* reportSystemPressure("None")
        return yield* Fiber.join(collector)
      })
    )
    expect(Array.from(seen)).toEqual(["None", "Medium", "Critical", "None"])
  })

  test("a report that is no level fails with InvalidArgument and sets nothing", async () => {
    const result = await run(
      { events: null },
      Effect.gen(function* () {
        const signal = yield* SystemPressure
        yield* reportSystemPressure("High")
        const refused = yield* Effect.flip(reportSystemPressure("bogus" as never))
        const alsoRefused = yield* Effect.flip(signal.report("toString" as never))
        return { refused, alsoRefused, level: yield* signal.current }
      })
    )
    expect(result.refused).toMatchObject({ _tag: "InvalidArgument", argument: "level" })
    expect(result.alsoRefused).toMatchObject({ _tag: "InvalidArgument", argument: "level" })
    expect(result.level).toBe("High")
  })

  test("PSI polling follows a fake /proc/pressure/memory", async () => {
    const files = fakeFiles({ [PSI_MEMORY]: psi(0, 0) })
    const trail = await run(
      { enabled: true, fsRoot: files.root, events: null },
      Effect.gen(function* () {
        const signal = yield* SystemPressure
        const trail: Array<string> = [signal.sources.join(","), yield* signal.current]
        files.write(PSI_MEMORY, psi(25, 0))
        trail.push(yield* pollUntil("Medium"))
        files.write(PSI_MEMORY, psi(60, 12))
        trail.push(yield* pollUntil("Critical"))
        yield* reportSystemPressure("High") // lower than PSI: the signal stays Critical
        trail.push(yield* signal.current)
        files.write(PSI_MEMORY, psi(0, 0))
        trail.push(yield* pollUntil("High")) // PSI calm again: the manual High remains
        return trail
      })
    )
    expect(trail).toEqual(["manual,psi", "None", "Medium", "Critical", "Critical", "High"])
  })

  test("memory.events polling reacts to counters that grow, then calms down", async () => {
    const files = fakeFiles({ [CGROUP_MEMORY_EVENTS]: events({ high: 7, max: 2 }) })
    const trail = await run(
      { enabled: true, fsRoot: files.root, events: null },
      Effect.gen(function* () {
        const signal = yield* SystemPressure
        const trail: Array<string> = [signal.sources.join(","), yield* signal.current]
        files.write(CGROUP_MEMORY_EVENTS, events({ high: 7, max: 3 }))
        trail.push(yield* pollUntil("High"))
        files.write(CGROUP_MEMORY_EVENTS, events({ high: 7, max: 3, oom: 1, oom_kill: 1 }))
        trail.push(yield* pollUntil("Critical"))
        trail.push(yield* pollUntil("None")) // nothing grew since the last poll
        return trail
      })
    )
    expect(trail).toEqual(["manual,memory.events", "None", "High", "Critical", "None"])
  })

  test("Bun's memoryPressure event: Critical, held, then None; the listener is removed on close", async () => {
    const listeners = new Set<(...args: ReadonlyArray<unknown>) => void>()
    const fakeProcess = {
      on: (event: string, l: (...args: ReadonlyArray<unknown>) => void) =>
        event === "memoryPressure" && listeners.add(l),
      off: (event: string, l: (...args: ReadonlyArray<unknown>) => void) =>
        event === "memoryPressure" && listeners.delete(l)
    }
    const emit = () => {
      for (const l of listeners) l()
    }
    const trail = await run(
      { enabled: true, fsRoot: "/nonexistent-root", events: fakeProcess, eventHold: "5 seconds" },
      Effect.gen(function* () {
        const signal = yield* SystemPressure
        const trail: Array<string> = [signal.sources.join(","), String(listeners.size)]
        const critical = yield* Effect.forkChild(levelBecomes("Critical"))
        yield* Effect.yieldNow
        emit()
        yield* Fiber.join(critical)
        trail.push(yield* signal.current)
        yield* TestClock.adjust("4 seconds")
        emit() // a second event within the hold restarts it
        yield* Effect.yieldNow
        yield* TestClock.adjust("4 seconds")
        trail.push(yield* signal.current)
        const calm = yield* Effect.forkChild(levelBecomes("None"))
        yield* TestClock.adjust("2 seconds")
        yield* Fiber.join(calm)
        trail.push(yield* signal.current)
        return trail
      })
    )
    expect(trail).toEqual(["manual,bun.memoryPressure", "1", "Critical", "Critical", "None"])
    expect(listeners.size).toBe(0)
  })

  test("closing the layer interrupts polling: no fiber or timer is left", async () => {
    const files = fakeFiles({ [PSI_MEMORY]: psi(0, 0) })
    let reads = 0
    const readFile = async (path: string) => {
      reads++
      return Bun.file(path)
        .text()
        .catch(() => undefined)
    }
    const result = await Effect.runPromise(
      Effect.gen(function* () {
        const scope = yield* Scope.make()
        const context = yield* Layer.buildWithScope(
          layerSystemPressure({ enabled: true, fsRoot: files.root, events: null, readFile }),
          scope
        )
        files.write(PSI_MEMORY, psi(50, 0))
        const level = yield* Effect.provide(pollUntil("High"), context)
        yield* Scope.close(scope, Exit.void)
        const readsAtClose = reads
        yield* TestClock.adjust("1 minute") // 60 polls, had the polling fiber survived
        return { level, readsAtClose, readsLater: reads }
      }).pipe(Effect.provide(TestClock.layer()))
    )
    expect(result.level).toBe("High")
    expect(result.readsAtClose).toBeGreaterThanOrEqual(3) // the start-up probes and one poll
    expect(result.readsLater).toBe(result.readsAtClose)
  })
})
