import { describe, expect, test } from "bun:test"
import { BudgetExceeded, DeadlockDetected, ResourceBusy, type ResourceMetadata } from "@flight-hal/core"
import { Core } from "../src/internal/core.ts"

type Engine = Core<unknown>
/** Every owner these tests name is a sequential driver (exact deadlock detection). */
const drivers = Object.fromEntries(["a", "b", "c", "A", "B", "C"].map((owner) => [owner, { sequential: true }]))
const newEngine = (config: object): Engine => {
  const made = Core.make<unknown>({ drivers, ...config }, Date.now)
  if (!(made instanceof Core)) throw made
  return made
}

import { pressureLevel } from "../src/internal/pressure.ts"
import {
  interrupt,
  NeedsReclaim,
  type SubmitResult,
  share,
  submit,
  timeout,
  WaitingRequest
} from "../src/internal/transitions.ts"
import { prng } from "./support/harness.ts"

const budget = { maxBytes: 1000, reservedBytes: 100, warningPercent: 50, criticalPercent: 80 }
const mode = { NonBlocking: 0, Blocking: 1, Timeout: 2, Emergency: 3 } as const

const setup = (extra: Partial<typeof budget> = {}) => newEngine({ budgets: { Memory: { ...budget, ...extra } } })

const ask = (
  engine: Engine,
  size: number,
  options: {
    mode?: number
    priority?: ResourceMetadata["priority"]
    name?: string
    driver?: string
    reclaimed?: boolean
    flags?: number
  } = {}
): SubmitResult => {
  const metadata: ResourceMetadata = {
    type: "Memory",
    sizeBytes: size,
    priority: options.priority ?? "Normal",
    flags: options.flags ?? 0
  }
  const request = engine.request(options.name ?? "", metadata, options.mode ?? mode.NonBlocking, options.driver)
  if (!("type" in request)) throw request
  return submit(engine.state, request, options.reclaimed ?? true)
}

const usage = (engine: Engine) => engine.stats(1).currentUsage

describe("admission", () => {
  test("limit(p) is max − reserved except for Critical, exact bytes", () => {
    const engine = setup()
    expect(typeof ask(engine, 900)).toBe("number")
    expect(usage(engine)).toBe(900)
    const over = ask(engine, 1)
    expect(over).toBeInstanceOf(BudgetExceeded)
    expect(over).toMatchObject({ resourceType: "Memory", requested: 1, available: 0, limit: 900 })
    expect(typeof ask(engine, 100, { priority: "Critical" })).toBe("number")
    expect(usage(engine)).toBe(1000)
    expect(ask(engine, 1, { priority: "Critical" })).toBeInstanceOf(BudgetExceeded)
    expect(engine.stats(1).failedCount).toBe(2)
  })

  test("impossible requests fail at once in every mode but Emergency", () => {
    const engine = setup()
    for (const m of [mode.NonBlocking, mode.Blocking, mode.Timeout]) {
      expect(ask(engine, 901, { mode: m })).toMatchObject({ _tag: "BudgetExceeded", limit: 900, available: 900 })
    }
    expect(typeof ask(engine, 1001, { priority: "Critical", mode: mode.Emergency })).toBe("number")
    expect(engine.stats(1)).toMatchObject({ currentUsage: 1001, emergencyCount: 1, emergencyBytes: 1 })
    expect(engine.state.queues[1]?.size).toBe(0)
  })

  test("emergency overage is min(s, u + s − limit)", () => {
    const engine = setup()
    ask(engine, 800)
    const slot = ask(engine, 300, { mode: mode.Emergency })
    expect(typeof slot).toBe("number")
    expect(engine.stats(1)).toMatchObject({ currentUsage: 1100, emergencyBytes: 200, pressure: "Critical" })
    engine.release(slot as number, 0)
    expect(engine.stats(1)).toMatchObject({ currentUsage: 800, emergencyBytes: 0 })
  })

  test("does not fit before reclamation → NeedsReclaim with the missing bytes", () => {
    const engine = setup()
    ask(engine, 850)
    const result = ask(engine, 100, { reclaimed: false })
    expect(result).toBeInstanceOf(NeedsReclaim)
    expect((result as NeedsReclaim).missing).toBe(50)
    expect(engine.stats(1).failedCount).toBe(0)
  })

  test("queue order: priority first, FIFO within; no barging", () => {
    const engine = setup()
    const first = ask(engine, 900) as number
    const order: Array<string> = []
    const wait = (label: string, size: number, priority: ResourceMetadata["priority"]) => {
      const w = ask(engine, size, { mode: mode.Blocking, priority, driver: label })
      expect(w).toBeInstanceOf(WaitingRequest)
      ;(w as WaitingRequest).onEnd(() => order.push((w as WaitingRequest).grantedSlot >= 0 ? label : `!${label}`))
      return w as WaitingRequest
    }
    wait("low", 100, "Low")
    wait("n1", 500, "Normal")
    wait("n2", 100, "Normal")
    wait("high", 300, "High")
    // a small NonBlocking request fits nowhere ahead of equal-priority waiters: no barging
    expect(ask(engine, 1, { priority: "Normal" })).toBeInstanceOf(BudgetExceeded)
    expect(engine.stats(1).waiting).toBe(4)
    engine.release(first, 0)
    // high (300) then n1 (500) fit: 800; n2 (100) fits: 900; low (100) does not
    expect(order).toEqual(["high", "n1", "n2"])
    expect(usage(engine)).toBe(900)
    expect(engine.stats(1).waiting).toBe(1)
  })

  test("a head that does not fit blocks smaller waiters behind it", () => {
    const engine = setup()
    const a = ask(engine, 500) as number
    const big = ask(engine, 600, { mode: mode.Blocking, driver: "d1" }) as WaitingRequest
    const small = ask(engine, 100, { mode: mode.Blocking, driver: "d2" }) as WaitingRequest
    expect(big).toBeInstanceOf(WaitingRequest)
    expect(small).toBeInstanceOf(WaitingRequest)
    expect(small.queued).toBe(true)
    // the big head leaves: the small one is granted at once
    let granted = -1
    small.onEnd(() => (granted = small.grantedSlot))
    const { settled } = timeout(engine.state, big)
    for (const s of settled) s.waiter.settle.granted(s.slot, s.generation)
    expect(granted).toBeGreaterThanOrEqual(0)
    expect(usage(engine)).toBe(600)
    expect(engine.stats(1).failedCount).toBe(1)
    engine.release(a, 0)
  })

  test("interrupting 1,000 blocked waiters leaves usage and the queue empty", () => {
    const engine = setup()
    const first = ask(engine, 900) as number
    const waiters: Array<WaitingRequest> = []
    for (let i = 0; i < 1000; i++) {
      waiters.push(ask(engine, 10, { mode: mode.Blocking, driver: `d${i}` }) as WaitingRequest)
    }
    expect(engine.stats(1).waiting).toBe(1000)
    for (const w of waiters) interrupt(engine.state, w)
    engine.release(first, 0)
    expect(engine.stats(1)).toMatchObject({ currentUsage: 0, waiting: 0 })
    expect(engine.state.waiting.size).toBe(0)
  }, 60_000)
})

describe("names", () => {
  test("a live name is busy for NonBlocking and Emergency; Blocking waits for it", () => {
    const engine = setup()
    const a = ask(engine, 10, { name: "tex" }) as number
    expect(ask(engine, 10, { name: "tex" })).toBeInstanceOf(ResourceBusy)
    expect(ask(engine, 10, { name: "tex", mode: mode.Emergency })).toBeInstanceOf(ResourceBusy)
    const w = ask(engine, 10, { name: "tex", mode: mode.Blocking, driver: "b" }) as WaitingRequest
    expect(w.kind).toBe("name")
    let got = -1
    w.onEnd(() => (got = w.grantedSlot))
    engine.release(a, 0)
    expect(got).toBeGreaterThanOrEqual(0)
    expect(engine.state.names.at(got)).toBe("tex")
    expect(usage(engine)).toBe(10)
  })
})

describe("sharing and dependencies", () => {
  test("bytes counted once; the resource survives its owner's release", () => {
    const engine = setup()
    const slot = ask(engine, 100, { flags: 8 }) as number
    const b = share(engine.state, slot, "b") as number
    expect(typeof b).toBe("number")
    expect((share(engine.state, slot, "b") as { _tag: string })._tag).toBe("AlreadyShared")
    expect(usage(engine)).toBe(100)
    engine.release(slot, 0)
    expect(usage(engine)).toBe(100)
    engine.release(slot, b)
    expect(usage(engine)).toBe(0)
    // no resurrection: the handle is stale
    expect(engine.resolve({ slot, generation: 0, manager: engine.id })?.constructor.name).toBe("StaleHandle")
  })

  test("not shareable", () => {
    const engine = setup()
    const slot = ask(engine, 100) as number
    expect((share(engine.state, slot, "b") as { _tag: string })._tag).toBe("NotShareable")
  })

  test("self-deadlock: waiting for bytes only its own driver holds is refused", () => {
    const engine = setup()
    ask(engine, 900, { driver: "a" })
    const result = ask(engine, 100, { mode: mode.Blocking, driver: "a" })
    expect(result).toBeInstanceOf(DeadlockDetected)
    expect((result as DeadlockDetected).drivers).toEqual(["a"])
    expect(engine.stats(1).waiting).toBe(0)
  })
})

describe("pressure", () => {
  const b = { maxBytes: 1000, reservedBytes: 100, warningPercent: 50, criticalPercent: 80 }
  test("exact boundaries", () => {
    expect(pressureLevel(b, 499)).toBe(0)
    expect(pressureLevel(b, 500)).toBe(1)
    expect(pressureLevel(b, 649)).toBe(1)
    expect(pressureLevel(b, 650)).toBe(2)
    expect(pressureLevel(b, 799)).toBe(2)
    expect(pressureLevel(b, 800)).toBe(3)
    expect(pressureLevel(b, 900)).toBe(3)
    expect(pressureLevel(b, 901)).toBe(4)
    expect(pressureLevel({ ...b, reservedBytes: 0 }, 1000)).toBe(3)
    expect(pressureLevel({ ...b, reservedBytes: 0 }, 1001)).toBe(4)
  })

  test("edge-triggered changes both ways, with hysteresis", () => {
    const engine = newEngine({ budgets: { Memory: b }, hysteresisPercent: 5 })
    const changes: Array<string> = []
    engine.state.pressureListener = (c) => changes.push(`${c.from}->${c.to}`)
    const x = ask(engine, 500) as number
    expect(changes).toEqual(["None->Low"])
    const y = ask(engine, 150) as number
    expect(changes).toEqual(["None->Low", "Low->Medium"])
    engine.release(y, 0)
    // 500 + 50 (margin) ≥ 500: stays Low; the Medium→Low drop happens (500 + 50 < 650)
    expect(changes).toEqual(["None->Low", "Low->Medium", "Medium->Low"])
    engine.release(x, 0)
    expect(changes.at(-1)).toBe("Low->None")
    const z = ask(engine, 500) as number
    const w = ask(engine, 1) as number
    engine.release(w, 0)
    expect(engine.stats(1).pressure).toBe("Low")
    engine.release(z, 0)
  })

  test("hysteresis margin holds a level until usage falls below threshold − margin", () => {
    const engine = newEngine({ budgets: { Memory: b }, hysteresisPercent: 5 })
    const x = ask(engine, 500) as number
    expect(engine.stats(1).pressure).toBe("Low")
    engine.release(x, 0)
    const y = ask(engine, 460) as number
    expect(engine.stats(1).pressure).toBe("None")
    const z = ask(engine, 40) as number
    expect(engine.stats(1).pressure).toBe("Low")
    engine.release(z, 0)
    // 460 + 50 ≥ 500: still Low
    expect(engine.stats(1).pressure).toBe("Low")
    const v = ask(engine, 0) as number
    engine.release(v, 0)
    engine.release(y, 0)
    expect(engine.stats(1).pressure).toBe("None")
  })
})

describe("wait queue hygiene", () => {
  test("waits that leave from the tail or middle do not accumulate in the queue", async () => {
    const { WaitQueue } = await import("../src/internal/wait-queue.ts")
    const queue = new WaitQueue<{ priority: number; queued: boolean }>()
    const keeper = { priority: 1, queued: false }
    queue.push(keeper)
    for (let i = 0; i < 10_000; i++) {
      const a = { priority: 1, queued: false }
      const b = { priority: 1, queued: false }
      queue.push(a)
      queue.push(b)
      queue.remove(a)
      queue.remove(b)
    }
    expect(queue.size).toBe(1)
    expect(queue.entries()).toEqual([keeper])
    expect((queue as unknown as { lanes: Array<Array<unknown>> }).lanes[1]?.length).toBeLessThan(100)
  })
})

/**
 * Random add/delete churn of a name index over the names `n0` … `n<universe − 1>`, at most `maxLive` live at once,
 * each step compared with a Map by `probe` (the index, the Map, the next random number in [0, 1)).
 */
const churnNameIndex = async (
  seed: number,
  steps: number,
  universe: number,
  maxLive: number,
  probe: (index: { get(name: string): number }, live: ReadonlyMap<string, number>, next: () => number) => void
) => {
  const { NameIndex } = await import("../src/internal/name-index.ts")
  const names: Array<string> = []
  const index = new NameIndex(names)
  const live = new Map<string, number>()
  const next = prng(seed)
  const free: Array<number> = []
  let high = 0
  for (let step = 0; step < steps; step++) {
    const name = `n${Math.floor(next() * universe)}`
    const slot = live.get(name)
    if (slot !== undefined) {
      index.delete(name)
      names[slot] = ""
      live.delete(name)
      free.push(slot)
    } else if (live.size < maxLive) {
      const s = free.pop() ?? high++
      names[s] = name
      index.add(name, s)
      live.set(name, s)
    }
    probe(index, live, next)
  }
  expect(index.size).toBe(live.size)
}

describe("name index", () => {
  test("agrees with a Map under random add/delete churn", () =>
    churnNameIndex(7, 20_000, 500, Number.POSITIVE_INFINITY, (index, live, next) => {
      const name = `n${Math.floor(next() * 500)}`
      expect(index.get(name)).toBe(live.get(name) ?? -1)
    }))

  test("finds every live name after removals in runs that wrap around the table's end", () =>
    // at most 8 live names keep the table at its first 16 entries, so runs cross its end often
    churnNameIndex(11, 5_000, 40, 8, (index, live) => {
      for (let k = 0; k < 40; k++) expect(index.get(`n${k}`)).toBe(live.get(`n${k}`) ?? -1)
    }))
})

describe("deadlock check shortcut", () => {
  test("an idle driver is checked once an emergency admission by a waiting driver may have stuck it", () => {
    const engine = newEngine({
      budgets: { Memory: { maxBytes: 100, reservedBytes: 0, warningPercent: 50, criticalPercent: 80 } }
    })
    ask(engine, 60, { driver: "B" })
    const waitA = ask(engine, 50, { mode: mode.Blocking, driver: "A" })
    expect(waitA).toBeInstanceOf(WaitingRequest)
    expect(engine.state.deadlockFree).toBe(true)
    // another fiber of A (still waiting) takes 80 bytes over budget: A can now never get its 50
    expect(typeof ask(engine, 80, { mode: mode.Emergency, driver: "A" })).toBe("number")
    expect(engine.state.deadlockFree).toBe(false)
    const waitC = ask(engine, 30, { mode: mode.Blocking, driver: "C" })
    expect(waitC).toBeInstanceOf(DeadlockDetected)
    expect((waitC as DeadlockDetected).drivers).toEqual(["C"])
    interrupt(engine.state, waitA as WaitingRequest)
    expect(engine.state.deadlockFree).toBe(true)
  })
})
