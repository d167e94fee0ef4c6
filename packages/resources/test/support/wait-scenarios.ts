/**
 * Random plain wait states for the property tests of the deadlock reduction (deadlock.test.ts,
 * manager-check.test.ts): 2–4 drivers, 1–2 types (budgeted or not), up to 4 live resources (named, shared,
 * dependent) and 4 waiters in queue order, plus a candidate: bytes waiters, name waiters with or without a
 * bytes stage, and named type-queue waiters that reserve their name.
 */
import * as fc from "fast-check"
import type { LiveResource, TypeBudget, Waiter, WaitPriority, WaitState } from "../../src/internal/deadlock/index.ts"

const priorities: readonly WaitPriority[] = ["Low", "Normal", "High", "Critical"]
const names = ["X", "Y", "Z"] as const

const arbWaiter = fc.record({
  driver: fc.nat(3),
  name: fc.option(fc.constantFrom(...names), { nil: undefined }),
  type: fc.nat(2),
  sizeBytes: fc.nat(4),
  priority: fc.constantFrom(...priorities),
  dependsOn: fc.array(fc.nat(3), { maxLength: 1 }),
  stage: fc.constantFrom("name", "reserving", "nameOnly")
})

const scenarios = (maxBytes: number) =>
  fc.record({
    drivers: fc.integer({ min: 2, max: 4 }),
    types: fc.array(
      fc.record({
        budgeted: fc.nat(6).map((n) => n > 0),
        maxBytes: fc.nat(maxBytes),
        reserved: fc.nat(2),
        extra: fc.nat(2)
      }),
      { minLength: 1, maxLength: 2 }
    ),
    resources: fc.array(
      fc.record({
        type: fc.nat(2),
        sizeBytes: fc.nat(4),
        name: fc.option(fc.constantFrom(...names), { nil: undefined }),
        holders: fc.subarray([0, 1, 2, 3]),
        dependsOn: fc.subarray([0, 1, 2])
      }),
      { maxLength: 4 }
    ),
    waiters: fc.array(arbWaiter, { maxLength: 4 }),
    candidate: arbWaiter
  })

/** One generated scenario, before `toWaitState`. */
export type WaitScenario = ReturnType<typeof scenarios> extends fc.Arbitrary<infer T> ? T : never

/** Scenarios whose budgets are up to `maxBytes` (7 unless given: tight enough for many deadlocks). */
export const arbWaitScenario = (options: { readonly maxBytes?: number } = {}): fc.Arbitrary<WaitScenario> =>
  scenarios(options.maxBytes ?? 7)

const toWaiter = (
  raw: WaitScenario["candidate"],
  id: string,
  scenario: WaitScenario,
  resourceCount: number
): Waiter => {
  const driver = `D${raw.driver % scenario.drivers}`
  const dependsOn = raw.dependsOn.filter((i) => i < resourceCount).map((i) => `r${i}`)
  const base = { id, driver, priority: raw.priority, ...(dependsOn.length > 0 ? { dependsOn } : {}) }
  const type = `T${raw.type % scenario.types.length}`
  if (raw.name === undefined) return { ...base, kind: "bytes", type, sizeBytes: raw.sizeBytes }
  // a named request either waits for its (busy) name and then its bytes, or waits in its type's queue
  // for bytes and reserves its name there
  return raw.stage === "name"
    ? { ...base, kind: "name", name: raw.name, type, sizeBytes: raw.sizeBytes }
    : raw.stage === "reserving"
      ? { ...base, kind: "bytes", type, sizeBytes: raw.sizeBytes, name: raw.name }
      : { ...base, kind: "name", name: raw.name }
}

/** The plain wait state of a scenario (waiters sorted into queue order) and its candidate. */
export const toWaitState = (scenario: WaitScenario): { state: WaitState; candidate: Waiter } => {
  const usedNames = new Set<string>()
  const resources = scenario.resources.map((raw, i): LiveResource => {
    const name = raw.name !== undefined && !usedNames.has(raw.name) ? raw.name : undefined
    if (name !== undefined) usedNames.add(name)
    return {
      id: `r${i}`,
      type: `T${raw.type % scenario.types.length}`,
      sizeBytes: raw.sizeBytes,
      name,
      holders: raw.holders.filter((h) => h < scenario.drivers).map((h) => `D${h}`),
      dependsOn: raw.dependsOn.filter((j) => j < i).map((j) => `r${j}`)
    }
  })
  const budgets: Record<string, TypeBudget> = {}
  scenario.types.forEach((t, i) => {
    if (!t.budgeted) return
    const live = resources.filter((r) => r.type === `T${i}`).reduce((sum, r) => sum + r.sizeBytes, 0)
    budgets[`T${i}`] = { maxBytes: t.maxBytes, reservedBytes: Math.min(t.reserved, t.maxBytes), usage: live + t.extra }
  })
  const rank = (p: WaitPriority) => priorities.indexOf(p)
  const waiters = scenario.waiters
    .map((raw, i) => toWaiter(raw, `w${i}`, scenario, resources.length))
    .sort((a, b) => rank(b.priority) - rank(a.priority))
  return {
    state: { budgets, resources, waiters },
    candidate: toWaiter(scenario.candidate, "candidate", scenario, resources.length)
  }
}
