#!/usr/bin/env node
// The API reference and its checks, for every workspace package with a src/index.ts:
//   1. `deno doc --html` of the packages' index.ts files into docs/api/ (skip with --no-html);
//   2. `deno doc --lint`: every exported symbol (and every member of an exported class/interface) has a doc
//      comment, and the public API names no private type; any finding fails;
//   3. `deno test --doc`: every ```ts example in the packages' doc comments type-checks (strict, with the
//      repository's strict flags) and runs. Each example must be self-contained: it imports what it uses from the
//      package (`import { BlockPool } from "@flight-hal/pool"`) and builds the objects it talks about.
// Prints a summary per package (each finding with file:line) and exits non-zero on any finding.
// Usage: node scripts/api-docs.mjs [--no-html] [--verbose] [package-dir-name ...]   (--verbose: list the notes)
import { rmSync } from "node:fs"
import { join, relative } from "node:path"
import { bin, indent, parallel, plain, root, run, since, workspacePackages } from "./packaging/workspace.mjs"

const started = Date.now()
const args = process.argv.slice(2)
const only = args.filter((a) => !a.startsWith("--"))
const all = workspacePackages().filter((p) => only.length === 0 || only.includes(p.short))
const packages = all.filter((p) => p.ready)
for (const p of all.filter((p) => !p.ready)) console.log(`api-docs ${p.pkg.name}: SKIPPED (no src/index.ts yet)`)
const entry = (p) => join(p.dir, "src", "index.ts")
/** Drops deno's noise about type packages it cannot read (bun-types, @types/node sub-paths). */
const quiet = (text) =>
  text
    .split("\n")
    .filter((line) => !line.includes("Warning Failed resolving types") && !/^\s*at file:\/\/.*node_modules/.test(line))
    .join("\n")
const where = (file) => relative(root, file.replace(/^file:\/\//, ""))
let failures = 0

// 1. HTML reference.
if (!args.includes("--no-html")) {
  rmSync(join(root, "docs", "api"), { recursive: true, force: true })
  const html = await run(bin("deno"), [
    "doc",
    "--html",
    "--name=Flight HAL",
    "--output=docs/api",
    ...packages.map(entry)
  ])
  if (html.status !== 0) {
    failures++
    console.log(`api-docs html: FAILED\n${indent(plain(html.output))}`)
  } else console.log(`api-docs html: docs/api/index.html (${packages.length} packages, ${html.seconds.toFixed(1)}s)`)
}

// 2 and 3, per package.
const lint = async (p) => {
  const result = await run(bin("deno"), ["doc", "--lint", entry(p)])
  const text = plain(result.output)
  const findings = [
    ...text.matchAll(/error\[([\w-]+)\]: (.+)\n\s+--> (\S+):(\d+):\d+\n\s*\|[^\n]*\n\s*\d+ \|\s*(.*)/g)
  ].map((m) => `${where(m[3])}:${m[4]} ${m[1]}: ${m[5].trim().replace(/\s*\{$/, "")}`)
  if (result.status !== 0 && findings.length === 0) findings.push(quiet(text).trim())
  // A public symbol whose type names a module-private one (e.g. the explicitly typed `XBase` const that JSR's
  // slow-types rule requires for an error class) is reported, but does not fail the check.
  const fatal = findings.filter((f) => !f.includes(" private-type-ref: "))
  return { fatal, notes: findings.filter((f) => f.includes(" private-type-ref: ")) }
}
const doctest = async (p) => {
  const result = await run(bin("deno"), [
    "test",
    "--doc",
    "--config",
    "scripts/packaging/deno.doctest.json",
    "--allow-read",
    "--allow-env",
    "--allow-sys",
    join(p.dir, "src")
  ])
  const text = plain(result.output)
  const typeErrors = [...text.matchAll(/(TS\d+) \[ERROR\]: (.+)\n[\s\S]*?at (file:\/\/[^#\s]+)#(\d+)-\d+\.ts/g)].map(
    (m) => `${where(m[3])}:${m[4]} example does not type-check: ${m[1]} ${m[2]}`
  )
  const failed = [...text.matchAll(/^(file:\/\/[^#\s]+)#(\d+)-\d+\.ts .*\.\.\. FAILED/gm)].map(
    (m) => `${where(m[1])}:${m[2]} example throws when run`
  )
  const summary = /(ok|FAILED) \| (\d+) passed \| (\d+) failed/.exec(text)
  const findings = [...new Set([...typeErrors, ...failed])]
  if (result.status !== 0 && findings.length === 0) findings.push(quiet(text).split("\n").slice(-30).join("\n"))
  return { findings, ran: summary ? `${summary[2]} passed, ${summary[3]} failed` : "did not run" }
}

const results = await parallel(
  packages.map((p) => async () => ({ p, lint: await lint(p), doc: await doctest(p) })),
  2
)
for (const { p, lint: lintResult, doc } of results) {
  const ok = lintResult.fatal.length === 0 && doc.findings.length === 0
  if (!ok) failures++
  console.log(
    `api-docs ${p.pkg.name}: ${ok ? "ok" : "FAILED"} — doc lint ${lintResult.fatal.length} finding(s)` +
      ` (+${lintResult.notes.length} private-type-ref note(s)); doc examples ${doc.ran}, ${doc.findings.length} finding(s)`
  )
  if (lintResult.fatal.length > 0) console.log(indent(lintResult.fatal.join("\n")))
  if (doc.findings.length > 0) console.log(indent(doc.findings.join("\n")))
  if (lintResult.notes.length > 0 && args.includes("--verbose")) console.log(indent(lintResult.notes.join("\n")))
}
console.log(`api-docs: ${failures === 0 ? "ok" : `${failures} failure(s)`} (${since(started)})`)
process.exit(failures === 0 ? 0 : 1)
