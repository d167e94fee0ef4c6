------------------------------ MODULE SharedClose ------------------------------
(***************************************************************************)
(* The creator's close of the shared resource manager, racing the other   *)
(* threads: threads that attach, acquire (charging the shared usage),     *)
(* wait and are granted, take their grant, release and detach, while the  *)
(* creator closes (SharedManagerImpl.close in SharedResourceManager.ts;    *)
(* Ledger.quiesce, markClosed, resume, enterStep, leaveStep, dropHold in   *)
(* ledger.ts; closeQueue, holdersOf, releaseThread, grant in queue.ts).   *)
(* Every Atomics operation on a word a lock-free step of another thread   *)
(* reads is one step; a thread's locals are its state.                    *)
(*  - A lock-free step (enterStep ... leaveStep): or(step[t], 1), then     *)
(*    load(flags[t]) & Repair: set, it clears its mark, waits until the   *)
(*    repair is over and marks again.  Inside: the fast path's admission  *)
(*    (tryAdmit: ensureUsable, the CAS on usage, the mask store {t}), a   *)
(*    release (dropHold: load mask, CAS mask without t, the last hold     *)
(*    subtracts its bytes) and the taking of a grant (takeGrant: the     *)
(*    manager open? then the wait entry's state Granted -> Free).         *)
(*  - The close (creator, under the lock): quiesce (the Repair flag on    *)
(*    every row, then it waits for each attached thread's step mark to    *)
(*    clear), markClosed (the header's word, then every row's Closed      *)
(*    flag), resume, the leak reports (leaksOf: every live hold but the   *)
(*    grants recorded and not taken), closeQueue (every Waiting entry     *)
(*    Closed), holdersOf (the threads with a live hold), then the loop    *)
(*    over thread indexes: a thread attached (claim 1) or holding          *)
(*    something is released (releaseThread: its wait entries freed, then *)
(*    dropHold of each of its holds), then the creator's own holds, the   *)
(*    unlock and the creator's index.                                     *)
(*  - A thread's close: open (its row not Closed), under the lock it      *)
(*    releases its own holds and waits (releaseThread of itself), then    *)
(*    gives up its index; closed, it only gives up its index (leaveClosed: *)
(*    CAS(claim, 1, 0)), its holds left to the creator's close.           *)
(* Abstracted away: sizes (every request is 1 byte; one type); the usage  *)
(* CAS loop (a CAS that fails changes nothing: SharedLedger.tla checks    *)
(* it), the waiting words and the rows' waiter counts (read here from the *)
(* entries: SharedLedger.tla), generations (no slot is taken again after  *)
(* the closed mark, and before it only its holder frees a hold:           *)
(* SharedHolders.tla), shares, names, pools, leases, the lost-thread      *)
(* reaper, counters and pressure events.  Steps under the lock that no    *)
(* lock-free step can tell apart are one step: a grant (the usage CAS,    *)
(* the mask store and the entry's state Granted), a Blocking request's    *)
(* admission or enqueue, a thread's release of itself, leaksOf,           *)
(* closeQueue, holdersOf, a slot's return (in-use bit) with the release's  *)
(* subtraction.                                                           *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets

CONSTANTS
  Creator,   \* the creator's thread (index 0: the close loop skips it)
  Loop,      \* the other threads, in the order of their indexes (the close's loop)
  Slots,     \* the resource slots
  Max,       \* maxBytes (every request is 1 byte)
  Patience,  \* TRUE: the close stops waiting for a step in progress (quiesce's patience, lostAfterMillis, ran out)
  Script     \* [Threads -> Seq(calls)]: each thread's calls, "attach", "acq" (NonBlocking), "block"
             \* (Blocking, and its wait), "rel" (release every ref) and "close"

Others == {Loop[i] : i \in 1..Len(Loop)}
Threads == Others \cup {Creator}
NoThread == "none"

Calls == {"attach", "acq", "block", "rel", "close"}
\* The creator's script never attaches (it is attached from the start) and ends with its close; every
\* other thread's starts with its attach and ends with its close.  A thread other than the creator
\* may close at any point between two calls (or while a wait is pending), and does after a
\* ManagerClosed.
ASSUME /\ \A t \in Threads : Script[t] \in Seq(Calls) /\ Len(Script[t]) > 0
       /\ Script[Creator][Len(Script[Creator])] = "close"
       /\ \A i \in 1..Len(Script[Creator]) : Script[Creator][i] # "attach"
       /\ \A t \in Others : Script[t][1] = "attach" /\ Script[t][Len(Script[t])] = "close"

VARIABLES
  U,          \* the usage word
  mask,       \* each slot's holder mask (a set of threads; {} = not live)
  taken,      \* each slot's in-use bit
  lock,       \* the slow-path lock word
  claim,      \* each thread index's claim word (1: attached)
  step,       \* each thread's step mark (R.step, bit 0)
  repair,     \* each row's Repair flag
  closed,     \* each row's Closed flag
  hClosed,    \* the header's closed word (read by attach)
  entry,      \* each thread's wait entry's state: Free, Waiting, Granted, Closed
  eslot,      \* the slot a grant recorded in the entry
  pc, ip,     \* each thread's step, and its place in its script
  cur,        \* the slot a thread's release works on (the creator's: of releaseThread)
  m,          \* a thread's last load of a mask
  ci,         \* the close's index into Loop
  rt,         \* the thread the close's releaseThread works on
  holders,    \* holdersOf: the threads the close found holding something
  told,       \* ghost: the holds each thread was told it has (acquired, or a grant taken) and holds
  untaken,    \* ghost: the grants recorded for each thread and not taken (a waiter's, not a hold)
  report,     \* ghost: the close's leak reports (<<thread, slot>>)
  lateGrant,  \* ghost: a grant was taken while its hold was not live (a wait succeeded with a released hold)
  reportBad,  \* ghost: the leak reports were not exactly the holds the threads were told of
  closeDone,  \* ghost: the creator's close returned
  refused,    \* ghost: where a takeGrant was refused by the closed manager ("outside", "inside" its step)
  grantSlots, \* ghost: <<thread, slot>> of the grants taken
  untakenFreed \* ghost: the close released a grant that was never taken

vars == <<U, mask, taken, lock, claim, step, repair, closed, hClosed, entry, eslot, pc, ip, cur, m,
          ci, rt, holders, told, untaken, report, lateGrant, reportBad, closeDone, refused,
          grantSlots, untakenFreed>>

Pcs == {"idle", "done",
        "atLoad", "atClaim",
        "mark", "repair", "unmark", "pause", "leave",
        "aOpen", "aCas", "aMask",
        "bLock", "bOpen", "bUnlock", "wBell", "wEntry", "wFree", "tg1", "tgOpen", "tgStore",
        "rCheck", "rMask", "rCas", "rSub", "gLock", "gGrant", "gUnlock",
        "dCheck", "dLeave", "dLock", "dRel", "dGrant", "dUnlock", "dClaim",
        "cLock", "cFlag", "cWait", "cHeader", "cMark", "cResume", "cLeaks", "cQueue", "cHolders",
        "cLoop", "rtEntries", "rtSlot", "rtCas", "rtSub", "rtDone", "cUnlock", "cClaim"}
\* What a thread does inside its lock-free step, and where it goes after it.
Ops == {"none", "acq", "acqNoFit", "take", "taken", "rel", "relFreed", "failed"}

VARIABLE op  \* the lock-free step a thread is in (or just left), and its outcome

allVars == <<vars, op>>

TypeOK ==
  /\ U \in 0..Max
  /\ mask \in [Slots -> SUBSET Threads]
  /\ taken \in [Slots -> BOOLEAN]
  /\ lock \in Threads \cup {NoThread}
  /\ claim \in [Threads -> {0, 1}]
  /\ step \in [Threads -> BOOLEAN]
  /\ repair \in [Threads -> BOOLEAN]
  /\ closed \in [Threads -> BOOLEAN]
  /\ hClosed \in BOOLEAN
  /\ entry \in [Threads -> {"Free", "Waiting", "Granted", "Closed"}]
  /\ eslot \in [Threads -> Slots \cup {0}]
  /\ pc \in [Threads -> Pcs]
  /\ op \in [Threads -> Ops]
  /\ cur \in [Threads -> Slots \cup {0}]
  /\ m \in [Threads -> SUBSET Threads]
  /\ ci \in 0..Len(Loop) + 1
  /\ rt \in Threads \cup {NoThread}
  /\ holders \subseteq Threads
  /\ told \in [Threads -> SUBSET Slots]
  /\ untaken \in [Threads -> SUBSET Slots]
  /\ report \subseteq Threads \X Slots

Init ==
  /\ U = 0
  /\ mask = [s \in Slots |-> {}]
  /\ taken = [s \in Slots |-> FALSE]
  /\ lock = NoThread
  /\ claim = [t \in Threads |-> IF t = Creator THEN 1 ELSE 0]
  /\ step = [t \in Threads |-> FALSE]
  /\ repair = [t \in Threads |-> FALSE]
  /\ closed = [t \in Threads |-> FALSE]
  /\ hClosed = FALSE
  /\ entry = [t \in Threads |-> "Free"]
  /\ eslot = [t \in Threads |-> 0]
  /\ pc = [t \in Threads |-> "idle"]
  /\ ip = [t \in Threads |-> 1]
  /\ op = [t \in Threads |-> "none"]
  /\ cur = [t \in Threads |-> 0]
  /\ m = [t \in Threads |-> {}]
  /\ ci = 0
  /\ rt = NoThread
  /\ holders = {}
  /\ told = [t \in Threads |-> {}]
  /\ untaken = [t \in Threads |-> {}]
  /\ report = {}
  /\ lateGrant = FALSE
  /\ reportBad = FALSE
  /\ closeDone = FALSE
  /\ refused = {}
  /\ grantSlots = {}
  /\ untakenFreed = FALSE

Set(f, x, v) == [f EXCEPT ![x] = v]
Go(t, p) == pc' = Set(pc, t, p)
Waiters == {t \in Threads : entry[t] = "Waiting"}
FreeSlots == {s \in Slots : ~taken[s]}
\* The slot a step takes: the lowest free one (slots are interchangeable; the table never runs out in
\* the configs).
Lowest(S) == CHOOSE s \in S : \A x \in S : s <= x
\* After a ManagerClosed: the thread closes (a thread never attached is done).
FailTo(t) == IF claim[t] = 1 THEN "dCheck" ELSE "done"

-----------------------------------------------------------------------------
(* Between calls: the next call of the script, or (another thread) a close at any point. *)

Dispatch(t) ==
  /\ pc[t] = "idle"
  /\ ip[t] <= Len(Script[t])
  /\ LET call == Script[t][ip[t]] IN
       /\ ip' = Set(ip, t, ip[t] + 1)
       /\ CASE call = "attach" -> Go(t, "atLoad")
            [] call = "acq"    -> Go(t, "mark") /\ op' = Set(op, t, "acq")
            [] call = "block"  -> Go(t, "bLock")
            [] call = "rel"    -> Go(t, "rCheck")
            [] call = "close"  -> Go(t, IF t = Creator THEN "cLock" ELSE "dCheck")
       /\ (call # "acq") => UNCHANGED op
  /\ UNCHANGED <<U, mask, taken, lock, claim, step, repair, closed, hClosed, entry, eslot, cur, m,
                 ci, rt, holders, told, untaken, report, lateGrant, reportBad, closeDone, refused,
                 grantSlots, untakenFreed>>

\* (while a wait is pending, too: caller code closes, and stop() fails the wait)
EarlyClose(t) ==
  /\ t # Creator
  /\ pc[t] \in {"idle", "wBell"}
  /\ claim[t] = 1
  /\ ip[t] <= Len(Script[t])
  /\ ip' = Set(ip, t, Len(Script[t]) + 1)
  /\ Go(t, "dCheck")
  /\ UNCHANGED <<U, mask, taken, lock, claim, step, repair, closed, hClosed, entry, eslot, op, cur, m,
                 ci, rt, holders, told, untaken, report, lateGrant, reportBad, closeDone, refused,
                 grantSlots, untakenFreed>>

-----------------------------------------------------------------------------
(* attach (SharedManagerImpl.claim): the header's closed word, then the index's claim. *)

AtLoad(t) ==
  /\ pc[t] = "atLoad"
  /\ Go(t, IF hClosed THEN "done" ELSE "atClaim")
  /\ UNCHANGED <<U, mask, taken, lock, claim, step, repair, closed, hClosed, entry, eslot, ip, op, cur, m,
                 ci, rt, holders, told, untaken, report, lateGrant, reportBad, closeDone, refused,
                 grantSlots, untakenFreed>>

AtClaim(t) ==
  /\ pc[t] = "atClaim"
  /\ claim' = Set(claim, t, 1)
  /\ Go(t, "idle")
  /\ UNCHANGED <<U, mask, taken, lock, step, repair, closed, hClosed, entry, eslot, ip, op, cur, m,
                 ci, rt, holders, told, untaken, report, lateGrant, reportBad, closeDone, refused,
                 grantSlots, untakenFreed>>

-----------------------------------------------------------------------------
(* A lock-free step (Ledger.enterStep / leaveStep) around the work op[t] names. *)

Unchanged1 == UNCHANGED <<U, mask, taken, lock, claim, repair, closed, hClosed, entry, eslot, ip, cur, m,
                          ci, rt, holders, told, untaken, report, lateGrant, reportBad, closeDone,
                          refused, grantSlots, untakenFreed>>

Mark(t) ==
  /\ pc[t] = "mark"
  /\ step' = Set(step, t, TRUE)
  /\ Go(t, "repair")
  /\ UNCHANGED op /\ Unchanged1

\* load(flags) & Repair: set, the step backs off; else the work.
RepairCheck(t) ==
  /\ pc[t] = "repair"
  /\ Go(t, IF repair[t] THEN "unmark"
           ELSE CASE op[t] = "acq" -> "aOpen" [] op[t] = "take" -> "tgOpen" [] op[t] = "rel" -> "rMask")
  /\ UNCHANGED <<step, op>> /\ Unchanged1

Unmark(t) ==
  /\ pc[t] = "unmark"
  /\ step' = Set(step, t, FALSE)
  /\ Go(t, "pause")
  /\ UNCHANGED op /\ Unchanged1

\* waits (pause) while the repair runs, then marks again
Pause(t) ==
  /\ pc[t] = "pause"
  /\ ~repair[t]
  /\ Go(t, "mark")
  /\ UNCHANGED <<step, op>> /\ Unchanged1

\* and(step, ~1); then on by the step's outcome
Leave(t) ==
  /\ pc[t] = "leave"
  /\ step' = Set(step, t, FALSE)
  /\ Go(t, CASE op[t] = "acq"      -> "idle"
             [] op[t] = "acqNoFit" -> "idle"   \* BudgetExceeded (NonBlocking)
             [] op[t] = "taken"    -> "idle"   \* the wait resolves with its ref
             [] op[t] = "failed"   -> FailTo(t)
             [] op[t] = "rel"      -> "rCheck" \* the next ref
             [] op[t] = "relFreed" -> "gLock")   \* freed(): the lock, the grant
  /\ op' = Set(op, t, "none")
  /\ Unchanged1

-----------------------------------------------------------------------------
(* acquire, NonBlocking (tryAdmit's fast path: ensureUsable, then admitInto inside the step) *)

AOpen(t) ==
  /\ pc[t] = "aOpen"
  /\ IF closed[t] THEN Go(t, "leave") /\ op' = Set(op, t, "failed")
                  ELSE Go(t, "aCas") /\ UNCHANGED op
  /\ UNCHANGED step /\ Unchanged1

\* the CAS on usage (Ledger.admit): a waiter ahead or no fit refuses
ACas(t) ==
  /\ pc[t] = "aCas"
  /\ IF Waiters = {} /\ U + 1 <= Max /\ FreeSlots # {}
       THEN /\ U' = U + 1
            /\ cur' = Set(cur, t, Lowest(FreeSlots))
            /\ taken' = Set(taken, Lowest(FreeSlots), TRUE)
            /\ Go(t, "aMask") /\ UNCHANGED op
       ELSE /\ Go(t, "leave") /\ op' = Set(op, t, "acqNoFit")
            /\ UNCHANGED <<U, cur, taken>>
  /\ UNCHANGED <<mask, lock, claim, step, repair, closed, hClosed, entry, eslot, ip, m,
                 ci, rt, holders, told, untaken, report, lateGrant, reportBad, closeDone, refused,
                 grantSlots, untakenFreed>>

\* Atomics.store(mask, {t}): live, held by t
AMask(t) ==
  /\ pc[t] = "aMask"
  /\ mask' = Set(mask, cur[t], {t})
  /\ told' = Set(told, t, told[t] \cup {cur[t]})
  /\ Go(t, "leave")
  /\ UNCHANGED <<U, taken, lock, claim, step, repair, closed, hClosed, entry, eslot, ip, op, cur, m,
                 ci, rt, holders, untaken, report, lateGrant, reportBad, closeDone, refused,
                 grantSlots, untakenFreed>>

-----------------------------------------------------------------------------
(* acquire, Blocking (submit: under the lock, ensureUsable, admission or enqueue), and its wait *)

BLock(t) ==
  /\ pc[t] = "bLock"
  /\ lock = NoThread
  /\ lock' = t
  /\ Go(t, "bOpen")
  /\ UNCHANGED <<U, mask, taken, claim, step, repair, closed, hClosed, entry, eslot, ip, op, cur, m,
                 ci, rt, holders, told, untaken, report, lateGrant, reportBad, closeDone, refused,
                 grantSlots, untakenFreed>>

\* Under the lock the Closed flag does not change (the close marks it under the lock).
BOpen(t) ==
  /\ pc[t] = "bOpen"
  /\ IF closed[t]
       THEN Go(t, "bUnlock") /\ UNCHANGED <<U, mask, taken, entry, told>>
     ELSE IF Waiters = {} /\ U + 1 <= Max /\ FreeSlots # {}
       THEN /\ U' = U + 1
            /\ taken' = Set(taken, Lowest(FreeSlots), TRUE)
            /\ mask' = Set(mask, Lowest(FreeSlots), {t})
            /\ told' = Set(told, t, told[t] \cup {Lowest(FreeSlots)})
            /\ Go(t, "bUnlock") /\ UNCHANGED entry
       ELSE /\ entry' = Set(entry, t, "Waiting")
            /\ Go(t, "bUnlock") /\ UNCHANGED <<U, mask, taken, told>>
  /\ UNCHANGED <<lock, claim, step, repair, closed, hClosed, eslot, ip, op, cur, m,
                 ci, rt, holders, untaken, report, lateGrant, reportBad, closeDone, refused,
                 grantSlots, untakenFreed>>

BUnlock(t) ==
  /\ pc[t] = "bUnlock"
  /\ lock' = NoThread
  /\ Go(t, IF closed[t] THEN FailTo(t) ELSE IF entry[t] = "Waiting" THEN "wBell" ELSE "idle")
  /\ UNCHANGED <<U, mask, taken, claim, step, repair, closed, hClosed, entry, eslot, ip, op, cur, m,
                 ci, rt, holders, told, untaken, report, lateGrant, reportBad, closeDone, refused,
                 grantSlots, untakenFreed>>

UnchangedW == UNCHANGED <<U, mask, taken, lock, claim, step, repair, closed, hClosed, eslot, ip, op, cur, m,
                          ci, rt, holders, told, untaken, report, lateGrant, reportBad, closeDone,
                          grantSlots, untakenFreed>>

\* The listener, woken by its bell (a grant, the close): service() looks at usable first.
WBell(t) ==
  /\ pc[t] = "wBell"
  /\ entry[t] # "Waiting" \/ closed[t]
  /\ Go(t, IF closed[t] THEN FailTo(t) ELSE "wEntry")   \* closed: stop() fails the wait, ManagerClosed
  /\ UNCHANGED <<entry, refused>> /\ UnchangedW

\* serviceWaits: load(entry's state)
WEntry(t) ==
  /\ pc[t] = "wEntry"
  /\ Go(t, CASE entry[t] = "Waiting" -> "wBell"
             [] entry[t] = "Granted" -> "tg1"
             [] entry[t] = "Closed"  -> "wFree"
             [] entry[t] = "Free"    -> FailTo(t))   \* freed by a close: ManagerClosed
  /\ UNCHANGED <<entry, refused>> /\ UnchangedW

\* a Closed entry: Atomics.store(state, Free), ManagerClosed
WFree(t) ==
  /\ pc[t] = "wFree"
  /\ entry' = Set(entry, t, "Free")
  /\ Go(t, FailTo(t))
  /\ UNCHANGED refused /\ UnchangedW

\* takeGrant: the manager open? (checked before the step and inside it)
TakeOpen(t) == ~closed[t]

TG1(t) ==
  /\ pc[t] = "tg1"
  /\ IF TakeOpen(t)
       THEN Go(t, "mark") /\ op' = Set(op, t, "take") /\ UNCHANGED refused
       ELSE Go(t, FailTo(t)) /\ refused' = refused \cup {"outside"} /\ UNCHANGED op
  /\ UNCHANGED <<U, mask, taken, lock, claim, step, repair, closed, hClosed, entry, eslot, ip, cur, m,
                 ci, rt, holders, told, untaken, report, lateGrant, reportBad, closeDone,
                 grantSlots, untakenFreed>>

TGOpen(t) ==
  /\ pc[t] = "tgOpen"
  /\ IF TakeOpen(t)
       THEN Go(t, "tgStore") /\ UNCHANGED <<op, refused>>
       ELSE Go(t, "leave") /\ op' = Set(op, t, "failed") /\ refused' = refused \cup {"inside"}
  /\ UNCHANGED <<U, mask, taken, lock, claim, step, repair, closed, hClosed, entry, eslot, ip, cur, m,
                 ci, rt, holders, told, untaken, report, lateGrant, reportBad, closeDone,
                 grantSlots, untakenFreed>>

\* Atomics.store(state, Free): the grant is taken, a hold of t
TGStore(t) ==
  /\ pc[t] = "tgStore"
  /\ entry' = Set(entry, t, "Free")
  /\ lateGrant' = (lateGrant \/ t \notin mask[eslot[t]])
  /\ told' = Set(told, t, told[t] \cup {eslot[t]})
  /\ untaken' = Set(untaken, t, untaken[t] \ {eslot[t]})
  /\ grantSlots' = grantSlots \cup {<<t, eslot[t]>>}
  /\ op' = Set(op, t, "taken")
  /\ Go(t, "leave")
  /\ UNCHANGED <<U, mask, taken, lock, claim, step, repair, closed, hClosed, eslot, ip, cur, m,
                 ci, rt, holders, report, reportBad, closeDone, refused, untakenFreed>>

-----------------------------------------------------------------------------
(* release of each ref (releaseOwn: usable? then dropHold in a step; a freed slot with waiters:
   freed(), under the lock, grants) *)

UnchangedR == UNCHANGED <<lock, claim, step, repair, closed, hClosed, entry, eslot, ip,
                          ci, rt, holders, untaken, report, lateGrant, reportBad, closeDone, refused,
                          grantSlots, untakenFreed>>

\* holdEnded: not usable, the hold ended (the close releases it): nothing to do, for every ref
RCheck(t) ==
  /\ pc[t] = "rCheck"
  /\ IF closed[t] \/ told[t] = {}
       THEN Go(t, "idle") /\ UNCHANGED <<op, cur>>
       ELSE /\ cur' = Set(cur, t, Lowest(told[t]))
            /\ op' = Set(op, t, "rel")
            /\ Go(t, "mark")
  /\ UNCHANGED <<U, mask, taken, m, told>> /\ UnchangedR

\* Ledger.dropHold: load(mask); the thread's bit gone (the close released it), nothing
RMask(t) ==
  /\ pc[t] = "rMask"
  /\ IF t \in mask[cur[t]]
       THEN m' = Set(m, t, mask[cur[t]]) /\ Go(t, "rCas")
       ELSE Go(t, "leave") /\ UNCHANGED m
  /\ UNCHANGED <<U, mask, taken, op, cur, told>> /\ UnchangedR

RCas(t) ==
  /\ pc[t] = "rCas"
  /\ IF mask[cur[t]] = m[t]
       THEN /\ mask' = Set(mask, cur[t], m[t] \ {t})
            /\ told' = Set(told, t, told[t] \ {cur[t]})
            /\ Go(t, IF m[t] \ {t} = {} THEN "rSub" ELSE "leave")
       ELSE Go(t, "rMask") /\ UNCHANGED <<mask, told>>
  /\ UNCHANGED <<U, taken, op, cur, m>> /\ UnchangedR

\* Atomics.sub(usage, size); with no waiter the slot returns at once (the quick path)
RSub(t) ==
  /\ pc[t] = "rSub"
  /\ U' = U - 1
  /\ IF Waiters = {} THEN taken' = Set(taken, cur[t], FALSE) /\ op' = Set(op, t, "rel")
                     ELSE op' = Set(op, t, "relFreed") /\ UNCHANGED taken
  /\ Go(t, "leave")
  /\ UNCHANGED <<mask, cur, m, told>> /\ UnchangedR

UnchangedG == UNCHANGED <<claim, step, repair, closed, hClosed, ip, op, cur, m,
                          ci, rt, holders, told, report, lateGrant, reportBad, closeDone, refused,
                          grantSlots, untakenFreed>>

\* freed(): the lock, then freeSlot (the slot returns)
GLock(t) ==
  /\ pc[t] = "gLock"
  /\ lock = NoThread
  /\ lock' = t
  /\ taken' = Set(taken, cur[t], FALSE)
  /\ Go(t, "gGrant")
  /\ UNCHANGED <<U, mask, entry, eslot, untaken>> /\ UnchangedG

\* grant (queue.ts): the head that fits is admitted and Granted (ringing its thread); a head that
\* does not fit stops the loop.  Every request is 1 byte, so any waiter is the head.
GrantOne(t, w) ==
  LET s == Lowest(FreeSlots) IN
  /\ U' = U + 1
  /\ taken' = Set(taken, s, TRUE)
  /\ mask' = Set(mask, s, {w})
  /\ entry' = Set(entry, w, "Granted")
  /\ eslot' = Set(eslot, w, s)
  /\ untaken' = Set(untaken, w, untaken[w] \cup {s})

Grants(t, here, next) ==
  /\ pc[t] = here
  /\ IF Waiters # {} /\ U + 1 <= Max /\ FreeSlots # {}
       THEN \E w \in Waiters : GrantOne(t, w) /\ UNCHANGED pc
       ELSE Go(t, next) /\ UNCHANGED <<U, taken, mask, entry, eslot, untaken>>
  /\ UNCHANGED lock /\ UnchangedG

GGrant(t) == Grants(t, "gGrant", "gUnlock")

GUnlock(t) ==
  /\ pc[t] = "gUnlock"
  /\ lock' = NoThread
  /\ Go(t, "rCheck")
  /\ UNCHANGED <<U, mask, taken, entry, eslot, untaken>> /\ UnchangedG

-----------------------------------------------------------------------------
(* a thread's close (SharedManagerImpl.close, not the creator) *)

UnchangedD == UNCHANGED <<step, repair, closed, hClosed, ip, op, cur, m, ci, rt, holders,
                          report, lateGrant, reportBad, closeDone, refused, grantSlots, untakenFreed>>

\* usable? (the row's Closed flag)
DCheck(t) ==
  /\ pc[t] = "dCheck"
  /\ Go(t, IF closed[t] THEN "dLeave" ELSE "dLock")
  /\ UNCHANGED <<U, mask, taken, lock, claim, entry, eslot, told, untaken>> /\ UnchangedD

\* leaveClosed: CAS(claim, 1, 0); its holds are the creator's close's to release
DLeave(t) ==
  /\ pc[t] = "dLeave"
  /\ claim' = Set(claim, t, 0)
  /\ Go(t, "done")
  /\ UNCHANGED <<U, mask, taken, lock, entry, eslot, told, untaken>> /\ UnchangedD

DLock(t) ==
  /\ pc[t] = "dLock"
  /\ lock = NoThread
  /\ lock' = t
  /\ Go(t, "dRel")
  /\ UNCHANGED <<U, mask, taken, claim, entry, eslot, told, untaken>> /\ UnchangedD

\* releaseThread of itself (no other thread changes its holds meanwhile): its wait entry freed
\* (a grant it has not taken goes with its holds), every hold dropped
DRel(t) ==
  /\ pc[t] = "dRel"
  /\ LET held == {s \in Slots : t \in mask[s]}
         freed == {s \in held : mask[s] = {t}}
     IN /\ mask' = [s \in Slots |-> mask[s] \ {t}]
        /\ U' = U - Cardinality(freed)
        /\ taken' = [s \in Slots |-> taken[s] /\ s \notin freed]
  /\ entry' = Set(entry, t, "Free")
  /\ told' = Set(told, t, {})
  /\ untaken' = Set(untaken, t, {})
  /\ Go(t, "dGrant")
  /\ UNCHANGED <<lock, claim, eslot>> /\ UnchangedD

DGrant(t) == Grants(t, "dGrant", "dUnlock")

DUnlock(t) ==
  /\ pc[t] = "dUnlock"
  /\ lock' = NoThread
  /\ Go(t, "dClaim")
  /\ UNCHANGED <<U, mask, taken, claim, entry, eslot, told, untaken>> /\ UnchangedD

DClaim(t) ==
  /\ pc[t] = "dClaim"
  /\ claim' = Set(claim, t, 0)
  /\ Go(t, "done")
  /\ UNCHANGED <<U, mask, taken, lock, entry, eslot, told, untaken>> /\ UnchangedD

-----------------------------------------------------------------------------
(* the creator's close *)

C == Creator
CGo(p) == Go(C, p)
Cur == Loop[ci]

UnchangedC == UNCHANGED <<U, mask, taken, claim, step, hClosed, entry, eslot, ip, op, cur, m,
                          rt, holders, told, untaken, report, lateGrant, reportBad, closeDone, refused,
                          grantSlots, untakenFreed>>

CLock ==
  /\ pc[C] = "cLock"
  /\ lock = NoThread
  /\ lock' = C
  /\ ci' = 1
  /\ CGo("cFlag")
  /\ UNCHANGED <<repair, closed>> /\ UnchangedC

\* quiesce: the Repair flag on each row (Atomics.or), one row per step
CFlag ==
  /\ pc[C] = "cFlag"
  /\ IF ci <= Len(Loop)
       THEN repair' = Set(repair, Cur, TRUE) /\ ci' = ci + 1 /\ UNCHANGED pc
       ELSE ci' = 1 /\ CGo("cWait") /\ UNCHANGED repair
  /\ UNCHANGED <<lock, closed>> /\ UnchangedC

\* then each attached thread's step mark: the close waits while it is set (the loads of claim and
\* step are one step: neither word changes meanwhile but by the thread's own step, which waits).
\* Patience: the close goes on anyway (quiesce's patience ran out).
CWait ==
  /\ pc[C] = "cWait"
  /\ IF ci <= Len(Loop)
       THEN /\ claim[Cur] = 0 \/ ~step[Cur] \/ Patience
            /\ ci' = ci + 1 /\ UNCHANGED pc
       ELSE ci' = 1 /\ CGo("cHeader")
  /\ UNCHANGED <<lock, repair, closed>> /\ UnchangedC

\* markClosed: the header's word, then each row's Closed flag (the creator's own first: no
\* step of the creator's reads it while it closes)
CHeader ==
  /\ pc[C] = "cHeader"
  /\ hClosed' = TRUE
  /\ closed' = Set(closed, C, TRUE)
  /\ CGo("cMark")
  /\ UNCHANGED <<U, mask, taken, claim, step, entry, eslot, ip, op, cur, m, rt, holders, told, untaken,
                 report, lateGrant, reportBad, closeDone, refused, grantSlots, untakenFreed,
                 lock, repair, ci>>

CMark ==
  /\ pc[C] = "cMark"
  /\ IF ci <= Len(Loop)
       THEN closed' = Set(closed, Cur, TRUE) /\ ci' = ci + 1 /\ UNCHANGED pc
       ELSE ci' = 1 /\ CGo("cResume") /\ UNCHANGED closed
  /\ UNCHANGED <<lock, repair>> /\ UnchangedC

\* resume: every row's Repair flag cleared (one step: the steps that wait for it only start again)
CResume ==
  /\ pc[C] = "cResume"
  /\ repair' = [t \in Threads |-> FALSE]
  /\ CGo("cLeaks")
  /\ UNCHANGED <<lock, closed, ci>> /\ UnchangedC

UnchangedL == UNCHANGED <<lock, claim, step, repair, closed, hClosed, ip, op, cur, m, told, lateGrant,
                          closeDone, refused, grantSlots>>

\* leaksOf(-1): every live hold but a grant recorded and not taken (its entry Granted)
CLeaks ==
  /\ pc[C] = "cLeaks"
  /\ report' = {p \in Threads \X Slots : p[1] \in mask[p[2]]}
                 \ {<<t, eslot[t]>> : t \in {x \in Threads : entry[x] = "Granted"}}
  /\ reportBad' = (report' # {p \in Threads \X Slots : p[2] \in told[p[1]]})
  /\ CGo("cQueue")
  /\ UNCHANGED <<U, mask, taken, entry, eslot, ci, rt, holders, untaken, untakenFreed>> /\ UnchangedL

\* closeQueue: every Waiting entry Closed (its thread rung)
CQueue ==
  /\ pc[C] = "cQueue"
  /\ entry' = [t \in Threads |-> IF entry[t] = "Waiting" THEN "Closed" ELSE entry[t]]
  /\ CGo("cHolders")
  /\ UNCHANGED <<U, mask, taken, eslot, ci, rt, holders, untaken, report, reportBad, untakenFreed>>
  /\ UnchangedL

\* holdersOf: the threads with a live hold (a scan of the masks: bits only go meanwhile)
CHolders ==
  /\ pc[C] = "cHolders"
  /\ holders' = UNION {mask[s] : s \in Slots}
  /\ ci' = 1
  /\ CGo("cLoop")
  /\ UNCHANGED <<U, mask, taken, entry, eslot, rt, untaken, report, reportBad, untakenFreed>>
  /\ UnchangedL

\* the loop over the other threads' indexes: load(claim); attached or holding: releaseThread
CLoop ==
  /\ pc[C] = "cLoop"
  /\ IF ci <= Len(Loop)
       THEN IF claim[Cur] = 1 \/ Cur \in holders
              THEN rt' = Cur /\ CGo("rtEntries") /\ UNCHANGED ci
              ELSE ci' = ci + 1 /\ UNCHANGED <<pc, rt>>
       ELSE rt' = C /\ CGo("rtEntries") /\ UNCHANGED ci
  /\ UNCHANGED <<U, mask, taken, entry, eslot, holders, untaken, report, reportBad, untakenFreed>>
  /\ UnchangedL

\* releaseThread(rt): its wait entries freed (Waiting dequeued, Granted never taken), one step
RtEntries ==
  /\ pc[C] = "rtEntries"
  /\ entry' = Set(entry, rt, "Free")
  /\ cur' = Set(cur, C, 0)
  /\ CGo("rtSlot")
  /\ UNCHANGED <<U, mask, taken, lock, claim, step, repair, closed, hClosed, eslot, ip, op, m,
                 ci, rt, holders, told, untaken, report, lateGrant, reportBad, closeDone, refused,
                 grantSlots, untakenFreed>>

UnchangedRt == UNCHANGED <<lock, claim, step, repair, closed, hClosed, entry, eslot, ip, op,
                           ci, rt, holders, report, lateGrant, reportBad, closeDone, refused, grantSlots>>

\* the scan for the next slot (in slot order) with rt's bit, and dropHold's load of its mask
RtSlot ==
  /\ pc[C] = "rtSlot"
  /\ LET next == {s \in Slots : s > cur[C] /\ rt \in mask[s]} IN
       IF next = {}
         THEN CGo("rtDone") /\ UNCHANGED <<cur, m>>
         ELSE /\ cur' = Set(cur, C, Lowest(next))
              /\ m' = Set(m, C, mask[Lowest(next)])
              /\ CGo("rtCas")
  /\ UNCHANGED <<U, mask, taken, told, untaken, untakenFreed>> /\ UnchangedRt

\* CAS(mask, m, m without rt): failed, dropHold loads again (the bit gone: the thread released it)
RtCas ==
  /\ pc[C] = "rtCas"
  /\ LET s == cur[C] IN
       IF mask[s] = m[C]
         THEN /\ mask' = Set(mask, s, m[C] \ {rt})
              /\ told' = Set(told, rt, told[rt] \ {s})
              /\ untaken' = Set(untaken, rt, untaken[rt] \ {s})
              /\ untakenFreed' = (untakenFreed \/ s \in untaken[rt])
              /\ CGo(IF m[C] \ {rt} = {} THEN "rtSub" ELSE "rtSlot")
              /\ UNCHANGED m
         ELSE IF rt \in mask[s]
           THEN m' = Set(m, C, mask[s]) /\ UNCHANGED <<pc, mask, told, untaken, untakenFreed>>
           ELSE CGo("rtSlot") /\ UNCHANGED <<m, mask, told, untaken, untakenFreed>>
  /\ UNCHANGED <<U, taken, cur>> /\ UnchangedRt

\* the last hold: Atomics.sub(usage, size), then freeUnderLock (the slot returns)
RtSub ==
  /\ pc[C] = "rtSub"
  /\ U' = U - 1
  /\ taken' = Set(taken, cur[C], FALSE)
  /\ CGo("rtSlot")
  /\ UNCHANGED <<mask, cur, m, told, untaken, untakenFreed>> /\ UnchangedRt

\* giveBackLeases and grantAll (the queue is closed: nothing to grant); the next index, or the
\* creator's own holds, then the unlock
RtDone ==
  /\ pc[C] = "rtDone"
  /\ IF rt = C THEN CGo("cUnlock") /\ UNCHANGED ci
               ELSE CGo("cLoop") /\ ci' = ci + 1
  /\ rt' = NoThread
  /\ UNCHANGED <<U, mask, taken, lock, claim, step, repair, closed, hClosed, entry, eslot, ip, op, cur, m,
                 holders, told, untaken, report, lateGrant, reportBad, closeDone, refused,
                 grantSlots, untakenFreed>>

CUnlock ==
  /\ pc[C] = "cUnlock"
  /\ lock' = NoThread
  /\ CGo("cClaim")
  /\ UNCHANGED <<repair, closed, ci>> /\ UnchangedC

\* the creator gives up its index: the close returns
CClaim ==
  /\ pc[C] = "cClaim"
  /\ claim' = Set(claim, C, 0)
  /\ closeDone' = TRUE
  /\ CGo("done")
  /\ UNCHANGED <<U, mask, taken, lock, step, repair, closed, hClosed, entry, eslot, ip, op, cur, m,
                 ci, rt, holders, told, untaken, report, lateGrant, reportBad, refused,
                 grantSlots, untakenFreed>>

-----------------------------------------------------------------------------

ThreadNext(t) ==
  \/ Dispatch(t) \/ EarlyClose(t) \/ AtLoad(t) \/ AtClaim(t)
  \/ Mark(t) \/ RepairCheck(t) \/ Unmark(t) \/ Pause(t) \/ Leave(t)
  \/ AOpen(t) \/ ACas(t) \/ AMask(t)
  \/ BLock(t) \/ BOpen(t) \/ BUnlock(t) \/ WBell(t) \/ WEntry(t) \/ WFree(t)
  \/ TG1(t) \/ TGOpen(t) \/ TGStore(t)
  \/ RCheck(t) \/ RMask(t) \/ RCas(t) \/ RSub(t) \/ GLock(t) \/ GGrant(t) \/ GUnlock(t)
  \/ DCheck(t) \/ DLeave(t) \/ DLock(t) \/ DRel(t) \/ DGrant(t) \/ DUnlock(t) \/ DClaim(t)

CloseNext ==
  \/ CLock \/ CFlag \/ CWait \/ CHeader \/ CMark \/ CResume \/ CLeaks \/ CQueue \/ CHolders
  \/ CLoop \/ RtEntries \/ RtSlot \/ RtCas \/ RtSub \/ RtDone \/ CUnlock \/ CClaim

AllDone == \A t \in Threads : pc[t] = "done"

\* every thread done: stuttering (TLC's deadlock check then finds only a wait nobody ends)
Finished == AllDone /\ UNCHANGED allVars

Next == (\E t \in Threads : ThreadNext(t)) \/ CloseNext \/ Finished

Spec == Init /\ [][Next]_allVars

-----------------------------------------------------------------------------
(* Properties (invariants) *)

Live == {s \in Slots : mask[s] # {}}
\* charged and not live yet (a fast path between its CAS on usage and its mask store)
Admitting == {t \in Threads : pc[t] = "aMask"}
\* no longer live and still charged (a release between its mask CAS and its sub on usage)
Releasing == {t \in Threads : pc[t] = "rSub"} \cup (IF pc[C] = "rtSub" THEN {C} ELSE {})

\* usage is the bytes of the live holds, plus those of the admissions and releases in flight
Conservation == U = Cardinality(Live) + Cardinality(Admitting) + Cardinality(Releasing)

\* a thread holds exactly the holds it was told of and the grants recorded for it and not taken
\* (the two apart): no hold it does not know of, no hold it was told of that is gone unless
\* released (its own release, its own close, the creator's close)
KnownHolds ==
  \A t \in Threads, s \in Slots :
    /\ (t \in mask[s]) <=> (s \in told[t] \/ s \in untaken[t])
    /\ ~(s \in told[t] /\ s \in untaken[t])

\* a wait never succeeds with a hold the close released: a grant taken is a live hold
GrantTakenLive == ~lateGrant

\* the close reports exactly the holds the threads were told of (a grant not taken is not one)
ReportsAsTold == ~reportBad

\* once the creator's close has returned, nothing is held and nothing charged for good: no live
\* hold, and usage only the bytes of releases still in flight
CloseReleasesAll ==
  closeDone => /\ Live = {}
               /\ U = Cardinality(Releasing)
               /\ \A t \in Threads : untaken[t] = {}

\* every script done: nothing live or charged, no index claimed, the lock free
DoneClean ==
  AllDone => /\ U = 0 /\ Live = {} /\ lock = NoThread
             /\ \A t \in Threads : claim[t] = 0 /\ ~step[t]

-----------------------------------------------------------------------------
(* Witnesses: each must be reachable (the config's witness run checks it). *)

\* a thread gave up its index after the closed mark while its holds were live (the close's loop
\* must release it: holdersOf)
W_DetachedHolding == ~(\E t \in Others : claim[t] = 0 /\ closed[t] /\ pc[t] = "done" /\ \E s \in Slots : t \in mask[s])
\* ... and the loop reached its index so (the old loop skipped it there)
W_LoopReleasesDetached == ~(pc[C] = "rtEntries" /\ rt \in Others /\ claim[rt] = 0)
\* a grant refused by the close inside takeGrant's step (its first check passed)
W_GrantRefusedInside == "inside" \notin refused
\* a grant refused by the close before the step
W_GrantRefusedOutside == "outside" \notin refused
\* a grant never taken released by the close
W_UntakenReleased == ~untakenFreed
\* a grant taken before the close, reported by it as a leak
W_TakenGrantReported == report \cap grantSlots = {}
\* the close waited for a step in progress
W_QuiesceWaited == ~(pc[C] = "cWait" /\ ci <= Len(Loop) /\ claim[Cur] = 1 /\ step[Cur])
\* a lock-free step backed off for the close
W_StepBackedOff == ~(\E t \in Others : pc[t] = "pause")
\* a thread's release raced the close's for the same hold
W_ReleaseRaced == ~(\E t \in Others : pc[t] = "rMask" /\ pc[C] = "rtCas" /\ cur[t] = cur[C] /\ rt = t)
\* every script done
W_Done == ~AllDone
=============================================================================
