----------------------------- MODULE SharedLedger -----------------------------
(***************************************************************************)
(* The budget ledger of the shared resource manager: one resource type's   *)
(* words in a SharedArrayBuffer, used by several threads at once.          *)
(*                                                                         *)
(* Words: usage (U), emergencyBytes, peak, waiting[p] (queued waiters of   *)
(* priority p) and a lock word; maxBytes (Max) and reservedBytes           *)
(* (Reserved) are constants here.  limit(p) = Max - Reserved, except       *)
(* limit(Critical) = Max.                                                  *)
(*                                                                         *)
(* Each thread runs its Script: requests one after another; an admitted    *)
(* request is held, then released.  Every Atomics op on a shared word      *)
(* (load, compareExchange, add, sub, store) is one step; a thread's locals *)
(* (u, pk, nu, ov, q) are its state.                                       *)
(*  - Fast path (NonBlocking, Emergency, and Blocking before it waits):    *)
(*    read waiting[q] for each q >= p, one word per step (not for          *)
(*    Emergency); u = load(U); if u + s <= limit(p), CAS(U, u, u + s)      *)
(*    (retry from the load on failure); else Emergency does Atomics.add(U, *)
(*    s) and adds its overage min(s, u' + s - limit(p)) (u' = the value    *)
(*    the add returned; 0 if that is negative) to emergencyBytes in a      *)
(*    second step; NonBlocking fails (BudgetExceeded: the slow path's      *)
(*    reclamation is not modelled); Blocking takes the slow path.          *)
(*    Then peak: pk = load(peak); while the new usage > pk,                *)
(*    CAS(peak, pk, new), reloading on failure.                            *)
(*  - Slow path (Blocking): CAS(lock, 0, t) (spinning while it is taken),  *)
(*    enqueue (priority order, FIFO within a priority) and                 *)
(*    Atomics.add(waiting[p], 1) in one step (the queue itself is touched  *)
(*    only under the lock), then grant, unlock, and sleep until granted.   *)
(*  - Grant (under the lock): while the queue's head fits: u = load(U),    *)
(*    CAS(U, u, u + s_head) (fast-path threads change U without the lock), *)
(*    then dequeue it, Atomics.sub(waiting[p_head], 1) and wake it (one    *)
(*    step); a head that does not fit blocks everyone behind it.           *)
(*  - Release: Atomics.sub(U, s); an emergency admission's overage is      *)
(*    subtracted from emergencyBytes in a second step; then the words      *)
(*    waiting[q] are read, one per step; if one is > 0 the releaser takes  *)
(*    the lock, grants and unlocks.                                        *)
(* The words waiting[q] of priorities no request of the model uses stay 0: *)
(* reading them is left out (it commutes with every step).                 *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets, FlightHalTables

CONSTANTS
  Threads,   \* the threads (workers) using the ledger
  NoThread,  \* the lock word's "free" value
  Max,       \* maxBytes
  Reserved,  \* reservedBytes
  Script     \* [Threads -> Seq([size : Nat, prio : Priorities, mode : {"NonBlocking", "Blocking", "Emergency"}])]

ReqModes == {"NonBlocking", "Blocking", "Emergency"}
ASSUME /\ NoThread \notin Threads
       /\ 0 <= Reserved /\ Reserved <= Max
       /\ \A t \in Threads : \A i \in DOMAIN Script[t] :
            /\ Script[t][i].mode \in ReqModes /\ Script[t][i].prio \in Priorities
            /\ Script[t][i].size \in Nat \ {0}
            \* a Blocking request that can never fit would wait forever (the manager fails it at once)
            /\ Script[t][i].mode = "Blocking" => Script[t][i].size <= Max - Reserved \/ Script[t][i].prio = "Critical"

Limit(p) == IF p = "Critical" THEN Max ELSE Max - Reserved
Rank(p) == PriorityRank[p]

Min(S) == CHOOSE x \in S : \A y \in S : x <= y
Larger(a, b) == IF a > b THEN a ELSE b
Smaller(a, b) == IF a < b THEN a ELSE b

\* The waiting words read: those of the priorities the scripts use, by rank.
UsedRanks == UNION {{Rank(Script[t][i].prio) : i \in DOMAIN Script[t]} : t \in Threads}
FirstWord(r) == Min({x \in UsedRanks : x >= r})
NextWord(r) == IF \E x \in UsedRanks : x > r THEN Min({x \in UsedRanks : x > r}) ELSE -1

VARIABLES
  usage,    \* U
  ebytes,   \* emergencyBytes
  peak,
  waiting,  \* [UsedRanks -> Nat]: waiting[Rank(p)]
  lock,     \* NoThread or the thread holding the lock
  queue,    \* Seq(Threads): the waiters, under the lock (a thread waits for one request at a time)
  pc, idx,  \* per thread: program counter; index of its current request in its Script
  u, pk, nu, ov, q, \* per thread: loaded usage, loaded peak, usage after its admission, its overage, waiting word to read
  held,     \* per thread: bytes of its admitted request (set at the admitting RMW on U)
  \* History variables (read by properties only):
  maxU,     \* the largest usage reached
  arrived,  \* Seq(Threads): the waiters in the order they were enqueued
  seen,     \* per thread: the waits (thread, request) queued at its fast path's first waiting read
  breach,   \* a non-Critical, non-Emergency admission left U > Max - Reserved
  barge     \* "none", or how an admission overtook a waiter: "fast" or "queue"

vars == <<usage, ebytes, peak, waiting, lock, queue, pc, idx, u, pk, nu, ov, q, held,
          maxU, arrived, seen, breach, barge>>

Req(t) == Script[t][idx[t]]
SizeOf(t) == Req(t).size
PrioOf(t) == Req(t).prio
ModeOf(t) == Req(t).mode
Range(s) == {s[i] : i \in 1 .. Len(s)}
Waits == {<<w, idx[w]>> : w \in Range(queue)}

\* Insert after every waiter of rank >= Rank(p): priority order, FIFO within a priority.
InsertByPrio(s, t) ==
  LET k == Cardinality({i \in 1 .. Len(s) : Rank(PrioOf(s[i])) >= Rank(PrioOf(t))})
  IN  SubSeq(s, 1, k) \o <<t>> \o SubSeq(s, k + 1, Len(s))

\* Where request i of t starts: the fast path's waiting check, or the usage load for Emergency
\* (which ignores waiters); "done" after the last request.
FirstPc(t, i) == IF i > Len(Script[t]) THEN "done"
                 ELSE IF Script[t][i].mode = "Emergency" THEN "fLoad" ELSE "fCheck"
\* The first waiting word it reads.
FirstQ(t, i) == IF i > Len(Script[t]) THEN -1 ELSE FirstWord(Rank(Script[t][i].prio))

Init == /\ usage = 0 /\ ebytes = 0 /\ peak = 0
        /\ waiting = [r \in UsedRanks |-> 0]
        /\ lock = NoThread
        /\ queue = <<>>
        /\ pc = [t \in Threads |-> FirstPc(t, 1)]
        /\ idx = [t \in Threads |-> 1]
        /\ u = [t \in Threads |-> 0] /\ pk = [t \in Threads |-> 0] /\ nu = [t \in Threads |-> 0]
        /\ ov = [t \in Threads |-> 0]
        /\ q = [t \in Threads |-> FirstQ(t, 1)]
        /\ held = [t \in Threads |-> 0]
        /\ maxU = 0 /\ arrived = <<>> /\ seen = [t \in Threads |-> {}] /\ breach = FALSE /\ barge = "none"

\* Thread t's entry of a per-thread variable, set.
Set(var, t, v) == var' = [var EXCEPT ![t] = v]

\* Request i of t begins (or t is done); the locals are cleared.
Begin(t, i) ==
  /\ idx' = [idx EXCEPT ![t] = i]
  /\ Set(pc, t, FirstPc(t, i))
  /\ Set(q, t, FirstQ(t, i))
  /\ Set(u, t, 0) /\ Set(pk, t, 0) /\ Set(nu, t, 0)
  /\ Set(seen, t, {})
\* t's request failed (NonBlocking: BudgetExceeded): on to the next one.
Fail(t) == Begin(t, idx[t] + 1)

\* An admission of w's request at usage x (the RMW on U): the history variables judge it.
Admit(w, x, emergency) ==
  /\ Set(held, w, SizeOf(w))
  /\ Set(nu, w, x + SizeOf(w))
  /\ maxU' = Larger(maxU, x + SizeOf(w))
  /\ breach' = (breach \/ (PrioOf(w) # "Critical" /\ ~emergency /\ x + SizeOf(w) > Max - Reserved))

-----------------------------------------------------------------------------
(* Fast path *)

\* Atomics.load(waiting[q]): a waiter of rank >= p queued sends the request to the slow path.  (The
\* history variable `seen` notes the waits queued at the first of these reads.)
FastCheck(t) ==
  LET note == Set(seen, t, IF q[t] = FirstWord(Rank(PrioOf(t))) THEN Waits ELSE seen[t])
  IN  /\ pc[t] = "fCheck"
      /\ IF waiting[q[t]] > 0
           THEN IF ModeOf(t) = "Blocking" THEN Set(pc, t, "sLock") /\ Set(seen, t, {}) /\ UNCHANGED <<idx, q, u, pk, nu>>
                ELSE Fail(t)
           ELSE IF NextWord(q[t]) = -1
             THEN Set(pc, t, "fLoad") /\ note /\ UNCHANGED <<idx, q, u, pk, nu>>
             ELSE Set(q, t, NextWord(q[t])) /\ note /\ UNCHANGED <<pc, idx, u, pk, nu>>
      /\ UNCHANGED <<usage, ebytes, peak, waiting, lock, queue, ov, held, maxU, arrived, breach, barge>>

\* u = Atomics.load(U), and the decision on it.
FastLoad(t) ==
  /\ pc[t] = "fLoad"
  /\ IF usage + SizeOf(t) <= Limit(PrioOf(t))
       THEN Set(pc, t, "fCas") /\ Set(u, t, usage) /\ UNCHANGED <<idx, q, pk, nu, seen>>
       ELSE CASE ModeOf(t) = "Emergency" -> Set(pc, t, "fAdd") /\ Set(u, t, usage) /\ UNCHANGED <<idx, q, pk, nu, seen>>
              [] ModeOf(t) = "Blocking"  -> Set(pc, t, "sLock") /\ Set(seen, t, {}) /\ UNCHANGED <<idx, q, u, pk, nu>>
              [] OTHER                   -> Fail(t)
  /\ UNCHANGED <<usage, ebytes, peak, waiting, lock, queue, ov, held, maxU, arrived, breach, barge>>

\* Atomics.compareExchange(U, u, u + s); on failure back to the load.
FastCas(t) ==
  /\ pc[t] = "fCas"
  /\ IF usage = u[t]
       THEN /\ usage' = u[t] + SizeOf(t)
            /\ Admit(t, u[t], ModeOf(t) = "Emergency")
            /\ barge' = IF /\ ModeOf(t) # "Emergency"
                           /\ \E w \in Range(queue) : <<w, idx[w]>> \in seen[t] /\ Rank(PrioOf(w)) >= Rank(PrioOf(t))
                        THEN "fast" ELSE barge
            /\ Set(pc, t, "pLoad")
            /\ Set(seen, t, {})
       ELSE Set(pc, t, "fLoad") /\ UNCHANGED <<usage, held, nu, maxU, breach, barge, seen>>
  /\ UNCHANGED <<ebytes, peak, waiting, lock, queue, idx, u, pk, ov, q, arrived>>

\* Emergency that does not fit: Atomics.add(U, s) returns u'; overage = min(s, u' + s - limit(p)).
FastAdd(t) ==
  LET over == Larger(0, Smaller(SizeOf(t), usage + SizeOf(t) - Limit(PrioOf(t))))
  IN  /\ pc[t] = "fAdd"
      /\ usage' = usage + SizeOf(t)
      /\ Admit(t, usage, TRUE)
      /\ Set(ov, t, over)
      /\ Set(pc, t, IF over > 0 THEN "fEmerg" ELSE "pLoad")
      /\ UNCHANGED <<ebytes, peak, waiting, lock, queue, idx, u, pk, q, arrived, seen, barge>>

\* Atomics.add(emergencyBytes, overage)
FastEmergency(t) ==
  /\ pc[t] = "fEmerg"
  /\ ebytes' = ebytes + ov[t]
  /\ Set(pc, t, "pLoad")
  /\ UNCHANGED <<usage, peak, waiting, lock, queue, idx, u, pk, nu, ov, q, held, maxU, arrived, seen, breach, barge>>

\* The admission is complete: the thread holds its bytes; its locals are cleared.
Hold(t) == Set(pc, t, "hold") /\ Set(u, t, 0) /\ Set(pk, t, 0) /\ Set(nu, t, 0)

\* pk = Atomics.load(peak); done unless the new usage is larger.
PeakLoad(t) ==
  /\ pc[t] = "pLoad"
  /\ IF nu[t] > peak
       THEN Set(pk, t, peak) /\ Set(pc, t, "pCas") /\ UNCHANGED <<u, nu>>
       ELSE Hold(t)
  /\ UNCHANGED <<usage, ebytes, peak, waiting, lock, queue, idx, ov, q, held, maxU, arrived, seen, breach, barge>>

\* Atomics.compareExchange(peak, pk, new); reload on failure.
PeakCas(t) ==
  /\ pc[t] = "pCas"
  /\ IF peak = pk[t]
       THEN peak' = nu[t] /\ Hold(t)
       ELSE Set(pc, t, "pLoad") /\ UNCHANGED <<peak, u, pk, nu>>
  /\ UNCHANGED <<usage, ebytes, waiting, lock, queue, idx, ov, q, held, maxU, arrived, seen, breach, barge>>

-----------------------------------------------------------------------------
(* Release *)

\* Atomics.sub(U, s)
Release(t) ==
  /\ pc[t] = "hold"
  /\ usage' = usage - held[t]
  /\ Set(held, t, 0)
  /\ Set(pc, t, IF ov[t] > 0 THEN "rEmerg" ELSE "rCheck")
  /\ Set(q, t, Min(UsedRanks))
  /\ UNCHANGED <<ebytes, peak, waiting, lock, queue, idx, u, pk, nu, ov, maxU, arrived, seen, breach, barge>>

\* Atomics.sub(emergencyBytes, overage)
ReleaseEmergency(t) ==
  /\ pc[t] = "rEmerg"
  /\ ebytes' = ebytes - ov[t]
  /\ Set(ov, t, 0)
  /\ Set(pc, t, "rCheck")
  /\ UNCHANGED <<usage, peak, waiting, lock, queue, idx, u, pk, nu, q, held, maxU, arrived, seen, breach, barge>>

\* Atomics.load(waiting[q]) for every priority: a waiter makes the releaser grant.
ReleaseCheck(t) ==
  /\ pc[t] = "rCheck"
  /\ IF waiting[q[t]] > 0
       THEN Set(pc, t, "gLock") /\ UNCHANGED <<idx, q, u, pk, nu, seen>>
       ELSE IF NextWord(q[t]) = -1
         THEN Begin(t, idx[t] + 1)
         ELSE Set(q, t, NextWord(q[t])) /\ UNCHANGED <<pc, idx, u, pk, nu, seen>>
  /\ UNCHANGED <<usage, ebytes, peak, waiting, lock, queue, ov, held, maxU, arrived, breach, barge>>

-----------------------------------------------------------------------------
(* Slow path and grants, under the lock *)

\* Atomics.compareExchange(lock, 0, t), spinning while another thread holds it.
Lock(t) ==
  /\ pc[t] \in {"sLock", "gLock"}
  /\ lock = NoThread
  /\ lock' = t
  /\ Set(pc, t, IF pc[t] = "sLock" THEN "sEnq" ELSE "gHead")
  /\ UNCHANGED <<usage, ebytes, peak, waiting, queue, idx, u, pk, nu, ov, q, held, maxU, arrived, seen, breach, barge>>

\* Enqueue (priority order, FIFO within a priority) and Atomics.add(waiting[p], 1); then grant.
Enqueue(t) ==
  /\ pc[t] = "sEnq"
  /\ queue' = InsertByPrio(queue, t)
  /\ waiting' = [waiting EXCEPT ![Rank(PrioOf(t))] = @ + 1]
  /\ arrived' = Append(arrived, t)
  /\ Set(pc, t, "gHead")
  /\ UNCHANGED <<usage, ebytes, peak, lock, idx, u, pk, nu, ov, q, held, maxU, seen, breach, barge>>

\* The grant loop: with a head, u = Atomics.load(U); on to its CAS if the head fits, else unlock.
GrantHead(t) ==
  /\ pc[t] = "gHead"
  /\ IF queue = <<>>
       THEN Set(pc, t, "unlock") /\ UNCHANGED u
       ELSE IF usage + SizeOf(Head(queue)) <= Limit(PrioOf(Head(queue)))
         THEN Set(pc, t, "gCas") /\ Set(u, t, usage)
         ELSE Set(pc, t, "unlock") /\ Set(u, t, 0)
  /\ UNCHANGED <<usage, ebytes, peak, waiting, lock, queue, idx, pk, nu, ov, q, held, maxU, arrived, seen, breach, barge>>

\* Atomics.compareExchange(U, u, u + s_head): the head is admitted; on failure back to the load.
GrantCas(t) ==
  LET w == Head(queue)
  IN  /\ pc[t] = "gCas"
      /\ IF usage = u[t]
           THEN /\ usage' = u[t] + SizeOf(w)
                /\ Admit(w, u[t], FALSE)
                /\ barge' = IF \E v \in Range(queue) \ {w} :
                                 \/ Rank(PrioOf(v)) > Rank(PrioOf(w))
                                 \/ /\ Rank(PrioOf(v)) = Rank(PrioOf(w))
                                    /\ \E i, j \in 1 .. Len(arrived) : i < j /\ arrived[i] = v /\ arrived[j] = w
                            THEN "queue" ELSE barge
                /\ Set(pc, t, "gDeq")
           ELSE Set(pc, t, "gHead") /\ UNCHANGED <<usage, held, nu, maxU, breach, barge>>
      /\ UNCHANGED <<ebytes, peak, waiting, lock, queue, idx, u, pk, ov, q, arrived, seen>>

\* Dequeue the admitted head, Atomics.sub(waiting[p_head], 1), wake it (it publishes its peak);
\* then the next head.
GrantDequeue(t) ==
  LET w == Head(queue)
  IN  /\ pc[t] = "gDeq"
      /\ queue' = Tail(queue)
      /\ waiting' = [waiting EXCEPT ![Rank(PrioOf(w))] = @ - 1]
      /\ arrived' = SelectSeq(arrived, LAMBDA x : x # w)
      /\ pc' = IF w = t THEN [pc EXCEPT ![t] = "gHead"] ELSE [pc EXCEPT ![t] = "gHead", ![w] = "pLoad"]
      /\ UNCHANGED <<usage, ebytes, peak, lock, idx, u, pk, nu, ov, q, held, maxU, seen, breach, barge>>

\* Atomics.store(lock, 0).  A slow-path thread then sleeps unless it admitted itself; a releaser
\* goes on to its next request.
Unlock(t) ==
  /\ pc[t] = "unlock"
  /\ lock' = NoThread
  /\ IF t \in Range(queue)
       THEN Set(pc, t, "sleep") /\ UNCHANGED <<idx, q, u, pk, nu, seen>>
       ELSE IF held[t] > 0
         THEN Set(pc, t, "pLoad") /\ UNCHANGED <<idx, q, u, pk, nu, seen>>
         ELSE Begin(t, idx[t] + 1)
  /\ UNCHANGED <<usage, ebytes, peak, waiting, queue, ov, held, maxU, arrived, breach, barge>>

-----------------------------------------------------------------------------
Done == \A t \in Threads : pc[t] = "done"
\* Every script finished: nothing more happens (TLC's deadlock check, kept on, fires when a thread
\* is stuck, e.g. a waiter nobody wakes).
Finished == Done /\ UNCHANGED vars

Next ==
  \/ \E t \in Threads :
       \/ FastCheck(t) \/ FastLoad(t) \/ FastCas(t) \/ FastAdd(t) \/ FastEmergency(t)
       \/ PeakLoad(t) \/ PeakCas(t)
       \/ Release(t) \/ ReleaseEmergency(t) \/ ReleaseCheck(t)
       \/ Lock(t) \/ Enqueue(t) \/ GrantHead(t) \/ GrantCas(t) \/ GrantDequeue(t) \/ Unlock(t)
  \/ Finished

Spec == Init /\ [][Next]_vars

-----------------------------------------------------------------------------
(* Properties *)

RECURSIVE SumOver(_, _)
SumOver(f(_), S) == IF S = {} THEN 0 ELSE LET x == CHOOSE x \in S : TRUE IN f(x) + SumOver(f, S \ {x})

Pcs == {"fCheck", "fLoad", "fCas", "fAdd", "fEmerg", "pLoad", "pCas", "hold", "rEmerg", "rCheck",
        "sLock", "gLock", "sEnq", "gHead", "gCas", "gDeq", "unlock", "sleep", "done"}
LockedPcs == {"sEnq", "gHead", "gCas", "gDeq", "unlock"}

TypeOK ==
  /\ usage \in Nat /\ ebytes \in Nat /\ peak \in Nat
  /\ waiting \in [UsedRanks -> Nat]
  /\ lock \in Threads \cup {NoThread}
  /\ pc \in [Threads -> Pcs]
  /\ held \in [Threads -> Nat]

\* U is the sum of the sizes of the admitted requests, in every state (the RMWs on U are exact).
Conservation == usage = SumOver(LAMBDA t : held[t], Threads)

\* The overage added to U by an emergency admission whose emergencyBytes add is still to come.
PendingOverage == SumOver(LAMBDA t : IF pc[t] = "fEmerg" THEN ov[t] ELSE 0, Threads)
\* Usage never exceeds maxBytes except by emergency bytes: U - emergencyBytes <= Max, counting an
\* emergency admission's overage from its add on U (its add on emergencyBytes is a second step).
BudgetSafe == usage - ebytes - PendingOverage <= Max
\* emergencyBytes is the sum of the overages of the emergency admissions whose second step is done
\* and whose release has not subtracted it yet.
EmergencyAccounted == ebytes = SumOver(LAMBDA t : IF pc[t] = "fEmerg" THEN 0 ELSE ov[t], Threads)

\* The reserve serves Critical and Emergency only: no non-Critical, non-Emergency admission left
\* U > Max - Reserved (judged at each admission's RMW), and the bytes such requests hold never
\* exceed Max - Reserved.
ReserveOnlyForCritical ==
  /\ ~breach
  /\ SumOver(LAMBDA t : IF held[t] > 0 /\ PrioOf(t) # "Critical" /\ ModeOf(t) # "Emergency" THEN held[t] ELSE 0,
             Threads) <= Max - Reserved

\* A thread admitted (its RMW on U done) whose peak update has not finished.
PeakPending(t) == held[t] > 0 /\ pc[t] # "hold"
\* peak is a usage that was reached, and once no peak update is pending it is the largest one; U
\* never exceeds the peak and the pending updates' values.
PeakIsMax ==
  /\ peak <= maxU
  /\ (\A t \in Threads : ~PeakPending(t)) => peak = maxU
  /\ usage <= peak \/ \E t \in Threads : PeakPending(t) /\ usage <= nu[t]

\* No barging: a fast admission never overtakes a waiter of rank >= its own that was already queued
\* at its first waiting-word read and still waits; a grant never overtakes a waiter of higher priority, or of the
\* same priority enqueued earlier (history variables, judged at the admitting CAS).
NoBarging == barge = "none"

\* Each thread waits at most once, each waiting word counts its waiters, a waiter sleeps (or runs the
\* grant loop it entered with), and the lock is held by the thread in the locked section.  (The
\* queue's order is judged by NoBarging, at the grants.)
QueueWellFormed ==
  /\ \A i, j \in 1 .. Len(queue) : i < j => queue[i] # queue[j]
  /\ \A r \in UsedRanks : waiting[r] = Cardinality({i \in 1 .. Len(queue) : Rank(PrioOf(queue[i])) = r})
  /\ \A t \in Range(queue) : pc[t] \in {"gHead", "gCas", "gDeq", "unlock", "sleep"}
  /\ \A t \in Threads : pc[t] \in LockedPcs => lock = t

\* Every script done: nothing is held, charged or waiting, the lock is free, peak is the maximum.
DoneClean == Done => /\ usage = 0 /\ ebytes = 0 /\ queue = <<>> /\ lock = NoThread
                     /\ \A r \in UsedRanks : waiting[r] = 0
                     /\ peak = maxU

-----------------------------------------------------------------------------
(* Witnesses: each says "this situation is never reached"; the witness run  *)
(* (scripts/spec.ts) requires each to be violated.                         *)

W_Emergency   == ebytes = 0
W_ReserveUsed == usage <= Max - Reserved
W_TwoWaiters  == Len(queue) < 2
\* A waiter enqueued ahead of one that arrived before it (a higher priority).
W_HigherAhead == ~(Len(queue) >= 2 /\ \E i, j \in 1 .. Len(arrived) : i < j /\ arrived[i] = queue[2] /\ arrived[j] = queue[1])
W_Done        == ~Done
\* Steps: a CAS on U fails (fast path or grant); a CAS on peak fails; a NonBlocking request fails;
\* a fast-path request finds a waiter and leaves the fast path; a releaser grants a waiter.
WA_UsageCasFails == ~\E t \in Threads : pc[t] \in {"fCas", "gCas"} /\ usage # u[t] /\ (FastCas(t) \/ GrantCas(t))
WA_PeakCasFails  == ~\E t \in Threads : pc[t] = "pCas" /\ peak # pk[t] /\ PeakCas(t)
WA_NonBlockingFails == ~\E t \in Threads : pc[t] \in {"fCheck", "fLoad"} /\ ModeOf(t) = "NonBlocking" /\ idx'[t] # idx[t]
WA_FastDeferred  == ~\E t \in Threads : pc[t] = "fCheck" /\ waiting[q[t]] > 0 /\ FastCheck(t)
WA_GrantByRelease == ~\E t \in Threads : pc[t] = "gDeq" /\ Head(queue) # t /\ t \notin Range(queue) /\ GrantDequeue(t)
=============================================================================
