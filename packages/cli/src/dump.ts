/**
 * Manager dumps: a JSON file with a manager's stats snapshot, its wait-for graph and its pools,
 * written by {@link dumpManager} (and by `flight-hal demo --dump`), read by `flight-hal inspect`.
 *
 * @module
 */
import {
  type ResourceBudget,
  ResourceBudgetSchema,
  type ResourcePressure,
  ResourcePressureSchema,
  type ResourceType,
  ResourceTypeNames,
  ResourceTypeSchema
} from "@flight-hal/core"
import type { ResourceManagerService } from "@flight-hal/resources"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

/**
 * One type's stats in a dump (the manager's `ResourceStats`; `budget` absent when unlimited).
 *
 * @since 0.1.0
 * @category dump
 */
export interface DumpedStats {
  readonly type: ResourceType
  readonly currentUsage: number
  readonly peakUsage: number
  readonly allocationCount: number
  readonly releaseCount: number
  readonly failedCount: number
  readonly emergencyCount: number
  readonly emergencyBytes: number
  readonly waiting: number
  readonly pressure: ResourcePressure
  readonly budget?: ResourceBudget
}

/**
 * A driver's stats in a dump.
 *
 * @since 0.1.0
 * @category dump
 */
export interface DumpedDriver {
  readonly driver: string
  readonly owned: number
  readonly shared: number
  readonly bytesByType: { readonly [type: string]: number }
  readonly waiting: number
}

/**
 * The wait-for graph in a dump (the manager's wait-graph snapshot).
 *
 * @since 0.1.0
 * @category dump
 */
export interface DumpedWaitGraph {
  readonly drivers: ReadonlyArray<{
    readonly driver: string
    readonly holds: ReadonlyArray<string>
    readonly waitsFor: ReadonlyArray<{
      readonly waiter: string
      readonly resource: string
      readonly priority: string
      readonly sizeBytes: number
    }>
  }>
  readonly resources: ReadonlyArray<{
    readonly id: string
    readonly type: string
    readonly name: string | null
    readonly sizeBytes: number
    readonly holders: ReadonlyArray<string>
    readonly dependsOn: ReadonlyArray<string>
    readonly dependents: ReadonlyArray<string>
  }>
  readonly deadlock: unknown
}

/**
 * A pool in a dump.
 *
 * @since 0.1.0
 * @category dump
 */
export interface DumpedPool {
  readonly name: string
  readonly blockSize: number
  readonly maxCount: number
  readonly totalBlocks: number
  readonly usedBlocks: number
  readonly peakUsedBlocks: number
}

/**
 * A dump: what `flight-hal inspect` reads.
 *
 * @since 0.1.0
 * @category dump
 */
export interface ManagerDump {
  readonly format: "flight-hal/dump"
  readonly version: 1
  readonly label: string
  readonly takenAtMillis: number
  readonly snapshot: {
    readonly types: ReadonlyArray<DumpedStats>
    readonly liveResources: number
    readonly drivers: ReadonlyArray<DumpedDriver>
  }
  readonly waitGraph: DumpedWaitGraph
  readonly pools: ReadonlyArray<DumpedPool>
}

const Count = Schema.Number

const StatsSchema = Schema.Struct({
  type: ResourceTypeSchema,
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
 * const dump = Effect.flatMap(ResourceManager.asEffect(), (manager) => dumpManager(manager, "app"))
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
        types: snapshot.types
          .filter((s) => ResourceTypeNames.includes(s.type))
          .map(({ budget, ...rest }) => (budget === undefined ? rest : { ...rest, budget })),
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
