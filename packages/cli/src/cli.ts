/**
 * The `flight-hal` command, built with Effect's CLI module (`effect/cli`): `demo`, `inspect` and
 * `profiles`. {@link runCli} runs it on an argument list and resolves with the exit code: 0 on
 * success, 1 when the command failed, 2 for bad flags or arguments (after the usage message).
 *
 * @module
 */
import * as NodeServices from "@effect/platform-node/NodeServices"
import { autoProfile, type BuiltinProfileName, builtinProfileNames, builtinProfiles } from "@flight-hal/resources"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import { Argument, Command, Flag } from "effect/cli"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FileSystem from "effect/FileSystem"
import * as Option from "effect/Option"
import { demo } from "./demo.ts"
import { type ManagerDump, parseDump } from "./dump.ts"
import { renderInspect } from "./inspect.ts"
import { formatBytes, formatTable } from "./internal/format.ts"
import { makeLiveView } from "./live-view.ts"
import { renderReport } from "./report.ts"
import { renderSummary } from "./summary.ts"

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

const defaultOutput = (): CliOutput => ({
  write: (text) => {
    process.stdout.write(text)
  },
  isTTY: process.stdout.isTTY === true
})

class CommandFailed extends Error {}

const positiveInt = (name: string, max: number) =>
  Flag.Int(name).pipe(
    Flag.filter(
      (n) => n >= 1 && n <= max,
      (n) => `--${name} must be between 1 and ${max}, got ${n}`
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

const makeCommand = (output: CliOutput) => {
  const demoCommand = Command.make(
    "demo",
    {
      profile: Flag.Literals("profile", ["auto", ...builtinProfileNames] as const).pipe(
        Flag.withDescription("The platform profile to run on: auto (the detected platform's) or a built-in one"),
        Flag.withDefault<"auto" | BuiltinProfileName>("auto")
      ),
      frames: positiveInt("frames", 1_000_000).pipe(Flag.withDescription("Frames to run"), Flag.withDefault(120)),
      seed: Flag.Int("seed").pipe(Flag.withDescription("Seed of the workload's PRNG"), Flag.withDefault(42)),
      report: Flag.String("report").pipe(
        Flag.withDescription("Write a self-contained HTML report with the plots to this file"),
        Flag.optional
      ),
      dump: Flag.String("dump").pipe(
        Flag.withDescription("Write a manager dump (taken during the provoked deadlock) for `inspect`"),
        Flag.optional
      ),
      json: Flag.Boolean("json").pipe(Flag.withDescription("Print the summary as JSON only"), Flag.withDefault(false))
    },
    Effect.fnUntraced(function* ({ profile, frames, seed, report, dump, json }) {
      const fs = yield* FileSystem.FileSystem
      const chosen = profile === "auto" ? yield* detectedProfile : builtinProfiles[profile]
      const view = json ? undefined : makeLiveView(output, chosen, frames)
      let dumped: ManagerDump | undefined
      const run = yield* demo({
        profile: chosen,
        frames,
        seed,
        ...(view === undefined ? {} : { onFrame: view.frame }),
        onDump: (value) => {
          dumped = value
        }
      })
      if (Option.isSome(report)) yield* fs.writeFileString(report.value, renderReport(run))
      if (Option.isSome(dump) && dumped !== undefined) {
        yield* fs.writeFileString(dump.value, `${JSON.stringify(dumped, null, 2)}\n`)
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
        command: "flight-hal demo --profile web --frames 300 --seed 7 --report report.html",
        description: "With a report"
      }
    ])
  )

  const inspectCommand = Command.make(
    "inspect",
    {
      file: Argument.String("dump.json").pipe(Argument.withDescription("A dump written by `demo --dump`")),
      all: Flag.Boolean("all").pipe(Flag.withDescription("List every live resource"), Flag.withDefault(false))
    },
    Effect.fnUntraced(function* ({ file, all }) {
      const fs = yield* FileSystem.FileSystem
      const text = yield* fs
        .readFileString(file)
        .pipe(Effect.mapError((error) => new CommandFailed(`cannot read ${file}: ${error.message}`)))
      const dump = yield* parseDump(text).pipe(Effect.mapError((e) => new CommandFailed(`${file}: ${e.message}`)))
      output.write(`${renderInspect(dump, { all })}\n`)
    })
  ).pipe(Command.withDescription("Show a dump's budgets, pools, holders, dependencies and wait-for graph"))

  const profilesCommand = Command.make(
    "profiles",
    { json: Flag.Boolean("json").pipe(Flag.withDescription("Print the profiles as JSON"), Flag.withDefault(false)) },
    ({ json }) =>
      Effect.sync(() => output.write(json ? `${JSON.stringify(builtinProfiles, null, 2)}\n` : `${profilesTable()}\n`))
  ).pipe(Command.withDescription("Print the built-in platform profiles (budgets and pool presets)"))

  return Command.make("flight-hal").pipe(
    Command.withDescription("Flight HAL resource management: demo, inspect and profiles"),
    Command.withSubcommands([demoCommand, inspectCommand, profilesCommand])
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
 * 0 success, 1 the command failed, 2 bad usage (the usage message is printed).
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
export const runCli = async (args: ReadonlyArray<string>, output: CliOutput = defaultOutput()): Promise<number> => {
  const program = Command.runWith(makeCommand(output), { version: VERSION })(args).pipe(
    Effect.provide(NodeServices.layer)
  )
  const exit = await Effect.runPromiseExit(program)
  if (Exit.isSuccess(exit)) return 0
  const failure = Cause.findErrorOption(exit.cause)
  if (Option.isSome(failure) && isCliError(failure.value)) return 2
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
