/**
 * Hysteresis is exact (docs/semantics.md section 8): `h = maxBytes · hysteresisPercent / 100` is taken as the
 * exact fraction it is, so a usage with `usage + h` exactly on a threshold keeps the level, whatever the double
 * `3406 · 7 / 100` rounds to (it is stored as 238.41999…; a new user's model found a level dropped there).
 */
import { describe, expect, test } from "bun:test"
import { createResourceManager, createSharedResourceManager } from "../src/index.ts"

// hysteresis = warning percent: after a release to 0, 0 + h sits exactly on the warning threshold, so Low stays
const budgetOf = (maxBytes: number) => ({ maxBytes, reservedBytes: 0, warningPercent: 7, criticalPercent: 100 })
const sizes = [1000, 1001, 3406, 3407, 2 ** 40 + 1]

describe("a release to usage + h exactly on the warning threshold keeps Low", () => {
  test.each(sizes)("the facade, maxBytes %p", (maxBytes) => {
    const m = createResourceManager({ hysteresisPercent: 7, budgets: { Memory: budgetOf(maxBytes) } })
    const ref = m.acquire("a", { type: "Memory", sizeBytes: Math.ceil((maxBytes * 7) / 100) + 1 })
    expect(m.getResourceStats("Memory").pressure).toBe("Low")
    ref.release()
    expect(m.getResourceStats("Memory").pressure).toBe("Low")
    m.close()
  })

  test.each(sizes)("the shared manager, maxBytes %p", (maxBytes) => {
    const m = createSharedResourceManager({ hysteresisPercent: 7, budgets: { Memory: budgetOf(maxBytes) } })
    const ref = m.acquire({ type: "Memory", sizeBytes: Math.ceil((maxBytes * 7) / 100) + 1 })
    expect(m.getResourceStats("Memory").pressure).toBe("Low")
    ref.release()
    expect(m.getResourceStats("Memory").pressure).toBe("Low")
    m.close()
  })
})
