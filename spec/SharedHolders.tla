---------------------------- MODULE SharedHolders ----------------------------
(***************************************************************************)
(* The holders of one slot of the shared manager's resource table, used   *)
(* by several threads at once without a lock: the slot's in-use bit, its  *)
(* holder mask and its generation, three Int32 words (Ledger.takeSlot,     *)
(* admit, dropHold, addHold, returnSlot in ledger.ts, and the share's undo *)
(* in SharedResourceManager.ts).  Every Atomics operation is one step; a   *)
(* thread's locals (g, m, h) are its state.                                *)
(*  - Acquire: CAS the in-use bit 0 -> 1 (takeSlot); store mask = {t}      *)
(*    (admit; the generation is the slot's current one, and the handle    *)
(*    naming it is published: any thread may try to share it).            *)
(*  - Release of the hold on generation h (dropHold): m = load(mask); if t *)
(*    is not in m, nothing; g = load(gen); if g # h, nothing (stale);      *)
(*    CAS(mask, m, m \ {t}) (retry from the load on failure); the last     *)
(*    hold then stores gen + 1 and clears the in-use bit (returnSlot).     *)
(*  - Share of generation h (addHold): g = load(gen), stale unless g = h;  *)
(*    m = load(mask), stale when empty, "held" when t is in it;            *)
(*    CAS(mask, m, m \cup {t}) (retry on failure); then l = load(gen).     *)
(*    Between the first load and the CAS the resource of h may have been   *)
(*    freed and the slot taken again by a resource whose mask equals m     *)
(*    (the ABA): the hold then landed on generation l # h, and the thread  *)
(*    releases it (a release of l) instead of keeping it.                  *)
(* The mask is two separate words from the generation (no 64-bit word):    *)
(* the properties below show that the two-load protocol gives every       *)
(* thread exactly the holds it was told it has.  Not modelled: usage and   *)
(* counters (SharedLedger.tla), names, the lock, lost threads.             *)
(***************************************************************************)
EXTENDS Naturals, FiniteSets

CONSTANTS
  Threads,  \* the threads sharing the slot
  MaxGen    \* the generations the model runs through (a bound for TLC)

VARIABLES
  taken,      \* the slot's in-use bit
  mask,       \* its holder mask (a set of threads)
  gen,        \* its generation
  pc,         \* each thread's step
  h,          \* the generation the thread's operation is about
  g,          \* its last load of gen
  m,          \* its last load of mask
  holds,      \* ghost: the generations each thread was told it holds (acquire or share returned)
  published,  \* ghost: the handles given out (generations some thread may share)
  landed      \* ghost: an ABA happened (a share's hold landed on another generation)

vars == <<taken, mask, gen, pc, h, g, m, holds, published, landed>>

Gens == 1..MaxGen + 1
Pcs == {"idle", "admit", "rMask", "rGen", "rCas", "rGenStore", "rReturn",
        "sGen", "sMask", "sCas", "sCheck"}

TypeOK ==
  /\ taken \in BOOLEAN
  /\ mask \subseteq Threads
  /\ gen \in Gens
  /\ pc \in [Threads -> Pcs]
  /\ h \in [Threads -> Gens \cup {0}]
  /\ g \in [Threads -> Gens \cup {0}]
  /\ m \in [Threads -> SUBSET Threads]
  /\ holds \in [Threads -> SUBSET Gens]
  /\ published \subseteq Gens
  /\ landed \in BOOLEAN

Init == /\ taken = FALSE
        /\ mask = {}
        /\ gen = 1
        /\ pc = [t \in Threads |-> "idle"]
        /\ h = [t \in Threads |-> 0]
        /\ g = [t \in Threads |-> 0]
        /\ m = [t \in Threads |-> {}]
        /\ holds = [t \in Threads |-> {}]
        /\ published = {}
        /\ landed = FALSE

Set(var, t, v) == var' = [var EXCEPT ![t] = v]
Done(t) == /\ pc' = [pc EXCEPT ![t] = "idle"]
           /\ h' = [h EXCEPT ![t] = 0]
           /\ g' = [g EXCEPT ![t] = 0]
           /\ m' = [m EXCEPT ![t] = {}]

-----------------------------------------------------------------------------
(* acquire: takeSlot, then admit *)

Take(t) ==
  /\ pc[t] = "idle"
  /\ ~taken
  /\ gen <= MaxGen
  /\ taken' = TRUE
  /\ Set(pc, t, "admit")
  /\ UNCHANGED <<mask, gen, h, g, m, holds, published, landed>>

Admit(t) ==
  /\ pc[t] = "admit"
  /\ mask' = {t}
  /\ Set(holds, t, holds[t] \cup {gen})
  /\ published' = published \cup {gen}
  /\ Done(t)
  /\ UNCHANGED <<taken, gen, landed>>

-----------------------------------------------------------------------------
(* release of the hold on generation h[t] (dropHold, then the slot's return) *)

\* A thread releases what it was told it holds.
StartRelease(t) ==
  /\ pc[t] = "idle"
  /\ \E x \in holds[t] : Set(h, t, x)
  /\ Set(pc, t, "rMask")
  /\ UNCHANGED <<taken, mask, gen, g, m, holds, published, landed>>

RMask(t) ==
  /\ pc[t] = "rMask"
  /\ IF t \notin mask
       THEN /\ Set(holds, t, holds[t] \ {h[t]}) /\ Done(t)   \* 0: nothing held (not reached)
            /\ UNCHANGED <<taken, mask, gen, published, landed>>
       ELSE /\ Set(m, t, mask) /\ Set(pc, t, "rGen")
            /\ UNCHANGED <<taken, mask, gen, h, g, holds, published, landed>>

RGen(t) ==
  /\ pc[t] = "rGen"
  /\ IF gen # h[t]
       THEN /\ Set(holds, t, holds[t] \ {h[t]}) /\ Done(t)   \* 0: stale
            /\ UNCHANGED <<taken, mask, gen, published, landed>>
       ELSE /\ Set(pc, t, "rCas")
            /\ UNCHANGED <<taken, mask, gen, h, g, m, holds, published, landed>>

RCas(t) ==
  /\ pc[t] = "rCas"
  /\ IF mask = m[t]
       THEN /\ mask' = m[t] \ {t}
            /\ Set(holds, t, holds[t] \ {h[t]})
            /\ IF m[t] \ {t} = {}
                 THEN Set(pc, t, "rGenStore") /\ UNCHANGED <<h, g, m>>
                 ELSE Done(t)
       ELSE Set(pc, t, "rMask") /\ UNCHANGED <<mask, holds, h, g, m>>
  /\ UNCHANGED <<taken, gen, published, landed>>

RGenStore(t) ==
  /\ pc[t] = "rGenStore"
  /\ gen' = gen + 1
  /\ Set(pc, t, "rReturn")
  /\ UNCHANGED <<taken, mask, h, g, m, holds, published, landed>>

RReturn(t) ==
  /\ pc[t] = "rReturn"
  /\ taken' = FALSE
  /\ Done(t)
  /\ UNCHANGED <<mask, gen, holds, published, landed>>

-----------------------------------------------------------------------------
(* share of a published generation (addHold), and its undo *)

StartShare(t) ==
  /\ pc[t] = "idle"
  /\ \E x \in published : x \notin holds[t] /\ Set(h, t, x)
  /\ Set(pc, t, "sGen")
  /\ UNCHANGED <<taken, mask, gen, g, m, holds, published, landed>>

SGen(t) ==
  /\ pc[t] = "sGen"
  /\ IF gen # h[t]
       THEN Done(t)   \* stale
       ELSE Set(pc, t, "sMask") /\ UNCHANGED <<h, g, m>>
  /\ UNCHANGED <<taken, mask, gen, holds, published, landed>>

SMask(t) ==
  /\ pc[t] = "sMask"
  /\ IF mask = {} \/ t \in mask
       THEN Done(t)   \* stale, or held already
       ELSE Set(m, t, mask) /\ Set(pc, t, "sCas") /\ UNCHANGED <<h, g>>
  /\ UNCHANGED <<taken, mask, gen, holds, published, landed>>

SCas(t) ==
  /\ pc[t] = "sCas"
  /\ IF mask = m[t]
       THEN mask' = m[t] \cup {t} /\ Set(pc, t, "sCheck")
       ELSE Set(pc, t, "sGen") /\ UNCHANGED mask
  /\ UNCHANGED <<taken, gen, h, g, m, holds, published, landed>>

\* l = load(gen): the hold is on h (the share returns it), or it landed on l and is released.
SCheck(t) ==
  /\ pc[t] = "sCheck"
  /\ IF gen = h[t]
       THEN /\ Set(holds, t, holds[t] \cup {h[t]})
            /\ Done(t)
            /\ UNCHANGED landed
       ELSE /\ Set(h, t, gen) /\ Set(pc, t, "rMask") /\ landed' = TRUE
            /\ UNCHANGED <<holds, g, m>>
  /\ UNCHANGED <<taken, mask, gen, published>>

-----------------------------------------------------------------------------

Next == \E t \in Threads :
          \/ Take(t) \/ Admit(t)
          \/ StartRelease(t) \/ RMask(t) \/ RGen(t) \/ RCas(t) \/ RGenStore(t) \/ RReturn(t)
          \/ StartShare(t) \/ SGen(t) \/ SMask(t) \/ SCas(t) \/ SCheck(t)

Spec == Init /\ [][Next]_vars

-----------------------------------------------------------------------------
(* Properties *)

\* A thread between operations holds exactly what it was told: the live generation while its bit
\* is set, nothing otherwise (no hold on a freed resource, no hold it does not know of).
HoldsAsTold ==
  \A t \in Threads : pc[t] = "idle" =>
    holds[t] = IF t \in mask THEN {gen} ELSE {}

\* A slot with a holder is taken (never handed to a new resource while held).
HeldIsTaken == mask # {} => taken

\* The generation moves only while nobody holds the slot.
GenerationMovesFree == [][gen' # gen => mask = {} /\ mask' = {}]_vars

\* Every operation ends: the model's generations run out, and then every thread is idle with
\* nothing held (checked as a deadlock-free state space with this terminal state reachable).
AllIdle == \A t \in Threads : pc[t] = "idle"

-----------------------------------------------------------------------------
(* Witnesses: each must be reachable (the config's runs check it). *)

\* A share's hold landed on a newer generation (the ABA the re-read of the generation catches).
W_Landed == ~landed
\* Two threads hold the slot at once.
W_TwoHolders == Cardinality(mask) < 2
\* The slot went through every generation.
W_LastGeneration == gen < MaxGen + 1
=============================================================================
