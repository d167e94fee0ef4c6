/**
 * The holders' internal members are out of reach of their callers at run time, not only to tsc: a JavaScript
 * caller (or a cast) that calls every method a `ResourceRef`, a `SharedHandle` or a `SharedResource` has, string-
 * or symbol-keyed, on its prototype, or every function a ref's `get` Effect carries, changes nothing. Before, the
 * public `livePayload()` handed a released pool-served ref's block, which another resource then owned, to its
 * caller (a use-after-free), `SharedHandle.holdEnded()` marked a share released while the manager still counted its
 * driver (the resource never freed, the driver never able to share it again), and `SharedResource`'s `endHold()`
 * ran the `destroy` hook on a payload still held.
 */
import { describe, expect, test } from "bun:test"
import { ResourceFlags, type ResourceMetadata, ResourceReleased } from "@flight-hal/core"
import { Effect, Exit } from "effect"
import { createResourceManager, createSharedResourceManager } from "../src/index.ts"
import { thrown } from "./support/thrown.ts"

const quiet = { onLeaks: () => {} }
const block = { type: "Memory", sizeBytes: 16 } as const satisfies ResourceMetadata
const shareable = {
  type: "Memory",
  sizeBytes: 64,
  flags: ResourceFlags.combine("Shareable")
} as const satisfies ResourceMetadata
const budgets = { Memory: { maxBytes: 1000, reservedBytes: 0, warningPercent: 50, criticalPercent: 80 } }

/** Keys a caller may call on purpose: the documented releases. */
const releases: ReadonlyArray<PropertyKey> = ["release", Symbol.dispose, Symbol.asyncDispose]

/**
 * Calls every method of `holder`'s prototype chain (up to `Object.prototype`) but its constructor and the keys in
 * `skip`, with no arguments, as a JavaScript caller can; a throw is taken as "not callable". Returns what they
 * returned.
 */
const callEveryMethod = (holder: object, skip: ReadonlyArray<PropertyKey>): Array<unknown> => {
  const results: Array<unknown> = []
  for (let proto = Object.getPrototypeOf(holder); proto !== null && proto !== Object.prototype; ) {
    for (const key of Reflect.ownKeys(proto)) {
      if (key === "constructor" || skip.includes(key)) continue
      const value = Reflect.getOwnPropertyDescriptor(proto, key)?.value
      if (typeof value !== "function") continue
      try {
        results.push(Reflect.apply(value, holder, []))
      } catch {
        // not callable on this object: nothing happened
      }
    }
    proto = Object.getPrototypeOf(proto)
  }
  return results
}

/** Calls every function-valued own field of `read` (an Effect a holder's `get` made) with `holder`. */
const callEveryField = (read: object, holder: object): Array<unknown> =>
  Reflect.ownKeys(read).flatMap((key) => {
    const value: unknown = Reflect.get(read, key)
    if (typeof value !== "function") return []
    try {
      return [Reflect.apply(value, undefined, [holder])]
    } catch {
      return []
    }
  })

/** Writes 0xff through every `Uint8Array` among `values`. */
const scribble = (values: ReadonlyArray<unknown>): void => {
  for (const value of values) if (value instanceof Uint8Array) value.fill(0xff)
}

describe("a released ref's payload stays out of reach", () => {
  test("a released pool-served ResourceRef: no method hands out the block another resource now owns", () => {
    const manager = createResourceManager({
      ...quiet,
      pools: [{ type: "Memory", blockSize: 16, initialCount: 1, maxCount: 1 }]
    })
    const a = manager.acquire("a", block)
    a.release()
    const b = manager.acquire("b", block)
    b.payload.fill(7)
    scribble(callEveryMethod(a, []))
    scribble(callEveryField(a.get, a))
    expect(b.payload[0]).toBe(7)
    expect(thrown(() => a.payload)).toBeInstanceOf(ResourceReleased)
    const exit = Effect.runSyncExit(a.get)
    expect(Exit.isFailure(exit) && Exit.hasFails(exit)).toBe(true)
    b.release()
    // the old public name, called from JavaScript: gone
    expect(typeof (a as unknown as { livePayload?: unknown }).livePayload).toBe("undefined")
    expect(manager.close()).toEqual([])
  })

  test("a released SharedHandle: no method hands out the payload", () => {
    const manager = createResourceManager(quiet)
    const owner = manager.acquire("frame", shareable)
    const share = manager.share<Uint8Array>(owner.handle, "gpu")
    owner.payload.fill(7)
    share.release()
    scribble(callEveryMethod(share, []))
    scribble(callEveryField(share.get, share))
    expect(owner.payload[0]).toBe(7)
    expect(thrown(() => share.payload)).toBeInstanceOf(ResourceReleased)
    owner.release()
    // the old public name, called from JavaScript: gone
    expect(typeof (share as unknown as { livePayload?: unknown }).livePayload).toBe("undefined")
    expect(manager.close()).toEqual([])
  })

  test("a released pool-served SharedResource: no method hands out the block another resource now owns", () => {
    const manager = createSharedResourceManager({ budgets, pools: [{ type: "Memory", blockSize: 16, blockCount: 1 }] })
    const a = manager.acquire("a", block)
    a.release()
    const b = manager.acquire("b", block)
    expect(b.payload).toBeInstanceOf(Uint8Array)
    b.payload.fill(7)
    scribble(callEveryMethod(a, []))
    scribble(callEveryField(a.get, a))
    expect(b.payload[0]).toBe(7)
    expect(thrown(() => a.payload)).toBeInstanceOf(ResourceReleased)
    b.release()
    // the old public name, called from JavaScript: gone
    expect(typeof (a as unknown as { livePayload?: unknown }).livePayload).toBe("undefined")
    expect(manager.close()).toEqual([])
  })
})

describe("a live holder's hold ends only by its release", () => {
  test("SharedHandle: holdEnded() is gone and no method but release ends the share; it releases normally", () => {
    const manager = createResourceManager(quiet)
    const owner = manager.acquire("frame", shareable)
    const share = manager.share<Uint8Array>(owner.handle, "gpu")
    callEveryMethod(share, releases)
    expect(share.released).toBe(false)
    expect(manager.holders(owner.handle)).toEqual(["app", "gpu"])
    share.release()
    expect(share.released).toBe(true)
    expect(manager.holders(owner.handle)).toEqual(["app"])
    owner.release()
    expect(manager.snapshot().liveResources).toBe(0)
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
    // the old public name, called from JavaScript: gone
    expect(typeof (share as unknown as { holdEnded?: unknown }).holdEnded).toBe("undefined")
    expect(manager.close()).toEqual([])
  })

  test("SharedHandle: a new share after the hold ended otherwise leaves the earlier one released", () => {
    const manager = createResourceManager(quiet)
    const owner = manager.acquire("frame", shareable)
    const first = manager.share<Uint8Array>(owner.handle, "gpu")
    manager.releaseResource(owner.handle, "gpu")
    const second = manager.share<Uint8Array>(owner.handle, "gpu")
    expect(first.released).toBe(true)
    expect(second.released).toBe(false)
    first.release() // must not end the second share's hold
    expect(manager.holders(owner.handle)).toEqual(["app", "gpu"])
    second.release()
    owner.release()
    expect(manager.close()).toEqual([])
  })

  test("SharedResource: no method but release ends the hold or runs its destroy hook", () => {
    const manager = createSharedResourceManager({ budgets })
    const destroyed: Array<string> = []
    const ref = manager.acquire("r", block, { create: () => "made", destroy: (value) => destroyed.push(value) })
    expect(ref.payload).toBe("made")
    callEveryMethod(ref, releases)
    expect(destroyed).toEqual([])
    expect(ref.released).toBe(false)
    expect(ref.payload).toBe("made")
    ref.release()
    expect(destroyed).toEqual(["made"])
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
    expect(manager.close()).toEqual([])
  })
})
