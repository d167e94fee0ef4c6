/**
 * Running TLC (tla2tools.jar) from the spec scripts: finding the jar, staging the spec in a
 * temporary directory, running one model under a timeout and judging the result by TLC's exit
 * code and its output.
 *
 * TLC exit codes: 0 no error, 10 assumption/postcondition, 11 deadlock, 12 safety (invariant or
 * action property), 13 liveness, 150 parse or semantic error, 255 configuration/other error.
 */
import { spawn } from "node:child_process"
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { homedir, tmpdir } from "node:os"
import { join } from "node:path"

/** The repository's spec directory. */
export const specDir: string = join(import.meta.dir, "..", "..", "spec")

/** TLC's exit codes, by meaning. */
export const TlcExit = {
  ok: 0,
  assumption: 10,
  deadlock: 11,
  safety: 12,
  liveness: 13,
  parse: 150
} as const

/** The jar: `$TLA2TOOLS_JAR`, then `$HOME/.cache/tla/tla2tools.jar`; undefined when neither exists. */
export const findJar = (): string | undefined => {
  const candidates = [process.env.TLA2TOOLS_JAR, join(homedir(), ".cache", "tla", "tla2tools.jar")]
  return candidates.find((path): path is string => path !== undefined && path !== "" && existsSync(path))
}

/** Prints the loud skip line used when no jar is found. */
export const skipLine = (what: string): string =>
  `SKIPPED: TLC not found (set TLA2TOOLS_JAR or put tla2tools.jar in ~/.cache/tla/): ${what} NOT checked`

/**
 * Copies spec/*.tla, spec/*.cfg and spec/generated/*.tla into a fresh temporary directory, so TLC's
 * side files (states/, *_TTrace_*.tla) never land in the repository and mutations never touch it.
 */
export const stageSpec = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "flight-hal-spec-"))
  for (const file of readdirSync(specDir)) {
    if (file.endsWith(".tla") || file.endsWith(".cfg")) copyFileSync(join(specDir, file), join(dir, file))
  }
  const generated = join(specDir, "generated")
  if (existsSync(generated)) {
    for (const file of readdirSync(generated)) {
      if (file.endsWith(".tla")) copyFileSync(join(generated, file), join(dir, file))
    }
  }
  return dir
}

/** Removes a staged directory. */
export const unstage = (dir: string): void => rmSync(dir, { recursive: true, force: true })

/** The names a cfg asks TLC to check (INVARIANT(S), PROPERTY(IES)), plus SPECIFICATION/SYMMETRY. */
export const cfgNames = (cfgText: string): Array<string> => {
  const text = cfgText.replace(/\\\*.*$/gm, "").replace(/\(\*[\s\S]*?\*\)/g, "")
  const keywords =
    /^(INVARIANTS?|PROPERTY|PROPERTIES|SPECIFICATION|SYMMETRY|CONSTANTS?|CHECK_DEADLOCK|INIT|NEXT|VIEW|CONSTRAINTS?|ACTION_CONSTRAINTS?|POSTCONDITION|ALIAS)\b/
  const names: Array<string> = []
  let collecting = false
  for (const raw of text.split("\n")) {
    const line = raw.trim()
    if (line === "") continue
    const keyword = keywords.exec(line)
    if (keyword !== null) {
      const word = keyword[1] ?? ""
      collecting = /^(INVARIANTS?|PROPERTY|PROPERTIES|SPECIFICATION|SYMMETRY)$/.test(word)
      if (collecting) names.push(...line.slice(word.length).split(/\s+/).filter(Boolean))
      continue
    }
    if (collecting) names.push(...line.split(/\s+/).filter(Boolean))
  }
  return names
}

/** Names a cfg checks that no module in `dir` defines (`Name ==` at the start of a line). */
export const missingCfgNames = (dir: string, cfgFile: string): Array<string> => {
  const modules = readdirSync(dir)
    .filter((file) => file.endsWith(".tla"))
    .map((file) => readFileSync(join(dir, file), "utf8"))
    .join("\n")
  return cfgNames(readFileSync(join(dir, cfgFile), "utf8")).filter(
    (name) => !new RegExp(`^${name}(\\([^)]*\\))?\\s*==`, "m").test(modules)
  )
}

/**
 * JVM options for short TLC runs (mutations, witness runs, trace validation): the client compiler
 * only. A short run otherwise spends much of its CPU in the C2 compiler's threads; measured
 * 2026-11-27 on 2 cores (load 2–4): the 39 mutations took 178 s of CPU (91.5 s wall) with the
 * default compilers and 94 s (52 s wall) with these; the trace self-test 77 s (48 s) and 44 s (34.5 s);
 * a 20-trace batch of 4,034 lines the same either way (29 s). A long exhaustive run (MCRefusals, 60 s
 * of CPU) is slower with them (80 s), so the configs' own runs keep the defaults.
 */
export const shortRunJvmArgs: ReadonlyArray<string> = ["-XX:TieredStopAtLevel=1"]

/** One TLC run's outcome. */
export interface TlcRun {
  readonly exitCode: number | null
  readonly timedOut: boolean
  readonly seconds: number
  readonly output: string
  /** TLC's "N states generated, M distinct states found, K states left on queue." line. */
  readonly statesLine: string | undefined
  readonly distinct: number | undefined
  readonly completed: boolean
}

/** Runs `tlc2.TLC` on `module` with `cfg` inside `dir`, killing it after `timeoutSeconds`. */
export const runTlc = async (options: {
  readonly jar: string
  readonly dir: string
  readonly module: string
  readonly cfg: string
  readonly timeoutSeconds: number
  readonly checkDeadlock?: boolean
  readonly extraJvmArgs?: ReadonlyArray<string>
}): Promise<TlcRun> => {
  const metadir = join(options.dir, "states", options.cfg.replace(/\.cfg$/, ""))
  mkdirSync(metadir, { recursive: true })
  const args = [
    "-XX:+UseParallelGC",
    ...(options.extraJvmArgs ?? []),
    "-cp",
    options.jar,
    "tlc2.TLC",
    "-workers",
    "auto",
    ...(options.checkDeadlock === false ? ["-deadlock"] : []),
    "-noGenerateSpecTE",
    "-cleanup",
    "-metadir",
    metadir,
    "-config",
    options.cfg,
    options.module
  ]
  const started = Date.now()
  const child = spawn("java", args, { cwd: options.dir, stdio: ["ignore", "pipe", "pipe"] })
  const chunks: Array<string> = []
  child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk.toString("utf8")))
  child.stderr.on("data", (chunk: Buffer) => chunks.push(chunk.toString("utf8")))
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    child.kill("SIGKILL")
  }, options.timeoutSeconds * 1000)
  const exitCode = await new Promise<number | null>((resolve) => {
    child.on("close", (code) => resolve(code))
    child.on("error", () => resolve(null))
  })
  clearTimeout(timer)
  const output = chunks.join("")
  const statesLine = output
    .split("\n")
    .reverse()
    .find((line) => /states generated, .* distinct states found, .* states left on queue/.test(line))
  const distinctMatch = statesLine === undefined ? null : /([\d,]+) distinct states found/.exec(statesLine)
  return {
    exitCode,
    timedOut,
    seconds: (Date.now() - started) / 1000,
    output,
    statesLine,
    distinct: distinctMatch?.[1] === undefined ? undefined : Number(distinctMatch[1].replace(/,/g, "")),
    completed: output.includes("Model checking completed. No error has been found.")
  }
}

/** A pass: exit 0, not timed out, "No error has been found" and "0 states left on queue". */
export const passed = (run: TlcRun): boolean =>
  !run.timedOut &&
  run.exitCode === TlcExit.ok &&
  run.completed &&
  run.statesLine !== undefined &&
  / 0 states left on queue/.test(run.statesLine)

/** The error lines of a failed run (what TLC says is violated), for reports. */
export const errorSummary = (run: TlcRun): string =>
  run.output
    .split("\n")
    .filter((line) => /^Error:|is violated|Temporal properties were violated|Deadlock reached|^\s*Line \d+/.test(line))
    .slice(0, 6)
    .join("\n")
