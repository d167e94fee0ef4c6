/**
 * The printed form of refs, shared handles and managers: one line a reader can use instead of the engine's
 * internals (a ref used to print the whole manager state, about a hundred lines on Node). Node and Bun call
 * `Symbol.for("nodejs.util.inspect.custom")`, Deno `Symbol.for("Deno.customInspect")`, from `console.log`,
 * `util.inspect` and `Deno.inspect`; both are defined, non-enumerable.
 *
 * @since 0.1.0
 */
import type { ResourceMetadata } from "@flight-hal/core"
import type { Core } from "./core.ts"
import { introspect } from "./introspection.ts"
import { shownName } from "./show.ts"

const nodeInspect = Symbol.for("nodejs.util.inspect.custom")
const denoInspect = Symbol.for("Deno.customInspect")

/**
 * Gives `target` (an object, or a class's prototype) the printed form `describe(this)`, for `console.log` and for
 * `String(x)`, and what `JSON.stringify` writes of it: `json(this)`, else the printed form. Without them a JSON
 * logger wrote a ref's whole engine, about 200 KB with its payload's bytes one by one.
 */
export const defineInspect = <T extends object>(
  target: T,
  describe: (self: T) => string,
  json: (self: T) => object | string = describe
): void => {
  const method = (value: (this: T) => unknown) => ({ value, configurable: true, enumerable: false, writable: true })
  const print = method(function (this: T) {
    return describe(this)
  })
  Object.defineProperty(target, nodeInspect, print)
  Object.defineProperty(target, denoInspect, print)
  Object.defineProperty(target, "toString", print)
  Object.defineProperty(
    target,
    "toJSON",
    method(function (this: T) {
      return json(this)
    })
  )
}

/** What a ref or a shared handle shows of itself. */
interface Held {
  readonly name: string
  readonly metadata: ResourceMetadata
  readonly driver: string
  readonly released: boolean
}

/**
 * What `JSON.stringify` writes of a ref or a shared handle:
 * `{"name":"texture","type":"Memory","sizeBytes":4096,"driver":"app","released":false,"handle":{…}}`.
 */
export const heldJson = (held: Held & { readonly handle: object }): object => ({
  name: held.name,
  type: held.metadata.type,
  sizeBytes: held.metadata.sizeBytes,
  driver: held.driver,
  released: held.released,
  handle: held.handle
})

/** `ResourceRef<texture Memory 4096 B, owner app, live>`; `role` names the driver's part (owner, holder). */
export const describeHeld = (kind: string, role: string, held: Held): string =>
  `${kind}<${shownName(held.name)} ${held.metadata.type} ${held.metadata.sizeBytes} B, ${role} ${held.driver}, ${held.released ? "released" : "live"}>`

/**
 * `ResourceManager<game: 2 live, Memory 8192 of 1048576 B (None), 1 pool, open>`: the live count, each type that
 * has a budget or usage (bytes used of its budget, and its pressure), waiters and pools when there are any.
 */
export const describeManager = (core: Core<unknown>, label: string | undefined): string => {
  const prefix = `ResourceManager<${label === undefined || label === "" ? "" : `${label}: `}`
  if (core.closed) return `${prefix}closed>`
  const snapshot = introspect.snapshot(core)
  const parts = [`${snapshot.liveResources} live`]
  let waiting = 0
  for (const stats of snapshot.types) {
    waiting += stats.waiting
    if (stats.budget !== undefined) {
      parts.push(`${stats.type} ${stats.currentUsage} of ${stats.budget.maxBytes} B (${stats.pressure})`)
    } else if (stats.currentUsage > 0) parts.push(`${stats.type} ${stats.currentUsage} B`)
  }
  if (waiting > 0) parts.push(`${waiting} waiting`)
  if (snapshot.pools.length > 0) parts.push(`${snapshot.pools.length} pool${snapshot.pools.length === 1 ? "" : "s"}`)
  return `${prefix}${parts.join(", ")}, open>`
}
