-------------------------- MODULE MCSharedFreeList --------------------------
(***************************************************************************)
(* The TLC configurations MCSharedFreeList*.cfg of SharedFreeList.tla.     *)
(***************************************************************************)
EXTENDS SharedFreeList, TLC

\* The threads are interchangeable (the model never names one).
ThreadSymmetry == Permutations(Threads)
=============================================================================
