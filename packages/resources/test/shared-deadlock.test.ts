import { expect, test } from "bun:test"
import { createSharedResourceManager } from "../src/index.ts"

const budget = { maxBytes: 100, reservedBytes: 0, warningPercent: 50, criticalPercent: 80 }

const next = (worker: Worker) =>
  new Promise<unknown>((resolve) => {
    worker.onmessage = (event) => resolve(event.data)
  })

test("two sequential threads each waiting for the other's bytes: the second wait is DeadlockDetected", async () => {
  const manager = createSharedResourceManager({ budgets: { Memory: budget }, sequential: true })
  const worker = new Worker(new URL("./support/shared-deadlock-worker.ts", import.meta.url).href)
  try {
    const held = next(worker)
    worker.postMessage(manager.descriptor)
    expect(await held).toBe("held")
    manager.acquire({ type: "Memory", sizeBytes: 30 })
    // the worker is not waiting: what it holds counts as releasable, so this wait is safe
    const mine = manager.acquireAsync({ type: "Memory", sizeBytes: 50 })
    expect(manager.getResourceStats("Memory").waiting).toBe(1)
    const refused = next(worker)
    worker.postMessage("wait")
    expect(await refused).toEqual({ tag: "DeadlockDetected", drivers: ["thread 0", "thread 1"] })
    // the worker closed, releasing its 40 bytes: the main thread's wait is granted
    const granted = await mine
    expect(granted.metadata.sizeBytes).toBe(50)
    expect(manager.getResourceStats("Memory")).toMatchObject({ currentUsage: 80, waiting: 0, failedCount: 1 })
  } finally {
    worker.terminate()
    manager.close()
  }
})

test("concurrent threads (the default) never get DeadlockDetected for a possible request", async () => {
  const manager = createSharedResourceManager({ budgets: { Memory: budget } })
  manager.acquire({ type: "Memory", sizeBytes: 60 })
  const wait = manager.acquireAsync({ type: "Memory", sizeBytes: 50 }, { mode: "Timeout", timeoutMillis: 1 })
  await expect(wait).rejects.toMatchObject({ _tag: "AcquireTimeout" })
  manager.close()
})

test('a custom type named "__proto__" is checked as any other: a sequential wait for bytes only it holds is DeadlockDetected', async () => {
  for (const name of ["Shader", "__proto__"]) {
    // built with defineProperty: a literal's "__proto__" key would set the prototype instead
    const types = Object.defineProperty({}, name, { value: {}, enumerable: true })
    const budgets = Object.defineProperty({}, name, { value: { ...budget, maxBytes: 8 }, enumerable: true })
    const manager = createSharedResourceManager({ sequential: true, types, budgets })
    const type = name as "Memory"
    const held = manager.acquire({ type, sizeBytes: 8 })
    const outcome = await manager.acquireAsync({ type, sizeBytes: 4 }).then(
      () => "granted",
      (error: unknown) => (error instanceof Error ? error.name : "?")
    )
    expect([name, outcome]).toEqual([name, "DeadlockDetected"])
    held.release()
    manager.close()
  }
})
