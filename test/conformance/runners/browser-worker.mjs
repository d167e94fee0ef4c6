// The worker of the "shared-manager" part in the browser (a module Web Worker of the cross-origin isolated page),
// bundled like browser.mjs by `bun build --target=browser --format=esm`.
import * as resources from "@flight-hal/resources"
import { serveSharedManagerWorker, webPort } from "./scenarios/shared-manager.mjs"

serveSharedManagerWorker({ resources, port: webPort(self) })
