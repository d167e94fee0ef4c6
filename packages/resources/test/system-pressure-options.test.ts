/**
 * `layerSystemPressure` checks its options as `layerSystemPressureReclamation` does: one that is not as typed fails
 * the Layer with `InvalidArgument` naming it (a `pollInterval` of 0 polled the files in a hot loop, a non-string
 * `fsRoot` died with an untyped TypeError), and nothing is read. A `readFile` that throws or answers something
 * other than a string is an unreadable file, not a defect.
 */
import { describe, expect, test } from "bun:test"
import { InvalidArgument } from "@flight-hal/core"
import { Cause, Effect, Exit, Layer } from "effect"
import { TestClock } from "effect/testing"
import { layerSystemPressure, SystemPressure, type SystemPressureOptions } from "../src/SystemPressure.ts"

const psiText = "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"

/** A `readFile` answering a quiet PSI file, and how many times it was called. */
const counter = () => {
  let reads = 0
  const readFile = async () => {
    reads++
    return psiText
  }
  return { readFile, reads: () => reads }
}

/** Lets the polling fiber finish what it started (its reads are promises): microtasks, no wall-clock time. */
const settle = Effect.promise(async () => {
  for (let turn = 0; turn < 5; turn++) await new Promise<void>((resolve) => setImmediate(resolve))
})

/** Builds the Layer with `options` under a TestClock, runs `program` in it, and gives the Exit. */
const build = <A = ReadonlyArray<string>>(
  options: unknown,
  program: Effect.Effect<A, never, SystemPressure> = SystemPressure.use((signal) =>
    Effect.succeed(signal.sources as unknown as A)
  )
) =>
  Effect.runPromiseExit(
    Effect.scoped(program).pipe(
      Effect.provide(Layer.provideMerge(layerSystemPressure(options as SystemPressureOptions), TestClock.layer()))
    )
  )

/** The Layer's typed failure (never a defect), or undefined when it was built. */
const failure = (exit: Exit.Exit<unknown, InvalidArgument>): InvalidArgument | undefined => {
  if (Exit.isSuccess(exit)) return undefined
  expect(Cause.hasDies(exit.cause)).toBe(false)
  const error = Cause.squash(exit.cause)
  expect(error).toBeInstanceOf(InvalidArgument)
  return error as InvalidArgument
}

describe("layerSystemPressure's options", () => {
  test("one that is not as typed fails the Layer with InvalidArgument naming it; nothing is read", async () => {
    const throwing = Object.defineProperty({}, "pollInterval", {
      get: () => {
        throw new Error("boom")
      }
    })
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [5, "options"],
      [[], "options"],
      [throwing, "options"],
      [{ enabled: true, pollInterval: 0 }, "pollInterval"],
      [{ enabled: true, pollInterval: -1 }, "pollInterval"],
      [{ enabled: true, pollInterval: "-1 seconds" }, "pollInterval"],
      [{ enabled: true, pollInterval: "1 nano" }, "pollInterval"],
      [{ enabled: true, pollInterval: "Infinity" }, "pollInterval"],
      [{ enabled: true, pollInterval: Number.NaN }, "pollInterval"],
      [{ enabled: true, pollInterval: "soon" }, "pollInterval"],
      [{ enabled: true, pollInterval: { secods: 1 } }, "pollInterval"],
      [{ enabled: true, eventHold: -1 }, "eventHold"],
      [{ enabled: true, eventHold: "later" }, "eventHold"],
      [{ enabled: true, fsRoot: 5 }, "fsRoot"],
      [{ enabled: true, fsRoot: null }, "fsRoot"],
      [{ enabled: "yes" }, "enabled"],
      [{ enabled: true, readFile: "cat" }, "readFile"],
      [{ enabled: true, events: 5 }, "events"],
      [{ enabled: true, events: { on: () => {} } }, "events"],
      // checked whether or not the automatic sources are on
      [{ pollInterval: 0 }, "pollInterval"]
    ]
    for (const [options, argument] of cases) {
      const { readFile, reads } = counter()
      const given =
        typeof options === "object" && options !== throwing && !Array.isArray(options)
          ? { readFile, ...options }
          : options
      const exit = await build(given, Effect.andThen(TestClock.adjust("1 minute"), Effect.succeed([])))
      expect({ options, argument: failure(exit)?.argument }).toEqual({ options, argument })
      expect(reads()).toBe(0)
    }
    expect(failure(await build({ enabled: true, pollInterval: 0 }))?.issue).toBe(
      "expected a finite duration of at least 1 ms, got 0"
    )
    expect(failure(await build({ enabled: true, fsRoot: 5 }))?.issue).toBe("expected a string, got 5")
  })

  test("valid options build the Layer; the files are polled every pollInterval", async () => {
    const { readFile, reads } = counter()
    const polls = await build(
      { enabled: true, pollInterval: "2 seconds", events: null, readFile },
      Effect.gen(function* () {
        const trail = [reads()] // psi and memory.events, read at start
        yield* TestClock.adjust("1999 millis")
        yield* settle
        trail.push(reads())
        yield* TestClock.adjust("1 millis")
        yield* settle
        trail.push(reads())
        return trail
      })
    )
    expect(polls).toEqual(Exit.succeed([2, 2, 4]))
    for (const options of [
      undefined,
      {},
      { enabled: false },
      { enabled: true, pollInterval: 1, eventHold: 0, fsRoot: "", events: null, readFile },
      { enabled: true, pollInterval: { seconds: 1 }, eventHold: "1 second", events: null, readFile }
    ]) {
      expect(Exit.isSuccess(await build(options))).toBe(true)
    }
  })

  test("an events source's on and off are called on it", async () => {
    const calls: Array<string> = []
    const source = {
      name: "fake",
      on(this: { name: string }, event: string) {
        calls.push(`on ${this.name} ${event}`)
      },
      off(this: { name: string }, event: string) {
        calls.push(`off ${this.name} ${event}`)
      }
    }
    const exit = await build({ enabled: true, readFile: async () => undefined, events: source })
    expect(exit).toEqual(Exit.succeed(["manual", "bun.memoryPressure"]))
    expect(calls).toEqual(["on fake memoryPressure", "off fake memoryPressure"])
  })

  test("a readFile that throws or answers no string is an unreadable file, not a defect", async () => {
    const answers: ReadonlyArray<(path: string) => unknown> = [
      () => {
        throw new Error("no fs")
      },
      async () => 42,
      () => null,
      async () => {
        throw new Error("rejected")
      }
    ]
    for (const readFile of answers) {
      expect(await build({ enabled: true, readFile, events: null })).toEqual(Exit.succeed(["manual"]))
    }
  })
})
