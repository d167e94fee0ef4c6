import { describe, expect, test } from "bun:test"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ResourceFlags } from "@flight-hal/core"
import { createResourceManager } from "../src/index.ts"
import { traceToFile } from "../src/TraceFile.ts"

const example = `{"action":"Init","unit":"byte","drivers":["a","b"],"sequential":[],"types":["Memory"],"budgets":{"Memory":{"max":10,"reserved":2}}}
{"action":"Acquire","req":1,"driver":"a","mode":"NonBlocking","type":"Memory","size":6,"priority":"Normal","name":"","shareable":true,"reclaimable":false,"deps":[],"holders":["a"],"usage":{"Memory":6},"emergency":{"Memory":0}}
{"action":"Enqueue","req":2,"driver":"b","mode":"Blocking","type":"Memory","size":4,"priority":"Normal","name":"","shareable":false,"reclaimable":false,"deps":[],"wait":"type","queue":[2],"usage":{"Memory":6},"emergency":{"Memory":0}}
{"action":"Reject","req":3,"driver":"a","mode":"NonBlocking","type":"Memory","size":1,"priority":"Normal","name":"","shareable":false,"reclaimable":false,"deps":[],"error":"BudgetExceeded","usage":{"Memory":6},"emergency":{"Memory":0}}
{"action":"Release","req":1,"driver":"a","holders":[],"freed":[1],"usage":{"Memory":0},"emergency":{"Memory":0}}
{"action":"Grant","req":2,"driver":"b","holders":["b"],"queue":[],"usage":{"Memory":4},"emergency":{"Memory":0}}`

const runExample = (sink: (line: string) => void, extra: object = {}) => {
  const manager = createResourceManager({
    budgets: { Memory: { maxBytes: 10, reservedBytes: 2, warningPercent: 50, criticalPercent: 80 } },
    trace: { sink, drivers: ["a", "b"], types: ["Memory"], ...extra },
    onLeaks: () => {}
  })
  const first = manager.acquire(
    "",
    { type: "Memory", sizeBytes: 6, flags: ResourceFlags.combine("Shareable") },
    {
      owner: "a"
    }
  )
  const waiting = manager.acquireAsync("", { type: "Memory", sizeBytes: 4 }, { owner: "b" })
  expect(() => manager.acquire("", { type: "Memory", sizeBytes: 1 }, { owner: "a" })).toThrow()
  first.release()
  first.release() // idempotent: records nothing
  return { manager, waiting }
}

describe("trace recording", () => {
  test("reproduces the spec/README.md example line for line", async () => {
    const lines: Array<string> = []
    const { manager, waiting } = runExample((line) => lines.push(line))
    await waiting
    manager.close()
    expect(lines.slice(0, 6).join("\n")).toBe(example)
  })

  test("traceToFile writes NDJSON", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "trace-")), "run.ndjson")
    const trace = traceToFile(path, { drivers: ["a", "b"], types: ["Memory"] })
    const { manager, waiting } = runExample(trace.config.sink)
    await waiting
    trace.close()
    manager.close()
    expect(readFileSync(path, "utf8").trimEnd()).toBe(example)
  })

  test("no recorder without the option", () => {
    const manager = createResourceManager({})
    expect(manager.snapshot().liveResources).toBe(0)
  })
})
