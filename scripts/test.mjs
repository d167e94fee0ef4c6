#!/usr/bin/env node
// `npm test`: everything CI checks, in order, stopping at the first failure.
//   1. codegen up to date        bun codegen/generate.ts --check
//   2. build + typecheck + unit   turbo run build typecheck test (bun test per package)
//   3. lint and format            biome check .
//   4. cross-package tests        bun test ./test (codegen check mode, model tests)
//   5. runtime conformance        node --test (built JS) and deno test (TS source)
//   6. spec check                 bun scripts/spec.ts (TLC; skipped loudly without tla2tools.jar)
// It prints the number of tests that ran under each runtime and ends with "N passed, N failed".
// Runs with Node 20 alone: every other tool comes from node_modules/.bin.
import { spawnSync } from "node:child_process"
import { existsSync, readdirSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const bin = (name) => join(root, "node_modules", ".bin", name)
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1", NO_COLOR: "1", FORCE_COLOR: "0" }

/** The conformance files of one runtime: test/conformance/<runtime>/*.conformance.* */
const conformance = (runtime) =>
  readdirSync(join(root, "test", "conformance", runtime))
    .filter((f) => f.includes(".conformance."))
    .sort()
    .map((f) => join("test", "conformance", runtime, f))

const counts = { bun: { passed: 0, failed: 0 }, node: { passed: 0, failed: 0 }, deno: { passed: 0, failed: 0 } }

/** Runs a step, echoing its output, and returns that output; exits on failure. */
const step = (title, command, args, parse) => {
  const started = Date.now()
  console.log(`\n=== ${title}: ${[command, ...args].map((a) => a.replace(root, ".")).join(" ")}`)
  const result = spawnSync(command, args, { cwd: root, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 })
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`
  process.stdout.write(output)
  if (parse) parse(output)
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  if (result.status !== 0) {
    console.error(`\n=== ${title} FAILED (exit ${result.status ?? result.signal}) after ${seconds}s`)
    summary()
    process.exit(1)
  }
  console.log(`=== ${title} ok (${seconds}s)`)
  return output
}

const sumMatches = (output, regex) => [...output.matchAll(regex)].reduce((n, m) => n + Number(m[1]), 0)

const parseBun = (output) => {
  counts.bun.passed += sumMatches(output, /^(?:\S+:test: )?\s*(\d+) pass$/gm)
  counts.bun.failed += sumMatches(output, /^(?:\S+:test: )?\s*(\d+) fail$/gm)
}
const parseNode = (output) => {
  counts.node.passed += sumMatches(output, /^# pass (\d+)$/gm)
  counts.node.failed += sumMatches(output, /^# fail (\d+)$/gm)
}
const parseDeno = (output) => {
  for (const m of output.matchAll(/(?:ok|FAILED) \| (\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed/g)) {
    counts.deno.passed += Number(m[1])
    counts.deno.failed += Number(m[2])
  }
}

const summary = () => {
  console.log("\n=== tests per runtime")
  for (const [runtime, c] of Object.entries(counts)) {
    console.log(`${runtime.padEnd(5)} ${c.passed} passed, ${c.failed} failed`)
  }
  const passed = Object.values(counts).reduce((n, c) => n + c.passed, 0)
  const failed = Object.values(counts).reduce((n, c) => n + c.failed, 0)
  console.log(`${passed} passed, ${failed} failed`)
}

step("codegen check", bin("bun"), ["codegen/generate.ts", "--check"])
step(
  "build, typecheck, unit tests",
  bin("turbo"),
  ["run", "build", "typecheck", "test", "--concurrency=2", "--output-logs=full", "--log-order=grouped"],
  parseBun
)
step("lint", bin("biome"), ["check", "."])
step("cross-package tests (bun)", bin("bun"), ["test", "./test"], parseBun)
step("conformance (node, built JS)", process.execPath, ["--test", ...conformance("node")], parseNode)
step(
  "conformance (deno, TS source)",
  bin("deno"),
  ["test", "--allow-read", "--allow-env", "--allow-sys", ...conformance("deno")],
  parseDeno
)
if (existsSync(join(root, "scripts", "spec.ts"))) step("spec (TLC)", bin("bun"), ["scripts/spec.ts"])
summary()
