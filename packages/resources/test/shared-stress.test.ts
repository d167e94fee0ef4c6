/**
 * The shared manager under load: 4 workers run random operations (test/fixtures/shared-stress-worker.ts) on a
 * small budget with a reserve, while an observer worker checks the ledger continuously, two victim workers are
 * terminated at random points (and reaped), and the test thread stops everyone a few times to check the whole
 * ledger at rest. At the end, every hold released, the ledger is empty.
 *
 * `SHARED_STRESS_OPS` sets the operations per worker (default 250,000), `SHARED_STRESS_SEED` the seed (printed);
 * `STRESS_DEBUG=1` prints every message the workers send.
 */
import { expect, test } from "bun:test"
import { SharedBlockPool } from "@flight-hal/pool"
import { createSharedResourceManager, type SharedPoolConfig, type SharedResourceManager } from "../src/index.ts"
import { pressureLevel } from "../src/internal/pressure.ts"
import { H, R, S, SLOT_INT_WORDS, THREAD_INT_WORDS, W, WAITER_INT_WORDS } from "../src/internal/shared/layout.ts"
import { Ledger } from "../src/internal/shared/ledger.ts"
import type { ObserverReport, OpsReport, PauseReport, StressSetup } from "./fixtures/shared-stress-worker.ts"
import { prng } from "./support/harness.ts"
import { until } from "./support/shared-agents.ts"

const WORKERS = 4
const OPS = Number(process.env.SHARED_STRESS_OPS ?? 250_000)
const SEED = Number(process.env.SHARED_STRESS_SEED ?? Date.now() % 1_000_000)
const VICTIMS = 2
const PAUSES = [0.25, 0.5, 0.75]
const MEMORY = { maxBytes: 4096, reservedBytes: 1024, warningPercent: 50, criticalPercent: 80 }
const BOARD_PER_THREAD = 16
const LOST_AFTER_MILLIS = 2000
const KILLS = Number(process.env.SHARED_STRESS_KILLS ?? 12)

interface Message {
  readonly from: Worker
  readonly data: { readonly kind: string } & Record<string, unknown>
}

/** Every worker's messages in one queue, in arrival order. */
class Inbox {
  private readonly queue: Array<Message> = []
  private waiter: ((message: Message) => void) | undefined

  listen(worker: Worker): Worker {
    worker.onmessage = (event: MessageEvent) => this.push({ from: worker, data: event.data })
    worker.onerror = (event) => this.push({ from: worker, data: { kind: "crashed", error: String(event.message) } })
    return worker
  }

  push(message: Message): void {
    const waiter = this.waiter
    if (waiter !== undefined) {
      this.waiter = undefined
      waiter(message)
    } else this.queue.push(message)
  }

  /** The next message; after `silenceMillis` without one, `onSilence` says why (a failure deadline). */
  take(silenceMillis: number, onSilence: () => string): Promise<Message> {
    const first = this.queue.shift()
    if (first !== undefined) return Promise.resolve(first)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined
        reject(new Error(`no message from any stress worker for ${silenceMillis} ms\n${onSilence()}`))
      }, silenceMillis)
      this.waiter = (message) => {
        clearTimeout(timer)
        resolve(message)
      }
    })
  }
}

/** Live resources of every type (allocations less releases). */
const totalLive = (ledger: Ledger): number => {
  let live = 0
  for (let type = 0; type < ledger.typeCount; type++) live += ledger.liveOf(type)
  return live
}

/** What the ledger shows of locks, waits and threads (to tell why the workers went quiet). */
const describeLedger = (m: SharedResourceManager): string => {
  const ledger = new Ledger(m.descriptor.buffer)
  const lines = [
    `lock ${Atomics.load(ledger.header, H.lock)}, waiting ${Atomics.load(ledger.header, H.waiting)}, live ${totalLive(ledger)}, threads ${m.threads()}`
  ]
  for (let e = 0; e < ledger.maxWaiters; e++) {
    const at = e * WAITER_INT_WORDS
    const state = Atomics.load(ledger.waitersInt, at + W.state)
    if (state === 0) continue
    const name = new TextDecoder().decode(ledger.waiterName(e).slice())
    lines.push(
      `waiter ${e}: state ${state} thread ${ledger.waitersInt[at + W.thread]} type ${ledger.waitersInt[at + W.type]} priority ${ledger.waitersInt[at + W.priority]} ticket ${ledger.waitersInt[at + W.ticket]} size ${ledger.waitersBig[e]} name "${name}"`
    )
  }
  for (let t = 0; t < ledger.maxThreads; t++) {
    const at = t * THREAD_INT_WORDS
    lines.push(
      `thread ${t}: claim ${Atomics.load(ledger.threadsInt, at + R.claim)} epoch ${Atomics.load(ledger.threadsInt, at + R.epoch)} heartbeat ${Atomics.load(ledger.threadsInt, at + R.heartbeat)} live ${ledger.threadLive(t)}`
    )
  }
  lines.push(JSON.stringify(m.audit().filter((a) => a.liveCount > 0 || a.waiting > 0)))
  return lines.join("\n")
}

/**
 * Checks the whole ledger while nothing moves: every holder bit is a hold some thread reports, usage is the sum
 * of the live sizes, the counters agree with the slots, the free list holds every other slot, nothing waits.
 */
const checkAtRest = (
  m: SharedResourceManager,
  holds: ReadonlyMap<number, PauseReport["holds"]>,
  label: string,
  pools: ReadonlyArray<SharedPoolConfig> = []
) => {
  const ledger = new Ledger(m.descriptor.buffer)
  const typeIndex = new Map(m.audit().map((a, index) => [a.type, index]))
  const reported: Array<string> = []
  for (const [thread, list] of holds)
    for (const [slot, generation] of list) reported.push(`${slot}/${generation}@${thread}`)
  const recorded: Array<string> = []
  const liveSlots = new Set<number>()
  const types = ledger.typeCount
  const sizes = new Array<number>(types).fill(0)
  const overages = new Array<number>(types).fill(0)
  const counts = new Array<number>(types).fill(0)
  // a pool's capacity is charged at creation; its blocks' resources add nothing
  const charged = new Array<number>(types).fill(0)
  for (const pool of pools) {
    const type = typeIndex.get(pool.type) as number
    charged[type] = (charged[type] as number) + pool.blockSize * pool.blockCount
  }
  const pooledLive = new Array<number>(pools.length).fill(0)
  for (let slot = 0; slot < ledger.maxResources; slot++) {
    const mask = ledger.maskOf(slot)
    if (mask === 0) continue
    liveSlots.add(slot)
    const type = ledger.slotsInt[slot * SLOT_INT_WORDS + S.type] as number
    if (ledger.poolOf(slot) < 0) sizes[type] = (sizes[type] as number) + ledger.sizeOf(slot)
    else pooledLive[ledger.poolOf(slot)] = (pooledLive[ledger.poolOf(slot)] as number) + 1
    overages[type] = (overages[type] as number) + ledger.overageOf(slot)
    counts[type] = (counts[type] as number) + 1
    const generation = ledger.generationOf(slot)
    for (let t = 0; t < 32; t++) if ((mask & (1 << t)) !== 0) recorded.push(`${slot}/${generation}@${t}`)
  }
  expect(`${label}: ${recorded.sort().join(" ")}`).toBe(`${label}: ${reported.sort().join(" ")}`)
  const audit = m.audit()
  for (let type = 0; type < types; type++) {
    const a = audit[type]
    if (a === undefined) throw new Error(`no audit of type ${type}`)
    const perThread = Array.from({ length: ledger.maxThreads }, (_, t) => m.threadStats(t)[type]?.currentUsage ?? 0)
    const state = {
      usage: a.usage,
      liveBytes: a.liveBytes,
      liveCount: a.liveCount,
      allocationsLessReleases: ledger.liveOf(type),
      emergencyBytes: a.emergencyBytes,
      overages: overages[type],
      threadsUsage: perThread.reduce((n, u) => n + u, 0),
      waiting: a.waiting,
      level: ledger.level(type)
    }
    expect({ label, type: a.type, ...state }).toEqual({
      label,
      type: a.type,
      usage: (sizes[type] as number) + (charged[type] as number),
      liveBytes: (sizes[type] as number) + (charged[type] as number),
      liveCount: counts[type] as number,
      allocationsLessReleases: counts[type] as number,
      emergencyBytes: overages[type] as number,
      overages: overages[type] as number,
      threadsUsage: sizes[type] as number,
      waiting: 0,
      level: a.budget === undefined ? 0 : pressureLevel(a.budget, a.usage)
    })
    if (a.budget !== undefined) expect(a.usage - a.emergencyBytes).toBeLessThanOrEqual(a.budget.maxBytes)
  }
  expect(totalLive(ledger)).toBe(liveSlots.size)
  // every block of each pool is on its free list or serves a live resource (none lost with a terminated thread)
  for (const [index, buffer] of m.descriptor.pools.entries()) {
    const attached = SharedBlockPool.attach(buffer)
    if (!attached.ok) throw new Error(`pool ${index}: ${attached.error._tag}`)
    const free = attached.value.verifySharedFreeList()
    attached.value.detach()
    expect(`${label}: pool ${index}: ${free} free + ${pooledLive[index]} live`).toBe(
      `${label}: pool ${index}: ${(pools[index]?.blockCount ?? 0) - (pooledLive[index] as number)} free + ${pooledLive[index]} live`
    )
  }
  expect(Atomics.load(ledger.header, H.waiting)).toBe(0)
  expect(Atomics.load(ledger.header, H.lock)).toBe(0)
  for (let e = 0; e < ledger.maxWaiters; e++) {
    expect(Atomics.load(ledger.waitersInt, e * WAITER_INT_WORDS + W.state)).toBe(0)
  }
  // the free slots: exactly those that are not live
  const taken: Array<number> = []
  for (let slot = 0; slot < ledger.maxResources; slot++) if (ledger.isTaken(slot)) taken.push(slot)
  expect(`${label}: taken ${taken}`).toBe(`${label}: taken ${[...liveSlots].sort((a, b) => a - b)}`)
  // every live named slot is found by its name
  for (const slot of liveSlots) {
    const name = ledger.nameOf(slot)
    if (name.length > 0)
      expect(ledger.findName(name, ledger.slotsInt[slot * SLOT_INT_WORDS + S.nameHash] as number)).toBe(slot)
  }
  // each thread's allocations less releases are the live slots it acquired
  const owned = new Array<number>(ledger.maxThreads).fill(0)
  for (const slot of liveSlots) owned[ledger.ownerOf(slot)] = (owned[ledger.ownerOf(slot)] as number) + 1
  const threadLive = Array.from({ length: ledger.maxThreads }, (_, t) => ledger.threadLive(t))
  expect(`${label}: ${threadLive}`).toBe(`${label}: ${owned}`)
}

/** A run: the manager, the board of published handles, the workers and the books their messages keep. */
class StressRun {
  readonly m: SharedResourceManager
  readonly managerId: number
  readonly board: SharedArrayBuffer
  readonly inbox = new Inbox()
  readonly all: Array<Worker> = []
  readonly threadOf = new Map<Worker, number>()
  readonly progress = new Map<Worker, number>()
  readonly done = new Map<Worker, OpsReport>()
  /** The workers whose thread has ended (Bun's `close` event: after `terminate`, nothing of it runs any more). */
  readonly exited = new Set<Worker>()
  observed: ObserverReport | undefined

  constructor(
    lostAfterMillis: number,
    boardThreads: number,
    readonly pools: ReadonlyArray<SharedPoolConfig> = [],
    leaseBytes = 0
  ) {
    this.m = createSharedResourceManager({
      budgets: { Memory: MEMORY },
      maxThreads: 12,
      maxResources: 256,
      maxWaiters: 64,
      lostAfterMillis,
      pools,
      leaseBytes
    })
    const probe = this.m.acquire({ type: "Memory", sizeBytes: 0 })
    this.managerId = probe.handle.manager
    probe.release()
    this.board = new SharedArrayBuffer(8 * BOARD_PER_THREAD * boardThreads)
  }

  /** Starts a worker in `role`; `index` is its part of the board and its seed. */
  spawn(role: StressSetup["role"], index: number, ops: number, untilClosed = false): Worker {
    const worker = this.inbox.listen(new Worker(new URL("./fixtures/shared-stress-worker.ts", import.meta.url).href))
    worker.addEventListener("close", () => this.exited.add(worker))
    this.all.push(worker)
    const setup: StressSetup = {
      role,
      descriptor: this.m.descriptor,
      board: this.board,
      boardStart: index * BOARD_PER_THREAD,
      boardSize: BOARD_PER_THREAD,
      manager: this.managerId,
      seed: (SEED * 7919 + index * 104_729) >>> 0,
      ops,
      maxHeld: 6,
      names: 24,
      maxBytes: MEMORY.maxBytes,
      reservedBytes: MEMORY.reservedBytes,
      untilClosed
    }
    worker.postMessage({ cmd: "start", setup })
    return worker
  }

  /** Takes the next message, keeping the books every message updates. */
  async take(): Promise<Message> {
    const message = await this.inbox.take(30_000, () => {
      const status = [...this.threadOf].map(
        ([w, t]) => `${t}: ${this.done.has(w) ? "done" : `${this.progress.get(w) ?? 0} ops`}`
      )
      return `${status.join(", ")}\n${describeLedger(this.m)}`
    })
    if (process.env.STRESS_DEBUG) {
      console.error(this.threadOf.get(message.from), JSON.stringify(message.data).slice(0, 200))
    }
    const { kind } = message.data
    if (kind === "crashed") throw new Error(`a stress worker crashed: ${String(message.data.error)}`)
    if (kind === "ready") this.threadOf.set(message.from, message.data.thread as number)
    if (kind === "progress") this.progress.set(message.from, message.data.ops as number)
    if (kind === "done") this.done.set(message.from, message.data as unknown as OpsReport)
    if (kind === "observed") this.observed = message.data as unknown as ObserverReport
    return message
  }

  /** The worker, once attached. */
  async ready(worker: Worker): Promise<Worker> {
    while (!this.threadOf.has(worker)) await this.take()
    return worker
  }

  end(): void {
    for (const w of this.all) w.terminate()
    this.m.close()
  }
}

/**
 * Keeps the creator's reaper from declaring any other thread lost while `guard.on`: their heartbeat moves each time
 * it looks (its `beat`, wrapped). A victim is then reaped only once its thread has ended, whatever the machine's
 * load (a worker stalled for `lostAfterMillis` is declared lost though alive: shared-reap-alive.test.ts covers that).
 */
const reapOnlyTheDead = (m: SharedResourceManager, guard: { on: boolean }): void => {
  const manager = m as unknown as { beat: () => void }
  const beat = manager.beat
  if (typeof beat !== "function") throw new Error("the shared manager's heartbeat is no longer its beat()")
  const ledger = new Ledger(m.descriptor.buffer)
  manager.beat = () => {
    for (let t = 0; guard.on && t < ledger.maxThreads; t++) {
      const row = t * THREAD_INT_WORDS
      if (t !== m.thread && Atomics.load(ledger.threadsInt, row + R.claim) === 1)
        Atomics.add(ledger.threadsInt, row + R.heartbeat, 1)
    }
    beat.call(m)
  }
}

test("a worker terminated at random points of its steps, again and again: after each reaping the ledger balances", async () => {
  // most requests are served by pools while they have a block (Memory up to 256 bytes: 4 blocks, a quarter of
  // the budget; Hardware: 8 blocks): a kill in the middle of a pool allocation or release must not lose the block
  const run = new StressRun(100, 1, [
    { type: "Memory", blockSize: 256, blockCount: 4 },
    { type: "Hardware", blockSize: 2048, blockCount: 8 }
  ])
  // a victim is not declared lost while it runs: it is reaped after its kill, as the kill left it
  const guard = { on: false }
  reapOnlyTheDead(run.m, guard)
  const random = prng(SEED ^ 0x5bd1e995)
  const kills: Array<number> = []
  try {
    for (let round = 0; round < KILLS; round++) {
      guard.on = true
      const victim = await run.ready(run.spawn("ops", 0, 1_000_000_000))
      const thread = run.threadOf.get(victim) as number
      const killAt = 256 * Math.floor(1 + random() * 16)
      while ((run.progress.get(victim) ?? 0) < killAt) await run.take()
      expect(run.m.threads()).toContain(thread)
      victim.terminate()
      kills.push(run.progress.get(victim) as number)
      // terminate() returns before the thread ends: it may be reaped once nothing of it runs any more
      await until(() => run.exited.has(victim), "the victim's end", 30_000)
      guard.on = false
      await until(() => !run.m.threads().includes(thread), "the reaping", 30_000)
      checkAtRest(run.m, new Map(), `after kill ${round + 1}`, run.pools)
    }
    console.log(`${KILLS} victims killed after [${kills}] operations; the ledger balanced after each reaping`)
    expect(run.m.threads()).toEqual([run.m.thread])
  } finally {
    run.end()
  }
}, 120_000)

test("close() while the workers are in the middle of their operations: they all end with ManagerClosed and the closed ledger holds nothing", async () => {
  const run = new StressRun(LOST_AFTER_MILLIS, WORKERS)
  try {
    const workers: Array<Worker> = []
    for (let i = 0; i < WORKERS; i++) workers.push(await run.ready(run.spawn("ops", i, 1_000_000_000, true)))
    while (workers.some((w) => (run.progress.get(w) ?? 0) < 2048)) await run.take()
    const leaks = run.m.close()
    while (run.done.size < WORKERS) await run.take()
    const reports = workers.map((w) => run.done.get(w) as OpsReport)
    expect(reports.flatMap((r) => r.unexpected)).toEqual([])
    for (const r of reports) expect(r.counts.ManagerClosed).toBe(1)
    const threads = new Set(workers.map((w) => run.threadOf.get(w)))
    for (const leak of leaks) expect(threads.has(leak.thread)).toBe(true)
    for (const a of run.m.audit()) expect([a.type, a.usage, a.liveCount, a.waiting]).toEqual([a.type, 0, 0, 0])
    const ledger = new Ledger(run.m.descriptor.buffer)
    expect([totalLive(ledger), Atomics.load(ledger.header, H.waiting)]).toEqual([0, 0])
    console.log(`closed under load: ${leaks.length} leaks reported, ${reports.map((r) => r.ops)} operations done`)
  } finally {
    run.end()
  }
}, 120_000)

/**
 * The stress run: with `leaseBytes`, threads lease budget bytes (the ceiling of MEMORY is 2047 bytes: below its
 * warning threshold), so admissions and releases move between leases and the usage word, leasing is turned off
 * by refusals and steps above the ceiling and on again, and the victims die holding leases.
 */
const stress = (leaseBytes: number) => async () => {
  const started = performance.now()
  const random = prng(SEED)
  const run = new StressRun(LOST_AFTER_MILLIS, WORKERS + VICTIMS, [], leaseBytes)
  const { m, threadOf, progress, done } = run
  const spawn = (role: StressSetup["role"], index: number, ops: number) => run.spawn(role, index, ops)
  const take = () => run.take()
  const ready = (worker: Worker) => run.ready(worker)

  try {
    const observer = await ready(spawn("observer", WORKERS + VICTIMS, 0))
    const workers: Array<Worker> = []
    for (let i = 0; i < WORKERS; i++) workers.push(await ready(spawn("ops", i, OPS)))
    const victimRuns = Array.from({ length: VICTIMS }, (_, i) => ({
      index: WORKERS + i,
      killAt: Math.floor(1_000 + random() * Math.min(OPS / 10, 20_000))
    }))
    let victim: { worker: Worker; thread: number; killAt: number; killed: number } | undefined
    let nextVictim = 0
    const reapTimes: Array<number> = []
    const startVictim = async () => {
      const next = victimRuns[nextVictim++]
      if (next === undefined) return
      const worker = await ready(spawn("ops", next.index, 1_000_000_000))
      victim = { worker, thread: threadOf.get(worker) as number, killAt: next.killAt, killed: 0 }
    }
    await startVictim()
    const workerOps = () => workers.reduce((n, w) => n + (done.get(w)?.ops ?? progress.get(w) ?? 0), 0)
    const pauses = PAUSES.map((f) => Math.floor(f * WORKERS * OPS))
    let checks = 0

    /** Pauses every running ops thread, checks the ledger at rest, resumes them. */
    const checkPoint = async (label: string) => {
      const running = [...workers, ...(victim !== undefined && victim.killed === 0 ? [victim.worker] : [])]
      for (const w of running) w.postMessage({ cmd: "pause" })
      const holds = new Map<number, PauseReport["holds"]>()
      while (holds.size < running.length) {
        const message = await take()
        if (message.data.kind === "paused") holds.set(threadOf.get(message.from) as number, message.data.holds as never)
      }
      checkAtRest(m, holds, label)
      checks++
      for (const w of running) w.postMessage({ cmd: "resume" })
    }

    while (done.size < WORKERS) {
      const message = await take()
      if (victim !== undefined && victim.killed === 0 && message.from === victim.worker) {
        if (message.data.kind === "progress" && (message.data.ops as number) >= victim.killAt) {
          victim.worker.terminate()
          victim.killed = performance.now()
          const v = victim
          void until(() => !m.threads().includes(v.thread), "the victim's reaping", 30_000).then(
            () => run.inbox.push({ from: v.worker, data: { kind: "reaped" } }),
            (error) => run.inbox.push({ from: v.worker, data: { kind: "crashed", error: String(error) } })
          )
        }
      }
      if (message.data.kind === "reaped" && victim !== undefined && message.from === victim.worker) {
        reapTimes.push(Math.round(performance.now() - victim.killed))
        victim = undefined
        await checkPoint("after a reaping")
        await startVictim()
      }
      const reaping = victim !== undefined && victim.killed !== 0
      if (!reaping && pauses.length > 0 && workerOps() >= (pauses[0] as number)) {
        pauses.shift()
        await checkPoint(`at ${workerOps()} operations`)
      }
    }
    // a victim still running is killed now; wait for every reaping
    if (victim !== undefined && victim.killed === 0) {
      victim.worker.terminate()
      victim.killed = performance.now()
    }
    if (victim !== undefined) {
      const v = victim
      await until(() => !m.threads().includes(v.thread), "the last victim's reaping", 30_000)
      reapTimes.push(Math.round(performance.now() - v.killed))
      victim = undefined
    }
    await checkPoint("at the end")
    observer.postMessage({ cmd: "stop" })
    while (run.observed === undefined) await take()
    const observed = run.observed
    for (const w of workers) w.postMessage({ cmd: "close" })
    const leaks: Array<unknown> = []
    for (let closed = 0; closed < WORKERS; ) {
      const message = await take()
      if (message.data.kind === "closed") {
        closed++
        leaks.push(...(message.data.leaks as Array<unknown>))
      }
    }
    const seconds = (performance.now() - started) / 1000
    const reports = workers.map((w) => done.get(w) as OpsReport)
    const total = reports.reduce((n, r) => n + r.ops, 0)
    const counts: Record<string, number> = {}
    for (const r of reports) for (const [k, v] of Object.entries(r.counts)) counts[k] = (counts[k] ?? 0) + v
    const memory = m.getResourceStats("Memory")
    console.log(
      [
        `shared stress${leaseBytes > 0 ? `, leases of ${leaseBytes} B` : ""} (seed ${SEED}): ${total} operations by ${WORKERS} workers in ${seconds.toFixed(1)} s`,
        `  (${Math.round(total / seconds)} ops/s), ${VICTIMS} victims killed at [${victimRuns.map((v) => v.killAt)}] of their ops, reaped after [${reapTimes}] ms`,
        `  ${checks} checks at rest; observer: ${observed.snapshots} snapshots, ${observed.slotsChecked} live slots checked, max below-reserve ${observed.maxNonReserve}/${MEMORY.maxBytes - MEMORY.reservedBytes} B, max usage − emergency ${observed.maxNonEmergency}/${MEMORY.maxBytes} B`,
        `  Memory: ${memory.allocationCount} allocations, ${memory.failedCount} failures, ${memory.emergencyCount} Emergency, peak ${memory.peakUsage} B, ${m.audit().find((a) => a.type === "Memory")?.leases ?? 0} leases taken`,
        `  ${JSON.stringify(counts)}`,
        `  pressure events seen per worker: [${reports.map((r) => r.pressureEvents)}], reclamation calls: [${reports.map((r) => r.reclaimCalls)}]`
      ].join("\n")
    )
    expect(reports.flatMap((r) => r.unexpected)).toEqual([])
    expect(observed.violations).toEqual([])
    expect(observed.snapshots).toBeGreaterThan(0)
    expect(total).toBe(WORKERS * OPS)
    expect(leaks).toEqual([])
    for (const key of [
      "NonBlocking admitted",
      "Emergency admitted",
      "Blocking admitted",
      "Timeout admitted",
      "share"
    ]) {
      expect(counts[key] ?? 0).toBeGreaterThan(0)
    }
    // the leased run leased (and the other did not): otherwise it would check nothing new
    const leases = m.audit().find((a) => a.type === "Memory")?.leases ?? 0
    if (leaseBytes > 0) expect(leases).toBeGreaterThan(0)
    else expect(leases).toBe(0)
    for (const a of m.audit()) {
      expect({ type: a.type, usage: a.usage, liveCount: a.liveCount, waiting: a.waiting, e: a.emergencyBytes }).toEqual(
        {
          type: a.type,
          usage: 0,
          liveCount: 0,
          waiting: 0,
          e: 0
        }
      )
    }
    expect(m.threads()).toEqual([m.thread])
    expect(m.close()).toEqual([])
  } finally {
    run.end()
  }
}

test(
  `shared manager stress: ${WORKERS} workers × ${OPS} operations, an observer, ${VICTIMS} workers killed`,
  stress(0),
  180_000
)

test(
  `shared manager stress with leases: ${WORKERS} workers × ${OPS} operations, an observer, ${VICTIMS} workers killed`,
  stress(200),
  180_000
)
