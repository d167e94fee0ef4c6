/**
 * A driver id has at most MAX_NAME_LENGTH characters (docs/semantics.md, section 3), as a resource's name: an id is
 * a key and goes whole into stats, dumps, traces and metric labels. A longer one is InvalidArgument naming the
 * field (`owner`, `driver`, `config.drivers`, `config.defaultDriver`, `config.trace.drivers`), shown cut, with
 * nothing changed; an id of exactly MAX_NAME_LENGTH characters is taken.
 */
import { describe, expect, test } from "bun:test"
import * as core from "@flight-hal/core"
import { Effect, Exit } from "effect"
import { createResourceManager, ResourceManager } from "../src/index.ts"

const quiet = { onLeaks: () => {} }
const budgets = { Memory: { maxBytes: 1 << 20, reservedBytes: 0, warningPercent: 70, criticalPercent: 90 } }
const mem = { type: "Memory" as const, sizeBytes: 16 }
const shareable = { ...mem, flags: core.ResourceFlags.combine("Shareable") }
const longest = "d".repeat(core.MAX_NAME_LENGTH)
const tooLong = "d".repeat(core.MAX_NAME_LENGTH + 1)
const shownTooLong = `"${"d".repeat(64)}…" (${core.MAX_NAME_LENGTH + 1} characters)`

const thrown = (run: () => unknown): unknown => {
  try {
    run()
  } catch (error) {
    return error
  }
  return "accepted"
}

const expectIdRefused = (error: unknown, argument: string) => {
  expect(error).toBeInstanceOf(core.InvalidArgument)
  expect((error as core.InvalidArgument).argument).toBe(argument)
  expect((error as core.InvalidArgument).issue).toBe(
    `expected a non-empty string of at most ${core.MAX_NAME_LENGTH} characters, got ${shownTooLong}`
  )
}

describe("a driver id has at most MAX_NAME_LENGTH characters", () => {
  test("facade: acquire's, acquireAsync's and registerResource's owner, share's and registerDriver's driver", async () => {
    using manager = createResourceManager({ ...quiet, budgets })
    const ref = manager.acquire("shared", shareable)
    const before = JSON.stringify(manager.snapshot())
    expectIdRefused(
      thrown(() => manager.acquire("a", mem, { owner: tooLong })),
      "owner"
    )
    expectIdRefused(await manager.acquireAsync("a", mem, { owner: tooLong }).catch((error: unknown) => error), "owner")
    expectIdRefused(
      thrown(() => manager.registerResource("a", mem, tooLong)),
      "owner"
    )
    expectIdRefused(
      thrown(() => manager.share(ref.handle, tooLong)),
      "driver"
    )
    expectIdRefused(
      thrown(() => manager.registerDriver(tooLong)),
      "driver"
    )
    expect(JSON.stringify(manager.snapshot())).toBe(before)
    // the longest id is taken
    expect(thrown(() => manager.registerDriver(longest, { sequential: true }))).toBe("accepted")
    const owned = manager.acquire("b", mem, { owner: longest })
    expect(owned.driver).toBe(longest)
    const share = manager.share(ref.handle, `${"e".repeat(core.MAX_NAME_LENGTH - 1)}x`)
    expect(share.driver).toHaveLength(core.MAX_NAME_LENGTH)
    expect(manager.driverStats(longest).owned).toBe(1)
  })

  test("Effect service: acquire's owner and share's driver", async () => {
    const exit = await Effect.runPromiseExit(
      Effect.scoped(
        Effect.gen(function* () {
          const manager = yield* ResourceManager
          const owner = yield* Effect.flip(manager.acquire("a", mem, { owner: tooLong }))
          const ref = yield* manager.acquire("s", shareable)
          const driver = yield* Effect.flip(manager.share(ref.handle, tooLong))
          const taken = yield* manager.acquire("b", mem, { owner: longest })
          return [owner, driver, taken.driver] as const
        })
      ).pipe(Effect.provide(ResourceManager.layer({ budgets })))
    )
    if (!Exit.isSuccess(exit)) throw new Error("failed")
    expectIdRefused(exit.value[0], "owner")
    expectIdRefused(exit.value[1], "driver")
    expect(exit.value[2]).toBe(longest)
  })

  test("config: a drivers key, defaultDriver and trace.drivers", () => {
    const sink = () => {}
    const drivers = thrown(() =>
      createResourceManager({ ...quiet, budgets, drivers: { [tooLong]: { sequential: true } } })
    )
    expect(drivers).toBeInstanceOf(core.InvalidArgument)
    expect([(drivers as core.InvalidArgument).argument, (drivers as core.InvalidArgument).issue]).toEqual([
      "config.drivers",
      `an owner id must be a non-empty string of at most ${core.MAX_NAME_LENGTH} characters, got ${shownTooLong}`
    ])
    expectIdRefused(
      thrown(() => createResourceManager({ ...quiet, budgets, defaultDriver: tooLong })),
      "config.defaultDriver"
    )
    const trace = thrown(() => createResourceManager({ ...quiet, budgets, trace: { sink, drivers: ["a", tooLong] } }))
    expect(trace).toBeInstanceOf(core.InvalidArgument)
    expect([(trace as core.InvalidArgument).argument, (trace as core.InvalidArgument).issue]).toEqual([
      "config.trace.drivers",
      `expected an array of driver ids (each a non-empty string of at most ${core.MAX_NAME_LENGTH} characters), got ${shownTooLong} at index 1`
    ])
    using manager = createResourceManager({
      ...quiet,
      budgets,
      defaultDriver: longest,
      drivers: { [longest]: { sequential: true } },
      trace: { sink, drivers: [longest] }
    })
    const ref = manager.acquire("a", mem)
    expect(ref.driver).toBe(longest)
    ref.release()
  })

  // A lookup is not bounded: no driver has such an id, so it reads as an unknown driver (all zeros), as `find`
  // of a long name is ResourceNotFound; a release by such an owner releases nothing.
  test("driverStats and releaseResource's owner look up any non-empty string", () => {
    using manager = createResourceManager({ ...quiet, budgets })
    const stats = manager.driverStats("d".repeat(2 ** 20))
    expect([stats.owned, stats.shared, stats.waiting]).toEqual([0, 0, 0])
    const handle = manager.registerResource("r", mem)
    manager.releaseResource(handle, "d".repeat(2 ** 20))
    expect(manager.find("r").handle).toEqual(handle)
    manager.releaseResource(handle)
  })
})
