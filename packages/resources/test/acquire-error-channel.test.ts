/**
 * The error channel of the Effect service's `acquire` and `use` follows the mode, and the default mode is
 * NonBlocking: options without a `mode` (an owner, hooks, a payload type argument) give NonBlocking's channel,
 * not every mode's. Checked by the type checker (`tsc -b`, which type-checks the tests: a wrong channel is a
 * compile error here) and, at run time, by the errors the calls really fail with.
 */
import { expect, test } from "bun:test"
import type { PayloadUnavailable, ResourceMetadata, ResourceReleased } from "@flight-hal/core"
import { Effect, Exit } from "effect"
import {
  type AcquireError,
  type AcquireErrorOf,
  createResourceManager,
  ResourceManager,
  type ResourceRef
} from "../src/index.ts"

/** `true` when `A` and `B` are the same type (not merely assignable either way). */
type Same<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false

/** The error type of an Effect. */
type ErrorOf<T> = T extends Effect.Effect<infer _A, infer E, infer _R> ? E : never

/** The tag of the error an exit failed with ("none" when it succeeded). */
const tagOf = (exit: Exit.Exit<unknown, { readonly _tag: string }>): string => {
  if (Exit.isSuccess(exit)) return "none"
  const error = Exit.findErrorOption(exit)
  return error._tag === "Some" ? error.value._tag : "defect"
}

const metadata: ResourceMetadata = { type: "Memory", sizeBytes: 64 }
const tooBig = { type: "Memory", sizeBytes: 4096 } as const

const calls = Effect.gen(function* () {
  const manager = yield* ResourceManager
  const noOptions = manager.acquire("a", tooBig)
  const ownerOnly = manager.acquire("b", tooBig, { owner: "audio" })
  const withCreate = manager.acquire("c", metadata, { create: () => new Float32Array(4) })
  const explicitPayload = manager.acquire<Float32Array>("d", metadata, { create: () => new Float32Array(4) })
  const explicitPayloadBlocking = manager.acquire<Float32Array>("e", metadata, {
    mode: "Blocking",
    create: () => new Float32Array(4)
  })
  const blocking = manager.acquire("f", tooBig, { mode: "Blocking" })
  const timeout = manager.acquire("g", tooBig, { mode: "Timeout", timeout: 10 })
  const useNoOptions = manager.use("h", tooBig, (ref: ResourceRef<Uint8Array>) => Effect.succeed(ref.name))
  const useOwnerOnly = manager.use("i", tooBig, (ref) => Effect.succeed(ref.name), { owner: "audio" })
  const useEmergency = manager.use("j", tooBig, (ref) => Effect.succeed(ref.name), { mode: "Emergency" })
  const checks: [
    Same<ErrorOf<typeof noOptions>, AcquireErrorOf<"NonBlocking">>,
    Same<ErrorOf<typeof ownerOnly>, AcquireErrorOf<"NonBlocking">>,
    Same<ErrorOf<typeof withCreate>, AcquireErrorOf<"NonBlocking">>,
    Same<ErrorOf<typeof explicitPayload>, AcquireErrorOf<"NonBlocking">>,
    Same<ErrorOf<typeof explicitPayloadBlocking>, AcquireError>,
    Same<ErrorOf<typeof blocking>, AcquireErrorOf<"Blocking">>,
    Same<ErrorOf<typeof timeout>, AcquireErrorOf<"Timeout">>,
    Same<ErrorOf<typeof useNoOptions>, AcquireErrorOf<"NonBlocking">>,
    Same<ErrorOf<typeof useOwnerOnly>, AcquireErrorOf<"NonBlocking">>,
    Same<ErrorOf<typeof useEmergency>, AcquireErrorOf<"Emergency">>
  ] = [true, true, true, true, true, true, true, true, true, true]
  // at run time: options without a mode are NonBlocking (a request that does not fit fails at once)
  const tags = [
    tagOf(yield* Effect.exit(Effect.scoped(noOptions))),
    tagOf(yield* Effect.exit(Effect.scoped(ownerOnly))),
    tagOf(yield* Effect.exit(useNoOptions)),
    tagOf(yield* Effect.exit(useOwnerOnly))
  ]
  return { checks, tags }
})

/** `use`'s payload follows the metadata's type as `acquire`'s does (`DefaultPayload`): bytes only for Memory. */
const payloads = Effect.gen(function* () {
  const manager = yield* ResourceManager
  const memoryPayload = manager.use("k", { type: "Memory", sizeBytes: 8 } as const, (ref) => ref.get)
  const hardwarePayload = manager.use("l", { type: "Hardware", sizeBytes: 1 } as const, (ref) => ref.get)
  const hardwareBlocking = manager.use("m", { type: "Hardware", sizeBytes: 1 } as const, (ref) => ref.get, {
    mode: "Blocking"
  })
  const made = manager.use("n", { type: "Hardware", sizeBytes: 1 }, (ref) => ref.get, { create: () => ({ fd: 3 }) })
  const annotated = manager.use("o", { type: "Hardware", sizeBytes: 1 }, (ref: ResourceRef<{ fd: number }>) =>
    Effect.succeed(ref.name)
  )
  const checks: [
    Same<Effect.Success<typeof memoryPayload>, Uint8Array>,
    Same<Effect.Success<typeof hardwarePayload>, Uint8Array | undefined>,
    Same<ErrorOf<typeof hardwareBlocking>, AcquireErrorOf<"Blocking"> | ResourceReleased | PayloadUnavailable>,
    Same<Effect.Success<typeof made>, { fd: number }>,
    Same<Effect.Success<typeof annotated>, string>
  ] = [true, true, true, true, true]
  return {
    checks,
    values: [yield* memoryPayload, yield* hardwarePayload, yield* hardwareBlocking, yield* made, yield* annotated]
  }
})

test("use's payload is the metadata type's default payload, as acquire's (a Hardware payload may be undefined)", async () => {
  const { checks, values } = await Effect.runPromise(payloads.pipe(Effect.provide(ResourceManager.layer({}))))
  expect(checks.every((check) => check)).toBe(true)
  expect(values[0]).toBeInstanceOf(Uint8Array)
  expect(values.slice(1)).toEqual([undefined, undefined, { fd: 3 }, "o"])
})

test("the plain facade's use: the same default payloads", async () => {
  const manager = createResourceManager({})
  const hardware = manager.use("p", { type: "Hardware", sizeBytes: 1 } as const, (ref) => ref.payload)
  const memory = manager.use("q", { type: "Memory", sizeBytes: 8 } as const, (ref) => ref.payload.byteLength)
  const checks: [Same<Awaited<typeof hardware>, Uint8Array | undefined>, Same<Awaited<typeof memory>, number>] = [
    true,
    true
  ]
  expect(checks).toEqual([true, true])
  expect([await hardware, await memory]).toEqual([undefined, 8])
  manager.close()
})

test("options without a mode give NonBlocking's error channel (and fail as NonBlocking)", async () => {
  const budgets = { Memory: { maxBytes: 1024, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 } }
  const { checks, tags } = await Effect.runPromise(calls.pipe(Effect.provide(ResourceManager.layer({ budgets }))))
  expect(checks.every((check) => check)).toBe(true)
  expect(tags).toEqual(["BudgetExceeded", "BudgetExceeded", "BudgetExceeded", "BudgetExceeded"])
})
