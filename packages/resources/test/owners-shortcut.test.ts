import { describe, expect, test } from "bun:test"
import { DeadlockDetected, ResourceFlags, type ResourceMetadata, ResourcePriorityNames } from "@flight-hal/core"
import fc from "fast-check"
import { Core } from "../src/internal/core.ts"
import { checkWait, findDeadlock, type Waiter } from "../src/internal/deadlock/index.ts"
import { waitViewOf } from "../src/internal/deadlock/wait-view.ts"
import { interrupt, release, share, submit, WaitingRequest } from "../src/internal/transitions.ts"

// The check's O(1) shortcut and the share check against the full reduction, on random runs of the state
// machine with sequential drivers and concurrent owners mixed: a wait is refused exactly when `checkWait`
// over the state before it says so, and whenever the state claims to be deadlock-free `findDeadlock`
// agrees.

const owners = ["D0", "D1", "D2", "app"] as const
const names = ["", "", "X", "Y"] as const
const Blocking = 1
const NonBlocking = 0

const arbStep = fc.oneof(
  fc.record({
    op: fc.constant("acquire" as const),
    owner: fc.nat(3),
    size: fc.nat(6),
    name: fc.nat(3),
    priority: fc.nat(3),
    wait: fc.boolean(),
    depend: fc.boolean()
  }),
  fc.record({ op: fc.constant("release" as const), pick: fc.nat(50) }),
  fc.record({ op: fc.constant("share" as const), pick: fc.nat(50), owner: fc.nat(3) }),
  fc.record({ op: fc.constant("interrupt" as const), pick: fc.nat(50) })
)
const arbRun = fc.record({
  sequential: fc.subarray([0, 1, 2, 3]),
  maxBytes: fc.integer({ min: 4, max: 12 }),
  steps: fc.array(arbStep, { minLength: 5, maxLength: 40 })
})

/** The candidate the manager would check for `request` about to wait. */
const candidateOf = (engine: Core<unknown>, id: string, meta: ResourceMetadata, name: string, deps: number[]) => {
  const state = engine.state
  const base = {
    id: `w${state.nextRequest}`,
    driver: id,
    priority: meta.priority ?? "Normal",
    ...(deps.length > 0 ? { dependsOn: deps.map(String) } : {})
  }
  const type = meta.type
  const candidate: Waiter =
    name !== "" && state.nameTaken(name)
      ? { ...base, kind: "name", name, type, sizeBytes: meta.sizeBytes }
      : { ...base, kind: "bytes", type, sizeBytes: meta.sizeBytes, ...(name === "" ? {} : { name }) }
  return candidate
}

describe("concurrent and sequential owners: the shortcut and the share check agree with the reduction", () => {
  test("random runs: refusals equal checkWait's verdicts; a deadlock-free claim is true", () => {
    const seen = { waits: 0, refused: 0, shareRefused: 0 }
    fc.assert(
      fc.property(arbRun, (run) => {
        const drivers = Object.fromEntries(run.sequential.map((d) => [owners[d] ?? "app", { sequential: true }]))
        const made = Core.make<unknown>(
          {
            onLeaks: () => {},
            drivers,
            budgets: {
              Memory: { maxBytes: run.maxBytes, reservedBytes: 1, warningPercent: 50, criticalPercent: 90 }
            }
          },
          () => 0
        )
        if (!(made instanceof Core)) throw made
        const engine = made
        const state = engine.state
        const live: Array<{ slot: number; driver: number }> = []
        const waiting: Array<WaitingRequest> = []
        for (const step of run.steps) {
          if (step.op === "acquire") {
            const owner = owners[step.owner] ?? "app"
            const name = names[step.name] ?? ""
            const meta: ResourceMetadata = {
              type: "Memory",
              sizeBytes: step.size,
              priority: ResourcePriorityNames[step.priority] ?? "Normal",
              flags: ResourceFlags.combine("Shareable")
            }
            const dep = step.depend ? live[0] : undefined
            const deps = dep === undefined ? [] : [dep.slot]
            const request = engine.request(name, { ...meta }, step.wait ? Blocking : NonBlocking, owner)
            if (!("type" in request)) throw request
            const withDeps = { ...request, deps }
            const expected = checkWait(waitViewOf(state), candidateOf(engine, owner, meta, name, deps))
            const result = submit(state, withDeps, true)
            if (typeof result === "number") live.push({ slot: result, driver: withDeps.driver })
            else if (result instanceof WaitingRequest) {
              seen.waits++
              expect(expected).toBeUndefined()
              waiting.push(result)
            } else if (result instanceof DeadlockDetected) {
              seen.refused++
              expect(expected).toBeDefined()
              expect([...result.drivers]).toEqual([...(expected?.drivers ?? [])])
            }
          } else if (step.op === "release" && live.length > 0) {
            const [held] = live.splice(step.pick % live.length, 1)
            if (held !== undefined) {
              const out = release(state, held.slot, held.driver)
              if ("settled" in out) {
                for (const { waiter, slot } of out.settled) {
                  if (slot >= 0) live.push({ slot, driver: waiter.driver })
                }
              }
            }
          } else if (step.op === "share" && live.length > 0) {
            const held = live[step.pick % live.length]
            const owner = owners[step.owner] ?? "app"
            if (held !== undefined) {
              const before = JSON.stringify([...state.waiting.keys(), state.holderList(held.slot)])
              const out = share(state, held.slot, owner)
              if (out instanceof DeadlockDetected) {
                seen.shareRefused++
                expect(JSON.stringify([...state.waiting.keys(), state.holderList(held.slot)])).toBe(before)
              } else if (typeof out === "number") live.push({ slot: held.slot, driver: out })
            }
          } else if (step.op === "interrupt" && waiting.length > 0) {
            const [waiter] = waiting.splice(step.pick % waiting.length, 1)
            if (waiter?.queued === true) {
              const out = interrupt(state, waiter)
              for (const { waiter: w, slot } of out.settled) if (slot >= 0) live.push({ slot, driver: w.driver })
            }
          }
          // a share refused, or a grant, never leaves a deadlock the state does not know of
          if (state.deadlockFree) expect(findDeadlock(waitViewOf(state))).toBeUndefined()
        }
      }),
      { numRuns: 3_000 }
    )
    expect(seen.waits).toBeGreaterThan(300)
    expect(seen.refused).toBeGreaterThan(30)
    expect(seen.shareRefused).toBeGreaterThan(0)
  }, 60_000)
})
