/** Printable forms of caller values for issue texts. */

/** A printable form of any value, for issue texts (never throws). */
export const show = (value: unknown): string => {
  try {
    if (typeof value === "string") return JSON.stringify(value)
    if (typeof value === "bigint") return `${value}n`
    if (typeof value === "symbol") return value.toString()
    if (typeof value === "object" && value !== null) return Array.isArray(value) ? "an array" : "an object"
    return String(value)
  } catch {
    return "a value"
  }
}

/** What a caller's code threw, for issue texts: an Error's message, else the value's printable form (never throws). */
export const showThrown = (thrown: unknown): string => {
  try {
    return thrown instanceof Error ? String(thrown.message) : show(thrown)
  } catch {
    return "a value"
  }
}

/** A resource name as messages and printed forms show it: an empty one (an unnamed resource) as `(unnamed)`. */
export const shownName = (name: string): string => (name === "" ? "(unnamed)" : name)
