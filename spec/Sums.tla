-------------------------------- MODULE Sums --------------------------------
(***************************************************************************)
(* The one sum the models share: ResourceManager.tla (live bytes and       *)
(* emergency overage of a type), SharedLedger.tla and SharedLease.tla      *)
(* (bytes over threads).                                                   *)
(***************************************************************************)
LOCAL INSTANCE Integers
LOCAL INSTANCE Bags

\* The sum of f(x) over the finite set S (f(x) >= 0; a negative f(x) is an error).  It is the
\* cardinality of the bag [x \in S |-> f(x)] with its zeros left out (a bag's counts are
\* positive), which TLC computes in one step (Bags' BagCardinality is built into TLC).  A
\* recursive sum would take one level of TLC's stack per element (a trace with about 78 live
\* resources of one type overflowed it) and copy S at each level.
SumOver(f(_), S) == LET counted == {x \in S : f(x) # 0}
                    IN  IF counted = {} THEN 0 ELSE BagCardinality([x \in counted |-> f(x)])
=============================================================================
