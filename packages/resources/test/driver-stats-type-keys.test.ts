/**
 * A declared resource type may be named like a property of `Object.prototype` ("toString", "constructor",
 * "__proto__"): the per-driver `bytesByType` of `driverStats`, `snapshot` and a dump keeps it as an own key with
 * the bytes as a number (it read the inherited member: "function toString() { [native code] }400", and
 * "__proto__" was lost).
 */
import { describe, expect, test } from "bun:test"
import type { ResourceTypeName } from "@flight-hal/core"
import { createResourceManager, managerDump } from "../src/index.ts"

const typesNamed = (name: string): Record<string, object> => {
  const types: Record<string, object> = {}
  // a literal `{ __proto__: {} }` would set the prototype, not declare a type
  Object.defineProperty(types, name, { enumerable: true, value: {} })
  return types
}

describe("bytesByType with a type named like an Object.prototype member", () => {
  for (const name of ["toString", "constructor", "__proto__", "hasOwnProperty", "valueOf"]) {
    test(`"${name}"`, () => {
      // a name no program would declare in `CustomResourceTypes`: the test passes it as a runtime value
      const type = name as ResourceTypeName
      const manager = createResourceManager({ types: typesNamed(name), onLeaks: () => {} })
      const ref = manager.acquire("a", { type, sizeBytes: 400 })
      manager.acquire("b", { type, sizeBytes: 100 }).release()
      const expected: Array<[string, number]> = [[name, 400]]
      const stats = manager.driverStats("app").bytesByType as Record<string, unknown>
      expect(Object.entries(stats)).toEqual(expected)
      expect(Object.hasOwn(stats, name)).toBe(true)
      expect(Object.entries(manager.snapshot().drivers[0]?.bytesByType ?? {})).toEqual(expected)
      const dumped = managerDump(manager).snapshot.drivers[0]?.bytesByType ?? {}
      expect(Object.entries(dumped)).toEqual(expected)
      expect(JSON.parse(JSON.stringify(dumped))).toEqual(JSON.parse(`{${JSON.stringify(name)}: 400}`))
      ref.release()
      manager.close()
    })
  }
})
