/**
 * The two call forms of a shared acquisition: `(metadata, options)` and the single-thread manager's
 * `(name, metadata, options)` ("" for unnamed), taken to one, `[metadata, options with the name]`. Shared by the
 * plain shared manager and its Effect service.
 *
 * @internal
 * @module
 */
import { InvalidArgument } from "@flight-hal/core"
import type { SharedResource } from "../../SharedResourceManager.ts"
import { show, showThrown } from "../show.ts"
import { isObjectArgument } from "../validate.ts"

/**
 * `[metadata, options]` of either form (unchecked beyond the form: the acquisition checks them). Options that
 * are no object, or whose reading throws (a getter, a Proxy's trap, a revoked Proxy), throw `InvalidArgument`.
 */
export const metadataFirst = (first: unknown, second: unknown, third: unknown): [unknown, unknown] => {
  if (typeof first !== "string") return [first, second]
  if (third === undefined) return [second, { name: first }]
  if (!isObjectArgument(third)) {
    throw new InvalidArgument({ argument: "options", issue: `expected an object, got ${show(third)}` })
  }
  let copy: Record<string, unknown>
  try {
    if ("name" in third) {
      throw new InvalidArgument({ argument: "options.name", issue: "the name is the first argument already" })
    }
    copy = { ...third }
  } catch (error) {
    if (error instanceof InvalidArgument) throw error
    throw new InvalidArgument({ argument: "options", issue: `could not be read (${showThrown(error)})` })
  }
  return [second, { ...copy, name: first }]
}

/**
 * The key of a shared manager's `acquireAsync` that reports through callbacks instead of a promise: `resolve` is
 * called in the very step that delivers the grant, so that the Effect service can give back, at once, a grant
 * that lands after its fiber was interrupted (a promise's `then` would run later, perhaps after the thread
 * detached, and the close would report the resource as a leak).
 */
export const acquireSettled: unique symbol = Symbol("flight-hal/shared-acquire-settled")

/** A shared manager's acquisition by callbacks (see `acquireSettled`). */
export interface SettledAcquire {
  [acquireSettled]<T>(
    metadata: unknown,
    options: unknown,
    resolve: (ref: SharedResource<T>) => void,
    reject: (error: unknown) => void
  ): void
}
