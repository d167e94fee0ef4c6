/**
 * A facade acquisition whose signal is aborted by caller code the manager runs during that very admission
 * (docs/semantics.md, section 5): a reclamation callback run for it, an Emergency admission's payback callback, or a
 * pressure callback a reclamation callback's disposal delivers at once. The admission is not kept: what it was
 * admitted is released at once (a pool block goes back), the Promise rejects with the signal's reason, and what
 * the callback released stays released. It resolved with a live ref. A signal already aborted when the request is
 * made is still ignored by an admission, and an abort by a pressure callback run after the admission (a microtask)
 * comes after it: the ref stands.
 */
import { describe, expect, test } from "bun:test"
import { createResourceManager } from "../src/index.ts"
import { free, outcome, usage } from "./support/acquisition-outcome.ts"

const budget = { maxBytes: 100, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 }
const mem = (sizeBytes: number) => ({ type: "Memory" as const, sizeBytes })

/**
 * A manager whose Memory a 90-byte `cache` fills, with a reclamation callback that releases the cache and aborts
 * `controller` (the request it reclaims for is then admitted, or would be).
 */
const reclaimingAborts = (pools = false) => {
  const manager = createResourceManager({
    budgets: { Memory: budget },
    ...(pools ? { pools: [{ type: "Memory" as const, blockSize: 16, initialCount: 0, maxCount: 2 }] } : {}),
    onLeaks: () => {}
  })
  const cache = manager.acquire("cache", mem(90))
  const controller = new AbortController()
  const asked: Array<number> = []
  manager.registerReclamationCallback("Memory", (missing) => {
    asked.push(missing)
    const freed = cache.released ? 0 : cache.metadata.sizeBytes
    cache.release()
    controller.abort(new Error("aborted while reclaiming"))
    return freed
  })
  return { manager, cache, controller, asked }
}

describe("a signal aborted during its own admission", () => {
  test("by the reclamation callback run for it: rejects with the reason, nothing held, the release stands", async () => {
    const { manager, cache, controller, asked } = reclaimingAborts()
    const result = outcome(manager.acquireAsync("big", mem(50), { signal: controller.signal }))
    expect(asked).toEqual([40])
    expect(await result).toBe("aborted while reclaiming")
    expect(cache.released).toBe(true)
    expect(usage(manager)).toBe(0)
    expect(manager.snapshot().liveResources).toBe(0)
    expect(free(manager, "big")).toBe(true)
    expect(manager.getResourceStats("Memory").waiting).toBe(0)
    expect(manager.driverStats("app").owned).toBe(0)
    expect(manager.close()).toEqual([])
  })

  test("a pool-served admission gives its block back", async () => {
    const { manager, controller } = reclaimingAborts(true)
    const result = outcome(manager.acquireAsync("small", mem(16), { signal: controller.signal }))
    expect(await result).toBe("aborted while reclaiming")
    expect(manager.snapshot().liveResources).toBe(0)
    const stats = manager.pools.getPoolStats("Memory", 16)
    expect(stats.ok && stats.value.usedBlocks).toBe(0)
    expect(manager.pools.routingStats().hits).toBe(1) // the block served it, then went back
    expect(manager.close()).toEqual([])
  })

  test("use: the body never runs", async () => {
    const { manager, controller } = reclaimingAborts()
    let ran = false
    const result = outcome(
      manager.use(
        "big",
        mem(50),
        () => {
          ran = true
          return { released: false }
        },
        { signal: controller.signal }
      )
    )
    expect(await result).toBe("aborted while reclaiming")
    expect(ran).toBe(false)
    expect(manager.snapshot().liveResources).toBe(0)
    expect(manager.close()).toEqual([])
  })

  test("by an Emergency admission's payback callback: the admitted resource is released", async () => {
    const manager = createResourceManager({ budgets: { Memory: budget }, onLeaks: () => {} })
    const cache = manager.acquire("cache", mem(90))
    const controller = new AbortController()
    manager.registerReclamationCallback("Memory", () => {
      controller.abort(new Error("aborted while paying back"))
      return 0
    })
    const result = outcome(manager.acquireAsync("urgent", mem(50), { mode: "Emergency", signal: controller.signal }))
    expect(await result).toBe("aborted while paying back")
    expect(usage(manager)).toBe(90)
    expect(free(manager, "urgent")).toBe(true)
    cache.release()
    expect(manager.snapshot().liveResources).toBe(0)
    expect(manager.close()).toEqual([])
  })

  test("by a pressure callback delivered at once (a reclamation callback disposes its registration)", async () => {
    const manager = createResourceManager({ budgets: { Memory: budget }, onLeaks: () => {} })
    const controller = new AbortController()
    const pressure = manager.registerPressureCallback(() => controller.abort(new Error("aborted by pressure")))
    // raises the pressure: its event waits for the microtask that delivers it
    const cache = manager.acquire("cache", mem(90))
    manager.registerReclamationCallback("Memory", () => {
      pressure[Symbol.dispose]() // delivers the pending event now, inside the admission
      cache.release()
      return 90
    })
    const result = outcome(manager.acquireAsync("big", mem(50), { signal: controller.signal }))
    expect(await result).toBe("aborted by pressure")
    expect(usage(manager)).toBe(0)
    expect(manager.snapshot().liveResources).toBe(0)
    expect(manager.close()).toEqual([])
  })
})

describe("aborts the admission does not cause", () => {
  test("a signal already aborted when the request is made: an admission keeps its resource", async () => {
    const { manager, controller } = reclaimingAborts()
    controller.abort(new Error("before"))
    const ref = await manager.acquireAsync("big", mem(50), { signal: controller.signal })
    expect(ref.released).toBe(false)
    ref.release()
    expect(manager.close()).toEqual([])
  })

  test("a pressure callback run after the admission (a microtask): the ref stands", async () => {
    const manager = createResourceManager({ budgets: { Memory: budget }, onLeaks: () => {} })
    const controller = new AbortController()
    manager.registerPressureCallback(() => controller.abort(new Error("after")))
    const result = outcome(manager.acquireAsync("big", mem(90), { signal: controller.signal }))
    expect(await result).toBe("admitted")
    expect(controller.signal.aborted).toBe(true)
    expect(usage(manager)).toBe(90)
    manager.close()
  })
})
