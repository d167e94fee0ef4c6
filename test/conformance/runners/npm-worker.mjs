// The worker of the "shared-manager" part under Node (a worker_threads Worker) and Bun (a Web Worker): it imports
// @flight-hal/resources by name, from the tarballs installed next to it, and answers the main thread's steps.
import { parentPort } from "node:worker_threads"
import * as resources from "@flight-hal/resources"
import { serveSharedManagerWorker, webPort } from "./scenarios/shared-manager.mjs"

const port =
  globalThis.Bun === undefined
    ? { post: (message) => parentPort.postMessage(message), listen: (callback) => parentPort.on("message", callback) }
    : webPort(self)
serveSharedManagerWorker({ resources, port })
