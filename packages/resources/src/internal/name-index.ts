/**
 * The index of live names: an open-addressing hash table (linear probing, backward-shift deletion) of slot
 * indexes in an Int32Array, comparing against the state's per-slot names. About 8 bytes per live name
 * (a `Map` entry costs ≈ 40), no tombstones, and O(1) insert/delete under churn (a `Map` costs O(n) per
 * set+delete pair of a fresh key on Bun and Node).
 *
 * @since 0.1.0
 */

import { inRingInterval } from "./ring.ts"

/** FNV-1a over UTF-16 code units. */
const hashOf = (name: string): number => {
  let hash = 0x811c9dc5
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193)
  return hash >>> 0
}

/**
 * Live name → slot.
 *
 * @example
 * ```ts
 * const names: Array<string> = []
 * const index = new NameIndex(names)
 * names[3] = "texture"
 * index.add("texture", 3)
 * index.get("texture") // 3
 * ```
 *
 * @since 0.1.0
 */
export class NameIndex {
  private table = new Int32Array(16).fill(-1)
  private mask = 15
  /** Live names. */
  size = 0

  /** `names`: the state's per-slot names (read, never written). */
  constructor(private readonly names: { at(slot: number): string | undefined }) {}

  /** The slot of a live name, or -1. */
  get(name: string): number {
    const table = this.table
    const mask = this.mask
    for (let i = hashOf(name) & mask; ; i = (i + 1) & mask) {
      const slot = table[i] as number
      if (slot < 0) return -1
      if (this.names.at(slot) === name) return slot
    }
  }

  /** Adds a name that is not in the index. */
  add(name: string, slot: number): void {
    if ((this.size + 1) * 2 > this.table.length) this.grow()
    const table = this.table
    const mask = this.mask
    let i = hashOf(name) & mask
    while ((table[i] as number) >= 0) i = (i + 1) & mask
    table[i] = slot
    this.size++
  }

  /** Removes a live name (its slot must still carry the name). */
  delete(name: string): void {
    const table = this.table
    const mask = this.mask
    let i = hashOf(name) & mask
    for (;;) {
      const slot = table[i] as number
      if (slot < 0) return
      if (this.names.at(slot) === name) break
      i = (i + 1) & mask
    }
    // backward-shift deletion: move later entries of the probe run into the hole
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const slot = table[j] as number
      if (slot < 0) break
      const home = hashOf(this.names.at(slot) ?? "") & mask
      if (inRingInterval(i, home, j)) continue
      table[i] = slot
      i = j
    }
    table[i] = -1
    this.size--
  }

  private grow(): void {
    const old = this.table
    this.table = new Int32Array(old.length * 2).fill(-1)
    this.mask = this.table.length - 1
    this.size = 0
    for (const slot of old) if (slot >= 0) this.add(this.names.at(slot) ?? "", slot)
  }
}
