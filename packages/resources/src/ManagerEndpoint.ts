/**
 * A running manager as an HTTP endpoint, for `flight-hal watch` and Prometheus, with no server of its own:
 * {@link managerEndpoint} is a Fetch-API handler (`Request` → `Response`) to mount in whatever serves the
 * program (`Bun.serve`, `Deno.serve`, an Effect `HttpRouter`, …); `serveManager` of
 * `@flight-hal/resources/serve` runs one on `node:http`.
 *
 * Routes (`GET` or `HEAD`, under any prefix): `…/snapshot`, the manager's dump as JSON (`managerDump`);
 * `…/metrics`, its Prometheus text (`prometheusText`). Anything else is 404, another method 405.
 *
 * @module
 */
import { managerDump } from "./ManagerDump.ts"
import { type AnyResourceManager, prometheusText } from "./ManagerMetrics.ts"

/**
 * An HTTP answer, before it becomes a `Response` or a `node:http` reply.
 *
 * @since 0.3.0
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
 * @since 0.3.0
 * @category endpoint
 */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

/**
 * The reply of the endpoint to a method and a path (the routing of {@link managerEndpoint} and `serveManager`).
 *
 * @example
 * ```ts
 * import { createResourceManager, endpointReply } from "@flight-hal/resources"
 *
 * using manager = createResourceManager({})
 * console.log(endpointReply(manager, "GET", "/snapshot").contentType) // application/json
 * ```
 *
 * @since 0.3.0
 * @category endpoint
 */
export const endpointReply = (manager: AnyResourceManager, method: string, path: string): EndpointReply => {
  const route = path.endsWith("/snapshot") ? "snapshot" : path.endsWith("/metrics") ? "metrics" : undefined
  if (route === undefined) return { status: 404, contentType: "text/plain; charset=utf-8", body: "not found\n" }
  if (method !== "GET" && method !== "HEAD") {
    return { status: 405, contentType: "text/plain; charset=utf-8", body: "method not allowed\n" }
  }
  return route === "snapshot"
    ? { status: 200, contentType: "application/json", body: `${JSON.stringify(managerDump(manager))}\n` }
    : { status: 200, contentType: PROMETHEUS_CONTENT_TYPE, body: prometheusText(manager) }
}

/**
 * A Fetch-API handler serving a manager's `/snapshot` (JSON dump) and `/metrics` (Prometheus text).
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
 * @since 0.3.0
 * @category endpoint
 */
export const managerEndpoint =
  (manager: AnyResourceManager): ((request: Request) => Response) =>
  (request: Request): Response => {
    const reply = endpointReply(manager, request.method, new URL(request.url).pathname)
    return new Response(request.method === "HEAD" ? null : reply.body, {
      status: reply.status,
      headers: { "content-type": reply.contentType }
    })
  }
