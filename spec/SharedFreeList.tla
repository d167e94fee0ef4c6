---------------------------- MODULE SharedFreeList ----------------------------
(***************************************************************************)
(* SharedBlockPool's free list (packages/pool/src/SharedBlockPool.ts,      *)
(* packages/pool/src/internal/shared-layout.ts) under concurrent threads.  *)
(*                                                                         *)
(* Shared words: the tagged head (version, index + 1; 0 = empty) and one   *)
(* Int32 word per block (its free-list link: the next free index or END,   *)
(* or ALLOCATED).  Each thread has a private cache of free blocks (a list  *)
(* through the same words, localHead / localCount), refilled from the      *)
(* shared list by a batch pop (`refill`) and drained to it by a batch push *)
(* (`drainBatch`).  Every Atomics load, store or compareExchange on the    *)
(* head or on a block's word is one step; the thread's locals (localHead,  *)
(* localCount, head, first, last, n, after, k) are its state.  Plain       *)
(* accesses to a block of the thread's own cache (alloc's pop) are one     *)
(* step with no Atomics op: no other thread writes those words.           *)
(*                                                                         *)
(* Not modelled: the statistics words (outstanding, peakOutstanding,       *)
(* counters) and the drain request word (a failed alloc asks the other     *)
(* threads to flush on their next free; here any thread may flush after    *)
(* any operation, which includes it), debug poisoning, handles (a free     *)
(* names a block).  Memory is sequentially consistent: every shared access *)
(* the algorithm relies on is an Atomics op.                               *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets

CONSTANTS
  Threads,  \* the attached threads
  N,        \* blockCount: the blocks are 0 .. N - 1
  Batch,    \* batchSize: a refill pops up to Batch blocks; a free drains Batch once the cache holds > 2 * Batch
  Versions  \* the head's version field counts modulo Versions; 0 = unbounded (see VersionView)

ASSUME N \in Nat \ {0} /\ Batch \in Nat \ {0} /\ Versions \in Nat

ALLOCATED == -2
END       == -1
Blocks    == 0 .. (N - 1)
CacheLimit == 2 * Batch
\* (((head >>> indexBits) + 1) << indexBits): the version of the head a successful CAS installs.
NextVersion(v) == IF Versions = 0 THEN v + 1 ELSE (v + 1) % Versions
\* The tagged head word, (version << indexBits) | (index + 1), as a record.
HeadOf(v, i) == [ver |-> v, idx1 |-> i + 1]
NoSnap       == [ver |-> -1, idx1 |-> -1]

VARIABLES
  head,     \* the shared head word
  words,    \* [Blocks -> Blocks \cup {END, ALLOCATED}]: each block's shared link word
  pc,       \* [Threads -> program counter]
  lh,       \* localHead (END: the cache is empty)
  lc,       \* localCount
  snap,     \* the head value the thread loaded (refill, drainBatch)
  first, last, n, after, \* refill's and drainBatch's locals
  k,        \* drainBatch: cache links still to walk
  ret,      \* what the running drainBatch returns to: "free", "flush" or "detach"
  attached, \* the thread's handle is attached (capacity # 0)
  held,     \* history: the blocks alloc handed out and no free took back (by any thread)
  batch     \* history: the blocks a refill's or a drain's walk went through, first .. last

vars == <<head, words, pc, lh, lc, snap, first, last, n, after, k, ret, attached, held, batch>>
locals == <<snap, first, last, n, after, k, ret, batch>>

Pcs == {"idle", "pop", "rLoad", "rNext", "rCas", "rLink", "dWalk", "dCut", "dLoad", "dStore", "dCas"}

\* SharedBlockPool.make: every block in the list, 0 -> 1 -> ... -> N - 1 -> END, head = index 0, version 0.
Init == /\ head = HeadOf(0, 0)
        /\ words = [b \in Blocks |-> IF b + 1 < N THEN b + 1 ELSE END]
        /\ pc = [t \in Threads |-> "idle"]
        /\ lh = [t \in Threads |-> END]
        /\ lc = [t \in Threads |-> 0]
        /\ snap = [t \in Threads |-> NoSnap]
        /\ first = [t \in Threads |-> END]
        /\ last = [t \in Threads |-> END]
        /\ n = [t \in Threads |-> 0]
        /\ after = [t \in Threads |-> END]
        /\ k = [t \in Threads |-> 0]
        /\ ret = [t \in Threads |-> "none"]
        /\ attached = [t \in Threads |-> TRUE]
        /\ held = {}
        /\ batch = [t \in Threads |-> <<>>]

\* The operation's locals cleared (so states that differ only in dead locals are one).
Clear(t) == /\ snap' = [snap EXCEPT ![t] = NoSnap]
            /\ first' = [first EXCEPT ![t] = END]
            /\ last' = [last EXCEPT ![t] = END]
            /\ n' = [n EXCEPT ![t] = 0]
            /\ after' = [after EXCEPT ![t] = END]
            /\ k' = [k EXCEPT ![t] = 0]
            /\ ret' = [ret EXCEPT ![t] = "none"]
            /\ batch' = [batch EXCEPT ![t] = <<>>]
\* Back to idle, the locals cleared.
Idle(t) == pc' = [pc EXCEPT ![t] = "idle"] /\ Clear(t)
\* Go to `where` with the locals cleared (a retry from the head load).
Restart(t, where) == pc' = [pc EXCEPT ![t] = where] /\ Clear(t)
\* Thread t's entry of a per-thread variable, set.
Set(var, t, v) == var' = [var EXCEPT ![t] = v]

-----------------------------------------------------------------------------
(* alloc() *)

\* alloc with a non-empty cache (and the alloc after a successful refill): i = localHead;
\* localHead = words[i]; words[i] = ALLOCATED (plain accesses to a block of the own cache).
Pop(t) ==
  /\ pc[t] \in {"idle", "pop"}
  /\ attached[t]
  /\ lh[t] # END
  /\ Set(lh, t, words[lh[t]])
  /\ words' = [words EXCEPT ![lh[t]] = ALLOCATED]
  /\ Set(lc, t, lc[t] - 1)
  /\ held' = held \cup {lh[t]}
  /\ Idle(t)
  /\ UNCHANGED <<head, attached>>

\* alloc with an empty cache (refillAndAlloc -> refill), or refill's retry: head =
\* Atomics.load(header, H.head); first = (head & mask) - 1; if first < 0 the alloc fails (returns
\* -1); else last = first, n = 1.  (alloc's test of the empty cache is a local step, taken with
\* the load.)
RefillLoad(t) ==
  /\ \/ pc[t] = "rLoad"
     \/ pc[t] = "idle" /\ attached[t] /\ lh[t] = END
  /\ IF head.idx1 = 0
       THEN Idle(t)
       ELSE /\ Set(pc, t, "rNext")
            /\ Set(snap, t, head)
            /\ Set(first, t, head.idx1 - 1)
            /\ Set(last, t, head.idx1 - 1)
            /\ Set(n, t, 1)
            /\ Set(batch, t, <<head.idx1 - 1>>)
            /\ UNCHANGED <<after, k, ret>>
  /\ UNCHANGED <<head, words, lh, lc, attached, held>>

\* after = Atomics.load(words, last), then the loop test `n < want && after >= 0`: while it holds,
\* last = after and the next load; once it fails, `if (after < END) continue` (a stale snapshot: the
\* block was allocated meanwhile) retries from the head load, else on to the CAS.
RefillNext(t) ==
  LET v == words[last[t]]
  IN  /\ pc[t] = "rNext"
      /\ IF n[t] < Batch /\ v >= 0
           THEN /\ Set(last, t, v)
                /\ Set(n, t, n[t] + 1)
                /\ Set(batch, t, Append(batch[t], v))
                /\ UNCHANGED <<pc, snap, first, after, k, ret>>
           ELSE IF v < END
             THEN Restart(t, "rLoad")
             ELSE /\ Set(pc, t, "rCas")
                  /\ Set(after, t, v)
                  /\ UNCHANGED <<snap, first, last, n, k, ret, batch>>
      /\ UNCHANGED <<head, words, lh, lc, attached, held>>

\* Atomics.compareExchange(header, H.head, head, next), next = (version + 1, after + 1); on failure
\* `continue` (a fresh head load).
RefillCas(t) ==
  /\ pc[t] = "rCas"
  /\ IF head = snap[t]
       THEN /\ head' = HeadOf(NextVersion(snap[t].ver), after[t])
            /\ Set(pc, t, "rLink")
            /\ UNCHANGED locals
       ELSE /\ Restart(t, "rLoad")
            /\ UNCHANGED head
  /\ UNCHANGED <<words, lh, lc, attached, held>>

\* Atomics.store(words, last, this.localHead); localHead = first; localCount += n; then alloc()
\* pops the refilled cache (Pop in "pop").
RefillLink(t) ==
  /\ pc[t] = "rLink"
  /\ words' = [words EXCEPT ![last[t]] = lh[t]]
  /\ Set(lh, t, first[t])
  /\ Set(lc, t, lc[t] + n[t])
  /\ Restart(t, "pop")
  /\ UNCHANGED <<head, attached, held>>

-----------------------------------------------------------------------------
(* free(), flush(), detach() and drainBatch(n) *)

\* drainBatch(m) of the cache from x: first = localHead, last = first; then m - 1 link loads.
StartDrain(t, x, m, why) ==
  /\ Set(first, t, x)
  /\ Set(last, t, x)
  /\ Set(n, t, m)
  /\ Set(k, t, m - 1)
  /\ Set(ret, t, why)
  /\ Set(batch, t, <<x>>)
  /\ Set(pc, t, IF m > 1 THEN "dWalk" ELSE "dCut")
  /\ Set(snap, t, NoSnap)
  /\ UNCHANGED after

\* free(b) (by any thread: a block may be freed by another thread than the one that allocated it):
\* Atomics.compareExchange(words, b, ALLOCATED, localHead); on success localHead = b and
\* ++localCount > cacheLimit drains a batch.  The CAS fails for a block that is not allocated (a
\* double free, racing or not, or a stale handle): free returns false and nothing changes.
Free(t, b) ==
  /\ pc[t] = "idle"
  /\ attached[t]
  /\ IF words[b] = ALLOCATED
       THEN /\ words' = [words EXCEPT ![b] = lh[t]]
            /\ Set(lh, t, b)
            /\ Set(lc, t, lc[t] + 1)
            /\ held' = held \ {b}
            /\ IF lc[t] + 1 > CacheLimit THEN StartDrain(t, b, Batch, "free") ELSE UNCHANGED <<pc, locals>>
            /\ UNCHANGED <<head, attached>>
       ELSE UNCHANGED vars

\* flush(): while (localCount > 0) drainBatch(localCount).
Flush(t) ==
  /\ pc[t] = "idle"
  /\ attached[t]
  /\ lc[t] > 0
  /\ StartDrain(t, lh[t], lc[t], "flush")
  /\ UNCHANGED <<head, words, lh, lc, attached, held>>

\* detach(): flush(), then capacity = 0 (the handle accepts no further alloc or free).
Detach(t) ==
  /\ pc[t] = "idle"
  /\ attached[t]
  /\ IF lc[t] > 0
       THEN StartDrain(t, lh[t], lc[t], "detach") /\ UNCHANGED attached
       ELSE Set(attached, t, FALSE) /\ UNCHANGED <<pc, locals>>
  /\ UNCHANGED <<head, words, lh, lc, held>>

\* for (k = 1; k < n; k++) last = Atomics.load(words, last)
DrainWalk(t) ==
  /\ pc[t] = "dWalk"
  /\ Set(last, t, words[last[t]])
  /\ Set(k, t, k[t] - 1)
  /\ Set(batch, t, Append(batch[t], words[last[t]]))
  /\ Set(pc, t, IF k[t] - 1 = 0 THEN "dCut" ELSE "dWalk")
  /\ UNCHANGED <<head, words, lh, lc, snap, first, n, after, ret, attached, held>>

\* this.localHead = Atomics.load(words, last); this.localCount -= n
DrainCut(t) ==
  /\ pc[t] = "dCut"
  /\ Set(lh, t, words[last[t]])
  /\ Set(lc, t, lc[t] - n[t])
  /\ Set(pc, t, "dLoad")
  /\ UNCHANGED <<head, words, locals, attached, held>>

\* head = Atomics.load(header, H.head)
DrainLoad(t) ==
  /\ pc[t] = "dLoad"
  /\ Set(snap, t, head)
  /\ Set(pc, t, "dStore")
  /\ UNCHANGED <<head, words, lh, lc, first, last, n, after, k, ret, batch, attached, held>>

\* Atomics.store(words, last, (head & mask) - 1): the batch's last block links to the loaded top.
DrainStore(t) ==
  /\ pc[t] = "dStore"
  /\ words' = [words EXCEPT ![last[t]] = snap[t].idx1 - 1]
  /\ Set(pc, t, "dCas")
  /\ UNCHANGED <<head, lh, lc, locals, attached, held>>

\* Atomics.compareExchange(header, H.head, head, (version + 1, first + 1)); retry from the load on
\* failure.  Done: free returns; flush and detach loop while the cache is not empty; detach then
\* sets capacity = 0.
DrainCas(t) ==
  /\ pc[t] = "dCas"
  /\ IF head = snap[t]
       THEN /\ head' = HeadOf(NextVersion(snap[t].ver), first[t])
            /\ IF ret[t] # "free" /\ lc[t] > 0
                 THEN StartDrain(t, lh[t], lc[t], ret[t]) /\ UNCHANGED attached
                 ELSE Idle(t) /\ Set(attached, t, ret[t] # "detach")
       ELSE /\ Set(pc, t, "dLoad")
            /\ Set(snap, t, NoSnap)
            /\ UNCHANGED <<head, first, last, n, after, k, ret, batch, attached>>
  /\ UNCHANGED <<words, lh, lc, held>>

-----------------------------------------------------------------------------
\* Every thread detached: nothing more happens (so TLC's deadlock check, kept on, only fires on a
\* thread that is stuck).
Finished == /\ \A t \in Threads : ~attached[t]
            /\ UNCHANGED vars

Next ==
  \/ \E t \in Threads :
       \/ Pop(t) \/ RefillLoad(t) \/ RefillNext(t) \/ RefillCas(t) \/ RefillLink(t)
       \/ \E b \in Blocks : Free(t, b)
       \/ Flush(t) \/ Detach(t)
       \/ DrainWalk(t) \/ DrainCut(t) \/ DrainLoad(t) \/ DrainStore(t) \/ DrainCas(t)
  \/ Finished

Spec == Init /\ [][Next]_vars

\* Versions = 0 (an unbounded version) with this VIEW: a snapshot's version matters only through
\* "equal to the head's" (versions only grow, so a stale snapshot stays stale), and TLC identifies
\* states that agree on everything else; the state space is finite although versions grow.
SnapView(s) == IF s = NoSnap THEN s ELSE [s EXCEPT !.ver = IF s.ver = head.ver THEN 0 ELSE 1]
VersionView == <<head.idx1, words, pc, lh, lc, [t \in Threads |-> SnapView(snap[t])],
                 first, last, n, after, k, ret, attached, held, batch>>

-----------------------------------------------------------------------------
(* Where each block is *)

\* The blocks reached from x through the link words, at most m of them (a negative word ends it).
RECURSIVE Chain(_, _)
Chain(x, m) == IF m = 0 \/ x < 0 THEN <<>> ELSE <<x>> \o Chain(words[x], m - 1)

\* The shared free list from the head (N + 1 steps: a cycle shows as a repeated block).
FreeList == Chain(head.idx1 - 1, N + 1)
\* A thread's cache: localCount blocks from localHead.
Cache(t) == Chain(lh[t], lc[t])
\* A batch owned by no list: popped by a refill's CAS and not yet linked into the cache, or cut
\* from the cache by drainBatch and not yet pushed by its CAS.
InFlight(t) == IF pc[t] \in {"rLink", "dLoad", "dStore", "dCas"} THEN batch[t] ELSE <<>>

Range(s) == {s[i] : i \in 1 .. Len(s)}
RECURSIVE ConcatOver(_, _)
ConcatOver(f(_), S) == IF S = {} THEN <<>> ELSE LET x == CHOOSE x \in S : TRUE IN f(x) \o ConcatOver(f, S \ {x})
\* Every free block where it is: the free list, then each thread's cache and batch in flight (a block
\* in two of these, or twice in one, appears twice).
Listed == FreeList \o ConcatOver(LAMBDA t : Cache(t) \o InFlight(t), Threads)

-----------------------------------------------------------------------------
(* Properties *)

TypeOK ==
  /\ head.idx1 \in 0 .. N /\ head.ver \in Nat
  /\ words \in [Blocks -> Blocks \cup {END, ALLOCATED}]
  /\ pc \in [Threads -> Pcs]
  /\ lh \in [Threads -> Blocks \cup {END}]
  /\ lc \in [Threads -> 0 .. N]
  /\ held \subseteq Blocks
  /\ attached \in [Threads -> BOOLEAN]

\* No block handed out twice: no block is in two places at once (held and in the free list or a
\* cache, in two caches, twice in one list, ...).
NoBlockTwice == Cardinality(Range(Listed)) = Len(Listed) /\ Range(Listed) \cap held = {}
\* No block lost: every block is in the free list, a thread's cache, a batch in flight, or held.
NoBlockLost == Range(Listed) \cup held = Blocks
\* The free list ends at END (never at an allocated block); each cache is exactly localCount
\* blocks long and ends at END.
ListsWellFormed ==
  /\ Len(FreeList) <= N
  /\ FreeList # <<>> => words[FreeList[Len(FreeList)]] = END
  /\ \A t \in Threads : Len(Cache(t)) = lc[t] /\ Len(Chain(lh[t], lc[t] + 1)) = lc[t]
\* A block's word is ALLOCATED exactly while it is handed out: a double free (racing or not) and a
\* free of a block that is cached or listed fail their CAS and change nothing.
AllocatedIffHeld == \A b \in Blocks : words[b] = ALLOCATED <=> b \in held
\* Every thread detached (each flushed its cache): every block that is not held is back in the
\* shared free list.
DoneAllBack == (\A t \in Threads : ~attached[t]) =>
                 /\ Range(FreeList) = Blocks \ held
                 /\ Len(FreeList) = N - Cardinality(held)

-----------------------------------------------------------------------------
(* Witnesses: each says "this situation is never reached"; the witness run  *)
(* (scripts/spec.ts) requires each to be violated.                         *)

\* A refill about to CAS with a snapshot whose index is back on top under a newer version, while the
\* list below it has changed: the ABA interleaving the version tag defeats.
W_ABA == ~\E t \in Threads :
           /\ pc[t] = "rCas"
           /\ snap[t].idx1 = head.idx1 /\ snap[t].ver # head.ver
           /\ LET now == Chain(head.idx1 - 1, n[t])
              IN  Len(now) < n[t] \/ now[n[t]] # last[t] \/ words[last[t]] # after[t]
W_BatchRefill == ~\E t \in Threads : pc[t] = "rLink" /\ n[t] >= 2
W_BatchDrain  == ~\E t \in Threads : pc[t] = "dCas" /\ n[t] >= 2
\* A free drained a batch and kept the rest of its cache.
W_FreeDrainsPart == ~\E t \in Threads : pc[t] = "dCas" /\ ret[t] = "free" /\ lc[t] > 0
W_AllDetached == ~\A t \in Threads : ~attached[t]
\* Steps: a refill's or a drain's CAS fails (another thread moved the head); a refill's walk reads
\* ALLOCATED (a stale snapshot) and starts over; an alloc fails while another thread caches blocks.
WA_RefillCasFails == ~\E t \in Threads : pc[t] = "rCas" /\ pc'[t] = "rLoad"
WA_DrainCasFails  == ~\E t \in Threads : pc[t] = "dCas" /\ pc'[t] = "dLoad"
WA_StaleWalk      == ~\E t \in Threads : pc[t] = "rNext" /\ pc'[t] = "rLoad"
WA_AllocFailsWhileCached ==
  ~\E t \in Threads : pc[t] \in {"idle", "rLoad"} /\ lh[t] = END /\ head.idx1 = 0 /\ RefillLoad(t) /\ \E u \in Threads \ {t} : lc[u] > 0
=============================================================================
