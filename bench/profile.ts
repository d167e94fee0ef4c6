/**
 * Where the time of one variant goes, by function: Linux `perf` samples the CPU while a fresh Bun process runs
 * the variant's op in a loop, and JavaScriptCore's JITDump names the machine code each sample landed in (the
 * function and the tier that compiled it; a function the JIT inlined into another counts as that one). Only
 * the main thread's samples of the timed loop count (the process's start, the warm-up, and the JIT compiler's
 * and the collector's helper threads, which run beside it, are left out), and each function's share is turned
 * into nanoseconds per op.
 *
 * The variants are those of bench/workload.bench.ts and bench/fast-path-profile.bench.ts (as in
 * bench/instructions.ts). Sampling costs the loop little, but the figures are from one process on a shared
 * machine: compare shares within a run, and runs with each other only roughly.
 *
 * Each row gives the size of the function's machine code (its inlined callees included), and the last line the
 * sum over the functions sampled: a rough measure of how much code one op runs through (the level-1 instruction
 * cache is 32 KiB).
 *
 * Needs `perf` with permission to sample one's own processes (`kernel.perf_event_paranoid` ≤ 2); not part of
 * `npm test` (the script says so and exits 0 when `perf` cannot run).
 *
 *   bun bench/profile.ts --filter TEXT [--set workload|fast-path] [--ops N] [--top K] [--busy-runtime] [--json]
 *
 * @module
 */
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { benchOptions, exitWithUsageIfAsked, flagOf } from "./internal/fresh-process.ts"
import { JitCodeMap } from "./internal/jitdump.ts"
import {
  BUSY_RUNTIME,
  type ChildRun,
  childArgs,
  childRunOf,
  isVariantSetName as isSetName,
  variantSets as sets,
  variantLoop
} from "./internal/variant-sets.ts"

exitWithUsageIfAsked(import.meta.url)

/** Samples per second (an odd rate, so the sampling does not beat with a periodic timer). */
const RATE = 4999
/** What a sample outside JIT code is: Bun's and JavaScriptCore's own code (GC, allocation, builtins) or the kernel's. */
const NATIVE = "(native: runtime, GC, kernel)"
/** The child's line that brackets the timed loop, in milliseconds of the wall clock (perf records with `-k realtime`). */
const MARK = "profile-window"

/** In a child: warms the op up, then runs `ops` of it between two marks of the wall clock. */
const runChild = async ({ set, index, ops, busy }: ChildRun): Promise<void> => {
  const loop = variantLoop(set, index, busy)
  for (let chunk = 0; chunk < 10; chunk++) await loop(Math.ceil(ops / 100)) // warm-up: a tenth of the ops
  const start = performance.timeOrigin + performance.now()
  for (let chunk = 0; chunk < 10; chunk++) await loop(ops / 10)
  const end = performance.timeOrigin + performance.now()
  process.stdout.write(`${MARK} ${start} ${end}\n`)
  process.exit(0)
}

/** One function's samples in the window. */
interface Row {
  readonly name: string
  readonly samples: number
  readonly share: number
  readonly nsPerOp: number
  /** The size of the function's machine code (bytes; its inlined callees included), 0 outside JIT code. */
  readonly codeBytes: number
}

const self = fileURLToPath(import.meta.url)
const args = process.argv.slice(2)
const child = childRunOf(args)
if (child !== undefined) {
  await runChild(child)
} else {
  const { json, filter, log } = benchOptions()
  const set = flagOf("--set") ?? "workload"
  const ops = Number(flagOf("--ops") ?? 2_000_000)
  const top = Number(flagOf("--top") ?? 20)
  const busy = args.includes(BUSY_RUNTIME)
  if (!isSetName(set)) throw new Error(`--set: expected workload or fast-path, got ${set}`)
  const index = sets[set].findIndex((variant) => filter !== undefined && variant.name.includes(filter))
  const variant = sets[set][index]
  if (variant === undefined) {
    log(`--filter: name one variant of ${set}: ${sets[set].map((v) => v.name).join("; ")}`)
    process.exit(2)
  }
  if (spawnSync("perf", ["--version"]).status !== 0) {
    log("bench/profile.ts: perf was not found; sampling needs it. Skipped.")
    process.exit(0)
  }
  const work = mkdtempSync(join(tmpdir(), "flight-hal-profile-"))
  try {
    const data = join(work, "perf.data")
    const recorded = spawnSync(
      "perf",
      [
        "record",
        "-e",
        "cpu-clock",
        "-F",
        String(RATE),
        "-k",
        "realtime",
        "-o",
        data,
        "--",
        process.execPath,
        self
      ].concat(childArgs({ set, index, ops, busy })),
      {
        env: { ...process.env, BUN_JSC_useJITDump: "1", BUN_JSC_jitDumpDirectory: work },
        encoding: "utf8",
        maxBuffer: 1 << 26
      }
    )
    const mark = new RegExp(`${MARK} ([\\d.]+) ([\\d.]+)`).exec(recorded.stdout ?? "")
    if (recorded.status !== 0 || mark === null) {
      log(`bench/profile.ts: perf could not sample the run (exit ${recorded.status}); skipped.`)
      log((recorded.stderr ?? "").slice(-1500))
      process.exit(0)
    }
    const [from, to] = [Number(mark[1]) / 1e3, Number(mark[2]) / 1e3]
    const script = spawnSync("perf", ["script", "-i", data, "-F", "pid,tid,time,ip"], {
      encoding: "utf8",
      maxBuffer: 1 << 28
    })
    const code = JitCodeMap.fromDirectory(work)
    const counts = new Map<string, number>()
    const codeBytes = new Map<string, number>()
    let inWindow = 0
    for (const line of (script.stdout ?? "").split("\n")) {
      const sample = /^\s*(\d+)\/(\d+)\s+([\d.]+):\s+([0-9a-f]+)/.exec(line)
      if (sample === null || sample[1] !== sample[2]) continue // the main thread only (its id is the process's)
      const time = Number(sample[3])
      if (time < from || time > to) continue
      inWindow++
      const jit = code.codeAt(Number.parseInt(sample[4] as string, 16))
      const name = jit?.name ?? NATIVE
      counts.set(name, (counts.get(name) ?? 0) + 1)
      codeBytes.set(name, jit?.size ?? 0)
    }
    const windowNs = (to - from) * 1e9
    const rows: Array<Row> = [...counts]
      .map(([name, samples]) => ({
        name,
        samples,
        share: samples / inWindow,
        nsPerOp: ((samples / inWindow) * windowNs) / ops,
        codeBytes: codeBytes.get(name) ?? 0
      }))
      .sort((a, b) => b.samples - a.samples)
    const summary = {
      variant: variant.name,
      runtime: busy ? "busy" : "fresh",
      ops,
      nsPerOp: windowNs / ops,
      samples: inWindow,
      jitCodes: code.size,
      rows: rows.slice(0, top),
      // the machine code the samples landed in: a rough measure of how much code the op runs through
      codeBytesSampled: rows.reduce((sum, row) => sum + row.codeBytes, 0)
    }
    if (json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`)
    else {
      log(
        `${variant.name} (${summary.runtime} runtime): ${summary.nsPerOp.toFixed(1)} ns per op over ${ops} ops, ` +
          `${inWindow} samples at ${RATE} Hz`
      )
      log(`${"share".padStart(6)} ${"ns/op".padStart(7)} ${"code".padStart(8)}  function (tier: name#code)`)
      const kib = (bytes: number) => (bytes === 0 ? "" : `${(bytes / 1024).toFixed(1)} KiB`)
      for (const row of summary.rows) {
        log(
          `${(row.share * 100).toFixed(1).padStart(5)}% ${row.nsPerOp.toFixed(1).padStart(7)} ${kib(row.codeBytes).padStart(8)}  ${row.name}`
        )
      }
      log(`machine code the samples landed in: ${kib(summary.codeBytesSampled)} (each function's whole code)`)
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}
