/**
 * Owners that come and go (an id per request) do not grow a manager without bound: a driver that holds nothing,
 * waits for nothing and was not declared is forgotten, and its index goes to a later id (docs/semantics.md,
 * section 1). What is checked here is what forgetting must not break: the drivers that still hold or wait keep
 * everything, declared ones stay listed, and a ref, a share or a request in flight never reaches the driver that
 * took a forgotten driver's index.
 */
import { describe, expect, test } from "bun:test"
import { ResourceFlag, type ResourceMetadata } from "@flight-hal/core"
import { Effect, Exit } from "effect"
import { createResourceManager, type PlainResourceManager, ResourceManager } from "../src/index.ts"
import { MIN_FORGET_AFTER } from "../src/internal/state.ts"
import { openManager } from "./support/effect.ts"

const hardware = { type: "Hardware", sizeBytes: 1 } as const
const mem = (sizeBytes: number, flags = 0): ResourceMetadata => ({ type: "Memory", sizeBytes, flags })
const budgets = { Memory: { maxBytes: 1000, reservedBytes: 0, warningPercent: 70, criticalPercent: 90 } }

/** `count` one-off owners, each acquiring and releasing a Hardware resource (enough of them forget idle drivers). */
const churn = (manager: PlainResourceManager, count: number, prefix: string): void => {
  for (let i = 0; i < count; i++) {
    const ref = manager.acquire("", hardware, { owner: `${prefix}-${i}` })
    ref.release()
    if (ref.driver !== `${prefix}-${i}`) throw new Error(`a ref reports ${ref.driver} for ${prefix}-${i}`)
  }
}

const driverIds = (manager: PlainResourceManager): Array<string> => manager.snapshot().drivers.map((d) => d.driver)

describe("a manager whose owners come and go keeps a bounded set of drivers", () => {
  test("facade: 5 × the pass interval of one-off owners; declared, registered and busy drivers stay", () => {
    const manager = createResourceManager({
      onLeaks: () => {},
      budgets,
      drivers: { gpu: { sequential: true }, net: { sequential: false } }
    })
    manager.registerDriver("audio", { sequential: false })
    const held = manager.acquire("held", mem(10), { owner: "long" })
    churn(manager, 5 * MIN_FORGET_AFTER, "req")
    const ids = driverIds(manager)
    expect(ids.length).toBeLessThanOrEqual(MIN_FORGET_AFTER + 5)
    for (const kept of ["app", "gpu", "net", "audio", "long"]) expect(ids).toContain(kept)
    expect(held.driver).toBe("long")
    expect(held.released).toBe(false)
    expect(manager.find("held").owner).toBe("long")
    expect(manager.driverStats("long").owned).toBe(1)
    expect(manager.driverStats("req-0")).toEqual({ driver: "req-0", owned: 0, shared: 0, bytesByType: {}, waiting: 0 })
    held.release()
    expect(manager.snapshot().liveResources).toBe(0)
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
    manager.close()
  })

  test("Effect: one-off owners of scoped acquisitions", async () => {
    const { run, close } = await openManager({ budgets })
    const exit = await run(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        for (let i = 0; i < 3 * MIN_FORGET_AFTER; i++) {
          const driver = yield* Effect.scoped(
            Effect.map(manager.acquire("", hardware, { owner: `fx-${i}` }), (ref) => ref.driver)
          )
          if (driver !== `fx-${i}`) return `a ref reports ${driver} for fx-${i}`
        }
        const snapshot = yield* manager.snapshot
        return snapshot.drivers.length
      })
    )
    await close()
    expect(Exit.isSuccess(exit) && typeof exit.value === "number" && exit.value <= MIN_FORGET_AFTER + 1).toBe(true)
  })
})

describe("a driver that holds or waits is never forgotten", () => {
  test("the owner of a deferred resource, a sharer and a waiter keep their holds, names and counts", async () => {
    const manager = createResourceManager({ onLeaks: () => {}, budgets })
    // "owner" releases a Shareable resource that "sharer" still holds: deferred, owned by "owner" still
    const frame = manager.acquire("frame", mem(100, ResourceFlag.Shareable), { owner: "owner" })
    const share = manager.share(frame.handle, "sharer")
    frame.release()
    // "waiter" waits for bytes "big" holds
    const big = manager.acquire("big", mem(850), { owner: "holder" })
    const waiting = manager.acquireAsync("late", mem(200), { owner: "waiter", mode: "Blocking" })
    churn(manager, 3 * MIN_FORGET_AFTER, "req")
    expect(driverIds(manager)).toEqual(expect.arrayContaining(["owner", "sharer", "holder", "waiter"]))
    expect(manager.holders(frame.handle)).toEqual(["sharer"])
    expect(manager.find("frame").owner).toBe("owner")
    expect(manager.driverStats("sharer").shared).toBe(1)
    expect(manager.driverStats("waiter").waiting).toBe(1)
    expect(share.released).toBe(false)
    big.release()
    const late = await waiting
    expect(late.driver).toBe("waiter")
    expect(manager.find("late").owner).toBe("waiter")
    expect(manager.driverStats("waiter").owned).toBe(1)
    share.release()
    late.release()
    expect(manager.snapshot().liveResources).toBe(0)
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
    manager.close()
  })
})

describe("the owner of a deferred resource is not forgotten", () => {
  test("its resource released but kept for a dependent: the close's leak report still names it", () => {
    const leaks: Array<string> = []
    const manager = createResourceManager({ onLeaks: (reported) => leaks.push(...reported.map((l) => l.owner)) })
    const base = manager.acquire("base", hardware, { owner: "dep-owner" })
    manager.acquire("top", { ...hardware, dependsOn: [base.handle] }, { owner: "keeper" })
    base.release() // deferred: "top" depends on it
    churn(manager, 3 * MIN_FORGET_AFTER, "req")
    expect(driverIds(manager)).toContain("dep-owner")
    manager.close()
    expect(leaks.sort()).toEqual(["dep-owner", "keeper"])
  })
})

describe("nothing reaches the driver that takes a forgotten driver's index", () => {
  test("a share whose hold ended, of a forgotten driver: its release ends none of the shares made since", () => {
    const manager = createResourceManager({ onLeaks: () => {} })
    const frame = manager.acquire("frame", { type: "Hardware", sizeBytes: 1, flags: ResourceFlag.Shareable })
    const stale = manager.share(frame.handle, "gone")
    manager.releaseResource(frame.handle, "gone") // the hold ends without the share knowing
    churn(manager, 2 * MIN_FORGET_AFTER, "req") // "gone" is forgotten
    expect(driverIds(manager)).not.toContain("gone")
    // every free index goes to a new sharer of the same resource: one of them is the index "gone" had
    const sharers: Array<string> = []
    for (let i = 0; i < MIN_FORGET_AFTER + 8; i++) {
      manager.share(frame.handle, `s-${i}`)
      sharers.push(`s-${i}`)
    }
    expect(stale.released).toBe(true)
    stale.release()
    expect(stale.driver).toBe("gone")
    expect(manager.holders(frame.handle)).toEqual(["app", ...sharers])
    manager.close()
  })

  test("a ref whose hold ended, of a forgotten driver: its release ends nothing, its driver stays its own", () => {
    const manager = createResourceManager({ onLeaks: () => {} })
    const stale = manager.acquire(
      "",
      { type: "Hardware", sizeBytes: 1, flags: ResourceFlag.Reclaimable },
      { owner: "gone" }
    )
    manager.reclaim(stale.handle)
    churn(manager, 2 * MIN_FORGET_AFTER, "req")
    const fresh = Array.from({ length: MIN_FORGET_AFTER + 8 }, (_, i) =>
      manager.acquire("", hardware, { owner: `n-${i}` })
    )
    expect(stale.released).toBe(true)
    expect(stale.driver).toBe("gone")
    stale.release()
    expect(fresh.every((ref) => !ref.released)).toBe(true)
    expect(manager.snapshot().liveResources).toBe(fresh.length)
    manager.close()
  })
})

describe("a request in flight keeps its driver", () => {
  test("facade: an admission after a reclamation callback that made new owners come and go", () => {
    const manager = createResourceManager({ onLeaks: () => {}, budgets })
    const filler = manager.acquire("filler", mem(900), { owner: "filler" })
    manager.registerReclamationCallback("Memory", () => {
      churn(manager, 2 * MIN_FORGET_AFTER, "cb") // forgets "late", which holds nothing yet
      filler.release()
      return 900
    })
    const late = manager.acquire("late", mem(500), { owner: "late" })
    expect(late.driver).toBe("late")
    expect(late.released).toBe(false)
    expect(manager.find("late").owner).toBe("late")
    expect(manager.driverStats("late").owned).toBe(1)
    late.release()
    expect(manager.snapshot().liveResources).toBe(0)
    manager.close()
  })

  test("facade: an admission after a signal's getter made new owners come and go", async () => {
    const manager = createResourceManager({ onLeaks: () => {}, budgets })
    const signal = {
      get aborted() {
        churn(manager, 2 * MIN_FORGET_AFTER, "sig") // between the request's making and its submission
        return false
      },
      addEventListener: () => {},
      removeEventListener: () => {}
    } as unknown as AbortSignal
    const late = await manager.acquireAsync("late", mem(500), { owner: "late", signal })
    expect(late.driver).toBe("late")
    expect(late.released).toBe(false)
    expect(manager.find("late").owner).toBe("late")
    late.release()
    expect(manager.snapshot().liveResources).toBe(0)
    manager.close()
  })

  test("Effect: an admission after a reclamation callback that waited while other fibers' owners came and went", async () => {
    const { run, close } = await openManager({ budgets })
    const exit = await run(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        const filler = yield* manager.acquire("filler", mem(900), { owner: "filler" })
        yield* manager.registerReclamationCallback("Memory", () =>
          Effect.gen(function* () {
            for (let i = 0; i < 2 * MIN_FORGET_AFTER; i++) {
              yield* Effect.scoped(manager.acquire("", hardware, { owner: `cb-${i}` }))
            }
            filler.release()
            return 900
          })
        )
        const late = yield* manager.acquire("late", mem(500), { owner: "late" })
        const info = yield* manager.find("late")
        const stats = yield* manager.driverStats("late")
        return { driver: late.driver, released: late.released, owner: info.owner, owned: stats.owned }
      })
    )
    await close()
    expect(exit).toEqual(Exit.succeed({ driver: "late", released: false, owner: "late", owned: 1 }))
  })
})
