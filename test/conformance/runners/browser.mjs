// Runs the browser part of the conformance scenario (@flight-hal/core and @flight-hal/pool, bundled with
// `bun build --target=browser` from the packed tarballs) and writes the result into the page, where
// scripts/conformance.mjs reads it with `chromium --headless --dump-dom`.
import * as core from "@flight-hal/core"
import * as pool from "@flight-hal/pool"
import * as Schema from "effect/Schema"
import { runCoreAndPool } from "./scenarios/flight-hal.mjs"

const out = document.getElementById("result")
try {
  const parts = { "core+pool": runCoreAndPool({ core, pool, Schema }) }
  out.textContent = `CONFORMANCE-RESULT ${JSON.stringify(parts)}`
} catch (error) {
  out.textContent = `CONFORMANCE-ERROR ${String(error?.stack ?? error)}`
}
