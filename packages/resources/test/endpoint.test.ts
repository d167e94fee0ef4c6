import { describe, expect, test } from "bun:test"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { InvalidArgument } from "@flight-hal/core"
import { Effect } from "effect"
import {
  createResourceManager,
  endpointReply,
  type ManagerDump,
  managerDump,
  managerEndpoint,
  prometheusText,
  ResourceManager
} from "../src/index.ts"
import { serveManager } from "../src/ManagerServer.ts"
import { timelineToFile } from "../src/TimelineFile.ts"
import { mem } from "./support/harness.ts"

const budget = { maxBytes: 1000, reservedBytes: 100, warningPercent: 50, criticalPercent: 80 }

describe("managerDump", () => {
  test("the plain facade's dump: stats with failures by reason and leaks, drivers, wait graph, own pools", () => {
    using manager = createResourceManager({
      label: "game",
      budgets: { Memory: budget },
      pools: [{ type: "Memory", blockSize: 64, initialCount: 2, maxCount: 8 }]
    })
    using block = manager.acquire("block", mem(64))
    using level = manager.acquire("level", mem(500), { owner: "loader" })
    expect(() => manager.acquire("huge", mem(900))).toThrow()
    const dump: ManagerDump = managerDump(manager)
    expect(dump).toMatchObject({ format: "flight-hal/dump", version: 1, label: "game", snapshot: { liveResources: 2 } })
    const memory = dump.snapshot.types.find((t) => t.type === "Memory")
    expect(memory).toMatchObject({ currentUsage: 564, budget, leaks: 0 }) // the refusal trimmed the free block
    expect(memory?.failures).toMatchObject({ budget_exceeded: 1, timeout: 0, deadlock: 0 })
    expect(dump.snapshot.types.find((t) => t.type === "Hardware")?.budget).toBeUndefined()
    expect("budget" in (dump.snapshot.types.find((t) => t.type === "Hardware") ?? {})).toBe(false)
    expect(dump.pools).toEqual([
      {
        name: "Memory-64",
        type: "Memory",
        blockSize: 64,
        maxCount: 8,
        totalBlocks: 1,
        usedBlocks: 1,
        peakUsedBlocks: 1
      }
    ])
    expect(dump.waitGraph.resources.map((r) => r.name).sort()).toEqual(["block", "level"])
    expect(dump.snapshot.drivers.map((d) => d.driver).sort()).toEqual(["app", "loader"])
    // JSON-safe: the round trip changes nothing
    expect(JSON.parse(JSON.stringify(dump))).toEqual(dump)
    void block
    void level
  })

  test("the Effect service's dump, with a label and a time given", async () => {
    const dump = await Effect.runPromise(
      Effect.gen(function* () {
        const manager = yield* ResourceManager
        yield* manager.acquire("a", mem(10))
        return managerDump(manager, { label: "svc", takenAtMillis: 42 })
      }).pipe(Effect.scoped, Effect.provide(ResourceManager.layer({ budgets: { Memory: budget } })))
    )
    expect(dump).toMatchObject({ label: "svc", takenAtMillis: 42, snapshot: { liveResources: 1 } })
  })

  test("anything else is InvalidArgument", () => {
    expect(() => managerDump({ snapshot: () => ({}) } as never)).toThrow(InvalidArgument)
  })
})

describe("managerEndpoint", () => {
  test("routes /snapshot and /metrics under any prefix; 404 and 405 otherwise", async () => {
    using manager = createResourceManager({ label: "web" })
    using ref = manager.acquire("x", mem(5))
    const handler = managerEndpoint(manager)
    const snapshot = handler(new Request("http://localhost/debug/flight-hal/snapshot"))
    expect(snapshot.status).toBe(200)
    expect(snapshot.headers.get("content-type")).toBe("application/json")
    expect(((await snapshot.json()) as ManagerDump).label).toBe("web")
    const metrics = handler(new Request("http://localhost/metrics"))
    expect(metrics.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8")
    expect(await metrics.text()).toBe(prometheusText(manager))
    expect(handler(new Request("http://localhost/other")).status).toBe(404)
    expect(handler(new Request("http://localhost/metrics", { method: "POST", body: "x" })).status).toBe(405)
    const head = handler(new Request("http://localhost/snapshot", { method: "HEAD" }))
    expect([head.status, await head.text()]).toEqual([200, ""])
    expect(endpointReply(manager, "GET", "/snapshot").status).toBe(200)
    void ref
  })
})

describe("serveManager (a real loopback server)", () => {
  test("serves the live snapshot and the metrics until closed", async () => {
    using manager = createResourceManager({ label: "served", budgets: { Memory: budget } })
    const server = await serveManager(manager)
    try {
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`)
      const first = (await (await fetch(`${server.url}/snapshot`)).json()) as ManagerDump
      const ref = manager.acquire("level", mem(300))
      const second = (await (await fetch(`${server.url}/snapshot`)).json()) as ManagerDump
      const usage = (dump: ManagerDump) => dump.snapshot.types.find((t) => t.type === "Memory")?.currentUsage
      expect([usage(first), usage(second)]).toEqual([0, 300]) // live: read at each request
      const text = await (await fetch(`${server.url}/metrics`)).text()
      expect(text).toContain('flight_hal_resource_usage_bytes{type="Memory",manager="served"} 300')
      expect((await fetch(`${server.url}/nothing`)).status).toBe(404)
      ref.release()
    } finally {
      await server.close()
    }
    await expect(fetch(`${server.url}/snapshot`)).rejects.toBeDefined()
  })

  test("a port in use is an error, not a server", async () => {
    using manager = createResourceManager({})
    await using first = await serveManager(manager)
    await expect(serveManager(manager, { port: first.port })).rejects.toBeDefined()
  })

  test("managerEndpoint and timelineToFile refuse bad arguments at once, typed", () => {
    for (const notManager of [{}, null, "toString"]) {
      expect(() => managerEndpoint(notManager as never)).toThrow(InvalidArgument) // once only at each request
    }
    const dir = mkdtempSync(join(tmpdir(), "flight-hal-endpoint-"))
    for (const path of [null, "", join(dir, "missing", "t.ndjson"), dir]) {
      expect(() => timelineToFile(path as never)).toThrow(InvalidArgument) // raw Node errors before
    }
  })

  test("bad arguments reject with InvalidArgument before anything listens; close may be called twice", async () => {
    using manager = createResourceManager({})
    const refusals: ReadonlyArray<readonly [unknown, unknown, string]> = [
      [manager, { host: 5 }, "options.host"], // once a TypeError thrown in the listen callback, past any catch
      [manager, { host: "" }, "options.host"],
      [manager, { port: -1 }, "options.port"],
      [manager, { port: 1.5 }, "options.port"],
      [manager, { port: 70_000 }, "options.port"],
      [manager, null, "options"],
      [manager, "toString", "options"],
      [{}, undefined, "manager"]
    ]
    for (const [given, options, argument] of refusals) {
      const error = await serveManager(given as never, options as never).then(
        () => undefined,
        (e: unknown) => e
      )
      expect(error).toBeInstanceOf(InvalidArgument)
      expect((error as InvalidArgument).argument).toBe(argument)
    }
    {
      await using server = await serveManager(manager)
      await server.close()
      await server.close() // and `await using` closes it a third time: each resolves
    }
  })
})
