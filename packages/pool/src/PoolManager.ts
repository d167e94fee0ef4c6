/**
 * PoolManager: pools registered per (resource type, block size), and O(1) routing of requests to them.
 *
 * @module
 */
import { BlockPool } from "./BlockPool.ts"
import { DuplicatePool, InvalidPoolConfig, PoolExhausted, PoolNotFound } from "./generated/errors.ts"
import { ALIGNMENT_RULE, isResourceType, MAX_ALIGNMENT, type ResourceType } from "./generated/tables.ts"
import { readOptions, show } from "./internal/caller-input.ts"
import { printAs } from "./internal/printed.ts"
import { retired } from "./internal/retired.ts"
import { safeCall } from "./internal/safe-call.ts"
import { SizeClassTable } from "./internal/size-class.ts"
import { type PoolConfig, poolConfigKeys, validatePoolConfig } from "./PoolConfig.ts"
import type { PoolStats } from "./PoolStats.ts"
import { err, ok, type Result } from "./Result.ts"
import { SharedBlockPool } from "./SharedBlockPool.ts"

/**
 * A pool the manager holds: a {@link BlockPool}, or a {@link SharedBlockPool} for `threadSafe` configs.
 *
 * @since 0.1.0
 * @category models
 */
export type ManagedPool = BlockPool | SharedBlockPool

/**
 * Hooks that let a resource manager charge pool capacity to its budgets.
 *
 * @since 0.1.0
 * @category models
 */
export interface PoolManagerOptions {
  /**
   * Called before any pool takes memory (its initial blocks, each growth, a shared pool's whole capacity) with
   * the pool's type and the bytes wanted. Return `true` once the bytes are charged; `false` refuses (the growth
   * does not happen and the alloc falls back or fails). A throw counts as `false`.
   *
   * The hook may call back into the manager: while a pool grows, a nested allocation that would need that pool
   * to grow again falls back to the heap (the pool's growth is not re-entrant); a nested `createPool` of a pool
   * being created is `DuplicatePool`; when the hook destroys the pool being grown, the growth is refused and
   * the bytes the hook admitted are handed back through `onRelease`. A pool destroyed before is never grown
   * through the hook: its growth is refused without asking.
   */
  readonly admitGrowth?: (type: ResourceType, bytes: number) => boolean
  /**
   * Called after a pool gave memory back (trim, destroyPool) with the bytes released. `destroyPool` reports the
   * pool's whole capacity, once: a destroyed pool reports nothing more (a caller who kept its object and trims
   * it, or `trim()` reaching a pool that a hook destroyed meanwhile, releases no bytes a second time).
   */
  readonly onRelease?: (type: ResourceType, bytes: number) => void
}

/**
 * A block handed out by {@link PoolManager.allocate}: from a pool (`kind: "pool"`) or, on a miss, a plain
 * ArrayBuffer (`kind: "heap"`). `view` is the memory, at least the requested size.
 *
 * @since 0.1.0
 * @category models
 */
export type Allocation =
  | {
      readonly kind: "pool"
      readonly type: ResourceType
      readonly bytes: number
      readonly pool: ManagedPool
      readonly handle: number
      readonly view: Uint8Array
    }
  | { readonly kind: "heap"; readonly type: ResourceType; readonly bytes: number; readonly view: Uint8Array }

/**
 * Counters of the manager's routing.
 *
 * @since 0.1.0
 * @category models
 */
export interface RoutingStats {
  /** Requests served by a pool. */
  readonly hits: number
  /** Requests no pool's blocks could hold, served by a plain `new ArrayBuffer(n)`. */
  readonly misses: number
  /** Requests whose pool was exhausted, served by a plain `new ArrayBuffer(n)` (not counted in misses). */
  readonly exhaustedFallbacks: number
  /** Pools registered. */
  readonly pools: number
}

const keyOf = (type: ResourceType, blockSize: number): string => `${type}:${blockSize}`

/**
 * Size-class pools, keyed by (type, block size): `createPool` registers one (a second with the same type and
 * block size is `DuplicatePool`), `allocate(type, n)` routes an n-byte request in O(1) to the type's smallest
 * pool whose blocks hold n bytes, falling back to `new ArrayBuffer(n)` on a miss (counted). The
 * `admitGrowth` / `onRelease` hooks let a budget see every byte of pool capacity before it is taken and after
 * it is given back.
 *
 * @example
 * ```ts
 * import { PoolManager } from "@flight-hal/pool"
 *
 * const manager = new PoolManager({ admitGrowth: (type, bytes) => bytes < 1 << 20 })
 * manager.createPool({ type: "Memory", blockSize: 64, initialCount: 100, maxCount: 1000 })
 * manager.createPool({ type: "Memory", blockSize: 4096, initialCount: 50, maxCount: 500 })
 * const a = manager.allocate("Memory", 100) // a 4096-byte block
 * if (a.ok) {
 *   a.value.view.set([1, 2, 3])
 *   manager.release(a.value)
 * }
 * const stats = manager.getPoolStats("Memory", 4096)
 * if (stats.ok) console.log(stats.value.usedBytes, stats.value.freeBytes)
 * ```
 *
 * @since 0.1.0
 * @category managers
 */
export class PoolManager {
  private readonly options: PoolManagerOptions
  private readonly byKey = new Map<string, { readonly type: ResourceType; readonly pool: ManagedPool }>()
  private readonly tables = new Map<ResourceType, SizeClassTable<ManagedPool>>()
  /** Keys of the pools being created (their initial capacity is being charged): taken, as registered ones are. */
  private readonly pending = new Set<string>()
  private hits = 0
  private misses = 0
  private exhaustedFallbacks = 0

  /**
   * An empty manager; `options` carries the budget hooks (`admitGrowth`, `onRelease`). Throws `InvalidPoolConfig`
   * (field `config`, `admitGrowth` or `onRelease`) for options that are not an object of optional functions.
   *
   * @since 0.1.0
   * @category constructors
   */
  constructor(options: PoolManagerOptions = {}) {
    // read once; throws InvalidPoolConfig (field `config`) for what is not an object of optional functions
    const read = readOptions(options, ["admitGrowth", "onRelease"], "PoolManager")
    if (read instanceof InvalidPoolConfig) throw read
    for (const hook of ["admitGrowth", "onRelease"] as const) {
      if (read[hook] !== undefined && typeof read[hook] !== "function") {
        throw new InvalidPoolConfig({
          pool: "PoolManager",
          field: hook,
          value: show(read[hook]),
          issue: "must be a function"
        })
      }
    }
    this.options = read as PoolManagerOptions
  }

  /**
   * Validates the config and creates its pool. Errors (nothing allocated, nothing registered):
   * `InvalidPoolConfig` for a bad field, `DuplicatePool` when the type already has a pool of that (aligned)
   * block size (or one is being created: an `admitGrowth` hook creating it again), `PoolExhausted` with
   * `refusedBytes` when `admitGrowth` refuses the initial capacity.
   *
   * @example
   * ```ts
   * import { PoolManager } from "@flight-hal/pool"
   *
   * const manager = new PoolManager()
   * const r = manager.createPool({ type: "Memory", blockSize: 4096, initialCount: 10, maxCount: 50, name: "audio" })
   * if (!r.ok) console.error(r.error._tag) // "InvalidPoolConfig" | "DuplicatePool" | "PoolExhausted"
   * ```
   *
   * @since 0.1.0
   * @category pools
   */
  createPool(input: PoolConfig): Result<ManagedPool, InvalidPoolConfig | DuplicatePool | PoolExhausted> {
    // read once: what is checked is what the pool is made of
    const read = readOptions(input, poolConfigKeys, "pool")
    if (read instanceof InvalidPoolConfig) return err(read)
    const config = read as PoolConfig
    const checked = validatePoolConfig(config)
    if (!checked.ok) return checked
    const layout = checked.value
    const type = config.type
    const sizes = new Set([layout.blockSize, config.blockSize])
    for (const size of sizes) {
      const key = keyOf(type, size)
      // a pool of that key being created (an admitGrowth hook creating it again) counts as registered
      if (this.byKey.has(key) || this.pending.has(key)) {
        return err(new DuplicatePool({ resourceType: type, blockSize: size }))
      }
    }
    const keys = [...sizes].map((size) => keyOf(type, size))
    for (const key of keys) this.pending.add(key)
    let made: Result<ManagedPool, InvalidPoolConfig | PoolExhausted>
    try {
      made = config.threadSafe === true ? this.makeShared(type, config, layout) : this.makeLocal(type, config)
    } finally {
      for (const key of keys) this.pending.delete(key)
    }
    if (!made.ok) return made
    const pool = made.value
    const entry = { type, pool }
    this.byKey.set(keyOf(type, layout.blockSize), entry)
    if (config.blockSize !== layout.blockSize) this.byKey.set(keyOf(type, config.blockSize), entry)
    this.rebuild(type)
    return ok(pool)
  }

  /**
   * The pool of that type and block size (the configured or the aligned size), or undefined.
   *
   * @since 0.1.0
   * @category pools
   */
  getPool(type: ResourceType, blockSize: number): ManagedPool | undefined {
    return this.entryOf(type, blockSize)?.pool
  }

  /** The registered pool of a (type, block size) pair from caller input; undefined for any other value. */
  private entryOf(
    type: unknown,
    blockSize: unknown
  ): { readonly type: ResourceType; readonly pool: ManagedPool } | undefined {
    return isResourceType(type) && typeof blockSize === "number" ? this.byKey.get(keyOf(type, blockSize)) : undefined
  }

  /**
   * The O(1) stats of the pool of that type and block size, or `PoolNotFound`.
   *
   * @example
   * ```ts
   * import { PoolManager } from "@flight-hal/pool"
   *
   * const manager = new PoolManager()
   * manager.createPool({ type: "Memory", blockSize: 4096, initialCount: 10, maxCount: 50 })
   * const s = manager.getPoolStats("Memory", 4096)
   * if (s.ok) console.log(`${s.value.usedBytes / 1024} KiB used, ${s.value.freeBytes / 1024} KiB free`)
   * // 0 KiB used, 40 KiB free
   * ```
   *
   * @since 0.1.0
   * @category pools
   */
  getPoolStats(type: ResourceType, blockSize: number): Result<PoolStats, PoolNotFound> {
    const pool = this.getPool(type, blockSize)
    return pool === undefined ? err(notFound(type, blockSize)) : ok(pool.stats())
  }

  /**
   * Unregisters the pool and releases its capacity (reported through `onRelease`, once: the pool object, if a
   * caller kept it, still works but reports nothing more; its growth is refused when the manager has an
   * `admitGrowth` hook). Blocks still allocated from it are abandoned: `release` of them returns false
   * afterwards. `PoolNotFound` if there is no such pool.
   *
   * @since 0.1.0
   * @category pools
   */
  destroyPool(type: ResourceType, blockSize: number): Result<void, PoolNotFound> {
    const entry = this.entryOf(type, blockSize)
    if (entry === undefined) return err(notFound(type, blockSize))
    for (const [key, other] of this.byKey) if (other === entry) this.byKey.delete(key)
    retired.add(entry.pool)
    this.rebuild(type)
    const capacity = entry.pool.stats().totalCapacityBytes
    // a shared pool stays attached, as a block pool stays usable: a caller who kept it can still free the blocks
    // it holds (detached, this thread's frees were refused and those blocks lost to every thread); it detaches
    // when done (`detach()` or `using`)
    if (capacity > 0) safeCall(this.options.onRelease, type, capacity)
    return ok(undefined)
  }

  /**
   * The type's smallest pool whose blocks hold `bytes` and whose `alignment` is at least `alignment` (a power of
   * two, default 1), or undefined; undefined too for a size that is not a safe integer ≥ 0 or an alignment that is
   * not a power of two from 1 to 2^30 (what `allocate` refuses). O(1) without an alignment constraint; pools with
   * smaller alignment are skipped over. Hot code can route once and then use the pool's own `alloc` / `free`.
   *
   * @example
   * ```ts
   * import { PoolManager } from "@flight-hal/pool"
   *
   * const manager = new PoolManager()
   * manager.createPool({ type: "Memory", blockSize: 128, initialCount: 1, maxCount: 8, alignment: 8 })
   * manager.createPool({ type: "Memory", blockSize: 256, initialCount: 1, maxCount: 8, alignment: 64 })
   * manager.route("Memory", 100)?.blockSize // 128
   * manager.route("Memory", 100, 64)?.blockSize // 256: the 128-byte pool is only 8-aligned
   * ```
   *
   * @since 0.1.0
   * @category routing
   */
  route(type: ResourceType, bytes: number, alignment?: number): ManagedPool | undefined {
    if (!Number.isSafeInteger(bytes) || bytes < 0 || (alignment !== undefined && !isAlignment(alignment)))
      return undefined
    return this.tables.get(type)?.route(bytes, alignment)
  }

  /**
   * Serves an n-byte request: a block of the smallest fitting pool aligned to `alignment` (a hit), else a plain
   * `new ArrayBuffer(n)` (a miss, or an exhausted-pool fallback; its view starts at offset 0, aligned to
   * anything). `InvalidPoolConfig` (field `bytes`) for a size that is not a safe integer ≥ 0 or exceeds 2 GiB, or
   * that the runtime cannot allocate; (field `alignment`) for an alignment that is not a power of two ≤ 2^30.
   * A 0-byte request is served like any other, as the resource manager serves `sizeBytes: 0`: a block of the
   * smallest fitting pool (the one `route(type, 0, alignment)` names, to be released as any other), else a heap
   * view of no bytes (a miss).
   *
   * @example
   * ```ts
   * import { PoolManager } from "@flight-hal/pool"
   *
   * const manager = new PoolManager()
   * manager.createPool({ type: "Memory", blockSize: 64, initialCount: 4, maxCount: 8, alignment: 64 })
   * const a = manager.allocate("Memory", 40, 64)
   * if (a.ok) console.log(a.value.view.byteOffset % 64) // 0
   * ```
   *
   * @since 0.1.0
   * @category routing
   */
  allocate(type: ResourceType, bytes: number, alignment = 1): Result<Allocation, InvalidPoolConfig> {
    if (!isResourceType(type)) return requestError(type, "type", type, "must be a ResourceType name")
    if (!isAlignment(alignment)) {
      return requestError(type, "alignment", alignment, `must be ${ALIGNMENT_RULE}`)
    }
    if (!Number.isSafeInteger(bytes) || bytes < 0 || bytes > 2 ** 31) {
      return requestError(type, "bytes", bytes, "must be a safe integer from 0 to 2147483648")
    }
    const pool = this.route(type, bytes, alignment)
    if (pool !== undefined) {
      const handle = pool.alloc()
      if (handle >= 0) {
        this.hits++
        return ok({ kind: "pool", type, bytes, pool, handle, view: pool.view(handle) })
      }
      this.exhaustedFallbacks++
    } else {
      this.misses++
    }
    try {
      return ok({ kind: "heap", type, bytes, view: new Uint8Array(new ArrayBuffer(bytes)) })
    } catch {
      return requestError(type, "bytes", bytes, "the runtime could not allocate this many bytes")
    }
  }

  /**
   * Gives back an allocation: its pool block is freed (false if it was already freed or its pool destroyed);
   * a heap allocation is left to the garbage collector (true). Anything else is refused with false and changes
   * nothing, also an object whose fields cannot be read (a getter or Proxy trap that throws, a revoked Proxy).
   *
   * @since 0.1.0
   * @category routing
   */
  release(allocation: Allocation): boolean {
    if (typeof allocation !== "object" || allocation === null) return false
    try {
      if (allocation.kind === "heap") return true
      const { type, pool, handle } = allocation
      // only a pool registered here frees (its own free checks the handle); one lookup, as before. A Proxy posing
      // as a pool is never the registered one, so its `free` is never called.
      if (!(pool instanceof BlockPool || pool instanceof SharedBlockPool) || !isResourceType(type)) return false
      return this.byKey.get(keyOf(type, pool.blockSize))?.pool === pool && pool.free(handle)
    } catch {
      // a getter or Proxy trap that throws (also `instanceof`, through getPrototypeOf), or a revoked Proxy
      return false
    }
  }

  /**
   * Trims the free tail capacity of every pool of `type` (or of all types): returns the bytes released, each
   * also reported through `onRelease`. Shared pools have fixed capacity and release nothing.
   *
   * @since 0.1.0
   * @category capacity
   */
  trim(type?: ResourceType): number {
    let released = 0
    for (const [t, table] of this.tables) {
      if (type !== undefined && t !== type) continue
      // a pool destroyed meanwhile (by an onRelease hook of an earlier trim) is skipped: its capacity is released
      for (const pool of table.pools) {
        if (pool instanceof BlockPool && this.isRegistered(t, pool)) released += pool.trim()
      }
    }
    return released
  }

  /** Whether `pool` is the registered pool of its (type, block size): false once it is destroyed. */
  private isRegistered(type: ResourceType, pool: ManagedPool): boolean {
    return this.byKey.get(keyOf(type, pool.blockSize))?.pool === pool
  }

  /**
   * Every registered pool with its type, smallest blocks first per type.
   *
   * @since 0.1.0
   * @category pools
   */
  pools(): ReadonlyArray<{ readonly type: ResourceType; readonly pool: ManagedPool }> {
    const out: Array<{ readonly type: ResourceType; readonly pool: ManagedPool }> = []
    for (const [type, table] of this.tables) for (const pool of table.pools) out.push({ type, pool })
    return out
  }

  /**
   * Routing counters: hits, misses, exhausted fallbacks, pools.
   *
   * @since 0.1.0
   * @category stats
   */
  routingStats(): RoutingStats {
    return {
      hits: this.hits,
      misses: this.misses,
      exhaustedFallbacks: this.exhaustedFallbacks,
      pools: new Set(this.byKey.values()).size
    }
  }

  /** Creates the {@link BlockPool} of a non-shared config, wired to the manager's hooks. */
  private makeLocal(type: ResourceType, config: PoolConfig): Result<ManagedPool, InvalidPoolConfig | PoolExhausted> {
    const { admitGrowth, onRelease } = this.options
    const made: { pool?: BlockPool } = {}
    // Being created (not made yet) or registered: a destroyed pool is never registered again.
    const live = (): boolean => made.pool === undefined || this.isRegistered(type, made.pool)
    // destroyPool released the pool's whole capacity: from then on the pool reports nothing. Its growth is
    // refused without asking the hook; a growth whose pool the hook itself destroyed while it decided is refused
    // too, and the bytes the hook admitted are handed back. A destroyed pool is charged nothing.
    const admit = (bytes: number): boolean => {
      if (!live() || admitGrowth?.(type, bytes) !== true) return false
      if (live()) return true
      safeCall(onRelease, type, bytes)
      return false
    }
    // and its trims (a caller who kept the pool object) are not reported: their bytes were released by destroyPool
    const onCapacityChange = (delta: number): void => {
      if (delta < 0 && live()) onRelease?.(type, -delta)
    }
    const result = BlockPool.make({
      name: config.name ?? `${type}-${config.blockSize}`,
      blockSize: config.blockSize,
      initialCount: config.initialCount,
      maxCount: config.maxCount,
      ...(config.alignment === undefined ? {} : { alignment: config.alignment }),
      ...(config.debug === undefined ? {} : { debug: config.debug }),
      ...(admitGrowth === undefined ? {} : { admitGrowth: admit }),
      ...(onRelease === undefined ? {} : { onCapacityChange })
    })
    if (result.ok) made.pool = result.value
    return result
  }

  /** Charges a shared config's whole capacity through `admitGrowth`, then creates its {@link SharedBlockPool}. */
  private makeShared(
    type: ResourceType,
    config: PoolConfig,
    layout: { readonly name: string; readonly blockSize: number; readonly maxCount: number }
  ): Result<ManagedPool, InvalidPoolConfig | PoolExhausted> {
    const bytes = layout.blockSize * layout.maxCount
    if (this.options.admitGrowth !== undefined && safeCall(this.options.admitGrowth, type, bytes) !== true) {
      const { name: pool, blockSize, maxCount } = layout
      return err(new PoolExhausted({ pool, blockSize, maxCount, refusedBytes: bytes }))
    }
    const made = SharedBlockPool.make({
      name: layout.name,
      blockSize: config.blockSize,
      blockCount: layout.maxCount,
      ...(config.alignment === undefined ? {} : { alignment: config.alignment }),
      ...(config.debug === undefined ? {} : { debug: config.debug })
    })
    if (made.ok) return made
    safeCall(this.options.onRelease, type, bytes)
    // the config's field is maxCount (the shared pool's blockCount)
    return made.error.field === "blockCount" ? err(new InvalidPoolConfig({ ...made.error, field: "maxCount" })) : made
  }

  /** Rebuilds the size-class routing table of `type` from the registered pools. */
  private rebuild(type: ResourceType): void {
    const pools = new Set<ManagedPool>()
    for (const entry of this.byKey.values()) if (entry.type === type) pools.add(entry.pool)
    if (pools.size === 0) {
      this.tables.delete(type)
      return
    }
    const table = this.tables.get(type) ?? new SizeClassTable<ManagedPool>()
    table.rebuild(pools)
    this.tables.set(type, table)
  }
}

// `PoolManager<Memory 64 B, Memory 4096 B, Hardware 16 B; hits 12, misses 1, exhausted fallbacks 0>`
printAs(PoolManager.prototype, (manager) => {
  const pools = manager.pools().map(({ type, pool }) => `${type} ${pool.blockSize} B`)
  const { hits, misses, exhaustedFallbacks } = manager.routingStats()
  return `PoolManager<${pools.join(", ") || "no pools"}; hits ${hits}, misses ${misses}, exhausted fallbacks ${exhaustedFallbacks}>`
})

/** A power of two in [1, 2^30]. */
const isAlignment = (n: unknown): n is number =>
  typeof n === "number" && Number.isSafeInteger(n) && n >= 1 && n <= MAX_ALIGNMENT && (n & (n - 1)) === 0

/** `PoolNotFound` for caller input (a value that is not a type name is printed, not trusted). */
const notFound = (type: unknown, blockSize: unknown) =>
  new PoolNotFound({
    resourceType: (isResourceType(type) ? type : show(type)) as ResourceType,
    blockSize: typeof blockSize === "number" ? blockSize : Number.NaN
  })

/** The error of a bad `allocate` request, naming the field: `Memory request`, or `request` for a type that is none. */
const requestError = (type: unknown, field: string, value: unknown, issue: string) =>
  err(
    new InvalidPoolConfig({
      pool: isResourceType(type) ? `${type} request` : "request",
      field,
      value: show(value),
      issue
    })
  )
