/**
 * The configuration of a resource manager: budgets per type, pools, and options. Platform profiles
 * (`profileToConfig`) produce this type; the Effect Layer and the plain facade both take it.
 *
 * @module
 */
import type {
  CustomResourceType,
  CustomResourceTypeConfig,
  DuplicatePool,
  InvalidArgument,
  InvalidBudget,
  InvalidPoolConfig,
  InvalidProfile,
  PoolExhausted,
  ResourceBudget,
  ResourceTypeName,
  UnknownProfile
} from "@flight-hal/core"
import type { PoolConfig } from "@flight-hal/pool"
import type { BuiltinProfileName, PlatformProfile } from "./PlatformProfile.ts"
import type { LeakReport } from "./ResourceStats.ts"

/**
 * A pool the manager creates at start-up: `@flight-hal/pool`'s `PoolConfig`. Its capacity, free blocks
 * included, is charged to `type` as the pool grows.
 *
 * @example
 * ```ts
 * import type { ManagerPoolConfig } from "@flight-hal/resources"
 *
 * const audio: ManagerPoolConfig = { type: "Memory", blockSize: 4096, initialCount: 10, maxCount: 50, name: "audio" }
 * ```
 *
 * @since 0.1.0
 * @category config
 */
export type ManagerPoolConfig = PoolConfig

/**
 * Receives one NDJSON line (without the trailing newline) per recorded transition, in the format of
 * `spec/README.md` ("Trace format").
 *
 * @since 0.1.0
 * @category config
 */
export type TraceSink = (line: string) => void

/**
 * Trace recording options: where the lines go and the unit sizes are written in.
 *
 * @since 0.1.0
 * @category config
 */
export interface TraceConfig {
  /** Receives every line, the `Init` header first. */
  readonly sink: TraceSink
  /**
   * Bytes per trace unit (default 1, written as `"byte"`; 1024 is written as `"KiB"`). Every size, budget and pool
   * growth must be a whole number of units, below 10^9 units (the checker reads numbers of at most nine digits): a
   * config's that is not is `InvalidArgument`, a later one ends the trace with a `TraceStopped` line naming it
   * (nothing is rounded).
   */
  readonly unitBytes?: number | undefined
  /**
   * Every driver id the trace will mention (the header lists them; default: the drivers seen at start), each a
   * non-empty string of at most `MAX_NAME_LENGTH` (256) characters. A line naming a driver the header does not
   * list is refused by the checker (`scripts/spec-trace.ts`).
   */
  readonly drivers?: ReadonlyArray<string> | undefined
  /**
   * The types the header lists and usage/emergency objects carry (default: every type); a type outside the list
   * that a line names is carried from that line on.
   */
  readonly types?: ReadonlyArray<ResourceTypeName> | undefined
}

/**
 * The platform profile a manager takes its budgets and pools from: `"auto"` (the detected platform, see
 * `detectProfileSync`), a built-in profile's name, or a profile (validated like `decodeProfile`).
 *
 * @example
 * ```ts
 * import type { ProfileOption } from "@flight-hal/resources"
 *
 * const detected: ProfileOption = "auto"
 * const handheld: ProfileOption = "dreamcast"
 * ```
 *
 * @since 0.1.0
 * @category config
 */
export type ProfileOption = "auto" | BuiltinProfileName | PlatformProfile

/**
 * Everything a resource manager needs: budgets per type (a type without one is unlimited), pools to create,
 * and options.
 *
 * @example
 * ```ts
 * import type { ResourceManagerConfig } from "@flight-hal/resources"
 *
 * const config: ResourceManagerConfig = {
 *   budgets: {
 *     Memory: { maxBytes: 10 * 1024 * 1024, reservedBytes: 1024 * 1024, warningPercent: 75, criticalPercent: 90 }
 *   },
 *   pools: [{ type: "Memory", blockSize: 4096, initialCount: 16, maxCount: 256 }],
 *   hysteresisPercent: 2
 * }
 * ```
 *
 * @since 0.1.0
 * @category config
 */
export interface ResourceManagerConfig {
  /**
   * The platform profile to take budgets and pools from (see {@link ProfileOption}). An explicit budget or pool
   * of a type overrides the profile's for that type: a type keeps its own budget, else takes the profile's; it
   * keeps its own pools, else takes the profile's unless the config gives it a budget of its own (a type the
   * profile leaves unbudgeted takes them too). `"auto"` falls back to the built-in `web` profile when no memory
   * size can be read. Without a profile, a type without a budget is
   * unlimited.
   */
  readonly profile?: ProfileOption | undefined
  /**
   * User-defined resource types this manager serves, by name, each with its own budget, stats, pressure and
   * reclamation (a code in the Custom range, the lowest free one by default). Declare the names for the
   * compiler too, by merging them into `CustomResourceTypes` of `@flight-hal/core`; a name this manager was not
   * given fails with a typed error (InvalidMetadata, InvalidBudget or InvalidArgument). Pools serve built-in
   * types only.
   *
   * @example
   * ```ts
   * import { createResourceManager } from "@flight-hal/resources"
   *
   * declare module "@flight-hal/core" {
   *   interface CustomResourceTypes {
   *     Shader: true
   *   }
   * }
   *
   * const manager = createResourceManager({
   *   types: { Shader: {} },
   *   budgets: { Shader: { maxBytes: 1 << 20, reservedBytes: 0, warningPercent: 75, criticalPercent: 90 } }
   * })
   * using shader = manager.acquire("blur", { type: "Shader", sizeBytes: 2048 })
   * manager.getResourceStats("Shader").currentUsage // 2048
   * ```
   */
  readonly types?: { readonly [K in CustomResourceType]?: CustomResourceTypeConfig } | undefined
  /** A budget per type; a type left out is unlimited (or, with a `profile`, takes the profile's). */
  readonly budgets?: Partial<Readonly<Record<ResourceTypeName, ResourceBudget>>> | undefined
  /** Pools created when the manager starts (see {@link ManagerPoolConfig}). */
  readonly pools?: ReadonlyArray<ManagerPoolConfig> | undefined
  /**
   * Hysteresis of pressure levels, in percentage points of `maxBytes` (default 0: the exact DESIGN levels).
   * A level is entered as soon as usage reaches its threshold, and left only once usage falls this margin
   * below it.
   */
  readonly hysteresisPercent?: number | undefined
  /**
   * The owner of acquisitions that name none (default `"app"`): a driver id, a non-empty string of at most
   * `MAX_NAME_LENGTH` (256) characters.
   */
  readonly defaultDriver?: string | undefined
  /**
   * The kind of some owners, by owner id. An owner is concurrent by default (the default owner included, and an
   * entry without `sequential: true`, such as `{}`): independent tasks act for it and may release while one of
   * them waits, so a wait for what it holds waits (Blocking) or times out (Timeout), as with a semaphore. An
   * owner declared `{ sequential: true }` is a driver that releases nothing while one of its requests waits: its
   * waits get exact deadlock detection (a wait that could never be granted fails at once with DeadlockDetected).
   * Each key is a driver id: a non-empty string of at most `MAX_NAME_LENGTH` (256) characters.
   */
  readonly drivers?: Readonly<Record<string, DriverConfig>> | undefined
  /**
   * Capture the call site (a stack trace) of every acquisition for leak reports (default false: it costs
   * about a microsecond per acquisition).
   */
  readonly captureAcquisitionSite?: boolean | undefined
  /** Record every transition as an NDJSON trace (off by default; zero cost when off). */
  readonly trace?: TraceConfig | undefined
  /** A label for logs and leak reports (default `"resource-manager"`). */
  readonly label?: string | undefined
  /**
   * Plain facade only: report refs garbage-collected without release as leaks (FinalizationRegistry) and
   * release them. Opt-in (default false): registering every ref costs about 400 ns per acquisition on Bun,
   * four times the rest of a sync acquire + release. Turn it on in development or when refs may leak.
   */
  readonly detectGarbageCollectedLeaks?: boolean | undefined
  /** Receives the leak report when the manager closes with live resources (after they were released). */
  readonly onLeaks?: ((leaks: ReadonlyArray<LeakReport>) => void) | undefined
}

/**
 * The errors of a bad manager config: an unknown or ill-typed option, a bad budget, a bad pool (or two pools of
 * one type and block size, or a pool whose initial capacity the budget refuses), an unknown profile name or an
 * invalid profile.
 *
 * @since 0.1.0
 * @category errors
 */
export type ManagerConfigError =
  | InvalidArgument
  | InvalidBudget
  | InvalidPoolConfig
  | DuplicatePool
  | PoolExhausted
  | UnknownProfile
  | InvalidProfile

/**
 * The kind of one owner in {@link ResourceManagerConfig.drivers} (and `registerDriver`). Where `sequential` is
 * left out (or `undefined`), the two places differ: in `config.drivers` the owner is concurrent (`{}` declares a
 * concurrent owner), while `registerDriver(id)`, `registerDriver(id, {})` and
 * `registerDriver(id, { sequential: undefined })` all declare a sequential driver.
 *
 * @example
 * ```ts
 * import type { ResourceManagerConfig } from "@flight-hal/resources"
 *
 * // audio and graphics are drivers: each releases nothing while one of its requests waits
 * const config: ResourceManagerConfig = { drivers: { audio: { sequential: true }, graphics: { sequential: true } } }
 * ```
 *
 * @since 0.1.0
 * @category config
 */
export interface DriverConfig {
  /**
   * True: a sequential driver (exact deadlock detection); false: a concurrent owner. Absent or `undefined`: a
   * concurrent owner in `config.drivers`, a sequential driver in `registerDriver`.
   */
  readonly sequential?: boolean | undefined
}
