import { describe, expect, test } from "bun:test"
import { inspect } from "node:util"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import {
  BudgetExceeded,
  BudgetExceededSchema,
  DeadlockDetected,
  DeadlockDetectedSchema,
  ErrorCategory,
  ErrorClassByCode,
  ErrorTable,
  type ErrorTableRow,
  errorClassFor,
  FlightHalErrorSchema,
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
  test("Effect.catchTag matches an error by its tag", async () => {
    const recovered = await Effect.runPromise(
      Effect.fail(error).pipe(Effect.catchTag("BudgetExceeded", (e) => Effect.succeed(e.requested)))
    )
    expect(recovered).toBe(10)
  })
  test("console.log prints the tag, category, code and message, then only the stack's frames", () => {
    for (const printed of [inspect(error), Bun.inspect(error)]) {
      const [first, ...frames] = printed.split("\n")
      expect(first).toBe(
        "BudgetExceeded [Resource 2]: Budget exceeded for Memory: requested 10 bytes, 2 available of limit 8"
      )
      for (const frame of frames) expect(frame).toMatch(/^\s+at\s/)
    }
    expect(inspect(new ManagerClosed())).toStartWith("ManagerClosed [Resource 7]: The resource manager is closed")
  })
  test("the name is the tag, and the fields are enumerable own properties (JSON)", () => {
    expect(error.name).toBe("BudgetExceeded")
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      _tag: "BudgetExceeded",
      resourceType: "Memory",
      requested: 10,
      available: 2,
      limit: 8
    })
  })
  test("errors encode to their fields and decode back (error-schemas.ts)", () => {
    const encoded = Schema.encodeSync(BudgetExceededSchema)(error)
    expect(encoded).toEqual({ _tag: "BudgetExceeded", resourceType: "Memory", requested: 10, available: 2, limit: 8 })
    const decoded = Schema.decodeUnknownSync(BudgetExceededSchema)(encoded)
    expect(decoded).toBeInstanceOf(BudgetExceeded)
    expect(decoded.message).toBe(error.message)
    expect(() => Schema.decodeUnknownSync(BudgetExceededSchema)({ ...encoded, requested: "10" })).toThrow()
  })
  test("list fields round-trip; FlightHalErrorSchema decodes any error by its tag", () => {
    const deadlock = new DeadlockDetected({ drivers: ["gfx", "audio"], resources: ["name:A"] })
    const encoded = Schema.encodeSync(DeadlockDetectedSchema)(deadlock)
    expect(encoded).toEqual({ _tag: "DeadlockDetected", drivers: ["gfx", "audio"], resources: ["name:A"] })
    const decodeAny = Schema.decodeUnknownSync(FlightHalErrorSchema)
    expect(decodeAny(encoded)).toBeInstanceOf(DeadlockDetected)
    expect(decodeAny({ _tag: "ManagerClosed" })).toBeInstanceOf(ManagerClosed)
    expect(decodeAny(Schema.encodeSync(FlightHalErrorSchema)(error))).toBeInstanceOf(BudgetExceeded)
    expect(() => decodeAny({ _tag: "NoSuchError" })).toThrow()
  })
  test("every error class has a Schema that round-trips an instance made from example fields", () => {
    const decodeAny = Schema.decodeUnknownSync(FlightHalErrorSchema)
    const encodeAny = Schema.encodeSync(FlightHalErrorSchema)
    for (const row of ErrorTable) {
      const { cls, instance } = exampleInstance(row)
      const again = decodeAny(encodeAny(instance as never))
      expect(again).toBeInstanceOf(cls)
      expect(again.message).toBe(instance.message)
    }
  })
  test("every error prints as `Tag: message`: its name is its tag, its message its own, neither enumerable", () => {
    for (const row of ErrorTable) {
      const { instance } = exampleInstance(row)
      expect(instance.name).toBe(row.tag)
      expect(String(instance)).toBe(`${row.tag}: ${instance.message}`)
      // Bun starts the stack with an own message only, and a name of the error's own or its class's
      expect((instance.stack ?? "").split("\n")[0]).toBe(`${row.tag}: ${instance.message}`)
      expect(Object.hasOwn(instance, "message")).toBe(true)
      expect(Object.keys(instance).sort()).toEqual(["_tag", ...row.fields].sort())
    }
  })
})

/** A row's class and an instance of it made from example fields. */
const exampleInstance = (row: ErrorTableRow) => {
  const cls = errorClassFor(row.category, row.code)
  if (cls === undefined) throw new Error(`no class for ${row.tag}`)
  const fields = Object.fromEntries(row.fields.map((name) => [name, exampleOf(name)]))
  const instance = new (cls as unknown as new (fields: object) => Error & { readonly _tag: string })(fields)
  return { cls, instance }
}

/** A valid value for an error field by its name (names are typed consistently across the table). */
const exampleOf = (name: string): unknown => {
  if (name === "resourceType") return "Memory"
  if (name === "drivers" || name === "resources" || name === "cycle") return ["a", "b"]
  if (
    [
      "requested",
      "available",
      "limit",
      "slot",
      "currentGeneration",
      "waitedMillis",
      "blockSize",
      "maxCount",
      "index",
      "inUse",
      "sizeBytes"
    ].includes(name)
  )
    return 1
  return "x"
}
