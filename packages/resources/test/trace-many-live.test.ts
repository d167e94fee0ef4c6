/**
 * A trace with many live resources of one type, recorded from the real manager and checked against
 * spec/ResourceManager.tla with TLC (spec/Trace.tla). The model's byte sums (the live bytes and emergency overage of a
 * type, checked in every state by BudgetSafe and SharingSafe, and the bytes a release frees) were a recursive
 * operator, one level of TLC's stack per element: a trace that held about 78 resources of one type at once overflowed
 * it (TLC exit 255), so the trace of a manager holding more could not be validated. The sums are now one bag
 * cardinality, which TLC computes in one step. This test holds 128 live resources of one type (8 of them admitted in
 * Emergency mode over the budget, so the overage sums are not all zero), releases half of them and closes with the
 * rest, and checks that TLC accepts the trace and still rejects a wrong usage figure at 128 live.
 */
import { describe, expect, test } from "bun:test"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { findJar, skipLine } from "../../../scripts/internal/tlc.ts"
import { report, validateTraces } from "../../../scripts/spec-trace.ts"
import { createResourceManager, type ResourceRef } from "../src/index.ts"

/** The resources live at once, all Memory. */
const liveAtOnce = 128

type Line = Record<string, unknown> & { readonly action: string }

/** 120 NonBlocking acquisitions within the budget, 8 Emergency ones over it; half released; the close. */
const record = (): Array<string> => {
  const lines: Array<string> = []
  const manager = createResourceManager({
    onLeaks: () => {},
    budgets: { Memory: { maxBytes: 500, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 } },
    trace: { sink: (line) => lines.push(line), drivers: ["app"], types: ["Memory"] }
  })
  const refs: Array<ResourceRef<unknown>> = []
  for (let i = 0; i < liveAtOnce - 8; i++) refs.push(manager.acquire("", { type: "Memory", sizeBytes: 1 + (i % 7) }))
  for (let i = 0; i < 8; i++) {
    refs.push(manager.acquire("", { type: "Memory", sizeBytes: 40 }, { mode: "Emergency" }))
  }
  const stats = manager.getResourceStats("Memory")
  expect(stats.allocationCount - stats.releaseCount).toBe(liveAtOnce)
  expect(stats.emergencyBytes).toBeGreaterThan(0)
  for (let i = 0; i < refs.length; i += 2) refs[i]?.release()
  manager.close()
  return lines
}

describe("a trace with many live resources of one type", () => {
  test(`holds ${liveAtOnce} live Memory resources, some over the budget, and closes with half of them`, () => {
    const lines = record().map((line) => JSON.parse(line) as Line)
    const emergency = lines.filter((line) => line.action === "AcquireEmergency")
    expect(emergency.length).toBe(8)
    const firstRelease = lines.find((line) => line.action === "Release") as Line & {
      emergency: Record<string, number>
    }
    expect(firstRelease.emergency.Memory).toBeGreaterThan(0)
    const close = lines.at(-1) as Line & { leaks: Array<number> }
    expect(close.action).toBe("Close")
    expect(close.leaks.length).toBe(liveAtOnce / 2)
  })
})

const jar = findJar()
if (jar === undefined) console.log(skipLine("trace validation of many live resources"))

describe("a trace with many live resources of one type against the TLA+ model", () => {
  test.skipIf(jar === undefined)(
    "is accepted; a wrong usage figure on the first release (128 live) is rejected at that line",
    async () => {
      const recorded = record()
      const dir = mkdtempSync(join(tmpdir(), "rm-many-live-"))
      const at = recorded.findIndex((text) => (JSON.parse(text) as Line).action === "Release")
      const release = JSON.parse(recorded[at] as string) as Line & { usage: Record<string, number> }
      const wrongUsage = recorded.map((text, i) =>
        i === at ? JSON.stringify({ ...release, usage: { Memory: (release.usage.Memory ?? 0) + 1 } }) : text
      )
      const good = join(dir, "many-live.ndjson")
      const bad = join(dir, "wrong-usage.ndjson")
      writeFileSync(good, `${recorded.join("\n")}\n`)
      writeFileSync(bad, `${wrongUsage.join("\n")}\n`)
      const started = Date.now()
      const result = await validateTraces(jar as string, [good, bad], { diagnose: false })
      console.log(
        `many live (${liveAtOnce}): ${result.runs} TLC run(s), ${result.seconds.toFixed(1)} s of TLC, ${((Date.now() - started) / 1000).toFixed(1)} s in all`
      )
      const [accepted, rejected] = result.verdicts.map((v) => v.verdict)
      if (accepted !== undefined && !accepted.ok) console.log(report(good, accepted))
      expect(accepted?.ok).toBe(true)
      expect(rejected?.ok).toBe(false)
      if (rejected !== undefined && !rejected.ok) {
        expect(rejected.tlcExit).toBe(11) // the Release step's post-state differs: a deadlock at that line
        expect(rejected.line).toBe(at + 1) // 1-based file line
      }
    },
    300_000
  )
})
