/**
 * A slot is one record of 32-bit words (`ManagerState`): the generation, the acquisition time and the sequence
 * are unsigned 32-bit values stored in signed words, and the state, type and flags share one word. These tests
 * hold the encoding to what the separate typed arrays it replaced answered: unsigned values past 2^31, the wrap
 * at 2^32, and fields that do not disturb each other.
 */
import { describe, expect, test } from "bun:test"
import { ResourceFlags } from "@flight-hal/core"
import { Core } from "../src/internal/core.ts"
import { ManagerState, POOLED, SlotState } from "../src/internal/state.ts"
import { MAX_CUSTOM_TYPES } from "../src/internal/type-table.ts"

/** The record's words, for setting a generation no test could reach by releases (2^31 of them). */
const wordsOf = (state: ManagerState): Int32Array => (state as unknown as { readonly slots: Int32Array }).slots

describe("a slot's record", () => {
  test("the generation counts past 2^31 as an unsigned number and wraps to 0 after 2^32 − 1", () => {
    const state = new ManagerState()
    const slot = state.takeSlot()
    const seen: Array<number> = []
    wordsOf(state)[slot * 8] = 2 ** 31 - 2 // the generation word (word 0 of the record)
    for (let k = 0; k < 3; k++) {
      seen.push(state.generationOf(slot))
      state.putSlot(slot)
      expect(state.takeSlot()).toBe(slot)
    }
    expect(seen).toEqual([2 ** 31 - 2, 2 ** 31 - 1, 2 ** 31])
    wordsOf(state)[slot * 8] = -1 // 2^32 − 1
    expect(state.generationOf(slot)).toBe(2 ** 32 - 1)
    state.putSlot(slot)
    expect(state.generationOf(slot)).toBe(0)
  })

  test("state, type, flags, owner and dependents are kept apart in one record", () => {
    const state = new ManagerState()
    const slot = state.takeSlot()
    const flags = ResourceFlags.combine("Shareable", "Reclaimable", "Persistent") | POOLED
    // the last type index a manager can have: the 6 built-in types and 1,024 declared ones
    const type = 6 + MAX_CUSTOM_TYPES - 1
    state.occupy(slot, type, flags, 70_000, 3_000_000_000, 4_000_000_000)
    expect([state.stateOf(slot), state.typeOf(slot), state.flagsOf(slot), state.ownerOf(slot)]).toEqual([
      SlotState.Live,
      type,
      flags,
      70_000
    ])
    expect([state.acquiredAtOf(slot), state.sequenceOf(slot), state.liveOwnerOf(slot)]).toEqual([
      3_000_000_000, 4_000_000_000, 70_000
    ])
    expect([state.addDependents(slot, 1), state.addDependents(slot, 1), state.addDependents(slot, -1)]).toEqual([
      1, 2, 1
    ])
    state.defer(slot)
    // deferred: no longer live (no live owner), its type and flags unchanged
    expect([state.stateOf(slot), state.liveOwnerOf(slot), state.typeOf(slot), state.flagsOf(slot)]).toEqual([
      SlotState.Deferred,
      -1,
      type,
      flags
    ])
    state.putSlot(slot)
    expect([state.stateOf(slot), state.typeOf(slot), state.flagsOf(slot)]).toEqual([SlotState.Free, type, flags])
  })

  test("the owner's list links records both ways and unlinks from any position", () => {
    const state = new ManagerState()
    const slots = [state.takeSlot(), state.takeSlot(), state.takeSlot()]
    for (const slot of slots) {
      state.occupy(slot, 0, 0, 0, 0, 0)
      state.linkOwned(slot, 0)
    }
    expect([...state.heldBy(0)]).toEqual([2, 1, 0])
    state.unlinkOwned(1, 0)
    expect([...state.heldBy(0)]).toEqual([2, 0])
    expect([state.inOwnedList(0, 0), state.inOwnedList(1, 0), state.inOwnedList(2, 0)]).toEqual([true, false, true])
    state.unlinkOwned(2, 0)
    state.unlinkOwned(0, 0)
    expect([...state.heldBy(0)]).toEqual([])
  })

  test("records survive the slot table's growth", () => {
    const state = new ManagerState()
    const taken = Array.from({ length: 3000 }, (_, i) => {
      const slot = state.takeSlot()
      state.occupy(slot, i % 7, i % 5, i, i * 3, i * 11)
      return slot
    })
    expect(taken.every((slot, i) => state.typeOf(slot) === i % 7 && state.ownerOf(slot) === i)).toBe(true)
    expect(taken.every((slot, i) => state.acquiredAtOf(slot) === i * 3 && state.sequenceOf(slot) === i * 11)).toBe(true)
  })

  test("a leak's age is right when the clock has run more than 2^31 ms since the manager started", () => {
    let now = 1_700_000_000_000
    const core = Core.make<unknown>({ onLeaks: () => {} }, () => now)
    if (!(core instanceof Core)) throw core
    now += 3_000_000_000 // about 35 days: past 2^31 ms, where the stored word turns negative
    const ref = core.acquireAtOnce("old", { type: "Memory", sizeBytes: 16 })
    expect(ref).toBeDefined()
    now += 1234
    const leaks = core.close()
    expect(leaks.map((leak) => [leak.name, leak.ageMillis])).toEqual([["old", 1234]])
  })
})
