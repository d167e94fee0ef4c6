// ResourceBusy's message is true whatever takes the name (docs/semantics.md, section 9: a taken name is live or
// deferred, reserved by a request waiting in a type queue, or waited for by a name queue): it claims no live
// resource, which a reserved name does not have.
import { describe, expect, test } from "bun:test"
import { ResourceBusy } from "@flight-hal/core"
import { createResourceManager } from "@flight-hal/resources"

const budgets = { Memory: { maxBytes: 100, reservedBytes: 0, warningPercent: 75, criticalPercent: 90 } }
const mem = (sizeBytes: number) => ({ type: "Memory" as const, sizeBytes })

/** The error of an Emergency request for `name` (Emergency: neither the budget nor the queues stop it). */
const busy = (manager: ReturnType<typeof createResourceManager>, name: string): unknown => {
  try {
    manager.acquire(name, mem(1), { owner: "audio", mode: "Emergency" }).release()
    return undefined
  } catch (error) {
    return error
  }
}

describe("ResourceBusy's message", () => {
  test("says the name is taken: by a live or a deferred resource, or reserved by a waiter", async () => {
    const manager = createResourceManager({ budgets, onLeaks: () => {} })
    // reserved: graphics waits in Memory's queue for "tex", which no resource has
    using _big = manager.acquire("", mem(90), { owner: "net" })
    const waiting = manager.acquireAsync("tex", mem(50), { owner: "graphics" })
    const waited = waiting.then(
      () => "granted",
      (error: { readonly _tag: string }) => error._tag
    )
    expect(manager.getResourceStats("Memory").waiting).toBe(1)
    expect(() => manager.find("tex")).toThrow() // no resource has the name
    // live
    using _live = manager.acquire("frame", mem(1), { mode: "Emergency" })
    // deferred: released by its holder, kept for its dependent
    const dep = manager.acquire("dep", mem(1), { mode: "Emergency" })
    using _child = manager.acquire("child", { ...mem(1), dependsOn: [dep.handle] }, { mode: "Emergency" })
    dep.release()
    for (const name of ["tex", "frame", "dep"]) {
      const error = busy(manager, name)
      expect(error).toBeInstanceOf(ResourceBusy)
      expect((error as ResourceBusy).message).toBe(
        `Resource name ${name} is taken (by a resource or a waiting request)`
      )
      expect((error as ResourceBusy).message).not.toContain("live resource")
    }
    manager.close()
    expect(await waited).toBe("ManagerClosed")
  })
})
