import { describe, expect, test } from "bun:test"
import { ResourceFlags, ResourceReleased } from "@flight-hal/core"
import { Effect, Exit, Layer, Scope } from "effect"
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
