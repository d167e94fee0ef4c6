/**
 * The manager's own memory per live resource (docs/manager.md, "Performance": at most 64 bytes at 10^6 live
 * resources, as bench/manager.bench.ts measures it). This test holds the bound at 10^6 resources of one kind, so
 * that a change that adds an object per resource fails here, not only in a bench: copying every caller's metadata
 * once did (129 bytes per resource, found a day later). At fewer resources the figure is higher (the slot table
 * grows by doubling, and its fixed parts count for more: 61 bytes unnamed, 71 named at 200,000).
 *
 * The figure is the heap growth between two full collections around the registrations, divided by the count;
 * the caller's handles are dropped, and the names are made before the first collection (they are the caller's).
 */
import { describe, expect, test } from "bun:test"
import { createResourceManager } from "../src/index.ts"

const COUNT = 1_000_000
const LIMIT_BYTES = 64

const heapUsed = (): number => {
  Bun.gc(true)
  return process.memoryUsage().heapUsed
}

/** The heap growth per resource of a manager holding `COUNT` live resources, named or not. */
const bytesPerLive = (named: boolean): number => {
  const names = named ? Array.from({ length: COUNT }, (_, i) => `resource-${i}`) : []
  const before = heapUsed()
  const manager = createResourceManager({ onLeaks: () => {}, detectGarbageCollectedLeaks: false })
  for (let i = 0; i < COUNT; i++) {
    manager.registerResource(named ? (names[i] as string) : "", { type: "Hardware", sizeBytes: 1 })
    // a manager that cannot find its names fails here, before a million registrations on a broken name table
    // (all in one cluster: quadratic, and a synchronous loop no test timeout stops)
    if (named && i === 999) expect(manager.find(names[i] as string).handle.slot).toBeGreaterThanOrEqual(0)
  }
  const after = heapUsed()
  expect(manager.snapshot().liveResources).toBe(COUNT)
  manager.close()
  return (after - before) / COUNT
}

describe("the manager's memory per live resource", () => {
  test(`at most ${LIMIT_BYTES} bytes for ${COUNT} unnamed and for ${COUNT} named resources of one kind`, () => {
    const unnamed = bytesPerLive(false)
    const named = bytesPerLive(true)
    console.log(
      `[memory] bytes per live resource at ${COUNT}: ${unnamed.toFixed(1)} unnamed, ${named.toFixed(1)} named`
    )
    expect(unnamed).toBeLessThanOrEqual(LIMIT_BYTES)
    expect(named).toBeLessThanOrEqual(LIMIT_BYTES)
  }, 60_000)
})
