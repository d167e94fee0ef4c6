/**
 * A thread declared lost while alive, paused in the middle of a lock-free step for longer than the reaper waits for
 * it, comes back after the reaping and finishes its step (report F1: a loaded machine, a GC pause, a debugger). The
 * docs promise that a lost thread's holds are released and its later calls fail with ManagerClosed; whatever the
 * step left must then be undone exactly once, by the reaper or by the late thread, and the ledger must balance.
 *
 * Each test holds a worker's step at one point (test/fixtures/shared-late-step-worker.ts) on an `Atomics.wait` that
 * is released only once the creator has reaped the thread, so the step always lands after the reaping (by
 * construction, not by timing), then checks the late call's outcome and the whole ledger.
 *
 * The reaper moves the thread's epoch on before anything else (the fence), and a lock-free step reads it right before
 * each of its writes to the ledger: found reaped, the step writes nothing more and the call fails with ManagerClosed,
 * what it wrote before being the repair's to undo (as for a thread that died there). The admission's last write, its
 * holder bit, is a compare-and-swap read back against the fence: a bit that landed after the repair on the slot the
 * repair returned is taken back (docs/shared-manager.md, "Lost threads"). Without the fence six of the points below
 * corrupted the ledger (a charge or a holder bit landing after the repair, a release uncharged twice, a share's stray
 * holder bit); the four others held already.
 */
import { expect, test } from "bun:test"
import { createSharedResourceManager, type SharedResourceManager } from "../src/index.ts"
import { Ledger } from "../src/internal/shared/ledger.ts"
import type { LatePoint, LateStepReport, LateStepSetup } from "./fixtures/shared-late-step-worker.ts"
import { until } from "./support/shared-agents.ts"

/** Short, so that the reaping comes soon; the pause does not depend on it (the test ends it after the reaping). */
const LOST_AFTER_MILLIS = 200

type Message = { readonly kind: string } & Record<string, unknown>

/** What the ledger holds: slots with a holder bit, slots taken, the Memory audit. */
const ledgerState = (m: SharedResourceManager) => {
  const ledger = new Ledger(m.descriptor.buffer)
  const held: Array<string> = []
  const taken: Array<number> = []
  for (let slot = 0; slot < ledger.maxResources; slot++) {
    const mask = ledger.maskOf(slot)
    if (mask !== 0) held.push(`${slot}/${ledger.generationOf(slot)}: ${mask}`)
    if (ledger.isTaken(slot)) taken.push(slot)
  }
  const memory = m.audit().find((a) => a.type === "Memory")
  return {
    held,
    taken,
    usage: memory?.usage,
    liveBytes: memory?.liveBytes,
    liveCount: memory?.liveCount
  }
}

/**
 * Runs the worker's step held at `point` until the creator reaped its thread, lets it finish, and returns the
 * manager (open), the late call's outcome and the creator's resource for a share.
 */
const lateStep = async (
  point: LatePoint,
  blocking = false
): Promise<{ m: SharedResourceManager; outcome: string; end: () => void }> => {
  const m = createSharedResourceManager({
    budgets: { Memory: { maxBytes: 4096, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 } },
    maxThreads: 4,
    maxResources: 64,
    lostAfterMillis: LOST_AFTER_MILLIS
  })
  const sharedRef = point.startsWith("share") ? m.acquire({ type: "Memory", sizeBytes: 100 }) : undefined
  const gate = new SharedArrayBuffer(4)
  const worker = new Worker(new URL("./fixtures/shared-late-step-worker.ts", import.meta.url).href)
  const end = () => {
    worker.terminate()
    m.close()
  }
  try {
    const messages: Array<Message> = []
    worker.onmessage = (event: MessageEvent) => messages.push(event.data)
    const setup: LateStepSetup = { descriptor: m.descriptor, point, gate, handle: sharedRef?.handle, blocking }
    worker.postMessage(setup)
    await until(() => messages.some((message) => message.kind === "paused"), "the worker held at its point")
    const thread = messages.find((message) => message.kind === "ready")?.thread as number
    await until(() => !m.threads().includes(thread), "the reaping", 10_000)
    // the reaping is over (the thread's index is free again): only now does the step go on
    Atomics.store(new Int32Array(gate), 0, 1)
    Atomics.notify(new Int32Array(gate), 0)
    await until(() => messages.some((message) => message.kind === "done"), "the late step's end")
    const report = messages.find((message) => message.kind === "done") as unknown as LateStepReport
    if (sharedRef !== undefined) {
      // the creator's hold is the only one; its release frees the resource
      expect(m.info(sharedRef.handle).holders).toEqual([m.thread])
      sharedRef.release()
    }
    return { m, outcome: report.outcome, end }
  } catch (error) {
    end()
    throw error
  }
}

/** Nothing of the late thread is left, the ledger balances, and the whole budget serves the next acquisition. */
const expectEmptyAndUsable = (m: SharedResourceManager): void => {
  expect(ledgerState(m)).toEqual({ held: [], taken: [], usage: 0, liveBytes: 0, liveCount: 0 })
  const next = m.acquire({ type: "Memory", sizeBytes: 4096 })
  expect(m.info(next.handle).holders).toEqual([m.thread])
  next.release()
  expect(m.close()).toEqual([])
}

/**
 * The late step held at `point` lands after the reaping: the call fails with ManagerClosed when `closed` (an
 * acquisition or share in progress when its thread was reaped fails, as every later call of the thread; a release
 * has no outcome to check), and the ledger is left empty and whole.
 */
const lateStepEnds =
  (point: LatePoint, { closed = true, blocking = false }: { closed?: boolean; blocking?: boolean } = {}) =>
  async () => {
    const { m, outcome, end } = await lateStep(point, blocking)
    try {
      if (closed) expect(outcome).toMatch(/^ManagerClosed/)
      expectEmptyAndUsable(m)
    } finally {
      end()
    }
  }

// Without the fence: the late admission landed after the repair, in a slot it took then: holder bit 2 on slot 0, 100
// bytes charged (usage 100, liveCount 1) to a thread that no longer exists.
test(
  "admission held before its slot claim, back after the reaping: fails with ManagerClosed, the ledger balances",
  lateStepEnds("admit: before the slot claim"),
  20_000
)

// Without the fence: the repair returned the slot to the free ones (generation 2), then the late admission charged it
// and set its holder bit there: usage 100, liveCount 1, for good.
test(
  "admission held after its slot claim, back after the reaping: fails with ManagerClosed, the ledger balances",
  lateStepEnds("admit: after the slot claim"),
  20_000
)

// The user's report (it returned "admitted 0/2"; handle 0/2 was issued again to the next acquisition): without the
// fence, the late charge and holder bit on the slot the repair freed (usage 100, liveCount 1).
test(
  "admission held before its usage charge, back after the reaping: fails with ManagerClosed, the ledger balances",
  lateStepEnds("admit: before the usage charge"),
  20_000
)

// Without the fence: the charge (landed before the repair) was dropped by the repair, then the late holder bit landed
// on the slot the repair freed: a live-looking resource charged nothing (usage 0, liveBytes 100).
test(
  "admission held before publishing its hold, back after the reaping: fails with ManagerClosed, the ledger balances",
  lateStepEnds("admit: before publishing the hold"),
  20_000
)

// The reaper released the hold (published before the repair); the call returned a ref ("admitted 0/1") before the
// check after the step.
test(
  "admission held after publishing its hold, back after the reaping: fails with ManagerClosed",
  lateStepEnds("admit: after publishing the hold"),
  20_000
)

// The same under the lock, a Blocking acquireAsync admitted at once: its lock was forced free and the reaper
// released the hold; the wait resolved with a ref.
test(
  "Blocking acquireAsync held after publishing its hold, back after the reaping: fails with ManagerClosed",
  lateStepEnds("admit: after publishing the hold", { blocking: true }),
  20_000
)

test(
  "release held before dropping its hold, back after the reaping: the reaper's release stands alone",
  lateStepEnds("release: before dropping the hold", { closed: false }),
  20_000
)

// Without the fence: the late release uncharged 100 bytes the repair had already taken off (usage -100) and returned
// the slot a second time.
test(
  "release held after dropping its hold, back after the reaping: its uncharge and free slot count once",
  lateStepEnds("release: after dropping the hold", { closed: false }),
  20_000
)

// Without the fence: the call failed with ManagerClosed, but the reaped thread's holder bit landed
// on the creator's resource after the reaping and stays after the creator's release (the resource never frees).
test(
  "share held before adding its hold, back after the reaping: fails with ManagerClosed, adds no hold",
  lateStepEnds("share: before adding the hold"),
  20_000
)

// The reaper released the hold (added before the repair); the call returned a ref ("shared 0/1") before the check
// after the step.
test(
  "share held after adding its hold, back after the reaping: fails with ManagerClosed, the reaper's release stands",
  lateStepEnds("share: after adding the hold"),
  20_000
)
