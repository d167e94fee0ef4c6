/**
 * Effect front ends' timeouts: a `Duration.Input` in milliseconds.
 *
 * @internal
 */
import * as Duration from "effect/Duration"

/** A Duration input in milliseconds; NaN for anything that is not a duration. */
export const durationMillis = (input: unknown): number => {
  if (typeof input === "number") return input // Duration.toMillis reads NaN as 0
  try {
    return Duration.toMillis(input as Duration.Input)
  } catch {
    return Number.NaN
  }
}
