/**
 * Mutation check of the TLA+ model: applies known bugs to a temporary copy of spec/ and fails
 * unless TLC reports a violation, with the expected exit code and the expected property, for
 * every one. Run by `bun scripts/spec.ts` after the configs, or alone:
 *
 *   bun scripts/spec-mutations.ts
 *
 * Without tla2tools.jar it prints a loud SKIPPED line and exits 0.
 */
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { errorSummary, findJar, runTlc, skipLine, stageSpec, TlcExit, unstage } from "./internal/tlc.ts"

/** One known bug: an exact text replacement in a module, and the violation TLC must report. */
export interface Mutation {
  readonly name: string
  readonly bug: string
  readonly module: string
  readonly find: string
  readonly replace: string
  readonly cfg: string
  /** TLC 2.20 exits with 13 (not 12) for a violated action property ([][A]_v), too. */
  readonly expectExit: number
  /** A line TLC prints for this violation (names the broken property where TLC does). */
  readonly expectOutput: string
}

export const mutations: ReadonlyArray<Mutation> = [
  {
    name: "reserve-for-all",
    bug: "a non-critical request may use the reserve (limit(p) = maxBytes for every p)",
    module: "ResourceManager.tla",
    find: 'Limit(t, p) == IF p = "Critical" THEN Budget[t].max ELSE Budget[t].max - Budget[t].reserved',
    replace: "Limit(t, p) == Budget[t].max",
    cfg: "MCBudget.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant ReserveOnlyForCritical is violated"
  },
  {
    name: "free-shared-on-owner-release",
    bug: "a shared resource is freed when its owner releases, though other holders remain",
    module: "ResourceManager.tla",
    find: "KeepAliveIn(S) == DepClosure({x \\in AliveIn(S) : S.holders[x] # {}}",
    replace: "KeepAliveIn(S) == DepClosure({x \\in AliveIn(S) : S.owner[x] \\in S.holders[x]}",
    cfg: "MCBudget.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant SharingSafe is violated"
  },
  {
    name: "no-deadlock-check",
    bug: "the Work/Finish reduction is dropped: every Blocking/Timeout request may start waiting",
    module: "ResourceManager.tla",
    find: "  /\\ DeadlockFreeIn(EnqueuedIn(Cur, d, r, m, WaitKind(r, m)))\n",
    replace: "  /\\ TRUE\n",
    cfg: "MCDeadlock.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant NoDeadlock is violated"
  },
  {
    name: "name-move-without-deadlock-check",
    bug: "a freed name's waiter that does not fit moves into its type queue without the reduction (it may go ahead of a lower-priority waiter whose driver holds the bytes it needs)",
    module: "ResourceManager.tla",
    find: "  /\\ DeadlockFreeIn(MovedIn(Cur, r))\n",
    replace: "  /\\ TRUE\n",
    cfg: "MCNameMove.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant NoDeadlock is violated"
  },
  {
    name: "skip-check-for-idle-driver",
    bug: "the reduction is skipped for a driver that holds nothing and names no dependency (an optimisation that misses a higher-priority waiter inserted ahead of a lower one whose driver holds the bytes)",
    module: "ResourceManager.tla",
    find: "  /\\ DeadlockFreeIn(EnqueuedIn(Cur, d, r, m, WaitKind(r, m)))\n",
    replace:
      "  /\\ (((\\A x \\in Res : d \\notin holders[x]) /\\ Deps(r) = {}) \\/ DeadlockFreeIn(EnqueuedIn(Cur, d, r, m, WaitKind(r, m))))\n",
    cfg: "MCBudget.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant NoDeadlock is violated"
  },
  {
    name: "queue-unaware-reduction",
    bug: "the reduction ignores queue order (a waiter counted as grantable while an earlier waiter blocks it)",
    module: "ResourceManager.tla",
    find: "      THEN /\\ \\A v \\in AheadOf(S.queue[t], w) : S.owner[v] \\in F\n",
    replace: "      THEN /\\ TRUE\n",
    cfg: "MCDeadlockQueue.cfg",
    expectExit: TlcExit.liveness,
    expectOutput: "Temporal properties were violated"
  },
  {
    name: "waiter-barging",
    bug: "a later waiter that fits is granted while the head waiter (same or higher priority) still waits",
    module: "ResourceManager.tla",
    find: "  /\\ \\/ InTypeQ(Cur, r) /\\ Head(queue[TypeOf(r)]) = r /\\ Fits(r)\n",
    replace: "  /\\ \\/ InTypeQ(Cur, r) /\\ Fits(r)\n",
    cfg: "MCBudget.cfg",
    expectExit: TlcExit.liveness,
    expectOutput: "Action property NoOvertaking is violated"
  },
  {
    name: "fresh-request-barging",
    bug: "a new request that fits is admitted past an earlier waiter of its type with rank >= its own",
    module: "ResourceManager.tla",
    find: '  /\\ NoneAhead(r) \\/ m = "Emergency"\n',
    replace: "  /\\ TRUE\n",
    cfg: "MCLiveness.cfg",
    expectExit: TlcExit.liveness,
    expectOutput: "Action property NoOvertaking is violated"
  },
  {
    name: "no-grant-fairness",
    bug: "grants are not fair (a waiter may be left waiting although it could be admitted forever)",
    module: "ResourceManager.tla",
    find: "  /\\ \\A r \\in Res : SF_vars(Grant(r)) /\\ SF_vars(EnqueueFromName(r))",
    replace: "  /\\ \\A r \\in Res : SF_vars(EnqueueFromName(r))",
    cfg: "MCLiveness.cfg",
    expectExit: TlcExit.liveness,
    expectOutput: "Temporal properties were violated"
  }
]

/** Runs every mutation; returns the number that TLC did not reject as expected. */
export const runMutations = async (jar: string): Promise<number> => {
  let failures = 0
  for (const mutation of mutations) {
    const dir = stageSpec()
    try {
      const path = join(dir, mutation.module)
      const text = readFileSync(path, "utf8")
      const occurrences = text.split(mutation.find).length - 1
      if (occurrences !== 1) {
        console.error(`FAIL mutation ${mutation.name}: its text occurs ${occurrences} times in ${mutation.module}`)
        failures++
        continue
      }
      writeFileSync(path, text.replace(mutation.find, mutation.replace))
      const run = await runTlc({ jar, dir, module: "MC.tla", cfg: mutation.cfg, timeoutSeconds: 170 })
      const ok = !run.timedOut && run.exitCode === mutation.expectExit && run.output.includes(mutation.expectOutput)
      const what = `mutation ${mutation.name} (${mutation.bug}) on ${mutation.cfg}: TLC exit ${
        run.exitCode ?? "none"
      }${run.timedOut ? " (TIMED OUT)" : ""} in ${run.seconds.toFixed(1)}s`
      if (ok) {
        console.log(`ok   ${what}: ${mutation.expectOutput}`)
      } else {
        failures++
        console.error(
          `FAIL ${what}; expected exit ${mutation.expectExit} and "${mutation.expectOutput}"\n${errorSummary(run)}`
        )
      }
    } finally {
      unstage(dir)
    }
  }
  return failures
}

if (import.meta.main) {
  const jar = findJar()
  if (jar === undefined) {
    console.log(skipLine("the spec mutation check"))
    process.exit(0)
  }
  const failures = await runMutations(jar)
  console.log(failures === 0 ? "spec mutations: every bug was caught" : `spec mutations: ${failures} NOT caught`)
  process.exit(failures === 0 ? 0 : 1)
}
