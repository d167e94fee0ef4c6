/**
 * Sparse per-slot data (holders of shared resources, dependency edges, emergency overage) in a dense array
 * indexed by slot, with the part of the `Map` interface the state machine uses.
 *
 * Why not a `Map`: on Bun and Node a `Map` with n entries costs O(n) per `set`+`delete` pair of a fresh key
 * under churn (measured: ≈ 3 µs at 1,000 entries, ≈ 50 µs at 100,000), which would make sharing and
 * dependencies O(live resources). An array slot costs O(1) and 8 bytes per slot once used.
 *
 * @since 0.1.0
 */
export class SlotTable<V> {
  private readonly values: Array<V | undefined> = []
  /** Slots holding a value. */
  size = 0

  /** The value of a slot, or undefined. */
  get(slot: number): V | undefined {
    return slot < this.values.length ? this.values[slot] : undefined
  }

  /** Whether a slot holds a value. */
  has(slot: number): boolean {
    return this.get(slot) !== undefined
  }

  /** Sets a slot's value (never undefined). */
  set(slot: number, value: V): this {
    const values = this.values
    while (values.length <= slot) values.push(undefined)
    if (values[slot] === undefined) this.size++
    values[slot] = value
    return this
  }

  /** Clears a slot; true when it held a value. */
  delete(slot: number): boolean {
    if (this.get(slot) === undefined) return false
    this.values[slot] = undefined
    this.size--
    return true
  }
}
