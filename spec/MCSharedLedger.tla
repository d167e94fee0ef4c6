--------------------------- MODULE MCSharedLedger ---------------------------
(***************************************************************************)
(* Model constants for the TLC configurations MCSharedLedger*.cfg of       *)
(* SharedLedger.tla: the threads' scripts.                                 *)
(***************************************************************************)
EXTENDS SharedLedger, TLC

CONSTANTS t1, t2, t3

Rq(s, p, m) == [size |-> s, prio |-> p, mode |-> m]

\* The fast path (Max 4, 1 reserved: limit 3, Critical 4): a Normal NonBlocking request, a Critical
\* one (the reserve) and a Normal Emergency one (over the budget), all of 2 bytes, racing on U and
\* on peak.
ScriptFast ==
  t1 :> <<Rq(2, "Normal", "NonBlocking")>> @@
  t2 :> <<Rq(2, "Critical", "NonBlocking")>> @@
  t3 :> <<Rq(2, "Normal", "Emergency")>>

\* The slow path (Max 3, no reserve): three Blocking requests of 2 bytes, so at most one is held;
\* the others wait, High ahead of Low whatever the arrival order.  t1 then makes a NonBlocking request
\* of 1 byte on the fast path, which changes U without the lock while a grant runs.
ScriptQueue ==
  t1 :> <<Rq(2, "Normal", "Blocking"), Rq(1, "Normal", "NonBlocking")>> @@
  t2 :> <<Rq(2, "Low", "Blocking")>> @@
  t3 :> <<Rq(2, "High", "Blocking")>>
=============================================================================
