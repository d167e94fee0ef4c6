/**
 * Differential test: random sequences of operations run through the Effect service and through the plain
 * facade must give the same observable outcomes: each operation's result (ok + name/size/driver, or the error's
 * `_tag`), the requests that were waiting and are settled by it, both types' stats after each step, the
 * pressure events (type, from, to) and the leak report at close.
 *
 * Both sides are driven step by step with explicit settle points (microtasks and setImmediate rounds, where
 * Effect's scheduler runs); Blocking and Timeout waits use a timeout that never fires (10 minutes), so no timer
 * decides an outcome. `use` is not part of the comparison (the facade has no `use` today): follow-up once the
 * facade gains it.
 */
import { describe, expect, test } from "bun:test"
import type { ResourceHandle, ResourceMetadata } from "@flight-hal/core"
import { ResourceFlags } from "@flight-hal/core"
import { Effect, Exit, Fiber, Scope } from "effect"
import {
  createResourceManager,
  type LeakReport,
  type PlainResourceManager,
  type PressureEvent,
  ResourceManager,
  type ResourceRef,
  type ResourceStats
} from "../src/index.ts"
import { failureOf, type OpenManager, openManager, withoutLogs } from "./support/effect.ts"
import { budgetOf, observe, prng, settle } from "./support/harness.ts"

const SEQUENCES = 300
const MIN_OPS = 20
const MAX_OPS = 40
const BASE_SEED = 20261127

type Mode = "NonBlocking" | "Blocking" | "Timeout" | "Emergency"
type Kind = "Memory" | "Hardware"
type Action = "none" | "releaseOldest" | "acquire" | "reclaimOldest"

type Op =
  | {
      readonly k: "acquire"
      readonly mode: Mode
      readonly name: string
      readonly type: Kind
      readonly size: number
      readonly owner: string
      readonly priority: "Low" | "Normal" | "High" | "Critical" | undefined
      readonly shareable: boolean
      readonly reclaimable: boolean
      readonly dep: number | undefined
    }
  | { readonly k: "release"; readonly i: number }
  | { readonly k: "share"; readonly i: number; readonly driver: string }
  | { readonly k: "unshare"; readonly i: number }
  | { readonly k: "addDependency"; readonly i: number; readonly j: number }
  | { readonly k: "setBudget"; readonly type: Kind; readonly max: number }
  | { readonly k: "removeBudget"; readonly type: Kind }
  | { readonly k: "reclaim"; readonly i: number }
  | { readonly k: "registerReclamation"; readonly type: Kind; readonly action: Action; readonly claim: number }
  | { readonly k: "close" }

const pick = <A>(random: () => number, items: ReadonlyArray<A>): A => items[Math.floor(random() * items.length)] as A

const generate = (seed: number): ReadonlyArray<Op> => {
  const random = prng(seed)
  const count = MIN_OPS + Math.floor(random() * (MAX_OPS - MIN_OPS + 1))
  const ops: Array<Op> = []
  let callbacks = 0
  let closed = false
  for (let n = 0; n < count; n++) {
    const r = random()
    const index = Math.floor(random() * 64)
    if (r < 0.42) {
      const type: Kind = random() < 0.75 ? "Memory" : "Hardware"
      ops.push({
        k: "acquire",
        mode: pick(random, ["NonBlocking", "NonBlocking", "Blocking", "Blocking", "Timeout", "Emergency"] as const),
        name: pick(random, ["", "", "", "a", "b", "c"]),
        type,
        size: type === "Memory" ? pick(random, [100, 200, 300, 450, 600, 900, 1200]) : pick(random, [1, 2, 3, 5]),
        owner: pick(random, ["d1", "d2", "d3"]),
        priority: pick(random, [undefined, undefined, "Low", "High", "Critical"] as const),
        shareable: random() < 0.3,
        reclaimable: random() < 0.3,
        dep: random() < 0.15 ? Math.floor(random() * 64) : undefined
      })
    } else if (r < 0.62) ops.push({ k: "release", i: index })
    else if (r < 0.69) ops.push({ k: "share", i: index, driver: pick(random, ["gpu", "dsp", "d1"]) })
    else if (r < 0.73) ops.push({ k: "unshare", i: index })
    else if (r < 0.78) ops.push({ k: "addDependency", i: index, j: Math.floor(random() * 64) })
    else if (r < 0.84) {
      const type: Kind = random() < 0.75 ? "Memory" : "Hardware"
      ops.push({
        k: "setBudget",
        type,
        max: type === "Memory" ? pick(random, [500, 800, 1000, 1500]) : pick(random, [3, 6, 10])
      })
    } else if (r < 0.86) ops.push({ k: "removeBudget", type: random() < 0.75 ? "Memory" : "Hardware" })
    else if (r < 0.91) ops.push({ k: "reclaim", i: index })
    else if (r < 0.97 && callbacks < 2) {
      callbacks++
      ops.push({
        k: "registerReclamation",
        type: random() < 0.8 ? "Memory" : "Hardware",
        action: pick(random, ["none", "releaseOldest", "releaseOldest", "acquire", "reclaimOldest"] as const),
        claim: pick(random, [0, 100, 900])
      })
    } else if (r >= 0.97 && !closed && n > count / 2) {
      closed = true
      ops.push({ k: "close" })
    } else ops.push({ k: "release", i: index })
  }
  if (!closed) ops.push({ k: "close" })
  return ops
}

// ---------------------------------------------------------------------------------------------------------------
// A front end as the sequence sees it.

interface Held {
  readonly name: string
  readonly type: Kind
  readonly handle: ResourceHandle
  readonly release: () => void
  released: boolean
  share?: { release: () => void } | undefined
}

interface Side {
  readonly held: Array<Held>
  /** Starts an acquisition: its outcome once settled ("ok …" / "err Tag"), or "pending #id". */
  acquire(op: Extract<Op, { k: "acquire" }>, id: number): Promise<string>
  share(held: Held, driver: string): Promise<string>
  addDependency(a: Held, b: Held): Promise<string>
  setBudget(type: Kind, max: number): Promise<string>
  removeBudget(type: Kind): Promise<string>
  reclaim(held: Held): Promise<string>
  registerReclamation(op: Extract<Op, { k: "registerReclamation" }>): Promise<string>
  close(): Promise<string>
  stats(): Promise<string>
  /** Waiting acquisitions settled since the last call, in id order. */
  drain(): ReadonlyArray<string>
  pressure(): ReadonlyArray<string>
  dispose(): Promise<void>
}

const errorText = (error: unknown): string => {
  const tag = (error as { _tag?: unknown } | null)?._tag
  return typeof tag === "string"
    ? `err ${tag}`
    : `raw ${error instanceof Error ? error.constructor.name : typeof error}`
}
const okText = (ref: ResourceRef<unknown>) =>
  `ok ${ref.name}/${ref.metadata.type}/${ref.metadata.sizeBytes}/${ref.driver}`
const statsText = (stats: ReadonlyArray<ResourceStats>) =>
  stats
    .map(
      (s) =>
        `${s.type}:use=${s.currentUsage},peak=${s.peakUsage},alloc=${s.allocationCount},rel=${s.releaseCount},fail=${s.failedCount},em=${s.emergencyCount}/${s.emergencyBytes},wait=${s.waiting},p=${s.pressure},max=${s.budget?.maxBytes ?? "-"}`
    )
    .join(" ")
const pressureText = (event: PressureEvent) => `${event.type}:${event.from}->${event.to}`
const leaksText = (leaks: ReadonlyArray<LeakReport>) =>
  `leaks [${leaks.map((l) => `${l.name}/${l.type}/${l.sizeBytes}/${l.owner}`).join(", ")}]`
const metadataOf = (op: Extract<Op, { k: "acquire" }>, dependsOn: ResourceHandle | undefined): ResourceMetadata => ({
  type: op.type,
  sizeBytes: op.size,
  ...(op.priority === undefined ? {} : { priority: op.priority }),
  flags:
    (op.shareable ? ResourceFlags.combine("Shareable") : 0) |
    (op.reclaimable ? ResourceFlags.combine("Reclaimable") : 0),
  ...(dependsOn === undefined ? {} : { dependsOn: [dependsOn] })
})
const NEVER_MILLIS = 10 * 60 * 1000
const initialConfig = { budgets: { Memory: budgetOf(1000, 100), Hardware: budgetOf(6) } }

/**
 * What a callback acquires: a Custom byte (no budget, no callbacks), so a re-entrant acquisition never needs a
 * reclamation itself (a callback acquiring its own type recurses without bound today: see reentrancy.test.ts).
 */
const innerMetadata: ResourceMetadata = { type: "Custom", sizeBytes: 1 }

const toHeld = (ref: ResourceRef<unknown>, type: Kind): Held => ({
  name: ref.name,
  type,
  handle: ref.handle,
  release: () => ref.release(),
  released: false
})

/** The first held resource of `type` this side did not release, if any (the callbacks' victim). */
const oldest = (held: ReadonlyArray<Held>, type: Kind) => held.find((h) => !h.released && h.type === type)

const facadeSide = (): Side => {
  const manager: PlainResourceManager = createResourceManager({ ...initialConfig, onLeaks: () => {} })
  const held: Array<Held> = []
  const pressure: Array<string> = []
  manager.registerPressureCallback((event) => pressure.push(pressureText(event)))
  const pending = new Map<number, ReturnType<typeof observe<ResourceRef<unknown>>>>()
  const attempt = async (f: () => unknown): Promise<string> => {
    try {
      const value = f()
      return typeof value === "number" ? `ok ${value}` : "ok"
    } catch (error) {
      return errorText(error)
    }
  }
  const kinds = new Map<number, Kind>()
  return {
    held,
    async acquire(op, id) {
      const dep = op.dep === undefined || held.length === 0 ? undefined : held[op.dep % held.length]?.handle
      const metadata = metadataOf(op, dep)
      const options = { owner: op.owner }
      if (op.mode === "NonBlocking" || op.mode === "Emergency") {
        try {
          const ref = manager.acquire<unknown>(op.name, metadata, { ...options, mode: op.mode })
          held.push(toHeld(ref, op.type))
          await settle()
          return okText(ref)
        } catch (error) {
          await settle()
          return errorText(error)
        }
      }
      const observed = observe(
        manager.acquireAsync<unknown>(op.name, metadata, {
          ...options,
          mode: op.mode,
          ...(op.mode === "Timeout" ? { timeoutMillis: NEVER_MILLIS } : {})
        })
      )
      await settle()
      const now = observed.current()
      if (now.state === "fulfilled") {
        held.push(toHeld(now.value, op.type))
        return okText(now.value)
      }
      if (now.state === "rejected") return errorText(now.error)
      pending.set(id, observed)
      kinds.set(id, op.type)
      return `pending #${id}`
    },
    share: (h, driver) =>
      attempt(() => {
        h.share = manager.share(h.handle, driver)
      }),
    addDependency: (a, b) => attempt(() => manager.addDependency(a.handle, b.handle)),
    setBudget: (type, max) => attempt(() => manager.setBudget(type, budgetOf(max, type === "Memory" ? 100 : 0))),
    removeBudget: (type) => attempt(() => manager.removeBudget(type)),
    reclaim: (h) => attempt(() => manager.reclaim(h.handle)),
    registerReclamation: (op) =>
      attempt(() => {
        manager.registerReclamationCallback(op.type, () => {
          const victim = oldest(held, op.type)
          if (op.action === "releaseOldest" && victim !== undefined) {
            victim.released = true
            victim.release()
          } else if (op.action === "reclaimOldest" && victim !== undefined) {
            try {
              manager.reclaim(victim.handle)
            } catch {
              // compared through the stats
            }
          } else if (op.action === "acquire") {
            try {
              manager.acquire("", innerMetadata, { owner: "cb" })
            } catch {
              // compared through the stats
            }
          }
          return op.claim
        })
      }),
    async close() {
      try {
        const leaks = manager.close()
        await settle()
        return leaksText(leaks)
      } catch (error) {
        return errorText(error)
      }
    },
    stats: async () => statsText([manager.getResourceStats("Memory"), manager.getResourceStats("Hardware")]),
    drain() {
      const out: Array<string> = []
      for (const [id, observed] of [...pending.entries()].sort((x, y) => x[0] - y[0])) {
        const now = observed.current()
        if (now.state === "pending") continue
        pending.delete(id)
        if (now.state === "fulfilled") {
          held.push(toHeld(now.value, kinds.get(id) ?? "Memory"))
          out.push(`#${id} ${okText(now.value)}`)
        } else out.push(`#${id} ${errorText(now.error)}`)
      }
      return out
    },
    pressure: () => pressure,
    async dispose() {
      manager.close()
    }
  }
}

const effectSide = async (): Promise<Side> => {
  // pressure callbacks live in a scope that outlives the manager's, so that the events of close are delivered
  const outer = Scope.makeUnsafe()
  const open: OpenManager = await openManager({ ...initialConfig, onLeaks: () => {} })
  const m = open.manager
  const refs = Scope.makeUnsafe()
  const held: Array<Held> = []
  const pressure: Array<string> = []
  await open.run(
    m.registerPressureCallback((event) => {
      pressure.push(pressureText(event))
    }),
    outer
  )
  const pending = new Map<number, { fiber: Fiber.Fiber<ResourceRef<unknown>, unknown>; type: Kind }>()
  const text = <A>(exit: Exit.Exit<A, unknown>): string => {
    if (Exit.isSuccess(exit)) return typeof exit.value === "number" ? `ok ${exit.value}` : "ok"
    const failure = failureOf(exit)
    return failure.other !== undefined ? "raw defect" : errorText(failure.error)
  }
  const runText = async <A>(effect: Effect.Effect<A, unknown, ResourceManager | Scope.Scope>, scope?: Scope.Scope) =>
    text(await open.run(effect, scope))
  return {
    held,
    async acquire(op, id) {
      const dep = op.dep === undefined || held.length === 0 ? undefined : held[op.dep % held.length]?.handle
      const metadata = metadataOf(op, dep)
      const fiber = Effect.runFork(
        m
          .acquire<unknown>(op.name, metadata, {
            owner: op.owner,
            mode: op.mode,
            ...(op.mode === "Timeout" ? { timeout: `${NEVER_MILLIS} millis` } : {})
          })
          .pipe(Effect.provideService(Scope.Scope, refs), Effect.provideService(ResourceManager, m), withoutLogs)
      )
      await settle()
      const exit = fiber.pollUnsafe()
      if (exit === undefined) {
        pending.set(id, { fiber, type: op.type })
        return `pending #${id}`
      }
      if (Exit.isSuccess(exit)) {
        held.push(toHeld(exit.value, op.type))
        return okText(exit.value)
      }
      return text(exit)
    },
    share: (h, driver) =>
      runText(
        Effect.map(m.share(h.handle, driver), (shared) => {
          h.share = shared
        }),
        refs
      ),
    addDependency: (a, b) => runText(m.addDependency(a.handle, b.handle)),
    setBudget: (type, max) => runText(m.setBudget(type, budgetOf(max, type === "Memory" ? 100 : 0))),
    removeBudget: (type) => runText(m.removeBudget(type)),
    reclaim: (h) => runText(m.reclaim(h.handle)),
    registerReclamation: (op) =>
      runText(
        m
          .registerReclamationCallback(op.type, () =>
            Effect.gen(function* () {
              const victim = oldest(held, op.type)
              if (op.action === "releaseOldest" && victim !== undefined) {
                victim.released = true
                victim.release()
              } else if (op.action === "reclaimOldest" && victim !== undefined) {
                yield* Effect.exit(m.reclaim(victim.handle))
              } else if (op.action === "acquire") {
                yield* Effect.exit(
                  Effect.provideService(m.acquire("", innerMetadata, { owner: "cb" }), Scope.Scope, refs)
                )
              }
              return op.claim
            })
          )
          .pipe(Effect.asVoid)
      ),
    async close() {
      const before = open.leaks.length
      await open.close()
      await settle()
      return leaksText(open.leaks.slice(before))
    },
    stats: async () => {
      const exit = await open.run(Effect.all([m.getResourceStats("Memory"), m.getResourceStats("Hardware")]))
      return Exit.isSuccess(exit) ? statsText(exit.value) : "stats failed"
    },
    drain() {
      const out: Array<string> = []
      for (const [id, { fiber, type }] of [...pending.entries()].sort((x, y) => x[0] - y[0])) {
        const exit = fiber.pollUnsafe()
        if (exit === undefined) continue
        pending.delete(id)
        if (Exit.isSuccess(exit)) {
          held.push(toHeld(exit.value, type))
          out.push(`#${id} ${okText(exit.value)}`)
        } else out.push(`#${id} ${text(exit)}`)
      }
      return out
    },
    pressure: () => pressure,
    async dispose() {
      for (const { fiber } of pending.values()) Effect.runFork(Fiber.interrupt(fiber))
      await open.close()
      await Effect.runPromise(Scope.close(refs, Exit.void))
      await Effect.runPromise(Scope.close(outer, Exit.void))
    }
  }
}

/** Runs one op on one side; returns the step's log line. */
const step = async (side: Side, op: Op, id: number): Promise<string> => {
  const at = (i: number) => (side.held.length === 0 ? undefined : side.held[i % side.held.length])
  let outcome: string
  switch (op.k) {
    case "acquire":
      outcome = await side.acquire(op, id)
      break
    case "release": {
      const h = at(op.i)
      if (h === undefined) outcome = "nothing"
      else {
        h.released = true
        h.release()
        outcome = `released ${h.name}`
      }
      break
    }
    case "share": {
      const h = at(op.i)
      outcome = h === undefined ? "nothing" : await side.share(h, op.driver)
      break
    }
    case "unshare": {
      const h = side.held.find((x, n) => n >= op.i % Math.max(1, side.held.length) && x.share !== undefined)
      if (h?.share === undefined) outcome = "nothing"
      else {
        h.share.release()
        h.share = undefined
        outcome = `unshared ${h.name}`
      }
      break
    }
    case "addDependency": {
      const a = at(op.i)
      const b = at(op.j)
      outcome = a === undefined || b === undefined ? "nothing" : await side.addDependency(a, b)
      break
    }
    case "setBudget":
      outcome = await side.setBudget(op.type, op.max)
      break
    case "removeBudget":
      outcome = await side.removeBudget(op.type)
      break
    case "reclaim": {
      const h = at(op.i)
      outcome = h === undefined ? "nothing" : await side.reclaim(h)
      break
    }
    case "registerReclamation":
      outcome = await side.registerReclamation(op)
      break
    case "close":
      outcome = await side.close()
      break
  }
  await settle()
  const drained = side.drain()
  return `${outcome}${drained.length > 0 ? ` | settled ${drained.join(", ")}` : ""} | ${await side.stats()}`
}

const describeOp = (op: Op): string => JSON.stringify(op)

describe(`differential: Effect service vs facade (${SEQUENCES} sequences of ${MIN_OPS}–${MAX_OPS} operations)`, () => {
  test(`same outcomes, stats, pressure events and leak reports (seeds ${BASE_SEED}..${BASE_SEED + SEQUENCES - 1})`, async () => {
    let operations = 0
    const divergences: Array<string> = []
    for (let n = 0; n < SEQUENCES; n++) {
      const seed = BASE_SEED + n
      const ops = generate(seed)
      operations += ops.length
      const facade = facadeSide()
      const service = await effectSide()
      try {
        for (const [index, op] of ops.entries()) {
          const f = await step(facade, op, index)
          const e = await step(service, op, index)
          if (f !== e) {
            divergences.push(`seed ${seed} op ${index} ${describeOp(op)}\n  facade: ${f}\n  effect: ${e}`)
            break
          }
        }
        const fp = facade.pressure().join(" ")
        const ep = service.pressure().join(" ")
        if (divergences.at(-1)?.startsWith(`seed ${seed} `) !== true && fp !== ep) {
          divergences.push(`seed ${seed} pressure events\n  facade: ${fp}\n  effect: ${ep}`)
        }
      } finally {
        await facade.dispose()
        await service.dispose()
      }
    }
    console.log(
      `[differential] ${SEQUENCES} sequences, ${operations} operations, seeds ${BASE_SEED}..${BASE_SEED + SEQUENCES - 1}, ${divergences.length} diverging`
    )
    expect(divergences.slice(0, 5)).toEqual([])
  }, 60000)
})
