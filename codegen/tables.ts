/**
 * The single source of every table of Flight HAL: resource types, flags, priorities, access
 * patterns, pressure levels, acquisition modes and the error table.
 *
 * `codegen/generate.ts` turns this file into TypeScript (packages/core/src/generated,
 * packages/pool/src/generated), TLA+ (spec/generated/FlightHalTables.tla) and Markdown
 * (docs/tables.md). Edit this file, then run `npm run codegen`.
 *
 * Error codes are stable forever: append new errors, never renumber or reuse a code.
 */

/** A named value of a table, with its number and a one-line description. */
export interface TableEntry {
  readonly name: string
  readonly value: number
  readonly doc: string
}

/** An enumeration: its name, what it is for, and its entries in order. */
export interface EnumTable {
  readonly name: string
  readonly doc: string
  /** `flags` tables are bit sets: every value is a distinct power of two. */
  readonly kind: "enum" | "flags"
  readonly entries: ReadonlyArray<TableEntry>
}

/** The kinds of typed field an error can carry. */
export type FieldKind = "string" | "int" | "resourceType" | "stringList" | "pressure" | "priority" | "mode"

/** One typed field of an error. */
export interface ErrorField {
  readonly name: string
  readonly kind: FieldKind
  readonly doc: string
  /**
   * The field holds a resource name (a `string`) or names (a `stringList`): the message prints an empty name as
   * `(unnamed)`. The field's value stays as given.
   */
  readonly resourceName?: true
  /**
   * How a message prints a `stringList` field (each one says, no other field may): `"sequence"`, items whose order
   * means something (a path), joined with ` -> `; `"set"`, items whose order means nothing (sorted ids), joined
   * with `, `, so that the message does not read as a chain.
   */
  readonly list?: ListOrder
}

/** What the order of a `stringList` field's items means: a path (`sequence`) or nothing (`set`). */
export type ListOrder = "sequence" | "set"

/**
 * An optional field of an error: the error carries it only when it has something to add, and then its message is
 * `message` (which may name it) in place of the row's.
 */
export interface OptionalErrorField {
  readonly field: ErrorField
  /** Message template used when the error carries the field. */
  readonly message: string
}

/** The category of an error: the part of the system that refused (resources, validation, pools, ...). */
export type ErrorCategoryName = "Resource" | "Validation" | "Sharing" | "Dependency" | "Pool" | "Platform"

/** One row of the error table. */
export interface ErrorEntry {
  readonly tag: string
  readonly category: ErrorCategoryName
  /** Stable forever within its category; append-only. */
  readonly code: number
  /** Message template: `{field}` is replaced by the field's value. */
  readonly message: string
  readonly doc: string
  readonly fields: ReadonlyArray<ErrorField>
  /**
   * Fields the error may leave out, each with the message the error has when it carries it (the first such field
   * the error carries, in this order, picks the message). `message` names none of them.
   */
  readonly optional?: ReadonlyArray<OptionalErrorField>
  /** Also emitted, dependency-free, into @flight-hal/pool. */
  readonly pool?: true
}

export const resourceType: EnumTable = {
  name: "ResourceType",
  doc: "The category of a managed resource, a uint32 code: one bit per built-in type, the high bit for custom types.",
  kind: "enum",
  entries: [
    { name: "Hardware", value: 0x01, doc: "Physical hardware resources (timers, DMA channels)" },
    { name: "Memory", value: 0x02, doc: "Memory regions, pools, caches" },
    { name: "Performance", value: 0x04, doc: "CPU time, bandwidth limits" },
    { name: "Communication", value: 0x08, doc: "Message queues, event channels" },
    { name: "Platform", value: 0x10, doc: "Platform-specific resources" },
    { name: "Custom", value: 0x80000000, doc: "Custom resource types" }
  ]
}

export const resourceFlags: EnumTable = {
  name: "ResourceFlag",
  doc: "Capability bits of a resource; a resource's `flags` is a bitwise OR of these.",
  kind: "flags",
  entries: [
    { name: "Cacheable", value: 0x01, doc: "May be cached by the CPU" },
    { name: "GPUAccessible", value: 0x02, doc: "Visible to the GPU" },
    { name: "DMACapable", value: 0x04, doc: "Usable as a DMA source or target" },
    { name: "Shareable", value: 0x08, doc: "May be shared with other drivers (required by share)" },
    { name: "Persistent", value: 0x10, doc: "Survives level/scene changes; never reclaimed by callbacks" },
    { name: "Reclaimable", value: 0x20, doc: "May be freed by reclamation callbacks under pressure" }
  ]
}

export const resourcePriority: EnumTable = {
  name: "ResourcePriority",
  doc: "Priority of a request: orders the wait queue; only Critical may use the reserve.",
  kind: "enum",
  entries: [
    { name: "Low", value: 0, doc: "Background work, first to wait" },
    { name: "Normal", value: 1, doc: "The default" },
    { name: "High", value: 2, doc: "Served before Normal and Low" },
    { name: "Critical", value: 3, doc: "May use the type's reserved bytes" }
  ]
}

export const accessPattern: EnumTable = {
  name: "AccessPattern",
  doc: "How a resource is accessed, a hint for placement and caching.",
  kind: "enum",
  entries: [
    { name: "ReadOnly", value: 0, doc: "Written once, then only read" },
    { name: "WriteOnly", value: 1, doc: "Only written (e.g. upload buffers)" },
    { name: "ReadWrite", value: 2, doc: "Read and written" },
    { name: "Streaming", value: 3, doc: "Written and consumed continuously (audio, video)" }
  ]
}

export const resourcePressure: EnumTable = {
  name: "ResourcePressure",
  doc: "Pressure level of a resource type, from its usage (in % of `maxBytes`) and its budget's thresholds.",
  kind: "enum",
  entries: [
    { name: "None", value: 0, doc: "usage below `warningPercent`" },
    { name: "Low", value: 1, doc: "`warningPercent` ≤ usage < midpoint of `warningPercent` and `criticalPercent`" },
    { name: "Medium", value: 2, doc: "midpoint ≤ usage < `criticalPercent`" },
    { name: "High", value: 3, doc: "usage ≥ `criticalPercent`, reserve untouched" },
    {
      name: "Critical",
      value: 4,
      doc: "the reserve is in use or usage is over `maxBytes` (not set by `criticalPercent`)"
    }
  ]
}

export const acquisitionMode: EnumTable = {
  name: "AcquisitionMode",
  doc: "What a request does when it does not fit at once.",
  kind: "enum",
  entries: [
    { name: "NonBlocking", value: 0, doc: "Fail at once with BudgetExceeded / ResourceBusy" },
    { name: "Blocking", value: 1, doc: "Wait in the type's queue until admitted (interruptible)" },
    { name: "Timeout", value: 2, doc: "Wait at most a given duration, then AcquireTimeout" },
    { name: "Emergency", value: 3, doc: "Admit over budget; counted in emergency stats" }
  ]
}

/** Every enumeration, in the order the outputs list them. */
export const enumTables: ReadonlyArray<EnumTable> = [
  resourceType,
  resourceFlags,
  resourcePriority,
  accessPattern,
  resourcePressure,
  acquisitionMode
]

/** A numeric limit several packages check: one value and one wording, generated into each of them. */
export interface Limit {
  readonly name: string
  readonly value: number
  /** How messages and docs print the value (`2^30`). */
  readonly shown: string
  readonly doc: string
}

/**
 * The limits shared by `@flight-hal/core` (and the resources package through it) and the dependency-free
 * `@flight-hal/pool`, so that a value one of them accepts the other does not refuse.
 */
export const limits: ReadonlyArray<Limit> = [
  {
    name: "MAX_ALIGNMENT",
    value: 2 ** 30,
    shown: "2^30",
    doc: "The largest alignment in bytes (a power of two from 1), of a resource's `alignmentBytes` and of a pool's blocks: 2^30 (1 GiB)."
  },
  {
    name: "MAX_NAME_LENGTH",
    value: 256,
    shown: "256",
    doc: "The most characters (UTF-16 code units) of a resource's name and of a pool's: a name is a key, not data, and one goes whole into dumps, traces, metric labels and printed forms."
  }
]

/** The error categories with their numbers (fixed: an error's code is numbered within its category). */
export const errorCategories: ReadonlyArray<TableEntry> = [
  { name: "Resource", value: 1, doc: "Acquisition, budgets, handles" },
  { name: "Validation", value: 2, doc: "Invalid input: metadata, budgets, profiles" },
  { name: "Sharing", value: 3, doc: "Cross-driver sharing" },
  { name: "Dependency", value: 4, doc: "Resource dependencies and deadlocks" },
  { name: "Pool", value: 5, doc: "Fixed-block pools" },
  { name: "Platform", value: 6, doc: "Platform detection and profiles" }
]

const f = (name: string, kind: FieldKind, doc: string): ErrorField => ({ name, kind, doc })
/** A field holding a resource name (or, `stringList`, names): an empty one prints as `(unnamed)`. */
const named = (name: string, kind: "string" | "stringList", doc: string): ErrorField => ({
  name,
  kind,
  doc,
  resourceName: true
})

/** A `stringList` field: its items are a `sequence` (printed `a -> b`) or a `set` (printed `a, b`). */
const list = (field: ErrorField, order: ListOrder): ErrorField => ({ ...field, list: order })

/** The error table. Codes are append-only within a category. */
export const errors: ReadonlyArray<ErrorEntry> = [
  {
    tag: "ResourceNotFound",
    category: "Resource",
    code: 1,
    message: "Resource {resource} not found",
    doc: "No live resource has this handle or name.",
    fields: [named("resource", "string", "The handle or name that was looked up")]
  },
  {
    tag: "BudgetExceeded",
    category: "Resource",
    code: 2,
    message: "Budget exceeded for {resourceType}: requested {requested} bytes, {available} available of limit {limit}",
    doc: "The request does not fit the type's budget (after reclamation) and may not wait.",
    fields: [
      f("resourceType", "resourceType", "The budgeted type"),
      f("requested", "int", "Bytes requested"),
      f("available", "int", "Bytes still available under the request's limit"),
      f("limit", "int", "The request's limit: maxBytes, less the reserve unless Critical")
    ],
    optional: [
      {
        field: f(
          "waitersAhead",
          "int",
          "Set when the request fits but is refused by the no-barging rule: the waiters of its priority or higher queued ahead of it"
        ),
        message:
          "Budget for {resourceType} refused {requested} bytes: they fit ({available} available of limit {limit}), but waiters of the same or higher priority go first (queued ahead: {waitersAhead})"
      }
    ]
  },
  {
    tag: "AcquireTimeout",
    category: "Resource",
    code: 3,
    message: "Acquiring {resource} ({resourceType}) timed out after {waitedMillis} ms",
    doc: "A Timeout-mode request was not admitted within its duration.",
    fields: [
      named("resource", "string", "Name of the requested resource"),
      f("resourceType", "resourceType", "Type of the requested resource"),
      f("waitedMillis", "int", "How long the request waited, in milliseconds")
    ]
  },
  {
    tag: "ResourceBusy",
    category: "Resource",
    code: 4,
    message: "Resource name {resource} is taken (by a resource or a waiting request)",
    doc:
      "A NonBlocking or Emergency request for a taken name: one a live (or deferred) resource has, a request " +
      "waiting in a type queue reserves, or requests wait for.",
    fields: [named("resource", "string", "The taken name")]
  },
  {
    tag: "StaleHandle",
    category: "Resource",
    code: 5,
    message: "Handle {handle} is stale: slot {slot} now has generation {currentGeneration}",
    doc: "The handle's generation no longer matches its slot: the resource was released and the slot reused.",
    fields: [
      f("handle", "string", "The stale handle, printed"),
      f("slot", "int", "Its slot index"),
      f("currentGeneration", "int", "The slot's current generation")
    ]
  },
  {
    tag: "ResourceReleased",
    category: "Resource",
    code: 6,
    message: "Resource {resource} was already released",
    doc: "A ref was used after its release.",
    fields: [named("resource", "string", "Name of the released resource")]
  },
  {
    tag: "ManagerClosed",
    category: "Resource",
    code: 7,
    message: "The resource manager is closed",
    doc: "An operation reached a manager whose Layer (or facade) was closed.",
    fields: []
  },
  {
    tag: "PayloadUnavailable",
    category: "Resource",
    code: 8,
    message: "The payload of {resource} ({sizeBytes} bytes) could not be made: {reason}",
    doc:
      "A Memory resource's default payload (a Uint8Array of sizeBytes) could not be allocated. The resource " +
      "stays held; a later read tries again.",
    fields: [
      named("resource", "string", "Name of the resource"),
      f("sizeBytes", "int", "The payload's size in bytes"),
      f("reason", "string", "What the allocation threw, printed")
    ]
  },
  {
    tag: "InvalidMetadata",
    category: "Validation",
    code: 1,
    message: "Invalid resource metadata: {issue}",
    doc: "Metadata failed Schema validation; carries the issue.",
    fields: [f("issue", "string", "The Schema issue, formatted")]
  },
  {
    tag: "InvalidBudget",
    category: "Validation",
    code: 2,
    message: "Invalid budget for {resourceType}: {issue}",
    doc: "A budget broke its rules (reservedBytes ≤ maxBytes, 0 < warning < critical ≤ 100, safe integers).",
    fields: [f("resourceType", "string", "The type the budget was for"), f("issue", "string", "What is wrong")]
  },
  {
    tag: "InvalidProfile",
    category: "Validation",
    code: 3,
    message: "Invalid platform profile {profile}: {issue}",
    doc: "A custom platform profile failed validation.",
    fields: [f("profile", "string", "The profile's name"), f("issue", "string", "What is wrong")]
  },
  {
    tag: "InvalidArgument",
    category: "Validation",
    code: 4,
    message: "Invalid argument {argument}: {issue}",
    doc: "An argument other than metadata, budget or profile is invalid (a negative timeout, an empty driver id).",
    fields: [f("argument", "string", "The argument's name"), f("issue", "string", "What is wrong")]
  },
  {
    tag: "NotShareable",
    category: "Sharing",
    code: 1,
    message: "Resource {resource} is not shareable (no Shareable flag)",
    doc: "share() needs the Shareable flag.",
    fields: [named("resource", "string", "Name of the resource")]
  },
  {
    tag: "AlreadyShared",
    category: "Sharing",
    code: 2,
    message: "Driver {driver} already holds resource {resource}",
    doc: "The driver is already a holder of the resource.",
    fields: [named("resource", "string", "Name of the resource"), f("driver", "string", "The driver")]
  },
  {
    tag: "NotHolder",
    category: "Sharing",
    code: 3,
    message: "Driver {driver} does not hold resource {resource}",
    doc: "A driver released or used a resource it does not hold.",
    fields: [named("resource", "string", "Name of the resource"), f("driver", "string", "The driver")]
  },
  {
    tag: "DependencyCycle",
    category: "Dependency",
    code: 1,
    message: "Dependency cycle: {cycle}",
    doc: "A dependsOn edge would close a cycle; carries the cycle's resource names in order.",
    fields: [
      list(
        named(
          "cycle",
          "stringList",
          "Resource names along the cycle, first repeated last (an unnamed one as slot#generation)"
        ),
        "sequence"
      )
    ]
  },
  {
    tag: "DeadlockDetected",
    category: "Dependency",
    code: 2,
    message: "Waiting would deadlock drivers {drivers} over {resources}",
    doc: "Starting this wait would leave a set of drivers that can never finish (Work/Finish reduction).",
    fields: [
      list(f("drivers", "stringList", "The drivers that could never finish, sorted (a set, not a wait chain)"), "set"),
      list(f("resources", "stringList", "The queues (type bytes or names) they would be stuck on, sorted"), "set")
    ]
  },
  {
    tag: "DependencyNotLive",
    category: "Dependency",
    code: 3,
    message: "Dependency {dependency} of {resource} is not a live resource",
    doc: "dependsOn must point to live resources.",
    fields: [
      named("resource", "string", "The dependent"),
      named("dependency", "string", "The dependency: its name, or its handle as slot#generation")
    ]
  },
  {
    tag: "PoolExhausted",
    category: "Pool",
    code: 1,
    message: "Pool {pool} is exhausted: all {maxCount} blocks of {blockSize} bytes are in use",
    doc: "Every block is in use and the pool is at maxCount, or its growth (or initial capacity) was refused by its budget.",
    fields: [
      f("pool", "string", "The pool's name"),
      f("blockSize", "int", "Its block size"),
      f("maxCount", "int", "Its maximum block count")
    ],
    optional: [
      {
        field: f(
          "refusedBytes",
          "int",
          "Set when the pool is below maxCount: the growth (or initial capacity), in bytes, its budget (`admitGrowth`) refused"
        ),
        message: "Pool {pool} could not grow by {refusedBytes} bytes: its budget refused them"
      }
    ],
    pool: true
  },
  {
    tag: "InvalidPoolConfig",
    category: "Pool",
    code: 2,
    message: "Invalid pool config {pool}: {field} = {value}: {issue}",
    doc: "A pool config is invalid; nothing was allocated.",
    fields: [
      f("pool", "string", "The pool's name"),
      f("field", "string", "The offending field"),
      f("value", "string", "Its value, printed"),
      f("issue", "string", "What is wrong")
    ],
    pool: true
  },
  {
    tag: "DuplicatePool",
    category: "Pool",
    code: 3,
    message: "A pool of {blockSize}-byte blocks for {resourceType} already exists",
    doc: "One pool per (type, block size).",
    fields: [f("resourceType", "resourceType", "Its type"), f("blockSize", "int", "Its block size")],
    pool: true
  },
  {
    tag: "PoolNotFound",
    category: "Pool",
    code: 4,
    message: "No pool of {blockSize}-byte blocks for {resourceType}",
    doc: "getPoolStats/destroyPool named a pool that does not exist.",
    fields: [f("resourceType", "resourceType", "Its type"), f("blockSize", "int", "Its block size")],
    pool: true
  },
  {
    tag: "InvalidBlock",
    category: "Pool",
    code: 5,
    message: "Invalid block {index} for pool {pool}: {issue}",
    doc: "A free of a block that is out of range, already free, or not from this pool; the pool is unchanged.",
    fields: [
      f("pool", "string", "The pool's name"),
      f(
        "index",
        "int",
        "The handle that was refused, as given (NaN when it is not a number): `indexOf` gives a double-freed block's index"
      ),
      f("issue", "string", "out of range, double free, or foreign block")
    ],
    pool: true
  },
  {
    tag: "UseAfterFree",
    category: "Pool",
    code: 6,
    message: "Block {index} of pool {pool} was written after it was freed (debug poison check)",
    doc: "Debug mode found a freed block's poison overwritten when it was handed out again.",
    fields: [f("pool", "string", "The pool's name"), f("index", "int", "The block index")],
    pool: true
  },
  {
    tag: "PoolInUse",
    category: "Pool",
    code: 7,
    message: "The pool of {blockSize}-byte blocks for {resourceType} still has {inUse} block(s) in use",
    doc: "destroyPool of a manager's pool whose blocks are still held; the pool and its charge are unchanged.",
    fields: [
      f("resourceType", "resourceType", "Its type"),
      f("blockSize", "int", "Its block size"),
      f("inUse", "int", "Blocks still in use")
    ]
  },
  {
    tag: "PoolDetached",
    category: "Pool",
    code: 8,
    message: "Pool {pool}: this handle (slot {slot}) has detached; attach again to allocate",
    doc:
      "An allocation through a SharedBlockPool handle after its detach(): the handle gave its thread slot back " +
      "and takes no block any more (the pool may have free blocks); the pool is unchanged.",
    fields: [f("pool", "string", "The pool's name"), f("slot", "int", "The thread slot the handle had")],
    pool: true
  },
  {
    tag: "PlatformDetectionFailed",
    category: "Platform",
    code: 1,
    message: "Could not detect the platform's memory limit: {issue}",
    doc: "No source (cgroup, os.totalmem, Deno.systemMemoryInfo, navigator.deviceMemory) was readable.",
    fields: [f("issue", "string", "What each source reported")]
  },
  {
    tag: "UnknownProfile",
    category: "Platform",
    code: 2,
    message: "Unknown platform profile {profile}",
    doc: "No built-in or registered profile has this name.",
    fields: [f("profile", "string", "The requested name")]
  },
  {
    tag: "SharedMemoryUnavailable",
    category: "Platform",
    code: 3,
    message: "Shared memory is not available: {issue}",
    doc: "A shared manager needs SharedArrayBuffer and Atomics (in browsers, a cross-origin isolated page).",
    fields: [f("issue", "string", "What is missing")]
  }
]
