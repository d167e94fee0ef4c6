/**
 * Single-thread alloc+free pairs: the minimal free list (the floor), BlockPool, plain ArrayBuffers and the
 * general-purpose pools (generic-pool, tarn, Effect's Pool).
 *
 * @module
 */
import { BlockPool } from "@flight-hal/pool"
import { Effect, Pool, Scope } from "effect"
import * as genericPool from "generic-pool"
import { do_not_optimize } from "mitata"
import * as tarn from "tarn"
import { MinimalFreeList } from "./internal/floor.ts"
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

export const variants: ReadonlyArray<Variant> = [
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
