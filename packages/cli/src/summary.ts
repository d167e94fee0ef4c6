/**
 * The table printed at the end of a demo run.
 *
 * @module
 */
import { count, formatBytes, formatTable } from "./internal/format.ts"
import type { DemoSummary } from "./model.ts"

/**
 * Renders a demo summary as text tables.
 *
 * @since 0.1.0
 * @category rendering
 */
export const renderSummary = (summary: DemoSummary): string => {
  const c = summary.counts
  return [
    `Summary: ${summary.profile} (${formatBytes(summary.totalMemoryBytes)}), seed ${summary.seed}, ${count(summary.frames, "frame")}`,
    "",
    formatTable(
      ["type", "max", "reserved", "peak", "final", "allocs", "releases", "failed", "emergency", "peak pressure"],
      summary.types.map((t) => [
        t.type,
        formatBytes(t.maxBytes),
        formatBytes(t.reservedBytes),
        formatBytes(t.peakBytes),
        formatBytes(t.finalBytes),
        t.allocations,
        t.releases,
        t.failed,
        t.emergency,
        t.peakPressure
      ])
    ),
    "",
    formatTable(
      ["pool", "type", "block", "max blocks", "peak in use", "final in use"],
      summary.pools.map((p) => [p.name, p.type, formatBytes(p.blockSize), p.maxCount, p.peakInUse, p.finalInUse])
    ),
    "",
    formatTable(
      ["event", "count"],
      [
        ["level loads", c.levelLoads],
        ["textures loaded", c.texturesLoaded],
        ["audio buffers loaded", c.audioBuffersLoaded],
        ["texture evictions", c.evictions],
        ["bytes evicted", formatBytes(c.evictedBytes)],
        ["shares", c.shares],
        ["emergency allocations", c.emergencyAllocations],
        ["timeouts", c.timeouts],
        ["deadlocks detected", c.deadlocksDetected],
        ["pressure changes", c.pressureChanges],
        ["rejected requests", c.rejected],
        ["leaks at close", c.leaks]
      ]
    ),
    summary.deadlock === null ? "" : `\nDeadlock: ${summary.deadlock.message}`
  ].join("\n")
}
