/**
 * The core's messages show a caller's function as the resources package's do (docs/semantics.md, section 3): by its
 * name, `function <name>` (cut as a string is), never its source; `a function` when it has no usable name.
 */
import { describe, expect, test } from "bun:test"
import { InvalidArgument, ResourceFlags } from "../src/index.ts"

const issueOf = (run: () => unknown): string => {
  try {
    run()
  } catch (error) {
    if (error instanceof InvalidArgument) return error.issue
    throw error
  }
  throw new Error("accepted")
}

function loadSecret() {
  return 'API_KEY = "s3cr3t"'
}

describe("a function in a core message", () => {
  test("by its name, never its source", () => {
    const issue = issueOf(() => ResourceFlags.combine(loadSecret as never))
    expect(issue).toEndWith("got function loadSecret")
    expect(issue).not.toContain("API_KEY")
    expect(issueOf(() => ResourceFlags.has(0, loadSecret as never))).toEndWith("got function loadSecret")
  })

  test("a long name is cut; no usable name is 'a function'", () => {
    const long = { [`f${"x".repeat(99)}`]: () => 1 }[`f${"x".repeat(99)}`]
    expect(issueOf(() => ResourceFlags.combine(long as never))).toEndWith(
      `got function f${"x".repeat(63)}… (100 characters)`
    )
    const anonymous = Object.defineProperty(() => 1, "name", { value: "" })
    expect(issueOf(() => ResourceFlags.combine(anonymous as never))).toEndWith("got a function")
    const hostile = () => 1
    Object.defineProperty(hostile, "name", {
      get() {
        throw new Error("no")
      }
    })
    expect(issueOf(() => ResourceFlags.combine(hostile as never))).toEndWith("got a function")
  })
})
