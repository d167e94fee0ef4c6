/**
 * Runtime probes shared by platform detection and the system pressure signal: reading a text
 * file, the host's total memory and the runtime's globals. Nothing here imports `node:` modules
 * at the top level, so browsers can load it: the Node path loads `node:fs` / `node:os` with a
 * dynamic `import()` only when a Node-compatible `process` exists.
 *
 * @internal
 */
import type { EventSourceLike } from "../SystemPressure.ts"

interface FsPromisesModule {
  readonly readFile: (path: string, encoding: "utf8") => Promise<string>
}

interface OsModule {
  readonly totalmem: () => number
}

interface ProcessLike {
  readonly versions?: { readonly node?: string }
  /** Node ≥ 20.16 (and ≥ 22.3), Bun, Deno 2: a built-in module, synchronously. */
  readonly getBuiltinModule?: (id: string) => unknown
}

interface FsModule {
  readonly readFileSync: (path: string, encoding: "utf8") => string
}

interface DenoLike {
  readonly systemMemoryInfo?: () => { readonly total: number }
  readonly readTextFileSync?: (path: string) => string
  readonly errors?: { readonly NotCapable?: unknown; readonly PermissionDenied?: unknown }
}

interface NavigatorLike {
  readonly deviceMemory?: number
}

// a listener registry with `process.on`'s shape: the public type (`layerSystemPressure`'s `events`)
export type { EventSourceLike }

const globals = globalThis as {
  readonly process?: ProcessLike & Partial<EventSourceLike>
  readonly Deno?: DenoLike
  readonly navigator?: NavigatorLike
  readonly Bun?: unknown
}

const hasNodeApis = (): boolean => typeof globals.process?.versions?.node === "string"

const importNode = async <M>(specifier: string): Promise<M | undefined> => {
  if (!hasNodeApis()) return undefined
  try {
    return (await import(/* @vite-ignore */ specifier)) as M
  } catch {
    return undefined
  }
}

/**
 * Whether `error` is Deno's refusal for want of a permission (`NotCapable`; `PermissionDenied` before Deno 2); false
 * for anything whose test throws (a Proxy).
 */
export const isPermissionError = (error: unknown): boolean => {
  const errors = globals.Deno?.errors
  try {
    return [errors?.NotCapable, errors?.PermissionDenied].some(
      (type) => typeof type === "function" && error instanceof type
    )
  } catch {
    return false
  }
}

/** Joins a file-system root and an absolute path: `joinRoot("/tmp/x/", "/proc/a")` is `/tmp/x/proc/a`. */
export const joinRoot = (root: string, path: string): string => `${root.replace(/\/+$/, "")}${path}`

/**
 * Reads a UTF-8 text file, or `undefined` when the runtime has no file system; rejects with what the read throws
 * (a missing file, Deno's permission error): its callers count that as an unreadable file.
 */
export const readTextFile = async (path: string): Promise<string | undefined> => {
  const fs = await importNode<FsPromisesModule>("node:fs/promises")
  return fs?.readFile(path, "utf8")
}

/** A built-in Node module loaded synchronously (`process.getBuiltinModule`), or `undefined`. */
const builtinModule = <M>(id: string): M | undefined => {
  const load = globals.process?.getBuiltinModule
  if (typeof load !== "function" || !hasNodeApis()) return undefined
  try {
    return (load.call(globals.process, id) ?? undefined) as M | undefined
  } catch {
    return undefined
  }
}

/**
 * Why the synchronous probes cannot reach `node:fs` and `node:os` here (a detection note), or `undefined` when they
 * can (or the runtime is no Node). Node 20 before 20.16 has no `process.getBuiltinModule`, and an ES module has no other
 * synchronous way to a built-in module without a static `import` (which browsers cannot load) or a top-level
 * `await`: there only the asynchronous detection reads them.
 */
export const syncBuiltinsMissing = (): string | undefined => {
  const process = globals.process
  if (!hasNodeApis() || typeof process?.getBuiltinModule === "function") return undefined
  if (typeof globals.Deno?.readTextFileSync === "function") return undefined
  return (
    `process.getBuiltinModule: missing (Node ${process?.versions?.node}, Node ≥ 20.16 has it), so the ` +
    "synchronous detection cannot read node:fs or node:os (detectProfileAsync can)"
  )
}

/**
 * {@link readTextFile} synchronously: `Deno.readTextFileSync` on Deno, else `node:fs` (`process.getBuiltinModule`);
 * throws what the read throws (the detection counts that as unreadable).
 */
export const readTextFileSync = (path: string): string | undefined => {
  const deno = globals.Deno
  if (typeof deno?.readTextFileSync === "function") return deno.readTextFileSync(path)
  return builtinModule<FsModule>("node:fs")?.readFileSync(path, "utf8")
}

/** {@link nodeTotalMemory} synchronously (`process.getBuiltinModule("node:os")`), or `undefined`; throws as it does. */
export const nodeTotalMemorySync = (): number | undefined => builtinModule<OsModule>("node:os")?.totalmem()

/**
 * `os.totalmem()` on Node and Bun (and Deno's Node compatibility), or `undefined`; throws what it throws (Deno's
 * permission error without `--allow-sys`): the detection counts that as unavailable.
 */
export const nodeTotalMemory = async (): Promise<number | undefined> =>
  (await importNode<OsModule>("node:os"))?.totalmem()

/**
 * `Deno.systemMemoryInfo().total`, or `undefined` outside Deno; throws what it throws (Deno's permission error
 * without `--allow-sys`): the detection counts that as unavailable.
 */
export const denoTotalMemory = (): number | undefined => globals.Deno?.systemMemoryInfo?.().total

/** `navigator.deviceMemory` in GiB (browsers), or `undefined`. */
export const deviceMemoryGiB = (): number | undefined => {
  const value = globals.navigator?.deviceMemory
  return typeof value === "number" ? value : undefined
}

/** Bun's `process` as an event source (for `memoryPressure`), or `undefined` on other runtimes. */
export const bunProcessEvents = (): EventSourceLike | undefined => {
  const process = globals.process
  if (globals.Bun === undefined || process === undefined) return undefined
  const { on, off } = process
  if (typeof on !== "function" || typeof off !== "function") return undefined
  return { on: on.bind(process), off: off.bind(process) }
}
