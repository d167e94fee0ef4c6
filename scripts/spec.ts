/**
 * `npm run spec`: TLC model checking of the TLA+ model in spec/.
 *
 *   bun scripts/spec.ts            the CI configs, the mutation check and the trace self-test
 *   bun scripts/spec.ts --large    also the larger config (occasional runs)
 *   bun scripts/spec.ts --no-mutations --no-traces   only the configs
 *
 * After the configs it runs the mutation check (scripts/spec-mutations.ts) and the trace
 * validation self-test (scripts/spec-trace.ts --self-test on spec/traces/).
 *
 * Exits non-zero on any violation, parse error, timeout, or an invariant/property named in a cfg
 * that no module defines. Without tla2tools.jar it prints a loud SKIPPED line and exits 0.
 */

import {
  errorSummary,
  findJar,
  missingCfgNames,
  passed,
  runTlc,
  skipLine,
  stageSpec,
  TlcExit,
  type TlcRun,
  unstage
} from "./internal/tlc.ts"
import { runMutations } from "./spec-mutations.ts"
import { selfTest as traceSelfTest } from "./spec-trace.ts"

/** A TLC configuration of spec/MC.tla. */
interface Config {
  readonly cfg: string
  readonly timeoutSeconds: number
  /** A documented limit: TLC must report this violation (exit code and output line) instead of passing. */
  readonly expectViolation?: { readonly exit: number; readonly output: string }
}

/** The CI set: each finishes well under 2 minutes on 2 cores. */
export const ciConfigs: ReadonlyArray<Config> = [
  { cfg: "MCBudget.cfg", timeoutSeconds: 150 },
  { cfg: "MCNames.cfg", timeoutSeconds: 150 },
  { cfg: "MCNameMove.cfg", timeoutSeconds: 150 },
  { cfg: "MCDeadlock.cfg", timeoutSeconds: 150 },
  { cfg: "MCDeadlockQueue.cfg", timeoutSeconds: 150 },
  { cfg: "MCLiveness.cfg", timeoutSeconds: 150 },
  { cfg: "MCStarvation.cfg", timeoutSeconds: 150 }
]

/**
 * Excluded from CI (`--large`): the larger model, and the two documented liveness limits of the
 * three-driver liveness model (spec/README.md, "Liveness limits"), which must fail.
 */
export const largeConfigs: ReadonlyArray<Config> = [
  { cfg: "MCLarge.cfg", timeoutSeconds: 3600 },
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

const describe = (cfg: string, run: TlcRun): string =>
  `${cfg}: exit ${run.exitCode ?? "none"}${run.timedOut ? " (TIMED OUT)" : ""}, ${run.seconds.toFixed(1)}s, ${
    run.statesLine?.trim() ?? "no state count"
  }`

const main = async (): Promise<number> => {
  const args = new Set(process.argv.slice(2))
  const jar = findJar()
  if (jar === undefined) {
    console.log(skipLine("the TLA+ model (spec/)"))
    return 0
  }
  const configs = [...ciConfigs, ...(args.has("--large") ? largeConfigs : [])]
  const dir = stageSpec()
  let failures = 0
  try {
    for (const { cfg, timeoutSeconds, expectViolation } of configs) {
      const missing = missingCfgNames(dir, cfg)
      if (missing.length > 0) {
        console.error(`FAIL ${cfg}: names in the cfg that no module defines: ${missing.join(", ")}`)
        failures++
        continue
      }
      const run = await runTlc({ jar, dir, module: "MC.tla", cfg, timeoutSeconds })
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
    }
  } finally {
    unstage(dir)
  }
  if (failures === 0 && !args.has("--no-mutations")) {
    failures += await runMutations(jar)
  }
  if (failures === 0 && !args.has("--no-traces")) {
    failures += await traceSelfTest(jar)
  }
  console.log(failures === 0 ? "spec: all TLC checks passed" : `spec: ${failures} TLC check(s) FAILED`)
  return failures === 0 ? 0 : 1
}

if (import.meta.main) {
  process.exit(await main())
}
