/**
 * Leasing budget bytes to threads (`leaseBytes`; docs/shared-manager.md, "Leasing", and spec/SharedLease.tla):
 * a thread charges a chunk to usage once, then admits and releases within it on a word of its own. What must
 * hold: usage in stats excludes leased bytes; a refusal, an Emergency overage and a pressure level are decided
 * on the live bytes (leasing turned off first); no lease is taken while a request waits; a thread that
 * detaches, or is lost, leaves no leased bytes behind. "Threads" here are attachments made in this thread (each
 * a thread index of its own), so every interleaving is the one written; the lost thread is a worker agent.
 */
import { afterEach, describe, expect, test } from "bun:test"
import { BudgetExceeded, InvalidArgument, type ResourceMetadata } from "@flight-hal/core"
import {
  createSharedResourceManager,
  type PressureEvent,
  type SharedManagerConfig,
  type SharedResourceManager
} from "../src/index.ts"
import { RT, T, TYPE_BIG_WORDS } from "../src/internal/shared/layout.ts"
import { Ledger } from "../src/internal/shared/ledger.ts"
import { Agents, OpenedManagers, until, within } from "./support/shared-agents.ts"

/** Memory: 1000 bytes, 100 reserved, warning at 50 %: the lease ceiling is 499 bytes. */
const config: SharedManagerConfig = {
  budgets: { Memory: { maxBytes: 1000, reservedBytes: 100, warningPercent: 50, criticalPercent: 80 } },
  leaseBytes: 200
}
const mem = (sizeBytes: number): ResourceMetadata => ({ type: "Memory", sizeBytes })

const opened = new OpenedManagers()
const agents = new Agents()

afterEach(() => {
  agents.terminateAll()
  opened.closeAll()
})

const make = (given: SharedManagerConfig = config): SharedResourceManager => opened.make(given)
const attachHere = (m: SharedResourceManager): SharedResourceManager => opened.attachHere(m)

/** The ledger's words for Memory: the usage word and a thread's lease (-1: leasing off). */
const words = (m: SharedResourceManager) => {
  const ledger = new Ledger(m.descriptor.buffer)
  const type = m.audit().findIndex((a) => a.type === "Memory")
  return {
    usageWord: () => Number(Atomics.load(ledger.typesBig, type * TYPE_BIG_WORDS + T.usage)),
    lease: (thread: number) => Atomics.load(ledger.threadCounters, ledger.threadTypeRow(thread, type) + RT.lease)
  }
}

const usage = (m: SharedResourceManager) => m.getResourceStats("Memory").currentUsage

describe("leasing budget bytes to threads", () => {
  test("an admission that fits the thread's lease, and a release back into it, leave the usage word as it is", () => {
    const m = make()
    const w = words(m)
    const first = m.acquire(mem(50)) // on the usage word; then the thread asks for a lease
    expect([w.usageWord(), w.lease(m.thread), usage(m)]).toEqual([250, 200, 50])
    const spent = m.acquire(mem(100))
    expect([w.usageWord(), w.lease(m.thread), usage(m)]).toEqual([250, 100, 150])
    spent.release()
    first.release()
    // both back into the lease (it holds at most two chunks): usage excludes it
    expect([w.usageWord(), w.lease(m.thread), usage(m)]).toEqual([250, 250, 0])
    expect(m.audit().find((a) => a.type === "Memory")).toMatchObject({ usage: 0, leasedBytes: 250, leases: 1 })
    expect(m.getResourceStats("Memory")).toMatchObject({ allocationCount: 2, releaseCount: 2, pressure: "None" })
  })

  test("the peak counts leased bytes: an upper bound of the live bytes' peak", () => {
    const m = make()
    m.acquire(mem(50)).release()
    expect(m.getResourceStats("Memory")).toMatchObject({ currentUsage: 0, peakUsage: 250 })
  })

  test("no false refusal: a request that fits only without another thread's lease is admitted (leasing turned off first)", () => {
    const a = make()
    const b = attachHere(a)
    const w = words(a)
    a.acquire(mem(50))
    expect(w.lease(a.thread)).toBe(200)
    const big = b.acquire(mem(850)) // 250 + 850 > 900 on the word; 50 + 850 ≤ 900 live
    expect([w.usageWord(), w.lease(a.thread), w.lease(b.thread), usage(a)]).toEqual([900, -1, -1, 900])
    big.release()
  })

  test("a refusal names the live bytes as available, and an Emergency overage is computed on them", () => {
    const a = make()
    const b = attachHere(a)
    a.acquire(mem(50))
    let refused: unknown
    try {
      b.acquire(mem(860))
    } catch (error) {
      refused = error
    }
    expect(refused).toBeInstanceOf(BudgetExceeded)
    expect(refused).toMatchObject({ requested: 860, available: 850, limit: 900 })
    a.acquire(mem(50)) // on the usage word: leasing stays off until usage is at most half the ceiling
    const over = b.acquire(mem(850), { mode: "Emergency" }) // 100 + 850 = 950: 50 over
    expect(b.getResourceStats("Memory")).toMatchObject({ currentUsage: 950, emergencyCount: 1, emergencyBytes: 50 })
    over.release()
  })

  test("a step above the ceiling turns leasing off before the level is settled: no level from leased bytes", () => {
    const a = make()
    const b = attachHere(a)
    const events: Array<PressureEvent> = []
    a.registerPressureCallback((event) => events.push(event))
    a.acquire(mem(50)) // word 250: 50 live, 200 leased
    const r = b.acquire(mem(300)) // word 550 ≥ 500 (Low) with the lease; 350 live: None
    expect([words(a).usageWord(), usage(a), a.getResourceStats("Memory").pressure]).toEqual([350, 350, "None"])
    const s = b.acquire(mem(200)) // 550 live: Low
    expect(b.getResourceStats("Memory").pressure).toBe("Low")
    s.release()
    r.release()
    expect(b.getResourceStats("Memory").pressure).toBe("None")
  })

  test("no lease is taken while a request waits; the waiter is granted when bytes come back; leasing comes back after", async () => {
    const a = make()
    const b = attachHere(a)
    const w = words(a)
    a.acquire(mem(50)) // a leases 200
    const small = a.acquire(mem(100)) // from the lease: 150 live
    const waiting = b.acquireAsync(mem(800), { mode: "Blocking" }) // 150 + 800 > 900: waits, leasing off
    expect([w.lease(a.thread), w.usageWord(), a.getResourceStats("Memory").waiting]).toEqual([-1, 150, 1])
    // Critical requests pass the Normal waiter; each would ask for a lease, refused while b waits
    for (let i = 0; i < 100; i++) a.acquire({ ...mem(1), priority: "Critical" }).release()
    expect(w.lease(a.thread)).toBe(-1)
    small.release() // 50 live: 850 ≤ 900, b is granted
    const granted = await within(waiting, "the grant")
    expect(usage(a)).toBe(850)
    granted.release() // 50 live, nobody waits, level None: leasing may come back
    for (let i = 0; i < 100 && w.lease(a.thread) < 0; i++) a.acquire(mem(1)).release()
    expect(w.lease(a.thread)).toBeGreaterThanOrEqual(0)
    expect(usage(a)).toBe(50)
  })

  test("a thread that detaches gives its lease back; a budget change turns leasing off", () => {
    const a = make()
    const b = attachHere(a)
    const w = words(a)
    b.acquire(mem(50)).release()
    expect([w.lease(b.thread), w.usageWord()]).toEqual([250, 250])
    b.close()
    expect([w.lease(b.thread), w.usageWord(), usage(a)]).toEqual([0, 0, 0])
    a.acquire(mem(50))
    expect(w.lease(a.thread)).toBe(200)
    a.setBudget("Memory", { maxBytes: 2000, reservedBytes: 100, warningPercent: 50, criticalPercent: 80 })
    expect([w.lease(a.thread), w.usageWord(), usage(a)]).toEqual([-1, 50, 50])
  })

  test("a lost worker's lease is not lost: after the reaping the usage word is the live bytes", async () => {
    const m = make({ ...config, lostAfterMillis: 200 })
    const w = words(m)
    const lost = await agents.attach(m.descriptor)
    await lost.call("acquire", "first", mem(50))
    await lost.call("acquire", "second", mem(100)) // from its lease
    expect([w.lease(lost.thread), w.usageWord(), usage(m)]).toEqual([100, 250, 150])
    lost.terminate()
    await until(() => !m.threads().includes(lost.thread), "the reaping")
    expect([w.lease(lost.thread), w.usageWord(), usage(m)]).toEqual([-1, 0, 0])
    const after = m.acquire(mem(900)) // the whole budget below the reserve is there again
    after.release()
  })

  test("leaseBytes must be an integer from 0 to 2^29: the config is refused otherwise", () => {
    for (const leaseBytes of [-1, 1.5, Number.NaN, 2 ** 29 + 1, "200", {}]) {
      expect(() => createSharedResourceManager({ ...config, leaseBytes } as unknown as SharedManagerConfig)).toThrow(
        InvalidArgument
      )
    }
  })

  test("a type without a budget is never leased; leaseBytes 0 leases nothing", () => {
    const m = make({ ...config, budgets: {} })
    const w = words(m)
    m.acquire(mem(50)).release()
    expect([w.lease(m.thread), w.usageWord()]).toEqual([-1, 0])
    const off = make({ ...config, leaseBytes: 0 })
    const v = words(off)
    off.acquire(mem(50)).release()
    expect([v.lease(off.thread), v.usageWord()]).toEqual([-1, 0])
  })
})
