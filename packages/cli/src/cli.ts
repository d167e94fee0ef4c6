/**
 * The `flight-hal` command, built with Effect's CLI module (`effect/cli`): `demo`, `inspect`, `report`,
 * `watch` and `profiles`. {@link runCli} runs it on an argument list and resolves with the exit code: 0 on
 * success, 1 when the command failed, 2 for bad flags or arguments (after the usage message), 141 when
 * standard output was closed before the command finished.
 *
 * @module
 */
import {
  accessSync,
  closeSync,
  constants,
  lstatSync,
  openSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync
} from "node:fs"
import { basename, dirname, join, resolve } from "node:path"
import { autoProfile, type BuiltinProfileName, builtinProfileNames, builtinProfiles } from "@flight-hal/resources"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import { Argument, Command, Flag, TerminalCapabilities } from "effect/cli"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import { ConfigFileError, profileFromConfigText } from "./config-file.ts"
import { demo } from "./demo.ts"
import { type ManagerDump, parseDump } from "./dump.ts"
import { renderInspect } from "./inspect.ts"
import { errorText } from "./internal/error-text.ts"
import { fetchDump } from "./internal/fetch-dump.ts"
import { formatBytes, formatTable } from "./internal/format.ts"
import { cliServices } from "./internal/services.ts"
import { CLOSED_OUTPUT_EXIT_CODE, guardOutput } from "./internal/stdout.ts"
import { makeLiveView, type ViewOutput } from "./live-view.ts"
import { renderReport, renderReportModel } from "./report.ts"
import { renderSummary } from "./summary.ts"
import { parseTimeline, timelineReportModel } from "./timeline.ts"
import { snapshotUrl, watchManager } from "./watch.ts"

/**
 * The version printed by `--version`.
 *
 * @since 0.1.0
 * @category constants
 */
export const VERSION: string = "0.1.0"

/**
 * Where the command writes: standard output (text) and whether it is a terminal.
 *
 * @since 0.1.0
 * @category models
 */
export interface CliOutput {
  /** Writes text as is. */
  readonly write: (text: string) => void
  /** Whether the output is a terminal. */
  readonly isTTY: boolean
}

/** A command that could not do its work (exit code 1). */
class CommandFailed extends Error {}

/** A flag's value that is wrong in a way only the command can see, such as an unwritable path (exit code 2). */
class BadUsage extends Error {}

/**
 * An integer flag whose error says so: `Invalid value for flag --frames: "abc". Expected: an integer` (`Flag.Int`
 * answers "a string representing a finite number").
 */
const intFlag = (name: string): Flag.Flag<number> =>
  Flag.String(name).pipe(
    Flag.withMetavar("integer"),
    Flag.filterMap(
      (text) =>
        /^-?\d+$/.test(text.trim()) && Number.isSafeInteger(Number(text)) ? Option.some(Number(text)) : Option.none(),
      () => "an integer"
    )
  )

/** An integer flag within [min, max]. */
const intBetween = (name: string, min: number, max: number): Flag.Flag<number> =>
  intFlag(name).pipe(
    Flag.filter(
      (n) => n >= min && n <= max,
      () => `an integer between ${min} and ${max}`
    )
  )

/** A flag with a default, the default shown in its help line. */
const withShownDefault =
  <A>(description: string, value: A) =>
  (flag: Flag.Flag<A>): Flag.Flag<A> =>
    flag.pipe(Flag.withDescription(`${description} (default: ${String(value)})`), Flag.withDefault(value))

/**
 * Fails with {@link BadUsage} unless `path` can be written: checked before the run, so that a bad
 * `--report` or `--dump` path costs nothing and loses nothing. Whatever is at the path is left as it is: an
 * existing entry (a file, a device such as `/dev/null`, a symlink) is asked for write access, a directory is
 * refused; a new file is created exclusively and removed again, which covers a missing directory and
 * permissions. (It once treated anything but a regular file as new and removed it: `--report /dev/null` as
 * root would have replaced the device with a file.)
 */
const checkWritable = (flag: string, path: string): Effect.Effect<void, BadUsage> =>
  Effect.try({
    try: () => {
      const entry = (() => {
        try {
          return lstatSync(path)
        } catch {
          return undefined
        }
      })()
      if (entry === undefined) {
        closeSync(openSync(path, "wx"))
        rmSync(path, { force: true })
        return
      }
      if (entry.isDirectory()) throw new Error("it is a directory")
      // a symlink is checked through to its target: a dangling one has none to write (ENOENT)
      accessSync(path, constants.W_OK)
      if (statSync(path).isDirectory()) throw new Error("it leads to a directory")
    },
    catch: (error) => new BadUsage(`${flag} ${path}: cannot write there (${errorText(error)})`)
  })

/**
 * Whether writing `out` would overwrite `timeline`: the same real file, reached through a symlink (of the file or
 * of a directory on the way) or a hard link included. A path that does not exist yet is its parent's real path
 * and its name; a path that cannot be resolved at all is compared as written.
 */
const sameFile = (out: string, timeline: string): boolean => {
  const real = (path: string): string => {
    try {
      return realpathSync(path)
    } catch {
      try {
        return join(realpathSync(dirname(path)), basename(path))
      } catch {
        return resolve(path)
      }
    }
  }
  if (real(out) === real(timeline)) return true
  try {
    const a = statSync(out)
    const b = statSync(timeline)
    return a.ino !== 0 && a.dev === b.dev && a.ino === b.ino
  } catch {
    return false
  }
}

const writeFile = (path: string, text: string): Effect.Effect<void, CommandFailed> =>
  Effect.try({
    try: () => writeFileSync(path, text),
    catch: (error) => new CommandFailed(`cannot write ${path}: ${errorText(error)}`)
  })

const readFile = (path: string, onError: (message: string) => Error): Effect.Effect<string, Error> =>
  Effect.try({
    try: () => readFileSync(path, "utf8"),
    catch: (error) => onError(`cannot read ${path}: ${errorText(error)}`)
  })

/** Whether an argument names a URL (it starts with http:// or https://; whether it parses is checked apart). */
const isUrl = (source: string): boolean => /^https?:\/\//.test(source)

/** A URL argument that does not parse (`http://`, `http://[::1`): a usage error, exit 2, one line. */
const checkUrl = (what: string, url: string): Effect.Effect<void, BadUsage> =>
  URL.canParse(url) ? Effect.void : Effect.fail(new BadUsage(`${what} ${url}: not a valid URL`))

/** A dump from a file, or from a running program's `/snapshot` URL. */
const readDump = (source: string): Effect.Effect<ManagerDump, CommandFailed> =>
  isUrl(source)
    ? fetchDump(source).pipe(Effect.mapError((e) => new CommandFailed(e.message)))
    : readFile(source, (message) => new CommandFailed(message)).pipe(
        Effect.flatMap((text) =>
          parseDump(text).pipe(Effect.mapError((e) => new CommandFailed(`${source}: ${e.message}`)))
        )
      )

const profilesTable = (): string => {
  const rows = builtinProfileNames.map((name) => {
    const p = builtinProfiles[name]
    const budget = (type: "Memory" | "Hardware") => {
      const b = p.budgets[type]
      return b === undefined
        ? "-"
        : `${formatBytes(b.maxBytes)} (res ${formatBytes(b.reservedBytes)}, ${b.warningPercent}/${b.criticalPercent}%)`
    }
    return [name, formatBytes(p.totalMemoryBytes), budget("Memory"), budget("Hardware")]
  })
  const pools = builtinProfileNames.flatMap((name) =>
    builtinProfiles[name].pools.map((pool) => [
      name,
      pool.name,
      pool.type,
      formatBytes(pool.blockSize),
      pool.initialCount,
      pool.maxCount,
      pool.alignment
    ])
  )
  return [
    formatTable(["profile", "memory", "Memory budget", "Hardware budget"], rows),
    "",
    formatTable(["profile", "pool", "type", "block", "initial", "max", "align"], pools)
  ].join("\n")
}

/** The profile `--profile auto` runs on: the detected one (the built-in `web` one when nothing is readable). */
const detectedProfile = Effect.suspend(() => {
  const auto = autoProfile()
  return auto instanceof Error
    ? Effect.fail(new CommandFailed(`cannot detect the platform: ${auto.message}`))
    : Effect.succeed(auto.profile)
})

/**
 * The output of a live view, coloured as `effect/cli` colours its help: not under `NO_COLOR` (any non-empty value)
 * or `FORCE_COLOR=0`, and only on a terminal (`TerminalCapabilities`).
 */
const coloured = (output: CliOutput): Effect.Effect<ViewOutput> =>
  Effect.gen(function* () {
    const terminal = yield* TerminalCapabilities.TerminalCapabilities
    return { write: (text: string) => output.write(text), isTTY: output.isTTY, color: terminal.canColor }
  })

const makeCommand = (output: CliOutput) => {
  const demoCommand = Command.make(
    "demo",
    {
      profile: Flag.Literals("profile", ["auto", ...builtinProfileNames] as const).pipe(
        withShownDefault<"auto" | BuiltinProfileName>(
          "The platform profile to run on: auto (the detected platform's) or a built-in one",
          "auto"
        )
      ),
      config: Flag.String("config").pipe(
        Flag.withDescription(
          "A JSON file: a whole profile (name, totalMemoryBytes, budgets, pools) or { budgets } replacing the --profile's budgets"
        ),
        Flag.optional
      ),
      frames: intBetween("frames", 1, 1_000_000).pipe(withShownDefault("Frames to run", 120)),
      seed: intFlag("seed").pipe(withShownDefault("Seed of the workload's PRNG", 42)),
      fps: intBetween("fps", 0, 1000).pipe(
        withShownDefault(
          "Frames per second of the live view on a terminal; 0 runs unpaced (never paced without a terminal)",
          30
        )
      ),
      report: Flag.String("report").pipe(
        Flag.withDescription("Write a self-contained HTML report with the plots to this file"),
        Flag.optional
      ),
      dump: Flag.String("dump").pipe(
        Flag.withDescription("Write a manager dump (taken during the provoked deadlock) for `inspect`"),
        Flag.optional
      ),
      json: Flag.Boolean("json").pipe(withShownDefault("Print the summary as JSON only", false))
    },
    Effect.fnUntraced(function* ({ profile, config, frames, seed, fps, report, dump, json }) {
      if (Option.isSome(report)) yield* checkWritable("--report", report.value)
      if (Option.isSome(dump)) yield* checkWritable("--dump", dump.value)
      const base = profile === "auto" ? yield* detectedProfile : builtinProfiles[profile]
      const chosen = Option.isSome(config)
        ? yield* profileFromConfigText(
            config.value,
            yield* readFile(config.value, (message) => new BadUsage(`--config ${message}`)),
            base
          )
        : base
      const view = json ? undefined : makeLiveView(yield* coloured(output), chosen, frames)
      let dumped: ManagerDump | undefined
      const run = yield* demo({
        profile: chosen,
        frames,
        seed,
        ...(view === undefined ? {} : { onFrame: view.frame }),
        ...(view !== undefined && output.isTTY && fps > 0 ? { frameMillis: 1000 / fps } : {}),
        onDump: (value) => {
          dumped = value
        }
      })
      if (Option.isSome(report)) yield* writeFile(report.value, renderReport(run))
      if (Option.isSome(dump) && dumped !== undefined) {
        yield* writeFile(dump.value, `${JSON.stringify(dumped, null, 2)}\n`)
      }
      if (json) {
        output.write(`${JSON.stringify(run.summary, null, 2)}\n`)
        return
      }
      output.write(`\n${renderSummary(run.summary)}\n`)
      if (Option.isSome(report)) output.write(`\nreport written to ${report.value}\n`)
      if (Option.isSome(dump)) output.write(`dump written to ${dump.value}\n`)
    })
  ).pipe(
    Command.withDescription("Run a deterministic game-like workload on a platform profile, with a live view"),
    Command.withExamples([
      { command: "flight-hal demo", description: "The detected platform's profile, 120 frames, seed 42" },
      { command: "flight-hal demo --profile dreamcast", description: "The Dreamcast profile (16 MiB)" },
      {
        command: "flight-hal demo --profile dreamcast --config budgets.json",
        description: "The Dreamcast profile with its budgets replaced by those of a JSON file"
      },
      {
        command: "flight-hal demo --profile web --frames 300 --seed 7 --report report.html",
        description: "With a report"
      }
    ])
  )

  const inspectCommand = Command.make(
    "inspect",
    {
      file: Argument.String("dump.json").pipe(
        Argument.withDescription(
          "A dump: a file (`demo --dump`, or JSON.stringify(managerDump(manager))) or a running program's /snapshot URL"
        )
      ),
      all: Flag.Boolean("all").pipe(withShownDefault("List every live resource, not only the first 20", false))
    },
    Effect.fnUntraced(function* ({ file, all }) {
      if (isUrl(file)) yield* checkUrl("inspect", file)
      const dump = yield* readDump(isUrl(file) ? snapshotUrl(file) : file)
      output.write(`${renderInspect(dump, { all })}\n`)
    })
  ).pipe(
    Command.withDescription(
      "Show a dump's budgets, failures and leaks, pools, holders, dependencies and wait-for graph"
    )
  )

  const reportCommand = Command.make(
    "report",
    {
      timeline: Argument.String("timeline.ndjson").pipe(
        Argument.withDescription("A timeline recorded with recordTimeline (@flight-hal/resources)")
      ),
      out: Flag.String("out").pipe(
        Flag.withDescription("The HTML file to write (default: the timeline's path with .html)"),
        Flag.optional
      )
    },
    Effect.fnUntraced(function* ({ timeline, out }) {
      const path = Option.getOrElse(out, () => `${timeline.replace(/\.(nd)?jsonl?$/, "")}.html`)
      if (sameFile(path, timeline)) {
        return yield* Effect.fail(new BadUsage(`--out ${path}: that is the timeline itself (it would be overwritten)`))
      }
      yield* checkWritable("--out", path)
      const text = yield* readFile(timeline, (message) => new CommandFailed(message))
      const parsed = yield* parseTimeline(text).pipe(
        Effect.mapError((e) => new CommandFailed(`${timeline}: ${e.message}`))
      )
      if (parsed.cutLine !== undefined) {
        output.write(`${timeline}: line ${parsed.cutLine} was cut short (no newline, not JSON): left out\n`)
      }
      yield* writeFile(path, renderReportModel(timelineReportModel(parsed)))
      const samples = parsed.samples.length
      output.write(`report of ${samples} sample${samples === 1 ? "" : "s"} written to ${path}\n`)
    })
  ).pipe(
    Command.withDescription("Render a recorded timeline of your own manager as the HTML report"),
    Command.withExamples([
      { command: "flight-hal report timeline.ndjson", description: "Writes timeline.html" },
      { command: "flight-hal report timeline.ndjson --out report.html", description: "Writes report.html" }
    ])
  )

  const watchCommand = Command.make(
    "watch",
    {
      url: Argument.String("url").pipe(
        Argument.withDescription("A running program's endpoint (serveManager's URL, or its /snapshot route)")
      ),
      fps: intBetween("fps", 1, 60).pipe(withShownDefault("Polls (and redraws) per second", 4)),
      polls: intBetween("polls", 0, 1_000_000_000).pipe(
        withShownDefault("Stop after this many polls; 0 watches until interrupted", 0)
      )
    },
    ({ url, fps, polls }) =>
      Effect.suspend(() =>
        isUrl(url) ? checkUrl("watch", url) : Effect.fail(new BadUsage(`watch ${url}: expected an http(s) URL`))
      ).pipe(
        Effect.andThen(
          Effect.flatMap(coloured(output), (view) =>
            watchManager({ url, fps, output: view, ...(polls > 0 ? { polls } : {}) })
          ).pipe(Effect.mapError((error) => new CommandFailed(error.message)))
        )
      )
  ).pipe(
    Command.withDescription("Show the live view of a running program's manager (its JSON snapshot endpoint)"),
    Command.withExamples([
      { command: "flight-hal watch http://127.0.0.1:9464", description: "4 redraws a second until Ctrl-C" },
      { command: "flight-hal watch http://127.0.0.1:9464 --fps 1 --polls 10", description: "Ten polls, one a second" }
    ])
  )

  const profilesCommand = Command.make(
    "profiles",
    { json: Flag.Boolean("json").pipe(withShownDefault("Print the profiles as JSON", false)) },
    ({ json }) =>
      Effect.sync(() => output.write(json ? `${JSON.stringify(builtinProfiles, null, 2)}\n` : `${profilesTable()}\n`))
  ).pipe(Command.withDescription("Print the built-in platform profiles (budgets and pool presets)"))

  return Command.make("flight-hal").pipe(
    Command.withDescription("Flight HAL resource management: demo, inspect, report, watch and profiles"),
    Command.withSubcommands([demoCommand, inspectCommand, reportCommand, watchCommand, profilesCommand])
  )
}

const isCliError = (error: unknown): boolean =>
  typeof error === "object" &&
  error !== null &&
  "_tag" in error &&
  typeof error._tag === "string" &&
  [
    "ShowHelp",
    "UnrecognizedOption",
    "DuplicateOption",
    "MissingOption",
    "MissingArgument",
    "UnexpectedArgument",
    "InvalidValue",
    "UnknownSubcommand",
    "ValidationError"
  ].includes(error._tag)

/**
 * Runs `flight-hal` with the arguments after the program name and resolves with the exit code:
 * 0 success, 1 the command failed, 2 bad usage: an unknown flag or value (the usage message is
 * printed), a `--config` file that does not validate, or a `--report` / `--dump` path that cannot
 * be written (checked before the run; a one-line message names the problem); 141 (128 + SIGPIPE, as a
 * program killed by SIGPIPE) when standard output is a pipe whose reader went away before the command
 * finished (`flight-hal demo | head -1`): the command is stopped there, with no message.
 *
 * @example
 * ```ts
 * import { runCli } from "@flight-hal/cli"
 *
 * const code = await runCli(["demo", "--frames", "20", "--json"]) // 0
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const runCli = async (args: ReadonlyArray<string>, output?: CliOutput): Promise<number> => {
  // Standard output may be a pipe whose reader goes away (`| head -1`): then the command is stopped, quietly.
  const stdout = guardOutput(process.stdout)
  const program = Command.runWith(
    makeCommand(output ?? { write: stdout.write, isTTY: process.stdout.isTTY === true }),
    { version: VERSION }
  )(args).pipe(Effect.provide(cliServices(args, stdout.write)))
  const exit = await Effect.runPromiseExit(program, { signal: stdout.closed })
  stdout.detach()
  if (stdout.closed.aborted) return CLOSED_OUTPUT_EXIT_CODE
  if (Exit.isSuccess(exit)) return 0
  const failure = Cause.findErrorOption(exit.cause)
  if (Option.isSome(failure) && isCliError(failure.value)) return 2
  if (Option.isSome(failure) && (failure.value instanceof BadUsage || failure.value instanceof ConfigFileError)) {
    Effect.runSync(Console.error(`flight-hal: ${failure.value.message}`))
    return 2
  }
  const message =
    Option.isSome(failure) && failure.value instanceof Error ? failure.value.message : Cause.pretty(exit.cause)
  Effect.runSync(Console.error(`flight-hal: ${message}`))
  return 1
}

/**
 * The profile table `flight-hal profiles` prints, also used by docs.
 *
 * @since 0.1.0
 * @category rendering
 */
export const renderProfiles: () => string = profilesTable
