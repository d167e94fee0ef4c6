#!/usr/bin/env node
// JSR dry run of every workspace package: `deno publish --dry-run --allow-dirty` in the package's directory, WITHOUT
// --allow-slow-types, so a public API whose types JSR cannot read without inference fails here, not at publish
// time. Packages without a src/index.ts yet are SKIPPED. Also runs `sync-versions --check` first (the JSR manifest
// must carry the npm name, version and exports). Exits non-zero when any package fails.
// Usage: node scripts/jsr-check.mjs [package-dir-name ...]   (e.g. `core pool`; default: all)
import { bin, indent, parallel, plain, run, runSync, since, workspacePackages } from "./packaging/workspace.mjs"

const started = Date.now()
const only = process.argv.slice(2)
let failures = 0

const sync = runSync(process.execPath, ["scripts/sync-versions.mjs", "--check"])
process.stdout.write(sync.output)
if (sync.status !== 0) failures++

const packages = workspacePackages().filter((p) => only.length === 0 || only.includes(p.short))

/** The interesting part of deno's output: every error with its location, or the published file count. */
const summarize = (output) => {
  const text = plain(output)
  const slow = [...text.matchAll(/error\[([a-z-]+)\]: (.+)\n\s*--> (\S+)/g)].map((m) => `${m[1]}: ${m[2]} (${m[3]})`)
  const other = [...text.matchAll(/^(?:error|TS\d+ \[ERROR\]): (.+)$/gm)].map((m) => m[1])
  return { text, slow, other, files: (text.match(/^\s+file:\/\//gm) ?? []).length }
}

const results = await parallel(
  packages.map((p) => async () => {
    if (!p.ready) return { p, skipped: true }
    const result = await run(bin("deno"), ["publish", "--dry-run", "--allow-dirty", "--no-provenance"], { cwd: p.path })
    return { p, result, ...summarize(result.output) }
  }),
  2
)

for (const r of results) {
  if (r.skipped) {
    console.log(`jsr ${r.p.pkg.name}: SKIPPED (no src/index.ts yet)`)
    continue
  }
  const secs = `${r.result.seconds.toFixed(1)}s`
  if (r.result.status === 0 && /Dry run complete/.test(r.text)) {
    console.log(`jsr ${r.p.pkg.name}@${r.p.deno?.version}: ok, ${r.files} files, no slow types (${secs})`)
  } else {
    failures++
    console.log(`jsr ${r.p.pkg.name}: FAILED (${secs})`)
    if (r.slow.length > 0) console.log(indent(`slow types / publish errors:\n${r.slow.join("\n")}`))
    console.log(indent(r.text.split("\n").slice(-60).join("\n")))
  }
}
console.log(`jsr-check: ${failures === 0 ? "ok" : `${failures} failure(s)`} (${since(started)})`)
process.exit(failures === 0 ? 0 : 1)
