/**
 * Traces of a manager with pools (spec/README.md, "Trace format"): the capacity the config's pools have when the
 * manager is made is one `PoolGrow` line per type after the header (the model starts with none), later growth,
 * trims and destroyed pools are `PoolGrow` / `PoolTrim` lines, and a request a pool block serves is an
 * `AcquirePooled` line (charged nothing: its bytes are pool capacity; admitted past waiters and whatever its fit).
 * Every trace here is checked with TLC against spec/Trace.tla. Until 2026-11-29 every such trace was rejected: the
 * initial capacity was in the first line's usage but in no line, and a pooled admission was an `Acquire` whose
 * usage did not grow.
 */
import { describe, expect, test } from "bun:test"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { findJar, skipLine } from "../../../scripts/internal/tlc.ts"
import { report, validateTraces } from "../../../scripts/spec-trace.ts"
import { createResourceManager } from "../src/index.ts"
import { budget, memory, parse, quiet } from "./support/trace-kit.ts"

/** The config's pool with two blocks up front; a plain and a pooled acquisition (the user's report, F2). */
const initialBlocks = (): Array<string> => {
  const lines: Array<string> = []
  const manager = createResourceManager({
    ...quiet,
    budgets: { Memory: budget(1000, 100) },
    pools: [{ type: "Memory", blockSize: 16, initialCount: 2, maxCount: 4 }],
    trace: { sink: (line) => lines.push(line), drivers: ["app"], types: ["Memory"] }
  })
  const a = manager.acquire("a", memory(300))
  const b = manager.acquire("b", memory(16))
  expect(manager.getResourceStats("Memory").currentUsage).toBe(332)
  b.release()
  a.release()
  manager.pools.trim("Memory")
  manager.close()
  return lines
}

/** A pool with no block up front: the pooled acquisition grows it first (PoolGrow, then AcquirePooled). */
const noInitialBlocks = (): Array<string> => {
  const lines: Array<string> = []
  const manager = createResourceManager({
    ...quiet,
    budgets: { Memory: budget(1000, 100) },
    pools: [{ type: "Memory", blockSize: 16, initialCount: 0, maxCount: 4 }],
    trace: { sink: (line) => lines.push(line), drivers: ["app"], types: ["Memory"] }
  })
  const a = manager.acquire("a", memory(300))
  const b = manager.acquire("b", memory(16))
  b.release()
  a.release()
  manager.close()
  return lines
}

/**
 * Pools made at run time on a type the header does not list (Hardware is not traced until a line names it), a
 * pooled admission past a waiter of higher priority and over limit(Normal) (a Critical admission took the reserve;
 * the block came back to the pool after the waiter's reclamation found none free), a pooled request for a name
 * held (refused at once, without a block), a destroyed pool, and a close with a pooled leak.
 */
const runtimePools = async (): Promise<Array<string>> => {
  const lines: Array<string> = []
  const manager = createResourceManager({
    ...quiet,
    budgets: { Memory: budget(200, 40) },
    drivers: { d: { sequential: true } },
    trace: { sink: (line) => lines.push(line), drivers: ["app", "d"], types: ["Hardware"] }
  })
  const made = manager.pools.createPool({ type: "Memory", blockSize: 8, initialCount: 2, maxCount: 8 })
  expect(made.ok).toBe(true)
  const first = manager.acquire("first", memory(8)) // both blocks in use
  const kept = manager.acquire("kept", memory(8))
  const critical = manager.acquire("critical", memory(160, "Critical")) // usage 176 > limit(Normal) 160
  const waiter = manager.acquireAsync("big", memory(40, "High"), { owner: "d" }) // waits: 176 + 40 > 200
  expect(manager.getResourceStats("Memory").waiting).toBe(1)
  first.release() // its block is free again; usage stays 176
  const pooled = manager.acquire("p", memory(8)) // that block: admitted past the waiter, over limit(Normal)
  expect(() => manager.acquire("p", memory(8))).toThrow() // ResourceBusy: the name is held
  expect(manager.getResourceStats("Memory")).toMatchObject({ waiting: 1, currentUsage: 176 })
  critical.release() // 16 + 40 fits: granted
  const big = await waiter
  big.release()
  pooled.release()
  const hardware = manager.pools.createPool({ type: "Hardware", blockSize: 4, initialCount: 1, maxCount: 2 })
  expect(hardware.ok).toBe(true)
  manager.acquire("h", { type: "Hardware", sizeBytes: 4 }).release()
  expect(manager.pools.destroyPool("Hardware", 4).ok).toBe(true)
  manager.close() // "kept" leaks: a pooled resource
  void kept
  return lines
}

/** Growth refused (it would pass limit(Normal)): the acquisition falls back to a charged one, then a trim. */
const refusedGrowth = (): Array<string> => {
  const lines: Array<string> = []
  const manager = createResourceManager({
    ...quiet,
    budgets: { Memory: budget(100) },
    pools: [{ type: "Memory", blockSize: 32, initialCount: 1, maxCount: 4 }],
    trace: { sink: (line) => lines.push(line), drivers: ["app"], types: ["Memory"] }
  })
  const a = manager.acquire("a", memory(32)) // the block
  const b = manager.acquire("b", memory(40)) // not pooled: 72
  // growth refused, the default step (96) and then one block (72 + 32 > 100): from the heap, charged 20: 92
  const c = manager.acquire("c", memory(20))
  c.release()
  b.release()
  a.release()
  manager.close()
  return lines
}

describe("traces of a manager with pools", () => {
  test("the initial capacity is one PoolGrow line after the header; a pooled request is AcquirePooled", () => {
    const lines = parse(initialBlocks())
    expect(lines[0]).toMatchObject({ action: "Init", format: 2 })
    expect(lines[1]).toMatchObject({ action: "PoolGrow", type: "Memory", bytes: 32, usage: { Memory: 32 } })
    expect(lines[2]).toMatchObject({ action: "Acquire", req: 1, usage: { Memory: 332 } })
    expect(lines[3]).toMatchObject({ action: "AcquirePooled", req: 2, size: 16, usage: { Memory: 332 } })
    expect(lines.some((line) => line.action === "PoolTrim" && line.bytes === 32)).toBe(true)
    const pooled = parse(noInitialBlocks())
    expect(pooled.map((line) => line.action)).toEqual([
      "Init",
      "Acquire",
      "PoolGrow",
      "AcquirePooled",
      "Release",
      "Release",
      "Close"
    ])
  })

  test("every trace of a manager with pools is a behaviour of the model (TLC)", async () => {
    const traces = {
      "initial-blocks": initialBlocks(),
      "no-initial-blocks": noInitialBlocks(),
      "runtime-pools": await runtimePools(),
      "refused-growth": refusedGrowth()
    }
    const runtime = parse(traces["runtime-pools"])
    expect(runtime.filter((line) => line.action === "AcquirePooled").length).toBeGreaterThanOrEqual(3)
    expect(runtime.some((line) => line.action === "PoolTrim")).toBe(true)
    const jar = findJar()
    if (jar === undefined) {
      console.log(skipLine("traces of a manager with pools"))
      return
    }
    const dir = mkdtempSync(join(tmpdir(), "trace-pools-"))
    const paths = Object.entries(traces).map(([name, lines]) => {
      const path = join(dir, `${name}.ndjson`)
      writeFileSync(path, `${lines.join("\n")}\n`)
      return path
    })
    const result = await validateTraces(jar, paths)
    for (const { path, verdict } of result.verdicts) {
      if (!verdict.ok) console.log(report(path, verdict))
      expect(verdict.ok).toBe(true)
    }
  }, 120_000)
})
