/**
 * Caller input as the pool package reads it: printed without throwing, without running the caller's code and cut
 * to a bounded length (the one place the package prints a caller's value), and an options object read once into a
 * copy of its own (a getter that answers differently on each read, a Proxy, or a caller who changes the object
 * later cannot make a pool check one block size and use another).
 *
 * @internal
 */
import { InvalidPoolConfig } from "../generated/errors.ts"

/**
 * The most characters of a caller's string a message prints; a longer one is cut there, with an ellipsis and its
 * length (the core's issues cut at the same length).
 */
export const SHOWN_CHARS = 64

/** `text`, or its first {@link SHOWN_CHARS} characters (a surrogate pair is not cut in two) and an ellipsis. */
const head = (text: string): string => {
  if (text.length <= SHOWN_CHARS) return text
  const last = text.charCodeAt(SHOWN_CHARS - 1)
  return `${text.slice(0, last >= 0xd800 && last <= 0xdbff ? SHOWN_CHARS - 1 : SHOWN_CHARS)}…`
}

/** ` (N characters)` after a cut string, "" after a whole one. */
const lengthNote = (text: string): string => (text.length <= SHOWN_CHARS ? "" : ` (${text.length} characters)`)

/**
 * A printable form of any value, running none of the caller's code (no `toString`, no `Symbol.toPrimitive`, no
 * function source): a string quoted and cut at {@link SHOWN_CHARS} characters with an ellipsis and its length, a
 * number, boolean, `undefined` or `null` as it is, a BigInt with its `n` (cut the same way), a function by its name
 * (`function load`, cut; `a function` without one), an object as `an object`; a Symbol as
 * `Symbol(<its description, cut>)`. Never throws (the resources package's messages show values the same way).
 */
export const show = (value: unknown): string => {
  switch (typeof value) {
    case "string":
      return `${JSON.stringify(head(value))}${lengthNote(value)}`
    case "bigint": {
      const digits = `${value}n`
      return `${head(digits)}${lengthNote(digits)}`
    }
    case "function":
      return showFunction(value)
    case "object":
      return value === null ? "null" : "an object"
    case "symbol":
      // the built-in description getter, never the caller's code
      return `Symbol(${showName(value.description ?? "")})`
    default:
      return String(value)
  }
}

/**
 * A function by its name only (`function load`, cut as a string is), never its source; `a function` when it has no
 * usable name (none, not a string, or reading it throws: a redefined `name` is read inside a try).
 */
const showFunction = (f: { readonly name: unknown }): string => {
  try {
    const name: unknown = f.name
    return typeof name === "string" && name !== "" ? `function ${head(name)}${lengthNote(name)}` : "a function"
  } catch {
    return "a function"
  }
}

/** A value as part of a name (`Memory-64`) or issue: a string as it is (cut as {@link show} cuts it), anything else shown. */
export const showName = (value: unknown): string =>
  typeof value === "string" ? `${head(value)}${lengthNote(value)}` : show(value)

/** What caller code threw, for an issue text: an Error's message (cut as {@link show} cuts it), else the value shown; never throws. */
export const showThrown = (thrown: unknown): string => {
  try {
    // instanceof runs a Proxy's getPrototypeOf trap, and `message` may be a getter: both inside the try
    if (!(thrown instanceof Error)) return show(thrown)
    const message: unknown = thrown.message
    return showName(message)
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
