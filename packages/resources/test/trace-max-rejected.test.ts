/**
 * `validateTraces(…, { maxRejected })` stops after that many rejected traces and leaves the rest unchecked (the
 * trace-validation test uses it so that a manager that breaks every trace fails after a few TLC runs). Checked
 * with the committed traces of spec/traces: two that the model rejects and one it accepts.
 */
import { describe, expect, test } from "bun:test"
import { join } from "node:path"
import { findJar, skipLine } from "../../../scripts/internal/tlc.ts"
import { notChecked, validateTraces } from "../../../scripts/spec-trace.ts"

const traces = join(import.meta.dir, "../../../spec/traces")
const rejectedFirst = join(traces, "bad-barging-grant-L5.ndjson")
const rejectedSecond = join(traces, "bad-free-shared-L4.ndjson")
const accepted = join(traces, "good-close-unpins-waiter-dependency.ndjson")

const jar = findJar()
if (jar === undefined) console.log(skipLine("validateTraces' maxRejected"))

describe("a trace validation that stops after its most rejected traces", () => {
  test.skipIf(jar === undefined)(
    "maxRejected 1: one trace rejected at its line, the others not checked; without it every verdict is given",
    async () => {
      const paths = [rejectedFirst, rejectedSecond, accepted]
      const stopped = await validateTraces(jar as string, paths, { maxRejected: 1, diagnose: false })
      const verdicts = stopped.verdicts.map(({ verdict }) => verdict)
      const rejected = verdicts.filter((verdict) => !verdict.ok && verdict.reason !== notChecked)
      const unchecked = verdicts.filter((verdict) => !verdict.ok && verdict.reason === notChecked)
      expect(rejected.length).toBe(1)
      expect(unchecked.length).toBe(2)
      const all = await validateTraces(jar as string, paths, { diagnose: false })
      expect(all.verdicts.map(({ verdict }) => (verdict.ok ? "ok" : verdict.line))).toEqual([5, 4, "ok"])
    },
    120_000
  )
})
