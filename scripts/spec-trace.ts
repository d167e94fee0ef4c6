/**
 * Trace validation: checks NDJSON traces recorded by the manager (format: spec/README.md, "Trace
 * format") against the TLA+ model with TLC (spec/Trace.tla).
 *
 *   bun scripts/spec-trace.ts <trace.ndjson>...   validate traces; exit 1 on the first mismatch,
 *                                                  naming the offending line
 *   bun scripts/spec-trace.ts --self-test          spec/traces/good-*.ndjson must pass and every
 *                                                  spec/traces/bad-*-L<n>.ndjson must fail at line n
 *
 * Without tla2tools.jar it prints a loud SKIPPED line and exits 0. `validateTrace` is exported for
 * tests that record traces from the real manager.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { findJar, passed, runTlc, skipLine, specDir, stageSpec, TlcExit, unstage } from "./internal/tlc.ts"

/** The verdict on one trace. */
export type TraceVerdict =
  | { readonly ok: true; readonly lines: number; readonly seconds: number }
  | {
      readonly ok: false
      /** 1-based line of the trace file that the model rejects (undefined: TLC failed otherwise). */
      readonly line: number | undefined
      readonly reason: string
      readonly text: string | undefined
      readonly tlcExit: number | null
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
  return last
    .split("\n")
    .filter((line) => /^\/\\ (st|holders|owner|queue|nameq|usage|ebytes) =/.test(line))
    .map((line) => `       ${line}`)
    .join("\n")
}

/**
 * Checks one trace file with TLC. `jar` from `findJar()`. On a rejected step it runs TLC a second time
 * to say whether the model's action was not enabled or its post-state differs (`diagnose: false` skips).
 */
export const validateTrace = async (
  jar: string,
  tracePath: string,
  options: { readonly timeoutSeconds?: number; readonly diagnose?: boolean } = {}
): Promise<TraceVerdict> => {
  const timeoutSeconds = options.timeoutSeconds ?? 300
  const absolute = resolve(tracePath)
  const fileLines = readFileSync(absolute, "utf8").split("\n")
  for (const [index, text] of fileLines.entries()) {
    if (text.trim() === "" && index < fileLines.length - 1) {
      return { ok: false, line: index + 1, reason: "blank line in the trace", text, tlcExit: null }
    }
    if (/\d\.\d|\d[eE][+-]?\d|\d{10,}/.test(text.replace(/"(?:[^"\\]|\\.)*"/g, '""'))) {
      return {
        ok: false,
        line: index + 1,
        reason: "number that is not an integer below 2^31 (TLC's JSON reader would corrupt it)",
        text,
        tlcExit: null
      }
    }
  }
  const dir = stageSpec()
  try {
    const cfg = (diagnoseAt: number, invariants: string): string =>
      [
        `CONSTANTS TraceFile = ${JSON.stringify(absolute)} DiagnoseAt = ${diagnoseAt}`,
        "INIT Init",
        "NEXT Next",
        `INVARIANTS ${invariants}`,
        "CHECK_DEADLOCK TRUE",
        ""
      ].join("\n")
    writeFileSync(join(dir, "TraceRun.cfg"), cfg(0, "GrantsEager ModelInvariants"))
    const run = await runTlc({ jar, dir, module: "Trace.tla", cfg: "TraceRun.cfg", timeoutSeconds })
    const lines = fileLines.filter((text) => text.trim() !== "").length
    if (passed(run)) return { ok: true, lines, seconds: run.seconds }
    const l = lastStateIndex(run.output)
    const reasons: Record<number, string> = {
      [TlcExit.deadlock]: "the model cannot take this step (action not enabled or post-state fields differ)",
      [TlcExit.safety]: "the state after this line breaks an invariant of the model",
      [TlcExit.assumption]: "the header or the request data break an assumption of the model",
      [TlcExit.parse]: "TLC could not parse the trace or the spec"
    }
    const reason = reasons[run.exitCode ?? -1] ?? `TLC failed (exit ${run.exitCode ?? "none"})`
    const violated = /Invariant (\w+) is violated/.exec(run.output)?.[1]
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
      // Diagnosis: the same run without comparing line l's post-state fields, stopped after it.
      writeFileSync(join(dir, "TraceDiagnose.cfg"), cfg(l, "StopAfterDiagnosed"))
      const diagnosis = await runTlc({ jar, dir, module: "Trace.tla", cfg: "TraceDiagnose.cfg", timeoutSeconds })
      detail =
        diagnosis.exitCode === TlcExit.safety
          ? `: the model takes this step but its post-state differs from the line's fields; the model's post-state:\n${lastState(diagnosis.output)}`
          : ": the model's action is not enabled here (wrong action, arguments, or a failure the model does not justify)"
    }
    return {
      ok: false,
      line,
      reason: `${violated === undefined ? reason : `${reason} (${violated})`}${detail}`,
      text: line === undefined ? undefined : fileLines[line - 1],
      tlcExit: run.exitCode
    }
  } finally {
    unstage(dir)
  }
}

const report = (path: string, verdict: TraceVerdict): string =>
  verdict.ok
    ? `ok   ${path}: ${verdict.lines} lines accepted by the model (${verdict.seconds.toFixed(1)}s)`
    : `FAIL ${path}${verdict.line === undefined ? "" : `:${verdict.line}`}: ${verdict.reason} [TLC exit ${
        verdict.tlcExit ?? "none"
      }]${verdict.text === undefined ? "" : `\n     ${verdict.text}`}`

/** spec/traces: good-*.ndjson must pass, bad-*-L<n>.ndjson must be rejected at line n. */
export const selfTest = async (jar: string): Promise<number> => {
  const dir = join(specDir, "traces")
  const files = existsSync(dir) ? readdirSync(dir).filter((file) => file.endsWith(".ndjson")) : []
  let failures = 0
  for (const file of files.sort()) {
    const verdict = await validateTrace(jar, join(dir, file), { diagnose: false })
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
    process.exit(0)
  }
  if (args.includes("--self-test")) {
    const failures = await selfTest(jar)
    console.log(failures === 0 ? "spec traces: self-test passed" : `spec traces: ${failures} self-test failure(s)`)
    process.exit(failures === 0 ? 0 : 1)
  }
  if (args.length === 0) {
    console.error("usage: bun scripts/spec-trace.ts <trace.ndjson>... | --self-test")
    process.exit(2)
  }
  let failures = 0
  for (const path of args) {
    const verdict = await validateTrace(jar, path)
    if (!verdict.ok) failures++
    console.log(report(path, verdict))
  }
  process.exit(failures === 0 ? 0 : 1)
}
