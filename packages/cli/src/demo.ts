/**
 * The demo: a deterministic, game-like workload on a platform profile.
 *
 * Every `levelEvery` frames a level is loaded: its level data (a large non-pooled buffer), its
 * textures (through the `textures` pool, kept in an LRU texture cache after the level ends) and
 * its audio buffers (through the `audio-buffers` pool). A vertex buffer from the `vertex-buffers`
 * pool is shared between the `graphics` and `audio` drivers; DMA buffers are held by `audio`.
 * A Memory reclamation callback evicts the least recently used cached textures when a request does
 * not fit, and a pressure callback evicts the whole cache when Memory pressure reaches High. At
 * fixed points of the run: a Timeout request for Hardware bytes that cannot be had times out, an
 * Emergency allocation is admitted over budget, and `graphics` and `audio` each wait for the
 * exclusive resource the other holds: the manager detects the deadlock and refuses the second wait.
 *
 * Determinism: all randomness comes from a seeded PRNG, and time is the manager's logical clock
 * (Effect's TestClock, 16 ms per frame), so the same seed and options give the same summary, and
 * the 50 ms timeout costs no wall-clock time.
 *
 * Pools: the demo builds the profile's pool presets as `BlockPool`s of its own, which hand out the
 * payloads, and charges the manager the preset's block size for each block in use (one resource
 * per block); the manager is given no pools of its own. The payload blocks are capped at 4 KiB so
 * that a `desktop` or `server` run does not allocate gigabytes.
 *
 * @module
 */
import {
  type ResourceMetadata,
  type ResourcePressure,
  ResourcePressureNames,
  type ResourceType
} from "@flight-hal/core"
import { BlockPool, NO_BLOCK } from "@flight-hal/pool"
import {
  type PlatformProfile,
  type PoolPreset,
  profileToConfig,
  ResourceManager,
  type ResourceManagerService,
  type ResourceRef,
  recordTimeline,
  type TimelineRecord
} from "@flight-hal/resources"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import { TestClock } from "effect/testing"
import { dumpManager, type ManagerDump } from "./dump.ts"
import { count } from "./internal/format.ts"
import { makePrng, type Prng } from "./internal/prng.ts"
import type { DemoEvent, DemoRun, DemoSummary, PoolSummary, TimelineSample, TypeSummary } from "./model.ts"

/**
 * Options of {@link runDemo}.
 *
 * @since 0.1.0
 * @category models
 */
export interface DemoOptions {
  /** The platform profile. */
  readonly profile: PlatformProfile
  /** Frames to run (≥ 1). */
  readonly frames: number
  /** PRNG seed. */
  readonly seed: number
  /** Called after each frame with its sample and the latest event (for the live view). */
  readonly onFrame?: (sample: TimelineSample, lastEvent: string) => void
  /** Receives a dump of the manager taken while the provoked deadlock is in place (for `--dump`). */
  readonly onDump?: (dump: ManagerDump) => void
  /**
   * Wall-clock milliseconds per frame, for a live view a person can follow (`--fps`): frame `i`
   * ends no earlier than `i × frameMillis` after the start. Absent: the run is as fast as it goes.
   * The manager's clock is logical either way, so the results do not change.
   */
  readonly frameMillis?: number
}

/** The logical duration of one frame. */
const FRAME_MILLIS = 16
/** The Timeout request's limit. */
const TIMEOUT_MILLIS = 50
/** The largest payload block the demo really allocates. */
const PAYLOAD_BLOCK_CAP = 4096

const Flags = { Shareable: 0x08, Reclaimable: 0x20, Cacheable: 0x01, DMACapable: 0x04, GPUAccessible: 0x02 } as const

interface PooledResource {
  readonly ref: ResourceRef<unknown>
  readonly pool: BlockPool
  readonly block: number
}

interface CachedTexture extends PooledResource {
  readonly name: string
  level: number
  lastUsed: number
}

const rank = (level: ResourcePressure): number => ResourcePressureNames.indexOf(level)

/**
 * Milestones of a run of `frames` frames. The deadlock comes at least four frames after the Timeout request,
 * which times out three frames after it is made: a streamer still waiting for Hardware bytes would join the
 * cycle (drivers audio, graphics, streamer). So a run of fewer than 6 frames has no deadlock.
 */
const schedule = (frames: number) => {
  const timeoutAt = Math.max(2, Math.floor(frames * 0.35))
  return {
    levelEvery: Math.max(8, Math.floor(frames / 6)),
    timeoutAt,
    emergencyAt: Math.max(3, Math.floor(frames * 0.55)),
    deadlockAt: Math.max(timeoutAt + 4, Math.floor(frames * 0.75))
  }
}

const makeWorkload = Effect.fnUntraced(function* (
  options: DemoOptions,
  manager: ResourceManagerService,
  scope: Scope.Scope
) {
  const { profile, frames } = options
  const prng: Prng = makePrng(options.seed)
  const plan = schedule(frames)
  const events: Array<DemoEvent> = []
  const samples: Array<TimelineSample> = []
  const counts = {
    levelLoads: 0,
    texturesLoaded: 0,
    audioBuffersLoaded: 0,
    evictions: 0,
    evictedBytes: 0,
    shares: 0,
    emergencyAllocations: 0,
    timeouts: 0,
    deadlocksDetected: 0,
    pressureChanges: 0,
    rejected: 0,
    leaks: 0
  }
  let frame = 0
  let lastEvent = "starting"
  let deadlock: DemoSummary["deadlock"] = null
  const record = (event: Omit<DemoEvent, "frame">) => {
    events.push({ frame, ...event })
    lastEvent = `[${frame}] ${event.message}`
  }

  // Pools: the profile's presets, payload blocks capped (the manager is charged the preset's size).
  const presets = new Map<string, PoolPreset>()
  const pools = new Map<string, BlockPool>()
  const peakInUse = new Map<string, number>()
  for (const preset of profile.pools) {
    const made = BlockPool.make({
      name: preset.name,
      blockSize: Math.min(preset.blockSize, PAYLOAD_BLOCK_CAP),
      maxCount: preset.maxCount,
      initialCount: preset.initialCount,
      alignment: preset.alignment
    })
    if (!made.ok) return yield* Effect.die(made.error)
    presets.set(preset.name, preset)
    pools.set(preset.name, made.value)
    peakInUse.set(preset.name, 0)
  }
  // The highest usage of each type inside each frame: a timeline recorder reads the manager's window peak
  // (the spike reached and paid back within the frame included) and restarts it at each frame's sample.
  let framePeaks: { readonly [type: string]: number } = {}
  const peakRecorder = recordTimeline(manager, {
    sink: (line) => {
      const record = JSON.parse(line) as TimelineRecord | { readonly kind?: undefined }
      if (record.kind === "sample") framePeaks = record.peak
    }
  })
  yield* Scope.addFinalizer(scope, Effect.sync(peakRecorder.stop))
  const poolDumps = (): ManagerDump["pools"] =>
    [...pools].map(([name, pool]) => {
      const stats = pool.stats()
      return {
        name,
        blockSize: presets.get(name)?.blockSize ?? stats.blockSize,
        maxCount: pool.maxCount,
        totalBlocks: stats.totalBlocks,
        usedBlocks: stats.usedBlocks,
        peakUsedBlocks: stats.peakUsedBlocks
      }
    })
  const poolNamed = (name: string) => ({ pool: pools.get(name), preset: presets.get(name) })

  const acquire = (name: string, metadata: ResourceMetadata, owner: string) =>
    Scope.provide(manager.acquire<unknown>(name, metadata, { owner, create: () => undefined }), scope)

  /** Takes a block of a pool and charges it to the manager; undefined when the pool or the budget refuses. */
  const acquirePooled = Effect.fnUntraced(function* (
    poolName: string,
    name: string,
    owner: string,
    extra: Partial<ResourceMetadata>,
    makeRoom?: () => boolean
  ) {
    const { pool, preset } = poolNamed(poolName)
    if (pool === undefined || preset === undefined) return undefined
    let block = pool.alloc()
    while (block === NO_BLOCK && makeRoom?.() === true) block = pool.alloc()
    if (block === NO_BLOCK) {
      counts.rejected++
      record({ kind: "rejected", type: preset.type, message: `${name}: pool ${poolName} exhausted` })
      return undefined
    }
    const metadata: ResourceMetadata = { type: preset.type, sizeBytes: preset.blockSize, ...extra }
    const result = yield* Effect.result(acquire(name, metadata, owner))
    if (result._tag === "Failure") {
      pool.free(block)
      counts.rejected++
      record({ kind: "rejected", type: preset.type, message: `${name}: ${result.failure._tag}` })
      return undefined
    }
    return { ref: result.success, pool, block }
  })

  const releasePooled = (resource: PooledResource) => {
    resource.ref.release()
    resource.pool.free(resource.block)
  }

  // The texture cache: textures outlive their level until evicted.
  const cache = new Map<string, CachedTexture>()
  let currentLevel = 0
  const evict = (texture: CachedTexture) => {
    cache.delete(texture.name)
    releasePooled(texture)
    counts.evictions++
    counts.evictedBytes += texture.ref.metadata.sizeBytes
  }
  const lruOrder = () =>
    [...cache.values()]
      .filter((t) => t.level !== currentLevel)
      .sort((a, b) => a.lastUsed - b.lastUsed || (a.name < b.name ? -1 : 1))

  yield* Scope.provide(
    manager.registerReclamationCallback("Memory", (missing) =>
      Effect.sync(() => {
        let freed = 0
        let evicted = 0
        for (const texture of lruOrder()) {
          if (freed >= missing) break
          freed += texture.ref.metadata.sizeBytes
          evicted++
          evict(texture)
        }
        if (evicted > 0)
          record({
            kind: "evict",
            message: `reclamation evicted ${count(evicted, "cached texture")} (${count(freed, "byte")})`
          })
        return freed
      })
    ),
    scope
  )
  yield* Scope.provide(
    manager.registerPressureCallback((event) => {
      counts.pressureChanges++
      record({
        kind: "pressure",
        type: event.type,
        from: event.from,
        to: event.to,
        message: `${event.type} pressure ${event.from} → ${event.to}`
      })
      if (event.type === "Memory" && rank(event.to) >= rank("High")) {
        const victims = lruOrder()
        for (const texture of victims) evict(texture)
        if (victims.length > 0) {
          record({
            kind: "evict",
            message: `pressure callback evicted the texture cache (${count(victims.length, "texture")})`
          })
        }
      }
    }),
    scope
  )

  const memoryBudget = profile.budgets.Memory
  const hardwareBudget = profile.budgets.Hardware
  const memoryLimit = memoryBudget === undefined ? 0 : memoryBudget.maxBytes - memoryBudget.reservedBytes

  // The shared vertex buffer and the drivers' DMA buffers.
  const vertex = yield* acquirePooled("vertex-buffers", "vertex-buffer", "graphics", {
    flags: Flags.Shareable | Flags.GPUAccessible,
    priority: "High"
  })
  const vertexShare =
    vertex === undefined ? undefined : yield* Scope.provide(manager.share(vertex.ref.handle, "audio"), scope)
  if (vertexShare !== undefined) {
    counts.shares++
    record({ kind: "share", message: "vertex-buffer shared between graphics and audio" })
  }
  const dma: Array<PooledResource> = []
  const dmaPool = poolNamed("dma-buffers")
  const dmaCount = dmaPool.preset === undefined ? 0 : Math.max(1, Math.floor(dmaPool.preset.maxCount * 0.4))
  for (let i = 0; i < dmaCount; i++) {
    const buffer = yield* acquirePooled("dma-buffers", `dma-${i}`, "audio", { flags: Flags.DMACapable })
    if (buffer !== undefined) dma.push(buffer)
  }

  let levelData: ResourceRef<unknown> | undefined
  let audio: Array<PooledResource> = []

  const loadLevel = Effect.fnUntraced(function* (level: number) {
    currentLevel = level
    counts.levelLoads++
    // The old level's data and audio go; its textures stay in the cache until evicted.
    levelData?.release()
    levelData = undefined
    const share = prng.int(40, 55)
    const dataSize = Math.floor((memoryLimit * share) / 100)
    const data = yield* Effect.result(acquire(`level-${level}-data`, { type: "Memory", sizeBytes: dataSize }, "loader"))
    if (data._tag === "Success") levelData = data.success
    else {
      counts.rejected++
      record({ kind: "rejected", type: "Memory", message: `level-${level}-data: ${data.failure._tag}` })
    }
    for (const buffer of audio) releasePooled(buffer)
    audio = []

    const texturePool = poolNamed("textures").preset
    const textureCount =
      texturePool === undefined
        ? 0
        : prng.int(Math.ceil(texturePool.maxCount * 0.3), Math.ceil(texturePool.maxCount * 0.5))
    let loaded = 0
    let poolEvictions = 0
    // When the pool is full of cached textures, the least recently used one makes room.
    let victims: Array<CachedTexture> | undefined
    const makeRoom = () => {
      victims ??= lruOrder().reverse()
      let victim = victims.pop()
      while (victim !== undefined && !cache.has(victim.name)) victim = victims.pop()
      if (victim === undefined) return false
      evict(victim)
      poolEvictions++
      return true
    }
    for (let i = 0; i < textureCount; i++) {
      const name = `tex-${level}-${i}`
      const texture = yield* acquirePooled(
        "textures",
        name,
        "graphics",
        { flags: Flags.Cacheable | Flags.Reclaimable | Flags.GPUAccessible },
        makeRoom
      )
      if (texture === undefined) continue
      cache.set(name, { ...texture, name, level, lastUsed: frame })
      loaded++
    }
    if (poolEvictions > 0) {
      record({
        kind: "evict",
        message: `textures pool full: ${count(poolEvictions, "least recently used texture")} evicted`
      })
    }
    counts.texturesLoaded += loaded

    const audioPool = poolNamed("audio-buffers").preset
    const audioCount =
      audioPool === undefined ? 0 : prng.int(Math.ceil(audioPool.maxCount * 0.1), Math.ceil(audioPool.maxCount * 0.25))
    for (let i = 0; i < audioCount; i++) {
      const buffer = yield* acquirePooled("audio-buffers", `audio-${level}-${i}`, "audio", {
        accessPattern: "Streaming"
      })
      if (buffer !== undefined) audio.push(buffer)
    }
    counts.audioBuffersLoaded += audio.length
    record({
      kind: "level-load",
      message: `level ${level}: ${Math.round(dataSize / 1024)} KiB data, ${count(loaded, "texture")}, ${count(audio.length, "audio buffer")}`
    })
  })

  const sample = Effect.gen(function* () {
    const snapshot = yield* manager.snapshot
    peakRecorder.sample()
    const usage: { [T in ResourceType]?: number } = {}
    const peak: { [T in ResourceType]?: number } = {}
    const pressure: { [T in ResourceType]?: ResourcePressure } = {}
    for (const stats of snapshot.types) {
      if (profile.budgets[stats.type] === undefined) continue
      usage[stats.type] = stats.currentUsage
      peak[stats.type] = Math.max(framePeaks[stats.type] ?? 0, stats.currentUsage)
      pressure[stats.type] = stats.pressure
    }
    const poolsInUse: Record<string, number> = {}
    for (const [name, pool] of pools) {
      const used = pool.stats().usedBlocks
      poolsInUse[name] = used
      peakInUse.set(name, Math.max(peakInUse.get(name) ?? 0, used))
    }
    return { frame, usage, peak, pressure, poolsInUse }
  })

  let timeoutFiber: Fiber.Fiber<unknown, unknown> | undefined
  let emergency: ResourceRef<unknown> | undefined
  let emergencyUntil = 0

  const provokeDeadlock = Effect.gen(function* () {
    const tiny = { type: "Hardware" as const, sizeBytes: 64, priority: "High" as const }
    const gpu = yield* Effect.result(acquire("gpu-queue", tiny, "graphics"))
    const dsp = yield* Effect.result(acquire("dsp", tiny, "audio"))
    if (gpu._tag === "Failure" || dsp._tag === "Failure") return
    // graphics waits for the DSP that audio holds (fine: audio can still finish)...
    const graphicsWait = yield* Effect.forkChild(
      Effect.scoped(manager.acquire("dsp", tiny, { owner: "graphics", mode: "Blocking" })),
      { startImmediately: true }
    )
    yield* Effect.yieldNow
    // ...then audio waits for the GPU queue that graphics holds: a cycle, refused at once.
    const second = yield* Effect.result(
      Scope.provide(manager.acquire("gpu-queue", tiny, { owner: "audio", mode: "Blocking" }), scope)
    )
    if (second._tag === "Failure" && second.failure._tag === "DeadlockDetected") {
      counts.deadlocksDetected++
      deadlock = { drivers: [...second.failure.drivers], message: second.failure.message }
      record({
        kind: "deadlock",
        type: "Hardware",
        message: `deadlock detected: ${second.failure.drivers.join(" ⇄ ")}; audio's request refused`
      })
      if (options.onDump !== undefined)
        options.onDump(yield* dumpManager(manager, "demo", poolDumps(), frame * FRAME_MILLIS))
    } else if (second._tag === "Success") {
      second.success.release()
    }
    // audio gives the DSP up, graphics' wait is granted, and both let go.
    dsp.success.release()
    yield* Fiber.join(graphicsWait).pipe(Effect.ignore)
    gpu.success.release()
  })

  const requestHardwareWithTimeout = Effect.gen(function* () {
    if (hardwareBudget === undefined) return
    const stats = yield* manager.getResourceStats("Hardware")
    const limit = hardwareBudget.maxBytes - hardwareBudget.reservedBytes
    const size = Math.min(limit, limit - stats.currentUsage + Math.max(1, Math.floor(limit / 10)))
    const startFrame = frame
    timeoutFiber = yield* Effect.forkChild(
      Effect.scoped(
        manager.acquire(
          "dma-burst",
          { type: "Hardware", sizeBytes: size },
          {
            owner: "streamer",
            mode: "Timeout",
            timeout: `${TIMEOUT_MILLIS} millis`
          }
        )
      ).pipe(
        Effect.onExit((exit) =>
          Effect.sync(() => {
            if (Exit.isFailure(exit)) {
              counts.timeouts++
              record({
                kind: "timeout",
                type: "Hardware",
                message: `streamer's ${size}-byte Hardware request (Timeout ${TIMEOUT_MILLIS} ms, from frame ${startFrame}) timed out`
              })
            }
          })
        )
      ),
      { startImmediately: true }
    )
    record({
      kind: "level-load",
      message: `streamer waits for ${count(size, "Hardware byte")} (Timeout ${TIMEOUT_MILLIS} ms)`
    })
  })

  const runFrame = Effect.gen(function* () {
    frame++
    if ((frame - 1) % plan.levelEvery === 0) yield* loadLevel(Math.floor((frame - 1) / plan.levelEvery) + 1)
    // Touch some textures of the current level (LRU order).
    for (const texture of cache.values())
      if (texture.level === currentLevel && prng.next() < 0.3) texture.lastUsed = frame
    // Stream: recycle an audio buffer now and then.
    if (audio.length > 0 && prng.next() < 0.5) {
      const index = prng.int(0, audio.length - 1)
      const old = audio[index]
      if (old !== undefined) {
        releasePooled(old)
        const fresh = yield* acquirePooled("audio-buffers", `audio-${currentLevel}-f${frame}`, "audio", {
          accessPattern: "Streaming"
        })
        if (fresh === undefined) audio.splice(index, 1)
        else audio[index] = fresh
      }
    }
    if (frame === plan.timeoutAt) yield* requestHardwareWithTimeout
    if (frame === plan.emergencyAt && memoryBudget !== undefined) {
      const stats = yield* manager.getResourceStats("Memory")
      const size = Math.max(1, memoryBudget.maxBytes - stats.currentUsage + Math.floor(memoryBudget.maxBytes / 10))
      const result = yield* Effect.result(
        Scope.provide(
          manager.acquire<unknown>(
            "crash-dump",
            { type: "Memory", sizeBytes: size, priority: "Critical" },
            {
              owner: "game",
              mode: "Emergency",
              create: () => undefined
            }
          ),
          scope
        )
      )
      if (result._tag === "Success") {
        emergency = result.success
        emergencyUntil = frame + 3
        counts.emergencyAllocations++
        record({
          kind: "emergency",
          type: "Memory",
          message: `crash-dump: ${count(size, "byte")} admitted over budget (Emergency)`
        })
      } else {
        counts.rejected++
        record({ kind: "rejected", type: "Memory", message: `crash-dump: ${result.failure._tag}` })
      }
    }
    if (emergency !== undefined && frame >= emergencyUntil) {
      emergency.release()
      emergency = undefined
    }
    if (frame === plan.deadlockAt) yield* provokeDeadlock
    // Let the manager's callbacks run, then advance the logical clock by one frame.
    yield* Effect.yieldNow
    yield* TestClock.adjust(`${FRAME_MILLIS} millis`)
    yield* Effect.yieldNow
    const s = yield* sample
    samples.push(s)
    options.onFrame?.(s, lastEvent)
  })

  const finish = Effect.gen(function* () {
    if (timeoutFiber !== undefined) {
      // A run too short for the request's timeout to pass within its frames: only the logical clock can end
      // the wait (nothing else will free the bytes), so it moves on by the timeout before the request is awaited.
      if (timeoutFiber.pollUnsafe() === undefined) yield* TestClock.adjust(`${TIMEOUT_MILLIS} millis`)
      yield* Fiber.await(timeoutFiber)
    }
    emergency?.release()
    levelData?.release()
    for (const buffer of audio) releasePooled(buffer)
    for (const texture of [...cache.values()]) {
      cache.delete(texture.name)
      releasePooled(texture)
    }
    for (const buffer of dma) releasePooled(buffer)
    vertexShare?.release()
    if (vertex !== undefined) releasePooled(vertex)
    const snapshot = yield* manager.snapshot
    counts.leaks = snapshot.liveResources
    return snapshot
  })

  return { runFrame, finish, events, samples, counts, peakInUse, pools, deadlock: () => deadlock }
})

const summarize = (
  options: DemoOptions,
  types: ReadonlyArray<TypeSummary>,
  pools: ReadonlyArray<PoolSummary>,
  counts: DemoSummary["counts"],
  deadlock: DemoSummary["deadlock"]
): DemoSummary => ({
  profile: options.profile.name,
  totalMemoryBytes: options.profile.totalMemoryBytes,
  seed: options.seed,
  frames: options.frames,
  types,
  pools,
  counts,
  deadlock
})

/** Waits, by the wall clock (the run's own clock is a TestClock), until `deadline` (a `Date.now()` value). */
const sleepUntil = (deadline: number): Effect.Effect<void> =>
  Effect.callback<void>((resume) => {
    const timer = setTimeout(() => resume(Effect.void), Math.max(0, deadline - Date.now()))
    return Effect.sync(() => clearTimeout(timer))
  })

/**
 * Runs the demo as an Effect on a fresh manager built from the profile (with a TestClock as its
 * logical clock).
 *
 * @since 0.1.0
 * @category demo
 */
export const demo = (options: DemoOptions): Effect.Effect<DemoRun> =>
  Effect.scoped(
    Effect.gen(function* () {
      const manager = yield* ResourceManager
      const scope = yield* Scope.make()
      const workload = yield* makeWorkload(options, manager, scope)
      const started = Date.now()
      for (let i = 0; i < options.frames; i++) {
        yield* workload.runFrame
        if (options.frameMillis !== undefined) yield* sleepUntil(started + (i + 1) * options.frameMillis)
      }
      // The highest level of each type: every change is an event, so levels inside a frame count too.
      const peaks = new Map<ResourceType, ResourcePressure>()
      for (const e of workload.events) {
        if (e.kind !== "pressure" || e.type === undefined || e.to === undefined) continue
        if (rank(e.to) > rank(peaks.get(e.type) ?? "None")) peaks.set(e.type, e.to)
      }
      const snapshot = yield* workload.finish
      yield* Scope.close(scope, Exit.void)
      const types: Array<TypeSummary> = []
      for (const stats of snapshot.types) {
        const budget = options.profile.budgets[stats.type]
        if (budget === undefined) continue
        types.push({
          type: stats.type,
          maxBytes: budget.maxBytes,
          reservedBytes: budget.reservedBytes,
          peakBytes: stats.peakUsage,
          finalBytes: stats.currentUsage,
          allocations: stats.allocationCount,
          releases: stats.releaseCount,
          failed: stats.failedCount,
          emergency: stats.emergencyCount,
          peakPressure: peaks.get(stats.type) ?? "None"
        })
      }
      const pools: Array<PoolSummary> = options.profile.pools.map((preset) => ({
        name: preset.name,
        type: preset.type,
        blockSize: preset.blockSize,
        maxCount: preset.maxCount,
        peakInUse: workload.peakInUse.get(preset.name) ?? 0,
        finalInUse: workload.pools.get(preset.name)?.stats().usedBlocks ?? 0
      }))
      return {
        profile: options.profile,
        samples: workload.samples,
        events: workload.events,
        summary: summarize(options, types, pools, workload.counts, workload.deadlock())
      }
    })
  ).pipe(
    Effect.provide(
      Layer.provideMerge(
        // The demo's pools hand out the payloads (see the module doc), so the manager makes none of its own.
        ResourceManager.layer({
          ...profileToConfig(options.profile, { label: "demo", hysteresisPercent: 2 }),
          pools: [],
          // audio and graphics are drivers: while one of their requests waits they release nothing, so
          // their waits get exact deadlock detection (every other owner is concurrent)
          drivers: { audio: { sequential: true }, graphics: { sequential: true } }
        }),
        TestClock.layer()
      )
    ),
    Effect.orDie
  )

/**
 * Runs the demo and resolves with what it recorded.
 *
 * @example
 * ```ts
 * import { dreamcast } from "@flight-hal/resources"
 * import { runDemo } from "@flight-hal/cli"
 *
 * const run = await runDemo({ profile: dreamcast, frames: 30, seed: 42 })
 * console.log(run.summary.counts.deadlocksDetected) // 1
 * ```
 *
 * @since 0.1.0
 * @category demo
 */
export const runDemo = (options: DemoOptions): Promise<DemoRun> => Effect.runPromise(demo(options))
