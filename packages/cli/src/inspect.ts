/**
 * `flight-hal inspect`: a dump's budgets, failures and leaks, pools, holders, dependencies and wait-for graph as
 * text.
 *
 * @module
 */
import type { ManagerDump } from "./dump.ts"
import { count, formatBytes, formatMoment, formatTable } from "./internal/format.ts"

/**
 * Renders a dump as the text `flight-hal inspect` prints (the resource list is cut at 20 rows unless
 * `all` is set).
 *
 * @since 0.1.0
 * @category inspect
 */
export const renderInspect = (dump: ManagerDump, options: { readonly all?: boolean } = {}): string => {
  const out: Array<string> = [
    `flight-hal dump "${dump.label}" at ${formatMoment(dump.takenAtMillis)}: ${count(dump.snapshot.liveResources, "live resource")}`,
    "",
    "Budgets"
  ]
  const budgeted = dump.snapshot.types.filter((t) => t.budget !== undefined || t.currentUsage > 0)
  out.push(
    budgeted.length === 0
      ? "(no budgets, nothing in use)"
      : formatTable(
          ["type", "usage", "peak", "max", "reserved", "warn%", "crit%", "pressure", "waiting", "emergency"],
          budgeted.map((t) => [
            t.type,
            formatBytes(t.currentUsage),
            formatBytes(t.peakUsage),
            t.budget === undefined ? "unlimited" : formatBytes(t.budget.maxBytes),
            t.budget === undefined ? "-" : formatBytes(t.budget.reservedBytes),
            t.budget?.warningPercent ?? "-",
            t.budget?.criticalPercent ?? "-",
            t.pressure,
            t.waiting,
            t.emergencyCount
          ])
        )
  )
  // Only the types with a refusal or a leak; a dump from before `failures` and `leaks` were dumped shows "-".
  const failing = dump.snapshot.types.filter((t) => t.failedCount > 0 || (t.leaks ?? 0) > 0)
  out.push("", "Failures and leaks")
  out.push(
    failing.length === 0
      ? "(none)"
      : formatTable(
          ["type", "failed", "by reason", "leaks"],
          failing.map((t) => [
            t.type,
            t.failedCount,
            t.failures === undefined
              ? "-"
              : Object.entries(t.failures)
                  .filter(([, n]) => n !== undefined && n > 0)
                  .map(([reason, n]) => `${reason} ${n}`)
                  .join(", ") || "-",
            t.leaks ?? "-"
          ])
        )
  )
  out.push("", "Pools")
  out.push(
    dump.pools.length === 0
      ? "(none)"
      : formatTable(
          ["pool", "block", "in use", "capacity", "max", "peak"],
          dump.pools.map((p) => [
            p.name,
            formatBytes(p.blockSize),
            p.usedBlocks,
            p.totalBlocks,
            p.maxCount,
            p.peakUsedBlocks
          ])
        )
  )
  const resources = dump.waitGraph.resources
  const limit = options.all === true ? Number.POSITIVE_INFINITY : 20
  const shown = resources.slice(0, limit)
  out.push(
    "",
    `Holders (${count(resources.length, "live resource")}${shown.length < resources.length ? `, first ${shown.length}; --all lists every one` : ""})`
  )
  out.push(
    resources.length === 0
      ? "(no live resources)"
      : formatTable(
          ["id", "name", "type", "size", "charged", "holders", "depends on", "dependents"],
          shown.map((r) => [
            r.id,
            r.name ?? "-",
            r.type,
            // a dump from before `chargedBytes` gave the charged bytes as `sizeBytes`: its sizes are not known
            r.chargedBytes === undefined ? "-" : formatBytes(r.sizeBytes),
            formatBytes(r.chargedBytes ?? r.sizeBytes),
            r.holders.join(", "),
            r.dependsOn.join(", ") || "-",
            r.dependents.join(", ") || "-"
          ])
        )
  )
  const shared = resources.filter((r) => r.holders.length > 1)
  out.push("", "Shared resources")
  out.push(shared.length === 0 ? "(none)" : shared.map((r) => `${r.name ?? r.id}: ${r.holders.join(", ")}`).join("\n"))
  const withDeps = resources.filter((r) => r.dependsOn.length > 0)
  // a dependency by its name, as the dependent is shown (its id when it has none)
  const labels = new Map(resources.map((r) => [r.id, r.name ?? r.id]))
  out.push("", "Dependencies")
  out.push(
    withDeps.length === 0
      ? "(none)"
      : withDeps
          .map((r) => `${r.name ?? r.id} → ${r.dependsOn.map((id) => labels.get(id) ?? id).join(", ")}`)
          .join("\n")
  )
  out.push("", "Drivers")
  out.push(
    dump.snapshot.drivers.length === 0
      ? "(no drivers)"
      : formatTable(
          ["driver", "owned", "shared", "waiting", "size owned"],
          dump.snapshot.drivers.map((d) => [
            d.driver,
            d.owned,
            d.shared,
            d.waiting,
            Object.entries(d.bytesByType)
              .map(([type, bytes]) => `${type} ${formatBytes(bytes)}`)
              .join(", ") || "-"
          ])
        )
  )
  out.push("", "Wait-for graph")
  const names = new Map(resources.map((r) => [r.id, r.name ?? r.id]))
  /**
   * Who holds what a queue waits for: a name's holders, or every holder of the type's bytes with the bytes its
   * resources are charged, what their release gives back (largest first; a shared resource counts for each of its
   * holders; a pool-served resource is charged nothing, its block being pool capacity; a dump from before
   * `chargedBytes` gives its sizes). The waiter itself is one of them when it holds some (a self-deadlock): it is
   * marked, not left out.
   */
  const holdersOf = (queue: string, waiter: string): string => {
    const [kind, rest = ""] = queue.split(":", 2)
    const mark = (holder: string, held?: string): string => {
      const notes = [...(holder === waiter ? ["itself"] : []), ...(held === undefined ? [] : [held])]
      return notes.length === 0 ? holder : `${holder} (${notes.join(", ")})`
    }
    if (kind === "name") {
      return [...new Set(resources.filter((r) => r.name === rest).flatMap((r) => r.holders))]
        .map((h) => mark(h))
        .join(", ")
    }
    const bytes = new Map<string, number>()
    for (const r of resources) {
      if (r.type !== rest) continue
      for (const h of r.holders) bytes.set(h, (bytes.get(h) ?? 0) + (r.chargedBytes ?? r.sizeBytes))
    }
    return [...bytes]
      .sort(([a, x], [b, y]) => y - x || a.localeCompare(b, "en", { numeric: true }))
      .map(([h, n]) => mark(h, formatBytes(n)))
      .join(", ")
  }
  const edges: Array<string> = []
  for (const driver of dump.waitGraph.drivers) {
    // names in natural order (dma-2 before dma-10), whatever order the ids came in
    const held = driver.holds
      .map((id) => names.get(id) ?? id)
      .sort((a, b) => a.localeCompare(b, "en", { numeric: true }))
    const preview = held.length > 6 ? `${held.slice(0, 6).join(", ")}, … (${held.length})` : held.join(", ")
    edges.push(`${driver.driver} holds ${held.length === 0 ? "nothing" : preview}`)
    for (const wait of driver.waitsFor) {
      const blockers = holdersOf(wait.resource, driver.driver)
      const size = wait.sizeBytes > 0 ? ` (${formatBytes(wait.sizeBytes)}, ${wait.priority})` : ` (${wait.priority})`
      edges.push(`  ${driver.driver} waits for ${wait.resource}${size}${blockers === "" ? "" : ` held by ${blockers}`}`)
    }
  }
  out.push(edges.length === 0 ? "(no drivers)" : edges.join("\n"))
  out.push(deadlockLine(dump.waitGraph.deadlock))
  return out.join("\n")
}

/** The wait graph's verdict: the drivers that could never finish and the queues they wait in (sets, sorted). */
const deadlockLine = (deadlock: unknown): string => {
  if (deadlock === null) return "no deadlock"
  const { drivers, resources } = (typeof deadlock === "object" ? deadlock : {}) as Record<string, unknown>
  const listed = (value: unknown): value is ReadonlyArray<string> =>
    Array.isArray(value) && value.every((item) => typeof item === "string")
  // a dump of another version: shown as it is
  if (!listed(drivers) || !listed(resources)) return `DEADLOCK: ${JSON.stringify(deadlock)}`
  return `DEADLOCK: drivers ${drivers.join(", ")} can never finish, waiting over ${resources.join(", ")}`
}
