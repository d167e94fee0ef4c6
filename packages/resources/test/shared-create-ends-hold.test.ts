/**
 * A shared manager's `create` hook that ends the very hold whose payload it makes (docs/semantics.md, sections 2
 * and 17, as `Core.keepsMade` decides for the single-thread front ends): it releases that ref, calls
 * `release(handle)` on it, or closes the manager while it runs. The access that ran it fails with ResourceReleased
 * (`payload` throws it, the Effect `get` fails with it), the value it returned is never handed out, and since a
 * shared manager's payload is the thread's own, it goes to the `destroy` hook at once. The hook is not run again.
 */
import { afterEach, describe, expect, test } from "bun:test"
import { type ResourceMetadata, ResourceReleased } from "@flight-hal/core"
import { Effect, Exit } from "effect"
import type { SharedResource, SharedResourceManager } from "../src/index.ts"
import { OpenedManagers } from "./support/shared-agents.ts"
import { thrown } from "./support/thrown.ts"

const budget = { maxBytes: 1000, reservedBytes: 0, warningPercent: 50, criticalPercent: 80 }
const hardware: ResourceMetadata = { type: "Hardware", sizeBytes: 4 }
const memory: ResourceMetadata = { type: "Memory", sizeBytes: 100 }

const opened = new OpenedManagers()
afterEach(() => opened.closeAll())
const make = (): SharedResourceManager => opened.make({ budgets: { Memory: budget } })
/** A second attachment in this thread (a thread of its own in the ledger), detached before its manager closes. */
const attachHere = (manager: SharedResourceManager): SharedResourceManager => opened.attachHere(manager)

/** A slot for a ref the hook needs before `acquire` returns it (set right after). */
interface Later<A> {
  value: A | undefined
}
const later = <A>(): Later<A> => ({ value: undefined })

/** A resource whose `create` hook releases its own ref and returns "made"; `destroy` records what it gets. */
const selfReleasing = (manager: SharedResourceManager, destroy: (payload: string) => void): SharedResource<string> => {
  const own = later<SharedResource<string>>()
  own.value = manager.acquire<string>("a", hardware, {
    create: () => {
      own.value?.release()
      return "made"
    },
    destroy
  })
  return own.value
}

/** What the hook does to the hold it makes the payload for. */
const endings: ReadonlyArray<readonly [string, (manager: SharedResourceManager, ref: SharedResource<string>) => void]> =
  [
    ["releasing its own ref", (_manager, ref) => ref.release()],
    ["release(handle) of its own hold", (manager, ref) => manager.release(ref.handle)],
    ["closing the manager", (manager) => manager.close()]
  ]

describe("shared manager: a create hook that ends its own hold", () => {
  for (const [what, end] of endings) {
    test(`${what}: the access throws ResourceReleased, the value goes to destroy at once, the hook runs once`, () => {
      const manager = make()
      const destroyed: Array<string> = []
      const own = later<SharedResource<string>>()
      let calls = 0
      own.value = manager.acquire<string>("a", hardware, {
        create: () => {
          calls++
          if (own.value !== undefined) end(manager, own.value)
          return "made"
        },
        destroy: (payload) => destroyed.push(payload)
      })
      const ref = own.value
      expect(thrown(() => ref.payload)).toBeInstanceOf(ResourceReleased)
      expect(destroyed).toEqual(["made"])
      expect(ref.released).toBe(true)
      // the hook is not run again, the value is never handed out, and a later release destroys nothing more
      expect(thrown(() => ref.payload)).toBeInstanceOf(ResourceReleased)
      ref.release()
      expect(calls).toBe(1)
      expect(destroyed).toEqual(["made"])
      if (what !== "closing the manager") {
        expect(manager.getResourceStats("Hardware").currentUsage).toBe(0)
        expect(manager.audit().every((a) => a.liveCount === 0)).toBe(true)
      }
    })
  }

  test("the Effect get of such a hold fails with ResourceReleased, and the value goes to destroy", () => {
    const manager = make()
    const destroyed: Array<string> = []
    const ref = selfReleasing(manager, (payload) => destroyed.push(payload))
    const exit = Effect.runSyncExit(ref.get)
    expect(Exit.isFailure(exit)).toBe(true)
    expect(JSON.stringify(exit)).toContain("ResourceReleased")
    expect(destroyed).toEqual(["made"])
  })

  test("a resource another thread keeps: this thread's access still fails, its value destroyed at once", () => {
    const manager = make()
    const other = attachHere(manager)
    const destroyed: Array<string> = []
    const ref = selfReleasing(manager, (payload) => destroyed.push(payload))
    const share = other.share<string>(ref.handle, { create: () => "theirs" })
    expect(thrown(() => ref.payload)).toBeInstanceOf(ResourceReleased)
    expect(destroyed).toEqual(["made"])
    // the resource lives on for the other thread, whose payload is its own
    expect(share.payload).toBe("theirs")
    expect(manager.getResourceStats("Hardware").currentUsage).toBe(4)
    share.release()
    expect(manager.getResourceStats("Hardware").currentUsage).toBe(0)
  })

  test("a hook that ends its hold and shares the resource again: the old ref's access fails, the new one reads", () => {
    const manager = make()
    const other = attachHere(manager)
    const destroyed: Array<string> = []
    const own = later<SharedResource<string>>()
    const again = later<SharedResource<string>>()
    own.value = manager.acquire<string>("a", hardware, {
      create: () => {
        const ref = own.value
        if (ref !== undefined) {
          manager.release(ref.handle)
          again.value = manager.share<string>(ref.handle, { create: () => "again" })
        }
        return "made"
      },
      destroy: (payload) => destroyed.push(payload)
    })
    const keeper = other.share(own.value.handle)
    expect(thrown(() => own.value?.payload)).toBeInstanceOf(ResourceReleased)
    expect(destroyed).toEqual(["made"])
    expect(again.value?.payload).toBe("again")
    again.value?.release()
    keeper.release()
    expect(manager.getResourceStats("Hardware").currentUsage).toBe(0)
  })

  test("a hook that throws leaves the payload unmade: the next access runs it again (as before)", () => {
    const manager = make()
    let calls = 0
    const ref = manager.acquire<string>("a", hardware, {
      create: () => {
        calls++
        if (calls === 1) throw new Error("not yet")
        return "made"
      }
    })
    expect(thrown(() => ref.payload)).toBeInstanceOf(Error)
    expect(ref.payload).toBe("made")
    expect(calls).toBe(2)
    ref.release()
  })

  test("a hook that keeps its hold: the value is the payload, destroyed on release (as before)", () => {
    const manager = make()
    const destroyed: Array<string> = []
    const ref = manager.acquire<string>("a", memory, { create: () => "made", destroy: (p) => destroyed.push(p) })
    expect(ref.payload).toBe("made")
    expect(destroyed).toEqual([])
    ref.release()
    expect(destroyed).toEqual(["made"])
  })

  test("a destroy hook that throws on the value of such an access: the access still fails with ResourceReleased", () => {
    const manager = make()
    const ref = selfReleasing(manager, () => {
      throw new Error("destroy boom")
    })
    expect(thrown(() => ref.payload)).toBeInstanceOf(ResourceReleased)
  })
})
