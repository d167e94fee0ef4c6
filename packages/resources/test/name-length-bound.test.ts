/**
 * A new resource's name has at most MAX_NAME_LENGTH characters (docs/semantics.md, section 3), as a pool's name: a
 * longer one is InvalidArgument (name), shown cut, with nothing changed, by every acquisition (the one step too).
 * Looking a name up is not bounded (`find` of a long name is ResourceNotFound). The limits come from one table:
 * `@flight-hal/core` and `@flight-hal/pool` export the same MAX_NAME_LENGTH and MAX_ALIGNMENT, and a pool's
 * alignment says the bound in the words the metadata's does.
 */
import { describe, expect, test } from "bun:test"
import * as core from "@flight-hal/core"
import * as pool from "@flight-hal/pool"
import { Effect, Exit } from "effect"
import { createResourceManager, ResourceManager } from "../src/index.ts"

const budgets = { Memory: { maxBytes: 1 << 20, reservedBytes: 0, warningPercent: 70, criticalPercent: 90 } }
const mem = { type: "Memory" as const, sizeBytes: 16 }
const longest = "r".repeat(core.MAX_NAME_LENGTH)
const tooLong = "r".repeat(core.MAX_NAME_LENGTH + 1)

const thrown = (run: () => unknown): unknown => {
  try {
    run()
  } catch (error) {
    return error
  }
  return "accepted"
}

const expectNameRefused = (error: unknown) => {
  expect(error).toBeInstanceOf(core.InvalidArgument)
  expect((error as core.InvalidArgument).argument).toBe("name")
  expect((error as core.InvalidArgument).issue).toBe(
    `expected a string of at most ${core.MAX_NAME_LENGTH} characters, got "${"r".repeat(64)}…" (${core.MAX_NAME_LENGTH + 1} characters)`
  )
}

describe("a resource's name has at most MAX_NAME_LENGTH characters", () => {
  test("facade: acquire (the one step and the general path), acquireAsync, registerResource", async () => {
    using manager = createResourceManager({ budgets })
    const before = JSON.stringify(manager.snapshot())
    expectNameRefused(thrown(() => manager.acquire(tooLong, mem)))
    expectNameRefused(thrown(() => manager.acquire(tooLong, mem, { owner: "other" })))
    expectNameRefused(await manager.acquireAsync(tooLong, mem).catch((error: unknown) => error))
    expectNameRefused(thrown(() => manager.registerResource(tooLong, mem)))
    expect(JSON.stringify(manager.snapshot())).toBe(before)
    const ref = manager.acquire(longest, mem)
    expect(manager.find(longest).handle).toEqual(ref.handle)
    ref.release()
    // a lookup is not bounded: no resource has such a name
    expect(thrown(() => manager.find("r".repeat(2 ** 20)))).toBeInstanceOf(core.ResourceNotFound)
  })

  test("Effect service: acquire", async () => {
    const exit = await Effect.runPromiseExit(
      Effect.scoped(
        Effect.gen(function* () {
          const manager = yield* ResourceManager
          const refused = yield* Effect.flip(manager.acquire(tooLong, mem))
          const ref = yield* manager.acquire(longest, mem)
          return [refused, ref.name] as const
        })
      ).pipe(Effect.provide(ResourceManager.layer({ budgets })))
    )
    if (!Exit.isSuccess(exit)) throw new Error("failed")
    expectNameRefused(exit.value[0])
    expect(exit.value[1]).toBe(longest)
  })
})

describe("one table of limits", () => {
  test("core and pool export the same bounds", () => {
    expect(pool.MAX_NAME_LENGTH).toBe(core.MAX_NAME_LENGTH)
    expect(pool.MAX_ALIGNMENT).toBe(core.MAX_ALIGNMENT)
    expect(pool.ALIGNMENT_RULE).toBe(core.ALIGNMENT_RULE)
  })

  test("a config pool over the alignment bound is refused in the words the metadata's is", () => {
    const error = thrown(() =>
      createResourceManager({
        budgets,
        pools: [{ type: "Memory", blockSize: 64, initialCount: 0, maxCount: 1, alignment: 2 ** 31 }]
      })
    )
    expect(error).toBeInstanceOf(core.InvalidPoolConfig)
    expect((error as core.InvalidPoolConfig).issue).toBe(`must be ${core.ALIGNMENT_RULE}`)
    using manager = createResourceManager({ budgets })
    const metadata = thrown(() => manager.acquire("a", { ...mem, alignmentBytes: 2 ** 31 }))
    expect((metadata as core.InvalidMetadata).issue).toContain(`an alignment is ${core.ALIGNMENT_RULE}, got ${2 ** 31}`)
  })

  test("a config pool's name over the bound is refused", () => {
    const error = thrown(() =>
      createResourceManager({
        budgets,
        pools: [{ type: "Memory", blockSize: 64, initialCount: 0, maxCount: 1, name: tooLong }]
      })
    )
    expect(error).toBeInstanceOf(core.InvalidPoolConfig)
    expect((error as core.InvalidPoolConfig).field).toBe("name")
  })
})
