------------------------------- MODULE Trace -------------------------------
(***************************************************************************)
(* Trace validation: checks that NDJSON traces recorded by the TypeScript  *)
(* manager (format: spec/README.md, "Trace format") are behaviours of      *)
(* ResourceManager.  The trace files are passed as the constant TraceFiles *)
(* (a set of absolute paths) by a cfg that scripts/spec-trace.ts           *)
(* generates, so one TLC run checks a batch of traces (one JVM, one parse  *)
(* of the spec, and TLC's workers share the traces).                       *)
(*                                                                         *)
(* The initial states choose a trace k, a path (variable tr); the behaviour *)
(* from each is a single path: line i of trace k (i >= 1 after the header) *)
(* be the step of the model action it names, with its arguments, and the   *)
(* post-state fields it carries must equal the model's.  Each trace has    *)
(* its own model constants (drivers, requests, budgets), so ResourceManager *)
(* is instantiated per trace: RM(k).  On a mismatch the state "tr = k,     *)
(* l = i" has no successor, so TLC reports a deadlock (exit 11) whose last *)
(* state names the offending trace and line: file line i + 1 of trace k.  *)
(* An invariant violation (exit 12) in the state "tr = k, l = i" means the *)
(* state after file line i of trace k is wrong (e.g. a grant left pending). *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets, Json, TLC, FlightHalTables

CONSTANTS
  TraceFiles, \* {path_1, ..., path_N}: absolute paths of the NDJSON traces (a trace is named by its path)
  DiagnoseAt  \* 0; or a transition line index i whose post-state fields are NOT compared (the
              \* diagnosis run of scripts/spec-trace.ts, on one trace: does the model take the
              \* step at all, and what is its post-state?)

Idx      == TraceFiles
Logs     == [k \in Idx |-> ndJsonDeserialize(k)]
Header(k) == Logs[k][1]
L        == [k \in Idx |-> Len(Logs[k]) - 1]   \* the number of transition lines of trace k
Line(k, i) == Logs[k][i + 1]
Has(e, f) == f \in DOMAIN e
SetOf(s)  == {s[i] : i \in DOMAIN s}

\* The requests of trace k: every req that has a request line (one carrying "type").
RequestActions == {"Acquire", "AcquireEmergency", "AcquirePooled", "Reject", "RefuseDeadlock", "Enqueue"}
IsDef(k, i) == Has(Line(k, i), "type") /\ Line(k, i).action \in RequestActions
TRes        == [k \in Idx |-> {Line(k, i).req : i \in {j \in 1..L[k] : IsDef(k, j)}}]
DefLine(k, r) == Line(k, CHOOSE i \in 1..L[k] : IsDef(k, i) /\ Line(k, i).req = r)
\* A request a pool block served (an AcquirePooled line) charges nothing: its size in the model is 0 (the
\* line's size is the block's request size, checked against limit(p) by Step).
TMeta == [k \in Idx |-> [r \in TRes[k] |-> LET e == DefLine(k, r) IN
            [type |-> e.type, size |-> IF e.action = "AcquirePooled" THEN 0 ELSE e.size,
             prio |-> e.priority, name |-> e.name,
             shareable |-> e.shareable, reclaimable |-> e.reclaimable, deps |-> SetOf(e.deps)]]]
\* The usage bound in units (header field "maxUsage", written when it has at most nine digits); left out,
\* it lies beyond every number a trace holds, and TLC's largest integer stands for it.
TMaxUsage == [k \in Idx |-> IF Has(Header(k), "maxUsage") THEN Header(k).maxUsage ELSE 2147483647]
\* The budgets: the header's, and for every other type of the header (or of a request) the record of
\* a type without a budget, ResourceManager's NoBudget (limit(p) = the usage bound for every p, as a
\* type outside DOMAIN Budget has), so that a budget can be set on it (Rebudget) or removed (Unbudget).
TTypes(k) == DOMAIN Header(k).budgets \cup (IF Has(Header(k), "types") THEN SetOf(Header(k).types) ELSE {})
                                      \cup {Line(k, i).type : i \in {j \in 1..L[k] : Has(Line(k, j), "type")}}
TBudget  == [k \in Idx |-> [t \in TTypes(k) |->
               IF t \in DOMAIN Header(k).budgets
               THEN [max |-> Header(k).budgets[t].max, reserved |-> Header(k).budgets[t].reserved]
               ELSE [max |-> TMaxUsage[k], reserved |-> 0]]]
TDrivers == [k \in Idx |-> SetOf(Header(k).drivers)]
\* The sequential drivers (header field "sequential"); every other driver is a concurrent owner.
TSequential == [k \in Idx |-> SetOf(Header(k).sequential)]
TNames   == [k \in Idx |-> {TMeta[k][r].name : r \in TRes[k]} \ {""}]
TNoDriver == "(no driver)"

VARIABLES st, holders, owner, wmode, emerg, queue, nameq, usage, ebytes, dep, budget, pool, closed,
          arr, fail, leaks,
          tr, \* the trace this behaviour follows (its path, in TraceFiles)
          l   \* the index of the next line of trace tr to check (transition lines are 1..L[tr])

\* The model with trace k's constants.  (A parametrised instance: k must be a constant, so the
\* operators below take k from "\E k \in Idx : tr = k" / "\A k \in Idx : tr = k => ...".)
RM(k) == INSTANCE ResourceManager WITH Drivers <- TDrivers[k], Sequential <- TSequential[k],
                                       Res <- TRes[k], Meta <- TMeta[k],
                                       Budget <- TBudget[k], ReqModes <- Modes, NoDriver <- TNoDriver,
                                       Ops <- {"AddDependency", "Rebudget", "Unbudget", "Pool", "Close"},
                                       Rebudgets <- [t \in DOMAIN TBudget[k] |-> {}],
                                       PoolChunk <- [t \in DOMAIN TBudget[k] |-> {}],
                                       MaxUsage <- TMaxUsage[k]

ASSUME \A k \in Idx :
  /\ Header(k).action = "Init"
  /\ TNoDriver \notin TDrivers[k]
  /\ Has(Header(k), "sequential") /\ TSequential[k] \subseteq TDrivers[k]
  \* ResourceManager's own assumptions (TLC does not check them in a parametrised instance).
  /\ TMeta[k] \in [TRes[k] -> [type : ResourceTypes, size : Nat, prio : Priorities, name : STRING,
                               shareable : BOOLEAN, reclaimable : BOOLEAN, deps : SUBSET TRes[k]]]
  /\ \A r \in TRes[k] : r \notin RM(k)!DepClosure(TMeta[k][r].deps)
  /\ \A t \in DOMAIN TBudget[k] : 0 <= TBudget[k][t].reserved /\ TBudget[k][t].reserved <= TBudget[k][t].max
  /\ TMaxUsage[k] \in Nat
  /\ \A r \in TRes[k] : TMeta[k][r].size <= TMaxUsage[k]
  /\ \A t \in DOMAIN TBudget[k] : TBudget[k][t].max <= TMaxUsage[k]

rmVars == <<st, holders, owner, wmode, emerg, queue, nameq, usage, ebytes, dep, budget, pool, closed,
            arr, fail, leaks>>

Init == \E k \in Idx : tr = k /\ l = 1 /\ RM(k)!Init

(* The post-state fields a line of trace k carries must match the model's post-state. *)
PerTypeOK(k, e, f, v) ==
  Has(e, f) =>
    /\ \A t \in DOMAIN e[f] : IF t \in RM(k)!Types THEN v'[t] = e[f][t] ELSE e[f][t] = 0
    /\ \A t \in RM(k)!Types : t \notin DOMAIN e[f] => v'[t] = 0
HoldersOK(e) == Has(e, "holders") => holders'[e.req] = SetOf(e.holders)
FreedOK(k, e) == Has(e, "freed") => {x \in TRes[k] : st[x] = "Alive" /\ st'[x] = "Idle"} = SetOf(e.freed)
\* The queue a waiting request is in (pre-state) or enters (Enqueue), after the step.
QueueAfter(k, e) ==
  LET r == e.req IN
  IF e.action = "Enqueue"
  THEN IF e.wait = "type" THEN queue'[RM(k)!TypeOf(r)] ELSE nameq'[RM(k)!NameOf(r)]
  ELSE IF RM(k)!InTypeQ(RM(k)!Cur, r) THEN queue'[RM(k)!TypeOf(r)] ELSE nameq'[RM(k)!NameOf(r)]
QueueOK(k, e) == Has(e, "queue") => QueueAfter(k, e) = e.queue
\* The waiters a step failed (Rebudget, Close), any order.
FailedOK(e) == Has(e, "failed") => {x \in DOMAIN st : st[x] = "Waiting" /\ st'[x] = "Idle"} = SetOf(e.failed)
PoolOK(k, e) == PerTypeOK(k, e, "pool", pool)
PostOK(k, e) ==
  /\ PerTypeOK(k, e, "usage", usage)
  /\ FailedOK(e)
  /\ PoolOK(k, e)
  /\ PerTypeOK(k, e, "emergency", ebytes)
  /\ HoldersOK(e)
  /\ FreedOK(k, e)
  /\ QueueOK(k, e)

\* A failure is justified only when no admitting action is enabled.
Justified(k, e) ==
  ~ENABLED \/ RM(k)!Acquire(e.driver, e.req, e.mode)
           \/ e.mode = "Emergency" /\ RM(k)!AcquireEmergency(e.driver, e.req)
           \/ RM(k)!Enqueue(e.driver, e.req, e.mode)

IsWaiter(e) == st[e.req] = "Waiting" /\ owner[e.req] = e.driver

\* Close: the line index at which trace k last admitted r before line i.
AdmittedAt(k, i, r) ==
  LET J == {j \in 1..(i - 1) : Has(Line(k, j), "req") /\ Line(k, j).req = r
                               /\ Line(k, j).action \in {"Acquire", "AcquireEmergency", "Grant"}}
  IN  IF J = {} THEN 0 ELSE CHOOSE j \in J : \A j2 \in J : j2 <= j
\* Trace k's Close line (its first; 0 when it has none) and, for each request of that line's leak report, the
\* line of its last admission before it: read from the trace once, when TLC starts (TLCEval), because NewestFirst
\* looks each one up once per position of the report, and TLC evaluates a function constructor (and a LET
\* inside an action) again at each use: the lookups made a Close of 200 leaks take about 100 s.
CloseAt == TLCEval([k \in Idx |-> LET c == {j \in 1..L[k] : Line(k, j).action = "Close"}
                                  IN  IF c = {} THEN 0 ELSE CHOOSE j \in c : \A j2 \in c : j <= j2])
LeakAdmitted == TLCEval([k \in Idx |->
                  LET report == IF CloseAt[k] # 0 /\ Has(Line(k, CloseAt[k]), "leaks")
                               THEN SetOf(Line(k, CloseAt[k]).leaks) \cap TRes[k] ELSE {}
                  IN  [r \in report |-> AdmittedAt(k, CloseAt[k], r)]])
\* The leak report s of trace k's Close line releases the resources still held newest first among the
\* held ones none of the remaining ones depends on (dependents before their dependencies). A
\* resource already released but kept alive by a dependent (no holder) is freed when its last
\* dependent is, wherever that falls: only the dependents-first rule (IsLeakOrder) orders it.
\* (The positions that break the rule form a set that must be empty: an equality TLC evaluates as one
\* expression, where a \A over the positions is unrolled into one recursive conjunct each, see
\* ResourceManager's IsLeakOrder; each admission line is looked up once, in LeakAdmitted. Step checks it
\* only after RM(k)!Close, which a trace takes once: at its first Close line, CloseAt[k].)
NewestFirst(k, s) ==
  LET held == {x \in SetOf(s) : holders[x] # {}}
      at   == LeakAdmitted[k]
      rest(p) == {s[q] : q \in p..Len(s)}
      cand(p) == {x \in rest(p) \cap held : \A y \in rest(p) : x \notin dep[y]}
  IN  {p \in 1..Len(s) : s[p] \in held /\ \E x \in cand(p) : at[x] > at[s[p]]} = {}
\* Close: `unpinned` = the resources freed when the waiters failed (not leaks).
UnpinnedOK(e) == {x \in DOMAIN st : st[x] = "Alive" /\ st'[x] = "Idle"} = SetOf(e.unpinned) \cup SetOf(e.leaks)
NewBudget(e) == [max |-> e.max, reserved |-> e.reserved]
\* The driver of an addDependency line: "" when the dependent is deferred (no holder makes the call).
Caller(e) == IF e.driver = "" THEN TNoDriver ELSE e.driver

Step(k, e) ==
  /\ Has(e, "req") => e.req \in TRes[k]
  /\ CASE e.action = "Acquire"          -> RM(k)!Acquire(e.driver, e.req, e.mode)
       [] e.action = "AcquirePooled"    -> /\ e.mode = "Emergency" \/ e.size <= RM(k)!TypeLimit(e.type, e.priority)
                                           /\ RM(k)!AcquirePooled(e.driver, e.req, e.mode)
       [] e.action = "AcquireEmergency" -> e.mode = "Emergency" /\ RM(k)!AcquireEmergency(e.driver, e.req)
       [] e.action = "Reject"           -> /\ RM(k)!Reject(e.driver, e.req, e.mode)
                                           /\ e.error = RM(k)!RejectReason(e.req, e.mode)
                                           /\ Justified(k, e)
       [] e.action = "RefuseDeadlock"   -> IF st[e.req] = "Waiting"
                                           THEN /\ IsWaiter(e) /\ e.error = "DeadlockDetected"
                                                /\ RM(k)!RefuseDeadlockFromName(e.req)
                                           ELSE /\ e.error = "DeadlockDetected"
                                                /\ RM(k)!RefuseDeadlock(e.driver, e.req, e.mode)
                                                /\ Justified(k, e)
       [] e.action = "Enqueue"          -> IF st[e.req] = "Waiting"
                                           THEN IsWaiter(e) /\ e.wait = "type" /\ RM(k)!EnqueueFromName(e.req)
                                           ELSE /\ e.wait = RM(k)!WaitKind(e.req, e.mode)
                                                /\ RM(k)!Enqueue(e.driver, e.req, e.mode)
       [] e.action = "Grant"            -> IsWaiter(e) /\ RM(k)!Grant(e.req)
       [] e.action = "Timeout"          -> IsWaiter(e) /\ RM(k)!Timeout(e.req)
       [] e.action = "Interrupt"        -> IsWaiter(e) /\ RM(k)!Interrupt(e.req)
       [] e.action = "Release"          -> RM(k)!Release(e.driver, e.req)
       [] e.action = "Share"            -> RM(k)!Share(e.driver, e.req)
       [] e.action = "RefuseShare"      -> e.error = "DeadlockDetected" /\ RM(k)!RefuseShare(e.driver, e.req)
       [] e.action = "Reclaim"          -> owner[e.req] = e.driver /\ RM(k)!Reclaim(e.req)
       [] e.action = "AddDependency"    -> RM(k)!AddDependency(Caller(e), e.req, e.dependency)
       [] e.action = "RefuseDependency" -> e.error = "DependencyCycle" /\ RM(k)!RefuseDependency(Caller(e), e.req, e.dependency)
       [] e.action = "Rebudget"         -> RM(k)!Rebudget(e.type, NewBudget(e))
       [] e.action = "Unbudget"         -> RM(k)!Unbudget(e.type)
       [] e.action = "PoolGrow"         -> RM(k)!PoolGrow(e.type, e.bytes)
       [] e.action = "RefusePoolGrow"   -> e.error = "BudgetExceeded" /\ RM(k)!RefusePoolGrow(e.type, e.bytes)
       [] e.action = "PoolTrim"         -> RM(k)!PoolTrim(e.type, e.bytes)
       [] e.action = "Close"            -> /\ RM(k)!Close(e.leaks)
                                           /\ NewestFirst(k, e.leaks)
                                           /\ UnpinnedOK(e)
       [] OTHER                         -> FALSE
  /\ (l = DiagnoseAt \/ PostOK(k, e))

Next ==
  \E k \in Idx :
    /\ tr = k
    /\ UNCHANGED tr
    /\ \/ /\ l <= L[k]
          /\ Step(k, Line(k, l))
          /\ l' = l + 1
       \/ /\ l > L[k]          \* the whole trace was accepted: stutter
          /\ UNCHANGED <<rmVars, l>>

(* Grants are eager: while a waiter could be admitted (or a name waiter moved  *)
(* to its type queue, or refused that move), the next line must be that Grant *)
(* / Enqueue / RefuseDeadlock.  And in the code's order (docs/semantics.md,   *)
(* section 7): freed names' queues are examined first, then the type queues,  *)
(* so while the head of a freed name's queue waits for its turn, the next     *)
(* line is about a name waiter, not a type-queue grant.  (The order among     *)
(* names, and among type queues, is the code's internal one: not checked.)     *)
Pending(k) == \E r \in TRes[k] : RM(k)!GrantGuard(r) \/ RM(k)!NameMoveGuard(r)
NamePending(k) == ~closed /\ \E r \in TRes[k] : RM(k)!NameReady(r)
GrantsEager ==
  \A k \in Idx :
    tr = k /\ Pending(k) =>
      /\ l <= L[k]
      /\ Line(k, l).action \in {"Grant", "Enqueue", "RefuseDeadlock"}
      /\ Line(k, l).req \in TRes[k]
      /\ st[Line(k, l).req] = "Waiting"
      /\ NamePending(k) => ~RM(k)!InTypeQ(RM(k)!Cur, Line(k, l).req)

\* Diagnosis run: stop right after line DiagnoseAt, so TLC prints the model's post-state.
StopAfterDiagnosed == DiagnoseAt = 0 \/ l <= DiagnoseAt

\* ResourceManager's NameExclusive, stated per name: linear in the number of requests instead of
\* quadratic (a recorded trace has hundreds of requests); the same predicate, since Names are
\* the non-empty names and "x # y with the same name both holding it" is "two holders of a name".
NameExclusivePerName(k) ==
  \A n \in TNames[k] :
    Cardinality({x \in TRes[k] : /\ TMeta[k][x].name = n
                                 /\ (st[x] = "Alive" \/ (st[x] = "Waiting" /\ RM(k)!InTypeQ(RM(k)!Cur, x)))}) <= 1

\* The model's invariants (ResourceManager's Invariants) hold along the traces, too.  One name each, so that
\* TLC names the one a trace breaks (scripts/spec-trace.ts says it in words); ModelInvariants is all of them.
\* (Not NoDeadlock: a budget change, pool growth or addDependency can leave a deadlock, a documented limit;
\* every wait, name move and share is checked by its step, by what it adds to the state.)
InvTypeOK == \A k \in Idx : tr = k => RM(k)!TypeOK
\* (Not after a Rebudget: a lowered budget may be below the live bytes.)
InvBudgetSafe == \A k \in Idx : tr = k => (budget = TBudget[k] => RM(k)!BudgetSafe)
\* (ReserveOnlyForCritical, over the header's budgets: a type without one has no reserve, its bound is the usage
\* bound that UsageBounded checks, and max + the Critical bytes would pass TLC's 2^31 - 1.)
InvReserveOnlyForCritical ==
  \A k \in Idx : tr = k => (budget = TBudget[k] =>
    \A t \in DOMAIN Header(k).budgets :
      usage[t] <= budget[t].max - budget[t].reserved + RM(k)!CriticalBytes(t) + ebytes[t])
InvSharingSafe == \A k \in Idx : tr = k => RM(k)!SharingSafe
InvNameExclusive == \A k \in Idx : tr = k => NameExclusivePerName(k)
InvNoDanglingDependency == \A k \in Idx : tr = k => RM(k)!NoDanglingDependency
InvDependencyAcyclic == \A k \in Idx : tr = k => RM(k)!DependencyAcyclicByClosure
InvQueuesWellFormed == \A k \in Idx : tr = k => RM(k)!QueuesWellFormed
InvUsageBounded == \A k \in Idx : tr = k => RM(k)!UsageBounded
ModelInvariants ==
  /\ InvTypeOK /\ InvBudgetSafe /\ InvReserveOnlyForCritical /\ InvSharingSafe /\ InvNameExclusive
  /\ InvNoDanglingDependency /\ InvDependencyAcyclic /\ InvQueuesWellFormed /\ InvUsageBounded

=============================================================================
