/**
 * Platform detection: the memory this process may really use, read from the runtime, and a
 * profile scaled to it.
 *
 * Sources, in order of preference:
 * 1. a container limit: cgroup v2 `/sys/fs/cgroup/memory.max`, then cgroup v1
 *    `/sys/fs/cgroup/memory/memory.limit_in_bytes` (`max` and a value above 2^53 − 1, such as v1's
 *    "unlimited" ≈ 2^63, mean no limit; a limit above the host's memory is ignored);
 * 2. the host's memory: `Deno.systemMemoryInfo().total` on Deno, `os.totalmem()` on Node and Bun;
 * 3. `navigator.deviceMemory` (GiB, rounded by the browser) in browsers.
 *
 * Where there is no `process` and no `Deno` global (a web page), the first two are neither tried nor noted, unless
 * their probe is replaced.
 *
 * Every probe is injectable (file-system root, file reader, runtime probes), so tests run against
 * fake cgroup files and fake runtimes.
 *
 * @module
 */
import { InvalidArgument, InvalidProfile, PlatformDetectionFailed } from "@flight-hal/core"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Runtime from "./internal/platform-runtime.ts"
import { show, showThrown } from "./internal/show.ts"
import { isThenable } from "./internal/thenable.ts"
import {
  type BuiltinProfileName,
  makeProfileSync,
  type PlatformProfile,
  type ProfileShape,
  web
} from "./PlatformProfile.ts"

/**
 * Where a memory limit came from.
 *
 * @since 0.1.0
 * @category models
 */
export type MemorySource =
  | "cgroup-v2"
  | "cgroup-v1"
  | "Deno.systemMemoryInfo"
  | "os.totalmem"
  | "navigator.deviceMemory"

/**
 * A detected memory limit.
 *
 * @since 0.1.0
 * @category models
 */
export interface MemoryLimit {
  /** The limit in bytes. */
  readonly bytes: number
  /** The source it came from. */
  readonly source: MemorySource
  /** What each source reported, in the order they were tried (for diagnostics). */
  readonly notes: ReadonlyArray<string>
}

/**
 * The probes detection uses; each may be replaced (tests pass fakes). A probe may answer synchronously or with a
 * Promise; the synchronous detection ({@link detectMemoryLimitSync}) counts a Promise as no answer. A probe that
 * throws (or rejects) is unavailable; when what it throws is Deno's permission error (`Deno.errors.NotCapable`, or
 * `PermissionDenied`), its note names the flag it needs (`needs --allow-read` for a file, `--allow-sys` for the
 * memory size).
 *
 * @since 0.1.0
 * @category models
 */
export interface DetectionProbes {
  /** Reads a text file, `undefined` when it cannot be read. Default: `node:fs` (or Deno's) where available. */
  readonly readFile: (path: string) => Promise<string | undefined> | string | undefined
  /** `os.totalmem()`, `undefined` when unavailable. */
  readonly osTotalMemory: () => Promise<number | undefined> | number | undefined
  /** `Deno.systemMemoryInfo().total`, `undefined` when unavailable. */
  readonly denoTotalMemory: () => number | undefined
  /** `navigator.deviceMemory` in GiB, `undefined` when unavailable. */
  readonly deviceMemoryGiB: () => number | undefined
}

/**
 * Options of {@link detectMemoryLimit} and {@link detectProfile}.
 *
 * @since 0.1.0
 * @category models
 */
export interface DetectOptions {
  /** Prefix of the cgroup paths (default `/`); tests point it at a directory of fake files. */
  readonly fsRoot?: string
  /** Replacements for some probes. */
  readonly probes?: Partial<DetectionProbes>
}

/**
 * The cgroup v2 limit file.
 *
 * @since 0.1.0
 * @category constants
 */
export const CGROUP_V2_MEMORY_MAX: string = "/sys/fs/cgroup/memory.max"

/**
 * The cgroup v1 limit file.
 *
 * @since 0.1.0
 * @category constants
 */
export const CGROUP_V1_MEMORY_LIMIT: string = "/sys/fs/cgroup/memory/memory.limit_in_bytes"

/**
 * cgroup v1 writes "unlimited" as PAGE_COUNTER_MAX × page size (≈ 2^63): a limit above 2^53 − 1 (no safe integer,
 * so no exact byte count, and far above any machine's memory) is read as no limit.
 */

const GiB = 1024 * 1024 * 1024

const defaultProbes: DetectionProbes = {
  readFile: Runtime.readTextFile,
  osTotalMemory: Runtime.nodeTotalMemory,
  denoTotalMemory: Runtime.denoTotalMemory,
  deviceMemoryGiB: Runtime.deviceMemoryGiB
}

const defaultSyncProbes: DetectionProbes = {
  readFile: Runtime.readTextFileSync,
  osTotalMemory: Runtime.nodeTotalMemorySync,
  denoTotalMemory: Runtime.denoTotalMemory,
  deviceMemoryGiB: Runtime.deviceMemoryGiB
}

/**
 * Detection options read once: the probes over the defaults, the cgroup root and the shape to scale; and why a
 * default synchronous probe of `node:fs` / `node:os` can answer nothing here (for its note). A source whose probe
 * is absent is not tried: where no `process` or `Deno` global is (a web page), only `deviceMemoryGiB` has a default.
 */
interface ReadOptions {
  readonly probes: Partial<DetectionProbes>
  readonly root: unknown
  readonly shape: unknown
  readonly syncMissing?: { readonly note: string; readonly fs: boolean; readonly os: boolean } | undefined
}

/** The options with, when a synchronous default probe of `node:fs` or `node:os` is in place, why it cannot read. */
const withMissing = (read: ReadOptions): ReadOptions => {
  const fs = read.probes.readFile === defaultSyncProbes.readFile
  const os = read.probes.osTotalMemory === defaultSyncProbes.osTotalMemory
  const note = fs || os ? Runtime.syncBuiltinsMissing() : undefined
  return note === undefined ? read : { ...read, syncMissing: { note, fs, os } }
}

/**
 * `options` read once, each field and each given probe (what is not an object counts as no options), or the
 * issue of a read that threw (a getter, a Proxy): detection reads only this copy.
 */
const readOptions = (all: DetectionProbes, options: unknown): ReadOptions | string => {
  // a web page has no file system, no Deno and no node:os: nothing to try there (a given probe is still tried)
  const defaults = "process" in globalThis || "Deno" in globalThis ? all : { deviceMemoryGiB: all.deviceMemoryGiB }
  if (typeof options !== "object" || options === null) {
    return withMissing({ probes: defaults, root: "/", shape: undefined })
  }
  try {
    const { fsRoot, probes, shape } = options as Record<keyof DetectProfileOptions, unknown>
    const given = typeof probes === "object" && probes !== null ? { ...probes } : {}
    return withMissing({ probes: { ...defaults, ...given }, root: fsRoot ?? "/", shape })
  } catch (error) {
    return `the options could not be read (${showThrown(error)})`
  }
}

/** The answer of a probe Deno refused for want of a permission. */
const denied = {}

/** A thrown probe's answer. */
const thrown = (error: unknown): unknown => (Runtime.isPermissionError(error) ? denied : undefined)

/** What a note adds for a probe Deno refused: the flag it needs. */
const needs = (answer: unknown, flag: string): string => (answer === denied ? ` (needs ${flag})` : "")

/**
 * A probe's answer in a note: printed without throwing (a Symbol, an object whose `toString` throws); `undefined`,
 * `null` and a probe Deno refused are unavailable.
 */
const noted = (answer: unknown): string =>
  answer === undefined || answer === null || answer === denied ? "unavailable" : show(answer)

/**
 * One probe call of the detection steps; its answer is sent back in: `undefined` when it throws or is absent (a
 * probe given as `undefined`), {@link denied} when what it throws is Deno's permission error.
 */
type Probe = (() => unknown) | undefined

/** Runs the detection steps, awaiting each probe. */
const runAsync = async <R>(steps: Generator<Probe, R, unknown>): Promise<R> => {
  let next = steps.next()
  while (next.done !== true) {
    let answer: unknown
    try {
      answer = await next.value?.()
    } catch (error) {
      answer = thrown(error)
    }
    next = steps.next(answer)
  }
  return next.value
}

/** Runs the detection steps synchronously: a probe answering with a Promise counts as no answer. */
const runSync = <R>(steps: Generator<Probe, R, unknown>): R => {
  let next = steps.next()
  while (next.done !== true) {
    let answer: unknown
    try {
      answer = next.value?.()
    } catch (error) {
      answer = thrown(error)
    }
    if (isThenable(answer)) {
      Promise.resolve(answer).catch(() => undefined) // never an unhandled rejection
      answer = undefined
    }
    next = steps.next(answer)
  }
  return next.value
}

/** Parses a cgroup limit file: a byte count, or undefined for `max`, a limit above 2^53 − 1 and garbage. */
const parseCgroupLimit = (text: string): { readonly bytes?: number; readonly note: string } => {
  const value = text.trim()
  if (value === "max") return { note: "max (no limit)" }
  if (!/^\d+$/.test(value)) return { note: `unparsable ${JSON.stringify(value.slice(0, 40))}` }
  const bytes = Number(value)
  if (!Number.isSafeInteger(bytes)) return { note: `${value} (above 2^53 − 1: no limit, like the unlimited sentinel)` }
  if (bytes === 0) return { note: "0 (ignored)" }
  return { bytes, note: `${bytes} bytes` }
}

const isPositiveBytes = (n: unknown): n is number => typeof n === "number" && Number.isFinite(n) && n > 0

/** The detection, as steps that each ask one probe (run awaited or synchronously). */
function* detectSteps({
  probes,
  root,
  syncMissing
}: ReadOptions): Generator<Probe, Result.Result<MemoryLimit, PlatformDetectionFailed>, unknown> {
  // Node 20 before 20.16: the synchronous default probes cannot read, and the notes say so
  const notes: Array<string> = syncMissing === undefined ? [] : [syncMissing.note]
  const fsMissing = syncMissing?.fs === true ? " (no synchronous node:fs)" : ""
  const osMissing = syncMissing?.os === true ? " (no synchronous node:os)" : ""

  let container: { readonly bytes: number; readonly source: MemorySource } | undefined
  for (const [source, path] of "readFile" in probes
    ? ([
        ["cgroup-v2", CGROUP_V2_MEMORY_MAX],
        ["cgroup-v1", CGROUP_V1_MEMORY_LIMIT]
      ] as const)
    : []) {
    // the notes name the file tried (under fsRoot), not the default path
    if (typeof root !== "string") {
      notes.push(`${source}: not read (fsRoot is not a string: ${noted(root)})`)
      continue
    }
    const file = Runtime.joinRoot(root, path)
    const text = yield () => probes.readFile?.(file)
    if (typeof text !== "string") {
      notes.push(`${source}: ${file} not readable${fsMissing}${needs(text, "--allow-read")}`)
      continue
    }
    const parsed = parseCgroupLimit(text)
    notes.push(`${source}: ${parsed.note}`)
    if (parsed.bytes !== undefined) {
      container = { bytes: parsed.bytes, source }
      break
    }
  }

  let host: { readonly bytes: number; readonly source: MemorySource } | undefined
  if ("denoTotalMemory" in probes) {
    const deno = (yield probes.denoTotalMemory) as number | undefined
    notes.push(`Deno.systemMemoryInfo: ${noted(deno)}${needs(deno, "--allow-sys")}`)
    if (isPositiveBytes(deno)) host = { bytes: Math.floor(deno), source: "Deno.systemMemoryInfo" }
  }
  if (host === undefined && "osTotalMemory" in probes) {
    const os = (yield probes.osTotalMemory) as number | undefined
    const shown = noted(os)
    notes.push(`os.totalmem: ${shown}${shown === "unavailable" ? osMissing : ""}${needs(os, "--allow-sys")}`)
    if (isPositiveBytes(os)) host = { bytes: Math.floor(os), source: "os.totalmem" }
  }

  if (container !== undefined && (host === undefined || container.bytes <= host.bytes)) {
    return Result.succeed({ ...container, notes })
  }
  if (container !== undefined) notes.push(`${container.source}: above the host's memory, ignored`)
  if (host !== undefined) return Result.succeed({ ...host, notes })

  const device = (yield probes.deviceMemoryGiB) as number | undefined
  notes.push(`navigator.deviceMemory: ${noted(device)}`)
  if (isPositiveBytes(device)) {
    return Result.succeed({ bytes: Math.floor(device * GiB), source: "navigator.deviceMemory", notes })
  }
  return Result.fail(new PlatformDetectionFailed({ issue: notes.join("; ") }))
}

/**
 * Detects the memory this process may use (see the module doc for the sources and their order),
 * and says which source it used. Fails with `PlatformDetectionFailed` only when no source is
 * readable; the caller then picks a profile itself.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { detectMemoryLimit } from "@flight-hal/resources"
 *
 * const limit = await Effect.runPromise(detectMemoryLimit())
 * console.log(limit.bytes, limit.source) // e.g. 2147483648 "cgroup-v2"
 * ```
 *
 * @since 0.1.0
 * @category detection
 */
export const detectMemoryLimit = (options?: DetectOptions): Effect.Effect<MemoryLimit, PlatformDetectionFailed> =>
  Effect.flatMap(
    Effect.promise(() => runAsync(limitSteps(defaultProbes, options))),
    Effect.fromResult
  )

/** A detection's result. */
type Detected = Result.Result<MemoryLimit, PlatformDetectionFailed>

/** The detection with the options read once (options whose reading throws: PlatformDetectionFailed). */
function* limitSteps(defaults: DetectionProbes, options: unknown): Generator<Probe, Detected, unknown> {
  const read = readOptions(defaults, options)
  if (typeof read === "string") return Result.fail(new PlatformDetectionFailed({ issue: read }))
  return yield* detectSteps(read)
}

/**
 * {@link detectMemoryLimit} as a Promise; rejects with `PlatformDetectionFailed`.
 *
 * @since 0.1.0
 * @category detection
 */
export const detectMemoryLimitAsync = async (options?: DetectOptions): Promise<MemoryLimit> => {
  const result = await runAsync(limitSteps(defaultProbes, options))
  if (Result.isFailure(result)) throw result.failure
  return result.success
}

/**
 * {@link detectMemoryLimit} synchronously (what a manager with `profile: "auto"` uses): the same sources in the
 * same order, read with synchronous calls (`node:fs` through `process.getBuiltinModule`, `Deno.readTextFileSync`);
 * a probe that answers with a Promise counts as unavailable. Node 20 before 20.16 has no
 * `process.getBuiltinModule`: there no file and no `os.totalmem` is read, and the notes say so (use
 * {@link detectMemoryLimitAsync}). The failure is returned, not thrown (options whose
 * reading throws are a `PlatformDetectionFailed` too).
 *
 * @example
 * ```ts
 * import { detectMemoryLimitSync } from "@flight-hal/resources"
 *
 * const limit = detectMemoryLimitSync()
 * if (!(limit instanceof Error)) console.log(limit.bytes, limit.source) // e.g. 2147483648 "cgroup-v2"
 * ```
 *
 * @since 0.1.0
 * @category detection
 */
export const detectMemoryLimitSync = (options?: DetectOptions): MemoryLimit | PlatformDetectionFailed => {
  const result = runSync(limitSteps(defaultSyncProbes, options))
  return Result.isFailure(result) ? result.failure : result.success
}

/**
 * A detected profile and the limit it was scaled to.
 *
 * @since 0.1.0
 * @category models
 */
export interface DetectedProfile {
  /** The profile, named `detected`. */
  readonly profile: PlatformProfile
  /** The limit and its source. */
  readonly limit: MemoryLimit
  /** Which source the limit was read from (`limit.source`). */
  readonly source: MemorySource
  /** The shape scaled to the limit: a built-in profile's name, or `"custom"` for a shape given as options. */
  readonly shape: BuiltinProfileName | "custom"
}

/**
 * Options of {@link detectProfile}.
 *
 * @since 0.1.0
 * @category models
 */
export interface DetectProfileOptions extends DetectOptions {
  /** The shape to scale; by default `web` in browsers, `server` in containers, `dreamcast` up to 64 MiB, else `desktop`. */
  readonly shape?: BuiltinProfileName | ProfileShape
}

/**
 * The built-in shape that suits a detected limit. Throws `InvalidArgument` for a limit that is not an object
 * with a numeric `bytes` (each field read once), or whose reading throws.
 *
 * @since 0.1.0
 * @category detection
 */
export const shapeFor = (limit: MemoryLimit): BuiltinProfileName => {
  const bad = (issue: string) => new InvalidArgument({ argument: "limit", issue })
  if (typeof limit !== "object" || limit === null) throw bad(`expected a memory limit, got ${show(limit)}`)
  let source: unknown
  let bytes: unknown
  try {
    ;({ source, bytes } = limit as { readonly source?: unknown; readonly bytes?: unknown })
  } catch (error) {
    throw bad(`could not be read (${showThrown(error)})`)
  }
  if (source === "navigator.deviceMemory") return "web"
  if (source === "cgroup-v2" || source === "cgroup-v1") return "server"
  if (typeof bytes !== "number" || Number.isNaN(bytes)) throw bad(`bytes: expected a number, got ${show(bytes)}`)
  return bytes <= 64 * 1024 * 1024 ? "dreamcast" : "desktop"
}

/** A detected profile, or why there is none. */
type Scaled = Result.Result<DetectedProfile, PlatformDetectionFailed | InvalidProfile>

/**
 * The profile scaled to a detection's limit with the read `shape` (default {@link shapeFor}); the detection's
 * failure, or `InvalidProfile` when the shape cannot be scaled to the limit.
 */
const scaledTo = (detected: Detected, shape: unknown): Scaled => {
  if (Result.isFailure(detected)) return Result.fail(detected.failure)
  const limit = detected.success
  const chosen = (shape ?? shapeFor(limit)) as BuiltinProfileName | ProfileShape
  try {
    const profile = makeProfileSync("detected", limit.bytes, { shape: chosen })
    return Result.succeed({
      profile,
      limit,
      source: limit.source,
      shape: typeof chosen === "string" ? chosen : "custom"
    })
  } catch (error) {
    return Result.fail(error as InvalidProfile) // makeProfileSync throws InvalidProfile only
  }
}

/**
 * The profile detection with the options read once (options whose reading throws: InvalidProfile, as
 * `makeProfile` says it).
 */
function* profileSteps(defaults: DetectionProbes, options: unknown): Generator<Probe, Scaled, unknown> {
  const read = readOptions(defaults, options)
  if (typeof read === "string") return Result.fail(new InvalidProfile({ profile: "detected", issue: read }))
  return scaledTo(yield* detectSteps(read), read.shape)
}

/**
 * Detects the memory limit and scales a profile to it ({@link makeProfile}); says which source the limit came
 * from (`source`) and which shape was scaled (`shape`). The options are read once; options whose reading throws
 * (a getter, a Proxy) fail with `InvalidProfile`, as `makeProfile`'s do.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { detectProfile } from "@flight-hal/resources"
 *
 * const { profile, source, shape } = await Effect.runPromise(detectProfile())
 * console.log(source, shape, profile.budgets.Memory?.maxBytes) // e.g. "cgroup-v2" "server" 1288490188
 * ```
 *
 * @since 0.1.0
 * @category detection
 */
export const detectProfile = (
  options?: DetectProfileOptions
): Effect.Effect<DetectedProfile, PlatformDetectionFailed | InvalidProfile> =>
  Effect.flatMap(
    Effect.promise(() => runAsync(profileSteps(defaultProbes, options))),
    Effect.fromResult
  )

/**
 * {@link detectProfile} as a Promise; rejects with `PlatformDetectionFailed` or `InvalidProfile`.
 *
 * @since 0.1.0
 * @category detection
 */
export const detectProfileAsync = async (options?: DetectProfileOptions): Promise<DetectedProfile> => {
  const result = await runAsync(profileSteps(defaultProbes, options))
  if (Result.isFailure(result)) throw result.failure
  return result.success
}

/**
 * {@link detectProfile} synchronously (see {@link detectMemoryLimitSync}): the detected profile, or the
 * `PlatformDetectionFailed` / `InvalidProfile` error as a value.
 *
 * @example
 * ```ts
 * import { detectProfileSync } from "@flight-hal/resources"
 *
 * const detected = detectProfileSync()
 * if (!(detected instanceof Error)) console.log(detected.source, detected.profile.totalMemoryBytes)
 * ```
 *
 * @since 0.1.0
 * @category detection
 */
export const detectProfileSync = (
  options?: DetectProfileOptions
): DetectedProfile | PlatformDetectionFailed | InvalidProfile => {
  const result = runSync(profileSteps(defaultSyncProbes, options))
  return Result.isFailure(result) ? result.failure : result.success
}

/**
 * What `profile: "auto"` runs on: the detected profile, or the built-in `web` profile (source `"fallback"`, with
 * the detection's `issue`) when no memory size is readable (a browser without `navigator.deviceMemory`, or Node 20
 * before 20.16, where the synchronous detection cannot reach `node:fs` and `node:os`: use
 * {@link detectProfileAsync} there). `InvalidProfile` when the
 * detected memory is too small for the shape, or the shape is not one, or the options cannot be read.
 *
 * @since 0.1.0
 * @category models
 */
export interface AutoProfile {
  /** The profile. */
  readonly profile: PlatformProfile
  /** Where the memory size was read, or `"fallback"`. */
  readonly source: MemorySource | "fallback"
  /** The shape scaled to the detected memory (absent for the fallback). */
  readonly shape?: BuiltinProfileName | "custom"
  /**
   * For the fallback only: why no memory size was read, the `PlatformDetectionFailed` issue listing what each
   * source said (on Node 20 before 20.16, that the synchronous detection cannot reach `node:fs` and `node:os`).
   */
  readonly issue?: string
}

/**
 * The profile `"auto"` means (see {@link AutoProfile}), detected synchronously.
 *
 * @example
 * ```ts
 * import { autoProfile } from "@flight-hal/resources"
 *
 * const auto = autoProfile()
 * if (!(auto instanceof Error)) console.log(auto.source, auto.profile.budgets.Memory?.maxBytes)
 * ```
 *
 * @since 0.1.0
 * @category detection
 */
export const autoProfile = (options?: DetectProfileOptions): AutoProfile | InvalidProfile => {
  const detected = detectProfileSync(options)
  if (detected instanceof PlatformDetectionFailed) {
    return { profile: web, source: "fallback", issue: detected.issue }
  }
  if (detected instanceof InvalidProfile) return detected
  return { profile: detected.profile, source: detected.source, shape: detected.shape }
}
