/**
 * Under `exactOptionalPropertyTypes` (on in this repository's tsconfig), every optional field of the shared
 * manager's config and option types takes an explicit `undefined`, which the manager reads as the default
 * (docs/semantics.md section 3: "an option left out or `undefined` takes its default"), as the single-thread
 * manager's do: `SharedManagerConfig` (and `SharedResources.layer`'s), `SharedPoolConfig`, a custom type's
 * declaration, `SharedAttachOptions` (and `layerAttach`'s), the facade's `SharedAcquireOptions` and
 * `SharedAcquireAsyncOptions`, and the Effect service's `SharedAcquireEffectOptions`. A wrapper that forwards its own
 * optional settings (`label: options.label`) compiles. Each object below is checked by `tsc -b` (without
 * `| undefined` on the field, TS2375/TS2379/TS2769) and run to show the defaults apply.
 */
import { afterEach, describe, expect, test } from "bun:test"
import { Effect, Exit, Layer, type Scope } from "effect"
import {
  attachSharedResourceManager,
  createSharedResourceManager,
  type SharedAcquireAsyncOptions,
  type SharedAcquireEffectOptions,
  type SharedAcquireErrorOf,
  type SharedAcquireOptions,
  type SharedAttachOptions,
  type SharedManagerConfig,
  type SharedPoolConfig,
  type SharedResourceManager,
  SharedResources
} from "../src/index.ts"

const budgets = { Memory: { maxBytes: 1024, reservedBytes: 0, warningPercent: 70, criticalPercent: 90 } }
const memory = { type: "Memory" as const, sizeBytes: 16 }

/** A wrapper's own options, forwarded field by field: each may be undefined. */
interface Forwarded {
  readonly label?: string | undefined
  readonly name?: string | undefined
  readonly sequential?: boolean | undefined
}
const forwarded: Forwarded = {}

/** Every field of a shared manager's config left `undefined` but the budgets (and what `extra` sets). */
const undefinedConfig = (extra: Partial<SharedManagerConfig> = {}): SharedManagerConfig => ({
  label: forwarded.label,
  types: undefined,
  budgets,
  pools: undefined,
  sequential: undefined,
  maxThreads: undefined,
  maxResources: undefined,
  maxWaiters: undefined,
  lostAfterMillis: undefined,
  hysteresisPercent: undefined,
  leaseBytes: undefined,
  ...extra
})

const managers: Array<SharedResourceManager> = []
afterEach(() => {
  for (const manager of managers.splice(0).reverse()) manager.close()
})

describe("explicit undefined in the shared manager's config and option fields", () => {
  test("SharedManagerConfig, SharedPoolConfig, a custom type's code and SharedAttachOptions", () => {
    const pool: SharedPoolConfig = { type: "Memory", blockSize: 64, blockCount: 2, alignment: undefined }
    const manager = createSharedResourceManager(
      undefinedConfig({ types: { Shader: { code: undefined } }, pools: [pool] })
    )
    managers.push(manager)
    expect(manager.label).toBe("shared-manager")
    expect(manager.descriptor.pools.length).toBe(1)
    // the defaults: 16 threads (15 attach besides the creator), no leasing, hysteresis 0
    const attach: SharedAttachOptions = { sequential: forwarded.sequential }
    for (let i = 0; i < 15; i++) managers.push(attachSharedResourceManager(manager.descriptor, attach))
    expect(() => attachSharedResourceManager(manager.descriptor, { sequential: undefined })).toThrow(
      expect.objectContaining({ _tag: "ManagerClosed" })
    )
    expect(manager.threads().length).toBe(16)
    const shader = manager.acquire({ type: "Shader", sizeBytes: 1 })
    expect(shader.metadata.type).toBe("Shader")
    shader.release()
    const block = manager.acquire(memory)
    expect(manager.getResourceStats("Memory").currentUsage).toBe(128) // the pool's capacity; no lease
    expect(manager.audit().find((a) => a.type === "Memory")?.leasedBytes).toBe(0)
    block.release()
  })

  test("the shared facade's acquisition options", async () => {
    const manager = createSharedResourceManager({ budgets })
    managers.push(manager)
    const sync: SharedAcquireOptions<Uint8Array> = {
      mode: undefined,
      name: forwarded.name,
      create: undefined,
      destroy: undefined
    }
    const async: SharedAcquireAsyncOptions<Uint8Array> = {
      mode: undefined,
      timeoutMillis: undefined,
      name: undefined,
      create: undefined,
      destroy: undefined,
      signal: undefined
    }
    const a = manager.acquire(memory, sync)
    const b = manager.acquire("b", memory, { mode: undefined, create: undefined })
    const c = await manager.acquireAsync(memory, async)
    const d = await manager.acquireAsync("d", memory, { mode: undefined, timeoutMillis: undefined, signal: undefined })
    const e = await manager.use("e", memory, (ref) => ref.payload.length, { destroy: undefined, signal: undefined })
    // unnamed where the name is undefined, the default payload (bytes) where create is
    expect([a.name, b.name, c.name, d.name]).toEqual(["", "b", "", "d"])
    expect([a.payload.length, b.payload.length, c.payload.length, d.payload.length, e]).toEqual([16, 16, 16, 16, 16])
    for (const ref of [a, b, c, d]) ref.release()
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
  })

  test("SharedResources: the layer's config, layerAttach's options and the acquisition options (NonBlocking's channel)", async () => {
    const options: SharedAcquireEffectOptions<Uint8Array> = {
      mode: undefined,
      timeout: undefined,
      name: undefined,
      create: undefined,
      destroy: undefined
    }
    /** An Effect whose error channel is at most NonBlocking's. */
    const nonBlocking = <A, E extends SharedAcquireErrorOf<"NonBlocking">>(effect: Effect.Effect<A, E, Scope.Scope>) =>
      effect
    const exit = await Effect.runPromiseExit(
      Effect.gen(function* () {
        const shared = yield* SharedResources
        const a = yield* shared.acquire(memory, options)
        // a mode written undefined is NonBlocking at run time (its type is every mode's, as on ResourceManager)
        const b = yield* shared.acquire(memory, { mode: undefined, timeout: undefined, name: "b" })
        // options without a mode, their timeout undefined: NonBlocking's channel
        const c = yield* nonBlocking(shared.acquire("c", memory, { timeout: undefined, create: undefined }))
        const d = yield* nonBlocking(shared.use(memory, (ref) => Effect.succeed(ref.name), { name: forwarded.name }))
        // NonBlocking: a request that does not fit fails at once (Blocking, the facade's default, would wait)
        const refused = yield* Effect.flip(shared.acquire({ type: "Memory", sizeBytes: 1000 }, { mode: undefined }))
        const attached = yield* Effect.provide(
          Effect.gen(function* () {
            return (yield* SharedResources).manager.isCreator
          }),
          Layer.fresh(SharedResources.layerAttach(shared.manager.descriptor, { sequential: undefined }))
        )
        return [a.name, b.name, c.name, d, refused._tag, shared.manager.label, attached]
      }).pipe(Effect.scoped, Effect.provide(Layer.fresh(SharedResources.layer(undefinedConfig()))))
    )
    expect(exit).toEqual(Exit.succeed(["", "b", "c", "", "BudgetExceeded", "shared-manager", false]))
  })
})
