/**
 * The manager on a user's workload, in one run with its baselines: a Memory budget, a pool of 64 blocks of
 * 4 KiB, one 4 KiB buffer acquired, its payload read, and released — through the plain facade, the Effect
 * service (scoped acquire + `get`, and `use`), Effect's own `Pool` (scoped `Pool.get` and `Pool.use`),
 * generic-pool and tarn on the same 4 KiB buffers; named and unnamed; plus the heap (non-pooled) path against
 * a bare `new Uint8Array(4096)`, the no-op case (no budget, a 1-byte Hardware resource), and that no-op acquisition
 * made around the same bare allocation (what bounds the heap target).
 *
 * Each variant runs in a fresh process, `--trials` times (default 5), interleaved: trial 1 of every variant,
 * then trial 2 of every variant, and so on, so that a change in the machine's load falls on every variant of a
 * round alike. Within a round the two sides of each ratio target run one right after the other (the baseline,
 * then the variant; a baseline shared by two targets, then both variants), and every other round runs in the
 * reverse order, so that neither side is always the one that runs first. (Until 2026-11-29 "facade pooled"
 * ran before its baseline `Pool.use` in the rounds this says run the baseline first: its absolute target,
 * listed first, placed it.) The report is the median of the trials' p50s (ns per acquire+release), the machine's load, and
 * each ratio target as the median of its per-round ratios (a round's two figures were taken seconds apart), with
 * the ratio of the medians beside it. Below the targets, marked `info`, the ratios that bound one
 * (`workloadContext`), measured in the same rounds and not judged.
 *
 * A shared machine's speed changes from one process to the next: on the 2-core machine this bench was written on,
 * the same code ran at one speed in some processes and up to about twice as slow in others, in spells of seconds.
 * The `reference` row (a fixed arithmetic loop, no allocation, nothing of this project) shows that speed per
 * round: a round whose reference is slow ran slow for every variant in it.
 *
 * Every child first builds the same things, whichever variant it times: our two Layers and Effect's `Pool`
 * (`prepareWorkloadProcess`: a runtime that has built a Layer compiles Effect's per-fiber context cache differently,
 * so the two sides of a ratio must have built the same). Each variant is timed in two settings: in a fresh runtime
 * (the child times the variant right after that setup), and in a busy one (the child then runs a fixed mix of
 * everyday Effect programs, `internal/busy-runtime.ts`, as an application's runtime has before it hands out a
 * buffer). Rounds interleave the settings too.
 *
 *   bun bench/workload.bench.ts [--json] [--trials N] [--filter TEXT] [--runtime fresh|busy|both]
 *
 * @module
 */
import { cpus, loadavg } from "node:os"
import { fileURLToPath } from "node:url"
import {
  benchArgs,
  benchOptions,
  exitWithUsageIfAsked,
  flagOf,
  median,
  runChildIfAsked,
  runTrials
} from "./internal/fresh-process.ts"
import { BUSY_RUNTIME, prepareChild } from "./internal/variant-sets.ts"
import {
  BLOCK,
  BLOCKS,
  workloadContext as context,
  runOrder,
  workloadTargets as targets,
  workloadVariants as variants,
  type WorkloadFigure
} from "./internal/workload-variants.ts"

const self = fileURLToPath(import.meta.url)
exitWithUsageIfAsked(import.meta.url)
await runChildIfAsked(variants, () => prepareChild("workload", benchArgs.includes(BUSY_RUNTIME)))
{
  const { json, trials, filter, log } = benchOptions(5)
  const runtime = flagOf("--runtime") ?? "both"
  if (runtime !== "fresh" && runtime !== "busy" && runtime !== "both") {
    throw new Error(`--runtime takes fresh, busy or both, not ${runtime}`)
  }
  const settings = (["fresh", "busy"] as const).filter((setting) => runtime === "both" || runtime === setting)
  const loadAtStart = loadavg()
  log(
    `workload: ${BLOCKS} blocks of ${BLOCK} B, Memory budget; ${trials} trial(s) per variant and runtime (${settings.join(", ")}), each in a fresh process`
  )
  log(`load average at start: ${loadAtStart.map((x) => x.toFixed(2)).join(", ")} (${cpus().length} CPUs)`)
  const chosen = variants.flatMap((variant, index) =>
    filter !== undefined && !variant.name.includes(filter) ? [] : [{ name: variant.name, index }]
  )
  const order = runOrder(
    chosen.map((v) => v.name),
    [...targets, ...context]
  )
  const childArgs = (index: number, setting: "fresh" | "busy") =>
    setting === "busy" ? ["--child", String(index), BUSY_RUNTIME] : ["--child", String(index)]
  // rounds[setting][trial][variant]: every variant in every setting once per round
  const rounds = settings.map(() => [] as Array<Array<number>>)
  for (let trial = 0; trial < trials; trial++) {
    settings.forEach((setting, s) => {
      const round: Array<number> = chosen.map(() => Number.NaN)
      for (const i of trial % 2 === 0 ? order : [...order].reverse()) {
        const v = chosen[i] as { index: number }
        round[i] = (runTrials<{ ns: number }>(self, childArgs(v.index, setting), 1)[0] as { ns: number }).ns
      }
      rounds[s]?.push(round)
    })
  }
  const report = settings.map((setting, s) => {
    const settingRounds = rounds[s] ?? []
    const results = chosen.map((v, i) => {
      const trialsNs = settingRounds.map((round) => round[i] as number)
      return { name: v.name, medianNs: median(trialsNs), trialsNs }
    })
    const row = (name: string) => results.find((r) => r.name === name)
    const measurable = (f: WorkloadFigure) =>
      row(f.of) !== undefined && (f.over === undefined || row(f.over) !== undefined)
    // the median of the rounds' ratios (or the median ns), and the ratio of the medians
    const measure = (f: WorkloadFigure) => {
      const of = row(f.of)
      const over = f.over === undefined ? undefined : row(f.over)
      if (over === undefined) {
        const ns = of?.medianNs ?? Number.NaN
        return { measured: ns, ofMedians: ns }
      }
      const ratios = settingRounds.map((_, k) => (of?.trialsNs[k] ?? Number.NaN) / (over.trialsNs[k] ?? Number.NaN))
      return { measured: median(ratios), ofMedians: (of?.medianNs ?? Number.NaN) / over.medianNs }
    }
    const checked = targets.filter(measurable).map((t) => {
      const { measured, ofMedians } = measure(t)
      return { target: t.what, measured, ofMedians, met: measured <= t.limit }
    })
    const shown = context.filter(measurable).map((c) => ({ figure: c.what, ...measure(c) }))
    return { runtime: setting, variants: results, targets: checked, context: shown }
  })
  const loadAtEnd = loadavg()
  if (json) {
    const output = { unit: "ns per acquire+release (p50)", trials, settings: report, cpus: cpus().length }
    process.stdout.write(
      `${JSON.stringify({ ...output, loadAverage: { atStart: loadAtStart, atEnd: loadAtEnd } }, null, 2)}\n`
    )
  } else {
    for (const { runtime: setting, variants: results, targets: checked, context: shown } of report) {
      log(`${setting} runtime:`)
      for (const r of results) {
        log(
          `  ${r.name.padEnd(56)} ${r.medianNs.toFixed(1).padStart(9)} ns  [${r.trialsNs.map((x) => x.toFixed(1)).join(", ")}]`
        )
      }
      log(`  targets, ${setting} runtime (median of the rounds' ratios; ratio of the medians in brackets):`)
      for (const t of checked) {
        log(`    ${t.met ? "met " : "MISS"}  ${t.target}: ${t.measured.toFixed(2)} (${t.ofMedians.toFixed(2)})`)
      }
      for (const c of shown) log(`    info  ${c.figure}: ${c.measured.toFixed(2)} (${c.ofMedians.toFixed(2)})`)
    }
    log(`load average at end: ${loadAtEnd.map((x) => x.toFixed(2)).join(", ")}`)
  }
}
