import { describe, expect, test } from "bun:test"
import { createSharedResourceManager, type SharedResourceManager } from "../src/index.ts"

const budget = { maxBytes: 1 << 20, reservedBytes: 0, warningPercent: 50, criticalPercent: 80 }
const make = (): SharedResourceManager =>
  createSharedResourceManager({
    budgets: { Memory: budget },
    pools: [{ type: "Memory", blockSize: 4096, blockCount: 8 }]
  })

describe("shared manager pools", () => {
  test("a pool's capacity is charged at creation; a block is served with no further charge", () => {
    using manager = make()
    expect(manager.getResourceStats("Memory").currentUsage).toBe(4096 * 8)
    using block = manager.acquire({ type: "Memory", sizeBytes: 4000 })
    expect(block.payload.length).toBe(4000)
    expect(manager.getResourceStats("Memory")).toMatchObject({ currentUsage: 4096 * 8, allocationCount: 1 })
    expect(manager.audit()[1]).toMatchObject({ usage: 4096 * 8, liveBytes: 4096 * 8, liveCount: 1 })
  })

  test("a request the pool cannot hold, or once the pool is empty, is charged to the budget", () => {
    using manager = make()
    const blocks = Array.from({ length: 8 }, () => manager.acquire({ type: "Memory", sizeBytes: 4096 }))
    using ninth = manager.acquire({ type: "Memory", sizeBytes: 4096 })
    using big = manager.acquire({ type: "Memory", sizeBytes: 5000 })
    expect(manager.getResourceStats("Memory").currentUsage).toBe(4096 * 8 + 4096 + 5000)
    for (const b of blocks) b.release()
    expect(manager.getResourceStats("Memory").currentUsage).toBe(4096 * 8 + 4096 + 5000)
    expect(ninth.payload.length + big.payload.length).toBe(9096)
  })

  test("a block's bytes are the same memory in every thread", async () => {
    const manager = make()
    const block = manager.acquire({ type: "Memory", sizeBytes: 64 })
    block.payload[0] = 42
    const worker = new Worker(new URL("./support/shared-pool-worker.ts", import.meta.url).href)
    const reply = await new Promise<{ read: number; usage: number }>((resolve) => {
      worker.onmessage = (event) => resolve(event.data)
      worker.postMessage({ descriptor: manager.descriptor, handle: block.handle })
    })
    worker.terminate()
    expect(reply).toEqual({ read: 42, usage: 4096 * 8 })
    expect(block.payload[1]).toBe(7)
    block.release()
    expect(manager.close()).toEqual([])
  }, 20_000) // a worker's start can take seconds on a loaded machine

  test("bad pool configs are typed errors", () => {
    const bad = (pools: unknown) => () => createSharedResourceManager({ budgets: { Memory: budget }, pools } as never)
    expect(bad([{ type: "Memory", blockSize: 0, blockCount: 8 }])).toThrow(
      expect.objectContaining({ _tag: "InvalidPoolConfig" })
    )
    expect(bad([{ type: "Nope", blockSize: 64, blockCount: 8 }])).toThrow(
      expect.objectContaining({ _tag: "InvalidArgument" })
    )
    expect(bad([{ type: "Memory", blockSize: 64, blockCount: 8, extra: 1 }])).toThrow(
      expect.objectContaining({ _tag: "InvalidArgument" })
    )
    expect(
      bad([
        { type: "Memory", blockSize: 64, blockCount: 8 },
        { type: "Memory", blockSize: 64, blockCount: 8 }
      ])
    ).toThrow(expect.objectContaining({ _tag: "DuplicatePool" }))
    expect(bad([{ type: "Memory", blockSize: 1 << 20, blockCount: 2 }])).toThrow(
      expect.objectContaining({ _tag: "PoolExhausted" })
    )
    expect(bad("toString")).toThrow(expect.objectContaining({ _tag: "InvalidArgument" }))
    expect(bad([null])).toThrow(expect.objectContaining({ _tag: "InvalidArgument" }))
  })
})

describe("shared manager: a full resource table", () => {
  test("a waiter held back by a full table is granted when a resource of another type frees a slot", async () => {
    using manager = createSharedResourceManager({
      budgets: { Memory: { maxBytes: 100, reservedBytes: 0, warningPercent: 50, criticalPercent: 80 } },
      maxResources: 2
    })
    using held = manager.acquire({ type: "Memory", sizeBytes: 80 })
    const waiting = manager.acquireAsync({ type: "Memory", sizeBytes: 50 })
    const hardware = manager.acquire({ type: "Hardware", sizeBytes: 1 }) // the table is full now
    manager.setBudget("Memory", { maxBytes: 200, reservedBytes: 0, warningPercent: 50, criticalPercent: 80 })
    expect(manager.getResourceStats("Memory").waiting).toBe(1) // it fits, but no slot is free
    hardware.release()
    const granted = await waiting
    expect(granted.metadata.sizeBytes).toBe(50)
    expect(manager.getResourceStats("Memory")).toMatchObject({ currentUsage: 130, waiting: 0 })
    granted.release()
    expect(held.released).toBe(false)
  })
})
