/**
 * A shared manager's acquisition whose signal is aborted by caller code the manager runs during that very admission
 * (docs/semantics.md, section 5; docs/shared-manager.md, Signals): a NonBlocking request that does not fit runs
 * this thread's reclamation callbacks, and one of them (or a pressure callback its disposal of a registration
 * delivers at once) aborts the signal. The admission is not kept: what it was admitted is released at once (a pool
 * block goes back), `acquireAsync`/`use` reject with the signal's reason, and what the callback released stays
 * released. It resolved with a live ref. A signal already aborted when the request is made is still ignored by an
 * admission, and an abort by a pressure callback run after the admission (a later step) comes after it: the ref
 * stands. (The shared manager runs no caller code in a Blocking or Timeout admission, nor in an Emergency one: it
 * asks no payback.)
 */
import { afterEach, describe, expect, test } from "bun:test"
import { createSharedResourceManager, type SharedResourceManager } from "../src/index.ts"
import { free, outcome, usage } from "./support/acquisition-outcome.ts"

const budget = { maxBytes: 100, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 }
const mem = (sizeBytes: number) => ({ type: "Memory" as const, sizeBytes })

const managers: Array<SharedResourceManager> = []
afterEach(() => {
  for (const manager of managers.splice(0)) manager.close()
})

/** A manager of a 100-byte Memory budget (and `pools`), closed after the test. */
const managerOf = (pools?: ReadonlyArray<{ type: "Memory"; blockSize: number; blockCount: number }>) => {
  const manager = createSharedResourceManager({ budgets: { Memory: budget }, ...(pools ? { pools } : {}) })
  managers.push(manager)
  return manager
}

/**
 * A manager whose Memory a 90-byte `cache` fills, with a reclamation callback that releases the cache and aborts
 * `controller` (the request it reclaims for is then admitted, or would be).
 */
const reclaimingAborts = () => {
  const manager = managerOf()
  const cache = manager.acquire("cache", mem(90))
  const controller = new AbortController()
  const asked: Array<number> = []
  manager.registerReclamationCallback("Memory", (missing) => {
    asked.push(missing)
    const freed = cache.released ? 0 : 90
    cache.release()
    controller.abort(new Error("aborted while reclaiming"))
    return freed
  })
  return { manager, cache, controller, asked }
}

describe("a shared manager's signal aborted during its own admission", () => {
  test("by the reclamation callback run for it: rejects with the reason, nothing held, the release stands", async () => {
    const { manager, cache, controller, asked } = reclaimingAborts()
    const result = outcome(manager.acquireAsync("big", mem(50), { mode: "NonBlocking", signal: controller.signal }))
    expect(asked).toEqual([40])
    expect(await result).toBe("aborted while reclaiming")
    expect(cache.released).toBe(true)
    expect(usage(manager)).toBe(0)
    expect(manager.audit()[0]?.liveBytes).toBe(0)
    expect(free(manager, "big")).toBe(true)
    expect(manager.threadStats().find((stats) => stats.type === "Memory")?.currentUsage).toBe(0)
    expect(manager.close()).toEqual([])
  })

  test("the unnamed form too", async () => {
    const { manager, controller } = reclaimingAborts()
    const result = outcome(manager.acquireAsync(mem(50), { mode: "NonBlocking", signal: controller.signal }))
    expect(await result).toBe("aborted while reclaiming")
    expect(usage(manager)).toBe(0)
    expect(manager.close()).toEqual([])
  })

  test("a pool-served admission gives its block back", async () => {
    // the pool's one block (16 bytes charged at creation) is the cache's, and the budget's other 84 bytes are
    // held: a 16-byte request fits nowhere until the callback releases the cache (its block goes back)
    const manager = managerOf([{ type: "Memory", blockSize: 16, blockCount: 1 }])
    const cache = manager.acquire("cache", mem(16))
    const filler = manager.acquire("filler", mem(84))
    const controller = new AbortController()
    manager.registerReclamationCallback("Memory", () => {
      cache.release()
      controller.abort(new Error("aborted while reclaiming"))
      return 16
    })
    const result = outcome(manager.acquireAsync("small", mem(16), { mode: "NonBlocking", signal: controller.signal }))
    expect(await result).toBe("aborted while reclaiming")
    expect(free(manager, "small")).toBe(true)
    // the block is free again: another request gets it
    const again = manager.acquire("again", mem(16))
    expect(usage(manager)).toBe(100)
    again.release()
    filler.release()
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
        { mode: "NonBlocking", signal: controller.signal }
      )
    )
    expect(await result).toBe("aborted while reclaiming")
    expect(ran).toBe(false)
    expect(usage(manager)).toBe(0)
    expect(manager.close()).toEqual([])
  })

  test("by a pressure callback delivered at once (a reclamation callback disposes its registration)", async () => {
    const manager = managerOf()
    const controller = new AbortController()
    const pressure = manager.registerPressureCallback(() => controller.abort(new Error("aborted by pressure")))
    // raises the pressure: its event waits for the step that delivers it
    const cache = manager.acquire("cache", mem(90))
    manager.registerReclamationCallback("Memory", () => {
      pressure[Symbol.dispose]() // delivers the pending event now, inside the admission
      cache.release()
      return 90
    })
    const result = outcome(manager.acquireAsync("big", mem(50), { mode: "NonBlocking", signal: controller.signal }))
    expect(await result).toBe("aborted by pressure")
    expect(usage(manager)).toBe(0)
    expect(free(manager, "big")).toBe(true)
    expect(manager.close()).toEqual([])
  })
})

describe("aborts the admission does not cause", () => {
  test("a signal already aborted when the request is made: an admission keeps its resource", async () => {
    const { manager, controller } = reclaimingAborts()
    controller.abort(new Error("before"))
    const ref = await manager.acquireAsync("big", mem(50), { mode: "NonBlocking", signal: controller.signal })
    expect(ref.released).toBe(false)
    expect(usage(manager)).toBe(50)
    ref.release()
    expect(manager.close()).toEqual([])
  })

  test("a pressure callback run after the admission: the ref stands", async () => {
    const manager = managerOf()
    const controller = new AbortController()
    manager.registerPressureCallback(() => controller.abort(new Error("after")))
    const result = outcome(manager.acquireAsync("big", mem(90), { mode: "NonBlocking", signal: controller.signal }))
    expect(await result).toBe("admitted")
    // the event is delivered by a later step of this thread
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(controller.signal.aborted).toBe(true)
    expect(usage(manager)).toBe(90)
    manager.close()
  })
})
