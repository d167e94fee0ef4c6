/**
 * The pool package's copy of the ResourceType table is frozen, as the core's is: a pool trusts it (a type's
 * name and code), so a caller's change must not reach it.
 */
import { describe, expect, test } from "bun:test"
import { ResourceType, ResourceTypeNames } from "../src/index.ts"

describe("the pool package's tables", () => {
  test("ResourceType and ResourceTypeNames are frozen: a change throws and changes nothing", () => {
    expect(Object.isFrozen(ResourceType)).toBe(true)
    expect(Object.isFrozen(ResourceTypeNames)).toBe(true)
    expect(() => {
      ;(ResourceType as { Memory: number }).Memory = 1
    }).toThrow(TypeError)
    expect(() => (ResourceTypeNames as unknown as Array<string>).push("Urgent")).toThrow(TypeError)
    expect(ResourceType.Memory).toBe(0x02)
    expect(ResourceTypeNames).toHaveLength(6)
  })
})
