/**
 * A `create` hook that ends the very hold whose payload it makes (docs/semantics.md, section 2): it releases that
 * ref (or share), reclaims it, or closes the manager while it runs. The access that ran it fails with
 * ResourceReleased (the facade's `payload` throws it, Effect's `get` fails with it), and the value it returned is
 * never handed out: it goes to the `destroy` hook at once when the resource was freed meanwhile, or stays with a
 * resource that lives on (other holders see it, its `destroy` hook gets it when the resource is freed). Both
 * front ends, over the one core.
 */
import { describe, expect, test } from "bun:test"
import { ResourceFlags, type ResourceMetadata } from "@flight-hal/core"
import { Effect, Exit, Scope } from "effect"
import { createResourceManager, ResourceManager, type ResourceRef, type SharedHandle } from "../src/index.ts"
import { failureOf, openManager } from "./support/effect.ts"
import { thrown } from "./support/thrown.ts"

const quiet = { onLeaks: () => {} }
const hardware: ResourceMetadata = { type: "Hardware", sizeBytes: 4 }
const shareable: ResourceMetadata = { ...hardware, flags: ResourceFlags.combine("Shareable") }
const reclaimable: ResourceMetadata = { ...hardware, flags: ResourceFlags.combine("Reclaimable") }

const tagOf = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : undefined

/** A slot for a ref the hook needs before `acquire` returns it (set right after). */
interface Later<A> {
  value: A | undefined
}
const later = <A>(): Later<A> => ({ value: undefined })

describe("a create hook that ends its own hold (facade)", () => {
  test("releasing its own ref: the access throws ResourceReleased and the value goes to destroy", () => {
    const manager = createResourceManager(quiet)
    const destroyed: Array<string> = []
    const own = later<ResourceRef<string>>()
    let calls = 0
    own.value = manager.acquire<string>("a", hardware, {
      create: () => {
        calls++
        own.value?.release()
        return "made"
      },
      destroy: (payload) => destroyed.push(payload)
    })
    const ref = own.value
    expect(tagOf(thrown(() => ref.payload))).toBe("ResourceReleased")
    expect(destroyed).toEqual(["made"])
    expect(ref.released).toBe(true)
    // the hook is not run again, and the value is never handed out
    expect(tagOf(thrown(() => ref.payload))).toBe("ResourceReleased")
    expect(calls).toBe(1)
    expect(manager.getResourceStats("Hardware").currentUsage).toBe(0)
    expect(manager.snapshot().liveResources).toBe(0)
    manager.close()
    expect(destroyed).toEqual(["made"])
  })

  test("closing the manager: the access throws ResourceReleased and the value goes to destroy", () => {
    const leaks: Array<string> = []
    const manager = createResourceManager({ onLeaks: (reported) => leaks.push(...reported.map((l) => l.name)) })
    const destroyed: Array<string> = []
    const ref = manager.acquire<string>("a", hardware, {
      create: () => {
        manager.close()
        return "made"
      },
      destroy: (payload) => destroyed.push(payload)
    })
    expect(tagOf(thrown(() => ref.payload))).toBe("ResourceReleased")
    expect(destroyed).toEqual(["made"])
    expect(leaks).toEqual(["a"])
    expect(manager.getResourceStats("Hardware").currentUsage).toBe(0)
  })

  test("reclaiming its own resource: the access throws ResourceReleased and the value goes to destroy", () => {
    const manager = createResourceManager(quiet)
    const destroyed: Array<string> = []
    const own = later<ResourceRef<string>>()
    own.value = manager.acquire<string>("a", reclaimable, {
      create: () => {
        if (own.value !== undefined) manager.reclaim(own.value.handle)
        return "made"
      },
      destroy: (payload) => destroyed.push(payload)
    })
    const ref = own.value
    expect(tagOf(thrown(() => ref.payload))).toBe("ResourceReleased")
    expect(destroyed).toEqual(["made"])
    manager.close()
  })

  test("without a destroy hook the access still fails, and nothing else happens", () => {
    const manager = createResourceManager(quiet)
    const own = later<ResourceRef<string>>()
    own.value = manager.acquire<string>("a", hardware, {
      create: () => {
        own.value?.release()
        return "made"
      }
    })
    const ref = own.value
    expect(tagOf(thrown(() => ref.payload))).toBe("ResourceReleased")
    expect(manager.snapshot().liveResources).toBe(0)
    manager.close()
  })

  test("a resource its dependent keeps alive keeps the value: destroy gets it when the resource is freed", () => {
    const manager = createResourceManager(quiet)
    const destroyed: Array<string> = []
    const own = later<ResourceRef<string>>()
    own.value = manager.acquire<string>("base", hardware, {
      create: () => {
        own.value?.release()
        return "made"
      },
      destroy: (payload) => destroyed.push(payload)
    })
    const base = own.value
    const dependent = manager.acquire("dependent", { ...hardware, dependsOn: [base.handle] })
    expect(tagOf(thrown(() => base.payload))).toBe("ResourceReleased")
    // deferred, not freed: its finalizer has yet to run, and will destroy the value then
    expect(destroyed).toEqual([])
    expect(manager.snapshot().liveResources).toBe(2)
    dependent.release()
    expect(destroyed).toEqual(["made"])
    expect(manager.snapshot().liveResources).toBe(0)
    manager.close()
  })

  test("a Shareable resource another holder keeps: the owner's access fails, the share sees the value", () => {
    const manager = createResourceManager(quiet)
    const destroyed: Array<string> = []
    const own = later<ResourceRef<string>>()
    own.value = manager.acquire<string>("frame", shareable, {
      create: () => {
        own.value?.release()
        return "made"
      },
      destroy: (payload) => destroyed.push(payload)
    })
    const owner = own.value
    const share = manager.share<string>(owner.handle, "gpu")
    expect(tagOf(thrown(() => owner.payload))).toBe("ResourceReleased")
    expect(destroyed).toEqual([])
    expect(share.payload).toBe("made")
    share.release()
    expect(destroyed).toEqual(["made"])
    manager.close()
  })

  test("a share whose read runs the owner's hook, which releases that share: the share's access fails", () => {
    const manager = createResourceManager(quiet)
    const destroyed: Array<string> = []
    const shared = later<SharedHandle<string>>()
    const owner = manager.acquire<string>("frame", shareable, {
      create: () => {
        shared.value?.release()
        return "made"
      },
      destroy: (payload) => destroyed.push(payload)
    })
    shared.value = manager.share<string>(owner.handle, "gpu")
    const share = shared.value
    expect(tagOf(thrown(() => share.payload))).toBe("ResourceReleased")
    // the owner still holds the resource: the value is its payload, made once
    expect(owner.payload).toBe("made")
    expect(destroyed).toEqual([])
    owner.release()
    expect(destroyed).toEqual(["made"])
    manager.close()
  })

  test("the last holder's share released by the owner's hook frees the resource: the value goes to destroy", () => {
    const manager = createResourceManager(quiet)
    const destroyed: Array<string> = []
    const shared = later<SharedHandle<string>>()
    const owner = manager.acquire<string>("frame", shareable, {
      create: () => {
        shared.value?.release()
        return "made"
      },
      destroy: (payload) => destroyed.push(payload)
    })
    shared.value = manager.share<string>(owner.handle, "gpu")
    const share = shared.value
    owner.release()
    expect(tagOf(thrown(() => share.payload))).toBe("ResourceReleased")
    expect(destroyed).toEqual(["made"])
    expect(manager.snapshot().liveResources).toBe(0)
    manager.close()
  })

  test("a hook that leaves its hold alone is untouched: its value is the payload, destroyed once at release", () => {
    const manager = createResourceManager(quiet)
    const destroyed: Array<string> = []
    const ref = manager.acquire<string>("a", hardware, {
      create: () => {
        manager.acquire("other", hardware).release()
        return "made"
      },
      destroy: (payload) => destroyed.push(payload)
    })
    expect(ref.payload).toBe("made")
    expect(ref.payload).toBe("made")
    ref.release()
    expect(destroyed).toEqual(["made"])
    manager.close()
  })
})

describe("a create hook that ends its own hold (Effect)", () => {
  test("releasing its own ref: get fails with ResourceReleased and the value goes to destroy", async () => {
    const open = await openManager()
    const destroyed: Array<string> = []
    const own = later<ResourceRef<string>>()
    const exit = await open.run(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        const ref = yield* manager.acquire<string>("a", hardware, {
          create: () => {
            own.value?.release()
            return "made"
          },
          destroy: (payload) => destroyed.push(payload)
        })
        own.value = ref
        return yield* ref.get
      })
    )
    expect(tagOf(failureOf(exit).error)).toBe("ResourceReleased")
    expect(destroyed).toEqual(["made"])
    const usage = await open.run(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        return (yield* manager.getResourceStats("Hardware")).currentUsage
      })
    )
    expect(Exit.isSuccess(usage) ? usage.value : failureOf(usage)).toBe(0)
    await open.close()
    expect(destroyed).toEqual(["made"])
  })

  test("closing the manager's scope: get fails with ResourceReleased and the value goes to destroy", async () => {
    const open = await openManager()
    const destroyed: Array<string> = []
    const refs = Scope.makeUnsafe()
    const exit = await open.run(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        const ref = yield* manager.acquire<string>("a", hardware, {
          create: () => {
            Effect.runSync(Scope.close(open.scope, Exit.void))
            return "made"
          },
          destroy: (payload) => destroyed.push(payload)
        })
        return yield* ref.get
      }),
      refs
    )
    expect(tagOf(failureOf(exit).error)).toBe("ResourceReleased")
    expect(destroyed).toEqual(["made"])
    expect(open.leaks.map((leak) => leak.name)).toEqual(["a"])
    await Effect.runPromise(Scope.close(refs, Exit.void))
    expect(destroyed).toEqual(["made"])
  })

  test("a share whose get runs the owner's hook, which releases that share: get fails", async () => {
    const open = await openManager()
    const destroyed: Array<string> = []
    const shared = later<SharedHandle<string>>()
    const exit = await open.run(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        const owner = yield* manager.acquire<string>("frame", shareable, {
          create: () => {
            shared.value?.release()
            return "made"
          },
          destroy: (payload) => destroyed.push(payload)
        })
        const share = yield* manager.share<string>(owner.handle, "gpu")
        shared.value = share
        const failed = yield* Effect.flip(share.get)
        return { failed: failed._tag, owner: yield* owner.get }
      })
    )
    expect(Exit.isSuccess(exit) ? exit.value : failureOf(exit)).toEqual({ failed: "ResourceReleased", owner: "made" })
    expect(destroyed).toEqual([])
    await open.close()
    expect(destroyed).toEqual(["made"])
  })
})
