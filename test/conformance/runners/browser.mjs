// Runs the browser part of the conformance scenario in headless Chromium: @flight-hal/core and @flight-hal/pool,
// and with `?shared` the two-worker part of @flight-hal/resources, bundled from the packed tarballs by
// `bun build --target=browser --format=esm`, on a page scripts/conformance.mjs serves cross-origin isolated
// (COOP + COEP headers, so SharedArrayBuffer exists). The page writes the result into itself and posts it to the
// server's /result.
import * as core from "@flight-hal/core"
import * as pool from "@flight-hal/pool"
import * as Schema from "effect/Schema"
import { runCoreAndPool } from "./scenarios/flight-hal.mjs"
import { runSharedManager, webPort } from "./scenarios/shared-manager.mjs"

const run = async () => {
  const parts = { "core+pool": runCoreAndPool({ core, pool, Schema }) }
  if (new URLSearchParams(location.search).has("shared")) {
    try {
      const resources = await import("@flight-hal/resources")
      const spawn = () => webPort(new Worker("browser-worker.bundle.js", { type: "module" }))
      parts["shared-manager"] = await runSharedManager({ core, resources, spawn })
    } catch (error) {
      parts["shared-manager"] = {
        error: `${String(error?.stack ?? error)} (crossOriginIsolated: ${globalThis.crossOriginIsolated})`
      }
    }
  }
  return `CONFORMANCE-RESULT ${JSON.stringify(parts)}`
}

run()
  .catch((error) => `CONFORMANCE-ERROR ${String(error?.stack ?? error)}`)
  .then((text) => {
    document.getElementById("result").textContent = text
    return fetch("result", { method: "POST", body: text })
  })
