// @flight-hal/core under Deno, imported from its TypeScript source as a JSR user would get it.
import assert from "node:assert/strict"
import * as Schema from "effect/Schema"
import * as core from "../../../packages/core/src/index.ts"
import { expected, run } from "../scenarios/core-tables.mjs"

Deno.test("@flight-hal/core tables and errors (deno, TS source)", () => {
  assert.deepEqual(run(core, Schema), expected)
})
