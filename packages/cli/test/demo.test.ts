import { describe, expect, test } from "bun:test"
import { dreamcast, getProfileSync } from "@flight-hal/resources"
import { renderLiveView, renderProgressLine, renderSummary, runDemo, type TimelineSample } from "../src/index.ts"

describe("demo", () => {
  test("the same seed gives the same summary; another seed another workload", async () => {
    const first = await runDemo({ profile: dreamcast, frames: 120, seed: 42 })
    const second = await runDemo({ profile: dreamcast, frames: 120, seed: 42 })
    expect(second.summary).toEqual(first.summary)
    expect(second.events).toEqual(first.events)
    expect(second.samples).toEqual(first.samples)
    const other = await runDemo({ profile: dreamcast, frames: 120, seed: 7 })
    expect(other.summary).not.toEqual(first.summary)
  })

  test("the workload does every scripted thing and leaks nothing", async () => {
    const { summary, events, samples } = await runDemo({ profile: dreamcast, frames: 120, seed: 42 })
    expect(summary.counts).toMatchObject({
      levelLoads: 6,
      shares: 1,
      emergencyAllocations: 1,
      timeouts: 1,
      deadlocksDetected: 1,
      leaks: 0
    })
    expect(summary.counts.evictions).toBeGreaterThan(0)
    expect(summary.counts.pressureChanges).toBeGreaterThan(0)
    expect(summary.deadlock?.drivers).toEqual(["audio", "graphics"])
    expect(samples).toHaveLength(120)
    const memory = summary.types.find((t) => t.type === "Memory")
    expect(memory?.emergency).toBe(1)
    expect(memory?.peakBytes).toBeGreaterThan(memory?.maxBytes ?? Number.POSITIVE_INFINITY) // the emergency overage
    expect(memory?.finalBytes).toBe(0)
    // The pressure callback evicted the texture cache at least once, after High was reached.
    expect(events.some((e) => e.kind === "evict" && e.message.startsWith("pressure callback"))).toBe(true)
    // The timeout happened on the logical clock: 50 ms is four 16 ms frames after the request.
    const request = events.find((e) => e.message.startsWith("streamer waits"))
    const timeout = events.find((e) => e.kind === "timeout")
    expect((timeout?.frame ?? 0) - (request?.frame ?? 0)).toBe(3)
  })

  test("a run too short for the timeout to pass within its frames still ends, with the timeout counted", async () => {
    // the request with a 50 ms timeout is made at frame 2; 2 to 4 frames of 16 ms end before it times out
    for (const frames of [1, 2, 3, 4, 5]) {
      const { summary, samples } = await runDemo({ profile: dreamcast, frames, seed: 42 })
      expect(samples).toHaveLength(frames)
      expect(summary.counts.timeouts).toBe(frames >= 2 ? 1 : 0)
      expect(summary.counts.leaks).toBe(0)
    }
  })

  test("the deadlock is always audio's and graphics', from 6 frames on: the streamer's wait has timed out by then", async () => {
    // the Timeout request is made at 35 % of the run (frame 2 at least) and times out three frames later; the
    // deadlock at 75 % comes at least four frames after the request (it once came at frame 4 of a 4- to 7-frame
    // run, or 9 frames', with the streamer still waiting: drivers audio, graphics, streamer)
    for (let frames = 1; frames <= 16; frames++) {
      const { summary } = await runDemo({ profile: dreamcast, frames, seed: 42 })
      expect({ frames, drivers: summary.deadlock?.drivers ?? null }).toEqual({
        frames,
        drivers: frames >= 6 ? ["audio", "graphics"] : null
      })
      expect(summary.counts.timeouts).toBe(frames >= 2 ? 1 : 0)
    }
  })

  test("every built-in profile runs", async () => {
    for (const name of ["web", "desktop", "server"]) {
      const { summary } = await runDemo({ profile: getProfileSync(name), frames: 16, seed: 1 })
      expect(summary.profile).toBe(name)
      expect(summary.counts.deadlocksDetected).toBe(1)
      expect(summary.counts.timeouts).toBe(1)
      expect(summary.counts.leaks).toBe(0)
    }
  }, 60_000)

  test("the live view and the plain progress line", async () => {
    const frames: Array<TimelineSample> = []
    const run = await runDemo({ profile: dreamcast, frames: 30, seed: 3, onFrame: (s) => frames.push(s) })
    expect(frames).toEqual([...run.samples])
    const last = frames[frames.length - 1]
    if (last === undefined) throw new Error("no frame")
    const view = renderLiveView(dreamcast, last, 30, "done", false).join("\n")
    expect(view).toContain("Memory")
    expect(view).toContain("|") // the warning mark
    expect(view).toContain("!") // the critical mark
    expect(view).toContain("pool textures")
    expect(view).toContain("frame    30/30")
    expect(view).toContain("100%")
    expect(renderProgressLine(dreamcast, last, 30)).toMatch(/^frame 30\/30 · Hardware \d+% \w+ · Memory \d+% \w+$/)
    expect(renderSummary(run.summary)).toContain("deadlocks detected")
  })

  test("frameMillis paces the run by the wall clock and changes nothing in the results", async () => {
    // a lower bound a paced run always meets (each frame ends no earlier than its deadline), far above what the
    // same 20 frames take unpaced on a cold start (217-391 ms measured), so an unpaced run cannot pass it
    const started = Date.now()
    const paced = await runDemo({ profile: dreamcast, frames: 20, seed: 3, frameMillis: 60 })
    expect(Date.now() - started).toBeGreaterThanOrEqual(1190)
    const unpaced = await runDemo({ profile: dreamcast, frames: 20, seed: 3 })
    expect(paced.summary).toEqual(unpaced.summary)
    expect(paced.samples).toEqual(unpaced.samples)
  })
})
