/**
 * Manager dumps: a JSON file with a manager's stats snapshot, its wait-for graph and its pools,
 * written by {@link dumpManager} (and by `flight-hal demo --dump`), read by `flight-hal inspect`.
 *
 * @module
 */
import { ResourceBudgetSchema, ResourcePressureSchema, ResourceTypeNameSchema } from "@flight-hal/core"
import { type ManagerDump, managerDump, type ResourceManagerService } from "@flight-hal/resources"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { issueLine } from "./internal/schema-issue.ts"

/**
 * The dump's types, made by `managerDump` of `@flight-hal/resources` (from a manager of either front end).
 *
 * @since 0.1.0
 * @category dump
 */
export type { DumpedDriver, DumpedPool, DumpedStats, DumpedWaitGraph, ManagerDump } from "@flight-hal/resources"

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
  budget: Schema.optionalKey(ResourceBudgetSchema),
  failures: Schema.optionalKey(Schema.Record(Schema.String, Count)),
  leaks: Schema.optionalKey(Count)
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
      chargedBytes: Schema.optionalKey(Count),
      holders: Schema.Array(Schema.String),
      dependsOn: Schema.Array(Schema.String),
      dependents: Schema.Array(Schema.String)
    })
  ),
  deadlock: Schema.Unknown
})

const PoolDumpSchema = Schema.Struct({
  name: Schema.String,
  type: Schema.optionalKey(ResourceTypeNameSchema),
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
 * Takes a dump of a manager as an Effect (`managerDump` of `@flight-hal/resources`), ready for
 * `JSON.stringify`: its own pools, or the `pools` given (the demo's pools, whose blocks it charges).
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
  pools?: ManagerDump["pools"],
  takenAtMillis = 0
): Effect.Effect<ManagerDump> =>
  Effect.sync(() => managerDump(manager, { label, takenAtMillis, ...(pools === undefined ? {} : { pools }) }))

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
    Effect.mapError((error) =>
      error instanceof Error ? new Error(`not a flight-hal dump: ${issueLine(error.message)}`) : error
    )
  )
