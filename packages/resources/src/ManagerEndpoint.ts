/**
 * A running manager as an HTTP endpoint, for `flight-hal watch` and Prometheus, with no server of its own:
 * {@link managerEndpoint} is a Fetch-API handler (`Request` → `Response`) to mount in whatever serves the
 * program (`Bun.serve`, `Deno.serve`, an Effect `HttpRouter`, …); `serveManager` of
 * `@flight-hal/resources/serve` runs one on `node:http`.
 *
 * Routes (`GET` or `HEAD`, under any prefix): `…/snapshot`, the manager's dump as JSON (`managerDump`);
 * `…/metrics`, its Prometheus text (`prometheusText`). Anything else is 404, another method 405, and a request
 * that is not one (a method or path that is not a string, a URL that does not parse, a request whose reading
 * throws) 400.
 *
 * @module
 */
import { InvalidArgument } from "@flight-hal/core"
import { attachedCore } from "./internal/manager-core.ts"
import { managerDump } from "./ManagerDump.ts"
import { type AnyResourceManager, prometheusText } from "./ManagerMetrics.ts"

/**
 * An HTTP answer, before it becomes a `Response` or a `node:http` reply.
 *
 * @since 0.1.0
 * @category endpoint
 */
export interface EndpointReply {
  /** The status code. */
  readonly status: number
  /** The `content-type` header. */
  readonly contentType: string
  /** The body. */
  readonly body: string
}

/**
 * The content type of the `/metrics` route (Prometheus text exposition 0.0.4).
 *
 * @since 0.1.0
 * @category endpoint
 */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

/**
 * The reply of the endpoint to a method and a path (the routing of {@link managerEndpoint} and `serveManager`):
 * 400 for a method or a path that is not a string.
 *
 * @example
 * ```ts
 * import { createResourceManager, endpointReply } from "@flight-hal/resources"
 *
 * using manager = createResourceManager({})
 * console.log(endpointReply(manager, "GET", "/snapshot").contentType) // application/json
 * ```
 *
 * @since 0.1.0
 * @category endpoint
 */
export const endpointReply = (manager: AnyResourceManager, method: string, path: string): EndpointReply => {
  if (typeof method !== "string" || typeof path !== "string") return badRequest
  const route = path.endsWith("/snapshot") ? "snapshot" : path.endsWith("/metrics") ? "metrics" : undefined
  if (route === undefined) return { status: 404, contentType: "text/plain; charset=utf-8", body: "not found\n" }
  if (method !== "GET" && method !== "HEAD") {
    return { status: 405, contentType: "text/plain; charset=utf-8", body: "method not allowed\n" }
  }
  return route === "snapshot"
    ? { status: 200, contentType: "application/json", body: `${JSON.stringify(managerDump(manager))}\n` }
    : { status: 200, contentType: PROMETHEUS_CONTENT_TYPE, body: prometheusText(manager) }
}

/** The reply to what is not a request (see the module's routes). */
const badRequest: EndpointReply = Object.freeze({
  status: 400,
  contentType: "text/plain; charset=utf-8",
  body: "bad request\n"
})

/** A request's method and path, each read once, or undefined if it is not a request (see {@link badRequest}). */
const readRequest = (request: unknown): { readonly method: string; readonly path: string } | undefined => {
  try {
    if (typeof request !== "object" || request === null) return undefined
    const { method, url } = request as { readonly method?: unknown; readonly url?: unknown }
    if (typeof method !== "string" || typeof url !== "string") return undefined
    return { method, path: new URL(url).pathname }
  } catch {
    return undefined
  }
}

/**
 * A Fetch-API handler serving a manager's `/snapshot` (JSON dump) and `/metrics` (Prometheus text). Throws
 * `InvalidArgument` for what is not a manager of this library.
 *
 * @example
 * ```ts
 * import { createResourceManager, managerEndpoint } from "@flight-hal/resources"
 *
 * using manager = createResourceManager({ label: "game" })
 * const handler = managerEndpoint(manager) // Bun.serve({ fetch: handler }) or Deno.serve(handler)
 * const response = handler(new Request("http://localhost/snapshot"))
 * console.log((await response.json()).label) // game
 * ```
 *
 * @since 0.1.0
 * @category endpoint
 */
export const managerEndpoint = (manager: AnyResourceManager): ((request: Request) => Response) => {
  // what is not a manager is refused here, not at each request
  const checked = attachedCore(manager)
  if (checked instanceof InvalidArgument) throw checked
  return (request: Request): Response => {
    const read = readRequest(request)
    const reply = read === undefined ? badRequest : endpointReply(manager, read.method, read.path)
    return new Response(read?.method === "HEAD" ? null : reply.body, {
      status: reply.status,
      headers: { "content-type": reply.contentType }
    })
  }
}
