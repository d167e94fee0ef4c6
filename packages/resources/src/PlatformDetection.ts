/**
 * Platform detection: the memory this process may really use, read from the runtime, and a
 * profile scaled to it.
 *
 * Sources, in order of preference:
 * 1. a container limit: cgroup v2 `/sys/fs/cgroup/memory.max`, then cgroup v1
 *    `/sys/fs/cgroup/memory/memory.limit_in_bytes` (the `max` and huge "unlimited" sentinels are
 *    ignored, and so is a limit above the host's memory);
 * 2. the host's memory: `Deno.systemMemoryInfo().total` on Deno, `os.totalmem()` on Node and Bun;
 * 3. `navigator.deviceMemory` (GiB, rounded by the browser) in browsers.
 *
 * Every probe is injectable (file-system root, file reader, runtime probes), so tests run against
 * fake cgroup files and fake runtimes.
 *
 * @module
 */
import { type InvalidProfile, PlatformDetectionFailed } from "@flight-hal/core"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Runtime from "./internal/platform-runtime.ts"
import {
  type BuiltinProfileName,
  makeProfile,
  makeProfileSync,
  type PlatformProfile,
  type ProfileShape
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
 * The probes detection uses; each may be replaced (tests pass fakes).
 *
 * @since 0.1.0
 * @category models
 */
export interface DetectionProbes {
  /** Reads a text file, `undefined` when it cannot be read. Default: `node:fs` where available. */
  readonly readFile: (path: string) => Promise<string | undefined>
  /** `os.totalmem()`, `undefined` when unavailable. */
  readonly osTotalMemory: () => Promise<number | undefined>
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

/** cgroup v1 writes "unlimited" as PAGE_COUNTER_MAX × page size (≈ 2^63); anything ≥ 2^60 is no limit. */
const UNLIMITED_SENTINEL = 2 ** 60

const GiB = 1024 * 1024 * 1024

const defaultProbes: DetectionProbes = {
  readFile: Runtime.readTextFile,
  osTotalMemory: Runtime.nodeTotalMemory,
  denoTotalMemory: Runtime.denoTotalMemory,
  deviceMemoryGiB: Runtime.deviceMemoryGiB
}

const safely = async <A>(probe: () => A | Promise<A>): Promise<A | undefined> => {
  try {
    return await probe()
  } catch {
    return undefined
  }
}

/** Parses a cgroup limit file: a byte count, or undefined for `max`, sentinels and garbage. */
const parseCgroupLimit = (text: string): { readonly bytes?: number; readonly note: string } => {
  const value = text.trim()
  if (value === "max") return { note: "max (no limit)" }
  if (!/^\d+$/.test(value)) return { note: `unparsable ${JSON.stringify(value.slice(0, 40))}` }
  const bytes = Number(value)
  if (bytes >= UNLIMITED_SENTINEL || !Number.isSafeInteger(bytes)) return { note: `${value} (unlimited sentinel)` }
  if (bytes === 0) return { note: "0 (ignored)" }
  return { bytes, note: `${bytes} bytes` }
}

const isPositiveBytes = (n: number | undefined): n is number => n !== undefined && Number.isFinite(n) && n > 0

const detect = async (options?: DetectOptions): Promise<Result.Result<MemoryLimit, PlatformDetectionFailed>> => {
  const probes: DetectionProbes = { ...defaultProbes, ...options?.probes }
  const root = options?.fsRoot ?? "/"
  const notes: Array<string> = []

  let container: { readonly bytes: number; readonly source: MemorySource } | undefined
  for (const [source, path] of [
    ["cgroup-v2", CGROUP_V2_MEMORY_MAX],
    ["cgroup-v1", CGROUP_V1_MEMORY_LIMIT]
  ] as const) {
    const text = await safely(() => probes.readFile(Runtime.joinRoot(root, path)))
    if (text === undefined) {
      notes.push(`${source}: ${path} not readable`)
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
  const deno = await safely(probes.denoTotalMemory)
  notes.push(`Deno.systemMemoryInfo: ${deno ?? "unavailable"}`)
  if (isPositiveBytes(deno)) host = { bytes: Math.floor(deno), source: "Deno.systemMemoryInfo" }
  if (host === undefined) {
    const os = await safely(probes.osTotalMemory)
    notes.push(`os.totalmem: ${os ?? "unavailable"}`)
    if (isPositiveBytes(os)) host = { bytes: Math.floor(os), source: "os.totalmem" }
  }

  if (container !== undefined && (host === undefined || container.bytes <= host.bytes)) {
    return Result.succeed({ ...container, notes })
  }
  if (container !== undefined) notes.push(`${container.source}: above the host's memory, ignored`)
  if (host !== undefined) return Result.succeed({ ...host, notes })

  const device = await safely(probes.deviceMemoryGiB)
  notes.push(`navigator.deviceMemory: ${device ?? "unavailable"}`)
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
    Effect.promise(() => detect(options)),
    Effect.fromResult
  )

/**
 * {@link detectMemoryLimit} as a Promise; rejects with `PlatformDetectionFailed`.
 *
 * @since 0.1.0
 * @category detection
 */
export const detectMemoryLimitAsync = async (options?: DetectOptions): Promise<MemoryLimit> => {
  const result = await detect(options)
  if (Result.isFailure(result)) throw result.failure
  return result.success
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
 * The built-in shape that suits a detected limit.
 *
 * @since 0.1.0
 * @category detection
 */
export const shapeFor = (limit: MemoryLimit): BuiltinProfileName => {
  if (limit.source === "navigator.deviceMemory") return "web"
  if (limit.source === "cgroup-v2" || limit.source === "cgroup-v1") return "server"
  return limit.bytes <= 64 * 1024 * 1024 ? "dreamcast" : "desktop"
}

/**
 * Detects the memory limit and scales a profile to it ({@link makeProfile}).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { detectProfile } from "@flight-hal/resources"
 *
 * const { profile, limit } = await Effect.runPromise(detectProfile())
 * console.log(limit.source, profile.budgets.Memory?.maxBytes)
 * ```
 *
 * @since 0.1.0
 * @category detection
 */
export const detectProfile = (
  options?: DetectProfileOptions
): Effect.Effect<DetectedProfile, PlatformDetectionFailed | InvalidProfile> =>
  Effect.flatMap(detectMemoryLimit(options), (limit) =>
    Effect.map(makeProfile("detected", limit.bytes, { shape: options?.shape ?? shapeFor(limit) }), (profile) => ({
      profile,
      limit
    }))
  )

/**
 * {@link detectProfile} as a Promise; rejects with `PlatformDetectionFailed` or `InvalidProfile`.
 *
 * @since 0.1.0
 * @category detection
 */
export const detectProfileAsync = async (options?: DetectProfileOptions): Promise<DetectedProfile> => {
  const limit = await detectMemoryLimitAsync(options)
  return { profile: makeProfileSync("detected", limit.bytes, { shape: options?.shape ?? shapeFor(limit) }), limit }
}
