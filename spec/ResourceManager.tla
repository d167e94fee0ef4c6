--------------------------- MODULE ResourceManager ---------------------------
(***************************************************************************)
(* Flight HAL resource management: the semantics stated in                *)
(* docs/semantics.md as a TLA+ state machine (the discussion of every      *)
(* modelling choice is in spec/README.md).  Every action is named like the *)
(* transition of the TypeScript core (packages/resources/src/internal/)    *)
(* that implements it: Acquire, AcquireEmergency, Reject, Enqueue,         *)
(* RefuseDeadlock, EnqueueFromName, RefuseDeadlockFromName, Grant,         *)
(* Timeout, Interrupt, Release, Share, RefuseShare, Reclaim, AddDependency,*)
(* RefuseDependency, Rebudget, Unbudget, PoolGrow, RefusePoolGrow,        *)
(* PoolTrim, Close.                                                        *)
(*                                                                         *)
(* Modelling choices (see spec/README.md for the discussion):              *)
(*  - Res is a finite set of request slots with static metadata Meta[r].   *)
(*    A slot cycles Idle -> (Waiting ->) Alive -> Idle and may be          *)
(*    requested again, so the state space is finite.                      *)
(*  - Two kinds of owner (docs/semantics.md, section 12).  A driver in     *)
(*    Sequential is one sequential process: while one of its requests      *)
(*    waits it makes no request, release or addDependency (the Work/Finish *)
(*    reduction's assumption: "a driver that is not waiting will release   *)
(*    all it holds").  Every other driver is a concurrent owner, a label   *)
(*    over independent tasks: it may request, release, share and add       *)
(*    dependencies while some of its requests wait, and each of its        *)
(*    waiting requests is an actor of its own that holds nothing.  A share *)
(*    to a waiting sequential driver is checked by the reduction.          *)
(*  - Failures (Reject, RefuseDeadlock, RefuseShare, RefuseDependency,     *)
(*    RefusePoolGrow) leave the manager's state unchanged but are explicit *)
(*    steps: they set the history variable `fail`, which every other step  *)
(*    resets, so the properties can judge every refusal.                   *)
(*  - After Close the manager is closed: the only step is stuttering.      *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets, FlightHalTables
LOCAL INSTANCE Sums

CONSTANTS
  Drivers,   \* driver ids
  Sequential, \* the sequential drivers (a subset of Drivers); every other driver is a concurrent owner
  Res,       \* request / resource slots
  Meta,      \* [Res -> [type, size, prio, name, shareable, reclaimable, deps]]; name "" = unnamed
  Budget,    \* [BudgetedTypes -> [max, reserved]]: the initial budgets; a type outside DOMAIN Budget is unlimited
  ReqModes,  \* the acquisition modes drivers use in this model (a subset of Modes)
  NoDriver,  \* a value that is not a driver
  Ops,       \* the further operations this model uses: a subset of OpNames
  Rebudgets, \* [DOMAIN Budget -> SUBSET [max : Nat, reserved : Nat]]: the budgets Rebudget may set
  PoolChunk, \* [DOMAIN Budget -> SUBSET Nat]: the capacities a pool of the type grows or trims by
  MaxUsage   \* the usage bound: no type's usage ever exceeds it (2^53 - 1 bytes in the code)

OpNames == {"AddDependency", "Rebudget", "Unbudget", "Pool", "Close"}

TypeOf(r) == Meta[r].type
Size(r)   == Meta[r].size
Prio(r)   == Meta[r].prio
Rank(r)   == PriorityRank[Meta[r].prio]
NameOf(r) == Meta[r].name
Deps(r)   == Meta[r].deps
Types     == {Meta[r].type : r \in Res} \cup DOMAIN Budget
Names     == {Meta[r].name : r \in Res} \ {""}
Budgeted(t) == t \in DOMAIN Budget

Min(a, b) == IF a < b THEN a ELSE b

\* Transitive dependsOn closure (downwards) of a set of slots over the edge function E.
RECURSIVE DownN(_, _, _)
DownN(E, X, n) == LET Y == X \cup UNION {E[x] : x \in X}
                  IN  IF Y = X \/ n = 0 THEN Y ELSE DownN(E, Y, n - 1)
StaticDeps == [r \in Res |-> Deps(r)]
DepClosure(X) == DownN(StaticDeps, X, Cardinality(Res))

ASSUME /\ Meta \in [Res -> [type : ResourceTypes, size : Nat, prio : Priorities, name : STRING,
                            shareable : BOOLEAN, reclaimable : BOOLEAN, deps : SUBSET Res]]
       /\ \A r \in Res : r \notin DepClosure(Deps(r))     \* the requests' dependsOn is acyclic
       /\ \A t \in DOMAIN Budget : 0 <= Budget[t].reserved /\ Budget[t].reserved <= Budget[t].max
       /\ ReqModes \subseteq Modes
       /\ NoDriver \notin Drivers
       /\ Sequential \subseteq Drivers
       /\ Ops \subseteq OpNames
       /\ DOMAIN Rebudgets = DOMAIN Budget /\ DOMAIN PoolChunk = DOMAIN Budget
       /\ \A t \in DOMAIN Budget : \A b \in Rebudgets[t] : 0 <= b.reserved /\ b.reserved <= b.max
       /\ \A t \in DOMAIN Budget : PoolChunk[t] \subseteq Nat \ {0}
       \* sizes and budgets are byte counts, which the code takes up to the bound (safe integers)
       /\ MaxUsage \in Nat
       /\ \A r \in Res : Meta[r].size <= MaxUsage
       /\ \A t \in DOMAIN Budget : Budget[t].max <= MaxUsage /\ \A b \in Rebudgets[t] : b.max <= MaxUsage

-----------------------------------------------------------------------------
VARIABLES
  st,       \* [Res -> {"Idle", "Waiting", "Alive"}]; Alive with no holder = deferred release
  holders,  \* [Res -> SUBSET Drivers]
  owner,    \* [Res -> Drivers \cup {NoDriver}]: requester of a waiting request, first holder of a live one
  wmode,    \* [Res -> ReqModes \cup {"None"}]: mode of a waiting request
  emerg,    \* [Res -> Nat]: the overage of a live resource admitted by AcquireEmergency
  queue,    \* [Types -> Seq(Res)]: per-type wait queue, higher priority first, FIFO within a priority
  nameq,    \* [Names -> Seq(Res)]: waiters for a live name, same order
  usage,    \* [Types -> Nat]: bytes charged to each type (live resources and pool capacity)
  ebytes,   \* [Types -> Nat]: emergency bytes of each type
  dep,      \* [Res -> SUBSET Res]: dependsOn of each slot (Meta's deps, plus AddDependency edges)
  budget,   \* [DOMAIN Budget -> [max, reserved]]: the current budgets (Rebudget changes them)
  pool,     \* [Types -> Nat]: pool capacity charged to each type
  closed,   \* the manager is closed
  \* History variables (read by the properties only, never by a guard):
  arr,      \* Seq(Res): the waiters in the order they entered their current queue
  fail,     \* the failure the last step reported (NoFail after every other step)
  leaks     \* Seq(Res): Close's leak report, in release order (<<>> before Close)

vars == <<st, holders, owner, wmode, emerg, queue, nameq, usage, ebytes, dep, budget, pool, closed,
          arr, fail, leaks>>

NoFail == [op |-> "none", d |-> NoDriver, r |-> 0, m |-> "None", err |-> "none", t |-> "none", n |-> 0]
Failed(op, d, r, m, err) == [NoFail EXCEPT !.op = op, !.d = d, !.r = r, !.m = m, !.err = err]

\* The whole state as a record, so hypothetical successor states can be built and examined.
Cur == [st |-> st, holders |-> holders, owner |-> owner, wmode |-> wmode, emerg |-> emerg,
        queue |-> queue, nameq |-> nameq, usage |-> usage, ebytes |-> ebytes, dep |-> dep,
        budget |-> budget, pool |-> pool, closed |-> closed, arr |-> arr, fail |-> fail, leaks |-> leaks]
Goto(S) == /\ st' = S.st /\ holders' = S.holders /\ owner' = S.owner /\ wmode' = S.wmode
           /\ emerg' = S.emerg /\ queue' = S.queue /\ nameq' = S.nameq /\ usage' = S.usage
           /\ ebytes' = S.ebytes /\ dep' = S.dep /\ budget' = S.budget /\ pool' = S.pool
           /\ closed' = S.closed /\ arr' = S.arr /\ fail' = S.fail /\ leaks' = S.leaks
\* A step that is not a failure.
Step(S) == Goto([S EXCEPT !.fail = NoFail])
\* A failure: nothing changes but the reported failure.
FailWith(f) == Goto([Cur EXCEPT !.fail = f])

Init == /\ st = [r \in Res |-> "Idle"]
        /\ holders = [r \in Res |-> {}]
        /\ owner = [r \in Res |-> NoDriver]
        /\ wmode = [r \in Res |-> "None"]
        /\ emerg = [r \in Res |-> 0]
        /\ queue = [t \in Types |-> <<>>]
        /\ nameq = [n \in Names |-> <<>>]
        /\ usage = [t \in Types |-> 0]
        /\ ebytes = [t \in Types |-> 0]
        /\ dep = StaticDeps
        /\ budget = Budget
        /\ pool = [t \in Types |-> 0]
        /\ closed = FALSE
        /\ arr = <<>>
        /\ fail = NoFail
        /\ leaks = <<>>

\* docs/semantics.md Admission: limit(p) = maxBytes - reservedBytes, except p = Critical: maxBytes.
Limit(t, p) == IF p = "Critical" THEN budget[t].max ELSE budget[t].max - budget[t].reserved
\* docs/semantics.md Budgets: a type without a budget has limit(p) = the usage bound.
TypeLimit(t, p) == IF Budgeted(t) THEN Limit(t, p) ELSE MaxUsage
\* The budget record of a type whose budget was removed (removeBudget, action Unbudget): limit(p) =
\* the usage bound for every p, as TypeLimit gives a type that never had a budget (the code's
\* state.limit without a budget; introspection reports it as maxBytes 2^53 - 1, reservedBytes 0).
NoBudget == [max |-> MaxUsage, reserved |-> 0]

-----------------------------------------------------------------------------
(* Queues *)
InSeq(s, x)   == \E i \in 1..Len(s) : s[i] = x
IndexOf(s, x) == CHOOSE i \in 1..Len(s) : s[i] = x
Remove(s, x)  == SelectSeq(s, LAMBDA y : y # x)
AheadOf(s, x) == {s[i] : i \in 1..(IndexOf(s, x) - 1)}
SeqSet(s)     == {s[i] : i \in 1..Len(s)}
\* Insert after every element of rank >= Rank(x): priority order, FIFO within a priority.
InsertByPrio(s, x) ==
  LET k == Cardinality({i \in 1..Len(s) : Rank(s[i]) >= Rank(x)})
  IN  SubSeq(s, 1, k) \o <<x>> \o SubSeq(s, k + 1, Len(s))

(* State predicates over a state record S *)
AliveIn(S)   == {x \in Res : S.st[x] = "Alive"}
WaitIn(S)    == {x \in Res : S.st[x] = "Waiting"}
InTypeQ(S, x) == InSeq(S.queue[TypeOf(x)], x)
IsWaiting(S, d) == \E w \in WaitIn(S) : S.owner[w] = d
\* A sequential driver with a request waiting: it is blocked, and releases nothing until the wait ends.
BlockedIn(S, d) == d \in Sequential /\ IsWaiting(S, d)
DepClosureIn(S, X) == DownN(S.dep, X, Cardinality(Res))

\* docs/semantics.md Admission: fits <=> usage(t) + s <= limit(p); a type with no budget is limited
\* by the usage bound alone.
FitsIn(S, r)  == S.usage[TypeOf(r)] + Size(r) <= TypeLimit(TypeOf(r), Prio(r))
\* A request with s > limit(p) can never fit.
Possible(r)   == ~Budgeted(TypeOf(r)) \/ Size(r) <= Limit(TypeOf(r), Prio(r))
\* The usage bound: admitting r keeps its type's usage within MaxUsage.  Every admission but
\* Emergency's fits limit(p) <= MaxUsage; an Emergency admission past the bound is refused.
Bounded(r)    == usage[TypeOf(r)] + Size(r) <= MaxUsage
\* No barging: no waiter of rank >= p in the type queue (a new request enters behind them).
NoneAheadIn(S, r) == \A x \in SeqSet(S.queue[TypeOf(r)]) : x # r => Rank(x) < Rank(r)
\* A name is held by a live resource (deferred releases included) or reserved by a request
\* waiting in a type queue.
NameHeldIn(S, n) == \E x \in Res : NameOf(x) = n /\ (S.st[x] = "Alive" \/ (S.st[x] = "Waiting" /\ InTypeQ(S, x)))
\* A new request finds its name busy when it is held or has waiters.
NameBusyIn(S, r) == NameOf(r) # "" /\ (NameHeldIn(S, NameOf(r)) \/ S.nameq[NameOf(r)] # <<>>)
\* dependsOn edges point to live resources (at least one holder).
DepsLiveIn(S, r) == \A y \in S.dep[r] : S.st[y] = "Alive" /\ S.holders[y] # {}

Fits(r)      == FitsIn(Cur, r)
NoneAhead(r) == NoneAheadIn(Cur, r)
NameBusy(r)  == NameBusyIn(Cur, r)
Waiting(d)   == IsWaiting(Cur, d)
Blocked(d)   == BlockedIn(Cur, d)

-----------------------------------------------------------------------------
(* Freeing.  A live resource stays alive while it has a holder, or while a    *)
(* live resource or a waiting request depends on it (deferred release).       *)
(* Everything else that is live is freed: usage and emergency bytes drop, the *)
(* name is released, the slot returns to Idle.  This one rule is the          *)
(* last-holder release and the cascade of deferred releases.                  *)
KeepAliveIn(S) == DepClosureIn(S, {x \in AliveIn(S) : S.holders[x] # {}} \cup UNION {S.dep[w] : w \in WaitIn(S)})
Settle(S) ==
  LET freed == AliveIn(S) \ KeepAliveIn(S)
      gone(t) == {x \in freed : TypeOf(x) = t}
  IN [S EXCEPT !.st     = [x \in Res |-> IF x \in freed THEN "Idle" ELSE S.st[x]],
               !.owner  = [x \in Res |-> IF x \in freed THEN NoDriver ELSE S.owner[x]],
               !.emerg  = [x \in Res |-> IF x \in freed THEN 0 ELSE S.emerg[x]],
               !.dep    = [x \in Res |-> IF x \in freed THEN Deps(x) ELSE S.dep[x]],
               !.usage  = [t \in Types |-> S.usage[t] - SumOver(Size, gone(t))],
               !.ebytes = [t \in Types |-> S.ebytes[t] - SumOver(LAMBDA x : S.emerg[x], gone(t))]]

\* Waiters W leave their queues holding nothing (timeout, interrupt, refusal, a lowered budget,
\* close); dependencies only they kept alive are freed.
Unqueue(S, W) ==
  [S EXCEPT !.st    = [x \in Res |-> IF x \in W THEN "Idle" ELSE S.st[x]],
            !.owner = [x \in Res |-> IF x \in W THEN NoDriver ELSE S.owner[x]],
            !.wmode = [x \in Res |-> IF x \in W THEN "None" ELSE S.wmode[x]],
            !.queue = [t \in Types |-> SelectSeq(S.queue[t], LAMBDA y : y \notin W)],
            !.nameq = [n \in Names |-> SelectSeq(S.nameq[n], LAMBDA y : y \notin W)],
            !.arr   = SelectSeq(S.arr, LAMBDA y : y \notin W)]
LeaveSetIn(S, W) == Settle(Unqueue(S, W))
LeaveIn(S, r) == LeaveSetIn(S, {r})

-----------------------------------------------------------------------------
(* The deadlock check: Silberschatz's Work/Finish reduction over actors,     *)
(* queue-aware.  An actor is a sequential driver that waits (one actor, its  *)
(* one waiting request: while it waits it releases nothing) or one waiting   *)
(* request of a concurrent owner (an actor of its own that holds nothing: it *)
(* still pins its dependsOn and reserves its name).  Actors are named by     *)
(* their waiting requests.  Every other driver, and every concurrent owner's *)
(* holdings, are assumed to release what they hold.  F is a set of waiting   *)
(* requests whose actors are assumed to finish.  A waiter joins F when it    *)
(* could be granted with only the actors in F having finished: every waiter  *)
(* ahead of it in its queue is in F, its name is not held or reserved        *)
(* outside F, and its bytes fit once the resources that wait for F alone     *)
(* have returned their bytes: those whose every blocked holder -- and every  *)
(* blocked holder of a live dependent, and every waiting dependent -- is in  *)
(* F.  So a shared resource returns only when its last blocked holder has    *)
(* finished.  Pool capacity never returns.                                   *)
RECURSIVE UpN(_, _, _)
UpN(S, X, n) == LET Y == X \cup {x \in AliveIn(S) \cup WaitIn(S) : S.dep[x] \cap X # {}}
                IN  IF Y = X \/ n = 0 THEN Y ELSE UpN(S, Y, n - 1)
\* The waiters (actors) that must all finish before x's bytes and name return: the waiting request of
\* every blocked driver (in B: sequential, waiting) that holds x or a live dependent of x, and every
\* waiting dependent of x.  (A and W are S's live and waiting slots.)
ReturnWaiters(S, A, W, B, x) ==
  LET U == UpN(S, {x}, Cardinality(Res))
      H == UNION {S.holders[y] : y \in U \cap A} \cap B
  IN  {w \in W : S.owner[w] \in H} \cup (U \cap W)

CanFinish(S, A, RW, w, F) ==
  LET t  == TypeOf(w)
      n  == NameOf(w)
      returned == {x \in A : TypeOf(x) = t /\ RW[x] \subseteq F}
      bytesOK  == S.usage[t] - SumOver(Size, returned) + Size(w) <= TypeLimit(t, Prio(w))
  IN  IF InTypeQ(S, w)
      THEN /\ \A v \in AheadOf(S.queue[t], w) : v \in F
           /\ bytesOK
      ELSE /\ \A v \in AheadOf(S.nameq[n], w) : v \in F
           /\ \A x \in A : NameOf(x) = n => RW[x] \subseteq F
           /\ \A v \in WaitIn(S) : (NameOf(v) = n /\ InTypeQ(S, v)) => v \in F
           /\ \A v \in SeqSet(S.queue[t]) : Rank(v) >= Rank(w) => v \in F
           /\ bytesOK

RECURSIVE FinishFix(_, _, _, _, _, _)
FinishFix(S, A, W, RW, F, n) ==
  LET F2 == F \cup {w \in W \ F : CanFinish(S, A, RW, w, F)}
  IN  IF F2 = F \/ n = 0 THEN F2 ELSE FinishFix(S, A, W, RW, F2, n - 1)

\* The waiters whose actors can finish.
Finishable(S) ==
  LET A  == AliveIn(S)
      W  == WaitIn(S)
      B  == {S.owner[w] : w \in W} \cap Sequential
      RW == [x \in A |-> ReturnWaiters(S, A, W, B, x)]
  IN  FinishFix(S, A, W, RW, {}, Cardinality(Res))
DeadlockFreeIn(S) == Finishable(S) = WaitIn(S)
StuckDrivers(S)   == {S.owner[w] : w \in WaitIn(S) \ Finishable(S)}
\* What is refused (docs/semantics.md, section 12): S0 the state without the waiter r, S1 with it (a new
\* wait, or a freed name's waiter moved to its type queue).  The wait is accepted when r's actor can
\* finish in S1 and every actor that can finish in S0 still can: a deadlock that exists already (left
\* by an operation that is not checked: a budget change, pool growth, addDependency) and that r neither
\* joins nor extends does not refuse it.  When S1 is free of deadlocks this is DeadlockFreeIn(S1), which
\* the actions test first (one reduction instead of two).
NoNewStuck(S0, S1, r) == LET F1 == Finishable(S1) IN r \in F1 /\ Finishable(S0) \subseteq F1

-----------------------------------------------------------------------------
(* Actions *)

\* A fresh request (d, r, m): r is idle, d is not a blocked sequential driver (a concurrent owner's
\* tasks request while others wait), r's dependencies are live.
\* (A request naming a dependency that is not live fails validation and changes nothing.)
Fresh(d, r, m) == /\ ~closed /\ st[r] = "Idle" /\ ~Blocked(d) /\ m \in ReqModes /\ DepsLiveIn(Cur, r)

Overage(r) == Min(Size(r), usage[TypeOf(r)] + Size(r) - TypeLimit(TypeOf(r), Prio(r)))

AdmitIn(S, r, d, ov) ==
  [S EXCEPT !.st[r] = "Alive", !.holders[r] = {d}, !.owner[r] = d, !.wmode[r] = "None",
            !.emerg[r] = ov, !.usage[TypeOf(r)] = @ + Size(r), !.ebytes[TypeOf(r)] = @ + ov]

\* Admission: a request that fits and has no earlier waiter of its type ahead of it is admitted;
\* its owner becomes the first holder.  An Emergency request never waits: when it fits it is
\* admitted here even past waiters.
Acquire(d, r, m) ==
  /\ Fresh(d, r, m)
  /\ ~NameBusy(r)
  /\ Fits(r)
  /\ NoneAhead(r) \/ m = "Emergency"
  /\ Step(AdmitIn(Cur, r, d, 0))

\* Emergency -> admitted over budget, counted in emergency stats, as long as usage stays within the
\* usage bound.  The overage is the part of the request beyond limit(p).
AcquireEmergency(d, r) ==
  /\ Fresh(d, r, "Emergency")
  /\ ~NameBusy(r)
  /\ ~Fits(r)
  /\ Bounded(r)
  /\ Step(AdmitIn(Cur, r, d, Overage(r)))

\* Pool blocks: a fresh request that a pool of its type serves from a free block is charged nothing (its
\* bytes are pool capacity, charged when the pool grew), so it is admitted whenever its name is free: its
\* fit and the waiters ahead of it are not checked (the manager does not check them), and no queue is
\* re-examined (usage is unchanged).  Such a request is one whose size here is 0, the bytes it charges: a
\* trace writes it as an AcquirePooled line, and Trace.tla gives it size 0 (and checks its own size against
\* limit(p), as the manager does first).  The MC configs have no such request (every size is positive):
\* pooled admissions are checked on recorded traces.
AcquirePooled(d, r, m) ==
  /\ "Pool" \in Ops
  /\ Fresh(d, r, m)
  /\ Size(r) = 0
  /\ ~NameBusy(r)
  /\ pool[TypeOf(r)] > 0
  /\ Step(AdmitIn(Cur, r, d, 0))

\* Why a fresh request fails at once, or "none".
RejectReason(r, m) ==
  IF m # "Emergency" /\ ~Possible(r) THEN "BudgetExceeded"            \* never fits
  ELSE IF NameBusy(r) THEN (IF m \in {"NonBlocking", "Emergency"} THEN "ResourceBusy" ELSE "none")
  ELSE IF m = "NonBlocking" /\ ~(Fits(r) /\ NoneAhead(r)) THEN "BudgetExceeded"
  ELSE IF m = "Emergency" /\ ~Bounded(r) THEN "BudgetExceeded"     \* past the usage bound
  ELSE "none"

Reject(d, r, m) ==
  /\ Fresh(d, r, m)
  /\ RejectReason(r, m) # "none"
  /\ FailWith(Failed("Reject", d, r, m, RejectReason(r, m)))

\* Which queue a fresh Blocking/Timeout request would wait in, or "none".
WaitKind(r, m) ==
  IF m \notin {"Blocking", "Timeout"} \/ ~Possible(r) THEN "none"
  ELSE IF NameBusy(r) THEN "name"
  ELSE IF ~(Fits(r) /\ NoneAhead(r)) THEN "type"
  ELSE "none"

EnqueuedIn(S, d, r, m, kind) ==
  LET S1 == [S EXCEPT !.st[r] = "Waiting", !.owner[r] = d, !.wmode[r] = m]
  IN  IF kind = "type" THEN [S1 EXCEPT !.queue[TypeOf(r)] = InsertByPrio(@, r)]
                       ELSE [S1 EXCEPT !.nameq[NameOf(r)] = InsertByPrio(@, r)]

\* Blocking/Timeout requests that cannot be admitted wait (type queue for bytes, name queue for a
\* live name) -- unless the wait would deadlock.
Enqueue(d, r, m) ==
  /\ Fresh(d, r, m)
  /\ WaitKind(r, m) # "none"
  /\ DeadlockFreeIn(EnqueuedIn(Cur, d, r, m, WaitKind(r, m)))
       \/ NoNewStuck(Cur, EnqueuedIn(Cur, d, r, m, WaitKind(r, m)), r)
  /\ Step([EnqueuedIn(Cur, d, r, m, WaitKind(r, m)) EXCEPT !.arr = Append(@, r)])

\* Dependencies and deadlock: before a request starts waiting, add it and run the reduction: if its
\* own actor could then never finish, or an actor that could finish without it no longer can, fail
\* with DeadlockDetected instead.
RefuseDeadlock(d, r, m) ==
  /\ Fresh(d, r, m)
  /\ WaitKind(r, m) # "none"
  /\ ~DeadlockFreeIn(EnqueuedIn(Cur, d, r, m, WaitKind(r, m)))
  /\ ~NoNewStuck(Cur, EnqueuedIn(Cur, d, r, m, WaitKind(r, m)), r)
  /\ FailWith(Failed("RefuseDeadlock", d, r, m, "DeadlockDetected"))

\* The head of a name queue whose name is no longer held.
NameReady(r) == /\ st[r] = "Waiting" /\ NameOf(r) # "" /\ ~InTypeQ(Cur, r)
                /\ nameq[NameOf(r)] # <<>> /\ Head(nameq[NameOf(r)]) = r
                /\ ~NameHeldIn(Cur, NameOf(r))

\* A name waiter whose name became free but whose bytes cannot be admitted yet starts a new wait:
\* for its bytes, in its type queue (from then on it reserves the name).  Before a request starts
\* waiting, add it and run the reduction.  The move can put the waiter ahead of a lower-priority
\* type waiter whose driver holds the bytes it needs
\* (spec/traces/bad-name-move-deadlock-L8.ndjson), so it is checked like a fresh wait.
NameMoveGuard(r) == ~closed /\ NameReady(r) /\ ~(Fits(r) /\ NoneAhead(r))
MovedIn(S, r) == [S EXCEPT !.queue[TypeOf(r)] = InsertByPrio(@, r), !.nameq[NameOf(r)] = Tail(@)]
\* The state the move is judged against: r taken out of its name queue (as the manager takes it out
\* before the check), not yet in its type queue.
UnmovedIn(S, r) == Unqueue(S, {r})

\* The move passes the reduction: recorded as a second Enqueue.
EnqueueFromName(r) ==
  /\ NameMoveGuard(r)
  /\ DeadlockFreeIn(MovedIn(Cur, r))
       \/ NoNewStuck(UnmovedIn(Cur, r), MovedIn(Cur, r), r)
  /\ Step([MovedIn(Cur, r) EXCEPT !.arr = Append(Remove(@, r), r)])

\* The move fails the reduction: the waiter fails with DeadlockDetected and leaves its name queue
\* holding nothing (like a timeout).  TS: refuseDeadlockFromName; recorded as RefuseDeadlock of
\* the waiting request.
RefuseDeadlockFromName(r) ==
  /\ NameMoveGuard(r)
  /\ ~DeadlockFreeIn(MovedIn(Cur, r))
  /\ ~NoNewStuck(UnmovedIn(Cur, r), MovedIn(Cur, r), r)
  /\ Goto([LeaveIn(Cur, r) EXCEPT !.fail = Failed("RefuseDeadlockFromName", owner[r], r, wmode[r], "DeadlockDetected")])

\* Queue order: higher priority first, FIFO within a priority; the head waiter that now fits is
\* admitted.
GrantGuard(r) ==
  /\ ~closed
  /\ st[r] = "Waiting"
  /\ \/ InTypeQ(Cur, r) /\ Head(queue[TypeOf(r)]) = r /\ Fits(r)
     \/ NameReady(r) /\ Fits(r) /\ NoneAhead(r)

Grant(r) ==
  /\ GrantGuard(r)
  /\ LET S1 == IF InTypeQ(Cur, r) THEN [Cur EXCEPT !.queue[TypeOf(r)] = Remove(@, r)]
                                   ELSE [Cur EXCEPT !.nameq[NameOf(r)] = Remove(@, r)]
     IN  Step([AdmitIn(S1, r, owner[r], 0) EXCEPT !.arr = Remove(@, r)])

\* Environment: a Timeout waiter's clock runs out (AcquireTimeout).
Timeout(r) == /\ ~closed /\ st[r] = "Waiting" /\ wmode[r] = "Timeout" /\ Step(LeaveIn(Cur, r))

\* Environment: a waiter's fiber is interrupted.
Interrupt(r) == /\ ~closed /\ st[r] = "Waiting" /\ Step(LeaveIn(Cur, r))

\* Sharing/Release: the resource is freed when its last holder releases and no live dependent
\* remains; then deferred releases of its dependencies cascade.  A blocked sequential driver releases
\* nothing; a concurrent owner's tasks release while others wait.
Release(d, r) ==
  /\ ~closed /\ st[r] = "Alive" /\ d \in holders[r] /\ ~Blocked(d)
  /\ Step(Settle([Cur EXCEPT !.holders[r] = @ \ {d}]))

\* Sharing: a driver not holding a live (at least one holder) Shareable resource becomes a
\* holder; bytes are counted once.
ShareGuard(d, r) ==
  /\ ~closed /\ st[r] = "Alive" /\ holders[r] # {} /\ Meta[r].shareable /\ d \notin holders[r]
SharedIn(S, d, r) == [S EXCEPT !.holders[r] = @ \cup {d}]
\* A share to a blocked sequential driver keeps r's bytes and name from returning until that driver's
\* wait ends: it is checked by the reduction with the new holder.  A share to a concurrent owner or to
\* a driver that is not waiting never strands anyone and is not checked.  Refused only when an actor
\* that can finish without the share no longer can (a deadlock that exists already does not refuse it).
ShareCheck(d, r) == Blocked(d) => DeadlockFreeIn(SharedIn(Cur, d, r))
                                    \/ Finishable(Cur) \subseteq Finishable(SharedIn(Cur, d, r))
Share(d, r) ==
  /\ ShareGuard(d, r)
  /\ ShareCheck(d, r)
  /\ Step(SharedIn(Cur, d, r))
\* The check fails: DeadlockDetected, nothing changes.  TS: share returns DeadlockDetected.
RefuseShare(d, r) ==
  /\ ShareGuard(d, r)
  /\ ~ShareCheck(d, r)
  /\ FailWith(Failed("RefuseShare", d, r, "None", "DeadlockDetected"))

\* Environment: a reclamation callback releases a reclaimable resource on its owner's behalf.
Reclaim(r) ==
  /\ ~closed /\ st[r] = "Alive" /\ Meta[r].reclaimable /\ owner[r] \in holders[r]
  /\ Step(Settle([Cur EXCEPT !.holders[r] = @ \ {owner[r]}]))

\* addDependency(a, b): a holder d of live a (not blocked) makes a depend on b, a live resource
\* with a holder.  a may also be deferred (released by every holder, kept alive by a dependent:
\* docs/semantics.md section 11, "dependent live or deferred"); then no holder makes the call
\* (d = NoDriver; the trace's driver "").  Refused with DependencyCycle when a is b or b already
\* depends on a (transitively).  An edge that exists already changes nothing (not a step).
AddDependencyGuard(d, a, b) ==
  /\ "AddDependency" \in Ops /\ ~closed
  /\ st[a] = "Alive"
  /\ \/ d \in holders[a] /\ ~Blocked(d)
     \/ d = NoDriver /\ holders[a] = {}
  /\ st[b] = "Alive" /\ holders[b] # {} /\ b \notin dep[a]
Cycle(a, b) == a \in DepClosureIn(Cur, {b})
AddDependency(d, a, b) ==
  /\ AddDependencyGuard(d, a, b)
  /\ ~Cycle(a, b)
  /\ Step([Cur EXCEPT !.dep[a] = @ \cup {b}])
RefuseDependency(d, a, b) ==
  /\ AddDependencyGuard(d, a, b)
  /\ Cycle(a, b)
  /\ FailWith([Failed("RefuseDependency", d, a, "None", "DependencyCycle") EXCEPT !.n = b])

\* rebudget(t, nb): the waiters of type t that can never fit the new budget (size > limit(p))
\* fail with BudgetExceeded, leaving holding nothing (unpinning their dependencies); both the type
\* queue and the name queues they were in are then re-examined (the Grant / name-move steps,
\* which are eager in the manager).  Live resources stay, even beyond the new budget.
NewLimit(nb, p) == IF p = "Critical" THEN nb.max ELSE nb.max - nb.reserved
RebudgetFailing(t, nb) == {w \in WaitIn(Cur) : TypeOf(w) = t /\ Size(w) > NewLimit(nb, Prio(w))}
\* The budget change both setBudget and removeBudget make (TS: rebudget, after the budget is installed
\* or removed).
ChangeBudget(t, nb) ==
  /\ ~closed /\ t \in DOMAIN Budget
  /\ LET W == RebudgetFailing(t, nb)
         S1 == [Settle(Unqueue(Cur, W)) EXCEPT !.budget[t] = nb]
     IN  Goto([S1 EXCEPT !.fail = IF W = {} THEN NoFail
                                  ELSE [Failed("Rebudget", NoDriver, 0, "None", "BudgetExceeded") EXCEPT !.t = t]])
Rebudget(t, nb) == "Rebudget" \in Ops /\ ChangeBudget(t, nb)

\* removeBudget(t): the type is unlimited from now on, up to the usage bound: its budget becomes
\* NoBudget (limit(p) = MaxUsage for every p).  The same step as a rebudget: no waiter can fail (sizes
\* are at most MaxUsage, an ASSUME), and the queues are re-examined, so every waiter that now fits
\* is granted (the eager Grant steps).  Usage stays within MaxUsage (UsageBounded): the limit only
\* rises to it.  A later Rebudget installs a budget again.
Unbudget(t) == "Unbudget" \in Ops /\ ChangeBudget(t, NoBudget)

\* Pools charged to budgets: growing a pool of type t by n bytes is admitted like a NonBlocking
\* request of Normal priority (fits limit(Normal), no waiter of rank >= Normal in t's queue);
\* otherwise it is refused.  Trimming (or destroying) a pool gives capacity back; the type's
\* queue is then re-examined (the eager Grant steps).
PoolGrowOK(t, n) ==
  /\ usage[t] + n <= Limit(t, "Normal")
  /\ \A x \in SeqSet(queue[t]) : Rank(x) < PriorityRank["Normal"]
PoolGrow(t, n) ==
  /\ "Pool" \in Ops /\ ~closed /\ t \in DOMAIN Budget
  /\ PoolGrowOK(t, n)
  /\ Step([Cur EXCEPT !.pool[t] = @ + n, !.usage[t] = @ + n])
RefusePoolGrow(t, n) ==
  /\ "Pool" \in Ops /\ ~closed /\ t \in DOMAIN Budget
  /\ ~PoolGrowOK(t, n)
  /\ FailWith([Failed("RefusePoolGrow", NoDriver, 0, "NonBlocking", "BudgetExceeded") EXCEPT !.t = t, !.n = n])
PoolTrim(t, n) ==
  /\ "Pool" \in Ops /\ ~closed /\ t \in DOMAIN Budget
  /\ 0 < n /\ n <= pool[t]
  /\ Step([Cur EXCEPT !.pool[t] = @ - n, !.usage[t] = @ - n])

\* close: every waiter fails (unpinning as a leaving waiter does), then every live resource is
\* released, dependents before their dependencies (newest first among those: checked on traces,
\* where admission order is known), and reported as a leak in release order.  Pool capacity stays
\* charged.  Then the manager is closed.
RECURSIVE Perms(_)
Perms(X) == IF X = {} THEN {<<>>} ELSE UNION {{<<x>> \o p : p \in Perms(X \ {x})} : x \in X}
\* A leak report for S: every resource live in S once, no dependency before one of its dependents
\* (no position j whose dependencies include a resource listed before it).  Stated as set equalities,
\* not as quantifiers: TLC unrolls a \A inside an action into one conjunct per element, each a level
\* of its (recursive) successor computation, and "\A i, j \in 1..Len(o)" overflowed its stack for a
\* Close of about 16 live resources; an equality is evaluated as one expression.
IsLeakOrder(S, o) ==
  /\ Len(o) = Cardinality(SeqSet(o))
  /\ SeqSet(o) = AliveIn(S)
  /\ {j \in 1..Len(o) : S.dep[o[j]] \cap SeqSet(SubSeq(o, 1, j - 1)) # {}} = {}
ClosedIn(S) ==
  [S EXCEPT !.st = [x \in Res |-> "Idle"], !.holders = [x \in Res |-> {}], !.owner = [x \in Res |-> NoDriver],
            !.emerg = [x \in Res |-> 0], !.dep = StaticDeps, !.usage = [t \in Types |-> S.pool[t]],
            !.ebytes = [t \in Types |-> 0], !.closed = TRUE]
Close(order) ==
  /\ "Close" \in Ops /\ ~closed
  /\ IsLeakOrder(LeaveSetIn(Cur, WaitIn(Cur)), order)
  /\ Step([ClosedIn(LeaveSetIn(Cur, WaitIn(Cur))) EXCEPT !.leaks = order])
\* The candidate reports TLC tries (Close's guard picks the right ones).
CloseCandidates == UNION {Perms(X) : X \in SUBSET AliveIn(LeaveSetIn(Cur, WaitIn(Cur)))}

\* The steps that change the manager's state.
Progress ==
  \/ \E d \in Drivers, r \in Res, m \in ReqModes : Acquire(d, r, m) \/ Enqueue(d, r, m) \/ AcquirePooled(d, r, m)
  \/ \E d \in Drivers, r \in Res : AcquireEmergency(d, r) \/ Release(d, r) \/ Share(d, r)
  \/ \E r \in Res : Grant(r) \/ EnqueueFromName(r) \/ RefuseDeadlockFromName(r) \/ Timeout(r) \/ Interrupt(r)
  \/ \E r \in Res : Reclaim(r)
  \/ \E d \in Drivers \cup {NoDriver}, a, b \in Res : AddDependency(d, a, b)
  \/ \E t \in DOMAIN Budget : \E nb \in Rebudgets[t] : Rebudget(t, nb)
  \/ \E t \in DOMAIN Budget : Unbudget(t)
  \/ \E t \in DOMAIN Budget : \E n \in PoolChunk[t] : PoolGrow(t, n) \/ PoolTrim(t, n)
  \/ "Close" \in Ops /\ ~closed /\ \E order \in CloseCandidates : Close(order)

\* The failures: explicit steps that change only `fail`.
Failure ==
  \/ \E d \in Drivers, r \in Res, m \in ReqModes : Reject(d, r, m) \/ RefuseDeadlock(d, r, m)
  \/ \E d \in Drivers, r \in Res : RefuseShare(d, r)
  \/ \E d \in Drivers \cup {NoDriver}, a, b \in Res : RefuseDependency(d, a, b)
  \/ \E t \in DOMAIN Budget : \E n \in PoolChunk[t] : RefusePoolGrow(t, n)

\* After Close nothing happens.
Halted == closed /\ UNCHANGED vars

Next == Progress \/ Failure \/ Halted

(* Fairness.  Strong fairness of each grant (as in the tlaplus/Examples      *)
(* allocators) and of the move from a name queue (or its refusal); weak      *)
(* fairness of every holder's release (the reduction's assumption: a driver  *)
(* that is not blocked -- not waiting, or a concurrent owner -- eventually   *)
(* releases what it holds) and of every timeout.  Requests, shares,          *)
(* interrupts, reclamation, addDependency, rebudget, budget removal, pools  *)
(* and close are not fair: they may never happen.                            *)
Fairness ==
  /\ \A r \in Res : SF_vars(Grant(r)) /\ SF_vars(EnqueueFromName(r)) /\ SF_vars(RefuseDeadlockFromName(r))
  /\ \A r \in Res : WF_vars(Timeout(r))
  /\ \A d \in Drivers, r \in Res : WF_vars(Release(d, r))

\* What TLC checks: every step, failures included.
SpecTLC     == Init /\ [][Next]_vars
FairSpecTLC == SpecTLC /\ Fairness
\* The same without the failure steps (they change only `fail`, so the manager's states are the
\* same): for the larger models, where judging every refusal costs too much.
SpecProgress     == Init /\ [][Progress \/ Halted]_vars
FairSpecProgress == SpecProgress /\ Fairness
Spec     == SpecTLC
FairSpec == FairSpecTLC

(* Deadlock check.  TLC's deadlock check stays on.  The model has no terminal *)
(* state: a slot returns to Idle and can be requested again, a non-waiting    *)
(* driver can always request (or release), a waiter can always be            *)
(* interrupted, and a closed manager stutters.  So TLC's check can only fail  *)
(* on a modelling error; the real deadlock properties are NoDeadlock and the *)
(* oracle's OracleNoDeadlock below.                                          *)

-----------------------------------------------------------------------------
(* Properties: the model's own bookkeeping *)

TypeOK ==
  /\ st \in [Res -> {"Idle", "Waiting", "Alive"}]
  /\ holders \in [Res -> SUBSET Drivers]
  /\ owner \in [Res -> Drivers \cup {NoDriver}]
  /\ wmode \in [Res -> ReqModes \cup {"None"}]
  /\ emerg \in [Res -> Nat]
  /\ queue \in [Types -> Seq(Res)]
  /\ nameq \in [Names -> Seq(Res)]
  /\ usage \in [Types -> Nat]
  /\ ebytes \in [Types -> Nat]
  /\ dep \in [Res -> SUBSET Res]
  /\ pool \in [Types -> Nat]
  /\ closed \in BOOLEAN
  /\ \A r \in Res : (st[r] = "Idle") <=> (owner[r] = NoDriver)
  /\ \A r \in Res : (st[r] = "Waiting") <=> (wmode[r] # "None")
  /\ \A r \in Res : st[r] = "Idle" => dep[r] = Deps(r)
  /\ closed => \A r \in Res : st[r] = "Idle"

LiveBytes(t)     == SumOver(Size, {x \in AliveIn(Cur) : TypeOf(x) = t})
EmergencyOf(t)   == SumOver(LAMBDA x : emerg[x], {x \in AliveIn(Cur) : TypeOf(x) = t})
CriticalBytes(t) == SumOver(Size, {x \in AliveIn(Cur) : TypeOf(x) = t /\ Prio(x) = "Critical"})

\* Admission + "Emergency -> admitted over budget, counted in emergency stats": usage never
\* exceeds maxBytes except by emergency bytes, and the emergency bytes are exactly the overages
\* of the live emergency admissions.  (Not an invariant under Rebudget, which may lower a budget
\* below the live bytes; AdmitWithinLimit is the rule that holds there.)
BudgetSafe ==
  \A t \in Types :
    /\ ebytes[t] = EmergencyOf(t)
    /\ Budgeted(t) => usage[t] <= budget[t].max + ebytes[t]

\* "the reserve is for critical requests": usage beyond maxBytes - reservedBytes is covered by
\* live Critical resources and emergency bytes.  (Not under Rebudget, like BudgetSafe.)
ReserveOnlyForCritical ==
  \A t \in DOMAIN Budget :
    usage[t] <= budget[t].max - budget[t].reserved + CriticalBytes(t) + ebytes[t]

\* Sharing: bytes are counted once (pool capacity is charged as well); the resource is freed
\* when its last holder releases (and not before its live dependents); every holder's access
\* stays valid until then.
SharingSafe ==
  /\ \A t \in Types : usage[t] = LiveBytes(t) + pool[t]
  /\ \A r \in Res : holders[r] # {} => st[r] = "Alive"
  /\ AliveIn(Cur) \subseteq KeepAliveIn(Cur)   \* (one closure per state, not one per resource)

\* Names: names are unique among live resources (a type-queue waiter reserves its name).
NameExclusive ==
  \A x, y \in Res : (x # y /\ NameOf(x) # "" /\ NameOf(x) = NameOf(y)) =>
    ~((st[x] = "Alive" \/ (st[x] = "Waiting" /\ InTypeQ(Cur, x))) /\
      (st[y] = "Alive" \/ (st[y] = "Waiting" /\ InTypeQ(Cur, y))))

\* Dependencies: dependsOn edges point to live resources.
NoDanglingDependency ==
  \A r \in Res : st[r] # "Idle" => \A y \in dep[r] : st[y] = "Alive"

\* Queue order: every queue is ordered by priority; queues hold exactly the waiting requests,
\* each in one queue; one wait per sequential driver (a concurrent owner may have several).
QueuesWellFormed ==
  /\ \A t \in Types : \A i \in 1..(Len(queue[t]) - 1) : Rank(queue[t][i]) >= Rank(queue[t][i + 1])
  /\ \A n \in Names : \A i \in 1..(Len(nameq[n]) - 1) : Rank(nameq[n][i]) >= Rank(nameq[n][i + 1])
  /\ \A r \in Res : st[r] = "Waiting" <=>
        (InSeq(queue[TypeOf(r)], r) \/ (NameOf(r) # "" /\ InSeq(nameq[NameOf(r)], r)))
  /\ \A r \in Res : ~(InSeq(queue[TypeOf(r)], r) /\ NameOf(r) # "" /\ InSeq(nameq[NameOf(r)], r))
  /\ \A t \in Types : \A i, j \in 1..Len(queue[t]) : i # j => queue[t][i] # queue[t][j]
  /\ \A d \in Sequential : Cardinality({w \in WaitIn(Cur) : owner[w] = d}) <= 1
  /\ SeqSet(arr) = WaitIn(Cur) /\ Len(arr) = Cardinality(WaitIn(Cur))

\* Dependencies and deadlock, by the reduction itself: every driver can finish.
NoDeadlock == DeadlockFreeIn(Cur)

\* The usage bound: no type's usage ever exceeds MaxUsage (2^53 - 1 in the code, where a double
\* counts bytes exactly up to it), emergency admissions included.
UsageBounded == \A t \in Types : usage[t] <= MaxUsage

Invariants == TypeOK /\ BudgetSafe /\ ReserveOnlyForCritical /\ SharingSafe /\ NameExclusive /\
              NoDanglingDependency /\ QueuesWellFormed /\ NoDeadlock /\ UsageBounded

\* Emergency admission happens only when the request does not fit.
EmergencyOnlyWhenNotFitting ==
  [][\A r \in Res : (st[r] = "Idle" /\ st'[r] = "Alive" /\ emerg'[r] > 0) =>
                       usage[TypeOf(r)] + Size(r) > TypeLimit(TypeOf(r), Prio(r))]_vars

\* Queue order: no waiter is overtaken within its priority -- a waiter is admitted only when no
\* waiter ahead of it (in its queue, or of rank >= its own in its type queue for a name waiter) is
\* still waiting; a fresh request admitted while a waiter of rank >= its own waits in its type
\* queue must be an Emergency admission or a pool block's (charged nothing; no barging otherwise).
NoOvertaking ==
  [][/\ \A r \in Res : (st[r] = "Waiting" /\ st'[r] = "Alive") =>
          \A w \in WaitIn(Cur) \ {r} :
             /\ InSeq(queue[TypeOf(r)], r) /\ InSeq(queue[TypeOf(r)], w) => IndexOf(queue[TypeOf(r)], w) > IndexOf(queue[TypeOf(r)], r)
             /\ ~InTypeQ(Cur, r) => ~(InTypeQ(Cur, w) /\ TypeOf(w) = TypeOf(r) /\ Rank(w) >= Rank(r))
             /\ ~InTypeQ(Cur, r) /\ NameOf(w) = NameOf(r) /\ ~InTypeQ(Cur, w) => IndexOf(nameq[NameOf(r)], w) > IndexOf(nameq[NameOf(r)], r)
     /\ \A r \in Res : (st[r] = "Idle" /\ st'[r] = "Alive" /\ \E w \in SeqSet(queue[TypeOf(r)]) : Rank(w) >= Rank(r))
                        => \E d \in Drivers : \/ Acquire(d, r, "Emergency") \/ AcquireEmergency(d, r)
                                              \/ \E m \in ReqModes : AcquirePooled(d, r, m)]_vars

\* No barging past a name queue either (NoOvertaking reads the type queues): a fresh request for a
\* name that has waiters in its name queue (read from the slots) is neither admitted nor queued for
\* its bytes: it joins that name queue.
NoNameBarging ==
  [][\A r \in Res : (st[r] = "Idle" /\ st'[r] # "Idle" /\ Meta[r].name # ""
                     /\ \E w \in Res : st[w] = "Waiting" /\ Meta[w].name = Meta[r].name /\ ~InTypeQ(Cur, w))
                     => st'[r] = "Waiting" /\ InSeq(nameq'[Meta[r].name], r)]_vars

\* Liveness (under FairSpec).
\* Every Timeout waiter eventually returns (admitted or AcquireTimeout).
TimeoutWaitersReturn ==
  \A r \in Res : (st[r] = "Waiting" /\ wmode[r] = "Timeout") ~> (st[r] # "Waiting")

\* Every waiter eventually returns (is admitted, or leaves by its own timeout/interrupt) once
\* holders stop re-sharing and no new requests compete.  docs/semantics.md: "with unbounded
\* re-sharing a resource can be kept alive forever and a Blocking waiter starved"; see
\* spec/README.md for TLC's counterexamples to the versions without these premises.
\* (Stated on the variables, which is cheaper for TLC than negating the actions: Share is the only
\* step that adds a holder to a live resource; Acquire, AcquireEmergency and Enqueue are the only
\* steps that take a slot out of Idle.)
NoNewShares   == \A r \in Res : st[r] = "Alive" => holders'[r] \subseteq holders[r]
NoNewRequests == \A r \in Res : st[r] = "Idle" => st'[r] = "Idle"
WaitersAdmitted ==
  (<>[][NoNewShares /\ NoNewRequests]_vars) =>
     \A r \in Res : (st[r] = "Waiting") ~> (st[r] # "Waiting")
\* The same without the "no new requests" premise (only same-or-lower-priority traffic is
\* held back by no-barging; higher priority may overtake).
WaitersAdmittedUnlessResharing ==
  (<>[][NoNewShares]_vars) => \A r \in Res : (st[r] = "Waiting") ~> (st[r] # "Waiting")
\* The same without any premise: fails by endless re-sharing (documented limit).
WaitersAdmittedUnconditionally == \A r \in Res : (st[r] = "Waiting") ~> (st[r] # "Waiting")

-----------------------------------------------------------------------------
(* Independent properties.  Each restates a rule of docs/semantics.md from the *)
(* constants (Meta, Budget) and the variables, without the helper operators  *)
(* the actions use (Limit, Fits, Possible, NameBusy, KeepAliveIn, InsertByPrio, *)
(* the reduction); the order of arrival comes from the history variable arr. *)

\* limit(p), restated from a budget record.
LimitOf(b, p) == b.max - (IF p = "Critical" THEN 0 ELSE b.reserved)
\* Bytes of type t charged after the step, restated: live sizes plus pool capacity.
BytesAfter(t) == SumOver(Size, {x \in Res : st'[x] = "Alive" /\ Meta[x].type = t}) + pool'[t]
AdmittedNow(r) == st[r] # "Alive" /\ st'[r] = "Alive"

\* A non-emergency admission of priority p stays within limit(p) = maxBytes - reservedBytes.
AdmitWithinLimit ==
  [][\A r \in Res : (AdmittedNow(r) /\ emerg'[r] = 0 /\ Meta[r].type \in DOMAIN Budget /\ Meta[r].prio # "Critical")
                      => BytesAfter(Meta[r].type) <= budget[Meta[r].type].max - budget[Meta[r].type].reserved]_vars

\* A Critical admission (not Emergency) never goes beyond maxBytes.
CriticalWithinMax ==
  [][\A r \in Res : (AdmittedNow(r) /\ emerg'[r] = 0 /\ Meta[r].type \in DOMAIN Budget /\ Meta[r].prio = "Critical")
                      => BytesAfter(Meta[r].type) <= budget[Meta[r].type].max]_vars

\* Emergency: the overage of an admission (its emergency bytes) is the part of the request beyond
\* limit(p), restated: min(s, usage + s - limit(p)), and 0 when it fits (every admission but
\* AcquireEmergency's; a type without a budget has the usage bound for its limit).
LimitNow(r) == IF Meta[r].type \in DOMAIN Budget THEN LimitOf(budget[Meta[r].type], Meta[r].prio) ELSE MaxUsage
BytesBefore(t) == SumOver(Size, {x \in Res : st[x] = "Alive" /\ Meta[x].type = t}) + pool[t]
EmergencyOverageExact ==
  [][\A r \in Res : AdmittedNow(r) =>
       LET over == BytesBefore(Meta[r].type) + Meta[r].size - LimitNow(r)
       IN  emerg'[r] = IF over <= 0 THEN 0 ELSE IF over < Meta[r].size THEN over ELSE Meta[r].size]_vars

\* A budget change fails exactly the waiters of its type that can never fit the new budget
\* (size > limit(p), restated), with BudgetExceeded; a budget removal fails none (BudgetChanges).
RebudgetFailuresJustified ==
  [][(budget' # budget \/ fail'.op = "Rebudget") =>
       \A w \in Res : (st[w] = "Waiting" /\ st'[w] = "Idle") =>
          /\ fail'.op = "Rebudget" /\ fail'.err = "BudgetExceeded" /\ fail'.t = Meta[w].type
          /\ Meta[w].size > LimitOf(budget'[Meta[w].type], Meta[w].prio)]_vars

\* Budget changes (docs/semantics.md, section 4): a step that changes a type's budget installs one
\* that setBudget may set (Rebudgets) or removes it.  removeBudget makes the type's limit(p) the usage
\* bound for every p (restated: maxBytes - reservedBytes = maxBytes = MaxUsage) and fails no waiter
\* (every size is within the bound; the re-examination only admits).
BudgetChanges ==
  [][\A t \in DOMAIN Budget : budget'[t] # budget[t] =>
       \/ budget'[t] \in Rebudgets[t]
       \/ /\ \A p \in Priorities : LimitOf(budget'[t], p) = MaxUsage
          /\ \A w \in Res : st[w] = "Waiting" => st'[w] = "Waiting"]_vars

\* Pool growth is admitted like a NonBlocking Normal request: within maxBytes - reservedBytes and
\* with no waiter of rank >= Normal of its type (waiters read from the slots, not the queue).
PoolGrowWithinLimit ==
  [][\A t \in DOMAIN Budget : pool'[t] > pool[t] =>
       /\ BytesAfter(t) <= budget[t].max - budget[t].reserved
       /\ ~\E w \in Res : st[w] = "Waiting" /\ Meta[w].type = t /\ (Meta[w].name = "" \/ InSeq(queue[t], w))
                          /\ PriorityRank[Meta[w].prio] >= PriorityRank["Normal"]]_vars

\* FIFO within a priority: a waiter admitted from a queue has no waiter of the same priority in
\* the same queue that arrived before it (arrival order from the history arr).
Earlier(w, r) == IndexOf(arr, w) < IndexOf(arr, r)
SameQueue(w, r) ==
  IF InTypeQ(Cur, r) THEN InTypeQ(Cur, w) /\ Meta[w].type = Meta[r].type
  ELSE ~InTypeQ(Cur, w) /\ Meta[w].name = Meta[r].name
FifoWithinPriority ==
  [][\A r \in Res : (st[r] = "Waiting" /\ st'[r] = "Alive") =>
       \A w \in Res : (w # r /\ st[w] = "Waiting" /\ st'[w] = "Waiting" /\ Meta[w].prio = Meta[r].prio /\ SameQueue(w, r))
                        => ~Earlier(w, r)]_vars

\* Sharing: a driver becomes a holder of an existing resource only if it is Shareable and still
\* held (a released resource -- even one kept alive by dependents -- is never shared).
ShareableOnly ==
  [][\A r \in Res : (st[r] = "Alive" /\ holders'[r] \ holders[r] # {}) =>
                       Meta[r].shareable /\ holders[r] # {}]_vars

\* No resurrection: a resource released by every holder (kept alive by dependents) never gets a
\* holder or a new dependent again.
NoResurrection ==
  [][\A r \in Res : (st[r] = "Alive" /\ holders[r] = {}) =>
       /\ holders'[r] = {}
       /\ \A x \in Res : (r \notin dep[x] \/ st[x] = "Idle") /\ st'[x] # "Idle" => r \notin dep'[x]]_vars

\* An impossible request (size > limit(p), not Emergency) fails at once: it never waits (no waiter
\* stays that a budget change made impossible either), is refused only with BudgetExceeded, and
\* (while the budget is the initial one) is never admitted except by Emergency.
Impossible(r, b) == Meta[r].type \in DOMAIN b /\ Meta[r].size > LimitOf(b[Meta[r].type], Meta[r].prio)
ImpossibleFailsAtOnce ==
  /\ \A r \in Res : st[r] = "Waiting" => ~Impossible(r, budget)
  /\ budget = Budget => \A r \in Res : st[r] = "Alive" /\ emerg[r] = 0 => ~Impossible(r, budget)
  /\ (fail.op \in {"Reject", "RefuseDeadlock"} /\ fail.m # "Emergency" /\ Impossible(fail.r, budget))
        => fail.op = "Reject" /\ fail.err = "BudgetExceeded"

\* Names are exclusive across deferred releases: two live resources (with or without holders)
\* never share a name.
NamesExclusiveLive ==
  \A x, y \in Res : x # y /\ Meta[x].name # "" /\ Meta[x].name = Meta[y].name =>
                      ~(st[x] = "Alive" /\ st[y] = "Alive")

\* dependsOn never forms a cycle: every non-empty set of live or waiting slots has a member that
\* depends on none of the set (a cycle would be a set where each member depends on another).
DependencyAcyclic ==
  \A C \in SUBSET {x \in Res : st[x] # "Idle"} : C # {} => \E x \in C : dep[x] \cap C = {}

\* The same, by transitive closure (linear instead of exponential in the number of slots; for
\* Trace.tla, where a trace has hundreds of requests).
DependencyAcyclicByClosure == \A r \in Res : st[r] # "Idle" => r \notin DepClosureIn(Cur, dep[r])

\* A live resource without a holder is kept alive by a direct dependent that is live or waiting
\* (restated per edge; with acyclicity this is "freed exactly when nothing needs it").
NoOrphanDeferred ==
  \A x \in Res : (st[x] = "Alive" /\ holders[x] = {}) =>
     \E y \in Res : st[y] # "Idle" /\ x \in dep[y]

\* Close: afterwards nothing is live or waiting, only pool capacity is charged, and the leak report
\* lists each resource once: every resource that had a holder, and every dependency of a listed
\* one (and nothing else: each listed resource had a holder or a listed dependent), a dependent
\* before its dependencies.
CloseReleasesAll ==
  [][~closed /\ closed' =>
       LET L == SeqSet(leaks') IN
       /\ \A x \in Res : st'[x] = "Idle"
       /\ \A t \in Types : usage'[t] = pool'[t] /\ ebytes'[t] = 0
       /\ Len(leaks') = Cardinality(L)
       /\ \A x \in Res : st[x] = "Alive" /\ holders[x] # {} => x \in L
       /\ \A x \in L : dep[x] \subseteq L
       /\ \A x \in L : st[x] = "Alive" /\ (holders[x] # {} \/ \E y \in L : x \in dep[y])
       /\ \A i, j \in 1..Len(leaks') : i < j => leaks'[i] \notin dep[leaks'[j]]]_vars

-----------------------------------------------------------------------------
(* An independent deadlock oracle: a brute-force search over every order of  *)
(* grants, name moves and releases from a state S, which decides whether     *)
(* every waiter can be admitted.  Releases are made by the drivers that do   *)
(* not wait and by every concurrent owner (its tasks that do not wait); a    *)
(* sequential driver that waits releases nothing.  It does not use the       *)
(* reduction; its admission test is restated from the budget record.         *)
OFits(S, r) == S.usage[Meta[r].type] + Meta[r].size <=
                 IF Meta[r].type \in DOMAIN Budget THEN LimitOf(budget[Meta[r].type], Meta[r].prio) ELSE MaxUsage
ONameHeld(S, n) == \E x \in Res : Meta[x].name = n /\ (S.st[x] = "Alive" \/ (S.st[x] = "Waiting" /\ InTypeQ(S, x)))
ONameHead(S, r) == /\ ~InTypeQ(S, r) /\ S.nameq[Meta[r].name] # <<>> /\ Head(S.nameq[Meta[r].name]) = r
                   /\ ~ONameHeld(S, Meta[r].name)
OGrantable(S, r) ==
  IF InTypeQ(S, r) THEN Head(S.queue[Meta[r].type]) = r /\ OFits(S, r)
  ELSE /\ ONameHead(S, r) /\ OFits(S, r)
       /\ \A v \in SeqSet(S.queue[Meta[r].type]) : PriorityRank[Meta[v].prio] < PriorityRank[Meta[r].prio]
OGranted(S, r) ==
  LET S1 == IF InTypeQ(S, r) THEN [S EXCEPT !.queue[Meta[r].type] = Remove(@, r)]
                              ELSE [S EXCEPT !.nameq[Meta[r].name] = Remove(@, r)]
  IN  AdmitIn(S1, r, S.owner[r], 0)
OracleNext(S) ==
  LET W == WaitIn(S)
      free == {d \in Drivers : d \notin Sequential \/ ~\E w \in W : S.owner[w] = d}
  IN  {OGranted(S, r) : r \in {r \in W : OGrantable(S, r)}}
      \cup {MovedIn(S, r) : r \in {r \in W : ONameHead(S, r) /\ ~OGrantable(S, r)}}
      \cup {Settle([S EXCEPT !.holders[p[2]] = @ \ {p[1]}]) :
              p \in {p \in free \X AliveIn(S) : p[1] \in S.holders[p[2]]}}
RECURSIVE OExplore(_, _, _)
OExplore(Front, Seen, n) ==
  IF \E S \in Front : WaitIn(S) = {} THEN TRUE
  ELSE IF Front = {} \/ n = 0 THEN FALSE
  ELSE LET Seen2 == Seen \cup Front
       IN  OExplore(UNION {OracleNext(S) : S \in Front} \ Seen2, Seen2, n - 1)
\* Every waiter of S can be admitted in some order of the steps above.  (Each step removes a
\* holder, a waiter or a name waiter, so a path is at most that long.)
CanComplete(S) == OExplore({S}, {}, Cardinality(Res) * (Cardinality(Drivers) + 3))
\* The waiters of S that are admitted in some order of the same steps (all of them when S can
\* complete; the search stops as soon as each has been seen admitted).
RECURSIVE OAdm(_, _, _, _, _)
OAdm(W0, Front, Seen, Adm, n) ==
  LET Adm2 == Adm \cup {w \in W0 : \E S \in Front : S.st[w] # "Waiting"}
  IN  IF Adm2 = W0 \/ Front = {} \/ n = 0 THEN Adm2
      ELSE LET Seen2 == Seen \cup Front
           IN  OAdm(W0, UNION {OracleNext(S) : S \in Front} \ Seen2, Seen2, Adm2, n - 1)
OAdmittable(S) == OAdm(WaitIn(S), {S}, {}, {}, Cardinality(Res) * (Cardinality(Drivers) + 3))
\* A wait (or move, or share) from S0 to S1 strands someone: its own waiter r (0 for a share) is
\* never admitted from S1, or a waiter admitted from S0 no longer is.
OStrands(S0, S1, r) == LET A1 == OAdmittable(S1) IN (r # 0 /\ r \notin A1) \/ ~(OAdmittable(S0) \subseteq A1)

\* The oracle agrees with every accepted wait: in every reachable state every waiter can still be
\* admitted (so no Enqueue or name move the reduction accepted can deadlock).
OracleNoDeadlock == CanComplete(Cur)

\* ... and with every refusal: a wait (or a share to a waiting sequential driver) refused with
\* DeadlockDetected strands someone: the waiter itself could never be admitted, or a waiter that
\* could be admitted without it no longer can (in a state that is deadlocked already, the waiters
\* stuck there do not justify refusing an unrelated wait).
ONameBusy(r) == Meta[r].name # "" /\ \E x \in Res \ {r} : Meta[x].name = Meta[r].name /\ st[x] # "Idle"
DeadlockRefusalNecessary ==
  [][fail'.err = "DeadlockDetected" =>
       CASE fail'.op = "RefuseDeadlock"
              -> OStrands(Cur, EnqueuedIn(Cur, fail'.d, fail'.r, fail'.m, IF ONameBusy(fail'.r) THEN "name" ELSE "type"),
                          fail'.r)
         [] fail'.op = "RefuseShare" -> OStrands(Cur, [Cur EXCEPT !.holders[fail'.r] = @ \cup {fail'.d}], 0)
         [] OTHER -> OStrands(Unqueue(Cur, {fail'.r}), MovedIn(Cur, fail'.r), fail'.r)]_vars

\* ... and with every wait, move and share it accepts, in deadlocked states too (where
\* OracleNoDeadlock does not hold): none strands anyone.  (A share is checked only for a
\* sequential driver that waits.)
AcceptedWaitsStrandNoOne ==
  [][\A r \in Res :
       /\ (st[r] = "Idle" /\ st'[r] = "Waiting") => ~OStrands(Cur, Cur', r)
       /\ (st[r] = "Waiting" /\ ~InTypeQ(Cur, r) /\ st'[r] = "Waiting" /\ InSeq(queue'[Meta[r].type], r))
            => ~OStrands(Unqueue(Cur, {r}), Cur', r)
       /\ (st[r] = "Alive" /\ \E d \in Sequential : d \in holders'[r] \ holders[r] /\ \E w \in Res : st[w] = "Waiting" /\ owner[w] = d)
            => ~OStrands(Cur, Cur', 0)]_vars

\* Every other failure is justified, restated (a failure changes nothing else, so the state it is
\* reported in is the state it was decided in).
OFitsNow(r) == OFits(Cur, r)
OWaiterAtOrAbove(t, k) == \E w \in Res : /\ st[w] = "Waiting" /\ Meta[w].type = t /\ InTypeQ(Cur, w)
                                         /\ PriorityRank[Meta[w].prio] >= k
\* the smallest set containing b and closed under dependsOn contains a
Reaches(b, a) == \A C \in SUBSET Res : (b \in C /\ \A x \in C : dep[x] \subseteq C) => a \in C
FailuresJustified ==
  LET r == fail.r IN
  /\ fail.op = "Reject" =>
       \/ /\ fail.err = "BudgetExceeded" /\ fail.m # "Emergency"
          /\ \/ Impossible(r, budget)
             \/ fail.m = "NonBlocking" /\ (~OFitsNow(r) \/ OWaiterAtOrAbove(Meta[r].type, Rank(r)))
       \* an Emergency request is refused only past the usage bound (live sizes plus pool capacity)
       \/ /\ fail.err = "BudgetExceeded" /\ fail.m = "Emergency"
          /\ SumOver(Size, {x \in Res : st[x] = "Alive" /\ Meta[x].type = Meta[r].type}) + pool[Meta[r].type]
               + Meta[r].size > MaxUsage
       \/ fail.err = "ResourceBusy" /\ fail.m \in {"NonBlocking", "Emergency"} /\ ONameBusy(r)
  /\ fail.op = "RefuseDependency" => fail.err = "DependencyCycle" /\ Reaches(fail.n, r)
  \* a budget change fails waiters of a budgeted type with BudgetExceeded (which ones: the action
  \* property RebudgetFailuresJustified)
  /\ fail.op = "Rebudget" => fail.err = "BudgetExceeded" /\ fail.t \in DOMAIN Budget
  \* a share is checked (and so refused) only for a sequential driver with a request waiting
  /\ fail.op = "RefuseShare" =>
       /\ fail.err = "DeadlockDetected" /\ fail.d \in Sequential
       /\ \E w \in Res : st[w] = "Waiting" /\ owner[w] = fail.d
       /\ Meta[r].shareable /\ st[r] = "Alive" /\ holders[r] # {} /\ fail.d \notin holders[r]
  /\ fail.op = "RefusePoolGrow" =>
       \/ SumOver(Size, {x \in Res : st[x] = "Alive" /\ Meta[x].type = fail.t}) + pool[fail.t] + fail.n
            > budget[fail.t].max - budget[fail.t].reserved
       \/ OWaiterAtOrAbove(fail.t, PriorityRank["Normal"])

-----------------------------------------------------------------------------
(* Witnesses.  Each is an invariant whose violation is EXPECTED: it says that *)
(* a situation is never reached, and `npm run spec` fails a config in which   *)
(* one of its witnesses holds (the config would check nothing there).         *)
W_DepChain2      == ~\E x, y, z \in Res : st[x] # "Idle" /\ y \in dep[x] /\ z \in dep[y]
W_DeferredNamed  == ~\E x \in Res : st[x] = "Alive" /\ holders[x] = {} /\ Meta[x].name # ""
W_Deferred       == ~\E x \in Res : st[x] = "Alive" /\ holders[x] = {}
\* (Blocking or Timeout: where the rule bites, the request would otherwise wait.)
W_ImpossibleRejected == ~(fail.op = "Reject" /\ fail.m \in {"Blocking", "Timeout"} /\ Impossible(fail.r, budget))
W_NonBlockingRejected == ~(fail.op = "Reject" /\ fail.m = "NonBlocking")
W_BusyRejected   == fail.err # "ResourceBusy"
W_EqualPrioWaiters == ~\E v, w \in Res : v # w /\ st[v] = "Waiting" /\ st[w] = "Waiting" /\ InTypeQ(Cur, v)
                        /\ InTypeQ(Cur, w) /\ Meta[v].type = Meta[w].type /\ Meta[v].prio = Meta[w].prio
W_DeadlockRefused == fail.op # "RefuseDeadlock"
\* a wait refused in a state that is deadlocked already (the refusal is judged by what the wait adds)
W_RefusedBesideDeadlock == ~(fail.op = "RefuseDeadlock" /\ ~DeadlockFreeIn(Cur))
W_NameDeadlockRefused == ~(fail.op = "RefuseDeadlock" /\ ONameBusy(fail.r))
W_NameMoveRefused == fail.op # "RefuseDeadlockFromName"
W_NameMoved      == ~\E w \in Res : st[w] = "Waiting" /\ Meta[w].name # "" /\ InTypeQ(Cur, w)
W_NameWait       == \A n \in Names : nameq[n] = <<>>
W_Emergency      == \A t \in Types : ebytes[t] = 0
\* (the reserve used by a Critical admission, not by emergency bytes alone)
W_ReserveUsed    == ~\E t \in DOMAIN Budget :
                      /\ usage[t] - ebytes[t] > budget[t].max - budget[t].reserved
                      /\ \E x \in Res : st[x] = "Alive" /\ TypeOf(x) = t /\ Prio(x) = "Critical" /\ emerg[x] = 0
W_WaiterWithDeps == ~\E w \in Res : st[w] = "Waiting" /\ dep[w] # {}
W_TwoTypesLive   == ~\E v, w \in Res : st[v] = "Alive" /\ st[w] = "Alive" /\ Meta[v].type # Meta[w].type
W_TwoTypesWaiting == ~\E v, w \in Res : st[v] = "Waiting" /\ st[w] = "Waiting" /\ Meta[v].type # Meta[w].type
W_TimeoutWaiter  == ~\E w \in Res : st[w] = "Waiting" /\ wmode[w] = "Timeout"
W_Shared         == ~\E x \in Res : Cardinality(holders[x]) >= 2
W_Leaks2         == ~(closed /\ Len(leaks) >= 2)
W_ClosedWithDeps == ~(closed /\ \E i, j \in 1..Len(leaks) : leaks[j] \in Deps(leaks[i]))
W_DependencyAdded == \A x \in Res : dep[x] = Deps(x)
\* an addDependency whose dependent is deferred (released by every holder, kept alive by a dependent)
WA_DeferredDependentEdge == ~\E a, b \in Res : AddDependency(NoDriver, a, b)
W_CycleRefused   == fail.op # "RefuseDependency"
W_RebudgetFailed == fail.op # "Rebudget"
W_PoolRefused    == fail.op # "RefusePoolGrow"
W_PoolWithWaiter == ~\E t \in DOMAIN Budget : pool[t] > 0 /\ queue[t] # <<>>
W_Lowered        == budget = Budget
W_ConcurrentWaitsHolding == ~\E w, x \in Res : st[w] = "Waiting" /\ owner[w] \notin Sequential /\ owner[w] \in holders[x]
W_SequentialWaitsHolding == ~\E w, x \in Res : st[w] = "Waiting" /\ owner[w] \in Sequential /\ owner[w] \in holders[x]
W_ConcurrentTwoWaits == ~\E v, w \in Res : v # w /\ st[v] = "Waiting" /\ st[w] = "Waiting" /\ owner[v] = owner[w]
W_ConcurrentRefused  == ~(fail.op = "RefuseDeadlock" /\ fail.d \notin Sequential)
W_ShareRefused   == fail.op # "RefuseShare"
W_UsageBoundRefused == ~(fail.op = "Reject" /\ fail.m = "Emergency" /\ fail.err = "BudgetExceeded")
W_UnbudgetedWait == ~\E w \in Res : st[w] = "Waiting" /\ Meta[w].type \notin DOMAIN Budget
\* a type whose budget was removed holds more than its initial limit(Normal) without emergency bytes
W_UnbudgetedPastOldLimit == ~\E t \in DOMAIN Budget : budget[t] = NoBudget /\ usage[t] - ebytes[t] > LimitOf(Budget[t], "Normal")

(* Step witnesses: the same for a step (an action formula).  `npm run spec`  *)
(* checks them as an action constraint of the witness run.                   *)
WA_ConcurrentReleaseWhileWaiting == ~\E d \in Drivers \ Sequential, r \in Res : Waiting(d) /\ Release(d, r)
WA_ShareToWaitingConcurrent == ~\E d \in Drivers \ Sequential, r \in Res : Waiting(d) /\ Share(d, r)
WA_ShareToWaitingSequential == ~\E d \in Sequential, r \in Res : Waiting(d) /\ Share(d, r)
\* a wait accepted beside a deadlock that exists already (one it neither joins nor extends)
WA_WaitBesideDeadlock == ~\E d \in Drivers, r \in Res, m \in ReqModes : ~DeadlockFreeIn(Cur) /\ Enqueue(d, r, m)
\* a budget removal after which a type-queue waiter that did not fit fits (the re-examination grants it)
WA_UnbudgetAdmits == ~\E t \in DOMAIN Budget : Unbudget(t) /\
                        \E w \in Res : /\ st[w] = "Waiting" /\ TypeOf(w) = t /\ InTypeQ(Cur, w) /\ ~Fits(w)
                                      /\ usage'[t] + Size(w) <= LimitOf(budget'[t], Prio(w))

=============================================================================
