/**
 * A shared manager's wait whose signal is aborted after its grant was recorded and before its thread delivered it
 * (by a `destroy` hook of the release that granted it, or by any code before the waiter's thread looks):
 * docs/semantics.md section 14, the grant is given back at once and the acquisition fails as the abort says
 * (it was kept, and held to the close).
 */
import { describe, expect, test } from "bun:test"
import { attachSharedResourceManager, createSharedResourceManager } from "../src/index.ts"

const budgets = { Memory: { maxBytes: 100, reservedBytes: 0, warningPercent: 75, criticalPercent: 90 } }
const big = { type: "Memory" as const, sizeBytes: 80 }
const settle = () => new Promise((resolve) => setTimeout(resolve, 20))
const outcome = (wait: Promise<unknown>) =>
  wait.then(
    () => "granted",
    (error: unknown) => (error instanceof Error ? error.message : String(error))
  )

describe("a shared wait aborted between its grant and its delivery", () => {
  test("aborted by a destroy hook of the release that granted it: fails with the abort, holds nothing", async () => {
    const manager = createSharedResourceManager({ budgets })
    const controller = new AbortController()
    const holder = manager.acquire("h", big, { destroy: () => controller.abort(new Error("aborted by destroy")) })
    expect(holder.payload.length).toBe(80)
    const waiting = outcome(manager.acquireAsync("w", big, { signal: controller.signal }))
    await settle()
    holder.release()
    expect(await waiting).toBe("aborted by destroy")
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
    expect(manager.close()).toEqual([])
  })

  test("a waiter in another thread, aborted before that thread delivers the grant: the grant is given back", async () => {
    const manager = createSharedResourceManager({ budgets })
    const worker = attachSharedResourceManager(manager.descriptor)
    const controller = new AbortController()
    const holder = manager.acquire("h", big)
    const waiting = outcome(worker.acquireAsync("w", big, { signal: controller.signal }))
    await settle()
    holder.release() // grants the worker's wait (recorded in the ledger; the worker delivers it later)
    controller.abort(new Error("aborted after the grant"))
    expect(await waiting).toBe("aborted after the grant")
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
    const next = manager.acquire("n", big) // the bytes are free again
    next.release()
    worker.close()
    expect(manager.close()).toEqual([])
  })
})
