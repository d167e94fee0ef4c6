/**
 * Cost of enqueueing many waiters: 250, 1,000 and 4,000 requests start waiting one after another, for bytes
 * (the Memory budget is full), for one busy name, or half and half ("mixed"). The figure is the wall time
 * of the whole enqueueing (every `acquireAsync` call up to the moment its request waits), the fastest of a
 * few repetitions (the least disturbed by other load on the machine), each on a fresh manager.
 *
 * Three kinds of rows:
 * - `sequential, idle`: one sequential driver per waiter (declared in the config's `drivers`), holding
 *   nothing. Most of these waits pass the check's O(1) shortcut.
 * - `sequential, holding`: one sequential driver per waiter, each holding one byte of Memory first and
 *   waiting for `waiters` bytes, on a budget of 2 × `waiters` bytes: the waited bytes cannot all fit at once,
 *   so neither the O(1) shortcut nor the check's plentiful case (its carried sums) can accept a wait, and
 *   every wait after the first runs the full reduction (this is the row that measures it; the bench checks
 *   it with the check's counters and fails otherwise). Before 2026-11-29 these waiters asked one byte each
 *   on a budget where all of them fit, and the plentiful case decided every one of them.
 * - `concurrent (app)`: every waiter acquires for the default owner `"app"` (a concurrent owner): each
 *   waiter is independent and holds nothing.
 *
 * A blocker owner holds the rest of the budget and the busy name; nobody releases, so every request waits.
 *
 * Last, the targets as ratios of rows of the same run: mixed ≤ 3× bytes-only at 1,000 waiters, and
 * 4,000 vs 1,000 waiters ≤ 20×, per kind (a target whose rows were not run reads `n/a`).
 *
 * Run: `bun bench/waits.bench.ts` (or through `npm run bench`; `--json` prints one JSON document, rows and
 * targets; `--only holding` runs the rows whose kind contains `holding`; `--max 1000` skips the larger sizes).
 */
import type { ResourceMetadata } from "@flight-hal/core"
import { createResourceManager, type ResourceManagerConfig } from "../packages/resources/src/index.ts"
import { waitCheckCounts } from "../packages/resources/src/internal/deadlock/manager-check.ts"
import { exitWithUsageIfAsked } from "./internal/fresh-process.ts"

exitWithUsageIfAsked(import.meta.url)

const sizes = [250, 1000, 4000] as const
const shapes = ["bytes-only", "name-only", "mixed"] as const
const kinds = ["sequential, idle", "sequential, holding", "concurrent (app)"] as const
type Shape = (typeof shapes)[number]
type Kind = (typeof kinds)[number]

/** A row whose first repetition took longer than this is measured once (the cubic cases before the fix). */
const slowMillis = 2_000
/** After a row this slow, the larger sizes of its kind and shape are skipped (reported as `null`). */
const skipAfterMillis = 8_000
const repetitions = 5

const mem = (sizeBytes: number): ResourceMetadata => ({ type: "Memory", sizeBytes })

/** The wall time, in milliseconds, of enqueueing `count` waiters of one shape and kind. */
const enqueueMillis = (count: number, shape: Shape, kind: Kind): number => {
  const holding = kind === "sequential, holding"
  const owners = Array.from({ length: count }, (_, i) => `d${i}`)
  // holding: each waiter asks `count` bytes of a 2 × count budget, so that the waited bytes never all fit
  const requestBytes = holding ? count : 1
  const maxBytes = holding ? count * 2 : count * 2 + 16
  const drivers: Record<string, { readonly sequential: boolean }> = {}
  if (kind !== "concurrent (app)") for (const owner of owners) drivers[owner] = { sequential: true }
  const config = {
    onLeaks: () => {},
    budgets: { Memory: { maxBytes, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 } },
    drivers
  } as ResourceManagerConfig
  const manager = createResourceManager(config)
  // each holding driver keeps one byte; the blocker holds the rest and the busy name
  if (holding) for (const owner of owners) manager.acquire("", mem(1), { owner })
  manager.acquire("busy", mem(0), { owner: "blocker" })
  manager.acquire("", mem(maxBytes - (holding ? count : 0)), { owner: "blocker" })
  const pending: Array<Promise<unknown>> = []
  const reducedBefore = waitCheckCounts.reduced
  const start = performance.now()
  for (let i = 0; i < count; i++) {
    const byName = shape === "name-only" || (shape === "mixed" && i % 2 === 1)
    const options =
      kind === "concurrent (app)" ? { mode: "Blocking" as const } : { mode: "Blocking" as const, owner: `d${i}` }
    pending.push(
      manager.acquireAsync(byName ? "busy" : "", mem(requestBytes), options).catch((error: unknown) => error)
    )
  }
  const elapsed = performance.now() - start
  const waiting = manager.getResourceStats("Memory").waiting
  if (waiting !== count) throw new Error(`${kind} ${shape} ${count}: ${waiting} waiting, expected ${count}`)
  const reduced = waitCheckCounts.reduced - reducedBefore
  if (holding && reduced < count - 1) {
    throw new Error(`${kind} ${shape} ${count}: ${reduced} waits ran the full reduction, expected ${count - 1}`)
  }
  manager.close()
  return elapsed
}

interface Row {
  readonly kind: Kind
  readonly shape: Shape
  readonly waiters: number
  readonly millis: number | null
}

const rows: Array<Row> = []
const json = process.argv.includes("--json")
/** `--only TEXT`: run the rows whose kind contains TEXT; `--max N`: sizes up to N only. */
const only = process.argv[process.argv.indexOf("--only") + 1]
const onlyKind = process.argv.includes("--only") ? only : undefined
const maxArg = process.argv.includes("--max") ? Number(process.argv[process.argv.indexOf("--max") + 1]) : Infinity
if (!json) console.log("kind                 shape        waiters   enqueue ms")
for (const kind of kinds) {
  if (onlyKind !== undefined && !kind.includes(onlyKind)) continue
  for (const shape of shapes) {
    let skip = false
    for (const waiters of sizes) {
      if (waiters > maxArg) continue
      if (skip) {
        rows.push({ kind, shape, waiters, millis: null })
        if (!json) console.log(`${kind.padEnd(21)}${shape.padEnd(13)}${String(waiters).padStart(7)}      skipped`)
        continue
      }
      const first = enqueueMillis(waiters, shape, kind)
      const samples = [first]
      if (first < slowMillis) for (let r = 1; r < repetitions; r++) samples.push(enqueueMillis(waiters, shape, kind))
      const row = { kind, shape, waiters, millis: Math.min(...samples) }
      skip = row.millis > skipAfterMillis
      rows.push(row)
      if (!json) {
        console.log(
          `${kind.padEnd(21)}${shape.padEnd(13)}${String(waiters).padStart(7)}${row.millis.toFixed(1).padStart(13)}`
        )
      }
    }
  }
}
// The targets, as ratios of rows measured in this run: per kind, mixed ≤ 3× bytes-only at 1,000
// waiters, and each shape's 4,000-waiter row ≤ 20× its 1,000-waiter row.
const millisOf = (kind: Kind, shape: Shape, waiters: number): number | null =>
  rows.find((r) => r.kind === kind && r.shape === shape && r.waiters === waiters)?.millis ?? null
const ratio = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a / b)
const targets: Array<{ readonly target: string; readonly measured: number | null; readonly limit: number }> = []
for (const kind of kinds) {
  if (onlyKind !== undefined && !kind.includes(onlyKind)) continue
  targets.push({
    target: `${kind}: mixed / bytes-only at 1000`,
    measured: ratio(millisOf(kind, "mixed", 1000), millisOf(kind, "bytes-only", 1000)),
    limit: 3
  })
  for (const shape of shapes) {
    targets.push({
      target: `${kind}: ${shape} 4000 / 1000`,
      measured: ratio(millisOf(kind, shape, 4000), millisOf(kind, shape, 1000)),
      limit: 20
    })
  }
}
const verdicts = targets.map((t) => ({ ...t, met: t.measured === null ? null : t.measured <= t.limit }))
if (json) console.log(JSON.stringify({ rows, targets: verdicts }))
else {
  console.log("targets (ratios of this run's rows):")
  for (const t of verdicts) {
    const measured = t.measured === null ? "n/a" : `${t.measured.toFixed(2)}×`
    console.log(`  ${t.met === null ? "n/a " : t.met ? "met " : "MISS"}  ${t.target}: ${measured} (limit ${t.limit}×)`)
  }
}
