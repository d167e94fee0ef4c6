/**
 * A shared manager's Blocking or Timeout acquisition admitted at once stops listening to its caller's signal
 * (the signal's `removeEventListener`, caller code) before its ref is made. That code can free the admitted
 * resource, and another resource can take its slot: the ref is made with its admission's generation, so it
 * reads as released and never reaches the slot's new resource (docs/semantics.md, section 14, "Freed before
 * its ref is made").
 */
import { describe, expect, test } from "bun:test"
import { ResourceReleased } from "@flight-hal/core"
import { attachSharedResourceManager, createSharedResourceManager, type SharedResource } from "../src/index.ts"
import { thrown } from "./support/thrown.ts"

const budgets = { Memory: { maxBytes: 1 << 20, reservedBytes: 0, warningPercent: 75, criticalPercent: 90 } }
const pools = [{ type: "Memory" as const, blockSize: 64, blockCount: 4 }]
const small = { type: "Memory" as const, sizeBytes: 32 }

/** A signal whose first `removeEventListener` runs `then` (after removing the listener). */
const signalRunning = (then: () => void): AbortSignal => {
  const signal = new AbortController().signal
  const remove = signal.removeEventListener.bind(signal)
  let ran = false
  Object.defineProperty(signal, "removeEventListener", {
    value(type: string, listener: EventListener) {
      remove(type, listener)
      if (ran) return
      ran = true
      then()
    }
  })
  return signal
}

describe("a shared resource freed between its admission at once and its ref", () => {
  for (const mode of ["Blocking", "Timeout"] as const) {
    test(`${mode}: the ref reads as released; the slot's new resource is left alone`, async () => {
      const manager = createSharedResourceManager({ budgets, pools })
      let other: SharedResource | undefined
      const signal = signalRunning(() => {
        manager.release(manager.find("a").handle) // frees "a": this thread is its only holder
        other = manager.acquire({ type: "Memory", sizeBytes: 32 }, { name: "b" }) // takes the freed slot
        other.payload[0] = 0xbb
      })
      const options = mode === "Timeout" ? { mode, timeoutMillis: 1000, signal } : { mode, signal }
      const ref = await manager.acquireAsync("a", small, options)
      if (other === undefined) throw new Error("removeEventListener was not called")
      expect(other.handle.slot).toBe(ref.handle.slot) // the slot was taken again
      expect(ref.handle.generation).not.toBe(other.handle.generation)
      expect(ref.released).toBe(true)
      expect(thrown(() => ref.payload)).toBeInstanceOf(ResourceReleased)
      ref.release()
      expect(other.released).toBe(false)
      expect(other.payload[0]).toBe(0xbb)
      expect(manager.find("b").holders).toEqual([0])
      expect(manager.close().map((leak) => leak.name)).toEqual(["b"])
    })
  }

  test("use: the body gets a released ref, whose release leaves the slot's new resource alone", async () => {
    const manager = createSharedResourceManager({ budgets, pools })
    let other: SharedResource | undefined
    const signal = signalRunning(() => {
      manager.release(manager.find("a").handle)
      other = manager.acquire("b", small)
    })
    const released = await manager.use("a", small, (ref) => ref.released, { signal })
    expect(released).toBe(true)
    expect(other?.released).toBe(false)
    expect(manager.find("b").holders).toEqual([0])
    manager.close()
  })

  test("a hold ended by release(handle) while another thread shares the resource: the ref reads as released", async () => {
    const manager = createSharedResourceManager({ budgets, pools })
    const worker = attachSharedResourceManager(manager.descriptor)
    const signal = signalRunning(() => {
      const { handle } = manager.find("a")
      worker.share(handle)
      manager.release(handle) // this thread's hold ends; the resource lives on (the other thread holds it)
    })
    const ref = await manager.acquireAsync("a", small, { signal })
    expect(ref.released).toBe(true)
    ref.release() // releases nothing: the hold ended already
    expect(manager.find("a").holders).toEqual([1])
    worker.close()
    manager.close()
  })
})
