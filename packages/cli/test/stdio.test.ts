/**
 * The executable with its standard streams as a shell sets them up: stdout piped into a reader that goes away
 * (`| head -1`), answers piped into `--wizard`, and `NO_COLOR` on a terminal.
 */
import { describe, expect, test } from "bun:test"
import { existsSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createResourceManager, managerDump } from "@flight-hal/resources"
import { serveManager } from "@flight-hal/resources/serve"

const binPath = join(import.meta.dir, "..", "src", "bin.ts")

/**
 * Runs the executable with its stdout piped into `head -1` (by bash), which reads the first line and exits;
 * resolves with what head printed, the executable's exit code and its stderr.
 */
const headOne = async (args: ReadonlyArray<string>) => {
  const child = Bun.spawn(
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's ${PIPESTATUS[0]}, not a template
    ["bash", "-c", '"$@" | head -1; exit "${PIPESTATUS[0]}"', "bash", process.execPath, binPath, ...args],
    { stdin: "ignore", stdout: "pipe", stderr: "pipe" }
  )
  const [line, stderr] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()])
  return { line, code: await child.exited, stderr }
}

/**
 * Runs the executable with its stdout a pipe that has no reader from the start (a FIFO opened for writing, its
 * one reader closed before the executable runs): its first write finds the reader gone.
 */
const noReader = async (args: ReadonlyArray<string>) => {
  const dir = mkdtempSync(join(tmpdir(), "flight-hal-fifo-"))
  const child = Bun.spawn(
    [
      "bash",
      "-c",
      'mkfifo "$1" && exec 4<>"$1" 5>"$1" 4<&- && shift && exec "$@" >&5 5>&-',
      "bash",
      join(dir, "out"),
      process.execPath,
      binPath,
      ...args
    ],
    { stdin: "ignore", stdout: "pipe", stderr: "pipe" }
  )
  const stderr = await new Response(child.stderr).text()
  return { code: await child.exited, stderr }
}

/** Runs the executable with `stdin` as its standard input. */
const withStdin = (args: ReadonlyArray<string>, stdin: Bun.SpawnOptions.Readable | Buffer) => {
  const result = Bun.spawnSync([process.execPath, binPath, ...args], { stdin, stdout: "pipe", stderr: "pipe" })
  return { code: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() }
}

/** A dump of a manager holding `count` resources: `inspect --all` prints far more than a pipe holds. */
const bigDump = (count: number): string => {
  using manager = createResourceManager({ label: "big" })
  const refs = Array.from({ length: count }, (_, i) =>
    manager.acquire(`r-${i}`, { type: "Memory", sizeBytes: 1024 }, { owner: `d${i % 5}` })
  )
  const dump = JSON.stringify(managerDump(manager))
  for (const ref of refs) ref.release()
  return dump
}

describe("a reader that closes stdout early (| head -1)", () => {
  // (the demo under `| head -1` is not a test here: whether head exits before the demo's last write is a race; a
  // pipe without a reader, below, stops the demo at its first write whatever the timing)
  test("demo: a pipe without a reader stops the run at its first write (no report written), exit 141", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flight-hal-pipe-"))
    const report = join(dir, "report.html")
    const result = await noReader(["demo", "--profile", "web", "--frames", "20000", "--report", report])
    expect(result.stderr).toBe("")
    expect(result.code).toBe(141)
    // the run stopped: it never reached its end, where the report is written
    expect(existsSync(report)).toBe(false)
  }, 60_000)

  test("inspect --all of a big dump: exit 141, no message and no stack trace", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flight-hal-pipe-"))
    const path = join(dir, "big-dump.json")
    writeFileSync(path, bigDump(3000))
    // its output is far larger than a pipe's buffer: the write that fills it finds head gone, whatever the timing
    const result = await headOne(["inspect", path, "--all"])
    expect(result.line).toStartWith('flight-hal dump "big"')
    expect(result.stderr).toBe("")
    expect(result.code).toBe(141)
  }, 60_000)
})

describe("--wizard with its answers on stdin, without a terminal", () => {
  test("piped answers are used one per question: a full set runs the command", () => {
    // --json? Enter (no); Run this command? Enter (yes)
    const result = withStdin(["profiles", "--wizard"], Buffer.from("\n\n"))
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("Command ready")
    expect(result.stdout).toContain("dreamcast  16.00 MiB") // the profiles table: the command ran
    expect(result.stdout).not.toContain("Wizard cancelled.")
  }, 60_000)

  test("the same answers from a file run the command too", () => {
    const dir = mkdtempSync(join(tmpdir(), "flight-hal-wizard-"))
    const answers = join(dir, "answers.txt")
    writeFileSync(answers, "\n\n\n\n")
    const result = withStdin(["profiles", "--wizard"], Bun.file(answers))
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("dreamcast  16.00 MiB")
  }, 60_000)

  test("stdin ending before the last question: Wizard cancelled., exit 0 (piped as from a file)", () => {
    const result = withStdin(["profiles", "--wizard"], Buffer.from("\n"))
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("Wizard cancelled.")
    expect(result.stdout).not.toContain("dreamcast  16.00 MiB")
  }, 60_000)
})

describe("NO_COLOR", () => {
  /**
   * Runs the executable on a pseudo-terminal (util-linux's `script`) with `env` added; undefined without one.
   * Not spawnSync: the test's own server must go on answering `watch`.
   */
  const onTerminal = async (args: ReadonlyArray<string>, env: Record<string, string>) => {
    const script = Bun.which("script")
    if (script === null) return undefined
    const command = [process.execPath, binPath, ...args].map((a) => `'${a}'`).join(" ")
    const child = Bun.spawn([script, "-qec", command, "/dev/null"], {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      env: { ...process.env, NO_COLOR: "", FORCE_COLOR: "", ...env }
    })
    const stdout = await new Response(child.stdout).text()
    return { code: await child.exited, stdout }
  }
  // SGR sequences other than a bare reset: colours, bold, dim
  const sgr = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g")
  const styles = (text: string) => (text.match(sgr) ?? []).filter((s) => s !== "\x1b[0m")

  test("the demo's live view on a terminal is coloured, and plain under NO_COLOR (as help is)", async () => {
    const args = ["demo", "--profile", "dreamcast", "--fps", "0", "--frames", "10"]
    const coloured = await onTerminal(args, {})
    if (coloured === undefined) {
      console.log("SKIPPED: NO_COLOR on a terminal: no `script` command to make a pseudo-terminal")
      return
    }
    expect(coloured.code).toBe(0)
    expect(styles(coloured.stdout).length).toBeGreaterThan(0)
    const plain = await onTerminal(args, { NO_COLOR: "1" })
    expect(plain?.code).toBe(0)
    expect(plain?.stdout).toContain(`flight-hal demo · dreamcast`)
    expect(plain?.stdout).toContain("\x1b[J") // still redrawn in place
    expect(styles(plain?.stdout ?? "")).toEqual([])
  }, 60_000)

  test("watch's view on a terminal is coloured, and plain under NO_COLOR", async () => {
    if (Bun.which("script") === null) {
      console.log("SKIPPED: NO_COLOR on a terminal: no `script` command to make a pseudo-terminal")
      return
    }
    const budget = { maxBytes: 1 << 20, reservedBytes: 1 << 16, warningPercent: 50, criticalPercent: 80 }
    using manager = createResourceManager({ label: "watched", budgets: { Memory: budget } })
    await using server = await serveManager(manager)
    const args = ["watch", server.url, "--fps", "60", "--polls", "2"]
    const coloured = await onTerminal(args, {})
    expect(coloured?.code).toBe(0)
    expect(styles(coloured?.stdout ?? "").length).toBeGreaterThan(0)
    const plain = await onTerminal(args, { NO_COLOR: "1" })
    expect(plain?.code).toBe(0)
    expect(plain?.stdout).toContain("flight-hal watch · watched")
    expect(styles(plain?.stdout ?? "")).toEqual([])
  }, 60_000)
})
