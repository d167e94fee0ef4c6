/**
 * A clock that reads `Date.now()` once per synchronous burst: the value is reused until the next microtask. A
 * clock read costs 20–90 ns, most of a fast acquisition's budget; ages in leak reports stay exact to within one
 * burst. What must advance inside a burst (a timeline's samples, a dump's time: a game loop that never yields
 * samples once per frame) reads the clock itself: `exactClock`.
 *
 * @internal
 * @module
 */

/** A clock read once per burst, with the exact clock it caches (`exact`). */
export interface BurstClock {
  (): number
  /** The clock itself, read on every call. */
  readonly exact: () => number
}

/** A fresh burst clock (each has its own cached reading). */
export const burstClock = (): BurstClock => {
  let cached = -1
  const expire = () => {
    cached = -1
  }
  const read = () => {
    if (cached < 0) {
      cached = Date.now()
      queueMicrotask(expire)
    }
    return cached
  }
  return Object.assign(read, { exact: Date.now })
}

/** The exact clock behind a manager's clock: a burst clock's own, else the clock itself (Effect's `Clock`). */
export const exactClock = (now: () => number): (() => number) => (now as Partial<BurstClock>).exact ?? now
