/**
 * Per-slot strings (resource names) in pages of 4,096 entries instead of one big array. A generational GC
 * remembers an old array as a whole once a young string is stored into it and rescans all of it at the next
 * minor collection: with 10^6 live resources one big array would cost an 8 MB scan per minor GC, pages cost
 * 32 KB. Writes that do not change the value are skipped (no write barrier at all for unnamed resources).
 *
 * @since 0.1.0
 */
const PAGE_BITS = 12
const PAGE_SIZE = 1 << PAGE_BITS
const PAGE_MASK = PAGE_SIZE - 1

/**
 * Strings indexed by slot, `""` when unset.
 *
 * @example
 * ```ts
 * const names = new PagedStrings()
 * names.set(5000, "texture")
 * names.at(5000) // "texture"
 * names.at(7) // ""
 * ```
 *
 * @since 0.1.0
 */
export class PagedStrings {
  private readonly pages: Array<Array<string>> = []

  /**
   * Whether any slot was ever given a string other than `""`: until then every slot's string is `""`, which a
   * caller on a hot path can know without a call (a manager of unnamed resources never makes a page).
   */
  get used(): boolean {
    return this.pages.length > 0
  }

  /** The string of a slot (`""` when unset). */
  at(slot: number): string {
    const page = this.pages[slot >>> PAGE_BITS]
    return page === undefined ? "" : (page[slot & PAGE_MASK] ?? "")
  }

  /** Sets the string of a slot (no write when unchanged). */
  set(slot: number, value: string): void {
    const index = slot >>> PAGE_BITS
    let page = this.pages[index]
    if (page === undefined) {
      if (value === "") return
      while (this.pages.length <= index) this.pages.push(new Array<string>(PAGE_SIZE).fill(""))
      page = this.pages[index] as Array<string>
    }
    if (page[slot & PAGE_MASK] !== value) page[slot & PAGE_MASK] = value
  }
}
