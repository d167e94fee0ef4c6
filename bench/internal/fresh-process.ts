/**
 * Running a benchmark variant in a fresh process: the child times one op with mitata and prints one JSON line;
 * the parent runs a variant `trials` times, each in its own process, so that one variant's JIT state and heap
 * cannot skew another's.
 *
 * @module
 */
import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { measure } from "mitata"

/** The p50 of an op in ns, after 20,000 warm-up calls (awaited when the op returns a Promise). */
export const timeOp = async (op: () => unknown): Promise<number> => {
  // Warm the op up first, and let mitata retry its warm-up samples: it times one call per sample (not a batch)
  // when its first calls look slow, which a context switch on a busy machine is enough to cause.
  for (let k = 0; k < 20_000; k++) {
    const r = op()
    if (r instanceof Promise) await r
  }
  return (await measure(op, { warmup_threshold: Number.POSITIVE_INFINITY, warmup_samples: 64 })).p50
}

/** Runs `script args…` once per trial in a fresh process; each child prints a JSON line last. */
export const runTrials = <T>(script: string, args: ReadonlyArray<string>, trials: number): Array<T> => {
  const out: Array<T> = []
  for (let t = 0; t < trials; t++) {
    const child = spawnSync(process.execPath, [script, ...args], { encoding: "utf8", maxBuffer: 1 << 24 })
    const line = child.stdout.trim().split("\n").pop() ?? ""
    if (child.status !== 0 || !line.startsWith("{")) {
      throw new Error(`${script} ${args.join(" ")} failed (exit ${child.status}):\n${child.stderr}\n${child.stdout}`)
    }
    out.push(JSON.parse(line) as T)
  }
  return out
}

/** The median of some numbers. */
export const median = (xs: ReadonlyArray<number>): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** The benchmark script's own arguments. */
export const benchArgs: ReadonlyArray<string> = process.argv.slice(2)

/** The value after `name` in the script's arguments (`--trials 5`), if any. */
export const flagOf = (name: string): string | undefined => {
  const i = benchArgs.indexOf(name)
  return i >= 0 ? benchArgs[i + 1] : undefined
}

/**
 * `--trials N`: a whole number of at least 1 (`fallback` when absent); anything else (`--trials abc`, which
 * would run zero rounds) stops the script with a message and exit code 2.
 */
export const trialsOption = (raw: string | undefined, fallback: number): number => {
  if (raw === undefined) return fallback
  const trials = Number(raw)
  if (Number.isInteger(trials) && trials >= 1 && /^\d+$/.test(raw)) return trials
  process.stderr.write(`--trials must be a whole number of at least 1, got ${JSON.stringify(raw)}\n`)
  process.exit(2)
}

/**
 * `--help` or `-h`: prints the script's header comment (its usage) and exits, instead of starting a run.
 * `moduleUrl` is the script's `import.meta.url`.
 */
export const exitWithUsageIfAsked = (moduleUrl: string): void => {
  if (!benchArgs.includes("--help") && !benchArgs.includes("-h")) return
  const source = readFileSync(fileURLToPath(moduleUrl), "utf8")
  const header = /\/\*\*([\s\S]*?)\*\//.exec(source)?.[1] ?? ""
  const text = header
    .split("\n")
    .map((line) => line.replace(/^\s*\* ?/, ""))
    .join("\n")
    .trim()
  process.stdout.write(`${text === "" ? "no usage text" : text}\n`)
  process.exit(0)
}

/**
 * The options of a bench run in fresh processes (`--trials`, default `trials`); its lines go to stderr under
 * `--json` (stdout carries the JSON).
 */
export const benchOptions = (trials = 3) => {
  const json = benchArgs.includes("--json")
  return {
    json,
    trials: trialsOption(flagOf("--trials"), trials),
    filter: flagOf("--filter"),
    log: (line: string) => void (json ? process.stderr : process.stdout).write(`${line}\n`)
  }
}

/** What a child prints: ns per op, and any other figures a self-timed variant measured. */
export interface ChildResult {
  readonly ns: number
  readonly [figure: string]: number
}

/**
 * In a child started by {@link runTrials} (`--child i`): times variant `i` (its `setup`'s op with mitata, or its
 * own `measure`), prints its JSON line and exits. In the parent it returns at once. `prepare`, when given, runs
 * in the child before the variant is set up.
 */
export const runChildIfAsked = async (
  variants: ReadonlyArray<
    | { readonly setup: () => () => unknown; readonly measure?: undefined }
    | { readonly measure: () => Promise<ChildResult> }
  >,
  prepare?: () => void
): Promise<void> => {
  if (benchArgs[0] !== "--child") return
  const variant = variants[Number(benchArgs[1])]
  if (variant === undefined) throw new Error(`no variant ${benchArgs[1]}`)
  prepare?.()
  const result: ChildResult =
    variant.measure !== undefined ? await variant.measure() : { ns: await timeOp(variant.setup()) }
  process.stdout.write(`${JSON.stringify(result)}\n`)
  process.exit(0)
}
