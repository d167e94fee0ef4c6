/**
 * Caller code can run between an admission and the making of its ref: an Emergency admission's payback run (the
 * reclamation callbacks), and `destroy` hooks that run after a grant and before the waiter wakes. Such code can
 * free the admitted resource, and another resource can take its slot. The ref must then read as released (it
 * never reaches the slot's new resource), and a wait that its own side ended meanwhile must not keep its grant.
 */
import { describe, expect, test } from "bun:test"
import type { ResourceHandle } from "@flight-hal/core"
import { Effect, Exit, Scope } from "effect"
import { createResourceManager, ResourceManager, type ResourceRef } from "../src/index.ts"

const budget = (maxBytes: number) => ({ maxBytes, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 })
const Reclaimable = 32

describe("a resource freed between its admission and its ref", () => {
  test("facade: the payback run reclaims the Emergency resource and another takes its slot", () => {
    const manager = createResourceManager({ budgets: { Hardware: budget(100) }, onLeaks: () => {} })
    manager.acquire("a", { type: "Hardware", sizeBytes: 80 })
    let x: ResourceRef<unknown> | undefined
    let taken: ResourceHandle | undefined
    manager.registerReclamationCallback("Hardware", () => {
      const e = manager.find("e").handle
      taken = e
      manager.reclaim(e)
      x = manager.acquire("x", { type: "Hardware", sizeBytes: 5 })
      return 0
    })
    const e = manager.acquire("e", { type: "Hardware", sizeBytes: 40, flags: Reclaimable }, { mode: "Emergency" })
    if (x === undefined || taken === undefined) throw new Error("the payback run did not run")
    expect(x.handle.slot).toBe(taken.slot) // the slot was reused
    expect(e.handle).toEqual(taken) // the admission's handle, not the slot's new resource's
    expect(e.released).toBe(true)
    e.release()
    expect(x.released).toBe(false)
    expect(manager.getResourceStats("Hardware").currentUsage).toBe(85)
    manager.close()
  })

  test("Effect: the same, and closing the Emergency ref's scope leaves the other resource alone", async () => {
    const program = Effect.gen(function* () {
      const manager = yield* ResourceManager
      yield* manager.acquire("a", { type: "Hardware", sizeBytes: 80 })
      const other = yield* Scope.make()
      let x: ResourceRef<unknown> | undefined
      yield* manager.registerReclamationCallback("Hardware", () =>
        Effect.gen(function* () {
          const e = yield* manager.find("e")
          yield* manager.reclaim(e.handle)
          x = yield* manager.acquire("x", { type: "Hardware", sizeBytes: 5 }).pipe(Scope.provide(other))
          return 0
        }).pipe(Effect.orDie)
      )
      const scope = yield* Scope.make()
      const e = yield* manager
        .acquire("e", { type: "Hardware", sizeBytes: 40, flags: Reclaimable }, { mode: "Emergency" })
        .pipe(Scope.provide(scope))
      const releasedAtOnce = e.released
      yield* Scope.close(scope, Exit.void)
      const usage = (yield* manager.getResourceStats("Hardware")).currentUsage
      return { releasedAtOnce, xReleased: x?.released, usage }
    })
    const result = await Effect.runPromise(
      program.pipe(Effect.scoped, Effect.provide(ResourceManager.layer({ budgets: { Hardware: budget(100) } })))
    )
    expect(result).toEqual({ releasedAtOnce: true, xReleased: false, usage: 85 })
  })

  test("facade: a destroy hook reclaims a granted waiter's resource before it wakes, and another takes its slot", async () => {
    const manager = createResourceManager({ budgets: { Hardware: budget(100) }, onLeaks: () => {} })
    let x: ResourceRef<unknown> | undefined
    const a = manager.acquire(
      "a",
      { type: "Hardware", sizeBytes: 80 },
      {
        create: () => "a",
        destroy: () => {
          manager.reclaim(manager.find("w").handle)
          x = manager.acquire("x", { type: "Hardware", sizeBytes: 5 })
        }
      }
    )
    expect(a.payload).toBe("a") // made, so that its destroy hook runs
    const waiting = manager.acquireAsync("w", { type: "Hardware", sizeBytes: 40, flags: Reclaimable })
    a.release()
    const w = await waiting
    expect(w.released).toBe(true)
    expect(w.handle.slot).toBe(x?.handle.slot ?? -1)
    expect(w.handle.generation).not.toBe(x?.handle.generation)
    w.release()
    expect(x?.released).toBe(false)
    expect(manager.getResourceStats("Hardware").currentUsage).toBe(5)
    manager.close()
  })
})

describe("a wait its own side ends between the grant and the wake", () => {
  test("a signal aborted by a destroy hook: the acquisition fails with the reason, and nothing stays held", async () => {
    const leaks: Array<string> = []
    const manager = createResourceManager({
      budgets: { Hardware: budget(100) },
      onLeaks: (reported) => leaks.push(...reported.map((leak) => leak.name))
    })
    const controller = new AbortController()
    const a = manager.acquire(
      "a",
      { type: "Hardware", sizeBytes: 80 },
      { create: () => "a", destroy: () => controller.abort(new Error("stop")) }
    )
    expect(a.payload).toBe("a")
    const waiting = manager.acquireAsync("w", { type: "Hardware", sizeBytes: 40 }, { signal: controller.signal })
    a.release()
    await expect(waiting).rejects.toThrow("stop")
    expect(manager.getResourceStats("Hardware").currentUsage).toBe(0)
    expect(() => manager.find("w")).toThrow()
    manager.close()
    expect(leaks).toEqual([])
  })
})
