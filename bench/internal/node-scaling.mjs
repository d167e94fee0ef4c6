/**
 * The shared manager's worker scaling on Node (`worker_threads`), for bench/shared-manager.bench.ts: the same
 * pair as its Bun workers (acquire a 4 KiB Memory request, release, keep the ref) on one budget, by `k` workers
 * that attach, warm up, meet at a barrier and run `ops` pairs each; `rounds` rounds, the median kept. Prints one
 * JSON line, `{ "ns": wall ns per pair of all workers, "batchNs": by median batches }`. Runs the built package
 * (`packages/resources/dist`, and core's and pool's, from `npm run build` or `npx tsc -b packages/resources`;
 * bench/shared-manager.bench.ts builds them first): Node 20 does not run TypeScript. It refuses to run (exit 2)
 * when a package's dist is missing or older than a file of its src, rather than measure a stale build. With kind `facade` each
 * worker makes a single-thread manager of its own instead (the same pairs, nothing shared: the machine's ceiling);
 * with kind `leased` the shared manager leases budget bytes to its threads (`leaseBytes`: 1 MiB).
 *
 *   node bench/internal/node-scaling.mjs <workers> <ops> <rounds> [shared|leased|facade]
 */
import { existsSync, readdirSync, statSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads"
import { pairs, timedRun } from "./pair-loop.mjs"

const dist = new URL("../../packages/resources/dist/index.js", import.meta.url)
const WARMUP = 100_000

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1]

if (isMainThread) {
  // a dist older than its src would be measured silently: refuse instead
  for (const pkg of ["core", "pool", "resources"]) {
    const root = fileURLToPath(new URL(`../../packages/${pkg}/`, import.meta.url))
    const built = `${root}dist/.tsbuildinfo`
    const src = `${root}src`
    const newer = existsSync(built)
      ? readdirSync(src, { recursive: true })
          .map((file) => `${src}/${file}`)
          .find((file) => statSync(file).isFile() && statSync(file).mtimeMs > statSync(built).mtimeMs)
      : undefined
    if (!existsSync(fileURLToPath(dist)) || !existsSync(built) || newer !== undefined) {
      const why = newer === undefined ? "is missing" : `is older than ${newer}`
      process.stderr.write(
        `node-scaling: packages/${pkg}/dist ${why}: run \`npx tsc -b packages/resources\` first (it builds core and pool too)\n`
      )
      process.exit(2)
    }
  }
  const { createSharedResourceManager } = await import(dist.href)
  const [workers, ops, rounds] = process.argv.slice(2, 5).map(Number)
  const kind = process.argv[5] ?? "shared"
  const budgets = {
    Memory: { maxBytes: 64 * 1024 * 1024, reservedBytes: 1024 * 1024, warningPercent: 75, criticalPercent: 90 }
  }
  const round = async () => {
    // kind "facade": each worker makes a manager of its own (nothing shared, nothing to check here)
    const own = kind === "facade" ? budgets : undefined
    const leaseBytes = kind === "leased" ? 1 << 20 : 0
    const manager =
      own === undefined ? createSharedResourceManager({ budgets, lostAfterMillis: 60_000, leaseBytes }) : undefined
    const barrier = new SharedArrayBuffer(8)
    const flags = new Int32Array(barrier)
    const started = Array.from(
      { length: workers },
      () =>
        new Worker(fileURLToPath(import.meta.url), {
          workerData: { descriptor: manager?.descriptor, ops, barrier, own }
        })
    )
    const reports = started.map(
      (worker) => new Promise((resolve, reject) => worker.on("message", resolve).on("error", reject))
    )
    while (Atomics.load(flags, 1) < workers) await new Promise((resolve) => setTimeout(resolve, 1))
    Atomics.store(flags, 0, 1)
    Atomics.notify(flags, 0)
    const done = await Promise.all(reports)
    await Promise.all(started.map((worker) => worker.terminate()))
    if (manager !== undefined) {
      // every worker did its pairs on this budget, and released them all
      const stats = manager.getResourceStats("Memory")
      const leaks = manager.close()
      if (stats.currentUsage !== 0 || stats.allocationCount < workers * ops || leaks.length !== 0) {
        throw new Error(`after the workers: ${JSON.stringify(stats)}, ${leaks.length} leak(s)`)
      }
    }
    const wallMs = Math.max(...done.map((r) => r.endedAt)) - Math.min(...done.map((r) => r.startedAt))
    return {
      wallNs: (wallMs * 1e6) / (workers * ops),
      batchNs: 1 / done.reduce((sum, r) => sum + 1 / r.medianBatchNs, 0)
    }
  }
  const samples = []
  for (let r = 0; r < rounds; r++) samples.push(await round())
  process.stdout.write(
    `${JSON.stringify({ ns: median(samples.map((s) => s.wallNs)), batchNs: median(samples.map((s) => s.batchNs)) })}\n`
  )
  process.exit(0)
} else {
  const { attachSharedResourceManager, createResourceManager } = await import(dist.href)
  const { descriptor, ops, barrier, own } = workerData
  const metadata = { type: "Memory", sizeBytes: 4096 }
  // a single-thread manager of the worker's own (its budgets given: nothing shared), or the shared one
  const manager =
    own === undefined
      ? attachSharedResourceManager(descriptor)
      : createResourceManager({ budgets: own, onLeaks: () => {} })
  const run = pairs(own === undefined ? () => manager.acquire(metadata) : () => manager.acquire("", metadata))
  const timed = timedRun(run, ops, WARMUP, new Int32Array(barrier))
  manager.close()
  parentPort.postMessage(timed)
}
