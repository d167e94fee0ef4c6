#!/usr/bin/env node
// Runs the code blocks of the Markdown files a reader meets: README.md, packages/*/README.md and docs/*.md.
//   1. Every ```ts / ```js block without attributes is type-checked and run by `deno test --doc` (each block is a
//      module of its own; the packages resolve through the Deno workspace to their TypeScript sources).
//   2. A block marked ```ts ignore is skipped by Deno and must say why, in an HTML comment on the line above it:
//        <!-- fragment: CONTEXT -->   a piece of a larger program: type-checked (`deno check`) after CONTEXT,
//                                     TypeScript declarations of what it uses (`declare const manager: …`), or
//                                     nothing when it needs none; it is not run.
//        <!-- file: DIR/NAME [run] --> one file of a multi-file example (a main and its worker): the files of DIR are
//                                     written side by side; .ts files are type-checked by `deno check`; a file
//                                     marked `run` is run: .ts with `deno run -A`, .mjs / .js with this Node (the
//                                     packages resolve to their built dist/, as for an npm user). When DIR has a
//                                     tsconfig.json (a ```json block), DIR is compiled with `tsc -p` instead and its
//                                     `run` .ts files run with this Node from the tsconfig's outDir.
//      Anything else (```ts ignore without one of these) is a finding.
// A block or file whose manager prints a leak warning (`flight-hal … leak: …`, what a manager without `onLeaks`
// prints at close for what is still held) is a finding too: a reader who copies it gets that warning.
// Files listed in KNOWN belong to other guides in progress: their findings are printed but do not fail the run.
// Prints one line per Markdown file (blocks run, fragments, files), every finding, then
// `markdown <runtime>: N passed, M failed` per runtime, and exits non-zero on any finding outside KNOWN.
// The packages must be built (npm run build) for the Node files. Usage: node scripts/markdown-examples.mjs [file.md ...]
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, relative } from "node:path"
import { markdownBlocksOf } from "./packaging/doc-examples.mjs"
import { bin, indent, plain, root, run, since } from "./packaging/workspace.mjs"

/**
 * The warning a manager without `onLeaks` prints at close for each resource still held: the facade's
 * `flight-hal <label> leak: blur Shader 2048 bytes owned by app`, the Effect service's the same in a log line.
 */
const LEAK_WARNING = /\S+ leak: [^"\n]*? bytes owned by [^"\n,]*/g

/** Guides owned elsewhere and still being written: reported, not failed. */
const KNOWN = new Set(["docs/semantics.md"])

const started = Date.now()
const only = process.argv.slice(2).filter((a) => !a.startsWith("--"))
const markdownFiles =
  only.length > 0
    ? only.map((f) => relative(root, join(process.cwd(), f)))
    : [
        "README.md",
        ...readdirSync(join(root, "packages")).map((p) => `packages/${p}/README.md`),
        ...readdirSync(join(root, "docs"))
          .filter((f) => f.endsWith(".md"))
          .map((f) => `docs/${f}`)
      ].filter((f) => existsSync(join(root, f)))

const CODE = new Set(["ts", "typescript", "js", "javascript", "mjs"])
const workDir = join(root, ".cache", "markdown-examples")
rmSync(workDir, { recursive: true, force: true })
mkdirSync(workDir, { recursive: true })

const findings = [] // { file, line, text }
const perFile = new Map(markdownFiles.map((f) => [f, { run: 0, fragments: 0, files: 0 }]))
const fragments = [] // { path, file, line }
const fileGroups = new Map() // dir -> [{ name, run, path, file, line }]

for (const file of markdownFiles) {
  for (const block of markdownBlocksOf(readFileSync(join(root, file), "utf8"))) {
    const fileComment = /^file:/.test(block.comment ?? "")
    if (!CODE.has(block.lang) && !(block.lang === "json" && fileComment)) continue
    const counts = perFile.get(file)
    if (!block.attributes.includes("ignore") && !(block.lang === "json" && fileComment)) {
      counts.run++
      continue
    }
    const fragment = /^fragment\b:?\s*([\s\S]*)$/.exec(block.comment ?? "")
    const named = /^file:\s*(\S+?)\/([\w.-]+)(\s+run)?\s*$/.exec(block.comment ?? "")
    if (fragment !== null) {
      counts.fragments++
      const path = join(workDir, `${file.replace(/[/.]/g, "_")}_${block.line}.ts`)
      writeFileSync(path, `// ${file}:${block.line}\n${fragment[1]}\n${block.code}\nexport {}\n`)
      fragments.push({ path, file, line: block.line })
    } else if (named !== null) {
      counts.files++
      const dir = join(workDir, file.replace(/[/.]/g, "_"), named[1])
      mkdirSync(dir, { recursive: true })
      const path = join(dir, named[2])
      writeFileSync(path, `${block.code}\n`)
      const group = fileGroups.get(dir) ?? []
      group.push({ name: named[2], run: named[3] !== undefined, path, file, line: block.line })
      fileGroups.set(dir, group)
    } else {
      findings.push({
        file,
        line: block.line,
        text: "an `ignore` block needs `<!-- fragment: … -->` or `<!-- file: dir/name -->` on the line above"
      })
    }
  }
}

const deno = bin("deno")
const denoConfig = ["--config", join(root, "deno.json"), "--no-lock"]
// Examples may write files (a trace, a report): they run in a scratch directory, never in the repository.
const scratch = mkdtempSync(join(tmpdir(), "flight-hal-markdown-"))
const runnable = markdownFiles.filter((f) => (perFile.get(f)?.run ?? 0) > 0)
const tscGroups = [...fileGroups.entries()].filter(([, group]) => group.some((f) => f.name === "tsconfig.json"))
const tsFiles = [...fileGroups.values()]
  .filter((group) => !group.some((f) => f.name === "tsconfig.json"))
  .flat()
  .filter((f) => f.name.endsWith(".ts"))

/** `deno test --doc` over some Markdown files (one type error stops a whole run, hence the KNOWN files apart). */
const denoTest = (files) =>
  files.length === 0
    ? { status: 0, output: "", seconds: 0 }
    : run(deno, ["test", "--doc", "--allow-all", ...denoConfig, ...files.map((f) => join(root, f))], { cwd: scratch })
const [main, known, check] = await Promise.all([
  denoTest(runnable.filter((f) => !KNOWN.has(f))),
  denoTest(runnable.filter((f) => KNOWN.has(f))),
  fragments.length + tsFiles.length === 0
    ? { status: 0, output: "", seconds: 0 }
    : run(deno, ["check", ...denoConfig, ...fragments.map((f) => f.path), ...tsFiles.map((f) => f.path)])
])

const typeErrors = (output) =>
  [...plain(output).matchAll(/^(TS\d+) \[ERROR\]: (.+)\n[\s\S]*?at file:\/\/(\S+?):(\d+):\d+/gm)].map((m) => ({
    code: m[1],
    message: m[2],
    path: m[3],
    line: Number(m[4])
  }))

// deno test --doc: one `file:///…/x.md#a-b.ts ... ok|FAILED` line per block; a type error stops it before running.
const denoCounts = { passed: 0, failed: 0 }
for (const doc of [main, known]) {
  const docOut = plain(doc.output)
  const before = findings.length
  for (const m of docOut.matchAll(/^file:\/\/(\S+?)#(\d+)-\d+\.ts \.\.\. (ok|FAILED)/gm)) {
    if (m[3] === "ok") denoCounts.passed++
    else {
      denoCounts.failed++
      const escaped = m[1].replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
      const error = new RegExp(`${escaped}#${m[2]}-[\\s\\S]*?\\n(error: .*)`).exec(
        docOut.slice(docOut.indexOf("ERRORS"))
      )
      findings.push({
        file: relative(root, m[1]),
        line: m[2],
        text: `fails when run: ${error?.[1] ?? "see deno's output"}`
      })
    }
  }
  for (const e of typeErrors(doc.output)) {
    const at = /^(.*\.md)#(\d+)-\d+\.ts$/.exec(e.path)
    findings.push({
      file: relative(root, at?.[1] ?? e.path),
      line: at ? at[2] : e.line,
      text: `does not type-check: ${e.code} ${e.message}${at ? ` (line ${e.line} of the block as Deno wraps it)` : ""}`
    })
  }
  // a manager without `onLeaks` warns of what it still held at close: an example a reader copies must not leak
  for (const m of docOut.matchAll(LEAK_WARNING)) {
    const block = [...docOut.slice(0, m.index).matchAll(/file:\/\/(\S+?)#(\d+)-\d+\.ts/g)].at(-1)
    findings.push({
      file: block === undefined ? "(deno test --doc)" : relative(root, block[1]),
      line: block?.[2] ?? "",
      text: `leaks when run: ${m[0]}`
    })
  }
  if (doc.status !== 0 && findings.length === before) {
    findings.push({
      file: "(deno test --doc)",
      line: "",
      text: `failed:\n${indent(docOut.split("\n").slice(-30).join("\n"))}`
    })
  }
}
for (const e of typeErrors(check.output)) {
  const origin = [...fragments, ...tsFiles].find((f) => f.path === e.path)
  findings.push({
    file: origin?.file ?? relative(root, e.path),
    line: origin === undefined ? e.line : `${origin.line} (${relative(workDir, e.path)}:${e.line})`,
    text: `does not type-check: ${e.code} ${e.message}`
  })
}
if (check.status !== 0 && typeErrors(check.output).length === 0) {
  findings.push({
    file: "(deno check)",
    line: "",
    text: `failed:\n${indent(plain(check.output).split("\n").slice(-20).join("\n"))}`
  })
}

// The multi-file examples: compile the tsconfig.json ones with tsc, then run every file marked `run`, in its directory.
const runtimeCounts = { node: { passed: 0, failed: 0 }, deno: denoCounts }
const compiled = new Map() // dir -> outDir
for (const [dir, group] of tscGroups) {
  const tsc = await run(bin("tsc"), ["-p", dir])
  if (tsc.status !== 0) {
    findings.push({
      file: group[0].file,
      line: group[0].line,
      text: `tsc -p ${relative(workDir, dir)} fails:\n${indent(plain(tsc.output).split("\n").slice(-12).join("\n"))}`
    })
  }
  compiled.set(dir, JSON.parse(readFileSync(join(dir, "tsconfig.json"), "utf8")).compilerOptions?.outDir ?? ".")
}
for (const [dir, group] of fileGroups) {
  for (const entry of group.filter((f) => f.run)) {
    const outDir = compiled.get(dir)
    const node = /\.(mjs|js)$/.test(entry.name) || outDir !== undefined
    const script = outDir === undefined ? entry.path : join(dir, outDir, entry.name.replace(/\.ts$/, ".js"))
    const result = await run(node ? process.execPath : deno, node ? [script] : ["run", "-A", ...denoConfig, script], {
      cwd: dirname(entry.path)
    })
    const counts = runtimeCounts[node ? "node" : "deno"]
    const leak = plain(result.output).match(LEAK_WARNING)
    if (result.status === 0 && leak === null) counts.passed++
    else if (result.status === 0) {
      counts.failed++
      findings.push({ file: entry.file, line: entry.line, text: `${relative(workDir, entry.path)} leaks: ${leak[0]}` })
    } else {
      counts.failed++
      findings.push({
        file: entry.file,
        line: entry.line,
        text: `${relative(workDir, entry.path)} fails when run (${node ? "node" : "deno"}):\n${indent(plain(result.output).split("\n").slice(-12).join("\n"))}`
      })
    }
  }
}
rmSync(scratch, { recursive: true, force: true })

for (const [file, c] of perFile) {
  const mine = findings.filter((f) => f.file === file)
  const state = mine.length === 0 ? "ok" : KNOWN.has(file) ? "FINDINGS (known, not failed)" : "FAILED"
  console.log(
    `markdown ${file}: ${state} — ${c.run} block(s) run by deno test --doc, ${c.fragments} fragment(s) type-checked, ${c.files} file(s) of multi-file examples`
  )
  for (const f of mine) console.log(`    ${f.file}:${f.line} ${f.text}`)
}
const stray = findings.filter((f) => !perFile.has(f.file))
for (const f of stray) console.log(`markdown: ${f.file}:${f.line} ${f.text}`)
for (const [runtime, c] of Object.entries(runtimeCounts))
  console.log(`markdown ${runtime}: ${c.passed} passed, ${c.failed} failed`)
const failing = findings.filter((f) => !KNOWN.has(f.file))
console.log(
  `markdown examples: ${failing.length === 0 ? "ok" : `${failing.length} finding(s)`} (deno test --doc ${Math.max(main.seconds, known.seconds).toFixed(1)}s, deno check ${check.seconds.toFixed(1)}s, ${since(started)})`
)
process.exit(failing.length === 0 ? 0 : 1)
