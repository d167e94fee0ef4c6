/**
 * The shared front ends type an acquisition as the single-thread ones do. The payload follows the metadata's type
 * and the `create` hook (`DefaultPayload`: bytes for Memory, `Uint8Array | undefined` for the others, whose
 * payload is `undefined` unless a pool serves them), not `Uint8Array` for every type. `share<T>()` stays
 * caller-stated. `SharedResources.acquire`/`use`'s error channel follows the mode (`SharedAcquireErrorOf<M>`), and
 * a timeout with a mode that is not `Timeout` does not compile: the Effect service's `timeout`, and the facade's
 * `timeoutMillis` in `acquireAsync` and `use`. The `@ts-expect-error` lines, and the assignments to the narrowed
 * types, are checked by `tsc -b`: each fails to compile without the types.
 */
import { describe, expect, test } from "bun:test"
import { type BudgetExceeded, InvalidArgument, type ResourceBusy } from "@flight-hal/core"
import { Effect, Exit, Layer, type Scope } from "effect"
import {
  attachSharedResourceManager,
  createSharedResourceManager,
  type SharedAcquireAsyncOptions,
  type SharedAcquireEffectOptions,
  type SharedAcquireErrorOf,
  type SharedResource,
  SharedResources
} from "../src/index.ts"

const budgets = { Memory: { maxBytes: 64, reservedBytes: 0, warningPercent: 70, criticalPercent: 90 } }
const memory = { type: "Memory" as const, sizeBytes: 16 }
const hardware = { type: "Hardware" as const, sizeBytes: 1 }
const tooBig = { type: "Memory" as const, sizeBytes: 128 }

const run = <A, E>(program: Effect.Effect<A, E, SharedResources | Scope.Scope>) =>
  Effect.runPromiseExit(Effect.provide(Effect.scoped(program), Layer.fresh(SharedResources.layer({ budgets }))))

const refusal = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => "admitted",
    (error: unknown) => error
  )

/** An Effect whose error channel is at most NonBlocking's (an argument with a wider channel does not compile). */
const nonBlockingChannel = <A, R>(effect: Effect.Effect<A, SharedAcquireErrorOf<"NonBlocking">, R>) => effect

describe("the shared facade types the payload by the metadata's type and the create hook", () => {
  test("a Hardware payload is Uint8Array | undefined (undefined without a pool), Memory's bytes", async () => {
    using manager = createSharedResourceManager({ budgets })
    const timer = manager.acquire(hardware)
    // @ts-expect-error: a Hardware payload may be undefined
    const timerBytes: Uint8Array = timer.payload
    const named = manager.acquire("timer", hardware)
    // @ts-expect-error: a Hardware payload may be undefined, in the facade's form
    const namedBytes: Uint8Array = named.payload
    const waited = await manager.acquireAsync(hardware, { mode: "Blocking" })
    // @ts-expect-error: a Hardware payload may be undefined, in acquireAsync
    const waitedBytes: Uint8Array = waited.payload
    const waitedNamed = await manager.acquireAsync("waited", hardware)
    // @ts-expect-error: a Hardware payload may be undefined, in acquireAsync's facade form
    const waitedNamedBytes: Uint8Array = waitedNamed.payload
    // @ts-expect-error: a Hardware payload may be undefined, in use
    const used: Uint8Array = await manager.use("used", hardware, (ref) => ref.payload)
    expect<unknown>([timerBytes, namedBytes, waitedBytes, waitedNamedBytes, used]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined
    ])
    for (const ref of [timer, named, waited, waitedNamed]) ref.release()
    // Memory's payload is bytes; a create hook's value is its type; an explicit T is the caller's
    const bytes: Uint8Array = manager.acquire(memory).payload
    const made: number = manager.acquire(hardware, { create: () => 7 }).payload
    const madeNamed: string = (await manager.acquireAsync("made", hardware, { create: () => "conn" })).payload
    const stated = manager.acquire<Float32Array>(memory, { create: () => new Float32Array(2) })
    using other = attachSharedResourceManager(manager.descriptor)
    const shared: Uint8Array = other.share<Uint8Array>(manager.acquire(memory).handle).payload
    expect([bytes.length, made, madeNamed, stated.payload.length, shared.length]).toEqual([16, 7, "conn", 2, 16])
  })
})

describe("SharedResources types the payload by the metadata's type and the create hook", () => {
  test("a Hardware payload is Uint8Array | undefined in acquire and use, both forms", async () => {
    const exit = await run(
      Effect.gen(function* () {
        const shared = yield* SharedResources
        const timer = yield* shared.acquire(hardware)
        // @ts-expect-error: a Hardware payload may be undefined
        const timerBytes: Uint8Array = yield* timer.get
        const named = yield* shared.acquire("timer", hardware, { mode: "Blocking" })
        // @ts-expect-error: a Hardware payload may be undefined, in ResourceManager's form
        const namedBytes: Uint8Array = named.payload
        // @ts-expect-error: a Hardware payload may be undefined, in use
        const used: Uint8Array = yield* shared.use(hardware, (ref) => ref.get)
        // @ts-expect-error: a Hardware payload may be undefined, in use's ResourceManager form
        const usedNamed: Uint8Array = yield* shared.use("used", hardware, (ref) => Effect.sync(() => ref.payload))
        const bytes: Uint8Array = (yield* shared.acquire(memory)).payload
        const made: number = (yield* shared.acquire(hardware, { create: () => 7 })).payload
        return [timerBytes, namedBytes, used, usedNamed, bytes.length, made]
      })
    )
    expect<unknown>(exit).toEqual(Exit.succeed([undefined, undefined, undefined, undefined, 16, 7]))
  })
})

describe("SharedResources.acquire's error channel follows the mode", () => {
  test("NonBlocking (no mode, or written) and Emergency cannot time out or deadlock; Timeout can", async () => {
    const exit = await run(
      Effect.gen(function* () {
        const shared = yield* SharedResources
        const refused = yield* Effect.flip(nonBlockingChannel(shared.acquire(tooBig)))
        const named = yield* Effect.flip(nonBlockingChannel(shared.acquire("big", tooBig, { mode: "NonBlocking" })))
        const made = yield* Effect.flip(nonBlockingChannel(shared.acquire(tooBig, { create: () => 1 })))
        const used = yield* Effect.flip(nonBlockingChannel(shared.use(tooBig, () => Effect.void)))
        const emergency: Effect.Effect<
          SharedResource<Uint8Array>,
          SharedAcquireErrorOf<"Emergency">,
          Scope.Scope
        > = shared.acquire(memory, { mode: "Emergency" })
        yield* emergency
        // every error NonBlocking can end with, handled: nothing is left in the channel
        const handled: Effect.Effect<string, never, Scope.Scope> = shared.acquire(tooBig).pipe(
          Effect.as("admitted"),
          Effect.catchTag("BudgetExceeded", (error: BudgetExceeded) => Effect.succeed(error._tag)),
          Effect.catchTag("ResourceBusy", (error: ResourceBusy) => Effect.succeed(error._tag)),
          Effect.catchTag("InvalidMetadata", (error) => Effect.succeed(error._tag)),
          Effect.catchTag("InvalidArgument", (error) => Effect.succeed(error._tag)),
          Effect.catchTag("ManagerClosed", (error) => Effect.succeed(error._tag))
        )
        const timed = shared.acquire(tooBig, { mode: "Timeout", timeout: 10 })
        // a Timeout acquisition may time out: its channel is not NonBlocking's
        // @ts-expect-error: AcquireTimeout and DeadlockDetected are in the Timeout channel
        const wider = nonBlockingChannel(timed)
        const stillTimed = yield* Effect.flip(wider)
        return [refused._tag, named._tag, made._tag, used._tag, yield* handled, stillTimed._tag]
      })
    )
    expect(exit).toEqual(
      Exit.succeed([
        "BudgetExceeded",
        "BudgetExceeded",
        "BudgetExceeded",
        "BudgetExceeded",
        "BudgetExceeded",
        "BudgetExceeded"
      ])
    )
  })

  test("a timeout with a mode that is not Timeout does not compile, and is InvalidArgument at run time", async () => {
    const exit = await run(
      Effect.gen(function* () {
        const shared = yield* SharedResources
        const refused = [
          // @ts-expect-error: a timeout with mode Blocking
          yield* Effect.flip(shared.acquire(memory, { mode: "Blocking", timeout: "1 second" })),
          // @ts-expect-error: a timeout with mode NonBlocking, in ResourceManager's form
          yield* Effect.flip(shared.acquire("a", memory, { mode: "NonBlocking", timeout: 10 })),
          // @ts-expect-error: a timeout with mode Emergency and a create hook
          yield* Effect.flip(shared.acquire(memory, { mode: "Emergency", timeout: 10, create: () => 1 })),
          // @ts-expect-error: a timeout with mode Blocking, in use
          yield* Effect.flip(shared.use(memory, () => Effect.void, { mode: "Blocking", timeout: 10 }))
        ]
        return refused.map((error) => (error instanceof InvalidArgument ? error.argument : String(error)))
      })
    )
    expect(exit).toEqual(Exit.succeed(["timeout", "timeout", "timeout", "timeout"]))
    // @ts-expect-error: an options object of mode Blocking has no timeout
    const options: SharedAcquireEffectOptions<Uint8Array, "Blocking"> = { mode: "Blocking", timeout: 10 }
    expect<unknown>(options.timeout).toBe(10)
  })
})

describe("the shared facade's timeoutMillis follows the mode", () => {
  test("another mode with timeoutMillis does not compile, and is InvalidArgument at run time", async () => {
    using manager = createSharedResourceManager({ budgets })
    const refused = [
      // @ts-expect-error: timeoutMillis with mode Blocking
      await refusal(manager.acquireAsync(memory, { mode: "Blocking", timeoutMillis: 10 })),
      // @ts-expect-error: timeoutMillis with mode NonBlocking and a create hook, in the facade's form
      await refusal(manager.acquireAsync("b", memory, { mode: "NonBlocking", timeoutMillis: 10, create: () => 1 })),
      // @ts-expect-error: timeoutMillis with mode Emergency, in use
      await refusal(manager.use("c", memory, () => 1, { mode: "Emergency", timeoutMillis: 10 }))
    ]
    // @ts-expect-error: an options object of mode Blocking has no timeoutMillis
    const options: SharedAcquireAsyncOptions<Uint8Array, "Blocking"> = { mode: "Blocking", timeoutMillis: 10 }
    refused.push(await refusal(manager.acquireAsync(memory, options)))
    for (const error of refused) {
      expect(error).toBeInstanceOf(InvalidArgument)
      expect((error as InvalidArgument).argument).toBe("timeoutMillis")
    }
    // Timeout with timeoutMillis, and options without a mode, still compile
    const timed = await manager.acquireAsync(memory, { mode: "Timeout", timeoutMillis: 50 })
    const plain = await manager.use("d", memory, (ref) => ref.payload.length)
    expect([timed.payload.length, plain]).toEqual([16, 16])
  })
})
