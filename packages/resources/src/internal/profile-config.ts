/**
 * The `profile` of a manager config resolved to a profile and to what the snapshot says about it, and a
 * config's budgets and pools merged over the profile's (explicit ones win per type).
 *
 * @since 0.1.0
 */
import {
  InvalidArgument,
  InvalidProfile,
  type ResourceBudget,
  ResourceTypeNames,
  UnknownProfile
} from "@flight-hal/core"
import { autoProfile, type DetectProfileOptions } from "../PlatformDetection.ts"
import {
  type BuiltinProfileName,
  builtinProfiles,
  decodeProfileSync,
  type PlatformProfile
} from "../PlatformProfile.ts"
import type { ManagerPoolConfig, ResourceManagerConfig } from "../ResourceManagerConfig.ts"
import type { ManagerProfile } from "../ResourceStats.ts"
import { show } from "./show.ts"

/** A resolved profile and what the manager's snapshot says about it (frozen: every snapshot hands it out). */
export interface ResolvedProfile {
  readonly profile: PlatformProfile
  readonly info: ManagerProfile
}

/** A resolved profile with its snapshot info frozen. */
const resolved = (profile: PlatformProfile, info: ManagerProfile): ResolvedProfile => ({
  profile,
  info: Object.freeze(info)
})

/**
 * Resolves `config.profile`: `"auto"` detects the platform (synchronously; the built-in `web` profile when no
 * source is readable), a built-in name is that profile, an object is validated as a profile.
 */
export const resolveProfile = (
  value: unknown,
  detection?: DetectProfileOptions
): ResolvedProfile | InvalidArgument | UnknownProfile | InvalidProfile => {
  if (value === "auto") {
    const auto = autoProfile(detection)
    if (auto instanceof InvalidProfile) return auto
    const { profile, source, shape } = auto
    const info = { requested: "auto", name: profile.name, totalMemoryBytes: profile.totalMemoryBytes, source } as const
    return resolved(profile, shape === undefined ? info : { ...info, shape })
  }
  if (typeof value === "string") {
    // quoted and cut, as `getProfile` shows it: `""` is visible in the message
    if (!Object.hasOwn(builtinProfiles, value)) return new UnknownProfile({ profile: show(value) })
    const name = value as BuiltinProfileName
    const profile = builtinProfiles[name]
    return resolved(profile, { requested: name, name: profile.name, totalMemoryBytes: profile.totalMemoryBytes })
  }
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    try {
      const profile = decodeProfileSync(value)
      return resolved(profile, { requested: "custom", name: profile.name, totalMemoryBytes: profile.totalMemoryBytes })
    } catch (error) {
      return error as InvalidProfile
    }
  }
  return new InvalidArgument({
    argument: "config.profile",
    issue: `expected "auto", a built-in profile name or a profile object, got ${show(value)}`
  })
}

/**
 * A config's budgets and pools over a profile's: a type keeps its explicit budget, else takes the profile's; a
 * type keeps its explicit pools, else takes the profile's pools unless the config gives it a budget of its own
 * (they are sized to the profile's budget). A type the profile leaves unbudgeted (unlimited) takes the profile's
 * pools too when the config gives it no budget, as `profileToConfig(profile)` does.
 */
export const mergeProfile = (
  config: ResourceManagerConfig,
  profile: PlatformProfile
): {
  readonly budgets: ReadonlyArray<readonly [string, unknown]>
  readonly pools: ReadonlyArray<ManagerPoolConfig>
} => {
  const explicit = (config.budgets ?? {}) as Partial<Record<string, ResourceBudget>>
  const budgets: Array<readonly [string, unknown]> = []
  const given = new Set<string>()
  // own keys only, each read once (the config's copy holds them): an inherited budget is neither installed nor
  // in the way of the profile's
  for (const [type, budget] of Object.entries(explicit)) {
    if (budget === undefined) continue
    budgets.push([type, budget])
    given.add(type)
  }
  for (const type of ResourceTypeNames) {
    const budget = profile.budgets[type]
    if (budget === undefined || given.has(type)) continue
    budgets.push([type, budget])
  }
  const explicitPools = config.pools ?? []
  const pooled = new Set<unknown>(explicitPools.map((pool) => (pool as { readonly type?: unknown } | null)?.type))
  const pools = [...explicitPools, ...profile.pools.filter((pool) => !given.has(pool.type) && !pooled.has(pool.type))]
  return { budgets, pools }
}
