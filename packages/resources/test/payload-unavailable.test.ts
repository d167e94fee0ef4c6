/**
 * A Memory resource whose default payload cannot be allocated (docs/semantics.md, section 2): a size beyond the
 * engine's largest `Uint8Array` (admitted without a budget, or in Emergency mode) threw a raw RangeError from
 * `payload` and died in `get`. Now `payload` throws `PayloadUnavailable { resource, sizeBytes, reason }`, `get` fails
 * with it in the error channel, and nothing changes: the ref stays held, the usage stays charged, and its release
 * frees it as usual. The same through a share (the payload cell), the Effect service and the shared manager.
 */
import { describe, expect, test } from "bun:test"
import { PayloadUnavailable, ResourceFlag, type ResourceMetadata } from "@flight-hal/core"
import { Cause, Context, Effect, Exit, Layer, Scope } from "effect"
import { createResourceManager, createSharedResourceManager, ResourceManager } from "../src/index.ts"
import { thrown } from "./support/thrown.ts"

/** Far beyond any engine's largest typed array (2^40 bytes), and a safe integer. */
const huge = 2 ** 40
const big: ResourceMetadata = { type: "Memory", sizeBytes: huge }
const bigShareable: ResourceMetadata = { type: "Memory", sizeBytes: huge, flags: ResourceFlag.Shareable }

/** The typed failure of an Exit, or undefined. */
const failureOf = (exit: Exit.Exit<unknown, unknown>): unknown =>
  Exit.isFailure(exit) ? exit.cause.reasons.find(Cause.isFailReason)?.error : undefined

const expectUnavailable = (error: unknown, name: string): void => {
  expect(error).toBeInstanceOf(PayloadUnavailable)
  const unavailable = error as PayloadUnavailable
  expect(unavailable._tag).toBe("PayloadUnavailable")
  expect(unavailable.code).toBe(8)
  expect(unavailable.resource).toBe(name)
  expect(unavailable.sizeBytes).toBe(huge)
  expect(unavailable.reason.length).toBeGreaterThan(0)
}

describe("a default payload that cannot be allocated", () => {
  test("the facade: payload throws PayloadUnavailable, get fails with it, the ref stays held and charged", () => {
    const manager = createResourceManager({ onLeaks: () => {} })
    const ref = manager.acquire("big", big)
    expectUnavailable(
      thrown(() => ref.payload),
      "big"
    )
    expectUnavailable(failureOf(Effect.runSyncExit(ref.get)), "big")
    // nothing changed: a second read tries again and fails the same way
    expectUnavailable(
      thrown(() => ref.payload),
      "big"
    )
    expect(ref.released).toBe(false)
    expect(manager.getResourceStats("Memory").currentUsage).toBe(huge)
    ref.release()
    expect(ref.released).toBe(true)
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
    expect(manager.close()).toEqual([])
  })

  test("an Emergency acquisition over a budget, and a share of it (the payload cell)", () => {
    const manager = createResourceManager({
      onLeaks: () => {},
      budgets: { Memory: { maxBytes: 1000, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 } }
    })
    const ref = manager.acquire("", bigShareable, { mode: "Emergency" })
    const share = manager.share(ref.handle, "reader")
    expectUnavailable(
      thrown(() => share.payload),
      ""
    )
    expectUnavailable(failureOf(Effect.runSyncExit(share.get)), "")
    expectUnavailable(
      thrown(() => ref.payload),
      ""
    )
    expect(manager.getResourceStats("Memory").emergencyBytes).toBeGreaterThan(0)
    share.release()
    ref.release()
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
  })

  test("the Effect service: get fails in the error channel, and use releases", () => {
    const scope = Effect.runSync(Scope.make())
    const context = Effect.runSync(Layer.buildWithScope(ResourceManager.layer({ onLeaks: () => {} }), scope))
    const manager = Context.get(context, ResourceManager)
    const used = Effect.runSyncExit(manager.use("big", big, (ref) => ref.get))
    expectUnavailable(failureOf(used), "big")
    const scoped = Effect.runSyncExit(Effect.scoped(Effect.flatMap(manager.acquire("big", big), (ref) => ref.get)))
    expectUnavailable(failureOf(scoped), "big")
    // both released what they acquired
    expect(Effect.runSync(manager.getResourceStats("Memory")).currentUsage).toBe(0)
    Effect.runSync(Scope.close(scope, Exit.void))
  })

  test("the shared manager: payload throws, get fails, the ref stays held", () => {
    const manager = createSharedResourceManager({})
    try {
      const ref = manager.acquire("big", big)
      expectUnavailable(
        thrown(() => ref.payload),
        "big"
      )
      expectUnavailable(failureOf(Effect.runSyncExit(ref.get)), "big")
      expect(ref.released).toBe(false)
      expect(manager.getResourceStats("Memory").currentUsage).toBe(huge)
      ref.release()
      expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
    } finally {
      manager.close()
    }
  })
})
