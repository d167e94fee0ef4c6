// Runs the conformance scenario the way an npm user does: every import is a package name, resolved from the
// node_modules of a fresh project where scripts/conformance.mjs installed the packed tarballs (Node gets the built
// JS; Bun gets the "bun" export condition, the TS sources shipped in the tarball).
// Usage: node npm.mjs [--resources]   (prints one line: CONFORMANCE-RESULT <json>)
import * as core from "@flight-hal/core"
import * as pool from "@flight-hal/pool"
import * as Schema from "effect/Schema"
import { runCoreAndPool, runSharedPool } from "./scenarios/flight-hal.mjs"
import { runResources } from "./scenarios/resources.mjs"
import { runSharedManager, webPort } from "./scenarios/shared-manager.mjs"

const parts = { "core+pool": runCoreAndPool({ core, pool, Schema }), "shared-pool": runSharedPool({ pool }) }
if (process.argv.includes("--resources")) {
  const resources = await import("@flight-hal/resources")
  // what console.log prints: Bun's own printer on Bun, util.inspect on Node
  const inspect = globalThis.Bun?.inspect ?? (await import("node:util")).inspect
  parts.resources = await runResources({ core, resources, inspect })
  // the two-worker part: Node's worker_threads, Bun's Web Worker, on the same worker script
  const script = new URL("./npm-worker.mjs", import.meta.url)
  const { Worker: ThreadWorker } = await import("node:worker_threads")
  const spawn = () => {
    if (globalThis.Bun !== undefined) return webPort(new Worker(script.href))
    const worker = new ThreadWorker(script)
    worker.on("error", (error) => console.error("shared-manager worker:", error))
    return {
      post: (message) => worker.postMessage(message),
      listen: (callback) => worker.on("message", callback),
      terminate: () => worker.terminate()
    }
  }
  parts["shared-manager"] = await runSharedManager({ core, resources, spawn })
}
console.log(`CONFORMANCE-RESULT ${JSON.stringify(parts)}`)
