/**
 * User-defined resource types: a config declares them (`types`), the compiler knows them through
 * `CustomResourceTypes`, and each has its own budget, stats, pressure, reclamation, waits and a code in the
 * Custom range. A name a manager was not given, and a bad declaration, fail with typed errors and change
 * nothing.
 */
import { describe, expect, test } from "bun:test"
import { CustomResourceTypeCodes, type ResourceBudget, ResourceFlags, ResourceType } from "@flight-hal/core"
import { Effect } from "effect"
import { createResourceManager, type PressureEvent, ResourceManager, type ResourceManagerConfig } from "../src/index.ts"
import { MAX_CUSTOM_TYPES } from "../src/internal/type-table.ts"
import { thrownField } from "./support/thrown.ts"

declare module "@flight-hal/core" {
  interface CustomResourceTypes {
    Shader: true
    Mesh: true
  }
}

const budget = (maxBytes: number, reservedBytes = 0): ResourceBudget => ({
  maxBytes,
  reservedBytes,
  warningPercent: 50,
  criticalPercent: 80
})
const quiet = { onLeaks: () => {} }
const config = {
  ...quiet,
  types: { Shader: {}, Mesh: { code: 0x80000100 } },
  budgets: { Shader: budget(1000), Memory: budget(1 << 20) }
}
const tagOf = (f: () => unknown): unknown => thrownField(f, "_tag")
const fieldOf = (f: () => unknown, field: string): unknown => thrownField(f, field)

describe("user-defined resource types (facade)", () => {
  test("each custom type has its own budget, usage, counters and code", () => {
    const manager = createResourceManager(config)
    const shader = manager.acquire("blur", { type: "Shader", sizeBytes: 600 })
    const mesh = manager.acquire("teapot", { type: "Mesh", sizeBytes: 5000 })
    const memory = manager.acquire("", { type: "Memory", sizeBytes: 100 })
    expect(manager.getResourceStats("Shader")).toMatchObject({
      type: "Shader",
      code: CustomResourceTypeCodes.min,
      currentUsage: 600,
      allocationCount: 1,
      pressure: "Low",
      budget: budget(1000)
    })
    // Mesh has no budget: unlimited, but counted on its own
    expect(manager.getResourceStats("Mesh")).toMatchObject({ type: "Mesh", code: 0x80000100, currentUsage: 5000 })
    expect(manager.getResourceStats("Memory").currentUsage).toBe(100)
    expect(manager.getResourceStats("Custom").currentUsage).toBe(0)
    // NonBlocking over the Shader budget: BudgetExceeded naming the custom type
    const over = () => manager.acquire("", { type: "Shader", sizeBytes: 500 })
    expect(tagOf(over)).toBe("BudgetExceeded")
    expect(fieldOf(over, "resourceType")).toBe("Shader")
    expect(manager.getResourceStats("Shader").failedCount).toBe(2)
    const types: Array<readonly [string, number]> = manager.snapshot().types.map((s) => [s.type, s.code])
    expect(types).toEqual([
      ...Object.entries(ResourceType),
      ["Shader", CustomResourceTypeCodes.min],
      ["Mesh", 0x80000100]
    ])
    expect(manager.driverStats("app").bytesByType).toEqual({ Shader: 600, Mesh: 5000, Memory: 100 })
    expect(manager.find("blur").metadata.type).toBe("Shader")
    shader.release()
    mesh.release()
    memory.release()
    expect(manager.snapshot().types.every((s) => s.currentUsage === 0)).toBe(true)
    manager.close()
  })

  test("setBudget, getBudget, removeBudget, reclamation and pressure events work on a custom type", async () => {
    const manager = createResourceManager(config)
    const events: Array<PressureEvent> = []
    using _listening = manager.registerPressureCallback((event) => events.push(event))
    manager.setBudget("Mesh", budget(100))
    expect(manager.getBudget("Mesh")).toEqual(budget(100))
    const cached = manager.acquire("cache", { type: "Mesh", sizeBytes: 90 })
    let asked = 0
    using _reclaimer = manager.registerReclamationCallback("Mesh", (missing) => {
      asked = missing
      cached.release()
      return 90
    })
    const fresh = manager.acquire("fresh", { type: "Mesh", sizeBytes: 50 })
    expect(asked).toBe(40)
    expect(manager.getResourceStats("Mesh").currentUsage).toBe(50)
    await Promise.resolve()
    expect(events.map((e) => [e.type, e.from, e.to])).toEqual([
      ["Mesh", "None", "High"],
      ["Mesh", "High", "None"],
      ["Mesh", "None", "Low"]
    ])
    manager.removeBudget("Mesh")
    expect(manager.getBudget("Mesh")).toBeUndefined()
    fresh.release()
    manager.close()
  })

  test("a wait on a custom type's budget is granted when bytes come back", async () => {
    const manager = createResourceManager(config)
    const first = manager.acquire("a", { type: "Shader", sizeBytes: 800 })
    const waiting = manager.acquireAsync("b", { type: "Shader", sizeBytes: 500 }, { mode: "Blocking" })
    expect(manager.getResourceStats("Shader").waiting).toBe(1)
    expect(manager.waitGraph().drivers.flatMap((d) => d.waitsFor.map((edge) => edge.resource))).toEqual([
      "bytes:Shader"
    ])
    first.release()
    const second = await waiting
    expect(manager.getResourceStats("Shader")).toMatchObject({ currentUsage: 500, waiting: 0 })
    second.release()
    manager.close()
  })

  test("a type the manager was not given fails with a typed error naming it, and changes nothing", () => {
    const manager = createResourceManager({ ...quiet, types: { Shader: {} } })
    const before = manager.snapshot()
    // Mesh is declared for the compiler but not in this manager's config
    const acquire = () => manager.acquire("", { type: "Mesh", sizeBytes: 1 })
    expect(tagOf(acquire)).toBe("InvalidMetadata")
    expect(String(fieldOf(acquire, "issue"))).toContain("expected one of Hardware, Memory, Performance")
    expect(String(fieldOf(acquire, "issue"))).toContain('Shader, got "Mesh"')
    expect(tagOf(() => manager.setBudget("Mesh", budget(1)))).toBe("InvalidBudget")
    expect(tagOf(() => manager.getResourceStats("Mesh"))).toBe("InvalidArgument")
    expect(tagOf(() => manager.getBudget("Mesh"))).toBe("InvalidArgument")
    expect(tagOf(() => manager.removeBudget("Mesh"))).toBe("InvalidArgument")
    expect(tagOf(() => manager.registerReclamationCallback("Mesh", () => 0))).toBe("InvalidArgument")
    for (const name of ["toString", "__proto__", "constructor", "", "shader"]) {
      // @ts-expect-error not a type name
      expect(tagOf(() => manager.acquire("", { type: name, sizeBytes: 1 }))).toBe("InvalidMetadata")
      // @ts-expect-error not a type name
      expect(tagOf(() => manager.getResourceStats(name))).toBe("InvalidArgument")
    }
    // a typo is a compile error as well as a runtime one
    // @ts-expect-error "Shadr" is not a resource type
    expect(tagOf(() => manager.acquire("", { type: "Shadr", sizeBytes: 1 }))).toBe("InvalidMetadata")
    // @ts-expect-error "Shadr" is not a resource type
    expect(tagOf(() => manager.setBudget("Shadr", budget(1)))).toBe("InvalidBudget")
    expect(manager.snapshot()).toEqual(before)
    manager.close()
  })

  test("bad declarations fail with InvalidArgument naming the entry", () => {
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [[], "config.types"],
      ["Shader", "config.types"],
      [null, "config.types"],
      [{ Memory: {} }, "config.types.Memory"],
      [{ Custom: {} }, "config.types.Custom"],
      [{ "": {} }, "config.types."],
      [{ [`S${"x".repeat(64)}`]: {} }, `config.types.S${"x".repeat(63)}… (65 characters)`],
      [{ Shader: 1 }, "config.types.Shader"],
      [{ Shader: { code: 0x80000000 } }, "config.types.Shader"],
      [{ Shader: { code: 2 ** 32 } }, "config.types.Shader"],
      [{ Shader: { code: 0x80000001 + 0.5 } }, "config.types.Shader"],
      [{ Shader: { code: "0x80000001" } }, "config.types.Shader"],
      [{ Shader: { code: Number.NaN } }, "config.types.Shader"],
      [{ Shader: { size: 1 } }, "config.types.Shader"],
      [{ Shader: { code: 0x80000005 }, Mesh: { code: 0x80000005 } }, "config.types.Mesh"]
    ]
    for (const [types, argument] of cases) {
      // @ts-expect-error deliberately bad declarations
      const make = () => createResourceManager({ ...quiet, types })
      expect({ types, tag: tagOf(make), argument: fieldOf(make, "argument") }).toEqual({
        types,
        tag: "InvalidArgument",
        argument
      })
    }
    // a budget for an undeclared type, and a trace of one
    // Mesh is typed (the registry) but not declared in this config: the runtime check catches it
    const budgetOnly = () => createResourceManager({ ...quiet, types: { Shader: {} }, budgets: { Mesh: budget(1) } })
    expect(tagOf(budgetOnly)).toBe("InvalidBudget")
    const traced = () => createResourceManager({ ...quiet, trace: { sink: () => {}, types: ["Mesh"] } })
    expect(fieldOf(traced, "argument")).toBe("config.trace.types")
  })

  test("codes: the lowest free ones in config order; explicit codes are kept; toString is a fine type name", () => {
    const manager = createResourceManager({
      ...quiet,
      // biome-ignore lint/suspicious/noExplicitAny: a name outside the declared registry, checked at runtime only
      types: { Mesh: { code: CustomResourceTypeCodes.min + 1 }, Shader: {}, toString: {} } as any
    })
    const codes = Object.fromEntries(manager.snapshot().types.map((s) => [s.type, s.code]))
    expect(codes).toMatchObject({
      Mesh: CustomResourceTypeCodes.min + 1,
      Shader: CustomResourceTypeCodes.min,
      toString: CustomResourceTypeCodes.min + 2
    })
    const undeclared = "toString" as Parameters<typeof manager.getResourceStats>[0]
    using ref = manager.acquire("", { type: undeclared, sizeBytes: 3 })
    expect(manager.getResourceStats(undeclared).currentUsage).toBe(3)
    expect(String(ref.metadata.type)).toBe("toString")
    manager.close()
  })
})

describe("many user-defined types", () => {
  test("a manager with 40 custom types wakes, rebudgets and fails waiters of the last ones", async () => {
    const names = Array.from({ length: 40 }, (_, i) => `T${i}`)
    type Name = Parameters<ReturnType<typeof createResourceManager>["getResourceStats"]>[0]
    const types = Object.fromEntries(names.map((name) => [name, {}])) as NonNullable<ResourceManagerConfig["types"]>
    const manager = createResourceManager({ ...quiet, types })
    const last = names[39] as Name
    const before = names[38] as Name
    manager.setBudget(last, budget(10))
    manager.setBudget(before, budget(10))
    const held = manager.acquire("", { type: last, sizeBytes: 8 })
    const heldBefore = manager.acquire("", { type: before, sizeBytes: 8 })
    const granted = manager.acquireAsync("", { type: last, sizeBytes: 5 })
    const failed = manager.acquireAsync("", { type: before, sizeBytes: 5 })
    expect(manager.getResourceStats(last).waiting).toBe(1)
    held.release() // wakes the waiter of type 39 (beyond a 31-bit mask)
    const ref = await granted
    expect(manager.getResourceStats(last)).toMatchObject({ currentUsage: 5, waiting: 0 })
    manager.setBudget(before, budget(4)) // the waiter of type 38 can never fit: BudgetExceeded
    expect(
      await failed.then(
        () => "granted",
        (error: { readonly _tag: string }) => error._tag
      )
    ).toBe("BudgetExceeded")
    expect(manager.getResourceStats(before).waiting).toBe(0)
    ref.release()
    heldBefore.release()
    expect(manager.snapshot().types.length).toBe(6 + 40)
    manager.close()
  })

  test("with the most custom types a manager takes, each one's acquisitions are charged, freed and named as its own", () => {
    // a slot's record once kept its type's index in 8 bits: the 251st custom type on was charged to one type and
    // freed against another (usage went negative there), and the close's leak report named the wrong type
    const names = Array.from({ length: MAX_CUSTOM_TYPES }, (_, i) => `T${i}`)
    type Name = Parameters<ReturnType<typeof createResourceManager>["getResourceStats"]>[0]
    const types = Object.fromEntries(names.map((name) => [name, {}])) as NonNullable<ResourceManagerConfig["types"]>
    const leaks: Array<string> = []
    const manager = createResourceManager({
      types,
      onLeaks: (found) => leaks.push(...found.map((leak) => `${leak.name}:${leak.type}:${leak.sizeBytes}`))
    })
    const picked = [0, 249, 250, 255, 256, 260, 511, 512, 1023].map((i) => names[i] as Name)
    const refs = picked.map((type, i) =>
      manager.acquire(`r${i}`, { type, sizeBytes: 100 + i, flags: ResourceFlags.combine("Shareable") })
    )
    for (const [i, type] of picked.entries()) {
      expect(manager.getResourceStats(type)).toMatchObject({ currentUsage: 100 + i, allocationCount: 1 })
      expect(manager.find(`r${i}`)).toMatchObject({ metadata: { type } })
    }
    // the flags beside the type in the record: every one of these is Shareable
    const shared = manager.share((refs[8] as (typeof refs)[number]).handle, "reader")
    shared.release()
    for (const ref of refs.slice(0, 8)) ref.release()
    for (const [i, type] of picked.entries()) {
      const held = i === 8 ? 100 + i : 0
      expect(manager.getResourceStats(type)).toMatchObject({ currentUsage: held, releaseCount: i === 8 ? 0 : 1 })
    }
    // no other type was touched by any of it
    const touched = names.filter((name) => {
      const stats = manager.getResourceStats(name as Name)
      return stats.allocationCount !== 0 || stats.releaseCount !== 0 || stats.currentUsage !== 0
    })
    expect(touched).toEqual(picked.map(String))
    manager.close()
    expect(leaks).toEqual(["r8:T1023:108"])
  })
})

describe("user-defined resource types (Effect)", () => {
  test("acquire, stats and budgets of a custom type through the service", async () => {
    const program = Effect.gen(function* () {
      const manager = yield* ResourceManager
      const usage = yield* Effect.scoped(
        Effect.gen(function* () {
          const ref = yield* manager.acquire("blur", { type: "Shader", sizeBytes: 700 })
          const payload = yield* ref.get
          const stats = yield* manager.getResourceStats("Shader")
          return [payload, stats.currentUsage, stats.pressure] as const
        })
      )
      const failed = yield* Effect.flip(Effect.scoped(manager.acquire("", { type: "Shader", sizeBytes: 2000 })))
      yield* manager.setBudget("Mesh", budget(10))
      const mesh = yield* manager.getBudget("Mesh")
      // @ts-expect-error "Shadr" is not a resource type
      const typo = yield* Effect.flip(manager.getResourceStats("Shadr"))
      const after = yield* manager.getResourceStats("Shader")
      return { usage, failed: failed._tag, mesh, typo: typo._tag, after: after.currentUsage }
    })
    const result = await Effect.runPromise(program.pipe(Effect.provide(ResourceManager.layer(config))))
    expect(result).toEqual({
      usage: [undefined, 700, "Medium"],
      failed: "BudgetExceeded",
      mesh: budget(10),
      typo: "InvalidArgument",
      after: 0
    })
  })
})
