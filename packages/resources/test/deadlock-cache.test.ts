import { describe, expect, test } from "bun:test"
import { DeadlockDetected, type ResourceMetadata, ResourcePriorityNames } from "@flight-hal/core"
import fc from "fast-check"
import { Core } from "../src/internal/core.ts"
import { checkWait, type Waiter } from "../src/internal/deadlock/index.ts"
import { waitViewOf } from "../src/internal/deadlock/wait-view.ts"
import { release, submit, WaitingRequest } from "../src/internal/transitions.ts"

// Random bursts of waits, with releases (also by waiting drivers, so slots are reused), names, dependencies,
// two types and priorities between them: every wait is refused exactly when `checkWait` over the state
// before it says so (the check's O(1) shortcut included).

const owners = ["D0", "D1", "D2", "D3", "D4", "D5", "app"] as const
const names = ["", "", "", "X", "Y"] as const
const Blocking = 1
const NonBlocking = 0

const arbStep = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("wait" as const),
      owner: fc.nat(6),
      size: fc.nat(5),
      name: fc.nat(4),
      priority: fc.nat(3),
      depend: fc.boolean(),
      hardware: fc.boolean()
    })
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant("hold" as const), owner: fc.nat(6), size: fc.nat(4), name: fc.nat(4) })
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("release" as const), pick: fc.nat(50) }) }
)
const arbRun = fc.record({
  maxBytes: fc.integer({ min: 6, max: 30 }),
  reserved: fc.nat(2),
  steps: fc.array(arbStep, { minLength: 5, maxLength: 40, size: "max" })
})

/** The candidate the manager checks for a request about to wait (as `deadlockCandidate` builds it). */
const candidateOf = (
  engine: Core<unknown>,
  owner: string,
  meta: ResourceMetadata,
  name: string,
  deps: number[]
): Waiter => {
  const base = {
    id: `w${engine.state.nextRequest}`,
    driver: owner,
    priority: meta.priority ?? "Normal",
    ...(deps.length > 0 ? { dependsOn: deps.map(String) } : {})
  }
  return name !== "" && engine.state.nameTaken(name)
    ? { ...base, kind: "name", name, type: meta.type, sizeBytes: meta.sizeBytes }
    : { ...base, kind: "bytes", type: meta.type, sizeBytes: meta.sizeBytes, ...(name === "" ? {} : { name }) }
}

describe("the manager's deadlock check in bursts of waits", () => {
  test("bursts of waits: refusals equal checkWait's verdicts on the state before each wait", () => {
    const seen = { waits: 0, refused: 0 }
    fc.assert(
      fc.property(arbRun, (run) => {
        const made = Core.make<unknown>(
          {
            onLeaks: () => {},
            drivers: Object.fromEntries(owners.slice(0, 6).map((owner) => [owner, { sequential: true }])),
            budgets: {
              Memory: { maxBytes: run.maxBytes, reservedBytes: run.reserved, warningPercent: 50, criticalPercent: 90 },
              Hardware: { maxBytes: 8, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 }
            }
          },
          () => 0
        )
        if (!(made instanceof Core)) throw made
        const engine = made
        const state = engine.state
        const live: Array<{ slot: number; driver: number }> = []
        for (const step of run.steps) {
          if (step.op === "release") {
            const [held] = live.splice(step.pick % Math.max(1, live.length), 1)
            if (held === undefined) continue
            const out = release(state, held.slot, held.driver)
            if ("settled" in out)
              for (const { waiter, slot } of out.settled) if (slot >= 0) live.push({ slot, driver: waiter.driver })
            continue
          }
          const owner = owners[step.owner] ?? "app"
          const name = names[step.name] ?? ""
          const waits = step.op === "wait"
          const meta: ResourceMetadata = {
            type: waits && step.hardware ? "Hardware" : "Memory",
            sizeBytes: step.size,
            priority: waits ? (ResourcePriorityNames[step.priority] ?? "Normal") : "Normal"
          }
          const deps = waits && step.depend && live[0] !== undefined ? [live[0].slot] : []
          const request = engine.request(name, { ...meta }, waits ? Blocking : NonBlocking, owner)
          if (!("type" in request)) continue
          const expected = waits
            ? checkWait(waitViewOf(state), candidateOf(engine, owner, meta, name, deps))
            : undefined
          const result = submit(state, { ...request, deps }, true)
          if (typeof result === "number") live.push({ slot: result, driver: request.driver })
          else if (result instanceof WaitingRequest) {
            seen.waits++
            expect(expected).toBeUndefined()
          } else if (result instanceof DeadlockDetected) {
            seen.refused++
            expect(expected).toBeDefined()
            expect([...result.drivers]).toEqual([...(expected?.drivers ?? [])])
          }
        }
      }),
      // CI runs 3,000; DEADLOCK_CACHE_RUNS / DEADLOCK_CACHE_SEED run more, or one seed, locally
      {
        numRuns: Number(process.env.DEADLOCK_CACHE_RUNS ?? 3_000),
        ...(process.env.DEADLOCK_CACHE_SEED === undefined ? {} : { seed: Number(process.env.DEADLOCK_CACHE_SEED) })
      }
    )
    expect(seen.waits).toBeGreaterThan(1_000)
    expect(seen.refused).toBeGreaterThan(100)
  }, 60_000)
})
