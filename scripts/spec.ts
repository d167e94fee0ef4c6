/**
 * `npm run spec`: TLC model checking of the TLA+ models in spec/.
 *
 *   bun scripts/spec.ts            the CI configs, the mutation check and the trace self-test
 *   bun scripts/spec.ts --large    also the larger and slower configs (the GitHub workflow)
 *   bun scripts/spec.ts --no-mutations --no-traces   only the configs
 *   bun scripts/spec.ts MCDeps.cfg ... --no-mutations --no-traces   only the configs named
 *
 * After each config it checks the config's witnesses: invariants of the model (`W_*`) that
 * say "this situation is never reached", each of which must be violated -- a config that never
 * reaches one of its situations checks nothing there, and fails the run. They are checked in a
 * separate TLC run (the config's constants and its spec without fairness, one generated invariant
 * that prints each witness reached -- and, for the step witnesses `WA_*`, action formulas, one
 * generated action constraint that does the same for each step), stopped as soon as every witness
 * has been seen. After the
 * configs it runs the mutation check (scripts/spec-mutations.ts) and, side by side with it, the
 * trace validation self-test (scripts/spec-trace.ts --self-test on spec/traces/).
 *
 * Exits non-zero on any violation, parse error, timeout, or an invariant/property named in a cfg
 * that no module defines. Without tla2tools.jar it prints a loud SKIPPED line and exits 0.
 */

import { spawn } from "node:child_process"
import { readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import {
  errorSummary,
  findJar,
  missingCfgNames,
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
import { runMutations } from "./spec-mutations.ts"
import { selfTest as traceSelfTest } from "./spec-trace.ts"

/** A TLC configuration of spec/MC.tla (or of another root module in spec/). */
interface Config {
  readonly cfg: string
  /** The root module TLC runs (default `MC.tla`). */
  readonly module?: string
  readonly timeoutSeconds: number
  /** A documented limit: TLC must report this violation (exit code and output line) instead of passing. */
  readonly expectViolation?: { readonly exit: number; readonly output: string }
  /**
   * The situations the config must reach: `W_*` invariants (or `WA_*` action formulas: steps) of
   * the model (ResourceManager.tla, SharedLedger.tla, SharedFreeList.tla, SharedHolders.tla, SharedLease.tla,
   * SharedClose.tla) that must be violated.
   */
  readonly witnesses?: ReadonlyArray<string>
}

const limit = { exit: TlcExit.safety, output: "Invariant OracleNoDeadlock is violated" }
const ledger = "MCSharedLedger.tla"
const freeList = "MCSharedFreeList.tla"
const holders = "MCSharedHolders.tla"
const lease = "MCSharedLease.tla"
const close = "MCSharedClose.tla"

/** The CI set (`npm run spec`, inside `npm test`). */
export const ciConfigs: ReadonlyArray<Config> = [
  {
    cfg: "MCBudget.cfg",
    timeoutSeconds: 300,
    witnesses: ["W_Emergency", "W_ReserveUsed", "W_Shared"]
  },
  {
    cfg: "MCRefusals.cfg",
    timeoutSeconds: 300,
    witnesses: [
      "W_ImpossibleRejected",
      "W_NonBlockingRejected",
      "W_BusyRejected",
      "W_EqualPrioWaiters",
      "W_Emergency",
      "W_NameWait",
      "W_UsageBoundRefused"
    ]
  },
  {
    cfg: "MCUsageBound.cfg",
    timeoutSeconds: 300,
    witnesses: [
      "W_UsageBoundRefused",
      "W_UnbudgetedWait",
      "W_DeadlockRefused",
      "W_Emergency",
      "W_UnbudgetedPastOldLimit"
    ]
  },
  {
    cfg: "MCNames.cfg",
    timeoutSeconds: 300,
    witnesses: ["W_NameWait", "W_NameMoved", "W_Deferred", "W_WaiterWithDeps"]
  },
  { cfg: "MCNameMove.cfg", timeoutSeconds: 300, witnesses: ["W_NameMoveRefused", "W_NameMoved"] },
  {
    cfg: "MCDeadlock.cfg",
    timeoutSeconds: 300,
    witnesses: ["W_DeadlockRefused", "W_NameDeadlockRefused", "W_TwoTypesWaiting"]
  },
  { cfg: "MCDeadlockQueue.cfg", timeoutSeconds: 300, witnesses: ["W_DeadlockRefused", "W_EqualPrioWaiters"] },
  {
    cfg: "MCDeps.cfg",
    timeoutSeconds: 300,
    witnesses: [
      "W_DepChain2",
      "W_DeferredNamed",
      "W_CycleRefused",
      "W_DependencyAdded",
      "W_Leaks2",
      "W_ClosedWithDeps",
      "W_WaiterWithDeps",
      "W_NameWait",
      "WA_DeferredDependentEdge"
    ]
  },
  {
    cfg: "MCRebudget.cfg",
    timeoutSeconds: 300,
    witnesses: ["W_RebudgetFailed", "W_Lowered", "W_WaiterWithDeps", "W_NameWait", "WA_UnbudgetAdmits"]
  },
  {
    cfg: "MCPools.cfg",
    timeoutSeconds: 300,
    witnesses: ["W_PoolRefused", "W_PoolWithWaiter", "W_NonBlockingRejected"]
  },
  {
    cfg: "MCConcurrent.cfg",
    timeoutSeconds: 300,
    witnesses: [
      "W_ConcurrentWaitsHolding",
      "WA_ConcurrentReleaseWhileWaiting",
      "W_ConcurrentTwoWaits",
      "W_ConcurrentRefused",
      "W_SequentialWaitsHolding",
      "W_ShareRefused",
      "WA_ShareToWaitingConcurrent",
      "WA_ShareToWaitingSequential"
    ]
  },
  {
    cfg: "MCShareCheck.cfg",
    timeoutSeconds: 300,
    witnesses: [
      "W_ShareRefused",
      "WA_ShareToWaitingConcurrent",
      "WA_ShareToWaitingSequential",
      "W_Shared",
      "W_ConcurrentRefused",
      "W_WaiterWithDeps"
    ]
  },
  {
    cfg: "MCStuck.cfg",
    timeoutSeconds: 300,
    witnesses: ["W_Lowered", "W_NameWait", "W_RefusedBesideDeadlock", "WA_WaitBesideDeadlock"]
  },
  { cfg: "MCDepsDeadlock.cfg", timeoutSeconds: 300, expectViolation: limit },
  { cfg: "MCPoolsStrand.cfg", timeoutSeconds: 300, expectViolation: limit },
  { cfg: "MCRebudgetDeadlock.cfg", timeoutSeconds: 300, expectViolation: limit },
  { cfg: "MCLiveness.cfg", timeoutSeconds: 300, witnesses: ["W_TimeoutWaiter", "W_Shared"] },
  {
    cfg: "MCSharedLedger.cfg",
    module: ledger,
    timeoutSeconds: 300,
    witnesses: [
      "W_Emergency",
      "W_ReserveUsed",
      "W_Done",
      "WA_UsageCasFails",
      "WA_EmergencyCasFails",
      "WA_PeakCasFails",
      "WA_NonBlockingFails"
    ]
  },
  {
    cfg: "MCSharedLedgerQueue.cfg",
    module: ledger,
    timeoutSeconds: 300,
    witnesses: [
      "W_TwoWaiters",
      "W_HigherAhead",
      "W_Done",
      "WA_GrantByRelease",
      "WA_FastDeferred",
      "WA_UsageCasFails",
      "WA_FastBeforeMirror"
    ]
  },
  {
    cfg: "MCSharedFreeList.cfg",
    module: freeList,
    timeoutSeconds: 300,
    witnesses: [
      "W_ABA",
      "W_BatchRefill",
      "W_BatchDrain",
      "W_AllDetached",
      "WA_RefillCasFails",
      "WA_DrainCasFails",
      "WA_StaleWalk",
      "WA_AllocFailsWhileCached"
    ]
  },
  {
    cfg: "MCSharedFreeListDrain.cfg",
    module: freeList,
    timeoutSeconds: 300,
    witnesses: ["W_ABA", "W_FreeDrainsPart", "W_BatchDrain", "W_AllDetached", "WA_RefillCasFails", "WA_StaleWalk"]
  },
  {
    cfg: "MCSharedFreeListWrap.cfg",
    module: freeList,
    timeoutSeconds: 300,
    expectViolation: { exit: TlcExit.safety, output: "Invariant NoBlockTwice is violated" }
  },
  {
    cfg: "MCSharedHolders.cfg",
    module: holders,
    timeoutSeconds: 300,
    witnesses: ["W_Landed", "W_TwoHolders", "W_LastGeneration"]
  },
  {
    cfg: "MCSharedLease.cfg",
    module: lease,
    timeoutSeconds: 300,
    witnesses: [
      "W_Spent",
      "W_Refused",
      "W_SweptALease",
      "W_TurnedOn",
      "W_CriticalReserve",
      "W_LockFreeSettle",
      "W_InexactRouted",
      "W_LockFreeRefusal"
    ]
  },
  {
    cfg: "MCSharedClose.cfg",
    module: close,
    timeoutSeconds: 300,
    witnesses: [
      "W_DetachedHolding",
      "W_LoopReleasesDetached",
      "W_GrantRefusedInside",
      "W_GrantRefusedOutside",
      "W_UntakenReleased",
      "W_TakenGrantReported",
      "W_QuiesceWaited",
      "W_StepBackedOff",
      "W_ReleaseRaced",
      "W_Done"
    ]
  },
  {
    cfg: "MCSharedCloseStall.cfg",
    module: close,
    timeoutSeconds: 300,
    expectViolation: { exit: TlcExit.safety, output: "Invariant CloseReleasesAll is violated" }
  }
]

/**
 * Excluded from CI (`--large`, run by the GitHub workflow): the larger model, the two liveness models
 * whose temporal check is slow (names/dependencies/two types/reserve; three drivers), and the two
 * documented liveness limits of the three-driver model (spec/README.md, "Liveness limits"), which
 * must fail.
 */
export const largeConfigs: ReadonlyArray<Config> = [
  { cfg: "MCLarge.cfg", timeoutSeconds: 3600 },
  {
    cfg: "MCLivenessNames.cfg",
    timeoutSeconds: 900,
    witnesses: ["W_NameWait", "W_WaiterWithDeps", "W_TwoTypesLive", "W_ReserveUsed", "W_TimeoutWaiter"]
  },
  { cfg: "MCStarvation.cfg", timeoutSeconds: 900, witnesses: ["W_Shared", "W_EqualPrioWaiters"] },
  {
    cfg: "MCStarvationResharing.cfg",
    timeoutSeconds: 900,
    expectViolation: { exit: TlcExit.liveness, output: "Temporal properties were violated" }
  },
  {
    cfg: "MCStarvationPriority.cfg",
    timeoutSeconds: 900,
    expectViolation: { exit: TlcExit.liveness, output: "Temporal properties were violated" }
  }
]

/**
 * The witness lists checked against the models and spec/README.md: every `W_*` / `WA_*` defined in a module
 * of spec/ is listed by some config (CI or `--large`), every listed name is defined, and every config that
 * lists witnesses has a row in one of the README's "config | witnesses" tables with the same names (and
 * every such row names a config of this script). Returns one message per mismatch.
 */
export const witnessListProblems = (
  configs: ReadonlyArray<Config>,
  modules: ReadonlyArray<string>,
  readme: string
): Array<string> => {
  const problems: Array<string> = []
  const defined = new Set<string>()
  for (const text of modules) for (const match of text.matchAll(/^(WA?_\w+)\s*==/gm)) defined.add(match[1] ?? "")
  const listed = new Map<string, ReadonlyArray<string>>()
  for (const { cfg, witnesses } of configs)
    if (witnesses !== undefined && witnesses.length > 0) listed.set(cfg, witnesses)
  const everyListed = new Set([...listed.values()].flat())
  for (const name of [...defined].sort()) {
    if (!everyListed.has(name)) problems.push(`witness ${name} is defined but no config lists it`)
  }
  for (const [cfg, names] of listed) {
    for (const name of names)
      if (!defined.has(name)) problems.push(`${cfg} lists witness ${name}, which no module defines`)
  }
  const rows = new Map<string, Array<string>>()
  for (const match of readme.matchAll(/^\| `(MC\w+\.cfg)`(?: \([^)]*\))? \| ((?:`WA?_\w+`(?:, )?)+) \|$/gm)) {
    rows.set(
      match[1] ?? "",
      [...(match[2] ?? "").matchAll(/`(WA?_\w+)`/g)].map((m) => m[1] ?? "")
    )
  }
  for (const [cfg, names] of listed) {
    const row = rows.get(cfg)
    if (row === undefined) problems.push(`spec/README.md has no witness row for ${cfg}`)
    else if ([...row].sort().join(",") !== [...names].sort().join(",")) {
      problems.push(
        `spec/README.md's witnesses of ${cfg} (${row.join(", ")}) differ from this script's (${names.join(", ")})`
      )
    }
  }
  for (const cfg of rows.keys())
    if (!listed.has(cfg)) problems.push(`spec/README.md lists witnesses for ${cfg}, which lists none here`)
  return problems
}

const describe = (cfg: string, run: TlcRun): string =>
  `${cfg}: exit ${run.exitCode ?? "none"}${run.timedOut ? " (TIMED OUT)" : ""}, ${run.seconds.toFixed(1)}s, ${
    run.statesLine?.trim() ?? "no state count"
  }`

/**
 * The witness run of a config: its constants and symmetry, SpecTLC (the same states as FairSpecTLC),
 * one invariant that prints every state witness (`W_*`) reached and one action constraint that prints
 * every step witness (`WA_*`) taken (it never prunes: each conjunct is true). Returns the witnesses
 * never reached (TLC is stopped as soon as all have been seen).
 */
const checkWitnesses = async (
  jar: string,
  dir: string,
  cfg: string,
  module: string,
  witnesses: ReadonlyArray<string>,
  timeoutSeconds: number
): Promise<{ readonly missing: ReadonlyArray<string>; readonly seconds: number; readonly failure?: string }> => {
  const base = `W_${cfg.replace(/\.cfg$/, "")}`
  const kept: Array<string> = []
  let skipping = false
  for (const line of readFileSync(join(dir, cfg), "utf8").split("\n")) {
    if (/^(INVARIANTS?|PROPERT(Y|IES)|CHECK_DEADLOCK)\b/.test(line)) skipping = true
    else if (!/^\s/.test(line)) skipping = false
    if (!skipping) kept.push(line.replace(/\bFairSpec(TLC|Progress)\b/, "Spec$1"))
  }
  const report = (names: ReadonlyArray<string>): string =>
    names.length === 0 ? "  TRUE" : names.map((w) => `  /\\ (${w} \\/ PrintT("WITNESS ${w}"))`).join("\n")
  const steps = witnesses.filter((w) => w.startsWith("WA_"))
  const states = witnesses.filter((w) => !w.startsWith("WA_"))
  writeFileSync(
    join(dir, `${base}.cfg`),
    `${kept.join("\n")}\nINVARIANT WitnessesReported\n${
      steps.length === 0 ? "" : "ACTION_CONSTRAINT StepWitnessesReported\n"
    }CHECK_DEADLOCK FALSE\n`
  )
  writeFileSync(
    join(dir, `${base}.tla`),
    `---- MODULE ${base} ----\nEXTENDS ${module.replace(/\.tla$/, "")}, TLC\nWitnessesReported ==\n${report(states)}\nStepWitnessesReported ==\n${report(
      steps
    )}\n====\n`
  )
  const started = Date.now()
  const seen = new Set<string>()
  const child = spawn(
    "java",
    [
      "-XX:+UseParallelGC",
      ...shortRunJvmArgs,
      "-cp",
      jar,
      "tlc2.TLC",
      "-workers",
      "auto",
      "-noGenerateSpecTE",
      "-cleanup"
    ].concat(["-metadir", join(dir, "states", base), "-config", `${base}.cfg`, `${base}.tla`]),
    { cwd: dir, stdio: ["ignore", "pipe", "pipe"] }
  )
  let output = ""
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutSeconds * 1000)
  const onData = (chunk: Buffer): void => {
    const text = chunk.toString("utf8")
    output = (output + text).slice(-20000)
    for (const match of text.matchAll(/WITNESS (WA?_\w+)/g)) if (match[1] !== undefined) seen.add(match[1])
    if (witnesses.every((w) => seen.has(w))) child.kill("SIGKILL")
  }
  child.stdout.on("data", onData)
  child.stderr.on("data", onData)
  const exitCode = await new Promise<number | null>((resolve) => child.on("close", resolve))
  clearTimeout(timer)
  const seconds = (Date.now() - started) / 1000
  const missing = witnesses.filter((w) => !seen.has(w))
  const finished = output.includes("Model checking completed. No error has been found.")
  if (missing.length > 0 && !finished) {
    return {
      missing,
      seconds,
      failure: `TLC exit ${exitCode ?? "none"} before the state space was explored:\n${output.slice(-2000)}`
    }
  }
  return { missing, seconds }
}

const main = async (): Promise<number> => {
  const args = new Set(process.argv.slice(2))
  const jar = findJar()
  if (jar === undefined) {
    console.log(skipLine("the TLA+ model (spec/)"))
    return 0
  }
  const only = process.argv.slice(2).filter((arg) => arg.endsWith(".cfg"))
  const configs = [...ciConfigs, ...(args.has("--large") ? largeConfigs : [])].filter(
    ({ cfg }) => only.length === 0 || only.includes(cfg)
  )
  const modules = readdirSync(specDir)
    .filter((file) => file.endsWith(".tla"))
    .map((file) => readFileSync(join(specDir, file), "utf8"))
  const listProblems = witnessListProblems(
    [...ciConfigs, ...largeConfigs],
    modules,
    readFileSync(join(specDir, "README.md"), "utf8")
  )
  for (const problem of listProblems) console.error(`FAIL witness lists: ${problem}`)
  if (listProblems.length === 0) console.log("ok   witness lists agree with the models and spec/README.md")
  const dir = stageSpec()
  let failures = listProblems.length
  try {
    for (const { cfg, module = "MC.tla", timeoutSeconds, expectViolation, witnesses } of configs) {
      const missing = missingCfgNames(dir, cfg)
      if (missing.length > 0) {
        console.error(`FAIL ${cfg}: names in the cfg that no module defines: ${missing.join(", ")}`)
        failures++
        continue
      }
      const run = await runTlc({ jar, dir, module, cfg, timeoutSeconds })
      if (expectViolation !== undefined) {
        const caught =
          !run.timedOut && run.exitCode === expectViolation.exit && run.output.includes(expectViolation.output)
        if (!caught) failures++
        console.log(`${caught ? "ok  " : "FAIL"} ${describe(cfg, run)} (documented limit: must report a violation)`)
      } else if (passed(run)) {
        console.log(`ok   ${describe(cfg, run)}`)
      } else {
        failures++
        console.error(`FAIL ${describe(cfg, run)}\n${errorSummary(run)}\n--- TLC output (tail) ---`)
        console.error(run.output.split("\n").slice(-60).join("\n"))
      }
      if (witnesses !== undefined && witnesses.length > 0) {
        const result = await checkWitnesses(jar, dir, cfg, module, witnesses, timeoutSeconds)
        if (result.missing.length === 0) {
          console.log(
            `ok   ${cfg} witnesses: all ${witnesses.length} reached in ${result.seconds.toFixed(1)}s (${witnesses.join(", ")})`
          )
        } else {
          failures++
          console.error(
            `FAIL ${cfg} witnesses never reached: ${result.missing.join(", ")} (the config is vacuous there)${
              result.failure === undefined ? "" : `\n${result.failure}`
            }`
          )
        }
      }
    }
  } finally {
    unstage(dir)
  }
  if (failures === 0) {
    // The mutation check and the trace self-test are independent: run them side by side (both are
    // mostly JVM starts and parses, one core each).
    const [mutationFailures, traceFailures] = await Promise.all([
      args.has("--no-mutations") ? 0 : runMutations(jar),
      args.has("--no-traces") ? 0 : traceSelfTest(jar)
    ])
    failures += mutationFailures + traceFailures
  }
  console.log(failures === 0 ? "spec: all TLC checks passed" : `spec: ${failures} TLC check(s) FAILED`)
  return failures === 0 ? 0 : 1
}

if (import.meta.main) {
  process.exit(await main())
}
