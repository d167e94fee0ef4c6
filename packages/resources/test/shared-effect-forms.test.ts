/**
 * SharedResources takes ResourceManager's forms, with ResourceManager's answers: a `use` body that returns no
 * Effect is `InvalidArgument body`; a `null` mode is a bad mode; a bad `timeout` is named `timeout` and shown as
 * given; pressure and reclamation callbacks may return Effects, which are run (failures and wrong returns logged
 * with Effect's logger), within what the shared manager's synchronous callbacks allow (docs/shared-manager.md,
 * "With Effect").
 */
import { describe, expect, test } from "bun:test"
import { Cause, Deferred, Duration, Effect, Exit, Layer, Logger, Option, Scope } from "effect"
import { type PressureEvent, SharedResources } from "../src/index.ts"

const budget = { maxBytes: 100, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 }
const memory = (sizeBytes: number) => ({ type: "Memory", sizeBytes }) as const

/** Runs `program` on a fresh shared manager, with the warnings Effect logs collected. */
const run = async <A, E>(program: Effect.Effect<A, E, SharedResources | Scope.Scope>) => {
  const warnings: Array<string> = []
  const logger = Logger.make(({ logLevel, message }) => {
    if (logLevel === "Warn") warnings.push((Array.isArray(message) ? message : [message]).map(String).join(" | "))
  })
  const exit = await Effect.runPromiseExit(
    Effect.scoped(program).pipe(
      Effect.provide(Layer.provideMerge(SharedResources.layer({ budgets: { Memory: budget } }), Logger.layer([logger])))
    )
  )
  return { exit, warnings }
}

/** The typed error of a failed exit, else undefined. */
const failure = (exit: Exit.Exit<unknown, unknown>) =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.findErrorOption(exit.cause)) : undefined

/** Waits (by yielding to timers: the test's deadline bounds it) until `ready` holds. */
const until = (ready: () => boolean): Effect.Effect<void> =>
  Effect.suspend(() => (ready() ? Effect.void : Effect.andThen(Effect.sleep(1), until(ready))))

describe("SharedResources.use: a body that returns no Effect", () => {
  test("is InvalidArgument body (as ResourceManager.use), in both forms, and the hold is released", async () => {
    const { exit } = await run(
      Effect.gen(function* () {
        const shared = yield* SharedResources
        const named = yield* Effect.exit(shared.use("", memory(10), (() => 5) as never))
        const plain = yield* Effect.exit(shared.use(memory(10), (() => undefined) as never))
        const usage = (yield* shared.getResourceStats("Memory")).currentUsage
        return { named: failure(named), plain: failure(plain), usage }
      })
    )
    expect(Exit.isSuccess(exit)).toBe(true)
    if (!Exit.isSuccess(exit)) return
    for (const error of [exit.value.named, exit.value.plain]) {
      expect(error).toMatchObject({ _tag: "InvalidArgument", argument: "body" })
      expect(String((error as { message: string }).message)).toContain("returned something that is not an Effect")
    }
    expect(exit.value.usage).toBe(0)
  })
})

describe("SharedResources.acquire: options checked as ResourceManager checks them", () => {
  test("mode: null is InvalidArgument mode, nothing charged (both forms)", async () => {
    const { exit } = await run(
      Effect.gen(function* () {
        const shared = yield* SharedResources
        const first = yield* Effect.flip(shared.acquire(memory(10), { mode: null } as never))
        const second = yield* Effect.flip(shared.acquire("n", memory(10), { mode: null } as never))
        const used = yield* shared
          .use(memory(10), () => Effect.succeed("used"), { mode: null } as never)
          .pipe(Effect.flip)
        return { errors: [first, second, used], stats: yield* shared.getResourceStats("Memory") }
      })
    )
    expect(Exit.isSuccess(exit)).toBe(true)
    if (!Exit.isSuccess(exit)) return
    for (const error of exit.value.errors) {
      expect(error).toMatchObject({ _tag: "InvalidArgument", argument: "mode" })
      expect(error.message).toContain("expected one of NonBlocking, Blocking, Timeout, Emergency, got null")
    }
    expect(exit.value.stats.currentUsage).toBe(0)
    expect(exit.value.stats.allocationCount).toBe(0)
  })

  test("create: null, destroy: null, name: null and timeout: null are InvalidArgument naming each", async () => {
    const { exit } = await run(
      Effect.gen(function* () {
        const shared = yield* SharedResources
        const bad = [{ create: null }, { destroy: null }, { name: null }, { mode: "Timeout", timeout: null }]
        const errors = []
        for (const options of bad) errors.push(yield* Effect.flip(shared.acquire(memory(10), options as never)))
        return { errors, usage: (yield* shared.getResourceStats("Memory")).currentUsage }
      })
    )
    expect(Exit.isSuccess(exit)).toBe(true)
    if (!Exit.isSuccess(exit)) return
    expect(exit.value.errors.map((error) => [error._tag, (error as { argument?: string }).argument])).toEqual([
      ["InvalidArgument", "create"],
      ["InvalidArgument", "destroy"],
      ["InvalidArgument", "name"],
      ["InvalidArgument", "timeout"]
    ])
    expect(exit.value.usage).toBe(0)
  })

  test("a bad timeout is named `timeout` and shown as given, not as timeoutMillis and NaN", async () => {
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [{ mode: "Timeout", timeout: "soon" }, 'got "soon"'],
      [{ mode: "Timeout", timeout: Number.NaN }, "got NaN"],
      [{ mode: "Timeout", timeout: -1 }, "got -1"],
      [{ mode: "Timeout", timeout: Duration.infinity }, "got Infinity"],
      [{ mode: "Timeout", timeout: 2 ** 31 }, "got 2147483648"],
      [{ mode: "Timeout" }, "Timeout mode needs a timeout"],
      [{ mode: "Blocking", timeout: 10 }, 'a timeout is only taken with mode: "Timeout"'],
      [{ timeout: "1 second" }, 'a timeout is only taken with mode: "Timeout"']
    ]
    const { exit } = await run(
      Effect.gen(function* () {
        const shared = yield* SharedResources
        const errors = []
        for (const [options] of cases) errors.push(yield* Effect.flip(shared.acquire(memory(10), options as never)))
        return { errors, usage: (yield* shared.getResourceStats("Memory")).currentUsage }
      })
    )
    expect(Exit.isSuccess(exit)).toBe(true)
    if (!Exit.isSuccess(exit)) return
    exit.value.errors.forEach((error, at) => {
      expect(error).toMatchObject({ _tag: "InvalidArgument", argument: "timeout" })
      expect(error.message).toContain(cases[at]?.[1] ?? "?")
    })
    expect(exit.value.usage).toBe(0)
  })

  test("a good timeout still waits and times out (AcquireTimeout)", async () => {
    const { exit } = await run(
      Effect.gen(function* () {
        const shared = yield* SharedResources
        yield* shared.acquire(memory(90))
        return yield* Effect.flip(shared.acquire(memory(20), { mode: "Timeout", timeout: "5 millis" }))
      })
    )
    expect(Exit.isSuccess(exit) && exit.value._tag).toBe("AcquireTimeout")
  })
})

describe("SharedResources' reclamation callbacks: ResourceManager's form", () => {
  test("a callback's Effect runs at once, and what it releases admits the request that asked", async () => {
    const { exit, warnings } = await run(
      Effect.gen(function* () {
        const shared = yield* SharedResources
        const cache = yield* shared.acquire(memory(80))
        const asked: Array<number> = []
        yield* shared.registerReclamationCallback("Memory", (missing) =>
          Effect.sync(() => {
            asked.push(missing)
            cache.release()
            return 80
          })
        )
        const block = yield* shared.acquire(memory(50))
        return { asked, size: block.metadata.sizeBytes, usage: (yield* shared.getResourceStats("Memory")).currentUsage }
      })
    )
    expect(exit).toEqual(Exit.succeed({ asked: [30], size: 50, usage: 50 }))
    expect(warnings).toEqual([])
  })

  test("the Effect runs with the services of the fiber that registered it (its logger, here)", async () => {
    const local: Array<unknown> = []
    const localLogger = Logger.make(({ message }) => void local.push(message))
    const { exit, warnings } = await run(
      Effect.gen(function* () {
        const shared = yield* SharedResources
        yield* shared
          .registerReclamationCallback("Memory", () => Effect.as(Effect.logWarning("asked"), 0))
          .pipe(Effect.provide(Logger.layer([localLogger])))
        yield* shared.acquire(memory(50))
        return (yield* Effect.flip(shared.acquire(memory(60))))._tag
      })
    )
    expect(exit).toEqual(Exit.succeed("BudgetExceeded"))
    expect(local).toEqual([["asked"]])
    expect(warnings).toEqual([])
  })

  test("a number is still taken (the plain manager's form)", async () => {
    const { exit, warnings } = await run(
      Effect.gen(function* () {
        const shared = yield* SharedResources
        const cache = yield* shared.acquire(memory(80))
        yield* shared.registerReclamationCallback("Memory", () => {
          cache.release()
          return 80
        })
        return (yield* shared.acquire(memory(50))).metadata.sizeBytes
      })
    )
    expect(exit).toEqual(Exit.succeed(50))
    expect(warnings).toEqual([])
  })

  test("a failure, a throw and a wrong return are logged, count for nothing, and the next callback runs", async () => {
    const { exit, warnings } = await run(
      Effect.gen(function* () {
        const shared = yield* SharedResources
        const cache = yield* shared.acquire(memory(80))
        yield* shared.registerReclamationCallback("Memory", () => Effect.fail("no luck"))
        yield* shared.registerReclamationCallback("Memory", () => {
          throw new Error("thrown")
        })
        yield* shared.registerReclamationCallback("Memory", (() => "freed") as never)
        const refused = yield* Effect.flip(shared.acquire(memory(50)))
        yield* shared.registerReclamationCallback("Memory", () =>
          Effect.sync(() => cache.release()).pipe(Effect.as(80))
        )
        const block = yield* shared.acquire(memory(50))
        return [refused._tag, block.metadata.sizeBytes]
      })
    )
    expect(exit).toEqual(Exit.succeed(["BudgetExceeded", 50]))
    expect(warnings.length).toBeGreaterThanOrEqual(6) // each of the three, for each request
    expect(warnings.every((warning) => warning.startsWith("reclamation callback failed"))).toBe(true)
    expect(warnings.some((warning) => warning.includes("no luck"))).toBe(true)
    expect(warnings.some((warning) => warning.includes("thrown"))).toBe(true)
    expect(warnings.some((warning) => warning.includes('a reclamation callback returned "freed", not an Effect'))).toBe(
      true
    )
  })

  test("an Effect that must wait runs on: the request that asked has failed, its release admits a waiter", async () => {
    const { exit } = await run(
      Effect.gen(function* () {
        const shared = yield* SharedResources
        const cache = yield* shared.acquire(memory(80))
        const gate = yield* Deferred.make<void>()
        yield* shared.registerReclamationCallback("Memory", () =>
          Deferred.await(gate).pipe(Effect.andThen(Effect.sync(() => cache.release())), Effect.as(80))
        )
        const refused = yield* Effect.flip(shared.acquire(memory(50)))
        yield* Deferred.succeed(gate, undefined)
        const waited = yield* shared.acquire(memory(50), { mode: "Blocking" })
        return [refused._tag, waited.metadata.sizeBytes, cache.released]
      })
    )
    expect(exit).toEqual(Exit.succeed(["BudgetExceeded", 50, true]))
  })
})

describe("SharedResources' pressure callbacks: ResourceManager's form", () => {
  const shift = (event: PressureEvent) => `${event.from}->${event.to}`

  test("a callback's Effect runs; a failure, a throw and a wrong return are logged and the next one runs", async () => {
    const seen: Array<string> = []
    const { exit, warnings } = await run(
      Effect.gen(function* () {
        const shared = yield* SharedResources
        yield* shared.registerPressureCallback((event) => Effect.sync(() => seen.push(`effect ${shift(event)}`)))
        yield* shared.registerPressureCallback(() => Effect.fail("no luck"))
        yield* shared.registerPressureCallback(() => {
          throw new Error("thrown")
        })
        yield* shared.registerPressureCallback((() => 42) as never)
        yield* shared.registerPressureCallback((event) => {
          seen.push(`void ${shift(event)}`)
        })
        yield* Effect.scoped(shared.acquire(memory(60))) // None -> Low -> None
        yield* until(() => seen.length >= 4)
      })
    )
    expect(Exit.isSuccess(exit)).toBe(true)
    expect(seen).toEqual(["effect None->Low", "void None->Low", "effect Low->None", "void Low->None"])
    expect(warnings.filter((warning) => warning.startsWith("pressure callback failed")).length).toBe(6)
    expect(warnings.some((warning) => warning.includes("no luck"))).toBe(true)
    expect(warnings.some((warning) => warning.includes("thrown"))).toBe(true)
    expect(warnings.some((warning) => warning.includes("a pressure callback returned 42, not an Effect"))).toBe(true)
  })

  test("a returned promise that rejects is logged as a wrong return, never an unhandled rejection", async () => {
    const unhandled: Array<unknown> = []
    const onUnhandled = (reason: unknown) => void unhandled.push(reason)
    process.on("unhandledRejection", onUnhandled)
    try {
      const { exit, warnings } = await run(
        Effect.gen(function* () {
          const shared = yield* SharedResources
          let called = 0
          yield* shared.registerPressureCallback((() => {
            called++
            return Promise.reject(new Error("rejected"))
          }) as never)
          yield* shared.acquire(memory(60))
          yield* until(() => called > 0)
          yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 0)))
        })
      )
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(warnings.some((warning) => warning.startsWith("pressure callback failed"))).toBe(true)
      expect(unhandled).toEqual([])
    } finally {
      process.off("unhandledRejection", onUnhandled)
    }
  })

  test("Effects run one after another, in order: one that waits holds the later ones", async () => {
    const seen: Array<string> = []
    const { exit } = await run(
      Effect.gen(function* () {
        const shared = yield* SharedResources
        const gate = yield* Deferred.make<void>()
        yield* shared.registerPressureCallback((event) =>
          Effect.gen(function* () {
            seen.push(`a start ${shift(event)}`)
            if (event.to === "Low") yield* Deferred.await(gate)
            seen.push(`a end ${shift(event)}`)
          })
        )
        yield* shared.registerPressureCallback((event) => Effect.sync(() => seen.push(`b ${shift(event)}`)))
        yield* Effect.scoped(shared.acquire(memory(60))) // None -> Low -> None
        yield* until(() => seen.length >= 1)
        const held = [...seen]
        yield* Deferred.succeed(gate, undefined)
        yield* until(() => seen.length >= 6)
        return held
      })
    )
    expect(exit).toEqual(Exit.succeed(["a start None->Low"]))
    expect(seen).toEqual([
      "a start None->Low",
      "a end None->Low",
      "b None->Low",
      "a start Low->None",
      "a end Low->None",
      "b Low->None"
    ])
  })

  test("the registration's Scope delivers the pending events and waits for their Effects", async () => {
    const seen: Array<string> = []
    const { exit } = await run(
      Effect.gen(function* () {
        const shared = yield* SharedResources
        yield* Effect.scoped(
          Effect.gen(function* () {
            yield* shared.registerPressureCallback((event) =>
              Effect.andThen(
                Effect.yieldNow,
                Effect.sync(() => seen.push(shift(event)))
              )
            )
            yield* Effect.scoped(shared.acquire(memory(60))) // pending: not yet delivered by the listener
          })
        )
        return [...seen]
      })
    )
    expect(exit).toEqual(Exit.succeed(["None->Low", "Low->None"]))
  })

  test("one callback registered twice gets each event once; a callback may close its own registration", async () => {
    const seen: Array<string> = []
    const { exit } = await run(
      Effect.gen(function* () {
        const shared = yield* SharedResources
        const callback = (event: PressureEvent) => Effect.sync(() => seen.push(shift(event)))
        yield* shared.registerPressureCallback(callback)
        yield* shared.registerPressureCallback(callback)
        const own = yield* Scope.make()
        let closed = false
        yield* shared
          .registerPressureCallback(() =>
            closed
              ? Effect.void
              : Effect.andThen(
                  Scope.close(own, Exit.void),
                  Effect.sync(() => (closed = true))
                )
          )
          .pipe(Scope.provide(own))
        yield* Effect.scoped(shared.acquire(memory(60)))
        yield* until(() => seen.length >= 2 && closed)
        return [...seen]
      })
    )
    expect(exit).toEqual(Exit.succeed(["None->Low", "Low->None"]))
  })

  test("the Layer's close waits for the Effects of the close's own events", async () => {
    const seen: Array<string> = []
    const { exit, warnings } = await run(
      Effect.gen(function* () {
        const shared = yield* SharedResources
        // a scope never closed: the registration and the hold last until the Layer's close, which releases the hold
        const forever = yield* Scope.make()
        yield* shared
          .registerPressureCallback((event) =>
            Effect.andThen(
              Effect.yieldNow,
              Effect.sync(() => seen.push(shift(event)))
            )
          )
          .pipe(Scope.provide(forever))
        yield* shared.acquire(memory(60)).pipe(Scope.provide(forever))
      })
    )
    expect(Exit.isSuccess(exit)).toBe(true)
    expect(seen).toEqual(["None->Low", "Low->None"])
    expect(warnings.some((warning) => warning.includes("leak: (unnamed) Memory 60 bytes"))).toBe(true)
  })
})
