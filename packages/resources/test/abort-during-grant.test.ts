/**
 * A facade wait whose signal is aborted while the abort is still being dispatched when a release grants it
 * (docs/semantics.md, sections 5 and 14): an abort listener that runs before the manager's (added to the signal
 * first) frees what the wait waited for, or the manager's listener of another wait on the same signal gives its
 * place up. The grant comes while `signal.aborted` is already true and before the manager's own listener of this
 * wait has run; the wait must still fail as the abort says and give the grant back at once (it resolved with a
 * live resource, held until the close). Whatever code aborts (a reclamation callback, a `create` hook, a pressure
 * callback), the outcome is the same; an abort once the wait has ended changes nothing.
 */
import { describe, expect, test } from "bun:test"
import { createResourceManager } from "../src/index.ts"
import { outcome as acquisitionOutcome, free, usage } from "./support/acquisition-outcome.ts"

const budgets = { Memory: { maxBytes: 100, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 } }
const mem = (sizeBytes: number) => ({ type: "Memory" as const, sizeBytes })
const fresh = () => createResourceManager({ budgets, onLeaks: () => {} })

/** How a wait ended: "granted" (live) or "granted, released", or the rejection's message. */
const outcome = (wait: Promise<{ readonly released: boolean }>): Promise<string> => acquisitionOutcome(wait, "granted")

/**
 * A manager whose Memory a 90-byte `blocker` fills, and a signal whose first abort listener (the app's cancel
 * handler, added before any wait listens) releases it.
 */
const cancelHandlerFirst = () => {
  const manager = fresh()
  const blocker = manager.acquire("blocker", mem(90))
  const controller = new AbortController()
  controller.signal.addEventListener("abort", () => blocker.release())
  return { manager, blocker, controller }
}

describe("an abort listener added before the manager's frees what the wait waited for", () => {
  test("the wait rejects with the signal's reason and holds nothing", async () => {
    const { manager, controller } = cancelHandlerFirst()
    const wait = outcome(manager.acquireAsync("w", mem(50), { signal: controller.signal }))
    expect(manager.getResourceStats("Memory").waiting).toBe(1)
    controller.abort(new Error("cancelled"))
    expect(await wait).toBe("cancelled")
    expect(usage(manager)).toBe(0)
    expect(manager.snapshot().liveResources).toBe(0)
    expect(free(manager, "w")).toBe(true)
    expect(manager.getResourceStats("Memory").waiting).toBe(0)
    expect(manager.close()).toEqual([])
  })

  test("the grant given back goes to the next waiter at once", async () => {
    const { manager, controller } = cancelHandlerFirst()
    const aborted = outcome(manager.acquireAsync("w", mem(60), { signal: controller.signal }))
    const next = manager.acquireAsync("next", mem(60), { owner: "other" })
    controller.abort(new Error("cancelled"))
    expect(await aborted).toBe("cancelled")
    const ref = await next
    expect(ref.released).toBe(false)
    expect(usage(manager)).toBe(60)
    expect(free(manager, "w")).toBe(true)
    ref.release()
    expect(manager.close()).toEqual([])
  })

  test("the reason is whatever the signal says (abort() with no reason: an AbortError)", async () => {
    const { manager, controller } = cancelHandlerFirst()
    const wait = manager.acquireAsync("w", mem(50), { signal: controller.signal })
    controller.abort()
    const error = await wait.then(
      () => undefined,
      (e: unknown) => e
    )
    expect(error).toBe(controller.signal.reason)
    expect(usage(manager)).toBe(0)
    expect(manager.close()).toEqual([])
  })

  test("use: the body never runs", async () => {
    const { manager, controller } = cancelHandlerFirst()
    let ran = false
    const used = manager.use(
      "w",
      mem(50),
      () => {
        ran = true
      },
      { signal: controller.signal }
    )
    controller.abort(new Error("cancelled"))
    expect(await outcome(used.then(() => ({ released: true })))).toBe("cancelled")
    expect(ran).toBe(false)
    expect(usage(manager)).toBe(0)
    expect(manager.close()).toEqual([])
  })

  test("added after the manager's: the wait rejects too (the manager's listener runs first)", async () => {
    const manager = fresh()
    const blocker = manager.acquire("blocker", mem(90))
    const controller = new AbortController()
    const wait = outcome(manager.acquireAsync("w", mem(50), { signal: controller.signal }))
    controller.signal.addEventListener("abort", () => blocker.release())
    controller.abort(new Error("cancelled"))
    expect(await wait).toBe("cancelled")
    expect(usage(manager)).toBe(0)
    expect(manager.close()).toEqual([])
  })
})

describe("two waits on one signal", () => {
  test("the first one's leaving lets the second fit: both reject", async () => {
    const manager = fresh()
    const blocker = manager.acquire("blocker", mem(70))
    const controller = new AbortController()
    const first = outcome(manager.acquireAsync("w1", mem(50), { signal: controller.signal }))
    // 20 bytes fit, but the queue is first come first served: it waits behind w1
    const second = outcome(manager.acquireAsync("w2", mem(20), { signal: controller.signal }))
    expect(manager.getResourceStats("Memory").waiting).toBe(2)
    controller.abort(new Error("cancelled"))
    expect([await first, await second]).toEqual(["cancelled", "cancelled"])
    expect(usage(manager)).toBe(70)
    expect(free(manager, "w2")).toBe(true)
    blocker.release()
    expect(manager.close()).toEqual([])
  })
})

describe("whatever code aborts, inside the manager", () => {
  test("a reclamation callback of another admission aborts: the wait rejects, the admission is admitted", async () => {
    const { manager, controller } = cancelHandlerFirst()
    const wait = outcome(manager.acquireAsync("w", mem(50), { signal: controller.signal }))
    using _ = manager.registerReclamationCallback("Memory", () => {
      controller.abort(new Error("cancelled"))
      return 90
    })
    const other = manager.acquire("other", mem(40), { owner: "other" }) // does not fit: the callback runs
    expect(await wait).toBe("cancelled")
    expect(usage(manager)).toBe(40)
    expect(free(manager, "w")).toBe(true)
    other.release()
    expect(manager.close()).toEqual([])
  })

  test("relieveSystemPressure's reclamation callback aborts: the wait rejects", async () => {
    const { manager, controller } = cancelHandlerFirst()
    const wait = outcome(manager.acquireAsync("w", mem(50), { signal: controller.signal }))
    using _ = manager.registerReclamationCallback("Memory", () => {
      controller.abort(new Error("cancelled"))
      return 90
    })
    manager.relieveSystemPressure("None", "Critical", { percent: 50 })
    expect(await wait).toBe("cancelled")
    expect(usage(manager)).toBe(0)
    expect(manager.close()).toEqual([])
  })

  test("a create hook aborts (at another resource's first payload access): the wait rejects", async () => {
    const manager = fresh()
    const blocker = manager.acquire("blocker", mem(80))
    const controller = new AbortController()
    const trigger = manager.acquire("trigger", mem(10), {
      create: () => {
        controller.abort(new Error("cancelled"))
        return "made"
      }
    })
    controller.signal.addEventListener("abort", () => blocker.release())
    const wait = outcome(manager.acquireAsync("w", mem(50), { signal: controller.signal }))
    expect(trigger.payload).toBe("made")
    expect(await wait).toBe("cancelled")
    expect(usage(manager)).toBe(10)
    trigger.release()
    expect(manager.close()).toEqual([])
  })

  test("a pressure callback aborts: the wait rejects", async () => {
    const { manager, controller } = cancelHandlerFirst()
    const wait = outcome(manager.acquireAsync("w", mem(50), { signal: controller.signal }))
    const delivered = new Promise<void>((resolve) => {
      manager.registerPressureCallback(() => {
        controller.abort(new Error("cancelled"))
        resolve()
      })
    })
    manager.relieveSystemPressure("None", "High") // an event, no reclamation
    await delivered
    expect(await wait).toBe("cancelled")
    expect(usage(manager)).toBe(0)
    expect(manager.close()).toEqual([])
  })

  test("a destroy hook of the release that grants aborts: the wait rejects (as before)", async () => {
    const manager = fresh()
    const controller = new AbortController()
    const blocker = manager.acquire("blocker", mem(90), {
      create: () => 1,
      destroy: () => controller.abort(new Error("cancelled"))
    })
    expect(blocker.payload).toBe(1)
    const wait = outcome(manager.acquireAsync("w", mem(50), { signal: controller.signal }))
    blocker.release()
    expect(await wait).toBe("cancelled")
    expect(usage(manager)).toBe(0)
    expect(manager.close()).toEqual([])
  })

  test("an abort once the wait has ended (a pressure callback of its grant) leaves the caller its ref", async () => {
    const manager = fresh()
    const blocker = manager.acquire("blocker", mem(90))
    const controller = new AbortController()
    const wait = manager.acquireAsync("w", mem(95), { signal: controller.signal })
    const delivered = new Promise<void>((resolve) => {
      manager.registerPressureCallback((event) => {
        if (event.to !== "High" || event.source !== undefined) return
        controller.abort(new Error("too late"))
        resolve()
      })
    })
    blocker.release() // grants w (95 of 100: High)
    await delivered
    const ref = await wait
    expect(ref.released).toBe(false)
    expect(usage(manager)).toBe(95)
    ref.release()
    expect(manager.close()).toEqual([])
  })
})

describe("the signal's aborted getter read at the grant is caller code", () => {
  /** A signal-like object: `abort()` sets `aborted`, then calls the listeners in the order they were added. */
  const signalLike = (getter: (aborted: boolean) => boolean) => {
    let aborted = false
    const listeners: Array<() => void> = []
    return {
      signal: {
        get aborted() {
          return getter(aborted)
        },
        reason: "cancelled",
        addEventListener: (_: string, listener: () => void) => void listeners.push(listener),
        removeEventListener: (_: string, listener: () => void) => {
          const at = listeners.indexOf(listener)
          if (at >= 0) listeners.splice(at, 1)
        }
      },
      listeners,
      abort: () => {
        aborted = true
        for (const listener of [...listeners]) listener()
      }
    }
  }

  test("a getter that throws at the grant: the grant stands (nothing says the wait was aborted)", async () => {
    const manager = fresh()
    const blocker = manager.acquire("blocker", mem(90))
    let reads = 0
    const fake = signalLike((aborted) => {
      reads++
      if (reads > 1) throw new Error("boom")
      return aborted
    })
    const wait = manager.acquireAsync("w", mem(50), { signal: fake.signal as unknown as AbortSignal })
    blocker.release()
    const ref = await wait
    expect(ref.released).toBe(false)
    expect(fake.listeners.length).toBe(0) // stopped listening
    ref.release()
    expect(manager.close()).toEqual([])
  })

  test("a signal-like object whose first listener frees the blocker: rejects with its reason", async () => {
    const manager = fresh()
    const blocker = manager.acquire("blocker", mem(90))
    const fake = signalLike((aborted) => aborted)
    fake.signal.addEventListener("abort", () => blocker.release())
    const wait = outcome(manager.acquireAsync("w", mem(50), { signal: fake.signal as unknown as AbortSignal }))
    fake.abort()
    expect(await wait).toBe("cancelled")
    expect(usage(manager)).toBe(0)
    expect(fake.listeners.length).toBe(1) // the app's: the manager's was removed
    expect(manager.close()).toEqual([])
  })

  test("a getter that closes the manager at the grant: the ref reads released, the close reported it", async () => {
    const manager = fresh()
    const blocker = manager.acquire("blocker", mem(90))
    let reads = 0
    let leaks: ReadonlyArray<{ readonly name: string }> = []
    const fake = signalLike((aborted) => {
      reads++
      if (reads > 1) leaks = manager.close()
      return aborted
    })
    const wait = outcome(manager.acquireAsync("w", mem(50), { signal: fake.signal as unknown as AbortSignal }))
    blocker.release()
    expect(await wait).toBe("granted, released")
    expect(leaks.map((leak) => leak.name)).toEqual(["w"])
    expect(manager.close()).toEqual([])
  })
})
