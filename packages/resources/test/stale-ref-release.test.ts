/**
 * A ref whose hold ended without it (`releaseResource`, `reclaim`) and whose slot a new acquisition of the same
 * driver took again: its `release()` ends nothing (docs/semantics.md, section 2), on the one-step release path
 * (`Core.releaseOwned`) as on the general one.
 */
import { describe, expect, test } from "bun:test"
import { ResourceFlag } from "@flight-hal/core"
import { Effect } from "effect"
import { createResourceManager } from "../src/index.ts"
import { openManager } from "./support/effect.ts"

/** Reclaimable (`ResourceFlag.Reclaimable`), so that `reclaim` may end its owner's hold. */
const hardware = { type: "Hardware", sizeBytes: 1, flags: ResourceFlag.Reclaimable } as const

describe("a stale ref's release after its slot was taken again by the same driver", () => {
  for (const end of ["releaseResource", "reclaim"] as const) {
    test(`facade, the hold ended by ${end}: the new resource stays held`, () => {
      const manager = createResourceManager({ onLeaks: () => {} })
      const old = manager.acquire("", hardware)
      if (end === "releaseResource") manager.releaseResource(old.handle)
      else manager.reclaim(old.handle)
      const fresh = manager.acquire("", hardware)
      expect(fresh.handle.slot).toBe(old.handle.slot) // the same slot, a new generation
      old.release()
      expect(fresh.released).toBe(false)
      expect(manager.snapshot().liveResources).toBe(1)
      fresh.release()
      expect(manager.snapshot().liveResources).toBe(0)
      manager.close()
    })
  }

  test("Effect, the hold ended by reclaim: the new resource stays held", async () => {
    const { manager, run, close } = await openManager({})
    const exit = await run(
      Effect.gen(function* () {
        const old = yield* manager.acquire("", hardware)
        yield* manager.reclaim(old.handle)
        const fresh = yield* manager.acquire("", hardware)
        const sameSlot = fresh.handle.slot === old.handle.slot
        old.release()
        const live = (yield* manager.snapshot).liveResources
        return { sameSlot, freshReleased: fresh.released, live }
      })
    )
    expect(exit._tag).toBe("Success")
    if (exit._tag === "Success") expect(exit.value).toEqual({ sameSlot: true, freshReleased: false, live: 1 })
    await close()
  })
})
