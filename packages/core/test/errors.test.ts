import { describe, expect, test } from "bun:test"
import { inspect } from "node:util"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import {
  AcquireTimeout,
  AlreadyShared,
  BudgetExceeded,
  BudgetExceededSchema,
  DeadlockDetected,
  DeadlockDetectedSchema,
  DependencyCycle,
  DependencyNotLive,
  ErrorCategory,
  ErrorClassByCode,
  ErrorTable,
  type ErrorTableRow,
  errorClassFor,
  FlightHalErrorSchema,
  ManagerClosed,
  NotHolder,
  NotShareable,
  PayloadUnavailable,
  PoolExhausted,
  PoolExhaustedSchema,
  ResourceBusy,
  ResourceNotFound,
  ResourceReleased
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
    const deadlock = new DeadlockDetected({ drivers: ["audio", "gfx"], resources: ["name:A", "name:B"] })
    expect(deadlock.message).toBe("Waiting would deadlock drivers audio, gfx over name:A, name:B")
    expect(new ManagerClosed().message).toBe("The resource manager is closed")
  })
  test("a list whose order is a path reads as one (a -> b); a sorted set does not (a, b)", () => {
    // a cycle is an order: from the dependent back to itself
    expect(new DependencyCycle({ cycle: ["a", "c", "b", "a"] }).message).toBe("Dependency cycle: a -> c -> b -> a")
    // a deadlock's drivers and queues are sorted sets: "audio -> graphics" would read as a wait chain
    const deadlock = new DeadlockDetected({ drivers: ["audio", "graphics"], resources: ["name:dsp", "name:gpu-queue"] })
    expect(deadlock.message).toBe("Waiting would deadlock drivers audio, graphics over name:dsp, name:gpu-queue")
    expect(deadlock.message).not.toContain("->")
    expect(new DeadlockDetected({ drivers: ["gpu"], resources: ["bytes:Memory"] }).message).toBe(
      "Waiting would deadlock drivers gpu over bytes:Memory"
    )
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

describe("messages: resource names and optional fields", () => {
  test("an empty resource name prints as (unnamed); the field keeps the empty string", () => {
    const cases: ReadonlyArray<readonly [Error & { readonly resource?: string }, string]> = [
      [new ResourceNotFound({ resource: "" }), "Resource (unnamed) not found"],
      [
        new AcquireTimeout({ resource: "", resourceType: "Memory", waitedMillis: 21 }),
        "Acquiring (unnamed) (Memory) timed out after 21 ms"
      ],
      [new ResourceBusy({ resource: "" }), "Resource name (unnamed) is taken (by a resource or a waiting request)"],
      [new ResourceReleased({ resource: "" }), "Resource (unnamed) was already released"],
      [
        new PayloadUnavailable({ resource: "", sizeBytes: 8, reason: "no memory" }),
        "The payload of (unnamed) (8 bytes) could not be made: no memory"
      ],
      [new NotShareable({ resource: "" }), "Resource (unnamed) is not shareable (no Shareable flag)"],
      [new AlreadyShared({ resource: "", driver: "gfx" }), "Driver gfx already holds resource (unnamed)"],
      [new NotHolder({ resource: "", driver: "gfx" }), "Driver gfx does not hold resource (unnamed)"],
      [
        new DependencyNotLive({ resource: "", dependency: "" }),
        "Dependency (unnamed) of (unnamed) is not a live resource"
      ]
    ]
    for (const [error, message] of cases) {
      expect(error.message).toBe(message)
      expect(error.resource).toBe("")
    }
    const cycle = new DependencyCycle({ cycle: ["a", "", "a"] })
    expect(cycle.message).toBe("Dependency cycle: a -> (unnamed) -> a")
    expect(cycle.cycle).toEqual(["a", "", "a"])
    // a name is printed as it is, even one that reads like the placeholder
    expect(new ResourceNotFound({ resource: "texture" }).message).toBe("Resource texture not found")
    expect(new ResourceNotFound({ resource: " " }).message).toBe("Resource   not found")
  })

  test("BudgetExceeded with waitersAhead says the request fits and is refused for the waiters ahead", () => {
    const fields = { resourceType: "Memory", requested: 100, available: 200, limit: 1000 } as const
    const plain = new BudgetExceeded(fields)
    const barging = new BudgetExceeded({ ...fields, waitersAhead: 2 })
    expect(plain.message).toBe("Budget exceeded for Memory: requested 100 bytes, 200 available of limit 1000")
    expect(barging.message).toBe(
      "Budget for Memory refused 100 bytes: they fit (200 available of limit 1000), but waiters of the same or higher priority go first (queued ahead: 2)"
    )
    // the same class, tag, category, code and fields
    expect(barging).toBeInstanceOf(BudgetExceeded)
    expect(barging).toBeInstanceOf(Error)
    expect([barging._tag, barging.category, barging.code, barging.name]).toEqual([
      "BudgetExceeded",
      "Resource",
      2,
      "BudgetExceeded"
    ])
    expect({ ...barging } as Record<string, unknown>).toEqual({ _tag: "BudgetExceeded", ...fields, waitersAhead: 2 })
    // left out, the field is no key at all
    expect(Object.keys(plain).sort()).toEqual(["_tag", "available", "limit", "requested", "resourceType"])
    expect("waitersAhead" in plain).toBe(false)
  })

  test("PoolExhausted with refusedBytes says the growth was refused, not that every block is in use", () => {
    const fields = { pool: "textures", blockSize: 4096, maxCount: 400 } as const
    expect(new PoolExhausted(fields).message).toBe(
      "Pool textures is exhausted: all 400 blocks of 4096 bytes are in use"
    )
    const refused = new PoolExhausted({ ...fields, refusedBytes: 1228800 })
    expect(refused.message).toBe("Pool textures could not grow by 1228800 bytes: its budget refused them")
    expect([refused._tag, refused.category, refused.code]).toEqual(["PoolExhausted", "Pool", 1])
    expect(refused).toBeInstanceOf(PoolExhausted)
    expect(Object.keys(new PoolExhausted(fields)).sort()).toEqual(["_tag", "blockSize", "maxCount", "pool"])
  })

  test("optional fields round-trip through the Schemas, present or absent", () => {
    const withField = new BudgetExceeded({
      resourceType: "Memory",
      requested: 1,
      available: 5,
      limit: 9,
      waitersAhead: 1
    })
    const encoded = Schema.encodeSync(BudgetExceededSchema)(withField)
    expect(encoded).toEqual({
      _tag: "BudgetExceeded",
      resourceType: "Memory",
      requested: 1,
      available: 5,
      limit: 9,
      waitersAhead: 1
    })
    const decoded = Schema.decodeUnknownSync(BudgetExceededSchema)(encoded)
    expect(decoded.message).toBe(withField.message)
    expect(decoded.waitersAhead).toBe(1)
    const without = Schema.encodeSync(PoolExhaustedSchema)(new PoolExhausted({ pool: "p", blockSize: 8, maxCount: 2 }))
    expect(without).toEqual({ _tag: "PoolExhausted", pool: "p", blockSize: 8, maxCount: 2 })
    expect("refusedBytes" in Schema.decodeUnknownSync(PoolExhaustedSchema)(without)).toBe(false)
    const refused = Schema.decodeUnknownSync(FlightHalErrorSchema)({ ...without, refusedBytes: 64 })
    expect(refused.message).toBe("Pool p could not grow by 64 bytes: its budget refused them")
    expect(() => Schema.decodeUnknownSync(PoolExhaustedSchema)({ ...without, refusedBytes: "64" })).toThrow()
  })

  test("the error table lists each row's optional fields with their messages; the fields are unchanged", () => {
    const row = (tag: string) => ErrorTable.find((r) => r.tag === tag)
    expect(row("BudgetExceeded")?.fields).toEqual(["resourceType", "requested", "available", "limit"])
    expect(row("BudgetExceeded")?.optionalFields.map((o) => o.name)).toEqual(["waitersAhead"])
    expect(row("PoolExhausted")?.fields).toEqual(["pool", "blockSize", "maxCount"])
    expect(row("PoolExhausted")?.optionalFields).toEqual([
      { name: "refusedBytes", message: "Pool {pool} could not grow by {refusedBytes} bytes: its budget refused them" }
    ])
    expect(row("ResourceNotFound")?.optionalFields).toEqual([])
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
