/**
 * Every table and constant object the package exports is frozen, deeply: the manager trusts them (the fast path
 * looks priorities up by own key, the Custom code range bounds declared codes), so no module may change what they
 * say (`ResourcePriority.Urgent = 3`, `CustomResourceTypeCodes.min = 1`).
 */
import { describe, expect, test } from "bun:test"
import * as Core from "../src/index.ts"

/** Whether a value is a plain object or an array (a table), not a class, a function or a Schema. */
const isTable = (value: unknown): value is object =>
  typeof value === "object" &&
  value !== null &&
  (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype)

/** The paths of the tables inside `value` (itself included) that are not frozen. */
const unfrozen = (value: unknown, path: string): Array<string> => {
  if (!isTable(value)) return []
  const inner = Object.entries(value).flatMap(([key, v]) => unfrozen(v, `${path}.${key}`))
  return Object.isFrozen(value) ? inner : [path, ...inner]
}

describe("@flight-hal/core's exported tables", () => {
  const tables = Object.entries(Core).filter(([, value]) => isTable(value))

  test("include the tables the manager reads", () => {
    const names = tables.map(([name]) => name)
    for (const name of [
      "ResourceType",
      "ResourceTypeNames",
      "ResourceTypeByCode",
      "ResourceFlag",
      "ResourceFlags",
      "ResourcePriority",
      "AccessPattern",
      "ResourcePressure",
      "AcquisitionMode",
      "CustomResourceTypeCodes",
      "ErrorCategory",
      "ErrorTable",
      "ErrorClassByCode"
    ]) {
      expect(names).toContain(name)
    }
  })

  test("are deeply frozen", () => {
    expect(tables.flatMap(([name, value]) => unfrozen(value, name))).toEqual([])
  })

  test("refuse a change (strict mode throws) and keep what they said", () => {
    expect(() => Object.assign(Core.ResourcePriority, { Urgent: 3 })).toThrow(TypeError)
    expect(Object.hasOwn(Core.ResourcePriority, "Urgent")).toBe(false)
    expect(() => Object.assign(Core.CustomResourceTypeCodes, { min: 1 })).toThrow(TypeError)
    expect(Core.CustomResourceTypeCodes.min).toBe(0x80000001)
    expect(() => (Core.ResourceTypeNames as unknown as Array<string>).push("Bogus")).toThrow(TypeError)
    expect(() => Object.assign(Core.ErrorTable[0] as object, { code: 99 })).toThrow(TypeError)
  })
})
