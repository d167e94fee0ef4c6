/**
 * Many acquisitions inside one fiber: the Effect rows of bench/workload.bench.ts run one `Effect.runSync` per
 * acquisition, so each of them also pays a fiber's start (the fiber, its context cache, the run loop's entry),
 * which a program that acquires inside a long-running fiber (a frame loop) pays once. Here each run makes
 * `--per-run` acquisitions (default 1000) in one fiber: the manager's `use` + `get` against Effect's `Pool.use`,
 * and a scoped acquisition + `get` against `scoped(Pool.get)`, on the same 4 KiB buffers. The four rows run in
 * interleaved rounds in one process (so the machine's load falls on each alike); the report is the median ns per
 * acquisition of the rounds after the first quarter (warm-up), and the ratios of the medians.
 *
 *   bun bench/in-fiber.bench.ts [--json] [--rounds N] [--per-run N]
 *
 * @module
 */
import { Effect, Pool } from "effect"
import { exitWithUsageIfAsked, flagOf } from "./internal/fresh-process.ts"
import { effectManager, effectPool, memory, pooled } from "./internal/workload-variants.ts"

exitWithUsageIfAsked(import.meta.url)

const rounds = Number(flagOf("--rounds") ?? 400)
const perRun = Number(flagOf("--per-run") ?? 1000)
const json = process.argv.includes("--json")

/** `effect` run `perRun` times in one fiber. */
const repeated = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<void, E> =>
  Effect.suspend(() => {
    let done = 0
    return Effect.whileLoop({ while: () => done++ < perRun, body: () => effect, step: () => {} })
  })

const manager = effectManager(pooled)
const pool = effectPool()
const rows = [
  { name: "Effect use+get", program: repeated(manager.use("", memory, (ref) => ref.get)) },
  { name: "Effect Pool.use", program: repeated(Pool.use(pool, (block) => Effect.succeed(block[0]))) },
  {
    name: "Effect scoped acquire+get",
    program: repeated(Effect.scoped(Effect.flatMap(manager.acquire("", memory), (ref) => ref.get)))
  },
  { name: "Effect Pool scoped(Pool.get)", program: repeated(Effect.scoped(Effect.map(Pool.get(pool), (b) => b[0]))) }
] as const

/** ns per acquisition of one run. */
const timeRun = (program: Effect.Effect<void, unknown>): number => {
  const start = performance.now()
  Effect.runSync(program as Effect.Effect<void>)
  return ((performance.now() - start) * 1e6) / perRun
}

const samples = rows.map(() => [] as Array<number>)
for (let round = 0; round < rounds; round++) {
  rows.forEach((row, i) => {
    samples[i]?.push(timeRun(row.program))
  })
}
const median = (xs: ReadonlyArray<number>): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[sorted.length >> 1] ?? Number.NaN
}
const results = rows.map((row, i) => ({ name: row.name, ns: median((samples[i] ?? []).slice(rounds >> 2)) }))
const nsOf = (name: string) => results.find((r) => r.name === name)?.ns ?? Number.NaN
const ratios = [
  { of: "Effect use+get", over: "Effect Pool.use" },
  { of: "Effect scoped acquire+get", over: "Effect Pool scoped(Pool.get)" }
].map((r) => ({ ...r, ratio: nsOf(r.of) / nsOf(r.over) }))
if (json) console.log(JSON.stringify({ rounds, perRun, results, ratios }))
else {
  console.log(`in one fiber: ${perRun} acquisitions per run, ${rounds} interleaved rounds (ns per acquisition, median)`)
  for (const r of results) console.log(`  ${r.name.padEnd(32)} ${r.ns.toFixed(1).padStart(8)} ns`)
  for (const r of ratios) console.log(`  ${r.of} / ${r.over}: ${r.ratio.toFixed(2)}`)
}
