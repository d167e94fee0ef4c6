/**
 * `inspect` of a pool-served resource: the holders table gives its size (as the drivers table sums it) and,
 * apart, what its type's budget is charged for it (0: its block is pool capacity); the wait-for graph counts what
 * a holder's release would give back (the charged bytes), as the deadlock verdict does.
 */
import { describe, expect, test } from "bun:test"
import { createResourceManager, managerDump } from "@flight-hal/resources"
import { type ManagerDump, renderInspect } from "../src/index.ts"

/** The rows of one table of inspect's text, split into cells (two spaces or more apart), heading row first. */
const table = (text: string, title: string): ReadonlyArray<ReadonlyArray<string>> => {
  const lines = text.split("\n")
  const start = lines.findIndex((line) => line.startsWith(title))
  const rows: Array<ReadonlyArray<string>> = []
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === "") break
    if (!/^-+( +-+)*$/.test(line)) rows.push(line.trim().split(/ {2,}/))
  }
  return rows
}

const pooledDump = (): ManagerDump => {
  using manager = createResourceManager({
    label: "ps",
    pools: [{ type: "Memory", name: "p64", blockSize: 64, initialCount: 2, maxCount: 4 }]
  })
  manager.acquire("blk", { type: "Memory", sizeBytes: 10 })
  manager.acquire("big", { type: "Memory", sizeBytes: 100 })
  return managerDump(manager, { takenAtMillis: 0 })
}

describe("inspect: a pool-served resource's size", () => {
  test("the holders table's size is the resource's size, as the drivers table sums it; charged apart", () => {
    const text = renderInspect(pooledDump())
    expect(table(text, "Holders")).toEqual([
      ["id", "name", "type", "size", "charged", "holders", "depends on", "dependents"],
      ["0", "blk", "Memory", "10 B", "0 B", "app", "-", "-"],
      ["1", "big", "Memory", "100 B", "100 B", "app", "-", "-"]
    ])
    expect(table(text, "Drivers")).toEqual([
      ["driver", "owned", "shared", "waiting", "size owned"],
      ["app", "2", "0", "0", "Memory 110 B"]
    ])
  })

  test("a dump written before chargedBytes, whose sizeBytes were the charged bytes: shown as charged, size unknown", () => {
    const dump = pooledDump()
    // what such a dump held: each resource's charged bytes as its sizeBytes, no chargedBytes
    const old: ManagerDump = {
      ...dump,
      waitGraph: {
        ...dump.waitGraph,
        resources: dump.waitGraph.resources.map(({ chargedBytes = 0, sizeBytes: _, ...r }) => ({
          ...r,
          sizeBytes: chargedBytes
        }))
      }
    }
    expect(table(renderInspect(old), "Holders").slice(1)).toEqual([
      ["0", "blk", "Memory", "-", "0 B", "app", "-", "-"],
      ["1", "big", "Memory", "-", "100 B", "app", "-", "-"]
    ])
  })

  test("the wait-for graph: a holder of the type's bytes with what its release gives back (the charged bytes)", () => {
    const dump = pooledDump()
    const waiting: ManagerDump = {
      ...dump,
      waitGraph: {
        ...dump.waitGraph,
        drivers: [
          ...dump.waitGraph.drivers,
          {
            driver: "net",
            holds: [],
            waitsFor: [{ waiter: "w1", resource: "bytes:Memory", priority: "Normal", sizeBytes: 500 }]
          }
        ]
      }
    }
    expect(renderInspect(waiting)).toContain("net waits for bytes:Memory (500 B, Normal) held by app (100 B)")
  })
})
