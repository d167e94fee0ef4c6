/**
 * Validation of every value a caller can hand to a manager, once, at the boundary: metadata, budgets,
 * names, owners, modes, timeouts, handles, type names and the config. Every function returns the valid
 * value or a typed error naming the bad field; none throws, none reads inherited properties (a name such as
 * `"toString"` is unknown, not `Object.prototype.toString`).
 *
 * The metadata fast path (`isPlainValidMetadata`) accepts exactly what `ResourceMetadataSchema` accepts (a
 * property test holds them equal); anything it does not accept goes to the full check (`check.ts`), which
 * names the issue as the Schema would, without loading Schema.
 *
 * @since 0.1.0
 */
import {
  AccessPattern,
  AcquisitionMode,
  InvalidArgument,
  InvalidBudget,
  InvalidMetadata,
  MAX_ALIGNMENT,
  MAX_NAME_LENGTH,
  type ResourceBudget,
  ResourceFlagMask,
  type ResourceHandle,
  type ResourceMetadata,
  ResourcePressure,
  ResourcePriority,
  type ResourceTypeName
} from "@flight-hal/core"
import { poolConfigKeys } from "@flight-hal/pool"
import {
  type Decoded,
  decodeBudget,
  decodeMetadata,
  isStructInput,
  MAX_LIST_LENGTH,
  readList,
  type TooLong
} from "./check.ts"
import { cut, show, showThrown } from "./show.ts"
import type { TypeTable } from "./type-table.ts"

/** The issue text of a failed check, on one line (the Schema decoder's message, at most its first four lines). */
const issueOf = (exit: Decoded<unknown>): string => {
  if (exit._tag !== "Failure") return "invalid"
  return exit.issue.split("\n").slice(0, 4).join(" ").replace(/\s+/g, " ").trim()
}

/** Whether `key` is an own property of a generated table (never an inherited name such as "toString"). */
export const ownKey = (table: object, key: unknown): key is string =>
  typeof key === "string" && Object.hasOwn(table, key)

const isAlignment = (n: unknown): boolean =>
  typeof n === "number" && Number.isSafeInteger(n) && n >= 1 && n <= MAX_ALIGNMENT && (n & (n - 1)) === 0

/** Whether a value is a well-formed handle: an object with safe-integer slot, generation and manager. */
export const isHandle = (value: unknown): value is ResourceHandle => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false
  const { slot, generation, manager } = value as Partial<Record<keyof ResourceHandle, unknown>>
  return Number.isSafeInteger(slot) && Number.isSafeInteger(generation) && Number.isSafeInteger(manager)
}

/**
 * The fast mirror of `ResourceMetadataSchema` for plain metadata objects: true only for what the Schema
 * accepts (tested by a property test); false sends the value to the Schema, which names the issue.
 */
export const isPlainValidMetadata = (m: unknown): m is ResourceMetadata => {
  if (typeof m !== "object" || m === null || Array.isArray(m)) return false
  const metadata = m as Partial<Record<keyof ResourceMetadata, unknown>>
  const type = metadata.type
  if (typeof type !== "string" || type === "") return false
  const size = metadata.sizeBytes
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) return false
  if (metadata.alignmentBytes !== undefined && !isAlignment(metadata.alignmentBytes)) return false
  if (metadata.priority !== undefined && !ownKey(ResourcePriority, metadata.priority)) return false
  if (metadata.accessPattern !== undefined && !ownKey(AccessPattern, metadata.accessPattern)) return false
  const flags = metadata.flags
  if (flags !== undefined) {
    if (typeof flags !== "number" || !Number.isSafeInteger(flags) || flags < 0 || flags > ResourceFlagMask) return false
    if ((flags & ~ResourceFlagMask) !== 0) return false
  }
  const dependsOn = metadata.dependsOn
  if (dependsOn === undefined) return true
  if (!Array.isArray(dependsOn)) return false
  for (const handle of dependsOn) if (!isHandle(handle)) return false
  return true
}

/** Whether `readList` refused a list by its length. */
const isTooLong = <T>(read: Array<T> | TooLong): read is TooLong => !Array.isArray(read)

/** A handle read once into a frozen copy of its three fields (anything else as it is, for the check to refuse). */
const copyHandle = (value: unknown): unknown => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value
  const { slot, generation, manager } = value as Partial<Record<keyof ResourceHandle, unknown>>
  return Object.freeze({ slot, generation, manager })
}

/**
 * The manager's own copy of caller metadata: what is checked, charged, kept and reported (`ref.metadata`,
 * `find().metadata`), frozen when first handed out ({@link exposeMetadata}). Every field is an own data property;
 * an optional one not given is `undefined`.
 */
class MetadataCopy implements ResourceMetadata {
  constructor(
    readonly type: ResourceMetadata["type"],
    readonly sizeBytes: number,
    readonly alignmentBytes: number | undefined,
    readonly accessPattern: ResourceMetadata["accessPattern"],
    readonly priority: ResourceMetadata["priority"],
    readonly flags: number | undefined,
    readonly dependsOn: ReadonlyArray<ResourceHandle> | undefined
  ) {}
}

/**
 * A copy as the manager hands it out (`ref.metadata`, `find`, `metadata`, a share, a `create` hook): frozen
 * there, on its way out, so nothing outside can change what the manager reads (freezing every copy at once cost
 * about 240 instructions per acquisition; most are never looked at).
 */
export const exposeMetadata = (metadata: ResourceMetadata): ResourceMetadata =>
  Object.isFrozen(metadata) ? metadata : Object.freeze(metadata)

/**
 * Caller metadata refused while it was copied (a field whose read threw, a `dependsOn` longer than
 * `MAX_LIST_LENGTH`): refused with InvalidMetadata at the metadata check.
 */
class UnreadableMetadata {
  constructor(readonly issue: string) {
    unreadable.add(this)
  }
}

/**
 * The markers made here: a WeakSet asks no Proxy trap, where `instanceof` runs a caller's Proxy's getPrototypeOf
 * (which may throw) on whatever value the copy passed through (outside `copyMetadata`'s try).
 */
const unreadable = new WeakSet<object>()
const isUnreadable = (value: unknown): value is UnreadableMetadata =>
  typeof value === "object" && value !== null && unreadable.has(value)

/**
 * A manager's last copy of metadata without dependencies: the next copy of equal fields is that one again, so
 * a program that acquires resources of one kind keeps one copy for all of them, not one per live resource
 * (and allocates none per acquisition). A copy is never changed (it is frozen when handed out), so sharing it
 * changes nothing but identity: two refs of equal metadata may answer the same frozen object.
 */
export class MetadataMemo {
  private last: MetadataCopy | undefined = undefined

  /** The copy of these fields without dependencies: the last one when its fields are the same, else a new one. */
  copyOf(
    type: never,
    sizeBytes: never,
    alignmentBytes: never,
    accessPattern: never,
    priority: never,
    flags: never
  ): ResourceMetadata {
    const last = this.last
    if (
      last !== undefined &&
      last.sizeBytes === sizeBytes &&
      last.type === type &&
      last.flags === flags &&
      last.alignmentBytes === alignmentBytes &&
      last.priority === priority &&
      last.accessPattern === accessPattern
    ) {
      return last
    }
    const copy = new MetadataCopy(type, sizeBytes, alignmentBytes, accessPattern, priority, flags, undefined)
    this.last = copy
    return copy
  }
}

/**
 * The caller's metadata read once, field by field, into the manager's own copy, which is all that is read
 * afterwards: a getter that answers differently on each read, a Proxy, or a caller who changes the object
 * later cannot make the manager check one size, charge another and free a third. A front end copies once and
 * hands the copy to both the one-step and the general path (a copy is passed through as it is). Not an object:
 * the value itself (the check refuses it). A read that throws: a marker the check turns into InvalidMetadata, so
 * the errors keep their order (a closed manager still answers ManagerClosed first). With a `memo`, metadata
 * without dependencies equal to the last copy's is that copy ({@link MetadataMemo}).
 */
export const copyMetadata = (metadata: unknown, memo?: MetadataMemo): unknown => {
  if (typeof metadata !== "object" || metadata === null) return metadata
  try {
    // inside the try: `instanceof` runs a Proxy's getPrototypeOf trap and Array.isArray throws on a revoked Proxy
    // instanceof, not the WeakSet: this runs on every acquisition, and a caller's Proxy trap is caught here
    if (metadata instanceof MetadataCopy || metadata instanceof UnreadableMetadata) return metadata
    if (Array.isArray(metadata)) return metadata
    const { type, sizeBytes, alignmentBytes, accessPattern, priority, flags, dependsOn } = metadata as Record<
      keyof ResourceMetadata,
      never
    >
    if (type === undefined || sizeBytes === undefined) {
      // invalid whatever else it holds: the copy keeps only the keys it has (each value as read above), so the
      // check says "Missing key" for a field left out, as the Schema does, and "Expected number" for one set to
      // undefined (the class below has every field)
      const read = { type, sizeBytes, alignmentBytes, accessPattern, priority, flags, dependsOn }
      const present: Record<string, unknown> = {}
      for (const key of Object.keys(read) as Array<keyof typeof read>) {
        if (key in metadata) present[key] = read[key]
      }
      return present
    }
    if (memo !== undefined && dependsOn === undefined) {
      return memo.copyOf(type, sizeBytes, alignmentBytes, accessPattern, priority, flags)
    }
    let handles: unknown = dependsOn
    if (Array.isArray(dependsOn)) {
      // up to the first element that is no handle (the check stops there), never past MAX_LIST_LENGTH
      const read = readList(dependsOn as ReadonlyArray<unknown>, copyHandle, isHandle)
      if (isTooLong(read)) {
        return new UnreadableMetadata(
          `dependsOn: at most ${MAX_LIST_LENGTH} handles, got an array of length ${read.tooLong}`
        )
      }
      handles = Object.freeze(read)
    }
    return new MetadataCopy(type, sizeBytes, alignmentBytes, accessPattern, priority, flags, handles as never)
  } catch (error) {
    return new UnreadableMetadata(`a field could not be read (${showThrown(error)})`)
  }
}

/**
 * Validates metadata: the manager's own copy of it ({@link copyMetadata}), or InvalidMetadata whose issue
 * names the bad field. The type is checked as a name here (a non-empty string); which types exist is the
 * manager's type table's business ({@link unknownMetadataType}).
 *
 * @since 0.1.0
 */
export const validateMetadata = (metadata: unknown, memo?: MetadataMemo): ResourceMetadata | InvalidMetadata => {
  const copy = copyMetadata(metadata, memo)
  if (isUnreadable(copy)) return new InvalidMetadata({ issue: copy.issue })
  if (isPlainValidMetadata(copy)) return copy
  const exit = decodeMetadata(copy)
  if (exit._tag === "Success") return exit.value
  return new InvalidMetadata({ issue: issueOf(exit) })
}

/** The InvalidMetadata of a type name a manager does not serve, listing the ones it does. */
export const unknownMetadataType = (types: TypeTable, type: unknown): InvalidMetadata =>
  new InvalidMetadata({ issue: `type: ${types.unknownIssue(type)}` })

/** The fields of a budget, in the order its Schema checks them. */
const budgetKeys: ReadonlyArray<keyof ResourceBudget> = [
  "maxBytes",
  "reservedBytes",
  "warningPercent",
  "criticalPercent"
]

/**
 * Validates a type name and a budget for it: the type's index and the budget (a frozen copy), or
 * InvalidBudget naming the issue.
 *
 * @since 0.1.0
 */
export const validateBudget = (
  type: unknown,
  budget: unknown,
  types: TypeTable
): { readonly index: number; readonly budget: ResourceBudget } | InvalidBudget => {
  const index = types.indexOf(type)
  if (index < 0) return new InvalidBudget({ resourceType: show(type), issue: `unknown resource type ${show(type)}` })
  // read once: what is checked is what is kept (a getter may answer differently on each read, or throw)
  let copy: unknown = budget
  if (typeof budget === "object" && budget !== null) {
    try {
      // inside the try: Array.isArray throws on a revoked Proxy
      if (!Array.isArray(budget)) {
        // each field read once; a field left out stays out of the copy, so the check says "Missing key" for it
        // (a copy with it undefined said "Expected number")
        const source = budget as Record<keyof ResourceBudget, unknown>
        const read: Partial<Record<keyof ResourceBudget, unknown>> = {}
        for (const key of budgetKeys) if (key in source) read[key] = source[key]
        copy = read
      }
    } catch (error) {
      return new InvalidBudget({
        resourceType: type as string,
        issue: `a field could not be read (${showThrown(error)})`
      })
    }
  }
  const exit = decodeBudget(copy)
  if (exit._tag === "Failure") return new InvalidBudget({ resourceType: type as string, issue: issueOf(exit) })
  return { index, budget: Object.freeze(exit.value) }
}

/** A string argument (a resource name may be `""`: unnamed), or InvalidArgument. */
export const validateString = (value: unknown, argument: string): string | InvalidArgument =>
  typeof value === "string" ? value : new InvalidArgument({ argument, issue: `expected a string, got ${show(value)}` })

/**
 * A new resource's name: a string of at most {@link MAX_NAME_LENGTH} characters (`""`: unnamed), or
 * InvalidArgument (the name shown cut).
 */
export const validateName = (value: unknown, argument: string): string | InvalidArgument =>
  typeof value === "string" && value.length <= MAX_NAME_LENGTH
    ? value
    : new InvalidArgument({
        argument,
        issue: `expected a string of at most ${MAX_NAME_LENGTH} characters, got ${show(value)}`
      })

/**
 * Whether a value may be a driver id: a non-empty string of at most {@link MAX_NAME_LENGTH} characters (as a
 * resource's name: an id is a key, and goes whole into stats, dumps, traces and metric labels).
 */
export const isDriverId = (value: unknown): value is string =>
  typeof value === "string" && value !== "" && value.length <= MAX_NAME_LENGTH

/** What a driver id must be, as its refusals say it. */
const DRIVER_ID_RULE = `a non-empty string of at most ${MAX_NAME_LENGTH} characters`

/**
 * A driver id that names an owner to act as (an acquisition's `owner`, `share`'s and `registerDriver`'s `driver`):
 * {@link isDriverId}, or InvalidArgument (the value shown cut).
 */
export const validateDriverId = (value: unknown, argument: string): string | InvalidArgument =>
  isDriverId(value) ? value : new InvalidArgument({ argument, issue: `expected ${DRIVER_ID_RULE}, got ${show(value)}` })

/**
 * A driver id that is only looked up (`driverStats`): any non-empty string, a longer one than a driver may have
 * too (no driver has it: it reads as an unknown driver), or InvalidArgument.
 */
export const validateDriverLookup = (value: unknown, argument: string): string | InvalidArgument =>
  typeof value === "string" && value !== ""
    ? value
    : new InvalidArgument({ argument, issue: `expected a non-empty string, got ${show(value)}` })

/** A well-formed handle, or InvalidArgument (whether it resolves is the manager's business). */
export const validateHandle = (value: unknown, argument = "handle"): ResourceHandle | InvalidArgument => {
  // read once, into a frozen copy: what is checked is what is resolved
  let copy: unknown
  try {
    copy = copyHandle(value)
  } catch (error) {
    return new InvalidArgument({ argument, issue: `a field of the handle could not be read (${showThrown(error)})` })
  }
  return isHandle(copy)
    ? copy
    : new InvalidArgument({
        argument,
        issue: `expected a resource handle { slot, generation, manager }, got ${show(value)}`
      })
}

/** The longest timer a JavaScript runtime keeps (setTimeout fires at once above it). */
export const MAX_TIMEOUT_MILLIS = 2 ** 31 - 1

/** The mode code of a mode name among `allowed`, or InvalidArgument. */
export const validateMode = (
  value: unknown,
  allowed: ReadonlyArray<keyof typeof AcquisitionMode>
): number | InvalidArgument => {
  if (ownKey(AcquisitionMode, value) && allowed.includes(value as keyof typeof AcquisitionMode)) {
    return AcquisitionMode[value as keyof typeof AcquisitionMode]
  }
  return new InvalidArgument({ argument: "mode", issue: `expected one of ${allowed.join(", ")}, got ${show(value)}` })
}

/**
 * The wait limit of an acquisition, in milliseconds: required by Timeout mode (finite, ≥ 0, at most
 * 2^31 − 1 ms), refused with any other mode; `-1` when there is none. `given` is what an error shows.
 */
export const validateTimeout = (
  mode: number,
  millis: number | undefined,
  argument: string,
  given: unknown
): number | InvalidArgument => {
  if (mode !== AcquisitionMode.Timeout) {
    return millis === undefined
      ? -1
      : new InvalidArgument({ argument, issue: 'a timeout is only taken with mode: "Timeout"' })
  }
  if (millis === undefined) return new InvalidArgument({ argument, issue: "Timeout mode needs a timeout" })
  if (typeof millis !== "number" || !Number.isFinite(millis) || millis < 0 || millis > MAX_TIMEOUT_MILLIS) {
    return new InvalidArgument({
      argument,
      issue: `expected a finite duration between 0 and ${MAX_TIMEOUT_MILLIS} ms, got ${show(given)} (use Blocking to wait without a limit)`
    })
  }
  return millis
}

/**
 * An AbortSignal, or what may behave as one: an object with `aborted`, `addEventListener` and
 * `removeEventListener` (asked with `in`, read by nobody here). `watchSignal` reads each once, before a request
 * can enter a queue, and refuses methods that are not functions (a wait must be able to listen for the abort, and
 * stop listening, or it could never leave).
 */
export const isAbortSignal = (signal: unknown): signal is AbortSignal =>
  typeof signal === "object" &&
  signal !== null &&
  "aborted" in signal &&
  "addEventListener" in signal &&
  "removeEventListener" in signal

/** The keys a manager config may have. */
const configKeys: ReadonlySet<string> = new Set([
  "budgets",
  "pools",
  "hysteresisPercent",
  "defaultDriver",
  "drivers",
  "captureAcquisitionSite",
  "trace",
  "label",
  "detectGarbageCollectedLeaks",
  "onLeaks",
  "profile",
  "types"
])

/** The keys of a config's `trace`. */
const traceKeys: ReadonlyArray<string> = ["sink", "drivers", "unitBytes", "types"]

/** Sets `copy[key]`, defined, not assigned: a key "__proto__" stays a key (refused by name), not a prototype. */
const put = (copy: Record<string, unknown>, key: string, value: unknown): void => {
  Object.defineProperty(copy, key, { value, enumerable: true, writable: true })
}

/** `source`'s known keys (own or inherited, as a plain read finds them) and own unknown ones, each read once. */
export const copyKeys = (source: object, known: Iterable<string>): Record<string, unknown> => {
  const copy: Record<string, unknown> = {}
  const read = new Set(known)
  for (const key of read) {
    const value = (source as Record<string, unknown>)[key]
    if (value !== undefined) put(copy, key, value)
  }
  // an unknown key stays even when its value is undefined: the check refuses it by name
  for (const key of Object.keys(source)) if (!read.has(key)) put(copy, key, (source as Record<string, unknown>)[key])
  return copy
}

/** `source`'s own enumerable keys (never inherited ones), each value read once and passed through `each`. */
const copyEntries = (source: object, each: (value: unknown) => unknown): Record<string, unknown> => {
  const copy: Record<string, unknown> = {}
  for (const key of Object.keys(source)) put(copy, key, each((source as Record<string, unknown>)[key]))
  return copy
}

/** An entry of a config's record (a custom type, a driver kind) copied with its `known` keys; anything else as it is. */
const copyRecord =
  (known: ReadonlyArray<string>) =>
  (value: unknown): unknown =>
    isStructInput(value) ? copyKeys(value, known) : value

/**
 * A manager config read once, key by key, into plain objects, which are all the manager and its front ends
 * read afterwards: a getter that answers differently on each read cannot pass the check with one value and be
 * used with another. Copied too: `budgets`, `types` and `drivers` (their own keys, each entry read once; a type
 * declaration and a driver kind key by key), `pools` (each pool key by key) and `trace`, whose `drivers` and
 * `types` become frozen arrays (what the trace recorder is handed). Not an object: the value itself (the config
 * check refuses it). A read that throws (a getter, a Proxy): `InvalidArgument { argument: "config" }` naming what
 * was thrown. The value comes wrapped (`{ config }`), so telling it from the error asks nothing of a caller's
 * Proxy.
 */
export const copyConfig = (config: unknown): { readonly config: unknown } | InvalidArgument => {
  if (typeof config !== "object" || config === null) return { config }
  try {
    if (Array.isArray(config)) return { config }
    const copy = copyKeys(config, configKeys)
    const { budgets, types, drivers, pools, trace } = copy
    if (isStructInput(budgets)) copy.budgets = copyEntries(budgets, (budget) => budget) // a budget: read by validateBudget
    if (isStructInput(types)) copy.types = copyEntries(types, copyRecord(["code"]))
    if (isStructInput(drivers)) copy.drivers = copyEntries(drivers, copyRecord(["sequential"]))
    if (Array.isArray(pools)) {
      // up to the first entry that is no object (refused where the pools are installed)
      const read = readList(pools as ReadonlyArray<unknown>, copyRecord(poolConfigKeys), isStructInput)
      if (isTooLong(read)) return listTooLong("config.pools", read)
      copy.pools = read
    }
    if (isStructInput(trace)) {
      const options = copyKeys(trace, traceKeys)
      for (const key of ["drivers", "types"]) {
        const list = options[key]
        if (!Array.isArray(list)) continue
        // up to the first element that is no name, or no driver id (the shape check refuses it)
        const read = readList(list as ReadonlyArray<unknown>, (name) => name, key === "drivers" ? isDriverId : isName)
        if (isTooLong(read)) return listTooLong(`config.trace.${key}`, read)
        options[key] = Object.freeze(read)
      }
      copy.trace = options
    }
    return { config: copy }
  } catch (error) {
    return new InvalidArgument({ argument: "config", issue: `could not be read (${showThrown(error)})` })
  }
}

/** Whether a value is a non-empty string (a driver or type name in a config's `trace`). */
const isName = (value: unknown): boolean => typeof value === "string" && value !== ""

/** The InvalidArgument of a config's array longer than `MAX_LIST_LENGTH`. */
const listTooLong = (argument: string, read: TooLong): InvalidArgument =>
  new InvalidArgument({
    argument,
    issue: `expected an array of at most ${MAX_LIST_LENGTH} elements, got one of length ${read.tooLong}`
  })

/** A config's `hysteresisPercent`: undefined, or a number in [0, 100]. */
export const validateHysteresis = (h: unknown): InvalidArgument | undefined =>
  h !== undefined && (typeof h !== "number" || !Number.isFinite(h) || h < 0 || h > 100)
    ? new InvalidArgument({
        argument: "config.hysteresisPercent",
        issue: `expected a number in [0, 100], got ${show(h)}`
      })
    : undefined

/**
 * Checks a manager config's shape and options (budgets and pools are validated where they are installed):
 * InvalidArgument naming the first bad key (`config.<key>`).
 */
export const validateConfigShape = (config: unknown): InvalidArgument | undefined => {
  const bad = (key: string, issue: string) => new InvalidArgument({ argument: `config.${key}`, issue })
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    return new InvalidArgument({ argument: "config", issue: `expected an object, got ${show(config)}` })
  }
  for (const key of Object.keys(config)) if (!configKeys.has(key)) return bad(cut(key), "unknown option")
  const c = config as Record<string, unknown>
  const hysteresis = validateHysteresis(c.hysteresisPercent)
  if (hysteresis !== undefined) return hysteresis
  if (c.defaultDriver !== undefined && !isDriverId(c.defaultDriver)) {
    return bad("defaultDriver", `expected ${DRIVER_ID_RULE}, got ${show(c.defaultDriver)}`)
  }
  for (const key of ["captureAcquisitionSite", "detectGarbageCollectedLeaks"]) {
    if (c[key] !== undefined && typeof c[key] !== "boolean") return bad(key, `expected a boolean, got ${show(c[key])}`)
  }
  if (c.label !== undefined && typeof c.label !== "string")
    return bad("label", `expected a string, got ${show(c.label)}`)
  if (c.onLeaks !== undefined && typeof c.onLeaks !== "function") return bad("onLeaks", "expected a function")
  if (c.budgets !== undefined && (typeof c.budgets !== "object" || c.budgets === null || Array.isArray(c.budgets))) {
    return bad("budgets", `expected an object of budgets per type, got ${show(c.budgets)}`)
  }
  if (c.pools !== undefined && !Array.isArray(c.pools)) return bad("pools", `expected an array, got ${show(c.pools)}`)
  const profile = c.profile
  if (profile !== undefined && typeof profile !== "string" && (typeof profile !== "object" || profile === null)) {
    return bad("profile", `expected "auto", a built-in profile name or a profile object, got ${show(profile)}`)
  }
  if (c.drivers !== undefined) {
    const drivers = validateDrivers(c.drivers)
    if (drivers !== undefined) return bad(drivers.key, drivers.issue)
  }
  if (c.trace !== undefined) {
    const trace = c.trace as {
      readonly sink?: unknown
      readonly drivers?: unknown
      readonly types?: unknown
      readonly unitBytes?: unknown
    } | null
    if (!isStructInput(trace)) return bad("trace", "expected { sink: (line) => void, … }")
    for (const key of Object.keys(trace)) {
      if (!traceKeys.includes(key)) return bad(`trace.${cut(key)}`, "unknown option")
    }
    if (typeof trace.sink !== "function") return bad("trace", "expected { sink: (line) => void, … }")
    const { drivers, types, unitBytes } = trace
    for (const [key, list, good, expected] of [
      ["drivers", drivers, isDriverId, `expected an array of driver ids (each ${DRIVER_ID_RULE})`],
      ["types", types, isName, "expected an array of non-empty strings"]
    ] as const) {
      if (list === undefined) continue
      if (!Array.isArray(list)) return bad(`trace.${key}`, `${expected}, got ${show(list)}`)
      // the copy ends at its first element that is no name (a hole too: undefined)
      const at = list.findIndex((name) => !good(name))
      if (at >= 0) return bad(`trace.${key}`, `${expected}, got ${show(list[at])} at index ${at}`)
    }
    if (
      unitBytes !== undefined &&
      !(typeof unitBytes === "number" && Number.isSafeInteger(unitBytes) && unitBytes >= 1)
    ) {
      return bad("trace.unitBytes", `expected a safe integer ≥ 1, got ${show(unitBytes)}`)
    }
  }
  return undefined
}

/** The first bad entry of a config's `drivers` (`{ [owner]: { sequential?: boolean } }`), if any. */
const validateDrivers = (drivers: unknown): { readonly key: string; readonly issue: string } | undefined => {
  if (typeof drivers !== "object" || drivers === null || Array.isArray(drivers)) {
    return { key: "drivers", issue: `expected an object of driver kinds per owner, got ${show(drivers)}` }
  }
  for (const [owner, kind] of Object.entries(drivers)) {
    if (!isDriverId(owner))
      return { key: "drivers", issue: `an owner id must be ${DRIVER_ID_RULE}, got ${show(owner)}` }
    const read = readDriverKind(kind)
    if (typeof read === "string") return { key: `drivers.${cut(owner)}`, issue: read }
  }
  return undefined
}

/** A driver kind (`{ sequential?: boolean }`, or undefined) read once: its `sequential`, or why it is bad. */
export const readDriverKind = (kind: unknown): { readonly sequential: boolean | undefined } | string => {
  if (kind === undefined) return { sequential: undefined }
  if (typeof kind !== "object" || kind === null) return `expected { sequential?: boolean }, got ${show(kind)}`
  let sequential: unknown
  try {
    // inside the try: Array.isArray throws on a revoked Proxy
    if (Array.isArray(kind)) return `expected { sequential?: boolean }, got ${show(kind)}`
    for (const key of Object.keys(kind)) if (key !== "sequential") return `unknown option ${cut(key)}`
    sequential = (kind as { readonly sequential?: unknown }).sequential
  } catch (error) {
    return `could not be read (${showThrown(error)})`
  }
  if (sequential !== undefined && typeof sequential !== "boolean") {
    return `expected sequential to be a boolean, got ${show(sequential)}`
  }
  return { sequential }
}

/** The type names of a config's `budgets`, checked as type names. */
export const budgetEntries = (
  budgets: object | undefined
): ReadonlyArray<readonly [ResourceTypeName | string, unknown]> =>
  budgets === undefined ? [] : Object.entries(budgets)

/** An acquisition's options, validated. */
export interface AcquireSettings {
  /** The mode code. */
  readonly mode: number
  /** The wait limit in milliseconds (Timeout mode), -1 otherwise. */
  readonly waitMillis: number
  /** The owner as given (validated with the request). */
  readonly owner: unknown
  readonly create: ((metadata: ResourceMetadata) => unknown) | undefined
  readonly destroy: ((payload: never) => void) | undefined
  readonly signal: AbortSignal | undefined
}

const functionOrUndefined = (value: unknown, argument: string): InvalidArgument | undefined =>
  value === undefined || typeof value === "function"
    ? undefined
    : new InvalidArgument({ argument, issue: `expected a function, got ${show(value)}` })

const noOptions: Partial<Record<keyof typeof AcquisitionMode, AcquireSettings>> = {}

/** The settings of an acquisition without options (immutable, made once per mode: the hot path allocates none). */
const defaultSettings = (mode: keyof typeof AcquisitionMode): AcquireSettings => {
  let settings = noOptions[mode]
  if (settings === undefined) {
    settings = Object.freeze({
      mode: AcquisitionMode[mode],
      waitMillis: -1,
      owner: undefined,
      create: undefined,
      destroy: undefined,
      signal: undefined
    })
    noOptions[mode] = settings
  }
  return settings
}

/**
 * Whether a caller's value is an object argument (options, a config): an object, not null and not an array; a
 * revoked Proxy is not (`Array.isArray` throws on one).
 */
export const isObjectArgument = (value: unknown): value is object => {
  try {
    return isStructInput(value)
  } catch {
    return false
  }
}

/**
 * Validates an acquisition's options: the mode among `modes` (default `defaultMode`), the timeout under
 * `timeoutKey` converted by `toMillis` (NaN for what is not a duration), the hooks and the abort signal.
 */
export const validateAcquireOptions = (
  options: unknown,
  modes: ReadonlyArray<keyof typeof AcquisitionMode>,
  defaultMode: keyof typeof AcquisitionMode,
  timeoutKey: "timeout" | "timeoutMillis",
  toMillis: (value: unknown) => number
): AcquireSettings | InvalidArgument => {
  if (options === undefined) return defaultSettings(defaultMode)
  if (!isObjectArgument(options)) {
    return new InvalidArgument({ argument: "options", issue: `expected an object, got ${show(options)}` })
  }
  // read once: what is checked is what is used (a getter may answer differently on each read, or throw)
  let o: { readonly [K in "mode" | "owner" | "create" | "destroy" | "signal" | "given"]: unknown }
  try {
    const { mode, owner, create, destroy, signal, [timeoutKey]: given } = options as Record<string, unknown>
    o = { mode, owner, create, destroy, signal, given }
  } catch (error) {
    return new InvalidArgument({ argument: "options", issue: `could not be read (${showThrown(error)})` })
  }
  const mode = validateMode(o.mode === undefined ? defaultMode : o.mode, modes) // null is a (bad) mode
  if (typeof mode !== "number") return mode
  let waitMillis: number | InvalidArgument
  try {
    const millis = o.given === undefined ? undefined : toMillis(o.given)
    // a value that is no duration at all (a string for the facade) is shown as given, not as the NaN it became
    waitMillis = validateTimeout(mode, millis, timeoutKey, Number.isNaN(millis) ? o.given : millis)
  } catch (error) {
    return new InvalidArgument({ argument: timeoutKey, issue: `could not be read (${showThrown(error)})` })
  }
  if (typeof waitMillis !== "number") return waitMillis
  const badHook = functionOrUndefined(o.create, "create") ?? functionOrUndefined(o.destroy, "destroy")
  if (badHook !== undefined) return badHook
  const signal = o.signal
  let isSignal: boolean
  try {
    isSignal = signal === undefined || isAbortSignal(signal)
  } catch {
    isSignal = false
  }
  if (!isSignal) {
    return new InvalidArgument({ argument: "signal", issue: `expected an AbortSignal, got ${show(signal)}` })
  }
  return {
    mode,
    waitMillis,
    owner: o.owner,
    create: o.create as AcquireSettings["create"],
    destroy: o.destroy as AcquireSettings["destroy"],
    signal: signal as AbortSignal | undefined
  }
}

/**
 * The arguments of `relieveSystemPressure`: `from` and `to` pressure level names, `reclaim` absent or
 * `{ percent: number }` (read once; a non-finite percent is 0, as documented), or InvalidArgument naming the bad
 * one. Nothing is published for bad arguments.
 */
export const validateRelief = (
  from: unknown,
  to: unknown,
  reclaim: unknown
):
  | {
      readonly from: keyof typeof ResourcePressure
      readonly to: keyof typeof ResourcePressure
      readonly percent: number | undefined
    }
  | InvalidArgument => {
  const levels = Object.keys(ResourcePressure).join(", ")
  for (const [argument, level] of [
    ["from", from],
    ["to", to]
  ] as const) {
    if (!ownKey(ResourcePressure, level)) {
      return new InvalidArgument({ argument, issue: `expected a pressure level (${levels}), got ${show(level)}` })
    }
  }
  if (reclaim === undefined)
    return { from: from as keyof typeof ResourcePressure, to: to as keyof typeof ResourcePressure, percent: undefined }
  let percent: unknown
  try {
    percent =
      typeof reclaim === "object" && reclaim !== null ? (reclaim as { readonly percent?: unknown }).percent : undefined
  } catch (error) {
    return new InvalidArgument({ argument: "reclaim", issue: `could not be read (${showThrown(error)})` })
  }
  if (typeof percent !== "number") {
    return new InvalidArgument({ argument: "reclaim", issue: `expected { percent: number }, got ${show(reclaim)}` })
  }
  return { from: from as keyof typeof ResourcePressure, to: to as keyof typeof ResourcePressure, percent }
}
