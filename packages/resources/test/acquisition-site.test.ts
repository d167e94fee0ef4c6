/**
 * The acquisition site of a leak report (`captureAcquisitionSite`) starts at the caller's frame: the manager's
 * own frames (`bind`, `bindRef`, `acquire`) are left out, from the sources here as from the built package.
 */
import { describe, expect, test } from "bun:test"
import type { LeakReport } from "../src/index.ts"
import { createResourceManager } from "../src/index.ts"
import { callerStack } from "../src/internal/call-site.ts"

const frames = (site: string | undefined): Array<string> =>
  (site ?? "").split("\n").filter((line) => /^\s+at\s/.test(line))

describe("the acquisition site of a leak", () => {
  test("acquire and acquireAsync: the first frame is the caller's, no frame is the manager's", async () => {
    const leaks: Array<LeakReport> = []
    const manager = createResourceManager({ captureAcquisitionSite: true, onLeaks: (found) => leaks.push(...found) })
    const loaded: Array<unknown> = []
    function loadTexture() {
      // not a tail call (JavaScriptCore drops the frame of a function that returns a call, in strict code; Bun's
      // transpiler turns `const x = f(); return x` into one)
      loaded.push(manager.acquire("texture", { type: "Memory", sizeBytes: 8 }))
    }
    loadTexture()
    await manager.acquireAsync("sound", { type: "Memory", sizeBytes: 8 })
    manager.close()
    expect(leaks.map((leak) => leak.name)).toEqual(["sound", "texture"])
    for (const leak of leaks) {
      expect(leak.site?.split("\n")[0]).toBe("Error: acquired here")
      expect(frames(leak.site)[0]).toContain("acquisition-site.test.ts")
      expect(frames(leak.site).some((frame) => frame.includes("/src/"))).toBe(false)
    }
    expect(frames(leaks[1]?.site)[0]).toContain("loadTexture")
  })

  test("a stack whose every frame is the manager's (one bundle) is kept whole", () => {
    const own = new URL("../src/internal/core.ts", import.meta.url).pathname
    const stack = `Error: acquired here\n    at bind (${own}:1:1)\n    at acquire (${own}:2:2)`
    expect(callerStack(stack)).toBe(stack)
    const mixed = `Error: acquired here\n    at bind (${own}:1:1)\n    at main (/app/main.ts:3:1)`
    expect(callerStack(mixed)).toBe("Error: acquired here\n    at main (/app/main.ts:3:1)")
    expect(
      callerStack(`Error: acquired here\n    at bind (file://${own}:1:1)\n    at main (file:///app/main.ts:3:1)`)
    ).toBe("Error: acquired here\n    at main (file:///app/main.ts:3:1)")
  })
})
