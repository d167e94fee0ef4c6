/**
 * Machine instructions per op, counted under valgrind: the same variants as bench/workload.bench.ts and the
 * same rows as bench/fast-path-profile.bench.ts, each run by Bun under `valgrind --tool=cachegrind` (JIT
 * compilation on the running thread: `BUN_JSC_useConcurrentJIT=false`, so that the optimizing tiers are
 * reached as they are outside valgrind) at `--ops N` and at 3N ops; the difference over 2N is the steady-state
 * count of one op, startup and warm-up left out.
 *
 * Why: on a shared machine single timing trials of the same code differ by up to 2×, and the timing benches'
 * ratios move with them. A count of instructions does not depend on the machine's load (it is the same
 * whichever other jobs run, so variants are counted in parallel). On some ratios it tracks time (the heap
 * variant over a bare `new Uint8Array(4096)`: 1.58× in time, 1.41–1.58× in instructions), on others not (the
 * facade over Effect's `Pool.use`: 0.36–0.59× in time, 0.96× in instructions). It does not see cache misses,
 * contention or allocation cost beyond the instructions that do it: the timing benches stay the verdicts;
 * this is the profile that can be repeated.
 *
 * Needs valgrind (not part of `npm test`; the script says so and exits 0 when valgrind is missing).
 *
 * `--busy-runtime` counts in a busy Effect runtime: each child first runs the fixed mix of everyday Effect
 * programs of `internal/busy-runtime.ts` (its cost is the same at N and 3N ops, so it drops out of the count).
 *
 *   bun bench/instructions.ts [--json] [--set workload|fast-path] [--filter TEXT] [--ops N] [--jobs K]
 *     [--busy-runtime]
 *
 * @module
 */
import { spawn, spawnSync } from "node:child_process"
import { cpus } from "node:os"
import { fileURLToPath } from "node:url"
import { benchOptions, exitWithUsageIfAsked, flagOf } from "./internal/fresh-process.ts"
import {
  BUSY_RUNTIME as BUSY,
  type ChildRun,
  childArgs,
  childRunOf,
  type VariantSetName as SetName,
  variantSets as sets,
  variantLoop
} from "./internal/variant-sets.ts"
import { workloadTargets } from "./internal/workload-variants.ts"

exitWithUsageIfAsked(import.meta.url)

/**
 * In a child: runs `ops` ops of one variant (in 10 calls of one loop, so that the loop is compiled), then exits;
 * in a busy runtime, after the mix of Effect programs.
 */
const runChild = async ({ set, index, ops, busy }: ChildRun): Promise<void> => {
  const loop = variantLoop(set, index, busy)
  for (let chunk = 0; chunk < 10; chunk++) await loop(ops / 10)
  process.exit(0)
}

/** Instructions valgrind counted for one child run (its "I refs" line). */
const countRun = (self: string, set: SetName, index: number, ops: number, busy: boolean): Promise<number> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      "valgrind",
      [
        "--tool=cachegrind",
        "--cache-sim=no",
        "--smc-check=all-non-file",
        "--cachegrind-out-file=/dev/null",
        process.execPath,
        self,
        ...childArgs({ set, index, ops, busy })
      ],
      { env: { ...process.env, BUN_JSC_useConcurrentJIT: "false" }, stdio: ["ignore", "ignore", "pipe"] }
    )
    let stderr = ""
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.on("error", reject)
    child.on("close", (code) => {
      const match = /I\s+refs:\s+([\d,]+)/.exec(stderr)
      if (code !== 0 || match?.[1] === undefined) {
        reject(new Error(`${set} #${index} at ${ops} ops: exit ${code}\n${stderr.slice(-2000)}`))
      } else resolve(Number(match[1].replaceAll(",", "")))
    })
  })

/** Runs `tasks` with at most `jobs` at a time. */
const pooled = async <T>(tasks: ReadonlyArray<() => Promise<T>>, jobs: number): Promise<Array<T>> => {
  const results = new Array<T>(tasks.length)
  let next = 0
  const worker = async () => {
    for (let i = next++; i < tasks.length; i = next++) results[i] = await (tasks[i] as () => Promise<T>)()
  }
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker))
  return results
}

const self = fileURLToPath(import.meta.url)
const args = process.argv.slice(2)
const child = childRunOf(args)
if (child !== undefined) {
  await runChild(child)
} else {
  const busy = args.includes(BUSY)
  const { json, filter, log } = benchOptions()
  const ops = Number(flagOf("--ops") ?? 200_000)
  const jobs = Number(flagOf("--jobs") ?? cpus().length)
  const only = flagOf("--set")
  if (spawnSync("valgrind", ["--version"]).status !== 0) {
    log("bench/instructions.ts: valgrind was not found; instruction counts need it. Skipped.")
    process.exit(0)
  }
  const chosen = (Object.keys(sets) as Array<SetName>).filter((set) => only === undefined || set === only)
  const work = chosen.flatMap((set) =>
    sets[set].flatMap((variant, index) =>
      filter !== undefined && !variant.name.includes(filter) ? [] : [{ set, index, name: variant.name }]
    )
  )
  log(
    `instructions per op (valgrind cachegrind, ${ops} and ${3 * ops} ops per variant, ${jobs} job(s) at a time, ` +
      `${busy ? "busy" : "fresh"} runtime)`
  )
  const counts = await pooled(
    work.flatMap((w) => [
      () => countRun(self, w.set, w.index, ops, busy),
      () => countRun(self, w.set, w.index, 3 * ops, busy)
    ]),
    jobs
  )
  const results = work.map((w, i) => ({
    set: w.set,
    name: w.name,
    instructionsPerOp: Math.round(((counts[2 * i + 1] as number) - (counts[2 * i] as number)) / (2 * ops))
  }))
  const of = (set: SetName, name: string) =>
    results.find((r) => r.set === set && r.name === name)?.instructionsPerOp ?? Number.NaN
  const ratios = workloadTargets.flatMap((t) =>
    t.over === undefined
      ? []
      : [{ target: t.what, measured: of("workload", t.of) / of("workload", t.over), limit: t.limit }]
  )
  if (json) {
    const runtime = busy ? "busy" : "fresh"
    process.stdout.write(`${JSON.stringify({ unit: "instructions per op", ops, runtime, results, ratios }, null, 2)}\n`)
  } else {
    for (const set of chosen) {
      log(`${set}:`)
      let previous: number | undefined
      for (const r of results.filter((x) => x.set === set)) {
        const step = set === "fast-path" && previous !== undefined ? `  step ${r.instructionsPerOp - previous}` : ""
        log(`  ${r.name.padEnd(56)} ${String(r.instructionsPerOp).padStart(7)}${step}`)
        previous = r.instructionsPerOp
      }
    }
    if (ratios.some((r) => !Number.isNaN(r.measured))) {
      log("the workload's ratio targets, in instructions:")
      for (const r of ratios) {
        if (Number.isNaN(r.measured)) continue
        log(`  ${r.measured <= r.limit ? "met " : "MISS"}  ${r.target}: ${r.measured.toFixed(2)}`)
      }
    }
  }
}
