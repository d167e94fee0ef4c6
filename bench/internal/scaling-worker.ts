/**
 * A benchmark worker: attaches to a shared allocator (or a shared resource manager), or makes a single-thread
 * manager of its own (kind "facade": the same work with nothing shared, the machine's own scaling), warms up,
 * waits at the start barrier, runs `ops` pairs (alloc+free, or acquire+release) and reports its elapsed time.
 */
import { SharedBlockPool } from "@flight-hal/pool"
import type { ResourceManagerConfig, SharedManagerDescriptor } from "../../packages/resources/src/index.ts"
import { Int32TaggedStack } from "./treiber.ts"

export interface ScalingRequest {
  readonly kind: "shared-pool" | "treiber" | "shared-manager" | "facade"
  /** The shared memory the workers meet on (unused by kind "facade"). */
  readonly buffer: SharedArrayBuffer
  readonly barrier: SharedArrayBuffer
  readonly ops: number
  /** Kind "shared-manager": what the worker attaches with, and the bytes of each (Memory, unnamed) request. */
  readonly descriptor?: SharedManagerDescriptor
  readonly sizeBytes?: number
  /** Kind "facade": the budgets of each worker's own single-thread manager. */
  readonly budgets?: ResourceManagerConfig["budgets"]
}

export interface ScalingReport {
  /** Wall-clock time of all `ops` pairs. */
  readonly elapsedMs: number
  /** When the first pair started and the last ended, in ms since the epoch (`timeOrigin + now()`). */
  readonly startedAt: number
  readonly endedAt: number
  /** Median ns per pair over batches of {@link BATCH} pairs (robust to the worker being descheduled). */
  readonly medianBatchNs: number
  readonly sink: number
}

/** Pairs per timed batch. */
const BATCH = 50_000

declare const self: Worker

const loopPool = (pool: SharedBlockPool, ops: number): number => {
  let sink = 0
  for (let k = 0; k < ops; k++) {
    const h = pool.alloc()
    sink ^= h
    pool.free(h)
  }
  return sink
}

const loopStack = (stack: Int32TaggedStack, ops: number): number => {
  let sink = 0
  for (let k = 0; k < ops; k++) {
    const i = stack.pop()
    sink ^= i
    stack.push(i)
  }
  return sink
}

/** The loop a request runs, and what to do once it is over. */
const prepare = async (
  request: ScalingRequest
): Promise<{ readonly run: (ops: number) => number; readonly done: () => void; readonly warmup: number }> => {
  if (request.kind === "shared-pool") {
    const attached = SharedBlockPool.attach(request.buffer)
    if (!attached.ok) throw attached.error
    const pool = attached.value
    return { run: (ops) => loopPool(pool, ops), done: () => pool.detach(), warmup: 2_000_000 }
  }
  if (request.kind === "treiber") {
    const stack = new Int32TaggedStack(0, request.buffer) // the count comes from the buffer
    return { run: (ops) => loopStack(stack, ops), done: () => {}, warmup: 2_000_000 }
  }
  // imported here only, so that the pool workers do not load the resources package (and effect)
  const { attachSharedResourceManager, createResourceManager } = await import("../../packages/resources/src/index.ts")
  const metadata = { type: "Memory", sizeBytes: request.sizeBytes ?? 4096 } as const
  if (request.kind === "facade") {
    const own = createResourceManager({ budgets: request.budgets ?? {}, onLeaks: () => {} })
    return { run: pairs(() => own.acquire("", metadata)), done: () => void own.close(), warmup: 100_000 }
  }
  if (request.descriptor === undefined) throw new Error("a shared-manager worker needs the manager's descriptor")
  const manager = attachSharedResourceManager(request.descriptor)
  // the same pair as the single-thread variants of shared-manager.bench.ts: acquire, release, the ref kept
  return { run: pairs(() => manager.acquire(metadata)), done: () => void manager.close(), warmup: 100_000 }
}

/** `ops` acquire+release pairs through `acquire`, each ref kept until it is released and read. */
const pairs =
  (acquire: () => { release(): void; readonly metadata: { readonly sizeBytes: number } }) =>
  (ops: number): number => {
    let sink = 0
    for (let k = 0; k < ops; k++) {
      const ref = acquire()
      ref.release()
      sink ^= ref.metadata.sizeBytes
    }
    return sink
  }

/** Milliseconds since the epoch, comparable across threads. */
const clock = (): number => performance.timeOrigin + performance.now()

self.onmessage = async (event: MessageEvent<ScalingRequest>) => {
  const request = event.data
  const barrier = new Int32Array(request.barrier)
  const { run, done, warmup } = await prepare(request)
  let sink = run(Math.min(request.ops, warmup)) // warm up the JIT
  Atomics.add(barrier, 1, 1)
  Atomics.notify(barrier, 1)
  Atomics.wait(barrier, 0, 0)
  const batches: number[] = []
  const startedAt = clock()
  const start = performance.now()
  for (let pairs = 0; pairs < request.ops; pairs += BATCH) {
    const t0 = performance.now()
    sink ^= run(BATCH)
    batches.push(((performance.now() - t0) * 1e6) / BATCH)
  }
  const elapsedMs = performance.now() - start
  const endedAt = clock()
  done()
  batches.sort((a, b) => a - b)
  const report: ScalingReport = {
    elapsedMs,
    startedAt,
    endedAt,
    medianBatchNs: batches[batches.length >> 1] as number,
    sink
  }
  self.postMessage(report)
}
