/**
 * The printed form of pools and the pool manager: one line instead of their fields (a pool printed its free-list
 * words, thread slots or cached views, and `JSON.stringify` of an allocation wrote its pool's views byte by byte).
 * Node's `util.inspect` and Bun's printer call `Symbol.for("nodejs.util.inspect.custom")`, Deno's
 * `Symbol.for("Deno.customInspect")`: both are set, with `toString` and `toJSON`, non-enumerable, on the
 * prototype. The package has no dependency, so it has this helper of its own.
 *
 * @internal
 * @module
 */

const printers = [Symbol.for("nodejs.util.inspect.custom"), Symbol.for("Deno.customInspect"), "toString", "toJSON"]

/** Gives the instances of a class (its `prototype`) the printed form `line(this)`, for every printer above. */
export const printAs = <T extends object>(prototype: T, line: (self: T) => string): void => {
  const value = function (this: T): string {
    return line(this)
  }
  for (const key of printers) {
    Object.defineProperty(prototype, key, { value, configurable: true, enumerable: false, writable: true })
  }
}

/** `1 block`, `2 blocks`: a count and its noun, singular for one. */
export const counted = (n: number, noun: string, plural = `${noun}s`): string => `${n} ${n === 1 ? noun : plural}`
