/**
 * A thread declared lost while it is alive (busy in synchronous code for `lostAfterMillis`, say) finds its holds
 * released and its calls refused with `ManagerClosed`, except the read-only ones: stats, budgets read, threads
 * and audit still answer from the live ledger, as they do in a thread after the creator's close
 * (docs/shared-manager.md, "Lost threads"). Both cases are checked call by call, so the doc's list and the code
 * agree; the reaping is the creator's (what its heartbeat does once the thread's heartbeat stopped), called
 * directly, so nothing here depends on timing.
 */
import { afterEach, describe, expect, test } from "bun:test"
import { ManagerClosed, type ResourceHandle } from "@flight-hal/core"
import { attachSharedResourceManager, type SharedResourceManager } from "../src/index.ts"
import { OpenedManagers } from "./support/shared-agents.ts"

const opened = new OpenedManagers()
afterEach(() => opened.closeAll())

const budget = { maxBytes: 1 << 20, reservedBytes: 0, warningPercent: 75, criticalPercent: 90 }
const memory = { type: "Memory", sizeBytes: 4096 } as const

/** The creator's reaping of a thread. */
const reap = (creator: SharedResourceManager, thread: number): void =>
  (creator as unknown as { reap(thread: number): void }).reap(thread)

/** Each call of the API, with `handle` a live resource's (held by the creator) and "kept" its name. */
const calls = (m: SharedResourceManager, handle: ResourceHandle) =>
  ({
    acquire: () => m.acquire(memory),
    acquireAsync: () => m.acquireAsync(memory, { mode: "NonBlocking" }),
    use: () => m.use("", memory, () => 1),
    share: () => m.share(handle),
    release: () => m.release(handle),
    find: () => m.find("kept"),
    info: () => m.info(handle),
    metadata: () => m.metadata(handle),
    setBudget: () => m.setBudget("Memory", budget),
    removeBudget: () => m.removeBudget("Memory"),
    registerPressureCallback: () => m.registerPressureCallback(() => undefined),
    registerReclamationCallback: () => m.registerReclamationCallback("Memory", () => 0),
    getResourceStats: () => m.getResourceStats("Memory"),
    getBudget: () => m.getBudget("Memory"),
    threadStats: () => m.threadStats(),
    threads: () => m.threads(),
    audit: () => m.audit()
  }) as const

/** Each call's outcome: "ManagerClosed", or "answers" (returned, or resolved, a value). */
const outcomes = async (m: SharedResourceManager, handle: ResourceHandle) => {
  const out: Record<string, string> = {}
  for (const [name, call] of Object.entries(calls(m, handle))) {
    let error: unknown
    try {
      const result: unknown = call()
      if (result instanceof Promise) await result
    } catch (caught) {
      error = caught
    }
    out[name] = error === undefined ? "answers" : error instanceof ManagerClosed ? "ManagerClosed" : String(error)
  }
  return out
}

const expected = {
  acquire: "ManagerClosed",
  acquireAsync: "ManagerClosed",
  use: "ManagerClosed",
  share: "ManagerClosed",
  release: "ManagerClosed",
  find: "ManagerClosed",
  info: "ManagerClosed",
  metadata: "ManagerClosed",
  setBudget: "ManagerClosed",
  removeBudget: "ManagerClosed",
  registerPressureCallback: "ManagerClosed",
  registerReclamationCallback: "ManagerClosed",
  getResourceStats: "answers",
  getBudget: "answers",
  threadStats: "answers",
  threads: "answers",
  audit: "answers"
}

describe("shared manager: the calls of a thread that cannot act on the ledger any more", () => {
  test("a thread declared lost while alive: every call that acts on resources, budgets or callbacks fails with ManagerClosed; stats, budgets read, threads and audit answer", async () => {
    const m = opened.make({ budgets: { Memory: budget }, pools: [{ type: "Memory", blockSize: 4096, blockCount: 4 }] })
    const kept = m.acquire(memory, { name: "kept" })
    const lost = opened.attachHere(m)
    const held = lost.acquire({ type: "Memory", sizeBytes: 10_000 })
    reap(m, lost.thread)
    expect(held.released).toBe(true)
    expect(m.threads()).toEqual([m.thread])
    expect(await outcomes(lost, kept.handle)).toEqual(expected)
    // what it reads is the live ledger: the creator's hold, the pool's capacity, its own released hold gone
    expect(lost.getResourceStats("Memory")).toEqual(m.getResourceStats("Memory"))
    expect(lost.getResourceStats("Memory").currentUsage).toBe(4 * 4096)
    expect(lost.audit()).toEqual(m.audit())
    expect(lost.close()).toEqual([])
    kept.release()
  })

  test("a worker after the creator's close: the same calls answer and fail the same way", async () => {
    const m = opened.make({ budgets: { Memory: budget }, pools: [{ type: "Memory", blockSize: 4096, blockCount: 4 }] })
    const kept = m.acquire(memory, { name: "kept" })
    const handle = kept.handle
    const worker = attachSharedResourceManager(m.descriptor)
    m.close()
    expect(await outcomes(worker, handle)).toEqual(expected)
    expect(worker.close()).toEqual([])
  })
})
