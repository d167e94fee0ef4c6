import { describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { engineLayer, runGame } from "../game-engine.ts"

const MiB = 1024 * 1024

describe("examples/game-engine", () => {
  test("a level loads inside the budget by reclaiming the menu cache, and its scope releases it", async () => {
    const report = await Effect.runPromise(runGame.pipe(Effect.provide(engineLayer)))
    // The menu cache (6 textures of 1 MiB) did not leave room for the level: the reclamation callback evicted some.
    expect(report.cache.before).toBe(6)
    expect(report.cache.after).toBeLessThan(report.cache.before)
    expect(report.reclaimedBytes).toBe((report.cache.before - report.cache.after) * MiB)
    // Inside the level the budget's limit (8 MiB minus the 512 KiB reserve) held.
    expect(report.usage.inLevel).toBeLessThanOrEqual(8 * MiB - 512 * 1024)
    expect(report.poolsInLevel["audio-buffers"]).toBe(20)
    expect(report.poolsInLevel["ui-textures"]).toBe(12)
    expect(report.poolsInLevel["character-textures"]).toBe(6)
    // Closing the level's scope gave back everything the level loaded: its blocks went back to their pools, kept
    // as charged capacity for the next level (so usage need not fall); the remaining cache is still held.
    expect(Object.values(report.poolsAfterLevel)).toEqual([0, 0, 0, 0])
    expect(report.usage.end).toBeLessThanOrEqual(report.usage.inLevel)
    expect(report.usage.end).toBeGreaterThanOrEqual(report.usage.start + report.cache.after * MiB)
    // Pressure rose with the menu and the level, and fell after it: closing the game's scope released the
    // cache, and every event published before the scope closed was delivered, down to None.
    expect(report.pressure).toContain("Medium -> High")
    expect(report.pressure).toContain("High -> Medium")
    expect(report.pressure.at(-1)).toBe("Low -> None")
    // Nothing waits for the impossible: a texture larger than the budget fails at once.
    expect(report.hugeTexture).toStartWith("BudgetExceeded: ")
  })
})
