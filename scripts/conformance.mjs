#!/usr/bin/env node
// Runtime conformance: ONE scenario (test/conformance/scenarios/) run four ways, each compared check by check with
// the scenario's `expected` (so all runtimes must agree with it and with each other):
//   node     the npm tarballs (npm pack) installed into a fresh temporary project, run under Node
//   bun      the same project under Bun (which picks the "bun" export condition: the TS sources in the tarball)
//   deno     the packages imported by name through the Deno workspace (their TS sources), as JSR users get them
//   browser  the packages (from the same tarballs) bundled by `bun build --target=browser` and run in headless
//            Chromium, on a page served cross-origin isolated by a local server (COOP + COEP: SharedArrayBuffer
//            exists); the page posts its result back to the server
// Node, Bun and Deno also run the "shared-pool" part (SharedArrayBuffer) and the "resources" part (the plain facade
// of @flight-hal/resources). Every runtime runs the "shared-manager" part: the shared manager of
// @flight-hal/resources with two real workers (Node: worker_threads; Bun, Deno, the browser: Worker).
// Prints, per runtime, exactly one line `conformance <runtime>: N passed, N failed`, then exits non-zero on any
// failed check or a runtime that could not run. Chromium is installed with apt-get when missing (root + apt only);
// otherwise the browser is reported as SKIPPED, loudly.
// Usage: node scripts/conformance.mjs [--no-build] [--keep] [--only node,bun,deno,browser] [--core-pool-only]
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ensureChromium, runIsolatedPage } from "./packaging/chromium.mjs"
import { pack } from "./packaging/pack.mjs"
import { bin, indent, root, run, since, workspacePackages } from "./packaging/workspace.mjs"

const started = Date.now()
const args = process.argv.slice(2)
const onlyIndex = args.indexOf("--only")
const runtimes = onlyIndex >= 0 ? args[onlyIndex + 1].split(",") : ["node", "bun", "deno", "browser"]
const withResources = !args.includes("--core-pool-only")
const conformanceDir = join(root, "test", "conformance")
const { expected } = await import(join(conformanceDir, "scenarios", "flight-hal.mjs"))
const problems = []
const log = (line) => console.log(`[${since(started)}] ${line}`)

// 1. Build the packages the scenario imports (their dist/ goes into the tarballs).
const needed = ["core", "pool", ...(withResources ? ["resources"] : [])]
const packages = workspacePackages().filter((p) => needed.includes(p.short))
if (!args.includes("--no-build")) {
  const build = await run(bin("tsc"), ["-b", ...packages.map((p) => p.dir)])
  if (build.status !== 0)
    problems.push(`build failed (tsc -b ${packages.map((p) => p.dir).join(" ")}):\n${build.output}`)
  log(`build ${build.status === 0 ? "ok" : "FAILED"} (${build.seconds.toFixed(1)}s)`)
}

// 2. Deno needs no tarball: start it now, in parallel with packing and installing.
const denoRun = runtimes.includes("deno")
  ? run(bin("deno"), [
      "run",
      "--allow-read",
      "--allow-env",
      "--allow-sys",
      join(conformanceDir, "runners", "deno.ts"),
      ...(withResources ? ["--resources"] : [])
    ])
  : undefined

// 3. A fresh project with the packed tarballs installed from them (effect from the npm cache).
const project = mkdtempSync(join(tmpdir(), "flight-hal-conformance-"))
const tarballs = join(project, "tarballs")
mkdirSync(tarballs)
const packed = await Promise.all(packages.map((p) => pack(p, tarballs)))
const dependencies = {}
packages.forEach((p, i) => {
  if (packed[i].error) problems.push(`npm pack ${p.pkg.name} failed:\n${packed[i].error}`)
  else dependencies[p.pkg.name] = `file:${packed[i].tarball}`
})
dependencies.effect = packages[0].pkg.peerDependencies.effect // a peer of core and resources: the project brings it
writeFileSync(
  join(project, "package.json"),
  `${JSON.stringify({ name: "flight-hal-conformance", private: true, type: "module", dependencies }, null, 2)}\n`
)
const npmFlags = ["--no-audit", "--no-fund", "--no-package-lock", "--ignore-scripts"]
let install = await run("npm", ["install", "--offline", ...npmFlags], { cwd: project })
if (install.status !== 0) install = await run("npm", ["install", "--prefer-offline", ...npmFlags], { cwd: project })
if (install.status !== 0) problems.push(`npm install of the tarballs failed:\n${install.output}`)
log(
  `packed ${packages.map((p) => p.short).join(", ")} and installed them into ${project} (${install.seconds.toFixed(1)}s)`
)
cpSync(join(conformanceDir, "scenarios"), join(project, "scenarios"), { recursive: true })
for (const runner of ["npm.mjs", "npm-worker.mjs", "browser.mjs", "browser-worker.mjs"])
  copyFileSync(join(conformanceDir, "runners", runner), join(project, runner))

/** The result JSON a runner printed (CONFORMANCE-RESULT <json>), or an error string. */
const resultOf = (output) => {
  const line = output.split("\n").find((l) => l.includes("CONFORMANCE-RESULT "))
  if (line === undefined) return { error: output.trim() || "no output" }
  try {
    return { parts: JSON.parse(line.slice(line.indexOf("CONFORMANCE-RESULT ") + "CONFORMANCE-RESULT ".length)) }
  } catch (error) {
    return { error: `unparsable result: ${error}\n${line}` }
  }
}

const resourcesFlag = withResources ? ["--resources"] : []
const nodeRun = runtimes.includes("node")
  ? run(process.execPath, [join(project, "npm.mjs"), ...resourcesFlag], { cwd: project })
  : undefined
const bunRun = runtimes.includes("bun")
  ? run(bin("bun"), [join(project, "npm.mjs"), ...resourcesFlag], { cwd: project })
  : undefined

// 4. The browser: bundle the page's script (and its workers'), serve them cross-origin isolated, run headless
// Chromium, take the result the page posts.
const browserRun = async () => {
  const { executable, skipped } = ensureChromium(log)
  if (executable === undefined) return { skipped }
  const bundle = (entry, external) =>
    run(
      bin("bun"),
      [
        "build",
        join(project, entry),
        "--target=browser",
        "--format=esm",
        `--outfile=${join(project, entry.replace(/\.mjs$/, ".bundle.js"))}`,
        ...external.flatMap((name) => ["--external", name])
      ],
      { cwd: project }
    )
  // without the resources part, @flight-hal/resources is not installed: its dynamic import is left out
  const builds = await Promise.all([
    bundle("browser.mjs", withResources ? [] : ["@flight-hal/resources"]),
    ...(withResources ? [bundle("browser-worker.mjs", [])] : [])
  ])
  const failed = builds.find((b) => b.status !== 0)
  if (failed !== undefined) return { status: 1, output: `bun build --target=browser failed:\n${failed.output}` }
  writeFileSync(
    join(project, "conformance.html"),
    `<!doctype html><html><head><meta charset="utf-8"><title>flight-hal conformance</title></head>` +
      `<body><pre id="result">CONFORMANCE-PENDING</pre><script type="module" src="browser.bundle.js"></script></body></html>\n`
  )
  return runIsolatedPage({ executable, dir: project, page: `conformance.html${withResources ? "?shared" : ""}` })
}
const browserResult = runtimes.includes("browser") ? browserRun() : undefined

// 5. Compare every runtime's checks with `expected`.
const canonical = (value) =>
  JSON.stringify(value, (_key, v) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort()) : v
  )
const report = (runtime, outcome, partsWanted) => {
  if (outcome === undefined) return
  if (outcome.skipped) {
    console.log(`conformance ${runtime}: SKIPPED !!! ${outcome.skipped} !!!`)
    return
  }
  const result = resultOf(outcome.output)
  let passed = 0
  let failed = 0
  const failures = []
  for (const part of partsWanted) {
    const want = expected[part]
    const got = result.parts?.[part]
    for (const [check, value] of Object.entries(want)) {
      if (got !== undefined && canonical(got[check]) === canonical(value)) passed++
      else {
        failed++
        failures.push(`${part} / ${check}:\n  expected ${canonical(value)}\n  actual   ${canonical(got?.[check])}`)
      }
    }
    for (const check of Object.keys(got ?? {})) {
      if (!(check in want)) {
        failed++
        failures.push(`${part} / ${check}: not in expected (actual ${canonical(got[check])})`)
      }
    }
  }
  console.log(`conformance ${runtime}: ${passed} passed, ${failed} failed`)
  if (result.error) problems.push(`${runtime} did not produce a result (exit ${outcome.status}):\n${result.error}`)
  if (failed > 0) problems.push(`${runtime}:\n${failures.join("\n")}`)
}

const serverParts = ["core+pool", "shared-pool", ...(withResources ? ["resources", "shared-manager"] : [])]
const outcomes = {
  node: await nodeRun,
  bun: await bunRun,
  deno: await denoRun,
  browser: await browserResult
}
log(
  `ran ${Object.keys(outcomes)
    .filter((r) => outcomes[r] !== undefined)
    .join(", ")}`
)
report("node", outcomes.node, serverParts)
report("bun", outcomes.bun, serverParts)
report("deno", outcomes.deno, serverParts)
report("browser", outcomes.browser, ["core+pool", ...(withResources ? ["shared-manager"] : [])])

if (args.includes("--keep")) log(`kept ${project}`)
else rmSync(project, { recursive: true, force: true })
for (const problem of problems) console.log(`\nPROBLEM ${indent(problem, "  ").trimStart()}`)
console.log(`\nconformance: ${problems.length === 0 ? "ok" : `${problems.length} problem(s)`} (${since(started)})`)
process.exit(problems.length === 0 ? 0 : 1)
