import { describe, expect, test } from "bun:test"
import * as fc from "fast-check"
import { BlockPool, type PoolStats } from "../src/index.ts"

type Op =
  | { readonly op: "alloc" }
  | { readonly op: "free"; readonly pick: number }
  | { readonly op: "doubleFree"; readonly pick: number }
  | { readonly op: "badFree"; readonly handle: number }
  | { readonly op: "grow"; readonly blocks: number }
  | { readonly op: "trim"; readonly keep: number }
  | { readonly op: "refuseGrowth"; readonly refuse: boolean }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ op: "alloc" as const }) },
  { weight: 4, arbitrary: fc.nat().map((pick) => ({ op: "free" as const, pick })) },
  { weight: 1, arbitrary: fc.nat().map((pick) => ({ op: "doubleFree" as const, pick })) },
  {
    weight: 1,
    arbitrary: fc
      .oneof(fc.integer({ min: -5, max: 2 ** 31 }), fc.double(), fc.constantFrom(Number.NaN, 2 ** 23, 1.5))
      .map((handle) => ({ op: "badFree" as const, handle }))
  },
  { weight: 1, arbitrary: fc.integer({ min: -2, max: 40 }).map((blocks) => ({ op: "grow" as const, blocks })) },
  { weight: 1, arbitrary: fc.integer({ min: -1, max: 20 }).map((keep) => ({ op: "trim" as const, keep })) },
  { weight: 1, arbitrary: fc.boolean().map((refuse) => ({ op: "refuseGrowth" as const, refuse })) }
)

/** The model: which block indices are held, how many blocks exist, and the counters. */
interface Model {
  capacity: number
  slabs: Array<number>
  held: Array<number>
  freed: Array<number>
  allocations: number
  frees: number
  failures: number
  invalidFrees: number
  peak: number
  capacityBytes: number
}

const unchanged = (before: PoolStats, after: PoolStats) => {
  const { invalidFrees: _a, ...restBefore } = before
  const { invalidFrees: _b, ...restAfter } = after
  expect(restAfter).toEqual(restBefore)
  expect(after.invalidFrees).toBe(before.invalidFrees + 1)
}

const run = (storage: "resizable" | "slabs", debug: boolean, initialCount: number, maxCount: number, ops: Op[]) => {
  let refuse = false
  const model: Model = {
    capacity: initialCount,
    slabs: initialCount > 0 ? [0] : [],
    held: [],
    freed: [],
    allocations: 0,
    frees: 0,
    failures: 0,
    invalidFrees: 0,
    peak: 0,
    capacityBytes: 0
  }
  const made = BlockPool.make({
    name: "prop",
    blockSize: 24,
    alignment: 8,
    initialCount,
    maxCount,
    storage,
    debug,
    admitGrowth: () => !refuse,
    onCapacityChange: (delta) => {
      model.capacityBytes += delta
    }
  })
  if (!made.ok) throw made.error
  const pool = made.value
  const growModel = (to: number) => {
    model.slabs.push(model.capacity)
    model.capacity = to
  }
  for (const step of ops) {
    const before = pool.stats()
    switch (step.op) {
      case "refuseGrowth":
        refuse = step.refuse
        break
      case "alloc": {
        const freeBlocks = model.capacity - model.held.length
        let expectOk = freeBlocks > 0
        if (!expectOk && model.capacity < maxCount && !refuse) {
          growModel(Math.min(maxCount, model.capacity + Math.max(model.capacity, 8)))
          expectOk = true
        }
        const h = pool.alloc()
        if (expectOk) {
          expect(h).toBeGreaterThanOrEqual(0)
          const index = pool.indexOf(h)
          expect(index).toBeGreaterThanOrEqual(0)
          expect(index).toBeLessThan(model.capacity)
          expect(model.held.some((x) => pool.indexOf(x) === index)).toBe(false) // never handed out twice
          expect(pool.view(h).length).toBe(24)
          model.held.push(h)
          model.allocations++
          model.peak = Math.max(model.peak, model.held.length)
        } else {
          expect(h).toBe(-1)
          model.failures++
        }
        break
      }
      case "free": {
        if (model.held.length === 0) break
        const [h] = model.held.splice(step.pick % model.held.length, 1)
        if (h === undefined) break
        pool.view(h).fill(7) // use the block while held
        expect(pool.free(h)).toBe(true)
        model.freed.push(h)
        model.frees++
        break
      }
      case "doubleFree": {
        const h = model.freed[step.pick % Math.max(1, model.freed.length)]
        if (h === undefined || model.held.includes(h)) break
        const r = pool.tryFree(h)
        expect(r.ok).toBe(false)
        model.invalidFrees++
        unchanged(before, pool.stats())
        break
      }
      case "badFree": {
        if (model.held.includes(step.handle)) break
        expect(pool.free(step.handle)).toBe(false)
        model.invalidFrees++
        unchanged(before, pool.stats())
        break
      }
      case "grow": {
        const added = pool.grow(step.blocks)
        const want = Number.isSafeInteger(step.blocks) && step.blocks > 0 ? step.blocks : 0
        const target = Math.min(maxCount, model.capacity + want)
        if (target > model.capacity && !refuse) {
          expect(added).toBe(target - model.capacity)
          growModel(target)
        } else {
          expect(added).toBe(0)
        }
        break
      }
      case "trim": {
        const released = pool.trim(step.keep)
        // a negative count is not one: nothing is released (as grow adds nothing for it)
        let keep = step.keep >= 0 ? Math.min(step.keep, model.capacity) : model.capacity
        for (const h of model.held) keep = Math.max(keep, pool.indexOf(h) + 1)
        if (storage === "slabs") keep = model.slabs.find((first) => first >= keep) ?? model.capacity
        if (keep < model.capacity) {
          expect(released).toBe((model.capacity - keep) * 24)
          model.capacity = keep
          model.slabs = model.slabs.filter((first) => first < keep)
        } else {
          expect(released).toBe(0)
        }
        break
      }
    }
    const s = pool.stats()
    expect(s.totalBlocks).toBe(model.capacity)
    expect(s.totalBlocks).toBeLessThanOrEqual(maxCount) // capacity never exceeded
    expect(s.usedBlocks).toBe(model.held.length)
    expect(s.freeBlocks).toBe(model.capacity - model.held.length)
    expect(s.usedBytes).toBe(model.held.length * 24)
    expect(s.totalCapacityBytes).toBe(model.capacity * 24)
    expect(model.capacityBytes).toBe(model.capacity * 24)
    expect(s.allocations).toBe(model.allocations)
    expect(s.frees).toBe(model.frees)
    expect(s.failures).toBe(model.failures)
    expect(s.invalidFrees).toBe(model.invalidFrees)
    expect(s.peakUsedBlocks).toBe(model.peak)
    expect(s.useAfterFree).toBe(0)
    expect(pool.verifyFreeList()).toBe(model.capacity - model.held.length)
    for (const h of model.held) expect(pool.isAllocated(h)).toBe(true)
  }
}

describe("BlockPool against a model", () => {
  for (const storage of ["resizable", "slabs"] as const) {
    for (const debug of [false, true]) {
      test(`random alloc/free/grow/trim sequences (${storage}, debug=${debug})`, () => {
        fc.assert(
          fc.property(
            fc.integer({ min: 0, max: 12 }),
            fc.integer({ min: 0, max: 40 }),
            fc.array(opArb, { maxLength: 120, size: "max" }),
            (initial, extra, ops) => run(storage, debug, initial, Math.max(1, initial + extra), ops)
          ),
          { numRuns: 150 }
        )
      })
    }
  }
})
