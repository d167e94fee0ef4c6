import { describe, expect, test } from "bun:test"
import { AcquireTimeout, BudgetExceeded, ManagerClosed } from "@flight-hal/core"
import { createResourceManager, type LeakReport, type PressureEvent } from "../src/index.ts"
import { mem } from "./support/harness.ts"

const budget = { maxBytes: 1000, reservedBytes: 100, warningPercent: 50, criticalPercent: 80 }

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

  test("a ref whose hold ended by handle while a dependent keeps the resource is released", () => {
    const manager = createResourceManager({})
    const base = manager.acquire("base", { type: "Hardware", sizeBytes: 1 })
    const top = manager.acquire("top", { type: "Hardware", sizeBytes: 1 })
    manager.addDependency(top.handle, base.handle)
    manager.releaseResource(base.handle) // deferred: `top` still depends on it, so its slot is not freed yet
    expect(manager.snapshot().liveResources).toBe(2)
    expect(base.released).toBe(true)
    expect(() => base.payload).toThrow(expect.objectContaining({ _tag: "ResourceReleased" }))
    top.release()
    expect(manager.snapshot().liveResources).toBe(0)
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
    try {
      using _bad = manager.registerPressureCallback(() => {
        throw new Error("bad")
      })
      using _good = manager.registerPressureCallback((e: PressureEvent) => seen.push(`${e.from}->${e.to}`))
      const ref = manager.acquire("a", mem(850))
      ref.release()
      await Promise.resolve()
    } finally {
      console.warn = warn
    }
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

describe("plain facade: use, pools, system pressure", () => {
  test("use releases after the body settles: a value, a rejection, a throw", async () => {
    const manager = createResourceManager({ budgets: { Memory: budget }, onLeaks: () => {} })
    const usage = () => manager.getResourceStats("Memory").currentUsage
    const seen = await manager.use("a", mem(300), async (ref) => {
      expect(usage()).toBe(300)
      return ref.payload.byteLength
    })
    expect([seen, usage()]).toEqual([300, 0])
    await expect(manager.use("b", mem(300), () => Promise.reject(new Error("body failed")))).rejects.toThrow(
      "body failed"
    )
    expect(usage()).toBe(0)
    await expect(
      manager.use("c", mem(300), () => {
        throw new Error("thrown")
      })
    ).rejects.toThrow("thrown")
    expect(usage()).toBe(0)
    // a wait in use: Blocking by default, admitted once the holder (another owner) releases
    const holder = manager.acquire("holder", mem(800), { owner: "other" })
    const waiting = manager.use("d", mem(300), (ref) => ref.released)
    holder.release()
    expect(await waiting).toBe(false)
    expect(usage()).toBe(0)
    manager.close()
  })

  test("relieveSystemPressure publishes a system event and trims pools, then asks callbacks", async () => {
    const manager = createResourceManager({
      budgets: { Memory: budget },
      pools: [{ type: "Memory", blockSize: 128, initialCount: 4, maxCount: 8 }],
      onLeaks: () => {}
    })
    const events: Array<string> = []
    using _ = manager.registerPressureCallback((e) => events.push(`${e.source ?? "budget"}:${e.from}->${e.to}`))
    const asked: Array<number> = []
    using __ = manager.registerReclamationCallback("Memory", (missing) => {
      asked.push(missing)
      return 0
    })
    const held = manager.acquire("held", mem(100))
    expect(manager.getResourceStats("Memory").currentUsage).toBe(512) // the pool's capacity: 4 blocks of 128
    manager.relieveSystemPressure("None", "High", { percent: 100 })
    // free blocks were trimmed first; what was still charged was asked of the callback (which freed nothing)
    const left = manager.getResourceStats("Memory").currentUsage
    expect(left).toBeLessThan(512)
    expect(asked).toEqual([left])
    await Promise.resolve()
    expect(events).toContain("system:None->High")
    held.release()
    manager.close()
  })
})

describe("plain facade: reclaim ends the owner's hold", () => {
  test("a reclaimed ref reports released and refuses its payload (a pooled block went back to its pool)", () => {
    const manager = createResourceManager({
      budgets: { Memory: budget },
      pools: [{ type: "Memory", blockSize: 128, initialCount: 2, maxCount: 2 }],
      onLeaks: () => {}
    })
    const ref = manager.acquire("cache", mem(100, { flags: 32 })) // Reclaimable
    expect(ref.payload.byteLength).toBeGreaterThanOrEqual(100)
    expect(manager.reclaim(ref.handle)).toBe(100)
    expect(ref.released).toBe(true)
    expect(() => ref.payload).toThrow(expect.objectContaining({ _tag: "ResourceReleased" }))
    ref.release() // idempotent, releases nothing else
    expect(manager.snapshot().liveResources).toBe(0)
    manager.close()
  })
})

describe("plain facade: a signal that cannot be listened to", () => {
  test("acquireAsync refuses it with InvalidArgument before the request waits, and close() still works", async () => {
    const manager = createResourceManager({
      budgets: { Memory: { maxBytes: 100, reservedBytes: 0, warningPercent: 50, criticalPercent: 80 } }
    })
    const held = manager.acquire("held", { type: "Memory", sizeBytes: 80 })
    const notASignal = { aborted: false } as unknown as AbortSignal
    await expect(
      manager.acquireAsync("x", { type: "Memory", sizeBytes: 50 }, { signal: notASignal })
    ).rejects.toMatchObject({
      _tag: "InvalidArgument",
      argument: "signal"
    })
    expect(manager.getResourceStats("Memory")).toMatchObject({ currentUsage: 80, waiting: 0 })
    held.release()
    expect(manager.close()).toEqual([])
  })
})

describe("relieveSystemPressure's share", () => {
  test("asks exactly ⌈usage × percent / 100⌉ bytes (7 % of 100 is 7, not 8)", () => {
    for (const [usage, percent, expected] of [
      [100, 7, 7],
      [100, 14, 14],
      [100, 28, 28],
      [1000, 57, 570],
      [3, 50, 2],
      [2 ** 53 - 1, 100, 2 ** 53 - 1]
    ] as const) {
      const manager = createResourceManager({ onLeaks: () => {} })
      manager.acquire("", { type: "Hardware", sizeBytes: usage })
      const asked: Array<number> = []
      manager.registerReclamationCallback("Hardware", (missing) => {
        asked.push(missing)
        return 0
      })
      manager.relieveSystemPressure("None", "Critical", { percent })
      expect(asked).toEqual([expected])
      manager.close()
    }
  })
})
