import { describe, expect, test } from "bun:test"
import { DeadlockDetected, ResourceFlags, type ResourceMetadata } from "@flight-hal/core"
import { createResourceManager } from "../src/index.ts"

const budget = { maxBytes: 1000, reservedBytes: 0, warningPercent: 50, criticalPercent: 80 }
const shareable = ResourceFlags.combine("Shareable")
const hw = (extra: Partial<ResourceMetadata> = {}): ResourceMetadata => ({ type: "Hardware", sizeBytes: 1, ...extra })
const mem = (sizeBytes: number, extra: Partial<ResourceMetadata> = {}): ResourceMetadata => ({
  type: "Memory",
  sizeBytes,
  ...extra
})
/** Declares owners sequential drivers (exact deadlock detection); every other owner is concurrent. */
const sequential = (...owners: ReadonlyArray<string>) => ({
  drivers: Object.fromEntries(owners.map((owner) => [owner, { sequential: true }]))
})
const quiet = { onLeaks: () => {}, ...sequential("A", "B", "C", "a", "b", "c", "d") }

const stateOf = (manager: ReturnType<typeof createResourceManager>) =>
  JSON.stringify([manager.snapshot(), manager.waitGraph()])

describe("deadlock-free waiting", () => {
  test("two-driver cycle over names is refused, naming both drivers", async () => {
    const manager = createResourceManager(quiet)
    manager.acquire("X", hw(), { owner: "A" })
    manager.acquire("Y", hw(), { owner: "B" })
    const waitA = manager.acquireAsync("Y", hw(), { owner: "A" })
    const before = stateOf(manager)
    const error = await manager.acquireAsync("X", hw(), { owner: "B" }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DeadlockDetected)
    expect((error as DeadlockDetected).drivers).toEqual(["A", "B"])
    expect((error as DeadlockDetected).resources).toEqual(["name:X", "name:Y"])
    expect(stateOf(manager)).toBe(before.replace(/"failedCount":0/, '"failedCount":1'))
    manager.close()
    await waitA.catch(() => {})
  })

  test("three-driver cycle is refused", async () => {
    const manager = createResourceManager(quiet)
    manager.acquire("X", hw(), { owner: "A" })
    manager.acquire("Y", hw(), { owner: "B" })
    manager.acquire("Z", hw(), { owner: "C" })
    const w1 = manager.acquireAsync("Y", hw(), { owner: "A" })
    const w2 = manager.acquireAsync("Z", hw(), { owner: "B" })
    const error = await manager.acquireAsync("X", hw(), { owner: "C" }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DeadlockDetected)
    expect((error as DeadlockDetected).drivers).toEqual(["A", "B", "C"])
    manager.close()
    await Promise.allSettled([w1, w2])
  })

  test("multi-unit: a wait a plain cycle check would refuse is allowed (bytes come back from a third driver)", async () => {
    const manager = createResourceManager({ ...quiet, budgets: { Memory: budget } })
    manager.acquire("a", mem(400), { owner: "A" })
    const b = manager.acquire("b", mem(200), { owner: "B" })
    const c = manager.acquire("c", mem(300), { owner: "C" })
    // A waits for Memory that B holds, then B waits for Memory that A holds: a cycle in the plain graph,
    // but C is not waiting, so its 300 bytes come back: A can finish, then B.
    const wA = manager.acquireAsync("a2", mem(300), { owner: "A" })
    const wB = manager.acquireAsync("b2", mem(150), { owner: "B" })
    expect(manager.getResourceStats("Memory").waiting).toBe(2)
    c.release()
    const refA = await wA
    expect(refA.metadata.sizeBytes).toBe(300)
    expect(manager.getResourceStats("Memory")).toMatchObject({ currentUsage: 900, waiting: 1 })
    void b
    manager.close()
    await wB.catch(() => {})
  })

  test("multi-unit: the same waits without the third driver's bytes are refused", async () => {
    const manager = createResourceManager({ ...quiet, budgets: { Memory: budget } })
    manager.acquire("a", mem(600), { owner: "A" })
    manager.acquire("b", mem(300), { owner: "B" })
    const wA = manager.acquireAsync("a2", mem(200), { owner: "A" })
    const error = await manager.acquireAsync("b2", mem(100), { owner: "B" }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DeadlockDetected)
    expect((error as DeadlockDetected).resources).toEqual(["bytes:Memory"])
    manager.close()
    await wA.catch(() => {})
  })

  test("an interrupted waiter in a would-be cycle leaves no trace", async () => {
    const manager = createResourceManager(quiet)
    manager.acquire("X", hw(), { owner: "A" })
    manager.acquire("Y", hw(), { owner: "B" })
    const before = stateOf(manager)
    const abort = new AbortController()
    const waitA = manager.acquireAsync("Y", hw(), { owner: "A", signal: abort.signal })
    abort.abort(new Error("interrupted"))
    await expect(waitA).rejects.toThrow("interrupted")
    expect(stateOf(manager)).toBe(before)
    // B may now wait for X: A is not waiting any more
    const waitB = manager.acquireAsync("X", hw(), { owner: "B" })
    expect(manager.driverStats("B").waiting).toBe(1)
    manager.close()
    await waitB.catch(() => {})
  })
})

describe("sharing", () => {
  test("bytes counted once; survives the owner's release; no resurrection", () => {
    const manager = createResourceManager({ ...quiet, budgets: { Memory: budget } })
    const ref = manager.acquire("frame", mem(100, { flags: shareable }), { owner: "A" })
    const shared = manager.share(ref.handle, "B")
    expect(manager.holders(ref.handle)).toEqual(["A", "B"])
    expect(manager.getResourceStats("Memory").currentUsage).toBe(100)
    ref.release()
    expect(manager.holders(ref.handle)).toEqual(["B"])
    expect(manager.getResourceStats("Memory").currentUsage).toBe(100)
    shared.release()
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
    expect(() => manager.share(ref.handle, "C")).toThrow(expect.objectContaining({ _tag: "StaleHandle" }))
    manager.close()
  })

  test("share errors leave state unchanged", () => {
    const manager = createResourceManager({ ...quiet, budgets: { Memory: budget } })
    const plain = manager.acquire("plain", mem(10), { owner: "A" })
    const frame = manager.acquire("frame", mem(10, { flags: shareable }), { owner: "A" })
    const before = stateOf(manager)
    expect(() => manager.share(plain.handle, "B")).toThrow(expect.objectContaining({ _tag: "NotShareable" }))
    expect(() => manager.share(frame.handle, "A")).toThrow(expect.objectContaining({ _tag: "AlreadyShared" }))
    expect(() => manager.share({ ...plain.handle, slot: 999 }, "B")).toThrow(
      expect.objectContaining({ _tag: "ResourceNotFound" })
    )
    expect(stateOf(manager)).toBe(before)
    manager.close()
  })
})

describe("dependencies", () => {
  test("a resource with live dependents is freed after them; a deferred resource cannot be shared", () => {
    const manager = createResourceManager({ ...quiet, budgets: { Memory: budget } })
    const destroyed: Array<string> = []
    const destroy = (label: string) => ({ create: () => label, destroy: (p: string) => destroyed.push(p) })
    const base = manager.acquire("base", mem(100, { flags: shareable }), destroy("base"))
    void base.payload
    const top = manager.acquire("top", mem(50, { dependsOn: [base.handle] }), destroy("top"))
    void top.payload
    expect(manager.dependents(base.handle)).toEqual([top.handle])
    expect(manager.dependencies(top.handle)).toEqual([base.handle])
    base.release()
    expect(manager.getResourceStats("Memory").currentUsage).toBe(150)
    expect(() => manager.share(base.handle, "B")).toThrow(expect.objectContaining({ _tag: "ResourceNotFound" }))
    top.release()
    expect(destroyed).toEqual(["top", "base"])
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
    manager.close()
  })

  test("cycles are refused with the cycle named; dependencies must be live", () => {
    const manager = createResourceManager(quiet)
    const a = manager.acquire("a", hw())
    const b = manager.acquire("b", hw({ dependsOn: [a.handle] }))
    let before = stateOf(manager)
    expect(() => manager.addDependency(a.handle, b.handle)).toThrow(
      expect.objectContaining({ _tag: "DependencyCycle", cycle: ["a", "b", "a"] })
    )
    expect(stateOf(manager)).toBe(before)
    const c = manager.acquire("c", hw())
    c.release()
    before = stateOf(manager)
    expect(() => manager.acquire("d", hw({ dependsOn: [c.handle] }))).toThrow(
      expect.objectContaining({ _tag: "DependencyNotLive" })
    )
    expect(stateOf(manager)).toBe(before)
    manager.close()
  })

  test("close releases in reverse dependency order", () => {
    const leaks: Array<string> = []
    const manager = createResourceManager({ onLeaks: (l) => leaks.push(...l.map((x) => x.name)) })
    const a = manager.acquire("a", hw())
    const b = manager.acquire("b", hw({ dependsOn: [a.handle] }))
    manager.addDependency(b.handle, manager.acquire("c", hw()).handle)
    manager.close()
    expect(leaks).toEqual(["b", "c", "a"])
  })
})
