import { describe, expect, test } from "bun:test"
import { ResourceFlags } from "@flight-hal/core"
import { Effect } from "effect"
import { createResourceManager, ResourceManager } from "../src/index.ts"
import { thrownField } from "./support/thrown.ts"

const quiet = { onLeaks: () => {} }
const budget = { maxBytes: 100, reservedBytes: 0, warningPercent: 50, criticalPercent: 80 }
const tagOf = (f: () => unknown): unknown => thrownField(f, "_tag")
const argumentOf = (f: () => unknown): unknown => thrownField(f, "argument")

describe("find and metadata (facade)", () => {
  test("find gives the live resource's handle, metadata, owner and holders", () => {
    const manager = createResourceManager(quiet)
    const metadata = {
      type: "Memory",
      sizeBytes: 64,
      alignmentBytes: 16,
      priority: "High",
      flags: ResourceFlags.combine("Shareable")
    } as const
    const ref = manager.acquire("texture", metadata, { owner: "graphics" })
    using _share = manager.share(ref.handle, "audio")
    const info = manager.find("texture")
    expect(info.handle).toEqual(ref.handle)
    expect(info.name).toBe("texture")
    expect(info.owner).toBe("graphics")
    expect(info.holders).toEqual(["graphics", "audio"])
    expect(info.metadata).toEqual(metadata)
    expect(manager.metadata(ref.handle)).toEqual(metadata)
    ref.release()
    // still live through the share
    expect(manager.find("texture").holders).toEqual(["audio"])
    manager.close()
  })

  test("a name with no live resource, an unnamed one, a freed one: ResourceNotFound", () => {
    const manager = createResourceManager(quiet)
    expect(tagOf(() => manager.find("nothing"))).toBe("ResourceNotFound")
    const unnamed = manager.acquire("", { type: "Custom", sizeBytes: 1 })
    expect(tagOf(() => manager.find(""))).toBe("ResourceNotFound")
    expect(manager.metadata(unnamed.handle)).toEqual({ type: "Custom", sizeBytes: 1 })
    const freed = manager.acquire("gone", { type: "Custom", sizeBytes: 1 })
    freed.release()
    expect(tagOf(() => manager.find("gone"))).toBe("ResourceNotFound")
    expect(tagOf(() => manager.metadata(freed.handle))).toBe("StaleHandle")
    // the slot is reused: the old handle never reaches the new resource's metadata
    const again = manager.acquire("again", { type: "Hardware", sizeBytes: 2 })
    expect(manager.find("again").metadata.type).toBe("Hardware")
    expect(tagOf(() => manager.metadata(freed.handle))).toBe("StaleHandle")
    again.release()
    unnamed.release()
    manager.close()
  })

  test("bad input is InvalidArgument naming the field, and changes nothing", () => {
    const manager = createResourceManager(quiet)
    using _ref = manager.acquire("a", { type: "Custom", sizeBytes: 1 })
    const before = JSON.stringify(manager.snapshot())
    for (const bad of [undefined, null, 1, {}, ["a"]]) {
      expect(tagOf(() => manager.find(bad as never))).toBe("InvalidArgument")
      expect(argumentOf(() => manager.find(bad as never))).toBe("name")
    }
    for (const bad of [undefined, null, "a", { slot: 0 }, { slot: 0.5, generation: 0, manager: 1 }]) {
      expect(tagOf(() => manager.metadata(bad as never))).toBe("InvalidArgument")
      expect(argumentOf(() => manager.metadata(bad as never))).toBe("handle")
    }
    const other = createResourceManager(quiet)
    using foreign = other.acquire("a", { type: "Custom", sizeBytes: 1 })
    expect(tagOf(() => manager.metadata(foreign.handle))).toBe("ResourceNotFound")
    expect(JSON.stringify(manager.snapshot())).toBe(before)
    other.close()
    manager.close()
  })

  test("a resource granted to a waiter is found with its metadata", async () => {
    const manager = createResourceManager({ ...quiet, budgets: { Hardware: budget } })
    const first = manager.acquire("first", { type: "Hardware", sizeBytes: 80 }, { owner: "a" })
    const waiting = manager.acquireAsync("second", { type: "Hardware", sizeBytes: 50, priority: "Low" }, { owner: "b" })
    first.release()
    // granted at the release, before the Promise resolves
    expect(manager.find("second").metadata).toEqual({ type: "Hardware", sizeBytes: 50, priority: "Low" })
    const second = await waiting
    expect(manager.metadata(second.handle).sizeBytes).toBe(50)
    second.release()
    manager.close()
  })

  test("a deferred resource (released, kept by a dependent) is not found but its metadata answers", () => {
    const manager = createResourceManager(quiet)
    const base = manager.acquire("base", { type: "Custom", sizeBytes: 1 })
    const top = manager.acquire("top", { type: "Custom", sizeBytes: 1, dependsOn: [base.handle] })
    base.release()
    expect(tagOf(() => manager.find("base"))).toBe("ResourceNotFound")
    expect(manager.metadata(base.handle)).toEqual({ type: "Custom", sizeBytes: 1 })
    top.release()
    expect(tagOf(() => manager.metadata(base.handle))).toBe("StaleHandle")
    manager.close()
  })
})

describe("find and metadata (Effect)", () => {
  test("find and metadata answer, and fail with typed errors", async () => {
    const out = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const manager = yield* ResourceManager
          const ref = yield* manager.acquire("buf", { type: "Memory", sizeBytes: 8 }, { owner: "net" })
          const info = yield* manager.find("buf")
          const metadata = yield* manager.metadata(ref.handle)
          const missing = yield* Effect.flip(manager.find("nope"))
          const badName = yield* Effect.flip(manager.find(7 as never))
          const badHandle = yield* Effect.flip(manager.metadata({} as never))
          return { info, same: info.handle.slot === ref.handle.slot, metadata, missing, badName, badHandle }
        })
      ).pipe(Effect.provide(ResourceManager.layer(quiet)))
    )
    expect(out.same).toBe(true)
    expect(out.info.owner).toBe("net")
    expect(out.info.holders).toEqual(["net"])
    expect(out.metadata).toEqual({ type: "Memory", sizeBytes: 8 })
    expect(out.missing._tag).toBe("ResourceNotFound")
    expect(out.badName).toMatchObject({ _tag: "InvalidArgument", argument: "name" })
    expect(out.badHandle).toMatchObject({ _tag: "InvalidArgument", argument: "handle" })
  })
})
