/**
 * Aggregate throughput of k workers sharing one allocator (or one shared resource manager): all start at one
 * barrier and run the same number of pairs in timed batches. Two figures per round, in ns per pair for all
 * workers together:
 * - batch: each worker's speed is its median batch (so that time the worker spent descheduled on a busy
 *   machine does not count); the aggregate is the sum of the workers' speeds;
 * - wall: the wall time from the first worker's start to the last worker's end, over every pair of every
 *   worker (what the machine really delivered, descheduling included).
 * Median of several rounds.
 *
 * @module
 */
import { median } from "./fresh-process.ts"
import type { ScalingReport, ScalingRequest } from "./scaling-worker.ts"

interface RoundResult {
  readonly batchNs: number
  readonly wallNs: number
}

const round = async (request: Omit<ScalingRequest, "barrier">, workers: number): Promise<RoundResult> => {
  const barrier = new SharedArrayBuffer(8)
  const flags = new Int32Array(barrier)
  const started = Array.from({ length: workers }, () => new Worker(new URL("./scaling-worker.ts", import.meta.url)))
  const reports = started.map(
    (worker) =>
      new Promise<ScalingReport>((resolve, reject) => {
        worker.onmessage = (event: MessageEvent<ScalingReport>) => resolve(event.data)
        worker.onerror = (e) => reject(e)
      })
  )
  for (const worker of started) worker.postMessage({ ...request, barrier } satisfies ScalingRequest)
  let failed: unknown
  for (const report of reports) report.catch((e: unknown) => (failed = e))
  while (Atomics.load(flags, 1) < workers) {
    if (failed !== undefined) throw failed
    await new Promise((r) => setTimeout(r, 1))
  }
  Atomics.store(flags, 0, 1)
  Atomics.notify(flags, 0)
  const done = await Promise.all(reports)
  for (const worker of started) worker.terminate()
  const pairsPerNs = done.reduce((sum, r) => sum + 1 / r.medianBatchNs, 0)
  const wallMs = Math.max(...done.map((r) => r.endedAt)) - Math.min(...done.map((r) => r.startedAt))
  return { batchNs: 1 / pairsPerNs, wallNs: (wallMs * 1e6) / (workers * request.ops) }
}

/** Median ns per pair, all workers together: by median batches and by wall time. */
export const scaling = async (
  request: Omit<ScalingRequest, "barrier">,
  workers: number,
  rounds = 5
): Promise<RoundResult> => {
  const samples: Array<RoundResult> = []
  for (let r = 0; r < rounds; r++) samples.push(await round(request, workers))
  return { batchNs: median(samples.map((s) => s.batchNs)), wallNs: median(samples.map((s) => s.wallNs)) }
}

/**
 * Median ns per alloc+free pair, all workers together, by wall time: every pair of every worker over the time
 * from the first worker's start to the last one's end. (Not the sum of the workers' median batches: that sum
 * counts each worker's speed while it runs, so two workers on one core read twice one worker's throughput.)
 */
export const aggregateNsPerOp = async (
  kind: ScalingRequest["kind"],
  buffer: SharedArrayBuffer,
  workers: number,
  ops: number,
  rounds = 5
): Promise<number> => (await scaling({ kind, buffer, ops }, workers, rounds)).wallNs
