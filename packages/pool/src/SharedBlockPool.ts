/**
 * SharedBlockPool: fixed-size blocks in a SharedArrayBuffer, shared lock-free between threads (workers).
 *
 * @module
 */
import { InvalidBlock, InvalidPoolConfig, PoolDetached, PoolExhausted, UseAfterFree } from "./generated/errors.ts"
import { readOptions, show, showName, showThrown } from "./internal/caller-input.ts"
import { handleIssue, takeTag } from "./internal/handle.ts"
import { isPoisoned, poison } from "./internal/poison.ts"
import { poolLine, printAs } from "./internal/printed.ts"
import {
  ALLOCATED,
  END,
  H,
  HEAD64,
  LAYOUT_VERSION,
  layoutOf,
  MAGIC,
  NAME_MAX_BYTES,
  NAME_OFFSET,
  SLOT,
  SLOT_BYTES,
  SLOT_COUNTERS
} from "./internal/shared-layout.ts"
import { statsOf } from "./internal/stats-of.ts"
import { MAX_BLOCKS, MAX_POOL_BYTES, validateLayout } from "./PoolConfig.ts"
import type { PoolStats } from "./PoolStats.ts"
import { err, ok, type Result } from "./Result.ts"

/**
 * Options of {@link SharedBlockPool.make}. An optional field left out or `undefined` takes its default.
 *
 * @since 0.1.0
 * @category models
 */
export interface SharedBlockPoolOptions {
  /** Bytes per block, a safe integer ≥ 1, rounded up to `alignment`. */
  readonly blockSize: number
  /** Blocks in the pool, all allocated at creation (a shared pool does not grow). */
  readonly blockCount: number
  /** Block alignment, a power of two (default 8). */
  readonly alignment?: number | undefined
  /** Name used in stats and errors (stored in the buffer, up to 128 UTF-8 bytes; default `pool-<blockSize>`). */
  readonly name?: string | undefined
  /** How many threads may be attached at once, including the creator (default 16, at most 1024). */
  readonly maxThreads?: number | undefined
  /**
   * Blocks moved between a thread's cache and the shared free list at once (default: blockCount / (4 ×
   * maxThreads), between 1 and 64). A thread caches at most twice this many free blocks.
   */
  readonly batchSize?: number | undefined
  /** Poison freed blocks and verify the poison on the next alloc (default `false`). */
  readonly debug?: boolean | undefined
}

const DEFAULT_MAX_THREADS = 16
const MAX_THREADS = 1024
const MAX_BATCH = 64
const EMPTY_VIEW = new Uint8Array(0)
/** The index part of the tagged head (the low 32 bits). */
const LOW32 = 0xffffffffn

/** Adds `delta` to a counter (typed arrays index as `number | undefined` under noUncheckedIndexedAccess). */
const add = (counters: Float64Array, index: number, delta: number): void => {
  counters[index] = (counters[index] as number) + delta
}

/** Why a pool cannot be made where SharedArrayBuffer is missing, and what a web page needs for it. */
const NO_SHARED_MEMORY =
  "SharedArrayBuffer is not available: in a browser, serve the page cross-origin isolated (COOP: same-origin, COEP: require-corp)"

const invalid = (pool: string, field: string, value: unknown, issue: string): InvalidPoolConfig =>
  new InvalidPoolConfig({ pool: showName(pool), field, value: show(value), issue })

/** SharedArrayBuffer's and ArrayBuffer's own `byteLength` getters: brand checks that run no caller code. */
const sharedByteLengthGetter: (() => number) | undefined =
  typeof SharedArrayBuffer === "function"
    ? Object.getOwnPropertyDescriptor(SharedArrayBuffer.prototype, "byteLength")?.get
    : undefined
const plainByteLengthGetter = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength")?.get

/**
 * The byte length of `value` if `getter` is its kind of buffer's, else -1. Never throws and never runs a getter or
 * Proxy trap of `value` (`instanceof` would run a Proxy's getPrototypeOf, `.byteLength` its get).
 */
const byteLengthBy = (getter: (() => number) | undefined, value: unknown): number => {
  if (getter === undefined || typeof value !== "object" || value === null) return -1
  try {
    return getter.call(value)
  } catch {
    return -1
  }
}

/** The byte length of `value` if it is a real SharedArrayBuffer, else -1. */
const sharedByteLength = (value: unknown): number => byteLengthBy(sharedByteLengthGetter, value)

/** `attach`'s argument as its error prints it: the kind of buffer and its length, without running caller code. */
const shownBuffer = (value: unknown): string => {
  const shared = sharedByteLength(value)
  const plain = byteLengthBy(plainByteLengthGetter, value)
  return shared >= 0
    ? `a SharedArrayBuffer of ${shared} bytes`
    : plain >= 0
      ? `an ArrayBuffer of ${plain} bytes`
      : (typeof value === "object" && value !== null) || typeof value === "function"
        ? "an object"
        : show(value)
}

/**
 * The first header field of a buffer whose magic and version match that is out of range or disagrees with the
 * others or the buffer's length (undefined: none). Every field `attach` and the attached pool rely on is
 * checked, so that a corrupt header is refused here rather than read out of range by a later alloc or flush.
 */
const badHeaderField = (header: Int32Array, head64: BigInt64Array, byteLength: number): string | undefined => {
  const size = header[H.blockSize] as number
  const count = header[H.blockCount] as number
  const threads = header[H.maxThreads] as number
  const batch = header[H.batchSize] as number
  const align = header[H.alignment] as number
  const tag = header[H.tag] as number
  const nameLength = header[H.nameLength] as number
  if (size < 1) return "blockSize"
  if (count < 1 || count > MAX_BLOCKS) return "blockCount"
  if (threads < 1 || threads > MAX_THREADS) return "maxThreads"
  if (batch < 1 || batch > MAX_BATCH) return "batchSize"
  if (align < 1 || (align & (align - 1)) !== 0 || size % align !== 0) return "alignment"
  if (tag < 0 || tag % 2 ** 23 !== 0) return "tag"
  if (header[H.indexBits] !== 32 - Math.clz32(count)) return "indexBits"
  if (nameLength < 0 || nameLength > NAME_MAX_BYTES) return "nameLength"
  const layout = layoutOf(size, count, threads, align)
  if (header[H.wordsOffset] !== layout.wordsOffset) return "wordsOffset"
  if (header[H.dataOffset] !== layout.dataOffset || layout.totalBytes > byteLength) return "dataOffset"
  const head = Atomics.load(head64, HEAD64)
  const first = Number(head & LOW32) - 1
  if (first < END || first >= count) return "head"
  if (first === END) return undefined
  // The first listed block must link on (a refill would retry forever on an allocated one); a word read while
  // another thread popped that block is not a corruption: only a head unchanged since counts.
  const link = Atomics.load(new Int32Array(header.buffer, layout.wordsOffset, count), first)
  return (link < END || link >= count) && Atomics.load(head64, HEAD64) === head ? "head" : undefined
}

/** The fields of {@link SharedBlockPoolOptions}, read once from a caller's object. */
const sharedPoolKeys = ["name", "blockSize", "blockCount", "alignment", "maxThreads", "batchSize", "debug"] as const

/**
 * A pool of fixed-size blocks in one SharedArrayBuffer, allocated and freed from any number of threads at
 * once without locks.
 *
 * - The shared free list is a Treiber stack whose head word packs the block index with a version counter
 *   (ABA-safe: a stale compare-and-swap fails even when the same index is back on top).
 * - Each thread has a private cache of free blocks, refilled from and drained to the shared list in batches,
 *   so the alloc+free pair usually touches no shared word but the block's own (one Atomics op per free).
 * - A block's Int32 word holds its free-list link or an "allocated" mark; `free` swaps the mark atomically,
 *   so a double free (even racing on two threads), an out-of-range or a foreign handle is rejected and never
 *   corrupts the list. A block may be freed by another thread than the one that allocated it. Handles carry the
 *   pool's tag, the next of the creating thread's 256 (as a `BlockPool`'s): a pool made in another thread
 *   shares it 1 time in 256, and its handles are then caught only by the range and double-free checks.
 * - Create the pool in one thread, send `pool.buffer` to workers, and {@link SharedBlockPool.attach} there.
 *   Each thread detaches when done (`detach()` or `using`), returning its cached blocks.
 *
 * Blocks in one thread's cache are invisible to the others: an alloc can fail while another thread caches
 * free blocks (at most 2 × batchSize per thread). A failed alloc asks every thread to drain its cache on its
 * next free.
 *
 * @example
 * ```ts
 * import { SharedBlockPool } from "@flight-hal/pool"
 *
 * const made = SharedBlockPool.make({ name: "frames", blockSize: 1024, blockCount: 4096 })
 * if (!made.ok) throw made.error
 * const pool = made.value
 * const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" })
 * worker.postMessage(pool.buffer) // the worker calls SharedBlockPool.attach(buffer)
 * const h = pool.alloc()
 * if (h >= 0) pool.free(h)
 * ```
 *
 * @since 0.1.0
 * @category pools
 */
export class SharedBlockPool {
  /** The SharedArrayBuffer holding the whole pool: send it to a worker and attach there. */
  readonly buffer: SharedArrayBuffer
  /** The pool's name (stored in the buffer). */
  readonly name: string
  /** Bytes per block (a multiple of `alignment`). */
  readonly blockSize: number
  /** Block alignment in bytes (a power of two): every block's `byteOffset` in `buffer` is a multiple of it. */
  readonly alignment: number
  /** Blocks in the pool. */
  readonly blockCount: number
  /** Blocks moved between this thread's cache and the shared list at once. */
  readonly batchSize: number
  /** Whether freed blocks are poisoned and checked. */
  readonly debug: boolean
  /** This thread's slot (0 ≤ slot < maxThreads). */
  readonly slot: number

  private readonly header: Int32Array
  /** The header as BigInt64 words: the tagged head is `head64[HEAD64]`. */
  private readonly head64: BigInt64Array
  private readonly words: Int32Array
  private readonly counters: Float64Array
  private readonly views: Array<Uint8Array | undefined>
  private readonly dataOffset: number
  private readonly tag: number
  private readonly cacheLimit: number
  /** Blocks this handle accepts; 0 after detach. */
  private capacity: number
  private localHead = END
  private localCount = 0
  /** While `rebuild` calls its `isHeld`: this handle takes and gives back nothing (see {@link rebuild}). */
  private rebuilding = false

  static {
    // `SharedBlockPool<frames: 1024 B blocks, 5 of 4096 used, slot 0>`, `, debug` and `, detached` when so
    printAs(SharedBlockPool.prototype, (pool) =>
      poolLine("SharedBlockPool", pool, `slot ${pool.slot}${pool.capacity === 0 ? ", detached" : ""}`)
    )
  }

  private constructor(buffer: SharedArrayBuffer, slot: number, name: string) {
    const header = new Int32Array(buffer, 0, 64)
    this.buffer = buffer
    this.header = header
    this.head64 = new BigInt64Array(buffer, 0, 32)
    this.name = name
    this.slot = slot
    this.blockSize = header[H.blockSize] as number
    this.alignment = header[H.alignment] as number
    this.blockCount = header[H.blockCount] as number
    this.capacity = this.blockCount
    this.batchSize = header[H.batchSize] as number
    this.cacheLimit = 2 * this.batchSize
    this.debug = header[H.debug] === 1
    this.tag = header[H.tag] as number
    this.dataOffset = header[H.dataOffset] as number
    this.words = new Int32Array(buffer, header[H.wordsOffset] as number, this.blockCount)
    const slotOffset = 256 + slot * SLOT_BYTES
    this.counters = new Float64Array(buffer, slotOffset + 8, SLOT_COUNTERS)
    this.views = new Array<Uint8Array | undefined>(this.blockCount)
  }

  /**
   * Creates a pool (all `blockCount` blocks at once) and attaches the calling thread to it. Invalid sizes give
   * `InvalidPoolConfig` and allocate nothing; so does a runtime without SharedArrayBuffer (a web page that is not
   * cross-origin isolated): field `threadSafe`, its issue naming what the page needs (COOP: same-origin, COEP:
   * require-corp).
   *
   * @example
   * ```ts
   * import { SharedBlockPool } from "@flight-hal/pool"
   *
   * const r = SharedBlockPool.make({ blockSize: 256, blockCount: 1024, maxThreads: 4 })
   * if (r.ok) console.log(r.value.stats().totalBlocks) // 1024
   * ```
   *
   * @since 0.1.0
   * @category constructors
   */
  static make(input: SharedBlockPoolOptions): Result<SharedBlockPool, InvalidPoolConfig> {
    // read once: what is checked is what the pool is made of
    const read = readOptions(input, sharedPoolKeys, "pool")
    if (read instanceof InvalidPoolConfig) return err(read)
    const options = read as SharedBlockPoolOptions
    const layout = validateLayout({
      name: options.name,
      blockSize: options.blockSize,
      maxCount: options.blockCount,
      initialCount: options.blockCount,
      alignment: options.alignment
    })
    if (!layout.ok) {
      const e = layout.error
      // the layout's error names the block pool's fields; its value is already printed
      return e.field === "maxCount" || e.field === "initialCount"
        ? err(new InvalidPoolConfig({ pool: e.pool, field: "blockCount", value: e.value, issue: e.issue }))
        : layout
    }
    const { name, blockSize, maxCount: blockCount, alignment } = layout.value
    if (options.debug !== undefined && typeof options.debug !== "boolean") {
      return err(invalid(name, "debug", options.debug, "must be a boolean"))
    }
    // only a field left out takes its default: null is a (bad) value
    const maxThreads = options.maxThreads === undefined ? DEFAULT_MAX_THREADS : options.maxThreads
    if (!Number.isSafeInteger(maxThreads) || maxThreads < 1 || maxThreads > MAX_THREADS) {
      return err(invalid(name, "maxThreads", maxThreads, `must be an integer from 1 to ${MAX_THREADS}`))
    }
    const batchSize =
      options.batchSize === undefined
        ? Math.max(1, Math.min(MAX_BATCH, Math.floor(blockCount / (4 * maxThreads))))
        : options.batchSize
    if (!Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH) {
      return err(invalid(name, "batchSize", batchSize, `must be an integer from 1 to ${MAX_BATCH}`))
    }
    const { wordsOffset, dataOffset, totalBytes } = layoutOf(blockSize, blockCount, maxThreads, alignment)
    if (totalBytes > MAX_POOL_BYTES) {
      // a pool of one block over the limit too: the block size's fault, not the count's
      const one = layoutOf(blockSize, 1, maxThreads, alignment).totalBytes > MAX_POOL_BYTES
      const [field, value] = one ? ["blockSize", options.blockSize] : ["blockCount", blockCount]
      return err(invalid(name, field, value, `the pool needs ${totalBytes} bytes, over ${MAX_POOL_BYTES}`))
    }
    if (typeof SharedArrayBuffer !== "function") {
      return err(invalid(name, "threadSafe", true, NO_SHARED_MEMORY))
    }
    let buffer: SharedArrayBuffer
    try {
      buffer = new SharedArrayBuffer(totalBytes)
    } catch {
      return err(invalid(name, "blockCount", blockCount, `the runtime could not allocate ${totalBytes} bytes`))
    }
    const header = new Int32Array(buffer, 0, 64)
    header[H.version] = LAYOUT_VERSION
    header[H.blockSize] = blockSize
    header[H.blockCount] = blockCount
    header[H.tag] = takeTag()
    header[H.maxThreads] = maxThreads
    header[H.batchSize] = batchSize
    header[H.indexBits] = 32 - Math.clz32(blockCount)
    header[H.dataOffset] = dataOffset
    header[H.wordsOffset] = wordsOffset
    header[H.alignment] = alignment
    header[H.debug] = options.debug === true ? 1 : 0
    const encoded = new TextEncoder().encode(name)
    // a long name is cut at a character's boundary, not inside its UTF-8 bytes (a continuation byte is 10xxxxxx)
    let nameLength = Math.min(encoded.length, NAME_MAX_BYTES)
    while (nameLength < encoded.length && nameLength > 0 && ((encoded[nameLength] as number) & 0xc0) === 0x80)
      nameLength--
    const nameBytes = encoded.subarray(0, nameLength)
    new Uint8Array(buffer, NAME_OFFSET, NAME_MAX_BYTES).set(nameBytes)
    header[H.nameLength] = nameBytes.length
    const words = new Int32Array(buffer, wordsOffset, blockCount)
    for (let i = 0; i < blockCount; i++) words[i] = i + 1 < blockCount ? i + 1 : END
    if (options.debug === true) new Uint8Array(buffer, dataOffset, blockSize * blockCount).fill(0xdd)
    new BigInt64Array(buffer, 0, 32)[HEAD64] = 1n // index 0, version 0
    Atomics.store(header, H.magic, MAGIC)
    return SharedBlockPool.attach(buffer)
  }

  /**
   * Attaches the calling thread to a pool created elsewhere, from its buffer (claims one of its `maxThreads`
   * slots). Errors (`InvalidPoolConfig`): not a pool buffer (anything but a SharedArrayBuffer itself, a Proxy over
   * one too, or a header whose fields are out of range or disagree with each other or the buffer's length: pool
   * `SharedBlockPool.attach`, field `buffer`, the value what was given, as `an ArrayBuffer of 4096 bytes`), or
   * every slot taken.
   *
   * @example
   * ```ts
   * // worker.ts
   * import { SharedBlockPool } from "@flight-hal/pool"
   *
   * self.onmessage = (event: MessageEvent<SharedArrayBuffer>) => {
   *   const attached = SharedBlockPool.attach(event.data)
   *   if (!attached.ok) throw attached.error
   *   using pool = attached.value // detaches at the end of the scope
   *   const h = pool.alloc()
   *   if (h >= 0) pool.free(h)
   * }
   * ```
   *
   * @since 0.1.0
   * @category constructors
   */
  static attach(buffer: SharedArrayBuffer): Result<SharedBlockPool, InvalidPoolConfig> {
    // a buffer that is no pool's has no pool name: the error names the call
    const refuse = (issue: string) =>
      err(new InvalidPoolConfig({ pool: "SharedBlockPool.attach", field: "buffer", value: shownBuffer(buffer), issue }))
    const byteLength = sharedByteLength(buffer)
    const header = byteLength < 256 ? undefined : new Int32Array(buffer, 0, 64)
    if (header === undefined || Atomics.load(header, H.magic) !== MAGIC || header[H.version] !== LAYOUT_VERSION) {
      return refuse("not the SharedArrayBuffer of a SharedBlockPool")
    }
    const bad = badHeaderField(header, new BigInt64Array(buffer, 0, 32), byteLength)
    if (bad !== undefined) return refuse(`a corrupt SharedBlockPool header (${bad} out of range)`)
    const name = new TextDecoder().decode(new Uint8Array(buffer, NAME_OFFSET, header[H.nameLength] as number).slice())
    const maxThreads = header[H.maxThreads] as number
    const claims = new Int32Array(buffer, 256, (maxThreads * SLOT_BYTES) / 4)
    for (let slot = 0; slot < maxThreads; slot++) {
      if (Atomics.compareExchange(claims, (slot * SLOT_BYTES) / 4, 0, 1) === 0) {
        return ok(new SharedBlockPool(buffer, slot, name))
      }
    }
    return err(invalid(name, "maxThreads", maxThreads, `all ${maxThreads} thread slots are attached`))
  }

  /**
   * Frees the thread slot `slot` of a pool whose thread is gone (terminated without `detach`), so that another
   * thread may attach. Blocks that thread held or kept in its cache are not recovered here: its owner (for
   * example a shared manager, which flushes after each free) gives held blocks back with `free`. Returns false
   * for a buffer that is not a pool's or a slot out of range.
   *
   * @example
   * ```ts
   * import { SharedBlockPool } from "@flight-hal/pool"
   *
   * const made = SharedBlockPool.make({ blockSize: 64, blockCount: 8, maxThreads: 2 })
   * if (made.ok) SharedBlockPool.releaseSlot(made.value.buffer, 1) // true: slot 1 is free again
   * ```
   *
   * @since 0.1.0
   * @category constructors
   */
  static releaseSlot(buffer: SharedArrayBuffer, slot: number): boolean {
    if (sharedByteLength(buffer) < 256) return false
    const header = new Int32Array(buffer, 0, 64)
    if (Atomics.load(header, H.magic) !== MAGIC || !Number.isSafeInteger(slot)) return false
    if (slot < 0 || slot >= (header[H.maxThreads] as number)) return false
    Atomics.store(new Int32Array(buffer, 256 + slot * SLOT_BYTES, 1), 0, 0)
    return true
  }

  /**
   * Takes a free block and returns its handle, or -1 when none is available or this handle has detached
   * ({@link SharedBlockPool.tryAlloc} tells the two apart). Never throws. Usually served from this thread's cache
   * without touching shared state; refills a batch from the shared list when it is empty.
   *
   * @since 0.1.0
   * @category hot path
   */
  alloc(): number {
    const i = this.localHead
    if (i < 0) return this.refillAndAlloc()
    const words = this.words
    this.localHead = words[i] as number
    words[i] = ALLOCATED
    this.localCount--
    add(this.counters, SLOT.allocations, 1)
    if (this.debug) this.checkPoison(i)
    return i + this.tag
  }

  /**
   * Returns a block (allocated by any thread) into this thread's cache. Returns `false` and changes nothing for
   * a double free (also when two threads race to free it), an out-of-range, foreign or non-integer handle (a
   * foreign handle as far as tags tell pools apart: see `BlockPool.free`).
   *
   * @since 0.1.0
   * @category hot path
   */
  free(handle: number): boolean {
    if (typeof handle !== "number") return this.rejectFree() // before the arithmetic: a Symbol or BigInt throws
    const i = handle - this.tag
    if (i >>> 0 !== i || i >= this.capacity) return this.rejectFree()
    if (Atomics.compareExchange(this.words, i, ALLOCATED, this.localHead) !== ALLOCATED) return this.rejectFree()
    // poisoned once this free has won: the block is in this thread's cache, which no other thread takes from (a
    // poison written before the exchange could land, from a losing double free, on a block already taken again)
    if (this.debug) poison(this.view(handle))
    this.localHead = i
    add(this.counters, SLOT.frees, 1)
    if (++this.localCount > this.cacheLimit) this.drainBatch(this.batchSize)
    else if (this.header[H.drainRequest] !== 0) this.flush()
    return true
  }

  /**
   * The block's bytes: a zero-copy Uint8Array into the shared buffer, created once per block and thread. An
   * invalid handle gets an empty view.
   *
   * @since 0.1.0
   * @category hot path
   */
  view(handle: number): Uint8Array {
    const i = typeof handle === "number" ? handle - this.tag : -1
    return this.views[i] ?? this.makeView(i)
  }

  /**
   * Checked alloc: the handle, `PoolExhausted`, `PoolDetached` when this handle has detached (after `detach()` it
   * takes no block, however many the pool has free; nothing is counted), or (debug mode) `UseAfterFree` when the
   * block's poison was overwritten (the block is then re-poisoned and returned to the cache).
   *
   * @since 0.1.0
   * @category checked
   */
  tryAlloc(): Result<number, PoolExhausted | PoolDetached | UseAfterFree> {
    // detached, not a rebuild's isHeld running (which also sets the capacity to 0 for a while)
    if (this.capacity === 0 && !this.rebuilding) return err(new PoolDetached({ pool: this.name, slot: this.slot }))
    const failedBefore = this.counters[SLOT.useAfterFree] as number
    const handle = this.alloc()
    if (handle < 0) {
      return err(new PoolExhausted({ pool: this.name, blockSize: this.blockSize, maxCount: this.blockCount }))
    }
    if (this.debug && this.counters[SLOT.useAfterFree] !== failedBefore) {
      poison(this.view(handle))
      this.free(handle)
      add(this.counters, SLOT.frees, -1)
      add(this.counters, SLOT.allocations, -1)
      return err(new UseAfterFree({ pool: this.name, index: handle - this.tag }))
    }
    return ok(handle)
  }

  /**
   * Checked free: `InvalidBlock` with the reason, as {@link BlockPool.tryFree} gives it (a block that is not
   * allocated is "already free, or never allocated": a shared pool cannot tell which); the pool is unchanged then.
   *
   * @since 0.1.0
   * @category checked
   */
  tryFree(handle: number): Result<void, InvalidBlock> {
    if (this.free(handle)) return ok(undefined)
    // the reasons as BlockPool gives them; a block in range whose free failed was not allocated: a shared pool
    // cannot tell a freed block from one never handed out (all are on its list from the start)
    const issue =
      handleIssue(handle, this.tag, this.blockCount) ??
      (this.rebuilding
        ? "a rebuild is running (its isHeld is being asked)"
        : this.capacity === 0
          ? "this thread has detached from the pool"
          : "not allocated (already free, or never allocated)")
    return err(new InvalidBlock({ pool: this.name, index: typeof handle === "number" ? handle : Number.NaN, issue }))
  }

  /**
   * Whether `handle` names a block of this pool that is currently allocated (by any thread).
   *
   * @since 0.1.0
   * @category getters
   */
  isAllocated(handle: number): boolean {
    const i = typeof handle === "number" ? handle - this.tag : -1
    return i >>> 0 === i && i < this.blockCount && Atomics.load(this.words, i) === ALLOCATED
  }

  /**
   * The block index (0 ≤ index < blockCount) behind a handle of this pool, or -1.
   *
   * @since 0.1.0
   * @category getters
   */
  indexOf(handle: number): number {
    const i = typeof handle === "number" ? handle - this.tag : -1
    return i >>> 0 === i && i < this.blockCount ? i : -1
  }

  /**
   * Returns every block cached by this thread to the shared list (e.g. before going idle). The pool stays
   * attached.
   *
   * @since 0.1.0
   * @category capacity
   */
  flush(): void {
    while (this.localCount > 0) this.drainBatch(this.localCount)
  }

  /**
   * Flushes this thread's cache and releases its slot. The handle accepts no further alloc or free (`tryAlloc`
   * gives `PoolDetached`); attach again to allocate.
   *
   * @since 0.1.0
   * @category lifecycle
   */
  detach(): void {
    if (this.capacity === 0) return
    this.flush()
    this.capacity = 0
    const claims = new Int32Array(this.buffer, 256 + this.slot * SLOT_BYTES, 1)
    Atomics.store(claims, 0, 0)
  }

  /** Same as {@link SharedBlockPool.detach}, for `using`. */
  [Symbol.dispose](): void {
    this.detach()
  }

  /**
   * Pool-wide statistics, summed over the thread slots (O(maxThreads)). `usedBlocks` counts blocks allocated
   * and not freed, by all threads; `peakUsedBlocks` is the peak of blocks outside the shared free list (in use
   * or parked in thread caches), an upper bound of the true peak. Counters of other threads are read without
   * synchronization: exact once they are quiet.
   *
   * @since 0.1.0
   * @category stats
   */
  stats(): PoolStats {
    const sum = (counter: number): number => this.summed(counter)
    return statsOf({
      name: this.name,
      blockSize: this.blockSize,
      totalBlocks: this.blockCount,
      allocations: sum(SLOT.allocations),
      frees: sum(SLOT.frees),
      peakUsedBlocks: Atomics.load(this.header, H.peakOutstanding),
      failures: sum(SLOT.failures),
      invalidFrees: sum(SLOT.invalidFrees),
      useAfterFree: sum(SLOT.useAfterFree)
    })
  }

  /**
   * Walks the shared free list and checks it: every listed block is in range, listed once and not allocated.
   * Returns the number of listed blocks, or -1 if the list is corrupt. For tests and diagnostics: call it
   * when no thread is using the pool.
   *
   * @since 0.1.0
   * @category diagnostics
   */
  verifySharedFreeList(): number {
    const seen = new Uint8Array(this.blockCount)
    let count = 0
    for (let i = Number(Atomics.load(this.head64, HEAD64) & LOW32) - 1; i !== END; ) {
      if (i < 0 || i >= this.blockCount || seen[i] === 1) return -1
      seen[i] = 1
      count++
      i = Atomics.load(this.words, i)
      if (i === ALLOCATED) return -1
    }
    return count
  }

  /**
   * Rebuilds the shared free list from what is held: every block for which `isHeld(handle)` is true stays
   * allocated, every other one is put back on the list (a block taken by a thread that was terminated in the
   * middle of an alloc, a free or a refill, or cached by it). Returns how many blocks came back that were not on
   * the list. Only while no other thread uses the pool (the shared manager calls it while it repairs its
   * ledger, with the other threads stopped and their caches empty); this thread's own cache is emptied too.
   * `stats()` agrees afterwards: `usedBlocks` is the number of held blocks (the blocks that came back count as
   * `frees` of this thread's slot; a held block no thread counted as allocated, as an allocation).
   *
   * `isHeld` is called once per block before anything changes. While it runs, this handle takes and gives back
   * nothing: an `alloc` from it returns -1 (not counted as a failure), a `free` is refused (not counted either),
   * `flush` and `detach` do nothing. Throws `InvalidPoolConfig` (field `isHeld`), the pool unchanged, when `isHeld`
   * is not a function, when it throws, or when it calls `rebuild` again.
   *
   * @example
   * ```ts
   * import { SharedBlockPool } from "@flight-hal/pool"
   *
   * const made = SharedBlockPool.make({ blockSize: 64, blockCount: 4, maxThreads: 2 })
   * if (made.ok) {
   *   const pool = made.value
   *   const kept = pool.alloc()
   *   pool.alloc() // taken by a thread that is gone
   *   console.log(pool.rebuild((handle) => handle === kept)) // 1
   *   console.log(pool.stats().usedBlocks) // 1
   * }
   * ```
   *
   * @since 0.1.0
   * @category diagnostics
   */
  rebuild(isHeld: (handle: number) => boolean): number {
    if (typeof isHeld !== "function") throw invalid(this.name, "isHeld", isHeld, "must be a function")
    if (this.rebuilding) {
      throw invalid(this.name, "isHeld", "rebuild", "must not call rebuild (a rebuild is running)")
    }
    // Ask first, change after: a throwing isHeld leaves the pool as it was. Meanwhile this handle's cache is set
    // aside and its capacity is 0, so a re-entrant alloc, free, flush or detach takes or gives back nothing.
    const isHeldMark = new Uint8Array(this.blockCount)
    const { localHead, localCount, capacity } = this
    this.localHead = END
    this.localCount = 0
    this.capacity = 0
    this.rebuilding = true
    try {
      for (let i = 0; i < isHeldMark.length; i++) if (isHeld(i + this.tag)) isHeldMark[i] = 1
    } catch (error) {
      throw invalid(this.name, "isHeld", isHeld, `threw (${showThrown(error)})`)
    } finally {
      this.localHead = localHead
      this.localCount = localCount
      this.capacity = capacity
      this.rebuilding = false
    }
    const words = this.words
    const listed = new Uint8Array(this.blockCount)
    for (let i = Number(Atomics.load(this.head64, HEAD64) & LOW32) - 1, n = 0; i >= 0 && n < this.blockCount; n++) {
      listed[i] = 1
      i = Atomics.load(words, i)
    }
    let next = END
    let held = 0
    let recovered = 0
    for (let i = this.blockCount - 1; i >= 0; i--) {
      if (isHeldMark[i] === 1) {
        Atomics.store(words, i, ALLOCATED)
        held++
        continue
      }
      if (listed[i] === 0) recovered++
      Atomics.store(words, i, next)
      next = i
    }
    const head = Atomics.load(this.head64, HEAD64)
    Atomics.store(this.head64, HEAD64, BigInt.asIntN(64, (((head >> 32n) + 1n) << 32n) | BigInt(next + 1)))
    Atomics.store(this.header, H.outstanding, held)
    // The counters agree with the list, in the same step: stats count allocations less frees as used, so the
    // blocks this rebuild took back that were counted allocated count as frees (of this slot), and blocks it keeps
    // held that no allocation counted (a thread stopped between taking a block and counting it) as allocations.
    const counted = this.summed(SLOT.allocations) - this.summed(SLOT.frees)
    if (counted > held) add(this.counters, SLOT.frees, counted - held)
    else if (counted < held) add(this.counters, SLOT.allocations, held - counted)
    this.localHead = END
    this.localCount = 0
    return recovered
  }

  /** One counter summed over every thread slot (O(maxThreads)). */
  private summed(counter: number): number {
    const maxThreads = this.header[H.maxThreads] as number
    const all = new Float64Array(this.buffer, 256, (maxThreads * SLOT_BYTES) / 8)
    const stride = SLOT_BYTES / 8
    let total = 0
    for (let s = 0; s < maxThreads; s++) total += all[s * stride + 1 + counter] as number
    return total
  }

  /** Counts a rejected free in the shared counters; returns `false` for `free`. */
  private rejectFree(): false {
    // a free refused because `rebuild` is asking isHeld is not the caller's mistake: not counted; nor is one by a
    // detached handle, whose slot may be another thread's by now
    if (!this.rebuilding && this.capacity !== 0) add(this.counters, SLOT.invalidFrees, 1)
    return false
  }

  /** Creates and caches the view of block i, or the empty view for an index out of range. */
  private makeView(i: number): Uint8Array {
    if (i >>> 0 !== i || i >= this.blockCount) return EMPTY_VIEW
    const view = new Uint8Array(this.buffer, this.dataOffset + i * this.blockSize, this.blockSize)
    this.views[i] = view
    return view
  }

  /** Debug mode: counts a use-after-free when block i's poison was overwritten. */
  private checkPoison(i: number): void {
    if (!isPoisoned(this.makeView(i))) add(this.counters, SLOT.useAfterFree, 1)
  }

  /** `alloc` with an empty local cache: refills it from the shared list and retries, else counts a failure. */
  private refillAndAlloc(): number {
    if (this.rebuilding) return -1
    if (this.capacity !== 0 && this.refill() > 0) {
      if (this.header[H.drainRequest] !== 0) Atomics.store(this.header, H.drainRequest, 0)
      return this.alloc()
    }
    // a detached handle counts nothing: its slot may be another thread's by now
    if (this.capacity === 0) return -1
    add(this.counters, SLOT.failures, 1)
    Atomics.store(this.header, H.drainRequest, 1)
    return -1
  }

  /** Pops up to batchSize blocks from the shared list into this thread's cache; returns how many. */
  private refill(): number {
    const header = this.header
    const head64 = this.head64
    const words = this.words
    const want = this.batchSize
    for (;;) {
      const head = Atomics.load(head64, HEAD64)
      const first = Number(head & LOW32) - 1
      if (first < 0) return 0
      let last = first
      let n = 1
      // Atomic reads and writes on the batch paths: the JIT must neither reuse a link read before a retry nor
      // move a link write past the compare-and-swap that publishes it.
      let after = Atomics.load(words, last)
      while (n < want && after >= 0) {
        last = after
        after = Atomics.load(words, last)
        n++
      }
      // A word below END means the snapshot went stale (the block was allocated meanwhile): the CAS must fail.
      if (after < END) continue
      const next = (((head >> 32n) + 1n) << 32n) | BigInt(after + 1)
      if (Atomics.compareExchange(head64, HEAD64, head, BigInt.asIntN(64, next)) !== head) continue
      Atomics.store(words, last, this.localHead)
      this.localHead = first
      this.localCount += n
      const outstanding = Atomics.add(header, H.outstanding, n) + n
      let peak = Atomics.load(header, H.peakOutstanding)
      while (outstanding > peak) {
        const seen = Atomics.compareExchange(header, H.peakOutstanding, peak, outstanding)
        if (seen === peak) break
        peak = seen
      }
      return n
    }
  }

  /** Pushes `n` blocks from this thread's cache onto the shared list with one CAS. */
  private drainBatch(n: number): void {
    const head64 = this.head64
    const words = this.words
    const first = this.localHead
    let last = first
    for (let k = 1; k < n; k++) last = Atomics.load(words, last)
    this.localHead = Atomics.load(words, last)
    this.localCount -= n
    const tail = BigInt(first + 1)
    for (;;) {
      const head = Atomics.load(head64, HEAD64)
      Atomics.store(words, last, Number(head & LOW32) - 1)
      const next = BigInt.asIntN(64, (((head >> 32n) + 1n) << 32n) | tail)
      if (Atomics.compareExchange(head64, HEAD64, head, next) === head) break
    }
    Atomics.sub(this.header, H.outstanding, n)
  }
}
