#!/usr/bin/env node
// Runtime conformance: ONE scenario (test/conformance/scenarios/) run four ways, each compared check by check with
// the scenario's `expected` (so all runtimes must agree with it and with each other):
//   node     the npm tarballs (npm pack) installed into a fresh temporary project, run under Node
//   bun      the same project under Bun (which picks the "bun" export condition: the TS sources in the tarball)
//   deno     the packages imported by name through the Deno workspace (their TS sources), as JSR users get them
//   browser  @flight-hal/core and @flight-hal/pool (from the same tarballs) bundled by `bun build --target=browser`
//            and run in headless Chromium; the page writes the result into the DOM, read with --dump-dom
// Node, Bun and Deno also run the "shared-pool" part (SharedArrayBuffer) and the "resources" part (the plain facade
// of @flight-hal/resources).
// Prints, per runtime, exactly one line `conformance <runtime>: N passed, N failed`, then exits non-zero on any
// failed check or a runtime that could not run. Chromium is installed with apt-get when missing (root + apt only);
// otherwise the browser is reported as SKIPPED, loudly.
// Usage: node scripts/conformance.mjs [--no-build] [--keep] [--only node,bun,deno,browser] [--core-pool-only]
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ensureChromium, headlessFlags } from "./packaging/chromium.mjs"
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
for (const runner of ["npm.mjs", "browser.mjs"])
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

// 4. The browser: bundle, inline into a page, run headless Chromium, read the DOM.
const browserRun = async () => {
  const { executable, skipped } = ensureChromium(log)
  if (executable === undefined) return { skipped }
  const bundle = join(project, "browser.bundle.js")
  const built = await run(
    bin("bun"),
    ["build", join(project, "browser.mjs"), "--target=browser", "--format=iife", `--outfile=${bundle}`],
    { cwd: project }
  )
  if (built.status !== 0) return { status: 1, output: `bun build --target=browser failed:\n${built.output}` }
  const script = readFileSync(bundle, "utf8").replaceAll("</script", "<\\/script")
  const page = join(project, "conformance.html")
  writeFileSync(
    page,
    `<!doctype html><html><head><meta charset="utf-8"><title>flight-hal conformance</title></head>` +
      `<body><pre id="result">CONFORMANCE-PENDING</pre><script>${script}</script></body></html>\n`
  )
  const profile = mkdtempSync(join(tmpdir(), "flight-hal-chromium-"))
  const browser = await run(
    executable,
    [...headlessFlags, `--user-data-dir=${profile}`, "--virtual-time-budget=10000", "--dump-dom", `file://${page}`],
    { cwd: project }
  )
  rmSync(profile, { recursive: true, force: true })
  const pre = /<pre id="result">([\s\S]*?)<\/pre>/.exec(browser.output)?.[1]
  const text = (pre ?? browser.output)
    .replaceAll("&quot;", '"')
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&")
  return { status: browser.status, output: text }
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

const serverParts = ["core+pool", "shared-pool", ...(withResources ? ["resources"] : [])]
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
report("browser", outcomes.browser, ["core+pool"])

if (args.includes("--keep")) log(`kept ${project}`)
else rmSync(project, { recursive: true, force: true })
for (const problem of problems) console.log(`\nPROBLEM ${indent(problem, "  ").trimStart()}`)
console.log(`\nconformance: ${problems.length === 0 ? "ok" : `${problems.length} problem(s)`} (${since(started)})`)
process.exit(problems.length === 0 ? 0 : 1)
