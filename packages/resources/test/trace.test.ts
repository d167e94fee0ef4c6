import { describe, expect, test } from "bun:test"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ResourceFlags } from "@flight-hal/core"
import { findJar, skipLine } from "../../../scripts/internal/tlc.ts"
import { validateTraces } from "../../../scripts/spec-trace.ts"
import { createResourceManager } from "../src/index.ts"
import { traceToFile } from "../src/TraceFile.ts"

const jar = findJar()
if (jar === undefined) console.log(skipLine("trace validation of a trace with types outside trace.types"))

const example = `{"action":"Init","format":2,"unit":"byte","drivers":["a","b"],"sequential":[],"types":["Memory"],"budgets":{"Memory":{"max":10,"reserved":2}}}
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

  test("a sink that throws, on the header too, does not break the manager", () => {
    let calls = 0
    const manager = createResourceManager({
      budgets: { Memory: { maxBytes: 64, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 } },
      trace: {
        sink: () => {
          calls++
          throw new Error("disk full")
        }
      },
      onLeaks: () => {}
    })
    manager.acquire("", { type: "Memory", sizeBytes: 16 }).release()
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
    manager.close()
    expect(calls).toBe(4) // the header, Acquire, Release, Close
  })

  test("a type outside `types` is carried in usage and emergency from the first line that names it", async () => {
    const lines: Array<string> = []
    const manager = createResourceManager({
      budgets: { Memory: { maxBytes: 64, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 } },
      trace: { sink: (line) => lines.push(line), drivers: ["app"], types: ["Memory"] },
      onLeaks: () => {}
    })
    manager.acquire("", { type: "Memory", sizeBytes: 2 }).release()
    manager.acquire("", { type: "Hardware", sizeBytes: 1 }).release()
    manager.close()
    const parsed = lines.map((line) => JSON.parse(line) as { usage?: Record<string, number>; types?: Array<string> })
    expect(parsed[0]?.types).toEqual(["Memory"])
    expect(parsed.map((line) => line.usage)).toEqual([
      undefined,
      { Memory: 2 },
      { Memory: 0 },
      { Memory: 0, Hardware: 1 },
      { Memory: 0, Hardware: 0 },
      { Memory: 0, Hardware: 0 }
    ])
    if (jar === undefined) return
    const path = join(mkdtempSync(join(tmpdir(), "trace-")), "types.ndjson")
    writeFileSync(path, `${lines.join("\n")}\n`)
    const result = await validateTraces(jar, [path])
    expect(result.verdicts[0]?.verdict.ok).toBe(true)
  }, 60_000)

  test("a trace file closed after the manager ends with the Close line", () => {
    const path = join(mkdtempSync(join(tmpdir(), "trace-")), "close.ndjson")
    const trace = traceToFile(path, { drivers: ["app"], types: ["Memory"] })
    const manager = createResourceManager({
      budgets: { Memory: { maxBytes: 64, reservedBytes: 8, warningPercent: 50, criticalPercent: 80 } },
      trace: trace.config
    })
    manager.acquire("a", { type: "Memory", sizeBytes: 16 }).release()
    manager.close()
    trace.close()
    const actions = readFileSync(path, "utf8")
      .trimEnd()
      .split("\n")
      .map((line) => (JSON.parse(line) as { action: string }).action)
    expect(actions).toEqual(["Init", "Acquire", "Release", "Close"])
  })

  test("no recorder without the option", () => {
    const manager = createResourceManager({})
    expect(manager.snapshot().liveResources).toBe(0)
  })
})
