/**
 * Effect's `OtlpMetrics` exporting to a fetch that keeps the bodies it is given (OTLP/HTTP JSON, no network): the
 * `layer` to provide, and the `bodies` posted so far, one per export (`OtlpExporter.Flusher`'s `flush`, every
 * hour otherwise, and when the Layer closes).
 */
import { Layer } from "effect"
import { FetchHttpClient } from "effect/http"
import { OtlpMetrics, OtlpSerialization } from "effect/observability"

export const otlpCapture = () => {
  const bodies: Array<string> = []
  const keep: typeof fetch = Object.assign(
    async (_input: RequestInfo | URL, init?: RequestInit) => {
      const body = init?.body
      bodies.push(typeof body === "string" ? body : new TextDecoder().decode(body as Uint8Array))
      return new Response(null, { status: 200 })
    },
    { preconnect: () => {} }
  )
  const layer = OtlpMetrics.layer({
    url: "http://collector.invalid/v1/metrics",
    resource: { serviceName: "game" },
    exportInterval: "1 hour"
  }).pipe(
    Layer.provide(OtlpSerialization.layerJson),
    Layer.provide(FetchHttpClient.layer),
    Layer.provide(Layer.succeed(FetchHttpClient.Fetch, keep))
  )
  return { bodies, layer }
}
