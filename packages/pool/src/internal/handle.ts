/**
 * Block handles: a block index in the low {@link INDEX_BITS} bits and a per-pool tag above, so that a handle
 * of another pool falls out of range instead of naming one of this pool's blocks.
 *
 * @internal
 * @module
 */

/** Bits of a handle holding the block index. */
export const INDEX_BITS = 23

/** Mask of the index bits. */
export const INDEX_MASK: number = (1 << INDEX_BITS) - 1

/** Distinct pool tags (the 8 bits between the index and the sign bit). */
const TAG_COUNT = 256

let nextTag = 0

/** The next pool tag, already shifted into place; tags repeat only after {@link TAG_COUNT} pools. */
export const takeTag = (): number => {
  const tag = nextTag
  nextTag = (nextTag + 1) % TAG_COUNT
  // A shift, not a multiplication: the JIT must see an int32 here, not a double, or `index + tag` in the hot
  // path turns into double arithmetic.
  return tag << INDEX_BITS
}

/** A random tag for pools shared between threads (each thread's module has its own counter). */
export const randomTag = (): number => Math.floor(Math.random() * TAG_COUNT) << INDEX_BITS
