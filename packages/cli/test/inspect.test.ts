import { describe, expect, test } from "bun:test"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createResourceManager, managerDump, ResourceManager } from "@flight-hal/resources"
import { Effect } from "effect"
import { dumpManager, type ManagerDump, parseDump, renderInspect, runCli } from "../src/index.ts"

const capture = async (args: ReadonlyArray<string>) => {
  let text = ""
  const code = await runCli(args, { write: (t) => (text += t), isTTY: false })
  return { code, text }
}

describe("inspect", () => {
  test("demo --dump writes a dump that inspect reads back", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flight-hal-inspect-"))
    const file = join(dir, "dump.json")
    expect((await capture(["demo", "--frames", "60", "--dump", file, "--json"])).code).toBe(0)
    const dump = await Effect.runPromise(parseDump(readFileSync(file, "utf8")))
    expect(dump.label).toBe("demo")
    // Written during the provoked deadlock: graphics waits for the DSP that audio holds.
    const graphics = dump.waitGraph.drivers.find((d) => d.driver === "graphics")
    expect(graphics?.waitsFor.map((w) => w.resource)).toEqual(["name:dsp"])
    expect(dump.pools.map((p) => p.name)).toEqual(["textures", "audio-buffers", "vertex-buffers", "dma-buffers"])

    const { code, text } = await capture(["inspect", file])
    expect(code).toBe(0)
    for (const section of [
      "Budgets",
      "Failures and leaks",
      "Pools",
      "Holders",
      "Shared resources",
      "Dependencies",
      "Drivers",
      "Wait-for graph"
    ]) {
      expect(text).toContain(`\n${section}`)
    }
    expect(text).toContain("graphics waits for name:dsp (High) held by audio")
    expect(text).toContain("vertex-buffer: audio, graphics")
    expect(text).toContain("--all lists every one")
    const all = await capture(["inspect", file, "--all"])
    expect(all.text.split("\n").length).toBeGreaterThan(text.split("\n").length)
  }, 60_000) // a demo run in a child process: seconds on a loaded machine

  test("a manager's dump round-trips through JSON: holders, sharing, dependencies", async () => {
    const dump: ManagerDump = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const manager = yield* ResourceManager
          const mesh = yield* manager.acquire(
            "mesh",
            { type: "Memory", sizeBytes: 4096, flags: 0x08 },
            { owner: "graphics" }
          )
          yield* manager.acquire(
            "skin",
            { type: "Memory", sizeBytes: 1024, dependsOn: [mesh.handle] },
            { owner: "graphics" }
          )
          yield* manager.share(mesh.handle, "physics")
          return yield* dumpManager(manager, "round-trip", [], 1234)
        })
      ).pipe(
        Effect.provide(
          ResourceManager.layer({
            budgets: { Memory: { maxBytes: 1 << 20, reservedBytes: 1 << 16, warningPercent: 60, criticalPercent: 80 } }
          })
        )
      )
    )
    const back = await Effect.runPromise(parseDump(JSON.stringify(dump)))
    expect(back).toEqual(dump)
    const text = renderInspect(back)
    expect(text).toContain('flight-hal dump "round-trip" at 1234 ms: 2 live resources')
    expect(text).toContain("mesh: graphics, physics")
    // the dependency by its name, as the dependent
    expect(text).toContain("skin → mesh")
    expect(text).toContain("physics holds mesh")
    expect(text).toContain("no deadlock")
  })

  test("a driver's holdings are listed in natural order", async () => {
    const dump: ManagerDump = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const manager = yield* ResourceManager
          // slots 0..11: their ids sort as strings ("10" before "2"), their names must not
          for (let i = 0; i < 12; i++) yield* manager.acquire(`dma-${i}`, { type: "Hardware", sizeBytes: 1 })
          return yield* dumpManager(manager, "order", [], 0)
        })
      ).pipe(Effect.provide(ResourceManager.layer({})))
    )
    const driver = dump.waitGraph.drivers[0]
    if (driver === undefined) throw new Error("no driver")
    const wanted = driver.holds.map((id) => dump.waitGraph.resources.find((r) => r.id === id)?.name)
    expect(wanted).not.toEqual([...wanted].sort((a, b) => (a ?? "").localeCompare(b ?? "", "en", { numeric: true })))
    expect(renderInspect(dump)).toContain("holds dma-0, dma-1, dma-2, dma-3, dma-4, dma-5, … (12)")
  })

  test("a shutdown dump shows the failures by reason and the leaks per type", async () => {
    const manager = createResourceManager({
      label: "shutdown",
      budgets: { Memory: { maxBytes: 1 << 20, reservedBytes: 0, warningPercent: 75, criticalPercent: 90 } },
      onLeaks: () => {}
    })
    manager.acquire("forgotten.png", { type: "Memory", sizeBytes: 4096 })
    manager.acquire("dsp", { type: "Hardware", sizeBytes: 1 }, { owner: "audio" })
    expect(() => manager.acquire("too-big", { type: "Memory", sizeBytes: 2 << 20 })).toThrow()
    expect(() => manager.acquire("too-big", { type: "Memory", sizeBytes: 2 << 20 })).toThrow()
    expect(() => manager.acquire("dsp", { type: "Hardware", sizeBytes: 1 }, { owner: "graphics" })).toThrow()
    expect(manager.close()).toHaveLength(2)
    const dump = await Effect.runPromise(parseDump(JSON.stringify(managerDump(manager, { takenAtMillis: 0 }))))
    const text = renderInspect(dump)
    expect(text).toContain(
      [
        "Failures and leaks",
        "type      failed  by reason          leaks",
        "--------  ------  -----------------  -----",
        "Hardware       1  resource_busy 1        1",
        "Memory         2  budget_exceeded 2      1"
      ].join("\n")
    )
    // the section comes right after the budgets, types without a failure or a leak are left out
    expect(text.indexOf("Failures and leaks")).toBeLessThan(text.indexOf("\nPools"))
    expect(text).not.toMatch(/^(Performance|Communication|Platform|Custom) /m)
  })

  test("a dump without failures or leaks says so; one from before they were dumped shows the failed count", async () => {
    const manager = createResourceManager({ label: "clean" })
    manager.acquire("level", { type: "Memory", sizeBytes: 10 }).release()
    expect(manager.close()).toEqual([])
    const dump = managerDump(manager, { takenAtMillis: 0 })
    expect(renderInspect(dump)).toContain("\nFailures and leaks\n(none)\n")
    const old = {
      ...dump,
      snapshot: {
        ...dump.snapshot,
        types: dump.snapshot.types.map(({ failures: _f, leaks: _l, ...rest }) =>
          rest.type === "Memory" ? { ...rest, failedCount: 3 } : rest
        )
      }
    }
    const back = await Effect.runPromise(parseDump(JSON.stringify(old)))
    expect(renderInspect(back)).toContain(
      ["type    failed  by reason  leaks", "------  ------  ---------  -----", "Memory       3  -          -"].join(
        "\n"
      )
    )
  })

  test("a manager with no budgets and nothing in use prints no empty table", () => {
    const manager = createResourceManager({ label: "closed" })
    manager.acquire("level", { type: "Memory", sizeBytes: 10 }).release()
    manager.close()
    const text = renderInspect(managerDump(manager, { takenAtMillis: 0 }))
    expect(text).toContain("\nBudgets\n(no budgets, nothing in use)\n")
    // every section heading is followed by a table with rows or by one line saying it is empty
    const lines = text.split("\n")
    lines.forEach((line, i) => {
      if (/^-+( +-+)*$/.test(line)) expect(lines[i + 1] ?? "").not.toBe("")
    })
  })

  test("a self-deadlock: the stuck driver is among the holders of the bytes it waits for", async () => {
    // graphics (sequential) waits for 21 bytes that net's release will free; an Emergency admission, which is not
    // checked (semantics.md, section 12), then gives graphics 40 more: after net's release it waits for bytes
    // that it holds itself (80 of the 85 in use), and dma (5) is not waiting
    const manager = createResourceManager({
      label: "self",
      budgets: { Memory: { maxBytes: 100, reservedBytes: 0, warningPercent: 75, criticalPercent: 90 } },
      drivers: { graphics: { sequential: true } },
      onLeaks: () => {}
    })
    const mem = (sizeBytes: number) => ({ type: "Memory" as const, sizeBytes })
    manager.acquire("mine", mem(40), { owner: "graphics" })
    const net = manager.acquire("net-buf", mem(50), { owner: "net" })
    manager.acquire("dma-buf", mem(5), { owner: "dma" })
    const frame = manager
      .acquireAsync("frame", mem(21), { owner: "graphics" })
      .catch((e: { readonly _tag: string }) => e._tag)
    manager.acquire("spike", mem(40), { owner: "graphics", mode: "Emergency" })
    net.release()
    const dump = await Effect.runPromise(parseDump(JSON.stringify(managerDump(manager, { takenAtMillis: 0 }))))
    expect(dump.waitGraph.deadlock).toEqual({ drivers: ["graphics"], resources: ["bytes:Memory"] })
    const text = renderInspect(dump)
    expect(text).toContain("graphics waits for bytes:Memory (21 B, Normal) held by graphics (itself, 80 B), dma (5 B)")
    expect(text).toContain("DEADLOCK: drivers graphics can never finish, waiting over bytes:Memory")
    manager.close()
    expect(await frame).toBe("ManagerClosed")
  })

  test("a wait for a name the waiter holds names it as the holder; other waits name the others", async () => {
    const manager = createResourceManager({ label: "names", onLeaks: () => {} })
    const one = { type: "Hardware" as const, sizeBytes: 1 }
    manager.acquire("dsp", one, { owner: "audio" })
    manager.acquire("gpu-queue", one, { owner: "graphics" })
    // concurrent owners: each wait is its own task, so neither is refused
    const waits = [
      manager.acquireAsync("dsp", one, { owner: "graphics" }),
      manager.acquireAsync("dsp", one, { owner: "audio" })
    ].map((w) => w.catch((e: { readonly _tag: string }) => e._tag))
    const text = renderInspect(managerDump(manager, { takenAtMillis: 0 }))
    expect(text).toContain("graphics waits for name:dsp (Normal) held by audio")
    expect(text).toContain("audio waits for name:dsp (Normal) held by audio (itself)")
    manager.close()
    expect(await Promise.all(waits)).toEqual(["ManagerClosed", "ManagerClosed"])
  })

  test("a file that is not a dump is refused with a reason", async () => {
    expect(await Effect.runPromise(Effect.flip(parseDump("{")))).toBeInstanceOf(Error)
    const wrong = await Effect.runPromise(Effect.flip(parseDump(JSON.stringify({ format: "other" }))))
    expect(wrong.message).toContain("not a flight-hal dump")
    // one line, the field named in dotted form
    const missing = await Effect.runPromise(Effect.flip(parseDump(JSON.stringify({ a: 1 }))))
    expect(missing.message).toBe("not a flight-hal dump: format: Missing key")
  })
})
