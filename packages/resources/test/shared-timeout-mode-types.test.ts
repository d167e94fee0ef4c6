/**
 * The shared front ends refuse at compile time the option combinations every acquisition refuses at run time
 * (docs/semantics.md section 5: a timeout is required with mode `Timeout` and refused with every other), as the
 * single-thread ones do: `SharedResources`' `{ mode: "Timeout" }` without a `timeout` and `{ timeout }` without a
 * mode (the default mode, NonBlocking, refuses it; the call had every mode's error channel), and the shared
 * manager's `{ mode: "Timeout" }` without `timeoutMillis`, in every call form. Options without a mode and without
 * a timeout still compile and give NonBlocking's channel; each mode, a mode whose type is a union, typed options
 * and an explicit payload type still compile. The `@ts-expect-error` lines are checked by `tsc -b`: each fails to
 * compile without the types (an unused directive).
 */
import { describe, expect, test } from "bun:test"
import { InvalidArgument } from "@flight-hal/core"
import { Effect, Exit, Layer, type Scope } from "effect"
import {
  type AcquireMode,
  createSharedResourceManager,
  type SharedAcquireAsyncOptions,
  type SharedAcquireEffectOptions,
  type SharedAcquireErrorOf,
  SharedResources,
  type SharedTimeoutMillisOfMode
} from "../src/index.ts"

const budgets = { Memory: { maxBytes: 1024, reservedBytes: 0, warningPercent: 70, criticalPercent: 90 } }
const memory = { type: "Memory" as const, sizeBytes: 16 }

const run = <A, E>(program: Effect.Effect<A, E, SharedResources | Scope.Scope>) =>
  Effect.runPromiseExit(Effect.provide(Effect.scoped(program), Layer.fresh(SharedResources.layer({ budgets }))))

const refusal = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => "admitted",
    (error: unknown) => error
  )

const argumentOf = (error: unknown): string | undefined =>
  error instanceof InvalidArgument ? error.argument : `not InvalidArgument: ${String(error)}`

/** An Effect whose error channel is at most NonBlocking's (an argument with a wider channel does not compile). */
const nonBlockingChannel = <A, E extends SharedAcquireErrorOf<"NonBlocking">, R>(effect: Effect.Effect<A, E, R>) =>
  effect

/** A facade ref's name, once released. */
const released = (ref: { readonly name: string; release(): void }): string => {
  ref.release()
  return ref.name
}

describe("SharedResources refuses a timeout the mode refuses, at compile time", () => {
  test("Timeout without a timeout, and a timeout without a mode, do not compile (InvalidArgument at run time)", async () => {
    const exit = await run(
      Effect.gen(function* () {
        const shared = yield* SharedResources
        const refused = [
          // @ts-expect-error: mode Timeout needs a timeout
          yield* Effect.flip(shared.acquire(memory, { mode: "Timeout" })),
          // @ts-expect-error: mode Timeout needs a timeout, with a create hook
          yield* Effect.flip(shared.acquire(memory, { mode: "Timeout", create: () => new Float32Array(4) })),
          // @ts-expect-error: mode Timeout needs a timeout, in ResourceManager's form
          yield* Effect.flip(shared.acquire("a", memory, { mode: "Timeout" })),
          // @ts-expect-error: mode Timeout needs a timeout, in use
          yield* Effect.flip(shared.use(memory, () => Effect.void, { mode: "Timeout" })),
          // @ts-expect-error: mode Timeout needs a timeout, in use's ResourceManager form
          yield* Effect.flip(shared.use("b", memory, () => Effect.void, { mode: "Timeout" })),
          // @ts-expect-error: no mode is NonBlocking, which takes no timeout
          yield* Effect.flip(shared.acquire(memory, { timeout: "1 second" })),
          // @ts-expect-error: no mode is NonBlocking, which takes no timeout, with a create hook
          yield* Effect.flip(shared.acquire(memory, { timeout: 10, create: () => new Float32Array(4) })),
          // @ts-expect-error: no mode is NonBlocking, which takes no timeout, in ResourceManager's form
          yield* Effect.flip(shared.acquire("c", memory, { timeout: "1 second" })),
          // @ts-expect-error: no mode is NonBlocking, which takes no timeout, in use
          yield* Effect.flip(shared.use(memory, () => Effect.void, { timeout: 10 })),
          // @ts-expect-error: no mode is NonBlocking, which takes no timeout, in use's form with a create hook
          yield* Effect.flip(shared.use("d", memory, () => Effect.void, { timeout: 10, create: () => 1 }))
        ]
        return refused.map(argumentOf)
      })
    )
    expect(exit).toEqual(Exit.succeed(Array.from({ length: 10 }, () => "timeout")))
    // the option types themselves
    // @ts-expect-error: an options object of mode Timeout has a timeout
    const noTimeout: SharedAcquireEffectOptions<Uint8Array, "Timeout"> = { mode: "Timeout" }
    // @ts-expect-error: options of every mode without a mode take no timeout
    const noMode: SharedAcquireEffectOptions<Uint8Array> = { timeout: "1 second" }
    expect([noTimeout.mode, noMode.timeout]).toEqual(["Timeout", "1 second"])
  })

  test("options without a mode or a timeout give NonBlocking's channel; each mode, a union mode and typed options compile", async () => {
    const exit = await run(
      Effect.gen(function* () {
        const shared = yield* SharedResources
        const names = [
          (yield* nonBlockingChannel(shared.acquire(memory, { name: "a" }))).name,
          (yield* nonBlockingChannel(shared.acquire(memory, { name: "b", create: () => new Float32Array(4) }))).name,
          (yield* nonBlockingChannel(shared.acquire("c", memory, { create: () => 1 }))).name,
          yield* nonBlockingChannel(shared.use(memory, (ref) => Effect.succeed(ref.name), { name: "d" })),
          yield* nonBlockingChannel(shared.use("e", memory, (ref) => Effect.succeed(ref.name), {}))
        ]
        for (const mode of ["NonBlocking", "Blocking", "Emergency"] as const) {
          names.push((yield* shared.acquire(`${mode}-1`, memory, { mode })).name)
          names.push(yield* shared.use(memory, (ref) => Effect.succeed(ref.name), { mode, name: `${mode}-2` }))
        }
        names.push((yield* shared.acquire(memory, { mode: "Timeout", timeout: "1 second", name: "t" })).name)
        const some = (mode: AcquireMode) => mode
        names.push((yield* shared.acquire("u", memory, { mode: some("Timeout"), timeout: 10 })).name)
        names.push((yield* shared.acquire("v", memory, { mode: some("Blocking") })).name)
        const typed: SharedAcquireEffectOptions<Float32Array> = {
          mode: "Timeout",
          timeout: 10,
          create: () => new Float32Array(4)
        }
        names.push((yield* shared.acquire("w", memory, typed)).name)
        const explicit = yield* shared.acquire<Float32Array>("x", memory, {
          mode: "Timeout",
          timeout: 10,
          create: () => new Float32Array(4)
        })
        names.push(explicit.name)
        return names
      })
    )
    expect(exit).toEqual(
      Exit.succeed(
        ["a", "b", "c", "d", "e", "NonBlocking-1", "NonBlocking-2", "Blocking-1", "Blocking-2"].concat([
          "Emergency-1",
          "Emergency-2",
          "t",
          "u",
          "v",
          "w",
          "x"
        ])
      )
    )
  })
})

describe("the shared manager refuses Timeout without timeoutMillis, at compile time", () => {
  test("acquireAsync and use with mode Timeout and no timeoutMillis do not compile (InvalidArgument at run time)", async () => {
    using manager = createSharedResourceManager({ budgets })
    const refused = [
      // @ts-expect-error: mode Timeout needs timeoutMillis
      await refusal(manager.acquireAsync(memory, { mode: "Timeout" })),
      // @ts-expect-error: mode Timeout needs timeoutMillis, with a create hook
      await refusal(manager.acquireAsync(memory, { mode: "Timeout", create: () => new Float32Array(4) })),
      // @ts-expect-error: mode Timeout needs timeoutMillis, in the facade's form
      await refusal(manager.acquireAsync("a", memory, { mode: "Timeout" })),
      // @ts-expect-error: mode Timeout needs timeoutMillis, in the facade's form with a create hook
      await refusal(manager.acquireAsync("b", memory, { mode: "Timeout", create: () => 1 })),
      // @ts-expect-error: mode Timeout needs timeoutMillis, in use
      await refusal(manager.use("c", memory, () => 1, { mode: "Timeout" })),
      // @ts-expect-error: mode Timeout needs timeoutMillis, in use with a create hook
      await refusal(manager.use("d", memory, () => 1, { mode: "Timeout", create: () => 1 }))
    ]
    expect(refused.map(argumentOf)).toEqual(Array.from({ length: 6 }, () => "timeoutMillis"))
    // @ts-expect-error: an options object of mode Timeout has timeoutMillis
    const options: SharedAcquireAsyncOptions<Uint8Array, "Timeout"> = { mode: "Timeout" }
    expect(argumentOf(await refusal(manager.acquireAsync(memory, options)))).toBe("timeoutMillis")
    // @ts-expect-error: the helper's mode Timeout has timeoutMillis
    const helper: SharedTimeoutMillisOfMode<"Timeout"> = { mode: "Timeout" }
    const timed: SharedTimeoutMillisOfMode<"Timeout"> = { mode: "Timeout", timeoutMillis: 50 }
    expect([helper.mode, timed.timeoutMillis]).toEqual(["Timeout", 50])
  })

  test("Timeout with timeoutMillis, every other mode without it, and typed options still compile", async () => {
    using manager = createSharedResourceManager({ budgets })
    const names: Array<string> = []
    for (const mode of ["NonBlocking", "Blocking", "Emergency"] as const) {
      names.push(released(await manager.acquireAsync(`${mode}-1`, memory, { mode })))
      names.push(await manager.use(`${mode}-2`, memory, (ref) => ref.name, { mode }))
    }
    names.push(released(await manager.acquireAsync(memory, { mode: "Timeout", timeoutMillis: 10, name: "t" })))
    const typed: SharedAcquireAsyncOptions<Float32Array> = {
      mode: "Timeout",
      timeoutMillis: 10,
      create: () => new Float32Array(4)
    }
    names.push(released(await manager.acquireAsync("u", memory, typed)))
    const some = (mode: AcquireMode) => mode
    names.push(released(await manager.acquireAsync("v", memory, { mode: some("Timeout"), timeoutMillis: 10 })))
    names.push(released(await manager.acquireAsync<Float32Array>("w", memory, { mode: "Timeout", timeoutMillis: 10 })))
    names.push(released(await manager.acquireAsync("x", memory, {})))
    expect(names).toEqual(
      ["NonBlocking-1", "NonBlocking-2", "Blocking-1", "Blocking-2", "Emergency-1", "Emergency-2"].concat([
        "t",
        "u",
        "v",
        "w",
        "x"
      ])
    )
  })
})
