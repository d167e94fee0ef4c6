/**
 * Where the time of the facade's fast path goes (a request that fits, nobody waiting): the same acquire +
 * release built up one step at a time from the core's own pieces, each step a variant of its own, so the
 * difference between two neighbouring rows is what the added step costs.
 *
 * | row | adds |
 * | --- | --- |
 * | validate | options, name, owner and metadata validation, the request object |
 * | + admit/release, no budget | the state machine: slot, counters, release (a 1-byte Hardware resource) |
 * | + budget | a Memory budget: the fit check, usage, peak and the pressure level (a 4 KiB heap resource) |
 * | + pool block | a 4 KiB pool of 64 blocks: routing, block alloc and free |
 * | + ref | the `ResourceRef` object and release through it |
 * | + payload view | reading `ref.payload` (the block's view) |
 * | one step | `Core.acquireAtOnce` (admission + ref in one call) + the payload view: an alternative to the rows above, its step over "+ payload view" |
 * | facade | `manager.acquire(...)`, `ref.payload`, `ref.release()`: the front end's own work, its step over "+ payload view" |
 *
 * Each variant runs in a fresh process, `--trials` times (default 3); the report gives each row's fastest and
 * median trial (a trial's figure is mitata's p50, ns per acquire+release) and each row's increment over the row
 * it builds on (the row above, or the one named in the "over" column), on the fastest trials: the JIT does not
 * make the same code in every process, and on a shared machine the fastest trial is the one least disturbed, so
 * the steps are read from those. The steps are docs/manager.md's ("Where the time of the fast path goes").
 *
 *   bun bench/fast-path-profile.bench.ts [--json] [--trials N]
 *
 * @module
 */

import { cpus, loadavg } from "node:os"
import { fileURLToPath } from "node:url"
import { fastPathRows as rows } from "./internal/fast-path-rows.ts"
import { exitWithUsageIfAsked, median, runTrials, timeOp, trialsOption } from "./internal/fresh-process.ts"

const self = fileURLToPath(import.meta.url)
const args = process.argv.slice(2)
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}

exitWithUsageIfAsked(import.meta.url)
if (args[0] === "--child") {
  const row = rows[Number(args[1])]
  if (row === undefined) throw new Error(`no row ${args[1]}`)
  process.stdout.write(`${JSON.stringify({ ns: await timeOp(row.setup()) })}\n`)
} else {
  const trials = trialsOption(flag("--trials"), 3)
  const json = args.includes("--json")
  const loadAtStart = loadavg()
  const results = rows.map((row, index) => {
    const trialsNs = runTrials<{ readonly ns: number }>(self, ["--child", String(index)], trials).map((t) => t.ns)
    return { name: row.name, minNs: Math.min(...trialsNs), medianNs: median(trialsNs), trialsNs }
  })
  // each step is over the row above, or over the row the row names (the facade: over "+ payload view")
  const withSteps = results.map((r, i) => {
    const stepOver = rows[i]?.stepOver
    const base = stepOver === undefined ? results[i - 1] : results.find((b) => b.name === stepOver)
    if (stepOver !== undefined && base === undefined) throw new Error(`row ${r.name}: no row ${stepOver}`)
    return { ...r, stepOver: base?.name ?? null, stepNs: base === undefined ? r.minNs : r.minNs - base.minNs }
  })
  if (json) {
    console.log(JSON.stringify({ trials, cpus: cpus().length, loadAtStart, loadAtEnd: loadavg(), rows: withSteps }))
  } else {
    console.log(`fast-path profile: ${trials} trial(s) per row, each in a fresh process (${cpus().length} CPUs)`)
    console.log(`load average at start: ${loadAtStart.map((l) => l.toFixed(2)).join(", ")}`)
    console.log(
      `${"row".padEnd(40)} ${"min ns".padStart(8)} ${"median ns".padStart(10)} ${"step ns".padStart(8)}  ${"over".padEnd(26)}  trials`
    )
    for (const r of withSteps) {
      const trialsText = r.trialsNs.map((n) => n.toFixed(1)).join(", ")
      const over = r.stepOver === null ? "" : r.stepOver
      console.log(
        `${r.name.padEnd(40)} ${r.minNs.toFixed(1).padStart(8)} ${r.medianNs.toFixed(1).padStart(10)} ${r.stepNs.toFixed(1).padStart(8)}  ${over.padEnd(26)}  [${trialsText}]`
      )
    }
    console.log(
      `load average at end: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(", ")}`
    )
  }
}
