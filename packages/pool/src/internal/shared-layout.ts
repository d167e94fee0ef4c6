/**
 * The memory layout of a SharedBlockPool's SharedArrayBuffer, shared by every thread that attaches to it.
 *
 * ```
 * [0, 256)            header: Int32 words below; the free-list head on its own 64-byte line; the name
 * [256, +128·T)       one 128-byte slot per thread (T = maxThreads): claim word + Float64 counters
 * [.., +4·N)          one Int32 word per block (N = blockCount): free-list link, or ALLOCATED
 * [aligned, +S·N)     the blocks (S = blockSize), starting at a multiple of max(alignment, 64)
 * ```
 *
 * @internal
 * @module
 */

/** "FHAP" */
export const MAGIC = 0x46484150
export const LAYOUT_VERSION = 2
/** The BigInt64 word index of the head (`H.head / 2`). */
export const HEAD64 = 8

/** Int32 word indices of the header. */
export const H = {
  magic: 0,
  version: 1,
  blockSize: 2,
  blockCount: 3,
  tag: 4,
  maxThreads: 5,
  batchSize: 6,
  indexBits: 7,
  dataOffset: 8,
  wordsOffset: 9,
  alignment: 10,
  debug: 11,
  peakOutstanding: 12,
  outstanding: 13,
  nameLength: 14,
  drainRequest: 15,
  /**
   * The tagged free-list head, a BigInt64 word over Int32 words 16–17 (its own cache line): (version << 32) |
   * (index + 1). A 32-bit version: an ABA needs 2^32 head changes while one thread is between its load and its
   * compare-and-swap (a version in the bits left over by the index could wrap after 8 changes; see
   * spec/SharedFreeList.tla, MCSharedFreeListWrap).
   */
  head: 16
} as const

export const HEADER_BYTES = 256
export const NAME_OFFSET = 128
export const NAME_MAX_BYTES = 128
export const SLOT_BYTES = 128
/** Float64 counters of a slot, after its Int32 claim word (at byte 8 of the slot). */
export const SLOT = { allocations: 0, frees: 1, failures: 2, invalidFrees: 3, useAfterFree: 4 } as const
export const SLOT_COUNTERS = 5

/** Free-list word of an allocated block; a free block's word holds the next free index, or END. */
export const ALLOCATED = -2
export const END = -1

/** Byte offsets of the regions for a pool of `blockCount` blocks. */
export const layoutOf = (
  blockSize: number,
  blockCount: number,
  maxThreads: number,
  alignment: number
): { readonly wordsOffset: number; readonly dataOffset: number; readonly totalBytes: number } => {
  const wordsOffset = HEADER_BYTES + maxThreads * SLOT_BYTES
  const dataAlign = Math.max(alignment, 64)
  const dataOffset = Math.ceil((wordsOffset + 4 * blockCount) / dataAlign) * dataAlign
  return { wordsOffset, dataOffset, totalBytes: dataOffset + blockSize * blockCount }
}
