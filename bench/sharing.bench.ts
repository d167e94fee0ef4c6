/**
 * Sharing and deadlock-free waiting through the manager:
 * - share + unshare of a live Shareable resource (plain facade) against acquire+release as the scale;
 * - the cost of starting a wait (the Work/Finish check included) and leaving it, with 10, 100 and 1,000
 *   drivers in the graph: every driver holds a named resource and 16 bytes of Memory, one in twenty waits
 *   for a name another driver holds (the checked request waits for the name of one of them, so the full
 *   reduction decides, not the check's O(1) sums), and the waiting driver also holds a resource. The graph's drivers are
 *   declared sequential (`drivers` in the config): a concurrent owner's wait skips the check whatever it
 *   holds, so the "checked" rows would not check. A driver holding nothing (the "idle driver" rows, a
 *   concurrent owner) skips it. Before measuring, the bench makes sure the checked request runs the
 *   reduction and the idle one skips the check (the check's counters), and prints which path decided.
 *
 * Run: `bun bench/sharing.bench.ts` (add `--json` for mitata's JSON output).
 */
import { bench, do_not_optimize, group, run } from "mitata"
import { createResourceManager } from "../packages/resources/src/index.ts"
import { Core } from "../packages/resources/src/internal/core.ts"
import { waitCheckCounts } from "../packages/resources/src/internal/deadlock/manager-check.ts"
import { interrupt, type Request, submit, WaitingRequest } from "../packages/resources/src/internal/transitions.ts"
import { exitWithUsageIfAsked } from "./internal/fresh-process.ts"

exitWithUsageIfAsked(import.meta.url)
const json = process.argv.includes("--json")
const sizes = [10, 100, 1000] as const

// ---- share + unshare ----
const plain = createResourceManager({ onLeaks: () => {}, detectGarbageCollectedLeaks: false })
const frame = plain.acquire("frame", { type: "Memory", sizeBytes: 64, flags: 8 }, { owner: "owner" })
group("sharing", () => {
  bench("share + unshare", () => {
    const shared = plain.share(frame.handle, "gpu")
    shared.release()
    return do_not_optimize(shared)
  })
  bench("scale: acquire + release", () => {
    const ref = plain.acquire("", { type: "Hardware", sizeBytes: 1 })
    ref.release()
    return do_not_optimize(ref)
  })
})

// ---- wait with the deadlock check ----
const must = <A>(value: A): Exclude<A, { readonly _tag: string }> => {
  if (typeof value === "object" && value !== null && "_tag" in value) throw new Error(String(value._tag))
  return value as Exclude<A, { readonly _tag: string }>
}

const graph = (drivers: number) => {
  const engine = must(
    Core.make<unknown>(
      {
        budgets: { Memory: { maxBytes: 1 << 30, reservedBytes: 0, warningPercent: 50, criticalPercent: 80 } },
        // sequential drivers: their waits are checked (a concurrent owner's are not)
        drivers: Object.fromEntries(Array.from({ length: drivers }, (_, d) => [`driver${d}`, { sequential: true }]))
      },
      Date.now
    )
  )
  const state = engine.state
  const ask = (name: string, type: "Hardware" | "Memory", size: number, mode: number, driver: string): Request =>
    must(engine.request(name, { type, sizeBytes: size }, mode, driver))
  for (let d = 0; d < drivers; d++) {
    must(submit(state, ask(`name${d}`, "Hardware", 1, 0, `driver${d}`), true))
    must(submit(state, ask("", "Memory", 16, 0, `driver${d}`), true))
  }
  // one driver in twenty waits for the next driver's name; driver1 is one of them, so the name the checked
  // request waits for (name1) is held by a waiting driver: the check's O(1) sums cannot accept the wait and
  // the reduction runs (with driver2 waiting instead, as before 2026-11-29, the sums decided every check)
  for (let d = 1; d < drivers; d += 20) {
    const waiting = submit(state, ask(`name${(d + 1) % drivers}`, "Hardware", 1, 1, `driver${d}`), true)
    if (!(waiting instanceof WaitingRequest)) throw new Error("expected a wait")
  }
  const checked = ask(`name${1}`, "Hardware", 1, 1, "driver0")
  const unchecked = ask(`name${1}`, "Hardware", 1, 1, "idle-driver")
  return { state, checked, unchecked }
}

/** Which paths of the check one wait + leave of `request` took (none: the check was skipped). */
const pathsOf = (state: ReturnType<typeof graph>["state"], request: Request): string => {
  const before = { ...waitCheckCounts }
  const waiter = submit(state, request, true)
  if (!(waiter instanceof WaitingRequest)) throw new Error("expected a wait")
  interrupt(state, waiter)
  const ran = (["plentiful", "reduced", "described"] as const).filter((k) => waitCheckCounts[k] > before[k])
  return ran.length === 0 ? "skipped" : ran.join("+")
}

for (const drivers of sizes) {
  const g = graph(drivers)
  const checkedPath = pathsOf(g.state, g.checked)
  const idlePath = pathsOf(g.state, g.unchecked)
  if (!checkedPath.includes("reduced") || idlePath !== "skipped") {
    throw new Error(`${drivers} drivers: the checked wait's check ${checkedPath}, the idle one's ${idlePath}`)
  }
  if (!json) console.log(`${drivers} drivers: the checked wait is decided by the check's ${checkedPath} path`)
  group(`${drivers} drivers`, () => {
    bench(`wait + leave, checked ${drivers}`, () => {
      const waiter = submit(g.state, g.checked, true)
      if (!(waiter instanceof WaitingRequest)) throw new Error("expected a wait")
      interrupt(g.state, waiter)
      return do_not_optimize(waiter)
    })
    bench(`wait + leave, idle driver ${drivers}`, () => {
      const waiter = submit(g.state, g.unchecked, true)
      if (!(waiter instanceof WaitingRequest)) throw new Error("expected a wait")
      interrupt(g.state, waiter)
      return do_not_optimize(waiter)
    })
  })
}

const { benchmarks } = await run(json ? { format: "json" } : {})
if (!json) {
  const median = (alias: string) => benchmarks.find((b) => b.alias === alias)?.runs[0]?.stats?.p50 ?? Number.NaN
  console.log(
    `share + unshare: ${median("share + unshare").toFixed(0)} ns (acquire + release: ${median("scale: acquire + release").toFixed(0)} ns)`
  )
  for (const label of ["checked", "idle driver"]) {
    const line = sizes.map((drivers, i) => {
      const ns = median(`wait + leave, ${label} ${drivers}`)
      const previous = i === 0 ? undefined : sizes[i - 1]
      const growth =
        previous === undefined ? "" : ` (x${(ns / median(`wait + leave, ${label} ${previous}`)).toFixed(1)})`
      return `${drivers}: ${ns.toFixed(0)} ns${growth}`
    })
    console.log(`wait + leave, ${label}: ${line.join(", ")}`)
  }
}
