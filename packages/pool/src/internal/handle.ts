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
export const TAG_COUNT = 256

/**
 * A source of pool tags starting at `start` (0 ≤ start < {@link TAG_COUNT}): each call gives the next one,
 * already shifted into place, so that tags repeat only after {@link TAG_COUNT} calls.
 */
export const tagSequence = (start: number): (() => number) => {
  let next = start
  return () => {
    const tag = next
    next = (next + 1) % TAG_COUNT
    // A shift, not a multiplication: the JIT must see an int32 here, not a double, or `index + tag` in the hot
    // path turns into double arithmetic.
    return tag << INDEX_BITS
  }
}

/**
 * The next pool tag of this thread, for BlockPools and SharedBlockPools alike: pools made in one thread share a
 * tag only when made a multiple of {@link TAG_COUNT} apart. Each thread (each worker) has its own copy of this
 * module, so its own sequence: it starts at a random tag, so that a pool made in another thread (a shared pool
 * attached here) shares its tag with a given pool of this one 1 time in 256, where a start at 0 in every
 * thread would give each thread's first pools the same tags.
 */
export const takeTag: () => number = tagSequence(Math.floor(Math.random() * TAG_COUNT))

/**
 * Why a handle is not one of a pool's blocks (tag `tag`, `capacity` blocks), or undefined when it names one:
 * the reasons `tryFree` gives before looking at the block's state. Off the hot path.
 */
export const handleIssue = (handle: unknown, tag: number, capacity: number): string | undefined => {
  if (typeof handle !== "number" || !Number.isInteger(handle)) return "not an integer handle"
  if (handle < 0) return "negative handle"
  // every handle is an int32: the tag's bits end below the sign bit
  if (handle > 0x7fffffff) return "out of range"
  const index = handle & INDEX_MASK
  if (handle - index !== tag) return "not a block of this pool (foreign handle)"
  return index < capacity ? undefined : "out of range"
}
