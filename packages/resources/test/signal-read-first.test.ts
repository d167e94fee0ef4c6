/**
 * The facade's `signal` is read and listened to before the request is submitted (docs/semantics.md, sections 5
 * and 14): a signal whose `aborted` getter or `addEventListener` throws is refused with InvalidArgument (signal)
 * with nothing changed, not even by the admission's reclamation (free pool blocks trimmed, reclamation callbacks
 * called). A good signal behaves as before: acted on only once the request waits.
 */
import { describe, expect, test } from "bun:test"
import { InvalidArgument } from "@flight-hal/core"
import { createResourceManager } from "../src/index.ts"
import { unusableSignals } from "./support/unusable-signals.ts"

const budget = { maxBytes: 1000, reservedBytes: 0, warningPercent: 50, criticalPercent: 80 }

/**
 * A manager where a 300-byte Memory request needs reclamation and still waits after it: an 800-byte hog, a pool
 * with free blocks to trim, and a reclamation callback that frees nothing (counted).
 */
const crowded = () => {
  const manager = createResourceManager({
    budgets: { Memory: budget },
    pools: [{ type: "Memory", blockSize: 64, initialCount: 2, maxCount: 4 }],
    onLeaks: () => {}
  })
  const hog = manager.acquire("hog", { type: "Memory", sizeBytes: 800 })
  const asked: Array<number> = []
  manager.registerReclamationCallback("Memory", (missing) => {
    asked.push(missing)
    return 0
  })
  const observe = () => JSON.stringify([manager.snapshot(), manager.waitGraph(), manager.pools.routingStats()])
  return { manager, hog, asked, observe }
}

const refusal = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => "admitted",
    (error: unknown) => error
  )

describe("a signal that cannot be used is refused before the request is submitted", () => {
  const hostile = unusableSignals
  for (const [what, make] of hostile) {
    test(`acquireAsync: ${what}: InvalidArgument (signal), no reclamation ran, nothing changed`, async () => {
      const { manager, hog, asked, observe } = crowded()
      const before = observe()
      // an owner the manager has not seen: the snapshot's drivers would list it had the refusal interned it
      const error = await refusal(
        manager.acquireAsync("x", { type: "Memory", sizeBytes: 300 }, { owner: "ghost", signal: make() as AbortSignal })
      )
      expect(error).toBeInstanceOf(InvalidArgument)
      expect((error as InvalidArgument).argument).toBe("signal")
      expect(asked).toEqual([])
      expect(observe()).toBe(before)
      hog.release()
      expect(manager.snapshot().liveResources).toBe(0) // nothing granted behind the caller's back
      manager.close()
    })
  }

  test("use: a signal whose aborted getter throws is refused the same way (the body never runs)", async () => {
    const { manager, hog, asked, observe } = crowded()
    const before = observe()
    let ran = false
    const signal = {
      get aborted(): boolean {
        throw new Error("boom")
      },
      addEventListener() {},
      removeEventListener() {}
    }
    const error = await refusal(
      manager.use(
        "x",
        { type: "Memory", sizeBytes: 300 },
        () => {
          ran = true
        },
        { signal: signal as unknown as AbortSignal }
      )
    )
    expect(error).toBeInstanceOf(InvalidArgument)
    expect(ran).toBe(false)
    expect(asked).toEqual([])
    expect(observe()).toBe(before)
    hog.release()
    manager.close()
  })

  test("a request admitted at once with such a signal is refused too (nothing admitted)", async () => {
    using manager = createResourceManager({ budgets: { Memory: budget } })
    const signal = {
      aborted: false,
      addEventListener() {
        throw new Error("add boom")
      },
      removeEventListener() {}
    }
    const error = await refusal(
      manager.acquireAsync("x", { type: "Memory", sizeBytes: 10 }, { signal: signal as unknown as AbortSignal })
    )
    expect(error).toBeInstanceOf(InvalidArgument)
    expect(manager.snapshot().liveResources).toBe(0)
  })
})

describe("a good signal behaves as before", () => {
  test("admitted at once: admitted even when already aborted", async () => {
    using manager = createResourceManager({ budgets: { Memory: budget } })
    const ref = await manager.acquireAsync(
      "x",
      { type: "Memory", sizeBytes: 10 },
      { signal: AbortSignal.abort(new Error("too late")) }
    )
    expect(ref.released).toBe(false)
    ref.release()
  })

  test("admitted at once: the listener added before the admission is removed", async () => {
    using manager = createResourceManager({ budgets: { Memory: budget } })
    const added: Array<unknown> = []
    const removed: Array<unknown> = []
    const signal = {
      aborted: false,
      addEventListener(_type: string, listener: unknown) {
        added.push(listener)
      },
      removeEventListener(_type: string, listener: unknown) {
        removed.push(listener)
      }
    }
    const ref = await manager.acquireAsync(
      "x",
      { type: "Memory", sizeBytes: 10 },
      { signal: signal as unknown as AbortSignal }
    )
    expect(added.length).toBe(1)
    expect(removed).toEqual(added)
    ref.release()
  })

  test("a wait whose signal is already aborted leaves at once with its reason, nothing changed but reclamation", async () => {
    const { manager, hog, asked } = crowded()
    const reason = new Error("stop")
    const error = await refusal(
      manager.acquireAsync("x", { type: "Memory", sizeBytes: 300 }, { signal: AbortSignal.abort(reason) })
    )
    expect(error).toBe(reason)
    expect(asked.length).toBe(1) // the admission's reclamation ran, as before: the signal is acted on once it waits
    expect(manager.getResourceStats("Memory").waiting).toBe(0)
    hog.release()
    expect(manager.snapshot().liveResources).toBe(0)
    manager.close()
  })

  test("a signal aborted by a reclamation callback during the admission: the wait leaves at once", async () => {
    const { manager, hog } = crowded()
    const controller = new AbortController()
    const reason = new Error("aborted while reclaiming")
    manager.registerReclamationCallback("Memory", () => {
      controller.abort(reason)
      return 0
    })
    const error = await refusal(
      manager.acquireAsync("x", { type: "Memory", sizeBytes: 300 }, { signal: controller.signal })
    )
    expect(error).toBe(reason)
    expect(manager.getResourceStats("Memory").waiting).toBe(0)
    hog.release()
    expect(manager.snapshot().liveResources).toBe(0)
    manager.close()
  })

  test("a wait aborted later leaves; a granted wait stops listening", async () => {
    const { manager, hog } = crowded()
    const controller = new AbortController()
    const aborted = refusal(
      manager.acquireAsync("x", { type: "Memory", sizeBytes: 300 }, { signal: controller.signal })
    )
    expect(manager.getResourceStats("Memory").waiting).toBe(1)
    controller.abort("later")
    expect(await aborted).toBe("later")
    expect(manager.getResourceStats("Memory").waiting).toBe(0)
    const removed: Array<unknown> = []
    const signal = {
      aborted: false,
      addEventListener() {},
      removeEventListener(_type: string, listener: unknown) {
        removed.push(listener)
      }
    }
    const granted = manager.acquireAsync(
      "y",
      { type: "Memory", sizeBytes: 300 },
      { signal: signal as unknown as AbortSignal }
    )
    expect(removed.length).toBe(0)
    hog.release()
    const ref = await granted
    expect(removed.length).toBe(1)
    ref.release()
    manager.close()
  })
})

describe("a signal is read once", () => {
  test("aborted, addEventListener and removeEventListener are each read once; methods that are no functions are refused", async () => {
    const reads = new Map<string, number>()
    const real = new AbortController().signal
    const counted = new Proxy(real, {
      get(target, key) {
        reads.set(String(key), (reads.get(String(key)) ?? 0) + 1)
        const value = Reflect.get(target, key, target)
        return typeof value === "function" ? value.bind(target) : value
      }
    })
    const manager = createResourceManager({ budgets: { Memory: budget }, onLeaks: () => {} })
    const ref = await manager.acquireAsync("", { type: "Memory", sizeBytes: 10 }, { signal: counted })
    ref.release()
    expect(Object.fromEntries(reads)).toEqual({ aborted: 1, addEventListener: 1, removeEventListener: 1 })
    const fake = { aborted: false, addEventListener: 1, removeEventListener: () => {} }
    await expect(
      manager.acquireAsync("", { type: "Memory", sizeBytes: 10 }, { signal: fake as unknown as AbortSignal })
    ).rejects.toMatchObject({ _tag: "InvalidArgument", argument: "signal" })
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
    manager.close()
  })
})
