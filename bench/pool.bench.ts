/**
 * Single-thread alloc+free pairs: the minimal free list (the floor), BlockPool, plain ArrayBuffers and the
 * general-purpose pools (generic-pool, tarn, Effect's Pool).
 *
 * Two ways of timing BlockPool against the floor. The mitata rows time one pair per call, each row in its own
 * process, and take the ratio of two processes' figures; at about 1 ns per pair that ratio moves with each
 * process's JIT and the machine's speed at the time (the floor alone read 1.24 to 1.94 ns in three processes of
 * one run). The interleaved rows run both in one process, in loops of the same source (one pair per iteration,
 * or four), in alternating batches of 500,000 pairs, and give the ratio of each round's two batches
 * (docs/pools.md, "Benchmarks").
 *
 * @module
 */
import { BlockPool } from "@flight-hal/pool"
import { Effect, Pool, Scope } from "effect"
import * as genericPool from "generic-pool"
import { do_not_optimize } from "mitata"
import * as tarn from "tarn"
import { interleaved, MinimalFreeList, pairLoop } from "./internal/floor.ts"
import { BLOCK_COUNT, BLOCK_SIZE, type Variant } from "./internal/variant.ts"

const blockPool = (): BlockPool => {
  const made = BlockPool.make({
    name: "bench",
    blockSize: BLOCK_SIZE,
    initialCount: BLOCK_COUNT,
    maxCount: BLOCK_COUNT
  })
  if (!made.ok) throw made.error
  return made.value
}

const effectPool = () => {
  const scope = Effect.runSync(Scope.make())
  const pool = Effect.runSync(
    Scope.provide(scope)(Pool.make({ acquire: Effect.sync(() => new Uint8Array(BLOCK_SIZE)), size: 16 }))
  )
  return pool // the scope stays open for the life of the bench process
}

/** The rows that time BlockPool by index beside the floor, in one process (one pair, or four, per iteration). */
export const INTERLEAVED = "BlockPool alloc+free (index), interleaved with the floor"
export const INTERLEAVED_FOUR = `${INTERLEAVED}, 4 per iteration`

/**
 * The rows whose op is synchronous and touches only the pool (the floor, BlockPool by index, with its view):
 * timed here and counted in instructions by bench/instructions.ts (its "pool" set).
 */
export const indexRows = [
  {
    name: "floor: minimal Int32Array free list",
    setup: () => {
      const list = new MinimalFreeList(BLOCK_COUNT)
      return () => {
        const i = list.alloc()
        list.free(i)
        do_not_optimize(i)
      }
    },
    bookkeepingBytesPerBlock: () => 4
  },
  {
    name: "BlockPool alloc+free (index)",
    setup: () => {
      const pool = blockPool()
      return () => {
        const h = pool.alloc()
        pool.free(h)
        do_not_optimize(h)
      }
    },
    bookkeepingBytesPerBlock: () => blockPool().bookkeepingBytesPerBlock
  },
  {
    name: "BlockPool alloc+view+free (index + cached view, one byte written)",
    setup: () => {
      const pool = blockPool()
      return () => {
        const h = pool.alloc()
        const view = pool.view(h)
        view[0] = h
        pool.free(h)
        do_not_optimize(view)
      }
    }
  }
] as const satisfies ReadonlyArray<Variant & { readonly setup: () => () => unknown }>

/** Pairs per op of {@link loopRows}. */
export const LOOP_PAIRS = 1000

/**
 * For bench/instructions.ts (its "pool" set) only: the floor and BlockPool in the loop of the interleaved rows
 * (one pair per iteration), {@link LOOP_PAIRS} pairs per op, so that the count per pair is that of the loop the
 * target is judged with, not of a call per pair.
 */
export const loopRows = [
  {
    name: `floor: ${LOOP_PAIRS} pairs in one loop`,
    setup: () => {
      const list = new MinimalFreeList(BLOCK_COUNT)
      const loop = pairLoop("the floor", 1)
      return () => do_not_optimize(loop(list, LOOP_PAIRS))
    }
  },
  {
    name: `BlockPool alloc+free (index): ${LOOP_PAIRS} pairs in one loop`,
    setup: () => {
      const pool = blockPool()
      const loop = pairLoop("the allocator", 1)
      return () => do_not_optimize(loop(pool, LOOP_PAIRS))
    }
  }
] as const satisfies ReadonlyArray<Variant & { readonly setup: () => () => unknown }>

export const variants: ReadonlyArray<Variant> = [
  ...indexRows,
  {
    // the target is judged here: the floor and the pool in the same process, in alternating batches
    name: INTERLEAVED,
    measure: async () => interleaved(new MinimalFreeList(BLOCK_COUNT), blockPool())
  },
  {
    // the same with four pairs back to back in each iteration: the JIT carries the floor's state from one pair
    // to the next without memory, which it cannot do for the pool (docs/pools.md, "Benchmarks")
    name: INTERLEAVED_FOUR,
    measure: async () => interleaved(new MinimalFreeList(BLOCK_COUNT), blockPool(), { pairs: 4 })
  },
  {
    name: "new ArrayBuffer(4096) per op",
    setup: () => () => do_not_optimize(new ArrayBuffer(BLOCK_SIZE))
  },
  {
    name: "generic-pool acquire+release",
    setup: () => {
      const pool = genericPool.createPool(
        { create: async () => new Uint8Array(BLOCK_SIZE), destroy: async () => {} },
        { max: 16, min: 16 }
      )
      return async () => {
        const block = await pool.acquire()
        await pool.release(block)
        do_not_optimize(block)
      }
    }
  },
  {
    name: "tarn acquire+release",
    setup: () => {
      const pool = new tarn.Pool({
        create: () => new Uint8Array(BLOCK_SIZE),
        destroy: () => {},
        min: 16,
        max: 16
      })
      return async () => {
        const block = await pool.acquire().promise
        pool.release(block)
        do_not_optimize(block)
      }
    }
  },
  {
    name: "Effect Pool: Effect.scoped(Pool.get)",
    setup: () => {
      const program = Effect.scoped(Pool.get(effectPool()))
      return () => do_not_optimize(Effect.runSync(program))
    }
  },
  {
    name: "Effect Pool: Pool.use",
    setup: () => {
      const program = Pool.use(effectPool(), (block) => Effect.succeed(block.length))
      return () => do_not_optimize(Effect.runSync(program))
    }
  }
]
