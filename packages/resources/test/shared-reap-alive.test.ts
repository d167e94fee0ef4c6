/**
 * A thread declared lost is not always dead: a worker preempted (or paused) for `lostAfterMillis` in the middle of
 * an admission comes back and finishes it. The reaper must not repair the ledger while such a step may still land:
 * it waits for the lost thread's step in progress (or for the lock it holds), up to `lostAfterMillis / 4`, before it
 * repairs and releases; a thread that comes back meanwhile finishes its step first, its hold is then released
 * like any other, and its call fails with ManagerClosed. (The flake of shared-stress.test.ts under load: a victim
 * declared lost while alive left its holder bit, or a pool block twice on the free list, after its reaping.) A
 * thread that comes back after that wait is test/shared-late-step.test.ts's.
 *
 * The worker (test/fixtures/shared-reap-alive-worker.ts) blocks right before its admission's charge and holder bit
 * until it is declared lost, then goes on once the reaper has waited for it for `PATIENCE` ms, or once the reaper
 * is done with it: without the wait, the admission lands after the reaping.
 */
import { expect, test } from "bun:test"
import { ResourceNotFound } from "@flight-hal/core"
import { createSharedResourceManager } from "../src/index.ts"
import { Ledger } from "../src/internal/shared/ledger.ts"
import type { ReapAliveReport } from "./fixtures/shared-reap-alive-worker.ts"
import { until } from "./support/shared-agents.ts"

const LOST_AFTER_MILLIS = 400
/**
 * How long the reaper has been in the middle of the reaping when the worker comes back: well within the reaper's
 * wait for it (`lostAfterMillis / 4`, Ledger.lostGrace), well above the reaping's own time when it does not wait.
 */
const PATIENCE = 20

const lateAdmission = (locked: boolean) => async () => {
  const m = createSharedResourceManager({
    budgets: { Memory: { maxBytes: 4096, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 } },
    maxThreads: 4,
    maxResources: 64,
    lostAfterMillis: LOST_AFTER_MILLIS
  })
  const memory = () => m.audit().find((a) => a.type === "Memory")
  const worker = new Worker(new URL("./fixtures/shared-reap-alive-worker.ts", import.meta.url).href)
  try {
    const messages: Array<{ kind: string } & Record<string, unknown>> = []
    worker.onmessage = (event: MessageEvent) => messages.push(event.data)
    worker.postMessage({ descriptor: m.descriptor, locked, patienceMillis: PATIENCE })
    await until(() => messages.some((message) => message.kind === "ready"), "the worker's attach")
    const thread = messages.find((message) => message.kind === "ready")?.thread as number
    await until(() => messages.some((message) => message.kind === "done"), "the late admission", 10_000)
    await until(() => !m.threads().includes(thread), "the reaping")
    const report = messages.find((message) => message.kind === "done") as unknown as ReapAliveReport
    const ledger = new Ledger(m.descriptor.buffer)
    const left: Array<string> = []
    const taken: Array<number> = []
    for (let slot = 0; slot < ledger.maxResources; slot++) {
      const mask = ledger.maskOf(slot)
      if (mask !== 0) left.push(`${slot}/${ledger.generationOf(slot)}: ${mask}`)
      if (ledger.isTaken(slot)) taken.push(slot)
    }
    // nothing of the lost thread is left: no hold, no charge, no slot taken, no name; it came back while the
    // reaper waited for it (without the wait it comes back once its row is free, and its admission lands then)
    expect({ left, taken, audit: memory(), ...report }).toMatchObject({
      left: [],
      taken: [],
      audit: { usage: 0, liveBytes: 0, liveCount: 0, waiting: 0 },
      cameBack: "waited on",
      // its admission landed before the repair and the reaper released it: the call fails as the thread's later
      // calls do (it returned a ref to the released hold: test/shared-late-step.test.ts)
      outcome: expect.stringMatching(/^ManagerClosed/)
    })
    if (locked) expect(() => m.find("late")).toThrow(ResourceNotFound)
    // and the slot it took serves the next acquisition
    const next = m.acquire({ type: "Memory", sizeBytes: 4096 })
    expect(m.info(next.handle).holders).toEqual([m.thread])
    next.release()
    expect(memory()).toMatchObject({ usage: 0, liveCount: 0 })
  } finally {
    worker.terminate()
    m.close()
  }
}

test(
  "a thread declared lost in the middle of a lock-free admission, and not dead, finishes it before the repair",
  lateAdmission(false),
  20_000
)

test(
  "a thread declared lost holding the lock, and not dead, finishes its admission before the repair",
  lateAdmission(true),
  20_000
)
