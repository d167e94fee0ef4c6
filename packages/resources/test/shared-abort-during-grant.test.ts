/**
 * A shared manager's wait whose signal is aborted while the abort is still being dispatched when its grant is
 * delivered (docs/semantics.md, sections 5 and 14): an abort listener added before the manager's releases what the
 * wait waited for and then starts another acquisition that waits, which services this thread's waits inside the
 * dispatch. The grant comes while `signal.aborted` is already true and before the manager's listener of the wait
 * has run: the wait must fail as the abort says and hold nothing (it resolved with a live resource).
 */
import { expect, test } from "bun:test"
import { createSharedResourceManager } from "../src/index.ts"

const budgets = { Memory: { maxBytes: 100, reservedBytes: 0, warningPercent: 75, criticalPercent: 90 } }
const mem = (sizeBytes: number) => ({ type: "Memory" as const, sizeBytes })
const outcome = (wait: Promise<{ readonly released: boolean }>) =>
  wait.then(
    (ref) => (ref.released ? "granted, released" : "granted"),
    (error: unknown) => (error instanceof Error ? error.message : String(error))
  )

test("an abort listener that frees the blocker and then waits itself: the aborted wait holds nothing", async () => {
  const manager = createSharedResourceManager({ budgets })
  const blocker = manager.acquire("blocker", mem(90))
  const other = manager.acquire("other", mem(10))
  const controller = new AbortController()
  let later: Promise<string> | undefined
  controller.signal.addEventListener("abort", () => {
    blocker.release()
    // a wait of its own (the 10 bytes of `other` are held): its submission services this thread's waits
    later = outcome(manager.acquireAsync("later", mem(60), { mode: "Timeout", timeoutMillis: 50 }))
  })
  const wait = outcome(manager.acquireAsync("w", mem(50), { signal: controller.signal }))
  controller.abort(new Error("cancelled"))
  expect(await wait).toBe("cancelled")
  expect(await later).toBe("granted")
  expect(manager.getResourceStats("Memory").currentUsage).toBe(70)
  other.release()
  expect(manager.close().map((leak) => leak.name)).toEqual(["later"])
})
