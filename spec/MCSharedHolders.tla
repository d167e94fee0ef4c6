--------------------------- MODULE MCSharedHolders ---------------------------
(***************************************************************************)
(* The TLC configuration MCSharedHolders.cfg of SharedHolders.tla.         *)
(***************************************************************************)
EXTENDS SharedHolders, TLC

\* The threads are interchangeable (the model never names one).
ThreadSymmetry == Permutations(Threads)
=============================================================================
