/**
 * Heap cells allocated per op: the same variants as bench/workload.bench.ts (and the rows of
 * bench/fast-path-profile.bench.ts), each in a fresh Bun process. The child runs the op 30,000 times (so that
 * the optimizing tiers have compiled it, and sunk what they can sink), then, five times over: a full
 * collection, JavaScriptCore's count of the heap's cells by kind (`heapStats()` of `bun:jsc`), 200 ops, and the
 * count again. No collection runs between the two counts at that size, so the difference is what 200 ops
 * allocated (less what a count allocates itself, measured by two counts in a row); the report is the median of
 * the five, per op, by kind.
 *
 * Why: an allocation costs more time than its instructions show (a small object made per op cost about 15 ns
 * on the machine this was written on, collections included), and the count is exact and does not depend on the
 * machine's load. (On the Effect path, the larger hidden cost is the instruction cache: docs/manager.md, "A fresh
 * runtime and a busy one".)
 * A `JSLexicalEnvironment` is the environment of a function that makes a closure: JavaScriptCore allocates it
 * on every call of that function, the calls that do not make the closure too, unless the optimizing tier sinks it.
 *
 * Bun only (`bun:jsc`); not part of `npm test`.
 *
 * How much the optimizing tier sinks differs from one process to the next (the same op allocated 15 cells per
 * op in one process and 23 in another), so each variant runs in `--trials` processes (default 3).
 *
 *   bun bench/allocations.ts [--json] [--set workload|fast-path] [--filter TEXT] [--trials N] [--busy-runtime]
 *
 * @module
 */

import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { type Cells, startCellCount } from "../packages/resources/test/support/cell-counts.ts"
import { benchArgs, benchOptions, exitWithUsageIfAsked, flagOf, median } from "./internal/fresh-process.ts"
import {
  BUSY_RUNTIME as BUSY,
  childArgs,
  childRunOf,
  isVariantSetName,
  variantSets as sets,
  variantLoop
} from "./internal/variant-sets.ts"

exitWithUsageIfAsked(import.meta.url)

/** Warm-up ops, ops per count, and counts per child. */
const WARM_UP = 30_000
const OPS = 200
const COUNTS = 5

/** What a child prints: cells per op by kind (`startCellCount`'s kinds). */
interface ChildCells {
  readonly total: number
  readonly byKind: Cells
}

/** In a child: warms the op up, counts its allocations `COUNTS` times, prints the median per op. */
const runChild = async (set: Parameters<typeof variantLoop>[0], index: number, busy: boolean): Promise<void> => {
  const loop = variantLoop(set, index, busy)
  await loop(WARM_UP)
  const samples: Array<Cells> = []
  for (let k = 0; k < COUNTS; k++) {
    const end = startCellCount()
    await loop(OPS)
    samples.push(end(OPS))
  }
  const kinds = [...new Set(samples.flatMap((s) => Object.keys(s)))]
  const byKind: Cells = {}
  for (const kind of kinds) {
    const perOp = median(samples.map((s) => s[kind] ?? 0))
    if (perOp >= 0.05) byKind[kind] = perOp
  }
  const total = median(samples.map((s) => Object.values(s).reduce((sum, x) => sum + x, 0)))
  const result: ChildCells = { total, byKind }
  process.stdout.write(`${JSON.stringify(result)}\n`)
  process.exit(0)
}

const child = childRunOf(benchArgs)
if (child !== undefined) await runChild(child.set, child.index, child.busy)

const self = fileURLToPath(import.meta.url)
const { json, filter, log, trials } = benchOptions(3)
const setName = flagOf("--set") ?? "workload"
if (!isVariantSetName(setName)) throw new Error(`--set takes ${Object.keys(sets).join(" or ")}, not ${setName}`)
const busy = benchArgs.includes(BUSY)
/** One variant's processes: each one's count, and the process whose total is the median. */
const rows: Array<{ readonly name: string; readonly totals: ReadonlyArray<number>; readonly median: ChildCells }> = []
sets[setName].forEach((variant, index) => {
  if (filter !== undefined && !variant.name.includes(filter)) return
  const args = childArgs({ set: setName, index, ops: OPS, busy })
  const runs: Array<ChildCells> = []
  for (let t = 0; t < trials; t++) {
    const run = spawnSync(process.execPath, [self, ...args], { encoding: "utf8", maxBuffer: 1 << 24 })
    const line = run.stdout.trim().split("\n").pop() ?? ""
    if (run.status !== 0 || !line.startsWith("{")) {
      throw new Error(`${variant.name} failed (exit ${run.status}):\n${run.stderr}\n${run.stdout}`)
    }
    runs.push(JSON.parse(line) as ChildCells)
  }
  const sorted = [...runs].sort((a, b) => a.total - b.total)
  const middle = sorted[(sorted.length - 1) >> 1] as ChildCells
  rows.push({ name: variant.name, totals: runs.map((r) => r.total), median: middle })
})
if (json) {
  process.stdout.write(`${JSON.stringify({ unit: "heap cells per op", set: setName, busy, trials, rows }, null, 2)}\n`)
} else {
  log(
    `${setName}${busy ? " (busy runtime)" : ""}: heap cells allocated per op, ${trials} process(es) per variant ` +
      `(each the median of ${COUNTS} counts of ${OPS} ops); the median process's cells by kind`
  )
  for (const row of rows) {
    const kinds = Object.entries(row.median.byKind)
      .sort((a, b) => b[1] - a[1])
      .map(([kind, perOp]) => `${kind} ${perOp.toFixed(1)}`)
      .join(", ")
    const totals = row.totals.map((x) => x.toFixed(0)).join(", ")
    log(`  ${row.name.padEnd(56)} ${row.median.total.toFixed(1).padStart(6)}  [${totals}]  (${kinds})`)
  }
}
