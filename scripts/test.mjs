#!/usr/bin/env node
// `npm test`: everything CI checks, in order, stopping at the first failure.
//   1. codegen up to date        bun codegen/generate.ts --check
//   2. build + typecheck + unit   turbo run build typecheck test (bun test --randomize per package; the seed
//                                 is printed as --seed=N, and `bun test --seed=N` replays the order)
//   3. lint and format            biome check .
//   4. cross-package tests        bun test ./test (codegen check mode, model tests)
//   5. examples and benches       tsc -b examples, bun test ./examples, tsc -b bench (the benches are
//                                 type-checked, not run: `npm run bench` runs them)
//   6. packaging                  versions in sync, API docs (doc lint, doc examples run), the guides' examples
//                                 (scripts/markdown-examples.mjs: every Markdown code block type-checked and run),
//                                 npm pack contents + publint + attw, JSR dry run
//   7. runtime conformance        one scenario (core tables and errors, pools, the manager) run four
//                                 ways: npm tarballs under Node 20 and Bun, Deno, a Chromium bundle
//   8. spec check                 bun scripts/spec.ts (TLC; skipped loudly without tla2tools.jar)
// It prints the number of tests that ran under each runtime and ends with "N passed, N failed".
// Runs with Node 20 alone: every other tool comes from node_modules/.bin.
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const bin = (name) => join(root, "node_modules", ".bin", name)
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1", NO_COLOR: "1", FORCE_COLOR: "0" }

const counts = {
  bun: { passed: 0, failed: 0, ran: false },
  node: { passed: 0, failed: 0, ran: false },
  deno: { passed: 0, failed: 0, ran: false },
  browser: { passed: 0, failed: 0, ran: false }
}

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
  counts.bun.ran = true
  counts.bun.passed += sumMatches(output, /^(?:\S+:test: )?\s*(\d+) pass$/gm)
  counts.bun.failed += sumMatches(output, /^(?:\S+:test: )?\s*(\d+) fail$/gm)
}

const parseConformance = (output) => {
  for (const m of output.matchAll(/^(?:conformance|markdown) (node|bun|deno|browser): (\d+) passed, (\d+) failed$/gm)) {
    counts[m[1]].ran = true
    counts[m[1]].passed += Number(m[2])
    counts[m[1]].failed += Number(m[3])
  }
}

const summary = () => {
  console.log("\n=== tests per runtime")
  for (const [runtime, c] of Object.entries(counts)) {
    // a runtime whose steps never ran (a step before them failed) says so, rather than "0 passed, 0 failed"
    console.log(`${runtime.padEnd(7)} ${c.ran ? `${c.passed} passed, ${c.failed} failed` : "not run"}`)
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
step("cross-package tests (bun)", bin("bun"), ["test", "--randomize", "./test"], parseBun)
step("examples (typecheck)", bin("tsc"), ["-b", "examples"])
step("examples (bun)", bin("bun"), ["test", "--randomize", "./examples"], parseBun)
step("benches (typecheck)", bin("tsc"), ["-b", "bench"])
step("versions in sync (npm and JSR manifests)", process.execPath, ["scripts/sync-versions.mjs", "--check"])
step("API docs (doc lint, doc examples type-check and run)", process.execPath, ["scripts/api-docs.mjs", "--no-html"])
step("guides' examples (Markdown)", process.execPath, ["scripts/markdown-examples.mjs"], parseConformance)
step("npm packages (pack contents, publint, attw)", process.execPath, ["scripts/check-packages.mjs", "--no-build"])
step("JSR (deno publish --dry-run, no slow types)", process.execPath, ["scripts/jsr-check.mjs"])
step(
  "conformance (one scenario: node, bun, deno, browser)",
  process.execPath,
  ["scripts/conformance.mjs", "--no-build"],
  parseConformance
)
if (existsSync(join(root, "scripts", "spec.ts"))) step("spec (TLC)", bin("bun"), ["scripts/spec.ts"])
summary()
