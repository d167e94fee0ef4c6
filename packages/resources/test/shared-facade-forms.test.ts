import { expect, test } from "bun:test"
import type { ResourceMetadata } from "@flight-hal/core"
import { createResourceManager, createSharedResourceManager } from "../src/index.ts"

const budget = { maxBytes: 10_000, reservedBytes: 0, warningPercent: 50, criticalPercent: 80 }
const texture: ResourceMetadata = { type: "Memory", sizeBytes: 4096 }

test("the facade's call forms work on a shared manager: acquire, acquireAsync and use with the name first", async () => {
  // one function, written against the facade's signatures, serves both managers
  const load = async (manager: {
    acquire(name: string, metadata: ResourceMetadata): { readonly payload: Uint8Array; release(): void }
    use<A>(name: string, metadata: ResourceMetadata, body: (r: { readonly payload: Uint8Array }) => A): Promise<A>
  }) => {
    const held = manager.acquire("atlas", texture)
    const length = await manager.use("scratch", texture, (r) => r.payload.length)
    held.release()
    return length
  }
  using plain = createResourceManager({ budgets: { Memory: budget } })
  using shared = createSharedResourceManager({ budgets: { Memory: budget } })
  expect(await load(plain)).toBe(4096)
  expect(await load(shared)).toBe(4096)
  expect(shared.getResourceStats("Memory")).toMatchObject({ currentUsage: 0, allocationCount: 2, releaseCount: 2 })
})

test("name first: the name is taken, a second is ResourceBusy, options.name beside it is InvalidArgument", async () => {
  using shared = createSharedResourceManager({ budgets: { Memory: budget } })
  using held = shared.acquire("atlas", texture)
  expect(shared.find("atlas").handle).toEqual(held.handle)
  expect(shared.metadata(held.handle)).toEqual({ type: "Memory", sizeBytes: 4096 })
  expect(() => shared.acquire("atlas", texture)).toThrow(expect.objectContaining({ _tag: "ResourceBusy" }))
  expect(() => shared.acquire("other", texture, { name: "x" } as never)).toThrow(
    expect.objectContaining({ _tag: "InvalidArgument" })
  )
  // the options are the facade's, checked by the same validator: a timeout without mode Timeout is refused
  expect(() => shared.acquire(texture, { timeoutMillis: 5 } as never)).toThrow(
    expect.objectContaining({ _tag: "InvalidArgument", argument: "timeoutMillis" })
  )
  // @ts-expect-error: mode Timeout without timeoutMillis does not compile either (plain JavaScript may pass it)
  await expect(shared.acquireAsync(texture, { mode: "Timeout" })).rejects.toMatchObject({ argument: "timeoutMillis" })
  await expect(shared.use("x", texture, "not a function" as never)).rejects.toMatchObject({ _tag: "InvalidArgument" })
  await expect(shared.acquireAsync("atlas", texture, { mode: "Timeout", timeoutMillis: 1 })).rejects.toMatchObject({
    _tag: "AcquireTimeout"
  })
  expect(shared.getResourceStats("Memory")).toMatchObject({ currentUsage: 4096, waiting: 0 })
})
