/**
 * A worker's `close()` gives up its pool slots before its thread index: an attachment that finds the index free
 * finds a slot free in every pool too. The close gave up its index first and its pool slots last, after
 * delivering its events; an attachment in between (here: from a pressure callback the close runs, so the window
 * is hit every time) found a full pool and failed with ManagerClosed though an index was free.
 */
import { afterEach, describe, expect, test } from "bun:test"
import type { SharedPoolConfig, SharedResourceManager } from "../src/index.ts"
import { attachSharedResourceManager } from "../src/index.ts"
import { OpenedManagers } from "./support/shared-agents.ts"

const opened = new OpenedManagers()
afterEach(() => opened.closeAll())

// the pool on a type of its own: the Memory acquisition below is charged to the Memory budget, not served by it
const pool: SharedPoolConfig = { type: "Hardware", blockSize: 4096, blockCount: 4 }
const budgets = { Memory: { maxBytes: 100, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 } }

describe("shared manager: a worker's close and an attachment", () => {
  test("an attachment made while the close delivers its events gets the index it gave up", () => {
    const m = opened.make({ maxThreads: 2, pools: [pool], budgets })
    const worker = attachSharedResourceManager(m.descriptor)
    expect(worker.thread).toBe(1)
    let attached: SharedResourceManager | undefined
    let refused: unknown
    worker.registerPressureCallback((event) => {
      // the close's own release: Low -> None, delivered by the close after it gave up the index
      if (event.to !== "None") return
      try {
        attached = attachSharedResourceManager(m.descriptor)
      } catch (error) {
        refused = error
      }
    })
    worker.acquire({ type: "Memory", sizeBytes: 60 }) // None -> Low; left for the close to release
    expect(worker.close()).toHaveLength(1)
    expect(refused).toBeUndefined()
    expect(attached?.thread).toBe(1)
    expect(m.threads()).toEqual([0, 1])
    // the new thread holds a slot of the pool, and gives it up when it closes
    const block = attached?.acquire({ type: "Hardware", sizeBytes: 4096 })
    expect(block?.payload?.byteLength).toBe(4096)
    block?.release()
    attached?.close()
    expect(m.threads()).toEqual([0])
    expect(opened.attachHere(m).thread).toBe(1)
  })
})
