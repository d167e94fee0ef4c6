// @flight-hal/core under Node 20, imported by package name: resolves to the built JS (dist/).
import assert from "node:assert/strict"
import { test } from "node:test"
import * as core from "@flight-hal/core"
import * as Schema from "effect/Schema"
import { expected, run } from "../scenarios/core-tables.mjs"

test("@flight-hal/core tables and errors (node, built JS)", () => {
  assert.deepEqual(run(core, Schema), expected)
})

test("the package resolves to dist, not to the TypeScript source", () => {
  const url = import.meta.resolve("@flight-hal/core")
  assert.match(url, /packages\/core\/dist\/index\.js$/)
})
