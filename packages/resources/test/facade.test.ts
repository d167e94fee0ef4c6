import { describe, expect, test } from "bun:test"
import { AcquireTimeout, BudgetExceeded, ManagerClosed, type ResourceMetadata } from "@flight-hal/core"
import { createResourceManager, type LeakReport, type PressureEvent } from "../src/index.ts"

const budget = { maxBytes: 1000, reservedBytes: 100, warningPercent: 50, criticalPercent: 80 }
const mem = (
  sizeBytes: number,
  extra: Partial<ResourceMetadata> = {}
): ResourceMetadata & { readonly type: "Memory" } => ({
  ...extra,
  type: "Memory",
  sizeBytes
})

describe("plain facade", () => {
  test("using releases at the end of the block; errors are the generated classes", () => {
    const manager = createResourceManager({ budgets: { Memory: budget }, onLeaks: () => {} })
    {
      using ref = manager.acquire("a", mem(900))
      expect(ref.payload.byteLength).toBe(900)
      expect(() => manager.acquire("b", mem(1))).toThrow(BudgetExceeded)
    }
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
    manager.close()
    expect(() => manager.acquire("c", mem(1))).toThrow(ManagerClosed)
  })

  test("payload access after release throws ResourceReleased; release is idempotent", () => {
    const manager = createResourceManager({})
    const ref = manager.acquire("a", { type: "Hardware", sizeBytes: 1 }, { create: () => ({ channel: 3 }) })
    expect(ref.payload.channel).toBe(3)
    ref.release()
    const before = JSON.stringify(manager.snapshot())
    ref.release()
    expect(JSON.stringify(manager.snapshot())).toBe(before)
    expect(() => ref.payload).toThrow(expect.objectContaining({ _tag: "ResourceReleased" }))
  })

  test("acquireAsync: Blocking is granted after a release; await using releases", async () => {
    const manager = createResourceManager({ budgets: { Memory: budget } })
    const first = manager.acquire("a", mem(900), { owner: "d1" })
    const waiting = manager.acquireAsync("b", mem(500), { owner: "d2" })
    expect(manager.getResourceStats("Memory").waiting).toBe(1)
    first.release()
    {
      await using second = await waiting
      expect(second.driver).toBe("d2")
      expect(manager.getResourceStats("Memory").currentUsage).toBe(500)
    }
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
  })

  test("acquireAsync Timeout rejects with AcquireTimeout and leaves the queue", async () => {
    const manager = createResourceManager({ budgets: { Memory: budget }, onLeaks: () => {} })
    manager.acquire("a", mem(900), { owner: "d1" })
    const error = await manager
      .acquireAsync("b", mem(500), { owner: "d2", mode: "Timeout", timeoutMillis: 0 })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AcquireTimeout)
    expect(manager.getResourceStats("Memory")).toMatchObject({ waiting: 0, currentUsage: 900, failedCount: 1 })
    manager.close()
  })

  test("close fails waiters with ManagerClosed and reports leaks", async () => {
    const leaks: Array<LeakReport> = []
    const manager = createResourceManager({ budgets: { Memory: budget }, onLeaks: (l) => leaks.push(...l) })
    manager.acquire("held", mem(900), { owner: "d1" })
    const waiting = manager.acquireAsync("w", mem(500), { owner: "d2" })
    const report = manager.close()
    await expect(waiting).rejects.toBeInstanceOf(ManagerClosed)
    expect(report.map((l) => [l.name, l.owner, l.sizeBytes])).toEqual([["held", "d1", 900]])
    expect(leaks).toEqual([...report])
  })

  test("registerResource / releaseResource (discouraged manual pair)", () => {
    const manager = createResourceManager({ budgets: { Memory: budget } })
    const handle = manager.registerResource("manual", mem(100))
    expect(manager.getResourceStats("Memory").currentUsage).toBe(100)
    manager.releaseResource(handle)
    manager.releaseResource(handle)
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
  })

  test("pressure callbacks run after the transition; a throwing one is isolated", async () => {
    const manager = createResourceManager({ budgets: { Memory: budget } })
    const seen: Array<string> = []
    const warn = console.warn
    console.warn = () => {}
    using _bad = manager.registerPressureCallback(() => {
      throw new Error("bad")
    })
    using _good = manager.registerPressureCallback((e: PressureEvent) => seen.push(`${e.from}->${e.to}`))
    const ref = manager.acquire("a", mem(850))
    ref.release()
    await Promise.resolve()
    console.warn = warn
    expect(seen).toEqual(["None->High", "High->None"])
  })

  test("with detectGarbageCollectedLeaks, a ref garbage-collected without release is reported and released", async () => {
    const leaks: Array<LeakReport> = []
    const manager = createResourceManager({
      budgets: { Memory: budget },
      onLeaks: (l) => leaks.push(...l),
      detectGarbageCollectedLeaks: true
    })
    const leak = () => {
      manager.acquire("forgotten", mem(100), { owner: "careless" })
    }
    leak()
    for (let i = 0; i < 20 && leaks.length === 0; i++) {
      Bun.gc(true)
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect(leaks.map((l) => [l.name, l.owner])).toEqual([["forgotten", "careless"]])
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
  })

  test("with detectGarbageCollectedLeaks, a released ref that is collected is no leak", async () => {
    const collected: Array<string> = []
    const manager = createResourceManager({
      onLeaks: (l) => collected.push(...l.map((leak) => leak.name)),
      detectGarbageCollectedLeaks: true
    })
    const useAndRelease = () => {
      manager.acquire("tidy", mem(1)).release()
    }
    useAndRelease()
    for (let i = 0; i < 5; i++) {
      Bun.gc(true)
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect(collected).toEqual([])
    expect(manager.close()).toEqual([])
  })

  test("garbage-collection leak tracking is opt-in: by default a collected ref is only found at close", async () => {
    const collected: Array<string> = []
    const manager = createResourceManager({ onLeaks: (l) => collected.push(...l.map((leak) => leak.name)) })
    const forget = () => {
      manager.acquire("forgotten", mem(1))
    }
    forget()
    for (let i = 0; i < 5; i++) {
      Bun.gc(true)
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect(collected).toEqual([])
    expect(manager.getResourceStats("Memory").currentUsage).toBe(1)
    expect(manager.close().map((leak) => leak.name)).toEqual(["forgotten"])
    expect(collected).toEqual(["forgotten"])
  })
})
