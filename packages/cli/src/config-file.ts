/**
 * `demo --config <file>`: a platform profile, or budgets laid over the `--profile` one, read from
 * JSON and validated by the library's own Schemas (`ResourceBudgetSchema` from `@flight-hal/core`,
 * `PlatformProfileSchema` from `@flight-hal/resources`).
 *
 * Two shapes are accepted:
 *
 * - a whole profile: `{ "name", "totalMemoryBytes", "budgets", "pools" }`;
 * - budgets only: `{ "budgets": { "Memory": { "maxBytes", "reservedBytes", "warningPercent",
 *   "criticalPercent" } } }`, each replacing that type's budget of the `--profile` profile (the
 *   result is validated as a whole profile, so the profile's pools must still fit).
 *
 * A field the shape does not have, at any depth (`budgets.Memory.maxByte`, `pools.1.colour`), is an
 * error: a typo in a file must not pass as the default it failed to change. A whole profile gets the
 * library's own rule (`PlatformProfileSchema` refuses such a field itself, as `decodeProfile` does); a
 * budget of a budgets-only file is decoded with `onExcessProperty: "error"` to the same effect.
 *
 * @module
 */
import { ResourceBudgetSchema, type ResourceType, ResourceTypeNames } from "@flight-hal/core"
import { type PlatformProfile, PlatformProfileSchema, type ProfileBudgets } from "@flight-hal/resources"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { errorText } from "./internal/error-text.ts"
import { splitIssue } from "./internal/schema-issue.ts"

/**
 * A config file that cannot be used, with the field at fault (`budgets.Memory.maxBytes`) when
 * there is one.
 *
 * @since 0.1.0
 * @category errors
 */
export class ConfigFileError extends Error {
  /** The dotted path of the bad field, or `""` when the file as a whole is wrong. */
  readonly field: string
  /** What is wrong with the field (or the file). */
  readonly issue: string
  /** `file` names the config file, `field` the dotted path of the bad field (or `""`), `issue` what is wrong. */
  constructor(file: string, field: string, issue: string) {
    super(`${file}: ${field === "" ? "" : `${field}: `}${issue}`)
    this.name = "ConfigFileError"
    this.field = field
    this.issue = issue
  }
}

/**
 * Decodes with `schema` (`ResourceBudgetSchema` with `onExcessProperty: "error"`, `PlatformProfileSchema` as it
 * is: it refuses an unknown field itself), a field it does not have being an error; a failure names the field
 * under `prefix`.
 */
const decodeStrict = <A>(
  schema: Schema.Decoder<A>,
  file: string,
  prefix: string,
  input: unknown,
  options: { readonly onExcessProperty?: "error" } = {}
): Effect.Effect<A, ConfigFileError> =>
  Schema.decodeUnknownEffect(schema)(input, options).pipe(
    Effect.mapError((error) => {
      const { field, issue } = splitIssue(error.message, prefix)
      return new ConfigFileError(file, field, issue === "Expected no excess property" ? "unknown field" : issue)
    })
  )

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const isResourceType = (name: string): name is ResourceType =>
  (ResourceTypeNames as ReadonlyArray<string>).includes(name)

const decodeBudgets = (file: string, input: unknown): Effect.Effect<ProfileBudgets, ConfigFileError> =>
  Effect.gen(function* () {
    if (!isRecord(input)) return yield* Effect.fail(new ConfigFileError(file, "budgets", "must be an object"))
    const budgets: { [T in ResourceType]?: typeof ResourceBudgetSchema.Type } = {}
    for (const [type, value] of Object.entries(input)) {
      if (!isResourceType(type)) {
        return yield* Effect.fail(
          new ConfigFileError(file, `budgets.${type}`, `not a resource type (one of ${ResourceTypeNames.join(", ")})`)
        )
      }
      budgets[type] = yield* decodeStrict(ResourceBudgetSchema, file, `budgets.${type}`, value, {
        onExcessProperty: "error"
      })
    }
    return budgets
  })

/**
 * Reads a `--config` file's text into the profile the demo runs on. `base` is the `--profile`
 * profile, which a budgets-only file modifies. Fails with {@link ConfigFileError} naming the file
 * and the bad field.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { dreamcast } from "@flight-hal/resources"
 * import { profileFromConfigText } from "@flight-hal/cli"
 *
 * const hardware = { maxBytes: 4 << 20, reservedBytes: 0, warningPercent: 60, criticalPercent: 80 }
 * const text = JSON.stringify({ budgets: { Hardware: hardware } })
 * const profile = Effect.runSync(profileFromConfigText("budgets.json", text, dreamcast))
 * console.log(profile.budgets.Hardware?.maxBytes) // 4194304
 * ```
 *
 * @since 0.1.0
 * @category config
 */
export const profileFromConfigText = (
  file: string,
  text: string,
  base: PlatformProfile
): Effect.Effect<PlatformProfile, ConfigFileError> =>
  Effect.gen(function* () {
    const json = yield* Effect.try({
      try: (): unknown => JSON.parse(text),
      catch: (error) => new ConfigFileError(file, "", `not JSON (${errorText(error)})`)
    })
    if (!isRecord(json)) return yield* Effect.fail(new ConfigFileError(file, "", "must hold a JSON object"))
    const whole = "totalMemoryBytes" in json || "pools" in json
    const known = whole ? ["name", "totalMemoryBytes", "budgets", "pools"] : ["budgets"]
    const unknown = Object.keys(json).find((key) => !known.includes(key))
    if (unknown !== undefined) {
      return yield* Effect.fail(
        new ConfigFileError(file, unknown, `unknown field (expected ${whole ? "a profile: " : ""}${known.join(", ")})`)
      )
    }
    if (!whole && !("budgets" in json)) {
      return yield* Effect.fail(
        new ConfigFileError(file, "", "expected a profile (name, totalMemoryBytes, budgets, pools) or { budgets }")
      )
    }
    const candidate = whole
      ? json
      : {
          ...base,
          name: `${base.name}+${file}`,
          budgets: { ...base.budgets, ...(yield* decodeBudgets(file, json.budgets)) }
        }
    const decoded = decodeStrict(PlatformProfileSchema, file, "", candidate)
    // a budgets-only file keeps the --profile's pools and total: say which profile a cross-check failed on
    return whole
      ? yield* decoded
      : yield* Effect.mapError(decoded, (error) =>
          error.field === ""
            ? new ConfigFileError(file, "", `${error.issue} (budgets laid over profile ${base.name})`)
            : error
        )
  })
