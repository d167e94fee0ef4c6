import { describe, expect, test } from "bun:test"
import * as fc from "fast-check"
import { createResourceManager } from "../src/index.ts"
import {
  checkShare,
  checkWait,
  type Deadlock,
  findDeadlock,
  type LiveResource,
  type ResourceInfo,
  type TypeBudget,
  viewOfState,
  type Waiter,
  type WaitPriority,
  type WaitState,
  type WaitView,
  waitGraphSnapshot
} from "../src/internal/deadlock/index.ts"
import { bruteForce } from "./deadlock-brute-force.ts"
import { arbWaitScenario, toWaitState, type WaitScenario } from "./support/wait-scenarios.ts"

// ---- builders -------------------------------------------------------------------------------------------

const res = (
  id: string,
  holders: readonly string[],
  options: { type?: string; sizeBytes?: number; name?: string; dependsOn?: readonly string[] } = {}
): LiveResource => ({
  id,
  holders,
  type: options.type ?? "Memory",
  sizeBytes: options.sizeBytes ?? 0,
  name: options.name,
  dependsOn: options.dependsOn ?? []
})

let waiterIds = 0
const waitName = (driver: string, name: string, priority: WaitPriority = "Normal"): Waiter => ({
  id: `w${waiterIds++}`,
  driver,
  priority,
  kind: "name",
  name
})
const waitBytes = (driver: string, sizeBytes: number, type = "Memory", priority: WaitPriority = "Normal"): Waiter => ({
  id: `w${waiterIds++}`,
  driver,
  priority,
  kind: "bytes",
  type,
  sizeBytes
})

const memory = (maxBytes: number, usage: number, reservedBytes = 0): Record<string, TypeBudget> => ({
  Memory: { maxBytes, reservedBytes, usage }
})

const state = (
  resources: readonly LiveResource[],
  waiters: readonly Waiter[] = [],
  budgets: Record<string, TypeBudget> = {}
): WaitState => ({ budgets, resources, waiters })

const check = (s: WaitState, candidate: Waiter): Deadlock | undefined => checkWait(viewOfState(s), candidate)

// ---- classic cycles -------------------------------------------------------------------------------------

describe("cycles of exclusive names", () => {
  test("two drivers: A holds X and waits for Y, B holds Y and asks for X", () => {
    const s = state([res("rx", ["A"], { name: "X" }), res("ry", ["B"], { name: "Y" })], [waitName("A", "Y")])
    expect(check(s, waitName("B", "X"))).toEqual({ drivers: ["A", "B"], resources: ["name:X", "name:Y"] })
    expect(check(s, waitName("C", "X"))).toBeUndefined()
  })

  test("three drivers: A→Y, B→Z, C asks for X", () => {
    const s = state(
      [res("rx", ["A"], { name: "X" }), res("ry", ["B"], { name: "Y" }), res("rz", ["C"], { name: "Z" })],
      [waitName("A", "Y"), waitName("B", "Z")]
    )
    expect(check(s, waitName("C", "X"))).toEqual({
      drivers: ["A", "B", "C"],
      resources: ["name:X", "name:Y", "name:Z"]
    })
    expect(findDeadlock(viewOfState(s))).toBeUndefined()
  })

  test("a chain that ends at a driver that is not waiting is safe", () => {
    const s = state(
      [res("rx", ["A"], { name: "X" }), res("ry", ["B"], { name: "Y" }), res("rz", ["C"], { name: "Z" })],
      [waitName("A", "Y"), waitName("B", "Z")]
    )
    expect(check(s, waitName("D", "X"))).toBeUndefined()
  })
})

describe("self-deadlock", () => {
  test("a driver waiting for more bytes than are left of a type only it holds", () => {
    const s = state([res("r1", ["A"], { sizeBytes: 8 })], [], memory(10, 8))
    expect(check(s, waitBytes("A", 4))).toEqual({ drivers: ["A"], resources: ["bytes:Memory"] })
  })

  test("the same request by another driver is safe: A is assumed to release", () => {
    const s = state([res("r1", ["A"], { sizeBytes: 8 })], [], memory(10, 8))
    expect(check(s, waitBytes("B", 4))).toBeUndefined()
  })

  test("the reserve counts: a non-Critical request needs size + reserved, a Critical one does not", () => {
    const s = state([res("r1", ["A"], { sizeBytes: 6 })], [], memory(10, 6, 2))
    expect(check(s, waitBytes("A", 3))).toEqual({ drivers: ["A"], resources: ["bytes:Memory"] })
    expect(check(s, waitBytes("A", 3, "Memory", "Critical"))).toBeUndefined()
  })

  test("a driver waiting for a name it holds itself", () => {
    const s = state([res("rx", ["A"], { name: "X" })])
    expect(check(s, waitName("A", "X"))).toEqual({ drivers: ["A"], resources: ["name:X"] })
  })

  test("an unbudgeted type never makes anyone wait", () => {
    const s = state([res("r1", ["A"], { type: "Storage", sizeBytes: 1000 })])
    expect(check(s, waitBytes("A", 10_000, "Storage"))).toBeUndefined()
  })
})

// ---- where a plain wait-for cycle check is wrong ---------------------------------------------------------

describe("multi-unit cases a plain cycle check gets wrong", () => {
  test("a wait-for cycle that is not a deadlock: a driver that is not waiting frees a spare unit", () => {
    // A waits for Memory (held by B and C); B waits for name X (held by A): cycle A → B → A.
    // C is not waiting, so its byte comes back, A fits, finishes, frees X, and B gets it.
    const s = state(
      [
        res("ra", ["A"], { sizeBytes: 1, name: "X" }),
        res("rb", ["B"], { sizeBytes: 2 }),
        res("rc", ["C"], { sizeBytes: 1 })
      ],
      [waitBytes("A", 1)],
      memory(4, 4)
    )
    expect(check(s, waitName("B", "X"))).toBeUndefined()
  })

  test("the same cycle without the spare unit is a deadlock", () => {
    const s = state(
      [res("ra", ["A"], { sizeBytes: 1, name: "X" }), res("rb", ["B"], { sizeBytes: 3 })],
      [waitBytes("A", 1)],
      memory(4, 4)
    )
    expect(check(s, waitName("B", "X"))).toEqual({ drivers: ["A", "B"], resources: ["bytes:Memory", "name:X"] })
  })

  test("a deadlock with no cycle: a waiter blocked by queue order behind a waiter that can never fit", () => {
    // 7 of 10 bytes are free. P waits for 8 (it needs Q's 3). Q asks for 1 byte: there is room, but no
    // barging, so Q queues behind P and never finishes, and P never gets Q's bytes.
    const s = state([res("rq", ["Q"], { sizeBytes: 3 })], [waitBytes("P", 8)], memory(10, 3))
    expect(findDeadlock(viewOfState(s))).toBeUndefined()
    expect(check(s, waitBytes("Q", 1))).toEqual({ drivers: ["P", "Q"], resources: ["bytes:Memory"] })
  })

  test("a higher-priority candidate joins ahead of lower-priority waiters and may strand them", () => {
    // L (Low) holds X and waits for the 2 free bytes. H asks (High) for 2 bytes: it queues ahead of L,
    // fits, finishes, and L gets the bytes after it; nothing is stuck.
    const s = state([res("rx", ["L"], { name: "X" })], [waitBytes("L", 2, "Memory", "Low")], memory(4, 2))
    expect(check(s, waitBytes("H", 2, "Memory", "High"))).toBeUndefined()
    // But if H's grant is useless to it because it also waits for X, L is stranded behind it.
    const stranded = state(
      [res("rx", ["L"], { name: "X" })],
      [waitBytes("L", 2, "Memory", "Low"), waitName("H", "X")],
      memory(4, 2)
    )
    expect(findDeadlock(viewOfState(stranded))).toBeUndefined()
    expect(check(stranded, waitBytes("H", 2, "Memory", "High"))).toEqual({
      drivers: ["H", "L"],
      resources: ["bytes:Memory", "name:X"]
    })
  })
})

// ---- name waiters need their name, then their bytes (the spec's CanFinish) ---------------------------------

describe("name waiters and names reserved in a type queue", () => {
  const nameThenBytes = (
    driver: string,
    name: string,
    sizeBytes: number,
    priority: WaitPriority = "Normal"
  ): Waiter => ({
    ...waitName(driver, name, priority),
    type: "Memory",
    sizeBytes
  })

  test("a name waiter's bytes do not hold back a lower-priority type waiter (spec trace good-name-waiter-not-in-type-queue)", () => {
    // a holds "tex" (2 of 6), c holds 3, b waits for "tex" then 2 bytes; a asks for 3 at Low
    const s = state(
      [res("tex", ["a"], { sizeBytes: 2, name: "tex" }), res("rc", ["c"], { sizeBytes: 3 })],
      [nameThenBytes("b", "tex", 2)],
      memory(6, 5)
    )
    expect(check(s, waitBytes("a", 3, "Memory", "Low"))).toBeUndefined()
  })

  test("a name waiter whose bytes can never fit once it has its name is stuck", () => {
    // b waits for "x" held by a, then for 4 bytes; a (not waiting) holds 1 and d holds 3 and waits for "y" b holds
    const s = state(
      [
        res("rx", ["a"], { sizeBytes: 1, name: "x" }),
        res("rd", ["d"], { sizeBytes: 3 }),
        res("ry", ["b"], { name: "y" })
      ],
      [nameThenBytes("b", "x", 4)],
      memory(4, 4)
    )
    expect(check(s, waitName("d", "y"))).toEqual({ drivers: ["b", "d"], resources: ["bytes:Memory", "name:y"] })
    expect(check(s, waitName("e", "y"))).toBeUndefined()
  })

  test("a name waiter's bytes wait for the type queue's waiters of its priority or higher", () => {
    // H (High) waits for 4 bytes that only L's resource can give back; L waits for name X (free) then 1 byte
    const s = state([res("rl", ["L"], { sizeBytes: 4 })], [waitBytes("H", 4, "Memory", "High")], memory(4, 4))
    expect(check(s, nameThenBytes("L", "X", 1, "Normal"))).toEqual({ drivers: ["H", "L"], resources: ["bytes:Memory"] })
    expect(check(s, nameThenBytes("M", "X", 1, "Normal"))).toBeUndefined()
  })

  test("a type-queue waiter reserves its name until its driver finishes", () => {
    const reserving: Waiter = { ...waitBytes("a", 2), name: "n" }
    const s = state([res("rb", ["b"], { sizeBytes: 4 })], [reserving], memory(4, 4))
    expect(check(s, waitName("b", "n"))).toEqual({ drivers: ["a", "b"], resources: ["bytes:Memory", "name:n"] })
    expect(check(s, waitName("c", "n"))).toBeUndefined()
  })
})

// ---- drivers with several waiting fibers ------------------------------------------------------------------

describe("drivers with several waiters", () => {
  test("grants are held while the driver still waits: a partial grant can unblock the queue behind it", () => {
    // D waits for 1 byte (queue head) and for name N held by E; E waits for 1 byte behind D's waiter.
    // Granting D's byte first lets E's byte through; E finishes, frees N, and D completes.
    const s = state([res("rn", ["E"], { name: "N" })], [waitBytes("D", 1), waitBytes("E", 1)], memory(2, 0))
    expect(check(s, waitName("D", "N"))).toBeUndefined()
  })

  test("a driver whose fibers need more together than can ever be free is stuck", () => {
    const s = state([], [waitBytes("D", 3)], memory(4, 0))
    expect(check(s, waitBytes("D", 2))).toEqual({ drivers: ["D"], resources: ["bytes:Memory"] })
  })

  test("a driver already stuck through another fiber is told so; unrelated deadlocks do not refuse others", () => {
    const s = state(
      [res("rx", ["A"], { name: "X" }), res("ry", ["B"], { name: "Y" })],
      [waitName("A", "Y"), waitName("B", "X")]
    )
    expect(findDeadlock(viewOfState(s))).toEqual({ drivers: ["A", "B"], resources: ["name:X", "name:Y"] })
    expect(check(s, waitName("C", "Z"))).toBeUndefined()
    expect(check(s, waitName("A", "Z"))).toEqual({ drivers: ["A"], resources: ["name:Y"] })
    expect(check(s, waitName("C", "X"))).toEqual({ drivers: ["C"], resources: ["name:X"] })
  })
})

// ---- sharing and dependencies -----------------------------------------------------------------------------

describe("holder closures", () => {
  // C waits for all 4 bytes of Memory; A waits for name X held by C.
  const waiting = (): Waiter[] => [waitBytes("C", 4)]

  test("a shared resource returns its bytes only when every holder has finished", () => {
    const shared = state(
      [res("r", ["A", "B"], { sizeBytes: 4 }), res("rx", ["C"], { name: "X" })],
      waiting(),
      memory(4, 4)
    )
    expect(check(shared, waitName("A", "X"))).toEqual({ drivers: ["A", "C"], resources: ["bytes:Memory", "name:X"] })
    const notShared = state(
      [res("r", ["B"], { sizeBytes: 4 }), res("rx", ["C"], { name: "X" })],
      waiting(),
      memory(4, 4)
    )
    expect(check(notShared, waitName("A", "X"))).toBeUndefined()
  })

  test("a dependency's bytes return only after the holders of its dependents finish", () => {
    const dependent = state(
      [res("r1", ["B"], { sizeBytes: 4 }), res("r2", ["A"], { dependsOn: ["r1"] }), res("rx", ["C"], { name: "X" })],
      waiting(),
      memory(4, 4)
    )
    expect(check(dependent, waitName("A", "X"))).toEqual({
      drivers: ["A", "C"],
      resources: ["bytes:Memory", "name:X"]
    })
    const independent = state(
      [res("r1", ["B"], { sizeBytes: 4 }), res("r2", ["A"]), res("rx", ["C"], { name: "X" })],
      waiting(),
      memory(4, 4)
    )
    expect(check(independent, waitName("A", "X"))).toBeUndefined()
  })

  test("dependencies pin transitively, and a released owner's resource waits for its dependents", () => {
    const s = state(
      [
        res("r1", [], { sizeBytes: 4 }),
        res("r2", [], { dependsOn: ["r1"] }),
        res("r3", ["A"], { dependsOn: ["r2"] }),
        res("rx", ["C"], { name: "X" })
      ],
      waiting(),
      memory(4, 4)
    )
    expect(check(s, waitName("A", "X"))).toEqual({ drivers: ["A", "C"], resources: ["bytes:Memory", "name:X"] })
  })

  test("a share by a driver that is waiting can deadlock it without a new wait (findDeadlock sees it)", () => {
    const before = state([res("r", ["E"], { sizeBytes: 4 })], [waitBytes("D", 4)], memory(4, 4))
    expect(findDeadlock(viewOfState(before))).toBeUndefined()
    const after = state([res("r", ["E", "D"], { sizeBytes: 4 })], before.waiters, memory(4, 4))
    expect(findDeadlock(viewOfState(after))).toEqual({ drivers: ["D"], resources: ["bytes:Memory"] })
  })

  test("a waiting request pins the resources it will depend on", () => {
    const s = state([res("r1", ["B"], { sizeBytes: 4 }), res("rx", ["C"], { name: "X" })], waiting(), memory(4, 4))
    const pinning: Waiter = { ...waitName("A", "X"), dependsOn: ["r1"] }
    expect(check(s, pinning)).toEqual({ drivers: ["A", "C"], resources: ["bytes:Memory", "name:X"] })
  })
})

// ---- a WaitView over other indexes ---------------------------------------------------------------------------

describe("a WaitView implemented over the caller's own indexes", () => {
  test("lazy iterables work, and only the waiting drivers' holdings are read", () => {
    const read: string[] = []
    const resources: Record<string, ResourceInfo> = {
      "1": { type: "Memory", sizeBytes: 4, name: "X", dependsOn: [] },
      "2": { type: "Memory", sizeBytes: 4, dependsOn: ["1"] },
      "3": { type: "Memory", sizeBytes: 8, dependsOn: [] }
    }
    const holdings: Record<string, readonly string[]> = { A: ["2"], B: ["1"], Idle: ["3"] }
    const waiting: readonly Waiter[] = [waitBytes("B", 4)]
    const view: WaitView = {
      budget: (type) => (type === "Memory" ? { maxBytes: 16, reservedBytes: 0, usage: 16, liveBytes: 16 } : undefined),
      resource: (id) => resources[id],
      heldBy: function* (driver) {
        read.push(driver)
        yield* holdings[driver] ?? []
      },
      waiters: function* () {
        yield* waiting
      }
    }
    // A asks for name X: X belongs to resource 1, which cannot be freed before A's resource 2 depends on it.
    expect(checkWait(view, waitName("A", "X"))).toEqual({ drivers: ["A"], resources: ["name:X"] })
    // C asks for X: B gets 4 of Idle's 8 bytes, finishes, and frees 1 (A, not waiting, releases 2).
    expect(checkWait(view, waitName("C", "X"))).toBeUndefined()
    // B waits for 12: enough once A releases 2, unless A starts waiting too.
    const greedy: WaitView = { ...view, waiters: () => [waitBytes("B", 12)] }
    expect(checkWait(greedy, waitName("C", "X"))).toBeUndefined()
    expect(checkWait(greedy, waitName("A", "X"))).toEqual({
      drivers: ["A", "B"],
      resources: ["bytes:Memory", "name:X"]
    })
    expect(read).not.toContain("Idle")
  })
})

// ---- snapshot ---------------------------------------------------------------------------------------------

describe("waitGraphSnapshot", () => {
  test("lists drivers with holdings and waits, resources with holders and edges, and the deadlock", () => {
    const s = state(
      [res("rx", ["A"], { name: "X", sizeBytes: 2 }), res("ry", ["B", "A"], { name: "Y", dependsOn: ["rx"] })],
      [
        { id: "w1", driver: "A", priority: "High", kind: "name", name: "Y" },
        { id: "w2", driver: "C", priority: "Low", kind: "bytes", type: "Memory", sizeBytes: 1 }
      ],
      memory(4, 2)
    )
    const snapshot = waitGraphSnapshot(s)
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot)
    expect(snapshot).toEqual({
      drivers: [
        {
          driver: "A",
          holds: ["rx", "ry"],
          waitsFor: [{ waiter: "w1", resource: "name:Y", priority: "High", sizeBytes: 0 }]
        },
        { driver: "B", holds: ["ry"], waitsFor: [] },
        {
          driver: "C",
          holds: [],
          waitsFor: [{ waiter: "w2", resource: "bytes:Memory", priority: "Low", sizeBytes: 1, type: "Memory" }]
        }
      ],
      resources: [
        { id: "rx", type: "Memory", name: "X", sizeBytes: 2, holders: ["A"], dependsOn: [], dependents: ["ry"] },
        { id: "ry", type: "Memory", name: "Y", sizeBytes: 0, holders: ["A", "B"], dependsOn: ["rx"], dependents: [] }
      ],
      deadlock: { drivers: ["A"], resources: ["name:Y"] }
    })
  })
})

// ---- property: the reduction equals an exhaustive search ----------------------------------------------------

const arbScenario = arbWaitScenario()
type Scenario = WaitScenario
const toState = toWaitState

/** findDeadlock names exactly the drivers the exhaustive search finds stuck; counts the outcome. */
const agreesWithBruteForce = (s: WaitState, seen: { deadlocked: number; free: number }) => {
  const reference = bruteForce(s)
  expect(reference.terminalUnfinished).toHaveLength(1)
  const found = findDeadlock(viewOfState(s))
  expect(found?.drivers ?? []).toEqual(reference.stuck)
  expect(found?.resources ?? []).toEqual(reference.resources)
  if (found === undefined) seen.free++
  else seen.deadlocked++
  return found
}

describe("against the brute-force search over all orders", () => {
  test("findDeadlock names exactly the drivers that finish in no reachable state; all orders agree", () => {
    const seen = { deadlocked: 0, free: 0, byBytes: 0 }
    fc.assert(
      fc.property(arbScenario, (scenario) => {
        const found = agreesWithBruteForce(toState(scenario).state, seen)
        if (found?.resources.some((key) => key.startsWith("bytes:"))) seen.byBytes++
      }),
      { numRuns: 10_000 }
    )
    // the generator reaches both outcomes, and deadlocks over bytes, not only over names
    expect(seen.deadlocked).toBeGreaterThan(1000)
    expect(seen.free).toBeGreaterThan(1000)
    expect(seen.byBytes).toBeGreaterThan(500)
  }, 60_000) // thousands of brute-force searches: CPU-bound, slow on a loaded 2-core machine

  test("checkWait refuses exactly the waits that strand their own driver or a driver that could finish", () => {
    let refused = 0
    fc.assert(
      fc.property(arbScenario, (scenario) => {
        const { state: s, candidate } = toState(scenario)
        const before = new Set(bruteForce(s).stuck)
        const after = bruteForce(s, candidate)
        expect(after.terminalUnfinished).toHaveLength(1)
        const expected = after.stuck.filter((d) => d === candidate.driver || !before.has(d))
        const verdict = checkWait(viewOfState(s), candidate)
        expect(verdict?.drivers ?? []).toEqual(expected)
        if (verdict !== undefined) {
          refused++
          // the resources named are the queues the named drivers are stuck on, in the exhaustive search too
          for (const resource of verdict.resources) expect(after.resources).toContain(resource)
        }
      }),
      { numRuns: 10_000 }
    )
    expect(refused).toBeGreaterThan(500)
  }, 60_000) // thousands of brute-force searches: CPU-bound, slow on a loaded 2-core machine
})

describe("against the brute-force search, with sequential and concurrent owners mixed", () => {
  // Any subset of the drivers are concurrent owners: their waiters are independent tasks holding nothing,
  // their holdings are released by tasks that are not waiting.
  const arbMixed = fc.record({ scenario: arbScenario, concurrent: fc.subarray([0, 1, 2, 3], { minLength: 1 }) })
  const mixed = (raw: { scenario: Scenario; concurrent: number[] }): { state: WaitState; candidate: Waiter } => {
    const { state: s, candidate } = toState(raw.scenario)
    return { state: { ...s, concurrent: raw.concurrent.map((d) => `D${d}`) }, candidate }
  }

  test("findDeadlock names exactly the owners of the tasks and drivers that finish in no reachable state", () => {
    const seen = { deadlocked: 0, free: 0 }
    fc.assert(
      fc.property(arbMixed, (raw) => {
        agreesWithBruteForce(mixed(raw).state, seen)
      }),
      { numRuns: 5_000 }
    )
    expect(seen.deadlocked).toBeGreaterThan(250)
    expect(seen.free).toBeGreaterThan(250)
  }, 60_000) // thousands of brute-force searches: CPU-bound, slow on a loaded 2-core machine

  test("checkWait never accepts a wait that strands a task or driver, and never refuses one that could complete", () => {
    const seen = { refused: 0, concurrentRefused: 0, concurrentAccepted: 0 }
    fc.assert(
      fc.property(arbMixed, (raw) => {
        const { state: s, candidate } = mixed(raw)
        const before = new Set(bruteForce(s).stuckActors)
        const after = bruteForce(s, candidate)
        expect(after.terminalUnfinished).toHaveLength(1)
        const own = after.candidateActor
        const actors = after.stuckActors.filter((a) => a === own || !before.has(a))
        const expected = [...new Set(actors.map((a) => a.split("#")[0] ?? a))].sort()
        const verdict = checkWait(viewOfState(s), candidate)
        expect(verdict?.drivers ?? []).toEqual(expected)
        const concurrent = s.concurrent?.includes(candidate.driver) === true
        if (verdict !== undefined) {
          seen.refused++
          if (concurrent) seen.concurrentRefused++
          for (const resource of verdict.resources) expect(after.resources).toContain(resource)
        } else if (concurrent) seen.concurrentAccepted++
      }),
      { numRuns: 5_000 }
    )
    // both outcomes happen, for concurrent candidates too
    expect(seen.refused).toBeGreaterThan(100)
    expect(seen.concurrentRefused).toBeGreaterThan(20)
    expect(seen.concurrentAccepted).toBeGreaterThan(500)
  }, 60_000)

  test("checkShare refuses exactly the shares after which a task or driver that could finish no longer can", () => {
    const seen = { refused: 0, allowed: 0 }
    const arbShare = fc.record({ mixed: arbMixed, driver: fc.nat(3), resource: fc.nat(3) })
    fc.assert(
      fc.property(arbShare, (raw) => {
        const { state: s } = mixed(raw.mixed)
        const resource = s.resources[raw.resource % Math.max(1, s.resources.length)]
        if (resource === undefined) return
        const driver = `D${raw.driver % raw.mixed.scenario.drivers}`
        if (resource.holders.includes(driver)) return
        // the shared state: the driver holds the resource too; a shared resource is freed when its last holder is
        const shared: WaitState = {
          ...s,
          resources: s.resources.map((r) => (r === resource ? { ...r, holders: [...r.holders, driver] } : r))
        }
        const before = new Set(bruteForce(s).stuckActors)
        const created = bruteForce(shared).stuckActors.filter((a) => !before.has(a))
        const expected = [...new Set(created.map((a) => a.split("#")[0] ?? a))].sort()
        const verdict = checkShare(viewOfState(s), driver, resource.id)
        expect(verdict?.drivers ?? []).toEqual(expected)
        if (verdict === undefined) seen.allowed++
        else seen.refused++
      }),
      { numRuns: 5_000 }
    )
    expect(seen.refused).toBeGreaterThan(15)
    expect(seen.allowed).toBeGreaterThan(500)
  }, 60_000)
})

describe("driver ids are any strings: none takes another actor's place in the check", () => {
  // The check keyed a concurrent owner's waiting request "<owner>\u0000<waiter id>" and a sequential driver by
  // its id, so a sequential driver named "app\u0000w3" was one actor with the default owner's third request:
  // its holdings counted as free, and its wait for bytes only it held was accepted (it hung).
  for (const driver of ["S", "app\u0000w3", "c2:w3app", "sapp", "c"]) {
    test(`a sequential driver ${JSON.stringify(driver)} waiting for bytes only it holds is refused`, async () => {
      const manager = createResourceManager({
        budgets: { Memory: { maxBytes: 10, reservedBytes: 0, warningPercent: 75, criticalPercent: 90 } },
        drivers: { [driver]: { sequential: true } },
        onLeaks: () => {}
      })
      const q = manager.acquire("Q", { type: "Memory", sizeBytes: 0 }, { owner: "h" }) // request 1
      manager.acquire("", { type: "Memory", sizeBytes: 6 }, { owner: driver }) // request 2
      const app = manager.acquireAsync("Q", { type: "Memory", sizeBytes: 0 }) // request 3: "app" waits for Q
      let outcome: unknown = "still waiting"
      manager.acquireAsync("", { type: "Memory", sizeBytes: 6 }, { owner: driver }).then(
        (ref) => {
          outcome = "admitted"
          ref.release()
        },
        (error: unknown) => {
          outcome = error
        }
      )
      await new Promise((resolve) => setImmediate(resolve))
      // "app"'s wait for Q would then wait behind it for its 0 bytes: both are named
      expect(outcome).toMatchObject({ _tag: "DeadlockDetected", drivers: [driver, "app"].sort() })
      q.release()
      ;(await app).release()
      expect(manager.waitGraph().deadlock).toBeNull()
      manager.close()
    })
  }
})
