/**
 * The memory behind a BlockPool: one resizable ArrayBuffer where the runtime has one, else a list of slabs.
 * Either way, growing never moves a block, so the cached views stay valid.
 *
 * @internal
 * @module
 */
import type { StorageKind } from "../BlockPool.ts"

/** Whether this runtime has resizable ArrayBuffers (`new ArrayBuffer(n, { maxByteLength })`). */
export const hasResizableArrayBuffer: boolean =
  typeof (ArrayBuffer.prototype as { resize?: unknown }).resize === "function"

/** How a pool keeps its blocks (declared with the public `BlockPool`, where `storage` and `storageKind` name it). */
export type { StorageKind }

/** Fixed-size blocks in memory that can grow and shrink at the tail without moving. */
export class BlockStorage {
  readonly kind: StorageKind
  readonly blockSize: number
  private readonly resizable: ArrayBuffer | undefined
  /** Slab mode: each slab and the index of its first block (ascending). */
  private readonly slabs: Array<{ readonly buffer: ArrayBuffer; readonly first: number }> = []
  private count = 0

  private constructor(blockSize: number, kind: StorageKind, resizable: ArrayBuffer | undefined) {
    this.blockSize = blockSize
    this.kind = kind
    this.resizable = resizable
  }

  /**
   * Storage of `kind` for up to `maxCount` blocks, or undefined when a resizable buffer's address space (`blockSize ×
   * maxCount`, reserved up front) cannot be had: the runtime throws a RangeError there (`ulimit -v`, or the
   * process's mappings used up by many such pools). Slabs reserve nothing and never fail here.
   */
  static make(blockSize: number, maxCount: number, kind: StorageKind): BlockStorage | undefined {
    if (kind === "slabs") return new BlockStorage(blockSize, kind, undefined)
    try {
      return new BlockStorage(blockSize, kind, new ArrayBuffer(0, { maxByteLength: blockSize * maxCount }))
    } catch {
      return undefined
    }
  }

  /** The blocks currently backed by memory. */
  get blocks(): number {
    return this.count
  }

  /** Backs blocks [blocks, to) with memory. */
  extend(to: number): void {
    const from = this.count
    if (this.resizable !== undefined) this.resizable.resize(to * this.blockSize)
    else this.slabs.push({ buffer: new ArrayBuffer((to - from) * this.blockSize), first: from })
    this.count = to
  }

  /** A new view of block `i` (0 ≤ i < blocks). */
  viewOf(i: number): Uint8Array {
    const size = this.blockSize
    if (this.resizable !== undefined) return new Uint8Array(this.resizable, i * size, size)
    let k = this.slabs.length - 1
    while (k > 0 && (this.slabs[k]?.first ?? 0) > i) k--
    const slab = this.slabs[k] as { readonly buffer: ArrayBuffer; readonly first: number }
    return new Uint8Array(slab.buffer, (i - slab.first) * size, size)
  }

  /** A view of blocks [from, to) together. */
  rangeOf(from: number, to: number): Uint8Array {
    if (this.resizable !== undefined) {
      return new Uint8Array(this.resizable, from * this.blockSize, (to - from) * this.blockSize)
    }
    const first = this.viewOf(from)
    return new Uint8Array(first.buffer, first.byteOffset, (to - from) * this.blockSize)
  }

  /** The smallest block count ≥ `atLeast` the storage can shrink to (a slab boundary in slab mode). */
  shrinkTarget(atLeast: number): number {
    if (this.resizable !== undefined) return atLeast
    for (const slab of this.slabs) if (slab.first >= atLeast) return slab.first
    return this.count
  }

  /** Releases the memory of blocks [to, blocks); `to` must come from {@link shrinkTarget}. */
  shrink(to: number): void {
    if (this.resizable !== undefined) this.resizable.resize(to * this.blockSize)
    else while (this.slabs.length > 0 && (this.slabs[this.slabs.length - 1]?.first ?? -1) >= to) this.slabs.pop()
    this.count = to
  }
}
