import { afterEach, describe, expect, test } from "bun:test"
import { DeadlockDetected, ResourceFlags, type ResourceMetadata, ResourcePriorityNames } from "@flight-hal/core"
import fc from "fast-check"
import type { Core } from "../src/internal/core.ts"
import { checkWait, reduce, viewOfState, type Waiter, type WaitState } from "../src/internal/deadlock/index.ts"
import { auditWaitChecks, reducedStuckDrivers, waitCheckCounts } from "../src/internal/deadlock/manager-check.ts"
import { deadlockCandidate, waitViewOf } from "../src/internal/deadlock/wait-view.ts"
import { introspect } from "../src/internal/introspection.ts"
import { addDependency, interrupt, release, share, submit, WaitingRequest } from "../src/internal/transitions.ts"
import { bruteForce } from "./deadlock-brute-force.ts"
import { engineOf } from "./support/engine.ts"
import { arbWaitScenario, toWaitState } from "./support/wait-scenarios.ts"

// The manager's deadlock check (deadlock/manager-check.ts) against its references, on random runs of the state
// machine: every check (new waits and name waiters' moves to their type queue) is audited as it is decided.
// - The adapter's reduction over the manager's arrays leaves the same drivers stuck as `reduce` over
//   `waitViewOf`, and the verdict is `checkWait`'s.
// - When the plentiful case decides (the carried sums), the reduction leaves nobody stuck, nor does the
//   brute-force search over every order (for states small enough to search).
// And the plentiful case's condition itself, over plain wait states, against the brute-force search.

afterEach(() => auditWaitChecks(undefined))

const runs = (name: string, ci: number): number => Number(process.env[name] ?? ci)

const owners = ["D0", "D1", "D2", "D3", "app"] as const
const names = ["", "", "X", "Y"] as const
const Blocking = 1
const NonBlocking = 0
const Emergency = 3

const arbStep = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant("wait" as const),
      owner: fc.nat(4),
      size: fc.nat(5),
      name: fc.nat(3),
      priority: fc.nat(3),
      depend: fc.boolean(),
      hardware: fc.boolean()
    })
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("hold" as const),
      owner: fc.nat(4),
      size: fc.nat(6),
      name: fc.nat(3),
      emergency: fc.boolean()
    })
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant("release" as const), pick: fc.nat(50), named: fc.boolean() })
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("share" as const), pick: fc.nat(50), owner: fc.nat(4) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("interrupt" as const), pick: fc.nat(50) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("depend" as const), from: fc.nat(50), to: fc.nat(50) }) }
)
const arbRun = fc.record({
  sequential: fc.subarray([0, 1, 2, 3]),
  maxBytes: fc.oneof(fc.integer({ min: 4, max: 12 }), fc.integer({ min: 12, max: 40 })),
  reserved: fc.nat(2),
  steps: fc.array(arbStep, { minLength: 10, maxLength: 60, size: "max" })
})

/** The owners of the actors `reduce` leaves stuck, sorted. */
const stuckOwners = (state: Core<unknown>["state"], candidate: Waiter): ReadonlyArray<string> => {
  const reduction = reduce(waitViewOf(state), candidate)
  return [...new Set([...reduction.stuck.keys()].map((actor) => reduction.owner.get(actor) ?? actor))].sort()
}

/** Small enough for the brute-force search over every order. */
const searchable = (s: WaitState): boolean => s.waiters.length <= 4 && s.resources.length <= 10

describe("the manager's deadlock check against the string-based reduction and the brute-force search", () => {
  test("random runs: every check's verdict is checkWait's; the adapter's stuck drivers are reduce's; plentiful is exact", () => {
    const seen = { checks: 0, moves: 0, refused: 0, plentiful: 0, carried: 0, searched: 0, plentifulSearched: 0 }
    const counts = { ...waitCheckCounts }
    let rebuilt = waitCheckCounts.rebuilt
    fc.assert(
      fc.property(arbRun, (run) => {
        const engine = engineOf(
          run.sequential.map((d) => owners[d] ?? "app"),
          { Memory: { maxBytes: run.maxBytes, reservedBytes: run.reserved }, Hardware: { maxBytes: 12 } }
        )
        const state = engine.state
        auditWaitChecks((checked, waiter, verdict, plentiful) => {
          expect(checked).toBe(state)
          seen.checks++
          if (state.waiting.has(waiter.req)) seen.moves++
          const candidate = deadlockCandidate(state, waiter)
          const expected = checkWait(waitViewOf(state), candidate)
          expect(verdict).toEqual(expected)
          const stuck = stuckOwners(state, candidate)
          expect(reducedStuckDrivers(state, waiter)).toEqual(stuck)
          if (verdict !== undefined) seen.refused++
          if (plentiful) {
            seen.plentiful++
            // decided on sums carried from an earlier check, none summed afresh for this one
            if (waitCheckCounts.rebuilt === rebuilt) seen.carried++
            expect(stuck).toEqual([])
          }
          rebuilt = waitCheckCounts.rebuilt
          const snapshot = introspect.waitState(engine)
          if (!searchable(snapshot)) return
          seen.searched++
          const after = bruteForce(snapshot, candidate)
          if (plentiful) {
            seen.plentifulSearched++
            expect(after.stuck).toEqual([])
          }
          // the verdict names the drivers the search finds stranded by the wait (as in deadlock.test.ts)
          const before = new Set(bruteForce(snapshot).stuckActors)
          const actors = after.stuckActors.filter((a) => a === after.candidateActor || !before.has(a))
          expect(verdict?.drivers ?? []).toEqual([...new Set(actors.map((a) => a.split("#")[0] ?? a))].sort())
        })
        const live: Array<{ slot: number; driver: number }> = []
        const waiting: Array<WaitingRequest> = []
        const granted = (out: ReturnType<typeof release>): void => {
          if ("settled" in out)
            for (const { waiter, slot } of out.settled) if (slot >= 0) live.push({ slot, driver: waiter.driver })
        }
        for (const step of run.steps) {
          if (step.op === "release") {
            // a named resource, when asked and there is one: its name's waiters move or are admitted
            const named = step.named ? live.findIndex((held) => state.names.at(held.slot) !== "") : -1
            const [held] = live.splice(named >= 0 ? named : step.pick % Math.max(1, live.length), 1)
            if (held !== undefined) granted(release(state, held.slot, held.driver))
          } else if (step.op === "share") {
            const held = live[step.pick % Math.max(1, live.length)]
            if (held === undefined) continue
            const out = share(state, held.slot, owners[step.owner] ?? "app")
            if (typeof out === "number") live.push({ slot: held.slot, driver: out })
          } else if (step.op === "interrupt") {
            const [waiter] = waiting.splice(step.pick % Math.max(1, waiting.length), 1)
            if (waiter?.queued === true) granted(interrupt(state, waiter))
          } else if (step.op === "depend") {
            const from = live[step.from % Math.max(1, live.length)]
            const to = live[step.to % Math.max(1, live.length)]
            if (from !== undefined && to !== undefined && from.slot !== to.slot)
              addDependency(state, from.slot, to.slot)
          } else {
            const waits = step.op === "wait"
            const owner = owners[step.owner] ?? "app"
            const meta: ResourceMetadata = {
              type: waits && step.hardware ? "Hardware" : "Memory",
              sizeBytes: step.size,
              priority: waits ? (ResourcePriorityNames[step.priority] ?? "Normal") : "Normal",
              flags: ResourceFlags.combine("Shareable")
            }
            const mode = waits ? Blocking : step.op === "hold" && step.emergency ? Emergency : NonBlocking
            const request = engine.request(names[step.name] ?? "", { ...meta }, mode, owner)
            if (!("type" in request)) continue
            const deps = waits && step.depend && live[0] !== undefined ? [live[0].slot] : []
            const result = submit(state, { ...request, deps }, true)
            if (typeof result === "number") live.push({ slot: result, driver: request.driver })
            else if (result instanceof WaitingRequest) waiting.push(result)
          }
        }
        auditWaitChecks(undefined)
      }),
      { numRuns: runs("MANAGER_CHECK_RUNS", 1_500) }
    )
    // every kind of check happens: moves, refusals, both deciders (the plentiful case on carried sums too),
    // searches of both
    expect(seen.moves).toBeGreaterThan(20)
    expect(seen.refused).toBeGreaterThan(500)
    expect(seen.plentiful).toBeGreaterThan(500)
    expect(seen.carried).toBeGreaterThan(100)
    expect(seen.plentifulSearched).toBeGreaterThan(400)
    expect(seen.searched - seen.plentifulSearched).toBeGreaterThan(500)
    expect(waitCheckCounts.reduced - counts.reduced).toBeGreaterThan(800)
  }, 120_000)
})

describe("the carried sums", () => {
  const request = (
    engine: Core<unknown>,
    owner: string,
    sizeBytes: number,
    mode: number,
    name: string,
    high: boolean
  ) => {
    const made = engine.request(name, { type: "Memory", sizeBytes, priority: high ? "High" : "Normal" }, mode, owner)
    if (!("type" in made)) throw made
    return made
  }
  /** Audits the checks: each verdict is checkWait's; returns how the last one was decided. */
  const audited = (engine: Core<unknown>) => {
    const last = { plentiful: false, checks: 0 }
    auditWaitChecks((state, waiter, verdict, plentiful) => {
      expect(verdict).toEqual(checkWait(waitViewOf(state), deadlockCandidate(state, waiter)))
      last.plentiful = plentiful
      last.checks++
    })
    expect(engine.state.waiting.size).toBe(0)
    return last
  }
  const submitted = (
    engine: Core<unknown>,
    owner: string,
    sizeBytes: number,
    mode = Blocking,
    name = "",
    high = false
  ) => submit(engine.state, request(engine, owner, sizeBytes, mode, name, high), true)

  /**
   * Idle F waits for 7 without a check (the idle drivers' shortcut); then G, holding 4 bytes, waits behind F,
   * who needs them: refused, though the sums without F's 7 had room.
   */
  const unseenWaitThenG = (engine: Core<unknown>, last: { readonly checks: number }) => {
    const checks = last.checks
    expect(submitted(engine, "F", 7)).toBeInstanceOf(WaitingRequest)
    expect(last.checks).toBe(checks)
    expect(submitted(engine, "G", 1)).toBeInstanceOf(DeadlockDetected)
    expect(last.checks).toBe(checks + 1)
  }

  test("a wait the check did not see (the idle drivers' shortcut) is summed before the next check", () => {
    const engine = engineOf(["D", "F", "G"], { Memory: { maxBytes: 10 } })
    const last = audited(engine)
    submitted(engine, "E", 4, NonBlocking)
    submitted(engine, "D", 2, NonBlocking)
    submitted(engine, "G", 4, NonBlocking)
    expect(submitted(engine, "D", 1)).toBeInstanceOf(WaitingRequest)
    expect(last.plentiful).toBe(true)
    unseenWaitThenG(engine, last)
  })

  test("a refused wait starts none: a wait the check did not see after it is summed before the next check", () => {
    const engine = engineOf(["A", "B", "F", "G"], { Memory: { maxBytes: 10 } })
    const state = engine.state
    const last = audited(engine)
    submitted(engine, "Z", 0, NonBlocking, "X")
    submitted(engine, "Z", 0, NonBlocking, "Y")
    submitted(engine, "E", 5, NonBlocking)
    submitted(engine, "G", 4, NonBlocking)
    // A waits for X (High) and Y; B's bytes for X would come before A's for Y and wait for A's X: refused
    expect(submitted(engine, "A", 0, Blocking, "X", true)).toBeInstanceOf(WaitingRequest)
    const y = submitted(engine, "A", 0, Blocking, "Y")
    expect(submitted(engine, "B", 1, Blocking, "X", true)).toBeInstanceOf(DeadlockDetected)
    // A stops waiting for Y (one waiter per driver again)
    if (y instanceof WaitingRequest) interrupt(state, y)
    unseenWaitThenG(engine, last)
  })

  test("a name waiter's move starts no wait: a wait the check did not see after it is summed before the next check", () => {
    const engine = engineOf(["A", "F", "G"], { Memory: { maxBytes: 10 } })
    const state = engine.state
    const last = audited(engine)
    const x = submitted(engine, "Z", 0, NonBlocking, "X")
    submitted(engine, "E", 5, NonBlocking)
    submitted(engine, "G", 4, NonBlocking)
    expect(submitted(engine, "A", 2, Blocking, "X")).toBeInstanceOf(WaitingRequest)
    // X frees; A does not fit and moves to Memory's queue (checked: plentiful)
    if (typeof x !== "number") throw new Error("not admitted")
    const checks = last.checks
    release(state, x, state.driver("Z"))
    expect(last.checks).toBe(checks + 1)
    expect(last.plentiful).toBe(true)
    unseenWaitThenG(engine, last)
  })

  /** E holds `held` bytes (slot `e`), D holds 1 (slot `a`), then D waits for `wanted`: plentiful. */
  const waitingWithOneByte = (
    engine: Core<unknown>,
    last: { readonly plentiful: boolean },
    held: number,
    wanted: number
  ) => {
    const e = submitted(engine, "E", held, NonBlocking)
    const a = submitted(engine, "D", 1, NonBlocking)
    if (typeof a !== "number" || typeof e !== "number") throw new Error("not admitted")
    const first = submitted(engine, "D", wanted)
    expect(first).toBeInstanceOf(WaitingRequest)
    expect(last.plentiful).toBe(true)
    return { a, e, first }
  }

  test("a dependency added while a driver waits is walked when the driver waits again", () => {
    const engine = engineOf(["D", "E"], { Memory: { maxBytes: 10 } })
    const state = engine.state
    const last = audited(engine)
    // D waits for 2 while E's 8 bytes will come back: plentiful, A's byte counted as pinned
    const { a, e: b, first } = waitingWithOneByte(engine, last, 8, 2)
    // A now depends on E's B, so B comes back only after D finishes; no check sees the taint
    expect(addDependency(state, a, b)).toBeUndefined()
    if (first instanceof WaitingRequest) interrupt(state, first)
    expect(state.deadlockFree).toBe(true)
    // D waits for 2 again: it holds A, which pins B: only 1 byte can ever come back
    const checks = last.checks
    const again = submitted(engine, "D", 2)
    expect(last.checks).toBe(checks + 1)
    expect(again).toBeInstanceOf(DeadlockDetected)
    expect(last.plentiful).toBe(false)
    expect(state.liveBytes[state.typeTable.indexOf("Memory")]).toBe(9)
  })

  test("a slot freed and used again counts again, with its new resource's bytes", () => {
    const engine = engineOf(["D", "E"], { Memory: { maxBytes: 10 } })
    const state = engine.state
    const last = audited(engine)
    const { a, e, first } = waitingWithOneByte(engine, last, 9, 1)
    if (first instanceof WaitingRequest) interrupt(state, first)
    release(state, e, state.driver("E"))
    release(state, a, state.driver("D"))
    // D's 8 bytes take A's slot again (a new generation)
    const reused = submitted(engine, "D", 8, NonBlocking)
    expect(reused).toBe(a)
    // D holds 8 of 10 and waits for 3: only D could give them back
    const again = submitted(engine, "D", 3)
    expect(again).toBeInstanceOf(DeadlockDetected)
    expect(last.plentiful).toBe(false)
  })
})

// ---- the plentiful case's condition over plain wait states ----------------------------------------------------

// Any subset of the drivers are concurrent owners; budgets up to 16 bytes, so that there is often room for all
const arbMixed = fc.record({ scenario: arbWaitScenario({ maxBytes: 16 }), concurrent: fc.subarray([0, 1, 2, 3]) })

/**
 * The plentiful case's condition (docs/semantics.md, section 12, "The shortcut"), computed afresh from a plain
 * wait state with the candidate added:
 * - every budgeted type has room for all waited bytes at once: `maxBytes − usage + liveBytes − pinnedBytes ≥
 *   waited bytes (type-queue waiters and name waiters' bytes) + reservedBytes`;
 * - every waited name starts free: no pinned resource has it and no type-queue waiter reserves it;
 * - when some name is waited for, every actor has one waiter (no sequential driver has several).
 * Pinned: held by a waiting sequential driver, or a dependency of a waiter, or (transitively) a dependency of
 * a pinned resource.
 */
const plentiful = (s: WaitState, candidate: Waiter): boolean => {
  const waiters = [...s.waiters, candidate]
  const concurrent = new Set(s.concurrent ?? [])
  const sequential = waiters.filter((w) => !concurrent.has(w.driver)).map((w) => w.driver)
  const byId = new Map(s.resources.map((r) => [r.id, r]))
  const pinned = new Set<string>()
  const todo = [
    ...s.resources.filter((r) => r.holders.some((h) => sequential.includes(h))).map((r) => r.id),
    ...waiters.flatMap((w) => w.dependsOn ?? [])
  ]
  for (let id = todo.pop(); id !== undefined; id = todo.pop()) {
    const resource = byId.get(id)
    if (resource === undefined || pinned.has(id)) continue
    pinned.add(id)
    todo.push(...resource.dependsOn)
  }
  const waitedNames = new Set(waiters.flatMap((w) => (w.kind === "name" ? [w.name] : [])))
  if (waitedNames.size > 0 && new Set(sequential).size < sequential.length) return false
  for (const name of waitedNames) {
    if (s.resources.some((r) => r.name === name && pinned.has(r.id))) return false
    if (waiters.some((w) => w.kind === "bytes" && w.name === name)) return false
  }
  for (const [type, budget] of Object.entries(s.budgets)) {
    const on = waiters.filter((w) => w.type === type)
    if (on.length === 0) continue
    const waited = on.reduce((sum, w) => sum + (w.sizeBytes ?? 0), 0)
    const ofType = s.resources.filter((r) => r.type === type)
    const live = ofType.reduce((sum, r) => sum + r.sizeBytes, 0)
    const held = ofType.filter((r) => pinned.has(r.id)).reduce((sum, r) => sum + r.sizeBytes, 0)
    if (waited + budget.reservedBytes > budget.maxBytes - budget.usage + live - held) return false
  }
  return true
}

describe("the plentiful case's condition against the brute-force search", () => {
  test("when it holds, every driver and task finishes in every order, and checkWait accepts", () => {
    const seen = { plentiful: 0, withNames: 0, several: 0, pinned: 0, other: 0 }
    fc.assert(
      fc.property(arbMixed, (raw) => {
        const { state, candidate } = toWaitState(raw.scenario)
        const s: WaitState = { ...state, concurrent: raw.concurrent.map((d) => `D${d}`) }
        if (!plentiful(s, candidate)) {
          seen.other++
          return
        }
        seen.plentiful++
        const waiters = [...s.waiters, candidate]
        if (waiters.some((w) => w.kind === "name")) seen.withNames++
        const drivers = waiters.map((w) => w.driver)
        if (new Set(drivers).size < drivers.length) seen.several++
        if (s.resources.some((r) => r.holders.some((h) => drivers.includes(h)))) seen.pinned++
        const search = bruteForce(s, candidate)
        expect(search.stuckActors).toEqual([])
        expect(checkWait(viewOfState(s), candidate)).toBeUndefined()
      }),
      { numRuns: runs("PLENTIFUL_RUNS", 10_000) }
    )
    // the condition holds often, with names, with several waiters of one driver, and with pins
    expect(seen.plentiful).toBeGreaterThan(2_000)
    expect(seen.withNames).toBeGreaterThan(500)
    expect(seen.several).toBeGreaterThan(300)
    expect(seen.pinned).toBeGreaterThan(500)
    expect(seen.other).toBeGreaterThan(1_000)
  }, 120_000)
})
