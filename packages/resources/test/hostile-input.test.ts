/**
 * Caller values that are not what they seem: getters that answer differently on each read or throw, Proxies,
 * objects changed after the call. The manager reads each value once into a copy of its own, so what it checks is
 * what it charges, keeps and reports, and a read that throws is a typed error with nothing changed.
 */
import { describe, expect, test } from "bun:test"
import { InvalidMetadata } from "@flight-hal/core"
import { createResourceManager } from "../src/index.ts"

const budget = { maxBytes: 1000, reservedBytes: 0, warningPercent: 70, criticalPercent: 90 }
const managerWithBudget = () => createResourceManager({ budgets: { Memory: budget, Hardware: budget } })

/** Metadata whose `sizeBytes` answers `sizes[i]` on its i-th read (the last one after that). */
const shifting = (type: "Memory" | "Hardware", sizes: ReadonlyArray<number>) => {
  let reads = 0
  return {
    type,
    get sizeBytes() {
      return sizes[Math.min(reads++, sizes.length - 1)]
    },
    reads: () => reads
  }
}

describe("metadata is read once and kept as a frozen copy", () => {
  test("a caller who changes the object after the call changes nothing the manager charges or reports", () => {
    using manager = managerWithBudget()
    const metadata = { type: "Memory" as const, sizeBytes: 100 }
    const ref = manager.acquire("tex", metadata)
    metadata.sizeBytes = 50_000_000
    expect(ref.metadata.sizeBytes).toBe(100)
    expect(manager.find("tex").metadata.sizeBytes).toBe(100)
    expect(Object.isFrozen(ref.metadata)).toBe(true)
    expect(() => {
      ;(ref.metadata as { sizeBytes: number }).sizeBytes = 5
    }).toThrow(TypeError)
    expect(ref.payload.byteLength).toBe(100)
    ref.release()
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
  })

  for (const [path, options] of [
    ["one step", undefined],
    ["general path", { owner: "app" }]
  ] as const) {
    test(`a getter that answers differently on each read is read once (${path})`, () => {
      using manager = managerWithBudget()
      for (const later of [5000, -1, 1.5, Number.NaN]) {
        const metadata = shifting("Hardware", [100, later])
        const ref = manager.acquire("dma", metadata, options)
        expect(metadata.reads()).toBe(1)
        expect(manager.getResourceStats("Hardware").currentUsage).toBe(100)
        expect(ref.payload).toBeUndefined() // Hardware has no default payload
        ref.release()
        expect(manager.getResourceStats("Hardware").currentUsage).toBe(0)
      }
      // a size that is bad on its first (only) read is refused as any bad size is
      expect(() => manager.acquire("dma", shifting("Hardware", [-5, 100]), options)).toThrow(InvalidMetadata)
      expect(manager.getResourceStats("Hardware").currentUsage).toBe(0)
    })
  }

  test("a Proxy sees one read of each field", () => {
    using manager = managerWithBudget()
    const reads = new Map<PropertyKey, number>()
    const metadata = new Proxy(
      { type: "Memory", sizeBytes: 64, priority: "High" },
      {
        get(target, key, receiver) {
          reads.set(key, (reads.get(key) ?? 0) + 1)
          return Reflect.get(target, key, receiver)
        }
      }
    )
    const ref = manager.acquire("p", metadata)
    expect(reads.get("sizeBytes")).toBe(1)
    expect(reads.get("type")).toBe(1)
    expect(reads.get("priority")).toBe(1)
    expect(ref.metadata).toEqual({ type: "Memory", sizeBytes: 64, priority: "High" })
    ref.release()
  })

  test("a field whose read throws is InvalidMetadata, and nothing changes", () => {
    using manager = managerWithBudget()
    const before = JSON.stringify(manager.snapshot())
    const throwing = {
      type: "Memory",
      get sizeBytes(): number {
        throw new Error("boom")
      }
    }
    for (const options of [undefined, { owner: "app" }]) {
      const error = (() => {
        try {
          manager.acquire("t", throwing, options)
        } catch (e) {
          return e
        }
      })()
      expect(error).toBeInstanceOf(InvalidMetadata)
      expect((error as InvalidMetadata).issue).toBe("a field could not be read (boom)")
    }
    expect(() => manager.registerResource("t", throwing)).toThrow(InvalidMetadata)
    expect(JSON.stringify(manager.snapshot())).toBe(before)
  })

  test("dependsOn is copied: emptying the caller's array later does not drop the dependency", () => {
    using manager = managerWithBudget()
    const base = manager.acquire("base", { type: "Memory", sizeBytes: 10 })
    const dependsOn = [base.handle]
    const top = manager.acquire("top", { type: "Memory", sizeBytes: 10, dependsOn })
    dependsOn.length = 0
    expect(top.metadata.dependsOn).toEqual([base.handle])
    expect(manager.dependencies(top.handle)).toEqual([base.handle])
    top.release()
    base.release()
  })
})

describe("handles are frozen", () => {
  test("a ref's and a share's handle cannot be retargeted", () => {
    using manager = createResourceManager({})
    const a = manager.acquire("a", { type: "Memory", sizeBytes: 8, flags: 0x08 })
    const b = manager.acquire("b", { type: "Memory", sizeBytes: 8, flags: 0x08 })
    const shared = manager.share(a.handle, "gpu")
    expect(Object.isFrozen(a.handle)).toBe(true)
    expect(Object.isFrozen(shared.handle)).toBe(true)
    expect(() => {
      ;(shared.handle as { slot: number }).slot = b.handle.slot
    }).toThrow(TypeError)
    shared.release()
    expect(manager.holders(a.handle)).toEqual(["app"])
    expect(manager.holders(b.handle)).toEqual(["app"])
  })
})
