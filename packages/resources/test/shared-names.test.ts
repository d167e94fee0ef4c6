/**
 * The shared ledger's name table (open addressing, linear probing, under the lock) when names keep changing. A
 * removal leaves no tombstone: the later entries of its run move back where their home allows, and the last hole
 * becomes empty. With tombstones, a long run of distinct names used up every empty entry, and every lookup of a
 * name not in the table then probed all of it. The table here is small (16 resources, 32 entries), so names
 * collide and runs wrap around its end; lookups are checked against a model of the live names.
 */
import { expect, test } from "bun:test"
import { ResourceBusy, ResourceNotFound } from "@flight-hal/core"
import fc from "fast-check"
import { createSharedResourceManager, type SharedResource, type SharedResourceManager } from "../src/index.ts"
import { NAME_EMPTY } from "../src/internal/shared/layout.ts"
import type { Ledger } from "../src/internal/shared/ledger.ts"

const hardware = { type: "Hardware", sizeBytes: 1 } as const

/** The manager's name table (internal: the property under test is its empty entries). */
const tableOf = (manager: SharedResourceManager): Int32Array =>
  (manager as unknown as { readonly ledger: Ledger }).ledger.names

const emptyEntries = (table: Int32Array): number => table.filter((entry) => entry === NAME_EMPTY).length

test("a table whose names keep changing keeps an empty entry for every entry no live name uses", () => {
  const manager = createSharedResourceManager({ maxResources: 16 })
  try {
    const table = tableOf(manager)
    const live = new Map<string, SharedResource<unknown>>()
    for (let i = 0; i < 4000; i++) {
      live.set(`frame ${i}`, manager.acquire(`frame ${i}`, hardware))
      if (live.size > 8) {
        const [oldest, ref] = live.entries().next().value as [string, SharedResource<unknown>]
        ref.release()
        live.delete(oldest)
      }
    }
    expect(live.size).toBe(8)
    expect(emptyEntries(table)).toBe(table.length - live.size)
    for (const name of live.keys()) expect(manager.find(name).name).toBe(name)
    expect(() => manager.find("frame 0")).toThrow(ResourceNotFound)
  } finally {
    manager.close()
  }
})

test("lookups match a model of the live names whatever the order of acquisitions and releases", () => {
  // each step acquires one of 200 names (ResourceBusy when it is live) or releases one of the live ones; at most
  // 16 live at once (the manager's resources)
  const step = fc.record({ acquire: fc.boolean(), pick: fc.nat() })
  fc.assert(
    fc.property(fc.array(step, { minLength: 100, maxLength: 400, size: "max" }), (steps) => {
      const manager = createSharedResourceManager({ maxResources: 16 })
      try {
        const table = tableOf(manager)
        const live = new Map<string, SharedResource<unknown>>()
        for (const { acquire, pick } of steps) {
          if (acquire && live.size < 16) {
            const name = `resource ${pick % 200}`
            if (live.has(name)) expect(() => manager.acquire(name, hardware)).toThrow(ResourceBusy)
            else live.set(name, manager.acquire(name, hardware))
          } else if (live.size > 0) {
            const [name, ref] = [...live][pick % live.size] as [string, SharedResource<unknown>]
            ref.release()
            live.delete(name)
          }
          expect(emptyEntries(table)).toBe(table.length - live.size)
        }
        for (let index = 0; index < 200; index++) {
          const name = `resource ${index}`
          if (live.has(name)) expect(manager.find(name).name).toBe(name)
          else expect(() => manager.find(name)).toThrow(ResourceNotFound)
        }
      } finally {
        manager.close()
      }
    }),
    { numRuns: 200, seed: 20261128 }
  )
})
