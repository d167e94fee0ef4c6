/**
 * The shared manager (`createSharedResourceManager`: one budget across worker threads, its ledger in a
 * SharedArrayBuffer) against the single-thread plain facade (`createResourceManager`), in one run, on the same
 * Memory budget and the same 4 KiB request; neither reads the payload (both make it lazily):
 * - uncontended NonBlocking acquire+release, unnamed (target: shared ≤ 3× the facade);
 * - the same, named (a name takes the shared manager's lock);
 * - a Blocking `acquireAsync` granted at once (and released);
 * - throughput of 2 workers against 1 on the same budget (target ≥ 1.6×): each worker attaches, warms up, waits
 *   at one barrier with the others, then runs a fixed number of acquire+release pairs. The figure is wall time
 *   (the first worker's start to the last worker's end) per pair of all workers; the per-batch figure beside
 *   it (each worker's median batch, so that time spent descheduled does not count) is shown for reference. The
 *   same runs with Bun's Workers and with Node's `worker_threads` (on the built packages, which the bench builds
 *   first with `tsc -b packages/resources`, refusing to run when that fails), since
 *   how far code that allocates scales across workers is the runtime's (docs/shared-manager.md, "Cost");
 * - the machine's ceiling for that ratio, in the same run: the same workers and pairs, each worker with a
 *   single-thread manager of its own (nothing shared), on Bun and on Node;
 * - the same single-thread pair and worker runs with leasing (`leaseBytes`: 1 MiB), where an admission that fits
 *   its thread's lease and a release back into it touch no word another thread uses.
 *
 * Each variant runs in a fresh process, `--trials` times (default 5: on a shared machine single trials of the
 * same code differ by up to 2×); the report is the median of the trials (ns per acquire+release; each
 * single-thread trial is mitata's p50, each worker trial the median of 3 rounds) and the best trial beside it,
 * then the ratios of the best trials (the least disturbed by other jobs; the verdicts are theirs) with the
 * ratios of the medians beside them, the machine's cores and its load.
 *
 *   bun bench/shared-manager.bench.ts [--json] [--trials N] [--filter TEXT]
 *
 * @module
 */
import { spawnSync } from "node:child_process"
import { cpus, loadavg } from "node:os"
import { fileURLToPath } from "node:url"
import { do_not_optimize } from "mitata"
import {
  createResourceManager,
  createSharedResourceManager,
  type ResourceManagerConfig
} from "../packages/resources/src/index.ts"
import {
  benchOptions,
  type ChildResult,
  exitWithUsageIfAsked,
  median,
  runChildIfAsked,
  runTrials
} from "./internal/fresh-process.ts"
import { scaling } from "./internal/scaling.ts"

const BLOCK = 4096
const memory = { type: "Memory", sizeBytes: BLOCK } as const
const budgets: ResourceManagerConfig["budgets"] = {
  Memory: { maxBytes: 64 * 1024 * 1024, reservedBytes: 1024 * 1024, warningPercent: 75, criticalPercent: 90 }
}
/** Acquire+release pairs per worker and round (after its warm-up), and rounds per trial. */
const WORKER_OPS = 250_000
const WORKER_ROUNDS = 3
/** The lease of the leased variants: 256 of the 4 KiB requests. */
const LEASE_BYTES = 1 << 20

const facade = () => createResourceManager({ budgets, onLeaks: () => {} })
// A worker's loop is synchronous for a second or so: its heartbeat must not be missed for that long.
const shared = (leaseBytes = 0) => createSharedResourceManager({ budgets, lostAfterMillis: 60_000, leaseBytes })

type Variant =
  | { readonly name: string; readonly setup: () => () => unknown; readonly measure?: undefined }
  | { readonly name: string; readonly measure: () => Promise<ChildResult> }

/** k workers on one shared manager: ns per pair by wall time (`ns`) and by median batches (`batchNs`). */
const workers =
  (k: number, leaseBytes = 0) =>
  async (): Promise<ChildResult> => {
    const manager = shared(leaseBytes)
    const result = await scaling(
      {
        kind: "shared-manager",
        buffer: manager.descriptor.buffer,
        descriptor: manager.descriptor,
        ops: WORKER_OPS,
        sizeBytes: BLOCK
      },
      k,
      WORKER_ROUNDS
    )
    const stats = manager.getResourceStats("Memory")
    const leaks = manager.close()
    // every worker did its pairs on this budget, and released them all
    if (stats.currentUsage !== 0 || stats.allocationCount !== stats.releaseCount || leaks.length !== 0) {
      throw new Error(`after the workers: ${JSON.stringify(stats)}, ${leaks.length} leak(s)`)
    }
    if (stats.allocationCount < k * WORKER_ROUNDS * WORKER_OPS) {
      throw new Error(`only ${stats.allocationCount} allocations by ${k} worker(s)`)
    }
    return { ns: result.wallNs, batchNs: result.batchNs }
  }

/**
 * k workers, each with a single-thread manager of its own (same budget, same pair, nothing shared): how far the
 * same work scales on this machine and runtime when no memory is shared at all, the ceiling of the shared
 * manager's scaling in this run.
 */
const ownFacadeWorkers = (k: number) => async (): Promise<ChildResult> => {
  const result = await scaling(
    { kind: "facade", buffer: new SharedArrayBuffer(8), ops: WORKER_OPS, sizeBytes: BLOCK, budgets },
    k,
    WORKER_ROUNDS
  )
  return { ns: result.wallNs, batchNs: result.batchNs }
}

/**
 * k Node `worker_threads` on one shared manager (`internal/node-scaling.mjs`, on the built package): the same
 * pairs, so that the scaling of the ledger can be told apart from the scaling of the runtime.
 */
const nodeWorkers = (k: number, kind: "shared" | "leased" | "facade") => async (): Promise<ChildResult> => {
  const script = fileURLToPath(new URL("./internal/node-scaling.mjs", import.meta.url))
  const args = [script, String(k), String(WORKER_OPS), String(WORKER_ROUNDS), kind]
  const run = spawnSync("node", args, { encoding: "utf8" })
  if (run.status !== 0) throw new Error(`node-scaling exited ${run.status}: ${run.stderr}`)
  return JSON.parse(run.stdout.trim().split("\n").pop() ?? "") as ChildResult
}

/** An op that acquires from `manager`, releases and consumes the ref (`asyncPair`: the acquisition is awaited). */
const pair =
  <M>(manager: M, acquire: (manager: M) => { release(): void }) =>
  (): unknown => {
    const ref = acquire(manager)
    ref.release()
    return do_not_optimize(ref)
  }
const asyncPair =
  <M>(manager: M, acquire: (manager: M) => Promise<{ release(): void }>) =>
  async (): Promise<unknown> => {
    const ref = await acquire(manager)
    ref.release()
    return do_not_optimize(ref)
  }

/** The name of the run of `k` workers of a kind (`runtime`: "" for Bun, ", Node"). */
const workerRun = (kind: string, k: number, runtime: string) =>
  `${kind}, ${k} worker${k === 1 ? "" : "s"} (wall${runtime})`

/** The 1-worker and 2-worker runs of a kind. */
const workerRuns = (
  kind: string,
  runtime: string,
  measure: (k: number) => () => Promise<ChildResult>
): ReadonlyArray<Variant> => [1, 2].map((k) => ({ name: workerRun(kind, k, runtime), measure: measure(k) }))

const variants: ReadonlyArray<Variant> = [
  { name: "facade acquire+release", setup: () => pair(facade(), (m) => m.acquire("", memory)) },
  { name: "shared acquire+release", setup: () => pair(shared(), (m) => m.acquire(memory)) },
  { name: "shared acquire+release, leased", setup: () => pair(shared(LEASE_BYTES), (m) => m.acquire(memory)) },
  { name: "facade acquire+release, named", setup: () => pair(facade(), (m) => m.acquire("tex", memory)) },
  { name: "shared acquire+release, named", setup: () => pair(shared(), (m) => m.acquire(memory, { name: "tex" })) },
  {
    name: "facade acquireAsync Blocking (granted at once)",
    setup: () => asyncPair(facade(), (m) => m.acquireAsync("", memory, { mode: "Blocking" }))
  },
  {
    name: "shared acquireAsync Blocking (granted at once)",
    setup: () => asyncPair(shared(), (m) => m.acquireAsync(memory, { mode: "Blocking" }))
  },
  ...workerRuns("shared acquire+release", "", (k) => workers(k)),
  ...workerRuns("shared leased", "", (k) => workers(k, LEASE_BYTES)),
  ...workerRuns("own facade per worker", "", ownFacadeWorkers),
  ...workerRuns("shared acquire+release", ", Node", (k) => nodeWorkers(k, "shared")),
  ...workerRuns("shared leased", ", Node", (k) => nodeWorkers(k, "leased")),
  ...workerRuns("own facade per worker", ", Node", (k) => nodeWorkers(k, "facade"))
]

/** A ratio the report prints: `of / over` (a throughput ratio when `throughput`: `over / of`). */
interface Ratio {
  readonly what: string
  readonly of: string
  readonly over: string
  readonly throughput?: boolean
  readonly batch?: boolean
  readonly target?: { readonly limit: number; readonly atMost: boolean }
}

/** The throughput of 2 workers of a kind over 1 (target ≥ 1.6× when `target`). */
const twoOverOne = (what: string, kind: string, runtime: string, target: boolean): Ratio => ({
  what: target ? `${what} (target ≥ 1.6×)` : what,
  of: workerRun(kind, 2, runtime),
  over: workerRun(kind, 1, runtime),
  throughput: true,
  ...(target ? { target: { limit: 1.6, atMost: false } } : {})
})

const ratios: ReadonlyArray<Ratio> = [
  {
    what: "shared / facade acquire+release (target ≤ 3×)",
    of: "shared acquire+release",
    over: "facade acquire+release",
    target: { limit: 3, atMost: true }
  },
  twoOverOne("2 workers / 1 worker throughput, wall time", "shared acquire+release", "", true),
  twoOverOne(
    "2 workers / 1 worker throughput on Node worker_threads, wall time",
    "shared acquire+release",
    ", Node",
    true
  ),
  {
    what: "leased / facade acquire+release (target ≤ 3×)",
    of: "shared acquire+release, leased",
    over: "facade acquire+release",
    target: { limit: 3, atMost: true }
  },
  twoOverOne("2 workers / 1 worker throughput, leased, wall time", "shared leased", "", true),
  twoOverOne("2 workers / 1 worker throughput, leased, on Node worker_threads", "shared leased", ", Node", true),
  twoOverOne(
    "the machine's ceiling: 2 / 1 workers, each with its own single-thread manager, nothing shared",
    "own facade per worker",
    "",
    false
  ),
  twoOverOne("the same ceiling on Node worker_threads", "own facade per worker", ", Node", false),
  {
    ...twoOverOne("2 workers / 1 worker throughput, median batches (reference)", "shared acquire+release", "", false),
    batch: true
  },
  { what: "shared / facade, named", of: "shared acquire+release, named", over: "facade acquire+release, named" },
  {
    what: "shared / facade, acquireAsync Blocking",
    of: "shared acquireAsync Blocking (granted at once)",
    over: "facade acquireAsync Blocking (granted at once)"
  }
]

const self = fileURLToPath(import.meta.url)
exitWithUsageIfAsked(import.meta.url)
await runChildIfAsked(variants)
{
  const { json, trials, filter, log } = benchOptions(5)
  // the Node rows run the built packages: build them first (incremental), so that a stale dist is never measured
  if (variants.some((v) => v.name.includes(", Node") && (filter === undefined || v.name.includes(filter)))) {
    const tsc = fileURLToPath(new URL("../node_modules/.bin/tsc", import.meta.url))
    const project = fileURLToPath(new URL("../packages/resources/tsconfig.json", import.meta.url))
    const build = spawnSync(tsc, ["-b", project], { encoding: "utf8" })
    if (build.status !== 0) {
      process.stderr.write(
        `shared-manager.bench: \`tsc -b packages/resources\` failed (exit ${build.status}), so the Node rows would measure a stale build; not running:\n${build.stdout}${build.stderr}\n`
      )
      process.exit(2)
    }
  }
  const cores = { hardwareConcurrency: globalThis.navigator?.hardwareConcurrency, cpus: cpus().length }
  const loadAtStart = loadavg()
  const load = (l: ReadonlyArray<number>) => l.map((x) => x.toFixed(2)).join(", ")
  log(
    `shared manager vs facade: Memory budget, ${BLOCK} B requests; ${trials} trial(s) per variant, each in a fresh process; workers: ${WORKER_OPS} pairs each, ${WORKER_ROUNDS} rounds`
  )
  log(`cores: navigator.hardwareConcurrency ${cores.hardwareConcurrency}, os.cpus() ${cores.cpus}`)
  log(`load average at start: ${load(loadAtStart)}`)
  const results: Array<{
    readonly name: string
    readonly medianNs: number
    readonly bestNs: number
    readonly trialsNs: ReadonlyArray<number>
    readonly batchNs?: number
  }> = []
  variants.forEach((variant, index) => {
    if (filter !== undefined && !variant.name.includes(filter)) return
    const samples = runTrials<ChildResult>(self, ["--child", String(index)], trials)
    const trialsNs = samples.map((t) => t.ns)
    const batches = samples.flatMap((t) => (t.batchNs === undefined ? [] : [t.batchNs]))
    const row = {
      name: variant.name,
      medianNs: median(trialsNs),
      bestNs: Math.min(...trialsNs),
      trialsNs,
      ...(batches.length === 0 ? {} : { batchNs: median(batches) })
    }
    results.push(row)
    log(
      `${variant.name.padEnd(48)} ${row.medianNs.toFixed(1).padStart(9)} ns  best ${row.bestNs.toFixed(1).padStart(9)}  [${trialsNs.map((x) => x.toFixed(1)).join(", ")}]${row.batchNs === undefined ? "" : `  median batches ${row.batchNs.toFixed(1)} ns`}`
    )
  })
  const row = (name: string) => results.find((r) => r.name === name)
  const checked = ratios.map((r) => {
    const figure = (name: string, best: boolean) => {
      const found = row(name)
      if (found === undefined) return Number.NaN
      return r.batch ? (found.batchNs ?? Number.NaN) : best ? found.bestNs : found.medianNs
    }
    const ratioOf = (best: boolean) =>
      r.throughput ? figure(r.over, best) / figure(r.of, best) : figure(r.of, best) / figure(r.over, best)
    // the best trials are the least disturbed by other load: the verdict is theirs (a batch ratio has medians only)
    const measured = ratioOf(!r.batch)
    const met =
      r.target === undefined ? undefined : r.target.atMost ? measured <= r.target.limit : measured >= r.target.limit
    return { ratio: r.what, measured, ofMedians: r.batch ? undefined : ratioOf(false), met }
  })
  const loadAtEnd = loadavg()
  if (json) {
    const output = {
      unit: "ns per acquire+release (median and best of trials; workers: wall time per pair of all workers); ratios of the best trials",
      trials,
      cores,
      variants: results,
      ratios: checked,
      loadAverage: { atStart: loadAtStart, atEnd: loadAtEnd }
    }
    process.stdout.write(`${JSON.stringify(output, null, 2)}\n`)
  } else {
    log(`load average at end: ${load(loadAtEnd)}`)
    log("ratios (of the best trials; of the medians in brackets):")
    for (const c of checked) {
      if (Number.isNaN(c.measured)) continue // a variant it needs was filtered out
      const verdict = c.met === undefined ? "    " : c.met ? "met " : "MISS"
      const medians = c.ofMedians === undefined ? "" : ` (${c.ofMedians.toFixed(2)}×)`
      log(`  ${verdict}  ${c.ratio}: ${c.measured.toFixed(2)}×${medians}`)
    }
  }
}
