------------------------------- MODULE MC -------------------------------
(***************************************************************************)
(* Model constants for the TLC configurations in spec/*.cfg.               *)
(***************************************************************************)
EXTENDS ResourceManager, TLC

DriverSymmetry == Permutations(Drivers)

R(type, size, prio, name, shareable, reclaimable, deps) ==
  [type |-> type, size |-> size, prio |-> prio, name |-> name,
   shareable |-> shareable, reclaimable |-> reclaimable, deps |-> deps]

\* Budget: one Memory budget of 4 units with 1 reserved (limit 3, Critical 4).
BudgetMem == [Memory |-> [max |-> 4, reserved |-> 1]]

\* Admission, reserve, emergency, sharing, queue order (4 = a small Low request that
\* could barge past a waiting Normal one).
ResBudget == 1..4
MetaBudget ==
  1 :> R("Memory", 2, "Normal", "", TRUE, TRUE, {}) @@
  2 :> R("Memory", 2, "Normal", "", FALSE, FALSE, {}) @@
  3 :> R("Memory", 1, "Critical", "", FALSE, FALSE, {}) @@
  4 :> R("Memory", 1, "Low", "", FALSE, FALSE, {})

\* Names and dependencies: 2 = "tex" depends on 1; 3 is also named "tex"; 4 lets a
\* freed name's waiter find its bytes taken (the move to the type queue).
ResNames == 1..4
MetaNames ==
  1 :> R("Memory", 1, "Normal", "", TRUE, TRUE, {}) @@
  2 :> R("Memory", 1, "Normal", "tex", TRUE, FALSE, {1}) @@
  3 :> R("Memory", 2, "High", "tex", FALSE, FALSE, {}) @@
  4 :> R("Memory", 2, "Normal", "", FALSE, FALSE, {})

\* The name move is a new wait: x holds 1 (slot 1), z holds "N" (slot 2), x waits for 2 more at
\* Low (slot 3), b waits for "N" and then needs all 3 units at Normal (slot 4).  When z releases
\* "N", moving b into the type queue puts it ahead of x, whose unit it needs: the move must be
\* refused (RefuseDeadlockFromName).  Without the check NoDeadlock fails.
ResNameMove == 1..4
MetaNameMove ==
  1 :> R("Memory", 1, "Normal", "", FALSE, FALSE, {}) @@
  2 :> R("Memory", 1, "Normal", "N", FALSE, FALSE, {}) @@
  3 :> R("Memory", 2, "Low", "", FALSE, FALSE, {}) @@
  4 :> R("Memory", 3, "Normal", "N", FALSE, FALSE, {})
BudgetNameMove == [Memory |-> [max |-> 3, reserved |-> 0]]

\* Deadlock: two types, one unit of Hardware, names; cycles across drivers and self-deadlock.
BudgetTwo == [Memory |-> [max |-> 3, reserved |-> 0], Hardware |-> [max |-> 1, reserved |-> 0]]
ResDeadlock == 1..4
MetaDeadlock ==
  1 :> R("Memory", 2, "Normal", "", FALSE, FALSE, {}) @@
  2 :> R("Hardware", 1, "Normal", "", FALSE, FALSE, {}) @@
  3 :> R("Memory", 2, "High", "", FALSE, FALSE, {}) @@
  4 :> R("Hardware", 1, "Low", "dma", FALSE, FALSE, {})

\* Liveness: priority and FIFO, sharing, timeouts.
ResLive == 1..3
MetaLive ==
  1 :> R("Memory", 2, "Normal", "", TRUE, FALSE, {}) @@
  2 :> R("Memory", 2, "Normal", "", FALSE, FALSE, {}) @@
  3 :> R("Memory", 2, "High", "", FALSE, FALSE, {})
BudgetLive == [Memory |-> [max |-> 4, reserved |-> 1]]

\* Queue-aware deadlock: a driver holding 2 of 3 units asks for 1 more behind a waiter that
\* needs its 2 (it fits, but may not barge; the reduction must see the queue).
ResQueue == 1..3
MetaQueue ==
  1 :> R("Memory", 2, "Normal", "", FALSE, FALSE, {}) @@
  2 :> R("Memory", 2, "Normal", "", FALSE, FALSE, {}) @@
  3 :> R("Memory", 1, "Normal", "", FALSE, FALSE, {})
BudgetQueue == [Memory |-> [max |-> 3, reserved |-> 0]]

\* Starvation limits: three drivers, a shareable resource that can be re-shared forever, two
\* High requests that can overlap forever, a Low waiter that needs 2 of the 3 units.
ResStarve == 1..4
MetaStarve ==
  1 :> R("Memory", 2, "Normal", "", TRUE, FALSE, {}) @@
  2 :> R("Memory", 2, "High", "", FALSE, FALSE, {}) @@
  3 :> R("Memory", 1, "High", "", FALSE, FALSE, {}) @@
  4 :> R("Memory", 2, "Low", "", FALSE, FALSE, {})
BudgetStarve == [Memory |-> [max |-> 3, reserved |-> 0]]

\* The larger model (occasional runs): three drivers, two types, names, dependsOn, sharing,
\* reclamation, the reserve and emergency together.
ResLarge == 1..5
MetaLarge ==
  1 :> R("Memory", 2, "Normal", "", TRUE, TRUE, {}) @@
  2 :> R("Memory", 1, "Normal", "tex", TRUE, FALSE, {1}) @@
  3 :> R("Memory", 1, "Critical", "", FALSE, FALSE, {}) @@
  4 :> R("Hardware", 1, "High", "dma", FALSE, FALSE, {}) @@
  5 :> R("Memory", 2, "Low", "tex", FALSE, FALSE, {})
BudgetLarge == [Memory |-> [max |-> 4, reserved |-> 1], Hardware |-> [max |-> 1, reserved |-> 0]]

=============================================================================
