/**
 * The usage bound (docs/semantics.md, section 5): no admission takes a type's usage above 2^53 − 1
 * (`Number.MAX_SAFE_INTEGER`), the largest count a double holds exactly. Past it an addition rounds, and the
 * releases that follow leave usage off (an Emergency admission over a budget of 2^53 − 1 and two releases left
 * usage at −1). An Emergency request past the bound fails with BudgetExceeded (limit 2^53 − 1), state unchanged;
 * a type without a budget has limit(p) = 2^53 − 1, so its requests fit, wait and fail against it like a budget's,
 * and the deadlock check counts with it. Both front ends, and a recorded trace checked against the TLA+ model
 * (its `MaxUsage`).
 */
import { describe, expect, test } from "bun:test"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { ResourceBudget, ResourceMetadata } from "@flight-hal/core"
import { Effect } from "effect"
import { findJar, skipLine } from "../../../scripts/internal/tlc.ts"
import { report, validateTrace } from "../../../scripts/spec-trace.ts"
import { createResourceManager, ResourceManager } from "../src/index.ts"
import { failureOf, openManager } from "./support/effect.ts"
import { thrown } from "./support/thrown.ts"

const MAX = Number.MAX_SAFE_INTEGER
const quiet = { onLeaks: () => {} }
const budget = (maxBytes: number): ResourceBudget => ({
  maxBytes,
  reservedBytes: 0,
  warningPercent: 50,
  criticalPercent: 90
})
const memory = (sizeBytes: number): ResourceMetadata => ({ type: "Memory", sizeBytes })
const hardware = (sizeBytes: number): ResourceMetadata => ({ type: "Hardware", sizeBytes })

/** The fields of a thrown or failed error that say why. */
const fieldsOf = (error: unknown): Record<string, unknown> => {
  if (typeof error !== "object" || error === null) return { thrown: error }
  const { _tag, resourceType, requested, available, limit } = error as Record<string, unknown>
  return { _tag, resourceType, requested, available, limit }
}

describe("the usage bound (facade)", () => {
  test("an Emergency request past 2^53 − 1 fails with BudgetExceeded; the releases bring usage back to 0", () => {
    const manager = createResourceManager({ ...quiet, budgets: { Memory: budget(MAX) } })
    const a = manager.acquire("a", memory(MAX))
    const before = manager.getResourceStats("Memory")
    expect(fieldsOf(thrown(() => manager.acquire("b", memory(2), { mode: "Emergency" })))).toEqual({
      _tag: "BudgetExceeded",
      resourceType: "Memory",
      requested: 2,
      available: 0,
      limit: MAX
    })
    const after = manager.getResourceStats("Memory")
    expect(after).toEqual({ ...before, failedCount: before.failedCount + 1 })
    expect(after.currentUsage).toBe(MAX)
    expect(after.emergencyCount).toBe(0)
    expect(fieldsOf(thrown(() => manager.find("b")))._tag).toBe("ResourceNotFound")
    a.release()
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
    manager.close()
  })

  test("an Emergency admission over budget is still admitted up to the bound, exactly", () => {
    const manager = createResourceManager({ ...quiet, budgets: { Memory: budget(MAX - 10) } })
    const a = manager.acquire("a", memory(MAX - 12))
    const b = manager.acquire("b", memory(12), { mode: "Emergency" })
    expect(manager.getResourceStats("Memory")).toMatchObject({
      currentUsage: MAX,
      emergencyBytes: 10,
      emergencyCount: 1
    })
    expect(fieldsOf(thrown(() => manager.acquire("c", memory(1), { mode: "Emergency" })))).toMatchObject({
      _tag: "BudgetExceeded",
      available: 0,
      limit: MAX
    })
    // the admission at the bound and the refusal past it changed nothing else: the releases are exact
    b.release()
    expect(manager.getResourceStats("Memory")).toMatchObject({ currentUsage: MAX - 12, emergencyBytes: 0 })
    a.release()
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
    manager.close()
  })

  test("a type without a budget has limit(p) = 2^53 − 1: past it NonBlocking and Emergency fail, Blocking waits", async () => {
    const manager = createResourceManager(quiet)
    const x = manager.acquire("x", hardware(MAX - 1))
    for (const mode of ["NonBlocking", "Emergency"] as const) {
      expect(fieldsOf(thrown(() => manager.acquire("y", hardware(2), { mode })))).toEqual({
        _tag: "BudgetExceeded",
        resourceType: "Hardware",
        requested: 2,
        available: 1,
        limit: MAX
      })
    }
    expect(manager.getResourceStats("Hardware").currentUsage).toBe(MAX - 1)
    // the default owner is concurrent: its wait for bytes its own tasks hold is accepted
    const waiting = manager.acquireAsync("y", hardware(2))
    expect(manager.getResourceStats("Hardware").waiting).toBe(1)
    x.release()
    const y = await waiting
    expect(manager.getResourceStats("Hardware").currentUsage).toBe(2)
    y.release()
    expect(manager.getResourceStats("Hardware").currentUsage).toBe(0)
    manager.close()
  })

  test("the deadlock check counts with the bound of a type without a budget", async () => {
    const manager = createResourceManager({ ...quiet, drivers: { d: { sequential: true } } })
    const x = manager.acquire("x", hardware(MAX), { owner: "d" })
    // d waits for bytes only its own release could give back, and a sequential driver releases nothing while it waits
    const refused = manager.acquireAsync("y", hardware(1), { owner: "d" }).then(
      () => "admitted",
      (error: unknown) => fieldsOf(error)._tag
    )
    expect(manager.getResourceStats("Hardware").waiting).toBe(0)
    expect(await refused).toBe("DeadlockDetected")
    x.release()
    manager.close()
  })

  test("removeBudget admits the waiters that fit the bound; the others wait for bytes", async () => {
    const manager = createResourceManager({ ...quiet, budgets: { Memory: budget(MAX) } })
    const a = manager.acquire("a", memory(MAX - 3))
    const b = manager.acquireAsync("b", memory(5))
    const c = manager.acquireAsync("c", memory(1))
    expect(manager.getResourceStats("Memory").waiting).toBe(2)
    manager.removeBudget("Memory")
    // b would pass the bound; c, behind it, may not barge
    expect(manager.getResourceStats("Memory")).toMatchObject({ waiting: 2, currentUsage: MAX - 3 })
    a.release()
    const [refB, refC] = await Promise.all([b, c])
    expect(manager.getResourceStats("Memory")).toMatchObject({ waiting: 0, currentUsage: 6 })
    refB.release()
    refC.release()
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
    manager.close()
  })

  test("pool growth of a type without a budget is refused past the bound", () => {
    const manager = createResourceManager(quiet)
    const a = manager.acquire("a", memory(MAX - 100))
    const made = manager.pools.createPool({ type: "Memory", blockSize: 64, initialCount: 2, maxCount: 4 })
    expect(made.ok ? "created" : made.error._tag).toBe("PoolExhausted")
    expect(manager.getResourceStats("Memory").currentUsage).toBe(MAX - 100)
    a.release()
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
    manager.close()
  })
})

describe("the usage bound (Effect)", () => {
  test("an Emergency request past 2^53 − 1 fails with BudgetExceeded, state unchanged", async () => {
    const open = await openManager({ budgets: { Memory: budget(MAX) } })
    const exit = await open.run(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        yield* manager.acquire("a", memory(MAX))
        const failed = yield* Effect.flip(manager.acquire("b", memory(2), { mode: "Emergency" }))
        const stats = yield* manager.getResourceStats("Memory")
        return { failed: fieldsOf(failed), usage: stats.currentUsage, emergencies: stats.emergencyCount }
      })
    )
    expect(exit._tag === "Success" ? exit.value : failureOf(exit)).toEqual({
      failed: { _tag: "BudgetExceeded", resourceType: "Memory", requested: 2, available: 0, limit: MAX },
      usage: MAX,
      emergencies: 0
    })
    await open.close()
  })
})

const jar = findJar()
if (jar === undefined) console.log(skipLine("trace validation of the usage bound"))

describe("the usage bound against the TLA+ model", () => {
  test.skipIf(jar === undefined)(
    "a trace in GiB units, at and past the bound, is a behaviour of spec/ResourceManager.tla",
    async () => {
      const unit = 2 ** 30
      // in units: the bound is ⌊(2^53 − 1) / 2^30⌋ = 2^23 − 1
      const bound = 2 ** 23 - 1
      const lines: Array<string> = []
      const manager = createResourceManager({
        ...quiet,
        budgets: { Memory: budget((bound - 3) * unit) },
        drivers: { d: { sequential: true } },
        trace: {
          sink: (line) => lines.push(line),
          unitBytes: unit,
          drivers: ["app", "d"],
          types: ["Memory", "Hardware"]
        }
      })
      const a = manager.acquire("a", memory((bound - 7) * unit))
      const b = manager.acquire("b", memory(6 * unit), { mode: "Emergency" })
      expect(fieldsOf(thrown(() => manager.acquire("c", memory(2 * unit), { mode: "Emergency" })))._tag).toBe(
        "BudgetExceeded"
      )
      const c = manager.acquire("c", memory(unit), { mode: "Emergency" })
      expect(manager.getResourceStats("Memory").currentUsage).toBe(bound * unit)
      c.release()
      const h = manager.acquire("h", hardware(bound * unit))
      for (const mode of ["NonBlocking", "Emergency"] as const) {
        expect(fieldsOf(thrown(() => manager.acquire("i", hardware(unit), { mode })))._tag).toBe("BudgetExceeded")
      }
      const waiting = manager.acquireAsync("i", hardware(unit), { owner: "d" })
      h.release()
      const i = await waiting
      i.release()
      b.release()
      a.release()
      manager.close()
      expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({ maxUsage: bound })
      expect(lines.map((line) => (JSON.parse(line) as { readonly action: string }).action)).toEqual([
        "Init",
        "Acquire",
        "AcquireEmergency",
        "Reject",
        "AcquireEmergency",
        "Release",
        "Acquire",
        "Reject",
        "Reject",
        "Enqueue",
        "Release",
        "Grant",
        "Release",
        "Release",
        "Release",
        "Close"
      ])
      const path = join(mkdtempSync(join(tmpdir(), "rm-usage-bound-")), "usage-bound.ndjson")
      writeFileSync(path, `${lines.join("\n")}\n`)
      const verdict = await validateTrace(jar as string, path)
      if (!verdict.ok) console.log(report(path, verdict))
      expect(verdict.ok).toBe(true)
    },
    300_000
  )
})
