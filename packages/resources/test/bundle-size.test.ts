/**
 * The weight of the plain API in a browser: a program that uses the plain facade and the pool package, bundled
 * as a user's bundler would (`bun build --minify --target browser`, from the sources through the `bun` export
 * condition, so no build is needed), gzipped at level 9. The test prints the size and the heaviest inputs, and
 * fails above the budget. Why the budget is what it is: docs/decisions.md, "The plain bundle".
 */
import { describe, expect, test } from "bun:test"
import { join } from "node:path"
import { gzipSync } from "node:zlib"

/** The most the plain bundle may weigh, gzipped (KiB). */
const BUDGET_KIB = 53

/** A plain program: a manager with a budget and a pool, a scoped acquisition, a block pool of its own. */
const entry = `
import { createResourceManager } from "@flight-hal/resources"
import { BlockPool, PoolManager } from "@flight-hal/pool"

const manager = createResourceManager({
  budgets: { Memory: { maxBytes: 1 << 20, reservedBytes: 0, warningPercent: 70, criticalPercent: 90 } },
  pools: [{ type: "Memory", blockSize: 4096, initialCount: 4, maxCount: 16, alignment: 64, name: "blocks" }]
})
{
  using ref = manager.acquire("texture", { type: "Memory", sizeBytes: 4096 })
  ref.payload.fill(0)
}
const pool = BlockPool.make({ type: "Memory", blockSize: 64, initialCount: 1, maxCount: 8, alignment: 8, name: "own" })
export { manager, pool, PoolManager }
`

describe("the plain API's browser bundle", () => {
  test(`weighs at most ${BUDGET_KIB} KiB gzipped`, async () => {
    const path = join(import.meta.dir, "plain-bundle-entry.ts")
    const result = await Bun.build({
      entrypoints: [path],
      files: { [path]: entry },
      target: "browser",
      minify: true,
      conditions: ["bun"],
      metafile: true
    })
    expect(result.success).toBe(true)
    const [output] = result.outputs
    if (output === undefined) throw new Error("no output")
    const code = await output.text()
    const gzipped = gzipSync(code, { level: 9 }).length
    const inputs = Object.values(result.metafile?.outputs ?? {})[0]?.inputs ?? {}
    const heaviest = Object.entries(inputs)
      .map(([file, { bytesInOutput }]) => [file.replace(/^.*node_modules\//, ""), bytesInOutput] as const)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([file, bytes]) => `${file} ${(bytes / 1024).toFixed(1)}`)
    const schema = Object.keys(inputs).filter((file) => /effect\/.*Schema/.test(file))
    console.log(
      `[bundle] plain API: ${(code.length / 1024).toFixed(1)} KiB minified, ${(gzipped / 1024).toFixed(1)} KiB gzipped ` +
        `(budget ${BUDGET_KIB}); heaviest inputs (KiB minified): ${heaviest.join(", ")}`
    )
    expect(schema).toEqual([])
    expect(gzipped).toBeLessThanOrEqual(BUDGET_KIB * 1024)
  }, 60_000)
})
