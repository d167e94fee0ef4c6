--------------------------- MODULE MCSharedLease ---------------------------
(***************************************************************************)
(* Model constants for MCSharedLease.cfg of SharedLease.tla (a design      *)
(* model): two threads' scripts.                                           *)
(***************************************************************************)
EXTENDS SharedLease, TLC

Rq(s, p) == [size |-> s, prio |-> p]

\* Max 4, 1 reserved (limit 3, Critical 4), ceiling 2, chunks of 2: t1 spends from its lease and
\* turns leasing off with a request above the ceiling; t2 asks for the reserve.
ScriptLease ==
  1 :> <<Rq(1, "Normal"), Rq(2, "Normal")>> @@
  2 :> <<Rq(1, "Normal"), Rq(2, "Critical")>>
=============================================================================
