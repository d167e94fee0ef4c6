/**
 * Effect front ends' timeouts: a `Duration.Input` in milliseconds.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import { isObjectArgument } from "./validate.ts"

/** The fields of Effect's `DurationObject` (`{ seconds: 5 }`). */
const durationFields: ReadonlySet<string> = new Set([
  "weeks",
  "days",
  "hours",
  "minutes",
  "seconds",
  "milliseconds",
  "microseconds",
  "nanoseconds"
])

/**
 * Whether a plain object is a duration object: at least one field, every one of them a duration field. Effect reads
 * any other object as one whose fields are all absent, a duration of 0, so `{ secods: 5 }` or a `Date` would time a
 * wait out at once.
 */
const isDurationObject = (input: object): boolean => {
  const keys = Object.keys(input)
  return keys.length > 0 && keys.every((key) => durationFields.has(key))
}

/** A Duration input in milliseconds; NaN for anything that is not a duration. */
export const durationMillis = (input: unknown): number => {
  if (typeof input === "number") return input // Duration.toMillis reads NaN as 0
  try {
    // an object that is no Duration and no duration object (an array is a [seconds, nanos] tuple)
    if (isObjectArgument(input) && !Duration.isDuration(input) && !isDurationObject(input)) return Number.NaN
    return Duration.toMillis(input as Duration.Input)
  } catch {
    return Number.NaN
  }
}
