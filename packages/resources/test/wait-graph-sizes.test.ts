/**
 * `waitGraph()` on both front ends is the graph the dump and `inspect` show (`waitGraphOf`): a pool-served
 * resource's `sizeBytes` is its size and its `chargedBytes` 0 (its block is pool capacity, charged already); a
 * resource no pool serves is charged its size. Before, `waitGraph()` gave the charged bytes as `sizeBytes` (0 for
 * a pool-served resource) and no `chargedBytes`.
 */
import { describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { createResourceManager, managerDump, ResourceManager, type WaitGraph } from "../src/index.ts"

const config = { pools: [{ type: "Memory" as const, name: "p64", blockSize: 64, initialCount: 2, maxCount: 4 }] }

const sizes = (graph: WaitGraph) =>
  graph.resources.map(({ name, sizeBytes, chargedBytes }) => ({ name, sizeBytes, chargedBytes }))

const expected = [
  { name: "blk", sizeBytes: 10, chargedBytes: 0 },
  { name: "big", sizeBytes: 100, chargedBytes: 100 }
]

describe("waitGraph() gives a pool-served resource's size and its charged bytes", () => {
  test("the plain facade: as the dump has them", () => {
    using manager = createResourceManager(config)
    using _pooled = manager.acquire("blk", { type: "Memory", sizeBytes: 10 })
    using _plain = manager.acquire("big", { type: "Memory", sizeBytes: 100 }) // no pool holds 100 bytes
    const graph = manager.waitGraph()
    expect(sizes(graph)).toEqual(expected)
    expect(JSON.parse(JSON.stringify(graph))).toEqual(managerDump(manager).waitGraph)
    expect(graph.deadlock).toBeNull()
  })

  test("the Effect service: the same", async () => {
    const program = Effect.gen(function* () {
      const manager = yield* ResourceManager
      // the resources released before the manager closes (no leak reports)
      return yield* Effect.scoped(
        Effect.gen(function* () {
          yield* manager.acquire("blk", { type: "Memory", sizeBytes: 10 })
          yield* manager.acquire("big", { type: "Memory", sizeBytes: 100 })
          const graph = yield* manager.waitGraph
          return { graph, dumped: managerDump(manager).waitGraph }
        })
      )
    })
    const { graph, dumped } = await Effect.runPromise(
      Effect.scoped(Effect.provide(program, ResourceManager.layer(config)))
    )
    expect(sizes(graph)).toEqual(expected)
    expect(JSON.parse(JSON.stringify(graph))).toEqual(dumped)
  })
})
