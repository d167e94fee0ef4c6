/**
 * A shared manager's refs once the manager is closed (docs/semantics.md, sections 2 and 17): the close released
 * every hold, so every ref reports `released`, its payload fails with ResourceReleased (the Effect `get` too), and
 * its `release()` releases nothing more. A made payload went to its `destroy` hook at the close of its own
 * thread (before the hold was released); a ref of another thread whose hold the creator's close ended gives it to
 * the hook at its `release()`, or at its thread's `close()`. The same holds for the refs of a thread that detached
 * (its own `close()`), while the other threads' refs live on.
 */
import { describe, expect, test } from "bun:test"
import { ResourceFlag, type ResourceMetadata, ResourceReleased } from "@flight-hal/core"
import { Effect, Exit } from "effect"
import { attachSharedResourceManager, createSharedResourceManager } from "../src/index.ts"
import { thrown, thrownField } from "./support/thrown.ts"

const memory: ResourceMetadata = { type: "Memory", sizeBytes: 100 }
const budgets = { Memory: { maxBytes: 1000, reservedBytes: 0, warningPercent: 50, criticalPercent: 80 } }

describe("a shared manager's refs after close", () => {
  test("the creator's close: its destroy hook ran, the ref reports released, its payload fails, release() is a no-op", () => {
    const manager = createSharedResourceManager({ budgets })
    const destroyed: Array<string> = []
    const ref = manager.acquire("r", memory, { create: () => "made", destroy: (value) => destroyed.push(value) })
    const plain = manager.acquire("p", memory)
    expect(ref.payload).toBe("made")
    expect(plain.released).toBe(false)
    expect(
      manager
        .close()
        .map((leak) => leak.name)
        .sort()
    ).toEqual(["p", "r"])
    expect(destroyed).toEqual(["made"]) // by the close, before it released the hold
    expect(ref.released).toBe(true)
    expect(plain.released).toBe(true)
    expect(thrown(() => ref.payload)).toBeInstanceOf(ResourceReleased)
    expect(thrown(() => plain.payload)).toBeInstanceOf(ResourceReleased)
    const exit = Effect.runSyncExit(plain.get)
    expect(Exit.isFailure(exit) && Exit.hasFails(exit)).toBe(true)
    ref.release()
    ref.release()
    expect(destroyed).toEqual(["made"])
  })

  test("a thread's detach ends its own refs' holds; the creator's refs live on", () => {
    const manager = createSharedResourceManager({ budgets })
    const other = attachSharedResourceManager(manager.descriptor)
    const mine = manager.acquire("mine", memory)
    const theirs = other.acquire("theirs", memory)
    expect(other.close().map((leak) => leak.name)).toEqual(["theirs"])
    expect(theirs.released).toBe(true)
    expect(thrown(() => theirs.payload)).toBeInstanceOf(ResourceReleased)
    theirs.release()
    expect(mine.released).toBe(false)
    expect(mine.payload).toBeInstanceOf(Uint8Array)
    expect(manager.getResourceStats("Memory").currentUsage).toBe(100)
    mine.release()
    expect(manager.close()).toEqual([])
  })

  test("the creator's close reports one leak per hold, in slot order (docs/semantics.md, section 17)", () => {
    const manager = createSharedResourceManager({ budgets })
    const other = attachSharedResourceManager(manager.descriptor)
    const shareable: ResourceMetadata = { ...memory, flags: ResourceFlag.Shareable }
    const a = manager.acquire("a", shareable)
    const b = manager.acquire("b", memory)
    a.release() // its slot is free again
    const c = manager.acquire("c", memory) // newer than b
    const d = other.acquire("d", shareable)
    manager.share(d.handle)
    // c took a's slot, before b's: slot order is not newest first here
    expect(c.handle.slot).toBeLessThan(b.handle.slot)
    // one report per hold, in slot order; d's two holds in thread order (the creator is thread 0)
    const holders = (ref: typeof b) => (ref === d ? [0, 1] : [0])
    const expected = [b, c, d]
      .sort((x, y) => x.handle.slot - y.handle.slot)
      .flatMap((ref) => holders(ref).map((thread) => ({ name: ref.name, thread })))
    const reports = manager.close().map((leak) => ({ name: leak.name, thread: leak.thread }))
    expect(reports).toEqual(expected)
    other.close()
  })
})

describe("a shared manager's ref whose hold release(handle) ended", () => {
  test("stays released when later resources of the same slot are released by handle too", () => {
    const manager = createSharedResourceManager({ budgets, maxResources: 1 })
    const first = manager.acquire("", { type: "Memory", sizeBytes: 4 })
    manager.release(first.handle)
    expect([first.released, thrownField(() => first.payload, "_tag")]).toEqual([true, "ResourceReleased"])
    // the one slot again, a later generation, ended the same way: the manager's record of ended holds is per slot
    const second = manager.acquire("", { type: "Memory", sizeBytes: 8 })
    expect(second.handle.slot).toBe(first.handle.slot)
    manager.release(second.handle)
    expect([first.released, thrownField(() => first.payload, "_tag")]).toEqual([true, "ResourceReleased"])
    expect([second.released, thrownField(() => second.payload, "_tag")]).toEqual([true, "ResourceReleased"])
    first.release() // releases nothing: the slot is free
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
    manager.close()
  })
})
