/**
 * The benchmark harness: runs every bench/*.bench.ts file under the current runtime.
 *
 * - Files that export `variants` (the pool benches): each variant runs in a fresh process (so that one
 *   variant's JIT state cannot skew the next), `--trials` times (default 3); the report is the median of the
 *   per-trial medians in ns per alloc+free pair, its ratio to the floor (the minimal free list), the
 *   bookkeeping bytes per block, and the issue's targets. A row that measures the floor beside itself in the
 *   same process (pool.bench.ts's interleaved rows) prints that floor and the ratio of each trial, and its ratio
 *   is the median of those: "BlockPool by index <= 2x floor" is judged on the worst trial of the one-pair row.
 * - Other files are standalone mitata scripts: each runs once in its own process (with `--json` passed on);
 *   their output is shown as is, or carried in the JSON under `standalone`.
 *
 *   bun bench/run.ts [--json] [--trials N] [--filter TEXT] [--no-standalone]
 *
 * @module
 */
import { spawnSync } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"
import { cpus, loadavg } from "node:os"
import { fileURLToPath } from "node:url"
import { exitWithUsageIfAsked, median, runTrials, timeOp, trialsOption } from "./internal/fresh-process.ts"
import type { Variant, WithFloor } from "./internal/variant.ts"
import { INTERLEAVED, INTERLEAVED_FOUR } from "./pool.bench.ts"

interface TrialResult {
  readonly ns: number
  readonly bookkeeping?: number
  /** A row measured beside its own floor: that floor's ns and the ratio, per trial. */
  readonly floorNs?: number
  readonly ratio?: number
}

interface VariantResult {
  readonly file: string
  readonly name: string
  readonly medianNs: number
  readonly ratioToFloor: number
  readonly trialsNs: ReadonlyArray<number>
  /** A row measured beside its own floor: the floor's ns and the ratio of each trial (ratioToFloor is their median). */
  readonly trialsFloorNs?: ReadonlyArray<number>
  readonly trialsRatio?: ReadonlyArray<number>
  readonly bookkeepingBytesPerBlock?: number
}

const here = fileURLToPath(new URL(".", import.meta.url))
const self = fileURLToPath(import.meta.url)
const args = process.argv.slice(2)
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}

const loadVariants = async (file: string): Promise<ReadonlyArray<Variant>> =>
  ((await import(`${here}${file}`)) as { variants: ReadonlyArray<Variant> }).variants

const runChild = async (file: string, index: number): Promise<void> => {
  const variant = (await loadVariants(file))[index]
  if (variant === undefined) throw new Error(`no variant ${index} in ${file}`)
  let measured: number | WithFloor
  if (variant.measure !== undefined) measured = await variant.measure()
  else if (variant.setup !== undefined) measured = await timeOp(await variant.setup())
  else throw new Error(`variant ${variant.name} has neither setup nor measure`)
  const result: TrialResult = {
    ...(typeof measured === "number" ? { ns: measured } : measured),
    ...(variant.bookkeepingBytesPerBlock === undefined ? {} : { bookkeeping: variant.bookkeepingBytesPerBlock() })
  }
  process.stdout.write(`${JSON.stringify(result)}\n`)
  process.exit(0)
}

interface MitataRun {
  readonly name?: string
  readonly stats?: { readonly avg: number; readonly p50: number; readonly min: number; readonly max: number }
}
interface MitataReport {
  readonly benchmarks: ReadonlyArray<{ readonly alias: string; readonly runs: ReadonlyArray<MitataRun> }>
}

const isMitataReport = (u: unknown): u is MitataReport =>
  typeof u === "object" && u !== null && Array.isArray((u as { benchmarks?: unknown }).benchmarks)

/** mitata's JSON carries every sample (megabytes): keep each benchmark's avg, p50, min and max in ns. */
const summarizeMitata = (report: MitataReport) =>
  report.benchmarks.flatMap((b) =>
    b.runs.flatMap((run) =>
      run.stats === undefined
        ? []
        : [
            {
              name: run.name !== undefined && run.name !== b.alias ? `${b.alias} ${run.name}` : b.alias,
              avgNs: run.stats.avg,
              p50Ns: run.stats.p50,
              minNs: run.stats.min,
              maxNs: run.stats.max
            }
          ]
    )
  )

/** A standalone file's stdout: one JSON document (mitata's is summarized), JSON lines, or text. */
const parseOutput = (stdout: string): unknown => {
  try {
    const parsed: unknown = JSON.parse(stdout)
    return isMitataReport(parsed) ? summarizeMitata(parsed) : parsed
  } catch {
    try {
      return stdout
        .trim()
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => {
          const parsed: unknown = JSON.parse(line)
          return isMitataReport(parsed) ? summarizeMitata(parsed) : parsed
        })
    } catch {
      return stdout
    }
  }
}

const runtime = (): string => {
  const versions = process.versions as Record<string, string | undefined>
  if (versions.bun !== undefined) return `bun ${versions.bun}`
  if (versions.deno !== undefined) return `deno ${versions.deno}`
  return `node ${process.versions.node}`
}

const main = async (): Promise<void> => {
  const json = args.includes("--json")
  const trials = trialsOption(flag("--trials"), 3)
  const filter = flag("--filter")
  const log = (line: string) => {
    if (!json) process.stdout.write(`${line}\n`)
    else process.stderr.write(`${line}\n`)
  }
  const all = readdirSync(here)
    .filter((f) => f.endsWith(".bench.ts"))
    .sort((a, b) => (a === "pool.bench.ts" ? -1 : b === "pool.bench.ts" ? 1 : a.localeCompare(b)))
  const hasVariants = (f: string) => /export const variants\b/.test(readFileSync(`${here}${f}`, "utf8"))
  const files = all.filter(hasVariants)
  const standaloneFiles = args.includes("--no-standalone")
    ? []
    : all.filter((f) => !hasVariants(f) && (filter === undefined || f.includes(filter)))
  const loadAtStart = loadavg()
  log(`${runtime()}, ${trials} trial(s) per variant, each in a fresh process; ns per alloc+free pair (median)`)
  log(`load average at start: ${loadAtStart.map((x) => x.toFixed(2)).join(", ")} (${cpus().length} CPUs)`)
  const results: VariantResult[] = []
  let floorNs = Number.NaN
  for (const file of files) {
    const variants = await loadVariants(file)
    for (let index = 0; index < variants.length; index++) {
      const name = (variants[index] as Variant).name
      if (filter !== undefined && !name.includes(filter) && !name.startsWith("floor")) continue
      const samples = runTrials<TrialResult>(self, ["--child", file, String(index)], trials)
      const trialsNs = samples.map((s) => s.ns)
      const medianNs = median(trialsNs)
      if (name.startsWith("floor")) floorNs = medianNs
      const bookkeeping = samples[0]?.bookkeeping
      // a row measured beside its own floor (same process) is judged by its own ratios, not the floor row's
      const own = samples.every((s) => s.ratio !== undefined && s.floorNs !== undefined)
      const trialsRatio = own ? samples.map((s) => s.ratio as number) : undefined
      const trialsFloorNs = own ? samples.map((s) => s.floorNs as number) : undefined
      const result: VariantResult = {
        file,
        name,
        medianNs,
        ratioToFloor: trialsRatio === undefined ? medianNs / floorNs : median(trialsRatio),
        trialsNs,
        ...(trialsRatio === undefined || trialsFloorNs === undefined ? {} : { trialsFloorNs, trialsRatio }),
        ...(bookkeeping === undefined ? {} : { bookkeepingBytesPerBlock: bookkeeping })
      }
      results.push(result)
      log(
        `${name.padEnd(72)} ${medianNs.toFixed(2).padStart(10)} ns  ${result.ratioToFloor.toFixed(2).padStart(8)}× floor  [${trialsNs.map((x) => x.toFixed(2)).join(", ")}]`
      )
      if (trialsRatio !== undefined && trialsFloorNs !== undefined) {
        log(
          `${"  its own floor, same process; ratio per trial".padEnd(72)} ${median(trialsFloorNs).toFixed(2).padStart(10)} ns  [${trialsFloorNs.map((x) => x.toFixed(2)).join(", ")}]  ratios [${trialsRatio.map((x) => x.toFixed(2)).join(", ")}]`
        )
      }
    }
  }
  const standalone: Array<{ readonly file: string; readonly exitCode: number | null; readonly output: unknown }> = []
  for (const file of standaloneFiles) {
    log("")
    log(`== ${file} (standalone) ==`)
    const child = spawnSync(process.execPath, [`${here}${file}`, ...(json ? ["--json"] : [])], {
      encoding: "utf8",
      maxBuffer: 1 << 26
    })
    if (!json) log(child.stdout.trimEnd())
    if (child.status !== 0) log(`${file} exited with ${child.status}: ${child.stderr.trim()}`)
    standalone.push({ file, exitCode: child.status, output: parseOutput(child.stdout) })
  }
  const find = (prefix: string) => results.find((r) => r.name.startsWith(prefix))
  const ratio = (prefix: string) => find(prefix)?.ratioToFloor ?? Number.NaN
  const ns = (prefix: string) => find(prefix)?.medianNs ?? Number.NaN
  // the alternatives all hand out a 4096-byte buffer: BlockPool is judged by its row that gets one (the view)
  const withView = ns("BlockPool alloc+view+free")
  // throughput by wall time (all pairs of all workers over the run's wall time), not summed batch speeds
  const oneWorker = ns("SharedBlockPool, 1 worker")
  const twoWorkers = ns("SharedBlockPool, 2 workers")
  const slowestAlternativeSpeedup = Math.min(
    ...["new ArrayBuffer", "generic-pool", "tarn", "Effect Pool: Effect.scoped", "Effect Pool: Pool.use"].map(
      (p) => ns(p) / withView
    )
  )
  // the worst trial of a row measured beside its own floor
  const worstTrial = (name: string) => {
    const ratios = results.find((r) => r.name === name)?.trialsRatio
    return ratios === undefined ? Number.NaN : Math.max(...ratios)
  }
  const targets = [
    {
      target:
        "BlockPool by index <= 2x floor in every trial (interleaved with the floor in one process; the worst trial)",
      measured: worstTrial(INTERLEAVED),
      limit: 2,
      atMost: true
    },
    {
      target: "the same, 4 pairs per loop iteration (the JIT folds the floor's back-to-back pairs; the worst trial)",
      measured: worstTrial(INTERLEAVED_FOUR),
      limit: 2,
      atMost: true
    },
    {
      target: "BlockPool by index <= 2x floor (mitata, each in its own process; ratio of the medians)",
      // by its exact name: the interleaved rows' names start the same way
      measured: results.find((r) => r.name === "BlockPool alloc+free (index)")?.ratioToFloor ?? Number.NaN,
      limit: 2,
      atMost: true
    },
    {
      target: "BlockPool with cached view <= 10x floor",
      measured: ratio("BlockPool alloc+view"),
      limit: 10,
      atMost: true
    },
    {
      target:
        "BlockPool alloc+view+free >= 100x faster than new ArrayBuffer, generic-pool, tarn, Effect Pool (the least of them)",
      measured: slowestAlternativeSpeedup,
      limit: 100,
      atMost: false
    },
    {
      target: "SharedBlockPool 1 thread <= 30x floor",
      measured: ratio("SharedBlockPool alloc+free (1 thread)"),
      limit: 30,
      atMost: true
    },
    {
      target: "SharedBlockPool 2 workers >= 1.5x the throughput of 1 (wall time)",
      measured: oneWorker / twoWorkers,
      limit: 1.5,
      atMost: false
    }
  ].map((t) => ({
    ...t,
    // a target whose rows did not run (--filter) has no verdict: null, printed n/a
    measured: Number.isFinite(t.measured) ? t.measured : null,
    met: Number.isFinite(t.measured) ? (t.atMost ? t.measured <= t.limit : t.measured >= t.limit) : null
  }))
  const bookkeeping = Object.fromEntries(
    results.filter((r) => r.bookkeepingBytesPerBlock !== undefined).map((r) => [r.name, r.bookkeepingBytesPerBlock])
  )
  if (json) {
    const output = {
      runtime: runtime(),
      trials,
      unit: "ns per alloc+free pair",
      floorNs,
      variants: results,
      bookkeepingBytesPerBlock: bookkeeping,
      targets,
      cpus: cpus().length,
      loadAverage: { atStart: loadAtStart, atEnd: loadavg() },
      standalone
    }
    process.stdout.write(`${JSON.stringify(output, null, 2)}\n`)
    return
  }
  log("")
  log("bookkeeping bytes per block:")
  for (const [name, bytes] of Object.entries(bookkeeping)) log(`  ${name}: ${bytes}`)
  log("")
  log(
    `load average at end: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(", ")}`
  )
  log("targets:")
  for (const t of targets) {
    const verdict = t.met === null ? "n/a " : t.met ? "met " : "MISS"
    log(`  ${verdict}  ${t.target}: ${t.measured === null ? "n/a" : t.measured.toFixed(2)}`)
  }
}

exitWithUsageIfAsked(import.meta.url)
if (args[0] === "--child") await runChild(args[1] ?? "", Number(args[2]))
else await main()
