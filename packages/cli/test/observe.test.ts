/**
 * Watching a user's own manager: `report <timeline>`, `watch <url>` and `inspect <url>` against managers
 * made here (not the demo), served on real loopback HTTP servers.
 */
import { describe, expect, test } from "bun:test"
import { linkSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs"
import { createServer, type Server } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import {
  createResourceManager,
  endpointReply,
  managerDump,
  type PlainResourceManager,
  recordTimeline
} from "@flight-hal/resources"
import { serveManager } from "@flight-hal/resources/serve"
import { timelineToFile } from "@flight-hal/resources/timeline-file"
import { Effect } from "effect"
import { describeChanges, parseTimeline, runCli, snapshotUrl, watchManager } from "../src/index.ts"
import { formatBytes } from "../src/internal/format.ts"

const budget = { maxBytes: 1 << 20, reservedBytes: 1 << 16, warningPercent: 50, criticalPercent: 80 }

const ESC = String.fromCharCode(27)

const capture = async (args: ReadonlyArray<string>) => {
  let text = ""
  const code = await runCli(args, { write: (t) => (text += t), isTTY: false })
  return { code, text }
}

/** Records a timeline of a small workload of a user's own manager; returns its path and the spike's size. */
const recordWorkload = async (dir: string) => {
  const path = join(dir, "run.ndjson")
  const file = timelineToFile(path)
  const manager = createResourceManager({
    label: "my-game",
    budgets: { Memory: budget, Hardware: { ...budget, maxBytes: 1024, reservedBytes: 0 } },
    drivers: { gpu: { sequential: true }, dsp: { sequential: true } },
    onLeaks: () => {}
  })
  const timeline = recordTimeline(manager, { sink: file.sink })
  const level = manager.acquire("level", { type: "Memory", sizeBytes: 600 << 10 })
  timeline.sample()
  // a spike above max, admitted and released between two samples
  const spike = (1 << 20) + (100 << 10) - (600 << 10)
  manager
    .acquire("crash-dump", { type: "Memory", sizeBytes: spike, priority: "Critical" }, { mode: "Emergency" })
    .release()
  expect(() => manager.acquire("too-big", { type: "Memory", sizeBytes: 900 << 10 })).toThrow()
  const late = manager.acquireAsync(
    "late",
    { type: "Memory", sizeBytes: 400 << 10 },
    { mode: "Timeout", timeoutMillis: 0 }
  )
  await late.catch(() => undefined)
  timeline.sample()
  const x = manager.acquire("x", { type: "Hardware", sizeBytes: 1 }, { owner: "gpu" })
  const y = manager.acquire("y", { type: "Hardware", sizeBytes: 1 }, { owner: "dsp" })
  const waiting = manager.acquireAsync("y", { type: "Hardware", sizeBytes: 1 }, { owner: "gpu" })
  await manager.acquireAsync("x", { type: "Hardware", sizeBytes: 1 }, { owner: "dsp" }).catch(() => undefined)
  y.release()
  ;(await waiting).release()
  x.release()
  level.release()
  timeline.stop()
  manager.close()
  file.close()
  return { path, peak: 600 * 1024 + spike }
}

describe("flight-hal report <timeline>", () => {
  test("renders the HTML report of a user's manager: the true peak between samples, every event marked", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flight-hal-report-timeline-"))
    const { path, peak } = await recordWorkload(dir)
    const result = await capture(["report", path])
    expect(result.code).toBe(0)
    const out = join(dir, "run.html") // the default: the timeline's path with .html
    expect(result.text).toContain(`written to ${out}`)
    const html = readFileSync(out, "utf8")
    expect(html).toContain("<title>flight-hal timeline: my-game</title>")
    expect(html).toContain('<svg id="usage-Memory"')
    expect(html).toContain('<svg id="usage-Hardware"')
    expect(html).toContain("peak since the previous sample")
    // the spike (above max) is the chart's peak, though usage was back under the limit at every sample
    expect(peak).toBeGreaterThan(budget.maxBytes)
    expect(html).toContain(`peak ${formatBytes(peak)}`)
    for (const kind of ["timeout", "deadlock", "rejected", "emergency"]) {
      expect(html).toContain(`<g class="event-mark ${kind}"`)
    }
    const timeline = await Effect.runPromise(parseTimeline(readFileSync(path, "utf8")))
    const memoryChanges = timeline.events.filter((e) => e.event === "pressure" && e.type === "Memory").length
    expect(memoryChanges).toBeGreaterThan(1)
    const marks = html.match(/<g class="pressure-mark"/g)?.length ?? 0
    const allChanges = timeline.events.filter((e) => e.event === "pressure" && e.source === undefined).length
    expect(marks).toBe(allChanges)
    expect(html).toContain("1 timeout")
    expect(html).not.toMatch(/https?:\/\//) // self-contained
  })

  test("--out, a bad timeline (exit 1 naming the line) and an unwritable --out (exit 2, before reading)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flight-hal-report-timeline-"))
    const { path } = await recordWorkload(dir)
    const out = join(dir, "custom.html")
    expect((await capture(["report", path, "--out", out])).code).toBe(0)
    expect(readFileSync(out, "utf8")).toStartWith("<!doctype html>")
    const bad = join(dir, "bad.ndjson")
    const lines = readFileSync(path, "utf8").split("\n")
    writeFileSync(bad, [lines[0], '{"kind":"sample","t":"soon"}'].join("\n"))
    expect((await capture(["report", bad, "--out", join(dir, "bad.html")])).code).toBe(1)
    const parsed = await Effect.runPromise(Effect.flip(parseTimeline(readFileSync(bad, "utf8"))))
    expect(parsed.message).toStartWith("line 2:")
    expect(parsed.message).not.toContain("\n") // one line, the field in dotted form
    expect(parsed.message).toContain(": t: ")
    // a transition trace (same .ndjson shape, other records) is named as such
    const trace = await Effect.runPromise(Effect.flip(parseTimeline('{"action":"Init","drivers":["app"]}\n')))
    expect(trace.message).toStartWith("a transition trace (for the TLA+ trace validation), not a timeline")
    expect((await capture(["report", path, "--out", join(dir, "missing", "x.html")])).code).toBe(2)
  })

  test("a timeline cut mid-line renders without its partial last line (named); a bad line elsewhere still fails", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flight-hal-report-timeline-"))
    const { path } = await recordWorkload(dir)
    const full = readFileSync(path, "utf8")
    const lines = full.split("\n").filter((line) => line !== "")
    const cut = join(dir, "cut.ndjson")
    // three whole lines, then half of the fourth, no newline after it (a program killed while writing)
    const partial = lines[3] ?? ""
    writeFileSync(cut, `${lines.slice(0, 3).join("\n")}\n${partial.slice(0, partial.length >> 1)}`)
    const result = await capture(["report", cut, "--out", join(dir, "cut.html")])
    expect(result.code).toBe(0)
    expect(result.text).toContain(`${cut}: line 4 was cut short (no newline, not JSON): left out\n`)
    expect(readFileSync(join(dir, "cut.html"), "utf8")).toStartWith("<!doctype html>")
    const parsed = await Effect.runPromise(parseTimeline(readFileSync(cut, "utf8")))
    expect([parsed.cutLine, parsed.samples.length + parsed.events.length]).toEqual([4, 2])
    // with its newline the same bad line is not a cut one: an error; so is a bad line before the last
    const bad = `${lines.slice(0, 3).join("\n")}\n${partial.slice(0, partial.length >> 1)}\n`
    expect((await Effect.runPromise(Effect.flip(parseTimeline(bad)))).message).toStartWith("line 4: not JSON")
    const middle = `${lines[0]}\n{"kind":\n${lines[1]}`
    expect((await Effect.runPromise(Effect.flip(parseTimeline(middle)))).message).toStartWith("line 2: not JSON")
    // a whole file has nothing cut
    expect((await Effect.runPromise(parseTimeline(full))).cutLine).toBeUndefined()
  })

  test("--out naming the timeline itself through a symlink or a hard link is refused (exit 2), the timeline kept", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flight-hal-report-timeline-"))
    const { path } = await recordWorkload(dir)
    const before = readFileSync(path, "utf8")
    const link = join(dir, "link.ndjson")
    symlinkSync(path, link)
    const hard = join(dir, "hard.ndjson")
    linkSync(path, hard)
    const alias = join(dir, "alias")
    symlinkSync(dir, alias)
    for (const [timeline, out] of [
      [path, path],
      [link, path],
      [path, link],
      [hard, path],
      [join(alias, "run.ndjson"), path]
    ] as const) {
      expect([timeline, out, (await capture(["report", timeline, "--out", out])).code]).toEqual([timeline, out, 2])
    }
    expect(readFileSync(path, "utf8")).toBe(before)
    // a new file beside it, through the linked directory, is fine
    expect((await capture(["report", link, "--out", join(alias, "new.html")])).code).toBe(0)
  })
})

/** A real loopback server answering like `serveManager`, calling `onRequest` after each answer. */
const serveWith = async (manager: PlainResourceManager, onRequest: (n: number) => void) => {
  let served = 0
  const server: Server = createServer((request, response) => {
    const reply = endpointReply(manager, request.method ?? "GET", new URL(request.url ?? "/", "http://x").pathname)
    response.writeHead(reply.status, { "content-type": reply.contentType })
    response.end(reply.body)
    onRequest(++served)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const address = server.address()
  const port = typeof address === "object" && address !== null ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

describe("flight-hal watch <url>", () => {
  test("polls a running program's snapshot and tells what changed between polls", async () => {
    using manager = createResourceManager({ label: "game", budgets: { Memory: budget } })
    const held: Array<{ release(): void }> = []
    // the program acquires after the first poll has been answered: the second poll sees it
    const server = await serveWith(manager, (n) => {
      if (n === 1) held.push(manager.acquire("level", { type: "Memory", sizeBytes: 600 << 10 }))
    })
    try {
      const result = await capture(["watch", server.url, "--polls", "2", "--fps", "60"])
      expect(result.code).toBe(0)
      const lines = result.text.trimEnd().split("\n")
      expect(lines.length).toBe(2)
      expect(lines[0]).toContain("Memory 0% None")
      // the manager's wall clock as a time of day, not as milliseconds since 1970
      expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} UTC · /)
      expect(lines[1]).toContain("Memory 59% Low")
      expect(lines[1]).toContain("Memory: +1 admission, pressure None → Low")
    } finally {
      for (const ref of held) ref.release()
      await server.close()
    }
  })

  test("on a terminal the view is redrawn in place; serveManager's URL works as it is", async () => {
    using manager = createResourceManager({ label: "game", budgets: { Memory: budget } })
    using ref = manager.acquire("level", { type: "Memory", sizeBytes: 100 << 10 })
    await using server = await serveManager(manager)
    const written: Array<string> = []
    await Effect.runPromise(
      watchManager({ url: server.url, fps: 60, polls: 2, output: { write: (t) => void written.push(t), isTTY: true } })
    )
    const text = written.join("")
    expect(text).toContain("flight-hal watch · game · 1 live resource")
    expect(text).toContain(`${ESC}[J`)
    expect(text.split(`${ESC}[`).filter((part) => /^\d+F/.test(part)).length).toBe(1) // the second frame moves up
    void ref
  })

  test("an unreachable program exits 1; a non-URL is bad usage (exit 2)", async () => {
    const server = await serveWith(createResourceManager({}), () => {})
    await server.close() // nothing listens there any more
    const unreachable = await capture(["watch", server.url, "--polls", "1"])
    expect(unreachable.code).toBe(1)
    expect((await capture(["watch", "not-a-url", "--polls", "1"])).code).toBe(2)
  })

  test("describeChanges says what happened between two snapshots", () => {
    using manager = createResourceManager({ budgets: { Memory: budget } })
    const before = managerDump(manager)
    const ref = manager.acquire("a", { type: "Memory", sizeBytes: 10 })
    expect(() => manager.acquire("b", { type: "Memory", sizeBytes: 1 << 20 })).toThrow()
    ref.release()
    expect(describeChanges(before, managerDump(manager))).toBe("Memory: +1 admission, −1 release, 1 refused (budget)")
    expect(describeChanges(before, before)).toBeUndefined()
    expect(snapshotUrl("http://h:1/a/")).toBe("http://h:1/a/snapshot")
    expect(snapshotUrl("http://h:1/snapshot")).toBe("http://h:1/snapshot")
  })
})

describe("flight-hal inspect <url>", () => {
  test("reads the dump of a running program", async () => {
    using manager = createResourceManager({ label: "served", budgets: { Memory: budget } })
    using ref = manager.acquire("level", { type: "Memory", sizeBytes: 4096 }, { owner: "loader" })
    await using server = await serveManager(manager)
    const result = await capture(["inspect", server.url])
    expect(result.code).toBe(0)
    expect(result.text).toContain('flight-hal dump "served"')
    expect(result.text).toContain("level")
    expect(result.text).toContain("loader")
    void ref
  })
})

describe("messages a user reads", () => {
  test("describeChanges counts with the right plural: 1 timeout, 3 timeouts", async () => {
    const manager = createResourceManager({
      budgets: { Memory: { maxBytes: 100, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 } },
      onLeaks: () => {}
    })
    const held = manager.acquire("held", { type: "Memory", sizeBytes: 100 })
    const timeouts = async (n: number) => {
      const before = managerDump(manager)
      for (let i = 0; i < n; i++) {
        await manager
          .acquireAsync("", { type: "Memory", sizeBytes: 10 }, { mode: "Timeout", timeoutMillis: 0, owner: "w" })
          .catch(() => undefined)
      }
      return describeChanges(before, managerDump(manager))
    }
    expect(await timeouts(1)).toContain("1 timeout")
    expect(await timeouts(3)).toContain("3 timeouts")
    held.release()
    manager.close()
  })

  test("parseTimeline names a bad line by its number in the file, blank lines counted", async () => {
    const header = JSON.stringify({
      format: "flight-hal/timeline",
      version: 1,
      label: "x",
      startedAtMillis: 0,
      types: [],
      pools: []
    })
    const text = [header, "", '{"kind":"end","t":1}', "", '{"kind":"sample","t":"soon"}'].join("\n")
    const error = await Effect.runPromise(Effect.flip(parseTimeline(text)))
    expect(error.message).toStartWith("line 5:")
  })
})
