import { describe, expect, test } from "bun:test"
import * as Schema from "effect/Schema"
import {
  AccessPattern,
  AccessPatternFromCode,
  AccessPatternNames,
  AccessPatternSchema,
  AcquisitionMode,
  AcquisitionModeFromCode,
  AcquisitionModeNames,
  AcquisitionModeSchema,
  ResourceFlag,
  ResourceFlagMask,
  ResourceFlagNames,
  ResourceFlagSetSchema,
  ResourceFlags,
  ResourcePressure,
  ResourcePressureFromCode,
  ResourcePressureNames,
  ResourcePressureSchema,
  ResourcePriority,
  ResourcePriorityFromCode,
  ResourcePriorityNames,
  ResourcePrioritySchema,
  ResourceType,
  ResourceTypeFromCode,
  ResourceTypeNames,
  ResourceTypeSchema
} from "../src/index.ts"

const decodeError = (schema: Schema.Top, input: unknown): string => {
  try {
    Schema.decodeUnknownSync(schema as Schema.Codec<unknown, unknown>)(input)
  } catch (e) {
    return String(e)
  }
  throw new Error(`decoding ${JSON.stringify(input)} did not fail`)
}

describe("the seed's values", () => {
  test("ResourceType codes are the seed's uint32 values", () => {
    expect(ResourceType).toEqual({
      Hardware: 0x01,
      Memory: 0x02,
      Performance: 0x04,
      Communication: 0x08,
      Platform: 0x10,
      Custom: 0x80000000
    })
  })
  test("flags are distinct powers of two and the mask holds them all", () => {
    const values = ResourceFlagNames.map((n) => ResourceFlag[n])
    for (const v of values) expect(v & (v - 1)).toBe(0)
    expect(new Set(values).size).toBe(values.length)
    expect(values.reduce((m, v) => m | v, 0)).toBe(ResourceFlagMask)
    expect(ResourceFlagNames).toContain("Shareable")
    expect(ResourceFlagNames).toContain("Persistent")
  })
  test("priorities are ordered Low < Normal < High < Critical", () => {
    expect(ResourcePriorityNames).toEqual(["Low", "Normal", "High", "Critical"])
    expect(ResourcePriorityNames.map((n) => ResourcePriority[n])).toEqual([0, 1, 2, 3])
  })
  test("the other enumerations", () => {
    expect(AccessPatternNames).toEqual(["ReadOnly", "WriteOnly", "ReadWrite", "Streaming"])
    expect(ResourcePressureNames).toEqual(["None", "Low", "Medium", "High", "Critical"])
    expect(AcquisitionModeNames).toEqual(["NonBlocking", "Blocking", "Timeout", "Emergency"])
  })
})

const tables = [
  {
    name: "ResourceType",
    values: ResourceType,
    names: ResourceTypeNames,
    schema: ResourceTypeSchema,
    fromCode: ResourceTypeFromCode
  },
  {
    name: "ResourcePriority",
    values: ResourcePriority,
    names: ResourcePriorityNames,
    schema: ResourcePrioritySchema,
    fromCode: ResourcePriorityFromCode
  },
  {
    name: "AccessPattern",
    values: AccessPattern,
    names: AccessPatternNames,
    schema: AccessPatternSchema,
    fromCode: AccessPatternFromCode
  },
  {
    name: "ResourcePressure",
    values: ResourcePressure,
    names: ResourcePressureNames,
    schema: ResourcePressureSchema,
    fromCode: ResourcePressureFromCode
  },
  {
    name: "AcquisitionMode",
    values: AcquisitionMode,
    names: AcquisitionModeNames,
    schema: AcquisitionModeSchema,
    fromCode: AcquisitionModeFromCode
  }
] as const

describe.each(tables)("$name round-trips through its Schemas", (table) => {
  const values: Readonly<Record<string, number>> = table.values
  const schema = table.schema as unknown as Schema.Codec<string, string>
  const fromCode = table.fromCode as unknown as Schema.Codec<string, number>
  test("every name decodes to itself and encodes back", () => {
    for (const name of table.names) {
      expect(Schema.decodeUnknownSync(schema)(name)).toBe(name)
      expect(Schema.encodeSync(schema)(name)).toBe(name)
    }
  })
  test("every code decodes to its name and the name encodes to the code", () => {
    for (const name of table.names) {
      const code = values[name]
      expect(Schema.decodeUnknownSync(fromCode)(code)).toBe(name)
      expect(Schema.encodeSync(fromCode)(name)).toBe(code as number)
    }
  })
  test("an unknown name or code fails with a message listing the valid ones", () => {
    expect(decodeError(schema, "Nope")).toContain(`"${table.names[0]}"`)
    expect(decodeError(fromCode, 12345)).toContain("Expected")
  })
})

describe("flag sets", () => {
  test("combine, has, list", () => {
    const set = ResourceFlags.combine("Shareable", "GPUAccessible")
    expect(set).toBe(ResourceFlag.Shareable | ResourceFlag.GPUAccessible)
    expect(ResourceFlags.has(set, "Shareable")).toBe(true)
    expect(ResourceFlags.has(set, "DMACapable")).toBe(false)
    expect(ResourceFlags.list(set)).toEqual(["GPUAccessible", "Shareable"])
    expect(ResourceFlags.combine()).toBe(ResourceFlags.none)
  })
  test("every set of known bits round-trips through ResourceFlagSetSchema", () => {
    for (let set = 0; set <= ResourceFlagMask; set++) {
      expect(Schema.decodeUnknownSync(ResourceFlagSetSchema)(set)).toBe(set)
      expect(ResourceFlags.combine(...ResourceFlags.list(set))).toBe(set)
    }
  })
  test("an unknown flag bit decodes to a clear error naming the bit", () => {
    expect(decodeError(ResourceFlagSetSchema, 0x400 | ResourceFlag.Shareable)).toContain(
      "unknown ResourceFlag bit(s) 0x400"
    )
    expect(decodeError(ResourceFlagSetSchema, -1)).toContain("non-negative")
    expect(decodeError(ResourceFlagSetSchema, 1.5)).toContain("integer")
  })
})
