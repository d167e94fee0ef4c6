import { describe, expect, test } from "bun:test"
import { AcquisitionMode, ResourceFlags } from "@flight-hal/core"
import { Effect, Exit } from "effect"
import { createResourceManager, ResourceManager } from "../src/index.ts"
import { Core } from "../src/internal/core.ts"
import { WaitingRequest } from "../src/internal/transitions.ts"
import { thrown as caught } from "./support/thrown.ts"

const quiet = { onLeaks: () => {} }
const shareable = ResourceFlags.combine("Shareable")

describe("a shared handle gives the receiver the payload (facade)", () => {
  test("the share sees the owner's payload, and keeps it after the owner released", () => {
    const manager = createResourceManager(quiet)
    const owner = manager.acquire<Float32Array>(
      "vertices",
      { type: "Hardware", sizeBytes: 64, flags: shareable },
      { create: (m) => new Float32Array(m.sizeBytes / 4) }
    )
    owner.payload[0] = 1.5
    const share = manager.share<Float32Array>(owner.handle, "audio")
    expect(share.payload).toBe(owner.payload)
    expect(share.name).toBe("vertices")
    expect(share.metadata).toMatchObject({ type: "Hardware", sizeBytes: 64 })
    owner.release()
    expect(() => owner.payload).toThrow()
    // the owner is gone; the audio driver still holds the resource and its payload
    expect(share.released).toBe(false)
    expect(share.payload[0]).toBe(1.5)
    share.payload[1] = 2
    expect(manager.holders(share.handle)).toEqual(["audio"])
    share.release()
    expect(share.released).toBe(true)
    expect((caught(() => share.payload) as { _tag?: string })._tag).toBe("ResourceReleased")
    expect(manager.snapshot().liveResources).toBe(0)
    manager.close()
  })

  test("the payload is made once, by whichever holder reads it first", () => {
    const manager = createResourceManager(quiet)
    let made = 0
    const owner = manager.acquire(
      "lazy",
      { type: "Custom", sizeBytes: 1, flags: shareable },
      { create: () => ({ id: ++made }) }
    )
    const share = manager.share<{ readonly id: number }>(owner.handle, "reader")
    expect(share.payload.id).toBe(1)
    expect(owner.payload.id).toBe(1)
    expect(made).toBe(1)
    owner.release()
    share.release()
    manager.close()
  })

  test("the payload is destroyed when the last holder lets go, not before", () => {
    const manager = createResourceManager(quiet)
    const destroyed: Array<number> = []
    const owner = manager.acquire(
      "buffer",
      { type: "Memory", sizeBytes: 8, flags: shareable },
      { create: () => [7], destroy: (payload) => destroyed.push(payload[0] ?? -1) }
    )
    const a = manager.share<Array<number>>(owner.handle, "a")
    const b = manager.share<Array<number>>(owner.handle, "b")
    expect(a.payload).toEqual([7])
    owner.release()
    a.release()
    expect(destroyed).toEqual([])
    expect(b.payload).toEqual([7])
    b.release()
    expect(destroyed).toEqual([7])
    manager.close()
  })

  test("a pool-served payload stays the share's until the last release, then its block goes back", () => {
    const manager = createResourceManager({
      ...quiet,
      pools: [{ type: "Memory", blockSize: 64, initialCount: 2, maxCount: 2 }]
    })
    const owner = manager.acquire("block", { type: "Memory", sizeBytes: 64, flags: shareable })
    const share = manager.share<Uint8Array>(owner.handle, "dma")
    owner.payload.fill(9)
    owner.release()
    expect(share.payload.byteLength).toBe(64)
    expect(share.payload[63]).toBe(9)
    expect(manager.snapshot().pools[0]?.usedBlocks).toBe(1)
    share.release()
    expect(manager.snapshot().pools[0]?.usedBlocks).toBe(0)
    manager.close()
  })

  test("a share of a resource without a ref (registerResource) gets the default payload", () => {
    const manager = createResourceManager(quiet)
    const handle = manager.registerResource("raw", { type: "Memory", sizeBytes: 16, flags: shareable })
    const share = manager.share<Uint8Array>(handle, "reader")
    expect(share.payload.byteLength).toBe(16)
    expect(manager.share<Uint8Array>(handle, "second").payload).toBe(share.payload)
    manager.close()
  })

  test("closing the manager, or releasing the driver's hold by hand, ends the share's access", () => {
    const manager = createResourceManager(quiet)
    const owner = manager.acquire("r", { type: "Memory", sizeBytes: 4, flags: shareable })
    const byHand = manager.share<Uint8Array>(owner.handle, "manual")
    manager.releaseResource(owner.handle, "manual")
    expect(byHand.released).toBe(true)
    expect((caught(() => byHand.payload) as { _tag?: string })._tag).toBe("ResourceReleased")
    const share = manager.share<Uint8Array>(owner.handle, "audio")
    expect(share.payload.byteLength).toBe(4)
    manager.close()
    expect(share.released).toBe(true)
    expect((caught(() => share.payload) as { _tag?: string })._tag).toBe("ResourceReleased")
  })
})

describe("a shared handle gives the receiver the payload (Effect)", () => {
  test("get succeeds while held, after the owner's release too, and fails with ResourceReleased after its own", async () => {
    const result = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const manager = yield* ResourceManager
          const owner = yield* manager.acquire("frame", { type: "Memory", sizeBytes: 32, flags: shareable })
          ;(yield* owner.get).fill(3)
          const share = yield* manager.share<Uint8Array>(owner.handle, "gpu")
          owner.release()
          const bytes = yield* share.get
          const holders = yield* manager.holders(share.handle)
          share.release()
          const after = yield* Effect.exit(share.get)
          return { length: bytes.byteLength, first: bytes[0], holders, after }
        })
      ).pipe(Effect.provide(ResourceManager.layer(quiet)))
    )
    expect(result.length).toBe(32)
    expect(result.first).toBe(3)
    expect(result.holders).toEqual(["gpu"])
    expect(Exit.isFailure(result.after)).toBe(true)
    if (Exit.isFailure(result.after)) expect(JSON.stringify(result.after.cause)).toContain("ResourceReleased")
  })

  test("the share's scope ends its access and frees the resource when it was the last holder", async () => {
    const destroyed: Array<string> = []
    const live = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const manager = yield* ResourceManager
          const owner = yield* manager.acquire(
            "tex",
            { type: "Custom", sizeBytes: 1, flags: shareable },
            { create: () => "texture", destroy: (p: string) => void destroyed.push(p) }
          )
          const seen = yield* Effect.scoped(
            Effect.gen(function* () {
              const share = yield* manager.share<string>(owner.handle, "gpu")
              owner.release()
              return yield* share.get
            })
          )
          expect(seen).toBe("texture")
          return (yield* manager.snapshot).liveResources
        })
      ).pipe(Effect.provide(ResourceManager.layer(quiet)))
    )
    expect(live).toBe(0)
    expect(destroyed).toEqual(["texture"])
  })
})

describe("the payload cell in the core", () => {
  test("a share taken between a waiter's grant and its ref still sees the owner's create hook", () => {
    const budget = { maxBytes: 10, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 }
    const core = Core.make<never>({ budgets: { Custom: budget } }, () => 0)
    if (!(core instanceof Core)) throw core
    const blocker = core.request("blocker", { type: "Custom", sizeBytes: 10 }, AcquisitionMode.NonBlocking, "a")
    const late = core.request("late", { type: "Custom", sizeBytes: 5, flags: shareable }, AcquisitionMode.Blocking, "b")
    if (!("type" in blocker) || !("type" in late)) throw new Error("bad request")
    const blockerSlot = core.start(blocker)
    if (typeof blockerSlot !== "number") throw new Error("not admitted")
    const waiter = core.start(late)
    if (!(waiter instanceof WaitingRequest)) throw new Error("not waiting")
    core.release(blockerSlot, blocker.driver) // grants "late"; no ref is bound yet
    expect(waiter.grantedSlot).toBeGreaterThanOrEqual(0)
    const share = core.share<string>(core.handleOf(waiter.grantedSlot), "reader")
    if (share instanceof Error) throw share
    const ref = core.bind(waiter.grantedSlot, late, () => "made by the owner's hook", undefined)
    expect(share.payload).toBe("made by the owner's hook")
    expect(ref.payload).toBe("made by the owner's hook")
    core.close()
  })
})
