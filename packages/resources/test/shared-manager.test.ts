/**
 * The shared manager's API (docs/semantics.md sections 4, 5, 7, 8 over threads): admission and refusal, the
 * reserve, Emergency, names, the wait queue across threads, budgets, sharing, pressure, reclamation, per-thread
 * stats, detach, close, lost-thread reaping, and bad input at every entry point. "Threads" are worker agents
 * (test/fixtures/shared-agent.ts) or, where only the ledger's order matters, further attachments made in this
 * thread (each has its own thread index, bell and listener). No timing decides a test: tests wait for events
 * and ledger states, with deadlines only to turn a hang into a failure.
 */
import { afterEach, describe, expect, test } from "bun:test"
import {
  AcquireTimeout,
  AlreadyShared,
  BudgetExceeded,
  ManagerClosed,
  NotHolder,
  ResourceBusy,
  type ResourceHandle,
  type ResourceMetadata,
  ResourceNotFound,
  type ResourcePriority,
  StaleHandle
} from "@flight-hal/core"
import {
  attachSharedResourceManager,
  createResourceManager,
  createSharedResourceManager,
  type PressureEvent,
  type SharedManagerConfig,
  type SharedResourceManager
} from "../src/index.ts"
import { isCoreError } from "./support/harness.ts"
import { type Agent, type AgentEvent, Agents, OpenedManagers, until, within } from "./support/shared-agents.ts"

const budget = (maxBytes: number, reservedBytes: number) => ({
  maxBytes,
  reservedBytes,
  warningPercent: 50,
  criticalPercent: 80
})
const mem = (
  sizeBytes: number,
  priority?: keyof typeof ResourcePriority
): ResourceMetadata & { readonly type: "Memory" } =>
  priority === undefined ? { type: "Memory", sizeBytes } : { type: "Memory", sizeBytes, priority }

const opened = new OpenedManagers()
const agents = new Agents()

afterEach(() => {
  agents.terminateAll()
  opened.closeAll()
})

/** A manager created in this thread (closed after the test). Memory: 1000 bytes, 100 reserved. */
const make = (config: SharedManagerConfig = { budgets: { Memory: budget(1000, 100) } }): SharedResourceManager =>
  opened.make(config)
const attachHere = (m: SharedResourceManager): SharedResourceManager => opened.attachHere(m)

const memory = (m: SharedResourceManager) => m.getResourceStats("Memory")
const audited = (m: SharedResourceManager) => m.audit().find((a) => a.type === "Memory")

/** Everything the ledger shows: audit, every type's stats, every thread's stats. */
const ledgerState = (m: SharedResourceManager): string =>
  JSON.stringify({
    audit: m.audit(),
    stats: m.audit().map((a) => m.getResourceStats(a.type)),
    threads: m.threads().map((t) => [t, m.threadStats(t)])
  })

/** What `f` throws, or fails the test when it returns. */
const thrown = (f: () => unknown): unknown => {
  try {
    f()
  } catch (error) {
    return error
  }
  throw new Error("expected a throw")
}

/** What a Promise rejects with (fails the test when it resolves). */
const rejection = async (p: Promise<unknown>): Promise<unknown> => {
  try {
    await within(p, "settlement")
  } catch (error) {
    return error
  }
  throw new Error("expected a rejection")
}

/** Whether `p` has settled (looked at after the listeners ran). */
const settledYet = async (p: Promise<unknown>): Promise<boolean> => {
  let done = false
  p.then(
    () => {
      done = true
    },
    () => {
      done = true
    }
  )
  await new Promise((resolve) => setTimeout(resolve, 0))
  return done
}

/** The `from → to` pressure changes seen by a callback. */
const changes = (events: ReadonlyArray<PressureEvent | AgentEvent>) => events.map((e) => `${e.from}->${e.to}`)

describe("shared manager: admission (one thread)", () => {
  test("admits what fits and refuses the rest with BudgetExceeded { requested, available, limit }", () => {
    const m = make()
    const a = m.acquire(mem(600))
    expect(a.payload.byteLength).toBe(600)
    expect(memory(m)).toMatchObject({ currentUsage: 600, allocationCount: 1, failedCount: 0 })
    const before = ledgerState(m)
    const error = thrown(() => m.acquire(mem(400)))
    expect(error).toBeInstanceOf(BudgetExceeded)
    expect(error).toMatchObject({ resourceType: "Memory", requested: 400, available: 300, limit: 900 })
    expect(memory(m).failedCount).toBe(1)
    expect(JSON.parse(ledgerState(m)).audit).toEqual(JSON.parse(before).audit)
    m.acquire(mem(300))
    expect(memory(m).currentUsage).toBe(900)
    a.release()
    expect(memory(m)).toMatchObject({ currentUsage: 300, releaseCount: 1, peakUsage: 900 })
    expect(audited(m)).toMatchObject({ usage: 300, liveBytes: 300, liveCount: 1 })
  })

  test("the reserve is for Critical only; impossible requests fail at once in every mode", async () => {
    const m = make()
    for (const priority of ["Low", "Normal", "High"] as const) {
      expect(thrown(() => m.acquire(mem(901, priority)))).toMatchObject({ _tag: "BudgetExceeded", limit: 900 })
      const error = await rejection(m.acquireAsync(mem(901, priority)))
      expect(error).toMatchObject({ _tag: "BudgetExceeded", requested: 901, limit: 900 })
    }
    expect(memory(m).waiting).toBe(0)
    expect(await rejection(m.acquireAsync(mem(1001, "Critical")))).toMatchObject({ limit: 1000 })
    const big = m.acquire(mem(950, "Critical"))
    expect(memory(m).pressure).toBe("Critical")
    for (const priority of ["Low", "Normal", "High"] as const) {
      expect(thrown(() => m.acquire(mem(1, priority)))).toMatchObject({ available: 0, limit: 900 })
    }
    m.acquire(mem(50, "Critical"))
    expect(thrown(() => m.acquire(mem(1, "Critical")))).toMatchObject({ available: 0, limit: 1000 })
    expect(memory(m)).toMatchObject({ currentUsage: 1000, emergencyCount: 0, emergencyBytes: 0 })
    big.release()
    expect(m.acquire(mem(850)).metadata.sizeBytes).toBe(850)
  })

  test("Emergency is admitted over budget: emergencyBytes is the overage, given back when freed", () => {
    const m = make()
    m.acquire(mem(800))
    const e1 = m.acquire(mem(300), { mode: "Emergency" }) // 1100: 200 over the Normal limit
    expect(memory(m)).toMatchObject({ currentUsage: 1100, emergencyCount: 1, emergencyBytes: 200 })
    const e2 = m.acquire(mem(2000, "Critical"), { mode: "Emergency" }) // above maxBytes on its own
    expect(memory(m)).toMatchObject({ currentUsage: 3100, emergencyCount: 2, emergencyBytes: 2200 })
    expect(memory(m).pressure).toBe("Critical")
    e1.release()
    expect(memory(m)).toMatchObject({ currentUsage: 2800, emergencyBytes: 2000 })
    e2.release()
    expect(memory(m)).toMatchObject({ currentUsage: 800, emergencyBytes: 0, emergencyCount: 2 })
    const fits = m.acquire(mem(50), { mode: "Emergency" }) // fits: no overage
    expect(memory(m)).toMatchObject({ emergencyBytes: 0, emergencyCount: 2 })
    fits.release()
    expect(audited(m)).toMatchObject({ usage: 800, liveBytes: 800, emergencyBytes: 0 })
  })

  test("names: ResourceBusy while live, in every thread; free again once released", async () => {
    const m = make()
    const other = attachHere(m)
    const named = m.acquire(mem(10), { name: "tex" })
    expect(thrown(() => other.acquire(mem(10), { name: "tex" }))).toBeInstanceOf(ResourceBusy)
    expect(thrown(() => other.acquire(mem(10), { name: "tex", mode: "Emergency" }))).toMatchObject({
      _tag: "ResourceBusy",
      resource: "tex"
    })
    expect(other.find("tex")).toMatchObject({ name: "tex", sizeBytes: 10, owner: m.thread, holders: [m.thread] })
    named.release()
    expect(thrown(() => other.find("tex"))).toBeInstanceOf(ResourceNotFound)
    const again = other.acquire(mem(20), { name: "tex" })
    expect(m.find("tex").owner).toBe(other.thread)
    again.release()
    expect(memory(m).failedCount).toBe(2)
  })

  test("a name waiter is granted when the name is freed, by whichever thread frees it", async () => {
    const m = make()
    const other = attachHere(m)
    const held = m.acquire(mem(10), { name: "lock" })
    const waiting = other.acquireAsync(mem(20), { name: "lock" })
    expect(memory(m).waiting).toBe(1)
    expect(await settledYet(waiting)).toBe(false)
    held.release()
    const granted = await within(waiting, "the name's grant")
    expect(granted.name).toBe("lock")
    expect(m.find("lock")).toMatchObject({ owner: other.thread, sizeBytes: 20 })
    expect(memory(m)).toMatchObject({ waiting: 0, currentUsage: 20 })
  })
})

describe("shared manager: refs, names and thread slots", () => {
  test("a ref's release after its handle was released by hand does nothing (no StaleHandle), its destroy runs", () => {
    const m = make()
    const destroyed: Array<number> = []
    const ref = m.acquire(mem(100), { destroy: (payload) => destroyed.push(payload.byteLength) })
    expect(ref.payload.byteLength).toBe(100)
    m.release(ref.handle)
    const next = m.acquire(mem(200)) // may take the same slot, a generation on
    const before = ledgerState(m)
    ref.release()
    expect(ref.released).toBe(true)
    expect(destroyed).toEqual([100])
    expect(ledgerState(m)).toBe(before)
    expect(m.info(next.handle).sizeBytes).toBe(200)
  })

  test("a name a waiter waits for is not lost to a later request while the waiter does not fit yet", async () => {
    const m = make()
    const other = attachHere(m)
    const filler = m.acquire(mem(880))
    const named = m.acquire(mem(10), { name: "n" })
    const waiter = other.acquireAsync(mem(500), { name: "n" })
    expect(memory(m).waiting).toBe(1)
    named.release() // the name is free, but 880 + 500 does not fit: the waiter keeps waiting
    expect(await settledYet(waiter)).toBe(false)
    const before = ledgerState(m)
    expect(thrown(() => m.acquire(mem(5, "High"), { name: "n" }))).toBeInstanceOf(ResourceBusy)
    expect(thrown(() => m.acquire(mem(5), { name: "n", mode: "Emergency" }))).toBeInstanceOf(ResourceBusy)
    expect(JSON.parse(ledgerState(m)).audit).toEqual(JSON.parse(before).audit)
    filler.release()
    expect((await within(waiter, "the name's grant")).name).toBe("n")
    expect(m.find("n")).toMatchObject({ owner: other.thread, sizeBytes: 500 })
  })

  test("a detached thread's index is not handed to a new thread while a resource it acquired lives on", async () => {
    const m = make()
    const a = await agents.attach(m.descriptor)
    const b = await agents.attach(m.descriptor)
    const { handle } = await a.call<{ handle: ResourceHandle }>("acquire", "r", mem(300))
    await b.call("share", "s", handle)
    await a.call("close")
    expect(memory(m).currentUsage).toBe(300)
    const c = await agents.attach(m.descriptor)
    const stats = (t: number) => m.threadStats(t).find((s) => s.type === "Memory")
    expect(stats(c.thread)).toMatchObject({ currentUsage: 0, allocationCount: 0, releaseCount: 0 })
    await b.call("release", "s")
    expect(memory(m).currentUsage).toBe(0)
    // every thread's usage is its own acquisitions' bytes: never negative, and they add up to the type's usage
    for (const t of [a.thread, b.thread, c.thread]) expect(stats(t)?.currentUsage).toBe(0)
    expect(stats(c.thread)).toMatchObject({ allocationCount: 0, releaseCount: 0 })
    await c.call("acquire", "mine", mem(40))
    const sum = [m.thread, a.thread, b.thread, c.thread].reduce((n, t) => n + (stats(t)?.currentUsage ?? 0), 0)
    expect(sum).toBe(memory(m).currentUsage)
  })
})

describe("shared manager: hysteresis", () => {
  const levelsOf = (hysteresisPercent: number | undefined): Array<string> => {
    const m = make({
      budgets: { Memory: { maxBytes: 10_000, reservedBytes: 0, warningPercent: 50, criticalPercent: 80 } },
      ...(hysteresisPercent === undefined ? {} : { hysteresisPercent })
    })
    const other = attachHere(m) // the releases come from another thread than the acquisitions
    const a = m.acquire(mem(4500))
    const b = m.acquire(mem(1000))
    const c = other.acquire(mem(1000))
    const levels = [memory(m).pressure]
    for (const r of [c, b, a]) {
      r.release()
      levels.push(memory(m).pressure)
    }
    return levels
  }

  test("a level is left only once usage is hysteresisPercent of maxBytes below its threshold", () => {
    // 6,500 of 10,000 is Medium (65 %); 5,500 + 1,000 is still Medium; 4,500 + 1,000 is Low; 0 is None
    expect(levelsOf(10)).toEqual(["Medium", "Medium", "Low", "None"])
    expect(levelsOf(undefined)).toEqual(["Medium", "Low", "None", "None"])
  })

  test("a hysteresisPercent outside [0, 100] is InvalidArgument", () => {
    for (const bad of [-1, 101, Number.NaN, "5", null]) {
      expect(() => createSharedResourceManager({ hysteresisPercent: bad as number })).toThrow(
        expect.objectContaining({ _tag: "InvalidArgument", argument: "config.hysteresisPercent" })
      )
    }
  })
})

describe("shared manager: the wait queue", () => {
  test("priority order, FIFO within a priority, across threads; one grant per release when only one fits", async () => {
    const m = make()
    const holder = m.acquire(mem(900))
    const ask = (priority: keyof typeof ResourcePriority) => attachHere(m).acquireAsync(mem(800, priority))
    const low = ask("Low")
    const high1 = ask("High")
    const normal1 = ask("Normal")
    const high2 = ask("High")
    const normal2 = ask("Normal")
    expect(memory(m).waiting).toBe(5)
    holder.release()
    const order = [high1, high2, normal1, normal2, low]
    for (const [i, next] of order.entries()) {
      const ref = await within(next, `grant ${i}`)
      // 800 + 800 > 900: the grant recorded at the last release is this one only
      for (const later of order.slice(i + 1)) expect(await settledYet(later)).toBe(false)
      expect(memory(m)).toMatchObject({ currentUsage: 800, waiting: order.length - i - 1 })
      ref.release()
    }
    expect(memory(m)).toMatchObject({ waiting: 0, currentUsage: 0, allocationCount: 6 })
  })

  test("no barging: a fresh request does not pass a queued waiter of its priority or higher", async () => {
    const m = make()
    const other = attachHere(m)
    const holder = m.acquire(mem(500))
    const waiter = other.acquireAsync(mem(500)) // Normal, does not fit: waits
    expect(memory(m).waiting).toBe(1)
    // fits, but a Normal waiter is ahead: refused with available ≥ requested
    expect(thrown(() => m.acquire(mem(100)))).toMatchObject({ _tag: "BudgetExceeded", available: 400, requested: 100 })
    expect(thrown(() => m.acquire(mem(100, "Low")))).toBeInstanceOf(BudgetExceeded)
    const high = m.acquire(mem(100, "High")) // passes a lower-priority waiter
    const critical = m.acquire(mem(100, "Critical"))
    const emergency = m.acquire(mem(100), { mode: "Emergency" }) // fits, so admitted past the waiter
    expect(memory(m)).toMatchObject({ currentUsage: 800, emergencyBytes: 0 })
    // a Blocking request that would fit queues behind the head that does not: the head blocks the type
    const behind = m.acquireAsync(mem(50))
    expect(memory(m).waiting).toBe(2)
    high.release()
    critical.release()
    emergency.release()
    expect(await settledYet(waiter)).toBe(false)
    expect(await settledYet(behind)).toBe(false)
    holder.release()
    const [first, second] = await within(Promise.all([waiter, behind]), "both grants")
    expect(first.metadata.sizeBytes + second.metadata.sizeBytes).toBe(550)
    expect(memory(m)).toMatchObject({ waiting: 0, currentUsage: 550 })
  })

  test("Timeout: a wait granted before its deadline is granted, not timed out", async () => {
    const m = make()
    const holder = m.acquire(mem(900))
    const waiter = m.acquireAsync(mem(500), { mode: "Timeout", timeoutMillis: 600_000, name: "patient" })
    expect(await settledYet(waiter)).toBe(false)
    holder.release()
    const granted = await within(waiter, "the grant")
    expect(granted.name).toBe("patient")
    expect(memory(m)).toMatchObject({ waiting: 0, failedCount: 0, currentUsage: 500 })
    granted.release()
  })

  test("Timeout: AcquireTimeout { resource, resourceType, waitedMillis }, counted, the waiter gone", async () => {
    const m = make()
    m.acquire(mem(900))
    const error = await rejection(m.acquireAsync(mem(10), { mode: "Timeout", timeoutMillis: 5, name: "t" }))
    expect(error).toBeInstanceOf(AcquireTimeout)
    expect(error).toMatchObject({ resource: "t", resourceType: "Memory" })
    expect((error as AcquireTimeout).waitedMillis).toBeGreaterThanOrEqual(0)
    expect(memory(m)).toMatchObject({ waiting: 0, failedCount: 1 })
    expect(thrown(() => m.find("t"))).toBeInstanceOf(ResourceNotFound)
    // Timeout 0 that fits is admitted at once
    const held = await m.acquireAsync(mem(0), { mode: "Timeout", timeoutMillis: 0 })
    expect(held.metadata.sizeBytes).toBe(0)
  })

  test("abort: the Promise rejects with the signal's reason and the waiter leaves holding nothing", async () => {
    const m = make()
    const holder = m.acquire(mem(900))
    const controller = new AbortController()
    const waiting = m.acquireAsync(mem(100), { signal: controller.signal, name: "a" })
    expect(memory(m).waiting).toBe(1)
    controller.abort("stop")
    expect(await rejection(waiting)).toBe("stop")
    expect(memory(m)).toMatchObject({ waiting: 0, failedCount: 0 })
    // an already aborted signal: leaves at once when it must wait, admitted when it fits at once
    const aborted = AbortSignal.abort("early")
    expect(await rejection(m.acquireAsync(mem(100), { signal: aborted }))).toBe("early")
    holder.release()
    const fits = await m.acquireAsync(mem(100), { signal: aborted })
    expect(fits.metadata.sizeBytes).toBe(100)
    expect(memory(m)).toMatchObject({ waiting: 0, currentUsage: 100 })
  })

  test("setBudget fails the waiters that can never fit and admits the others; removeBudget admits all", async () => {
    const m = make()
    const other = attachHere(m)
    const holder = m.acquire(mem(900))
    const big = other.acquireAsync(mem(700))
    const critical = other.acquireAsync(mem(450, "Critical"))
    const small = other.acquireAsync(mem(300, "Low"))
    expect(memory(m).waiting).toBe(3)
    // limit 400 (Critical 500): 700 can never fit, 450 Critical can, 300 can
    m.setBudget("Memory", budget(500, 100))
    const error = await rejection(big)
    expect(error).toMatchObject({ _tag: "BudgetExceeded", requested: 700, limit: 400 })
    expect(memory(m)).toMatchObject({ waiting: 2, failedCount: 1 })
    holder.release()
    const c = await within(critical, "the Critical grant")
    expect(await settledYet(small)).toBe(false) // 450 + 300 > 400
    c.release()
    await within(small, "the Low grant")
    const more = [other.acquireAsync(mem(300)), other.acquireAsync(mem(300))]
    expect(memory(m).waiting).toBe(2)
    m.removeBudget("Memory")
    await within(Promise.all(more), "grants once unlimited")
    expect(memory(m)).toMatchObject({ waiting: 0, currentUsage: 900, pressure: "None", budget: undefined })
    m.setBudget("Memory", budget(1000, 100))
    expect(memory(m).pressure).toBe("High")
  })
})

describe("shared manager: across worker threads", () => {
  test("a handle from worker A is usable in worker B: share, info, release; freed when every holder released", async () => {
    const m = make()
    const a = await agents.attach(m.descriptor)
    const b = await agents.attach(m.descriptor)
    const c = await agents.attach(m.descriptor)
    const { handle } = await a.call<{ handle: ResourceHandle }>("acquire", "r", mem(300), { name: "shared" })
    const shared = await b.call<{ name: string; metadata: ResourceMetadata }>("share", "s", handle)
    expect(shared).toMatchObject({ name: "shared", metadata: { type: "Memory", sizeBytes: 300 } })
    expect(await b.call("payloadBytes", "s")).toBe(300)
    expect(await c.call("info", handle)).toMatchObject({ owner: a.thread, holders: [a.thread, b.thread].sort() })
    expect((await a.refusal("share", "again", handle)).fields).toMatchObject({ _tag: "AlreadyShared" })
    expect((await b.refusal("share", "again", handle)).tag).toBe("AlreadyShared")
    expect((await c.refusal("releaseHandle", handle)).tag).toBe("NotHolder")
    await a.call("release", "r")
    expect(memory(m)).toMatchObject({ currentUsage: 300, releaseCount: 0 })
    expect(m.info(handle).holders).toEqual([b.thread])
    expect(m.find("shared").owner).toBe(a.thread)
    await b.call("release", "s")
    expect(memory(m)).toMatchObject({ currentUsage: 0, releaseCount: 1 })
    expect(thrown(() => m.info(handle))).toBeInstanceOf(StaleHandle)
    expect((await c.refusal("share", "late", handle)).tag).toBe("StaleHandle")
    expect(m.threadStats(a.thread).find((s) => s.type === "Memory")).toMatchObject({
      allocationCount: 1,
      releaseCount: 1
    })
  })

  test("waits across workers are granted in priority order, FIFO within a priority", async () => {
    const m = make()
    const holder = m.acquire(mem(900))
    const [w1, w2, w3, w4] = [
      await agents.attach(m.descriptor),
      await agents.attach(m.descriptor),
      await agents.attach(m.descriptor),
      await agents.attach(m.descriptor)
    ] as [Agent, Agent, Agent, Agent]
    await w1.call("acquireAsync", "x", mem(800, "Normal"))
    await w2.call("acquireAsync", "x", mem(800, "High"))
    await w3.call("acquireAsync", "x", mem(800, "Normal"))
    await w4.call("acquireAsync", "x", mem(800, "Low"))
    expect(memory(m).waiting).toBe(4)
    expect(thrown(() => m.acquire(mem(50)))).toBeInstanceOf(BudgetExceeded) // no barging past them
    holder.release()
    const order: Array<number> = []
    for (const expected of [w2, w1, w3, w4]) {
      const settled = await expected.settled("x")
      expect(settled.ok).toBe(true)
      order.push(expected.thread)
      expect(memory(m)).toMatchObject({ currentUsage: 800 })
      expect(m.info(settled.handle as ResourceHandle).holders).toEqual([expected.thread])
      await expected.call("release", "x")
    }
    expect(order).toEqual([w2.thread, w1.thread, w3.thread, w4.thread])
    expect(memory(m)).toMatchObject({ waiting: 0, currentUsage: 0, allocationCount: 5 })
  })

  test("names across workers: find, ResourceBusy, and the name's waiter granted when the holder frees it", async () => {
    const m = make()
    const a = await agents.attach(m.descriptor)
    const b = await agents.attach(m.descriptor)
    await a.call("acquire", "r", mem(100), { name: "model" })
    expect(await b.call("find", "model")).toMatchObject({ owner: a.thread, sizeBytes: 100 })
    expect((await b.refusal("acquire", "r", mem(1), { name: "model" })).fields).toMatchObject({
      _tag: "ResourceBusy",
      resource: "model"
    })
    await b.call("acquireAsync", "w", mem(200), { name: "model" })
    expect(memory(m).waiting).toBe(1)
    await a.call("release", "r")
    expect((await b.settled("w")).ok).toBe(true)
    expect(m.find("model")).toMatchObject({ owner: b.thread, sizeBytes: 200 })
  })

  test("Timeout and abort in a worker; setBudget in another thread fails its impossible wait", async () => {
    const m = make()
    m.acquire(mem(900))
    const w = await agents.attach(m.descriptor)
    await w.call("acquireAsync", "t", mem(100), { mode: "Timeout", timeoutMillis: 1 })
    expect((await w.settled("t")).error).toMatchObject({ _tag: "AcquireTimeout", resourceType: "Memory" })
    await w.call("acquireAsync", "a", mem(100))
    await w.call("abort", "a", "why")
    expect((await w.settled("a")).error).toMatchObject({ _tag: "NonError", message: "why" })
    await w.call("acquireAsync", "b", mem(600))
    m.setBudget("Memory", budget(500, 0))
    expect((await w.settled("b")).error).toMatchObject({ _tag: "BudgetExceeded", requested: 600, limit: 500 })
    expect(memory(m)).toMatchObject({ waiting: 0, failedCount: 2 })
    expect(m.threadStats(w.thread).find((s) => s.type === "Memory")).toMatchObject({
      failedCount: 2,
      allocationCount: 0
    })
  })

  test("pressure events reach the callbacks of every attached thread", async () => {
    const m = make()
    const here: Array<PressureEvent> = []
    m.registerPressureCallback((event) => here.push(event))
    const a = await agents.attach(m.descriptor)
    const b = await agents.attach(m.descriptor)
    await a.call("onPressure")
    await b.call("onPressure")
    const ref = m.acquire(mem(850)) // High
    await a.call("acquire", "r", mem(100, "Critical")) // 950: Critical
    ref.release() // 100: None
    for (const agent of [a, b]) {
      const seen = [
        await agent.next((e) => e.event === "pressure", "the first event"),
        await agent.next((e) => e.event === "pressure", "the second event"),
        await agent.next((e) => e.event === "pressure", "the third event")
      ]
      expect(changes(seen)).toEqual(["None->High", "High->Critical", "Critical->None"])
    }
    await until(() => here.length === 3, "the creator's events")
    expect(changes(here)).toEqual(["None->High", "High->Critical", "Critical->None"])
  })

  test("reclamation callbacks of another worker are asked when a request waits; only real releases count", async () => {
    const m = make()
    const liar = await agents.attach(m.descriptor)
    const giver = await agents.attach(m.descriptor)
    await giver.call("acquire", "cache", mem(600))
    await liar.call("acquire", "keep", mem(200))
    await liar.call("onReclaim", "Memory", [], 10_000) // says it freed a lot, frees nothing
    const waiting = m.acquireAsync(mem(500))
    const asked = await liar.next((e) => e.event === "reclaim", "the liar's callback")
    expect(asked).toMatchObject({ type: "Memory", missingBytes: 400, released: [] })
    expect(await settledYet(waiting)).toBe(false)
    expect(memory(m).waiting).toBe(1)
    await giver.call("onReclaim", "Memory", ["cache"], 0) // frees 600 when asked next
    // a request that does not fit asks every thread again (and fails: it does not wait)
    expect(thrown(() => m.acquire(mem(300, "Critical")))).toBeInstanceOf(BudgetExceeded)
    expect(await giver.next((e) => e.event === "reclaim", "the giver's callback")).toMatchObject({
      released: ["cache"]
    })
    const ref = await within(waiting, "the grant after the real release")
    expect(ref.metadata.sizeBytes).toBe(500)
    expect(memory(m)).toMatchObject({ currentUsage: 700, waiting: 0 })
  })

  test("threadStats: each thread's usage, allocations, releases and failures", async () => {
    const m = make()
    const w = await agents.attach(m.descriptor)
    m.acquire(mem(100))
    await w.call("acquire", "a", mem(200))
    await w.call("acquire", "b", mem(300))
    await w.call("release", "a")
    await w.refusal("acquire", "c", mem(900))
    expect(m.threadStats().find((s) => s.type === "Memory")).toMatchObject({
      currentUsage: 100,
      allocationCount: 1,
      releaseCount: 0,
      failedCount: 0
    })
    expect(m.threadStats(w.thread).find((s) => s.type === "Memory")).toEqual({
      type: "Memory",
      currentUsage: 300,
      allocationCount: 2,
      releaseCount: 1,
      failedCount: 1
    })
    expect(await w.call("threadStats")).toEqual(m.threadStats(w.thread))
    expect([...m.threads()].sort()).toEqual([m.thread, w.thread].sort())
  })

  test("a worker's close() detaches it: its holdings released and reported, its waits fail with ManagerClosed", async () => {
    const m = make()
    const w = await agents.attach(m.descriptor)
    const keeper = await agents.attach(m.descriptor)
    await w.call("acquire", "a", mem(300), { name: "mine" })
    const { handle } = await keeper.call<{ handle: ResourceHandle }>("acquire", "k", mem(200))
    await w.call("share", "s", handle)
    await w.call("acquireAsync", "wait", mem(500))
    expect(memory(m)).toMatchObject({ currentUsage: 500, waiting: 1 })
    const leaks = await w.call<ReadonlyArray<Record<string, unknown>>>("close")
    expect(leaks.map((l) => [l.thread, l.name, l.sizeBytes]).sort()).toEqual([
      [w.thread, "", 200],
      [w.thread, "mine", 300]
    ])
    expect((await w.settled("wait")).error).toMatchObject({ _tag: "ManagerClosed" })
    expect(memory(m)).toMatchObject({ currentUsage: 200, waiting: 0 })
    expect(m.info(handle).holders).toEqual([keeper.thread])
    expect(m.threads()).not.toContain(w.thread)
    expect((await w.refusal("acquire", "late", mem(1))).tag).toBe("ManagerClosed")
    expect(audited(m)).toMatchObject({ usage: 200, liveBytes: 200, liveCount: 1 })
  })

  test("the creator's close() fails every waiter in every worker with ManagerClosed and reports leaks per thread", async () => {
    const m = make()
    const a = await agents.attach(m.descriptor)
    const b = await agents.attach(m.descriptor)
    m.acquire(mem(100), { name: "creator's" })
    await a.call("acquire", "r", mem(700))
    await a.call("acquireAsync", "wa", mem(500))
    await b.call("acquireAsync", "wb", mem(400, "Critical"))
    expect(memory(m).waiting).toBe(2)
    const leaks = m.close()
    expect(leaks.map((l) => [l.thread, l.sizeBytes, l.name]).sort()).toEqual(
      [
        [m.thread, 100, "creator's"],
        [a.thread, 700, ""]
      ].sort()
    )
    expect((await a.settled("wa")).error).toMatchObject({ _tag: "ManagerClosed" })
    expect((await b.settled("wb")).error).toMatchObject({ _tag: "ManagerClosed" })
    expect((await b.refusal("acquire", "x", mem(1))).tag).toBe("ManagerClosed")
    expect(audited(m)).toMatchObject({ usage: 0, liveBytes: 0, liveCount: 0, waiting: 0 })
    expect(thrown(() => attachSharedResourceManager(m.descriptor))).toBeInstanceOf(ManagerClosed)
    expect(m.close()).toEqual([])
  })

  test("a lost worker is reaped: its holdings released and its waits withdrawn; the others go on", async () => {
    const lostAfterMillis = 300
    const m = make({ budgets: { Memory: budget(1000, 100) }, lostAfterMillis })
    const lost = await agents.attach(m.descriptor)
    const other = await agents.attach(m.descriptor)
    const { handle } = await lost.call<{ handle: ResourceHandle }>("acquire", "r", mem(600), { name: "lost's" })
    await other.call("share", "shared", handle)
    await lost.call("acquire", "r2", mem(200))
    await lost.call("acquireAsync", "w", mem(500))
    await other.call("acquireAsync", "w", mem(300))
    expect(memory(m)).toMatchObject({ currentUsage: 800, waiting: 2 })
    const killed = Date.now()
    lost.terminate()
    await until(() => !m.threads().includes(lost.thread), "the reaping")
    const reapedAfter = Date.now() - killed
    // the 200 B hold is freed, the shared one lives on with its other holder, the lost wait is withdrawn,
    // and the other worker's wait is granted with the bytes that came back
    expect((await other.settled("w")).ok).toBe(true)
    expect(memory(m)).toMatchObject({ currentUsage: 900, waiting: 0 })
    expect(m.info(handle).holders).toEqual([other.thread])
    expect(audited(m)).toMatchObject({ usage: 900, liveBytes: 900, liveCount: 2 })
    expect(reapedAfter).toBeLessThan(lostAfterMillis + 10_000) // a failure deadline, not the measure
    await other.call("release", "shared")
    expect(thrown(() => m.find("lost's"))).toBeInstanceOf(ResourceNotFound)
    expect(memory(m).currentUsage).toBe(300)
  })

  test("a lost worker's pooled and charged resources: after the reaping, usage is the pools' capacity and what is still charged", async () => {
    const m = make({
      budgets: { Memory: budget(100_000, 0) },
      pools: [{ type: "Memory", blockSize: 256, blockCount: 4 }],
      lostAfterMillis: 200
    })
    const lost = await agents.attach(m.descriptor)
    await lost.call("acquire", "pooled", mem(200))
    await lost.call("acquire", "charged", mem(1000))
    const mine = m.acquire(mem(500))
    expect(memory(m).currentUsage).toBe(1024 + 1000 + 500)
    lost.terminate()
    await until(() => !m.threads().includes(lost.thread), "the reaping")
    expect(memory(m)).toMatchObject({ currentUsage: 1024 + 500, waiting: 0 })
    const blocks = [1, 2, 3, 4].map(() => m.acquire(mem(256))) // the lost worker's block is back in the pool
    expect(memory(m).currentUsage).toBe(1024 + 500)
    for (const b of [...blocks, mine]) b.release()
    expect(memory(m).currentUsage).toBe(1024)
  })

  test("a worker lost holding the lock: the creator's next locked call reaps it instead of hanging, and a worker waiting for the lock is not lost", async () => {
    // 1.5 s: the waiting worker must beat within it on a loaded machine (at 300 ms it was declared lost there once)
    const m = make({ budgets: { Memory: budget(1000, 100) }, lostAfterMillis: 1500 })
    const lost = await agents.attach(m.descriptor)
    const waiting = await agents.attach(m.descriptor)
    await lost.call("acquire", "r", mem(400))
    await lost.call("holdLock")
    lost.terminate()
    // a named acquisition takes the lock: this worker blocks in it until the lock is freed
    const blocked = waiting.call("acquire", "w", mem(100), { name: "after" })
    // so does this thread's: it must reap the lost worker (and free its lock) from inside the wait
    const mine = m.acquire(mem(200), { name: "mine" })
    expect(m.threads()).not.toContain(lost.thread)
    expect(await blocked).toMatchObject({ name: "after" })
    expect(m.threads()).toContain(waiting.thread)
    expect(memory(m)).toMatchObject({ currentUsage: 300 })
    mine.release()
  }, 20_000)
})

describe("shared manager: callbacks that call back into the manager", () => {
  test("a reclamation callback that acquires its own type is not asked again (no recursion)", () => {
    const m = make()
    m.acquire(mem(800))
    let calls = 0
    const inner: Array<unknown> = []
    m.registerReclamationCallback("Memory", () => {
      calls++
      inner.push(thrown(() => m.acquire(mem(150))))
      return 0
    })
    expect(thrown(() => m.acquire(mem(200)))).toBeInstanceOf(BudgetExceeded)
    expect(calls).toBe(1)
    expect(inner[0]).toBeInstanceOf(BudgetExceeded)
    expect(memory(m)).toMatchObject({ currentUsage: 800, failedCount: 2 })
  })

  test("a reclamation callback that releases what it was asked for lets the request in", () => {
    const m = make()
    const cache = m.acquire(mem(800))
    m.registerReclamationCallback("Memory", (missing) => {
      expect(missing).toBe(100)
      cache.release()
      return 800
    })
    expect(m.acquire(mem(200)).metadata.sizeBytes).toBe(200)
    expect(memory(m)).toMatchObject({ currentUsage: 200, failedCount: 0 })
  })

  test("a failed NonBlocking request asks the other threads' callbacks for what it missed", async () => {
    const m = make() // limit(Normal) 900
    const other = attachHere(m)
    const cache = other.acquire(mem(700))
    const asked: Array<number> = []
    other.registerReclamationCallback("Memory", (missing) => {
      asked.push(missing)
      cache.release()
      return 700
    })
    // nobody waits: the other thread's callbacks were asked for a queue head only, so for nothing
    expect(thrown(() => m.acquire(mem(300)))).toBeInstanceOf(BudgetExceeded)
    await until(() => asked.length > 0, "the other thread's reclamation callback")
    expect(asked).toEqual([100]) // 700 + 300 − 900
    expect(memory(m).currentUsage).toBe(0)
    expect(m.acquire(mem(300)).metadata.sizeBytes).toBe(300) // the retry fits
  })

  test("a reclamation callback that closes the manager: the request fails with ManagerClosed, nothing is admitted", () => {
    const m = make()
    m.acquire(mem(800))
    m.registerReclamationCallback("Memory", () => m.close().length)
    expect(thrown(() => m.acquire(mem(200)))).toBeInstanceOf(ManagerClosed)
    expect(audited(m)).toMatchObject({ usage: 0, liveBytes: 0, liveCount: 0 })
  })

  test("a pressure callback that closes the manager; a create hook that acquires", async () => {
    const m = make()
    const closedBy: Array<number> = []
    m.registerPressureCallback(() => closedBy.push(m.close().length))
    const outer = m.acquire(mem(100), {
      create: () => m.acquire(mem(50), { name: "inner" }).payload
    })
    expect(outer.payload.byteLength).toBe(50)
    m.acquire(mem(700))
    await until(() => closedBy.length > 0, "the pressure callback")
    expect(closedBy[0]).toBe(3)
    expect(thrown(() => m.acquire(mem(1)))).toBeInstanceOf(ManagerClosed)
    expect(audited(m)).toMatchObject({ usage: 0, liveCount: 0 })
  })
})

describe("shared manager: bad input changes nothing", () => {
  /** A manager with a live resource and a waiter, to check that refused calls leave everything as it was. */
  const busy = () => {
    const m = make({ budgets: { Memory: budget(1000, 100) }, types: { Texture: {} } })
    const other = attachHere(m)
    const ref = m.acquire(mem(900), { name: "held" })
    const waiter = other.acquireAsync(mem(500))
    waiter.catch(() => undefined)
    return { m, other, ref }
  }
  const facade = createResourceManager({})
  const facadeHandle = facade.acquire("f", { type: "Memory", sizeBytes: 1 }).handle
  const foreign = createSharedResourceManager({})
  const foreignHandle = foreign.acquire(mem(1)).handle
  foreign.close()
  const handles: ReadonlyArray<unknown> = [
    undefined,
    null,
    "toString",
    42,
    {},
    { slot: Number.NaN, generation: 1, manager: 1 },
    { slot: 2 ** 40, generation: 1, manager: 1 },
    { slot: "0", generation: "1", manager: "1" },
    facadeHandle,
    foreignHandle
  ]
  const metadatas: ReadonlyArray<unknown> = [
    undefined,
    null,
    "toString",
    { type: "toString", sizeBytes: 1 },
    { type: "Memory", sizeBytes: Number.NaN },
    { type: "Memory", sizeBytes: -1 },
    { type: "Memory", sizeBytes: 2 ** 53 },
    { type: "Memory", sizeBytes: "1" },
    { type: "Memory", sizeBytes: 1, priority: "toString" },
    { type: "Memory", sizeBytes: 1, dependsOn: [{ slot: 0, generation: 1, manager: 1 }] }
  ]
  const options: ReadonlyArray<unknown> = [
    null,
    "toString",
    { mode: "toString" },
    { mode: "Blocking" },
    { name: 5 },
    { name: "x".repeat(65) },
    { create: 5 },
    { destroy: "no" }
  ]

  const expectTyped = (error: unknown, what: string) => {
    if (!isCoreError(error)) throw new Error(`${what}: not a typed error: ${String(error)}`)
  }

  test("acquire, acquireAsync: a typed error for every bad metadata and option", async () => {
    const { m, other } = busy()
    const before = ledgerState(m)
    for (const metadata of metadatas) {
      expectTyped(
        thrown(() => m.acquire(metadata as ResourceMetadata)),
        `acquire ${String(metadata)}`
      )
      expectTyped(await rejection(other.acquireAsync(metadata as ResourceMetadata)), "acquireAsync")
    }
    for (const o of options) {
      expectTyped(
        thrown(() => m.acquire(mem(1), o as never)),
        `acquire options ${JSON.stringify(o)}`
      )
    }
    const asyncOptions: ReadonlyArray<unknown> = [
      ...options.filter((o) => (o as { mode?: unknown } | null)?.mode !== "Blocking"),
      { mode: "Timeout" },
      { mode: "Timeout", timeoutMillis: Number.NaN },
      { mode: "Timeout", timeoutMillis: 2 ** 31 },
      { mode: "Timeout", timeoutMillis: -1 },
      { mode: "Blocking", timeoutMillis: 1 },
      { signal: "toString" },
      { signal: { aborted: false } },
      { signal: {} }
    ]
    for (const o of asyncOptions) {
      expectTyped(await rejection(other.acquireAsync(mem(500), o as never)), `acquireAsync ${JSON.stringify(o)}`)
    }
    expect(ledgerState(m)).toBe(before)
  })

  test("share, release, info: a typed error for every bad or foreign handle", () => {
    const { m, other, ref } = busy()
    const before = ledgerState(m)
    for (const handle of handles) {
      for (const call of [
        () => other.share(handle as ResourceHandle),
        () => other.release(handle as ResourceHandle),
        () => other.info(handle as ResourceHandle)
      ]) {
        expectTyped(thrown(call), `handle ${JSON.stringify(handle)}`)
      }
    }
    expect(thrown(() => other.release(ref.handle))).toBeInstanceOf(NotHolder)
    expect(thrown(() => m.share(ref.handle))).toBeInstanceOf(AlreadyShared)
    expect(thrown(() => other.share(ref.handle, "toString" as never))).toMatchObject({ _tag: "InvalidArgument" })
    expect(thrown(() => other.share({ ...ref.handle, generation: ref.handle.generation + 1 }))).toBeInstanceOf(
      StaleHandle
    )
    expect(ledgerState(m)).toBe(before)
  })

  test("find, budgets, stats, callbacks: a typed error for every bad argument", () => {
    const { m, other } = busy()
    const before = ledgerState(m)
    const calls: ReadonlyArray<[string, () => unknown]> = [
      ["find(5)", () => other.find(5 as never)],
      ["find(null)", () => other.find(null as never)],
      ["find(toString)", () => other.find("toString")],
      ["find('')", () => other.find("")],
      ["setBudget(toString)", () => other.setBudget("toString" as never, budget(1, 0))],
      ["setBudget(NaN)", () => other.setBudget("Memory", budget(Number.NaN, 0))],
      ["setBudget(reserve > max)", () => other.setBudget("Memory", budget(10, 20))],
      ["setBudget(null)", () => other.setBudget("Memory", null as never)],
      ["removeBudget(toString)", () => other.removeBudget("toString" as never)],
      ["getBudget(5)", () => other.getBudget(5 as never)],
      ["getResourceStats(toString)", () => other.getResourceStats("toString" as never)],
      ["threadStats(NaN)", () => other.threadStats(Number.NaN)],
      ["threadStats(-1)", () => other.threadStats(-1)],
      ["threadStats(32)", () => other.threadStats(32)],
      ["threadStats('0')", () => other.threadStats("0" as never)],
      ["threadStats(2^53)", () => other.threadStats(2 ** 53)],
      ["registerPressureCallback(5)", () => other.registerPressureCallback(5 as never)],
      ["registerReclamationCallback(null)", () => other.registerReclamationCallback("Memory", null as never)],
      ["registerReclamationCallback(toString)", () => other.registerReclamationCallback("toString" as never, () => 0)]
    ]
    for (const [what, call] of calls) expectTyped(thrown(call), what)
    expect(other.getBudget("Memory")).toEqual(budget(1000, 100))
    expect(ledgerState(m)).toBe(before)
  })

  test("createSharedResourceManager and attachSharedResourceManager refuse what is not a config or a descriptor", () => {
    const configs: ReadonlyArray<unknown> = [
      null,
      "toString",
      5,
      [],
      { maxThreads: Number.NaN },
      { maxThreads: 33 },
      { maxThreads: 0 },
      { maxResources: 2 ** 53 },
      { maxWaiters: 1.5 },
      { lostAfterMillis: 99 },
      { label: 5 },
      { unknown: 1 },
      { toString: 1 },
      { budgets: { toString: budget(1, 0) } },
      { budgets: { Memory: budget(Number.NaN, 0) } },
      { budgets: "Memory" },
      { types: "x" }
    ]
    for (const config of configs) {
      expectTyped(
        thrown(() => createSharedResourceManager(config as never)),
        `config ${JSON.stringify(config)}`
      )
    }
    const m = make()
    const descriptors: ReadonlyArray<unknown> = [
      undefined,
      null,
      "toString",
      {},
      m,
      facade,
      { kind: "flight-hal/shared-manager", buffer: new ArrayBuffer(4096) },
      { kind: "flight-hal/shared-manager", buffer: new SharedArrayBuffer(4096) },
      { kind: "flight-hal/shared-manager", buffer: new SharedArrayBuffer(8) },
      { kind: "other", buffer: m.descriptor.buffer }
    ]
    const before = ledgerState(m)
    for (const descriptor of descriptors)
      expectTyped(
        thrown(() => attachSharedResourceManager(descriptor as never)),
        "d"
      )
    expect(ledgerState(m)).toBe(before)
    expect(m.threads()).toEqual([m.thread])
  })

  test("the facade's refs and another manager's refs are not this manager's", () => {
    const m = make()
    const mine = m.acquire(mem(10))
    const before = ledgerState(m)
    expect(thrown(() => m.release(facadeHandle))).toBeInstanceOf(ResourceNotFound)
    expect(thrown(() => m.share(foreignHandle))).toBeInstanceOf(ResourceNotFound)
    expect(ledgerState(m)).toBe(before)
    mine.release()
    expect(thrown(() => m.release(mine.handle))).toBeInstanceOf(StaleHandle)
    mine.release() // idempotent
  })

  test("huge sizes: Emergency far over budget, and unlimited types, keep exact books", () => {
    const m = make()
    const huge = Number.MAX_SAFE_INTEGER
    const e = m.acquire(mem(huge), { mode: "Emergency" })
    expect(memory(m)).toMatchObject({ currentUsage: huge, emergencyBytes: huge - 900, emergencyCount: 1 })
    e.release()
    const t = [m.acquire({ type: "Hardware", sizeBytes: huge }), m.acquire({ type: "Hardware", sizeBytes: 1 })]
    expect(m.getResourceStats("Hardware").currentUsage).toBe(huge + 1)
    for (const ref of t) ref.release()
    expect(m.audit().map((a) => [a.type, a.usage, a.liveCount])).toContainEqual(["Hardware", 0, 0])
    expect(memory(m)).toMatchObject({ currentUsage: 0, emergencyBytes: 0 })
  })
})
