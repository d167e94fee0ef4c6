/**
 * BlockPool: fixed-size blocks carved from one ArrayBuffer, O(1) alloc/free through an Int32Array free list.
 *
 * @module
 */
import { InvalidBlock, InvalidPoolConfig, PoolExhausted, UseAfterFree } from "./generated/errors.ts"
import { BlockStorage, hasResizableArrayBuffer } from "./internal/block-storage.ts"
import { readOptions, show, showName } from "./internal/caller-input.ts"
import { handleIssue, takeTag } from "./internal/handle.ts"
import { isPoisoned, poison } from "./internal/poison.ts"
import { poolLine, printAs } from "./internal/printed.ts"
import { retired } from "./internal/retired.ts"
import { safeCall } from "./internal/safe-call.ts"
import { statsOf } from "./internal/stats-of.ts"
import { validateLayout } from "./PoolConfig.ts"
import type { PoolStats } from "./PoolStats.ts"
import { err, ok, type Result } from "./Result.ts"

/**
 * What `alloc` returns when no block is available (the hot path never throws).
 *
 * @since 0.1.0
 * @category constants
 */
export const NO_BLOCK: -1 = -1

/**
 * Free-list word of an allocated block. A freed block's word holds the next freed index, or END; a block never
 * handed out since it was added (at or past `fresh`) is on no list, and its word is never ALLOCATED.
 */
const ALLOCATED = -2
const END = -1
/** Growth when a pool runs dry: double, by at least this many blocks. */
const MIN_GROWTH = 8
const EMPTY_VIEW = new Uint8Array(0)

/** The fields of {@link BlockPoolOptions}, read once from a caller's object. */
const blockPoolKeys = [
  "name",
  "blockSize",
  "initialCount",
  "maxCount",
  "alignment",
  "debug",
  "storage",
  "admitGrowth",
  "onCapacityChange",
  "onUseAfterFree"
] as const

/**
 * How a pool keeps its blocks: `"resizable"`, one resizable ArrayBuffer that grows and shrinks at its tail;
 * `"slabs"`, a list of ArrayBuffers (one per growth). The option `BlockPoolOptions.storage` asks for one, and
 * `BlockPool.storageKind` says which the pool has.
 *
 * @example
 * ```ts
 * import { BlockPool, type StorageKind } from "@flight-hal/pool"
 *
 * const made = BlockPool.make({ blockSize: 64, maxCount: 16, storage: "slabs" })
 * if (!made.ok) throw made.error
 * const kind: StorageKind = made.value.storageKind // "slabs"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type StorageKind = "resizable" | "slabs"

/**
 * Options of {@link BlockPool.make}.
 *
 * @since 0.1.0
 * @category models
 */
export interface BlockPoolOptions {
  /** Bytes per block, a safe integer ≥ 1, rounded up to `alignment`. */
  readonly blockSize: number
  /** The most blocks the pool may hold (≤ 2^23, capacity ≤ 2 GiB). */
  readonly maxCount: number
  /** Blocks allocated at creation (default 0). */
  readonly initialCount?: number | undefined
  /** Block alignment, a power of two (default 8). */
  readonly alignment?: number | undefined
  /** Name used in stats and errors (default `pool-<blockSize>`). */
  readonly name?: string | undefined
  /** Poison freed blocks and verify the poison on the next alloc. */
  readonly debug?: boolean | undefined
  /**
   * `"slabs"`: slab storage even where resizable ArrayBuffers exist. `"resizable"`: one buffer, or InvalidPoolConfig
   * when the runtime refuses to reserve `maxCount × blockSize` for it. Default: one buffer when the runtime has
   * resizable ArrayBuffers and grants the reservation, else slabs.
   */
  readonly storage?: StorageKind | undefined
  /**
   * Called before the pool takes more memory (including the initial blocks), with the bytes it wants; return
   * `false` to refuse (the pool unchanged). A throw counts as `false`. When it refuses the growth an `alloc`
   * asked for, the alloc asks for less: one block, then power-of-two steps below the refused one (each a growth
   * of its own, asked of this hook), so the pool takes as many blocks as the hook admits; the alloc fails with
   * the sentinel only when even one block is refused.
   * While it (or `onCapacityChange` of a growth) runs, the pool does not grow again: a nested `alloc` that
   * would need growth fails as exhausted ({@link NO_BLOCK}), a nested `grow` returns 0 and `trim` returns 0.
   */
  readonly admitGrowth?: ((bytes: number) => boolean) | undefined
  /**
   * Called after the capacity changed, with the signed change in bytes (positive: grown; negative: trimmed).
   * When the runtime fails to provide memory that `admitGrowth` had accepted, the refund comes as a negative
   * change too. Reporting a growth, it runs inside that growth: `grow` and `trim` from it return 0.
   */
  readonly onCapacityChange?: ((deltaBytes: number) => void) | undefined
  /** Debug mode: called when `alloc` hands out a block whose poison was overwritten. */
  readonly onUseAfterFree?: ((error: UseAfterFree) => void) | undefined
}

/**
 * A pool of fixed-size blocks in one ArrayBuffer (a resizable one where the runtime has it, else extra slabs),
 * growing from `initialCount` to `maxCount` without ever moving a block.
 *
 * - `alloc()` returns a block handle (an integer ≥ 0) or {@link NO_BLOCK}; it never throws.
 * - `view(handle)` is the block's bytes: a zero-copy Uint8Array created once per block and cached.
 * - `free(handle)` returns `false`, and changes nothing, for a double free, an out-of-range handle or a handle
 *   of another pool (each pool tags its handles: one of 256 tags, taken in turn by the pools made in a thread).
 * - Bookkeeping is one Int32 per block: the free-list link of a freed block, or an "allocated" mark. Blocks
 *   never handed out since they were added are taken in index order past the freed ones (no list to walk), so
 *   the peak use is the number of blocks ever handed out, and the hot path keeps no peak.
 * - `tryAlloc` / `tryFree` are the checked API: they return a {@link Result} with the typed error.
 *
 * @example
 * ```ts
 * import { BlockPool, NO_BLOCK } from "@flight-hal/pool"
 *
 * const made = BlockPool.make({ name: "audio", blockSize: 4096, initialCount: 10, maxCount: 50 })
 * if (!made.ok) throw made.error
 * const pool = made.value
 * const block = pool.alloc()
 * if (block !== NO_BLOCK) {
 *   pool.view(block).fill(0) // the block's 4096 bytes, no copy
 *   pool.free(block)
 * }
 * ```
 *
 * @since 0.1.0
 * @category pools
 */
export class BlockPool {
  // Layout, for the hot path: the counters alloc and free change come first; every field set in the constructor
  // is `declare`d (no class-field definition before it), so that it is written once. A property written once
  // is one the JIT may fold into the compiled alloc/free (a constant tag); the free-list words are written once
  // too unless the pool grows past its initial blocks or is trimmed. The two `if (this.debug)` stay: a subclass
  // for debug mode would take them off the hot path, for 87 bytes of the plain bundle (docs/pools.md, "Benchmarks").

  /** Top of the stack of freed blocks (END: none). */
  private head = END
  private allocations = 0
  private frees = 0
  /** Blocks at or past this index have not been handed out since they were added (they are free). */
  private fresh = 0
  private capacity = 0
  /** The most blocks in use at once before the last trim (since then: `fresh`, see {@link BlockPool.stats}). */
  private peak = 0
  private failures = 0
  private invalidFrees = 0
  private useAfterFree = 0
  /** A growth is in progress (its hooks are running): nested growths and trims are refused. Off the hot path. */
  private growing = false
  /**
   * The bytes `admitGrowth` refused at the last growth that was tried (0: none refused, or refused by the manager
   * that destroyed the pool), for `PoolExhausted`.
   */
  private refusedBytes = 0
  /** Views created on first use, once per block (holes until then). */
  private readonly views: Array<Uint8Array | undefined> = []

  /** One word per block (see ALLOCATED); sized for the initial blocks in the constructor. */
  declare private next: Int32Array
  declare private readonly tag: number
  /** Whether freed blocks are poisoned and checked. */
  declare readonly debug: boolean
  /** The pool's name. */
  declare readonly name: string
  /** Bytes per block (rounded up to the alignment). */
  declare readonly blockSize: number
  /** Block alignment in bytes. */
  declare readonly alignment: number
  /** Blocks allocated at creation. */
  declare readonly initialCount: number
  /** The most blocks the pool may hold. */
  declare readonly maxCount: number
  /** How the blocks are stored: one resizable ArrayBuffer, or slabs. */
  declare readonly storageKind: StorageKind
  declare private readonly storage: BlockStorage
  declare private readonly admitGrowth: ((bytes: number) => boolean) | undefined
  declare private readonly onCapacityChange: ((deltaBytes: number) => void) | undefined
  declare private readonly onUseAfterFree: ((error: UseAfterFree) => void) | undefined

  private constructor(
    layout: { name: string; blockSize: number; alignment: number; initialCount: number; maxCount: number },
    options: BlockPoolOptions,
    storage: BlockStorage
  ) {
    this.next = new Int32Array(layout.initialCount)
    this.tag = takeTag()
    this.debug = options.debug === true
    this.name = layout.name
    this.blockSize = layout.blockSize
    this.alignment = layout.alignment
    this.initialCount = layout.initialCount
    this.maxCount = layout.maxCount
    this.storageKind = storage.kind
    this.storage = storage
    this.admitGrowth = options.admitGrowth
    this.onCapacityChange = options.onCapacityChange
    this.onUseAfterFree = options.onUseAfterFree
  }

  /**
   * Validates `options` and creates the pool with its initial blocks. Invalid sizes (zero, negative, NaN,
   * fractional, unsafe integers, non-power-of-two alignment, initialCount > maxCount, capacity over 2 GiB)
   * give `InvalidPoolConfig` and allocate nothing; initial blocks refused by `admitGrowth` give `PoolExhausted`
   * with `refusedBytes` (the initial capacity in bytes).
   *
   * @example
   * ```ts
   * import { BlockPool } from "@flight-hal/pool"
   *
   * const r = BlockPool.make({ blockSize: 64, initialCount: 16, maxCount: 1024, alignment: 16 })
   * if (r.ok) console.log(r.value.stats().totalBlocks) // 16
   * ```
   *
   * @since 0.1.0
   * @category constructors
   */
  static make(input: BlockPoolOptions): Result<BlockPool, InvalidPoolConfig | PoolExhausted> {
    // read once: what is checked is what the pool is made of
    const read = readOptions(input, blockPoolKeys, "pool")
    if (read instanceof InvalidPoolConfig) return err(read)
    const layout = validateLayout(read as BlockPoolOptions)
    if (!layout.ok) return layout
    const invalid = (field: string, value: unknown, issue: string) =>
      err(new InvalidPoolConfig({ pool: showName(layout.value.name), field, value: show(value), issue }))
    const storage = read.storage
    if (storage !== undefined && storage !== "slabs" && storage !== "resizable") {
      return invalid("storage", storage, 'must be "resizable" or "slabs"')
    }
    if (read.debug !== undefined && typeof read.debug !== "boolean")
      return invalid("debug", read.debug, "must be a boolean")
    for (const hook of ["admitGrowth", "onCapacityChange", "onUseAfterFree"] as const) {
      if (read[hook] !== undefined && typeof read[hook] !== "function")
        return invalid(hook, read[hook], "must be a function")
    }
    const kind: StorageKind = storage === "slabs" || !hasResizableArrayBuffer ? "slabs" : "resizable"
    const { blockSize, maxCount } = layout.value
    // a resizable buffer reserves maxCount × blockSize of address space at once, which can be refused: slabs
    // instead, unless the caller asked for one buffer
    const blocks =
      BlockStorage.make(blockSize, maxCount, kind) ??
      (storage === "resizable" ? undefined : BlockStorage.make(blockSize, maxCount, "slabs"))
    if (blocks === undefined) {
      return invalid(
        "storage",
        storage,
        `the runtime could not reserve ${blockSize * maxCount} bytes of address space for one buffer (use "slabs")`
      )
    }
    return new BlockPool(layout.value, read as BlockPoolOptions, blocks).initial()
  }

  /** Allocates the initial blocks; `PoolExhausted` (with the bytes refused) when `admitGrowth` refuses them. */
  private initial(): Result<BlockPool, PoolExhausted> {
    if (this.initialCount > 0 && !this.growTo(this.initialCount)) return err(this.exhausted())
    return ok(this)
  }

  /**
   * Takes a free block in O(1) and returns its handle, growing the pool if it is empty and below maxCount (by
   * the default step of {@link grow}, or by as many blocks as `admitGrowth` admits when it refuses that step);
   * returns {@link NO_BLOCK} (-1) when no block can be had. Never throws. Blocks are not cleared: a block handed
   * out again holds what its last holder wrote (`view(h).fill(0)` when that matters), one never handed out reads
   * zero, and in debug mode both hold the poison (0xDD).
   *
   * @example
   * ```ts
   * import { BlockPool, NO_BLOCK } from "@flight-hal/pool"
   *
   * const made = BlockPool.make({ blockSize: 64, maxCount: 1 })
   * if (!made.ok) throw made.error
   * const pool = made.value
   * const h = pool.alloc() // a handle ≥ 0
   * if (pool.alloc() === NO_BLOCK) console.log("exhausted") // maxCount reached
   * pool.free(h)
   * ```
   *
   * @since 0.1.0
   * @category hot path
   */
  alloc(): number {
    const next = this.next
    let i = this.head
    if (i >= 0) this.head = next[i] as number
    else {
      // no freed block: the first fresh one (in the body, not a call: a call here, taken once, slows alloc down)
      i = this.fresh
      if (i >= this.capacity) return this.allocSlow()
      this.fresh = i + 1
    }
    next[i] = ALLOCATED
    this.allocations++
    if (this.debug) this.checkPoison(i)
    // the tag's bits are above every index: `|` is `+` here, without the overflow check an add compiles to
    return i | this.tag
  }

  /**
   * Returns a block in O(1). Returns `false` and leaves the pool unchanged when the handle is not a block this
   * pool handed out and that is still in use (double free, out of range, non-integer, not a number, or another
   * pool's handle). Another pool's handle is told by its tag: pools made in one thread share a tag only when made
   * a multiple of 256 pools apart, pools made in two threads (a shared pool made elsewhere) 1 time in 256; a
   * handle of a pool with this pool's tag is caught only by the range and double-free checks (docs/pools.md,
   * "Handles").
   *
   * @example
   * ```ts
   * import { BlockPool } from "@flight-hal/pool"
   *
   * const made = BlockPool.make({ blockSize: 64, maxCount: 8 })
   * if (!made.ok) throw made.error
   * const pool = made.value
   * const h = pool.alloc()
   * pool.free(h) // true
   * pool.free(h) // false: double free, rejected
   * ```
   *
   * @since 0.1.0
   * @category hot path
   */
  free(handle: number): boolean {
    // typeof first: a numeric string ("3") would pass the arithmetic and free a block, a Symbol or a BigInt throw;
    // then an int32 (a fraction, NaN or a number past 32 bits would be truncated by the `^`)
    if (typeof handle !== "number" || (handle | 0) !== handle) return this.rejectFree()
    // The tag's bits off: `^` undoes alloc's `|` (no overflow check either). Another pool's tag leaves bits at or
    // above 2^23, past any index; a negative handle stays negative.
    const i = handle ^ this.tag
    const next = this.next
    // One state read decides: only an allocated block's word is ALLOCATED, and an index that is out of range
    // (negative, past the capacity) reads `undefined`.
    if (next[i] !== ALLOCATED) return this.rejectFree()
    next[i] = this.head
    this.head = i
    this.frees++
    if (this.debug) poison(this.blockView(i))
    return true
  }

  /** A rejected free: counted, nothing else changes. */
  private rejectFree(): false {
    this.invalidFrees++
    return false
  }

  /**
   * The block's bytes: a zero-copy Uint8Array of `blockSize` bytes, created once per block. An invalid handle
   * gets an empty view. The view of a freed block still aliases it: do not use it after `free`.
   *
   * @example
   * ```ts
   * import { BlockPool } from "@flight-hal/pool"
   *
   * const made = BlockPool.make({ blockSize: 64, maxCount: 8 })
   * if (!made.ok) throw made.error
   * const pool = made.value
   * const h = pool.alloc()
   * pool.view(h).set([1, 2, 3]) // writes the block's first 3 bytes, no copy
   * pool.free(h)
   * ```
   *
   * @since 0.1.0
   * @category hot path
   */
  view(handle: number): Uint8Array {
    if (typeof handle !== "number") return EMPTY_VIEW
    const i = handle - this.tag
    return this.views[i] ?? (i >>> 0 === i && i < this.capacity ? this.blockView(i) : EMPTY_VIEW)
  }

  /**
   * The block index (0 ≤ index < totalBlocks) behind a handle of this pool, or -1.
   *
   * @since 0.1.0
   * @category getters
   */
  indexOf(handle: number): number {
    if (typeof handle !== "number") return -1
    const i = handle - this.tag
    return Number.isInteger(i) && i >= 0 && i < this.capacity ? i : -1
  }

  /**
   * Whether `handle` names a block of this pool that is currently allocated.
   *
   * @since 0.1.0
   * @category getters
   */
  isAllocated(handle: number): boolean {
    const i = this.indexOf(handle)
    return i >= 0 && this.next[i] === ALLOCATED
  }

  /**
   * Checked alloc: the handle, or `PoolExhausted` (with `refusedBytes` when the pool is below maxCount and
   * `admitGrowth` refused its growth; not when the pool's `PoolManager` destroyed it and refused it itself), or (debug mode) `UseAfterFree` when the next free block's poison was
   * overwritten — that block is re-poisoned and stays free, nothing else changes.
   *
   * @example
   * ```ts
   * import { BlockPool } from "@flight-hal/pool"
   *
   * const made = BlockPool.make({ blockSize: 64, maxCount: 1 })
   * if (!made.ok) throw made.error
   * const pool = made.value
   * pool.tryAlloc() // ok: the only block
   * const r = pool.tryAlloc()
   * if (!r.ok) console.error(r.error._tag) // "PoolExhausted" (or "UseAfterFree" in debug mode)
   * ```
   *
   * @since 0.1.0
   * @category checked
   */
  tryAlloc(): Result<number, PoolExhausted | UseAfterFree> {
    const upcoming = this.head >= 0 ? this.head : this.fresh < this.capacity ? this.fresh : END
    if (this.debug && upcoming >= 0) {
      const view = this.blockView(upcoming)
      if (!isPoisoned(view)) {
        this.useAfterFree++
        poison(view)
        return err(new UseAfterFree({ pool: this.name, index: upcoming }))
      }
    }
    const handle = this.alloc()
    return handle === NO_BLOCK ? err(this.exhausted()) : ok(handle)
  }

  /**
   * Checked free: `InvalidBlock` with the reason (`issue`): not an integer handle, negative handle, out of range,
   * not a block of this pool (foreign handle), already free (double free), or never allocated; the pool is
   * unchanged then.
   *
   * @example
   * ```ts
   * import { BlockPool } from "@flight-hal/pool"
   *
   * const made = BlockPool.make({ blockSize: 64, maxCount: 8 })
   * if (!made.ok) throw made.error
   * const pool = made.value
   * const r = pool.tryFree(12345)
   * if (!r.ok) console.error(r.error.issue) // why the handle was rejected
   * ```
   *
   * @since 0.1.0
   * @category checked
   */
  tryFree(handle: number): Result<void, InvalidBlock> {
    if (this.free(handle)) return ok(undefined)
    const index = typeof handle === "number" ? handle : Number.NaN
    return err(new InvalidBlock({ pool: this.name, index, issue: this.invalidIssue(handle) }))
  }

  /** Why `free(handle)` rejected the handle, for `InvalidBlock.issue` (only on refusal: off the hot path). */
  private invalidIssue(handle: number): string {
    // a block of this pool that is not allocated: freed (it was handed out: below `fresh`), or never handed out
    // since the pool added it
    return (
      handleIssue(handle, this.tag, this.capacity) ??
      (handle - this.tag < this.fresh ? "already free (double free)" : "never allocated")
    )
  }

  /**
   * Adds up to `blocks` blocks now (default: double the pool, at least 8), never beyond maxCount, without
   * moving existing blocks. Returns the blocks added: 0 at maxCount, when `admitGrowth` refuses, when called
   * from a hook of a growth in progress, or for a `blocks` that is not a positive integer (`null`, NaN, -1, 2.5:
   * only an omitted `blocks` takes the default).
   *
   * @since 0.1.0
   * @category capacity
   */
  grow(blocks?: number): number {
    const want = blocks === undefined ? Math.max(this.capacity, MIN_GROWTH) : blocks
    if (!Number.isSafeInteger(want) || want <= 0) return 0
    const target = Math.min(this.maxCount, this.capacity + want)
    const before = this.capacity
    return target > before && this.growTo(target) ? target - before : 0
  }

  /**
   * Releases the free blocks at the tail (past the last allocated block, keeping at least `minBlocks`), where
   * the storage can: a resizable buffer shrinks to any block, slab storage drops whole slabs. Returns the bytes
   * released (0 when none) and reports them through `onCapacityChange`. Called from a hook of a growth in
   * progress (`admitGrowth`, or `onCapacityChange` reporting a growth), or with a `minBlocks` that is not an
   * integer ≥ 0 (`null`, NaN, -1, 2.5: only an omitted `minBlocks` means 0), it releases nothing and returns 0.
   *
   * @example
   * ```ts
   * import { BlockPool } from "@flight-hal/pool"
   *
   * const made = BlockPool.make({ blockSize: 64, initialCount: 32, maxCount: 64 })
   * if (!made.ok) throw made.error
   * const pool = made.value
   * const released = pool.trim() // e.g. under memory pressure: the bytes given back (0 if the storage cannot shrink)
   * ```
   *
   * @since 0.1.0
   * @category capacity
   */
  trim(minBlocks = 0): number {
    // called from a hook of a growth in progress: the blocks being added stay
    if (this.growing) return 0
    const next = this.next
    // a count that is not one (NaN, negative, fractional, not a number) keeps every block, as grow adds none
    const floor = Number.isSafeInteger(minBlocks) && minBlocks >= 0 ? Math.min(minBlocks, this.capacity) : this.capacity
    let keep = this.capacity
    while (keep > floor && next[keep - 1] !== ALLOCATED) keep--
    keep = this.storage.shrinkTarget(keep)
    if (keep >= this.capacity) return 0
    // Unlink the released blocks, keeping the order of the rest.
    let head = END
    let tail = END
    for (let i = this.head; i !== END; ) {
      const after = next[i] as number
      if (i < keep) {
        if (tail === END) head = i
        else next[tail] = i
        tail = i
      }
      i = after
    }
    if (tail !== END) next[tail] = END
    this.head = head
    // the blocks handed out so far bound the peak; past the trim, `fresh` counts again from fewer blocks
    if (this.fresh > this.peak) this.peak = this.fresh
    if (this.fresh > keep) this.fresh = keep
    const released = (this.capacity - keep) * this.blockSize
    this.storage.shrink(keep)
    this.next = next.slice(0, keep)
    this.views.length = keep
    this.capacity = keep
    safeCall(this.onCapacityChange, -released)
    return released
  }

  /**
   * The pool's statistics, computed in O(1).
   *
   * @since 0.1.0
   * @category stats
   */
  stats(): PoolStats {
    return statsOf({
      name: this.name,
      blockSize: this.blockSize,
      totalBlocks: this.capacity,
      allocations: this.allocations,
      frees: this.frees,
      // Every block below `fresh` was handed out, and the freed ones are taken before any fresh one: when a
      // fresh block is taken, every block below it is in use. So the peak since the last trim is `fresh`.
      peakUsedBlocks: Math.max(this.peak, this.fresh),
      failures: this.failures,
      invalidFrees: this.invalidFrees,
      useAfterFree: this.useAfterFree
    })
  }

  /**
   * Bytes of bookkeeping per block: the Int32 free-list word.
   *
   * @since 0.1.0
   * @category stats
   */
  get bookkeepingBytesPerBlock(): number {
    return this.capacity === 0 ? Int32Array.BYTES_PER_ELEMENT : this.next.byteLength / this.capacity
  }

  /**
   * Walks the free list and checks it: every listed block is in range, listed once and free, and the list
   * holds exactly the blocks not in use. Returns the number of free blocks, or -1 if the list is corrupt.
   * O(totalBlocks): for tests and diagnostics.
   *
   * @since 0.1.0
   * @category diagnostics
   */
  verifyFreeList(): number {
    const seen = new Uint8Array(this.capacity)
    let count = 0
    for (let i = this.head; i !== END; i = this.next[i] as number) {
      if (!(i >= 0 && i < this.fresh) || seen[i] === 1) return -1
      seen[i] = 1
      count++
    }
    let allocated = 0
    for (let i = 0; i < this.capacity; i++) {
      if (this.next[i] !== ALLOCATED) continue
      if (i >= this.fresh) return -1
      allocated++
    }
    count += this.capacity - this.fresh
    return count + allocated === this.capacity && allocated === this.allocations - this.frees ? count : -1
  }

  /**
   * `alloc` with no free block: grows (below maxCount; by less than the default step when `admitGrowth` refuses
   * it) and retries, else counts a failure.
   */
  private allocSlow(): number {
    this.refusedBytes = 0
    if (this.capacity < this.maxCount && (this.grow() > 0 || this.growWithinBudget() > 0)) return this.alloc()
    this.failures++
    return NO_BLOCK
  }

  /**
   * After `admitGrowth` refused alloc's default step: the most blocks it admits below that step, at least the one
   * the alloc needs. One block is asked first (so a budget with no room is asked once more, not once per halving),
   * then steps of a power of two, largest first, each taken when admitted: under a budget that admits whatever
   * fits its room, the blocks added are as many as fit. Returns the blocks added; none when the step was refused
   * otherwise (a destroyed pool, no memory: `refusedBytes` is 0) or was one block. When even one block is
   * refused, `refusedBytes` stays the step's.
   */
  private growWithinBudget(): number {
    const refused = this.refusedBytes
    const step = refused / this.blockSize
    if (step <= 1) return 0
    if (this.grow(1) === 0) {
      this.refusedBytes = refused
      return 0
    }
    let added = 1
    let chunk = 1
    while (chunk * 2 <= step - 2) chunk *= 2
    for (; chunk >= 1; chunk /= 2) if (added + chunk < step) added += this.grow(chunk)
    return added
  }

  /**
   * Extends the pool to `target` blocks (subject to `admitGrowth`); `false` leaves it unchanged. Not re-entrant:
   * a growth asked for by one of its own hooks (`admitGrowth`, `onCapacityChange`) is refused, so a hook that
   * allocates or grows cannot recurse, and one that trims cannot take away the blocks an alloc grew for.
   */
  private growTo(target: number): boolean {
    if (this.growing) return false
    this.growing = true
    try {
      return this.extendTo(target)
    } finally {
      this.growing = false
    }
  }

  /** {@link growTo}'s work, with its guard set. */
  private extendTo(target: number): boolean {
    const from = this.capacity
    const bytes = (target - from) * this.blockSize
    if (this.admitGrowth !== undefined && safeCall(this.admitGrowth, bytes) !== true) {
      // the budget's refusal, unless the pool's manager destroyed it (the manager refuses its growth, before or
      // while its budget decides)
      this.refusedBytes = retired.has(this) ? 0 : bytes
      return false
    }
    let next: Int32Array
    try {
      // the words of the initial blocks were made with the pool (zeros: none ALLOCATED)
      next = this.next.length >= target ? this.next : new Int32Array(target)
      this.storage.extend(target)
    } catch {
      // The runtime is out of memory: the pool stays as it was, and bytes admitted are handed back.
      if (this.admitGrowth !== undefined) safeCall(this.onCapacityChange, -bytes)
      return false
    }
    if (this.debug) poison(this.storage.rangeOf(from, target))
    this.views.length = target
    // the new blocks are fresh: past `fresh` (every block between it and `from` is fresh too), on no list
    if (next !== this.next) {
      next.set(this.next)
      this.next = next
    }
    this.capacity = target
    safeCall(this.onCapacityChange, bytes)
    return true
  }

  /** Debug mode: reports a use-after-free when block i's poison was overwritten. */
  private checkPoison(i: number): void {
    const view = this.blockView(i)
    if (isPoisoned(view)) return
    this.useAfterFree++
    safeCall(this.onUseAfterFree, new UseAfterFree({ pool: this.name, index: i }))
  }

  /** The cached view of block i (in range), created on first use. */
  private blockView(i: number): Uint8Array {
    const cached = this.views[i]
    if (cached !== undefined) return cached
    const view = this.storage.viewOf(i)
    this.views[i] = view
    return view
  }

  /**
   * The `PoolExhausted` error of the alloc (or the creation) that just failed: with the bytes `admitGrowth` refused
   * when its growth was refused, else every block is in use at maxCount.
   */
  private exhausted(): PoolExhausted {
    const { name, blockSize, maxCount, refusedBytes } = this
    return new PoolExhausted(
      refusedBytes > 0 && this.capacity < maxCount
        ? { pool: name, blockSize, maxCount, refusedBytes }
        : { pool: name, blockSize, maxCount }
    )
  }
}

// `BlockPool<audio: 4096 B blocks, 3 of 10 used, max 50>`, and `, debug` in debug mode
printAs(BlockPool.prototype, (pool) => poolLine("BlockPool", pool, `max ${pool.maxCount}`))
