/**
 * A wait queue: higher priority first, FIFO within a priority. Four FIFO lanes (one per priority), each an
 * array with a head index; leaving the middle of a lane marks the entry and skips it lazily, so push,
 * head, shift and remove are O(1) amortized. An entry that left from the middle is still referenced by its
 * lane (skipped while its `queued` flag is false), so it must not be pushed into another queue; the head
 * (`head()`, then `remove`) leaves no reference and may be.
 *
 * @since 0.1.0
 */

/**
 * What a queue holds: anything with a priority rank (0 = Low … 3 = Critical) and a `queued` flag the queue
 * clears when the entry leaves.
 *
 * @since 0.1.0
 * @category models
 */
export interface Queued {
  readonly priority: number
  queued: boolean
}

/**
 * A priority-then-FIFO queue with O(1) removal from anywhere.
 *
 * @example
 * ```ts
 * const queue = new WaitQueue<{ priority: number; queued: boolean }>()
 * queue.push({ priority: 1, queued: false })
 * queue.head()?.priority // 1
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class WaitQueue<A extends Queued> {
  private lanes: Array<Array<A | undefined>> = [[], [], [], []]
  private readonly heads: Array<number> = [0, 0, 0, 0]
  /** Entries that left from the middle of each lane and are still in it (skipped lazily). */
  private readonly dead: Array<number> = [0, 0, 0, 0]
  /** Entries waiting at each priority rank. */
  readonly counts: Array<number> = [0, 0, 0, 0]
  /** Entries waiting in all. */
  size = 0

  /** Appends `entry` behind every entry of the same or a higher priority. */
  push(entry: A): void {
    const lane = this.lanes[entry.priority]
    if (lane === undefined) return
    entry.queued = true
    lane.push(entry)
    this.counts[entry.priority] = (this.counts[entry.priority] ?? 0) + 1
    this.size++
  }

  /** The entry served next, or undefined. */
  head(): A | undefined {
    if (this.size === 0) return undefined
    for (let rank = 3; rank >= 0; rank--) {
      if ((this.counts[rank] ?? 0) === 0) continue
      const lane = this.lanes[rank] as Array<A | undefined>
      let at = this.heads[rank] ?? 0
      while (at < lane.length) {
        const entry = lane[at]
        if (entry?.queued) {
          this.heads[rank] = at
          this.compact(rank)
          return entry
        }
        at++
      }
    }
    return undefined
  }

  /** Takes `entry` out of the queue (no-op when it already left). */
  remove(entry: A): void {
    if (!entry.queued) return
    entry.queued = false
    const rank = entry.priority
    this.counts[rank] = (this.counts[rank] ?? 1) - 1
    this.size--
    const lane = this.lanes[rank]
    if (lane === undefined) return
    if (this.counts[rank] === 0) {
      lane.length = 0
      this.heads[rank] = 0
      this.dead[rank] = 0
      return
    }
    // the head leaves no trace: it may join another queue (a name waiter moving to its type queue), and a
    // reference left behind would read as queued again
    const head = this.heads[rank] ?? 0
    if (lane[head] === entry) {
      lane[head] = undefined
      this.heads[rank] = head + 1
      this.compact(rank)
      return
    }
    if (lane[lane.length - 1] === entry) {
      lane.pop()
      while (lane.length > 0 && lane[lane.length - 1]?.queued !== true) {
        lane.pop()
        this.dead[rank] = Math.max(0, (this.dead[rank] ?? 1) - 1)
      }
      return
    }
    const dead = (this.dead[rank] ?? 0) + 1
    this.dead[rank] = dead
    if (dead > 32 && dead * 2 > lane.length - (this.heads[rank] ?? 0)) {
      const live = lane.filter((e, i) => i >= (this.heads[rank] ?? 0) && e?.queued === true)
      this.lanes[rank] = live
      this.heads[rank] = 0
      this.dead[rank] = 0
    }
  }

  /** How many entries wait at priority `rank` or higher (the ones a new request of that rank queues behind). */
  atOrAbove(rank: number): number {
    let total = 0
    for (let r = rank; r <= 3; r++) total += this.counts[r] ?? 0
    return total
  }

  /**
   * Visits every waiting entry in service order, as `entries()` lists them, without building an array (the
   * deadlock check reads every queue on every wait).
   */
  forEach(visit: (entry: A) => void): void {
    if (this.size === 0) return
    for (let rank = 3; rank >= 0; rank--) {
      const lane = this.lanes[rank] as Array<A | undefined>
      for (let at = this.heads[rank] ?? 0; at < lane.length; at++) {
        const entry = lane[at]
        if (entry?.queued) visit(entry)
      }
    }
  }

  /** Every waiting entry in service order. */
  entries(): Array<A> {
    const out: Array<A> = []
    if (this.size === 0) return out
    for (let rank = 3; rank >= 0; rank--) {
      const lane = this.lanes[rank] as Array<A | undefined>
      for (let at = this.heads[rank] ?? 0; at < lane.length; at++) {
        const entry = lane[at]
        if (entry?.queued) out.push(entry)
      }
    }
    return out
  }

  private compact(rank: number): void {
    const lane = this.lanes[rank] as Array<A | undefined>
    const head = this.heads[rank] ?? 0
    if (head > 64 && head * 2 > lane.length) {
      lane.splice(0, head)
      this.heads[rank] = 0
    }
  }
}
