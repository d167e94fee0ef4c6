/**
 * `AcquireOptions`' `timeout` is typed by the mode: with a mode given and not `Timeout`, `timeout` does not compile
 * (the manager refuses it at run time with `InvalidArgument`, as a JavaScript caller still finds). Options without
 * a mode match the overload of every mode, so a `timeout` there still compiles and is refused at run time. The
 * `@ts-expect-error` lines are checked by `tsc -b`: each fails to compile without the type (an unused directive).
 */
import { describe, expect, test } from "bun:test"
import { InvalidArgument } from "@flight-hal/core"
import { Effect, Exit, type Scope } from "effect"
import { type AcquireOptions, ResourceManager } from "../src/index.ts"

const budgets = { Memory: { maxBytes: 1024, reservedBytes: 0, warningPercent: 70, criticalPercent: 90 } }
const memory = { type: "Memory" as const, sizeBytes: 16 }
const run = <A, E>(program: Effect.Effect<A, E, ResourceManager | Scope.Scope>) =>
  Effect.runPromiseExit(Effect.scoped(Effect.provide(program, ResourceManager.layer({ budgets }))))

describe("AcquireOptions' timeout follows the mode", () => {
  test("Timeout with a timeout compiles and runs; the union type of options still takes one", async () => {
    const options: AcquireOptions<Float32Array> = { mode: "Timeout", timeout: "50 millis" }
    expect(options.timeout).toBe("50 millis")
    const exit = await run(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        const ref = yield* manager.acquire("a", memory, { mode: "Timeout", timeout: "50 millis" })
        const typed = yield* manager.acquire<Float32Array>("b", memory, {
          mode: "Timeout",
          timeout: 50,
          create: () => new Float32Array(4)
        })
        return [ref.name, typed.name]
      })
    )
    expect(exit).toEqual(Exit.succeed(["a", "b"]))
  })

  test("another mode with a timeout does not compile, and is InvalidArgument at run time", async () => {
    const exit = await run(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        // @ts-expect-error: a timeout with mode Blocking
        return yield* Effect.flip(manager.acquire("a", memory, { mode: "Blocking", timeout: "1 second" }))
      })
    )
    expect(Exit.isSuccess(exit) && exit.value instanceof InvalidArgument).toBe(true)
    const used = await run(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        return yield* Effect.flip(
          // @ts-expect-error: a timeout with mode Emergency, in use
          manager.use("a", memory, () => Effect.void, { mode: "Emergency", timeout: "1 second" })
        )
      })
    )
    expect(Exit.isSuccess(used) && used.value instanceof InvalidArgument).toBe(true)
  })
})
