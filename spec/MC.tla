------------------------------- MODULE MC -------------------------------
(***************************************************************************)
(* Model constants for the TLC configurations in spec/*.cfg.               *)
(***************************************************************************)
EXTENDS ResourceManager, TLC

\* The metadata never names a driver, so drivers of one kind are interchangeable: for the configs whose
\* drivers are all of one kind (a sequential driver and a concurrent owner are not interchangeable;
\* the configs that mix them have one driver of each kind and no symmetry).
DriverSymmetry == Permutations(Drivers)

\* Defaults for the further operations (none) per budget domain.
NoRebudgetMem == [Memory |-> {}]
NoRebudgetTwo == [Memory |-> {}, Hardware |-> {}]

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

\* Deadlock: two types, one unit of Hardware, names; cycles across drivers and self-deadlock on
\* bytes and on a name (slots 4 and 5 are both "dma": a driver holding one and asking for the
\* other waits for itself).
BudgetTwo == [Memory |-> [max |-> 3, reserved |-> 0], Hardware |-> [max |-> 1, reserved |-> 0]]
ResDeadlock == 1..5
MetaDeadlock ==
  1 :> R("Memory", 2, "Normal", "", FALSE, FALSE, {}) @@
  2 :> R("Hardware", 1, "Normal", "", FALSE, FALSE, {}) @@
  3 :> R("Memory", 2, "High", "", FALSE, FALSE, {}) @@
  4 :> R("Hardware", 1, "Low", "dma", FALSE, FALSE, {}) @@
  5 :> R("Memory", 1, "Normal", "dma", FALSE, FALSE, {})

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

\* Refusals: impossible requests (3 needs 4 of a Normal limit of 3), NonBlocking requests, a busy
\* name ("a": 1 and 3), equal-priority waiters (1, 2 and 4 are Normal, 2 units each), Emergency.
ResRefusals == 1..4
MetaRefusals ==
  1 :> R("Memory", 2, "Normal", "a", TRUE, FALSE, {}) @@
  2 :> R("Memory", 2, "Normal", "", FALSE, FALSE, {}) @@
  3 :> R("Memory", 4, "Normal", "a", FALSE, FALSE, {}) @@
  4 :> R("Memory", 2, "Normal", "", FALSE, FALSE, {})

\* Dependencies: a chain 3 -> 2 -> 1; 2 and 4 share the name "tex", so a named resource released
\* while 3 keeps it live blocks 4; addDependency (cycles refused) and close.
ResDeps == 1..4
MetaDeps ==
  1 :> R("Memory", 1, "Normal", "", TRUE, FALSE, {}) @@
  2 :> R("Memory", 1, "Normal", "tex", FALSE, FALSE, {1}) @@
  3 :> R("Memory", 1, "Normal", "", FALSE, FALSE, {2}) @@
  4 :> R("Memory", 1, "Normal", "tex", FALSE, FALSE, {})
BudgetDeps == [Memory |-> [max |-> 3, reserved |-> 0]]

\* Rebudget: the Memory budget moves between 4 (1 reserved) and 1 (none reserved).  2 (2 units,
\* depends on 1) and 3 (3 units, named "n" like 4) fit the first and never the second.
ResRebudget == 1..4
MetaRebudget ==
  1 :> R("Memory", 1, "Normal", "", FALSE, FALSE, {}) @@
  2 :> R("Memory", 2, "Normal", "", FALSE, FALSE, {1}) @@
  3 :> R("Memory", 3, "High", "n", FALSE, FALSE, {}) @@
  4 :> R("Memory", 1, "Normal", "n", FALSE, FALSE, {})
RebudgetMem == [Memory |-> {[max |-> 1, reserved |-> 0], [max |-> 4, reserved |-> 1]}]

\* A deadlock that exists already (MCStuck): sequential d holds one Memory unit and waits for 2 (2
\* units) while the concurrent owner c holds another; lowering Memory to 2 strands d's wait (no new wait
\* made it: a documented limit).  c's wait for the name "n" (slot 4, High) is unrelated when c holds 1
\* ("n") itself: accepted; when d holds it, the wait joins the deadlock: refused.
ResStuck == 1..4
MetaStuck ==
  1 :> R("Memory", 1, "Normal", "n", FALSE, FALSE, {}) @@
  2 :> R("Memory", 2, "Normal", "", FALSE, FALSE, {}) @@
  3 :> R("Memory", 1, "Normal", "", FALSE, FALSE, {}) @@
  4 :> R("Memory", 1, "High", "n", FALSE, FALSE, {})
RebudgetStuck == [Memory |-> {[max |-> 2, reserved |-> 0]}]

\* Pools charged to the Memory budget (4, 1 reserved): a pool grows and trims by 1 or 2 units,
\* requests of 2 units at Normal and High and 1 unit at Low.
ResPools == 1..3
MetaPools ==
  1 :> R("Memory", 2, "Normal", "", FALSE, FALSE, {}) @@
  2 :> R("Memory", 2, "High", "", FALSE, FALSE, {}) @@
  3 :> R("Memory", 1, "Low", "", FALSE, FALSE, {})
PoolMem == [Memory |-> {1, 2}]

\* Liveness with names, dependencies, two types and the reserve: 2 (Critical, depends on 1) may
\* use the reserve and waits when 1 and 4 hold 3 of 4 units; 1 (Memory) and 3 (Hardware) share the
\* name "tex".
ResLiveNames == 1..4
MetaLiveNames ==
  1 :> R("Memory", 2, "Normal", "tex", FALSE, FALSE, {}) @@
  2 :> R("Memory", 2, "Critical", "", FALSE, FALSE, {1}) @@
  3 :> R("Hardware", 1, "Normal", "tex", FALSE, FALSE, {}) @@
  4 :> R("Memory", 1, "Normal", "", FALSE, FALSE, {})
BudgetLiveNames == [Memory |-> [max |-> 4, reserved |-> 1], Hardware |-> [max |-> 1, reserved |-> 0]]

\* Concurrent owners and sequential drivers (MCConcurrent: c a concurrent owner, s a sequential
\* driver; Memory 3, none reserved).  c holding 1 waits for 4 (its own tasks may release 1) and,
\* waiting, may release, request 3 (a second wait) and be shared 1 or 2.  With s holding 1 and c
\* holding 2, s waits for 3 (Low); c's wait for 4 (High) would go ahead of it and need s's bytes:
\* refused.  With c holding 1, s waits for 4: sharing 1 to s is refused; with c holding 1 and 2, s
\* waits for 3: sharing 2 to s is accepted.
ResConcurrent == 1..4
MetaConcurrent ==
  1 :> R("Memory", 2, "Normal", "", TRUE, FALSE, {}) @@
  2 :> R("Memory", 1, "Normal", "", TRUE, FALSE, {}) @@
  3 :> R("Memory", 1, "Low", "", FALSE, FALSE, {}) @@
  4 :> R("Memory", 2, "High", "", FALSE, FALSE, {})
BudgetConcurrent == [Memory |-> [max |-> 3, reserved |-> 0]]

\* The share check (MCShareCheck), the example of docs/decisions.md in units of 100 bytes: owner o
\* holds R (slot 1, Shareable, 9 of 10); sequential d waits for 5 (slot 2); share(R, d) would keep R's
\* bytes until d's wait ends: refused.  Slot 3 (1 unit, Shareable) can be shared to a waiting driver.
\* Slot 4 (1 unit) depends on R: o's request for it, while d holds 3 and waits for 5 and R is all that
\* can return, pins R (a concurrent owner's waiter still pins its dependsOn) and must be refused.
ResShare == 1..4
MetaShare ==
  1 :> R("Memory", 9, "Normal", "", TRUE, FALSE, {}) @@
  2 :> R("Memory", 5, "Normal", "", FALSE, FALSE, {}) @@
  3 :> R("Memory", 1, "Normal", "", TRUE, FALSE, {}) @@
  4 :> R("Memory", 1, "Normal", "", FALSE, FALSE, {1})
BudgetShare == [Memory |-> [max |-> 10, reserved |-> 0]]

\* The usage bound (MCUsageBound: MaxUsage 3).  Hardware has no budget: its limit(p) is the bound, so
\* 1 and 2 (2 units each) are never live together: a Blocking request for the second waits (for the
\* concurrent owner c's release) or is refused (sequential d holding the first waits for itself), an
\* Emergency one is refused with BudgetExceeded.  Memory's budget is 3 (1 reserved): 3 (3 units) is
\* admitted by Emergency alone, up to the bound (1 unit of overage), and 4 (1 unit) then only up to the
\* bound: its Emergency request is refused while 3 is live.  Once Memory's budget is removed (Unbudget), its
\* limit(p) is the bound, 3 units for every p: 3 fits without Emergency.
ResBound == 1..4
MetaBound ==
  1 :> R("Hardware", 2, "Normal", "", TRUE, FALSE, {}) @@
  2 :> R("Hardware", 2, "Normal", "", FALSE, FALSE, {}) @@
  3 :> R("Memory", 3, "Normal", "", FALSE, FALSE, {}) @@
  4 :> R("Memory", 1, "Normal", "", FALSE, FALSE, {})
BudgetBound == [Memory |-> [max |-> 3, reserved |-> 1]]

=============================================================================
