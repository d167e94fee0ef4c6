/**
 * A pool-served resource in the dump's wait-for graph: its `sizeBytes` is its size (as its metadata, the
 * driver's `bytesByType` and a leak report say), and `chargedBytes` what its type's budget is charged for it
 * (0: its block is pool capacity, charged already). A resource no pool serves is charged its size.
 */
import { describe, expect, test } from "bun:test"
import { createResourceManager, managerDump } from "../src/index.ts"
import { waitGraphOf } from "../src/internal/introspection.ts"
import { attachedCore } from "../src/internal/manager-core.ts"

const manager = () =>
  createResourceManager({
    label: "ps",
    pools: [{ type: "Memory", name: "p64", blockSize: 64, initialCount: 2, maxCount: 4 }]
  })

describe("the size of a pool-served resource in the wait-for graph", () => {
  test("managerDump: sizeBytes is the resource's size, chargedBytes 0 for the pool block", () => {
    using m = manager()
    const pooled = m.acquire("blk", { type: "Memory", sizeBytes: 10 })
    const plain = m.acquire("big", { type: "Memory", sizeBytes: 100 }) // no pool holds 100 bytes
    const dump = managerDump(m)
    expect(pooled.metadata.sizeBytes).toBe(10)
    expect(dump.snapshot.drivers).toEqual([
      { driver: "app", owned: 2, shared: 0, bytesByType: { Memory: 110 }, waiting: 0 }
    ])
    expect(
      dump.waitGraph.resources.map(({ name, sizeBytes, chargedBytes }) => ({ name, sizeBytes, chargedBytes }))
    ).toEqual([
      { name: "blk", sizeBytes: 10, chargedBytes: 0 },
      { name: "big", sizeBytes: 100, chargedBytes: 100 }
    ])
    // the type's usage: the pool's capacity (2 × 64) plus what the resources no pool serves are charged
    expect(dump.snapshot.types.find((t) => t.type === "Memory")?.currentUsage).toBe(128 + 100)
    plain.release()
    pooled.release()
  })

  test("waitGraphOf (what waitGraph() returns): the same sizes", () => {
    using m = manager()
    m.acquire("blk", { type: "Memory", sizeBytes: 10 })
    const attached = attachedCore(m)
    if (!("core" in attached)) throw attached
    const graph = waitGraphOf(attached.core)
    expect(graph.resources.map((r) => [r.sizeBytes, r.chargedBytes])).toEqual([[10, 0]])
    expect(graph.deadlock).toBeNull()
  })
})
