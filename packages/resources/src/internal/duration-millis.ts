/**
 * Effect front ends' timeouts: a `Duration.Input` in milliseconds.
 *
 * @internal
 */
import * as Duration from "effect/Duration"

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
 * A duration object read once into a copy Effect can convert: at least one field, every key a duration field,
 * every value a finite number or `undefined` (left out). Anything else is undefined: Effect reads any other object
 * as one whose fields are all absent, a duration of 0 (`{ secods: 5 }` or a `Date` would time a wait out at once),
 * and a field that is NaN, infinite or not a number as 0 too, or as an infinite duration (`{ seconds: NaN }`).
 */
const durationObject = (input: object): Duration.DurationObject | undefined => {
  const copy: Record<string, number> = {}
  let fields = 0
  for (const key of Object.keys(input)) {
    if (!durationFields.has(key)) return undefined
    const value: unknown = (input as Record<string, unknown>)[key]
    if (value === undefined) continue
    if (typeof value !== "number" || !Number.isFinite(value)) return undefined
    copy[key] = value
    fields++
  }
  return fields > 0 ? copy : undefined
}

/** A `[seconds, nanos]` tuple of two finite numbers (Effect reads a NaN in one as 0 ms), else undefined. */
const durationTuple = (input: ReadonlyArray<unknown>): readonly [number, number] | undefined => {
  if (input.length !== 2) return undefined
  const [seconds, nanos] = [input[0], input[1]]
  return typeof seconds === "number" && Number.isFinite(seconds) && typeof nanos === "number" && Number.isFinite(nanos)
    ? [seconds, nanos]
    : undefined
}

/**
 * A Duration input in milliseconds; NaN for anything that is not a finite duration: a NaN number, an object that
 * is no `Duration` and no duration object of finite numbers, a tuple that is not two finite numbers. (A `Duration`
 * is taken as it is: Effect's constructors make `Duration.millis(NaN)` the zero duration, which nothing tells apart
 * from `Duration.zero`.)
 */
export const durationMillis = (input: unknown): number => {
  if (typeof input === "number") return input // Duration.toMillis reads NaN as 0
  try {
    if (typeof input === "object" && input !== null && !Duration.isDuration(input)) {
      // inside the try: Array.isArray throws on a revoked Proxy, and a read may throw
      const copy = Array.isArray(input) ? durationTuple(input) : durationObject(input)
      return copy === undefined ? Number.NaN : Duration.toMillis(copy)
    }
    return Duration.toMillis(input as Duration.Input)
  } catch {
    return Number.NaN
  }
}
