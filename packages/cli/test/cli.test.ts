import { describe, expect, test } from "bun:test"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { autoProfile } from "@flight-hal/resources"
import { runCli } from "../src/index.ts"

const binPath = join(import.meta.dir, "..", "src", "bin.ts")

/** Runs the CLI in-process, capturing what it writes. */
const capture = async (args: ReadonlyArray<string>) => {
  let text = ""
  const code = await runCli(args, { write: (t) => (text += t), isTTY: false })
  return { code, text }
}

/** Runs the real executable under bun (the same binary that runs this test). */
const spawn = (args: ReadonlyArray<string>) => {
  const result = Bun.spawnSync([process.execPath, binPath, ...args], { stdout: "pipe", stderr: "pipe" })
  return { code: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() }
}

describe("flight-hal command", () => {
  test("demo --json prints the summary as JSON, the same twice", async () => {
    const first = await capture(["demo", "--profile", "dreamcast", "--frames", "60", "--seed", "5", "--json"])
    const second = await capture(["demo", "--profile", "dreamcast", "--frames", "60", "--seed", "5", "--json"])
    expect(first.code).toBe(0)
    const summary = JSON.parse(first.text)
    expect(summary).toMatchObject({ profile: "dreamcast", seed: 5, frames: 60 })
    expect(second.text).toBe(first.text)
  })

  test("demo without a TTY prints plain progress lines and the summary table", async () => {
    const { code, text } = await capture(["demo", "--profile", "dreamcast", "--frames", "50"])
    expect(code).toBe(0)
    const progress = text.split("\n").filter((line) => line.startsWith("frame "))
    expect(progress).toHaveLength(10)
    expect(text).not.toContain("\x1b[")
    expect(text).toContain("Summary: dreamcast (16.00 MiB), seed 42, 50 frames")
  })

  test("demo runs on the detected platform's profile by default (--profile auto)", async () => {
    const auto = autoProfile()
    if (auto instanceof Error) throw auto
    const { code, text } = await capture(["demo", "--frames", "1", "--json"])
    expect(code).toBe(0)
    expect(JSON.parse(text)).toMatchObject({
      profile: auto.profile.name,
      totalMemoryBytes: auto.profile.totalMemoryBytes
    })
    expect((await capture(["demo", "--profile", "auto", "--frames", "1", "--json"])).text).toBe(text)
  }, 60_000) // a detected profile can be a large machine's: the demo's workload grows with it

  test("bad flags: usage and exit code 2 (in-process and as a process)", async () => {
    for (const args of [["demo", "--bogus"], ["demo", "--frames", "0"], ["demo", "--profile", "n64"], ["nope"]]) {
      expect((await capture(args)).code).toBe(2)
    }
    const result = spawn(["demo", "--frames", "x"])
    expect(result.code).toBe(2)
    expect(result.stdout + result.stderr).toContain("USAGE")
  })

  test("the executable runs the demo and exits 0", () => {
    const result = spawn(["demo", "--profile", "dreamcast", "--frames", "20", "--json"])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).frames).toBe(20)
  })

  test("profiles prints the built-in profiles", async () => {
    const table = await capture(["profiles"])
    expect(table.text).toContain("dreamcast  16.00 MiB")
    const json = await capture(["profiles", "--json"])
    expect(JSON.parse(json.text).dreamcast.budgets.Memory.maxBytes).toBe(10_066_329)
  })

  test("a failing command exits 1 with a message", async () => {
    expect((await capture(["inspect", join(tmpdir(), "flight-hal-missing.json")])).code).toBe(1)
    const dir = mkdtempSync(join(tmpdir(), "flight-hal-cli-"))
    const report = join(dir, "report.html")
    expect((await capture(["demo", "--frames", "12", "--report", report])).code).toBe(0)
    expect(readFileSync(report, "utf8")).toStartWith("<!doctype html>")
  })
})
