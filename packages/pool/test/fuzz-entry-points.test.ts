/**
 * Property-based fuzz of every public entry point of the pool package (BlockPool, SharedBlockPool, PoolManager)
 * with argument tuples where one or more positions are hostile (see test/support/hostile-values.ts at the root) and the rest
 * valid. For each call:
 * 1. nothing escapes but this package's own tagged errors (a thrown or returned error must be an instance of
 *    one of the error classes exported here, with `_tag` naming its class), or the call succeeds;
 * 2. a refused call (an error, `false`, `-1`, `0`, an empty view, `undefined`, as the method answers) leaves
 *    the observable state (pool stats, free-list check, allocated blocks, routing stats, the bytes the budget
 *    hooks were charged) deep-equal, but for the `invalidFrees` counter a refused free counts;
 * 3. the pool or manager still works afterwards: a valid alloc/free (allocate/release) succeeds and the stats
 *    come back to where they were.
 * Callbacks are hostile too: hooks that throw, answer non-booleans, or call back into the pool or manager.
 * Fixed seeds; fast-check's counterexample and path are printed on failure.
 */
import { describe, expect, test } from "bun:test"
import * as fc from "fast-check"
import {
  argumentsFor,
  constant,
  describeThrown,
  disguised,
  errorClassesOf,
  type Gen,
  gen,
  HostileThrow,
  hostileValue,
  isTaggedError,
  type Position,
  withHostileField
} from "../../../test/support/hostile-values.ts"
import * as poolPackage from "../src/index.ts"
import {
  type Allocation,
  BlockPool,
  type BlockPoolOptions,
  type ManagedPool,
  PoolManager,
  type PoolStats,
  SharedBlockPool
} from "../src/index.ts"

const RUNS = 300
const SEED = 0x0f00_1d00

const errorClasses = errorClassesOf(poolPackage)
const isTyped = (error: unknown) => isTaggedError(errorClasses, error)

// ---------------------------------------------------------------------------------------------------------------
// The judge: one call, classified, with the state before and after it.

type Answer = "refused" | "done"

interface EntryPoint<W> {
  readonly name: string
  readonly positions: ReadonlyArray<Position<W>>
  readonly call: (world: W, args: ReadonlyArray<unknown>) => unknown
  /** How a returned value answers: a refusal (nothing may change) or done. A Result is judged by its `ok`. */
  readonly answer?: (result: unknown, world: W) => Answer
  /** A query: nothing may change whatever it answers. */
  readonly pure?: boolean
  /** A refusal that may count one invalid free (free, tryFree, release). */
  readonly countsInvalidFree?: boolean
  /** Why these arguments must be refused (a success on them is a failure), if they must. */
  readonly mustRefuse?: (args: ReadonlyArray<unknown>, world: W) => string | undefined
  /** Undoes a success, so that the health check starts from a known state. */
  readonly undo?: (world: W, result: unknown) => void
}

interface Subject<W> {
  readonly make: () => W
  /** The observable state, with `invalidFrees` apart. */
  readonly state: (world: W) => { readonly rest: unknown; readonly invalidFrees: number }
  /** A valid operation works and leaves the state as it found it; throws otherwise. */
  readonly healthy: (world: W) => void
  readonly close?: (world: W) => void
}

const isResult = (
  value: unknown
): value is { readonly ok: boolean; readonly value?: unknown; readonly error?: unknown } =>
  typeof value === "object" && value !== null && typeof (value as { readonly ok?: unknown }).ok === "boolean"

/** The property of one entry point: see the module comment. */
const judge =
  <W>(subject: Subject<W>, entry: EntryPoint<W>) =>
  (gens: ReadonlyArray<Gen<W>>): void => {
    const world = subject.make()
    try {
      const args = gens.map((g) => g.make(world))
      const before = subject.state(world)
      let answer: Answer
      let result: unknown
      try {
        result = entry.call(world, args)
        if (isResult(result)) {
          if (!result.ok && !isTyped(result.error))
            throw new Error(`returned a raw error: ${describeThrown(result.error)}`)
          answer = result.ok ? "done" : "refused"
        } else answer = entry.answer?.(result, world) ?? "done"
      } catch (error) {
        if (!isTyped(error)) throw new Error(`raw exception escaped: ${describeThrown(error)}`)
        answer = "refused"
      }
      const after = subject.state(world)
      if (answer === "refused" || entry.pure === true) {
        expect(after.rest).toEqual(before.rest)
        const counted = after.invalidFrees - before.invalidFrees
        expect(counted === 0 || (counted === 1 && answer === "refused" && entry.countsInvalidFree === true)).toBe(true)
      }
      if (answer === "done") {
        const reason = entry.mustRefuse?.(args, world)
        if (reason !== undefined) throw new Error(`accepted: ${reason}`)
        entry.undo?.(world, result)
      }
      subject.healthy(world)
    } finally {
      subject.close?.(world)
    }
  }

const fuzz = <W>(subject: Subject<W>, entries: ReadonlyArray<EntryPoint<W>>, seed: number, runs = RUNS) => {
  entries.forEach((entry, index) => {
    test(`${entry.name}: typed errors only, refusals change nothing, still works after`, () => {
      fc.assert(fc.property(argumentsFor(entry.positions), judge(subject, entry)), {
        seed: seed + index,
        numRuns: runs,
        includeErrorInReport: true
      })
    })
  })
}

const statsApart = (stats: PoolStats) => {
  const { invalidFrees, ...rest } = stats
  return { rest, invalidFrees }
}

const unwrap = <A>(
  result: { readonly ok: true; readonly value: A } | { readonly ok: false; readonly error: unknown }
) => {
  if (!result.ok) throw result.error
  return result.value
}

// ---------------------------------------------------------------------------------------------------------------
// Values shared by the positions.

const anyHostile = <W>(except: ReadonlyArray<string> = []) => hostileValue<W>(except)
const or = <W>(...arbitraries: ReadonlyArray<fc.Arbitrary<Gen<W>>>): fc.Arbitrary<Gen<W>> => fc.oneof(...arbitraries)

/** Handles derived from the world's: freed, foreign, shifted, disguised as other types. */
const handleVariants = <
  W extends { readonly held: ReadonlyArray<number>; readonly freed: number; readonly foreign: number }
>(): fc.Arbitrary<Gen<W>> =>
  fc.constantFrom(
    gen<W>("a freed handle (double free)", (w) => w.freed),
    gen<W>("another pool's held handle", (w) => w.foreign),
    gen<W>("held + 0.5", (w) => (w.held[0] as number) + 0.5),
    gen<W>("held - 2^23 (another tag)", (w) => (w.held[0] as number) - 2 ** 23),
    gen<W>("held + 2^23 (another tag)", (w) => (w.held[0] as number) + 2 ** 23),
    gen<W>("held + 1000 (out of range)", (w) => (w.held[0] as number) + 1000),
    gen<W>("-held", (w) => -(w.held[0] as number)),
    gen<W>("String(held)", (w) => String(w.held[0])),
    gen<W>("new Number(held)", (w) => new Number(w.held[0])),
    gen<W>("BigInt(held)", (w) => BigInt(w.held[0] as number)),
    gen<W>("[held]", (w) => [w.held[0]]),
    gen<W>("{ valueOf: () => held }", (w) => ({ valueOf: () => w.held[0] })),
    constant<W>(-1, "NO_BLOCK (-1)")
  )

const handlePosition = <
  W extends { readonly held: ReadonlyArray<number>; readonly freed: number; readonly foreign: number }
>(): Position<W> => ({
  valid: fc.constantFrom(
    gen<W>("held[0]", (w) => w.held[0]),
    gen<W>("held[1]", (w) => w.held[1])
  ),
  hostile: or<W>(anyHostile<W>(), handleVariants<W>())
})

const isHeld = (world: { readonly held: ReadonlyArray<number> }, value: unknown) =>
  typeof value === "number" && world.held.some((h) => h === value)

/** The methods both pools take a handle in (free, tryFree, view, indexOf, isAllocated), as entry points. */
const handleMethods = <
  W extends {
    readonly pool: BlockPool | SharedBlockPool
    readonly held: ReadonlyArray<number>
    readonly freed: number
    readonly foreign: number
  }
>(
  pool: string
): ReadonlyArray<EntryPoint<W>> => [
  {
    name: `${pool}#free`,
    positions: [handlePosition()],
    call: (w, [h]) => w.pool.free(h as never),
    answer: (r) => (r === true ? "done" : "refused"),
    countsInvalidFree: true,
    mustRefuse: ([h], w) => (isHeld(w, h) ? undefined : "freed a handle that was not a held block")
  },
  {
    name: `${pool}#tryFree`,
    positions: [handlePosition()],
    call: (w, [h]) => w.pool.tryFree(h as never),
    countsInvalidFree: true,
    mustRefuse: ([h], w) => (isHeld(w, h) ? undefined : "freed a handle that was not a held block")
  },
  {
    name: `${pool}#view`,
    positions: [handlePosition()],
    call: (w, [h]) => w.pool.view(h as never),
    answer: (r) => ((r as Uint8Array).byteLength === 0 ? "refused" : "done"),
    pure: true,
    mustRefuse: ([h], w) =>
      typeof h === "number" && Number.isInteger(h) && (isHeld(w, h) || h === w.freed)
        ? undefined
        : "a view of what is not a block"
  },
  {
    name: `${pool}#indexOf`,
    positions: [handlePosition()],
    call: (w, [h]) => w.pool.indexOf(h as never),
    answer: (r) => (r === -1 ? "refused" : "done"),
    pure: true,
    mustRefuse: ([h]) => (typeof h === "number" ? undefined : "an index for a non-number")
  },
  {
    name: `${pool}#isAllocated`,
    positions: [handlePosition()],
    call: (w, [h]) => w.pool.isAllocated(h as never),
    answer: (r) => (r === true ? "done" : "refused"),
    pure: true,
    mustRefuse: ([h], w) => (isHeld(w, h) ? undefined : "allocated, a handle that was not held")
  }
]

// ---------------------------------------------------------------------------------------------------------------
// BlockPool instances.

interface LocalWorld {
  readonly pool: BlockPool
  readonly held: ReadonlyArray<number>
  readonly freed: number
  readonly foreign: number
}

const makeLocalWorld = (): LocalWorld => {
  const pool = unwrap(BlockPool.make({ name: "fuzz", blockSize: 64, initialCount: 4, maxCount: 16 }))
  const held = [pool.alloc(), pool.alloc()]
  const freed = pool.alloc()
  pool.free(freed)
  // another pool's handle, from a pool whose tag differs (tags repeat every 256 pools)
  let foreign = -1
  while (foreign < 0 || pool.indexOf(foreign) >= 0) {
    const other = unwrap(BlockPool.make({ name: "other", blockSize: 64, initialCount: 4, maxCount: 4 }))
    foreign = other.alloc()
  }
  return { pool, held, freed, foreign }
}

const blockPoolState = (pool: BlockPool, tag: number) => {
  const { rest, invalidFrees } = statsApart(pool.stats())
  const allocated = Array.from({ length: rest.totalBlocks }, (_, i) => pool.isAllocated(tag + i))
  return { rest: { stats: rest, freeList: pool.verifyFreeList(), allocated }, invalidFrees }
}

const tagOf = (pool: ManagedPool, handle: number) => handle - pool.indexOf(handle)

/** A pool works: every block can be taken, given back, and the stats come back. */
const poolWorks = (pool: ManagedPool) => {
  const before = statsApart(pool.stats()).rest
  const taken: Array<number> = []
  for (let h = pool.alloc(); h >= 0 && taken.length < 64; h = pool.alloc()) taken.push(h)
  expect(new Set(taken).size).toBe(taken.length)
  for (const h of taken) {
    expect(pool.isAllocated(h)).toBe(true)
    expect(pool.view(h).byteLength).toBe(pool.blockSize)
  }
  for (const h of taken) expect(pool.free(h)).toBe(true)
  const after = statsApart(pool.stats()).rest
  expect(after.usedBlocks).toBe(before.usedBlocks)
  if (pool instanceof BlockPool) expect(pool.verifyFreeList()).toBeGreaterThanOrEqual(0)
  else expect(pool.verifySharedFreeList()).toBeGreaterThanOrEqual(0)
}

const localSubject: Subject<LocalWorld & { tag: number }> = {
  make: () => {
    const world = makeLocalWorld()
    return { ...world, tag: tagOf(world.pool, world.held[0] as number) }
  },
  state: (w) => blockPoolState(w.pool, w.tag),
  healthy: (w) => poolWorks(w.pool)
}

const countPosition = <W>(): Position<W> => ({
  valid: fc.oneof(
    fc.integer({ min: 0, max: 6 }).map((n) => constant<W>(n)),
    fc.constant(constant<W>(undefined))
  ),
  hostile: anyHostile<W>()
})

describe("fuzz: BlockPool methods", () => {
  fuzz<LocalWorld & { tag: number }>(
    localSubject,
    [
      ...handleMethods("BlockPool"),
      {
        name: "BlockPool#grow",
        positions: [countPosition()],
        call: (w, [n]) => w.pool.grow(n as never),
        answer: (r) => (r === 0 ? "refused" : "done")
      },
      {
        name: "BlockPool#trim",
        positions: [countPosition()],
        call: (w, [n]) => w.pool.trim(n as never),
        answer: (r) => (r === 0 ? "refused" : "done")
      }
    ],
    SEED
  )
})

// ---------------------------------------------------------------------------------------------------------------
// Hooks: callbacks that throw, answer what is not a boolean, or call back into the pool or manager.

/** A late-bound target of re-entrant hooks: the pool or manager being made (set once it exists). */
interface Box<T> {
  target: T | undefined
}

interface HookBehaviour<T> {
  readonly label: string
  /** Whether the hook throws (the re-entering ones after re-entering). */
  readonly throws: boolean
  /** The re-entry's name, if it re-enters. */
  readonly reentry?: string
  readonly run: (box: Box<T>) => unknown
}

const hookBehaviours = <T>(
  reenter: ReadonlyArray<readonly [string, (target: T) => void]>
): ReadonlyArray<HookBehaviour<T>> => [
  {
    label: "throws",
    throws: true,
    run: () => {
      throw new HostileThrow("hook")
    }
  },
  { label: 'answers "yes"', throws: false, run: () => "yes" },
  { label: "answers 1", throws: false, run: () => 1 },
  { label: "answers a Promise", throws: false, run: () => Promise.resolve(true) },
  {
    label: "answers a throwing Proxy",
    throws: false,
    run: () =>
      new Proxy(
        {},
        {
          get: () => {
            throw new HostileThrow("hook result")
          }
        }
      )
  },
  ...reenter.flatMap(
    ([label, f]): ReadonlyArray<HookBehaviour<T>> => [
      {
        label: `${label}, then answers true`,
        throws: false,
        reentry: label,
        run: (box: Box<T>) => {
          if (box.target !== undefined) f(box.target)
          return true
        }
      },
      {
        label: `${label}, then throws`,
        throws: true,
        reentry: label,
        run: (box: Box<T>) => {
          if (box.target !== undefined) f(box.target)
          throw new HostileThrow("hook after re-entering")
        }
      }
    ]
  )
]

const poolReentry: ReadonlyArray<readonly [string, (pool: BlockPool) => void]> = [
  ["allocates from the pool", (p) => void p.alloc()],
  ["grows the pool", (p) => void p.grow(1)],
  ["trims the pool", (p) => void p.trim()]
]

interface MakeWorld {
  readonly box: Box<BlockPool>
}

const hookGen = <W extends { readonly box: Box<T> }, T>(behaviours: ReadonlyArray<HookBehaviour<T>>) =>
  fc.constantFrom(...behaviours).map((b) => gen<W>(`a hook that ${b.label}`, (w) => () => b.run(w.box)))

const blockPoolKeys = [
  "blockSize",
  "maxCount",
  "initialCount",
  "alignment",
  "name",
  "debug",
  "storage",
  "admitGrowth",
  "onCapacityChange",
  "onUseAfterFree"
] as const

const validBlockPoolOptions: fc.Arbitrary<Gen<MakeWorld>> = fc
  .record(
    {
      blockSize: fc.integer({ min: 1, max: 256 }),
      maxCount: fc.integer({ min: 1, max: 16 }),
      initialCount: fc.integer({ min: 0, max: 4 }),
      alignment: fc.constantFrom(1, 2, 8, 64),
      name: fc.string({ maxLength: 4 }),
      debug: fc.boolean(),
      storage: fc.constantFrom("slabs", "resizable"),
      growth: fc.constantFrom("admits", "refuses every other")
    },
    { requiredKeys: ["blockSize", "maxCount"] }
  )
  .map(({ growth, ...options }) =>
    gen<MakeWorld>(`${fc.stringify(options)} (admitGrowth ${growth ?? "absent"})`, () => {
      let calls = 0
      const admitGrowth = growth === undefined ? {} : { admitGrowth: () => growth === "admits" || calls++ % 2 === 0 }
      return { ...options, initialCount: Math.min(options.initialCount ?? 0, options.maxCount), ...admitGrowth }
    })
  )

const hooksExcept = (...reentries: ReadonlyArray<string>) =>
  hookGen<MakeWorld, BlockPool>(
    hookBehaviours(poolReentry).filter((b) => b.reentry === undefined || !reentries.includes(b.reentry))
  )

const hostileBlockPoolOptions: fc.Arbitrary<Gen<MakeWorld>> = fc.oneof(
  anyHostile<MakeWorld>(),
  withHostileField(validBlockPoolOptions, blockPoolKeys),
  disguised(validBlockPoolOptions),
  withHostileField(validBlockPoolOptions, ["onUseAfterFree"], hooksExcept()),
  withHostileField(validBlockPoolOptions, ["onCapacityChange"], hooksExcept()),
  withHostileField(validBlockPoolOptions, ["admitGrowth"], hooksExcept())
)

/** A made pool under a workload (which runs the hooks): its blocks are distinct and allocated, its list sound. */
const exercise = (pool: BlockPool) => {
  const taken: Array<number> = []
  for (let i = 0; i < 20; i++) {
    const h = pool.alloc()
    if (h >= 0) taken.push(h)
  }
  pool.trim()
  pool.grow()
  expect(new Set(taken).size).toBe(taken.length)
  // a re-entrant hook may free blocks behind the workload's back: those it holds still are allocated or freed once
  for (const h of taken) if (pool.isAllocated(h)) expect(pool.free(h)).toBe(true)
  expect(pool.verifyFreeList()).toBeGreaterThanOrEqual(0)
  const stats = pool.stats()
  expect(stats.totalCapacityBytes).toBe(stats.totalBlocks * stats.blockSize)
  expect(stats.usedBlocks).toBeLessThanOrEqual(stats.totalBlocks)
}

describe("fuzz: BlockPool.make", () => {
  test("BlockPool.make: typed errors only; a made pool (hooks re-entering it included) stays sound", () => {
    fc.assert(
      fc.property(argumentsFor([{ valid: validBlockPoolOptions, hostile: hostileBlockPoolOptions }]), ([options]) => {
        const world: MakeWorld = { box: { target: undefined } }
        let made: unknown
        try {
          made = BlockPool.make((options as Gen<MakeWorld>).make(world) as BlockPoolOptions)
        } catch (error) {
          throw new Error(`raw exception escaped: ${describeThrown(error)}`)
        }
        if (!isResult(made)) throw new Error("not a Result")
        if (!made.ok) {
          if (!isTyped(made.error)) throw new Error(`returned a raw error: ${describeThrown(made.error)}`)
          return
        }
        const pool = made.value as BlockPool
        world.box.target = pool
        exercise(pool)
      }),
      { seed: SEED + 100, numRuns: RUNS, includeErrorInReport: true }
    )
  })
})

// ---------------------------------------------------------------------------------------------------------------
// SharedBlockPool: instances, make, attach, releaseSlot.

interface SharedWorld {
  readonly pool: SharedBlockPool
  readonly held: ReadonlyArray<number>
  readonly freed: number
  readonly foreign: number
  readonly tag: number
}

const makeSharedWorld = (): SharedWorld => {
  const pool = unwrap(SharedBlockPool.make({ name: "shared", blockSize: 64, blockCount: 8, maxThreads: 2 }))
  const held = [pool.alloc(), pool.alloc()]
  const freed = pool.alloc()
  pool.free(freed)
  let foreign = -1
  while (foreign < 0 || pool.indexOf(foreign) >= 0) {
    const other = unwrap(SharedBlockPool.make({ name: "other", blockSize: 64, blockCount: 8, maxThreads: 1 }))
    foreign = other.alloc()
    other.detach()
  }
  return { pool, held, freed, foreign, tag: tagOf(pool, held[0] as number) }
}

const sharedState = (w: SharedWorld) => {
  const { rest, invalidFrees } = statsApart(w.pool.stats())
  const allocated = Array.from({ length: w.pool.blockCount }, (_, i) => w.pool.isAllocated(w.tag + i))
  return { rest: { stats: rest, freeList: w.pool.verifySharedFreeList(), allocated }, invalidFrees }
}

const sharedSubject: Subject<SharedWorld> = {
  make: makeSharedWorld,
  state: sharedState,
  healthy: (w) => poolWorks(w.pool),
  close: (w) => w.pool.detach()
}

const rebuildReentry: ReadonlyArray<readonly [string, (pool: SharedBlockPool) => void]> = [
  ["flushes the cache", (p) => p.flush()],
  ["allocates from the pool", (p) => void p.alloc()],
  ["allocates and frees a block", (p) => void p.free(p.alloc())],
  ["rebuilds the pool", (p) => void p.rebuild(() => false)],
  ["detaches", (p) => p.detach()]
]

interface SharedBoxWorld extends SharedWorld {
  readonly box: Box<SharedBlockPool>
}

describe("fuzz: SharedBlockPool methods", () => {
  fuzz<SharedWorld>(sharedSubject, [...handleMethods("SharedBlockPool")], SEED + 200)
  fuzz<SharedBoxWorld>(
    {
      make: () => {
        const world = makeSharedWorld()
        const box: Box<SharedBlockPool> = { target: world.pool }
        return { ...world, box }
      },
      state: sharedState,
      healthy: (w) => poolWorks(w.pool),
      close: (w) => w.pool.detach()
    },
    [
      {
        name: "SharedBlockPool#rebuild",
        positions: [
          {
            valid: fc.constant(
              gen<SharedBoxWorld>("(h) => held.includes(h)", (w) => (h: number) => w.held.includes(h))
            ),
            hostile: or<SharedBoxWorld>(
              anyHostile<SharedBoxWorld>(),
              fc.constantFrom(
                gen<SharedBoxWorld>("() => 1", () => () => 1),
                gen<SharedBoxWorld>("async () => true", () => async () => true),
                gen<SharedBoxWorld>("() => undefined", () => () => undefined),
                gen<SharedBoxWorld>("(h) => String(h)", () => (h: number) => String(h))
              ),
              hookGen<SharedBoxWorld, SharedBlockPool>(hookBehaviours(rebuildReentry))
            )
          }
        ],
        call: (w, [isHeldFn]) => w.pool.rebuild(isHeldFn as never),
        answer: () => "done"
      }
    ],
    SEED + 300
  )
})

const sharedKeys = ["blockSize", "blockCount", "alignment", "name", "maxThreads", "batchSize", "debug"] as const

const validSharedOptions: fc.Arbitrary<Gen<unknown>> = fc
  .record(
    {
      blockSize: fc.integer({ min: 1, max: 256 }),
      blockCount: fc.integer({ min: 1, max: 16 }),
      alignment: fc.constantFrom(1, 8, 64),
      name: fc.string({ maxLength: 4 }),
      maxThreads: fc.integer({ min: 1, max: 4 }),
      batchSize: fc.integer({ min: 1, max: 4 }),
      debug: fc.boolean()
    },
    { requiredKeys: ["blockSize", "blockCount"] }
  )
  .map((options) => gen<unknown>(fc.stringify(options), () => ({ ...options })))

/** Buffers that are not a pool's, or the world pool's with its header changed. */
const bufferPosition = (headerWords: ReadonlyArray<number>): Position<SharedWorld> => ({
  valid: fc.constant(gen<SharedWorld>("the pool's buffer (a thread slot free)", (w) => w.pool.buffer)),
  hostile: fc.oneof(
    anyHostile<SharedWorld>(),
    fc.constantFrom(
      gen<SharedWorld>("new SharedArrayBuffer(255)", () => new SharedArrayBuffer(255)),
      gen<SharedWorld>("new SharedArrayBuffer(4096) (zeros)", () => new SharedArrayBuffer(4096)),
      gen<SharedWorld>("new ArrayBuffer(4096)", () => new ArrayBuffer(4096)),
      gen<SharedWorld>("the pool's buffer as a Uint8Array", (w) => new Uint8Array(w.pool.buffer)),
      gen<SharedWorld>(
        "a Proxy over the pool's buffer whose get trap throws",
        (w) =>
          new Proxy(w.pool.buffer, {
            get() {
              throw new Error("get")
            }
          })
      ),
      gen<SharedWorld>("a Proxy over the pool's buffer", (w) => new Proxy(w.pool.buffer, {}))
    ),
    fc
      .tuple(fc.constantFrom(...headerWords), fc.constantFrom(-1, 0, 1, 255, 2 ** 20, 2 ** 31 - 1, -(2 ** 31)))
      .map(([word, value]) =>
        gen<SharedWorld>(`a copy of the pool's buffer with header word ${word} set to ${value}`, (w) => {
          const source = w.pool.buffer
          const copy = new SharedArrayBuffer(source.byteLength)
          new Uint8Array(copy).set(new Uint8Array(source))
          new Int32Array(copy, 0, 64)[word] = value
          return copy
        })
      )
  )
})

const headerWords = Array.from({ length: 32 }, (_, i) => i)

describe("fuzz: SharedBlockPool.attach and releaseSlot", () => {
  fuzz<SharedWorld>(
    sharedSubject,
    [
      {
        name: "SharedBlockPool.attach",
        positions: [bufferPosition(headerWords)],
        call: (_w, [buffer]) => SharedBlockPool.attach(buffer as never),
        undo: (_w, r) => {
          const attached = (r as { readonly value: SharedBlockPool }).value
          attached.free(attached.alloc())
          attached.stats()
          attached.detach()
        }
      },
      {
        name: "SharedBlockPool.releaseSlot",
        positions: [
          bufferPosition(headerWords),
          {
            valid: fc.constant(constant<SharedWorld>(1, "1 (a free slot)")),
            hostile: or<SharedWorld>(
              anyHostile<SharedWorld>(),
              fc.constantFrom(2, -1, 0.5).map((n) => constant(n))
            )
          }
        ],
        call: (_w, [buffer, slot]) => SharedBlockPool.releaseSlot(buffer as never, slot as never),
        answer: (r) => (r === true ? "done" : "refused")
      }
    ],
    SEED + 500
  )
})

describe("fuzz: SharedBlockPool statics", () => {
  test("SharedBlockPool.make: typed errors only; a made pool works", () => {
    fc.assert(
      fc.property(
        argumentsFor([
          {
            valid: validSharedOptions,
            hostile: fc.oneof(
              anyHostile<unknown>(),
              withHostileField(validSharedOptions, sharedKeys),
              disguised(validSharedOptions)
            )
          }
        ]),
        ([options]) => {
          let made: unknown
          try {
            made = SharedBlockPool.make((options as Gen<unknown>).make(undefined) as never)
          } catch (error) {
            throw new Error(`raw exception escaped: ${describeThrown(error)}`)
          }
          if (!isResult(made)) throw new Error("not a Result")
          if (!made.ok) {
            if (!isTyped(made.error)) throw new Error(`returned a raw error: ${describeThrown(made.error)}`)
            return
          }
          const pool = made.value as SharedBlockPool
          poolWorks(pool)
          pool.detach()
        }
      ),
      { seed: SEED + 400, numRuns: RUNS, includeErrorInReport: true }
    )
  })
})

// ---------------------------------------------------------------------------------------------------------------
// PoolManager: an instance with budget hooks (the bytes charged are part of its state), and its constructor.

const LIMIT = 16 * 1024

interface ManagerWorld {
  readonly manager: PoolManager
  /** Bytes the hooks charged (admitted less released). */
  readonly charged: { bytes: number }
  readonly held: Allocation
  readonly heap: Allocation
  readonly stale: Allocation
  readonly foreign: Allocation
}

const makeManagerWorld = (): ManagerWorld => {
  const charged = { bytes: 0 }
  const manager = new PoolManager({
    admitGrowth: (_type, bytes) => {
      if (charged.bytes + bytes > LIMIT) return false
      charged.bytes += bytes
      return true
    },
    onRelease: (_type, bytes) => {
      charged.bytes -= bytes
    }
  })
  unwrap(manager.createPool({ type: "Memory", blockSize: 64, initialCount: 2, maxCount: 8 }))
  unwrap(manager.createPool({ type: "Memory", blockSize: 256, initialCount: 1, maxCount: 4, alignment: 64 }))
  unwrap(manager.createPool({ type: "Hardware", blockSize: 32, initialCount: 1, maxCount: 4 }))
  const held = unwrap(manager.allocate("Memory", 40))
  const heap = unwrap(manager.allocate("Memory", 1000))
  const stale = unwrap(manager.allocate("Memory", 50))
  manager.release(stale)
  const other = new PoolManager()
  unwrap(other.createPool({ type: "Memory", blockSize: 64, initialCount: 2, maxCount: 8 }))
  const foreign = unwrap(other.allocate("Memory", 40))
  return { manager, charged, held, heap, stale, foreign }
}

const managerState = (w: ManagerWorld) => {
  let invalidFrees = 0
  const pools = w.manager.pools().map(({ type, pool }) => {
    const apart = statsApart(pool.stats())
    invalidFrees += apart.invalidFrees
    return { type, kind: pool.constructor.name, stats: apart.rest }
  })
  return { rest: { pools, routing: w.manager.routingStats(), charged: w.charged.bytes }, invalidFrees }
}

/** The manager works: an allocation of each pool's size is served and released; the budget matches capacity. */
const managerWorks = (w: ManagerWorld) => {
  const capacity = () => w.manager.pools().reduce((sum, { pool }) => sum + pool.stats().totalCapacityBytes, 0)
  expect(w.charged.bytes).toBe(capacity())
  const before = managerState(w).rest.pools
  for (const { type, pool } of w.manager.pools()) {
    const a = w.manager.allocate(type, pool.blockSize)
    expect(a.ok).toBe(true)
    if (a.ok) expect(w.manager.release(a.value)).toBe(true)
  }
  const after = managerState(w).rest.pools
  expect(after.map((p) => p.stats.usedBlocks)).toEqual(before.map((p) => p.stats.usedBlocks))
  for (const { pool } of w.manager.pools()) {
    if (pool instanceof BlockPool) expect(pool.verifyFreeList()).toBeGreaterThanOrEqual(0)
  }
}

const typePosition = <W>(): Position<W> => ({
  valid: fc.constantFrom("Memory", "Hardware").map((t) => constant<W>(t)),
  hostile: or<W>(
    anyHostile<W>(),
    fc.constantFrom("Custom", "memory", "Memory ", "MEMORY").map((t) => constant<W>(t)),
    fc.constant(gen<W>('new String("Memory")', () => new String("Memory")))
  )
})

const sizePosition = <W>(): Position<W> => ({
  valid: fc.constantFrom(64, 256, 32).map((n) => constant<W>(n)),
  hostile: or<W>(
    anyHostile<W>(),
    fc.constantFrom(64.5, -64, "64").map((n) => constant<W>(n)),
    fc.constant(gen<W>("new Number(64)", () => new Number(64)))
  )
})

const bytesPosition = <W>(): Position<W> => ({
  valid: fc.integer({ min: 0, max: 300 }).map((n) => constant<W>(n)),
  hostile: anyHostile<W>()
})

const alignmentPosition = <W>(): Position<W> => ({
  valid: fc.constantFrom(undefined, 1, 8, 64).map((n) => constant<W>(n)),
  hostile: or<W>(
    anyHostile<W>(),
    fc.constantFrom(3, 2 ** 31, 0).map((n) => constant<W>(n))
  )
})

const poolConfigKeys = [
  "type",
  "blockSize",
  "initialCount",
  "maxCount",
  "alignment",
  "threadSafe",
  "name",
  "debug"
] as const

const validPoolConfig = <W>(): fc.Arbitrary<Gen<W>> =>
  fc
    .record(
      {
        type: fc.constantFrom("Memory", "Hardware", "Custom"),
        blockSize: fc.integer({ min: 1, max: 512 }),
        initialCount: fc.integer({ min: 0, max: 4 }),
        maxCount: fc.integer({ min: 4, max: 16 }),
        alignment: fc.constantFrom(1, 8, 64),
        threadSafe: fc.boolean(),
        name: fc.string({ maxLength: 4 }),
        debug: fc.boolean()
      },
      { requiredKeys: ["type", "blockSize", "initialCount", "maxCount"] }
    )
    .map((config) => gen<W>(fc.stringify(config), () => ({ ...config })))

const allocationPosition: Position<ManagerWorld> = {
  valid: fc.constantFrom(
    gen<ManagerWorld>("held (a pool allocation)", (w) => w.held),
    gen<ManagerWorld>("heap (a heap allocation)", (w) => w.heap)
  ),
  hostile: or<ManagerWorld>(
    anyHostile<ManagerWorld>(),
    withHostileField(fc.constant(gen<ManagerWorld>("held", (w) => w.held)), ["kind", "type", "pool", "handle"]),
    disguised(fc.constant(gen<ManagerWorld>("held", (w) => w.held))),
    fc.constantFrom(
      gen<ManagerWorld>("a released allocation", (w) => w.stale),
      gen<ManagerWorld>("another manager's allocation", (w) => w.foreign),
      gen<ManagerWorld>("held, its pool another manager's", (w) => ({
        ...w.held,
        pool: w.foreign.kind === "pool" ? w.foreign.pool : undefined
      })),
      gen<ManagerWorld>("held, its type Hardware", (w) => ({ ...w.held, type: "Hardware" })),
      gen<ManagerWorld>("held, its handle + 1", (w) => ({
        ...w.held,
        handle: (w.held as { handle: number }).handle + 1
      }))
    )
  )
}

const isForgedRelease = (allocation: unknown, w: ManagerWorld): string | undefined => {
  if (allocation === w.stale || allocation === w.foreign) return "released a released or foreign allocation"
  return undefined
}

describe("fuzz: PoolManager methods", () => {
  fuzz<ManagerWorld>(
    { make: makeManagerWorld, state: managerState, healthy: managerWorks },
    [
      {
        name: "PoolManager#createPool",
        positions: [
          {
            valid: validPoolConfig(),
            hostile: fc.oneof(
              anyHostile<ManagerWorld>(),
              withHostileField(validPoolConfig<ManagerWorld>(), poolConfigKeys),
              disguised(validPoolConfig<ManagerWorld>())
            )
          }
        ],
        call: (w, [config]) => w.manager.createPool(config as never)
      },
      {
        name: "PoolManager#getPool",
        positions: [typePosition(), sizePosition()],
        call: (w, [t, s]) => w.manager.getPool(t as never, s as never),
        answer: (r) => (r === undefined ? "refused" : "done"),
        pure: true
      },
      {
        name: "PoolManager#getPoolStats",
        positions: [typePosition(), sizePosition()],
        call: (w, [t, s]) => w.manager.getPoolStats(t as never, s as never),
        pure: true
      },
      {
        name: "PoolManager#destroyPool",
        positions: [typePosition(), sizePosition()],
        call: (w, [t, s]) => w.manager.destroyPool(t as never, s as never),
        mustRefuse: ([t, s]) =>
          (t === "Memory" && (s === 64 || s === 256)) || (t === "Hardware" && s === 32)
            ? undefined
            : "destroyed a pool that does not exist"
      },
      {
        name: "PoolManager#route",
        positions: [typePosition(), bytesPosition(), alignmentPosition()],
        call: (w, [t, n, a]) => w.manager.route(t as never, n as never, a as never),
        answer: (r) => (r === undefined ? "refused" : "done"),
        pure: true
      },
      {
        name: "PoolManager#allocate",
        positions: [typePosition(), bytesPosition(), alignmentPosition()],
        call: (w, [t, n, a]) => w.manager.allocate(t as never, n as never, a as never),
        mustRefuse: ([t]) =>
          t === "Memory" || t === "Hardware" || t === "Custom" ? undefined : "allocated for a bad type",
        undo: (w, r) => void w.manager.release((r as { readonly value: Allocation }).value)
      },
      {
        name: "PoolManager#release",
        positions: [allocationPosition],
        call: (w, [a]) => w.manager.release(a as never),
        answer: (r) => (r === true ? "done" : "refused"),
        countsInvalidFree: true,
        mustRefuse: ([a], w) => isForgedRelease(a, w)
      },
      {
        name: "PoolManager#trim",
        positions: [
          {
            valid: fc.constantFrom(undefined, "Memory", "Hardware").map((t) => constant<ManagerWorld>(t)),
            hostile: typePosition<ManagerWorld>().hostile
          }
        ],
        call: (w, [t]) => w.manager.trim(t as never),
        answer: (r) => (r === 0 ? "refused" : "done")
      }
    ],
    SEED + 600
  )
})

// ---------------------------------------------------------------------------------------------------------------
// PoolManager's constructor, with hooks that misbehave or call back into the manager.

interface HookWorld {
  readonly box: Box<PoolManager>
  /** Bytes charged through the hooks this suite made (admitted with `true`, less released). */
  readonly charged: { bytes: number }
  /** The hooks that keep `charged`: when both of the manager's hooks are among them, it must match capacity. */
  readonly tracking: WeakSet<object>
}

const managerReentry: ReadonlyArray<readonly [string, (manager: PoolManager) => void]> = [
  ["allocates from the manager", (m) => void m.allocate("Memory", 10)],
  ["creates a pool", (m) => void m.createPool({ type: "Hardware", blockSize: 16, initialCount: 1, maxCount: 2 })],
  ["destroys the Memory 64 pool", (m) => void m.destroyPool("Memory", 64)],
  ["trims every pool", (m) => void m.trim()]
]

const trackedAdmit = (w: HookWorld, answer: () => unknown) => {
  const hook = (_type: unknown, bytes: number) => {
    const answered = answer()
    if (answered === true) w.charged.bytes += bytes
    return answered
  }
  w.tracking.add(hook)
  return hook
}

const trackedRelease = (w: HookWorld, also: () => unknown) => {
  const hook = (_type: unknown, bytes: number) => {
    w.charged.bytes -= bytes
    return also()
  }
  w.tracking.add(hook)
  return hook
}

const validManagerOptions: fc.Arbitrary<Gen<HookWorld>> = fc.constantFrom(
  gen<HookWorld>("{}", () => ({})),
  gen<HookWorld>("{ admitGrowth: () => true, onRelease: () => {} }", (w) => ({
    admitGrowth: trackedAdmit(w, () => true),
    onRelease: trackedRelease(w, () => undefined)
  }))
)

/** Hooks that misbehave or re-enter the manager, keeping count of what they admit and release. */
const managerHooks = (field: "admitGrowth" | "onRelease", exceptReentries: ReadonlyArray<string> = []) =>
  fc
    .constantFrom(
      ...hookBehaviours(managerReentry).filter((b) => b.reentry === undefined || !exceptReentries.includes(b.reentry))
    )
    .map((b) =>
      gen<HookWorld>(`a hook that ${b.label}`, (w) =>
        field === "admitGrowth" ? trackedAdmit(w, () => b.run(w.box)) : trackedRelease(w, () => b.run(w.box))
      )
    )

/** Whether both hooks of `options` are tracking ones (read without running getters). */
const bothTracked = (options: unknown, w: HookWorld) => {
  try {
    if (typeof options !== "object" || options === null) return false
    return (["admitGrowth", "onRelease"] as const).every((key) => {
      const value: unknown = Object.getOwnPropertyDescriptor(options, key)?.value
      return typeof value === "function" && w.tracking.has(value)
    })
  } catch {
    return false
  }
}

describe("fuzz: new PoolManager", () => {
  test("new PoolManager(options): typed errors only; a made manager (re-entering hooks too) stays sound", () => {
    fc.assert(
      fc.property(
        argumentsFor<HookWorld>([
          {
            valid: validManagerOptions,
            hostile: fc.oneof(
              anyHostile<HookWorld>(),
              withHostileField(validManagerOptions, ["admitGrowth", "onRelease"]),
              withHostileField(validManagerOptions, ["onRelease"], managerHooks("onRelease")),
              withHostileField(validManagerOptions, ["admitGrowth"], managerHooks("admitGrowth")),
              disguised(validManagerOptions)
            )
          }
        ]),
        ([options]) => {
          const world: HookWorld = { box: { target: undefined }, charged: { bytes: 0 }, tracking: new WeakSet() }
          const input = (options as Gen<HookWorld>).make(world)
          let manager: PoolManager
          try {
            manager = new PoolManager(input as never)
          } catch (error) {
            if (isTyped(error)) return
            throw new Error(`raw exception escaped: ${describeThrown(error)}`)
          }
          world.box.target = manager
          try {
            manager.createPool({ type: "Memory", blockSize: 64, initialCount: 1, maxCount: 8 })
            const held: Array<Allocation> = []
            for (let i = 0; i < 12; i++) {
              const a = manager.allocate("Memory", 48)
              if (a.ok) held.push(a.value)
              else expect(isTyped(a.error)).toBe(true)
            }
            manager.trim()
            for (const a of held) manager.release(a)
            manager.destroyPool("Memory", 64)
          } catch (error) {
            throw new Error(`raw exception escaped: ${describeThrown(error)}`)
          }
          for (const { pool } of manager.pools()) {
            if (pool instanceof BlockPool) expect(pool.verifyFreeList()).toBeGreaterThanOrEqual(0)
          }
          if (bothTracked(input, world)) {
            const capacity = manager.pools().reduce((sum, { pool }) => sum + pool.stats().totalCapacityBytes, 0)
            expect(world.charged.bytes).toBe(capacity)
          }
        }
      ),
      { seed: SEED + 700, numRuns: RUNS, includeErrorInReport: true }
    )
  })
})
