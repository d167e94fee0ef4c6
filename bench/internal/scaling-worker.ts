/**
 * A benchmark worker: attaches to a shared allocator, warms up, waits at the start barrier, runs `ops`
 * alloc+free pairs and reports its elapsed time.
 */
import { SharedBlockPool } from "@flight-hal/pool"
import { Int32TaggedStack } from "./treiber.ts"

export interface ScalingRequest {
  readonly kind: "shared-pool" | "treiber"
  readonly buffer: SharedArrayBuffer
  readonly barrier: SharedArrayBuffer
  readonly ops: number
}

export interface ScalingReport {
  /** Wall-clock time of all `ops` pairs. */
  readonly elapsedMs: number
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

self.onmessage = (event: MessageEvent<ScalingRequest | "go">) => {
  const request = event.data
  if (request === "go") return
  const barrier = new Int32Array(request.barrier)
  let run: (ops: number) => number
  let done = () => {}
  if (request.kind === "shared-pool") {
    const attached = SharedBlockPool.attach(request.buffer)
    if (!attached.ok) throw attached.error
    const pool = attached.value
    run = (ops) => loopPool(pool, ops)
    done = () => pool.detach()
  } else {
    const stack = new Int32TaggedStack(0, request.buffer) // the count comes from the buffer
    run = (ops) => loopStack(stack, ops)
  }
  let sink = run(Math.min(request.ops, 2_000_000)) // warm up the JIT
  Atomics.add(barrier, 1, 1)
  Atomics.notify(barrier, 1)
  Atomics.wait(barrier, 0, 0)
  const batches: number[] = []
  const start = performance.now()
  for (let done = 0; done < request.ops; done += BATCH) {
    const t0 = performance.now()
    sink ^= run(BATCH)
    batches.push(((performance.now() - t0) * 1e6) / BATCH)
  }
  const elapsedMs = performance.now() - start
  done()
  batches.sort((a, b) => a - b)
  const report: ScalingReport = { elapsedMs, medianBatchNs: batches[batches.length >> 1] as number, sink }
  self.postMessage(report)
}
