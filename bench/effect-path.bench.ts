/**
 * Where the time of the Effect front end's fast path goes, next to Effect's own `Pool`: the same 4 KiB block of a
 * 64-block Memory pool under a budget as bench/workload.bench.ts, with the pieces around it measured alone:
 *
 * | row | what it is |
 * | --- | --- |
 * | runSync(withFiber) | `Effect.runSync` of a one-step Effect: the fiber every other row pays too |
 * | core in a fiber | the facade's acquire + payload + release inside that one step: the core's own work |
 * | Pool.use / use+get | `Pool.use(pool, (b) => succeed(b[0]))` / `manager.use("", memory, (ref) => ref.get)` |
 * | scoped(Pool.get) / scoped acquire+get | `scoped(map(Pool.get(pool), …))` / `scoped(flatMap(acquire(…), (ref) => ref.get))` |
 *
 * Unlike the fresh-process benches, every row runs in one process, in interleaved rounds, so that the load of
 * other jobs on a shared machine falls on all of them alike; a round's figure is CPU time (user + system) per
 * op. The report gives each row's fastest and median round, and the ratios of the fastest.
 *
 *   bun bench/effect-path.bench.ts [--json] [--rounds N] [--ops N]
 *
 * @module
 */
import { cpus, loadavg } from "node:os"
import { Context, Effect, Layer, Pool, Scope } from "effect"
import { do_not_optimize } from "mitata"
import { createResourceManager, ResourceManager, type ResourceManagerConfig } from "../packages/resources/src/index.ts"
import { benchOptions, exitWithUsageIfAsked, flagOf, median } from "./internal/fresh-process.ts"

exitWithUsageIfAsked(import.meta.url)

const BLOCK = 4096
const memory = { type: "Memory", sizeBytes: BLOCK } as const
const pooled: ResourceManagerConfig = {
  budgets: {
    Memory: { maxBytes: 64 * 1024 * 1024, reservedBytes: 1024 * 1024, warningPercent: 75, criticalPercent: 90 }
  },
  pools: [{ type: "Memory", blockSize: BLOCK, initialCount: 64, maxCount: 64 }],
  onLeaks: () => {}
}

const scope = Effect.runSync(Scope.make()) // open for the life of the process
const manager = Context.get(Effect.runSync(Layer.buildWithScope(ResourceManager.layer(pooled), scope)), ResourceManager)
const facade = createResourceManager(pooled)
const pool = Effect.runSync(
  Scope.provide(scope)(Pool.make({ acquire: Effect.sync(() => new Uint8Array(BLOCK)), size: 64 }))
)
const running =
  <A, E>(program: Effect.Effect<A, E>) =>
  () =>
    do_not_optimize(Effect.runSync(program))

const rows: ReadonlyArray<readonly [string, () => unknown]> = [
  ["runSync(withFiber)", running(Effect.withFiber(() => Effect.void))],
  [
    "core in a fiber",
    running(
      Effect.withFiber(() => {
        const ref = facade.acquire("", memory)
        do_not_optimize(ref.payload)
        ref.release()
        return Effect.void
      })
    )
  ],
  ["Pool.use", running(Pool.use(pool, (block) => Effect.succeed(block[0])))],
  ["use+get", running(manager.use("", memory, (ref) => ref.get))],
  ["scoped(Pool.get)", running(Effect.scoped(Effect.map(Pool.get(pool), (block) => block[0])))],
  ["scoped acquire+get", running(Effect.scoped(Effect.flatMap(manager.acquire("", memory), (ref) => ref.get)))]
]

const { json, log } = benchOptions()
const rounds = Number(flagOf("--rounds") ?? 24)
const ops = Number(flagOf("--ops") ?? 50_000)
const warmup = 4
const loadAtStart = loadavg()
const perRow = rows.map((): Array<number> => [])
for (let round = 0; round < rounds + warmup; round++) {
  rows.forEach(([, op], row) => {
    const before = process.cpuUsage()
    for (let i = 0; i < ops; i++) op()
    const used = process.cpuUsage(before)
    if (round >= warmup) perRow[row]?.push(((used.user + used.system) * 1000) / ops)
  })
}
const results = rows.map(([name], row) => {
  const figures = perRow[row] ?? []
  return { name, fastestNs: Math.min(...figures), medianNs: median(figures) }
})
const fastest = (name: string) => results.find((r) => r.name === name)?.fastestNs ?? Number.NaN
const ratios = {
  "use+get / Pool.use": fastest("use+get") / fastest("Pool.use"),
  "scoped acquire+get / scoped(Pool.get)": fastest("scoped acquire+get") / fastest("scoped(Pool.get)"),
  "core in a fiber − runSync(withFiber), ns": fastest("core in a fiber") - fastest("runSync(withFiber)")
}
if (json) {
  const output = { unit: "CPU ns per op", rounds, ops, results, ratios, cpus: cpus().length }
  process.stdout.write(`${JSON.stringify({ ...output, loadAverage: { atStart: loadAtStart, atEnd: loadavg() } })}\n`)
} else {
  log(`Effect path: ${rounds} interleaved rounds of ${ops} ops, CPU ns per op (fastest round, median round)`)
  log(`load average at start: ${loadAtStart.map((x) => x.toFixed(2)).join(", ")} (${cpus().length} CPUs)`)
  for (const r of results)
    log(`${r.name.padEnd(24)} ${r.fastestNs.toFixed(0).padStart(7)} ns ${r.medianNs.toFixed(0).padStart(7)} ns`)
  for (const [what, value] of Object.entries(ratios)) log(`${what}: ${value.toFixed(2)}`)
}
