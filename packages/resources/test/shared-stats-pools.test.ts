/**
 * What the shared manager's stats mean with pools (docs/shared-manager.md, "Stats"), pinned: pools are counted as
 * a single-thread manager counts them (their whole capacity charged to the type at creation, a pool-served
 * resource charged nothing more), so `audit().liveBytes` is the pools' capacity plus the sizes of the live
 * resources no block serves (what usage should be), and `threadStats(t).currentUsage` is `t`'s part of usage: the
 * resources it acquired that are charged, never those a block serves. The threads' parts plus the capacity make
 * the usage; `allocationCount - releaseCount` counts a thread's live resources of either kind.
 */
import { afterEach, describe, expect, test } from "bun:test"
import type { SharedResourceManager } from "../src/index.ts"
import { OpenedManagers } from "./support/shared-agents.ts"

const opened = new OpenedManagers()
afterEach(() => opened.closeAll())

const budget = { maxBytes: 1 << 20, reservedBytes: 0, warningPercent: 75, criticalPercent: 90 }
const capacity = 4096 * 8

const memoryOf = <T extends { readonly type: string }>(rows: ReadonlyArray<T>): T | undefined =>
  rows.find((row) => row.type === "Memory")

const threadPart = (m: SharedResourceManager, thread: number) => {
  const row = memoryOf(m.threadStats(thread))
  return { currentUsage: row?.currentUsage, live: (row?.allocationCount ?? 0) - (row?.releaseCount ?? 0) }
}

describe("shared manager: stats with pools", () => {
  for (const leaseBytes of [0, 1 << 16]) {
    test(`usage, audit and each thread's part${leaseBytes > 0 ? ", with leasing" : ""}`, () => {
      const m = opened.make({
        budgets: { Memory: budget },
        pools: [{ type: "Memory", blockSize: 4096, blockCount: 8 }],
        leaseBytes
      })
      const w = opened.attachHere(m)
      // no resource yet: usage and liveBytes are the pools' capacity, no thread has a part
      expect(memoryOf(m.audit())).toMatchObject({ usage: capacity, liveBytes: capacity, liveCount: 0 })
      expect(threadPart(m, m.thread)).toEqual({ currentUsage: 0, live: 0 })
      const held = [
        m.acquire({ type: "Memory", sizeBytes: 100 }), // a pool block
        m.acquire({ type: "Memory", sizeBytes: 4000 }), // a pool block
        m.acquire({ type: "Memory", sizeBytes: 10_000 }), // charged
        w.acquire({ type: "Memory", sizeBytes: 4000 }), // a pool block
        w.acquire({ type: "Memory", sizeBytes: 4000 }), // a pool block
        w.acquire({ type: "Memory", sizeBytes: 20_000 }) // charged
      ]
      expect(threadPart(m, m.thread)).toEqual({ currentUsage: 10_000, live: 3 })
      expect(threadPart(m, w.thread)).toEqual({ currentUsage: 20_000, live: 3 })
      const usage = capacity + 10_000 + 20_000
      expect(m.getResourceStats("Memory").currentUsage).toBe(usage)
      expect(memoryOf(m.audit())).toMatchObject({ usage, liveBytes: usage, liveCount: 6 })
      // a thread holding only pool-served resources has no part of usage
      for (const ref of [held[2], held[5]]) ref?.release()
      expect(threadPart(m, w.thread)).toEqual({ currentUsage: 0, live: 2 })
      expect(memoryOf(m.audit())).toMatchObject({ usage: capacity, liveBytes: capacity, liveCount: 4 })
      for (const ref of held) ref.release()
    })
  }
})
