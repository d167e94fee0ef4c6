/**
 * Error messages that say what happened (docs/tables.md, docs/semantics.md sections 5 and 6): an unnamed resource
 * prints as `(unnamed)`, a request refused by the no-barging rule says it fits and names the waiters ahead
 * (`waitersAhead`), a pool whose growth or initial capacity the budget refuses says so (`refusedBytes`), and a byte
 * count past 2^53 − 1 gets the byte count's own message. Tags, codes, classes and the other fields are unchanged.
 */
import { describe, expect, test } from "bun:test"
import {
  BudgetExceeded,
  InvalidBudget,
  InvalidMetadata,
  PoolExhausted,
  type ResourceBudget,
  ResourceNotFound,
  ResourceReleased
} from "@flight-hal/core"
import { Effect, Exit } from "effect"
import { createResourceManager, createSharedResourceManager } from "../src/index.ts"
import { openManager } from "./support/effect.ts"
import { thrown } from "./support/thrown.ts"

const quiet = { onLeaks: () => {} }
const budget = (maxBytes: number): ResourceBudget => ({
  maxBytes,
  reservedBytes: 0,
  warningPercent: 75,
  criticalPercent: 90
})
const memory = (sizeBytes: number, priority?: "Low" | "Normal" | "High") => ({
  type: "Memory" as const,
  sizeBytes,
  ...(priority === undefined ? {} : { priority })
})

describe("a request refused by the no-barging rule", () => {
  test("facade: says it fits and how many waiters of its priority or higher are ahead; state unchanged", async () => {
    const manager = createResourceManager({ ...quiet, budgets: { Memory: budget(1000) } })
    manager.acquire("", memory(800))
    const waiting = [
      manager.acquireAsync("", memory(500), { mode: "Blocking" }).catch(() => undefined),
      manager.acquireAsync("", memory(400, "High"), { mode: "Blocking" }).catch(() => undefined),
      manager.acquireAsync("", memory(300, "Low"), { mode: "Blocking" }).catch(() => undefined)
    ]
    const before = manager.getResourceStats("Memory")
    const error = thrown(() => manager.acquire("", memory(100)))
    expect(error).toBeInstanceOf(BudgetExceeded)
    const refused = error as BudgetExceeded
    expect([refused._tag, refused.category, refused.code]).toEqual(["BudgetExceeded", "Resource", 2])
    // the Normal and the High waiter are ahead of a Normal request; the Low one is not
    expect({ ...refused } as Record<string, unknown>).toEqual({
      _tag: "BudgetExceeded",
      resourceType: "Memory",
      requested: 100,
      available: 200,
      limit: 1000,
      waitersAhead: 2
    })
    expect(refused.message).toBe(
      "Budget for Memory refused 100 bytes: they fit (200 available of limit 1000), but waiters of the same or higher priority go first (queued ahead: 2)"
    )
    const after = manager.getResourceStats("Memory")
    expect(after.currentUsage).toBe(before.currentUsage)
    expect(after.failedCount).toBe(before.failedCount + 1)
    expect(after.waiting).toBe(3)
    // a High request has one waiter of its priority or higher ahead
    expect((thrown(() => manager.acquire("", memory(100, "High"))) as BudgetExceeded).waitersAhead).toBe(1)
    manager.close()
    await Promise.all(waiting)
  })

  test("facade: a request that does not fit keeps the budget message, without waitersAhead", async () => {
    const manager = createResourceManager({ ...quiet, budgets: { Memory: budget(1000) } })
    manager.acquire("", memory(800))
    const waiting = manager.acquireAsync("", memory(500), { mode: "Blocking" }).catch(() => undefined)
    const error = thrown(() => manager.acquire("", memory(300))) as BudgetExceeded
    expect(error).toBeInstanceOf(BudgetExceeded)
    expect("waitersAhead" in error).toBe(false)
    expect(error.message).toBe("Budget exceeded for Memory: requested 300 bytes, 200 available of limit 1000")
    manager.close()
    await waiting
  })

  test("Effect: the same error in the error channel", async () => {
    const open = await openManager({ ...quiet, budgets: { Memory: budget(1000) } })
    const held = await open.run(open.manager.acquire("", memory(800)))
    expect(Exit.isSuccess(held)).toBe(true)
    const waiter = open.run(open.manager.acquire("", memory(500), { mode: "Blocking" }))
    const refused = await open.run(Effect.flip(open.manager.acquire("", memory(100))))
    expect(Exit.isSuccess(refused) ? refused.value : refused).toMatchObject({
      _tag: "BudgetExceeded",
      requested: 100,
      available: 200,
      limit: 1000,
      waitersAhead: 1,
      message:
        "Budget for Memory refused 100 bytes: they fit (200 available of limit 1000), but waiters of the same or higher priority go first (queued ahead: 1)"
    })
    await open.close()
    await waiter
  })
})

describe("the shared manager's messages", () => {
  test("no-barging: a request that fits says so and counts the waiters ahead; one that does not fit keeps the budget message", async () => {
    const manager = createSharedResourceManager({ budgets: { Memory: budget(1000) }, maxThreads: 2, maxResources: 16 })
    const held = manager.acquire({ type: "Memory", sizeBytes: 800 })
    const waiting = manager
      .acquireAsync({ type: "Memory", sizeBytes: 500 }, { mode: "Blocking" })
      .catch(() => undefined)
    const before = manager.getResourceStats("Memory")
    const fits = thrown(() => manager.acquire({ type: "Memory", sizeBytes: 100 })) as BudgetExceeded
    expect(fits).toBeInstanceOf(BudgetExceeded)
    expect({ ...fits } as Record<string, unknown>).toEqual({
      _tag: "BudgetExceeded",
      resourceType: "Memory",
      requested: 100,
      available: 200,
      limit: 1000,
      waitersAhead: 1
    })
    expect(fits.message).toBe(
      "Budget for Memory refused 100 bytes: they fit (200 available of limit 1000), but waiters of the same or higher priority go first (queued ahead: 1)"
    )
    const tooBig = thrown(() => manager.acquire({ type: "Memory", sizeBytes: 300 })) as BudgetExceeded
    expect("waitersAhead" in tooBig).toBe(false)
    expect(tooBig.message).toBe("Budget exceeded for Memory: requested 300 bytes, 200 available of limit 1000")
    const after = manager.getResourceStats("Memory")
    expect(after.currentUsage).toBe(before.currentUsage)
    expect(after.failedCount).toBe(before.failedCount + 2)
    held.release()
    await waiting
    manager.close()
  })

  test("find('') says (unnamed); a config pool the budget cannot hold says its capacity was refused", () => {
    const manager = createSharedResourceManager({ budgets: { Memory: budget(1000) }, maxThreads: 2, maxResources: 16 })
    const notFound = thrown(() => manager.find("")) as ResourceNotFound
    expect(notFound).toBeInstanceOf(ResourceNotFound)
    expect([notFound.resource, notFound.message]).toEqual(["", "Resource (unnamed) not found"])
    manager.close()
    const refused = thrown(() =>
      createSharedResourceManager({
        budgets: { Memory: budget(4096) },
        pools: [{ type: "Memory", blockSize: 1024, blockCount: 8 }]
      })
    ) as PoolExhausted
    expect(refused).toBeInstanceOf(PoolExhausted)
    expect(refused.refusedBytes).toBe(8192)
    expect(refused.message).not.toContain("in use")
  })
})

describe("an unnamed resource in a message", () => {
  test("find('') and a released unnamed ref say (unnamed); the field is still ''", () => {
    const manager = createResourceManager({ ...quiet, budgets: { Memory: budget(1000) } })
    const notFound = thrown(() => manager.find("")) as ResourceNotFound
    expect(notFound).toBeInstanceOf(ResourceNotFound)
    expect(notFound.resource).toBe("")
    expect(notFound.message).toBe("Resource (unnamed) not found")
    const ref = manager.acquire("", memory(8))
    ref.release()
    const released = thrown(() => ref.payload) as ResourceReleased
    expect(released).toBeInstanceOf(ResourceReleased)
    expect(released.resource).toBe("")
    expect(released.message).toBe("Resource (unnamed) was already released")
    manager.close()
  })
})

describe("the facade's leak warning", () => {
  test("an unnamed leak says (unnamed), a named one its name", () => {
    const warned: Array<unknown> = []
    const original = console.warn
    console.warn = (...args: Array<unknown>) => void warned.push(args[0])
    try {
      const manager = createResourceManager({ budgets: { Memory: budget(1000) } })
      manager.acquire("", memory(8))
      manager.acquire("tex", memory(16))
      manager.close()
    } finally {
      console.warn = original
    }
    // most recently acquired first
    expect(warned).toEqual([
      "flight-hal resource-manager leak: tex Memory 16 bytes owned by app",
      "flight-hal resource-manager leak: (unnamed) Memory 8 bytes owned by app"
    ])
  })
})

describe("a pool whose capacity the budget refuses", () => {
  const textures = { type: "Memory", name: "textures", blockSize: 4096, initialCount: 300, maxCount: 400 } as const
  const refusedMessage = "Pool textures could not grow by 1228800 bytes: its budget refused them"

  test("config.pools: PoolExhausted says the initial capacity was refused, not that blocks are in use", () => {
    const error = thrown(() =>
      createResourceManager({ ...quiet, budgets: { Memory: budget(1 << 20) }, pools: [textures] })
    ) as PoolExhausted
    expect(error).toBeInstanceOf(PoolExhausted)
    expect({ ...error } as Record<string, unknown>).toEqual({
      _tag: "PoolExhausted",
      pool: "textures",
      blockSize: 4096,
      maxCount: 400,
      refusedBytes: 300 * 4096
    })
    expect(error.message).toBe(refusedMessage)
  })

  test("pools.createPool: the same, and nothing is charged", () => {
    const manager = createResourceManager({ ...quiet, budgets: { Memory: budget(1 << 20) } })
    const made = manager.pools.createPool(textures)
    expect(made.ok).toBe(false)
    const error = (made as { readonly error: PoolExhausted }).error
    expect(error).toBeInstanceOf(PoolExhausted)
    expect([error._tag, error.code, error.refusedBytes]).toEqual(["PoolExhausted", 1, 300 * 4096])
    expect(error.message).toBe(refusedMessage)
    expect(manager.getResourceStats("Memory").currentUsage).toBe(0)
    manager.close()
  })
})

describe("a byte count past 2^53 − 1", () => {
  const issue = (n: number, field: string) => `a byte count is a safe integer ≥ 0, got ${n} at ["${field}"]`

  test("facade: sizeBytes and maxBytes get the byte count's message", () => {
    const manager = createResourceManager(quiet)
    for (const n of [-1, 2 ** 53, 2 ** 60, 1e300]) {
      const metadata = thrown(() => manager.acquire("a", memory(n))) as InvalidMetadata
      expect(metadata).toBeInstanceOf(InvalidMetadata)
      expect(metadata.message).toBe(`Invalid resource metadata: ${issue(n, "sizeBytes")}`)
      const budgetError = thrown(() => manager.setBudget("Memory", budget(n))) as InvalidBudget
      expect(budgetError).toBeInstanceOf(InvalidBudget)
      expect(budgetError.issue).toBe(issue(n, "maxBytes"))
    }
    manager.close()
  })

  test("Effect: the same issues", async () => {
    const open = await openManager(quiet)
    for (const n of [2 ** 53, 2 ** 60, 1e300]) {
      const exit = await open.run(Effect.flip(Effect.scoped(open.manager.acquire("a", memory(n)))))
      expect(Exit.isSuccess(exit) ? exit.value : exit).toMatchObject({
        _tag: "InvalidMetadata",
        issue: issue(n, "sizeBytes")
      })
      const budgetExit = await open.run(Effect.flip(open.manager.setBudget("Memory", budget(n))))
      expect(Exit.isSuccess(budgetExit) ? budgetExit.value : budgetExit).toMatchObject({
        _tag: "InvalidBudget",
        issue: issue(n, "maxBytes")
      })
    }
    await open.close()
  })
})
