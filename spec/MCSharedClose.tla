---------------------------- MODULE MCSharedClose ----------------------------
(***************************************************************************)
(* Model constants for the TLC configuration MCSharedClose.cfg of          *)
(* SharedClose.tla: the other threads in the order of their indexes, and   *)
(* the threads' scripts.                                                   *)
(***************************************************************************)
EXTENDS SharedClose, TLC

CONSTANTS c, t1, t2

\* t1 at the lower index: the close's loop reaches it first
LoopTwo == <<t1, t2>>

\* The creator acquires 1 byte, releases it (granting a waiter) and closes.  t1 attaches, holds 1
\* byte, asks 1 more Blocking (with Max 2 it waits while the creator, or t2, holds a byte), releases
\* and closes; t2 attaches and closes (an index attached, or given up, as the close's loop passes it).
ScriptClose ==
  c :> <<"acq", "rel", "close">> @@
  t1 :> <<"attach", "acq", "block", "rel", "close">> @@
  t2 :> <<"attach", "close">>

\* MCSharedCloseStall.cfg: the creator closes while t1 attaches, acquires 1 byte and closes.
LoopOne == <<t1>>
ScriptStall ==
  c :> <<"close">> @@
  t1 :> <<"attach", "acq", "close">>
=============================================================================
