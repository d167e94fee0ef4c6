/**
 * removeBudget in a recorded trace (spec/README.md, "Trace format"): an `Unbudget` line (the type is unlimited up to
 * the usage bound: no waiter fails, the queues are re-examined), followed by the Grant lines of the waiters it
 * admits; a budget set again is a `Rebudget` line, on a type the trace started without a budget too; a closed
 * manager records nothing more. The recorded traces are behaviours of spec/ResourceManager.tla (its `Unbudget`),
 * checked with TLC.
 */
import { describe, expect, test } from "bun:test"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { findJar, skipLine } from "../../../scripts/internal/tlc.ts"
import { report, validateTraces } from "../../../scripts/spec-trace.ts"
import { createResourceManager } from "../src/index.ts"
import { budget, memory, parse, quiet } from "./support/trace-kit.ts"

/**
 * Budget Memory 10 (2 reserved): app holds 6 and 3 more admitted by Emergency (1 unit of overage), the sequential
 * driver d waits for 4 (9 + 4 > 8); the removal admits it (the emergency bytes stay until their resource goes). Then Hardware, which never had a budget, loses its (absent) budget and gets one; Memory gets one again
 * (below the live bytes: nothing is taken away); the releases, the close, and budget changes after the close.
 */
const grantingRemoval = async (): Promise<Array<string>> => {
  const lines: Array<string> = []
  const manager = createResourceManager({
    ...quiet,
    budgets: { Memory: budget(10, 2) },
    drivers: { d: { sequential: true } },
    trace: { sink: (line) => lines.push(line), drivers: ["app", "d"], types: ["Memory", "Hardware"] }
  })
  const a = manager.acquire("a", memory(6))
  const e = manager.acquire("e", memory(3), { mode: "Emergency" })
  const waiting = manager.acquireAsync("b", memory(4), { owner: "d" })
  expect(manager.getResourceStats("Memory")).toMatchObject({ waiting: 1, emergencyBytes: 1 })
  manager.removeBudget("Memory")
  const b = await waiting
  expect(manager.getBudget("Memory")).toBeUndefined()
  expect(manager.getResourceStats("Memory")).toMatchObject({ waiting: 0, currentUsage: 13, emergencyBytes: 1 })
  manager.removeBudget("Hardware")
  manager.setBudget("Hardware", budget(5))
  manager.setBudget("Memory", budget(8, 2))
  b.release()
  e.release()
  a.release()
  manager.close()
  // the manager does not refuse budget changes after close(); the trace ends with the Close line
  manager.removeBudget("Memory")
  manager.setBudget("Memory", budget(3))
  return lines
}

/**
 * In GiB units, where the usage bound (2^23 − 1 units, the header's maxUsage) binds: budget Memory = the bound with
 * 2 units reserved; app holds bound − 3, waits for 5 and for 1 (behind the 5: no barging). The removal raises
 * limit(p) to the bound: 5 still does not fit, so nothing is granted until the release admits both.
 */
const removalAtTheBound = async (): Promise<Array<string>> => {
  const unit = 2 ** 30
  const bound = 2 ** 23 - 1
  const lines: Array<string> = []
  const manager = createResourceManager({
    ...quiet,
    budgets: { Memory: budget(bound * unit, 2 * unit) },
    trace: { sink: (line) => lines.push(line), unitBytes: unit, drivers: ["app"], types: ["Memory"] }
  })
  const a = manager.acquire("a", memory((bound - 3) * unit))
  const b = manager.acquireAsync("b", memory(5 * unit))
  const c = manager.acquireAsync("c", memory(unit))
  expect(manager.getResourceStats("Memory").waiting).toBe(2)
  manager.removeBudget("Memory")
  expect(manager.getResourceStats("Memory").waiting).toBe(2)
  a.release()
  const [refB, refC] = await Promise.all([b, c])
  refB.release()
  refC.release()
  manager.close()
  expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({ maxUsage: bound })
  return lines
}

describe("removeBudget in a recorded trace", () => {
  test("an Unbudget line (no max, no reserved, no null), then the Grant of the waiter it admits; nothing after Close", async () => {
    const lines = parse(await grantingRemoval())
    expect(lines.map((line) => line.action)).toEqual([
      "Init",
      "Acquire",
      "AcquireEmergency",
      "Enqueue",
      "Unbudget",
      "Grant",
      "Unbudget",
      "Rebudget",
      "Rebudget",
      "Release",
      "Release",
      "Release",
      "Close"
    ])
    const waiter = lines[3]?.req
    expect(lines[4]).toEqual({
      action: "Unbudget",
      type: "Memory",
      failed: [],
      freed: [],
      usage: { Memory: 9, Hardware: 0 },
      emergency: { Memory: 1, Hardware: 0 }
    })
    expect(lines[5]).toMatchObject({ action: "Grant", req: waiter, driver: "d", queue: [], usage: { Memory: 13 } })
    expect(lines[6]).toMatchObject({ action: "Unbudget", type: "Hardware", failed: [], freed: [] })
    expect(lines[7]).toMatchObject({ action: "Rebudget", type: "Hardware", max: 5, reserved: 0 })
    expect(lines[8]).toMatchObject({ action: "Rebudget", type: "Memory", max: 8, reserved: 2 })
    expect(JSON.stringify(lines)).not.toContain("null")
  })

  test("at the usage bound the removal admits nothing until bytes come back", async () => {
    const lines = parse(await removalAtTheBound())
    expect(lines.map((line) => line.action)).toEqual([
      "Init",
      "Acquire",
      "Enqueue",
      "Enqueue",
      "Unbudget",
      "Release",
      "Grant",
      "Grant",
      "Release",
      "Release",
      "Close"
    ])
  })
})

const jar = findJar()
if (jar === undefined) console.log(skipLine("trace validation of removeBudget"))

describe("removeBudget against the TLA+ model", () => {
  test.skipIf(jar === undefined)(
    "both recorded traces are behaviours of spec/ResourceManager.tla (Unbudget)",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "rm-budget-removal-"))
      const paths = [
        ["granting.ndjson", await grantingRemoval()],
        ["bound.ndjson", await removalAtTheBound()]
      ].map(([name, lines]) => {
        const path = join(dir, name as string)
        writeFileSync(path, `${(lines as Array<string>).join("\n")}\n`)
        return path
      })
      const result = await validateTraces(jar as string, paths)
      for (const { path, verdict } of result.verdicts) {
        if (!verdict.ok) console.log(report(path, verdict))
        expect(verdict.ok).toBe(true)
      }
    },
    300_000
  )
})
