/** What `timedRun` reports (ms since the epoch, ns per op). */
export interface TimedRun {
  readonly startedAt: number
  readonly endedAt: number
  readonly medianBatchNs: number
  readonly sink: number
}

/** Pairs per timed batch. */
export declare const BATCH: number

/** `ops` acquire+release pairs through `acquire`, each ref kept until it is released and read. */
export declare const pairs: (
  acquire: () => { release(): void; readonly metadata: { readonly sizeBytes: number } }
) => (ops: number) => number

/** Warms `run` up, meets the others at the barrier, then runs `ops` ops in timed batches. */
export declare const timedRun: (
  run: (ops: number) => number,
  ops: number,
  warmup: number,
  barrier: Int32Array
) => TimedRun
