/**
 * Trace validation: checks NDJSON traces recorded by the manager (format: spec/README.md, "Trace
 * format") against the TLA+ model with TLC (spec/Trace.tla).
 *
 *   bun scripts/spec-trace.ts <trace.ndjson>...   validate traces in one batch (one TLC run for all of
 *                                                  them); exit 1 if any is rejected, naming each
 *                                                  rejected trace and its offending line
 *   bun scripts/spec-trace.ts --one-by-one <trace.ndjson>...   one TLC run per trace (for comparison)
 *   bun scripts/spec-trace.ts --self-test          spec/traces/good-*.ndjson must pass and every
 *                                                  spec/traces/bad-*-L<n>.ndjson must fail at line n
 *   --strict                                       with any of the above: exit 3 when TLC is not found
 *
 * Without tla2tools.jar it prints a loud SKIPPED line and exits 0 (the repository's own test run relies on it);
 * `--strict` makes that exit 3, for a CI that must not pass an unchecked trace. A rejection says which line,
 * and in words which rule of the model it breaks where the checker can tell (an invariant by name, a driver the
 * header does not list, a sequential driver acting while it waits, a line where the recorder stopped).
 * `validateTraces` (a batch) and `validateTrace` (one file) are exported for tests that record traces from the
 * real manager.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { TRACE_FORMAT } from "../packages/resources/src/internal/trace-recorder.ts"
import {
  findJar,
  passed,
  runTlc,
  shortRunJvmArgs,
  skipLine,
  specDir,
  stageSpec,
  TlcExit,
  type TlcRun,
  unstage
} from "./internal/tlc.ts"

/** The verdict on one trace. */
export type TraceVerdict =
  | {
      readonly ok: true
      /** Non-empty lines of the file (the header and the transition lines). */
      readonly lines: number
      /** Wall-clock seconds of the TLC run that accepted it (a batch run: shared by its traces). */
      readonly seconds: number
    }
  | {
      readonly ok: false
      /** 1-based line of the trace file that the model rejects (undefined: TLC failed otherwise). */
      readonly line: number | undefined
      readonly reason: string
      readonly text: string | undefined
      readonly tlcExit: number | null
    }

/** Options of a validation. */
export interface TraceOptions {
  /** Timeout of each TLC run (default 600 s). */
  readonly timeoutSeconds?: number
  /** On a rejected step, run TLC once more on that trace to say why (default true). */
  readonly diagnose?: boolean
  /**
   * Stop after this many rejected traces (default: none). The traces not checked by then get the verdict
   * `notChecked`: a manager that breaks every trace fails after a few TLC runs, not one or two per trace.
   */
  readonly maxRejected?: number
}

/** The reason of a trace left unchecked because the validation stopped early (`maxRejected`). */
export const notChecked = "not checked: the validation stopped after its most rejected traces"

/** The verdict on a trace TLC gave none for. */
const unchecked = (reason: string): TraceVerdict => ({
  ok: false,
  line: undefined,
  reason,
  text: undefined,
  tlcExit: null
})

/** The verdicts on a batch of traces, and what the validation cost. */
export interface BatchResult {
  /** One verdict per path, in the order given. */
  readonly verdicts: ReadonlyArray<{ readonly path: string; readonly verdict: TraceVerdict }>
  /** TLC runs made (batch runs, re-runs after a rejection, diagnoses). */
  readonly runs: number
  /** Wall-clock seconds of all TLC runs. */
  readonly seconds: number
}

/** The value of a string variable in the last state of a TLC error trace (`/\ tr = "..."`). */
const lastString = (output: string, variable: string): string | undefined => {
  const matches = [...output.matchAll(new RegExp(`^\\/\\\\ ${variable} = "((?:[^"\\\\]|\\\\.)*)"$`, "gm"))]
  const last = matches.at(-1)?.[1]
  return last === undefined ? undefined : (JSON.parse(`"${last}"`) as string)
}

const lastStateIndex = (output: string): number | undefined => {
  const matches = [...output.matchAll(/^\/\\ l = (\d+)$/gm)]
  const last = matches.at(-1)?.[1]
  return last === undefined ? undefined : Number(last)
}

/** The variables of the last state in a TLC error trace. */
const lastState = (output: string): string => {
  const blocks = output.split(/\n(?=State \d+:)/)
  const last = blocks.at(-1) ?? ""
  // one line per variable (TLC breaks long values over several lines)
  const shown: Array<string> = []
  let showing = false
  for (const line of last.split("\n")) {
    if (line.startsWith("/\\ ")) {
      showing = /^\/\\ (st|holders|owner|queue|nameq|usage|ebytes) =/.test(line)
      if (showing) shown.push(`       ${line}`)
    } else if (line.trim() === "") showing = false
    else if (showing) shown.push(`${shown.pop() ?? ""} ${line.trim()}`)
  }
  return shown.map(compactTuple).join("\n")
}

/** The top-level elements of a TLC value list ("a, {b, c}, <<d>>"), split at commas outside brackets and strings. */
const topLevelElements = (text: string): Array<string> => {
  const elements: Array<string> = []
  let depth = 0
  let quoted = false
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === "\\") i++
      else if (c === '"') quoted = false
    } else if (c === '"') quoted = true
    else if (c === "{" || c === "[" || c === "(" || (c === "<" && text[i + 1] === "<")) depth++
    else if (c === "}" || c === "]" || c === ")" || (c === ">" && text[i + 1] === ">")) depth--
    else if (c === "," && depth === 0) {
      elements.push(text.slice(start, i).trim())
      start = i + 1
    }
  }
  elements.push(text.slice(start).trim())
  return elements
}

/**
 * A per-request variable (a tuple over the trace's reqs 1..n) shown as "req: value" for the entries
 * that are not idle ("Idle", {}, "(no driver)", "None", 0), so a long trace's state stays readable.
 */
const compactTuple = (line: string): string => {
  const match = /^(\s*\/\\ (?:st|holders|owner) = )<<(.*)>>$/.exec(line)
  if (match === null) return line
  const idle = new Set(['"Idle"', "{}", '"(no driver)"', '"None"', "0"])
  const entries = topLevelElements(match[2] ?? "")
    .map((value, index) => ({ req: index + 1, value }))
    .filter(({ value }) => !idle.has(value))
  return `${match[1]}(req: value, idle ones left out) ${entries.map(({ req, value }) => `${req}: ${value}`).join(", ")}`
}

/** What a file holds that TLC cannot read faithfully (a failure verdict), or undefined. */
const preCheck = (fileLines: ReadonlyArray<string>): TraceVerdict | undefined => {
  if (fileLines.every((text) => text.trim() === "")) {
    return {
      ok: false,
      line: 1,
      reason:
        "the trace is empty: no line was recorded (a manager whose config was refused writes none, not even the " +
        '"Init" header)',
      text: undefined,
      tlcExit: null
    }
  }
  for (const [index, text] of fileLines.entries()) {
    if (text.trim() === "" && index < fileLines.length - 1) {
      return { ok: false, line: index + 1, reason: "blank line in the trace", text, tlcExit: null }
    }
    if (/\d\.\d|\d[eE][+-]?\d|\d{10,}/.test(text.replace(/"(?:[^"\\]|\\.)*"/g, '""'))) {
      return {
        ok: false,
        line: index + 1,
        reason:
          "number that is not an integer of at most nine digits (TLC reads 32-bit integers; nine digits keep a sum " +
          "of two below 2^31): trace budgets of 10^9 units or more in a larger unitBytes",
        text,
        tlcExit: null
      }
    }
    if (text.trim() !== "") {
      try {
        JSON.parse(text)
      } catch {
        return { ok: false, line: index + 1, reason: "not a JSON object", text, tlcExit: null }
      }
    }
  }
  if (!/^\{.*"action"\s*:\s*"Init"/.test(fileLines[0] ?? "")) {
    return { ok: false, line: 1, reason: 'the first line is not the "Init" header', text: fileLines[0], tlcExit: null }
  }
  return preCheckLines(fileLines)
}

/** A parsed trace line (the fields the checker reads itself). */
interface ParsedLine {
  readonly action?: unknown
  readonly format?: unknown
  readonly drivers?: unknown
  readonly sequential?: unknown
  readonly driver?: unknown
  readonly holders?: unknown
  readonly reason?: unknown
  readonly req?: unknown
  readonly wait?: unknown
  readonly failed?: unknown
  readonly type?: unknown
}

const parseLines = (fileLines: ReadonlyArray<string>): Array<ParsedLine> =>
  fileLines.filter((text) => text.trim() !== "").map((text) => JSON.parse(text) as ParsedLine)

const stringsOf = (value: unknown): Array<string> =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : []

/**
 * What the checker says itself, before TLC: a header of a newer format, a driver the header does not list, a line
 * where the recorder stopped (TraceStopped: the model could not follow what came next).
 */
const preCheckLines = (fileLines: ReadonlyArray<string>): TraceVerdict | undefined => {
  const [header, ...rest] = parseLines(fileLines)
  const fail = (line: number, reason: string): TraceVerdict => ({
    ok: false,
    line,
    reason,
    text: fileLines[line - 1],
    tlcExit: null
  })
  const format = header?.format ?? 1
  if (typeof format !== "number" || format > TRACE_FORMAT) {
    return fail(
      1,
      `trace format ${JSON.stringify(format)}: this checker reads formats 1 to ${TRACE_FORMAT}; check it with the ` +
        "repository at the version of the @flight-hal/resources package that recorded it (spec/README.md, " +
        '"Trace format")'
    )
  }
  const drivers = new Set(stringsOf(header?.drivers))
  for (const [index, line] of rest.entries()) {
    const at = index + 2
    if (line.action === "TraceStopped") {
      return fail(
        at,
        `the recorder stopped the trace here: ${typeof line.reason === "string" ? line.reason : "(no reason)"}`
      )
    }
    const named = [
      ...(typeof line.driver === "string" && line.driver !== "" ? [line.driver] : []),
      ...stringsOf(line.holders)
    ]
    const unknown = named.find((driver) => !drivers.has(driver))
    if (unknown !== undefined) {
      return fail(
        at,
        `driver ${JSON.stringify(unknown)} is not in the header's drivers ${JSON.stringify([...drivers])}: the model ` +
          "knows only those; list every driver of the run in the trace's drivers option " +
          "(traceToFile(path, { drivers: [...] }) or trace: { drivers })"
      )
    }
  }
  return undefined
}

/** The requests waiting before file line `at` (1-based), by request id: their drivers. */
const waitingBefore = (
  lines: ReadonlyArray<ParsedLine>,
  at: number
): Map<number, { driver: string; since: number }> => {
  const waiting = new Map<number, { driver: string; since: number }>()
  for (const [index, line] of lines.slice(1, at - 1).entries()) {
    const req = typeof line.req === "number" ? line.req : -1
    switch (line.action) {
      case "Enqueue":
        if (!waiting.has(req)) waiting.set(req, { driver: String(line.driver), since: index + 2 })
        break
      case "Grant":
      case "Timeout":
      case "Interrupt":
      case "RefuseDeadlock":
        waiting.delete(req)
        break
      case "Rebudget":
      case "Unbudget":
        for (const failed of Array.isArray(line.failed) ? line.failed : []) waiting.delete(failed as number)
        break
      case "Close":
        waiting.clear()
        break
    }
  }
  return waiting
}

/** What a sequential driver may not do while one of its requests waits (the model's `~Blocked(d)`). */
const blockedActions = new Set([
  "Acquire",
  "AcquireEmergency",
  "AcquirePooled",
  "Reject",
  "Enqueue",
  "RefuseDeadlock",
  "Release",
  "AddDependency",
  "RefuseDependency"
])

/**
 * Why the model's action is not enabled at file line `at`, in words, where the checker can tell from the trace
 * alone; undefined otherwise.
 */
export const whyNotEnabled = (fileLines: ReadonlyArray<string>, at: number): string | undefined => {
  const lines = parseLines(fileLines)
  const line = lines[at - 1]
  const header = lines[0]
  if (line === undefined || header === undefined) return undefined
  const sequential = stringsOf(header.sequential)
  const driver = typeof line.driver === "string" ? line.driver : undefined
  const action = String(line.action)
  if (driver !== undefined && sequential.includes(driver) && blockedActions.has(action)) {
    const waiting = waitingBefore(lines, at)
    const own = [...waiting.entries()].find(([req, wait]) => wait.driver === driver && req !== line.req)
    const fresh = !(action === "RefuseDeadlock" || action === "Enqueue") || !waiting.has(line.req as number)
    if (own !== undefined && fresh) {
      const [req, { since }] = own
      return (
        `driver ${driver} is sequential (the header's "sequential") and its request ${req} waits (since line ` +
        `${since}): a sequential driver is one actor, which requests, releases and adds dependencies only while none ` +
        "of its requests waits (docs/semantics.md, section 12). The manager does not refuse it, but its deadlock " +
        "checks assume it: use the driver from one fiber at a time, or declare it concurrent ({ sequential: false })"
      )
    }
  }
  if (action === "RefuseDeadlock" || action === "RefuseShare") {
    return (
      `the model does not refuse this with the header's sequential drivers ${JSON.stringify(sequential)}; one cause: ` +
      "a driver whose kind in the manager differs from the header's (the model's kinds are fixed: declare them in " +
      "the config's drivers, or call registerDriver before the first operation)"
    )
  }
  return undefined
}

/** The invariants a trace run checks, and what breaking each one means. */
const invariantWords: Record<string, string> = {
  GrantsEager:
    "a waiter that could be admitted was left waiting: the line after a step that makes room must be its Grant " +
    "(or its name move)",
  InvTypeOK: "a value outside the header's declarations (a driver, a mode or a type the model does not know)",
  InvBudgetSafe:
    "usage beyond maxBytes not covered by emergency bytes, or emergency bytes that are not the live emergency " +
    "admissions' overages",
  InvReserveOnlyForCritical:
    "usage beyond maxBytes − reservedBytes not covered by live Critical resources and emergency bytes",
  InvSharingSafe:
    "usage that is not the live resources' sizes plus pool capacity, or a resource held or kept alive wrongly",
  InvNameExclusive: "two live resources (or a live one and a waiter reserving it) with the same name",
  InvNoDanglingDependency: "a live or waiting resource depending on one that is not live",
  InvDependencyAcyclic: "a cycle of dependencies",
  InvQueuesWellFormed:
    "a queue out of priority order, or a sequential driver with two requests waiting (one actor waits once)",
  InvUsageBounded: "a usage beyond the usage bound (the header's maxUsage)"
}

const reasons: Record<number, string> = {
  [TlcExit.deadlock]: "the model cannot take this step (action not enabled or post-state fields differ)",
  [TlcExit.safety]: "the state after this line breaks an invariant of the model",
  [TlcExit.assumption]: "the header or the request data break an assumption of the model",
  [TlcExit.parse]: "TLC could not parse the trace or the spec"
}

const cfgText = (paths: ReadonlyArray<string>, diagnoseAt: number, invariants: string): string =>
  [
    `CONSTANTS TraceFiles = {${paths.map((path) => JSON.stringify(path)).join(", ")}} DiagnoseAt = ${diagnoseAt}`,
    "INIT Init",
    "NEXT Next",
    `INVARIANTS ${invariants}`,
    "CHECK_DEADLOCK TRUE",
    ""
  ].join("\n")

/** Trace files (absolute paths) with their lines, read once. */
interface TraceFile {
  readonly path: string
  readonly lines: ReadonlyArray<string>
}

/**
 * Checks a batch of trace files with TLC: one run of spec/Trace.tla for all of them (TLC explores one
 * behaviour per trace). A rejection names its trace (the `tr` of TLC's last state) and line; that trace
 * is then set aside and the rest re-run, so every rejected trace is found. A failure TLC does not pin
 * on one trace (an assumption, a crash) splits the batch in halves down to single traces.
 */
export const validateTraces = async (
  jar: string,
  tracePaths: ReadonlyArray<string>,
  options: TraceOptions = {}
): Promise<BatchResult> => {
  const timeoutSeconds = options.timeoutSeconds ?? 600
  const verdicts = new Map<string, TraceVerdict>()
  const files: Array<TraceFile> = []
  for (const path of tracePaths.map((p) => resolve(p))) {
    const lines = readFileSync(path, "utf8").split("\n")
    const rejected = preCheck(lines)
    if (rejected === undefined) files.push({ path, lines })
    else verdicts.set(path, rejected)
  }
  let runs = 0
  let seconds = 0
  const dir = stageSpec()
  const tlc = async (batch: ReadonlyArray<TraceFile>, diagnoseAt: number, invariants: string): Promise<TlcRun> => {
    const cfg = diagnoseAt === 0 ? "TraceRun.cfg" : "TraceDiagnose.cfg"
    writeFileSync(
      join(dir, cfg),
      cfgText(
        batch.map((file) => file.path),
        diagnoseAt,
        invariants
      )
    )
    const run = await runTlc({ jar, dir, module: "Trace.tla", cfg, timeoutSeconds, extraJvmArgs: shortRunJvmArgs })
    runs++
    seconds += run.seconds
    return run
  }
  const rejectedAt = async (file: TraceFile, run: TlcRun): Promise<TraceVerdict> => {
    const l = lastStateIndex(run.output)
    const tlcError = run.output
      .split("\n")
      .filter((text) => /^Error: |^Overflow|^Attempted/.test(text))
      .slice(0, 2)
      .join(" ")
    const reason =
      reasons[run.exitCode ?? -1] ??
      `TLC failed (exit ${run.exitCode ?? "none"}${tlcError === "" ? "" : `: ${tlcError}`})`
    const violated = /Invariant (\w+) is violated/.exec(run.output)?.[1]
    const words = violated === undefined ? undefined : invariantWords[violated]
    // Deadlock at state l: line l (file line l + 1) is rejected. Invariant broken in state l: the
    // state after transition line l - 1, i.e. file line l.
    const line =
      l === undefined
        ? undefined
        : run.exitCode === TlcExit.deadlock
          ? l + 1
          : run.exitCode === TlcExit.safety
            ? l
            : undefined
    let detail = ""
    if (run.exitCode === TlcExit.deadlock && l !== undefined && options.diagnose !== false) {
      // Diagnosis: this trace alone, without comparing line l's post-state fields, stopped after it.
      const diagnosis = await tlc([file], l, "StopAfterDiagnosed")
      detail =
        diagnosis.exitCode === TlcExit.safety
          ? `: the model takes this step but its post-state differs from the line's fields; the model's post-state:\n${lastState(diagnosis.output)}`
          : `: the model's action is not enabled here (wrong action, arguments, or a failure the model does not justify)${
              line === undefined ? "" : hint(whyNotEnabled(file.lines, line))
            }`
    }
    return {
      ok: false,
      line,
      reason: `${violated === undefined ? reason : `${reason} (${violated}${words === undefined ? "" : `: ${words}`})`}${detail}`,
      text: line === undefined ? undefined : file.lines[line - 1],
      tlcExit: run.exitCode
    }
  }
  const maxRejected = options.maxRejected ?? Number.POSITIVE_INFINITY
  let rejectedCount = 0
  const reject = async (file: TraceFile, run: TlcRun): Promise<void> => {
    verdicts.set(file.path, await rejectedAt(file, run))
    rejectedCount++
  }
  const check = async (batch: ReadonlyArray<TraceFile>): Promise<void> => {
    let pending = batch
    while (pending.length > 0) {
      if (rejectedCount >= maxRejected) {
        for (const file of pending) verdicts.set(file.path, unchecked(notChecked))
        return
      }
      const run = await tlc(pending, 0, Object.keys(invariantWords).join(" "))
      if (passed(run)) {
        for (const file of pending) {
          const lines = file.lines.filter((text) => text.trim() !== "").length
          verdicts.set(file.path, { ok: true, lines, seconds: run.seconds })
        }
        return
      }
      const culprit = lastString(run.output, "tr")
      const file = pending.find((f) => f.path === culprit)
      if (file !== undefined && (run.exitCode === TlcExit.deadlock || run.exitCode === TlcExit.safety)) {
        await reject(file, run)
        pending = pending.filter((f) => f !== file)
      } else if (pending.length > 1) {
        const half = Math.ceil(pending.length / 2)
        await check(pending.slice(0, half))
        await check(pending.slice(half))
        return
      } else {
        const only = pending[0]
        if (only !== undefined) await reject(only, run)
        return
      }
    }
  }
  try {
    await check(files)
  } finally {
    unstage(dir)
  }
  return {
    verdicts: tracePaths.map((path) => {
      const verdict = verdicts.get(resolve(path))
      return {
        path,
        verdict: verdict ?? unchecked("not checked")
      }
    }),
    runs,
    seconds
  }
}

/**
 * Checks one trace file with TLC. `jar` from `findJar()`. On a rejected step it runs TLC a second time
 * to say whether the model's action was not enabled or its post-state differs (`diagnose: false` skips).
 */
export const validateTrace = async (
  jar: string,
  tracePath: string,
  options: TraceOptions = {}
): Promise<TraceVerdict> => {
  const result = await validateTraces(jar, [tracePath], options)
  const first = result.verdicts[0]
  return first === undefined ? unchecked("not checked") : first.verdict
}

const hint = (why: string | undefined): string => (why === undefined ? "" : `; ${why}`)

/**
 * The transition lines of a trace the model accepted: all of them, or those before the rejected line (none when
 * TLC did not run on it).
 */
export const acceptedLines = (verdict: TraceVerdict): number =>
  verdict.ok
    ? verdict.lines - 1
    : verdict.tlcExit === null || verdict.line === undefined
      ? 0
      : Math.max(0, verdict.line - 2)

/** One report line (two on a rejection: the offending line follows). */
export const report = (path: string, verdict: TraceVerdict): string =>
  verdict.ok
    ? `ok   ${path}: ${verdict.lines} lines accepted by the model`
    : `FAIL ${path}${verdict.line === undefined ? "" : `:${verdict.line}`}: ${verdict.reason} [TLC exit ${
        verdict.tlcExit ?? "none"
      }]${verdict.text === undefined ? "" : `\n     ${verdict.text}`}`

/**
 * spec/traces: good-*.ndjson must pass, bad-*-L<n>.ndjson must be rejected at line n. All of them in one
 * batch: this also checks that a batch pins each rejection on its own trace.
 */
export const selfTest = async (jar: string): Promise<number> => {
  const dir = join(specDir, "traces")
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((file) => file.endsWith(".ndjson"))
        .sort()
    : []
  const result = await validateTraces(
    jar,
    files.map((file) => join(dir, file)),
    { diagnose: false }
  )
  let failures = 0
  for (const [index, { verdict }] of result.verdicts.entries()) {
    const file = files[index] ?? ""
    const expectedLine = /^bad-.*-L(\d+)\.ndjson$/.exec(file)?.[1]
    if (file.startsWith("good-")) {
      if (!verdict.ok) failures++
      console.log(`${report(file, verdict)}${verdict.ok ? "" : "\n     (a good trace: must be accepted)"}`)
    } else if (expectedLine !== undefined) {
      const ok = !verdict.ok && verdict.line === Number(expectedLine)
      if (!ok) failures++
      console.log(
        !verdict.ok && ok
          ? `ok   ${file}: rejected at line ${expectedLine} as expected: ${verdict.reason} [TLC exit ${verdict.tlcExit ?? "none"}]`
          : `FAIL ${file}: must be rejected at line ${expectedLine}; got: ${report(file, verdict)}`
      )
    }
  }
  console.log(`spec traces: ${files.length} traces, ${result.runs} TLC runs, ${result.seconds.toFixed(1)}s`)
  if (files.length === 0) {
    console.error("FAIL no traces in spec/traces")
    failures++
  }
  return failures
}

if (import.meta.main) {
  const args = process.argv.slice(2)
  const jar = findJar()
  if (jar === undefined) {
    console.log(skipLine("trace validation"))
    if (args.includes("--strict")) {
      console.error("FAIL --strict: TLC was not found, so no trace was checked")
      process.exit(3)
    }
    process.exit(0)
  }
  if (args.includes("--self-test")) {
    const failures = await selfTest(jar)
    console.log(failures === 0 ? "spec traces: self-test passed" : `spec traces: ${failures} self-test failure(s)`)
    process.exit(failures === 0 ? 0 : 1)
  }
  const oneByOne = args.includes("--one-by-one")
  const paths = args.filter((arg) => !arg.startsWith("--"))
  if (paths.length === 0) {
    console.error("usage: bun scripts/spec-trace.ts [--strict] [--one-by-one] <trace.ndjson>... | --self-test")
    process.exit(2)
  }
  const batches = oneByOne ? paths.map((path) => [path]) : [paths]
  let failures = 0
  let runs = 0
  let seconds = 0
  let transitions = 0
  for (const batch of batches) {
    const result = await validateTraces(jar, batch)
    runs += result.runs
    seconds += result.seconds
    for (const { path, verdict } of result.verdicts) {
      transitions += acceptedLines(verdict)
      if (!verdict.ok) failures++
      console.log(report(path, verdict))
    }
  }
  console.log(
    `${paths.length} traces (${paths.length - failures} accepted, ${transitions} transition lines accepted` +
      `${failures === 0 ? "" : ", those before a rejected line included"}), ` +
      `${runs} TLC run(s), ${seconds.toFixed(1)}s of TLC`
  )
  process.exit(failures === 0 ? 0 : 1)
}
