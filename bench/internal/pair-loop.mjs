/**
 * The worker side of the scaling benches, shared by the Bun workers (`scaling-worker.ts`) and the Node
 * `worker_threads` (`node-scaling.mjs`, which Node 20 runs without TypeScript): the acquire+release pair loop
 * and its timed run after the start barrier. Types: `pair-loop.d.mts`.
 */

/** Pairs per timed batch. */
export const BATCH = 50_000

/** `ops` acquire+release pairs through `acquire`, each ref kept until it is released and read. */
export const pairs = (acquire) => (ops) => {
  let sink = 0
  for (let k = 0; k < ops; k++) {
    const ref = acquire()
    ref.release()
    sink ^= ref.metadata.sizeBytes
  }
  return sink
}

/** Milliseconds since the epoch, comparable across threads. */
const clock = () => performance.timeOrigin + performance.now()

/**
 * Warms `run` up with `warmup` ops, reports at the barrier (word 1) and waits for the start (word 0), then runs
 * `ops` ops in timed batches: when the first started and the last ended, and the median batch's ns per op.
 */
export const timedRun = (run, ops, warmup, barrier) => {
  let sink = run(warmup)
  Atomics.add(barrier, 1, 1)
  Atomics.notify(barrier, 1)
  Atomics.wait(barrier, 0, 0)
  const batches = []
  const startedAt = clock()
  for (let done = 0; done < ops; done += BATCH) {
    const t0 = performance.now()
    sink ^= run(BATCH)
    batches.push(((performance.now() - t0) * 1e6) / BATCH)
  }
  const endedAt = clock()
  batches.sort((a, b) => a - b)
  return { startedAt, endedAt, medianBatchNs: batches[batches.length >> 1], sink }
}
