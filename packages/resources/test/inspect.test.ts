/**
 * What `console.log` prints of refs, shared handles and managers (both front ends): one line each, on Bun's
 * own printer and on Node's `util.inspect` (Bun implements both; Node and Deno themselves are checked by the
 * conformance scenario, test/conformance/scenarios/resources.mjs).
 */
import { describe, expect, test } from "bun:test"
import { inspect } from "node:util"
import * as Effect from "effect/Effect"
import { createResourceManager, ResourceManager } from "../src/index.ts"

const budgets = { Memory: { maxBytes: 1 << 20, reservedBytes: 0, warningPercent: 70, criticalPercent: 90 } }
const printers = { "Bun.inspect": (value: unknown) => Bun.inspect(value), "util.inspect": inspect }

describe("printed forms", () => {
  for (const [printer, print] of Object.entries(printers)) {
    test(`${printer}: a ref, a shared handle and the plain manager are one line each`, () => {
      const manager = createResourceManager({ onLeaks: () => {}, budgets, label: "game" })
      const ref = manager.acquire("texture", { type: "Memory", sizeBytes: 4096, flags: 8 })
      const unnamed = manager.acquire("", { type: "Hardware", sizeBytes: 16 }, { owner: "dma" })
      const shared = manager.share(ref.handle, "audio")
      expect(print(ref)).toBe("ResourceRef<texture Memory 4096 B, owner app, live>")
      expect(print(unnamed)).toBe("ResourceRef<(unnamed) Hardware 16 B, owner dma, live>")
      expect(print(shared)).toBe("SharedHandle<texture Memory 4096 B, holder audio, live>")
      expect(print(manager)).toBe("ResourceManager<game: 2 live, Hardware 16 B, Memory 4096 of 1048576 B (None), open>")
      shared.release()
      expect(print(shared)).toBe("SharedHandle<texture Memory 4096 B, holder audio, released>")
      manager.close()
      expect(print(ref)).toBe("ResourceRef<texture Memory 4096 B, owner app, released>")
      expect(print(manager)).toBe("ResourceManager<game: closed>")
      expect(Object.keys(manager).some((key) => key.includes("inspect"))).toBe(false)
    })
  }

  test("the Effect service and its refs print the same way", async () => {
    const printed = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const manager = yield* ResourceManager
          const ref = yield* manager.acquire("texture", { type: "Memory", sizeBytes: 4096 })
          return [inspect(manager), Bun.inspect(ref)]
        })
      ).pipe(Effect.provide(ResourceManager.layer({ onLeaks: () => {}, budgets })))
    )
    expect(printed).toEqual([
      "ResourceManager<1 live, Memory 4096 of 1048576 B (None), open>",
      "ResourceRef<texture Memory 4096 B, owner app, live>"
    ])
  })
})
