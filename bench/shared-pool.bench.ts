/**
 * SharedBlockPool: one thread (mitata), 1 and 2 workers (aggregate throughput by wall time: all pairs of all
 * workers over the time from the first start to the last end), and the naive Treiber stacks
 * it is built against (Int32 tagged head vs BigInt64 head, no per-thread cache).
 *
 * @module
 */
import { SharedBlockPool } from "@flight-hal/pool"
import { do_not_optimize } from "mitata"
import { aggregateNsPerOp } from "./internal/scaling.ts"
import { BigInt64TaggedStack, Int32TaggedStack } from "./internal/treiber.ts"
import { BLOCK_COUNT, BLOCK_SIZE, type Variant } from "./internal/variant.ts"

const sharedPool = (): SharedBlockPool => {
  const made = SharedBlockPool.make({ name: "bench", blockSize: BLOCK_SIZE, blockCount: BLOCK_COUNT, maxThreads: 4 })
  if (!made.ok) throw made.error
  return made.value
}

const WORKER_OPS = 10_000_000
const TREIBER_WORKER_OPS = 2_000_000

export const variants: ReadonlyArray<Variant> = [
  {
    name: "SharedBlockPool alloc+free (1 thread)",
    setup: () => {
      const pool = sharedPool()
      return () => {
        const h = pool.alloc()
        pool.free(h)
        do_not_optimize(h)
      }
    },
    // The per-block word; the header and thread slots (256 + 128 × maxThreads bytes) are per pool.
    bookkeepingBytesPerBlock: () => 4
  },
  {
    name: "naive SAB Treiber stack, Int32 tagged head (1 thread)",
    setup: () => {
      const stack = new Int32TaggedStack(BLOCK_COUNT)
      return () => {
        const i = stack.pop()
        stack.push(i)
        do_not_optimize(i)
      }
    }
  },
  {
    name: "naive SAB Treiber stack, BigInt64 head (1 thread)",
    setup: () => {
      const stack = new BigInt64TaggedStack(BLOCK_COUNT)
      return () => {
        const i = stack.pop()
        stack.push(i)
        do_not_optimize(i)
      }
    }
  },
  {
    name: "SharedBlockPool, 1 worker (aggregate, wall time)",
    measure: () => aggregateNsPerOp("shared-pool", sharedPool().buffer, 1, WORKER_OPS)
  },
  {
    name: "SharedBlockPool, 2 workers (aggregate, wall time)",
    measure: () => aggregateNsPerOp("shared-pool", sharedPool().buffer, 2, WORKER_OPS)
  },
  {
    name: "naive Treiber Int32 head, 1 worker (aggregate, wall time)",
    measure: () => aggregateNsPerOp("treiber", new Int32TaggedStack(BLOCK_COUNT).buffer, 1, TREIBER_WORKER_OPS)
  },
  {
    name: "naive Treiber Int32 head, 2 workers (aggregate, wall time)",
    measure: () => aggregateNsPerOp("treiber", new Int32TaggedStack(BLOCK_COUNT).buffer, 2, TREIBER_WORKER_OPS)
  }
]
