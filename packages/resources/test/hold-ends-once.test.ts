/**
 * A ref's hold ends once (docs/semantics.md, section 2): a ResourceRef or SharedHandle whose hold ended without it
 * (`reclaim`, `releaseResource(handle, driver)`) stays released when its driver shares the resource again. The new
 * share is a hold of its own: the old ref never reports it as live, never reads through it, and its `release()`
 * never ends it. The same for the Effect front end's refs and for a shared manager's `release(handle)`.
 */
import { describe, expect, test } from "bun:test"
import { ResourceFlags, type ResourceMetadata, ResourceReleased } from "@flight-hal/core"
import { Effect, Exit } from "effect"
import {
  attachSharedResourceManager,
  createResourceManager,
  createSharedResourceManager,
  ResourceManager
} from "../src/index.ts"

const shareable: ResourceMetadata = {
  type: "Memory",
  sizeBytes: 16,
  flags: ResourceFlags.combine("Shareable", "Reclaimable")
}
const quiet = { onLeaks: () => {} }

/** Whether reading `payload` fails with ResourceReleased. */
const payloadReleased = (holder: { readonly payload: unknown }): boolean => {
  try {
    void holder.payload
    return false
  } catch (error) {
    return error instanceof ResourceReleased
  }
}

describe("a ResourceRef whose hold ended stays released", () => {
  test("reclaim, then the owner shares again: the ref stays released and its release() ends nothing", () => {
    using manager = createResourceManager(quiet)
    const ref = manager.acquire("r", shareable, { owner: "o" })
    const gpu = manager.share(ref.handle, "gpu") // keeps the resource alive past the owner's hold
    manager.reclaim(ref.handle)
    expect(ref.released).toBe(true)
    const again = manager.share(ref.handle, "o")
    expect(ref.released).toBe(true)
    expect(payloadReleased(ref)).toBe(true)
    expect(again.released).toBe(false)
    ref.release()
    expect(again.released).toBe(false)
    expect([...manager.holders(ref.handle)].sort()).toEqual(["gpu", "o"])
    expect(again.payload).toBeInstanceOf(Uint8Array)
    again.release()
    gpu.release()
    expect(manager.snapshot().liveResources).toBe(0)
  })

  test("releaseResource(handle, owner), then the owner shares again: the same", () => {
    using manager = createResourceManager(quiet)
    const ref = manager.acquire("r", shareable, { owner: "o" })
    const gpu = manager.share(ref.handle, "gpu")
    manager.releaseResource(ref.handle, "o")
    expect(ref.released).toBe(true)
    const again = manager.share(ref.handle, "o")
    expect(ref.released).toBe(true)
    expect(payloadReleased(ref)).toBe(true)
    ref[Symbol.dispose]()
    expect(again.released).toBe(false)
    expect([...manager.holders(ref.handle)].sort()).toEqual(["gpu", "o"])
    again.release()
    expect(manager.holders(ref.handle)).toEqual(["gpu"])
    gpu.release()
    expect(manager.snapshot().liveResources).toBe(0)
  })

  test("a ref released by itself stays released when its owner shares again", () => {
    using manager = createResourceManager(quiet)
    const ref = manager.acquire("r", shareable, { owner: "o" })
    const gpu = manager.share(ref.handle, "gpu")
    ref.release()
    const again = manager.share(ref.handle, "o")
    expect(ref.released).toBe(true)
    expect(again.released).toBe(false)
    ref.release()
    expect(again.released).toBe(false)
    again.release()
    gpu.release()
    expect(manager.snapshot().liveResources).toBe(0)
  })

  test("detectGarbageCollectedLeaks: a collected ref whose hold ended is no leak of its owner's later share", async () => {
    const leaks: Array<string> = []
    using manager = createResourceManager({
      onLeaks: (l) => leaks.push(...l.map((leak) => leak.name)),
      detectGarbageCollectedLeaks: true
    })
    const start = () => {
      const ref = manager.acquire("r", shareable, { owner: "o" })
      const gpu = manager.share(ref.handle, "gpu")
      manager.reclaim(ref.handle)
      const again = manager.share(ref.handle, "o")
      return { handle: ref.handle, gpu, again, collected: new WeakRef(ref) }
    }
    const { handle, gpu, again, collected } = start()
    for (let i = 0; i < 50 && collected.deref() !== undefined; i++) {
      Bun.gc(true)
      await new Promise((resolve) => setImmediate(resolve))
    }
    for (let i = 0; i < 5; i++) {
      Bun.gc(true)
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect(collected.deref()).toBeUndefined()
    expect(leaks).toEqual([])
    expect(again.released).toBe(false)
    expect([...manager.holders(handle)].sort()).toEqual(["gpu", "o"])
    again.release()
    gpu.release()
  })

  test("Effect: a ref ended by reclaim stays released when its owner shares again", async () => {
    const outcome = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const manager = yield* ResourceManager
          const ref = yield* manager.acquire("r", shareable, { owner: "o" })
          const gpu = yield* manager.share(ref.handle, "gpu")
          yield* manager.reclaim(ref.handle)
          const again = yield* manager.share<Uint8Array>(ref.handle, "o")
          const read = yield* Effect.exit(ref.get)
          const releasedBefore = ref.released
          ref.release()
          const holders = yield* manager.holders(ref.handle)
          return {
            releasedBefore,
            readFailed: Exit.isFailure(read),
            againReleased: again.released,
            gpuReleased: gpu.released,
            holders: [...holders].sort()
          }
        })
      ).pipe(Effect.provide(ResourceManager.layer(quiet)))
    )
    expect(outcome).toEqual({
      releasedBefore: true,
      readFailed: true,
      againReleased: false,
      gpuReleased: false,
      holders: ["gpu", "o"]
    })
  })
})

describe("a SharedHandle whose hold ended stays released", () => {
  test("releaseResource(handle, sharer), then the sharer shares again: the old share ends nothing", () => {
    using manager = createResourceManager(quiet)
    const ref = manager.acquire("r", shareable, { owner: "o" })
    const first = manager.share(ref.handle, "gpu")
    manager.releaseResource(ref.handle, "gpu")
    expect(first.released).toBe(true)
    const second = manager.share(ref.handle, "gpu")
    expect(first.released).toBe(true)
    expect(payloadReleased(first)).toBe(true)
    first.release()
    first[Symbol.dispose]()
    expect(second.released).toBe(false)
    expect(manager.holders(ref.handle)).toEqual(["o", "gpu"])
    second.release()
    ref.release()
    expect(manager.snapshot().liveResources).toBe(0)
  })

  test("the owner's share ended by reclaim, then shared again: the old share ends nothing", () => {
    using manager = createResourceManager(quiet)
    const ref = manager.acquire("r", shareable, { owner: "o" })
    const gpu = manager.share(ref.handle, "gpu")
    ref.release()
    const own = manager.share(ref.handle, "o")
    manager.reclaim(ref.handle) // ends the owner's hold: its share now
    expect(own.released).toBe(true)
    const ownAgain = manager.share(ref.handle, "o")
    expect(own.released).toBe(true)
    own.release()
    expect(ownAgain.released).toBe(false)
    expect([...manager.holders(ref.handle)].sort()).toEqual(["gpu", "o"])
    ownAgain.release()
    gpu.release()
    expect(manager.snapshot().liveResources).toBe(0)
  })
})

describe("a shared manager's ref whose hold release(handle) ended stays released", () => {
  test("release(handle), then share(handle) by the same thread: the old ref ends nothing", () => {
    using manager = createSharedResourceManager({})
    // another attachment (a thread index of its own) keeps the resource alive past this thread's holds
    using keeper = attachSharedResourceManager(manager.descriptor)
    const owner = manager.acquire("r", { type: "Memory", sizeBytes: 16 })
    const kept = keeper.share(owner.handle)
    manager.release(owner.handle)
    expect(owner.released).toBe(true)
    expect(payloadReleased(owner)).toBe(true)
    const again = manager.share(owner.handle)
    expect(owner.released).toBe(true)
    expect(again.released).toBe(false)
    owner.release()
    expect(again.released).toBe(false)
    expect([...manager.info(owner.handle).holders].sort()).toEqual([manager.thread, keeper.thread].sort())
    expect(again.payload).toBeInstanceOf(Uint8Array)
    // the share's own hold, ended by handle too: then a third hold, which neither earlier ref reaches
    manager.release(again.handle)
    expect(again.released).toBe(true)
    const third = manager.share(owner.handle)
    again.release()
    owner.release()
    expect(third.released).toBe(false)
    expect([...manager.info(owner.handle).holders].sort()).toEqual([manager.thread, keeper.thread].sort())
    third.release()
    kept.release()
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
  })
})
