/**
 * A shared manager's pool-served resource with a `destroy` hook (docs/semantics.md section 6): the hook runs,
 * then the block goes back to its pool. The hook's payload is a view of the block, so an acquisition inside the
 * hook gets a block of its own (or, the pool exhausted, bytes of the budget): no two live resources on one block,
 * and no block lost.
 */
import { describe, expect, test } from "bun:test"
import { attachSharedResourceManager, createSharedResourceManager, type SharedResource } from "../src/index.ts"

const budgets = { Memory: { maxBytes: 1 << 20, reservedBytes: 0, warningPercent: 75, criticalPercent: 90 } }
const small = { type: "Memory" as const, sizeBytes: 32 }
const pooled = (payload: Uint8Array) => payload.buffer instanceof SharedArrayBuffer

describe("a shared pool block freed with a destroy hook", () => {
  test("an acquisition inside the hook gets another block: the hook's writes to its payload do not reach it", () => {
    const manager = createSharedResourceManager({ budgets, pools: [{ type: "Memory", blockSize: 64, blockCount: 4 }] })
    let fresh: SharedResource | undefined
    const a = manager.acquire("a", small, {
      destroy: (payload: Uint8Array) => {
        fresh = manager.acquire("fresh", small)
        fresh.payload.fill(0x77) // the new owner's data
        payload.fill(0) // the old owner scrubs its own payload
      }
    })
    a.payload.fill(0xaa)
    a.release()
    if (fresh === undefined) throw new Error("the hook did not run")
    expect(pooled(fresh.payload)).toBe(true)
    expect(fresh.payload[0]).toBe(0x77)
    fresh.release()
    manager.close()
  })

  test("the pool exhausted inside the hook: no two live resources on one block, and every block comes back", () => {
    const manager = createSharedResourceManager({ budgets, pools: [{ type: "Memory", blockSize: 64, blockCount: 2 }] })
    const inner: Array<SharedResource> = []
    const a = manager.acquire(small, {
      destroy: () => {
        inner.push(manager.acquire(small), manager.acquire(small))
      }
    })
    expect(a.payload.length).toBe(32)
    a.release()
    const [x, y] = inner
    if (x === undefined || y === undefined) throw new Error("the hook did not acquire")
    x.payload[0] = 0x11
    y.payload[0] = 0x22
    expect([x.payload[0], y.payload[0]]).toEqual([0x11, 0x22])
    expect([pooled(x.payload), pooled(y.payload)]).toEqual([true, false]) // the freed block was not handed out yet
    x.release()
    y.release()
    // both blocks are back: two pool-served resources again
    const both = [manager.acquire(small), manager.acquire(small)]
    expect(both.map((r) => pooled(r.payload))).toEqual([true, true])
    expect(both[0]?.payload.byteOffset).not.toBe(both[1]?.payload.byteOffset)
    manager.close()
  })

  test("a hook that detaches its thread: the block still comes back to the pool", () => {
    const manager = createSharedResourceManager({ budgets, pools: [{ type: "Memory", blockSize: 64, blockCount: 2 }] })
    const worker = attachSharedResourceManager(manager.descriptor)
    const ref = worker.acquire(small, { destroy: () => void worker.close() })
    expect(ref.payload.length).toBe(32)
    ref.release()
    const both = [manager.acquire(small), manager.acquire(small)]
    expect(both.map((r) => pooled(r.payload))).toEqual([true, true])
    manager.close()
  })
})
