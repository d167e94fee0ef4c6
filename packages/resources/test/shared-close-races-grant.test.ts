/**
 * The creator's close racing a grant it just recorded for another thread's wait (docs/shared-manager.md, "Close";
 * docs/semantics.md, section 17). A wait counts as granted only once its thread has delivered the grant before
 * the close: then its ref is a hold like any other, which the close releases and reports. A grant recorded in
 * the ledger and not yet delivered when the close comes leaves the waiter a waiter: it fails with ManagerClosed,
 * holding nothing, and the close releases the grant without reporting it. Either way nothing stays charged.
 *
 * The other thread is an attachment in this thread (a thread of the ledger of its own), and its steps are run at
 * the moment the race needs them: inside the close, right after it marked the manager closed (the other thread
 * saw the close and detached, giving up its index, before the close released its holds), or inside the other
 * thread's delivery of the grant, between its look at the entry and its taking the grant (caller code run
 * there: the wait's signal's `removeEventListener`). A bounded loop with a real worker is the guard.
 */
import { describe, expect, test } from "bun:test"
import { ManagerClosed } from "@flight-hal/core"
import {
  attachSharedResourceManager,
  createSharedResourceManager,
  type SharedLeakReport,
  type SharedResourceManager
} from "../src/index.ts"
import type { Ledger } from "../src/internal/shared/ledger.ts"
import { within } from "./support/shared-agents.ts"

const budgets = { Memory: { maxBytes: 1000, reservedBytes: 0, warningPercent: 75, criticalPercent: 90 } }
const big = { type: "Memory" as const, sizeBytes: 600 }
const small = { type: "Memory" as const, sizeBytes: 100 }

const outcome = (wait: Promise<{ released: boolean }>): Promise<string> =>
  wait.then(
    (ref) => `granted (released ${ref.released})`,
    (error: unknown) => (error instanceof ManagerClosed ? "ManagerClosed" : String(error))
  )

const ledgerOf = (manager: SharedResourceManager): Ledger => (manager as unknown as { ledger: Ledger }).ledger

const reported = (leaks: ReadonlyArray<SharedLeakReport>) =>
  leaks.map((leak) => [leak.thread, leak.name, leak.sizeBytes])

/** Nothing live, nothing charged, nothing waiting, no thread attached. */
const empty = (manager: SharedResourceManager) => {
  const audit = manager.audit()[0]
  return {
    usage: audit?.usage,
    liveCount: audit?.liveCount,
    waiting: audit?.waiting,
    currentUsage: manager.getResourceStats("Memory").currentUsage,
    threads: manager.threads()
  }
}
const EMPTY = { usage: 0, liveCount: 0, waiting: 0, currentUsage: 0, threads: [] }

describe("the creator's close racing a grant it recorded", () => {
  test("a thread that detaches as soon as it sees the close, before the close released its holds: all freed", async () => {
    const manager = createSharedResourceManager({ budgets })
    const other = attachSharedResourceManager(manager.descriptor)
    const held = manager.acquire(big)
    const keep = other.acquire("w-keep", small)
    const waiting = outcome(other.acquireAsync(big, { mode: "Blocking" }))
    // the other thread, woken by the grant, sees the manager closed and detaches (gives up its index) between the
    // close's marking the manager closed and its releasing every thread's holds
    const ledger = ledgerOf(manager)
    const markClosed = ledger.markClosed.bind(ledger)
    ledger.markClosed = () => {
      ledger.markClosed = markClosed
      markClosed()
      expect(other.close()).toEqual([])
    }
    held.release() // grants the other thread's wait (recorded in the ledger, not delivered)
    const leaks = manager.close()
    expect(ledger.markClosed).toBe(markClosed) // the race ran
    expect(await within(waiting, "the wait's end")).toBe("ManagerClosed")
    expect(keep.released).toBe(true)
    expect(empty(manager)).toEqual(EMPTY)
    // the hold the other thread had is reported; the grant it never delivered is not
    expect(reported(leaks)).toEqual([[other.thread, "w-keep", 100]])
    expect(other.close()).toEqual([])
  })

  test("a grant its thread had not delivered yet: the wait fails with ManagerClosed, the grant is not reported", async () => {
    const manager = createSharedResourceManager({ budgets })
    const other = attachSharedResourceManager(manager.descriptor)
    const held = manager.acquire(big)
    const keep = other.acquire("w-keep", small)
    const waiting = outcome(other.acquireAsync(big, { mode: "Blocking" }))
    held.release()
    const leaks = manager.close()
    expect(reported(leaks)).toEqual([[other.thread, "w-keep", 100]])
    expect(await within(waiting, "the wait's end")).toBe("ManagerClosed")
    expect(keep.released).toBe(true)
    expect(other.close()).toEqual([])
    expect(empty(manager)).toEqual(EMPTY)
  })

  test("a thread's own detach with a grant it has not delivered: the wait fails, the grant is not reported", async () => {
    const manager = createSharedResourceManager({ budgets })
    const other = attachSharedResourceManager(manager.descriptor)
    const held = manager.acquire(big)
    other.acquire("w-keep", small)
    const waiting = outcome(other.acquireAsync(big, { mode: "Blocking" }))
    held.release()
    expect(reported(other.close())).toEqual([[other.thread, "w-keep", 100]])
    expect(await within(waiting, "the wait's end")).toBe("ManagerClosed")
    expect(manager.threads()).toEqual([manager.thread])
    expect(manager.audit()[0]).toMatchObject({ usage: 0, liveCount: 0, waiting: 0 })
    expect(manager.close()).toEqual([])
  })

  test("a close between the waiter's look at its granted entry and its taking the grant: ManagerClosed", async () => {
    const manager = createSharedResourceManager({ budgets })
    const other = attachSharedResourceManager(manager.descriptor)
    const held = manager.acquire(big)
    const keep = other.acquire("w-keep", small)
    // the waiting thread's delivery runs the signal's removeEventListener after it found the entry granted and
    // before it takes the grant: the creator's close runs there
    const controller = new AbortController()
    const signal = controller.signal
    const remove = signal.removeEventListener.bind(signal)
    let leaks: ReadonlyArray<SharedLeakReport> | undefined
    signal.removeEventListener = (...args: Parameters<AbortSignal["removeEventListener"]>) => {
      if (leaks === undefined) leaks = manager.close()
      remove(...args)
    }
    const waiting = outcome(other.acquireAsync(big, { mode: "Blocking", signal }))
    held.release() // grants the wait; the other thread delivers it from its listener
    expect(await within(waiting, "the wait's end")).toBe("ManagerClosed")
    if (leaks === undefined) throw new Error("the race did not run")
    expect(reported(leaks)).toEqual([[other.thread, "w-keep", 100]])
    expect(keep.released).toBe(true)
    expect(other.close()).toEqual([])
    expect(empty(manager)).toEqual(EMPTY)
  })

  test("a grant delivered before the close is a hold: live until the close, which releases and reports it", async () => {
    const manager = createSharedResourceManager({ budgets })
    const other = attachSharedResourceManager(manager.descriptor)
    const held = manager.acquire(big)
    const wait = other.acquireAsync(big, { mode: "Blocking" })
    held.release()
    const ref = await within(wait, "the grant")
    expect(ref.released).toBe(false)
    expect(reported(manager.close())).toEqual([[other.thread, "", 600]])
    expect(ref.released).toBe(true)
    expect(other.close()).toEqual([])
    expect(empty(manager)).toEqual(EMPTY)
  })
})

describe("the creator's close racing a grant, with a real worker (bounded guard)", () => {
  test("every round ends with nothing charged; a wait that failed with ManagerClosed is not reported", async () => {
    const worker = new Worker(new URL("./fixtures/shared-close-race-worker.ts", import.meta.url).href)
    try {
      for (let round = 0; round < 40; round++) {
        const manager = createSharedResourceManager({ budgets })
        const held = manager.acquire(big)
        let leaks: ReadonlyArray<SharedLeakReport> = []
        const answer = new Promise<{ outcome: string }>((resolve) => {
          worker.onmessage = (message: MessageEvent<string | { outcome: string }>) => {
            if (message.data === "waiting") {
              // the release records the grant; the close follows in the same synchronous step
              held.release()
              leaks = manager.close()
            } else if (typeof message.data === "object") resolve(message.data)
          }
        })
        worker.postMessage(manager.descriptor)
        const { outcome: result } = await within(answer, `round ${round}'s end`)
        expect(["granted", "ManagerClosed"]).toContain(result)
        // a wait that failed held nothing: its grant, if recorded, is not reported
        if (result === "ManagerClosed") expect(leaks.filter((leak) => leak.sizeBytes === 600)).toEqual([])
        // the worker has released what it held and closed its attachment by now
        expect([round, empty(manager)]).toEqual([round, EMPTY])
      }
    } finally {
      worker.terminate()
    }
  })
})
