/**
 * Printable forms of caller values for issue texts, bounded: a message never grows with the value it shows
 * (a 1 MiB string shows its first {@link MAX_SHOWN_CHARACTERS} characters and its length) and never prints a
 * function's source.
 */

/** The most characters of a caller's text (a string, a key, a name, an error's message) a message shows. */
export const MAX_SHOWN_CHARACTERS = 64

/**
 * A caller's text as messages show it: as it is up to {@link MAX_SHOWN_CHARACTERS} characters, else its first ones
 * (never half a surrogate pair) and `…`, then its length after it, ` (N characters)`; quoted as JSON with `quote`.
 */
export const cut = (text: string, quote = false): string => {
  const long = text.length > MAX_SHOWN_CHARACTERS
  const end = MAX_SHOWN_CHARACTERS - (isHighSurrogate(text.charCodeAt(MAX_SHOWN_CHARACTERS - 1)) ? 1 : 0)
  const shown = long ? `${text.slice(0, end)}…` : text
  return (quote ? JSON.stringify(shown) : shown) + (long ? ` (${text.length} characters)` : "")
}

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff

/** A function by its name only (`function load`), never its source; `a function` when it has no usable name. */
const showFunction = (f: (...args: never) => unknown): string => {
  try {
    const name: unknown = f.name
    return typeof name === "string" && name !== "" ? `function ${cut(name)}` : "a function"
  } catch {
    return "a function"
  }
}

/**
 * A printable form of any value, for issue texts (never throws, never longer than a few times
 * {@link MAX_SHOWN_CHARACTERS}): a string quoted and cut, a function by its name, an object or array by its kind.
 */
export const show = (value: unknown): string => {
  try {
    if (typeof value === "string") return cut(value, true)
    if (typeof value === "function") return showFunction(value as (...args: never) => unknown)
    if (typeof value === "bigint") return cut(`${value}n`)
    if (typeof value === "symbol") return `Symbol(${cut(value.description ?? "")})`
    if (typeof value === "object" && value !== null) return Array.isArray(value) ? "an array" : "an object"
    return String(value)
  } catch {
    return "a value"
  }
}

/**
 * What a caller's code threw, for issue texts: an Error's message (cut), else the value's printable form (never
 * throws, runs no `toString` of the caller's).
 */
export const showThrown = (thrown: unknown): string => {
  try {
    if (!(thrown instanceof Error)) return show(thrown)
    const message: unknown = thrown.message
    return typeof message === "string" ? cut(message) : show(message)
  } catch {
    return "a value"
  }
}

/** The most names of a list (pools of one type, …) a message shows. */
export const MAX_SHOWN_NAMES = 8

/** Names as a message lists them: each cut, the first {@link MAX_SHOWN_NAMES}, then how many there are in all. */
export const cutList = (names: ReadonlyArray<string>): string => {
  const shown = names
    .slice(0, MAX_SHOWN_NAMES)
    .map((name) => cut(name))
    .join(", ")
  return names.length > MAX_SHOWN_NAMES ? `${shown}, … (${names.length} in all)` : shown
}

/** A resource name as messages and printed forms show it: an empty one (an unnamed resource) as `(unnamed)`. */
export const shownName = (name: string): string => (name === "" ? "(unnamed)" : name)
