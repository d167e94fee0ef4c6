/**
 * A shared manager closed during a call that takes a handle: the call fails with ManagerClosed, as a call made
 * after the close does, not with StaleHandle for the resource the close freed (docs/semantics.md, section 17).
 * Another thread's close can come between the call's check that the manager is usable and its look at the
 * handle's slot (the stress test's workers met it); here a getter of the handle closes the manager at that
 * moment, so the interleaving is the same every time.
 */
import { describe, expect, test } from "bun:test"
import { ManagerClosed, ResourceFlag, type ResourceHandle, StaleHandle } from "@flight-hal/core"
import { createSharedResourceManager, type SharedResourceManager } from "../src/index.ts"
import { thrown } from "./support/thrown.ts"

/** A copy of `handle` whose `generation` getter closes the manager first (read once, when the call copies it). */
const closingHandle = (handle: ResourceHandle, close: () => void): ResourceHandle => ({
  slot: handle.slot,
  manager: handle.manager,
  get generation() {
    close()
    return handle.generation
  }
})

describe("a shared manager closed while a call reads its handle", () => {
  test("info, metadata, share and release fail with ManagerClosed, not StaleHandle", () => {
    const calls = {
      info: (m: SharedResourceManager, h: ResourceHandle) => m.info(h),
      metadata: (m: SharedResourceManager, h: ResourceHandle) => m.metadata(h),
      share: (m: SharedResourceManager, h: ResourceHandle) => m.share(h),
      release: (m: SharedResourceManager, h: ResourceHandle) => m.release(h)
    }
    for (const [name, call] of Object.entries(calls)) {
      const manager = createSharedResourceManager({})
      const ref = manager.acquire("r", { type: "Memory", sizeBytes: 8, flags: ResourceFlag.Shareable })
      const error = thrown(() =>
        call(
          manager,
          closingHandle(ref.handle, () => manager.close())
        )
      )
      expect([name, error instanceof ManagerClosed, error instanceof StaleHandle]).toEqual([name, true, false])
    }
  })

  test("a handle that is stale while the manager is open is still StaleHandle", () => {
    const manager = createSharedResourceManager({})
    const ref = manager.acquire("r", { type: "Memory", sizeBytes: 8 })
    const handle = ref.handle
    ref.release()
    expect(thrown(() => manager.info(handle))).toBeInstanceOf(StaleHandle)
    manager.close()
  })
})
