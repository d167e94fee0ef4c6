/**
 * The numbers a trace may hold (spec/README.md, "Numbers"): integers of at most nine digits, so that TLC's 32-bit
 * integers hold the model's sums of two. The checker rejects any other number before TLC runs, and says what to do
 * (a larger `unitBytes`); its message used to say "an integer below 2^31", which a 1.5 GB budget is. The recorder
 * now refuses such a budget up front (trace-nine-digits.test.ts), so the ten-digit header here is written by hand,
 * as a recorder before 2026-11-29 wrote it.
 */
import { describe, expect, test } from "bun:test"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { findJar, skipLine } from "../../../scripts/internal/tlc.ts"
import { validateTraces } from "../../../scripts/spec-trace.ts"
import { createResourceManager } from "../src/index.ts"

/** A short trace of a manager with a 1.5 GB Memory budget, recorded in units of `unitBytes`. */
const record = (unitBytes: number): string => {
  const lines: Array<string> = []
  const manager = createResourceManager({
    onLeaks: () => {},
    budgets: { Memory: { maxBytes: 1536 * 2 ** 20, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 } },
    trace: { sink: (line) => lines.push(line), drivers: ["app"], types: ["Memory"], unitBytes }
  })
  manager.acquire("", { type: "Memory", sizeBytes: 64 * 1024 }).release()
  manager.close()
  const path = join(mkdtempSync(join(tmpdir(), "rm-trace-numbers-")), `unit-${unitBytes}.ndjson`)
  writeFileSync(path, `${lines.join("\n")}\n`)
  return path
}

describe("the numbers of a trace", () => {
  test("a ten-digit budget is rejected before TLC runs, at its line, with what to do", async () => {
    const inKiB = record(1024)
    const inBytes = inKiB.replace(".ndjson", "-as-bytes.ndjson")
    const [header = "", ...rest] = readFileSync(inKiB, "utf8").split("\n")
    writeFileSync(inBytes, [header.replace('"max":1572864', '"max":1610612736'), ...rest].join("\n"))
    const result = await validateTraces("/no/such/tla2tools.jar", [inBytes])
    expect(result.runs).toBe(0)
    const verdict = result.verdicts[0]?.verdict
    expect(verdict?.ok).toBe(false)
    if (verdict !== undefined && !verdict.ok) {
      expect(verdict.line).toBe(1)
      expect(verdict.reason).toContain("at most nine digits")
      expect(verdict.reason).toContain("unitBytes")
      expect(verdict.text).toContain("1610612736")
    }
  })

  const jar = findJar()
  if (jar === undefined) console.log(skipLine("trace validation of a trace counted in KiB"))
  test.skipIf(jar === undefined)(
    "the same trace in KiB is accepted by the model",
    async () => {
      const result = await validateTraces(jar as string, [record(1024)])
      expect(result.verdicts[0]?.verdict.ok).toBe(true)
    },
    120_000
  )
})
