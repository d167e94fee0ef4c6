/**
 * `recordTimeline`'s `intervalMillis` has the range of `recordTimelineScoped`'s `interval`: from 1 ms to 2^31 − 1 ms
 * (0 sampled about every millisecond).
 */
import { describe, expect, test } from "bun:test"
import { InvalidArgument } from "@flight-hal/core"
import { createResourceManager, recordTimeline } from "../src/index.ts"

describe("recordTimeline's intervalMillis", () => {
  test("recordTimeline refuses an intervalMillis below 1 ms, as recordTimelineScoped does", () => {
    using manager = createResourceManager({ label: "svc" })
    for (const intervalMillis of [0, 0.5, -0]) {
      const lines: Array<string> = []
      let thrown: unknown
      try {
        recordTimeline(manager, { sink: (line) => lines.push(line), intervalMillis }).stop()
      } catch (error) {
        thrown = error
      }
      expect(thrown).toBeInstanceOf(InvalidArgument)
      expect((thrown as InvalidArgument).argument).toBe("options.intervalMillis")
      expect((thrown as InvalidArgument).issue).toBe(
        `expected a number in [1, 2^31 − 1], got ${intervalMillis === 0.5 ? "0.5" : "0"}`
      )
      expect(lines).toEqual([]) // nothing written, no timer
    }
    const lines: Array<string> = []
    recordTimeline(manager, { sink: (line) => lines.push(line), intervalMillis: 1 }).stop()
    expect(JSON.parse(lines[0] ?? "{}").intervalMillis).toBe(1)
  })
})
