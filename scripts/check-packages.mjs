#!/usr/bin/env node
// Checks every workspace package the way npm users will get it:
//   1. builds all packages (tsc -b tsconfig.build.json; skip with --no-build),
//   2. `npm pack`s each one and checks the tarball's contents (only package.json, README, CHANGELOG, LICENSE, built JS with
//      .d.ts and source maps, TS sources; no tests, no tsbuildinfo; every exports target present; nothing stale),
//   3. publint on the tarball (errors fail; warnings and suggestions are printed),
//   4. @arethetypeswrong/cli on the tarball with the esm-only profile (any problem fails),
//   5. the manifest and README as a registry page shows them: repository, homepage, bugs, keywords and engines
//      present, and every README link absolute (repository links as https://github.com/…/blob/main/…).
// Packages without a src/index.ts yet are reported as SKIPPED. Exits non-zero on any problem.
// Usage: node scripts/check-packages.mjs [--no-build] [--keep <dir>]   (--keep: leave the tarballs in <dir>)
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { contentProblems, manifestProblems, pack } from "./packaging/pack.mjs"
import { bin, indent, parallel, plain, root, run, since, workspacePackages } from "./packaging/workspace.mjs"

const args = process.argv.slice(2)
const keepIndex = args.indexOf("--keep")
const keep = keepIndex >= 0 ? resolve(args[keepIndex + 1]) : undefined
const started = Date.now()
let failures = 0

if (!args.includes("--no-build")) {
  const build = await run(bin("tsc"), ["-b", "tsconfig.build.json"])
  if (build.status !== 0) {
    console.log(`build: FAILED (tsc -b tsconfig.build.json)\n${indent(build.output)}`)
    failures++
  } else console.log(`build: ok (${build.seconds.toFixed(1)}s)`)
}

const destination = keep ?? mkdtempSync(join(tmpdir(), "flight-hal-pack-"))
mkdirSync(destination, { recursive: true })

const checkOne = async (pkg) => {
  const lines = []
  let ok = true
  const fail = (line) => {
    ok = false
    lines.push(line)
  }
  const packed = await pack(pkg, destination)
  if (packed.error) {
    fail(`  npm pack FAILED\n${indent(packed.error)}`)
    return { pkg, ok, lines }
  }
  const problems = contentProblems(pkg, packed.files)
  if (problems.length > 0) fail(`  contents: ${problems.length} problem(s)\n${indent(problems.join("\n"))}`)
  else lines.push(`  contents: ok (${packed.files.length} files)`)
  const manifest = manifestProblems(pkg, readFileSync(join(pkg.path, "README.md"), "utf8"))
  if (manifest.length > 0) fail(`  manifest and README: ${manifest.length} problem(s)\n${indent(manifest.join("\n"))}`)
  else lines.push("  manifest and README: ok (repository, homepage, bugs, keywords, engines; absolute links)")

  const [publint, attw] = await Promise.all([
    run(bin("publint"), ["run", packed.tarball, "--level", "suggestion"]),
    run(bin("attw"), [packed.tarball, "--profile", "esm-only", "--format", "ascii", "--no-color", "--no-emoji"])
  ])
  const publintText = plain(publint.output)
  const publintHasErrors = publint.status !== 0 || /^Errors:/m.test(publintText)
  const publintNotes = /^(Warnings|Suggestions):/m.test(publintText)
  if (publintHasErrors) fail(`  publint: FAILED\n${indent(publintText)}`)
  else lines.push(`  publint: ok${publintNotes ? ` (notes below)\n${indent(publintText)}` : ""}`)
  if (attw.status !== 0) fail(`  attw (esm-only): FAILED\n${indent(plain(attw.output))}`)
  else lines.push("  attw (esm-only): ok (node16-esm and bundler resolve to typed ESM)")
  return { pkg, ok, lines, tarball: packed.tarball }
}

const packages = workspacePackages()
const results = await parallel(
  packages.map((pkg) => async () => (pkg.ready ? checkOne(pkg) : { pkg, skipped: true })),
  2
)
for (const result of results) {
  if (result.skipped) {
    console.log(`${result.pkg.pkg.name}: SKIPPED (no src/index.ts yet)`)
    continue
  }
  console.log(`${result.pkg.pkg.name}: ${result.ok ? "ok" : "FAILED"}`)
  for (const line of result.lines) console.log(line)
  if (!result.ok) failures++
}
if (!keep) rmSync(destination, { recursive: true, force: true })
else console.log(`tarballs kept in ${destination.replace(root, ".")}`)
console.log(`check-packages: ${failures === 0 ? "ok" : `${failures} failure(s)`} (${since(started)})`)
process.exit(failures === 0 ? 0 : 1)
