/**
 * Manager dumps: a JSON file with a manager's stats snapshot, its wait-for graph and its pools,
 * written by {@link dumpManager} (and by `flight-hal demo --dump`), read by `flight-hal inspect`.
 *
 * @module
 */
import {
  type ResourceBudget,
  ResourceBudgetSchema,
  ResourcePressureSchema,
  ResourceTypeNameSchema
} from "@flight-hal/core"
import type { ResourceManagerService, ResourceStats } from "@flight-hal/resources"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

/**
 * One type's stats in a dump (the manager's `ResourceStats`; `budget` absent when unlimited).
 *
 * @since 0.1.0
 * @category dump
 */
export interface DumpedStats extends Omit<ResourceStats, "budget"> {
  /** The budget in force (absent: unlimited, as JSON has no undefined). */
  readonly budget?: ResourceBudget
}

/**
 * A driver's stats in a dump.
 *
 * @since 0.1.0
 * @category dump
 */
export interface DumpedDriver {
  /** The driver id. */
  readonly driver: string
  /** Live resources it owns. */
  readonly owned: number
  /** Live resources it shares. */
  readonly shared: number
  /** Bytes it holds per type. */
  readonly bytesByType: { readonly [type: string]: number }
  /** Requests waiting. */
  readonly waiting: number
}

/**
 * The wait-for graph in a dump (the manager's wait-graph snapshot).
 *
 * @since 0.1.0
 * @category dump
 */
export interface DumpedWaitGraph {
  /** The drivers. */
  readonly drivers: ReadonlyArray<{
    /** The driver id. */
    readonly driver: string
    /** Ids of the resources it holds. */
    readonly holds: ReadonlyArray<string>
    /** Its waiting requests. */
    readonly waitsFor: ReadonlyArray<{
      /** The waiter's id. */
      readonly waiter: string
      /** The queue waited in (`bytes:<type>` or `name:<name>`). */
      readonly resource: string
      /** The request's priority. */
      readonly priority: string
      /** Bytes (0 for a name wait). */
      readonly sizeBytes: number
    }>
  }>
  /** The live resources. */
  readonly resources: ReadonlyArray<{
    /** The resource's id (its slot). */
    readonly id: string
    /** The resource type. */
    readonly type: string
    /** The name. */
    readonly name: string | null
    /** Bytes (0 for a name wait). */
    readonly sizeBytes: number
    /** The drivers holding it. */
    readonly holders: ReadonlyArray<string>
    /** Ids of its dependencies. */
    readonly dependsOn: ReadonlyArray<string>
    /** Ids of its live dependents. */
    readonly dependents: ReadonlyArray<string>
  }>
  /** The drivers that could never finish, or null. */
  readonly deadlock: unknown
}

/**
 * A pool in a dump.
 *
 * @since 0.1.0
 * @category dump
 */
export interface DumpedPool {
  /** The name. */
  readonly name: string
  /** Bytes per block. */
  readonly blockSize: number
  /** The most blocks the pool may hold. */
  readonly maxCount: number
  /** Blocks the pool holds now (capacity). */
  readonly totalBlocks: number
  /** Blocks in use. */
  readonly usedBlocks: number
  /** The most blocks in use at once. */
  readonly peakUsedBlocks: number
}

/**
 * A dump: what `flight-hal inspect` reads.
 *
 * @since 0.1.0
 * @category dump
 */
export interface ManagerDump {
  /** Always `flight-hal/dump`. */
  readonly format: "flight-hal/dump"
  /** The dump format's version. */
  readonly version: 1
  /** A label for the dump. */
  readonly label: string
  /** When it was taken, by the manager's clock. */
  readonly takenAtMillis: number
  /** The manager's stats snapshot. */
  readonly snapshot: {
    /** Every budgeted type's stats. */
    readonly types: ReadonlyArray<DumpedStats>
    /** Live resources. */
    readonly liveResources: number
    /** The drivers. */
    readonly drivers: ReadonlyArray<DumpedDriver>
  }
  /** The wait-for graph. */
  readonly waitGraph: DumpedWaitGraph
  /** The pools. */
  readonly pools: ReadonlyArray<DumpedPool>
}

const Count = Schema.Number

const StatsSchema = Schema.Struct({
  type: ResourceTypeNameSchema,
  code: Count,
  currentUsage: Count,
  peakUsage: Count,
  allocationCount: Count,
  releaseCount: Count,
  failedCount: Count,
  emergencyCount: Count,
  emergencyBytes: Count,
  waiting: Count,
  pressure: ResourcePressureSchema,
  budget: Schema.optionalKey(ResourceBudgetSchema)
})

const DriverStatsSchema = Schema.Struct({
  driver: Schema.String,
  owned: Count,
  shared: Count,
  bytesByType: Schema.Record(Schema.String, Count),
  waiting: Count
})

const WaitGraphSchema = Schema.Struct({
  drivers: Schema.Array(
    Schema.Struct({
      driver: Schema.String,
      holds: Schema.Array(Schema.String),
      waitsFor: Schema.Array(
        Schema.Struct({ waiter: Schema.String, resource: Schema.String, priority: Schema.String, sizeBytes: Count })
      )
    })
  ),
  resources: Schema.Array(
    Schema.Struct({
      id: Schema.String,
      type: Schema.String,
      name: Schema.NullOr(Schema.String),
      sizeBytes: Count,
      holders: Schema.Array(Schema.String),
      dependsOn: Schema.Array(Schema.String),
      dependents: Schema.Array(Schema.String)
    })
  ),
  deadlock: Schema.Unknown
})

const PoolDumpSchema = Schema.Struct({
  name: Schema.String,
  blockSize: Count,
  maxCount: Count,
  totalBlocks: Count,
  usedBlocks: Count,
  peakUsedBlocks: Count
})

/**
 * The schema of a dump file.
 *
 * @since 0.1.0
 * @category dump
 */
export const ManagerDumpSchema: Schema.Codec<ManagerDump> = Schema.Struct({
  format: Schema.Literal("flight-hal/dump"),
  version: Schema.Literal(1),
  label: Schema.String,
  takenAtMillis: Count,
  snapshot: Schema.Struct({
    types: Schema.Array(StatsSchema),
    liveResources: Count,
    drivers: Schema.Array(DriverStatsSchema)
  }),
  waitGraph: WaitGraphSchema,
  pools: Schema.Array(PoolDumpSchema)
})

/**
 * Takes a dump of a manager (and of the pools whose blocks it charges), ready for `JSON.stringify`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ResourceManager } from "@flight-hal/resources"
 * import { dumpManager } from "@flight-hal/cli"
 *
 * const program = Effect.gen(function*() {
 *   const manager = yield* ResourceManager
 *   return yield* dumpManager(manager, "app")
 * })
 * const dump = await Effect.runPromise(Effect.provide(program, ResourceManager.layer()))
 * console.log(JSON.stringify(dump).length > 0) // true
 * ```
 *
 * @since 0.1.0
 * @category dump
 */
export const dumpManager = (
  manager: ResourceManagerService,
  label: string,
  pools: ManagerDump["pools"] = [],
  takenAtMillis = 0
): Effect.Effect<ManagerDump> =>
  Effect.gen(function* () {
    const snapshot = yield* manager.snapshot
    const waitGraph = yield* manager.waitGraph
    const dump: ManagerDump = {
      format: "flight-hal/dump",
      version: 1,
      label,
      takenAtMillis,
      snapshot: {
        // JSON has no undefined: a type without a budget simply has no `budget` key.
        types: snapshot.types.map(({ budget, ...rest }) => (budget === undefined ? rest : { ...rest, budget })),
        liveResources: snapshot.liveResources,
        drivers: snapshot.drivers.map((d) => ({ ...d, bytesByType: { ...d.bytesByType } }))
      },
      waitGraph: JSON.parse(JSON.stringify(waitGraph)),
      pools
    }
    return dump
  })

/**
 * Parses a dump file's text; the error says what is wrong.
 *
 * @since 0.1.0
 * @category dump
 */
export const parseDump = (text: string): Effect.Effect<ManagerDump, Error> =>
  Effect.try({
    try: () => JSON.parse(text) as unknown,
    catch: (cause) => new Error(`not JSON: ${String(cause)}`)
  }).pipe(
    Effect.flatMap((json) => Schema.decodeUnknownEffect(ManagerDumpSchema)(json)),
    Effect.mapError((error) => (error instanceof Error ? new Error(`not a flight-hal dump: ${error.message}`) : error))
  )
