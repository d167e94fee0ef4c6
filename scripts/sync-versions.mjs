#!/usr/bin/env node
// Keeps the npm and JSR manifests of every workspace package in step (all packages are versioned together, the
// changesets "fixed" group):
//   - every packages/*/package.json has the same version (the highest one wins when they differ);
//   - every dependency on another workspace package names exactly that version;
//   - every packages/*/deno.json has the package.json's name and version, and exports with the same subpaths,
//     each pointing at the TypeScript source (the "bun" condition of the npm export, e.g. ./src/index.ts).
// Without flags it rewrites the files that differ; with --check it changes nothing and exits non-zero, naming each
// difference (CI runs this). Run it after `changeset version`. `--root <dir>` works on another checkout (tests).
import { writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { bin, root as repositoryRoot, runSync, workspacePackages } from "./packaging/workspace.mjs"

const check = process.argv.includes("--check")
const rootIndex = process.argv.indexOf("--root")
const root = rootIndex >= 0 ? resolve(process.argv[rootIndex + 1]) : repositoryRoot
const packages = workspacePackages(root)
const names = new Set(packages.map((p) => p.pkg.name))

const semver = (v) => v.split(/[.+-]/).slice(0, 3).map(Number)
const compare = (a, b) => {
  const [x, y] = [semver(a), semver(b)]
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0)
  return a === b ? 0 : a.includes("-") ? -1 : 1
}
const version = packages
  .map((p) => p.pkg.version)
  .sort(compare)
  .at(-1)

/** The TS source a JSR user imports for one npm export entry. */
const sourceOf = (subpath, target) => {
  if (typeof target === "string") return target.replace(/^\.\/dist\//, "./src/").replace(/\.js$/, ".ts")
  if (typeof target.bun === "string") return target.bun
  if (typeof target.default === "string") return sourceOf(subpath, target.default)
  if (typeof target.import === "string") return sourceOf(subpath, target.import)
  throw new Error(`cannot derive the JSR export of ${subpath}`)
}
const jsrExports = (exportsField) => {
  if (typeof exportsField === "string") return { ".": sourceOf(".", exportsField) }
  return Object.fromEntries(
    Object.entries(exportsField).map(([subpath, target]) => [subpath, sourceOf(subpath, target)])
  )
}

const differences = []
const stable = (value) => JSON.stringify(value)
const written = []
const write = (path, json) => {
  writeFileSync(path, `${JSON.stringify(json, null, 2)}\n`)
  written.push(path)
}

for (const p of packages) {
  const pkgPath = join(p.dir, "package.json")
  const pkg = structuredClone(p.pkg)
  if (pkg.version !== version) {
    differences.push(`${pkgPath}: version ${pkg.version} ≠ ${version}`)
    pkg.version = version
  }
  for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
    for (const [name, range] of Object.entries(pkg[field] ?? {})) {
      if (names.has(name) && range !== version) {
        differences.push(`${pkgPath}: ${field}.${name} ${range} ≠ ${version}`)
        pkg[field][name] = version
      }
    }
  }
  if (!check && stable(pkg) !== stable(p.pkg)) write(join(root, pkgPath), pkg)

  const denoPath = join(p.dir, "deno.json")
  const deno = structuredClone(p.deno ?? {})
  if (p.deno === undefined) differences.push(`${denoPath}: missing`)
  if (deno.name !== pkg.name) {
    differences.push(`${denoPath}: name ${deno.name} ≠ ${pkg.name}`)
    deno.name = pkg.name
  }
  if (deno.version !== version) {
    differences.push(`${denoPath}: version ${deno.version} ≠ ${version}`)
    deno.version = version
  }
  const wanted = jsrExports(pkg.exports)
  if (stable(deno.exports) !== stable(wanted)) {
    differences.push(`${denoPath}: exports ${stable(deno.exports)} ≠ ${stable(wanted)}`)
    deno.exports = wanted
  }
  if (!check && stable(deno) !== stable(p.deno ?? {})) write(join(root, denoPath), deno)
}

// Biome owns the JSON layout (e.g. short arrays on one line): format what was rewritten.
if (written.length > 0) runSync(bin("biome"), ["format", "--write", ...written], { cwd: repositoryRoot })

if (differences.length === 0) {
  console.log(`sync-versions: ok (${packages.length} packages at ${version}; npm and JSR manifests agree)`)
} else if (check) {
  console.log(`sync-versions --check: ${differences.length} difference(s); run node scripts/sync-versions.mjs`)
  for (const d of differences) console.log(`  ${d}`)
  process.exit(1)
} else {
  console.log(`sync-versions: fixed ${differences.length} difference(s) (all packages at ${version})`)
  for (const d of differences) console.log(`  ${d}`)
}
