/**
 * A manager keeps one copy of metadata for resources acquired with equal fields (`MetadataMemo`): a program that
 * acquires many resources of one kind holds one copy, not one per live resource (the manager's bytes per live
 * resource stay under the 64 of docs/manager.md), and an acquisition allocates none. What it must not change: a
 * copy is still the manager's own (the caller's object, changed later, changes nothing), frozen when handed out,
 * and resources with dependencies or other fields get copies of their own. Every field is varied, one
 * acquisition after another: a copy shared by mistake would give a ref (and `find`, the leak report) another
 * acquisition's field (until 2026-11-28 no test noticed a memo that ignored `accessPattern`).
 */
import { describe, expect, test } from "bun:test"
import type { ResourceMetadata } from "@flight-hal/core"
import { Effect } from "effect"
import fc from "fast-check"
import { createResourceManager, ResourceManager } from "../src/index.ts"

const quiet = { onLeaks: () => {} }

describe("one copy of equal metadata", () => {
  test("resources acquired with equal fields share one frozen copy, not the caller's objects", () => {
    const manager = createResourceManager(quiet)
    const first = { type: "Memory", sizeBytes: 64 } as const
    const second = { type: "Memory", sizeBytes: 64 } as const
    const a = manager.acquire("a", first)
    const b = manager.acquire("b", second)
    const registered = manager.registerResource("c", { type: "Memory", sizeBytes: 64 })
    expect(a.metadata).toBe(b.metadata)
    expect(manager.metadata(registered)).toBe(a.metadata)
    expect(a.metadata).not.toBe(first)
    expect(Object.isFrozen(a.metadata)).toBe(true)
    expect(manager.find("b").metadata).toBe(a.metadata)
    manager.close()
  })

  test("other fields, or a return to earlier ones after other fields, make a copy of their own", () => {
    const manager = createResourceManager(quiet)
    const small = manager.acquire("small", { type: "Memory", sizeBytes: 64 })
    const large = manager.acquire("large", { type: "Memory", sizeBytes: 128 })
    const aligned = manager.acquire("aligned", { type: "Memory", sizeBytes: 128, alignmentBytes: 64 })
    const critical = manager.acquire("critical", {
      type: "Memory",
      sizeBytes: 128,
      alignmentBytes: 64,
      priority: "Critical"
    })
    const again = manager.acquire("again", { type: "Memory", sizeBytes: 64 })
    const metadata = [small, large, aligned, critical, again].map((ref) => ref.metadata)
    expect(new Set(metadata).size).toBe(5)
    expect(metadata.map((m) => [m.sizeBytes, m.alignmentBytes, m.priority])).toEqual([
      [64, undefined, undefined],
      [128, undefined, undefined],
      [128, 64, undefined],
      [128, 64, "Critical"],
      [64, undefined, undefined]
    ])
    manager.close()
  })

  test("metadata with dependencies is never shared", () => {
    const manager = createResourceManager(quiet)
    const base = manager.acquire("base", { type: "Memory", sizeBytes: 8 })
    const dependsOn = [base.handle]
    const x = manager.acquire("x", { type: "Memory", sizeBytes: 8, dependsOn })
    const y = manager.acquire("y", { type: "Memory", sizeBytes: 8, dependsOn })
    expect(x.metadata).not.toBe(y.metadata)
    expect(x.metadata.dependsOn).toEqual(dependsOn)
    manager.close()
  })

  test("a caller who changes its object after the acquisition changes no copy, shared or not", () => {
    const manager = createResourceManager(quiet)
    const input: { type: "Memory"; sizeBytes: number } = { type: "Memory", sizeBytes: 32 }
    const a = manager.acquire("a", input)
    input.sizeBytes = 4096
    const b = manager.acquire("b", input)
    expect([a.metadata.sizeBytes, b.metadata.sizeBytes]).toEqual([32, 4096])
    expect(manager.getResourceStats("Memory").currentUsage).toBe(32 + 4096)
    a.release()
    b.release()
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
    manager.close()
  })

  test("two managers do not share copies", () => {
    const one = createResourceManager(quiet)
    const two = createResourceManager(quiet)
    const a = one.acquire("a", { type: "Memory", sizeBytes: 16 })
    const b = two.acquire("a", { type: "Memory", sizeBytes: 16 })
    expect(a.metadata).not.toBe(b.metadata)
    one.close()
    two.close()
  })

  test("the Effect front end shares copies the same way", async () => {
    const program = Effect.gen(function* () {
      const manager = yield* ResourceManager
      const a = yield* manager.acquire("a", { type: "Memory", sizeBytes: 16 })
      const b = yield* manager.acquire("b", { type: "Memory", sizeBytes: 16 })
      return [a.metadata === b.metadata, Object.isFrozen(a.metadata)]
    })
    const result = await Effect.runPromise(Effect.scoped(program).pipe(Effect.provide(ResourceManager.layer(quiet))))
    expect(result).toEqual([true, true])
  })
})

const FIELDS = ["type", "sizeBytes", "alignmentBytes", "accessPattern", "priority", "flags"] as const

const metadataArb: fc.Arbitrary<ResourceMetadata> = fc.record(
  {
    type: fc.constantFrom("Memory", "Hardware"),
    sizeBytes: fc.constantFrom(1, 64),
    alignmentBytes: fc.constantFrom(8, 64),
    accessPattern: fc.constantFrom("ReadOnly", "WriteOnly", "ReadWrite", "Streaming"),
    priority: fc.constantFrom("Low", "Normal", "High"),
    flags: fc.constantFrom(0, 2)
  },
  { requiredKeys: ["type", "sizeBytes"] }
)

describe("a copy per kind: every field counts", () => {
  test("each ref reports the fields it was acquired with, whatever was acquired just before", () => {
    fc.assert(
      fc.property(fc.array(metadataArb, { minLength: 2, maxLength: 20, size: "max" }), (kinds) => {
        const manager = createResourceManager({ onLeaks: () => {} })
        try {
          for (const metadata of kinds) {
            const ref = manager.acquire("", metadata)
            for (const field of FIELDS) expect([field, ref.metadata[field]]).toEqual([field, metadata[field]])
            ref.release()
          }
        } finally {
          manager.close()
        }
      }),
      { numRuns: 300, seed: 20261128 }
    )
  })

  test("an acquisition that differs from the one before in one field only gets that field", () => {
    const manager = createResourceManager({ onLeaks: () => {} })
    const base: ResourceMetadata = {
      type: "Memory",
      sizeBytes: 64,
      alignmentBytes: 8,
      accessPattern: "ReadOnly",
      priority: "Low",
      flags: 0
    }
    const changes: ReadonlyArray<Partial<ResourceMetadata>> = [
      { type: "Hardware" },
      { sizeBytes: 1 },
      { alignmentBytes: 64 },
      { accessPattern: "Streaming" },
      { priority: "High" },
      { flags: 2 }
    ]
    for (const change of changes) {
      manager.acquire("", base).release()
      const ref = manager.acquire("", { ...base, ...change })
      expect(ref.metadata).toEqual({ ...base, ...change })
      ref.release()
    }
    manager.close()
  })
})
