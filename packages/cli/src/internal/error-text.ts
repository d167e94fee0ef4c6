/**
 * What the CLI prints of a thrown value: its message, then the messages of its causes. Node's `fetch` throws
 * `TypeError: fetch failed` and keeps the reason (`connect ECONNREFUSED 127.0.0.1:1`) in `cause`, which the
 * message alone hid (Bun puts it in the message).
 *
 * @module
 */

/** The message of one thrown value (an `AggregateError` without one: its first error's). */
const messageOf = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error)
  if (error.message === "" && error instanceof AggregateError && error.errors.length > 0) {
    return messageOf(error.errors[0])
  }
  return error.message
}

/**
 * `message: cause's message: …`, at most three causes deep, a cause that repeats its error's message skipped.
 *
 * @example
 * ```ts
 * import { errorText } from "./error-text.ts"
 *
 * const error = new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:1") })
 * errorText(error) // "fetch failed: connect ECONNREFUSED 127.0.0.1:1"
 * ```
 */
export const errorText = (error: unknown): string => {
  const parts = [messageOf(error)]
  let cause = error instanceof Error ? error.cause : undefined
  for (let depth = 0; depth < 3 && cause !== undefined && cause !== null; depth++) {
    const text = messageOf(cause)
    if (text !== "" && !parts.includes(text)) parts.push(text)
    cause = cause instanceof Error ? cause.cause : undefined
  }
  return parts.join(": ")
}
