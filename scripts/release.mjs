#!/usr/bin/env node
// Release dry run: everything a release does except publishing.
//   1. sync-versions --check   npm and JSR manifests agree (name, one shared version, exports)
//   2. changeset status        the pending release plan of the fixed group (informational; a config error fails)
//   3. check-packages          build, npm pack contents, publint, attw for every package
//   4. jsr-check               deno publish --dry-run per package, no slow types allowed
// Exits non-zero when any step fails. Publishing for real: `changeset version`, `node scripts/sync-versions.mjs`,
// commit, then `changeset publish` (npm) and `deno publish` in each package directory (JSR).
import { indent, root, run, since } from "./packaging/workspace.mjs"

const started = Date.now()
const steps = []

const step = async (title, command, args, { fatal = () => true } = {}) => {
  const result = await run(command, args)
  const failed = result.status !== 0 && fatal(result.output)
  steps.push({ title, failed, seconds: result.seconds })
  console.log(`\n=== ${title} ${failed ? "FAILED" : "ok"} (${result.seconds.toFixed(1)}s)`)
  console.log(indent(result.output.replaceAll(root, "."), "  "))
  return result
}

await step("sync-versions --check", process.execPath, ["scripts/sync-versions.mjs", "--check"])
// Without pending changesets it exits 1 with a hint: that is a plan, not a failure; a broken .changeset/config.json
// is.
await step("changeset status", process.execPath, ["node_modules/@changesets/cli/bin.js", "status", "--verbose"], {
  fatal: (output) => /Found issues in your config|ValidationError|Error:/.test(output)
})
await step("check-packages (build, pack, publint, attw)", process.execPath, ["scripts/check-packages.mjs"])
await step("jsr-check (deno publish --dry-run)", process.execPath, ["scripts/jsr-check.mjs"])

console.log("\n=== release dry run")
for (const s of steps) console.log(`${s.failed ? "FAILED" : "ok    "} ${s.title} (${s.seconds.toFixed(1)}s)`)
const failed = steps.filter((s) => s.failed).length
console.log(
  `release dry run: ${failed === 0 ? "ok, ready to publish" : `${failed} step(s) failed`} (${since(started)})`
)
process.exit(failed === 0 ? 0 : 1)
