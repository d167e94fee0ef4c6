/**
 * The manager on a user's workload, in one run with its baselines: a Memory budget, a pool of 64 blocks of
 * 4 KiB, one 4 KiB buffer acquired, its payload read, and released — through the plain facade, the Effect
 * service (scoped acquire + `get`, and `use`), Effect's own `Pool` (scoped `Pool.get` and `Pool.use`),
 * generic-pool and tarn on the same 4 KiB buffers; named and unnamed; plus the heap (non-pooled) path against
 * a bare `new Uint8Array(4096)`, and today's no-op case (no budget, a 1-byte Hardware resource).
 *
 * Each variant runs in a fresh process, `--trials` times (default 3); the report is the median of the trials'
 * p50s (ns per acquire+release), the ratios the targets name, and the machine's load.
 *
 *   bun bench/workload.bench.ts [--json] [--trials N] [--filter TEXT]
 *
 * @module
 */
import { cpus, loadavg } from "node:os"
import { fileURLToPath } from "node:url"
import { benchOptions, median, runChildIfAsked, runTrials } from "./internal/fresh-process.ts"
import {
  BLOCK,
  BLOCKS,
  workloadTargets as targets,
  workloadVariants as variants
} from "./internal/workload-variants.ts"

const self = fileURLToPath(import.meta.url)
await runChildIfAsked(variants)
{
  const { json, trials, filter, log } = benchOptions()
  const loadAtStart = loadavg()
  log(
    `workload: ${BLOCKS} blocks of ${BLOCK} B, Memory budget; ${trials} trial(s) per variant, each in a fresh process`
  )
  log(`load average at start: ${loadAtStart.map((x) => x.toFixed(2)).join(", ")} (${cpus().length} CPUs)`)
  const results: Array<{ readonly name: string; readonly medianNs: number; readonly trialsNs: ReadonlyArray<number> }> =
    []
  variants.forEach((variant, index) => {
    if (filter !== undefined && !variant.name.includes(filter)) return
    const trialsNs = runTrials<{ ns: number }>(self, ["--child", String(index)], trials).map((t) => t.ns)
    const medianNs = median(trialsNs)
    results.push({ name: variant.name, medianNs, trialsNs })
    log(
      `${variant.name.padEnd(56)} ${medianNs.toFixed(1).padStart(9)} ns  [${trialsNs.map((x) => x.toFixed(1)).join(", ")}]`
    )
  })
  const ns = (name: string) => results.find((r) => r.name === name)?.medianNs ?? Number.NaN
  const checked = targets.map((t) => {
    const measured = t.over === undefined ? ns(t.of) : ns(t.of) / ns(t.over)
    return { target: t.what, measured, met: measured <= t.limit }
  })
  const loadAtEnd = loadavg()
  if (json) {
    const output = {
      unit: "ns per acquire+release (p50)",
      trials,
      variants: results,
      targets: checked,
      cpus: cpus().length
    }
    process.stdout.write(
      `${JSON.stringify({ ...output, loadAverage: { atStart: loadAtStart, atEnd: loadAtEnd } }, null, 2)}\n`
    )
  } else {
    log(`load average at end: ${loadAtEnd.map((x) => x.toFixed(2)).join(", ")}`)
    log("targets (ratios in this run):")
    for (const t of checked) log(`  ${t.met ? "met " : "MISS"}  ${t.target}: ${t.measured.toFixed(2)}`)
  }
}
