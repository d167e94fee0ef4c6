/**
 * Debug-mode poisoning of freed blocks: a freed block is filled with {@link POISON}; when it is handed out
 * again, any other byte proves it was written after it was freed.
 *
 * @internal
 * @module
 */

/** The byte a freed block is filled with in debug mode. */
export const POISON = 0xdd

/** Fills a block with the poison byte. */
export const poison = (view: Uint8Array): void => {
  view.fill(POISON)
}

/** Whether every byte of the block still holds the poison. */
export const isPoisoned = (view: Uint8Array): boolean => {
  for (let i = 0; i < view.length; i++) if (view[i] !== POISON) return false
  return true
}
