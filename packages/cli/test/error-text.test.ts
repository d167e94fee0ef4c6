/**
 * What the CLI prints of a failure it did not expect (a file it cannot read, a URL it cannot reach): the message
 * and the causes' messages. On Node, `fetch` says only `fetch failed` and keeps the reason in `cause`.
 */
import { describe, expect, test } from "bun:test"
import { errorText } from "../src/internal/error-text.ts"

describe("errorText", () => {
  test("Node's fetch failure: the message, then the reason its cause holds", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" })
    expect(errorText(new TypeError("fetch failed", { cause: refused }))).toBe(
      "fetch failed: connect ECONNREFUSED 127.0.0.1:1"
    )
  })

  test("an AggregateError without a message (two addresses refused) shows its first error", () => {
    const both = new AggregateError([
      new Error("connect ECONNREFUSED ::1:1"),
      new Error("connect ECONNREFUSED 127.0.0.1:1")
    ])
    expect(errorText(new TypeError("fetch failed", { cause: both }))).toBe("fetch failed: connect ECONNREFUSED ::1:1")
  })

  test("no cause, a cause that repeats the message, a value that is no Error, a cycle of causes", () => {
    expect(errorText(new Error("EACCES: permission denied"))).toBe("EACCES: permission denied")
    expect(errorText(new Error("same", { cause: new Error("same") }))).toBe("same")
    expect(errorText("a string thrown")).toBe("a string thrown")
    expect(errorText(new Error("outer", { cause: 42 }))).toBe("outer: 42")
    const looped = new Error("a")
    looped.cause = new Error("b", { cause: looped })
    expect(errorText(looped)).toBe("a: b")
  })
})
