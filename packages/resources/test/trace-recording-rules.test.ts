/**
 * What a trace can hold and what the checker says about the rest (spec/README.md, "Trace format"):
 * - `unitBytes`: every byte count is a whole number of units. A config whose budgets or pool capacity are not is
 *   refused (InvalidArgument on `config.trace.unitBytes`); a later size, budget or pool growth that is not ends the
 *   trace with a `TraceStopped` line, which the checker reports with its reason. (Until 2026-11-29 each number was
 *   rounded on its own: two 1,500-byte resources were `size` 1 each and `usage` 3, rejected at a misleading line.)
 * - Driver kinds: the model's are constant, the header's. A header driver whose kind `registerDriver` changes ends
 *   the trace with a `TraceStopped` line (until 2026-11-29 the trace went on with the header's kind, and a refused
 *   self-deadlock was rejected as a step the model does not take).
 * - The checker names a driver the header does not list, a sequential driver acting while one of its requests waits,
 *   a broken invariant in words, a newer trace format; it counts the lines accepted before a rejection; `--strict`
 *   fails without TLC.
 */
import { describe, expect, test } from "bun:test"
import { spawnSync } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { findJar, skipLine, specDir } from "../../../scripts/internal/tlc.ts"
import { acceptedLines, report, type TraceVerdict, validateTraces } from "../../../scripts/spec-trace.ts"
import { createResourceManager } from "../src/index.ts"
import { TRACE_FORMAT } from "../src/internal/trace-recorder.ts"
import { budget, memory, parse, quiet } from "./support/trace-kit.ts"

const thrown = (run: () => unknown): unknown => {
  try {
    run()
  } catch (error) {
    return error
  }
  return undefined
}

const dir = mkdtempSync(join(tmpdir(), "trace-rules-"))
const file = (name: string, lines: ReadonlyArray<string>): string => {
  const path = join(dir, `${name}.ndjson`)
  writeFileSync(path, `${lines.join("\n")}\n`)
  return path
}

/** Two 1,500-byte resources in KiB (the user's report, F3). */
const inexactKiB = (): Array<string> => {
  const lines: Array<string> = []
  const manager = createResourceManager({
    ...quiet,
    budgets: { Memory: budget(4096, 1024) },
    trace: { sink: (line) => lines.push(line), unitBytes: 1024, drivers: ["app"], types: ["Memory"] }
  })
  const a = manager.acquire("a", memory(1500))
  const b = manager.acquire("b", memory(1500))
  b.release()
  a.release()
  manager.close()
  return lines
}

/** The same workload in whole KiB: a behaviour of the model. */
const exactKiB = (): Array<string> => {
  const lines: Array<string> = []
  const manager = createResourceManager({
    ...quiet,
    budgets: { Memory: budget(4096, 1024) },
    trace: { sink: (line) => lines.push(line), unitBytes: 1024, drivers: ["app"], types: ["Memory"] }
  })
  const a = manager.acquire("a", memory(1024))
  const b = manager.acquire("b", memory(2048))
  expect(() => manager.acquire("c", memory(1024))).toThrow() // 3 + 1 > 4 − 1
  b.release()
  a.release()
  manager.close()
  return lines
}

/** gpu declared sequential in the config: the header has its kind, and its self-deadlock is refused. */
const registeredFirst = async (): Promise<Array<string>> => {
  const lines: Array<string> = []
  const manager = createResourceManager({
    ...quiet,
    budgets: { Memory: budget(1000, 100) },
    drivers: { gpu: { sequential: true } },
    trace: { sink: (line) => lines.push(line), drivers: ["app", "gpu"], types: ["Memory"] }
  })
  const a = manager.acquire("a", memory(600), { owner: "gpu" })
  await expect(manager.acquireAsync("b", memory(600), { owner: "gpu" })).rejects.toMatchObject({
    _tag: "DeadlockDetected"
  })
  a.release()
  manager.close()
  return lines
}

/** A hand-written trace: a sequential driver releases while its request waits (the user's report, F5). */
const sequentialRelease = [
  '{"action":"Init","unit":"byte","drivers":["app","audio"],"sequential":["audio"],"types":["Memory"],"budgets":{"Memory":{"max":1000,"reserved":100}}}',
  '{"action":"Acquire","req":1,"driver":"audio","mode":"NonBlocking","type":"Memory","size":100,"priority":"Normal","name":"x","shareable":false,"reclaimable":false,"deps":[],"holders":["audio"],"usage":{"Memory":100},"emergency":{"Memory":0}}',
  '{"action":"Acquire","req":2,"driver":"app","mode":"NonBlocking","type":"Memory","size":700,"priority":"Normal","name":"z","shareable":false,"reclaimable":false,"deps":[],"holders":["app"],"usage":{"Memory":800},"emergency":{"Memory":0}}',
  '{"action":"Enqueue","req":3,"driver":"audio","mode":"Blocking","type":"Memory","size":300,"priority":"Normal","name":"y","shareable":false,"reclaimable":false,"deps":[],"wait":"type","queue":[3],"usage":{"Memory":800},"emergency":{"Memory":0}}',
  '{"action":"Release","req":1,"driver":"audio","holders":[],"freed":[1],"usage":{"Memory":700},"emergency":{"Memory":0}}'
]

/** A trace naming a driver its header does not list (the user's report, F4). */
const unknownDriver = [
  '{"action":"Init","unit":"byte","drivers":["app"],"sequential":[],"types":["Memory"],"budgets":{}}',
  '{"action":"Acquire","req":1,"driver":"gpu","mode":"NonBlocking","type":"Memory","size":100,"priority":"Normal","name":"a","shareable":false,"reclaimable":false,"deps":[],"holders":["gpu"],"usage":{"Memory":100},"emergency":{"Memory":0}}'
]

const rejected = (verdict: TraceVerdict | undefined): Extract<TraceVerdict, { ok: false }> => {
  if (verdict === undefined || verdict.ok) throw new Error(`expected a rejection, got ${JSON.stringify(verdict)}`)
  return verdict
}

describe("unitBytes: every byte count is a whole number of units", () => {
  test("a config whose budget is not a multiple is refused with InvalidArgument on config.trace.unitBytes", () => {
    const lines: Array<string> = []
    const error = thrown(() =>
      createResourceManager({
        ...quiet,
        budgets: { Memory: budget(1000) },
        trace: { sink: (line) => lines.push(line), unitBytes: 1024 }
      })
    )
    expect(error).toMatchObject({ _tag: "InvalidArgument", argument: "config.trace.unitBytes" })
    expect(String((error as { issue: string }).issue)).toContain("Memory maxBytes 1000 is not a multiple of 1024")
    expect(lines).toEqual([])
  })

  test("a config pool's capacity that is not a multiple is refused", () => {
    const error = thrown(() =>
      createResourceManager({
        ...quiet,
        pools: [{ type: "Memory", blockSize: 16, initialCount: 2, maxCount: 4 }],
        trace: { sink: () => {}, unitBytes: 1024 }
      })
    )
    expect(error).toMatchObject({ _tag: "InvalidArgument", argument: "config.trace.unitBytes" })
  })

  test("a size that is not a multiple ends the trace with a TraceStopped line; nothing is rounded", () => {
    const lines = parse(inexactKiB())
    expect(lines.map((line) => line.action)).toEqual(["Init", "TraceStopped"])
    expect(String(lines[1]?.reason)).toContain("request 1's size 1500 is not a multiple of unitBytes 1024")
    const sized = parse(exactKiB()).filter((line) => typeof line.size === "number")
    expect(sized.map((line) => line.size)).toEqual([1, 2, 1])
  })
})

describe("driver kinds and the header", () => {
  test("a kind declared in the config is in the header; a header driver's kind changed later stops the trace", async () => {
    const first = parse(await registeredFirst())
    expect(first[0]).toMatchObject({ action: "Init", sequential: ["gpu"], format: TRACE_FORMAT })
    expect(first.some((line) => line.action === "RefuseDeadlock")).toBe(true)
    // the user's report (F6): registerDriver right after createResourceManager
    const lines: Array<string> = []
    const manager = createResourceManager({
      ...quiet,
      trace: { sink: (line) => lines.push(line), drivers: ["app", "gpu"], types: ["Memory"] }
    })
    manager.registerDriver("gpu")
    manager.registerDriver("other") // not a header driver: no line
    manager.acquire("b", memory(1), { owner: "gpu" }).release()
    manager.close()
    const later = parse(lines)
    expect(later.map((line) => line.action)).toEqual(["Init", "TraceStopped"])
    expect(String(later[1]?.reason)).toContain("driver gpu became sequential after the header")
  })
})

describe("the checker's messages", () => {
  test("--strict exits 3 without TLC; without it the SKIPPED line exits 0", () => {
    const path = file("strict", unknownDriver)
    const script = join(specDir, "..", "scripts", "spec-trace.ts")
    const env = { ...process.env, HOME: dir, TLA2TOOLS_JAR: "" }
    const strict = spawnSync(process.execPath, [script, "--strict", path], { env, encoding: "utf8" })
    expect(strict.stdout).toContain("SKIPPED: TLC not found")
    expect(strict.status).toBe(3)
    const lax = spawnSync(process.execPath, [script, path], { env, encoding: "utf8" })
    expect(lax.status).toBe(0)
  })

  test("what the checker says before TLC: an unknown driver, a stopped trace, a newer format", async () => {
    const paths = [
      file("unknown-driver", unknownDriver),
      file("stopped", inexactKiB()),
      file("newer", [JSON.stringify({ ...JSON.parse(unknownDriver[0] ?? "{}"), format: TRACE_FORMAT + 1 })])
    ]
    // none of them reaches TLC: no jar is needed
    const result = await validateTraces("no-tlc.jar", paths)
    expect(result.runs).toBe(0)
    const [unknown, stopped, newer] = result.verdicts.map(({ verdict }) => rejected(verdict))
    expect(unknown).toMatchObject({ line: 2 })
    expect(unknown?.reason).toContain('driver "gpu" is not in the header\'s drivers ["app"]')
    expect(stopped).toMatchObject({ line: 2 })
    expect(stopped?.reason).toContain("the recorder stopped the trace here")
    expect(newer).toMatchObject({ line: 1 })
    expect(newer?.reason).toContain(`this checker reads formats 1 to ${TRACE_FORMAT}`)
    for (const verdict of [unknown, stopped, newer]) if (verdict !== undefined) expect(acceptedLines(verdict)).toBe(0)
  })

  test("TLC's verdicts in words: a sequential driver acting while it waits, a broken invariant; lines accepted", async () => {
    const jar = findJar()
    if (jar === undefined) {
      console.log(skipLine("the checker's messages"))
      return
    }
    const paths = [
      file("exact-kib", exactKiB()),
      file("registered-first", await registeredFirst()),
      file("sequential-release", sequentialRelease),
      join(specDir, "traces", "bad-lazy-grant-L11.ndjson")
    ]
    const result = await validateTraces(jar, paths)
    const [exact, registered, release, lazy] = result.verdicts.map(({ verdict }) => verdict)
    for (const { path, verdict } of result.verdicts) console.log(report(path, verdict))
    expect(exact?.ok).toBe(true)
    expect(registered?.ok).toBe(true)
    const waiting = rejected(release)
    expect(waiting.line).toBe(5)
    expect(waiting.reason).toContain("driver audio is sequential")
    expect(waiting.reason).toContain("its request 3 waits (since line 4)")
    expect(acceptedLines(waiting)).toBe(3)
    const grant = rejected(lazy)
    expect(grant.line).toBe(11)
    expect(grant.reason).toContain("(GrantsEager: a waiter that could be admitted was left waiting")
  }, 120_000)
})
