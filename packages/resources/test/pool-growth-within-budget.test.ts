/**
 * A manager-served pool whose growth step the budget refuses grows by the most blocks the budget admits (at least
 * the one the request needs) before the request falls back to the heap (docs/semantics.md section 6). Before the
 * fix the step was refused whole: a 64 KiB pool under a budget with room for 3 more blocks asked for 8, was refused
 * and stayed at 1 block, and every later request went to the heap (reported by a new user). Each growth asked is
 * admitted like a NonBlocking request of Normal priority: the trace of such a run is a behaviour of the model
 * (RefusePoolGrow, then PoolGrow of less), checked with TLC against spec/Trace.tla.
 */
import { describe, expect, test } from "bun:test"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { findJar, skipLine } from "../../../scripts/internal/tlc.ts"
import { report, validateTraces } from "../../../scripts/spec-trace.ts"
import { createResourceManager } from "../src/index.ts"
import { budget, memory, parse, quiet } from "./support/trace-kit.ts"

const KIB64 = 65536

describe("a manager's pool grows within its budget's room", () => {
  test("budget room for 3 blocks, a step of 8: all three requests are served by the pool, none by the heap", () => {
    const manager = createResourceManager({
      ...quiet,
      budgets: { Memory: budget(4 * KIB64) },
      pools: [{ type: "Memory", blockSize: KIB64, initialCount: 1, maxCount: 16, name: "net" }]
    })
    const refs = [0, 1, 2].map(() => manager.acquire("", memory(KIB64)))
    const stats = manager.pools.getPoolStats("Memory", KIB64)
    if (!stats.ok) throw stats.error
    expect(stats.value).toMatchObject({ totalBlocks: 4, usedBlocks: 3, failures: 0 })
    expect(manager.pools.routingStats()).toMatchObject({ hits: 3, exhaustedFallbacks: 0 })
    expect(refs.every((r) => r.payload instanceof Uint8Array && r.payload.byteLength === KIB64)).toBe(true)
    // the pool's capacity is the whole budget: the fourth block is pooled, a fifth request has no room
    expect(manager.getResourceStats("Memory").currentUsage).toBe(4 * KIB64)
    const fourth = manager.acquire("", memory(KIB64))
    expect(manager.pools.routingStats().hits).toBe(4)
    expect(() => manager.acquire("", memory(KIB64))).toThrow()
    expect(manager.getResourceStats("Memory").currentUsage).toBe(4 * KIB64)
    for (const r of [...refs, fourth]) r.release()
    manager.close()
  })

  test("no room for one block: the request falls back to the heap, charged as before", () => {
    const manager = createResourceManager({
      ...quiet,
      budgets: { Memory: budget(200) },
      pools: [{ type: "Memory", blockSize: 64, initialCount: 1, maxCount: 8 }]
    })
    const pooled = manager.acquire("", memory(64))
    const heap = manager.acquire("", memory(100)) // too big for the pool: 164
    const fallback = manager.acquire("", memory(32)) // the pool has no block, and 64 more do not fit: 196
    expect(manager.pools.routingStats()).toMatchObject({ hits: 1, misses: 1, exhaustedFallbacks: 1 })
    expect(manager.getResourceStats("Memory").currentUsage).toBe(196)
    for (const r of [pooled, heap, fallback]) r.release()
    manager.close()
  })

  test("the trace of a step cut down is a behaviour of the model (TLC)", async () => {
    const lines: Array<string> = []
    const manager = createResourceManager({
      ...quiet,
      budgets: { Memory: budget(124) },
      pools: [{ type: "Memory", blockSize: 8, initialCount: 1, maxCount: 16 }],
      trace: { sink: (line) => lines.push(line), drivers: ["app"], types: ["Memory"] }
    })
    const a = manager.acquire("a", memory(8)) // the initial block
    const b = manager.acquire("b", memory(80)) // not pooled: 88
    // a step of 8 blocks (64 B) refused; 1 block (96), 4 more refused (128), 2 (112), 1 (120)
    const c = manager.acquire("c", memory(8))
    const more = ["d", "e", "f"].map((name) => manager.acquire(name, memory(8))) // the other blocks grown
    const g = manager.acquire("g", memory(4)) // no room for one block: charged, 124
    expect(manager.getResourceStats("Memory").currentUsage).toBe(124)
    for (const r of [g, ...more.reverse(), c, b, a]) r.release()
    manager.close()
    const actions = parse(lines).map((line) => `${line.action}${line.bytes === undefined ? "" : ` ${line.bytes}`}`)
    expect(actions).toEqual([
      "Init",
      "PoolGrow 8",
      "AcquirePooled",
      "Acquire",
      "RefusePoolGrow 64",
      "PoolGrow 8",
      "RefusePoolGrow 32",
      "PoolGrow 16",
      "PoolGrow 8",
      "AcquirePooled",
      "AcquirePooled",
      "AcquirePooled",
      "AcquirePooled",
      "RefusePoolGrow 64",
      "RefusePoolGrow 8",
      "Acquire",
      ...Array.from({ length: 7 }, () => "Release"),
      "Close"
    ])
    const jar = findJar()
    if (jar === undefined) {
      console.log(skipLine("the trace of a step cut down"))
      return
    }
    const dir = mkdtempSync(join(tmpdir(), "pool-growth-"))
    const path = join(dir, "step-cut-down.ndjson")
    writeFileSync(path, `${lines.join("\n")}\n`)
    const result = await validateTraces(jar, [path])
    for (const { path: p, verdict } of result.verdicts) {
      if (!verdict.ok) console.log(report(p, verdict))
      expect(verdict.ok).toBe(true)
    }
  }, 120_000)
})
