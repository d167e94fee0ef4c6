/**
 * The floor of the pool benchmarks: a hand-written minimal Int32Array free list with no checks, no stats and
 * no views. Every pool variant is reported as a ratio to its alloc+free pair.
 *
 * @module
 */

/** A bare LIFO free list over block indices 0..count-1. */
export class MinimalFreeList {
  private readonly next: Int32Array
  private head = 0

  constructor(count: number) {
    this.next = new Int32Array(count)
    for (let i = 0; i < count; i++) this.next[i] = i + 1 < count ? i + 1 : -1
  }

  alloc(): number {
    const i = this.head
    if (i < 0) return -1
    this.head = this.next[i] as number
    return i
  }

  free(i: number): void {
    this.next[i] = this.head
    this.head = i
  }
}
