#!/usr/bin/env node
// The API reference and its checks, over every workspace package with a src/index.ts:
//   1. `deno doc --html` of the packages' index.ts files into docs/api/ (skip with --no-html);
//   2. `deno doc --lint`: every exported symbol (and every member of an exported class or interface) has a doc
//      comment, and exported consts have explicit types; any finding fails. A public type that names a
//      module-private one (`private-type-ref`, e.g. the explicitly typed `XBase` const that JSR's slow-types rule
//      requires behind an error class) is counted as a note, not a failure (listed with --verbose);
//   3. the ```ts examples in the doc comments of every source file (src/internal included) are extracted into
//      .cache/doc-examples/ (scripts/packaging/doc-examples.mjs), type-checked as one strict program (tsc) and run
//      in one Bun process (scripts/packaging/doc-examples-run.ts). Like `deno test --doc`, an example may use its
//      own module's exports without importing them; anything else it uses it must import or build itself.
// (The Markdown files' code blocks, READMEs included, are run by scripts/markdown-examples.mjs with `deno test --doc`.)
// The HTML is then finished by scripts/packaging/api-site.mjs: every export of each deno.json is documented under
// its package specifier (the Usage boxes say `import … from "@flight-hal/resources"`), and docs/api/index.html
// becomes a landing page (packages, entry points with checked links, the diagrams of docs/diagrams/, the guides).
// Prints one summary line per package, then each finding as file:line, and exits non-zero on any finding.
// The packages must be built (tsc -b tsconfig.build.json): examples import them by name, typed by dist/*.d.ts.
// Usage: node scripts/api-docs.mjs [--no-html] [--verbose] [package-dir-name ...]
import { rmSync } from "node:fs"
import { join, relative } from "node:path"
import { docEntries, rewriteSpecifiers, writeLanding } from "./packaging/api-site.mjs"
import { examplesDir, extractExamples } from "./packaging/doc-examples.mjs"
import { bin, indent, plain, root, run, since, workspacePackages } from "./packaging/workspace.mjs"

const started = Date.now()
const args = process.argv.slice(2)
const only = args.filter((a) => !a.startsWith("--"))
const all = workspacePackages().filter((p) => only.length === 0 || only.includes(p.short))
const packages = all.filter((p) => p.ready)
for (const p of all.filter((p) => !p.ready)) console.log(`api-docs ${p.pkg.name}: SKIPPED (no src/index.ts yet)`)
const documented = docEntries(packages)
const entries = documented.map((e) => e.file)
let failures = 0

const html = args.includes("--no-html")
  ? undefined
  : (() => {
      rmSync(join(root, "docs", "api"), { recursive: true, force: true })
      return run(bin("deno"), ["doc", "--html", "--name=Flight HAL", "--output=docs/api", ...entries])
    })()
const examples = extractExamples(packages)
const origin = (file) => {
  const example = examples.find((e) => e.file === file)
  if (example !== undefined) return { file: example.source, line: example.line }
  // An error inside a source file an example imported: attribute it to that file.
  return { file: relative(root, file), line: "?" }
}
const [lint, check, exec] = await Promise.all([
  run(bin("deno"), ["doc", "--lint", ...entries]),
  run(bin("tsc"), ["-p", join(examplesDir, "tsconfig.json")]),
  run(bin("bun"), [join("scripts", "packaging", "doc-examples-run.ts"), ...examples.map((e) => e.file)])
])

// Findings, each `{ file, line, text, note }`.
const lintFindings = [
  ...plain(lint.output).matchAll(/error\[([\w-]+)\]: (.+)\n\s+--> (\S+):(\d+):\d+\n\s*\|[^\n]*\n\s*\d+ \|\s*(.*)/g)
].map((m) => ({
  file: relative(root, m[3]),
  line: m[4],
  text: `${m[1]}: ${m[5].trim().replace(/\s*\{$/, "")}`,
  note: m[1] === "private-type-ref"
}))
const typeFindings = [...check.output.matchAll(/^(\S+\.ts)\(\d+,\d+\): error (TS\d+): (.+)$/gm)].map((m) => ({
  ...origin(join(root, m[1])),
  text: `example does not type-check: ${m[2]} ${m[3]}`
}))
const runFindings = [...exec.output.matchAll(/^FAILED (\S+) (.*)$/gm)].map((m) => ({
  ...origin(m[1]),
  text: `example fails when run: ${m[2]}`
}))
const ran = /^RAN (\d+) (\d+)$/m.exec(exec.output)

const unexplained = [
  [lint, lintFindings, "deno doc --lint"],
  [check, typeFindings, "tsc (doc examples)"],
  [exec, runFindings, "bun (doc examples)"]
].filter(([result, found]) => (result.status !== 0 || (result === exec && !ran)) && found.length === 0)
for (const [result, , title] of unexplained) {
  failures++
  console.log(`api-docs: ${title} FAILED:\n${indent(plain(result.output).split("\n").slice(-30).join("\n"))}`)
}
if (html !== undefined) {
  const result = await html
  if (result.status !== 0) {
    failures++
    console.log(`api-docs html: FAILED\n${indent(plain(result.output))}`)
  } else {
    const apiDir = join(root, "docs", "api")
    const rewritten = rewriteSpecifiers(apiDir, documented)
    const missing = writeLanding(apiDir, packages, documented)
    if (missing.length > 0) {
      failures++
      console.log(`api-docs landing page: ${missing.length} broken link(s)\n${indent(missing.join("\n"))}`)
    }
    console.log(
      `api-docs html: docs/api/index.html (${packages.length} packages, ${documented.length} modules, ` +
        `import paths in ${rewritten} files, ${result.seconds.toFixed(1)}s)`
    )
  }
}
console.log(
  `api-docs examples: ${examples.length} extracted; run: ${ran ? `${ran[1]} passed, ${ran[2]} failed` : "did not finish"}` +
    ` (doc lint ${lint.seconds.toFixed(1)}s, type-check ${check.seconds.toFixed(1)}s, run ${exec.seconds.toFixed(1)}s)`
)
const findings = [...lintFindings, ...typeFindings, ...runFindings]
for (const p of packages) {
  const mine = findings.filter((f) => f.file.startsWith(`${p.dir}/`))
  const fatal = mine.filter((f) => !f.note)
  if (fatal.length > 0) failures++
  const count = (test) => fatal.filter((f) => test(f.text)).length
  console.log(
    `api-docs ${p.pkg.name}: ${fatal.length === 0 ? "ok" : "FAILED"} — ` +
      `${count((t) => !t.startsWith("example"))} doc lint finding(s), ` +
      `${count((t) => t.includes("type-check"))} example type error(s), ` +
      `${count((t) => t.includes("when run"))} failing example(s) (+${mine.length - fatal.length} private-type-ref note(s))`
  )
  for (const f of args.includes("--verbose") ? mine : fatal) console.log(`    ${f.file}:${f.line} ${f.text}`)
}
const stray = findings.filter((f) => !packages.some((p) => f.file.startsWith(`${p.dir}/`)))
if (stray.length > 0) {
  failures++
  for (const f of stray) console.log(`api-docs: ${f.file}:${f.line} ${f.text}`)
}
console.log(`api-docs: ${failures === 0 ? "ok" : `${failures} failure(s)`} (${since(started)})`)
process.exit(failures === 0 ? 0 : 1)
