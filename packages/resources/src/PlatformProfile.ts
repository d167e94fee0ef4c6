/**
 * Platform profiles: how much memory a platform has, the budget of each resource type and the
 * pool presets that fit in it. Built-in `dreamcast`, `web`, `desktop` and `server` profiles, and
 * {@link makeProfile} to scale a shape to any amount of memory.
 *
 * All arithmetic is exact integer arithmetic on bytes (BigInt products, floored quotients), so
 * the same inputs give the same bytes on every runtime:
 *
 * - budget `maxBytes = ⌊total × maxBasisPoints / 10 000⌋`, `reservedBytes = ⌊total × reservedBasisPoints / 10 000⌋`
 *   (shares are percentages of the total: every built-in profile gives Memory 60 % with 10 % reserved);
 * - pool `blockSize` = the largest power of two `b` with `b² × 16 MiB ≤ baseBlockSize² × total`
 *   (block sizes grow with the square root of memory), never below the alignment;
 * - pool `maxCount = ⌊⌊limit × capacityBasisPoints / 10 000⌋ / blockSize⌋`, where `limit` is the
 *   type's `maxBytes − reservedBytes`, capped at 2^23 blocks and 2 GiB per pool;
 * - pool `initialCount = ⌊maxCount × initialBasisPoints / 10 000⌋`.
 *
 * @module
 */
import {
  InvalidArgument,
  InvalidProfile,
  type ResourceBudget,
  type ResourceType,
  ResourceTypeNames,
  UnknownProfile
} from "@flight-hal/core"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import { MAX_LIST_LENGTH, readList } from "./internal/check.ts"
import {
  decodeProfileInput,
  MAX_POOL_BLOCKS,
  MAX_POOL_BYTES,
  PoolsTooLong,
  snapshotProfileInput
} from "./internal/profile-check.ts"
import { cut, show, showThrown } from "./internal/show.ts"
import type { ResourceManagerConfig } from "./ResourceManagerConfig.ts"

/**
 * One pool of a profile, structurally the pool package's `PoolConfig` (every field present).
 *
 * @since 0.1.0
 * @category models
 */
export interface PoolPreset {
  /** The resource type the pool's capacity is charged to. */
  readonly type: ResourceType
  /** Bytes per block, a multiple of `alignment`. */
  readonly blockSize: number
  /** Blocks allocated when the pool is created. */
  readonly initialCount: number
  /** The most blocks the pool may hold. */
  readonly maxCount: number
  /** Block alignment in bytes, a power of two. */
  readonly alignment: number
  /** The pool's name, unique in its profile. */
  readonly name: string
}

/**
 * The budget of each budgeted resource type; a type without an entry is unlimited.
 *
 * @since 0.1.0
 * @category models
 */
export type ProfileBudgets = { readonly [T in ResourceType]?: ResourceBudget }

/**
 * A platform profile: its name, total memory, per-type budgets and pool presets.
 *
 * @example
 * ```ts
 * import { dreamcast } from "@flight-hal/resources"
 *
 * dreamcast.totalMemoryBytes // 16777216
 * dreamcast.budgets.Memory?.maxBytes // 10066329 (⌊60 % of 16 MiB⌋)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface PlatformProfile {
  /** The profile's name. */
  readonly name: string
  /** The memory the platform has (or the process may use), in bytes. */
  readonly totalMemoryBytes: number
  /** The budget of each budgeted type. */
  readonly budgets: ProfileBudgets
  /** The pools to create, each charged to its type's budget. */
  readonly pools: ReadonlyArray<PoolPreset>
}

/**
 * A budget as shares of the total memory, in basis points (1/100 of a percent).
 *
 * @since 0.1.0
 * @category models
 */
export interface BudgetShare {
  /** maxBytes = ⌊total × maxBasisPoints / 10 000⌋. */
  readonly maxBasisPoints: number
  /** reservedBytes = ⌊total × reservedBasisPoints / 10 000⌋. */
  readonly reservedBasisPoints: number
  /** Usage percentage where pressure becomes Low. */
  readonly warningPercent: number
  /** Usage percentage where pressure becomes High. */
  readonly criticalPercent: number
}

/**
 * A pool as a share of its type's non-reserved budget, with a block size given at the 16 MiB reference.
 *
 * @since 0.1.0
 * @category models
 */
export interface PoolShape {
  /** The pool's name. */
  readonly name: string
  /** The type the pool is charged to (it must have a budget share). */
  readonly type: ResourceType
  /** The block size at 16 MiB of total memory; it grows with the square root of the memory. */
  readonly baseBlockSize: number
  /** Block alignment, a power of two. */
  readonly alignment: number
  /** The pool's capacity as basis points of its type's `maxBytes − reservedBytes`. */
  readonly capacityBasisPoints: number
  /** initialCount as basis points of maxCount. */
  readonly initialBasisPoints: number
}

/**
 * What {@link makeProfile} scales: budget shares and pool shapes.
 *
 * @since 0.1.0
 * @category models
 */
export interface ProfileShape {
  /** The share of each budgeted type. */
  readonly budgets: { readonly [T in ResourceType]?: BudgetShare }
  /** The pools. */
  readonly pools: ReadonlyArray<PoolShape>
}

/**
 * The names of the built-in profiles.
 *
 * @since 0.1.0
 * @category models
 */
export type BuiltinProfileName = "dreamcast" | "web" | "desktop" | "server"

/**
 * The memory at which a {@link PoolShape}'s `baseBlockSize` applies: 16 MiB, the Dreamcast.
 *
 * @since 0.1.0
 * @category constants
 */
export const REFERENCE_MEMORY_BYTES: number = 16 * 1024 * 1024

/**
 * `value` with every object and array in it frozen: the built-in shapes, memories and profiles, which managers
 * take as they are (nothing may change what `dreamcast` says).
 */
const frozen = <T>(value: T): T => {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const inner of Object.values(value)) frozen(inner)
  }
  return value
}

const MAX_BLOCK_SIZE = 2 ** 30
const BASIS = 10_000n

const MiB = 1024 * 1024
const GiB = 1024 * MiB

const gamePools = (
  alignment: number,
  shares: { readonly textures: number; readonly audio: number; readonly vertex: number; readonly dma: number }
): ReadonlyArray<PoolShape> => [
  {
    name: "textures",
    type: "Memory",
    baseBlockSize: 32 * 1024,
    alignment,
    capacityBasisPoints: shares.textures,
    initialBasisPoints: 2500
  },
  {
    name: "audio-buffers",
    type: "Memory",
    baseBlockSize: 4 * 1024,
    alignment,
    capacityBasisPoints: shares.audio,
    initialBasisPoints: 2500
  },
  {
    name: "vertex-buffers",
    type: "Memory",
    baseBlockSize: 16 * 1024,
    alignment,
    capacityBasisPoints: shares.vertex,
    initialBasisPoints: 2500
  },
  {
    name: "dma-buffers",
    type: "Hardware",
    baseBlockSize: 2 * 1024,
    alignment,
    capacityBasisPoints: shares.dma,
    initialBasisPoints: 2500
  }
]

/**
 * The split of every built-in profile (Memory 60 % with 10 % reserved, Hardware 20 % with 5 % reserved) with game
 * pools.
 */
const gameShape = (
  warningPercent: number,
  criticalPercent: number,
  alignment: number,
  poolShares: Parameters<typeof gamePools>[1]
): ProfileShape => ({
  budgets: {
    Memory: { maxBasisPoints: 6000, reservedBasisPoints: 1000, warningPercent, criticalPercent },
    Hardware: { maxBasisPoints: 2000, reservedBasisPoints: 500, warningPercent, criticalPercent }
  },
  pools: gamePools(alignment, poolShares)
})

/**
 * The shape of each built-in profile. Every profile follows one split (Memory 60 % of the
 * total with 10 % reserved, Hardware 20 % with 5 % reserved); they differ in thresholds, alignment
 * (32-byte SH-4 cache lines on the Dreamcast, 64 elsewhere) and how much of a budget pools take
 * (the web is conservative, servers leave room for non-pooled work). With those reserves,
 * non-critical usage stops at 83.3 % of maxBytes for Memory and 75 % for Hardware, so every `criticalPercent`
 * (where pressure `High` begins) is at most 75 %: the High level stays reachable before the reserve is touched.
 *
 * @since 0.1.0
 * @category constants
 */
export const builtinShapes: { readonly [N in BuiltinProfileName]: ProfileShape } = frozen({
  dreamcast: gameShape(55, 75, 32, { textures: 4000, audio: 1500, vertex: 1000, dma: 2500 }),
  web: gameShape(50, 70, 64, { textures: 2000, audio: 1000, vertex: 500, dma: 1000 }),
  desktop: gameShape(60, 75, 64, { textures: 4000, audio: 1500, vertex: 1000, dma: 2500 }),
  server: gameShape(65, 75, 64, { textures: 2500, audio: 1000, vertex: 1000, dma: 1000 })
})

/**
 * The total memory of each built-in profile: Dreamcast 16 MiB, web 512 MiB (a conservative tab),
 * desktop 8 GiB, server 32 GiB.
 *
 * @since 0.1.0
 * @category constants
 */
export const builtinMemory: { readonly [N in BuiltinProfileName]: number } = frozen({
  dreamcast: 16 * MiB,
  web: 512 * MiB,
  desktop: 8 * GiB,
  server: 32 * GiB
})

// ---------------------------------------------------------------------------------------------
// validation

/**
 * A profile's name as `InvalidProfile { profile }` and its message show it: a non-empty string as it is (cut past
 * `MAX_SHOWN_CHARACTERS`), anything else in its printable form (`""` for the empty name, visible in the message).
 */
const profileLabel = (name: unknown): string => (typeof name === "string" && name !== "" ? cut(name) : show(name))

const profileNameOf = (input: unknown): string =>
  typeof input === "object" && input !== null && "name" in input ? profileLabel(input.name) : "<unnamed>"

/** `PlatformProfileSchema`'s decoding, without Schema (`internal/profile-check.ts`, held equal to it by a test). */
const decodeProfileResult = (input: unknown): Result.Result<PlatformProfile, InvalidProfile> => {
  // read once: the check, the copy and the error's name all read this snapshot
  let snapshot: unknown
  try {
    snapshot = snapshotProfileInput(input)
  } catch (error) {
    const issue = error instanceof PoolsTooLong ? error.issue : `could not be read (${showThrown(error)})`
    return Result.fail(new InvalidProfile({ profile: "<unnamed>", issue }))
  }
  const decoded = decodeProfileInput(snapshot)
  return decoded._tag === "Success"
    ? Result.succeed(decoded.value)
    : Result.fail(new InvalidProfile({ profile: profileNameOf(snapshot), issue: decoded.issue }))
}

/**
 * Validates an untrusted profile (for example one read from a JSON config). Each field is read once; anything
 * that is not a valid profile, including one whose reading throws (a getter, a Proxy), fails with
 * `InvalidProfile`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { decodeProfile } from "@flight-hal/resources"
 *
 * const bad = Effect.runSync(Effect.flip(decodeProfile({ name: "x", totalMemoryBytes: -1, budgets: {}, pools: [] })))
 * bad._tag // "InvalidProfile"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const decodeProfile = (input: unknown): Effect.Effect<PlatformProfile, InvalidProfile> =>
  Effect.fromResult(decodeProfileResult(input))

/**
 * {@link decodeProfile} without Effect: returns the profile or throws `InvalidProfile` (for any input that is
 * not a valid profile, including one whose reading throws).
 *
 * @since 0.1.0
 * @category constructors
 */
export const decodeProfileSync = (input: unknown): PlatformProfile => {
  const result = decodeProfileResult(input)
  if (Result.isFailure(result)) throw result.failure
  return result.success
}

// ---------------------------------------------------------------------------------------------
// scaling

const share = (total: number, basisPoints: number): number => Number((BigInt(total) * BigInt(basisPoints)) / BASIS)

/** The largest power of two b with b² × reference ≤ base² × total, at least `floor`. */
const scaledBlockSize = (base: number, total: number, floor: number): number => {
  const bound = BigInt(base) * BigInt(base) * BigInt(total)
  const reference = BigInt(REFERENCE_MEMORY_BYTES)
  let size = 1
  while (size < MAX_BLOCK_SIZE && BigInt(size * 2) * BigInt(size * 2) * reference <= bound) size *= 2
  return Math.max(size, floor)
}

const isShareNumber = (n: unknown): n is number => typeof n === "number" && Number.isSafeInteger(n) && n >= 0

const shapeIssue = (shape: ProfileShape): string | undefined => {
  for (const type of ResourceTypeNames) {
    const budget = shape.budgets[type]
    if (budget === undefined) continue
    if (!isShareNumber(budget.maxBasisPoints) || !isShareNumber(budget.reservedBasisPoints)) {
      return `the ${type} share must be integer basis points ≥ 0`
    }
  }
  for (const pool of shape.pools) {
    for (const key of ["baseBlockSize", "alignment", "capacityBasisPoints", "initialBasisPoints"] as const) {
      if (!isShareNumber(pool[key])) {
        return `pool ${cut(pool.name)}: ${key} must be an integer ≥ 0, got ${show(pool[key])}`
      }
    }
    if (pool.initialBasisPoints > 10_000) return `pool ${cut(pool.name)}: initialBasisPoints must be at most 10000`
    if (shape.budgets[pool.type] === undefined) {
      return `pool ${cut(pool.name)}: its type ${pool.type} has no budget share`
    }
  }
  return undefined
}

const scale = (name: string, total: number, shape: ProfileShape): unknown => {
  const budgets: { [T in ResourceType]?: ResourceBudget } = {}
  for (const type of ResourceTypeNames) {
    const s = shape.budgets[type]
    if (s === undefined) continue
    budgets[type] = {
      maxBytes: share(total, s.maxBasisPoints),
      reservedBytes: share(total, s.reservedBasisPoints),
      warningPercent: s.warningPercent,
      criticalPercent: s.criticalPercent
    }
  }
  const pools: Array<PoolPreset> = []
  for (const pool of shape.pools) {
    const budget = budgets[pool.type]
    const limit = budget === undefined ? 0 : budget.maxBytes - budget.reservedBytes
    const blockSize = scaledBlockSize(pool.baseBlockSize, total, Math.max(pool.alignment, 1))
    const capacity = share(limit, pool.capacityBasisPoints)
    const maxCount = Math.min(Math.floor(capacity / blockSize), MAX_POOL_BLOCKS, Math.floor(MAX_POOL_BYTES / blockSize))
    if (maxCount < 1) {
      return { invalid: `pool ${cut(pool.name)}: ${capacity} bytes cannot hold one ${blockSize}-byte block` }
    }
    pools.push({
      type: pool.type,
      blockSize,
      initialCount: share(maxCount, pool.initialBasisPoints),
      maxCount,
      alignment: pool.alignment,
      name: pool.name
    })
  }
  return { name, totalMemoryBytes: total, budgets, pools }
}

/**
 * Options of {@link makeProfile}.
 *
 * @since 0.1.0
 * @category models
 */
export interface MakeProfileOptions {
  /** The shape to scale: a built-in profile's name or a custom shape (default `"desktop"`). */
  readonly shape?: BuiltinProfileName | ProfileShape
}

const isStruct = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * The shape a `shape` option names (a built-in's own name) or a copy of a shape object, each field read once,
 * or why it is not a shape. Throws what a read throws (the caller turns it into InvalidProfile).
 */
const readShape = (requested: unknown): ProfileShape | string => {
  if (typeof requested === "string") {
    return Object.hasOwn(builtinShapes, requested)
      ? builtinShapes[requested as BuiltinProfileName]
      : `unknown shape ${show(requested)}`
  }
  if (!isStruct(requested)) return `unknown shape ${show(requested)}`
  const { budgets, pools } = requested
  if (!isStruct(budgets)) return `shape.budgets: expected budget shares per type, got ${show(budgets)}`
  if (!Array.isArray(pools)) return `shape.pools: expected an array of pool shapes, got ${show(pools)}`
  const shares: { [T in ResourceType]?: BudgetShare } = {}
  for (const type of ResourceTypeNames) {
    const share = budgets[type]
    if (share === undefined) continue
    if (!isStruct(share)) return `shape.budgets.${type}: expected a budget share, got ${show(share)}`
    const { maxBasisPoints, reservedBasisPoints, warningPercent, criticalPercent } = share as Record<
      keyof BudgetShare,
      never
    >
    shares[type] = { maxBasisPoints, reservedBasisPoints, warningPercent, criticalPercent }
  }
  // a key that is no type (a typo such as `memory`) would leave its type unlimited: refused, as in a profile
  const other = Object.keys(budgets).find((key) => !(ResourceTypeNames as ReadonlyArray<string>).includes(key))
  if (other !== undefined) return `shape.budgets: unknown resource type ${show(other)}`
  const poolShapes: Array<PoolShape> = []
  // up to the first element that is no struct (refused below), never past MAX_LIST_LENGTH
  const read = readList(pools as ReadonlyArray<unknown>, (pool) => pool, isStruct)
  if (!Array.isArray(read)) {
    return `shape.pools: at most ${MAX_LIST_LENGTH} pool shapes, got an array of length ${read.tooLong}`
  }
  for (const pool of read) {
    if (!isStruct(pool)) return `shape.pools: expected pool shapes, got ${show(pool)}`
    const { name, type, baseBlockSize, alignment, capacityBasisPoints, initialBasisPoints } = pool as Record<
      keyof PoolShape,
      never
    >
    if (typeof name !== "string") return `shape.pools: a pool's name must be a string, got ${show(name)}`
    if (!(ResourceTypeNames as ReadonlyArray<unknown>).includes(type)) {
      return `pool ${cut(name)}: unknown type ${show(type)}`
    }
    poolShapes.push({ name, type, baseBlockSize, alignment, capacityBasisPoints, initialBasisPoints })
  }
  return { budgets: shares, pools: poolShapes }
}

const makeProfileResult = (
  name: string,
  totalMemoryBytes: number,
  options?: MakeProfileOptions
): Result.Result<PlatformProfile, InvalidProfile> => {
  const fail = (issue: string) => Result.fail(new InvalidProfile({ profile: profileLabel(name), issue }))
  if (!Number.isSafeInteger(totalMemoryBytes) || totalMemoryBytes < 1) {
    return fail(`totalMemoryBytes must be a safe integer ≥ 1, got ${show(totalMemoryBytes)}`)
  }
  // read once: the options and a custom shape are copied before anything is checked or scaled
  let shape: ProfileShape | string
  try {
    shape = readShape((options as { readonly shape?: unknown } | undefined)?.shape ?? "desktop")
  } catch (error) {
    return fail(`the options could not be read (${showThrown(error)})`)
  }
  if (typeof shape === "string") return fail(shape)
  const issue = shapeIssue(shape)
  if (issue !== undefined) return fail(issue)
  const scaled = scale(name, totalMemoryBytes, shape)
  if (typeof scaled === "object" && scaled !== null && "invalid" in scaled && typeof scaled.invalid === "string") {
    return fail(scaled.invalid)
  }
  return decodeProfileResult(scaled)
}

/**
 * Scales a profile shape to `totalMemoryBytes`: budgets as shares of the total, pool block sizes
 * with the square root of the memory, pool block counts with what is left (see the module doc for
 * the exact integer formulas). Fails with `InvalidProfile` when the result is not a valid profile
 * (for example when the memory is too small to hold one block of a pool), and for arguments that are not what
 * the types say (a total that is not a safe integer ≥ 1, a shape that is neither a built-in name nor a shape
 * object, options or a shape whose reading throws); the options and a custom shape are read once.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { makeProfile } from "@flight-hal/resources"
 *
 * const handheld = Effect.runSync(makeProfile("handheld", 64 * 1024 * 1024, { shape: "dreamcast" }))
 * handheld.budgets.Memory?.maxBytes // 40265318
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeProfile = (
  name: string,
  totalMemoryBytes: number,
  options?: MakeProfileOptions
): Effect.Effect<PlatformProfile, InvalidProfile> =>
  Effect.fromResult(makeProfileResult(name, totalMemoryBytes, options))

/**
 * {@link makeProfile} without Effect: returns the profile or throws `InvalidProfile`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeProfileSync = (
  name: string,
  totalMemoryBytes: number,
  options?: MakeProfileOptions
): PlatformProfile => {
  const result = makeProfileResult(name, totalMemoryBytes, options)
  if (Result.isFailure(result)) throw result.failure
  return result.success
}

const builtin = (name: BuiltinProfileName): PlatformProfile =>
  frozen(makeProfileSync(name, builtinMemory[name], { shape: name }))

/**
 * The Dreamcast: 16 MiB; Memory 60 % (10 066 329 bytes) with 10 % (1 677 721) reserved, Hardware
 * 20 % (3 355 443) with 5 % (838 860) reserved; small, 32-byte aligned pools.
 *
 * @since 0.1.0
 * @category profiles
 */
export const dreamcast: PlatformProfile = builtin("dreamcast")

/**
 * A browser tab: 512 MiB, conservative thresholds (50 / 70 %) and pools.
 *
 * @since 0.1.0
 * @category profiles
 */
export const web: PlatformProfile = builtin("web")

/**
 * A desktop: 8 GiB, larger pools with more blocks.
 *
 * @since 0.1.0
 * @category profiles
 */
export const desktop: PlatformProfile = builtin("desktop")

/**
 * A server: 32 GiB, late warning (65 %), pools capped at one pool's 2 GiB limit.
 *
 * @since 0.1.0
 * @category profiles
 */
export const server: PlatformProfile = builtin("server")

/**
 * The built-in profiles by name.
 *
 * @since 0.1.0
 * @category profiles
 */
export const builtinProfiles: { readonly [N in BuiltinProfileName]: PlatformProfile } = frozen({
  dreamcast,
  web,
  desktop,
  server
})

/**
 * The names of the built-in profiles, in order of size.
 *
 * @since 0.1.0
 * @category profiles
 */
export const builtinProfileNames: ReadonlyArray<BuiltinProfileName> = frozen(["dreamcast", "web", "desktop", "server"])

const isBuiltinName = (name: string): name is BuiltinProfileName =>
  (builtinProfileNames as ReadonlyArray<string>).includes(name)

/**
 * Looks a built-in profile up by name; fails with `UnknownProfile` for any other name.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { getProfile } from "@flight-hal/resources"
 *
 * Effect.runSync(getProfile("dreamcast")).totalMemoryBytes // 16777216
 * ```
 *
 * @since 0.1.0
 * @category profiles
 */
export const getProfile = (name: string): Effect.Effect<PlatformProfile, UnknownProfile> =>
  isBuiltinName(name) ? Effect.succeed(builtinProfiles[name]) : Effect.fail(unknownProfile(name))

/**
 * `UnknownProfile` for a name that is not a built-in one, in its printable form: a string quoted (`""` is visible)
 * and cut past `MAX_SHOWN_CHARACTERS`, any other value by its kind.
 */
const unknownProfile = (name: unknown): UnknownProfile => new UnknownProfile({ profile: show(name) })

/**
 * {@link getProfile} without Effect: returns the profile or throws `UnknownProfile`.
 *
 * @since 0.1.0
 * @category profiles
 */
export const getProfileSync = (name: string): PlatformProfile => {
  if (isBuiltinName(name)) return builtinProfiles[name]
  throw unknownProfile(name)
}

/**
 * The options of a manager config that a profile does not set.
 *
 * @since 0.1.0
 * @category models
 */
export type ProfileConfigOptions = Omit<ResourceManagerConfig, "budgets" | "pools" | "profile">

/**
 * The resource manager configuration of a profile: its budgets and pools, labelled with the
 * profile's name unless `options.label` says otherwise. The profile is validated as {@link decodeProfileSync}
 * does (throws `InvalidProfile` for one that is not valid, or whose reading throws) and the options are read
 * once (throws `InvalidArgument` for options that are not an object, or whose reading throws, and, naming the key
 * as `options.budgets`, for a `budgets`, `pools` or `profile` option that is not `undefined`: the profile sets
 * them, so they would be dropped or, for `profile`, make a manager ignore it); the config is made of those copies.
 *
 * @example
 * ```ts
 * import { dreamcast, profileToConfig } from "@flight-hal/resources"
 *
 * const config = profileToConfig(dreamcast, { hysteresisPercent: 2 })
 * config.budgets?.Memory?.maxBytes // 10066329
 * config.pools?.length // 4
 * ```
 *
 * @since 0.1.0
 * @category conversions
 */
export const profileToConfig = (profile: PlatformProfile, options?: ProfileConfigOptions): ResourceManagerConfig => {
  const decoded = decodeProfileResult(profile)
  if (Result.isFailure(decoded)) throw decoded.failure
  let extra: object = {}
  if (options !== undefined) {
    const bad = (issue: string, key?: string) =>
      new InvalidArgument({ argument: key === undefined ? "options" : `options.${key}`, issue })
    if (typeof options !== "object" || options === null) throw bad(`expected an object, got ${show(options)}`)
    let array: boolean
    try {
      array = Array.isArray(options)
      if (!array) extra = { ...options }
    } catch (error) {
      throw bad(`could not be read (${showThrown(error)})`)
    }
    if (array) throw bad("expected an object, got an array")
    for (const key of ["budgets", "pools", "profile"]) {
      if ((extra as Record<string, unknown>)[key] !== undefined) throw bad("the profile sets it", key)
    }
  }
  const { name, budgets, pools } = decoded.success
  return { label: name, ...extra, budgets, pools }
}
