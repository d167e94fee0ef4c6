/**
 * The floor of the pool benchmarks: a hand-written minimal Int32Array free list with no checks, no stats and
 * no views. Every pool variant is reported as a ratio to its alloc+free pair.
 *
 * @module
 */
import { median } from "./fresh-process.ts"

/** A bare LIFO free list over block indices 0..count-1. */
export class MinimalFreeList {
  private readonly next: Int32Array
  private head = 0

  constructor(count: number) {
    this.next = new Int32Array(count)
    for (let i = 0; i < count; i++) this.next[i] = i + 1 < count ? i + 1 : -1
  }

  alloc(): number {
    const i = this.head
    if (i < 0) return -1
    this.head = this.next[i] as number
    return i
  }

  free(i: number): void {
    this.next[i] = this.head
    this.head = i
  }
}

/** What {@link interleaved} measured in one process: ns per pair of each side, and their ratio. */
export interface Interleaved {
  /** The median over rounds of the allocator's ns per alloc+free pair. */
  readonly ns: number
  /** The median over rounds of the floor's ns per pair, measured in the same rounds. */
  readonly floorNs: number
  /** The median over rounds of the ratio of the two batches of one round (side by side: the same machine speed). */
  readonly ratio: number
}

/** What {@link interleaved} times: anything with an `alloc` and a `free` of what `alloc` returned. */
export interface Allocator {
  alloc(): number
  free(handle: number): unknown
}

/**
 * A new loop of `n` alloc+free pairs, `pairs` of them back to back in each iteration (`n` a multiple of it), which
 * returns what it consumed (the xor of the handles). Every call compiles the same source into a function of its
 * own, so that each allocator's loop is profiled and compiled for it alone (one function shared by two allocators
 * would be polymorphic), and both sides run the same code to the letter. The source differs only in a comment
 * naming the side: with equal sources both sides ran at 15 to 19 ns per pair, as one polymorphic loop (the engine
 * shares what it compiled for equal sources).
 */
export const pairLoop = (side: string, pairs: number): ((allocator: Allocator, n: number) => number) => {
  const names = Array.from({ length: pairs }, (_, p) => `i${p}`)
  const body = names.map((i) => `const ${i} = allocator.alloc(); allocator.free(${i});`).join(" ")
  return new Function(
    "allocator",
    "n",
    `"use strict" // ${side}\n` +
      `let sink = 0; for (let k = 0; k < n; k += ${pairs}) { ${body} sink ^= ${names.join(" ^ ")} } return sink`
  ) as (allocator: Allocator, n: number) => number
}

/**
 * Times the floor and another allocator alike, in one process: each round runs a batch of `batch` pairs of each,
 * back to back (the order alternates between rounds), each batch timed as a whole (`performance.now()` around a
 * loop of `batch` pairs, so that the clock and the loop cost well under one part in a thousand of a batch). Both
 * loops are the same source ({@link pairLoop}, `pairs` pairs per iteration), and both run the same warm-up rounds
 * first, enough for the optimizing JIT tier. The ratio of a round compares two batches a millisecond apart, so
 * that a change of the machine's speed between processes or during the run moves both sides.
 */
export const interleaved = (
  floor: MinimalFreeList,
  allocator: Allocator,
  options: { readonly pairs?: number; readonly batch?: number; readonly warmup?: number; readonly rounds?: number } = {}
): Interleaved => {
  const pairs = options.pairs ?? 1
  const floorLoop = pairLoop("the floor", pairs)
  const loop = pairLoop("the allocator", pairs)
  const batch = options.batch ?? 500_000
  const warmup = options.warmup ?? 20
  const rounds = options.rounds ?? 101
  let sink = 0
  const time = (run: () => number): number => {
    const start = performance.now()
    sink ^= run()
    return ((performance.now() - start) * 1e6) / batch
  }
  const floorBatch = () => floorLoop(floor, batch)
  const ownBatch = () => loop(allocator, batch)
  const floors: Array<number> = []
  const owns: Array<number> = []
  const ratios: Array<number> = []
  for (let r = 0; r < warmup + rounds; r++) {
    let f: number
    let o: number
    if (r % 2 === 0) {
      f = time(floorBatch)
      o = time(ownBatch)
    } else {
      o = time(ownBatch)
      f = time(floorBatch)
    }
    if (r < warmup) continue
    floors.push(f)
    owns.push(o)
    ratios.push(o / f)
  }
  if (sink === 0.5) throw new Error("unreachable: keeps the loops' results alive")
  return { ns: median(owns), floorNs: median(floors), ratio: median(ratios) }
}
