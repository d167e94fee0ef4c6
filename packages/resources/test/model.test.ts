/**
 * Model-based test: random operation sequences run against the state machine and against a small
 * reference model of the admission rules of docs/semantics.md (limit(p), reserve for Critical, impossible requests,
 * emergency overage, priority-then-FIFO queue without barging, grants after releases and interruptions).
 */
import { describe, expect, test } from "bun:test"
import fc from "fast-check"
import { Core } from "../src/internal/core.ts"

type Engine = Core<unknown>
const newEngine = (config: object): Engine => {
  const made = Core.make<unknown>(config, Date.now)
  if (!(made instanceof Core)) throw made
  return made
}

import { interrupt, submit, WaitingRequest, wake } from "../src/internal/transitions.ts"

const MAX = 100
const RESERVED = 20

type Op =
  | { readonly kind: "acquire"; readonly size: number; readonly priority: number; readonly mode: number }
  | { readonly kind: "release"; readonly pick: number }
  | { readonly kind: "interrupt"; readonly pick: number }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("acquire" as const),
      size: fc.integer({ min: 0, max: 110 }),
      priority: fc.integer({ min: 0, max: 3 }),
      mode: fc.constantFrom(0, 1, 3)
    })
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("release" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("interrupt" as const), pick: fc.nat() }) }
)

interface ModelResource {
  readonly id: number
  readonly size: number
  readonly overage: number
}
interface ModelWaiter {
  readonly id: number
  readonly size: number
  readonly priority: number
  readonly seq: number
}

class Model {
  usage = 0
  emergency = 0
  failed = 0
  live: Array<ModelResource> = []
  queue: Array<ModelWaiter> = []
  seq = 0
  limit = (p: number) => (p === 3 ? MAX : MAX - RESERVED)
  head = () => [...this.queue].sort((a, b) => b.priority - a.priority || a.seq - b.seq)[0] as ModelWaiter | undefined
  grant = (granted: Array<number>) => {
    for (let h = this.head(); h !== undefined && this.usage + h.size <= this.limit(h.priority); h = this.head()) {
      this.queue = this.queue.filter((w) => w !== h)
      this.usage += h.size
      this.live.push({ id: h.id, size: h.size, overage: 0 })
      granted.push(h.id)
    }
  }
  acquire(id: number, size: number, p: number, mode: number): "admitted" | "rejected" | "waiting" {
    const limit = this.limit(p)
    if (mode !== 3 && size > limit) {
      this.failed++
      return "rejected"
    }
    const fits = this.usage + size <= limit
    if (fits && (mode === 3 || !this.queue.some((w) => w.priority >= p))) {
      this.usage += size
      this.live.push({ id, size, overage: 0 })
      return "admitted"
    }
    if (mode === 3) {
      const overage = Math.min(size, this.usage + size - limit)
      this.usage += size
      this.emergency += overage
      this.live.push({ id, size, overage })
      return "admitted"
    }
    if (mode === 0) {
      this.failed++
      return "rejected"
    }
    this.queue.push({ id, size, priority: p, seq: this.seq++ })
    return "waiting"
  }
  release(id: number, granted: Array<number>) {
    const r = this.live.find((x) => x.id === id)
    if (r === undefined) return
    this.live = this.live.filter((x) => x !== r)
    this.usage -= r.size
    this.emergency -= r.overage
    this.grant(granted)
  }
  interrupt(id: number, granted: Array<number>) {
    this.queue = this.queue.filter((w) => w.id !== id)
    this.grant(granted)
  }
}

const runSequence = (ops: ReadonlyArray<Op>) => {
  const engine = newEngine({
    budgets: { Memory: { maxBytes: MAX, reservedBytes: RESERVED, warningPercent: 50, criticalPercent: 80 } }
  })
  const state = engine.state
  const model = new Model()
  const slots = new Map<number, { slot: number; driver: number }>()
  const waiters = new Map<number, WaitingRequest>()
  let next = 0
  const onGrant = (id: number, driver: number) => (slot: number) => {
    waiters.delete(id)
    slots.set(id, { slot, driver })
  }
  for (const op of ops) {
    const granted: Array<number> = []
    if (op.kind === "acquire") {
      const id = next++
      const request = engine.request(
        "",
        {
          type: "Memory",
          sizeBytes: op.size,
          priority: (["Low", "Normal", "High", "Critical"] as const)[op.priority] ?? "Normal"
        },
        op.mode,
        `d${id}`
      )
      if (!("type" in request)) throw request
      const result = submit(state, request, true)
      const expected = model.acquire(id, op.size, op.priority, op.mode)
      if (typeof result === "number") {
        expect(expected).toBe("admitted")
        slots.set(id, { slot: result, driver: request.driver })
      } else if (result instanceof WaitingRequest) {
        expect(expected).toBe("waiting")
        {
          const granted = onGrant(id, request.driver)
          const waiter = result
          waiter.onEnd(() => {
            if (waiter.grantedSlot >= 0) granted(waiter.grantedSlot)
          })
        }
        waiters.set(id, result)
      } else {
        expect(expected).toBe("rejected")
        expect((result as { _tag: string })._tag).toBe("BudgetExceeded")
      }
    } else if (op.kind === "release") {
      const ids = [...slots.keys()]
      if (ids.length === 0) continue
      const id = ids[op.pick % ids.length] as number
      const held = slots.get(id) as { slot: number; driver: number }
      slots.delete(id)
      const before = new Set(waiters.keys())
      engine.release(held.slot, held.driver)
      model.release(id, granted)
      const engineGranted = [...before].filter((w) => !waiters.has(w))
      expect(engineGranted.sort()).toEqual([...granted].sort())
    } else {
      const ids = [...waiters.keys()]
      if (ids.length === 0) continue
      const id = ids[op.pick % ids.length] as number
      const waiter = waiters.get(id) as WaitingRequest
      waiters.delete(id)
      const before = new Set(waiters.keys())
      wake(interrupt(state, waiter).settled)
      model.interrupt(id, granted)
      expect([...before].filter((w) => !waiters.has(w)).sort()).toEqual([...granted].sort())
    }
    const stats = engine.stats(1)
    expect(stats.currentUsage).toBe(model.usage)
    expect(stats.emergencyBytes).toBe(model.emergency)
    expect(stats.waiting).toBe(model.queue.length)
    expect(stats.failedCount).toBe(model.failed)
    expect(state.liveCount).toBe(model.live.length)
  }
}

describe("model-based admission", () => {
  test("10,000 random operation sequences agree with the reference model", () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 30, size: "max" }), (ops) => {
        runSequence(ops)
      }),
      { numRuns: 10_000 }
    )
  }, 120_000)
})
