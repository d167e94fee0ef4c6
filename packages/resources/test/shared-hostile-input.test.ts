/**
 * What test/fuzz-shared-manager.test.ts found in the shared manager's entry points: caller values read more than
 * once, or read outside a guard, let a caller's throw out raw (or act on a value other than the one checked); a
 * ref's `destroy` hook's throw came out of its `release()`; another manager's pool buffers were accepted by an
 * attachment, which then allocated from that manager's pools; a thread's `close()` after the creator's close left
 * it listed by `threads()`. Each case: a typed error from @flight-hal/core (or the call's work done), and the
 * ledger as it was.
 */
import { afterEach, describe, expect, test } from "bun:test"
import { InvalidArgument, ResourceReleased } from "@flight-hal/core"
import { attachSharedResourceManager, createSharedResourceManager, type SharedResourceManager } from "../src/index.ts"
import { OpenedManagers } from "./support/shared-agents.ts"
import { thrown } from "./support/thrown.ts"

const budget = { maxBytes: 4096, reservedBytes: 0, warningPercent: 50, criticalPercent: 80 }
const pools = [
  { type: "Memory" as const, blockSize: 64, blockCount: 4 },
  { type: "Memory" as const, blockSize: 256, blockCount: 2 }
]

const opened = new OpenedManagers()
afterEach(() => opened.closeAll())
/** What a refused call throws: InvalidArgument naming `argument`. */
const invalid = (argument: string) => ({ _tag: "InvalidArgument", argument })
const make = (): SharedResourceManager => opened.make({ budgets: { Memory: budget }, pools, maxThreads: 4 })
/** A second attachment in this thread (a thread of its own in the ledger), detached before its manager closes. */
const attachHere = (manager: SharedResourceManager): SharedResourceManager => opened.attachHere(manager)

/** The ledger as the manager's introspection shows it. */
const state = (manager: SharedResourceManager) =>
  JSON.stringify({
    audit: manager.audit(),
    stats: manager.getResourceStats("Memory"),
    threads: manager.threads(),
    rows: manager.threads().map((t) => manager.threadStats(t))
  })

class Hostile extends Error {}
const throwing = () => {
  throw new Hostile("a caller's throw")
}
/** A Proxy over `target` whose second read of any field throws. */
const readOnce = <T extends object>(target: T): T => {
  const seen = new Set<PropertyKey>()
  return new Proxy(target, {
    get(t, key, receiver) {
      if (seen.has(key)) throw new Hostile(`second read of ${String(key)}`)
      seen.add(key)
      return Reflect.get(t, key, receiver)
    }
  })
}
const throwingProxy = () => new Proxy({}, { get: throwing, has: throwing, ownKeys: throwing })
const revoked = () => {
  const { proxy, revoke } = Proxy.revocable({}, {})
  revoke()
  return proxy
}

describe("shared manager: a handle is read once, its reads guarded", () => {
  test("release, info, metadata and share of a handle that can be read only once: done, as with the handle", () => {
    const m = make()
    const other = attachHere(m)
    const ref = m.acquire("a", { type: "Memory", sizeBytes: 100 })
    expect(m.info(readOnce({ ...ref.handle })).name).toBe("a")
    expect(m.metadata(readOnce({ ...ref.handle }))).toEqual({ type: "Memory", sizeBytes: 100 })
    const share = other.share(readOnce({ ...ref.handle }))
    expect(m.info(ref.handle).holders).toEqual([m.thread, other.thread])
    other.release(readOnce({ ...share.handle }))
    m.release(readOnce({ ...ref.handle }))
    expect(ref.released).toBe(true)
    expect(m.audit().every((a) => a.liveCount === 0)).toBe(true)
  })

  const unreadable: ReadonlyArray<readonly [string, (handle: object) => object]> = [
    ["a getter that throws", (handle) => Object.defineProperty({ ...handle }, "slot", { get: throwing })],
    ["a Proxy whose traps throw", () => throwingProxy()],
    ["a revoked Proxy", () => revoked()]
  ]
  for (const [what, hostile] of unreadable) {
    test(`a handle with ${what}: InvalidArgument from every method, nothing changed`, () => {
      const m = make()
      const other = attachHere(m)
      const ref = m.acquire("a", { type: "Memory", sizeBytes: 100 })
      const before = state(m)
      const calls: ReadonlyArray<() => unknown> = [
        () => m.release(hostile(ref.handle) as never),
        () => m.info(hostile(ref.handle) as never),
        () => m.metadata(hostile(ref.handle) as never),
        () => other.share(hostile(ref.handle) as never)
      ]
      for (const call of calls) expect(thrown(call)).toBeInstanceOf(InvalidArgument)
      expect(state(m)).toBe(before)
      expect(ref.released).toBe(false)
    })
  }
})

describe("shared manager: share's options are read once, their reads guarded", () => {
  for (const [what, options] of [
    ["a create getter that throws", () => Object.defineProperty({}, "create", { get: throwing, enumerable: true })],
    ["a Proxy whose traps throw", throwingProxy],
    ["a revoked Proxy", revoked]
  ] as const) {
    test(`options with ${what}: InvalidArgument, nothing held`, () => {
      const m = make()
      const other = attachHere(m)
      const ref = m.acquire({ type: "Memory", sizeBytes: 100 })
      const before = state(m)
      const error = thrown(() => other.share(ref.handle, options() as never))
      expect(error).toBeInstanceOf(InvalidArgument)
      expect((error as InvalidArgument).argument).toBe("options")
      expect(state(m)).toBe(before)
    })
  }

  test("the hooks checked are the hooks called (each read once)", () => {
    const m = make()
    const other = attachHere(m)
    const ref = m.acquire({ type: "Memory", sizeBytes: 100 })
    let reads = 0
    const options = {
      get create() {
        reads++
        return reads === 1 ? () => "made" : 5
      }
    }
    const share = other.share<unknown>(ref.handle, options as never)
    expect(share.payload).toBe("made")
    expect(reads).toBe(1)
    share.release()
  })
})

describe("shared manager: an acquisition's name option is read under a guard", () => {
  const hostileOptions: ReadonlyArray<readonly [string, () => object]> = [
    ["a name getter that throws", () => Object.defineProperty({}, "name", { get: throwing, enumerable: true })],
    ["a Proxy whose traps throw", throwingProxy],
    ["a revoked Proxy", revoked]
  ]
  for (const [what, options] of hostileOptions) {
    test(`options with ${what}, in both call forms: InvalidArgument (thrown, rejected), nothing changed`, async () => {
      const m = make()
      const before = state(m)
      const metadata = { type: "Memory", sizeBytes: 8 } as const
      expect(thrown(() => m.acquire(metadata, options() as never))).toBeInstanceOf(InvalidArgument)
      expect(thrown(() => m.acquire("n", metadata, options() as never))).toBeInstanceOf(InvalidArgument)
      expect(await m.acquireAsync(metadata, options() as never).catch((e) => e)).toBeInstanceOf(InvalidArgument)
      expect(await m.acquireAsync("n", metadata, options() as never).catch((e) => e)).toBeInstanceOf(InvalidArgument)
      expect(await m.use("n", metadata, () => 1, options() as never).catch((e) => e)).toBeInstanceOf(InvalidArgument)
      expect(state(m)).toBe(before)
    })
  }
})

describe("shared manager: an acquisition's name option that is not a string", () => {
  test("null, a number, a lone surrogate: InvalidArgument (name); left out, unnamed", async () => {
    const m = make()
    const before = state(m)
    const metadata = { type: "Memory", sizeBytes: 8 } as const
    for (const name of [null, 5]) {
      expect(thrown(() => m.acquire(metadata, { name } as never))).toMatchObject(invalid("name"))
      expect(await m.acquireAsync(metadata, { name } as never).catch((e) => e)).toBeInstanceOf(InvalidArgument)
    }
    // lone surrogates: each would be U+FFFD in the ledger, two different names one
    for (const name of ["\ud800", "\udc00", "a\ud800b"]) {
      expect(thrown(() => m.acquire(metadata, { name }))).toMatchObject(invalid("name"))
    }
    expect(state(m)).toBe(before)
    const emoji = m.acquire(metadata, { name: "😀" }) // a surrogate pair is well-formed
    expect(emoji.name).toBe("😀")
    emoji.release()
    const unnamed = m.acquire(metadata, {})
    expect(unnamed.name).toBe("")
    unnamed.release()
  })
})

describe("shared manager: a ref's destroy hook that throws", () => {
  test("its release() does not throw: the hold is released, the hook ran once", () => {
    const m = make()
    let calls = 0
    const ref = m.acquire<string>(
      { type: "Hardware", sizeBytes: 4 },
      {
        create: () => "made",
        destroy: () => {
          calls++
          throwing()
        }
      }
    )
    expect(ref.payload).toBe("made")
    expect(thrown(() => ref.release())).toBeUndefined()
    expect(calls).toBe(1)
    expect(ref.released).toBe(true)
    expect(thrown(() => ref.payload)).toBeInstanceOf(ResourceReleased)
    expect(m.getResourceStats("Hardware").currentUsage).toBe(0)
    ref[Symbol.dispose]()
    expect(calls).toBe(1)
  })
})

describe("shared manager: attachSharedResourceManager reads its descriptor and options under a guard", () => {
  const descriptors: ReadonlyArray<readonly [string, (m: SharedResourceManager) => unknown]> = [
    ["a revoked Proxy", () => revoked()],
    ["a Proxy whose traps throw", () => throwingProxy()],
    ["a kind getter that throws", (m) => Object.defineProperty({ ...m.descriptor }, "kind", { get: throwing })],
    ["a revoked Proxy as its pools", (m) => ({ ...m.descriptor, pools: revoked() })],
    ["pools whose entry is a throwing Proxy", (m) => ({ ...m.descriptor, pools: [throwingProxy(), throwingProxy()] })],
    ["a Proxy over its buffer", (m) => ({ ...m.descriptor, buffer: new Proxy(m.descriptor.buffer, {}) })],
    ["a buffer that is a throwing Proxy", (m) => ({ ...m.descriptor, buffer: throwingProxy() })]
  ]
  for (const [what, descriptor] of descriptors) {
    test(`a descriptor with ${what}: InvalidArgument, no thread attached`, () => {
      const m = make()
      const before = state(m)
      expect(thrown(() => attachSharedResourceManager(descriptor(m) as never))).toBeInstanceOf(InvalidArgument)
      expect(state(m)).toBe(before)
    })
  }

  for (const [what, options] of [
    ["a sequential getter that throws", () => Object.defineProperty({}, "sequential", { get: throwing })],
    ["a revoked Proxy", revoked],
    // what is no options object at all (they attached, as if no options had been given)
    ["null", () => null],
    ["a number", () => -1],
    ["a string", () => "toString"],
    ["an array", () => []]
  ] as const) {
    test(`options with ${what}: InvalidArgument, no thread attached`, () => {
      const m = make()
      const before = state(m)
      const error = thrown(() => attachSharedResourceManager(m.descriptor, options() as never))
      expect(error).toBeInstanceOf(InvalidArgument)
      expect(state(m)).toBe(before)
    })
  }
})

describe("shared manager: an attachment takes only its manager's own pools, in order", () => {
  test("another manager's pool buffers: InvalidArgument, neither manager changed, its pools its own", () => {
    const m = make()
    const foreign = make()
    const before = [state(m), state(foreign)]
    const error = thrown(() => attachSharedResourceManager({ ...m.descriptor, pools: foreign.descriptor.pools }))
    expect(error).toBeInstanceOf(InvalidArgument)
    expect((error as InvalidArgument).argument).toBe("descriptor.pools")
    expect([state(m), state(foreign)]).toEqual(before)
    // the other manager's pools serve it alone: its four 64-byte blocks and two 256-byte blocks
    const refs = Array.from({ length: 6 }, (_, i) => foreign.acquire({ type: "Memory", sizeBytes: i < 4 ? 64 : 256 }))
    expect(foreign.getResourceStats("Memory").currentUsage).toBe(4 * 64 + 2 * 256)
    for (const ref of refs) ref.release()
  })

  test("a buffer that is no pool (blank, or the ledger's own): InvalidArgument descriptor.pools, nothing attached", () => {
    const m = make()
    const before = state(m)
    for (const buffer of [new SharedArrayBuffer(4096), m.descriptor.buffer]) {
      const pools = [buffer, ...m.descriptor.pools.slice(1)]
      expect(thrown(() => attachSharedResourceManager({ ...m.descriptor, pools }))).toMatchObject(
        invalid("descriptor.pools")
      )
    }
    expect(state(m)).toBe(before)
  })

  test("a forged ledger with the right magic and version: InvalidArgument descriptor, not a RangeError", () => {
    const m = make()
    const before = state(m)
    for (const [word, value] of [
      [2, 1_000_000], // its type count: the ledger's arrays would end far past the buffer's end
      [4, 1_000_000] // its resource count, the same
    ] as const) {
      const copy = new SharedArrayBuffer(m.descriptor.buffer.byteLength)
      new Uint8Array(copy).set(new Uint8Array(m.descriptor.buffer))
      new Int32Array(copy, 0, 64)[word] = value
      expect(thrown(() => attachSharedResourceManager({ ...m.descriptor, buffer: copy }))).toMatchObject(
        invalid("descriptor")
      )
    }
    expect(state(m)).toBe(before)
  })

  test("its own pool buffers out of order: InvalidArgument, nothing attached", () => {
    const m = make()
    const before = state(m)
    const swapped = { ...m.descriptor, pools: [...m.descriptor.pools].reverse() }
    expect(thrown(() => attachSharedResourceManager(swapped))).toBeInstanceOf(InvalidArgument)
    expect(state(m)).toBe(before)
    // its own, in order, attach
    const other = attachHere(m)
    other.acquire({ type: "Memory", sizeBytes: 200 }).release()
  })

  test("a pool config refused at creation is named as the config names it", () => {
    const error = thrown(() =>
      createSharedResourceManager({ pools: [{ type: "Memory", blockSize: 0, blockCount: 4 }] })
    ) as { readonly _tag: string; readonly pool: string }
    expect(error._tag).toBe("InvalidPoolConfig")
    expect(error.pool).toBe("Memory-0")
  })
})

describe("shared manager: a thread's close after the creator's", () => {
  test("leaves no thread listed", async () => {
    const m = createSharedResourceManager()
    const other = attachSharedResourceManager(m.descriptor)
    m.close()
    other.close()
    expect(m.threads()).toEqual([])
    // also once its listener noticed the close first
    const n = createSharedResourceManager()
    const late = attachSharedResourceManager(n.descriptor)
    n.close()
    await new Promise((resolve) => setTimeout(resolve, 20))
    late.close()
    expect(n.threads()).toEqual([])
  })
})
