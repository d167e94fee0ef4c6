import { describe, expect, test } from "bun:test"
import { AcquireTimeout } from "@flight-hal/core"
import { createResourceManager, type ResourceRef } from "../src/index.ts"

// A real HTTP server on loopback whose handlers take a request buffer under a Memory budget far smaller
// than the load: every request is served, the budget holds at every moment, and the manager ends empty.
// With concurrent owners (the default owner, or one owner per route) a handler waiting for bytes that
// other handlers of the same owner hold waits for them instead of failing with DeadlockDetected.

const bufferBytes = 8 * 1024
const maxBytes = 8 * bufferBytes // 8 buffers at a time
const requests = 400
const clients = 50 // requests in flight from the client side
const routes = ["a", "b", "c", "d"] as const

interface LoadResult {
  readonly served: number
  readonly statuses: ReadonlyArray<number>
  readonly maxInFlight: number
  readonly maxUsage: number
  readonly peakUsage: number
  readonly endUsage: number
  readonly endWaiting: number
  readonly maxWaiting: number
}

const runLoad = async (ownerOf: (route: string) => string | undefined): Promise<LoadResult> => {
  const manager = createResourceManager({
    onLeaks: () => {},
    budgets: { Memory: { maxBytes, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 } }
  })
  let inFlight = 0
  let maxInFlight = 0
  let maxUsage = 0
  let maxWaiting = 0
  let served = 0
  const observe = () => {
    const stats = manager.getResourceStats("Memory")
    maxUsage = Math.max(maxUsage, stats.currentUsage)
    maxWaiting = Math.max(maxWaiting, stats.waiting)
  }
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: async (request) => {
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      try {
        const route = new URL(request.url).pathname.slice(1)
        const owner = ownerOf(route)
        const pending = manager.acquireAsync<Uint8Array>(
          "",
          { type: "Memory", sizeBytes: bufferBytes },
          {
            mode: "Timeout",
            timeoutMillis: 30_000,
            create: () => new Uint8Array(bufferBytes),
            ...(owner === undefined ? {} : { owner })
          }
        )
        observe()
        let ref: ResourceRef<Uint8Array>
        try {
          ref = await pending
        } catch (error) {
          return new Response(String(error), { status: error instanceof AcquireTimeout ? 503 : 500 })
        }
        try {
          observe()
          ref.payload.fill(1)
          await Bun.sleep(1) // the handler works with its buffer across an await
          served++
          return new Response(`ok ${route}`)
        } finally {
          ref.release()
          observe()
        }
      } finally {
        inFlight--
      }
    }
  })
  try {
    const statuses: Array<number> = []
    let next = 0
    const client = async () => {
      for (let i = next++; i < requests; i = next++) {
        const route = routes[i % routes.length] ?? "a"
        const response = await fetch(`http://127.0.0.1:${server.port}/${route}`)
        await response.text()
        statuses.push(response.status)
      }
    }
    await Promise.all(Array.from({ length: clients }, client))
    const stats = manager.getResourceStats("Memory")
    return {
      served,
      statuses,
      maxInFlight,
      maxUsage,
      peakUsage: stats.peakUsage,
      endUsage: stats.currentUsage,
      endWaiting: stats.waiting,
      maxWaiting
    }
  } finally {
    await server.stop(true)
    manager.close()
  }
}

const expectServedWithinBudget = (result: LoadResult) => {
  expect(result.statuses).toHaveLength(requests)
  expect(result.statuses.every((status) => status === 200)).toBe(true)
  expect(result.served).toBe(requests)
  // dozens of handlers in flight, far more than the budget's 8 buffers: most of them waited
  expect(result.maxInFlight).toBeGreaterThan(12)
  expect(result.maxWaiting).toBeGreaterThan(0)
  expect(result.maxUsage).toBeLessThanOrEqual(maxBytes)
  expect(result.peakUsage).toBeLessThanOrEqual(maxBytes)
  expect(result.endUsage).toBe(0)
  expect(result.endWaiting).toBe(0)
}

describe("an HTTP server on loopback under a budget far smaller than its load", () => {
  test("with the default owner: every request is served within the budget, and the manager ends empty", async () => {
    const result = await runLoad(() => undefined)
    console.log(`http load, default owner: ${JSON.stringify({ ...result, statuses: undefined })}`)
    expectServedWithinBudget(result)
  }, 60_000)

  test("with one owner per route: the same", async () => {
    const result = await runLoad((route) => `route-${route}`)
    console.log(`http load, owner per route: ${JSON.stringify({ ...result, statuses: undefined })}`)
    expectServedWithinBudget(result)
  }, 60_000)
})
