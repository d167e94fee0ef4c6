/**
 * Pool configuration and its validation.
 *
 * @module
 */
import { InvalidPoolConfig } from "./generated/errors.ts"
import {
  ALIGNMENT_RULE,
  isResourceType,
  MAX_ALIGNMENT,
  MAX_NAME_LENGTH,
  type ResourceType
} from "./generated/tables.ts"
import { readOptions, show, showName } from "./internal/caller-input.ts"
import { err, ok, type Result } from "./Result.ts"

/**
 * The largest capacity (maxCount × blockSize) accepted for one pool: 2 GiB, the largest ArrayBuffer every
 * supported runtime allocates (Bun/JavaScriptCore stops at 4 GiB, 32-bit browsers earlier).
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_POOL_BYTES: number = 2 ** 31

/**
 * The most blocks one pool can hold: block handles keep the index in their low 23 bits and a pool tag above.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_BLOCKS: number = 2 ** 23

/**
 * The alignment used when a config names none, in bytes.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_ALIGNMENT: number = 8

/**
 * The configuration of a pool registered with a {@link PoolManager}.
 *
 * `blockSize` is rounded up to `alignment` (a power of two, default 8). The pool starts with `initialCount`
 * blocks (default 0) and grows without copying up to `maxCount`. An optional field left out or `undefined` takes
 * its default. `threadSafe: true` makes a {@link SharedBlockPool}
 * (SharedArrayBuffer + Atomics, usable from workers) holding `maxCount` blocks from the start.
 *
 * @example
 * ```ts
 * import { PoolManager } from "@flight-hal/pool"
 *
 * const manager = new PoolManager()
 * manager.createPool({
 *   type: "Memory",
 *   blockSize: 4096,
 *   initialCount: 10,
 *   maxCount: 50,
 *   alignment: 8,
 *   threadSafe: false,
 *   name: "AudioBufferPool"
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface PoolConfig {
  /** The resource type the pool's capacity is charged to. */
  readonly type: ResourceType
  /** Bytes per block, a safe integer ≥ 1 (rounded up to `alignment`). */
  readonly blockSize: number
  /**
   * Blocks allocated up front, 0 ≤ initialCount ≤ maxCount (default 0; a `threadSafe` pool holds all `maxCount`
   * blocks from the start).
   */
  readonly initialCount?: number | undefined
  /** The most blocks the pool may ever hold, 1 ≤ maxCount ≤ {@link MAX_BLOCKS}. */
  readonly maxCount: number
  /** Block alignment in bytes, a power of two up to {@link MAX_ALIGNMENT} (default {@link DEFAULT_ALIGNMENT}). */
  readonly alignment?: number | undefined
  /** `true`: a {@link SharedBlockPool} that workers can attach to (default `false`). */
  readonly threadSafe?: boolean | undefined
  /** A name for stats and errors, at most {@link MAX_NAME_LENGTH} characters (default `"<type>-<blockSize>"`). */
  readonly name?: string | undefined
  /** Poison freed blocks and check the poison on the next alloc (use-after-free detection; default `false`). */
  readonly debug?: boolean | undefined
}

/**
 * The sizes a validated config resolves to.
 *
 * @since 0.1.0
 * @category models
 */
export interface PoolLayout {
  /** The pool's name. */
  readonly name: string
  /** Bytes per block after rounding up to `alignment`. */
  readonly blockSize: number
  /** Blocks allocated up front. */
  readonly initialCount: number
  /** The most blocks the pool may hold. */
  readonly maxCount: number
  /** Block alignment in bytes (a power of two). */
  readonly alignment: number
}

/**
 * The size fields {@link validateLayout} checks; `unknown` so that untrusted input (JSON, CLI flags) can be
 * passed as is.
 *
 * @since 0.1.0
 * @category models
 */
export interface LayoutInput {
  /**
   * The pool's name: a non-empty string of at most {@link MAX_NAME_LENGTH} characters (default: the `defaultName`
   * argument, else `pool-<blockSize>`).
   */
  readonly name?: unknown
  /** Bytes per block: a safe integer ≥ 1, rounded up to `alignment`. */
  readonly blockSize: unknown
  /** Blocks allocated up front: a safe integer, 0 ≤ initialCount ≤ maxCount (default 0). */
  readonly initialCount?: unknown
  /** The most blocks the pool may hold: a safe integer, 1 ≤ maxCount ≤ {@link MAX_BLOCKS}. */
  readonly maxCount: unknown
  /** Block alignment in bytes: a power of two up to {@link MAX_ALIGNMENT} (default {@link DEFAULT_ALIGNMENT}). */
  readonly alignment?: unknown
}

/**
 * A pool's default name, `<prefix>-<blockSize>` (`Memory-64`, `pool-64`), built without running caller code: a
 * block size that is not a number is left out (`Memory`, `pool`).
 */
const poolName = (prefix: string, blockSize: unknown): string =>
  typeof blockSize === "number" ? `${prefix}-${blockSize}` : prefix

const isPowerOfTwo = (n: number): boolean => n > 0 && (n & (n - 1)) === 0

const integerIssue = (value: unknown, min: number): string | undefined => {
  if (typeof value !== "number") return "must be a number"
  if (Number.isNaN(value)) return "must not be NaN"
  if (!Number.isFinite(value)) return "must be finite"
  if (!Number.isInteger(value)) return "must be an integer"
  if (!Number.isSafeInteger(value)) return "must be a safe integer"
  if (value < min) return min === 0 ? "must not be negative" : `must be at least ${min}`
  return undefined
}

/**
 * Checks the sizes of a pool config and resolves them: the name at most {@link MAX_NAME_LENGTH} characters, every
 * field a safe integer in range, the alignment a power of two up to {@link MAX_ALIGNMENT}, `initialCount ≤ maxCount`, and `maxCount × blockSize ≤` {@link MAX_POOL_BYTES}. Allocates
 * nothing; the first problem found is returned as `InvalidPoolConfig {pool, field, value, issue}`.
 *
 * @example
 * ```ts
 * import { validateLayout } from "@flight-hal/pool"
 *
 * const r = validateLayout({ name: "p", blockSize: 100, maxCount: 10, alignment: 64 })
 * if (r.ok) console.log(r.value.blockSize) // 128
 * const bad = validateLayout({ blockSize: 1.5, maxCount: 10 })
 * if (!bad.ok) console.log(bad.error.field, bad.error.issue) // blockSize must be an integer
 * ```
 *
 * @since 0.1.0
 * @category validation
 */
export const validateLayout = (config: LayoutInput, defaultName?: string): Result<PoolLayout, InvalidPoolConfig> => {
  const input = readOptions(config, layoutKeys, defaultName ?? "pool")
  if (input instanceof InvalidPoolConfig) return err(input)
  // only a field left out (or undefined) takes its default: null is a value, and a wrong one
  const fallback = defaultName ?? poolName("pool", input.blockSize)
  const rawName = input.name !== undefined ? input.name : fallback
  // the errors name the pool by its name when that is one (cut if long), else by the default
  const shownPool = typeof rawName === "string" && rawName.length > 0 ? showName(rawName) : fallback
  const fail = (field: string, value: unknown, issue: string) =>
    err(new InvalidPoolConfig({ pool: shownPool, field, value: show(value), issue }))
  if (typeof rawName !== "string" || rawName.length === 0) return fail("name", rawName, "must be a non-empty string")
  if (rawName.length > MAX_NAME_LENGTH) return fail("name", rawName, `must have at most ${MAX_NAME_LENGTH} characters`)
  const blockSizeIssue = integerIssue(input.blockSize, 1)
  if (blockSizeIssue !== undefined) return fail("blockSize", input.blockSize, blockSizeIssue)
  const alignment = input.alignment !== undefined ? input.alignment : DEFAULT_ALIGNMENT
  const alignmentIssue = integerIssue(alignment, 1)
  if (alignmentIssue !== undefined) return fail("alignment", alignment, alignmentIssue)
  const maxCountIssue = integerIssue(input.maxCount, 1)
  if (maxCountIssue !== undefined) return fail("maxCount", input.maxCount, maxCountIssue)
  const initialCount = input.initialCount !== undefined ? input.initialCount : 0
  const initialIssue = integerIssue(initialCount, 0)
  if (initialIssue !== undefined) return fail("initialCount", initialCount, initialIssue)
  // The integer checks above narrowed these to numbers.
  const size = input.blockSize as number
  const align = alignment as number
  const maxCount = input.maxCount as number
  const initial = initialCount as number
  if (align > MAX_ALIGNMENT || !isPowerOfTwo(align)) return fail("alignment", align, `must be ${ALIGNMENT_RULE}`)
  if (initial > maxCount) return fail("initialCount", initial, `must not exceed maxCount (${maxCount})`)
  if (maxCount > MAX_BLOCKS) return fail("maxCount", maxCount, `must not exceed ${MAX_BLOCKS} blocks`)
  const blockSize = Math.ceil(size / align) * align
  // one block over the limit is the block size's fault (rounding up to an alignment ≤ the limit cannot pass it)
  if (blockSize > MAX_POOL_BYTES) {
    return fail("blockSize", size, `must not exceed the ${MAX_POOL_BYTES}-byte limit of one ArrayBuffer`)
  }
  if (blockSize * maxCount > MAX_POOL_BYTES) {
    return fail(
      "maxCount",
      maxCount,
      `capacity ${maxCount} × ${blockSize} bytes exceeds the ${MAX_POOL_BYTES}-byte limit of one ArrayBuffer`
    )
  }
  return ok({ name: rawName, blockSize, initialCount: initial, maxCount, alignment: align })
}

/**
 * Checks a full {@link PoolConfig} (the sizes via {@link validateLayout}, plus the resource type and flags).
 *
 * @example
 * ```ts
 * import { validatePoolConfig } from "@flight-hal/pool"
 *
 * const r = validatePoolConfig({ type: "Memory", blockSize: 64, initialCount: 20, maxCount: 10 })
 * if (!r.ok) console.log(r.error.message) // ... initialCount = 20: must not exceed maxCount (10)
 * ```
 *
 * @since 0.1.0
 * @category validation
 */
export const validatePoolConfig = (input: PoolConfig): Result<PoolLayout, InvalidPoolConfig> => {
  const config = readOptions(input, poolConfigKeys, "pool")
  if (config instanceof InvalidPoolConfig) return err(config)
  const defaultName = poolName(isResourceType(config.type) ? config.type : "pool", config.blockSize)
  const pool = typeof config.name === "string" && config.name.length > 0 ? showName(config.name) : defaultName
  if (!isResourceType(config.type)) {
    return err(
      new InvalidPoolConfig({
        pool,
        field: "type",
        value: show(config.type),
        issue: "must be a ResourceType name"
      })
    )
  }
  for (const flag of ["threadSafe", "debug"] as const) {
    const value: unknown = config[flag]
    if (value !== undefined && typeof value !== "boolean") {
      return err(
        new InvalidPoolConfig({
          pool,
          field: flag,
          value: show(value),
          issue: "must be a boolean"
        })
      )
    }
  }
  return validateLayout(config as LayoutInput, defaultName)
}

/** The fields of a {@link LayoutInput}, read once from a caller's object. */
const layoutKeys = ["name", "blockSize", "initialCount", "maxCount", "alignment"] as const

/** The fields of a {@link PoolConfig}, read once from a caller's object. */
export const poolConfigKeys = [...layoutKeys, "type", "threadSafe", "debug"] as const
