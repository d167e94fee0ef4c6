/**
 * The facade's `AsyncAcquireOptions`' `timeoutMillis` is typed by the mode, as the Effect service's `timeout` is:
 * with a mode given and not `Timeout`, `timeoutMillis` does not compile (the manager refuses it at run time with
 * `InvalidArgument`, as a JavaScript caller still finds). Options without a mode still compile for every call
 * (their `timeoutMillis` is refused at run time when the default mode, Blocking, applies). The `@ts-expect-error`
 * lines are checked by `tsc -b`: each fails to compile without the type (an unused directive).
 */
import { describe, expect, test } from "bun:test"
import { InvalidArgument } from "@flight-hal/core"
import { type AcquireMode, type AsyncAcquireOptions, createResourceManager } from "../src/index.ts"

const budgets = { Memory: { maxBytes: 1024, reservedBytes: 0, warningPercent: 70, criticalPercent: 90 } }
const memory = { type: "Memory" as const, sizeBytes: 16 }

const refusal = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => "admitted",
    (error: unknown) => error
  )

describe("AsyncAcquireOptions' timeoutMillis follows the mode", () => {
  test("Timeout with timeoutMillis compiles and runs; options without a mode, or of any mode, still take one", async () => {
    using manager = createResourceManager({ budgets })
    const typed: AsyncAcquireOptions<Float32Array> = { mode: "Timeout", timeoutMillis: 50 }
    expect(typed.timeoutMillis).toBe(50)
    const someMode = (mode: AcquireMode): AsyncAcquireOptions<Uint8Array> => ({ mode, timeoutMillis: 50 })
    expect(someMode("Timeout").timeoutMillis).toBe(50)
    const a = await manager.acquireAsync("a", memory, { mode: "Timeout", timeoutMillis: 50 })
    const b = await manager.acquireAsync("b", memory, {
      mode: "Timeout",
      timeoutMillis: 50,
      create: () => new Float32Array(4)
    })
    const c = await manager.acquireAsync("c", memory, { owner: "other" })
    const d = await manager.acquireAsync("d", memory, { mode: "NonBlocking" })
    const e = await manager.use("e", memory, (ref) => ref.name, { mode: "Timeout", timeoutMillis: 50 })
    expect([a.name, b.payload.length, c.name, d.name, e]).toEqual(["a", 4, "c", "d", "e"])
    // no mode: the call compiles (the mode is not known), the default mode Blocking refuses it at run time
    expect(await refusal(manager.acquireAsync("f", memory, { timeoutMillis: 50 }))).toBeInstanceOf(InvalidArgument)
  })

  test("another mode with timeoutMillis does not compile, and is InvalidArgument at run time", async () => {
    using manager = createResourceManager({ budgets })
    const refused = [
      // @ts-expect-error: timeoutMillis with mode Blocking
      await refusal(manager.acquireAsync("a", memory, { mode: "Blocking", timeoutMillis: 10 })),
      // @ts-expect-error: timeoutMillis with mode NonBlocking and a create hook
      await refusal(manager.acquireAsync("b", memory, { mode: "NonBlocking", timeoutMillis: 10, create: () => 1 })),
      // @ts-expect-error: timeoutMillis with mode Emergency, in use
      await refusal(manager.use("c", memory, () => 1, { mode: "Emergency", timeoutMillis: 10 }))
    ]
    // @ts-expect-error: an options object of mode Blocking has no timeout
    const options: AsyncAcquireOptions<Uint8Array, "Blocking"> = { mode: "Blocking", timeoutMillis: 10 }
    refused.push(await refusal(manager.acquireAsync("d", memory, options)))
    for (const error of refused) {
      expect(error).toBeInstanceOf(InvalidArgument)
      expect((error as InvalidArgument).argument).toBe("timeoutMillis")
    }
  })
})
