/**
 * Mutation check of the TLA+ model: applies known bugs to a temporary copy of spec/ and fails
 * unless TLC reports a violation, with the expected exit code and the expected property, for
 * every one. Run by `bun scripts/spec.ts` after the configs, or alone:
 *
 *   bun scripts/spec-mutations.ts              every mutation
 *   bun scripts/spec-mutations.ts NAME ...     only these
 *
 * Without tla2tools.jar it prints a loud SKIPPED line and exits 0.
 */
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import {
  errorSummary,
  findJar,
  runTlc,
  shortRunJvmArgs,
  skipLine,
  stageSpec,
  TlcExit,
  unstage
} from "./internal/tlc.ts"

/** One known bug: an exact text replacement in a module, and the violation TLC must report. */
export interface Mutation {
  readonly name: string
  readonly bug: string
  /** The module the replacement is made in. */
  readonly module: string
  /** The root module TLC runs with `cfg` (default `MC.tla`). */
  readonly root?: string
  readonly find: string
  readonly replace: string
  readonly cfg: string
  /** TLC 2.20 exits with 13 (not 12) for a violated action property ([][A]_v), too. */
  readonly expectExit: number
  /**
   * A line TLC prints for this violation (names the broken property where TLC does); with several, any of them
   * (properties broken at the same depth: which one TLC's workers report first is a race).
   */
  readonly expectOutput: string | ReadonlyArray<string>
}

/** The release's two checks for waiters in SharedLedger.tla (the waiting words, then the total). */
const RELEASE_CHECKS = `  /\\ IF mirror[t] > 0
       THEN Set(pc, t, "gLock")`

export const mutations: ReadonlyArray<Mutation> = [
  {
    name: "reserve-for-all",
    bug: "a non-critical request may use the reserve (limit(p) = maxBytes for every p)",
    module: "ResourceManager.tla",
    find: 'Limit(t, p) == IF p = "Critical" THEN budget[t].max ELSE budget[t].max - budget[t].reserved',
    replace: "Limit(t, p) == budget[t].max",
    cfg: "MCBudget.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant ReserveOnlyForCritical is violated"
  },
  {
    name: "free-shared-on-owner-release",
    bug: "a shared resource is freed when its owner releases, though other holders remain",
    module: "ResourceManager.tla",
    find: "KeepAliveIn(S) == DepClosureIn(S, {x \\in AliveIn(S) : S.holders[x] # {}}",
    replace: "KeepAliveIn(S) == DepClosureIn(S, {x \\in AliveIn(S) : S.owner[x] \\in S.holders[x]}",
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
    expectOutput: "Invariant OracleNoDeadlock is violated"
  },
  {
    name: "name-move-without-deadlock-check",
    bug: "a freed name's waiter that does not fit moves into its type queue without the reduction (it may go ahead of a lower-priority waiter whose driver holds the bytes it needs)",
    module: "ResourceManager.tla",
    find: "  /\\ DeadlockFreeIn(MovedIn(Cur, r))\n",
    replace: "  /\\ TRUE\n",
    cfg: "MCNameMove.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant OracleNoDeadlock is violated"
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
    find: "      THEN /\\ \\A v \\in AheadOf(S.queue[t], w) : v \\in F\n",
    replace: "      THEN /\\ TRUE\n",
    cfg: "MCDeadlockQueue.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant OracleNoDeadlock is violated"
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
  },
  {
    name: "critical-beyond-max",
    bug: "a Critical request may be admitted one unit beyond maxBytes (limit(Critical) = maxBytes + 1)",
    module: "ResourceManager.tla",
    find: 'Limit(t, p) == IF p = "Critical" THEN budget[t].max ELSE',
    replace: 'Limit(t, p) == IF p = "Critical" THEN budget[t].max + 1 ELSE',
    cfg: "MCBudget.cfg",
    expectExit: TlcExit.liveness,
    expectOutput: "Action property CriticalWithinMax is violated"
  },
  {
    name: "stale-limit-after-rebudget",
    bug: "admission keeps using the initial budget after a rebudget (limit(p) read from the old maxBytes)",
    module: "ResourceManager.tla",
    find: 'Limit(t, p) == IF p = "Critical" THEN budget[t].max ELSE budget[t].max - budget[t].reserved',
    replace: 'Limit(t, p) == IF p = "Critical" THEN Budget[t].max ELSE Budget[t].max - Budget[t].reserved',
    cfg: "MCRebudget.cfg",
    expectExit: TlcExit.liveness,
    expectOutput: "Action property AdmitWithinLimit is violated"
  },
  {
    name: "lifo-within-priority",
    bug: "a waiter is queued ahead of the waiters of its own priority (LIFO within a priority)",
    module: "ResourceManager.tla",
    find: "  LET k == Cardinality({i \\in 1..Len(s) : Rank(s[i]) >= Rank(x)})",
    replace: "  LET k == Cardinality({i \\in 1..Len(s) : Rank(s[i]) > Rank(x)})",
    cfg: "MCRefusals.cfg",
    expectExit: TlcExit.liveness,
    expectOutput: "Action property FifoWithinPriority is violated"
  },
  {
    name: "share-non-shareable",
    bug: "a resource without the Shareable flag can be shared",
    module: "ResourceManager.tla",
    find: "holders[r] # {} /\\ Meta[r].shareable /\\ d \\notin holders[r]",
    replace: "holders[r] # {} /\\ d \\notin holders[r]",
    cfg: "MCBudget.cfg",
    expectExit: TlcExit.liveness,
    expectOutput: "Action property ShareableOnly is violated"
  },
  {
    name: "share-released",
    bug: "a resource released by every holder but kept alive by a dependent can be shared (resurrected)",
    module: "ResourceManager.tla",
    find: '/\\ st[r] = "Alive" /\\ holders[r] # {} /\\ Meta[r].shareable',
    replace: '/\\ st[r] = "Alive" /\\ Meta[r].shareable',
    cfg: "MCDeps.cfg",
    expectExit: TlcExit.liveness,
    expectOutput: "Action property ShareableOnly is violated"
  },
  {
    name: "depend-on-released",
    bug: "a new request may name a released (deferred) resource as a dependency, extending its life",
    module: "ResourceManager.tla",
    find: 'DepsLiveIn(S, r) == \\A y \\in S.dep[r] : S.st[y] = "Alive" /\\ S.holders[y] # {}',
    replace: 'DepsLiveIn(S, r) == \\A y \\in S.dep[r] : S.st[y] = "Alive"',
    cfg: "MCDeps.cfg",
    expectExit: TlcExit.liveness,
    expectOutput: "Action property NoResurrection is violated"
  },
  {
    name: "add-dependency-on-released",
    bug: "addDependency accepts a released (deferred) resource as the dependency",
    module: "ResourceManager.tla",
    find: '  /\\ st[b] = "Alive" /\\ holders[b] # {} /\\ b \\notin dep[a]',
    replace: '  /\\ st[b] = "Alive" /\\ b \\notin dep[a]',
    cfg: "MCDeps.cfg",
    expectExit: TlcExit.liveness,
    expectOutput: "Action property NoResurrection is violated"
  },
  {
    name: "impossible-request-refused-as-deadlock",
    bug: "an impossible Blocking request (size > limit(p)) is queued for the deadlock check instead of failing with BudgetExceeded",
    module: "ResourceManager.tla",
    find: '  IF m \\notin {"Blocking", "Timeout"} \\/ ~Possible(r) THEN "none"',
    replace: '  IF m \\notin {"Blocking", "Timeout"} THEN "none"',
    cfg: "MCRefusals.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant ImpossibleFailsAtOnce is violated"
  },
  {
    name: "impossible-named-request-busy",
    bug: "an impossible request whose name is taken fails with ResourceBusy instead of BudgetExceeded",
    module: "ResourceManager.tla",
    find: '  IF m # "Emergency" /\\ ~Possible(r) THEN "BudgetExceeded"            \\* never fits\n  ELSE IF NameBusy(r)',
    replace:
      '  IF NameBusy(r) /\\ m \\in {"NonBlocking", "Emergency"} THEN "ResourceBusy"\n  ELSE IF m # "Emergency" /\\ ~Possible(r) THEN "BudgetExceeded"\n  ELSE IF NameBusy(r)',
    cfg: "MCRefusals.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant ImpossibleFailsAtOnce is violated"
  },
  {
    name: "blocking-rejected-when-busy",
    bug: "a Blocking request for a taken name is rejected with ResourceBusy instead of waiting for the name",
    module: "ResourceManager.tla",
    find: '(IF m \\in {"NonBlocking", "Emergency"} THEN "ResourceBusy" ELSE "none")',
    replace: '"ResourceBusy"',
    cfg: "MCRefusals.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant FailuresJustified is violated"
  },
  {
    name: "nonblocking-rejected-behind-lower",
    bug: "a NonBlocking request that fits is rejected because a lower-priority waiter is queued",
    module: "ResourceManager.tla",
    find: '  ELSE IF m = "NonBlocking" /\\ ~(Fits(r) /\\ NoneAhead(r)) THEN "BudgetExceeded"',
    replace: '  ELSE IF m = "NonBlocking" /\\ ~(Fits(r) /\\ queue[TypeOf(r)] = <<>>) THEN "BudgetExceeded"',
    cfg: "MCPools.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant FailuresJustified is violated"
  },
  {
    name: "name-free-while-deferred",
    bug: "a name is free again once its resource is released, though a dependent keeps the resource alive",
    module: "ResourceManager.tla",
    find: 'NameHeldIn(S, n) == \\E x \\in Res : NameOf(x) = n /\\ (S.st[x] = "Alive" \\/',
    replace: 'NameHeldIn(S, n) == \\E x \\in Res : NameOf(x) = n /\\ ((S.st[x] = "Alive" /\\ S.holders[x] # {}) \\/',
    cfg: "MCDeps.cfg",
    expectExit: TlcExit.safety,
    // NamesExclusiveLive is broken at the same depth (state 6): which one TLC's two workers report is a race
    expectOutput: ["Invariant NameExclusive is violated", "Invariant NamesExclusiveLive is violated"]
  },
  {
    name: "add-dependency-without-cycle-check",
    bug: "addDependency accepts an edge that closes a cycle",
    module: "ResourceManager.tla",
    find: "  /\\ ~Cycle(a, b)\n",
    replace: "  /\\ TRUE\n",
    cfg: "MCDeps.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant DependencyAcyclic is violated"
  },
  {
    name: "cycle-check-both-ways",
    bug: "addDependency also refuses an edge a -> b when a already depends on b (no cycle)",
    module: "ResourceManager.tla",
    find: "Cycle(a, b) == a \\in DepClosureIn(Cur, {b})",
    replace: "Cycle(a, b) == a \\in DepClosureIn(Cur, {b}) \\/ b \\in DepClosureIn(Cur, {a})",
    cfg: "MCDeps.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant FailuresJustified is violated"
  },
  {
    name: "close-skips-deferred",
    bug: "close releases and reports only resources that still have a holder; released resources kept alive by dependents are left out of the leak report",
    module: "ResourceManager.tla",
    find: "  /\\ SeqSet(o) = AliveIn(S)\n",
    replace: "  /\\ SeqSet(o) = {x \\in AliveIn(S) : S.holders[x] # {}}\n",
    cfg: "MCDeps.cfg",
    expectExit: TlcExit.liveness,
    expectOutput: "Action property CloseReleasesAll is violated"
  },
  {
    name: "close-dependencies-first",
    bug: "close may release a dependency before its dependents",
    module: "ResourceManager.tla",
    find: "  /\\ {j \\in 1..Len(o) : S.dep[o[j]] \\cap SeqSet(SubSeq(o, 1, j - 1)) # {}} = {}\n",
    replace: "  /\\ TRUE\n",
    cfg: "MCDeps.cfg",
    expectExit: TlcExit.liveness,
    expectOutput: "Action property CloseReleasesAll is violated"
  },
  {
    name: "rebudget-fails-fitting",
    bug: "rebudget fails a waiter whose size is exactly its new limit (it fits)",
    module: "ResourceManager.tla",
    find: "TypeOf(w) = t /\\ Size(w) > NewLimit(nb, Prio(w))}",
    replace: "TypeOf(w) = t /\\ Size(w) >= NewLimit(nb, Prio(w))}",
    cfg: "MCRebudget.cfg",
    expectExit: TlcExit.liveness,
    expectOutput: "Action property RebudgetFailuresJustified is violated"
  },
  {
    name: "overage-whole-size",
    bug: "an Emergency admission over budget records its whole size as overage, not min(s, usage + s - limit)",
    module: "ResourceManager.tla",
    find: "Overage(r) == Min(Size(r), usage[TypeOf(r)] + Size(r) - TypeLimit(TypeOf(r), Prio(r)))",
    replace: "Overage(r) == Size(r)",
    cfg: "MCUsageBound.cfg",
    expectExit: TlcExit.liveness,
    expectOutput: "Action property EmergencyOverageExact is violated"
  },
  {
    name: "name-queue-barging",
    bug: "a request for a free name is admitted past the waiters queued for that name",
    module: "ResourceManager.tla",
    find: 'NameBusyIn(S, r) == NameOf(r) # "" /\\ (NameHeldIn(S, NameOf(r)) \\/ S.nameq[NameOf(r)] # <<>>)',
    replace: 'NameBusyIn(S, r) == NameOf(r) # "" /\\ NameHeldIn(S, NameOf(r))',
    cfg: "MCNames.cfg",
    expectExit: TlcExit.liveness,
    expectOutput: "Action property NoNameBarging is violated"
  },
  {
    name: "rebudget-type-queue-only",
    bug: "rebudget fails only the type queue's waiters that can never fit; a name waiter that can never fit keeps waiting",
    module: "ResourceManager.tla",
    find: "RebudgetFailing(t, nb) == {w \\in WaitIn(Cur) : TypeOf(w) = t /\\",
    replace: "RebudgetFailing(t, nb) == {w \\in WaitIn(Cur) : TypeOf(w) = t /\\ InTypeQ(Cur, w) /\\",
    cfg: "MCRebudget.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant ImpossibleFailsAtOnce is violated"
  },
  {
    name: "rebudget-keeps-pins",
    bug: "a waiter failed by rebudget leaves its dependencies pinned (a released dependency is never freed)",
    module: "ResourceManager.tla",
    find: "         S1 == [Settle(Unqueue(Cur, W)) EXCEPT !.budget[t] = nb]",
    replace: "         S1 == [Unqueue(Cur, W) EXCEPT !.budget[t] = nb]",
    cfg: "MCRebudget.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant NoOrphanDeferred is violated"
  },
  {
    name: "unbudget-keeps-reserve",
    bug: "removeBudget keeps the reserve: a type without a budget has limit(p) = the usage bound minus the old reservedBytes for p below Critical (the code's limit is the bound for every p)",
    module: "ResourceManager.tla",
    find: 'Unbudget(t) == "Unbudget" \\in Ops /\\ ChangeBudget(t, NoBudget)',
    replace:
      'Unbudget(t) == "Unbudget" \\in Ops /\\ ChangeBudget(t, [NoBudget EXCEPT !.reserved = budget[t].reserved])',
    cfg: "MCRebudget.cfg",
    expectExit: TlcExit.liveness,
    expectOutput: "Action property BudgetChanges is violated"
  },
  {
    name: "unbudget-as-zero-budget",
    bug: "a removed budget is read as a budget of 0 (a trace's max: null read as 0): the type's waiters fail with BudgetExceeded and nothing fits any more",
    module: "ResourceManager.tla",
    find: 'Unbudget(t) == "Unbudget" \\in Ops /\\ ChangeBudget(t, NoBudget)',
    replace: 'Unbudget(t) == "Unbudget" \\in Ops /\\ ChangeBudget(t, [max |-> 0, reserved |-> 0])',
    cfg: "MCRebudget.cfg",
    expectExit: TlcExit.liveness,
    expectOutput: "Action property BudgetChanges is violated"
  },
  {
    name: "pool-grow-past-waiters",
    bug: "pool growth ignores the waiters of Normal priority or higher",
    module: "ResourceManager.tla",
    find: '  /\\ \\A x \\in SeqSet(queue[t]) : Rank(x) < PriorityRank["Normal"]\n',
    replace: "  /\\ TRUE\n",
    cfg: "MCPools.cfg",
    expectExit: TlcExit.liveness,
    expectOutput: "Action property PoolGrowWithinLimit is violated"
  },
  {
    name: "pool-grow-into-reserve",
    bug: "pool growth may use the reserve (admitted like a Critical request)",
    module: "ResourceManager.tla",
    find: '  /\\ usage[t] + n <= Limit(t, "Normal")',
    replace: '  /\\ usage[t] + n <= Limit(t, "Critical")',
    cfg: "MCPools.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant ReserveOnlyForCritical is violated"
  },
  {
    name: "pool-trim-keeps-charge",
    bug: "trimming a pool does not give its capacity back to the budget",
    module: "ResourceManager.tla",
    find: "  /\\ Step([Cur EXCEPT !.pool[t] = @ - n, !.usage[t] = @ - n])",
    replace: "  /\\ Step([Cur EXCEPT !.pool[t] = @ - n])",
    cfg: "MCPools.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant SharingSafe is violated"
  },
  {
    name: "over-eager-refusal",
    bug: "the reduction's byte test is off by one (usage + size < limit): waits that could complete are refused",
    module: "ResourceManager.tla",
    find: "S.usage[t] - SumOver(Size, returned) + Size(w) <= TypeLimit(t, Prio(w))",
    replace: "S.usage[t] - SumOver(Size, returned) + Size(w) < TypeLimit(t, Prio(w))",
    cfg: "MCDeadlock.cfg",
    expectExit: TlcExit.liveness,
    expectOutput: "Action property DeadlockRefusalNecessary is violated"
  },
  {
    name: "reduction-ignores-name-holders",
    bug: "the reduction lets a name waiter finish although its name is held by a driver that cannot finish (NoDeadlock, using the same reduction, cannot see it)",
    module: "ResourceManager.tla",
    find: "           /\\ \\A x \\in A : NameOf(x) = n => RW[x] \\subseteq F\n",
    replace: "           /\\ TRUE\n",
    cfg: "MCDeadlock.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant OracleNoDeadlock is violated"
  },
  {
    name: "acquire-name-of-released",
    bug: "a new request takes a name whose resource was released by every holder but is kept alive by a dependent",
    module: "ResourceManager.tla",
    find: "  /\\ ~NameBusy(r)\n  /\\ Fits(r)\n",
    replace: '  /\\ ~(NameOf(r) # "" /\\ \\E x \\in Res : NameOf(x) = NameOf(r) /\\ holders[x] # {})\n  /\\ Fits(r)\n',
    cfg: "MCDeps.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant NamesExclusiveLive is violated"
  },
  {
    name: "empty-type-admits-anything",
    bug: "a request is taken to fit whenever nothing of its type is charged, whatever its size",
    module: "ResourceManager.tla",
    find: "FitsIn(S, r)  == S.usage[TypeOf(r)] + Size(r) <= TypeLimit(TypeOf(r), Prio(r))",
    replace:
      "FitsIn(S, r)  == S.usage[TypeOf(r)] = 0 \\/ S.usage[TypeOf(r)] + Size(r) <= TypeLimit(TypeOf(r), Prio(r))",
    cfg: "MCRefusals.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant ImpossibleFailsAtOnce is violated"
  },
  {
    name: "concurrent-owner-as-sequential",
    bug: "the reduction treats a concurrent owner like a sequential driver: its holdings stay pinned while one of its requests waits, so its wait for bytes its own tasks hold is refused",
    module: "ResourceManager.tla",
    find: "      B  == {S.owner[w] : w \\in W} \\cap Sequential\n",
    replace: "      B  == {S.owner[w] : w \\in W}\n",
    cfg: "MCConcurrent.cfg",
    expectExit: TlcExit.liveness,
    expectOutput: "Action property DeadlockRefusalNecessary is violated"
  },
  {
    name: "sequential-driver-as-concurrent",
    bug: "the reduction treats a waiting sequential driver like a concurrent owner: its holdings count as released, so it may wait for bytes only it holds",
    module: "ResourceManager.tla",
    find: "      B  == {S.owner[w] : w \\in W} \\cap Sequential\n",
    replace: "      B  == {}\n",
    cfg: "MCConcurrent.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant OracleNoDeadlock is violated"
  },
  {
    name: "concurrent-waiter-pins-nothing",
    bug: "a concurrent owner's waiting request does not pin its dependsOn in the reduction (it holds nothing, but its dependencies cannot be freed before it is admitted)",
    module: "ResourceManager.tla",
    find: "  IN  {w \\in W : S.owner[w] \\in H} \\cup (U \\cap W)",
    replace: "  IN  {w \\in W : S.owner[w] \\in H} \\cup {w \\in U \\cap W : S.owner[w] \\in Sequential}",
    cfg: "MCShareCheck.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant OracleNoDeadlock is violated"
  },
  {
    name: "share-without-check",
    bug: "a share to a sequential driver that has a request waiting is not checked (owner o holds R, 9 of 10 units; d waits for 5; share(R, d); o releases R: d waits forever)",
    module: "ResourceManager.tla",
    find: "ShareCheck(d, r) == Blocked(d) => DeadlockFreeIn(SharedIn(Cur, d, r))",
    replace: "ShareCheck(d, r) == TRUE",
    cfg: "MCShareCheck.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant OracleNoDeadlock is violated"
  },
  {
    name: "refused-share-keeps-holder",
    bug: "a share refused with DeadlockDetected still adds the holder (the state is not left unchanged)",
    module: "ResourceManager.tla",
    find: '  /\\ FailWith(Failed("RefuseShare", d, r, "None", "DeadlockDetected"))',
    replace:
      '  /\\ Goto([SharedIn(Cur, d, r) EXCEPT !.fail = Failed("RefuseShare", d, r, "None", "DeadlockDetected")])',
    cfg: "MCShareCheck.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant OracleNoDeadlock is violated"
  },
  {
    name: "emergency-past-usage-bound",
    bug: "an Emergency request is admitted over budget whatever the usage it leaves (past the usage bound, where the code's doubles round)",
    module: "ResourceManager.tla",
    find: "  /\\ ~Fits(r)\n  /\\ Bounded(r)\n",
    replace: "  /\\ ~Fits(r)\n",
    cfg: "MCUsageBound.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant UsageBounded is violated"
  },
  {
    name: "unbudgeted-type-unlimited-in-reduction",
    bug: "the deadlock reduction takes a type without a budget as unlimited, though its admissions stop at the usage bound",
    module: "ResourceManager.tla",
    find: "      bytesOK  == S.usage[t] - SumOver(Size, returned) + Size(w) <= TypeLimit(t, Prio(w))",
    replace:
      "      bytesOK  == ~Budgeted(t) \\/ S.usage[t] - SumOver(Size, returned) + Size(w) <= TypeLimit(t, Prio(w))",
    cfg: "MCUsageBound.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant OracleNoDeadlock is violated"
  },
  {
    name: "ledger-plain-store",
    bug: "the fast path writes U with a plain store of the value it loaded plus s (u = load(U); U = u + s) instead of a CAS: a concurrent admission's bytes are lost",
    module: "SharedLedger.tla",
    root: "MCSharedLedger.tla",
    find: "  /\\ IF usage = u[t]\n       THEN /\\ usage' = u[t] + SizeOf(t)",
    replace: "  /\\ IF TRUE\n       THEN /\\ usage' = u[t] + SizeOf(t)",
    cfg: "MCSharedLedger.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant Conservation is violated"
  },
  {
    name: "ledger-reserve-for-all",
    bug: "the fast path checks every priority against maxBytes (limit(p) = L): a Normal request takes the reserve",
    module: "SharedLedger.tla",
    root: "MCSharedLedger.tla",
    find: 'Limit(p) == IF p = "Critical" THEN Max ELSE Max - Reserved',
    replace: "Limit(p) == Max",
    cfg: "MCSharedLedger.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant ReserveOnlyForCritical is violated"
  },
  {
    name: "ledger-peak-plain-store",
    bug: "peak is written with a plain store after the load (no CAS): a smaller usage overwrites a larger one",
    module: "SharedLedger.tla",
    root: "MCSharedLedger.tla",
    find: "  /\\ IF peak = pk[t]\n       THEN peak' = nu[t]",
    replace: "  /\\ IF TRUE\n       THEN peak' = nu[t]",
    cfg: "MCSharedLedger.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant PeakIsMax is violated"
  },
  {
    name: "ledger-emergency-add-not-cas",
    bug: "an Emergency admission computes its overage from the usage it loaded but charges U with Atomics.add (no CAS): bytes admitted after its load make U - emergencyBytes exceed maxBytes",
    module: "SharedLedger.tla",
    root: "MCSharedLedger.tla",
    find: "      /\\ IF usage = u[t]\n           THEN /\\ usage' = u[t] + s\n                /\\ Admit(t, u[t], TRUE, t)",
    replace: "      /\\ IF TRUE\n           THEN /\\ usage' = usage + s\n                /\\ Admit(t, usage, TRUE, t)",
    cfg: "MCSharedLedger.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant BudgetSafe is violated"
  },
  {
    name: "ledger-emergency-no-undo",
    bug: "an Emergency admission whose CAS on U fails keeps its emergencyBytes add: the retry adds its overage again, emergencyBytes stays above the overages held",
    module: "SharedLedger.tla",
    root: "MCSharedLedger.tla",
    find: '  /\\ ebytes\' = ebytes - ov[t]\n  /\\ Set(ov, t, 0)\n  /\\ Set(pc, t, "fLoad")',
    replace: '  /\\ ebytes\' = ebytes\n  /\\ Set(ov, t, 0)\n  /\\ Set(pc, t, "fLoad")',
    cfg: "MCSharedLedger.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant EmergencyAccounted is violated"
  },
  {
    name: "ledger-grant-plain-store",
    bug: "the grant under the lock writes U with a plain store (the lock does not stop the fast path, which changes U without it)",
    module: "SharedLedger.tla",
    root: "MCSharedLedger.tla",
    find: "      /\\ IF usage = u[t]\n           THEN /\\ usage' = u[t] + SizeOf(w)",
    replace: "      /\\ IF TRUE\n           THEN /\\ usage' = u[t] + SizeOf(w)",
    cfg: "MCSharedLedgerQueue.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant Conservation is violated"
  },
  {
    name: "ledger-release-without-wake",
    bug: "a release does not look at its row's count of waiting entries (no grant after Atomics.sub): a waiter that enqueued before the release sleeps forever",
    module: "SharedLedger.tla",
    root: "MCSharedLedger.tla",
    find: RELEASE_CHECKS,
    replace: RELEASE_CHECKS.replace("IF mirror[t] > 0", "IF FALSE"),
    cfg: "MCSharedLedgerQueue.cfg",
    expectExit: TlcExit.deadlock,
    expectOutput: "Deadlock reached"
  },
  {
    name: "ledger-fast-path-ignores-waiters",
    bug: "an admission ignores the waiting words it reads (here Blocking's, under the lock): a request that fits is admitted past a queued waiter of its rank or higher",
    module: "SharedLedger.tla",
    root: "MCSharedLedger.tla",
    find: '      /\\ IF waiting[q[t]] > 0\n           THEN IF ModeOf(t) = "Blocking"',
    replace: '      /\\ IF FALSE\n           THEN IF ModeOf(t) = "Blocking"',
    cfg: "MCSharedLedgerQueue.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant NoBarging is violated"
  },
  {
    name: "ledger-fast-path-ignores-row-count",
    bug: "the fast path takes its row's count of waiting entries for 0 (it never reads the waiting words): a NonBlocking request overtakes a queued waiter",
    module: "SharedLedger.tla",
    root: "MCSharedLedger.tla",
    find: '  /\\ Set(pc, t, IF mirror[t] = 0 THEN "fLoad" ELSE "fCheck")',
    replace: '  /\\ Set(pc, t, "fLoad")',
    cfg: "MCSharedLedgerQueue.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant NoBarging is violated"
  },
  {
    name: "ledger-enqueue-by-arrival",
    bug: "the slow path appends a waiter at the back of the queue (FIFO regardless of priority): a grant goes to a Low waiter while a High one waits",
    module: "SharedLedger.tla",
    root: "MCSharedLedger.tla",
    find: "  /\\ queue' = InsertByPrio(queue, t)",
    replace: "  /\\ queue' = Append(queue, t)",
    cfg: "MCSharedLedgerQueue.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant NoBarging is violated"
  },
  {
    name: "untagged-head",
    bug: "the free list's head holds only index + 1, no version: T1 reads head A and next B, T2 pops A and B and pushes A back, T1's CAS succeeds and takes B, which is held",
    module: "SharedFreeList.tla",
    root: "MCSharedFreeList.tla",
    find: "NextVersion(v) == IF Versions = 0 THEN v + 1 ELSE (v + 1) % Versions",
    replace: "NextVersion(v) == v",
    cfg: "MCSharedFreeList.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant NoBlockTwice is violated"
  },
  {
    name: "untagged-head-stale-next",
    bug: "the same untagged head with three blocks: T1 reads head A and A's link while A sits in T2's cache (END), T2 pushes A back above B, T1's CAS installs END and B and C are lost",
    module: "SharedFreeList.tla",
    root: "MCSharedFreeList.tla",
    find: "NextVersion(v) == IF Versions = 0 THEN v + 1 ELSE (v + 1) % Versions",
    replace: "NextVersion(v) == v",
    cfg: "MCSharedFreeListDrain.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant NoBlockLost is violated"
  },
  {
    name: "free-without-cas",
    bug: "free links the block into the cache with a plain store (no CAS from ALLOCATED): a double free puts a block in two places",
    module: "SharedFreeList.tla",
    root: "MCSharedFreeList.tla",
    find: "  /\\ IF words[b] = ALLOCATED\n",
    replace: "  /\\ IF TRUE\n",
    cfg: "MCSharedFreeList.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant NoBlockTwice is violated"
  },
  {
    name: "share-without-generation-recheck",
    bug: "addHold keeps the hold its CAS set without reading the generation again: T2 reads generation 1 and mask {T1}, T1 releases and acquires the slot again (generation 2, mask {T1}), T2's CAS succeeds and T2 is told it holds generation 1, which is gone",
    module: "SharedHolders.tla",
    root: "MCSharedHolders.tla",
    find: '  /\\ pc[t] = "sCheck"\n  /\\ IF gen = h[t]\n',
    replace: '  /\\ pc[t] = "sCheck"\n  /\\ IF TRUE\n',
    cfg: "MCSharedHolders.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant HoldsAsTold is violated"
  },
  {
    name: "lease-level-without-epoch",
    bug: "a step that left usage above the lease ceiling settles the pressure level lock-free whenever leasing is off after its CAS (no epoch read before it): its CAS may have counted leases taken, or bytes a sweep had in flight, before leasing went off",
    module: "SharedLease.tla",
    root: "MCSharedLease.tla",
    find: '  /\\ pc[t] = "readOn"\n  /\\ IF ~wasOn[t] /\\ e1[t] % 2 = 0 /\\ epoch = e1[t]\n',
    replace: '  /\\ pc[t] = "readOn"\n  /\\ IF ~on\n',
    cfg: "MCSharedLease.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant NotBad is violated"
  },
  {
    name: "lease-refuse-without-epoch",
    bug: "a request that does not fit is refused lock-free whenever leasing is off after its read of usage (no epoch read before it): that read may have counted leases, or bytes a sweep had in flight",
    module: "SharedLease.tla",
    root: "MCSharedLease.tla",
    find: '  /\\ IF ~wasOn[t] /\\ e1[t] % 2 = 0 /\\ epoch = e1[t]\n       THEN /\\ pc\' = Set(pc, t, "req")',
    replace: '  /\\ IF ~on\n       THEN /\\ pc\' = Set(pc, t, "req")',
    cfg: "MCSharedLease.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant NotBad is violated"
  },
  {
    name: "lease-sweep-leaves-row-on",
    bug: "turning leasing off empties each lease word to 0 instead of marking it off: a release puts bytes back into a swept lease, and the refusal that swept decides on a usage that counts them",
    module: "SharedLease.tla",
    root: "MCSharedLease.tla",
    find: "  /\\ lease' = Set(lease, row[t], Off)\n",
    replace: "  /\\ lease' = Set(lease, row[t], IF lease[row[t]] = Off THEN Off ELSE 0)\n",
    cfg: "MCSharedLease.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant NotBad is violated"
  },
  {
    name: "lease-while-off",
    bug: "a lease is taken while leasing is off (the lock holder does not look at the flag): the chunk lands on a word marked off",
    module: "SharedLease.tla",
    root: "MCSharedLease.tla",
    find: "  /\\ IF on /\\ U + Chunk <= Ceil\n",
    replace: "  /\\ IF U + Chunk <= Ceil\n",
    cfg: "MCSharedLease.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant Account is violated"
  },
  {
    name: "close-loop-skips-detached",
    bug: "the creator's close releases only the threads still attached (claim 1), as before 74a5c59: a thread that saw the closed mark and gave up its index before the loop reached it keeps its holds, live and charged for good",
    module: "SharedClose.tla",
    root: "MCSharedClose.tla",
    find: "       THEN IF claim[Cur] = 1 \\/ Cur \\in holders\n",
    replace: "       THEN IF claim[Cur] = 1\n",
    cfg: "MCSharedClose.cfg",
    expectExit: TlcExit.safety,
    expectOutput: "Invariant CloseReleasesAll is violated"
  },
  {
    name: "take-grant-unchecked",
    bug: "a thread takes its grant without checking that the manager is open, as before 74a5c59: the close, having found the grant not taken (not reported), releases its hold, and the wait then succeeds with that released hold",
    module: "SharedClose.tla",
    root: "MCSharedClose.tla",
    find: "TakeOpen(t) == ~closed[t]\n",
    replace: "TakeOpen(t) == TRUE\n",
    cfg: "MCSharedClose.cfg",
    expectExit: TlcExit.safety,
    expectOutput: ["Invariant GrantTakenLive is violated", "Invariant KnownHolds is violated"]
  }
]

/** Applies one mutation to a staged copy of spec/ and runs TLC; true when TLC rejects it as expected. */
const runMutation = async (jar: string, mutation: Mutation): Promise<boolean> => {
  const dir = stageSpec()
  try {
    const path = join(dir, mutation.module)
    const text = readFileSync(path, "utf8")
    const occurrences = text.split(mutation.find).length - 1
    if (occurrences !== 1) {
      console.error(`FAIL mutation ${mutation.name}: its text occurs ${occurrences} times in ${mutation.module}`)
      return false
    }
    writeFileSync(path, text.replace(mutation.find, mutation.replace))
    const run = await runTlc({
      jar,
      dir,
      module: mutation.root ?? "MC.tla",
      cfg: mutation.cfg,
      timeoutSeconds: 170,
      extraJvmArgs: shortRunJvmArgs
    })
    const expected = typeof mutation.expectOutput === "string" ? [mutation.expectOutput] : mutation.expectOutput
    const ok =
      !run.timedOut && run.exitCode === mutation.expectExit && expected.some((text) => run.output.includes(text))
    const what = `mutation ${mutation.name} (${mutation.bug}) on ${mutation.cfg}: TLC exit ${
      run.exitCode ?? "none"
    }${run.timedOut ? " (TIMED OUT)" : ""} in ${run.seconds.toFixed(1)}s`
    if (ok) {
      console.log(`ok   ${what}: ${expected.find((text) => run.output.includes(text))}`)
    } else {
      console.error(
        `FAIL ${what}; expected exit ${mutation.expectExit} and "${expected.join('" or "')}"\n${errorSummary(run)}`
      )
    }
    return ok
  } finally {
    unstage(dir)
  }
}

/**
 * Runs every mutation (or those named), two TLC runs at a time (most of a mutation run is the JVM's
 * start and TLC's parse, which use one core); returns the number that TLC did not reject as expected.
 */
export const runMutations = async (jar: string, only: ReadonlyArray<string> = []): Promise<number> => {
  const pending = mutations.filter(({ name }) => only.length === 0 || only.includes(name))
  let failures = 0
  const worker = async (): Promise<void> => {
    for (let mutation = pending.shift(); mutation !== undefined; mutation = pending.shift()) {
      if (!(await runMutation(jar, mutation))) failures++
    }
  }
  await Promise.all([worker(), worker()])
  return failures
}

if (import.meta.main) {
  const jar = findJar()
  if (jar === undefined) {
    console.log(skipLine("the spec mutation check"))
    process.exit(0)
  }
  const failures = await runMutations(jar, process.argv.slice(2))
  console.log(failures === 0 ? "spec mutations: every bug was caught" : `spec mutations: ${failures} NOT caught`)
  process.exit(failures === 0 ? 0 : 1)
}
