/**
 * Under `exactOptionalPropertyTypes` (on in this repository's tsconfig), every optional field of the config and
 * option types takes an explicit `undefined`, which the manager reads as the default (docs/semantics.md section 3:
 * "an option left out or `undefined` takes its default"), as `ResourceMetadata`'s fields already did: a wrapper
 * that forwards its own optional settings (`label: options.label`) compiles. Each object below is checked by
 * `tsc -b` (without `| undefined` on the field, TS2375/TS2379/TS2769) and run to show the defaults apply.
 */
import { describe, expect, test } from "bun:test"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit } from "effect"
import {
  type AcquireOptions,
  type AsyncAcquireOptions,
  createResourceManager,
  type DriverConfig,
  layerSystemPressure,
  type ManagerDumpOptions,
  managerDump,
  ResourceManager,
  type ResourceManagerConfig,
  recordTimeline,
  recordTimelineScoped,
  type SyncAcquireOptions,
  SystemPressure,
  type SystemPressureOptions,
  type TimelineOptions,
  type TraceConfig
} from "../src/index.ts"
import { timelineToFile } from "../src/TimelineFile.ts"

const budgets = { Memory: { maxBytes: 1024, reservedBytes: 0, warningPercent: 70, criticalPercent: 90 } }
const memory = { type: "Memory" as const, sizeBytes: 16 }

/** A wrapper's own options, forwarded field by field: each may be undefined. */
interface Forwarded {
  readonly label?: string | undefined
  readonly owner?: string | undefined
}
const forwarded: Forwarded = {}

describe("explicit undefined in config and option fields", () => {
  test("ResourceManagerConfig, TraceConfig and DriverConfig", () => {
    const lines: Array<string> = []
    const trace: TraceConfig = {
      sink: (line) => lines.push(line),
      unitBytes: undefined,
      drivers: undefined,
      types: undefined
    }
    const sequential: DriverConfig = { sequential: undefined }
    const config: ResourceManagerConfig = {
      profile: undefined,
      types: undefined,
      budgets,
      pools: undefined,
      hysteresisPercent: undefined,
      defaultDriver: undefined,
      drivers: { other: sequential },
      captureAcquisitionSite: undefined,
      trace,
      label: forwarded.label,
      detectGarbageCollectedLeaks: undefined,
      onLeaks: undefined
    }
    using manager = createResourceManager(config)
    manager.registerDriver("worker", { sequential: undefined })
    const dumpOptions: ManagerDumpOptions = { label: undefined, takenAtMillis: undefined, pools: undefined }
    expect(managerDump(manager, dumpOptions).label).toBe("resource-manager")
    expect(lines.length).toBeGreaterThan(0)
  })

  test("the facade's acquisition options", async () => {
    using manager = createResourceManager({ budgets })
    const sync: SyncAcquireOptions<Uint8Array> = {
      mode: undefined,
      owner: forwarded.owner,
      create: undefined,
      destroy: undefined
    }
    const async: AsyncAcquireOptions<Uint8Array> = {
      mode: undefined,
      timeoutMillis: undefined,
      owner: undefined,
      create: undefined,
      destroy: undefined,
      signal: undefined
    }
    const a = manager.acquire("a", memory, sync)
    const b = manager.acquire("b", memory, { mode: undefined, owner: forwarded.owner })
    const c = await manager.acquireAsync("c", memory, async)
    const d = await manager.acquireAsync("d", memory, { mode: undefined, timeoutMillis: undefined, owner: undefined })
    const e = await manager.use("e", memory, (ref) => ref.driver, { owner: forwarded.owner, signal: undefined })
    expect([a.driver, b.driver, c.driver, d.driver, e]).toEqual(["app", "app", "app", "app", "app"])
    for (const ref of [a, b, c, d]) ref.release()
  })

  test("the Effect service's acquisition options (NonBlocking's channel when the mode is undefined)", async () => {
    const options: AcquireOptions<Uint8Array> = {
      mode: undefined,
      timeout: undefined,
      owner: undefined,
      create: undefined,
      destroy: undefined
    }
    const exit = await Effect.runPromiseExit(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        const a = yield* manager.acquire("a", memory, options)
        const b = yield* manager.acquire("b", memory, { mode: undefined, timeout: undefined, owner: forwarded.owner })
        const c = yield* manager.use("c", memory, (ref) => Effect.succeed(ref.driver), { owner: forwarded.owner })
        return [a.driver, b.driver, c]
      }).pipe(
        // every error of NonBlocking handled leaves nothing: `b`'s and `c`'s channel is NonBlocking's
        Effect.catchTags({
          BudgetExceeded: () => Effect.succeed([]),
          ResourceBusy: () => Effect.succeed([]),
          InvalidMetadata: () => Effect.succeed([]),
          InvalidArgument: () => Effect.succeed([]),
          DependencyNotLive: () => Effect.succeed([]),
          ManagerClosed: () => Effect.succeed([])
        }),
        Effect.scoped,
        Effect.provide(ResourceManager.layer({ budgets }))
      )
    )
    expect(exit).toEqual(Exit.succeed(["app", "app", "app"]))
  })

  test("SystemPressureOptions, TimelineOptions, recordTimelineScoped's and timelineToFile's options", async () => {
    const pressure: SystemPressureOptions = {
      enabled: undefined,
      pollInterval: undefined,
      eventHold: undefined,
      fsRoot: undefined,
      readFile: undefined,
      events: undefined
    }
    const level = await Effect.runPromise(
      Effect.gen(function* () {
        const signal = yield* SystemPressure
        return [yield* signal.current, signal.sources] as const
      }).pipe(Effect.provide(layerSystemPressure(pressure)))
    )
    expect(level).toEqual(["None", ["manual"]]) // automatic sources off: `enabled` undefined is false

    using manager = createResourceManager({ budgets })
    const lines: Array<string> = []
    const options: TimelineOptions = { sink: (line) => lines.push(line), intervalMillis: undefined, label: undefined }
    const recorder = recordTimeline(manager, options)
    recorder.stop()
    expect(JSON.parse(lines[0] ?? "{}").label).toBe("resource-manager")

    const scoped: Array<string> = []
    await Effect.runPromise(
      recordTimelineScoped({ sink: (line) => scoped.push(line), interval: "1 hour", label: undefined }).pipe(
        Effect.scoped,
        Effect.provide(ResourceManager.layer({ budgets }))
      )
    )
    expect(JSON.parse(scoped[0] ?? "{}").label).toBe("resource-manager")

    const dir = mkdtempSync(join(tmpdir(), "flight-hal-timeline-"))
    try {
      const file = timelineToFile(join(dir, "timeline.ndjson"), { fs: undefined })
      file.sink("{}")
      file.close()
      expect(readFileSync(join(dir, "timeline.ndjson"), "utf8")).toBe("{}\n")
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
