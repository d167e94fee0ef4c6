/**
 * What `console.log` prints of refs, shared handles and managers (both front ends): one line each, on Bun's
 * own printer, on Node's `util.inspect` (Bun implements both; Node and Deno themselves are checked by the
 * conformance scenario, test/conformance/scenarios/resources.mjs) and as `String(x)`; and what `JSON.stringify`
 * writes of them (a JSON logger's form): a few fields, not the engine.
 */
import { describe, expect, test } from "bun:test"
import { inspect } from "node:util"
import * as Effect from "effect/Effect"
import { createResourceManager, createSharedResourceManager, ResourceManager } from "../src/index.ts"

const budgets = { Memory: { maxBytes: 1 << 20, reservedBytes: 0, warningPercent: 70, criticalPercent: 90 } }
const printers = {
  "Bun.inspect": (value: unknown) => Bun.inspect(value),
  "util.inspect": inspect,
  String: (value: unknown) => String(value)
}

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

  test("JSON.stringify: a ref and a shared handle are their name, type, size, driver, state and handle; a manager its line", () => {
    const manager = createResourceManager({ onLeaks: () => {}, budgets, label: "game" })
    const ref = manager.acquire("texture", { type: "Memory", sizeBytes: 4096, flags: 8 })
    ref.payload.fill(7) // a payload made: its bytes are not written
    const shared = manager.share(ref.handle, "audio")
    const handle = { slot: ref.handle.slot, generation: ref.handle.generation, manager: ref.handle.manager }
    const fields = { name: "texture", type: "Memory", sizeBytes: 4096 }
    expect(JSON.parse(JSON.stringify(ref))).toEqual({ ...fields, driver: "app", released: false, handle })
    expect(JSON.parse(JSON.stringify(shared))).toEqual({ ...fields, driver: "audio", released: false, handle })
    expect(JSON.parse(JSON.stringify({ manager }))).toEqual({
      manager: "ResourceManager<game: 1 live, Memory 4096 of 1048576 B (None), open>"
    })
    ref.release()
    shared.release()
    expect(JSON.parse(JSON.stringify(ref)).released).toBe(true)
    manager.close()
    // nothing enumerable was added: a spread or Object.keys sees what it saw before
    expect(Object.keys(manager)).not.toContain("toJSON")
    expect(Object.keys(ref)).not.toContain("toJSON")
  })

  test("a shared manager and its refs: one line each, and a ref's JSON is its fields", () => {
    const manager = createSharedResourceManager({ maxResources: 4, label: "frames" })
    const ref = manager.acquire("frame", { type: "Memory", sizeBytes: 64 })
    expect(String(ref)).toMatch(/^SharedResource<frame Memory 64 B, .*, live>$/)
    expect(String(manager)).toMatch(/^SharedResourceManager<frames, thread 0 \(creator\), 1 attached>$/)
    const json = JSON.parse(JSON.stringify(ref))
    expect(json).toMatchObject({ name: "frame", type: "Memory", sizeBytes: 64, released: false })
    expect(JSON.stringify({ manager })).toBe(JSON.stringify({ manager: String(manager) }))
    ref.release()
    manager.close()
  })

  test("the Effect service and its refs print the same way", async () => {
    const printed = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const manager = yield* ResourceManager
          const ref = yield* manager.acquire("texture", { type: "Memory", sizeBytes: 4096 })
          return [inspect(manager), Bun.inspect(ref), String(manager), JSON.parse(JSON.stringify(ref)).driver]
        })
      ).pipe(Effect.provide(ResourceManager.layer({ onLeaks: () => {}, budgets })))
    )
    expect(printed).toEqual([
      "ResourceManager<1 live, Memory 4096 of 1048576 B (None), open>",
      "ResourceRef<texture Memory 4096 B, owner app, live>",
      "ResourceManager<1 live, Memory 4096 of 1048576 B (None), open>",
      "app"
    ])
  })
})
