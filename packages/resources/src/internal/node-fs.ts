/**
 * The runtime's `node:fs` (Node ≥ 20.16, Bun, Deno), loaded without a static import so that the modules using
 * it stay loadable where there is none.
 *
 * @since 0.1.0
 */
import { InvalidArgument } from "@flight-hal/core"

/** The part of `node:fs` that line files need. */
export interface LineFileSystem {
  /** Opens `path` with `flags` (`"w"`: truncated first) and returns its file descriptor. */
  openSync(path: string, flags: string): number
  /** Appends `data` to the file and returns the bytes written. */
  writeSync(fd: number, data: string): number
  /** Closes the file. */
  closeSync(fd: number): void
}

/** A built-in module of the runtime (`process.getBuiltinModule`), or undefined. */
export const builtinModule = <M>(id: string): M | undefined => {
  const runtime = globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
  return runtime.process?.getBuiltinModule?.(id) as M | undefined
}

/** The runtime's `node:fs`, or InvalidArgument naming what needs it. */
export const builtinFs = (what: string): LineFileSystem => {
  const fs = builtinModule<LineFileSystem>("node:fs")
  if (fs === undefined) {
    throw new InvalidArgument({ argument: "fs", issue: `${what} needs node:fs (Node ≥ 20.16, Bun, Deno)` })
  }
  return fs
}
