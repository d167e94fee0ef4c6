/**
 * The variants and targets of bench/workload.bench.ts (timed in fresh processes) and of bench/instructions.ts
 * (counted under valgrind): a Memory budget, a pool of 64 blocks of 4 KiB, one buffer acquired, its payload
 * read, and released, through the facade, the Effect service and the baselines.
 *
 * @module
 */
import { Context, Effect, Layer, Pool, Scope } from "effect"
import * as genericPool from "generic-pool"
import { do_not_optimize } from "mitata"
import * as tarn from "tarn"
import {
  createResourceManager,
  ResourceManager,
  type ResourceManagerConfig
} from "../../packages/resources/src/index.ts"

/** The block size and the pool's blocks. */
export const BLOCK = 4096
export const BLOCKS = 64
/** The metadata of one pooled buffer. */
export const memory = { type: "Memory", sizeBytes: BLOCK } as const
const hardware = { type: "Hardware", sizeBytes: 1 } as const
const budgets: ResourceManagerConfig["budgets"] = {
  Memory: { maxBytes: 64 * 1024 * 1024, reservedBytes: 1024 * 1024, warningPercent: 75, criticalPercent: 90 }
}
/** A Memory budget and one pool of `BLOCKS` blocks of `BLOCK` bytes. */
export const pooled: ResourceManagerConfig = {
  budgets,
  pools: [{ type: "Memory", blockSize: BLOCK, initialCount: BLOCKS, maxCount: BLOCKS }],
  onLeaks: () => {}
}

/** No budget, no pool: the no-op variants' config. */
const noOpConfig: ResourceManagerConfig = { onLeaks: () => {} }

/** The Effect service built from `config` (its Layer's scope stays open for the life of the process). */
export const effectManager = (config: ResourceManagerConfig) => {
  const scope = Effect.runSync(Scope.make())
  const context = Effect.runSync(Layer.buildWithScope(ResourceManager.layer(config), scope))
  return Context.get(context, ResourceManager) // the scope stays open for the life of the bench process
}

/** Effect's own `Pool` of `BLOCKS` buffers of `BLOCK` bytes. */
export const effectPool = () => {
  const scope = Effect.runSync(Scope.make())
  return Effect.runSync(
    Scope.provide(scope)(Pool.make({ acquire: Effect.sync(() => new Uint8Array(BLOCK)), size: BLOCKS }))
  )
}

/**
 * The setup every process of the set does first, whichever variant it then times: both of the Effect service's
 * Layers the variants build (pooled, and the no-op one) and Effect's own `Pool`. Building a Layer runs fibers in
 * richer contexts than `Effect.runSync`'s own, and the engine then compiles Effect's per-fiber context cache
 * (`makeFiberContextCache`, run at every `runSync`) for those too: 15.3 KiB of machine code instead of 8.0, and
 * `Pool.use` took 480–497 ns per op instead of 426–433 in a process where our Layer was built beside its pool
 * (`bun bench/profile.ts`, 2 processes each). Without this, `Pool.use` was timed in a runtime that had never built
 * a Layer, which no application that uses a service has, against ours in one that had.
 */
export const prepareWorkloadProcess = (): void => {
  effectManager(pooled)
  effectManager(noOpConfig)
  effectPool()
}

/** A workload variant: its name and the op it times (`setup` makes the manager or pool once). */
export interface WorkloadVariant {
  readonly name: string
  readonly setup: () => () => unknown
}

const facade = (name: string, config: ResourceManagerConfig, metadata: typeof memory | typeof hardware) => () => {
  const manager = createResourceManager(config)
  return () => {
    const ref = manager.acquire(name, metadata)
    const payload = ref.payload
    ref.release()
    return do_not_optimize(payload)
  }
}

/** Numbers for the reference loop. */
const referenceInputs = Array.from({ length: 64 }, (_, i) => i)
let referenceFactor = 1

/**
 * The machine's speed, nothing of this project: 64 multiply-adds over an array, no allocation. On a shared
 * machine the same op runs faster in some processes than in others; this row shows which rounds ran slow.
 */
const reference: WorkloadVariant = {
  name: "reference: 64 multiply-adds (the machine's speed)",
  setup: () => () => {
    let sum = 0
    for (let i = 0; i < referenceInputs.length; i++) sum += (referenceInputs[i] as number) * referenceFactor
    referenceFactor++
    return do_not_optimize(sum)
  }
}

/** The variants, baselines included, in report order. */
export const workloadVariants: ReadonlyArray<WorkloadVariant> = [
  reference,
  { name: "facade pooled", setup: facade("", pooled, memory) },
  { name: "facade pooled, named", setup: facade("tex", pooled, memory) },
  { name: "facade heap (budget, no pool)", setup: facade("", { budgets, onLeaks: () => {} }, memory) },
  { name: "facade no-op (no budget, Hardware 1 B)", setup: facade("", noOpConfig, hardware) },
  {
    name: "new Uint8Array(4096)",
    setup: () => () => {
      const bytes = new Uint8Array(BLOCK)
      return do_not_optimize(bytes[0])
    }
  },
  {
    name: "facade no-op around new Uint8Array(4096)",
    setup: () => {
      const manager = createResourceManager(noOpConfig)
      return () => {
        const ref = manager.acquire("", hardware)
        const bytes = new Uint8Array(BLOCK)
        ref.release()
        return do_not_optimize(bytes)
      }
    }
  },
  {
    name: "Effect scoped acquire+get",
    setup: () => {
      const manager = effectManager(pooled)
      const program = Effect.scoped(Effect.flatMap(manager.acquire("", memory), (ref) => ref.get))
      return () => do_not_optimize(Effect.runSync(program))
    }
  },
  {
    name: "Effect scoped acquire+get, named",
    setup: () => {
      const manager = effectManager(pooled)
      const program = Effect.scoped(Effect.flatMap(manager.acquire("tex", memory), (ref) => ref.get))
      return () => do_not_optimize(Effect.runSync(program))
    }
  },
  {
    name: "Effect use+get",
    setup: () => {
      const manager = effectManager(pooled)
      const program = manager.use("", memory, (ref) => ref.get)
      return () => do_not_optimize(Effect.runSync(program))
    }
  },
  {
    name: "Effect scoped no-op acquire (no budget, Hardware 1 B)",
    setup: () => {
      const manager = effectManager(noOpConfig)
      const program = Effect.scoped(manager.acquire("", hardware))
      return () => do_not_optimize(Effect.runSync(program))
    }
  },
  {
    name: "Effect scoped(acquireRelease) no-op",
    setup: () => {
      const program = Effect.scoped(Effect.acquireRelease(Effect.void, () => Effect.void))
      return () => do_not_optimize(Effect.runSync(program))
    }
  },
  {
    name: "Effect Pool scoped(Pool.get)",
    setup: () => {
      const program = Effect.scoped(Effect.map(Pool.get(effectPool()), (block) => block[0]))
      return () => do_not_optimize(Effect.runSync(program))
    }
  },
  {
    name: "Effect Pool.use",
    setup: () => {
      const program = Pool.use(effectPool(), (block) => Effect.succeed(block[0]))
      return () => do_not_optimize(Effect.runSync(program))
    }
  },
  {
    name: "generic-pool acquire+release",
    setup: () => {
      const pool = genericPool.createPool(
        { create: async () => new Uint8Array(BLOCK), destroy: async () => {} },
        { max: BLOCKS, min: BLOCKS }
      )
      return async () => {
        const block = await pool.acquire()
        const first = block[0]
        await pool.release(block)
        return do_not_optimize(first)
      }
    }
  },
  {
    name: "tarn acquire+release",
    setup: () => {
      const pool = new tarn.Pool<Uint8Array>({
        create: () => new Uint8Array(BLOCK),
        destroy: () => {},
        min: BLOCKS,
        max: BLOCKS
      })
      return async () => {
        const block = await pool.acquire().promise
        const first = block[0]
        pool.release(block)
        return do_not_optimize(first)
      }
    }
  }
]

/** A figure the report computes: variant `of` in ns, or its ratio over variant `over`. */
export interface WorkloadFigure {
  readonly what: string
  readonly of: string
  readonly over?: string
}

/** The targets, as ratios of two variants (or an absolute bound in ns when `over` is absent). */
export const workloadTargets: ReadonlyArray<WorkloadFigure & { readonly limit: number }> = [
  { what: "facade pooled ≤ 150 ns", of: "facade pooled", limit: 150 },
  { what: "facade pooled ≤ 0.7× Effect Pool.use", of: "facade pooled", over: "Effect Pool.use", limit: 0.7 },
  {
    what: "Effect scoped acquire+get ≤ 1.5× scoped(Pool.get)",
    of: "Effect scoped acquire+get",
    over: "Effect Pool scoped(Pool.get)",
    limit: 1.5
  },
  { what: "Effect use+get ≤ 1.5× Pool.use", of: "Effect use+get", over: "Effect Pool.use", limit: 1.5 },
  {
    what: "facade heap ≤ 1.3× new Uint8Array(4096)",
    of: "facade heap (budget, no pool)",
    over: "new Uint8Array(4096)",
    limit: 1.3
  },
  {
    what: "Effect scoped no-op ≤ 1.5× scoped(acquireRelease)",
    of: "Effect scoped no-op acquire (no budget, Hardware 1 B)",
    over: "Effect scoped(acquireRelease) no-op",
    limit: 1.5
  },
  { what: "facade no-op ≤ 100 ns", of: "facade no-op (no budget, Hardware 1 B)", limit: 100 }
]

/**
 * Ratios reported beside the targets and not judged: what bounds a target, measured in the same rounds. The heap
 * target's variant makes its 4 KiB allocation inside an acquisition; the facade's cheapest acquisition (no budget, a
 * 1-byte Hardware resource, no payload) made around the same allocation shows how much of the ratio any
 * acquisition adds there, before the budget and the payload path add theirs.
 */
export const workloadContext: ReadonlyArray<WorkloadFigure & { readonly over: string }> = [
  {
    what: "facade no-op around new Uint8Array(4096), over the bare allocation (the heap target's floor)",
    of: "facade no-op around new Uint8Array(4096)",
    over: "new Uint8Array(4096)"
  }
]

/**
 * The order in which a round runs the variants `names` (indices into it): the reference first, then for each
 * target its baseline and its variant one right after the other (a variant that two targets share runs once,
 * with the first; a variant whose baseline runs already, with an earlier target, runs right after that
 * baseline's variants), then the rest in report order. Targets with a baseline are placed first: an absolute
 * target listed before a ratio target of the same variant ("facade pooled ≤ 150 ns" before "≤ 0.7× Pool.use")
 * would otherwise place the variant before its baseline.
 */
export const runOrder = (
  names: ReadonlyArray<string>,
  targets: ReadonlyArray<{ readonly of: string; readonly over?: string }>
): Array<number> => {
  const order: Array<number> = []
  // a variant placed right after its baseline → that baseline
  const baselineOf = new Map<number, number>()
  const indexOf = (name: string | undefined) => (name === undefined ? -1 : names.indexOf(name))
  const add = (i: number) => {
    if (i >= 0 && !order.includes(i)) order.push(i)
  }
  add(indexOf(reference.name))
  const ratiosFirst = [...targets.filter((t) => t.over !== undefined), ...targets.filter((t) => t.over === undefined)]
  for (const target of ratiosFirst) {
    const over = indexOf(target.over)
    const of = indexOf(target.of)
    if (of < 0 || order.includes(of) || over < 0) {
      add(over)
      add(of)
      continue
    }
    let at = order.indexOf(over)
    if (at < 0) {
      order.push(over)
      at = order.length - 1
    }
    while (at + 1 < order.length && baselineOf.get(order[at + 1] as number) === over) at++
    order.splice(at + 1, 0, of)
    baselineOf.set(of, over)
  }
  for (const name of names) add(indexOf(name))
  return order
}
