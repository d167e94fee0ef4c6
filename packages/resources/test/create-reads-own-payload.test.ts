/**
 * A `create` hook that reads the very payload it is making (docs/semantics.md, sections 2 and 14): that read fails
 * with `PayloadUnavailable` (the facade's `payload` throws it, Effect's `get` fails with it) instead of calling the
 * hook again from inside itself until the stack overflows. The hook runs once per access; a hook that catches the
 * failure makes the payload as usual; one that lets it through leaves the payload unmade, the ref held, and the
 * next access calls it again. A ref, a Shareable resource's share, Effect's `get` and a shared manager's ref.
 */
import { afterEach, describe, expect, test } from "bun:test"
import { PayloadUnavailable, ResourceFlags, type ResourceMetadata } from "@flight-hal/core"
import { Effect, Exit } from "effect"
import {
  createResourceManager,
  ResourceManager,
  type ResourceRef,
  type SharedHandle,
  type SharedResource
} from "../src/index.ts"
import { failureOf, openManager } from "./support/effect.ts"
import { OpenedManagers } from "./support/shared-agents.ts"
import { thrown } from "./support/thrown.ts"

const quiet = { onLeaks: () => {} }
const hardware: ResourceMetadata = { type: "Hardware", sizeBytes: 4 }
const shareable: ResourceMetadata = { ...hardware, flags: ResourceFlags.combine("Shareable") }

/** A slot for a ref the hook needs before `acquire` returns it (set right after). */
interface Later<A> {
  value: A | undefined
}
const later = <A>(): Later<A> => ({ value: undefined })

/** What a read from inside the hook got: the error's tag and reason, or "no error". */
const inner = (read: () => unknown): string => {
  const error = thrown(read)
  return error instanceof PayloadUnavailable ? `${error._tag}: ${error.reason}` : String(error)
}
const REASON = "PayloadUnavailable: its create hook is running (a create hook cannot read the payload it makes)"

describe("a create hook that reads the payload it makes (facade)", () => {
  test("the read inside fails with PayloadUnavailable; a hook that catches it makes the payload", () => {
    const manager = createResourceManager(quiet)
    const own = later<ResourceRef<string>>()
    const seen: Array<string> = []
    own.value = manager.acquire<string>("a", hardware, {
      create: () => {
        seen.push(inner(() => own.value?.payload))
        return "made"
      }
    })
    const ref = own.value
    expect(ref.payload).toBe("made")
    expect(ref.payload).toBe("made")
    expect(seen).toEqual([REASON])
    manager.close()
  })

  test("a hook that lets it through: the access throws it, nothing is made, the ref stays held", () => {
    const manager = createResourceManager(quiet)
    const own = later<ResourceRef<string>>()
    let calls = 0
    own.value = manager.acquire<string>("a", hardware, {
      create: () => {
        calls++
        return own.value?.payload ?? "none"
      }
    })
    const ref = own.value
    const error = thrown(() => ref.payload)
    expect(error).toBeInstanceOf(PayloadUnavailable)
    expect(error).toMatchObject({ _tag: "PayloadUnavailable", resource: "a", sizeBytes: 4 })
    expect(calls).toBe(1)
    expect(ref.released).toBe(false)
    expect(manager.getResourceStats("Hardware").currentUsage).toBe(4)
    // the next access calls the hook again (once)
    expect(thrown(() => ref.payload)).toBeInstanceOf(PayloadUnavailable)
    expect(calls).toBe(2)
    ref.release()
    expect(manager.getResourceStats("Hardware").currentUsage).toBe(0)
    manager.close()
  })

  test("a Shareable resource: the owner's hook run by a share's read, reading through the owner's ref", () => {
    const manager = createResourceManager(quiet)
    const own = later<ResourceRef<string>>()
    const seen: Array<string> = []
    own.value = manager.acquire<string>("frame", shareable, {
      create: () => {
        seen.push(inner(() => own.value?.payload))
        seen.push(inner(() => share.value?.payload))
        return "made"
      }
    })
    const share = later<SharedHandle<string>>()
    share.value = manager.share<string>(own.value.handle, "gpu")
    expect(share.value.payload).toBe("made")
    expect(own.value.payload).toBe("made")
    expect(seen).toEqual([REASON, REASON])
    manager.close()
  })

  test("a Shareable resource whose hook lets the failure through: unmade for every holder, made on a later read", () => {
    const manager = createResourceManager(quiet)
    const own = later<ResourceRef<string>>()
    let recurse = true
    own.value = manager.acquire<string>("frame", shareable, {
      create: () => (recurse ? (own.value?.payload ?? "none") : "made")
    })
    const share = manager.share<string>(own.value.handle, "gpu")
    expect(thrown(() => share.payload)).toBeInstanceOf(PayloadUnavailable)
    recurse = false
    expect(own.value.payload).toBe("made")
    expect(share.payload).toBe("made")
    manager.close()
  })
})

describe("a create hook that reads the payload it makes (Effect)", () => {
  test("get fails with PayloadUnavailable, typed in its error channel", async () => {
    const open = await openManager()
    const own = later<ResourceRef<string>>()
    const exit = await open.run(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        const ref = yield* manager.acquire<string>("a", hardware, {
          create: () => own.value?.payload ?? "none"
        })
        own.value = ref
        return yield* Effect.catchTag(ref.get, "PayloadUnavailable", (error) => Effect.succeed(error.reason))
      })
    )
    expect(Exit.isSuccess(exit) ? exit.value : failureOf(exit)).toBe(
      "its create hook is running (a create hook cannot read the payload it makes)"
    )
    await open.close()
  })
})

describe("a create hook that reads the payload it makes (shared manager)", () => {
  const opened = new OpenedManagers()
  afterEach(() => opened.closeAll())

  test("the read inside fails with PayloadUnavailable; the hook runs once per access", () => {
    const manager = opened.make({})
    const own = later<SharedResource<string>>()
    const seen: Array<string> = []
    let recurse = false
    own.value = manager.acquire<string>("a", hardware, {
      create: () => {
        if (recurse) return own.value?.payload ?? "none"
        seen.push(inner(() => own.value?.payload))
        return "made"
      }
    })
    recurse = true
    expect(thrown(() => own.value?.payload)).toBeInstanceOf(PayloadUnavailable)
    expect(own.value.released).toBe(false)
    recurse = false
    expect(own.value.payload).toBe("made")
    expect(seen).toEqual([REASON])
  })
})
