--------------------------- MODULE ResourceManager ---------------------------
(***************************************************************************)
(* Flight HAL resource management: the semantics of /DESIGN.md ("Semantics") *)
(* as a TLA+ state machine.  Every action is named like the transition     *)
(* function of the TypeScript core (packages/resources/src/internal/) that  *)
(* implements it: Acquire, AcquireEmergency, Reject, Enqueue,              *)
(* RefuseDeadlock, EnqueueFromName, RefuseDeadlockFromName, Grant,         *)
(* Timeout, Interrupt, Release, Share, Reclaim.                            *)
(*                                                                         *)
(* Modelling choices (see spec/README.md for the discussion):              *)
(*  - Res is a finite set of request slots with static metadata Meta[r].   *)
(*    A slot cycles Idle -> (Waiting ->) Alive -> Idle and may be          *)
(*    requested again, so the state space is finite and has no terminal   *)
(*    state (see "Deadlock check" below).                                  *)
(*  - A driver is one sequential process: while one of its requests waits *)
(*    it makes no request, release or share, and nothing is shared to it. *)
(*    This is exactly the assumption of the Work/Finish reduction ("a      *)
(*    driver that is not waiting is assumed to release all it holds").     *)
(*  - Reject and RefuseDeadlock leave the state unchanged (failure         *)
(*    counters are not modelled): they are stuttering steps whose guards   *)
(*    say exactly when the manager may fail a request.                     *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets, FlightHalTables

CONSTANTS
  Drivers,   \* driver ids
  Res,       \* request / resource slots
  Meta,      \* [Res -> [type, size, prio, name, shareable, reclaimable, deps]]; name "" = unnamed
  Budget,    \* [BudgetedTypes -> [max, reserved]]; a type outside DOMAIN Budget is unlimited
  ReqModes,  \* the acquisition modes drivers use in this model (a subset of Modes)
  NoDriver   \* a value that is not a driver

TypeOf(r) == Meta[r].type
Size(r)   == Meta[r].size
Prio(r)   == Meta[r].prio
Rank(r)   == PriorityRank[Meta[r].prio]
NameOf(r) == Meta[r].name
Deps(r)   == Meta[r].deps
Types     == {Meta[r].type : r \in Res} \cup DOMAIN Budget
Names     == {Meta[r].name : r \in Res} \ {""}
Budgeted(t) == t \in DOMAIN Budget

\* DESIGN.md Admission: limit(p) = maxBytes - reservedBytes, except p = Critical: maxBytes.
Limit(t, p) == IF p = "Critical" THEN Budget[t].max ELSE Budget[t].max - Budget[t].reserved

Min(a, b) == IF a < b THEN a ELSE b

RECURSIVE SumOver(_, _)
SumOver(f(_), S) == IF S = {} THEN 0
                    ELSE LET x == CHOOSE x \in S : TRUE IN f(x) + SumOver(f, S \ {x})

\* Transitive dependsOn closure (downwards) of a set of slots, static.
RECURSIVE DownN(_, _)
DownN(X, n) == LET Y == X \cup UNION {Deps(x) : x \in X}
               IN  IF Y = X \/ n = 0 THEN Y ELSE DownN(Y, n - 1)
DepClosure(X) == DownN(X, Cardinality(Res))

ASSUME /\ Meta \in [Res -> [type : ResourceTypes, size : Nat, prio : Priorities, name : STRING,
                            shareable : BOOLEAN, reclaimable : BOOLEAN, deps : SUBSET Res]]
       /\ \A r \in Res : r \notin DepClosure(Deps(r))     \* dependsOn is acyclic (DependencyCycle)
       /\ \A t \in DOMAIN Budget : 0 <= Budget[t].reserved /\ Budget[t].reserved <= Budget[t].max
       /\ ReqModes \subseteq Modes
       /\ NoDriver \notin Drivers

-----------------------------------------------------------------------------
VARIABLES
  st,       \* [Res -> {"Idle", "Waiting", "Alive"}]; Alive with no holder = deferred release
  holders,  \* [Res -> SUBSET Drivers]
  owner,    \* [Res -> Drivers \cup {NoDriver}]: requester of a waiting request, first holder of a live one
  wmode,    \* [Res -> ReqModes \cup {"None"}]: mode of a waiting request
  emerg,    \* [Res -> Nat]: the overage of a live resource admitted by AcquireEmergency
  queue,    \* [Types -> Seq(Res)]: per-type wait queue, higher priority first, FIFO within a priority
  nameq,    \* [Names -> Seq(Res)]: waiters for a live name, same order
  usage,    \* [Types -> Nat]: bytes of the live resources of each type
  ebytes    \* [Types -> Nat]: emergency bytes of each type

vars == <<st, holders, owner, wmode, emerg, queue, nameq, usage, ebytes>>

\* The whole state as a record, so hypothetical successor states can be built and examined.
Cur == [st |-> st, holders |-> holders, owner |-> owner, wmode |-> wmode, emerg |-> emerg,
        queue |-> queue, nameq |-> nameq, usage |-> usage, ebytes |-> ebytes]
Goto(S) == /\ st' = S.st /\ holders' = S.holders /\ owner' = S.owner /\ wmode' = S.wmode
           /\ emerg' = S.emerg /\ queue' = S.queue /\ nameq' = S.nameq /\ usage' = S.usage
           /\ ebytes' = S.ebytes

Init == /\ st = [r \in Res |-> "Idle"]
        /\ holders = [r \in Res |-> {}]
        /\ owner = [r \in Res |-> NoDriver]
        /\ wmode = [r \in Res |-> "None"]
        /\ emerg = [r \in Res |-> 0]
        /\ queue = [t \in Types |-> <<>>]
        /\ nameq = [n \in Names |-> <<>>]
        /\ usage = [t \in Types |-> 0]
        /\ ebytes = [t \in Types |-> 0]

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

\* DESIGN.md Admission: fits <=> usage(t) + s <= limit(p); a type with no budget is unlimited.
FitsIn(S, r)  == ~Budgeted(TypeOf(r)) \/ S.usage[TypeOf(r)] + Size(r) <= Limit(TypeOf(r), Prio(r))
\* DESIGN.md: a request with s > limit(p) can never fit.
Possible(r)   == ~Budgeted(TypeOf(r)) \/ Size(r) <= Limit(TypeOf(r), Prio(r))
\* No barging: no waiter of rank >= p in the type queue (a new request enters behind them).
NoneAheadIn(S, r) == \A x \in SeqSet(S.queue[TypeOf(r)]) : x # r => Rank(x) < Rank(r)
\* A name is held by a live resource (deferred releases included) or reserved by a request
\* waiting in a type queue.
NameHeldIn(S, n) == \E x \in Res : NameOf(x) = n /\ (S.st[x] = "Alive" \/ (S.st[x] = "Waiting" /\ InTypeQ(S, x)))
\* A new request finds its name busy when it is held or has waiters.
NameBusyIn(S, r) == NameOf(r) # "" /\ (NameHeldIn(S, NameOf(r)) \/ S.nameq[NameOf(r)] # <<>>)
\* DESIGN.md Dependencies: dependsOn edges point to live resources (at least one holder).
DepsLiveIn(S, r) == \A y \in Deps(r) : S.st[y] = "Alive" /\ S.holders[y] # {}

Fits(r)      == FitsIn(Cur, r)
NoneAhead(r) == NoneAheadIn(Cur, r)
NameBusy(r)  == NameBusyIn(Cur, r)
Waiting(d)   == IsWaiting(Cur, d)

-----------------------------------------------------------------------------
(* Freeing.  A live resource stays alive while it has a holder, or while a    *)
(* live resource or a waiting request depends on it (deferred release).       *)
(* Everything else that is live is freed: usage and emergency bytes drop, the *)
(* name is released, the slot returns to Idle.  This one rule is the          *)
(* last-holder release and the cascade of deferred releases.                  *)
KeepAliveIn(S) == DepClosure({x \in AliveIn(S) : S.holders[x] # {}} \cup UNION {Deps(w) : w \in WaitIn(S)})
Settle(S) ==
  LET freed == AliveIn(S) \ KeepAliveIn(S)
      gone(t) == {x \in freed : TypeOf(x) = t}
  IN [S EXCEPT !.st     = [x \in Res |-> IF x \in freed THEN "Idle" ELSE S.st[x]],
               !.owner  = [x \in Res |-> IF x \in freed THEN NoDriver ELSE S.owner[x]],
               !.emerg  = [x \in Res |-> IF x \in freed THEN 0 ELSE S.emerg[x]],
               !.usage  = [t \in Types |-> S.usage[t] - SumOver(Size, gone(t))],
               !.ebytes = [t \in Types |-> S.ebytes[t] - SumOver(LAMBDA x : S.emerg[x], gone(t))]]

Freed(S, T) == {x \in Res : S.st[x] = "Alive" /\ T.st[x] = "Idle"}

-----------------------------------------------------------------------------
(* The deadlock check: Silberschatz's Work/Finish reduction over drivers,     *)
(* queue-aware.  F is a set of drivers assumed to finish (release all they    *)
(* hold).  Drivers that do not wait start in F.  A waiting driver joins F     *)
(* when its request could be granted with only the drivers in F having        *)
(* released: every waiter ahead of it in its queue belongs to F, its name is  *)
(* not held by anyone outside F, and its bytes fit once the resources whose   *)
(* every holder -- and every holder of a live dependent, and the driver of    *)
(* every waiting dependent -- is in F have returned their bytes.              *)
RECURSIVE UpN(_, _, _)
UpN(S, X, n) == LET Y == X \cup {x \in AliveIn(S) \cup WaitIn(S) : Deps(x) \cap X # {}}
                IN  IF Y = X \/ n = 0 THEN Y ELSE UpN(S, Y, n - 1)
\* The drivers that must all finish before x's bytes and name return.
ReturnDrivers(S, x) ==
  LET U == UpN(S, {x}, Cardinality(Res))
  IN  UNION {S.holders[y] : y \in U \cap AliveIn(S)} \cup {S.owner[y] : y \in U \cap WaitIn(S)}

CanFinish(S, RD, d, F) ==
  LET w  == CHOOSE w \in WaitIn(S) : S.owner[w] = d
      t  == TypeOf(w)
      n  == NameOf(w)
      returned == {x \in AliveIn(S) : TypeOf(x) = t /\ RD[x] \subseteq F}
      bytesOK  == ~Budgeted(t) \/ S.usage[t] - SumOver(Size, returned) + Size(w) <= Limit(t, Prio(w))
  IN  IF InTypeQ(S, w)
      THEN /\ \A v \in AheadOf(S.queue[t], w) : S.owner[v] \in F
           /\ bytesOK
      ELSE /\ \A v \in AheadOf(S.nameq[n], w) : S.owner[v] \in F
           /\ \A x \in AliveIn(S) : NameOf(x) = n => RD[x] \subseteq F
           /\ \A v \in WaitIn(S) : (NameOf(v) = n /\ InTypeQ(S, v)) => S.owner[v] \in F
           /\ \A v \in SeqSet(S.queue[t]) : Rank(v) >= Rank(w) => S.owner[v] \in F
           /\ bytesOK

RECURSIVE FinishFix(_, _, _, _)
FinishFix(S, RD, F, n) ==
  LET F2 == F \cup {d \in Drivers \ F : CanFinish(S, RD, d, F)}
  IN  IF F2 = F \/ n = 0 THEN F2 ELSE FinishFix(S, RD, F2, n - 1)

Finishable(S) ==
  LET RD == [x \in AliveIn(S) |-> ReturnDrivers(S, x)]
  IN  FinishFix(S, RD, {d \in Drivers : ~IsWaiting(S, d)}, Cardinality(Drivers))
DeadlockFreeIn(S) == Finishable(S) = Drivers
StuckDrivers(S)   == Drivers \ Finishable(S)

-----------------------------------------------------------------------------
(* Actions *)

\* A fresh request (d, r, m): r is idle, d is not waiting, r's dependencies are live.
\* (A request naming a dependency that is not live fails validation and changes nothing.)
Fresh(d, r, m) == /\ st[r] = "Idle" /\ ~Waiting(d) /\ m \in ReqModes /\ DepsLiveIn(Cur, r)

Overage(r) == Min(Size(r), usage[TypeOf(r)] + Size(r) - Limit(TypeOf(r), Prio(r)))

AdmitIn(S, r, d, ov) ==
  [S EXCEPT !.st[r] = "Alive", !.holders[r] = {d}, !.owner[r] = d, !.wmode[r] = "None",
            !.emerg[r] = ov, !.usage[TypeOf(r)] = @ + Size(r), !.ebytes[TypeOf(r)] = @ + ov]

\* DESIGN.md Admission: a request that fits and has no earlier waiter of its type ahead of it
\* is admitted; its owner becomes the first holder. An Emergency request never waits: when it
\* fits it is admitted here even past waiters.
Acquire(d, r, m) ==
  /\ Fresh(d, r, m)
  /\ ~NameBusy(r)
  /\ Fits(r)
  /\ NoneAhead(r) \/ m = "Emergency"
  /\ Goto(AdmitIn(Cur, r, d, 0))

\* DESIGN.md Admission: Emergency -> admitted over budget, counted in emergency stats.
\* The overage is the part of the request beyond limit(p).
AcquireEmergency(d, r) ==
  /\ Fresh(d, r, "Emergency")
  /\ ~NameBusy(r)
  /\ ~Fits(r)
  /\ Goto(AdmitIn(Cur, r, d, Overage(r)))

\* Why a fresh request fails at once, or "none".
RejectReason(r, m) ==
  IF m # "Emergency" /\ ~Possible(r) THEN "BudgetExceeded"            \* never fits
  ELSE IF NameBusy(r) THEN (IF m \in {"NonBlocking", "Emergency"} THEN "ResourceBusy" ELSE "none")
  ELSE IF m = "NonBlocking" /\ ~(Fits(r) /\ NoneAhead(r)) THEN "BudgetExceeded"
  ELSE "none"

Reject(d, r, m) ==
  /\ Fresh(d, r, m)
  /\ RejectReason(r, m) # "none"
  /\ UNCHANGED vars

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

\* DESIGN.md: Blocking/Timeout requests that cannot be admitted wait (type queue for bytes,
\* name queue for a live name) -- unless the wait would deadlock.
Enqueue(d, r, m) ==
  /\ Fresh(d, r, m)
  /\ WaitKind(r, m) # "none"
  /\ DeadlockFreeIn(EnqueuedIn(Cur, d, r, m, WaitKind(r, m)))
  /\ Goto(EnqueuedIn(Cur, d, r, m, WaitKind(r, m)))

\* DESIGN.md Dependencies and deadlock: before a request starts waiting, add it and run the
\* reduction: if any driver could then never finish, fail with DeadlockDetected instead.
RefuseDeadlock(d, r, m) ==
  /\ Fresh(d, r, m)
  /\ WaitKind(r, m) # "none"
  /\ ~DeadlockFreeIn(EnqueuedIn(Cur, d, r, m, WaitKind(r, m)))
  /\ UNCHANGED vars

\* A waiter leaves its queue holding nothing; dependencies it kept alive may now be freed.
LeaveIn(S, r) ==
  LET S1 == [S EXCEPT !.st[r] = "Idle", !.owner[r] = NoDriver, !.wmode[r] = "None",
                      !.queue[TypeOf(r)] = Remove(@, r)]
  IN  IF NameOf(r) = "" THEN Settle(S1)
      ELSE Settle([S1 EXCEPT !.nameq[NameOf(r)] = Remove(@, r)])

\* The head of a name queue whose name is no longer held.
NameReady(r) == /\ st[r] = "Waiting" /\ NameOf(r) # "" /\ ~InTypeQ(Cur, r)
                /\ nameq[NameOf(r)] # <<>> /\ Head(nameq[NameOf(r)]) = r
                /\ ~NameHeldIn(Cur, NameOf(r))

\* A name waiter whose name became free but whose bytes cannot be admitted yet starts a new wait:
\* for its bytes, in its type queue (from then on it reserves the name).  DESIGN.md: before a
\* request starts waiting, add it and run the reduction.  The move can put the waiter ahead of a
\* lower-priority type waiter whose driver holds the bytes it needs
\* (spec/traces/bad-name-move-deadlock-L8.ndjson), so it is checked like a fresh wait.
NameMoveGuard(r) == NameReady(r) /\ ~(Fits(r) /\ NoneAhead(r))
MovedIn(S, r) == [S EXCEPT !.queue[TypeOf(r)] = InsertByPrio(@, r), !.nameq[NameOf(r)] = Tail(@)]

\* The move passes the reduction: recorded as a second Enqueue.
EnqueueFromName(r) ==
  /\ NameMoveGuard(r)
  /\ DeadlockFreeIn(MovedIn(Cur, r))
  /\ Goto(MovedIn(Cur, r))

\* The move fails the reduction: the waiter fails with DeadlockDetected and leaves its name queue
\* holding nothing (like a timeout).  TS: refuseDeadlockFromName; recorded as RefuseDeadlock of
\* the waiting request.
RefuseDeadlockFromName(r) ==
  /\ NameMoveGuard(r)
  /\ ~DeadlockFreeIn(MovedIn(Cur, r))
  /\ Goto(LeaveIn(Cur, r))

\* DESIGN.md Queue order: higher priority first, FIFO within a priority; the head waiter that
\* now fits is admitted.
GrantGuard(r) ==
  /\ st[r] = "Waiting"
  /\ \/ InTypeQ(Cur, r) /\ Head(queue[TypeOf(r)]) = r /\ Fits(r)
     \/ NameReady(r) /\ Fits(r) /\ NoneAhead(r)

Grant(r) ==
  /\ GrantGuard(r)
  /\ LET S1 == IF InTypeQ(Cur, r) THEN [Cur EXCEPT !.queue[TypeOf(r)] = Remove(@, r)]
                                   ELSE [Cur EXCEPT !.nameq[NameOf(r)] = Remove(@, r)]
     IN  Goto(AdmitIn(S1, r, owner[r], 0))

\* Environment: a Timeout waiter's clock runs out (AcquireTimeout).
Timeout(r) == /\ st[r] = "Waiting" /\ wmode[r] = "Timeout" /\ Goto(LeaveIn(Cur, r))

\* Environment: a waiter's fiber is interrupted.
Interrupt(r) == /\ st[r] = "Waiting" /\ Goto(LeaveIn(Cur, r))

\* DESIGN.md Sharing/Release: the resource is freed when its last holder releases and no live
\* dependent remains; then deferred releases of its dependencies cascade.
Release(d, r) ==
  /\ st[r] = "Alive" /\ d \in holders[r] /\ ~Waiting(d)
  /\ Goto(Settle([Cur EXCEPT !.holders[r] = @ \ {d}]))

\* DESIGN.md Sharing: a driver not holding a live (at least one holder) Shareable resource
\* becomes a holder; bytes are counted once.
Share(d, r) ==
  /\ st[r] = "Alive" /\ holders[r] # {} /\ Meta[r].shareable /\ d \notin holders[r] /\ ~Waiting(d)
  /\ holders' = [holders EXCEPT ![r] = @ \cup {d}]
  /\ UNCHANGED <<st, owner, wmode, emerg, queue, nameq, usage, ebytes>>

\* Environment: a reclamation callback releases a reclaimable resource on its owner's behalf.
Reclaim(r) ==
  /\ st[r] = "Alive" /\ Meta[r].reclaimable /\ owner[r] \in holders[r]
  /\ Goto(Settle([Cur EXCEPT !.holders[r] = @ \ {owner[r]}]))

\* The steps that change the state.
Progress ==
  \/ \E d \in Drivers, r \in Res, m \in ReqModes : Acquire(d, r, m) \/ Enqueue(d, r, m)
  \/ \E d \in Drivers, r \in Res : AcquireEmergency(d, r) \/ Release(d, r) \/ Share(d, r)
  \/ \E r \in Res : Grant(r) \/ EnqueueFromName(r) \/ RefuseDeadlockFromName(r) \/ Timeout(r) \/ Interrupt(r)
  \/ \E r \in Res : Reclaim(r)

\* The failures: stuttering steps (UNCHANGED vars).
Failure == \E d \in Drivers, r \in Res, m \in ReqModes : Reject(d, r, m) \/ RefuseDeadlock(d, r, m)

Next == Progress \/ Failure

(* Fairness.  Strong fairness of each grant (as in the tlaplus/Examples     *)
(* allocators) and of the move from a name queue (or its refusal); weak fairness of every    *)
(* holder's release (the reduction's assumption: a driver that does not wait *)
(* eventually releases what it holds) and of every timeout (a Timeout        *)
(* waiter's clock runs).  Requests, shares, interrupts and reclamation are   *)
(* not fair: they may never happen.                                          *)
Fairness ==
  /\ \A r \in Res : SF_vars(Grant(r)) /\ SF_vars(EnqueueFromName(r)) /\ SF_vars(RefuseDeadlockFromName(r))
  /\ \A r \in Res : WF_vars(Timeout(r))
  /\ \A d \in Drivers, r \in Res : WF_vars(Release(d, r))

Spec     == Init /\ [][Next]_vars
FairSpec == Spec /\ Fairness

\* What TLC checks.  Failure steps are stuttering steps, so [Next]_vars = [Progress]_vars and
\* these are Spec and FairSpec; leaving Failure out spares TLC evaluating its guards (the
\* deadlock reduction) in every state.  Trace.tla checks the Failure steps' guards line by line.
SpecTLC     == Init /\ [][Progress]_vars
FairSpecTLC == SpecTLC /\ Fairness

(* Deadlock check.  TLC's deadlock check stays on.  The model has no terminal *)
(* state: a slot returns to Idle and can be requested again, a non-waiting    *)
(* driver can always request (or release), and a waiter can always be         *)
(* interrupted.  So TLC's check can only fail on a modelling error; the real  *)
(* deadlock property is the invariant NoDeadlock below.                       *)

-----------------------------------------------------------------------------
(* Properties *)

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
  /\ \A r \in Res : (st[r] = "Idle") <=> (owner[r] = NoDriver)
  /\ \A r \in Res : (st[r] = "Waiting") <=> (wmode[r] # "None")

LiveBytes(t)     == SumOver(Size, {x \in AliveIn(Cur) : TypeOf(x) = t})
EmergencyOf(t)   == SumOver(LAMBDA x : emerg[x], {x \in AliveIn(Cur) : TypeOf(x) = t})
CriticalBytes(t) == SumOver(Size, {x \in AliveIn(Cur) : TypeOf(x) = t /\ Prio(x) = "Critical"})

\* DESIGN.md Admission + "Emergency -> admitted over budget, counted in emergency stats":
\* usage never exceeds maxBytes except by emergency bytes, and the emergency bytes are exactly
\* the overages of the live emergency admissions.
BudgetSafe ==
  \A t \in Types :
    /\ ebytes[t] = EmergencyOf(t)
    /\ Budgeted(t) => usage[t] <= Budget[t].max + ebytes[t]

\* DESIGN.md "the reserve is for critical requests": usage beyond maxBytes - reservedBytes is
\* covered by live Critical resources and emergency bytes.
ReserveOnlyForCritical ==
  \A t \in DOMAIN Budget :
    usage[t] <= Budget[t].max - Budget[t].reserved + CriticalBytes(t) + ebytes[t]

\* DESIGN.md Sharing: bytes are counted once; the resource is freed when its last holder
\* releases (and, DESIGN.md Dependencies, not before its live dependents); every holder's
\* access stays valid until then.
SharingSafe ==
  /\ \A t \in Types : usage[t] = LiveBytes(t)
  /\ \A r \in Res : holders[r] # {} => st[r] = "Alive"
  /\ \A r \in Res : st[r] = "Alive" => r \in KeepAliveIn(Cur)

\* DESIGN.md Names: names are unique among live resources (a type-queue waiter reserves its name).
NameExclusive ==
  \A x, y \in Res : (x # y /\ NameOf(x) # "" /\ NameOf(x) = NameOf(y)) =>
    ~((st[x] = "Alive" \/ (st[x] = "Waiting" /\ InTypeQ(Cur, x))) /\
      (st[y] = "Alive" \/ (st[y] = "Waiting" /\ InTypeQ(Cur, y))))

\* DESIGN.md Dependencies: dependsOn edges point to live resources; a resource with live
\* dependents is not freed before them.
NoDanglingDependency ==
  \A r \in Res : st[r] # "Idle" => \A y \in Deps(r) : st[y] = "Alive"

\* DESIGN.md: dependsOn edges never form a cycle (DependencyCycle): no live resource or
\* waiting request reaches itself through dependsOn.
DependencyAcyclic ==
  \A r \in AliveIn(Cur) \cup WaitIn(Cur) : r \notin DepClosure(Deps(r))

\* DESIGN.md Queue order: every queue is ordered by priority (FIFO within a priority is the
\* insertion rule InsertByPrio); queues hold exactly the waiting requests, each in one queue.
QueuesWellFormed ==
  /\ \A t \in Types : \A i \in 1..(Len(queue[t]) - 1) : Rank(queue[t][i]) >= Rank(queue[t][i + 1])
  /\ \A n \in Names : \A i \in 1..(Len(nameq[n]) - 1) : Rank(nameq[n][i]) >= Rank(nameq[n][i + 1])
  /\ \A r \in Res : st[r] = "Waiting" <=>
        (InSeq(queue[TypeOf(r)], r) \/ (NameOf(r) # "" /\ InSeq(nameq[NameOf(r)], r)))
  /\ \A r \in Res : ~(InSeq(queue[TypeOf(r)], r) /\ NameOf(r) # "" /\ InSeq(nameq[NameOf(r)], r))
  /\ \A t \in Types : \A i, j \in 1..Len(queue[t]) : i # j => queue[t][i] # queue[t][j]
  /\ \A d \in Drivers : Cardinality({w \in WaitIn(Cur) : owner[w] = d}) <= 1

\* DESIGN.md Dependencies and deadlock: no reachable state has a set of waiting drivers that
\* can only be woken by each other (the Work/Finish reduction leaves every driver finishing).
NoDeadlock == DeadlockFreeIn(Cur)

Invariants == TypeOK /\ BudgetSafe /\ ReserveOnlyForCritical /\ SharingSafe /\ NameExclusive /\
              NoDanglingDependency /\ DependencyAcyclic /\ QueuesWellFormed /\ NoDeadlock

\* DESIGN.md Admission: emergency admission happens only when the request does not fit.
EmergencyOnlyWhenNotFitting ==
  [][\A r \in Res : (st[r] = "Idle" /\ st'[r] = "Alive" /\ emerg'[r] > 0) =>
                       usage[TypeOf(r)] + Size(r) > Limit(TypeOf(r), Prio(r))]_vars

\* DESIGN.md Queue order: no waiter is overtaken within its priority -- a waiter is admitted
\* only when no waiter ahead of it (in its queue, or of rank >= its own in its type queue for a
\* name waiter) is still waiting; a fresh request admitted while a waiter of rank >= its own
\* waits in its type queue must be an Emergency admission (no barging otherwise).  (Requests
\* leave no mode in the state: with Emergency in ReqModes a barging non-Emergency Acquire is the
\* same step as an Emergency one, so configs without Emergency catch fresh barging.)
NoOvertaking ==
  [][/\ \A r \in Res : (st[r] = "Waiting" /\ st'[r] = "Alive") =>
          \A w \in WaitIn(Cur) \ {r} :
             /\ InSeq(queue[TypeOf(r)], r) /\ InSeq(queue[TypeOf(r)], w) => IndexOf(queue[TypeOf(r)], w) > IndexOf(queue[TypeOf(r)], r)
             /\ ~InTypeQ(Cur, r) => ~(InTypeQ(Cur, w) /\ TypeOf(w) = TypeOf(r) /\ Rank(w) >= Rank(r))
             /\ ~InTypeQ(Cur, r) /\ NameOf(w) = NameOf(r) /\ ~InTypeQ(Cur, w) => IndexOf(nameq[NameOf(r)], w) > IndexOf(nameq[NameOf(r)], r)
     /\ \A r \in Res : (st[r] = "Idle" /\ st'[r] = "Alive" /\ \E w \in SeqSet(queue[TypeOf(r)]) : Rank(w) >= Rank(r))
                        => \E d \in Drivers : Acquire(d, r, "Emergency") \/ AcquireEmergency(d, r)]_vars

\* Liveness (under FairSpec).
\* Every Timeout waiter eventually returns (admitted or AcquireTimeout).
TimeoutWaitersReturn ==
  \A r \in Res : (st[r] = "Waiting" /\ wmode[r] = "Timeout") ~> (st[r] # "Waiting")

\* Every waiter eventually returns (is admitted, or leaves by its own timeout/interrupt) once
\* holders stop re-sharing and no new requests compete.  DESIGN.md: "with unbounded re-sharing
\* a resource can be kept alive forever and a Blocking waiter starved"; see spec/README.md for
\* TLC's counterexamples to the versions without these premises.
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

=============================================================================
