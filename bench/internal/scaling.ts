/**
 * Aggregate throughput of k workers sharing one allocator: all start at one barrier and run the same number of
 * alloc+free pairs in timed batches. Each worker's speed is its median batch (so that time the worker spent
 * descheduled on a busy machine does not count); the aggregate is the sum of the workers' speeds, reported as
 * ns per pair. Median of several rounds.
 *
 * @module
 */
import type { ScalingReport, ScalingRequest } from "./scaling-worker.ts"

const round = async (kind: ScalingRequest["kind"], buffer: SharedArrayBuffer, workers: number, ops: number) => {
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
  const request: ScalingRequest = { kind, buffer, barrier, ops }
  for (const worker of started) worker.postMessage(request)
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
  return 1 / pairsPerNs
}

/** Median ns per alloc+free pair, all workers together. */
export const aggregateNsPerOp = async (
  kind: ScalingRequest["kind"],
  buffer: SharedArrayBuffer,
  workers: number,
  ops: number,
  rounds = 5
): Promise<number> => {
  const samples: number[] = []
  for (let r = 0; r < rounds; r++) samples.push(await round(kind, buffer, workers, ops))
  samples.sort((a, b) => a - b)
  return samples[Math.floor(samples.length / 2)] as number
}
