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
