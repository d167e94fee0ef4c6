// The worker of the "shared-manager" part under Deno (a module Worker): @flight-hal/resources through the
// workspace, as the main runner (deno.ts) imports it.
import * as resources from "@flight-hal/resources"
import { serveSharedManagerWorker, webPort } from "../scenarios/shared-manager.mjs"

serveSharedManagerWorker({ resources, port: webPort(self) })
