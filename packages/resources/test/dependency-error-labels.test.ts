/**
 * Dependency errors name resources one way (docs/semantics.md, section 3): a resource by its name, an unnamed one
 * by its handle (`slot#generation`), and a handle that is not a resource of this manager as given. `dependsOn`
 * named a deferred dependency by its handle while `addDependency` named it, and a cycle of unnamed resources was
 * `["", "", ""]` (reported by a new user porting a driver stack).
 */
import { describe, expect, test } from "bun:test"
import { DependencyCycle, DependencyNotLive } from "@flight-hal/core"
import { createResourceManager } from "../src/index.ts"

const mem = (sizeBytes: number, dependsOn?: ReadonlyArray<{ slot: number; generation: number; manager: number }>) =>
  dependsOn === undefined ? { type: "Memory" as const, sizeBytes } : { type: "Memory" as const, sizeBytes, dependsOn }

const caught = (call: () => unknown): unknown => {
  try {
    call()
  } catch (error) {
    return error
  }
  throw new Error("expected a throw")
}

describe("dependency errors name resources", () => {
  test("a deferred dependency by its name, in dependsOn as in addDependency", () => {
    using m = createResourceManager({ onLeaks: () => {} })
    const x = m.acquire("X", mem(1))
    m.acquire("D", mem(1, [x.handle]))
    x.release() // deferred: D depends on it
    const z = m.acquire("Z", mem(1))
    const viaMetadata = caught(() => m.acquire("W", mem(1, [x.handle])))
    expect(viaMetadata).toBeInstanceOf(DependencyNotLive)
    expect(viaMetadata).toMatchObject({ resource: "W", dependency: "X" })
    expect(caught(() => m.addDependency(z.handle, x.handle))).toMatchObject({ resource: "Z", dependency: "X" })
  })

  test("another manager's handle as given (slot#generation)", () => {
    using m = createResourceManager({ onLeaks: () => {} })
    using other = createResourceManager({ onLeaks: () => {} })
    const foreign = other.acquire("f", mem(1)).handle
    expect(caught(() => m.acquire("W", mem(1, [foreign])))).toMatchObject({ resource: "W", dependency: "0#0" })
  })

  test("a cycle of unnamed resources by their handles", () => {
    using m = createResourceManager({ onLeaks: () => {} })
    const a = m.acquire("", mem(1))
    const b = m.acquire("", mem(1, [a.handle]))
    const cycle = caught(() => m.addDependency(a.handle, b.handle))
    expect(cycle).toBeInstanceOf(DependencyCycle)
    expect((cycle as DependencyCycle).cycle).toEqual(["0#0", "1#0", "0#0"])
    expect((cycle as Error).message).toBe("Dependency cycle: 0#0 -> 1#0 -> 0#0")
  })
})
