// Runs the conformance scenario the Deno way: the packages are imported by name through the Deno workspace
// (deno.json members), which resolves them to their TypeScript sources, as a JSR user gets them.
// Usage: deno run --allow-read --allow-env --allow-sys deno.ts [--resources]   (prints CONFORMANCE-RESULT <json>)
import * as core from "@flight-hal/core"
import * as pool from "@flight-hal/pool"
import * as Schema from "effect/Schema"
import { runCoreAndPool, runSharedPool } from "../scenarios/flight-hal.mjs"
import { runResources } from "../scenarios/resources.mjs"
import { runSharedManager, webPort } from "../scenarios/shared-manager.mjs"

const parts: Record<string, unknown> = {
  "core+pool": runCoreAndPool({ core, pool, Schema }),
  "shared-pool": runSharedPool({ pool })
}
if (Deno.args.includes("--resources")) {
  const resources = await import("@flight-hal/resources")
  parts.resources = await runResources({ core, resources, inspect: Deno.inspect })
  const script = new URL("./deno-worker.ts", import.meta.url).href
  const spawn = () => webPort(new Worker(script, { type: "module" }))
  parts["shared-manager"] = await runSharedManager({ core, resources, spawn })
}
console.log(`CONFORMANCE-RESULT ${JSON.stringify(parts)}`)
