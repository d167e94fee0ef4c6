/**
 * Cost of one deadlock check (`checkWait`) before a request starts waiting, with 10, 100 and 1,000
 * drivers in the graph. Realistic shape: every driver holds three resources (Memory bytes, some named,
 * some shared with a neighbour, some depending on the driver's previous resource); some drivers wait
 * (half for Memory bytes, half for a name another driver holds); the candidate asks for a name another
 * driver holds.
 *
 * Three cases per size:
 * - `few waiting`: 4 waiting drivers whatever the size, checked through a `WaitView` (the manager's path:
 *   lookups over indexes it keeps up to date).
 * - `5% waiting`: one driver in twenty waiting, through a `WaitView`.
 * - `5% waiting, from a snapshot`: `viewOfState` first, which reads the whole live state.
 *
 * The summary lines are means (mitata's avg), not the medians (p50) the other benches print.
 *
 * Run: `bun bench/deadlock.bench.ts` (add `--json` for mitata's JSON output).
 */
import { bench, do_not_optimize, group, run } from "mitata"
import {
  checkWait,
  type LiveResource,
  viewOfState,
  type Waiter,
  type WaitState
} from "../packages/resources/src/internal/deadlock/index.ts"
import { exitWithUsageIfAsked } from "./internal/fresh-process.ts"

exitWithUsageIfAsked(import.meta.url)

const sizes = [10, 100, 1000] as const
const resourcesPerDriver = 3
const labels = ["few waiting", "5% waiting", "5% waiting, from a snapshot"] as const

/** A deterministic pseudo-random generator (mulberry32) so every run measures the same graph. */
const random = (seed: number): (() => number) => {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const buildState = (drivers: number, waiting: number): { state: WaitState; candidate: Waiter } => {
  const next = random(drivers)
  const resources: LiveResource[] = []
  let usage = 0
  for (let d = 0; d < drivers; d++) {
    for (let k = 0; k < resourcesPerDriver; k++) {
      const id = `r${d}.${k}`
      const sizeBytes = 1024 * (1 + Math.floor(next() * 64))
      usage += sizeBytes
      const shared = next() < 0.1 && drivers > 1
      resources.push({
        id,
        type: "Memory",
        sizeBytes,
        name: k === 0 ? `Texture${d}` : undefined,
        holders: shared ? [`driver${d}`, `driver${(d + 1) % drivers}`] : [`driver${d}`],
        dependsOn: k > 0 && next() < 0.3 ? [`r${d}.${k - 1}`] : []
      })
    }
  }
  const waiters: Waiter[] = []
  const every = Math.max(1, Math.floor(drivers / waiting))
  // exactly `waiting` waiters (without the count, 10 drivers / 4 made 5: every second driver)
  for (let d = 0, n = 0; d < drivers && n < waiting; d += every, n++) {
    const driver = `driver${d}`
    waiters.push(
      next() < 0.5
        ? { id: `w${d}`, driver, priority: "Normal", kind: "bytes", type: "Memory", sizeBytes: 64 * 1024 }
        : { id: `w${d}`, driver, priority: "Normal", kind: "name", name: `Texture${(d + 1) % drivers}` }
    )
  }
  const state: WaitState = {
    budgets: { Memory: { maxBytes: usage + 32 * 1024, reservedBytes: 16 * 1024, usage } },
    resources,
    waiters
  }
  const candidate: Waiter = {
    id: "candidate",
    driver: `driver${drivers - 1}`,
    priority: "Normal",
    kind: "name",
    name: `Texture${Math.floor(drivers / 2)}`
  }
  return { state, candidate }
}

const prepare = (drivers: number, waiting: number) => {
  const { state, candidate } = buildState(drivers, waiting)
  const view = viewOfState(state)
  if (checkWait(view, candidate) !== undefined) throw new Error(`the ${drivers}-driver graph should be deadlock-free`)
  return { state, view, candidate }
}

// Scale for reading the numbers on a given machine: three Map inserts into a fresh Map.
group("baseline", () => {
  bench("baseline: new Map + 3 set", () => {
    const map = new Map<string, number>()
    map.set("a", 1).set("b", 2).set("c", 3)
    return do_not_optimize(map)
  })
})

for (const drivers of sizes) {
  const few = prepare(drivers, 4)
  const some = prepare(drivers, Math.max(1, drivers / 20))
  group(`${drivers} drivers`, () => {
    bench(`${labels[0]} ${drivers}`, () => do_not_optimize(checkWait(few.view, few.candidate)))
    bench(`${labels[1]} ${drivers}`, () => do_not_optimize(checkWait(some.view, some.candidate)))
    bench(`${labels[2]} ${drivers}`, () => do_not_optimize(checkWait(viewOfState(some.state), some.candidate)))
  })
}

const json = process.argv.includes("--json")
const { benchmarks } = await run(json ? { format: "json" } : {})

if (!json) {
  const average = (name: string): number => {
    const stats = benchmarks.find((trial) => trial.alias === name)?.runs[0]?.stats
    return stats === undefined ? Number.NaN : stats.avg
  }
  console.log(`baseline (new Map + 3 set): ${average("baseline: new Map + 3 set").toFixed(0)} ns (means)`)
  for (const label of labels) {
    const line = sizes.map((drivers, i) => {
      const ns = average(`${label} ${drivers}`)
      const previous = i === 0 ? undefined : sizes[i - 1]
      const ratio = previous === undefined ? "" : ` (x${(ns / average(`${label} ${previous}`)).toFixed(1)})`
      return `${drivers}: ${ns.toFixed(0)} ns${ratio}`
    })
    console.log(`checkWait, ${label} (mean): ${line.join(", ")}`)
  }
}
