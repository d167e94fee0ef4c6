/**
 * Manager dumps: a JSON file with a manager's stats snapshot, its wait-for graph and its pools,
 * written by {@link dumpManager} (and by `flight-hal demo --dump`), read by `flight-hal inspect`.
 *
 * @module
 */
import { ResourceBudgetSchema, ResourcePressureSchema, ResourceTypeNames, ResourceTypeSchema } from "@flight-hal/core"
import type { ResourceManagerService } from "@flight-hal/resources"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

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

const WaitEdgeSchema = Schema.Struct({
  waiter: Schema.String,
  resource: Schema.String,
  priority: Schema.String,
  sizeBytes: Count
})

const WaitGraphSchema = Schema.Struct({
  drivers: Schema.Array(
    Schema.Struct({ driver: Schema.String, holds: Schema.Array(Schema.String), waitsFor: Schema.Array(WaitEdgeSchema) })
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
  deadlock: Schema.NullOr(Schema.Unknown)
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
export const ManagerDumpSchema = Schema.Struct({
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
 * A dump: what `flight-hal inspect` reads.
 *
 * @since 0.1.0
 * @category dump
 */
export type ManagerDump = typeof ManagerDumpSchema.Type

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
