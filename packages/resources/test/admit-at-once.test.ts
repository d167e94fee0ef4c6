/**
 * The one-step admission and release (`Core.admitAtOnce` and `Core.releaseAtOnce`, the common acquisition and
 * release without the general path's layers) must change exactly what the general path changes. A manager that records a trace always takes the general path,
 * so random sequences run on a manager without a trace and on one with a trace must agree after every step: each
 * operation's outcome (the handle's slot and generation, or the error's tag), every type's stats, the pools'
 * stats, the live resources and, at the end, the leak report. Then each case the one step leaves to the general
 * path is checked to change nothing.
 */
import { describe, expect, test } from "bun:test"
import type { ResourceMetadata } from "@flight-hal/core"
import { ResourceFlags } from "@flight-hal/core"
import {
  createResourceManager,
  type PlainResourceManager,
  type ResourceManagerConfig,
  type ResourceRef
} from "../src/index.ts"
import type { Core } from "../src/internal/core.ts"
import { attachedCore } from "../src/internal/manager-core.ts"
import { prng } from "./support/harness.ts"

const SEQUENCES = 200
const OPS = 60
const BASE_SEED = 20261128

const config = (seed: number): ResourceManagerConfig => ({
  budgets: {
    Memory: { maxBytes: 40_000 + (seed % 7) * 1000, reservedBytes: 4096, warningPercent: 50, criticalPercent: 80 },
    Hardware: { maxBytes: 64, reservedBytes: 8, warningPercent: 60, criticalPercent: 90 }
  },
  pools: [{ type: "Memory", blockSize: 4096, initialCount: 2, maxCount: 6 }],
  onLeaks: () => {}
})

const coreOf = (manager: PlainResourceManager): Core<unknown> => {
  const found = attachedCore(manager)
  if (found instanceof Error) throw found
  return found.core
}

/** Everything a step may change that a user can see. */
const observed = (m: PlainResourceManager) => ({ snapshot: m.snapshot(), pool: m.pools.getPoolStats("Memory", 4096) })
const shareable = ResourceFlags.combine("Shareable")

describe("the one-step admission", () => {
  test(`${SEQUENCES} random sequences: a manager without a trace and one with a trace agree after every step`, () => {
    let taken = 0
    let released = 0
    for (let n = 0; n < SEQUENCES; n++) {
      const seed = BASE_SEED + n
      const random = prng(seed)
      const plain = createResourceManager(config(seed))
      // count the acquisitions the one step admitted (the comparison below would hold trivially without any)
      const core = coreOf(plain)
      const oneStep = core.admitAtOnce.bind(core)
      core.admitAtOnce = (name, metadata) => {
        const slot = oneStep(name, metadata)
        if (slot >= 0) taken++
        return slot
      }
      const releaseInOne = core.releaseAtOnce.bind(core)
      core.releaseAtOnce = (slot, driver) => {
        const done = releaseInOne(slot, driver)
        if (done) released++
        return done
      }
      const traced = createResourceManager({ ...config(seed), trace: { sink: () => {} } })
      const held: Array<[ResourceRef<unknown> | undefined, ResourceRef<unknown> | undefined]> = []
      for (let op = 0; op < OPS; op++) {
        const roll = random()
        let outcome: [unknown, unknown]
        if (roll < 0.6 || held.length === 0) {
          const type = random() < 0.75 ? "Memory" : "Hardware"
          const size =
            type === "Memory"
              ? [0, 100, 4096, 4096, 5000, 20_000][Math.floor(random() * 6)]
              : 1 + Math.floor(random() * 20)
          const metadata: ResourceMetadata = {
            type,
            sizeBytes: size as number,
            ...(random() < 0.2 ? { priority: random() < 0.5 ? "Critical" : "Low" } : {}),
            ...(random() < 0.1 ? { flags: shareable } : {}),
            ...(random() < 0.1 ? { alignmentBytes: 64 } : {})
          }
          const name = random() < 0.3 ? `r${Math.floor(random() * 4)}` : ""
          const emergency = random() < 0.15
          const acquire = (m: PlainResourceManager): ResourceRef<unknown> | Error => {
            try {
              return emergency ? m.acquire(name, metadata, { mode: "Emergency" }) : m.acquire(name, metadata)
            } catch (error) {
              return error as Error
            }
          }
          const a = acquire(plain)
          const b = acquire(traced)
          held.push([a instanceof Error ? undefined : a, b instanceof Error ? undefined : b])
          const show = (r: ResourceRef<unknown> | Error) =>
            r instanceof Error
              ? ((r as Error & { readonly _tag?: string })._tag ?? r.message)
              : [
                  r.handle.slot,
                  r.handle.generation,
                  r.name,
                  r.payload instanceof Uint8Array ? r.payload.byteLength : r.payload
                ]
          outcome = [show(a), show(b)]
        } else {
          const [a, b] = held.splice(Math.floor(random() * held.length), 1)[0] as [
            ResourceRef | undefined,
            ResourceRef | undefined
          ]
          a?.release()
          b?.release()
          outcome = [a === undefined, b === undefined]
        }
        expect({ seed, op, outcome: outcome[0], ...observed(plain) }).toEqual({
          seed,
          op,
          outcome: outcome[1],
          ...observed(traced)
        })
      }
      const leaks = (m: PlainResourceManager) => m.close().map((l) => [l.name, l.type, l.sizeBytes, l.owner])
      expect(leaks(plain)).toEqual(leaks(traced))
    }
    expect(taken).toBeGreaterThan(SEQUENCES * 5) // 1,722 with these seeds
    expect(released).toBeGreaterThan(SEQUENCES * 5) // 2,981 with these seeds
  })

  test("each case it leaves to the general path changes nothing", () => {
    const m = createResourceManager(config(1))
    const core = coreOf(m)
    const memory = { type: "Memory", sizeBytes: 4096 } as const
    m.acquire("", memory).release() // the pool's route is known from now on
    const kept = m.acquire("taken", { type: "Hardware", sizeBytes: 1 })
    const stateNow = () => JSON.stringify(observed(m))
    const unchanged = stateNow()
    const declined: Array<[string, unknown, unknown]> = [
      ["a name that is taken", "taken", { type: "Hardware", sizeBytes: 1 }],
      ["a name that is not a string", 42, memory],
      ["metadata that is not valid", "", { type: "Memory", sizeBytes: -1 }],
      ["a type the manager does not serve", "", { type: "Nope", sizeBytes: 1 }],
      ["a Shareable resource", "", { ...memory, flags: shareable }],
      ["dependencies", "", { ...memory, dependsOn: [kept.handle] }],
      ["a request that does not fit", "", { type: "Hardware", sizeBytes: 60 }],
      ["a size the pool's route has not seen", "", { type: "Memory", sizeBytes: 4000 }],
      ["an alignment the route has not seen", "", { ...memory, alignmentBytes: 64 }]
    ]
    for (const [what, name, metadata] of declined) {
      expect([what, core.admitAtOnce(name, metadata)]).toEqual([what, -1])
      expect([what, stateNow()]).toEqual([what, unchanged])
    }
    // and the common case is taken: the block's slot, live at once
    const slot = core.admitAtOnce("", memory)
    expect(slot).toBeGreaterThanOrEqual(0)
    expect(m.getResourceStats("Memory").allocationCount).toBe(2)
    core.release(slot, 0)
    kept.release()
    expect(m.snapshot()).toMatchObject({ liveResources: 0 })

    // nobody may be waiting, a trace is recorded by the general path, a closed manager admits nothing
    const waiter = createResourceManager({
      budgets: { Hardware: { maxBytes: 2, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 } }
    })
    const full = waiter.acquire("", { type: "Hardware", sizeBytes: 2 })
    const waiting = waiter.acquireAsync("", { type: "Hardware", sizeBytes: 1 }, { mode: "Blocking" })
    expect(coreOf(waiter).admitAtOnce("", { type: "Memory", sizeBytes: 1 })).toBe(-1)
    full.release()
    return waiting.then((ref) => {
      ref.release()
      waiter.close()
      const traced = createResourceManager({ trace: { sink: () => {} } })
      expect(coreOf(traced).admitAtOnce("", { type: "Memory", sizeBytes: 1 })).toBe(-1)
      traced.close()
      const sites = createResourceManager({ captureAcquisitionSite: true })
      expect(coreOf(sites).admitAtOnce("", { type: "Memory", sizeBytes: 1 })).toBe(-1)
      sites.close()
      const closed = createResourceManager({})
      closed.close()
      expect(coreOf(closed).admitAtOnce("", { type: "Memory", sizeBytes: 1 })).toBe(-1)
      m.close()
    })
  })

  test("each release it leaves to the general path changes nothing, and the general path then frees it", async () => {
    const hardware = { type: "Hardware", sizeBytes: 1 } as const
    /**
     * In a fresh manager, `setup` makes the case and names the ref to release (and the driver asking); the one step
     * must decline it with nothing changed, then `finish` releases everything and no resource may be left.
     */
    const declines = async (
      what: string,
      setup: (m: PlainResourceManager) => { ref: ResourceRef<unknown>; driver?: number; finish: () => unknown },
      options: ResourceManagerConfig = config(2)
    ) => {
      const m = createResourceManager(options)
      const { ref, driver = 0, finish } = setup(m)
      const before = JSON.stringify(observed(m))
      expect([what, coreOf(m).releaseAtOnce(ref.handle.slot, driver)]).toEqual([what, false])
      expect([what, JSON.stringify(observed(m))]).toEqual([what, before])
      await finish()
      expect([what, m.snapshot().liveResources]).toEqual([what, 0])
      m.close()
    }
    const shareableHardware = { ...hardware, flags: shareable }
    await declines("a resource another driver holds too", (m) => {
      const ref = m.acquire("", shareableHardware)
      const held = m.share(ref.handle, "audio")
      return { ref, finish: () => [held.release(), ref.release()] }
    })
    await declines("a resource once shared (its holder list is the owner's alone)", (m) => {
      const ref = m.acquire("", shareableHardware)
      m.share(ref.handle, "audio").release()
      return { ref, finish: () => ref.release() }
    })
    await declines("a Shareable resource whose payload cell is made", (m) => {
      const ref = m.acquire("", shareableHardware)
      expect(ref.payload).toBeUndefined()
      return { ref, finish: () => ref.release() }
    })
    await declines("a driver that does not hold it", (m) => {
      const ref = m.acquire("", hardware)
      return { ref, driver: 1, finish: () => ref.release() }
    })
    await declines("a resource others depend on", (m) => {
      const ref = m.acquire("", hardware)
      const dependent = m.acquire("", hardware)
      m.addDependency(dependent.handle, ref.handle)
      return { ref, finish: () => [dependent.release(), ref.release()] }
    })
    await declines("a resource with dependencies", (m) => {
      const dependency = m.acquire("", hardware)
      const ref = m.acquire("", hardware)
      m.addDependency(ref.handle, dependency.handle)
      return { ref, finish: () => [ref.release(), dependency.release()] }
    })
    await declines("an Emergency overage", (m) => {
      const ref = m.acquire("", { type: "Hardware", sizeBytes: 70 }, { mode: "Emergency" }) // 6 B over the budget
      return { ref, finish: () => ref.release() }
    })
    const destroyed: Array<unknown> = []
    await declines("a destroy hook to run", (m) => {
      const ref = m.acquire("", hardware, { create: () => "made", destroy: (payload) => destroyed.push(payload) })
      expect(ref.payload).toBe("made")
      return { ref, finish: () => ref.release() }
    })
    expect(destroyed).toEqual(["made"])
    await declines(
      "a request waiting",
      (m) => {
        const ref = m.acquire("", { type: "Hardware", sizeBytes: 2 })
        const queued = m.acquireAsync("", hardware, { mode: "Blocking" })
        return { ref, finish: async () => [ref.release(), (await queued).release()] }
      },
      { budgets: { Hardware: { maxBytes: 2, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 } } }
    )
    for (const [what, options] of [
      ["a trace recorded", { trace: { sink: () => {} } }],
      ["sites captured", { captureAcquisitionSite: true }]
    ] as const) {
      await declines(
        what,
        (m) => {
          const ref = m.acquire("", hardware)
          return { ref, finish: () => ref.release() }
        },
        options
      )
    }
  })
})
