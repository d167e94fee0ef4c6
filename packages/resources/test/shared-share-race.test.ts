/**
 * A share that races with the release of its resource and the slot's next acquisition (the ABA of
 * spec/SharedHolders.tla): the share's compare-and-swap lands on the new resource, the share notices it by the
 * generation it reads again, releases that hold and fails with StaleHandle. The interleaving is forced by
 * running the other thread's steps between the share's reads and its compare-and-swap (a ledger step that
 * stands for the other thread's timing); the manager's handling of the outcome is the code under test.
 */
import { expect, test } from "bun:test"
import { StaleHandle } from "@flight-hal/core"
import { attachSharedResourceManager, createSharedResourceManager } from "../src/index.ts"
import { S, SLOT_INT_WORDS } from "../src/internal/shared/layout.ts"
import type { Ledger } from "../src/internal/shared/ledger.ts"

const memory = { type: "Memory", sizeBytes: 1024 } as const

test("a share whose resource is freed and whose slot is taken again before its CAS holds nothing and fails StaleHandle", () => {
  const a = createSharedResourceManager({
    budgets: { Memory: { maxBytes: 8192, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 } }
  })
  const b = attachSharedResourceManager(a.descriptor)
  try {
    const first = a.acquire(memory)
    const stale = first.handle
    // b's share: it has loaded generation `stale.generation` and mask {a} when `a` releases and acquires again
    const ledger = (b as unknown as { ledger: Ledger }).ledger
    const real = ledger.addHold.bind(ledger)
    let second: ReturnType<typeof a.acquire> | undefined
    ledger.addHold = (slot, generation, thread) => {
      ledger.addHold = real
      if (ledger.generationOf(slot) !== generation) return "stale"
      const mask = ledger.maskOf(slot)
      first.release()
      second = a.acquire(memory) // the same slot (a's last freed one), the same holder mask, the next generation
      const si = slot * SLOT_INT_WORDS + S.mask
      expect(Atomics.compareExchange(ledger.slotsInt, si, mask, mask | (1 << thread))).toBe(mask)
      const landed = ledger.generationOf(slot)
      return landed === generation ? "ok" : landed
    }
    expect(() => b.share(stale)).toThrow(StaleHandle)
    if (second === undefined) throw new Error("the race did not run")
    expect(second.handle.slot).toBe(stale.slot)
    expect(second.handle.generation).not.toBe(stale.generation)
    // the new resource is a's alone, and b holds nothing
    expect(a.info(second.handle).holders).toEqual([a.thread])
    expect(b.threadStats().find((s) => s.type === "Memory")).toMatchObject({ allocationCount: 0, currentUsage: 0 })
    expect(a.getResourceStats("Memory").currentUsage).toBe(1024)
    second.release()
    expect(a.getResourceStats("Memory")).toMatchObject({ currentUsage: 0, allocationCount: 2, releaseCount: 2 })
    expect(a.audit()[0]).toMatchObject({ usage: 0, liveCount: 0 })
  } finally {
    b.close()
    a.close()
  }
})
