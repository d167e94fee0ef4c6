/**
 * What the facade's common acquisition allocates: its ref, and nothing else (plus the payload's own
 * `Uint8Array` when a Memory resource has no pool block). docs/manager.md ("The common acquisition in one step",
 * "Allocations per acquisition") says the one step allocates nothing beyond the ref; a change that adds an object
 * or a closure environment per acquisition (or per release) fails here, not only in `bench/allocations.ts`.
 *
 * The count is JavaScriptCore's count of heap cells by kind (`heapStats()` of `bun:jsc`) before and after 200
 * acquisitions, after a full collection, less what a count allocates itself. The figure is the same in every
 * tier, the interpreter's included (the path allocates nothing that the optimizing tier would have to sink), so it
 * does not depend on when the JIT compiles. A collection during the 200 ops could only lower a count, so each
 * case takes the largest of three counts.
 */
import { describe, expect, test } from "bun:test"
import { createResourceManager, type ResourceManagerConfig } from "../src/index.ts"
import { type Cells, startCellCount } from "./support/cell-counts.ts"

const OPS = 200

/** The cells `op` allocates per call, by kind (`Structure`s left out: they are the engine's shapes, made once). */
const cellsPerOp = (op: () => unknown): Cells => {
  for (let i = 0; i < 2_000; i++) op()
  const largest: Cells = {}
  for (let sample = 0; sample < 3; sample++) {
    const end = startCellCount()
    for (let i = 0; i < OPS; i++) op()
    for (const [kind, perOp] of Object.entries(end(OPS))) {
      if (perOp > (largest[kind] ?? 0)) largest[kind] = perOp
    }
  }
  return largest
}

const budgets: ResourceManagerConfig["budgets"] = {
  Memory: { maxBytes: 64 * 1024 * 1024, reservedBytes: 1024 * 1024, warningPercent: 75, criticalPercent: 90 }
}
const memory = { type: "Memory", sizeBytes: 4096 } as const
const hardware = { type: "Hardware", sizeBytes: 1 } as const

/** An acquisition, its payload read and its release, through the facade of a manager made from `config`. */
const cycle = (config: ResourceManagerConfig, metadata: typeof memory | typeof hardware, name: string) => {
  const manager = createResourceManager({ ...config, onLeaks: () => {} })
  let sink: unknown
  return () => {
    const ref = manager.acquire(name, metadata)
    sink = ref.payload
    ref.release()
    return sink
  }
}

/**
 * The kinds of `cells` with at least a tenth of a cell per op, to a tenth (what the runtime allocates now and then
 * on its own, a microtask of the manager's clock once per burst, is far below that).
 */
const made = (cells: Cells): Cells =>
  Object.fromEntries(
    Object.entries(cells)
      .filter(([, perOp]) => perOp >= 0.1)
      .map(([kind, perOp]) => [kind, Math.round(perOp * 10) / 10])
  ) as Cells

describe("the facade's common acquisition allocates its ref and nothing else", () => {
  test("a pooled 4 KiB block under a budget, unnamed and named", () => {
    const pooled = { budgets, pools: [{ type: "Memory" as const, blockSize: 4096, initialCount: 64, maxCount: 64 }] }
    expect(made(cellsPerOp(cycle(pooled, memory, "")))).toEqual({ Object: 1 })
    expect(made(cellsPerOp(cycle(pooled, memory, "texture")))).toEqual({ Object: 1 })
  })

  test("a Hardware resource without a budget", () => {
    expect(made(cellsPerOp(cycle({}, hardware, "")))).toEqual({ Object: 1 })
  })

  test("a Memory resource under a budget without a pool: the ref and its Uint8Array", () => {
    const cells = made(cellsPerOp(cycle({ budgets }, memory, "")))
    expect(cells).toEqual({ Object: 1, Uint8Array: 1 })
  })

  test("a request that fills its limit exactly (usage + size = maxBytes - reservedBytes)", () => {
    // 4096 of 8192 bytes: under the warning level, so no pressure change is made either
    const exact = { Memory: { maxBytes: 8192, reservedBytes: 4096, warningPercent: 75, criticalPercent: 90 } }
    const cells = made(cellsPerOp(cycle({ budgets: exact }, memory, "")))
    expect(cells).toEqual({ Object: 1, Uint8Array: 1 })
  })
})
