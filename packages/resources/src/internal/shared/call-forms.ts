/**
 * The two call forms of a shared acquisition: `(metadata, options)` and the single-thread manager's
 * `(name, metadata, options)` ("" for unnamed), taken to one, `[metadata, options with the name]`. Shared by the
 * plain shared manager and its Effect service.
 *
 * @internal
 * @module
 */
import { InvalidArgument } from "@flight-hal/core"
import { show } from "../show.ts"

/** `[metadata, options]` of either form (unchecked beyond the form: the acquisition checks them). */
export const metadataFirst = (first: unknown, second: unknown, third: unknown): [unknown, unknown] => {
  if (typeof first !== "string") return [first, second]
  if (third !== undefined && (typeof third !== "object" || third === null)) {
    throw new InvalidArgument({ argument: "options", issue: `expected an object, got ${show(third)}` })
  }
  if (third !== undefined && "name" in third) {
    throw new InvalidArgument({ argument: "options.name", issue: "the name is the first argument already" })
  }
  return [second, { ...(third ?? {}), name: first }]
}
