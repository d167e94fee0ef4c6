/**
 * The shared manager's `signal` (acquireAsync, use) is read and listened to before the request is submitted, as
 * the plain facade's is (docs/semantics.md, sections 5, 14 and 17): a signal whose `aborted` getter or
 * `addEventListener` throws, or whose methods are not functions when read, is refused with InvalidArgument
 * (signal) before the ledger lock is taken: nothing queued, nothing charged, no reclamation callback called, and
 * nothing granted later to nobody. A `removeEventListener` that throws is accepted (its throw ignored when the
 * wait ends). A good signal behaves as before: acted on only once the request waits.
 */
import { afterEach, describe, expect, test } from "bun:test"
import { InvalidArgument, type ResourceMetadata } from "@flight-hal/core"
import { createSharedResourceManager, type SharedResourceManager } from "../src/index.ts"
import { within } from "./support/shared-agents.ts"
import { unusableSignals } from "./support/unusable-signals.ts"

const budget = { maxBytes: 1000, reservedBytes: 0, warningPercent: 50, criticalPercent: 80 }
const mem = (sizeBytes: number): ResourceMetadata => ({ type: "Memory", sizeBytes })

const managers: Array<SharedResourceManager> = []
afterEach(() => {
  for (const manager of managers.splice(0)) manager.close()
})

/** Everything the ledger shows: audit, every type's stats, every thread's stats. */
const ledgerState = (m: SharedResourceManager): string =>
  JSON.stringify({
    audit: m.audit(),
    stats: m.audit().map((a) => m.getResourceStats(a.type)),
    threads: m.threads().map((t) => [t, m.threadStats(t)])
  })

/** A manager with nothing live (Memory: 1000 bytes), closed after the test. */
const empty = () => {
  const manager = createSharedResourceManager({ budgets: { Memory: budget } })
  managers.push(manager)
  return manager
}

/**
 * A manager where a 300-byte Memory request must wait: an 800-byte hog, and a reclamation callback that frees
 * nothing (its calls counted).
 */
const crowded = () => {
  const manager = empty()
  const hog = manager.acquire("hog", mem(800))
  const asked: Array<number> = []
  manager.registerReclamationCallback("Memory", (missing) => {
    asked.push(missing)
    return 0
  })
  return { manager, hog, asked }
}

/** What a Promise settles with: its value's "admitted", or its rejection. */
const outcome = (promise: Promise<unknown>): Promise<unknown> =>
  within(
    promise.then(
      () => "admitted",
      (error: unknown) => error
    ),
    "settlement"
  )

const waiting = (m: SharedResourceManager) => m.getResourceStats("Memory").waiting

/**
 * A signal of the test's own: it records the listeners added and removed, `abort()` marks it aborted and runs its
 * listeners; its `removeEventListener` throws when asked to, its `reason` is what `reason()` answers (or throws).
 */
const fakeSignal = (options: { readonly removeThrows?: boolean; readonly reason?: () => unknown } = {}) => {
  const added: Array<() => void> = []
  const removed: Array<unknown> = []
  let aborted = false
  const signal = {
    get aborted(): boolean {
      return aborted
    },
    get reason(): unknown {
      return options.reason === undefined ? "stopped" : options.reason()
    },
    addEventListener(_type: string, listener: () => void) {
      added.push(listener)
    },
    removeEventListener(_type: string, listener: unknown) {
      removed.push(listener)
      if (options.removeThrows === true) throw new Error("remove boom")
    }
  }
  const abort = () => {
    aborted = true
    for (const listener of added) listener()
  }
  return { signal: signal as unknown as AbortSignal, added, removed, abort }
}

describe("shared manager: a signal that cannot be used is refused before the request is submitted", () => {
  const hostile = unusableSignals
  for (const [what, make] of hostile) {
    for (const mode of ["Blocking", "NonBlocking"] as const) {
      test(`acquireAsync (${mode}): ${what}: InvalidArgument (signal), nothing queued, charged or reclaimed`, async () => {
        const { manager, hog, asked } = crowded()
        const before = ledgerState(manager)
        const error = await outcome(manager.acquireAsync("x", mem(300), { mode, signal: make() as AbortSignal }))
        expect(error).toBeInstanceOf(InvalidArgument)
        expect((error as InvalidArgument).argument).toBe("signal")
        expect(waiting(manager)).toBe(0)
        expect(asked).toEqual([])
        expect(ledgerState(manager)).toBe(before)
        hog.release()
        // nothing granted behind the caller's back: the bytes are not charged to a wait no one listens to
        await Bun.sleep(0)
        expect(manager.getResourceStats("Memory")).toMatchObject({ currentUsage: 0, allocationCount: 1, waiting: 0 })
        expect(manager.audit().find((a) => a.type === "Memory")).toMatchObject({ usage: 0, liveBytes: 0, liveCount: 0 })
      })
    }
  }

  test("use: a signal whose aborted getter throws is refused the same way (the body never runs)", async () => {
    const { manager, hog, asked } = crowded()
    const before = ledgerState(manager)
    let ran = false
    const signal = {
      get aborted(): boolean {
        throw new Error("boom")
      },
      addEventListener() {},
      removeEventListener() {}
    }
    const error = await outcome(
      manager.use(
        "x",
        mem(300),
        () => {
          ran = true
        },
        { signal: signal as unknown as AbortSignal }
      )
    )
    expect(error).toBeInstanceOf(InvalidArgument)
    expect((error as InvalidArgument).argument).toBe("signal")
    expect(ran).toBe(false)
    expect(asked).toEqual([])
    expect(ledgerState(manager)).toBe(before)
    hog.release()
  })

  test("a request that would be admitted at once with such a signal is refused too (nothing admitted)", async () => {
    const manager = empty()
    const before = ledgerState(manager)
    const signal = {
      aborted: false,
      addEventListener() {
        throw new Error("add boom")
      },
      removeEventListener() {}
    }
    const error = await outcome(manager.acquireAsync("x", mem(10), { signal: signal as unknown as AbortSignal }))
    expect(error).toBeInstanceOf(InvalidArgument)
    expect(ledgerState(manager)).toBe(before)
  })
})

describe("shared manager: a removeEventListener that throws is accepted, its throw ignored", () => {
  test("admitted at once: admitted, the throw of its removal ignored", async () => {
    const { signal, removed } = fakeSignal({ removeThrows: true })
    const ref = await empty().acquireAsync("x", mem(10), { signal })
    expect(ref.released).toBe(false)
    expect(removed.length).toBe(1)
    ref.release()
  })

  test("a wait granted later: granted, the release that grants it does not throw", async () => {
    const { manager, hog } = crowded()
    const { signal, removed } = fakeSignal({ removeThrows: true })
    const granted = manager.acquireAsync<Uint8Array>("x", mem(300), { signal })
    expect(waiting(manager)).toBe(1)
    hog.release()
    const ref = await within(granted, "grant")
    expect(ref.payload.byteLength).toBe(300)
    expect(removed.length).toBe(1)
    ref.release()
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
  })

  test("a wait aborted: it leaves with the reason, nothing held", async () => {
    const { manager, hog } = crowded()
    const { signal, removed, abort } = fakeSignal({ removeThrows: true })
    const aborted = outcome(manager.acquireAsync("x", mem(300), { signal }))
    expect(waiting(manager)).toBe(1)
    abort()
    expect(await aborted).toBe("stopped")
    expect(removed.length).toBe(1)
    expect(waiting(manager)).toBe(0)
    hog.release()
    await Bun.sleep(0)
    expect(manager.getResourceStats("Memory")).toMatchObject({ currentUsage: 0, allocationCount: 1 })
  })
})

describe("shared manager: a good signal behaves as before", () => {
  test("admitted at once: admitted even when already aborted, and the listener added first is removed", async () => {
    const manager = empty()
    const ref = await manager.acquireAsync("x", mem(10), { signal: AbortSignal.abort(new Error("too late")) })
    expect(ref.released).toBe(false)
    ref.release()
    const { signal, added, removed } = fakeSignal()
    const next = await manager.acquireAsync("y", mem(10), { signal })
    expect(added.length).toBe(1)
    expect(removed).toEqual(added)
    next.release()
  })

  test("a refused request stops listening too", async () => {
    const { manager, hog } = crowded()
    const { signal, added, removed } = fakeSignal()
    const error = await outcome(manager.acquireAsync("x", mem(300), { mode: "NonBlocking", signal }))
    expect((error as { _tag?: string })._tag).toBe("BudgetExceeded")
    expect(added.length).toBe(1)
    expect(removed).toEqual(added)
    hog.release()
  })

  test("a wait whose signal is already aborted leaves at once with its reason, nothing queued", async () => {
    const { manager, hog } = crowded()
    const reason = new Error("stop")
    const error = await outcome(manager.acquireAsync("x", mem(300), { signal: AbortSignal.abort(reason) }))
    expect(error).toBe(reason)
    expect(waiting(manager)).toBe(0)
    hog.release()
    await Bun.sleep(0)
    expect(manager.getResourceStats("Memory")).toMatchObject({ currentUsage: 0, allocationCount: 1 })
  })

  test("a wait aborted later leaves; a granted wait stops listening", async () => {
    const { manager, hog } = crowded()
    const controller = new AbortController()
    const aborted = outcome(manager.acquireAsync("x", mem(300), { signal: controller.signal }))
    expect(waiting(manager)).toBe(1)
    controller.abort("later")
    expect(await aborted).toBe("later")
    expect(waiting(manager)).toBe(0)
    const { signal, added, removed } = fakeSignal()
    const granted = manager.acquireAsync("y", mem(300), { signal })
    expect(removed.length).toBe(0)
    hog.release()
    const ref = await within(granted, "grant")
    expect(removed).toEqual(added)
    ref.release()
  })

  test("a wait aborted with a reason whose getter throws rejects with InvalidArgument (signal), nothing held", async () => {
    const { manager, hog } = crowded()
    const { signal, abort } = fakeSignal({
      reason: () => {
        throw new Error("reason boom")
      }
    })
    const aborted = outcome(manager.acquireAsync("x", mem(300), { signal }))
    expect(waiting(manager)).toBe(1)
    abort()
    const error = await aborted
    expect(error).toBeInstanceOf(InvalidArgument)
    expect((error as InvalidArgument).argument).toBe("signal")
    expect(waiting(manager)).toBe(0)
    hog.release()
    await Bun.sleep(0)
    expect(manager.getResourceStats("Memory")).toMatchObject({ currentUsage: 0, allocationCount: 1 })
  })
})
