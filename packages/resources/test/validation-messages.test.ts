import { describe, expect, test } from "bun:test"
import { InvalidBudget, InvalidMetadata, type ResourceMetadata } from "@flight-hal/core"
import { createResourceManager } from "../src/index.ts"

const caught = (f: () => unknown): unknown => {
  try {
    f()
  } catch (error) {
    return error
  }
  return undefined
}

describe("validation errors carry the Schema issue text only", () => {
  test("InvalidBudget: the issue is the Schema's message, no Cause/SchemaError wrapper", () => {
    const manager = createResourceManager({ onLeaks: () => {} })
    const error = caught(() =>
      manager.setBudget("Memory", { maxBytes: 10, reservedBytes: 20, warningPercent: 50, criticalPercent: 90 })
    )
    expect(error).toBeInstanceOf(InvalidBudget)
    expect((error as InvalidBudget).issue).toBe("reservedBytes (20) must not exceed maxBytes (10)")
    expect((error as InvalidBudget).message).not.toMatch(/Cause|SchemaError|Fail\(/)
    manager.close()
  })

  test("InvalidMetadata: the same for metadata", () => {
    const manager = createResourceManager({ onLeaks: () => {} })
    const bad = { type: "Memory", sizeBytes: -1 } as ResourceMetadata
    const error = caught(() => manager.acquire("bad", bad))
    expect(error).toBeInstanceOf(InvalidMetadata)
    expect((error as InvalidMetadata).issue).not.toMatch(/Cause|SchemaError|Fail\(/)
    expect((error as InvalidMetadata).issue.length).toBeGreaterThan(0)
    manager.close()
  })
})
