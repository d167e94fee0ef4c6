/**
 * A benchmark worker: attaches to a shared allocator (or a shared resource manager), or makes a single-thread
 * manager of its own (kind "facade": the same work with nothing shared, the machine's own scaling), warms up,
 * waits at the start barrier, runs `ops` pairs (alloc+free, or acquire+release) and reports its timing
 * (`pair-loop.mjs`).
 */
import { SharedBlockPool } from "@flight-hal/pool"
import type { ResourceManagerConfig, SharedManagerDescriptor } from "../../packages/resources/src/index.ts"
import { pairs, type TimedRun, timedRun } from "./pair-loop.mjs"
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

/**
 * What a worker reports: when its first pair started and its last ended (ms since the epoch), and its median
 * ns per pair over batches (robust to the worker being descheduled).
 */
export type ScalingReport = TimedRun

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

self.onmessage = async (event: MessageEvent<ScalingRequest>) => {
  const request = event.data
  const { run, done, warmup } = await prepare(request)
  const timed = timedRun(run, request.ops, Math.min(request.ops, warmup), new Int32Array(request.barrier))
  done()
  self.postMessage(timed satisfies ScalingReport)
}
