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
import type { PoolStats } from "../PoolStats.ts"

const printers = [Symbol.for("nodejs.util.inspect.custom"), Symbol.for("Deno.customInspect"), "toString", "toJSON"]

/** Gives the instances of a class (its `prototype`) the printed form `line(this)`, for every printer above. */
export const printAs = <T extends object>(prototype: T, line: (self: T) => string): void => {
  for (const key of printers) {
    // defineProperty's default: not enumerable
    Object.defineProperty(prototype, key, {
      value(this: T): string {
        return line(this)
      },
      configurable: true,
      writable: true
    })
  }
}

/** What both pools print first: `BlockPool<audio: 4096 B blocks, 3 of 10 used` (the caller closes the line). */
export const poolLine = (
  kind: string,
  pool: { readonly name: string; readonly blockSize: number; readonly debug: boolean; stats(): PoolStats },
  more: string
): string => {
  const { usedBlocks, totalBlocks } = pool.stats()
  return `${kind}<${pool.name}: ${pool.blockSize} B blocks, ${usedBlocks} of ${totalBlocks} used, ${more}${pool.debug ? ", debug" : ""}>`
}
