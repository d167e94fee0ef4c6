/**
 * Serves a manager's endpoint (`/snapshot`, `/metrics`; see `managerEndpoint`) over HTTP with the runtime's
 * `node:http` (Node, Bun, Deno), for `flight-hal watch <url>` and a Prometheus scrape. Loopback only unless a
 * `host` is given.
 *
 * @module
 */
import { InvalidArgument } from "@flight-hal/core"
import { attachedCore } from "./internal/manager-core.ts"
import { builtinModule } from "./internal/node-fs.ts"
import { show, showThrown } from "./internal/show.ts"
import { isObjectArgument } from "./internal/validate.ts"
import { endpointReply } from "./ManagerEndpoint.ts"
import type { AnyResourceManager } from "./ManagerMetrics.ts"

/**
 * A running endpoint server.
 *
 * @since 0.1.0
 * @category endpoint
 */
export interface ManagerServer extends AsyncDisposable {
  /** Its base URL, e.g. `http://127.0.0.1:9464` (`flight-hal watch` takes it as it is). */
  readonly url: string
  /** The port it listens on (the one the system chose when `port` was 0). */
  readonly port: number
  /** Stops listening and closes the open connections. */
  readonly close: () => Promise<void>
}

/**
 * Options of {@link serveManager}.
 *
 * @since 0.1.0
 * @category endpoint
 */
export interface ServeManagerOptions {
  /** The port (default 0: any free port). */
  readonly port?: number
  /** The address to listen on (default `127.0.0.1`: this machine only). */
  readonly host?: string
}

interface NodeResponse {
  writeHead(status: number, headers: Record<string, string>): void
  end(body?: string): void
}
interface NodeServer {
  listen(port: number, host: string, done: () => void): void
  once(event: "error", listener: (error: Error) => void): void
  address(): { readonly port: number } | string | null
  close(done: (error?: Error) => void): void
  closeAllConnections?: () => void
}
interface NodeHttp {
  createServer(
    handler: (request: { readonly method?: string; readonly url?: string }, response: NodeResponse) => void
  ): NodeServer
}

/** The host and port to listen on, read once, or InvalidArgument naming what is wrong. */
const readServeOptions = (
  manager: unknown,
  options: unknown
): { readonly host: string; readonly port: number } | InvalidArgument => {
  const core = attachedCore(manager)
  if (core instanceof InvalidArgument) return core
  if (options === undefined) return { host: "127.0.0.1", port: 0 }
  if (!isObjectArgument(options)) {
    return new InvalidArgument({ argument: "options", issue: `expected { port?, host? }, got ${show(options)}` })
  }
  let host: unknown
  let port: unknown
  try {
    ;({ host, port } = options as { readonly host?: unknown; readonly port?: unknown })
  } catch (error) {
    return new InvalidArgument({ argument: "options", issue: `could not be read (${showThrown(error)})` })
  }
  if (host !== undefined && (typeof host !== "string" || host === "")) {
    return new InvalidArgument({ argument: "options.host", issue: `expected a non-empty string, got ${show(host)}` })
  }
  if (port !== undefined && (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65535)) {
    return new InvalidArgument({
      argument: "options.port",
      issue: `expected an integer from 0 to 65535, got ${show(port)}`
    })
  }
  return { host: host ?? "127.0.0.1", port: port ?? 0 }
}

/**
 * Serves `/snapshot` and `/metrics` of a manager until `close` (which may be called more than once). Rejects with
 * InvalidArgument for what is not a manager, bad options (`host` not a non-empty string, `port` not an integer
 * from 0 to 65535), or where the runtime has no `node:http`; with the listen error (a port in use).
 *
 * @example
 * ```ts
 * import { createResourceManager } from "@flight-hal/resources"
 * import { serveManager } from "@flight-hal/resources/serve"
 *
 * using manager = createResourceManager({ label: "game" })
 * await using server = await serveManager(manager, { port: 0 })
 * const dump = await (await fetch(`${server.url}/snapshot`)).json()
 * console.log(dump.label) // game — and `flight-hal watch ${server.url}` shows it live
 * ```
 *
 * @since 0.1.0
 * @category endpoint
 */
export const serveManager = (
  manager: AnyResourceManager,
  options: ServeManagerOptions = {}
): Promise<ManagerServer> => {
  const http = builtinModule<NodeHttp>("node:http")
  if (http === undefined) {
    return Promise.reject(
      new InvalidArgument({ argument: "runtime", issue: "serving a manager needs node:http (Node, Bun, Deno)" })
    )
  }
  // every argument checked before anything listens: a bad host once threw inside the listen callback, past any
  // catch, and the promise never settled
  const given = readServeOptions(manager, options)
  if (given instanceof InvalidArgument) return Promise.reject(given)
  const { host, port: wanted } = given
  const server = http.createServer((request, response) => {
    let reply: ReturnType<typeof endpointReply>
    try {
      reply = endpointReply(manager, request.method ?? "GET", new URL(request.url ?? "/", "http://x").pathname)
    } catch (error) {
      reply = { status: 500, contentType: "text/plain; charset=utf-8", body: `${String(error)}\n` }
    }
    response.writeHead(reply.status, { "content-type": reply.contentType })
    response.end(request.method === "HEAD" ? undefined : reply.body)
  })
  return new Promise<ManagerServer>((resolve, reject) => {
    server.once("error", reject)
    server.listen(wanted, host, () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : wanted
      // once: a second close (an explicit one, then `await using`'s) resolves with the first
      let closed: Promise<void> | undefined
      const close = () => {
        closed ??= new Promise<void>((done, fail) => {
          server.close((error) => (error === undefined ? done() : fail(error)))
          server.closeAllConnections?.()
        })
        return closed
      }
      const shown = host.includes(":") ? `[${host}]` : host
      resolve({ url: `http://${shown}:${port}`, port, close, [Symbol.asyncDispose]: close })
    })
  })
}
