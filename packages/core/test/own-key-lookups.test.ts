// The generated lookups take own keys only (docs/semantics.md, section 3): an inherited name such as "constructor"
// or "__proto__" is unknown, never Object.prototype's member; an unknown category is unknown, not a TypeError; and a
// name that is not a ResourceFlag is a typed error, never a silently dropped flag.
import { describe, expect, test } from "bun:test"
import * as Schema from "effect/Schema"
import {
  BudgetExceeded,
  ErrorTable,
  errorClassFor,
  InvalidArgument,
  ResourceFlagFromCode,
  ResourceFlagNames,
  ResourceFlags
} from "../src/index.ts"

const inherited = ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf", "isPrototypeOf"] as const

/** An object that counts how often its caller's code is run to turn it into a string or number. */
const counting = () => {
  const self = {
    runs: 0,
    toString: () => {
      self.runs++
      return "Resource"
    },
    [Symbol.toPrimitive]: () => {
      self.runs++
      return 2
    }
  }
  return self
}

describe("errorClassFor", () => {
  test("an inherited member's name is an unknown code, in every category", () => {
    for (const { category } of ErrorTable) {
      for (const code of inherited) expect(errorClassFor(category, code as never)).toBeUndefined()
    }
  })

  test("an unknown category (an inherited name, a non-string) is undefined, not a TypeError", () => {
    for (const category of ["Nope", "", ...inherited, undefined, null, 2, Symbol("c"), 1n, {}]) {
      expect(errorClassFor(category as never, 2)).toBeUndefined()
    }
  })

  test("a category or code that is an object is unknown, and its code is not run", () => {
    const category = counting()
    const code = counting()
    expect(errorClassFor(category as never, 2)).toBeUndefined()
    expect(errorClassFor("Resource", code as never)).toBeUndefined()
    expect(category.runs + code.runs).toBe(0)
  })

  test("every row of the table still finds its class; codes the table lacks are undefined", () => {
    expect(errorClassFor("Resource", 2)).toBe(BudgetExceeded)
    for (const row of ErrorTable) {
      expect(errorClassFor(row.category, row.code)?.name).toBe(row.tag)
      expect(errorClassFor(row.category, row.code + 1000)).toBeUndefined()
    }
    expect(errorClassFor("Resource", Number.NaN)).toBeUndefined()
    expect(errorClassFor("Resource", -0)).toBeUndefined()
  })
})

/** What `f` threw, or a failure if it returned. */
const thrown = (f: () => unknown): unknown => {
  try {
    f()
  } catch (e) {
    return e
  }
  throw new Error("did not throw")
}

describe("ResourceFlags with a name that is not a flag", () => {
  test("combine of a misspelt flag is InvalidArgument naming the value, not 0", () => {
    const e = thrown(() => ResourceFlags.combine("Shareable", "Sharable" as never))
    expect(e).toBeInstanceOf(InvalidArgument)
    expect((e as InvalidArgument).argument).toBe("flag")
    expect((e as InvalidArgument).message).toBe(
      `Invalid argument flag: expected one of ${ResourceFlagNames.join(", ")}, got "Sharable"`
    )
  })

  test("combine and has refuse inherited names and values that are no name", () => {
    for (const flag of [...inherited, "", 2, undefined, null, Symbol("f"), {}, () => 1]) {
      expect(thrown(() => ResourceFlags.combine(flag as never))).toBeInstanceOf(InvalidArgument)
      expect(thrown(() => ResourceFlags.has(0x3f, flag as never))).toBeInstanceOf(InvalidArgument)
    }
  })

  test("the refused value is printed without running its code, and bounded", () => {
    const value = counting()
    const e = thrown(() => ResourceFlags.combine(value as never)) as InvalidArgument
    expect(value.runs).toBe(0)
    expect(e.issue.endsWith("got an object")).toBe(true)
    function secret() {
      return "API_KEY"
    }
    expect((thrown(() => ResourceFlags.has(1, secret as never)) as InvalidArgument).issue).not.toContain("API_KEY")
    const huge = "h".repeat(2 ** 20)
    const long = thrown(() => ResourceFlags.combine(huge as never)) as InvalidArgument
    expect(long.issue.endsWith(`got "${"h".repeat(64)}…" (${2 ** 20} characters)`)).toBe(true)
  })

  test("known flags still combine, test and list as before", () => {
    expect(ResourceFlags.combine("Shareable", "GPUAccessible")).toBe(10)
    expect(ResourceFlags.has(10, "Shareable")).toBe(true)
    expect(ResourceFlags.has(10, "Cacheable")).toBe(false)
    expect(ResourceFlags.list(10)).toEqual(["GPUAccessible", "Shareable"])
  })
})

describe("the Schemas' lookups", () => {
  test("encoding an inherited name as a flag code fails the Schema, never returns a member of Object.prototype", () => {
    for (const name of inherited) {
      expect(() => Schema.encodeUnknownSync(ResourceFlagFromCode)(name)).toThrow()
    }
  })
})
