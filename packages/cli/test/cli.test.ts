import { describe, expect, test } from "bun:test"
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from "node:fs"
import { createServer } from "node:net"
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
    expect(result.stderr).toContain('Invalid value for flag --frames: "x". Expected: an integer')
    for (const args of [
      ["demo", "--frames", "1.5"],
      ["demo", "--seed", "ten"],
      ["demo", "--fps", "2000"]
    ]) {
      expect((await capture(args)).code).toBe(2)
    }
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

  test("help lists every subcommand, and each flag's default", () => {
    const top = spawn(["--help"])
    expect(top.code).toBe(0)
    for (const name of ["demo", "inspect", "report", "watch", "profiles"]) expect(top.stdout).toContain(name)
    const demoHelp = spawn(["demo", "--help"])
    for (const text of ["(default: auto)", "(default: 120)", "(default: 42)", "(default: 30)", "--config"]) {
      expect(demoHelp.stdout).toContain(text)
    }
  }, 120_000)

  test("--wizard without a terminal quits at the end of stdin, without a stack trace", () => {
    const result = spawn(["profiles", "--wizard"]) // stdin: none
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("Wizard cancelled.")
    expect(result.stderr).not.toContain("    at ")
    expect(result.stderr).not.toContain("not available")
  }, 60_000)

  test("--wizard in a terminal asks for each flag, then runs the command", async () => {
    // a pseudo-terminal from util-linux's `script`; Enter at each prompt takes its default
    const script = Bun.which("script")
    if (script === null) {
      console.log("SKIPPED: --wizard in a terminal: no `script` command to make a pseudo-terminal")
      return
    }
    const child = Bun.spawn([script, "-qc", `"${process.execPath}" "${binPath}" profiles --wizard`, "/dev/null"], {
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe"
    })
    let output = ""
    let answered = 0
    const decoder = new TextDecoder()
    for await (const chunk of child.stdout) {
      output += decoder.decode(chunk)
      // a prompt ends with "›" (its answer follows); answer each new one with Enter
      const prompts = output.split("\u203a").length - 1
      for (; answered < prompts; answered++) child.stdin.write("\r")
      child.stdin.flush()
    }
    expect(await child.exited).toBe(0)
    expect(answered).toBeGreaterThanOrEqual(2) // --json, then "Run this command?"
    expect(output).toContain("Command ready")
    expect(output).toContain("dreamcast") // the profiles table: the command ran
  }, 60_000)

  test("--report to a path that cannot be written fails at once with exit code 2, before the run", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flight-hal-cli-"))
    const started = Date.now()
    const result = spawn(["demo", "--frames", "1000000", "--report", join(dir, "missing", "report.html")])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("--report")
    expect(result.stderr).toContain("cannot write there")
    expect(result.stdout).not.toContain("Summary")
    expect(Date.now() - started).toBeLessThan(20_000)
    expect(spawn(["demo", "--frames", "5", "--report", dir]).code).toBe(2) // a directory
  }, 120_000)

  test("the writability check leaves what is at the path as it is: a device through a symlink, a dangling link", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flight-hal-cli-"))
    // a link to /dev/null: written through (the report is discarded), the link and the device left as they are
    const toNull = join(dir, "null-link")
    symlinkSync("/dev/null", toNull)
    expect(
      (await capture(["demo", "--profile", "dreamcast", "--frames", "5", "--json", "--report", toNull])).code
    ).toBe(0)
    expect(lstatSync(toNull).isSymbolicLink()).toBe(true)
    expect(statSync("/dev/null").isCharacterDevice()).toBe(true)
    // a dangling link: nothing to write to; refused before the run, the link kept, no target made
    const dangling = join(dir, "dangling-link")
    symlinkSync(join(dir, "missing-target.html"), dangling)
    const refused = await capture(["demo", "--profile", "dreamcast", "--frames", "5", "--report", dangling])
    expect(refused.code).toBe(2)
    expect(lstatSync(dangling).isSymbolicLink()).toBe(true)
    expect(existsSync(join(dir, "missing-target.html"))).toBe(false)
    // report --out the timeline itself: refused, the timeline kept
    const timeline = join(dir, "t.ndjson")
    writeFileSync(timeline, "kept\n")
    const same = await capture(["report", timeline, "--out", timeline])
    expect(same.code).toBe(2)
    expect(readFileSync(timeline, "utf8")).toBe("kept\n")
  }, 120_000)

  test("a URL that does not parse is a usage error (exit 2, one line); a server that never answers, an error", async () => {
    for (const args of [
      ["watch", "http://"],
      ["watch", "http://[::1"],
      ["inspect", "http://"]
    ]) {
      const result = spawn(args)
      expect(result.code).toBe(2)
      expect(result.stderr.trim().split("\n")).toHaveLength(1) // once a TypeError with its stack
      expect(result.stderr).toContain("not a valid URL")
    }
    // accepts the connection and never answers: the command gives up after 10 s (it waited for good)
    const silent = createServer(() => {})
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve))
    const address = silent.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    try {
      const result = spawn(["inspect", `http://127.0.0.1:${port}`])
      expect(result.code).toBe(1)
      expect(result.stderr).toContain("no answer in 10 s")
    } finally {
      silent.close()
    }
  }, 60_000)

  test("--config: a budgets file or a whole profile, validated by the library's Schemas (exit 2 naming the field)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flight-hal-cli-"))
    const file = (name: string, value: unknown) => {
      const path = join(dir, name)
      writeFileSync(path, typeof value === "string" ? value : JSON.stringify(value))
      return path
    }
    const budgets = file("budgets.json", {
      budgets: { Hardware: { maxBytes: 4 << 20, reservedBytes: 0, warningPercent: 60, criticalPercent: 80 } }
    })
    // budgets laid over the dreamcast profile (the default, auto, depends on the machine)
    const ok = await capture(["demo", "--profile", "dreamcast", "--frames", "12", "--json", "--config", budgets])
    expect(ok.code).toBe(0)
    expect(JSON.parse(ok.text).types.find((t: { type: string }) => t.type === "Hardware").maxBytes).toBe(4 << 20)

    const profile = JSON.parse((await capture(["profiles", "--json"])).text).web
    const whole = await capture(["demo", "--frames", "12", "--json", "--config", file("web.json", profile)])
    expect(whole.code).toBe(0)
    expect(JSON.parse(whole.text).profile).toBe("web")

    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [
        { budgets: { Memory: { maxBytes: -5, reservedBytes: 0, warningPercent: 75, criticalPercent: 90 } } },
        "budgets.Memory.maxBytes"
      ],
      [
        { budgets: { Memory: { maxBytes: 1000, reservedBytes: 0, warningPercent: 95, criticalPercent: 90 } } },
        "budgets.Memory"
      ],
      [{ budgets: { Ram: {} } }, "budgets.Ram"],
      [{ budget: {} }, "budget: unknown field"],
      [{ ...profile, pools: [{ ...profile.pools[0], blockSize: "big" }] }, "pools.0.blockSize"],
      ["{ not json", "not JSON"]
    ]
    for (const [i, [value, expected]] of cases.entries()) {
      const result = spawn([
        "demo",
        "--profile",
        "dreamcast",
        "--frames",
        "5",
        "--config",
        file(`bad-${i}.json`, value)
      ])
      expect(result.code).toBe(2)
      expect(result.stderr).toContain(expected)
    }
    expect(spawn(["demo", "--config", join(dir, "nope.json")]).code).toBe(2)
    expect(existsSync(join(dir, "nope.json"))).toBe(false)
  }, 120_000)

  test("the npm bin launcher runs the built dist/ when there is one, and the TypeScript source with the repository's bun when unbuilt", () => {
    const launcher = join(import.meta.dir, "..", "bin", "flight-hal.js")
    const node = Bun.which("node")
    if (node === null) throw new Error("node is not on PATH")
    const built = Bun.spawnSync([node, launcher, "--version"], { stdout: "pipe", stderr: "pipe" })
    expect(built.stdout.toString() + built.stderr.toString()).toContain("0.1.0")
    expect(built.exitCode).toBe(0)
    // A package without dist/ (a fresh clone): a copy of the launcher next to the real src/, inside the repository.
    const root = join(import.meta.dir, "..", "..", "..")
    const pkg = join(root, ".cache", "launcher-test", "cli")
    rmSync(pkg, { recursive: true, force: true })
    mkdirSync(join(pkg, "bin"), { recursive: true })
    copyFileSync(launcher, join(pkg, "bin", "flight-hal.js"))
    symlinkSync(join(import.meta.dir, "..", "src"), join(pkg, "src"))
    writeFileSync(join(pkg, "package.json"), `${JSON.stringify({ type: "module" })}\n`)
    const unbuilt = Bun.spawnSync([node, join(pkg, "bin", "flight-hal.js"), "profiles"], {
      stdout: "pipe",
      stderr: "pipe"
    })
    expect(unbuilt.stderr.toString()).toBe("")
    expect(unbuilt.stdout.toString()).toContain("dreamcast")
    expect(unbuilt.exitCode).toBe(0)
    // with a dist/ beside the source, the launcher runs dist/bin.js and not the source (a marker only it prints)
    mkdirSync(join(pkg, "dist"), { recursive: true })
    writeFileSync(join(pkg, "dist", "bin.js"), 'console.log("ran dist/bin.js", process.argv.slice(2).join(" "))\n')
    const withDist = Bun.spawnSync([node, join(pkg, "bin", "flight-hal.js"), "profiles"], {
      stdout: "pipe",
      stderr: "pipe"
    })
    expect(withDist.stdout.toString()).toBe("ran dist/bin.js profiles\n")
    expect(withDist.exitCode).toBe(0)
    rmSync(pkg, { recursive: true, force: true })
  }, 60_000)
})
