import { describe, expect, test } from "bun:test"
import {
  AcquireTimeout,
  DeadlockDetected,
  InvalidArgument,
  ResourceFlags,
  type ResourceMetadata
} from "@flight-hal/core"
import { Effect, Exit } from "effect"
import { createResourceManager, ResourceManager, type ResourceManagerConfig } from "../src/index.ts"

// Two kinds of owner: concurrent (the default, the default owner "app" included) and sequential drivers
// (declared in the config's `drivers` or with `registerDriver`).

const mem = (sizeBytes: number, extra: Partial<ResourceMetadata> = {}): ResourceMetadata => ({
  type: "Memory",
  sizeBytes,
  ...extra
})
const config = (extra: Partial<ResourceManagerConfig> = {}): ResourceManagerConfig => ({
  onLeaks: () => {},
  budgets: { Memory: { maxBytes: 1000, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 } },
  ...extra
})
const stateOf = (manager: ReturnType<typeof createResourceManager>) =>
  JSON.stringify([manager.snapshot(), manager.waitGraph()])

describe("concurrent owners (the default)", () => {
  test("a Blocking wait by the default owner for bytes another of its tasks holds waits, and is granted", async () => {
    const manager = createResourceManager(config())
    const first = manager.acquire("", mem(900))
    const second = manager.acquireAsync("", mem(500), { mode: "Blocking" })
    expect(manager.getResourceStats("Memory").waiting).toBe(1)
    expect(manager.waitGraph().deadlock).toBeNull()
    first.release()
    const granted = await second
    expect(granted.metadata.sizeBytes).toBe(500)
    expect(manager.driverStats("app").waiting).toBe(0)
    granted.release()
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
    manager.close()
  })

  test("a Timeout wait of a concurrent owner that nobody releases for ends with AcquireTimeout", async () => {
    const manager = createResourceManager(config())
    const held = manager.acquire("", mem(900), { owner: "worker" })
    const error = await manager
      .acquireAsync("", mem(500), { owner: "worker", mode: "Timeout", timeoutMillis: 5 })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AcquireTimeout)
    expect(manager.getResourceStats("Memory").waiting).toBe(0)
    held.release()
    manager.close()
  })

  test("several tasks of one owner wait at once, each granted as the others release", async () => {
    const manager = createResourceManager(config())
    const holders = [manager.acquire("", mem(400)), manager.acquire("", mem(400))]
    const waits = [0, 1, 2].map(() => manager.acquireAsync("", mem(400), { mode: "Blocking" }))
    expect(manager.getResourceStats("Memory").waiting).toBe(3)
    for (const ref of holders) ref.release()
    const [a, b] = await Promise.all(waits.slice(0, 2))
    a?.release()
    const c = await waits[2]
    b?.release()
    c?.release()
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
    manager.close()
  })

  test("a concurrent owner's wait that could never be granted is still refused", async () => {
    // e (sequential) holds 2 and waits for 1 at Low; app's wait for 2 would queue ahead of e and need e's bytes
    const manager = createResourceManager({
      ...config({ budgets: { Memory: { maxBytes: 3, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 } } }),
      drivers: { e: { sequential: true } }
    })
    manager.acquire("", mem(2), { owner: "e" })
    const f = manager.acquire("", mem(1), { owner: "f" })
    const waitE = manager.acquireAsync("", mem(1, { priority: "Low" }), { owner: "e", mode: "Blocking" })
    const error = await manager.acquireAsync("", mem(2), { mode: "Blocking" }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DeadlockDetected)
    expect((error as DeadlockDetected).drivers).toEqual(["app", "e"])
    expect((error as DeadlockDetected).resources).toEqual(["bytes:Memory"])
    f.release()
    expect((await waitE).metadata.sizeBytes).toBe(1)
    manager.close()
  })
})

describe("sequential drivers", () => {
  test("declared in the config: a wait for bytes only the driver itself holds is refused at once", async () => {
    const manager = createResourceManager(config({ drivers: { audio: { sequential: true } } }))
    manager.acquire("", mem(900), { owner: "audio" })
    const error = await manager
      .acquireAsync("", mem(500), { owner: "audio", mode: "Timeout", timeoutMillis: 60_000 })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DeadlockDetected)
    expect((error as DeadlockDetected).drivers).toEqual(["audio"])
    expect((error as DeadlockDetected).resources).toEqual(["bytes:Memory"])
    expect(manager.getResourceStats("Memory").waiting).toBe(0)
    manager.close()
  })

  test("registered at run time: the same wait is refused; the kind of a busy owner cannot change", async () => {
    const manager = createResourceManager(config())
    manager.registerDriver("gpu")
    manager.registerDriver("gpu", { sequential: true })
    const held = manager.acquire("", mem(900), { owner: "gpu" })
    const error = await manager.acquireAsync("", mem(500), { owner: "gpu", mode: "Blocking" }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DeadlockDetected)
    expect((error as DeadlockDetected).drivers).toEqual(["gpu"])
    expect(() => manager.registerDriver("gpu", { sequential: false })).toThrow(InvalidArgument)
    held.release()
    manager.registerDriver("gpu", { sequential: false })
    const again = manager.acquire("", mem(900), { owner: "gpu" })
    const waiting = manager.acquireAsync("", mem(500), { owner: "gpu", mode: "Blocking" })
    again.release()
    expect((await waiting).metadata.sizeBytes).toBe(500)
    manager.close()
  })

  test("the Effect front end registers a driver too, and validates its input", async () => {
    const program = Effect.gen(function* () {
      const manager = yield* ResourceManager
      yield* manager.registerDriver("dsp", { sequential: true })
      const bad = yield* Effect.exit(manager.registerDriver("", { sequential: true }))
      const badKind = yield* Effect.exit(manager.registerDriver("dsp", { sequential: "yes" } as never))
      const outcome = yield* Effect.scoped(
        Effect.gen(function* () {
          yield* manager.acquire("", mem(900), { owner: "dsp" })
          return yield* Effect.exit(manager.acquire("", mem(500), { owner: "dsp", mode: "Blocking" }))
        })
      )
      return { bad, badKind, outcome }
    })
    const { bad, badKind, outcome } = await Effect.runPromise(
      Effect.scoped(program).pipe(Effect.provide(ResourceManager.layer(config())))
    )
    expect(Exit.isFailure(bad)).toBe(true)
    expect(Exit.isFailure(badKind)).toBe(true)
    expect(Exit.isFailure(outcome)).toBe(true)
    expect(JSON.stringify(outcome)).toContain("DeadlockDetected")
  })

  test("a bad drivers config is refused with InvalidArgument naming the key", () => {
    expect(() => createResourceManager(config({ drivers: [] as never }))).toThrow("config.drivers")
    expect(() => createResourceManager(config({ drivers: { a: { sequential: "yes" } } as never }))).toThrow(
      "config.drivers.a"
    )
    expect(() => createResourceManager(config({ drivers: { a: { ordered: true } } as never }))).toThrow(
      "config.drivers.a"
    )
  })
})

describe("sharing never creates an unseen deadlock", () => {
  const shareable = ResourceFlags.combine("Shareable")

  test("a share to a waiting sequential driver that would strand it is refused; nothing changes", async () => {
    const manager = createResourceManager(config({ drivers: { D: { sequential: true } } }))
    const r = manager.acquire("R", mem(900, { flags: shareable }), { owner: "O" })
    const waitD = manager.acquireAsync("", mem(500), { owner: "D", mode: "Blocking" })
    const before = stateOf(manager)
    let error: unknown
    try {
      manager.share(r.handle, "D")
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(DeadlockDetected)
    expect((error as DeadlockDetected).drivers).toEqual(["D"])
    expect((error as DeadlockDetected).resources).toEqual(["bytes:Memory"])
    expect(stateOf(manager)).toBe(before)
    expect(manager.holders(r.handle)).toEqual(["O"])
    r.release()
    expect((await waitD).metadata.sizeBytes).toBe(500)
    manager.close()
  })

  test("the same share to a driver that is not waiting, or to a concurrent owner, is allowed", async () => {
    const manager = createResourceManager(config({ drivers: { D: { sequential: true } } }))
    const r = manager.acquire("R", mem(900, { flags: shareable }), { owner: "O" })
    const shared = manager.share(r.handle, "D")
    const waitC = manager.acquireAsync("", mem(500), { owner: "C", mode: "Blocking" })
    const sharedC = manager.share(r.handle, "C")
    expect(manager.holders(r.handle)).toEqual(["O", "D", "C"])
    r.release()
    shared.release()
    sharedC.release()
    expect((await waitC).metadata.sizeBytes).toBe(500)
    manager.close()
  })
})
