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
(* (u, pk, nu, ov, q) are its state.  The steps follow Ledger.admit,       *)
(* raisePeak and dropHold (ledger.ts), the grant loop (queue.ts) and the   *)
(* callers in SharedResourceManager.ts.                                    *)
(*  - Every thread's row counts the waiting entries (mirror[t], bits 2-31 *)
(*    of its R.flags word: a word of its own cache line, since on Bun an   *)
(*    Atomics.load of a word every thread reads costs as a write does).    *)
(*  - Fast path (NonBlocking and Emergency, lock-free): NonBlocking loads  *)
(*    its row's count; when it is > 0 it reads waiting[q] for each q >= p, *)
(*    one word per step (Emergency reads neither); u = load(U);            *)
(*    if u + s <= limit(p), CAS(U, u, u + s) (retry from the load on       *)
(*    failure); else NonBlocking fails (BudgetExceeded: the slow path's    *)
(*    reclamation is not modelled) and Emergency computes its overage      *)
(*    ov = min(s, u + s - limit(p)) from the loaded u, writes it in its    *)
(*    slot (with the load: a word of a slot not yet live), adds it to      *)
(*    emergencyBytes, then CAS(U, u, u + s); on failure it subtracts ov    *)
(*    from emergencyBytes again and retries from the load.                 *)
(*    (The code's first attempt is a CAS from the usage the thread saw     *)
(*    last, not from a load: a CAS that succeeds is this model's load and  *)
(*    CAS with nothing between them; one that fails has read U, and the    *)
(*    code decides on that value where this model loads again: a later    *)
(*    read, so the model's behaviours include the code's.  A refusal or an *)
(*    overage is decided only on a value read by a load or a failed CAS.)  *)
(*    Then peak (raisePeak): pk = load(peak); while the new usage > pk,    *)
(*    CAS(peak, pk, new), reloading on failure.  (The code skips the load  *)
(*    when the new usage is at most a peak the thread loaded before: peaks *)
(*    only grow, so that is the load's outcome, "no change", taken early.) *)
(*  - Blocking (SharedResourceManager.wait): CAS(lock, 0, t) (spinning     *)
(*    while it is taken), then under the lock the same admission (row     *)
(*    count, waiting words, load, CAS, peak) and unlock; a waiter of rank  *)
(*    >= p, or a request that does not fit, is enqueued instead (priority  *)
(*    order, FIFO within a priority): Atomics.add(waiting[p], 1), then     *)
(*    Atomics.add(total, 1) (H.waiting, every type's waiters), then        *)
(*    Atomics.add on every thread's row count, one row per step, then      *)
(*    grant, unlock, and sleep until granted.  The queue itself is touched *)
(*    only under the lock.                                                 *)
(*  - Grant (under the lock): while the queue's head fits: u = load(U),    *)
(*    CAS(U, u, u + s_head) (releases change U without the lock), the      *)
(*    granter raises peak (admit's raisePeak), then Atomics.sub(waiting[   *)
(*    p_head], 1), then Atomics.sub(total, 1) with the dequeue and the     *)
(*    wake (one step: the entry's state and the thread's bell are read by  *)
(*    the woken thread only), then Atomics.sub on every row count, one row *)
(*    per step; a head that does not fit blocks everyone behind it.        *)
(*  - Release (dropHold, then the release's check): Atomics.sub(U, s);     *)
(*    Atomics.sub(emergencyBytes, overage) (a step only when the overage   *)
(*    is > 0); then the releaser loads its row's count: when it is > 0 it  *)
(*    takes the lock, grants and unlocks.                                  *)
(* Not modelled: the slot's holder mask and generation (SharedHolders.tla),*)
(* the counters (per thread row, each a word of its own no step here       *)
(* reads), the step mark R.step and the repair (no thread is lost here),   *)
(* names, pools (SharedBlockPool's free list: SharedFreeList.tla), the     *)
(* slots' in-use bits.                                                     *)
(* The words waiting[q] of priorities no request of the model uses stay 0: *)
(* reading them is left out (it commutes with every step).  The code reads *)
(* all the words before it decides; the model decides at the first one > 0 *)
(* (the reads after it change nothing and cannot change the decision).     *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets, FlightHalTables
LOCAL INSTANCE Sums

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
  total,    \* H.waiting: the waiters of every type (one type here)
  lock,     \* NoThread or the thread holding the lock
  queue,    \* Seq(Threads): the waiters, under the lock (a thread waits for one request at a time)
  pc, idx,  \* per thread: program counter; index of its current request in its Script
  u, pk, nu, ov, q, \* per thread: loaded usage, loaded peak, usage after an admission (its own or, granting,
                    \* the head's), its overage, waiting word to read
  held,     \* per thread: bytes of its admitted request (set at the admitting RMW on U)
  mirror,   \* per thread: the waiting entries its row counts (bits 2-31 of R.flags)
  todo,     \* per thread: the rows its enqueue or dequeue has still to count in (one Atomics.add each)
  \* History variables (read by properties only):
  maxU,     \* the largest usage reached
  arrived,  \* Seq(Threads): the waiters in the order they were enqueued
  seen,     \* per thread: the waits (thread, request) queued at its fast path's first waiting read
  breach,   \* a non-Critical, non-Emergency admission left U > Max - Reserved
  barge     \* "none", or how an admission overtook a waiter: "fast" or "queue"

vars == <<usage, ebytes, peak, waiting, total, lock, queue, pc, idx, u, pk, nu, ov, q, held, mirror, todo,
          maxU, arrived, seen, breach, barge>>

Req(t) == Script[t][idx[t]]
SizeOf(t) == Req(t).size
PrioOf(t) == Req(t).prio
ModeOf(t) == Req(t).mode
Range(s) == {s[i] : i \in 1 .. Len(s)}
\* Whether row r counts waiter w (its enqueue has added it there: after its add on total, row by row).
Counted(w, r) == pc[w] # "sTotal" /\ ~(pc[w] = "sMirror" /\ r \in todo[w])
\* The waits thread t's row counts.
Visible(t) == {<<w, idx[w]>> : w \in {v \in Range(queue) : Counted(v, t)}}

\* Insert after every waiter of rank >= Rank(p): priority order, FIFO within a priority.
InsertByPrio(s, t) ==
  LET k == Cardinality({i \in 1 .. Len(s) : Rank(PrioOf(s[i])) >= Rank(PrioOf(t))})
  IN  SubSeq(s, 1, k) \o <<t>> \o SubSeq(s, k + 1, Len(s))

\* Where request i of t starts: the fast path's waiting check, the usage load for Emergency (which
\* ignores waiters), the lock for Blocking; "done" after the last request.
FirstPc(t, i) == IF i > Len(Script[t]) THEN "done"
                 ELSE CASE Script[t][i].mode = "Emergency" -> "fLoad"
                        [] Script[t][i].mode = "Blocking"  -> "sLock"
                        [] OTHER                           -> "fMirror"
\* The first waiting word it reads.
FirstQ(t, i) == IF i > Len(Script[t]) THEN -1 ELSE FirstWord(Rank(Script[t][i].prio))

Init == /\ usage = 0 /\ ebytes = 0 /\ peak = 0
        /\ waiting = [r \in UsedRanks |-> 0]
        /\ total = 0
        /\ lock = NoThread
        /\ queue = <<>>
        /\ pc = [t \in Threads |-> FirstPc(t, 1)]
        /\ idx = [t \in Threads |-> 1]
        /\ u = [t \in Threads |-> 0] /\ pk = [t \in Threads |-> 0] /\ nu = [t \in Threads |-> 0]
        /\ ov = [t \in Threads |-> 0]
        /\ q = [t \in Threads |-> FirstQ(t, 1)]
        /\ held = [t \in Threads |-> 0]
        /\ mirror = [t \in Threads |-> 0]
        /\ todo = [t \in Threads |-> {}]
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

\* An admission of w's request at usage x (the RMW on U), by thread `by` (w, or its granter), who then
\* raises peak to x + s: the history variables judge it.
Admit(w, x, emergency, by) ==
  /\ Set(held, w, SizeOf(w))
  /\ Set(nu, by, x + SizeOf(w))
  /\ maxU' = Larger(maxU, x + SizeOf(w))
  /\ breach' = (breach \/ (PrioOf(w) # "Critical" /\ ~emergency /\ x + SizeOf(w) > Max - Reserved))

-----------------------------------------------------------------------------
(* Admission: the fast path, and Blocking's admission under the lock *)

\* Atomics.load(waiting[q]): a waiter of rank >= p queued fails a NonBlocking request and enqueues a
\* Blocking one (which reads the words under the lock).  (The history variable `seen` notes the
\* waits queued at the first of these reads.)
\* Atomics.load(R.flags of t's own row): no waiting entry counted, straight to the usage; else the
\* waiting words.  (The history variable `seen` notes the waits this row counts.)
FastMirror(t) ==
  /\ pc[t] = "fMirror"
  /\ Set(seen, t, Visible(t))
  /\ Set(pc, t, IF mirror[t] = 0 THEN "fLoad" ELSE "fCheck")
  /\ UNCHANGED <<mirror, todo, usage, ebytes, peak, waiting, total, lock, queue, idx, u, pk, nu, ov, q, held, maxU, arrived, breach, barge>>

FastCheck(t) ==
  LET note == UNCHANGED seen
  IN  /\ pc[t] = "fCheck"
      /\ IF waiting[q[t]] > 0
           THEN IF ModeOf(t) = "Blocking" THEN Set(pc, t, "sEnq") /\ Set(seen, t, {}) /\ UNCHANGED <<mirror, todo, idx, q, u, pk, nu>>
                ELSE Fail(t)
           ELSE IF NextWord(q[t]) = -1
             THEN Set(pc, t, "fLoad") /\ note /\ UNCHANGED <<mirror, todo, idx, q, u, pk, nu>>
             ELSE Set(q, t, NextWord(q[t])) /\ note /\ UNCHANGED <<mirror, todo, pc, idx, u, pk, nu>>
      /\ UNCHANGED <<mirror, todo, usage, ebytes, peak, waiting, total, lock, queue, ov, held, maxU, arrived, breach, barge>>

\* u = Atomics.load(U), and the decision on it.  An Emergency request that does not fit computes its
\* overage from u and writes it (and its mark) in its slot, not yet live.
FastLoad(t) ==
  /\ pc[t] = "fLoad"
  /\ IF usage + SizeOf(t) <= Limit(PrioOf(t))
       THEN Set(pc, t, "fCas") /\ Set(u, t, usage) /\ UNCHANGED <<mirror, todo, idx, q, pk, nu, ov, seen>>
       ELSE CASE ModeOf(t) = "Emergency" ->
                   /\ Set(pc, t, "fEmerg") /\ Set(u, t, usage)
                   /\ Set(ov, t, Smaller(SizeOf(t), usage + SizeOf(t) - Limit(PrioOf(t))))
                   /\ UNCHANGED <<mirror, todo, idx, q, pk, nu, seen>>
              [] ModeOf(t) = "Blocking"  -> Set(pc, t, "sEnq") /\ Set(seen, t, {}) /\ UNCHANGED <<mirror, todo, idx, q, u, pk, nu, ov>>
              [] OTHER                   -> Fail(t) /\ UNCHANGED ov
  /\ UNCHANGED <<mirror, todo, usage, ebytes, peak, waiting, total, lock, queue, held, maxU, arrived, breach, barge>>

\* Atomics.compareExchange(U, u, u + s); on failure back to the load.
FastCas(t) ==
  /\ pc[t] = "fCas"
  /\ IF usage = u[t]
       THEN /\ usage' = u[t] + SizeOf(t)
            /\ Admit(t, u[t], ModeOf(t) = "Emergency", t)
            /\ barge' = IF /\ ModeOf(t) # "Emergency"
                           /\ \E w \in Range(queue) : /\ <<w, idx[w]>> \in seen[t] /\ held[w] = 0
                                                  /\ Rank(PrioOf(w)) >= Rank(PrioOf(t))
                        THEN "fast" ELSE barge
            /\ Set(pc, t, "pLoad")
            /\ Set(seen, t, {})
       ELSE Set(pc, t, "fLoad") /\ UNCHANGED <<mirror, todo, usage, held, nu, maxU, breach, barge, seen>>
  /\ UNCHANGED <<mirror, todo, ebytes, peak, waiting, total, lock, queue, idx, u, pk, ov, q, arrived>>

\* Emergency over budget: Atomics.add(emergencyBytes, overage), before the CAS on U.
FastEmergency(t) ==
  /\ pc[t] = "fEmerg"
  /\ ebytes' = ebytes + ov[t]
  /\ Set(pc, t, "fECas")
  /\ UNCHANGED <<mirror, todo, usage, peak, waiting, total, lock, queue, idx, u, pk, nu, ov, q, held, maxU, arrived, seen, breach, barge>>

\* Emergency over budget: Atomics.compareExchange(U, u, u + s); on failure the add is undone.
FastEmergencyCas(t) ==
  LET s == SizeOf(t)
  IN  /\ pc[t] = "fECas"
      /\ IF usage = u[t]
           THEN /\ usage' = u[t] + s
                /\ Admit(t, u[t], TRUE, t)
                /\ Set(pc, t, "pLoad")
           ELSE Set(pc, t, "fUndo") /\ UNCHANGED <<mirror, todo, usage, held, nu, maxU, breach>>
      /\ UNCHANGED <<mirror, todo, ebytes, peak, waiting, total, lock, queue, idx, u, pk, ov, q, arrived, seen, barge>>

\* The CAS failed: Atomics.sub(emergencyBytes, overage), then back to the load.
FastUndo(t) ==
  /\ pc[t] = "fUndo"
  /\ ebytes' = ebytes - ov[t]
  /\ Set(ov, t, 0)
  /\ Set(pc, t, "fLoad")
  /\ UNCHANGED <<mirror, todo, usage, peak, waiting, total, lock, queue, idx, u, pk, nu, q, held, maxU, arrived, seen, breach, barge>>

\* The peak update is done: a fast admission holds its bytes; Blocking's admission under the lock
\* unlocks; a granter dequeues and wakes the head.  The locals are cleared.
AfterPeak(t) ==
  /\ Set(pc, t, IF pc[t] \in {"gPLoad", "gPCas"} THEN "gDeq"
                ELSE IF ModeOf(t) = "Blocking" THEN "unlock" ELSE "hold")
  /\ Set(u, t, 0) /\ Set(pk, t, 0) /\ Set(nu, t, 0)

\* pk = Atomics.load(peak); done unless the new usage is larger (raisePeak, by the admitting thread:
\* the fast path's, Blocking's under the lock, or the granter's).
PeakLoad(t) ==
  /\ pc[t] \in {"pLoad", "gPLoad"}
  /\ IF nu[t] > peak
       THEN Set(pk, t, peak) /\ Set(pc, t, IF pc[t] = "pLoad" THEN "pCas" ELSE "gPCas") /\ UNCHANGED <<mirror, todo, u, nu>>
       ELSE AfterPeak(t)
  /\ UNCHANGED <<mirror, todo, usage, ebytes, peak, waiting, total, lock, queue, idx, ov, q, held, maxU, arrived, seen, breach, barge>>

\* Atomics.compareExchange(peak, pk, new); reload on failure.
PeakCas(t) ==
  /\ pc[t] \in {"pCas", "gPCas"}
  /\ IF peak = pk[t]
       THEN peak' = nu[t] /\ AfterPeak(t)
       ELSE Set(pc, t, IF pc[t] = "pCas" THEN "pLoad" ELSE "gPLoad") /\ UNCHANGED <<mirror, todo, peak, u, pk, nu>>
  /\ UNCHANGED <<mirror, todo, usage, ebytes, waiting, total, lock, queue, idx, ov, q, held, maxU, arrived, seen, breach, barge>>

-----------------------------------------------------------------------------
(* Release *)

\* Atomics.sub(U, s)
Release(t) ==
  /\ pc[t] = "hold"
  /\ usage' = usage - held[t]
  /\ Set(held, t, 0)
  /\ Set(pc, t, IF ov[t] > 0 THEN "rEmerg" ELSE "rCheck")
  /\ Set(q, t, Min(UsedRanks))
  /\ UNCHANGED <<mirror, todo, ebytes, peak, waiting, total, lock, queue, idx, u, pk, nu, ov, maxU, arrived, seen, breach, barge>>

\* Atomics.sub(emergencyBytes, overage)
ReleaseEmergency(t) ==
  /\ pc[t] = "rEmerg"
  /\ ebytes' = ebytes - ov[t]
  /\ Set(ov, t, 0)
  /\ Set(pc, t, "rCheck")
  /\ UNCHANGED <<mirror, todo, usage, peak, waiting, total, lock, queue, idx, u, pk, nu, q, held, maxU, arrived, seen, breach, barge>>

\* Atomics.load(R.flags of t's own row): a waiting entry counted (of any type) makes the releaser grant;
\* else on to the next request.
ReleaseCheck(t) ==
  /\ pc[t] = "rCheck"
  /\ IF mirror[t] > 0
       THEN Set(pc, t, "gLock") /\ UNCHANGED <<idx, q, u, pk, nu, seen>>
       ELSE Begin(t, idx[t] + 1)
  /\ UNCHANGED <<mirror, todo, usage, ebytes, peak, waiting, total, lock, queue, ov, held, maxU, arrived, breach, barge>>

-----------------------------------------------------------------------------
(* Slow path and grants, under the lock *)

\* Atomics.compareExchange(lock, 0, t), spinning while another thread holds it.  Blocking then
\* runs its admission under the lock; a releaser grants.
Lock(t) ==
  /\ pc[t] \in {"sLock", "gLock"}
  /\ lock = NoThread
  /\ lock' = t
  /\ Set(pc, t, IF pc[t] = "sLock" THEN "fMirror" ELSE "gHead")
  /\ UNCHANGED <<mirror, todo, usage, ebytes, peak, waiting, total, queue, idx, u, pk, nu, ov, q, held, maxU, arrived, seen, breach, barge>>

\* Enqueue (priority order, FIFO within a priority) and Atomics.add(waiting[p], 1).
Enqueue(t) ==
  /\ pc[t] = "sEnq"
  /\ queue' = InsertByPrio(queue, t)
  /\ waiting' = [waiting EXCEPT ![Rank(PrioOf(t))] = @ + 1]
  /\ arrived' = Append(arrived, t)
  /\ Set(pc, t, "sTotal")
  /\ UNCHANGED <<mirror, todo, usage, ebytes, peak, total, lock, idx, u, pk, nu, ov, q, held, maxU, seen, breach, barge>>

\* Atomics.add(total, 1); then the rows, then grant.
EnqueueTotal(t) ==
  /\ pc[t] = "sTotal"
  /\ total' = total + 1
  /\ Set(pc, t, "sMirror")
  /\ Set(todo, t, Threads)
  /\ UNCHANGED <<mirror, usage, ebytes, peak, waiting, lock, queue, idx, u, pk, nu, ov, q, held, maxU, arrived, seen, breach, barge>>

\* The grant loop: with a head, u = Atomics.load(U); on to its CAS if the head fits, else unlock.
GrantHead(t) ==
  /\ pc[t] = "gHead"
  /\ IF queue = <<>>
       THEN Set(pc, t, "unlock") /\ UNCHANGED u
       ELSE IF usage + SizeOf(Head(queue)) <= Limit(PrioOf(Head(queue)))
         THEN Set(pc, t, "gCas") /\ Set(u, t, usage)
         ELSE Set(pc, t, "unlock") /\ Set(u, t, 0)
  /\ UNCHANGED <<mirror, todo, usage, ebytes, peak, waiting, total, lock, queue, idx, pk, nu, ov, q, held, maxU, arrived, seen, breach, barge>>

\* Atomics.compareExchange(U, u, u + s_head): the head is admitted (the granter then raises peak); on
\* failure back to the load.
GrantCas(t) ==
  LET w == Head(queue)
  IN  /\ pc[t] = "gCas"
      /\ IF usage = u[t]
           THEN /\ usage' = u[t] + SizeOf(w)
                /\ Admit(w, u[t], FALSE, t)
                /\ barge' = IF \E v \in Range(queue) \ {w} :
                                 \/ Rank(PrioOf(v)) > Rank(PrioOf(w))
                                 \/ /\ Rank(PrioOf(v)) = Rank(PrioOf(w))
                                    /\ \E i, j \in 1 .. Len(arrived) : i < j /\ arrived[i] = v /\ arrived[j] = w
                            THEN "queue" ELSE barge
                /\ Set(pc, t, "gPLoad")
           ELSE Set(pc, t, "gHead") /\ UNCHANGED <<mirror, todo, usage, held, nu, maxU, breach, barge>>
      /\ UNCHANGED <<mirror, todo, ebytes, peak, waiting, total, lock, queue, idx, u, pk, ov, q, arrived, seen>>

\* Atomics.sub(waiting[p_head], 1).
GrantDequeue(t) ==
  /\ pc[t] = "gDeq"
  /\ waiting' = [waiting EXCEPT ![Rank(PrioOf(Head(queue)))] = @ - 1]
  /\ Set(pc, t, "gTotal")
  /\ UNCHANGED <<mirror, todo, usage, ebytes, peak, total, lock, queue, idx, u, pk, nu, ov, q, held, maxU, arrived, seen, breach, barge>>

\* Atomics.sub(total, 1), the head leaves the queue and is woken (it holds its bytes); then the next
\* head.
GrantTotal(t) ==
  LET w == Head(queue)
  IN  /\ pc[t] = "gTotal"
      /\ total' = total - 1
      /\ queue' = Tail(queue)
      /\ arrived' = SelectSeq(arrived, LAMBDA x : x # w)
      /\ pc' = IF w = t THEN [pc EXCEPT ![t] = "gMirror"] ELSE [pc EXCEPT ![t] = "gMirror", ![w] = "hold"]
      /\ Set(todo, t, Threads)
      /\ UNCHANGED <<mirror, usage, ebytes, peak, waiting, lock, idx, u, pk, nu, ov, q, held, maxU, seen, breach, barge>>

\* Atomics.add(R.flags of row r, +1 entry) for each row (mirrorWaiters), after an enqueue's add on total
\* (then grant) or, -1, after a dequeue's sub on total (then the next head).
MirrorStep(t) ==
  /\ pc[t] \in {"sMirror", "gMirror"}
  /\ \E r \in todo[t] :
       /\ mirror' = [mirror EXCEPT ![r] = IF pc[t] = "sMirror" THEN @ + 1 ELSE @ - 1]
       /\ Set(todo, t, todo[t] \ {r})
       /\ Set(pc, t, IF todo[t] = {r} THEN "gHead" ELSE pc[t])
  /\ UNCHANGED <<usage, ebytes, peak, waiting, total, lock, queue, idx, u, pk, nu, ov, q, held, maxU, arrived, seen, breach, barge>>

\* Atomics.compareExchange(lock, t, 0).  A waiter then sleeps unless it was granted; a Blocking thread
\* admitted (under the lock, or granted by itself) holds its bytes; a releaser goes on to its next
\* request.
Unlock(t) ==
  /\ pc[t] = "unlock"
  /\ lock' = NoThread
  /\ IF t \in Range(queue)
       THEN Set(pc, t, "sleep") /\ UNCHANGED <<mirror, todo, idx, q, u, pk, nu, seen>>
       ELSE IF held[t] > 0
         THEN Set(pc, t, "hold") /\ UNCHANGED <<mirror, todo, idx, q, u, pk, nu, seen>>
         ELSE Begin(t, idx[t] + 1)
  /\ UNCHANGED <<mirror, todo, usage, ebytes, peak, waiting, total, queue, ov, held, maxU, arrived, breach, barge>>

-----------------------------------------------------------------------------
Done == \A t \in Threads : pc[t] = "done"
\* Every script finished: nothing more happens (TLC's deadlock check, kept on, fires when a thread
\* is stuck, e.g. a waiter nobody wakes).
Finished == Done /\ UNCHANGED vars

Next ==
  \/ \E t \in Threads :
       \/ FastCheck(t) \/ FastLoad(t) \/ FastCas(t) \/ FastEmergency(t) \/ FastEmergencyCas(t) \/ FastUndo(t)
       \/ PeakLoad(t) \/ PeakCas(t)
       \/ FastMirror(t) \/ Release(t) \/ ReleaseEmergency(t) \/ ReleaseCheck(t)
       \/ Lock(t) \/ Enqueue(t) \/ EnqueueTotal(t) \/ GrantHead(t) \/ GrantCas(t) \/ GrantDequeue(t)
       \/ GrantTotal(t) \/ MirrorStep(t) \/ Unlock(t)
  \/ Finished

Spec == Init /\ [][Next]_vars

-----------------------------------------------------------------------------
(* Properties *)

Pcs == {"fMirror", "fCheck", "fLoad", "fCas", "fEmerg", "fECas", "fUndo", "pLoad", "pCas", "hold", "rEmerg",
        "rCheck", "sLock", "gLock", "sEnq", "sTotal", "sMirror", "gHead", "gCas", "gPLoad", "gPCas", "gDeq",
        "gTotal", "gMirror", "unlock", "sleep", "done"}
LockedPcs == {"sEnq", "sTotal", "sMirror", "gHead", "gCas", "gPLoad", "gPCas", "gDeq", "gTotal", "gMirror", "unlock"}
\* Blocking's admission runs these under the lock.
AdmitPcs == {"fMirror", "fCheck", "fLoad", "fCas", "pLoad", "pCas"}

TypeOK ==
  /\ usage \in Nat /\ ebytes \in Nat /\ peak \in Nat /\ total \in Nat
  /\ waiting \in [UsedRanks -> Nat]
  /\ lock \in Threads \cup {NoThread}
  /\ pc \in [Threads -> Pcs]
  /\ held \in [Threads -> Nat]
  /\ mirror \in [Threads -> Nat]
  /\ todo \in [Threads -> SUBSET Threads]

\* U is the sum of the sizes of the admitted requests, in every state (the RMWs on U are exact).
Conservation == usage = SumOver(LAMBDA t : held[t], Threads)

\* The overage an Emergency admission has added to emergencyBytes ahead of its CAS on U (or whose
\* failed CAS it has yet to undo): emergencyBytes runs ahead of usage by these.
PendingOverage == SumOver(LAMBDA t : IF pc[t] \in {"fECas", "fUndo"} THEN ov[t] ELSE 0, Threads)
\* Usage never exceeds maxBytes except by emergency bytes, not even counting only the overages of the
\* admissions whose CAS on U is done: U - (emergencyBytes - pending) <= Max (so U - emergencyBytes <=
\* Max at every instant, which the stress test's observer checks).
BudgetSafe == usage - (ebytes - PendingOverage) <= Max
\* emergencyBytes is the sum of the overages added and not yet subtracted: those of the admissions
\* not yet released, and the pending ones.
EmergencyAccounted == ebytes = SumOver(LAMBDA t : IF pc[t] = "fEmerg" THEN 0 ELSE ov[t], Threads)

\* The reserve serves Critical and Emergency only: no non-Critical, non-Emergency admission left
\* U > Max - Reserved (judged at each admission's RMW), and the bytes such requests hold never
\* exceed Max - Reserved.
ReserveOnlyForCritical ==
  /\ ~breach
  /\ SumOver(LAMBDA t : IF held[t] > 0 /\ PrioOf(t) # "Critical" /\ ModeOf(t) # "Emergency" THEN held[t] ELSE 0,
             Threads) <= Max - Reserved

\* A thread raising peak after an admission (its own, or as granter the head's).
PeakPending(t) == pc[t] \in {"pLoad", "pCas", "gPLoad", "gPCas"}
\* peak is a usage that was reached, and once no peak update is pending it is the largest one; U
\* never exceeds the peak and the pending updates' values.
PeakIsMax ==
  /\ peak <= maxU
  /\ (\A t \in Threads : ~PeakPending(t)) => peak = maxU
  /\ usage <= peak \/ \E t \in Threads : PeakPending(t) /\ usage <= nu[t]

\* No barging: a fast admission never overtakes a waiter of rank >= its own that was already queued
\* at its first waiting-word read and still waits (not yet granted: a granted head stays queued until
\* its granter's sub on total); a grant never overtakes a waiter of higher priority, or of the
\* same priority enqueued earlier (history variables, judged at the admitting CAS).
NoBarging == barge = "none"

\* Each thread waits at most once, each waiting word counts its waiters (but the head a granter is
\* dequeuing, from its sub on waiting[p]), total counts them all (but one whose add on total is still to
\* come), a waiter sleeps (or runs the grant loop it entered with), and the lock is held by the thread
\* in the locked section.  (The queue's order is judged by NoBarging, at the grants.)
QueueWellFormed ==
  LET dequeuing == \E t \in Threads : pc[t] = "gTotal"
      adding == \E t \in Threads : pc[t] = "sTotal"
  IN  /\ \A i, j \in 1 .. Len(queue) : i < j => queue[i] # queue[j]
      /\ \A r \in UsedRanks :
           waiting[r] = Cardinality({i \in 1 .. Len(queue) : Rank(PrioOf(queue[i])) = r /\ ~(i = 1 /\ dequeuing)})
      /\ total = Len(queue) - (IF adding THEN 1 ELSE 0)
      \* each row counts the waiters whose enqueue has reached it, and those dequeued whose dequeue has not
      /\ \A r \in Threads :
           mirror[r] = Cardinality({v \in Range(queue) : Counted(v, r)})
                       + Cardinality({g \in Threads : pc[g] = "gMirror" /\ r \in todo[g]})
      /\ \A t \in Range(queue) :
           pc[t] \in {"sTotal", "sMirror", "gHead", "gCas", "gPLoad", "gPCas", "gDeq", "gTotal", "gMirror", "unlock", "sleep"}
      /\ \A t \in Threads : pc[t] \in LockedPcs \/ (pc[t] \in AdmitPcs /\ ModeOf(t) = "Blocking") => lock = t

\* Every script done: nothing is held, charged or waiting, the lock is free, peak is the maximum.
DoneClean == Done => /\ usage = 0 /\ ebytes = 0 /\ queue = <<>> /\ lock = NoThread
                     /\ \A r \in UsedRanks : waiting[r] = 0 /\ total = 0
                     /\ \A r \in Threads : mirror[r] = 0
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
\* Steps: a CAS on U fails (fast path, Blocking under the lock, or grant); an Emergency CAS on U fails
\* (its emergencyBytes add is undone); a CAS on peak fails; a NonBlocking request fails; a Blocking
\* request finds a waiter and enqueues; a releaser grants a waiter.
WA_UsageCasFails == ~\E t \in Threads : pc[t] \in {"fCas", "gCas"} /\ usage # u[t] /\ (FastCas(t) \/ GrantCas(t))
WA_EmergencyCasFails == ~\E t \in Threads : pc[t] = "fECas" /\ usage # u[t] /\ FastEmergencyCas(t)
WA_PeakCasFails  == ~\E t \in Threads : pc[t] \in {"pCas", "gPCas"} /\ peak # pk[t] /\ PeakCas(t)
WA_NonBlockingFails == ~\E t \in Threads : pc[t] \in {"fCheck", "fLoad"} /\ ModeOf(t) = "NonBlocking" /\ idx'[t] # idx[t]
WA_FastDeferred  == ~\E t \in Threads : pc[t] = "fCheck" /\ waiting[q[t]] > 0 /\ FastCheck(t)
WA_GrantByRelease == ~\E t \in Threads : pc[t] = "gTotal" /\ Head(queue) # t /\ t \notin Range(queue) /\ GrantTotal(t)
\* A fast path reads its row's count 0 while a waiter is queued (its enqueue has not reached the row yet).
WA_FastBeforeMirror == ~\E t \in Threads : pc[t] = "fMirror" /\ mirror[t] = 0 /\ queue # <<>> /\ FastMirror(t)
=============================================================================
