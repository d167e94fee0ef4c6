/**
 * The acquisition site (`captureAcquisitionSite`) is the stack of the call that asked for the resource, taken in
 * that call: a wait granted later by someone else's release still names the acquirer, a resource registered
 * without a ref has one too, and the Effect service's is the stack where the acquisition's Effect was made
 * (`manager.acquire(...)`, `manager.use(...)`), not the fiber's that ran it.
 *
 * The acquiring functions push what they get instead of returning it: JavaScriptCore drops the frame of a function
 * that returns a call (a tail call, in strict code), and Bun's transpiler turns `const x = f(); return x` into one.
 */
import { describe, expect, test } from "bun:test"
import { Effect, Fiber, Scope } from "effect"
import { createResourceManager, type LeakReport, type ResourceManagerService } from "../src/index.ts"
import { openManager } from "./support/effect.ts"
import { hw, mem } from "./support/harness.ts"

const frames = (site: string | undefined): Array<string> =>
  (site ?? "").split("\n").filter((line) => /^\s+at\s/.test(line))

const budget = { maxBytes: 10, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 }

const leakNamed = (leaks: ReadonlyArray<LeakReport>, name: string): LeakReport => {
  const leak = leaks.find((l) => l.name === name)
  if (leak === undefined) throw new Error(`no leak named ${name}`)
  return leak
}

describe("the facade's acquisition site is taken when the acquisition is requested", () => {
  test("a wait granted by another resource's release names the acquirer, not the releaser", async () => {
    const leaks: Array<LeakReport> = []
    const manager = createResourceManager({
      captureAcquisitionSite: true,
      onLeaks: (found) => leaks.push(...found),
      budgets: { Hardware: budget }
    })
    const blocker = manager.acquire("blocker", hw(10))
    const pending: Array<Promise<unknown>> = []
    function openDevice() {
      pending.push(manager.acquireAsync("device", hw(5), { mode: "Blocking" }))
    }
    function releaseBlocker() {
      blocker.release()
    }
    openDevice()
    releaseBlocker()
    await pending[0]
    manager.close()
    const site = leakNamed(leaks, "device").site
    expect(site?.split("\n")[0]).toBe("Error: acquired here")
    expect(frames(site)[0]).toContain("openDevice")
    expect(frames(site).some((frame) => frame.includes("releaseBlocker"))).toBe(false)
    expect(frames(site).some((frame) => frame.includes("/src/"))).toBe(false)
  })

  test("a resource registered with registerResource has the registering call's site", () => {
    const leaks: Array<LeakReport> = []
    const manager = createResourceManager({ captureAcquisitionSite: true, onLeaks: (found) => leaks.push(...found) })
    const handles: Array<unknown> = []
    function registerDma() {
      handles.push(manager.registerResource("dma", hw(1)))
    }
    registerDma()
    manager.close()
    const site = leakNamed(leaks, "dma").site
    expect(site?.split("\n")[0]).toBe("Error: acquired here")
    expect(frames(site)[0]).toContain("registerDma")
    expect(frames(site).some((frame) => frame.includes("/src/"))).toBe(false)
  })

  test("without captureAcquisitionSite no leak has a site", async () => {
    const leaks: Array<LeakReport> = []
    const manager = createResourceManager({ onLeaks: (found) => leaks.push(...found) })
    manager.acquire("a", mem(1))
    manager.registerResource("b", hw(1))
    await manager.acquireAsync("c", hw(1), { mode: "Blocking" })
    manager.close()
    expect(leaks.map((leak) => leak.name)).toEqual(["c", "b", "a"])
    expect(leaks.filter((leak) => "site" in leak)).toEqual([])
  })
})

describe("the Effect service's acquisition site is where the acquisition's Effect was made", () => {
  test("acquire: the first frame is the function that called manager.acquire", async () => {
    const open = await openManager({ captureAcquisitionSite: true })
    const made: Array<Effect.Effect<unknown, unknown, Scope.Scope>> = []
    function acquireTexture(manager: ResourceManagerService) {
      made.push(manager.acquire("texture", mem(64)))
    }
    acquireTexture(open.manager)
    const forever = Scope.makeUnsafe() // never closed: the resource leaks
    await Effect.runPromise(Scope.provide(made[0] as Effect.Effect<unknown, unknown, Scope.Scope>, forever))
    await open.close()
    const site = leakNamed(open.leaks, "texture").site
    expect(site?.split("\n")[0]).toBe("Error: acquired here")
    expect(frames(site)[0]).toContain("acquireTexture")
    expect(frames(site)[0]).toContain("acquisition-site-request.test.ts")
  })

  test("a waited acquire names where it was made, not the release that granted it", async () => {
    const open = await openManager({ captureAcquisitionSite: true, budgets: { Hardware: budget } })
    const forever = Scope.makeUnsafe()
    const blocker = await Effect.runPromise(Scope.provide(open.manager.acquire("blocker", hw(10)), forever))
    const made: Array<Effect.Effect<unknown, unknown, Scope.Scope>> = []
    function openDevice(manager: ResourceManagerService) {
      made.push(manager.acquire("device", hw(5), { mode: "Blocking" }))
    }
    openDevice(open.manager)
    const waiting = Effect.runPromise(Scope.provide(made[0] as Effect.Effect<unknown, unknown, Scope.Scope>, forever))
    function releaseBlocker() {
      blocker.release()
    }
    while ((await Effect.runPromise(open.manager.getResourceStats("Hardware"))).waiting === 0) await Promise.resolve()
    releaseBlocker()
    await waiting
    await open.close()
    const site = leakNamed(open.leaks, "device").site
    expect(frames(site)[0]).toContain("openDevice")
    expect(frames(site).some((frame) => frame.includes("releaseBlocker"))).toBe(false)
  })

  test("use: the first frame is the function that called manager.use", async () => {
    const open = await openManager({ captureAcquisitionSite: true })
    let started: () => void = () => {}
    const running = new Promise<void>((resolve) => {
      started = resolve
    })
    const made: Array<Effect.Effect<unknown, unknown>> = []
    function useTexture(manager: ResourceManagerService) {
      made.push(manager.use("texture", mem(64), () => Effect.andThen(Effect.sync(started), Effect.never)))
    }
    useTexture(open.manager)
    const fiber = Effect.runFork(made[0] as Effect.Effect<unknown, unknown>)
    await running
    await open.close() // the manager closes while the body holds the resource: a leak
    await Effect.runPromise(Fiber.interrupt(fiber))
    const site = leakNamed(open.leaks, "texture").site
    expect(frames(site)[0]).toContain("useTexture")
  })
})
