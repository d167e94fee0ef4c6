/**
 * Game engine integration (the seed's "Game Engine Integration"), in Effect style.
 *
 * The engine sets a Memory budget, creates texture pools for its common texture sizes (UI, characters,
 * environment) and a pool of 4 KiB audio buffers, keeps a cache of menu textures that its reclamation callback
 * empties when a request does not fit, watches pressure events, and loads each level inside a Scope: every texture
 * and sound of the level is released when the level's scope closes, whatever way it ends.
 *
 * Run it: `bun examples/game-engine.ts`
 */
import { ResourceFlags, type ResourceMetadata } from "@flight-hal/core"
import { type AcquireError, type ManagerConfigError, ResourceManager, type ResourceRef } from "@flight-hal/resources"
import { Effect, type Layer, type Scope } from "effect"

const KiB = 1024
const MiB = 1024 * KiB

/** Bytes of an RGBA8 texture. */
export const textureBytes = (width: number, height: number): number => width * height * 4

/** The engine's budget and pools (the seed's setup_budgets, setup_texture_pools and setup_audio_pools). */
export const engineLayer: Layer.Layer<ResourceManager, ManagerConfigError> = ResourceManager.layer({
  budgets: { Memory: { maxBytes: 8 * MiB, reservedBytes: 512 * KiB, warningPercent: 60, criticalPercent: 85 } },
  pools: [
    { type: "Memory", name: "ui-textures", blockSize: textureBytes(64, 64), initialCount: 8, maxCount: 32 },
    { type: "Memory", name: "character-textures", blockSize: textureBytes(128, 128), initialCount: 4, maxCount: 16 },
    { type: "Memory", name: "environment-textures", blockSize: textureBytes(256, 256), initialCount: 0, maxCount: 8 },
    { type: "Memory", name: "audio-buffers", blockSize: 4 * KiB, initialCount: 10, maxCount: 50 }
  ]
})

/** Loads a texture for as long as the current scope lives (the seed's load_texture). */
export const loadTexture = (
  path: string,
  width: number,
  height: number
): Effect.Effect<ResourceRef<Uint8Array>, AcquireError, ResourceManager | Scope.Scope> =>
  Effect.gen(function* () {
    const manager = yield* ResourceManager
    const metadata: ResourceMetadata = {
      type: "Memory",
      sizeBytes: textureBytes(width, height),
      accessPattern: "ReadOnly",
      flags: ResourceFlags.combine("GPUAccessible", "Cacheable")
    }
    return yield* manager.acquire<Uint8Array>(path, metadata)
  })

/** Loads a 4 KiB audio buffer (served by the audio pool) for as long as the current scope lives. */
export const loadSound = (
  path: string
): Effect.Effect<ResourceRef<Uint8Array>, AcquireError, ResourceManager | Scope.Scope> =>
  Effect.gen(function* () {
    const manager = yield* ResourceManager
    return yield* manager.acquire<Uint8Array>(path, { type: "Memory", sizeBytes: 4 * KiB, accessPattern: "Streaming" })
  })

/** What a run of the game did, for the console and for the example's test. */
export interface GameReport {
  /** Memory in use (pool capacity included) at each step. */
  readonly usage: { readonly start: number; readonly menu: number; readonly inLevel: number; readonly end: number }
  /** Menu textures still cached after the level loaded, of those cached before. */
  readonly cache: { readonly before: number; readonly after: number }
  /** Bytes the reclamation callback freed from the cache. */
  readonly reclaimedBytes: number
  /** Every pressure change seen, e.g. "None -> Low". */
  readonly pressure: ReadonlyArray<string>
  /** The pools' use inside the level: name → blocks in use. */
  readonly poolsInLevel: Readonly<Record<string, number>>
  /** The pools after the level: name → blocks in use (its blocks went back, kept as capacity for the next level). */
  readonly poolsAfterLevel: Readonly<Record<string, number>>
  /** What loading a texture larger than the whole budget gave. */
  readonly hugeTexture: string
}

/** Boots the engine, shows the menu, plays one level and returns what happened. */
export const runGame: Effect.Effect<GameReport, AcquireError, ResourceManager> = Effect.scoped(
  Effect.gen(function* () {
    const manager = yield* ResourceManager
    // Pressure callbacks run on their own fiber after each change: yielding lets them catch up before a reading.
    const usage = Effect.andThen(
      Effect.yieldNow,
      Effect.map(manager.getResourceStats("Memory"), (s) => s.currentUsage)
    )
    const pressure: Array<string> = []
    yield* manager.registerPressureCallback((event) => {
      pressure.push(`${event.from} -> ${event.to}`)
    })

    // The menu's textures stay cached (in the engine's scope) until memory is needed for something else.
    const cache = new Map<string, ResourceRef<Uint8Array>>()
    let reclaimedBytes = 0
    yield* manager.registerReclamationCallback("Memory", (missingBytes) =>
      Effect.sync(() => {
        let freed = 0
        for (const [path, texture] of cache) {
          if (freed >= missingBytes) break
          freed += texture.metadata.sizeBytes
          texture.release()
          cache.delete(path)
        }
        reclaimedBytes += freed
        return freed
      })
    )
    const start = yield* usage
    for (let i = 0; i < 6; i++) {
      const path = `menu/background-${i}.png`
      cache.set(path, yield* loadTexture(path, 512, 512))
    }
    const cachedBefore = cache.size
    const menu = yield* usage

    // A level: everything it loads lives in its scope.
    const level = yield* Effect.scoped(
      Effect.gen(function* () {
        for (let i = 0; i < 8; i++) yield* loadTexture(`level-1/terrain-${i}.png`, 256, 256)
        for (let i = 0; i < 6; i++) yield* loadTexture(`level-1/character-${i}.png`, 128, 128)
        for (let i = 0; i < 12; i++) yield* loadTexture(`ui/icon-${i}.png`, 64, 64)
        for (let i = 0; i < 20; i++) yield* loadSound(`level-1/sfx-${i}.wav`)
        const snapshot = yield* manager.snapshot
        const poolsInLevel = Object.fromEntries(snapshot.pools.map((pool) => [pool.name, pool.usedBlocks]))
        return { inLevel: yield* usage, poolsInLevel }
      })
    )

    const afterLevel = yield* manager.snapshot
    const poolsAfterLevel = Object.fromEntries(afterLevel.pools.map((pool) => [pool.name, pool.usedBlocks]))

    // A texture larger than the whole budget fails at once with a typed error; nothing waits for the impossible.
    const hugeTexture = yield* Effect.scoped(loadTexture("cinematic/8k.png", 8192, 8192)).pipe(
      Effect.map(() => "loaded"),
      Effect.catchTag("BudgetExceeded", (error) => Effect.succeed(`${error._tag}: ${error.message}`))
    )
    return {
      usage: { start, menu, inLevel: level.inLevel, end: yield* usage },
      cache: { before: cachedBefore, after: cache.size },
      reclaimedBytes,
      pressure,
      poolsInLevel: level.poolsInLevel,
      poolsAfterLevel,
      hugeTexture
    }
  })
)

if (import.meta.main) {
  const report = await Effect.runPromise(runGame.pipe(Effect.provide(engineLayer)))
  console.log(JSON.stringify(report, null, 2))
}
