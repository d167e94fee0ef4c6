import { describe, expect, test } from "bun:test"
import { ResourceFlag, ResourceFlags, ResourceReleased } from "@flight-hal/core"
import { Context, Effect, Exit, Layer, Scope } from "effect"
import { createResourceManager, ResourceManager, type ResourceRef } from "../src/index.ts"

const quiet = { onLeaks: () => {} }

describe("closing the manager releases every ref", () => {
  test("facade: a leaked ref reports released and its payload throws ResourceReleased", () => {
    const manager = createResourceManager(quiet)
    const leaked = manager.acquire("leaked", { type: "Memory", sizeBytes: 16 })
    const owner = manager.acquire("frame", { type: "Memory", sizeBytes: 8, flags: ResourceFlags.combine("Shareable") })
    const share = manager.share(owner.handle, "gpu")
    expect(leaked.payload.byteLength).toBe(16)
    manager.close()
    expect(leaked.released).toBe(true)
    expect(() => leaked.payload).toThrow(ResourceReleased)
    expect(owner.released).toBe(true)
    expect(share.released).toBe(true)
    leaked.release() // still a no-op
  })

  test("Effect: after the Layer closes a ref outliving its scope is released and get fails", async () => {
    const scope = Scope.makeUnsafe()
    const layerScope = Scope.makeUnsafe()
    const context = await Effect.runPromise(Layer.buildWithScope(ResourceManager.layer(quiet), layerScope))
    const ref = await Effect.runPromise(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        return yield* manager.acquire("kept", { type: "Memory", sizeBytes: 4 })
      }).pipe(Scope.provide(scope), Effect.provideContext(context))
    )
    const typed: ResourceRef = ref
    expect(typed.released).toBe(false)
    await Effect.runPromise(Scope.close(layerScope, Exit.void))
    expect(typed.released).toBe(true)
    const exit = await Effect.runPromiseExit(typed.get)
    expect(Exit.isFailure(exit)).toBe(true)
    expect(() => typed.payload).toThrow(ResourceReleased)
    await Effect.runPromise(Scope.close(scope, Exit.void))
  })
})

describe("a closed manager's entry points (docs/semantics.md, section 13: the close, and after it)", () => {
  test("facade: acquisitions, share, addDependency, reclaim and registerDriver fail; the rest answers", async () => {
    const budget = { maxBytes: 100, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 }
    const manager = createResourceManager({ onLeaks: () => {}, budgets: { Memory: budget } })
    const ref = manager.acquire("a", { type: "Memory", sizeBytes: 1, flags: ResourceFlag.Shareable })
    manager.close()
    const hardware = { type: "Hardware", sizeBytes: 1 } as const
    const refused: Record<string, () => unknown> = {
      acquire: () => manager.acquire("b", hardware),
      registerResource: () => manager.registerResource("c", hardware),
      share: () => manager.share(ref.handle, "d"),
      addDependency: () => manager.addDependency(ref.handle, ref.handle),
      reclaim: () => manager.reclaim(ref.handle),
      registerDriver: () => manager.registerDriver("x")
    }
    for (const [name, call] of Object.entries(refused)) {
      expect([name, tagOf(call)]).toEqual([name, "ManagerClosed"])
    }
    expect(
      await manager.acquireAsync("b", hardware).then(
        () => "admitted",
        (error: { readonly _tag?: string }) => error._tag
      )
    ).toBe("ManagerClosed")
    // no-ops, budgets, registrations and introspection
    manager.releaseResource(ref.handle)
    manager.relieveSystemPressure("None", "High", { percent: 10 })
    manager.setBudget("Memory", { ...budget, maxBytes: 50 })
    expect(manager.getBudget("Memory")?.maxBytes).toBe(50)
    manager.registerReclamationCallback("Memory", () => 0)[Symbol.dispose]()
    manager.registerPressureCallback(() => {})[Symbol.dispose]()
    expect(manager.snapshot().liveResources).toBe(0)
    expect(manager.close()).toEqual([])
  })
})

describe("a closed Layer's service (docs/semantics.md, section 13)", () => {
  test("Effect: acquire, share, addDependency, reclaim and registerDriver fail; budgets and registrations answer", async () => {
    const layerScope = Scope.makeUnsafe()
    const context = await Effect.runPromise(Layer.buildWithScope(ResourceManager.layer(quiet), layerScope))
    const manager = Context.get(context, ResourceManager)
    const scope = Scope.makeUnsafe()
    const ref = await Effect.runPromise(
      Scope.provide(manager.acquire("a", { type: "Memory", sizeBytes: 1, flags: ResourceFlag.Shareable }), scope)
    )
    await Effect.runPromise(Scope.close(layerScope, Exit.void))
    const outcome = (effect: Effect.Effect<unknown, unknown, Scope.Scope>) =>
      Effect.runPromise(
        Scope.provide(effect, scope).pipe(
          Effect.match({ onFailure: (error) => (error as { readonly _tag?: string })._tag, onSuccess: () => "ok" })
        )
      )
    const hardware = { type: "Hardware", sizeBytes: 1 } as const
    const budget = { maxBytes: 100, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 }
    const outcomes = {
      acquire: await outcome(manager.acquire("b", hardware)),
      share: await outcome(manager.share(ref.handle, "d")),
      addDependency: await outcome(manager.addDependency(ref.handle, ref.handle)),
      reclaim: await outcome(manager.reclaim(ref.handle)),
      registerDriver: await outcome(manager.registerDriver("x")),
      setBudget: await outcome(manager.setBudget("Memory", budget)),
      registerReclamationCallback: await outcome(
        manager.registerReclamationCallback("Memory", () => Effect.succeed(0))
      ),
      registerPressureCallback: await outcome(manager.registerPressureCallback(() => Effect.void))
    }
    expect(outcomes).toEqual({
      acquire: "ManagerClosed",
      share: "ManagerClosed",
      addDependency: "ManagerClosed",
      reclaim: "ManagerClosed",
      registerDriver: "ManagerClosed",
      setBudget: "ok",
      registerReclamationCallback: "ok",
      registerPressureCallback: "ok"
    })
    await Effect.runPromise(Scope.close(scope, Exit.void))
  })
})

/** The `_tag` of what `call` throws, or "returned". */
const tagOf = (call: () => unknown): string => {
  try {
    call()
    return "returned"
  } catch (error) {
    return (error as { readonly _tag?: string })._tag ?? String(error)
  }
}
