/**
 * Every number of a trace is an integer of at most nine digits (spec/README.md, "Numbers"), in `unitBytes` units.
 * - A config whose header would hold a larger one (a budget's maxBytes or reservedBytes, a type's pool capacity) is
 *   refused when the manager is made: InvalidArgument on `config.trace.unitBytes`, naming the count and saying to
 *   raise `unitBytes`. Until 2026-11-29 the manager was made and the whole run recorded, and the checker refused
 *   the trace's first line only when it ran (the user's report: a 2 GiB budget traced in bytes).
 * - A number that only appears later (a usage an Emergency acquisition takes past nine digits, a pool's growth, a
 *   request's size, a new budget) ends the trace with a `TraceStopped` line naming it, as a count that is not a
 *   whole number of units does; the checker reports the trace rejected at that line, before TLC runs.
 * - An empty trace file (a `traceToFile` whose manager's config was refused) is reported as empty, not as a file
 *   whose first line is not the header.
 */
import { describe, expect, test } from "bun:test"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { InvalidArgument } from "@flight-hal/core"
import { validateTraces } from "../../../scripts/spec-trace.ts"
import { createResourceManager } from "../src/index.ts"
import { traceToFile } from "../src/TraceFile.ts"
import { budget, type Line, memory, parse, quiet } from "./support/trace-kit.ts"

const thrown = (run: () => unknown): unknown => {
  try {
    run()
  } catch (error) {
    return error
  }
  return undefined
}

const dir = mkdtempSync(join(tmpdir(), "trace-nine-digits-"))

/** The last line of a trace, parsed. */
const last = (lines: ReadonlyArray<string>): Line | undefined => parse(lines).at(-1)

describe("a config whose header would hold a number of ten digits is refused", () => {
  const refused = (config: Omit<Parameters<typeof createResourceManager>[0], "trace">, unitBytes?: number) => {
    const lines: Array<string> = []
    const error = thrown(() =>
      createResourceManager({
        ...quiet,
        ...config,
        trace: {
          sink: (line) => lines.push(line),
          types: ["Memory"],
          ...(unitBytes === undefined ? {} : { unitBytes })
        }
      })
    )
    return { error, lines }
  }

  test("a budget of 2^31 bytes, traced in bytes: InvalidArgument naming the budget, no line written", () => {
    const { error, lines } = refused({ budgets: { Memory: budget(2 ** 31) } })
    expect(error).toBeInstanceOf(InvalidArgument)
    if (error instanceof InvalidArgument) {
      expect(error.argument).toBe("config.trace.unitBytes")
      expect(error.issue).toContain("Memory maxBytes 2147483648")
      expect(error.issue).toContain("nine digits")
      expect(error.issue).toContain("raise unitBytes")
    }
    expect(lines).toEqual([])
  })

  test("a reserve of 10^9 units", () => {
    const { error } = refused({ budgets: { Memory: budget(2 ** 40, 2 ** 30) } }, 1)
    expect(error).toBeInstanceOf(InvalidArgument)
    if (error instanceof InvalidArgument) expect(error.issue).toContain("Memory maxBytes")
    const reserve = refused({ budgets: { Memory: budget(999_999_999, 999_999_999) } }, 1)
    expect(reserve.error).toBeUndefined()
  })

  test("a pool capacity of 10^9 units (the header's PoolGrow line)", () => {
    const { error, lines } = refused({
      budgets: {},
      pools: [{ type: "Memory", blockSize: 2 ** 29, initialCount: 2, maxCount: 2 }]
    })
    expect(error).toBeInstanceOf(InvalidArgument)
    if (error instanceof InvalidArgument) {
      expect(error.issue).toContain("Memory pool capacity 1073741824")
      expect(error.issue).toContain("raise unitBytes")
    }
    expect(lines).toEqual([])
  })

  test("the same budget in KiB is traced: 2,097,152 units", () => {
    const { error, lines } = refused({ budgets: { Memory: budget(2 ** 31) } }, 1024)
    expect(error).toBeUndefined()
    expect(parse(lines)[0]).toMatchObject({ action: "Init", budgets: { Memory: { max: 2 ** 21, reserved: 0 } } })
  })
})

describe("a number that reaches ten digits during the run ends the trace", () => {
  test("an Emergency acquisition taking the usage past nine digits: TraceStopped naming the usage", async () => {
    const lines: Array<string> = []
    const manager = createResourceManager({
      ...quiet,
      budgets: { Memory: budget(900_000_000) },
      trace: { sink: (line) => lines.push(line), drivers: ["app"], types: ["Memory"] }
    })
    const a = manager.acquire("a", memory(800_000_000))
    manager.acquire("e", memory(300_000_000), { mode: "Emergency" })
    a.release() // nothing follows the TraceStopped line
    manager.close()
    expect(parse(lines).map((line) => line.action)).toEqual(["Init", "Acquire", "TraceStopped"])
    const reason = String(last(lines)?.reason)
    expect(reason).toContain("AcquireEmergency: Memory usage 1100000000")
    expect(reason).toContain("nine digits")
    // the checker reports it at that line, before TLC
    const path = join(dir, "emergency.ndjson")
    writeFileSync(path, `${lines.join("\n")}\n`)
    const result = await validateTraces("/no/such/tla2tools.jar", [path])
    expect(result.runs).toBe(0)
    const verdict = result.verdicts[0]?.verdict
    expect(verdict?.ok).toBe(false)
    if (verdict !== undefined && !verdict.ok) {
      expect(verdict.line).toBe(3)
      expect(verdict.reason).toContain("Memory usage 1100000000")
    }
  })

  test("a pool growing past nine digits: TraceStopped naming the pool capacity", () => {
    const lines: Array<string> = []
    const manager = createResourceManager({
      ...quiet,
      budgets: {},
      pools: [{ type: "Memory", blockSize: 2 ** 29, initialCount: 1, maxCount: 2 }],
      trace: { sink: (line) => lines.push(line), drivers: ["app"], types: ["Memory"] }
    })
    manager.acquire("a", memory(2 ** 29))
    manager.acquire("b", memory(2 ** 29)) // the pool grows to 2^30 bytes
    manager.close()
    const actions = parse(lines).map((line) => line.action)
    expect(actions.slice(0, 3)).toEqual(["Init", "PoolGrow", "AcquirePooled"])
    expect(actions.at(-1)).toBe("TraceStopped")
    expect(String(last(lines)?.reason)).toContain("PoolGrow: Memory pool capacity 1073741824")
  })

  test("a request of 10^9 units on a type without a budget, and a new budget of 10^9 units", () => {
    const sized: Array<string> = []
    const unbudgeted = createResourceManager({
      ...quiet,
      budgets: {},
      trace: { sink: (line) => sized.push(line), drivers: ["app"], types: ["Memory"] }
    })
    unbudgeted.acquire("huge", memory(1e9))
    unbudgeted.close()
    expect(last(sized)).toMatchObject({ action: "TraceStopped" })
    expect(String(last(sized)?.reason)).toContain("Acquire: request 1's size 1000000000")

    const rebudgeted: Array<string> = []
    const manager = createResourceManager({
      ...quiet,
      budgets: { Memory: budget(1000) },
      trace: { sink: (line) => rebudgeted.push(line), drivers: ["app"], types: ["Memory"] }
    })
    manager.setBudget("Memory", budget(2 ** 31))
    manager.close()
    expect(parse(rebudgeted).map((line) => line.action)).toEqual(["Init", "TraceStopped"])
    expect(String(last(rebudgeted)?.reason)).toContain("Rebudget: Memory maxBytes 2147483648")
  })
})

describe("an empty trace file", () => {
  test("traceToFile of a refused config leaves an empty file: the checker says the trace is empty", async () => {
    const path = join(dir, "refused.ndjson")
    const trace = traceToFile(path, { types: ["Memory"] })
    expect(
      thrown(() => createResourceManager({ budgets: { Memory: budget(2 ** 31) }, trace: trace.config }))
    ).toBeInstanceOf(InvalidArgument)
    trace.close()
    const result = await validateTraces("/no/such/tla2tools.jar", [path])
    expect(result.runs).toBe(0)
    const verdict = result.verdicts[0]?.verdict
    expect(verdict?.ok).toBe(false)
    if (verdict !== undefined && !verdict.ok) {
      expect(verdict.line).toBe(1)
      expect(verdict.reason).toContain("the trace is empty")
    }
  })
})
