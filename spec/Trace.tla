------------------------------- MODULE Trace -------------------------------
(***************************************************************************)
(* Trace validation: checks that an NDJSON trace recorded by the TypeScript *)
(* manager (format: spec/README.md, "Trace format") is a behaviour of       *)
(* ResourceManager.  The trace file is passed as the constant TraceFile by  *)
(* a cfg that scripts/spec-trace.ts generates.                              *)
(*                                                                          *)
(* The behaviour is a single path: line i of the trace (i >= 1 after the    *)
(* header) must be the step of the model action it names, with its         *)
(* arguments, and the post-state fields it carries must equal the model's.  *)
(* On a mismatch the state "l = i" has no successor, so TLC reports a       *)
(* deadlock (exit 11) whose last state names the offending line: file line  *)
(* i + 1.  An invariant violation (exit 12) in the state "l = i" means the  *)
(* state after file line i is wrong (e.g. a grant left pending).            *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets, Json, TLC, FlightHalTables

CONSTANTS
  TraceFile,  \* absolute path of the NDJSON trace
  DiagnoseAt  \* 0; or a transition line index i whose post-state fields are NOT compared (the
              \* diagnosis run of scripts/spec-trace.ts: does the model take the step at all, and
              \* what is its post-state?)

Log    == ndJsonDeserialize(TraceFile)
Header == Log[1]
L      == Len(Log) - 1
Line(i) == Log[i + 1]
Has(e, f) == f \in DOMAIN e
SetOf(s)  == {s[i] : i \in DOMAIN s}

\* The requests of the trace: every req that has a request line (one carrying "type").
IsDef(i)  == Has(Line(i), "type")
TRes      == {Line(i).req : i \in {j \in 1..L : IsDef(j)}}
DefLine(r) == Line(CHOOSE i \in 1..L : IsDef(i) /\ Line(i).req = r)
TMeta == [r \in TRes |-> LET e == DefLine(r) IN
            [type |-> e.type, size |-> e.size, prio |-> e.priority, name |-> e.name,
             shareable |-> e.shareable, reclaimable |-> e.reclaimable, deps |-> SetOf(e.deps)]]
TBudget  == [t \in DOMAIN Header.budgets |->
               [max |-> Header.budgets[t].max, reserved |-> Header.budgets[t].reserved]]
TDrivers == SetOf(Header.drivers)
TNoDriver == "(no driver)"

ASSUME Header.action = "Init"
ASSUME TNoDriver \notin TDrivers

VARIABLES st, holders, owner, wmode, emerg, queue, nameq, usage, ebytes,
          l   \* the index of the next trace line to check (transition lines are 1..L)

RM == INSTANCE ResourceManager WITH Drivers <- TDrivers, Res <- TRes, Meta <- TMeta,
                                    Budget <- TBudget, ReqModes <- Modes, NoDriver <- TNoDriver

rmVars == <<st, holders, owner, wmode, emerg, queue, nameq, usage, ebytes>>

Init == RM!Init /\ l = 1

(* The post-state fields a line carries must match the model's post-state. *)
PerTypeOK(e, f, v) ==
  Has(e, f) =>
    /\ \A t \in DOMAIN e[f] : IF t \in RM!Types THEN v'[t] = e[f][t] ELSE e[f][t] = 0
    /\ \A t \in RM!Types : t \notin DOMAIN e[f] => v'[t] = 0
HoldersOK(e) == Has(e, "holders") => holders'[e.req] = SetOf(e.holders)
FreedOK(e)   == Has(e, "freed") => {x \in TRes : st[x] = "Alive" /\ st'[x] = "Idle"} = SetOf(e.freed)
\* The queue a waiting request is in (pre-state) or enters (Enqueue), after the step.
QueueAfter(e) ==
  LET r == e.req IN
  IF e.action = "Enqueue"
  THEN IF e.wait = "type" THEN queue'[RM!TypeOf(r)] ELSE nameq'[RM!NameOf(r)]
  ELSE IF RM!InTypeQ(RM!Cur, r) THEN queue'[RM!TypeOf(r)] ELSE nameq'[RM!NameOf(r)]
QueueOK(e)   == Has(e, "queue") => QueueAfter(e) = e.queue
PostOK(e) ==
  /\ PerTypeOK(e, "usage", usage)
  /\ PerTypeOK(e, "emergency", ebytes)
  /\ HoldersOK(e)
  /\ FreedOK(e)
  /\ QueueOK(e)

\* A failure is justified only when no admitting action is enabled.
Justified(e) ==
  ~ENABLED \/ RM!Acquire(e.driver, e.req, e.mode)
           \/ e.mode = "Emergency" /\ RM!AcquireEmergency(e.driver, e.req)
           \/ RM!Enqueue(e.driver, e.req, e.mode)

IsWaiter(e) == st[e.req] = "Waiting" /\ owner[e.req] = e.driver

Step(e) ==
  /\ e.req \in TRes
  /\ CASE e.action = "Acquire"          -> RM!Acquire(e.driver, e.req, e.mode)
       [] e.action = "AcquireEmergency" -> e.mode = "Emergency" /\ RM!AcquireEmergency(e.driver, e.req)
       [] e.action = "Reject"           -> /\ RM!Reject(e.driver, e.req, e.mode)
                                           /\ e.error = RM!RejectReason(e.req, e.mode)
                                           /\ Justified(e)
       [] e.action = "RefuseDeadlock"   -> /\ RM!RefuseDeadlock(e.driver, e.req, e.mode)
                                           /\ Justified(e)
       [] e.action = "Enqueue"          -> IF st[e.req] = "Waiting"
                                           THEN IsWaiter(e) /\ e.wait = "type" /\ RM!EnqueueFromName(e.req)
                                           ELSE /\ e.wait = RM!WaitKind(e.req, e.mode)
                                                /\ RM!Enqueue(e.driver, e.req, e.mode)
       [] e.action = "Grant"            -> IsWaiter(e) /\ RM!Grant(e.req)
       [] e.action = "Timeout"          -> IsWaiter(e) /\ RM!Timeout(e.req)
       [] e.action = "Interrupt"        -> IsWaiter(e) /\ RM!Interrupt(e.req)
       [] e.action = "Release"          -> RM!Release(e.driver, e.req)
       [] e.action = "Share"            -> RM!Share(e.driver, e.req)
       [] e.action = "Reclaim"          -> owner[e.req] = e.driver /\ RM!Reclaim(e.req)
       [] OTHER                         -> FALSE
  /\ (l = DiagnoseAt \/ PostOK(e))

Next ==
  \/ /\ l <= L
     /\ Step(Line(l))
     /\ l' = l + 1
  \/ /\ l > L          \* the whole trace was accepted: stutter
     /\ UNCHANGED <<rmVars, l>>

(* Grants are eager: while a waiter could be admitted (or a name waiter moved  *)
(* to its type queue), the next line must be that Grant / Enqueue.            *)
Pending == \E r \in TRes : RM!GrantGuard(r) \/ RM!NameMoveGuard(r)
GrantsEager ==
  Pending => /\ l <= L
             /\ Line(l).action \in {"Grant", "Enqueue"}
             /\ Line(l).req \in TRes
             /\ st[Line(l).req] = "Waiting"

\* Diagnosis run: stop right after line DiagnoseAt, so TLC prints the model's post-state.
StopAfterDiagnosed == DiagnoseAt = 0 \/ l <= DiagnoseAt

\* The model's invariants hold along the trace, too.
ModelInvariants == RM!Invariants

=============================================================================
