/**
 * The pressure event an Emergency admission over budget raises carries the type's stats inside the step
 * (docs/semantics.md, section 8): its overage and emergency count included, as `getResourceStats` shows right
 * after. It showed `emergencyCount: 0, emergencyBytes: 0` with the admission's bytes and allocation counted
 * (reported by a new user's model of the budget rules).
 */
import { expect, test } from "bun:test"
import { Effect } from "effect"
import { createResourceManager, type PressureEvent, ResourceManager } from "../src/index.ts"

const budget = { maxBytes: 100, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 }
const pick = ({ stats }: PressureEvent) => ({
  to: stats.pressure,
  currentUsage: stats.currentUsage,
  allocationCount: stats.allocationCount,
  emergencyCount: stats.emergencyCount,
  emergencyBytes: stats.emergencyBytes
})

test("the facade: the None → Critical event of an Emergency admission counts its overage", async () => {
  const m = createResourceManager({ budgets: { Memory: budget } })
  const events: Array<PressureEvent> = []
  m.registerPressureCallback((event) => events.push(event))
  const spike = m.acquire("spike", { type: "Memory", sizeBytes: 150 }, { mode: "Emergency" })
  await Promise.resolve()
  expect(events.map(pick)).toEqual([
    { to: "Critical", currentUsage: 150, allocationCount: 1, emergencyCount: 1, emergencyBytes: 50 }
  ])
  spike.release()
  await Promise.resolve()
  // the release's event: the overage paid back in the same step
  expect(pick(events[1] as PressureEvent)).toMatchObject({ to: "None", currentUsage: 0, emergencyBytes: 0 })
  m.close()
})

test("the Effect service: the same event", async () => {
  const events = await Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        const events: Array<PressureEvent> = []
        yield* manager.registerPressureCallback((event) => {
          events.push(event)
        })
        yield* manager.acquire("spike", { type: "Memory", sizeBytes: 150 }, { mode: "Emergency" })
        yield* Effect.yieldNow
        return events
      })
    ).pipe(Effect.provide(ResourceManager.layer({ budgets: { Memory: budget } })))
  )
  expect(events.map(pick)[0]).toEqual({
    to: "Critical",
    currentUsage: 150,
    allocationCount: 1,
    emergencyCount: 1,
    emergencyBytes: 50
  })
})
