/**
 * Text formatting shared by the live view, the summary and `inspect`: byte sizes and tables.
 *
 * @internal
 */

/** A byte count as `1.50 MiB` (binary units, two decimals; plain bytes below 1 KiB). */
export const formatBytes = (bytes: number): string => {
  const units = ["KiB", "MiB", "GiB", "TiB"] as const
  if (Math.abs(bytes) < 1024) return `${bytes} B`
  let value = bytes / 1024
  let unit = 0
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(2)} ${units[unit]}`
}

/** A plain-text table: a header row, a rule, and the rows, columns padded (numbers right-aligned). */
export const formatTable = (
  header: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string | number>>
): string => {
  const cells = rows.map((row) => row.map(String))
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => (row[i] ?? "").length)))
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((row) => typeof row[i] === "number"))
  const line = (row: ReadonlyArray<string>) =>
    row
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd()
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n")
}

/** `1 timeout`, `2 timeouts`: a count with its noun in the right number (`plural` when not noun + "s"). */
export const count = (n: number, noun: string, plural = `${noun}s`): string => `${n} ${n === 1 ? noun : plural}`

/**
 * A manager's clock reading: a wall-clock one (milliseconds since 1970, as the managers' default clocks read) as
 * the UTC time of day, `23:17:57.877 UTC`; a logical one (a test clock, the demo's frames) as `1234 ms`.
 */
export const formatMoment = (millis: number): string =>
  millis >= 1e12 ? `${new Date(millis).toISOString().slice(11, 23)} UTC` : `${millis} ms`
