/**
 * Chart helpers of the report: round axis ticks and non-overlapping mark rows.
 *
 * @internal
 */

/**
 * Round axis ticks from 0 to at least `max`: a step of 1, 2 or 5 × 10^k (about `target` steps).
 */
export const niceTicks = (max: number, target = 5): ReadonlyArray<number> => {
  if (!(max > 0)) return [0, 1]
  const raw = max / target
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude
  const ticks: Array<number> = []
  for (let i = 0; ; i++) {
    const value = Number((i * step).toPrecision(12))
    ticks.push(value)
    if (value >= max) return ticks
  }
}

/**
 * Puts marks in rows so that none overlaps another: each mark goes to the first row whose last
 * mark is at least `gap` units to its left. Returns the row of each mark, in order.
 */
export const stackRows = (xs: ReadonlyArray<number>, gap: number): ReadonlyArray<number> => {
  const rowEnds: Array<number> = []
  return xs.map((x) => {
    let row = rowEnds.findIndex((end) => x - end >= gap)
    if (row === -1) row = rowEnds.length
    rowEnds[row] = x
    return row
  })
}

/**
 * Where each of a lane's segments starts, the lane running from `lo` to `hi` and `xs` (in order) being where each
 * segment would start: at its own x where it can, moved just enough that every segment is at least `min` wide
 * (less, evenly, when the lane is too short for that), and never outside the lane, so the segments still cover
 * exactly the lane and none is hidden at width 0.
 */
export const segmentStarts = (
  xs: ReadonlyArray<number>,
  lo: number,
  hi: number,
  min: number
): ReadonlyArray<number> => {
  const gap = xs.length === 0 ? 0 : Math.max(0, Math.min(min, (hi - lo) / xs.length))
  const starts: Array<number> = []
  for (const x of xs) starts.push(Math.max(x, lo, (starts.at(-1) ?? lo - gap) + gap))
  let next = hi
  for (let i = starts.length - 1; i >= 0; i--) {
    next = Math.min(starts[i] ?? hi, next - gap)
    starts[i] = next
  }
  return starts
}
