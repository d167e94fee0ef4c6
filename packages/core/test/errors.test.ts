import { describe, expect, test } from "bun:test"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import {
  BudgetExceeded,
  DeadlockDetected,
  ErrorCategory,
  ErrorClassByCode,
  ErrorTable,
  errorClassFor,
  ManagerClosed
} from "../src/index.ts"

describe("the error table", () => {
  test("(category, code) pairs and tags are unique", () => {
    const keys = ErrorTable.map((row) => `${row.category}/${row.code}`)
    expect(new Set(keys).size).toBe(keys.length)
    expect(new Set(ErrorTable.map((row) => row.tag)).size).toBe(ErrorTable.length)
  })
  test("BudgetExceeded is Resource code 2", () => {
    expect(BudgetExceeded.category).toBe("Resource")
    expect(BudgetExceeded.code).toBe(2)
    expect(ErrorCategory.Resource).toBe(1)
  })
  test("every row's class is found by (category, code) and carries the row's tag, category and code", () => {
    for (const row of ErrorTable) {
      const cls = errorClassFor(row.category, row.code)
      expect(cls).toBeDefined()
      expect(cls?.category).toBe(row.category)
      expect(cls?.code as number | undefined).toBe(row.code)
      expect(ErrorClassByCode[row.category][row.code]).toBe(cls)
    }
    expect(errorClassFor("Resource", 999)).toBeUndefined()
  })
  test("every error docs/semantics.md names exists", () => {
    const tags: ReadonlyArray<string> = ErrorTable.map((row) => row.tag)
    for (const tag of [
      "BudgetExceeded",
      "AcquireTimeout",
      "ResourceBusy",
      "ResourceNotFound",
      "StaleHandle",
      "ResourceReleased",
      "InvalidMetadata",
      "InvalidBudget",
      "NotShareable",
      "AlreadyShared",
      "DependencyCycle",
      "DeadlockDetected",
      "PoolExhausted",
      "InvalidPoolConfig",
      "DuplicatePool",
      "PlatformDetectionFailed"
    ]) {
      expect(tags).toContain(tag)
    }
  })
})

describe("error instances", () => {
  const error = new BudgetExceeded({ resourceType: "Memory", requested: 10, available: 2, limit: 8 })
  test("category, code and the formatted message are on the instance", () => {
    expect(error._tag).toBe("BudgetExceeded")
    expect(error.category).toBe("Resource")
    expect(error.code).toBe(2)
    expect(error.message).toBe("Budget exceeded for Memory: requested 10 bytes, 2 available of limit 8")
    expect(error).toBeInstanceOf(Error)
    expect(String(error)).toContain("Budget exceeded for Memory")
  })
  test("list fields are joined in the message; errors without fields have a message too", () => {
    const deadlock = new DeadlockDetected({ drivers: ["gfx", "audio"], resources: ["name:A", "name:B"] })
    expect(deadlock.message).toBe("Waiting would deadlock drivers gfx -> audio over name:A -> name:B")
    expect(new ManagerClosed().message).toBe("The resource manager is closed")
  })
  test("errors are typed failures in the Effect error channel", async () => {
    const program = Effect.gen(function* () {
      return yield* error
    })
    const flipped = await Effect.runPromise(Effect.flip(program))
    expect(flipped).toBe(error)
  })
  test("errors encode to their fields and decode back", () => {
    const encoded = Schema.encodeSync(BudgetExceeded)(error)
    expect(encoded).toEqual({ _tag: "BudgetExceeded", resourceType: "Memory", requested: 10, available: 2, limit: 8 })
    const decoded = Schema.decodeUnknownSync(BudgetExceeded)(encoded)
    expect(decoded).toBeInstanceOf(BudgetExceeded)
    expect(decoded.message).toBe(error.message)
  })
})
