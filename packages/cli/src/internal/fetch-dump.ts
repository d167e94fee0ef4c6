/**
 * A running program's dump over HTTP, for `inspect <url>` and `watch`.
 *
 * @module
 */
import type { ManagerDump } from "@flight-hal/resources"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { parseDump } from "../dump.ts"
import { errorText } from "./error-text.ts"

/** How long a `/snapshot` request may take before the command gives up on it. */
const FETCH_TIMEOUT_MILLIS = 10_000

/**
 * A running program's dump from its `/snapshot` URL (`inspect <url>` and every `watch` poll), or an Error naming
 * the URL: unreachable, an HTTP error, not a dump, or no answer within 10 s (a server that accepts the connection
 * and never answers once kept the command waiting for good).
 */
export const fetchDump = (url: string): Effect.Effect<ManagerDump, Error> =>
  Effect.tryPromise({
    try: async (signal) => {
      const response = await fetch(url, { signal })
      if (!response.ok) throw new Error(`HTTP ${response.status}`)
      return response.text()
    },
    catch: (cause) => new Error(`cannot read ${url}: ${errorText(cause)}`)
  }).pipe(
    Effect.timeoutOrElse({
      duration: Duration.millis(FETCH_TIMEOUT_MILLIS),
      orElse: () => Effect.fail(new Error(`cannot read ${url}: no answer in ${FETCH_TIMEOUT_MILLIS / 1000} s`))
    }),
    Effect.flatMap(parseDump),
    Effect.mapError((error) =>
      error.message.startsWith("cannot read") ? error : new Error(`${url}: ${error.message}`)
    )
  )
