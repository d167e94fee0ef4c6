import { describe, expect, test } from "bun:test"
import { AudioDriver, runDrivers } from "../driver-sharing.ts"

describe("examples/driver-sharing", () => {
  test("a shared vertex buffer is counted once and lives until its last holder; the cycle is refused", async () => {
    expect(await runDrivers()).toEqual({
      holdersWhileShared: ["graphics", "audio"],
      hardwareBytesWhileShared: 64 * 1024,
      pointsDrawn: 8,
      holdersAfterGraphicsReleased: ["audio"],
      pointsDrawnAfterGraphicsReleased: 3,
      accessAfterShareReleased: "ResourceReleased",
      hardwareBytesAfterAll: 0,
      deadlock: "DeadlockDetected: drivers audio, graphics",
      waiterGranted: "timer-0 -> graphics (dma held by graphics)",
      liveAtReturn: 2
    })
  })

  test("the audio visualisation writes (x, y) points and never past the buffer", () => {
    const buffer = new Float32Array(4)
    expect(new AudioDriver().visualise(buffer, [1, -1, 0.5])).toBe(2)
    expect([...buffer]).toEqual([0, 1, 1, -1])
  })
})
