----------------------------- MODULE SharedLease -----------------------------
(***************************************************************************)
(* Budget bytes leased to threads by the shared ledger (`leaseBytes`;     *)
(* docs/decisions.md, "Leasing budget bytes to threads", and              *)
(* packages/resources/src/internal/shared/ledger.ts).  One resource type; *)
(* threads 1..N.                                                           *)
(*                                                                         *)
(* Words: the usage word U (live bytes + leased bytes + bytes in flight    *)
(* under the lock), a lease word per thread row (Off = -1: leasing off,    *)
(* else the bytes the thread has leased), the flag `on` (changed only      *)
(* under the lock) and the lock word.  Every Atomics op is one step.       *)
(*  - Spend (lock-free): a request that fits the thread's own lease takes  *)
(*    its bytes from it with one compare-and-swap on the thread's word.    *)
(*  - Direct (lock-free, as today): a request that does not fit its lease  *)
(*    reads its row, then does one compare-and-swap on U when it fits      *)
(*    limit(p); a step that leaves U above the ceiling reads `on` and,     *)
(*    when leasing is on, takes the lock and turns it off before the       *)
(*    pressure level is settled; a request that does not fit is refused    *)
(*    lock-free only when leasing was off and the epoch unchanged around   *)
(*    its read of U (the seqlock), else it takes the lock, turns leasing   *)
(*    off and decides again.                                               *)
(*  - Take a lease (under the lock, leasing on, U + Chunk <= Ceil): add    *)
(*    Chunk to U, then to the thread's own lease word.                     *)
(*  - Turn off (under the lock): on := FALSE, then each row in turn:       *)
(*    swap its word to Off, then subtract what it held from U.             *)
(*  - Release (lock-free): one compare-and-swap puts the bytes back into   *)
(*    the thread's lease when its word is not Off and the lease stays at   *)
(*    most MaxLease, else Atomics.sub on U.                                *)
(*  - Turn on (under the lock, leasing off, 2 * U <= Ceil): each row Off   *)
(*    -> 0 in turn, then on := TRUE.                                       *)
(* Checked: U = live + leased + in flight (Account), the budget and the    *)
(* reserve (BudgetSafe, ReserveOnlyForCritical), no false refusal and no   *)
(* inexact pressure level (NotBad: a refusal is made only when the live    *)
(* bytes and the request exceed limit(p); a level is settled only from a  *)
(* U equal to the live bytes), and that everything is given back at the   *)
(* end (DoneClean).                                                        *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets
LOCAL INSTANCE Sums

CONSTANTS N, Max, Reserved, Ceil, Chunk, MaxLease, Script

Threads == 1..N
Off == -1
None == [size |-> 0, prio |-> "None"]
Limit(p) == IF p = "Critical" THEN Max ELSE Max - Reserved

VARIABLES
  U,        \* the usage word
  lease,    \* lease[t]: the lease word of t's row
  on,       \* whether leasing is on
  lock,     \* the lock word (0: free)
  held,     \* held[t]: the request t holds (None: nothing)
  pc,       \* t's next step
  k,        \* t's position in its script
  row,      \* the row t sweeps or turns on
  swept,    \* bytes t took from a row and has not yet subtracted from U
  landing,  \* bytes t added to U for a lease and has not yet added to its word
  exactAt,  \* whether U equalled the live bytes when t's last CAS set it
  epoch,    \* the lease epoch: odd while leasing is being turned on or off (under the lock)
  e1,       \* the epoch t read before its CAS on U
  wasOn,    \* whether leasing was on when t read the epoch
  bad       \* the first exactness failure ("" while none)

vars == <<U, lease, on, lock, held, pc, k, row, swept, landing, exactAt, epoch, e1, wasOn, bad>>

Live == SumOver(LAMBDA t : held[t].size, Threads)
Leased == SumOver(LAMBDA t : IF lease[t] = Off THEN 0 ELSE lease[t], Threads)
InFlight == SumOver(LAMBDA t : swept[t] + landing[t], Threads)
Req(t) == Script[t][k[t]]

Init ==
  /\ U = 0 /\ lease = [t \in Threads |-> 0] /\ on = TRUE /\ lock = 0
  /\ held = [t \in Threads |-> None] /\ pc = [t \in Threads |-> "req"] /\ k = [t \in Threads |-> 1]
  /\ row = [t \in Threads |-> 0] /\ swept = [t \in Threads |-> 0] /\ landing = [t \in Threads |-> 0]
  /\ exactAt = [t \in Threads |-> TRUE] /\ bad = ""
  /\ epoch = 0 /\ e1 = [t \in Threads |-> 0] /\ wasOn = [t \in Threads |-> TRUE]

Set(f, t, v) == [f EXCEPT ![t] = v]

\* ---- requests
Spend(t) ==
  /\ pc[t] = "req" /\ k[t] <= Len(Script[t]) /\ lease[t] >= Req(t).size
  /\ lease' = Set(lease, t, lease[t] - Req(t).size)
  /\ held' = Set(held, t, Req(t)) /\ k' = Set(k, t, k[t] + 1) /\ pc' = Set(pc, t, "rel")
  /\ UNCHANGED <<U, on, lock, row, swept, landing, exactAt, epoch, e1, wasOn, bad>>

\* The request does not fit its lease: read the row, then go to U, or ask for a lease.
ReadRow(t) ==
  /\ pc[t] = "req" /\ k[t] <= Len(Script[t]) /\ lease[t] < Req(t).size
  /\ \/ pc' = Set(pc, t, "epoch")
     \/ lease[t] # Off /\ pc' = Set(pc, t, "leaseLock")
  /\ UNCHANGED <<U, lease, on, lock, held, k, row, swept, landing, exactAt, epoch, e1, wasOn, bad>>

\* Before the CAS on U: the lease epoch, then whether leasing is on (the seqlock's first read).
ReadEpoch(t) ==
  /\ pc[t] = "epoch"
  /\ e1' = Set(e1, t, epoch) /\ pc' = Set(pc, t, "epochOn")
  /\ UNCHANGED <<U, lease, on, lock, held, k, row, swept, landing, exactAt, epoch, wasOn, bad>>
ReadEpochOn(t) ==
  /\ pc[t] = "epochOn"
  /\ wasOn' = Set(wasOn, t, on) /\ pc' = Set(pc, t, "direct")
  /\ UNCHANGED <<U, lease, on, lock, held, k, row, swept, landing, exactAt, epoch, e1, bad>>

Direct(t) ==
  /\ pc[t] = "direct"
  /\ IF U + Req(t).size <= Limit(Req(t).prio)
       THEN /\ U' = U + Req(t).size
            /\ held' = Set(held, t, Req(t)) /\ k' = Set(k, t, k[t] + 1)
            /\ exactAt' = Set(exactAt, t, U + Req(t).size = Live + Req(t).size)
            /\ pc' = Set(pc, t, IF U + Req(t).size > Ceil THEN "readOn" ELSE "rel")
       ELSE /\ pc' = Set(pc, t, "refRead") /\ UNCHANGED <<U, held, k>>
            /\ exactAt' = Set(exactAt, t, U = Live)
  /\ UNCHANGED <<lease, on, lock, row, swept, landing, epoch, e1, wasOn, bad>>

\* A request that did not fit: refused lock-free when leasing was off and the epoch even before the read
\* of U and unchanged after it (the seqlock again); otherwise decided under the lock, after a sweep.
RefRead(t) ==
  /\ pc[t] = "refRead"
  /\ IF ~wasOn[t] /\ e1[t] % 2 = 0 /\ epoch = e1[t]
       THEN /\ pc' = Set(pc, t, "req") /\ k' = Set(k, t, k[t] + 1)
            /\ bad' = IF exactAt[t] \/ bad # "" THEN bad ELSE "a refusal on an inexact usage"
       ELSE /\ pc' = Set(pc, t, "refLock") /\ UNCHANGED <<k, bad>>
  /\ UNCHANGED <<U, lease, on, lock, held, row, swept, landing, exactAt, epoch, e1, wasOn>>

\* Above the ceiling: the level is settled lock-free only when leasing was off and the epoch even
\* before the CAS and the same after it (the seqlock's second read); otherwise under the lock, after
\* a sweep.
ReadOn(t) ==
  /\ pc[t] = "readOn"
  /\ IF ~wasOn[t] /\ e1[t] % 2 = 0 /\ epoch = e1[t]
       THEN /\ bad' = IF exactAt[t] \/ bad # "" THEN bad ELSE "a level settled from an inexact usage"
            /\ pc' = Set(pc, t, "rel")
       ELSE pc' = Set(pc, t, "offLock") /\ UNCHANGED bad
  /\ UNCHANGED <<U, lease, on, lock, held, k, row, swept, landing, exactAt, epoch, e1, wasOn>>

\* ---- the lock's paths
TakeLock(t, from, to) ==
  /\ pc[t] = from /\ lock = 0 /\ lock' = t /\ pc' = Set(pc, t, to)
  /\ UNCHANGED <<U, lease, on, held, k, row, swept, landing, exactAt, epoch, e1, wasOn, bad>>

LeaseCharge(t) ==
  /\ pc[t] = "leaseCharge"
  /\ IF on /\ U + Chunk <= Ceil
       THEN U' = U + Chunk /\ landing' = Set(landing, t, Chunk) /\ pc' = Set(pc, t, "leaseLand")
       ELSE UNCHANGED <<U, landing>> /\ pc' = Set(pc, t, "unlock")
  /\ UNCHANGED <<lease, on, lock, held, k, row, swept, exactAt, epoch, e1, wasOn, bad>>

LeaseLand(t) ==
  /\ pc[t] = "leaseLand"
  /\ lease' = Set(lease, t, lease[t] + landing[t])
  /\ landing' = Set(landing, t, 0) /\ pc' = Set(pc, t, "unlock")
  /\ UNCHANGED <<U, on, lock, held, k, row, swept, exactAt, epoch, e1, wasOn, bad>>

Unlock(t) ==
  /\ pc[t] = "unlock" /\ lock' = 0 /\ pc' = Set(pc, t, "req")
  /\ UNCHANGED <<U, lease, on, held, k, row, swept, landing, exactAt, epoch, e1, wasOn, bad>>

\* Turning leasing off: on := FALSE, then every row swept (swap to Off, then subtract from U).
OffStart(t, sweep) ==
  /\ pc[t] = sweep /\ row[t] = 0
  /\ on' = FALSE /\ row' = Set(row, t, 1) /\ epoch' = epoch + 1
  /\ UNCHANGED <<U, lease, lock, held, pc, k, swept, landing, exactAt, e1, wasOn, bad>>

SweepRow(t, sweep) ==
  /\ pc[t] = sweep /\ row[t] \in Threads /\ swept[t] = 0
  /\ swept' = Set(swept, t, IF lease[row[t]] = Off THEN 0 ELSE lease[row[t]])
  /\ lease' = Set(lease, row[t], Off)
  /\ pc' = Set(pc, t, sweep \o "Sub")
  /\ UNCHANGED <<U, on, lock, held, k, row, landing, exactAt, epoch, e1, wasOn, bad>>

SweepSub(t, sweep) ==
  /\ pc[t] = sweep \o "Sub"
  /\ U' = U - swept[t] /\ swept' = Set(swept, t, 0) /\ row' = Set(row, t, row[t] + 1)
  /\ pc' = Set(pc, t, sweep)
  /\ UNCHANGED <<lease, on, lock, held, k, landing, exactAt, epoch, e1, wasOn, bad>>

\* After the sweep of a refusal: decide again on U, which is now the live bytes.
RefDecide(t) ==
  /\ pc[t] = "refSweep" /\ row[t] > N
  /\ row' = Set(row, t, 0) /\ lock' = 0 /\ epoch' = epoch + 1
  /\ IF U + Req(t).size <= Limit(Req(t).prio)
       THEN /\ U' = U + Req(t).size /\ held' = Set(held, t, Req(t)) /\ pc' = Set(pc, t, "rel")
            /\ bad' = bad
       ELSE /\ UNCHANGED <<U, held>> /\ pc' = Set(pc, t, "req")
            /\ bad' = IF Live + Req(t).size > Limit(Req(t).prio) \/ bad # "" THEN bad ELSE "a false refusal"
  /\ k' = Set(k, t, k[t] + 1)
  /\ UNCHANGED <<lease, on, swept, landing, exactAt, e1, wasOn>>

\* After the sweep of a step above the ceiling: the level is settled from U.
OffSettle(t) ==
  /\ pc[t] = "offSweep" /\ row[t] > N
  /\ row' = Set(row, t, 0) /\ lock' = 0 /\ pc' = Set(pc, t, "rel") /\ epoch' = epoch + 1
  /\ bad' = IF U = Live \/ bad # "" THEN bad ELSE "a level settled from an inexact usage"
  /\ UNCHANGED <<U, lease, on, held, k, swept, landing, exactAt, e1, wasOn>>

\* ---- release, and turning leasing on again
Release(t) ==
  /\ pc[t] = "rel"
  /\ LET s == held[t].size IN
       IF lease[t] # Off /\ lease[t] + s <= MaxLease
         THEN lease' = Set(lease, t, lease[t] + s) /\ UNCHANGED U
         ELSE U' = U - s /\ UNCHANGED lease
  /\ held' = Set(held, t, None)
  /\ pc' = Set(pc, t, "req")
  /\ UNCHANGED <<on, lock, k, row, swept, landing, exactAt, epoch, e1, wasOn, bad>>

OnCheck(t) ==
  /\ pc[t] = "onCheck"
  /\ IF ~on /\ 2 * U <= Ceil
       THEN pc' = Set(pc, t, "onRows") /\ row' = Set(row, t, 1) /\ epoch' = epoch + 1
       ELSE pc' = Set(pc, t, "unlock") /\ UNCHANGED <<row, epoch>>
  /\ UNCHANGED <<U, lease, on, lock, held, k, swept, landing, exactAt, e1, wasOn, bad>>

OnRow(t) ==
  /\ pc[t] = "onRows" /\ row[t] \in Threads
  /\ lease' = Set(lease, row[t], IF lease[row[t]] = Off THEN 0 ELSE lease[row[t]])
  /\ row' = Set(row, t, row[t] + 1)
  /\ UNCHANGED <<U, on, lock, held, pc, k, swept, landing, exactAt, epoch, e1, wasOn, bad>>

OnDone(t) ==
  /\ pc[t] = "onRows" /\ row[t] > N
  /\ on' = TRUE /\ row' = Set(row, t, 0) /\ pc' = Set(pc, t, "unlock") /\ epoch' = epoch + 1
  /\ UNCHANGED <<U, lease, lock, held, k, swept, landing, exactAt, e1, wasOn, bad>>

\* A thread at the end gives its lease back (under the lock: bytes leave a lease word only there).
EndLock(t) == TakeLock(t, "end", "giveBack")
GiveBack(t) ==
  /\ pc[t] = "giveBack"
  /\ IF lease[t] = Off \/ lease[t] = 0
       THEN lease' = lease /\ U' = U
       ELSE lease' = Set(lease, t, 0) /\ U' = U - lease[t]
  /\ lock' = 0 /\ pc' = Set(pc, t, "done")
  /\ UNCHANGED <<on, held, k, row, swept, landing, exactAt, epoch, e1, wasOn, bad>>

Step(t) ==
  \/ Spend(t) \/ ReadRow(t) \/ ReadEpoch(t) \/ ReadEpochOn(t) \/ Direct(t) \/ RefRead(t) \/ ReadOn(t)
  \/ TakeLock(t, "leaseLock", "leaseCharge") \/ LeaseCharge(t) \/ LeaseLand(t) \/ Unlock(t)
  \/ TakeLock(t, "refLock", "refSweep") \/ TakeLock(t, "offLock", "offSweep")
  \/ OffStart(t, "refSweep") \/ OffStart(t, "offSweep")
  \/ SweepRow(t, "refSweep") \/ SweepRow(t, "offSweep") \/ SweepSub(t, "refSweep") \/ SweepSub(t, "offSweep")
  \/ RefDecide(t) \/ OffSettle(t)
  \/ Release(t)
  \/ k[t] <= Len(Script[t]) /\ TakeLock(t, "req", "onCheck")
  \/ OnCheck(t) \/ OnRow(t) \/ OnDone(t)
  \/ /\ pc[t] = "req" /\ k[t] > Len(Script[t]) /\ pc' = Set(pc, t, "end")
     /\ UNCHANGED <<U, lease, on, lock, held, k, row, swept, landing, exactAt, epoch, e1, wasOn, bad>>
  \/ EndLock(t) \/ GiveBack(t)

Next ==
  \/ \E t \in Threads : Step(t)
  \/ (\A t \in Threads : pc[t] = "done") /\ UNCHANGED vars

Spec == Init /\ [][Next]_vars

\* ---- properties
Account == U = Live + Leased + InFlight
BudgetSafe == Live <= Max
ReserveOnlyForCritical == Live > Max - Reserved => \E t \in Threads : held[t].prio = "Critical"
LeasesBelowCeiling == Leased + SumOver(LAMBDA t : landing[t], Threads) <= Ceil
NotBad == bad = ""
DoneClean == (\A t \in Threads : pc[t] = "done") => U = 0 /\ Live = 0

\* ---- witnesses (each must be violated somewhere: the model reaches these situations)
W_Spent == ~(\E t \in Threads : pc[t] = "rel" /\ lease[t] >= 0 /\ held[t].size > 0 /\ on /\ Leased > 0 /\ U > Live)
W_Refused == ~(\E t \in Threads : pc[t] = "refSweep" /\ row[t] > N /\ U + Req(t).size > Limit(Req(t).prio))
W_SweptALease == ~(\E t \in Threads : swept[t] > 0)
W_TurnedOn == ~(\E t \in Threads : pc[t] = "onRows" /\ row[t] > N)
W_CriticalReserve == ~(Live > Max - Reserved)
W_LockFreeSettle == ~(\E t \in Threads : pc[t] = "readOn" /\ ~wasOn[t] /\ e1[t] % 2 = 0 /\ epoch = e1[t])
W_InexactRouted == ~(\E t \in Threads : pc[t] = "readOn" /\ ~exactAt[t])
W_LockFreeRefusal == ~(\E t \in Threads : pc[t] = "refRead" /\ ~wasOn[t] /\ e1[t] % 2 = 0 /\ epoch = e1[t])
=============================================================================
