/**
 * Records traces of random workloads on the real manager (plain facade) and checks them against the TLA+
 * model with TLC (scripts/spec-trace.ts), all traces in one batch (one TLC run; a rejected trace is named
 * with its line and the rest re-run). Skipped loudly (a "SKIPPED: TLC not found" line) without
 * tla2tools.jar. TRACE_SEEDS=1,2,3 picks the seeds; TRACE_DIR=<dir> keeps the traces. Owners of both kinds:
 * the concurrent owners "app" (the default owner) and "c1" make requests, releases and shares while some of
 * their requests wait (each wait a task of its own, up to three at once); the sequential drivers d1–d3 keep the
 * model's rule (one fiber each: while one of its requests waits a driver makes no request or release). Besides
 * requests in every mode (impossible ones included), releases, shares (refused ones included, and shares to
 * waiting drivers: checked, some refused, for a sequential one; each share reads the payload through its
 * SharedHandle) and reclaims, the workloads add dependencies (cycles included), change a budget under waiters,
 * remove a budget (of a type with waiters when there is one: the removal grants its type-queue waiters) and set
 * it again, grow, trim and destroy a pool (of a type whose requests never fit its blocks: pooled requests are not
 * modelled), and close the manager with the trace still open.
 */
import { describe, expect, test } from "bun:test"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { ResourceHandle, ResourceMetadata } from "@flight-hal/core"
import { findJar, skipLine } from "../../../scripts/internal/tlc.ts"
import { notChecked, report, type TraceVerdict, validateTrace, validateTraces } from "../../../scripts/spec-trace.ts"
import { createResourceManager, type ResourceRef, type SharedHandle } from "../src/index.ts"
import { traceToFile } from "../src/TraceFile.ts"

const drivers = ["app", "c1", "d1", "d2", "d3"] as const
/** The sequential drivers; "app" and "c1" are concurrent owners (the default kind). */
const sequential: ReadonlyArray<string> = ["d1", "d2", "d3"]
/** The most requests a concurrent owner has waiting at once in the workloads. */
const concurrentWaits = 3
const names = ["", "", "X", "Y"] as const
const priorities = ["Low", "Normal", "High", "Critical"] as const

/**
 * The budgets the workloads change, remove and set again: each type's reserve (kept by every change) and the
 * limits setBudget picks from; Performance keeps its budget (its pool's growth is checked against it).
 */
const budgeted = {
  Memory: { reserved: 8, maxes: [16, 24, 32, 40, 48] },
  Hardware: { reserved: 1, maxes: [3, 4, 6, 8] }
} as const
type Budgeted = keyof typeof budgeted
const budgetedTypes: ReadonlyArray<Budgeted> = ["Memory", "Hardware"]

/** The acquisition options naming an owner: none for "app", the default owner. */
const ownerOf = (driver: string): { readonly owner?: string } => (driver === "app" ? {} : { owner: driver })

const random = (seed: number): (() => number) => {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface Live {
  readonly ref: ResourceRef<unknown>
  readonly handle: ResourceHandle
  readonly shareable: boolean
  readonly reclaimable: boolean
  readonly owner: string
}

/**
 * Runs seed's random workload until the trace holds at least `transitions` transition lines (then the
 * waits still open are interrupted, which adds their lines).
 */
const workload = async (seed: number, path: string, transitions: number): Promise<void> => {
  const next = random(seed)
  const pick = <A>(xs: ReadonlyArray<A>): A => xs[Math.floor(next() * xs.length)] as A
  const trace = traceToFile(path, { drivers: [...drivers], types: ["Memory", "Hardware", "Performance"] })
  let recorded = -1 // the header is not a transition
  const sink = trace.config.sink
  const manager = createResourceManager({
    budgets: {
      Memory: { maxBytes: 40, reservedBytes: 8, warningPercent: 50, criticalPercent: 80 },
      Hardware: { maxBytes: 6, reservedBytes: 1, warningPercent: 50, criticalPercent: 80 },
      Performance: { maxBytes: 40, reservedBytes: 4, warningPercent: 50, criticalPercent: 80 }
    },
    trace: {
      ...trace.config,
      sink: (line) => {
        recorded++
        sink(line)
      }
    },
    onLeaks: () => {},
    detectGarbageCollectedLeaks: false,
    // d1–d3 are sequential (while one of its requests waits a driver releases nothing); "app" and "c1" concurrent
    drivers: Object.fromEntries(sequential.map((driver) => [driver, { sequential: true }]))
  })
  const held = new Map<string, Array<Live>>(drivers.map((d) => [d, []]))
  const shares = new Map<string, Array<SharedHandle<unknown>>>(drivers.map((d) => [d, []]))
  /** The open waits: one at most per sequential driver, up to `concurrentWaits` per concurrent owner. */
  const waiting = new Set<{
    readonly driver: string
    readonly abort: AbortController
    done: Promise<void>
    readonly type: string
    readonly size: number
    readonly critical: boolean
  }>()
  const waitsOf = (driver: string): number => [...waiting].filter((w) => w.driver === driver).length
  /** Whether a driver may act now: a sequential one that does not wait, a concurrent owner always. */
  const free = (driver: string): boolean =>
    sequential.includes(driver) ? waitsOf(driver) === 0 : waitsOf(driver) < concurrentWaits
  /** A share (refused ones included), its payload read through the SharedHandle: the owner's value. */
  const shareTo = (target: Live, driver: string): void => {
    let shared: SharedHandle<unknown>
    try {
      shared = manager.share(target.handle, driver)
    } catch {
      return
    }
    shares.get(driver)?.push(shared)
    const payload = shared.payload
    if (!target.ref.released) expect(payload).toBe(target.ref.payload)
    if (shared.metadata.type === "Memory") expect((payload as Uint8Array).byteLength).toBe(shared.metadata.sizeBytes)
  }
  const live: Array<Live> = []
  const blocks: Array<number> = []
  const settle = () => new Promise((resolve) => setImmediate(resolve))
  /**
   * `promise`, which a correct manager settles at once (a wait granted, failed, aborted or timed out by the step
   * before), or a failure naming `what` after 30 s: a broken manager fails here instead of waiting for the test's
   * timeout, which is sized for TLC (a watchdog: it can only fail the test, never pass it).
   */
  const ended = <A>(promise: Promise<A>, what: string): Promise<A> => {
    let timer: ReturnType<typeof setTimeout> | undefined
    const watchdog = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`seed ${seed}: ${what} did not end`)), 30_000)
    })
    return Promise.race([promise, watchdog]).finally(() => clearTimeout(timer))
  }
  // Two failures a random walk almost never reaches, played first on some seeds (drivers d1–d3, fresh manager).
  const memory = (sizeBytes: number, priority: ResourceMetadata["priority"] = "Normal"): ResourceMetadata => ({
    type: "Memory",
    sizeBytes,
    priority
  })
  if (seed % 4 === 1) {
    // a freed name's waiter that would deadlock in its type queue is refused (the move is a RefuseDeadlock)
    const x = manager.acquire("", memory(14), { owner: "d1" })
    const named = manager.acquire("N", memory(14), { owner: "d2" })
    const small = manager.acquire("", memory(4), { owner: "d2" })
    const xWaits = manager.acquireAsync("", memory(18, "Low"), { owner: "d1", mode: "Blocking" })
    const nameWait = manager.acquireAsync("N", memory(20), { owner: "d3", mode: "Blocking" }).catch(() => undefined)
    await settle()
    named.release()
    await ended(nameWait, "the name waiter's refusal")
    small.release()
    ;(await ended(xWaits, "d1's wait")).release()
    x.release()
    await settle()
  } else if (seed % 4 === 2) {
    // a lowered budget fails a waiter that can never fit it any more
    const held = manager.acquire("", memory(10), { owner: "d1" })
    const big = manager.acquireAsync("", memory(30), { owner: "d2", mode: "Blocking" }).catch(() => undefined)
    await settle()
    manager.setBudget("Memory", { maxBytes: 24, reservedBytes: 8, warningPercent: 50, criticalPercent: 80 })
    await ended(big, "the failure of a waiter that can never fit")
    manager.setBudget("Memory", { maxBytes: 40, reservedBytes: 8, warningPercent: 50, criticalPercent: 80 })
    held.release()
    await settle()
  } else if (seed % 4 === 3) {
    // the share check: "app" holds R (30 of Memory's limit 32) and 2 more; sequential d2 waits for 16; share(R,
    // d2) would keep R's 30 bytes until d2's wait ends: refused (a RefuseShare line), the state unchanged; the
    // 2-byte share leaves d2 able to finish and is accepted. Then "app" waits for bytes its own tasks hold and
    // one of its tasks releases R while it waits.
    const r = manager.acquire("", { ...memory(30), flags: 8 })
    const small = manager.acquire("", { ...memory(2), flags: 8 })
    const d2Waits = manager.acquireAsync("", memory(16), { owner: "d2", mode: "Blocking" })
    await settle()
    let refusal: unknown
    try {
      manager.share(r.handle, "d2")
    } catch (error) {
      refusal = error
    }
    expect((refusal as { readonly _tag?: string } | undefined)?._tag).toBe("DeadlockDetected")
    const shared = manager.share(small.handle, "d2")
    expect(shared.payload).toBe(small.payload)
    const appWaits = manager.acquireAsync("", memory(10), { mode: "Blocking" })
    await settle()
    r.release()
    const [granted, own] = await ended(Promise.all([d2Waits, appWaits]), "the grants of d2's and app's waits")
    small.release()
    expect((shared.payload as Uint8Array).byteLength).toBe(2)
    shared.release()
    granted.release()
    own.release()
    await settle()
  }
  for (let step = 0; recorded < transitions; step++) {
    if (step > transitions * 20) throw new Error(`seed ${seed}: the workload records too few transitions`)
    // a removed budget is set again soon (each step 1 in 5, once no waiter of its type could be stranded): while
    // its type is unlimited every request of it is admitted, and the usage climbs
    const unbudgeted = budgetedTypes.filter((type) => manager.getBudget(type) === undefined)
    if (unbudgeted.length > 0 && next() < 0.2 && unbudgeted.filter(setBudget).length > 0) {
      await settle()
      continue
    }
    const idle = drivers.filter(free)
    const action = next()
    if (idle.length === 0 || (action < 0.08 && waiting.size > 0)) {
      const wait = pick([...waiting])
      wait.abort.abort(new Error("interrupted"))
      await ended(wait.done, "an aborted wait")
      continue
    }
    const driver = pick(idle)
    const mine = held.get(driver) ?? []
    if (action < 0.5) {
      const kind = next()
      const type = kind < 0.6 ? "Memory" : kind < 0.85 ? "Hardware" : "Performance"
      const max = type === "Memory" ? 40 : type === "Hardware" ? 6 : 40
      const deps = live.filter((r) => !r.ref.released && next() < 0.1).map((r) => r.handle)
      // Performance requests never fit the pool's 8-byte blocks; 4% of requests can never fit at all (unless
      // their type's budget is removed)
      const size =
        next() < 0.04
          ? max + 1
          : type === "Performance"
            ? 9 + Math.floor(next() * 8)
            : Math.floor(next() * (max * 0.6 + 1))
      const metadata: ResourceMetadata = {
        type,
        sizeBytes: size,
        priority: next() < 0.4 ? "Normal" : pick(priorities),
        flags: (next() < 0.5 ? 8 : 0) | (next() < 0.3 ? 32 : 0),
        dependsOn: deps
      }
      const name = pick(names)
      const mode = next()
      const record = (ref: ResourceRef<unknown>) => {
        const entry: Live = {
          ref,
          handle: ref.handle,
          shareable: ((metadata.flags ?? 0) & 8) !== 0,
          reclaimable: ((metadata.flags ?? 0) & 32) !== 0,
          owner: driver
        }
        mine.push(entry)
        live.push(entry)
      }
      if (mode < 0.55 || mode >= 0.9) {
        try {
          record(
            manager.acquire(name, metadata, { ...ownerOf(driver), mode: mode >= 0.9 ? "Emergency" : "NonBlocking" })
          )
        } catch {}
      } else {
        const abort = new AbortController()
        const timeout = mode >= 0.8
        const promise = manager.acquireAsync<unknown>(name, metadata, {
          ...ownerOf(driver),
          signal: abort.signal,
          ...(timeout ? { mode: "Timeout" as const, timeoutMillis: 0 } : { mode: "Blocking" as const })
        })
        const wait = { driver, abort, done: Promise.resolve(), type, size, critical: metadata.priority === "Critical" }
        wait.done = promise.then(record, () => {}).finally(() => waiting.delete(wait))
        waiting.add(wait)
        if (timeout) await ended(wait.done, "a wait of timeout 0")
        else await settle()
      }
    } else if (action < 0.72) {
      const entry = pick(mine.filter((r) => !r.ref.released).concat([]))
      const share = pick(shares.get(driver) ?? [])
      if (share !== undefined && next() < 0.3) {
        // the share still reads the payload, after the owner's release too
        if (!share.released && share.metadata.type === "Memory") {
          expect((share.payload as Uint8Array).byteLength).toBe(share.metadata.sizeBytes)
        }
        share.release()
      } else if (entry !== undefined) entry.ref.release()
      await settle()
    } else if (action < 0.82) {
      // a share to the driver, or (made for it) to a driver with a request waiting: for a sequential one the
      // deadlock check runs, and refuses (a RefuseShare line) when the share would strand a waiter
      const waiters = drivers.filter((d) => d !== driver && waitsOf(d) > 0)
      const to = waiters.length > 0 && next() < 0.4 ? pick(waiters) : driver
      // now and then a share that must be refused: not Shareable, released, or already held
      const refused = next() < 0.15
      const candidates = live.filter((r) => (refused ? true : !r.ref.released && r.shareable && r.owner !== to))
      const target = candidates.length === 0 ? undefined : pick(candidates)
      if (target !== undefined) shareTo(target, to)
    } else if (action < 0.88) {
      const candidates = live.filter((r) => !r.ref.released && r.reclaimable)
      const target = candidates.length === 0 ? undefined : pick(candidates)
      if (target !== undefined) {
        try {
          manager.reclaim(target.handle)
          target.ref.release()
        } catch {}
        await settle()
      }
    } else if (action < 0.93) {
      // a dependency from one of the driver's own resources onto a live one (a cycle is refused); only while
      // nothing waits: an edge added under a waiter can strand it, which no check refuses (docs/semantics.md)
      const dependent = pick(mine.filter((r) => !r.ref.released))
      const dependency = pick(live.filter((r) => !r.ref.released))
      if (dependent !== undefined && dependency !== undefined && waiting.size === 0) {
        try {
          manager.addDependency(dependent.handle, dependency.handle)
        } catch {}
      }
    } else if (action < 0.96) {
      budgetStep()
      await settle()
    } else {
      poolStep()
      await settle()
    }
  }
  // before the close, the drivers free to act release their oldest resources, then shares, until at most 10 are
  // held: a removed budget lets the usage climb, and TLC overflows its stack checking the Close line of a trace
  // that leaves 16 or more resources live (the seeds left 5 to 14 before budgets were removed)
  for (let round = 0; round < 100; round++) {
    const refs = live.filter((r) => !r.ref.released && free(r.owner))
    const handles = [...shares].flatMap(([d, list]) => (free(d) ? list.filter((h) => !h.released) : []))
    if (refs.length + handles.length <= 10) break
    if (refs[0] !== undefined) refs[0].ref.release()
    else handles[0]?.release()
    await settle()
  }
  // every other seed closes with its waits still open: the close fails them
  const open = [...waiting]
  if (seed % 2 === 0) for (const wait of open) wait.abort.abort(new Error("end"))
  else manager.close()
  await ended(Promise.all(open.map((w) => w.done)), "the waits ended by the close or their abort")
  manager.close()
  trace.close()

  /**
   * A budget change of Memory or Hardware: now and then a removal (removeBudget: an Unbudget line), more often
   * when a budgeted type has waiters, and of such a type (the removal grants its type-queue waiters); else a
   * setBudget. A budget set is never below the usage (the model's budget invariants hold on every state it
   * checks); under waiters it is either raised, or so low that every waiter of the type can never fit and fails:
   * a lowered budget that a waiter still fits can strand it (spec/README.md, MCRebudgetDeadlock). Setting a
   * budget on a type without one is a lowering.
   */
  function budgetStep(): void {
    const withBudget = budgetedTypes.filter((type) => manager.getBudget(type) !== undefined)
    const withWaiters = withBudget.filter((type) => [...waiting].some((w) => w.type === type))
    if (next() < (withWaiters.length > 0 ? 0.5 : 0.2)) {
      const type = pick(withWaiters.length > 0 ? withWaiters : withBudget)
      if (type !== undefined) {
        manager.removeBudget(type)
        return
      }
    }
    setBudget(next() < 0.75 ? "Memory" : "Hardware")
  }

  /**
   * Sets type's budget to one of its limits, if one is allowed; whether it did. (A type without a budget may hold
   * more than all of them allow: then the smallest multiple of the reserve that leaves room for its usage is one
   * too; a later change lowers it once the usage is back.)
   */
  function setBudget(type: Budgeted): boolean {
    const { reserved, maxes } = budgeted[type]
    const usage = manager.getResourceStats(type).currentUsage
    const current = manager.getBudget(type)?.maxBytes ?? Number.POSITIVE_INFINITY
    const waits = [...waiting].filter((w) => w.type === type)
    const strandsNone = (m: number) => waits.every((w) => w.size > (w.critical ? m : m - reserved))
    const past = Math.ceil((usage + reserved) / reserved) * reserved
    const unlimited = current === Number.POSITIVE_INFINITY && past > Math.max(...maxes)
    const allowed = (unlimited ? [...maxes, past] : [...maxes]).filter(
      (m) => m - reserved >= usage && (m >= current || strandsNone(m))
    )
    // a lowering that fails waiters is rare: take it whenever the state allows one
    const failing = waits.length > 0 ? allowed.filter((m) => m < current) : []
    const max = failing.length > 0 ? failing[0] : pick(allowed)
    if (max === undefined) return false
    manager.setBudget(type, { maxBytes: max, reservedBytes: reserved, warningPercent: 50, criticalPercent: 80 })
    return true
  }

  /** Grows, uses, trims or destroys a pool of Performance (8-byte blocks): PoolGrow, RefusePoolGrow, PoolTrim. */
  function poolStep(): void {
    // growth is not checked for deadlocks and yields only to type-queue waiters of rank >= Normal: it can take
    // for good the bytes a Low waiter or a name waiter needs (spec/README.md, "Findings"), so the pool grows
    // only while no Performance request waits
    const grows = ![...waiting].some((w) => w.type === "Performance")
    const pool = manager.pools.getPool("Performance", 8)
    if (pool === undefined) {
      if (grows) manager.pools.createPool({ type: "Performance", blockSize: 8, initialCount: 1, maxCount: 3 })
      return
    }
    const choice = next()
    if (choice < 0.4 && grows) {
      const block = pool.alloc()
      if (block >= 0) blocks.push(block)
    } else if (choice < 0.7 && blocks.length > 0) {
      pool.free(blocks.splice(Math.floor(next() * blocks.length), 1)[0] as number)
    } else if (choice < 0.9) {
      manager.pools.trim("Performance")
    } else if (blocks.length === 0) {
      manager.pools.destroyPool("Performance", 8)
    }
  }
}

const jar = findJar()
if (jar === undefined) console.log(skipLine("trace validation of the manager's random workloads"))

/** Fixed seeds (TRACE_SEEDS=1,2,3 to pick others) and the transitions each trace must have at least. */
const seeds = process.env.TRACE_SEEDS?.split(",").map(Number) ?? Array.from({ length: 20 }, (_, i) => i + 1)
const minTransitions = 200

/** Every action of the trace format (spec/README.md, "Trace format"). */
const everyAction = [
  "Acquire",
  "AcquireEmergency",
  "Reject",
  "Enqueue",
  "RefuseDeadlock",
  "Grant",
  "Timeout",
  "Interrupt",
  "Release",
  "Share",
  "RefuseShare",
  "Reclaim",
  "AddDependency",
  "RefuseDependency",
  "Rebudget",
  "Unbudget",
  "PoolGrow",
  "RefusePoolGrow",
  "PoolTrim",
  "Close"
]

/** The header line of a trace file. */
const transitionHeader = (path: string): string => readFileSync(path, "utf8").split("\n")[0] ?? "{}"

/** The transition lines of a trace file (its non-empty lines after the header). */
const transitionLines = (path: string): Array<string> =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .slice(1)

describe("trace validation against the TLA+ model", () => {
  test.skipIf(jar === undefined)(
    `${seeds.length} random workloads of the real manager (≥ ${minTransitions} transitions each) are behaviours of spec/ResourceManager.tla`,
    async () => {
      const dir = process.env.TRACE_DIR ?? mkdtempSync(join(tmpdir(), "rm-trace-"))
      const paths = seeds.map((seed) => join(dir, `seed-${seed}.ndjson`))
      let transitions = 0
      for (const [index, seed] of seeds.entries()) {
        const path = paths[index] ?? ""
        await workload(seed, path, minTransitions)
        const count = transitionLines(path).length
        expect(count).toBeGreaterThanOrEqual(minTransitions)
        transitions += count
      }
      // every kind of manager transition appears in the corpus, refusals and failures included
      const coverage = new Map<string, number>()
      const count = (kind: string) => coverage.set(kind, (coverage.get(kind) ?? 0) + 1)
      for (const path of paths) {
        const kinds = (JSON.parse(transitionHeader(path)) as { readonly sequential: ReadonlyArray<string> }).sequential
        const kind = (driver: string) => (kinds.includes(driver) ? "sequential" : "concurrent")
        // the requests waiting after each line, by driver: a wait starts with a new request's Enqueue and ends
        // with its Grant, Timeout, Interrupt, refused move, or a Rebudget or Close that fails it
        const waits = new Map<number, string>()
        /** The types whose budget a line removed (and no later line set again). */
        const removed = new Set<string>()
        const waitsOf = (driver: string) => [...waits.values()].filter((d) => d === driver).length
        let previous = ""
        for (const line of transitionLines(path)) {
          const entry = JSON.parse(line) as {
            readonly action: string
            readonly req?: number
            readonly driver?: string
            readonly failed?: ReadonlyArray<number>
            readonly type?: string
          }
          const { action, req = 0, driver = "" } = entry
          count(action)
          // a removal admitting waiters (its Grant lines follow it at once), a budget set again after a removal
          if (previous === "Unbudget" && action === "Grant") count("Unbudget granting waiters")
          previous = action
          if (action === "Unbudget") removed.add(entry.type ?? "")
          if (action === "Rebudget" && removed.delete(entry.type ?? "")) count("Rebudget of a removed budget")
          // the failures that end a wait: a refused name move, a waiter failed by a budget or by the close
          if (action === "RefuseDeadlock" && line.includes('"freed"')) count("refused name move")
          if ((action === "Rebudget" || action === "Close") && (entry.failed?.length ?? 0) > 0) {
            count(`${action} failing waiters`)
          }
          // what a concurrent owner does while its requests wait; shares to waiting drivers of both kinds
          if (waitsOf(driver) > 0) {
            if (action === "Release" && kind(driver) === "concurrent") count("Release by a waiting concurrent owner")
            if (action === "Acquire" && kind(driver) === "concurrent") count("Acquire by a waiting concurrent owner")
            if (action === "Share" || action === "RefuseShare") count(`${action} to a waiting ${kind(driver)} driver`)
          }
          if (action === "Enqueue" && !waits.has(req)) {
            if (waitsOf(driver) > 0) count("second wait of a concurrent owner")
            waits.set(req, driver)
          }
          if (["Grant", "Timeout", "Interrupt", "RefuseDeadlock"].includes(action)) waits.delete(req)
          for (const failed of entry.failed ?? []) waits.delete(failed)
        }
      }
      console.log(
        `trace coverage: ${[...coverage]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([action, count]) => `${action} ${count}`)
          .join(", ")}`
      )
      const failures = [
        "refused name move",
        "Rebudget failing waiters",
        "Unbudget granting waiters",
        "Rebudget of a removed budget",
        "Close failing waiters",
        "Release by a waiting concurrent owner",
        "Acquire by a waiting concurrent owner",
        "second wait of a concurrent owner",
        "Share to a waiting concurrent driver",
        "Share to a waiting sequential driver",
        "RefuseShare to a waiting sequential driver"
      ]
      expect([...everyAction, ...failures].filter((kind) => !coverage.has(kind))).toEqual([])
      // TLC itself failing on a trace (no offending line: a crash) is retried once, alone; after three rejected
      // traces the rest are left unchecked (a manager that breaks every trace fails in a few TLC runs)
      const result = await validateTraces(jar as string, paths, { maxRejected: 3 })
      const verdicts: Array<{ readonly path: string; readonly verdict: TraceVerdict }> = []
      for (const { path, verdict } of result.verdicts) {
        const crashed = !verdict.ok && verdict.line === undefined && verdict.reason !== notChecked
        const retried = crashed ? await validateTrace(jar as string, path) : verdict
        verdicts.push({ path, verdict: retried })
      }
      const rejected = verdicts.filter(({ verdict }) => !verdict.ok)
      console.log(
        `trace validation: ${seeds.length} traces, ${transitions} transitions, ${result.runs} TLC run(s), ` +
          `${result.seconds.toFixed(1)}s of TLC; ${rejected.length} rejected`
      )
      for (const { path, verdict } of rejected) console.log(report(path, verdict))
      expect(rejected.map(({ path }) => path)).toEqual([])
    },
    900_000
  )

  test.skipIf(jar === undefined)(
    "corrupted copies of a recorded trace are rejected at the corrupted line",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "rm-trace-corrupt-"))
      const original = join(dir, "seed-1.ndjson")
      await workload(1, original, minTransitions)
      const lines = readFileSync(original, "utf8").split("\n")
      // 1. a usage number off by one, in the middle of the trace
      const usageAt = lines.findIndex((line, i) => i >= lines.length / 2 && /"usage":\{"Memory":\d+/.test(line))
      const wrongUsage = lines.map((line, i) =>
        i === usageAt
          ? line.replace(/"usage":\{"Memory":(\d+)/, (_, n: string) => `"usage":{"Memory":${Number(n) + 1}`)
          : line
      )
      // 2. a Grant swapped with the Release that made room for it: the Grant comes too early
      const releaseAt = lines.findIndex(
        (line, i) => line.includes('"action":"Release"') && (lines[i + 1] ?? "").includes('"action":"Grant"')
      )
      const swapped = lines.map((line, i) =>
        i === releaseAt ? (lines[i + 1] ?? "") : i === releaseAt + 1 ? (lines[releaseAt] ?? "") : line
      )
      expect(usageAt).toBeGreaterThan(0)
      expect(releaseAt).toBeGreaterThan(0)
      const usagePath = join(dir, "wrong-usage.ndjson")
      const swappedPath = join(dir, "grant-before-release.ndjson")
      writeFileSync(usagePath, wrongUsage.join("\n"))
      writeFileSync(swappedPath, swapped.join("\n"))
      const result = await validateTraces(jar as string, [usagePath, swappedPath, original])
      for (const { path, verdict } of result.verdicts) console.log(report(path, verdict))
      const [usage, swap, intact] = result.verdicts.map(({ verdict }) => verdict)
      expect(intact?.ok).toBe(true)
      expect(usage?.ok).toBe(false)
      expect(usage?.ok === false && usage.line).toBe(usageAt + 1)
      expect(usage?.ok === false && usage.reason).toContain("post-state differs")
      expect(swap?.ok).toBe(false)
      expect(swap?.ok === false && swap.line).toBe(releaseAt + 1)
      expect(swap?.ok === false && swap.reason).toContain("not enabled")
    },
    600_000
  )
})
