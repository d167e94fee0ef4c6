/**
 * Caller input as the pool package reads it: printed without throwing, and an options object read once into a
 * copy of its own (a getter that answers differently on each read, a Proxy, or a caller who changes the object
 * later cannot make a pool check one block size and use another).
 *
 * @internal
 */
import { InvalidPoolConfig } from "../generated/errors.ts"

/** A printable form of any value (strings quoted); never throws. */
export const show = (value: unknown): string => {
  try {
    return typeof value === "string"
      ? JSON.stringify(value)
      : typeof value === "symbol"
        ? value.toString()
        : String(value)
  } catch {
    return "a value"
  }
}

/** A value as part of a name (`Memory-64`, `Memory request`): a string as it is, anything else printed. */
export const showName = (value: unknown): string => (typeof value === "string" ? value : show(value))

/** What caller code threw, for an issue text; never throws. */
export const showThrown = (thrown: unknown): string => {
  try {
    return thrown instanceof Error ? String(thrown.message) : show(thrown)
  } catch {
    return "a value"
  }
}

/**
 * `keys` of a caller's options object, each read once, into a plain object; `InvalidPoolConfig` (field
 * `config`) when it is not an object or a read throws (a getter, a Proxy trap, a revoked Proxy). `pool` names
 * the pool in the error.
 */
export const readOptions = <K extends string>(
  input: unknown,
  keys: ReadonlyArray<K>,
  pool: string
): { readonly [P in K]?: unknown } | InvalidPoolConfig => {
  if (typeof input !== "object" || input === null) {
    return new InvalidPoolConfig({ pool, field: "config", value: show(input), issue: "must be an object" })
  }
  const copy: { [P in K]?: unknown } = {}
  try {
    // inside the try: Array.isArray throws for a revoked Proxy
    if (Array.isArray(input)) {
      return new InvalidPoolConfig({ pool, field: "config", value: show(input), issue: "must be an object" })
    }
    for (const key of keys) copy[key] = (input as { readonly [P in K]?: unknown })[key]
  } catch (error) {
    return new InvalidPoolConfig({
      pool,
      field: "config",
      value: "an object",
      issue: `could not be read (${showThrown(error)})`
    })
  }
  return copy
}
