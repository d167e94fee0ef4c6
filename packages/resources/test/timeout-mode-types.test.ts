/**
 * The option combinations that every acquisition refuses at run time (docs/semantics.md section 5: a timeout is
 * required with mode `Timeout` and refused with every other) do not compile either: the Effect service's
 * `{ mode: "Timeout" }` without a `timeout` and `{ timeout }` without a mode (the default mode, NonBlocking, refuses
 * it), and the facade's `{ mode: "Timeout" }` without `timeoutMillis`. Options without a mode and without a timeout
 * still compile in every call form and give NonBlocking's error channel; a mode of every kind without a timeout, a
 * mode whose type is a union, and options typed `AcquireOptions<T>` still compile. The `@ts-expect-error` lines are
 * checked by `tsc -b`: each fails to compile without the types (an unused directive).
 */
import { describe, expect, test } from "bun:test"
import { InvalidArgument } from "@flight-hal/core"
import { Effect, Exit, type Scope } from "effect"
import {
  type AcquireErrorOf,
  type AcquireMode,
  type AcquireOptions,
  type AsyncAcquireOptions,
  createResourceManager,
  ResourceManager,
  type ResourceRef,
  type ScopedResource
} from "../src/index.ts"

const budgets = { Memory: { maxBytes: 1024, reservedBytes: 0, warningPercent: 70, criticalPercent: 90 } }
const memory = { type: "Memory" as const, sizeBytes: 16 }
const run = <A, E>(program: Effect.Effect<A, E, ResourceManager | Scope.Scope>) =>
  Effect.runPromiseExit(Effect.provide(Effect.scoped(program), ResourceManager.layer({ budgets })))
const refusal = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => "admitted",
    (error: unknown) => error
  )
/** A facade ref's name, once released. */
const released = (ref: { readonly name: string; release(): void }): string => {
  ref.release()
  return ref.name
}
const argumentOf = (error: unknown): string | undefined =>
  error instanceof InvalidArgument ? error.argument : `not InvalidArgument: ${String(error)}`

describe("the Effect service refuses a timeout the mode refuses, at compile time", () => {
  test("Timeout without a timeout, and a timeout without a mode, do not compile (InvalidArgument at run time)", async () => {
    const exit = await run(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        const refused = [
          // @ts-expect-error: mode Timeout needs a timeout
          yield* Effect.flip(manager.acquire("a", memory, { mode: "Timeout" })),
          // @ts-expect-error: mode Timeout needs a timeout, with a create hook
          yield* Effect.flip(manager.acquire("b", memory, { mode: "Timeout", create: () => new Float32Array(4) })),
          // @ts-expect-error: mode Timeout needs a timeout, in acquireScoped
          yield* Effect.flip(manager.acquireScoped("c", memory, { mode: "Timeout" })),
          // @ts-expect-error: mode Timeout needs a timeout, in use
          yield* Effect.flip(manager.use("d", memory, () => Effect.void, { mode: "Timeout" })),
          // @ts-expect-error: no mode is NonBlocking, which takes no timeout
          yield* Effect.flip(manager.acquire("e", memory, { timeout: "1 second" })),
          // @ts-expect-error: no mode is NonBlocking, which takes no timeout, with a create hook
          yield* Effect.flip(manager.acquire("f", memory, { timeout: 10, create: () => new Float32Array(4) })),
          // @ts-expect-error: no mode is NonBlocking, which takes no timeout, in acquireScoped
          yield* Effect.flip(manager.acquireScoped("g", memory, { timeout: "1 second" })),
          // @ts-expect-error: no mode is NonBlocking, which takes no timeout, in use
          yield* Effect.flip(manager.use("h", memory, () => Effect.void, { timeout: "1 second" })),
          // @ts-expect-error: no mode is NonBlocking, which takes no timeout, in use with a create hook
          yield* Effect.flip(manager.use("i", memory, () => Effect.void, { timeout: 10, create: () => 1 }))
        ]
        return refused.map(argumentOf)
      })
    )
    expect(exit).toEqual(
      Exit.succeed(["timeout", "timeout", "timeout", "timeout", "timeout", "timeout", "timeout", "timeout", "timeout"])
    )
    // the option types themselves
    // @ts-expect-error: an options object of mode Timeout has a timeout
    const noTimeout: AcquireOptions<Uint8Array, "Timeout"> = { mode: "Timeout" }
    // @ts-expect-error: options of every mode without a mode take no timeout
    const noMode: AcquireOptions<Uint8Array> = { timeout: "1 second" }
    expect([noTimeout.mode, noMode.timeout]).toEqual(["Timeout", "1 second"])
  })

  test("options without a mode or a timeout give NonBlocking's channel; each mode, a union mode and typed options compile", async () => {
    const exit = await run(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        const owned: Effect.Effect<
          ResourceRef<Uint8Array>,
          AcquireErrorOf<"NonBlocking">,
          Scope.Scope
        > = manager.acquire("a", memory, { owner: "other" })
        const hooked: Effect.Effect<
          ResourceRef<Float32Array>,
          AcquireErrorOf<"NonBlocking">,
          Scope.Scope
        > = manager.acquire("b", memory, { create: () => new Float32Array(4) })
        const scoped: Effect.Effect<ScopedResource, AcquireErrorOf<"NonBlocking">, Scope.Scope> = manager.acquireScoped(
          "c",
          memory,
          { owner: "other" }
        )
        const used: Effect.Effect<string, AcquireErrorOf<"NonBlocking">> = manager.use(
          "d",
          memory,
          (ref) => Effect.succeed(ref.name),
          { owner: "other" }
        )
        const names = [(yield* owned).name, (yield* hooked).name, (yield* scoped).name, yield* used]
        for (const mode of ["NonBlocking", "Blocking", "Emergency"] as const) {
          names.push((yield* manager.acquire(`${mode}-1`, memory, { mode })).name)
          names.push(yield* manager.use(`${mode}-2`, memory, (ref) => Effect.succeed(ref.name), { mode }))
        }
        names.push((yield* manager.acquire("t", memory, { mode: "Timeout", timeout: "1 second" })).name)
        const some = (mode: AcquireMode) => mode
        names.push((yield* manager.acquire("u", memory, { mode: some("Timeout"), timeout: 10 })).name)
        names.push((yield* manager.acquire("v", memory, { mode: some("Blocking") })).name)
        const typed: AcquireOptions<Float32Array> = { mode: "Timeout", timeout: 10, create: () => new Float32Array(4) }
        names.push((yield* manager.acquire("w", memory, typed)).name)
        const explicit = yield* manager.acquire<Float32Array>("x", memory, {
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
        ["a", "b", "c", "d", "NonBlocking-1", "NonBlocking-2", "Blocking-1", "Blocking-2"].concat([
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

describe("the facade refuses Timeout without timeoutMillis, at compile time", () => {
  test("acquireAsync and use with mode Timeout and no timeoutMillis do not compile (InvalidArgument at run time)", async () => {
    using manager = createResourceManager({ budgets })
    const refused = [
      // @ts-expect-error: mode Timeout needs timeoutMillis
      await refusal(manager.acquireAsync("a", memory, { mode: "Timeout" })),
      // @ts-expect-error: mode Timeout needs timeoutMillis, with a create hook
      await refusal(manager.acquireAsync("b", memory, { mode: "Timeout", create: () => new Float32Array(4) })),
      // @ts-expect-error: mode Timeout needs timeoutMillis, in use
      await refusal(manager.use("c", memory, () => 1, { mode: "Timeout" })),
      // @ts-expect-error: mode Timeout needs timeoutMillis, in use with a create hook
      await refusal(manager.use("d", memory, () => 1, { mode: "Timeout", create: () => 1 }))
    ]
    expect(refused.map(argumentOf)).toEqual(["timeoutMillis", "timeoutMillis", "timeoutMillis", "timeoutMillis"])
    // @ts-expect-error: an options object of mode Timeout has timeoutMillis
    const options: AsyncAcquireOptions<Uint8Array, "Timeout"> = { mode: "Timeout" }
    expect(argumentOf(await refusal(manager.acquireAsync("e", memory, options)))).toBe("timeoutMillis")
  })

  test("Timeout with timeoutMillis, every other mode without it, and typed options still compile", async () => {
    using manager = createResourceManager({ budgets })
    const names: Array<string> = []
    for (const mode of ["NonBlocking", "Blocking", "Emergency"] as const) {
      names.push(released(await manager.acquireAsync(`${mode}-1`, memory, { mode })))
      names.push(await manager.use(`${mode}-2`, memory, (ref) => ref.name, { mode }))
    }
    names.push(released(await manager.acquireAsync("t", memory, { mode: "Timeout", timeoutMillis: 10 })))
    const typed: AsyncAcquireOptions<Float32Array> = {
      mode: "Timeout",
      timeoutMillis: 10,
      create: () => new Float32Array(4)
    }
    names.push(released(await manager.acquireAsync("u", memory, typed)))
    names.push(released(await manager.acquireAsync("v", memory, { owner: "other" })))
    expect(names).toEqual(
      ["NonBlocking-1", "NonBlocking-2", "Blocking-1", "Blocking-2", "Emergency-1", "Emergency-2"].concat([
        "t",
        "u",
        "v"
      ])
    )
  })
})
