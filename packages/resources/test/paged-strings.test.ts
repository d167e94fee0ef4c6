/**
 * Per-slot names (`internal/paged-strings.ts`): a manager of unnamed resources never makes a page, and the fast
 * path skips the name writes while none was ever set; a slot freed by a named resource is unnamed again when an
 * unnamed acquisition takes it.
 */
import { describe, expect, test } from "bun:test"
import { ResourceNotFound } from "@flight-hal/core"
import { createResourceManager, type LeakReport } from "../src/index.ts"
import { PagedStrings } from "../src/internal/paged-strings.ts"

describe("PagedStrings", () => {
  test("is unused until a slot gets a string other than the empty one", () => {
    const names = new PagedStrings()
    names.set(3, "")
    expect(names.used).toBe(false)
    expect(names.at(3)).toBe("")
    names.set(5000, "texture")
    expect(names.used).toBe(true)
    expect(names.at(5000)).toBe("texture")
    expect(names.at(4999)).toBe("")
    names.set(5000, "")
    expect(names.at(5000)).toBe("")
  })
})

describe("a slot's name on reuse", () => {
  test("an unnamed acquisition of a slot a named resource freed is unnamed, and the old name is free", () => {
    const leaks: Array<LeakReport> = []
    const manager = createResourceManager({ onLeaks: (reports) => leaks.push(...reports) })
    const named = manager.acquire("texture", { type: "Hardware", sizeBytes: 1 })
    const slot = named.handle.slot
    named.release()
    const unnamed = manager.acquire("", { type: "Hardware", sizeBytes: 1 })
    expect(unnamed.handle.slot).toBe(slot) // the same slot, taken again
    expect(unnamed.name).toBe("")
    expect(() => manager.find("texture")).toThrow(ResourceNotFound)
    const again = manager.acquire("texture", { type: "Hardware", sizeBytes: 1 })
    expect(manager.find("texture").handle).toEqual(again.handle)
    manager.close()
    expect(leaks.map((leak) => leak.name).sort()).toEqual(["", "texture"])
  })
})
