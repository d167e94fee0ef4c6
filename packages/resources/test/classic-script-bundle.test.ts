/**
 * The plain API bundled as a classic script (`bun build --format iife`, a `<script>` without `type="module"`)
 * loads and runs: no `import.meta` in the package's code (a classic script has none: Bun's IIFE failed to parse,
 * "Cannot use 'import.meta' outside a module", and esbuild's, which makes it `{}`, threw "Invalid URL" at load;
 * reported by a new user bundling for a browser).
 */
import { expect, test } from "bun:test"
import { join } from "node:path"

const entry = `
import { createResourceManager } from "@flight-hal/resources"
import { BlockPool } from "@flight-hal/pool"

const manager = createResourceManager({
  budgets: { Memory: { maxBytes: 1 << 20, reservedBytes: 0, warningPercent: 70, criticalPercent: 90 } },
  pools: [{ type: "Memory", blockSize: 4096, initialCount: 4, maxCount: 16, name: "blocks" }],
  captureAcquisitionSite: true
})
const ref = manager.acquire("texture", { type: "Memory", sizeBytes: 4096 })
const bytes = ref.payload.byteLength
ref.release()
const made = BlockPool.make({ type: "Memory", blockSize: 64, initialCount: 1, maxCount: 8, alignment: 8, name: "own" })
const blocks = made.ok ? made.value.stats().totalBlocks : -1
globalThis.classicScriptResult = { bytes, used: manager.getResourceStats("Memory").currentUsage, blocks }
manager.close()
`

test("the plain API as a classic-script (IIFE) bundle loads and runs", async () => {
  const path = join(import.meta.dir, "classic-script-entry.ts")
  const result = await Bun.build({
    entrypoints: [path],
    files: { [path]: entry },
    target: "browser",
    format: "iife",
    conditions: ["bun"]
  })
  expect(result.success).toBe(true)
  const [output] = result.outputs
  if (output === undefined) throw new Error("no output")
  const code = await output.text()
  expect(code.includes("import.meta")).toBe(false)
  const scope = globalThis as { classicScriptResult?: unknown }
  try {
    // a classic script: parsed as a function body, where `import.meta` is a syntax error
    new Function(code)()
    expect(scope.classicScriptResult).toEqual({ bytes: 4096, used: 16384, blocks: 1 })
  } finally {
    delete scope.classicScriptResult
  }
}, 60_000)
