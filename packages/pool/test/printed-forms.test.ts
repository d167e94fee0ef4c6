/**
 * What `console.log` prints of pools and the pool manager: one line each, on Bun's own printer, Node's
 * `util.inspect` (in Bun, and in a Node process running a bundle of the sources) and Deno's `Deno.inspect` (in a
 * Deno process on the sources); and what `String` and `JSON.stringify` give.
 */
import { describe, expect, test } from "bun:test"
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { inspect } from "node:util"
import * as pool from "../src/index.ts"
import { type PrintedForms, printedForms } from "./fixtures/printed-forms.ts"

const expected: PrintedForms = {
  blockPool: "BlockPool<audio: 4096 B blocks, 1 of 10 used, max 50>",
  debugPool: "BlockPool<checked: 64 B blocks, 0 of 0 used, max 4, debug>",
  sharedPool: "SharedBlockPool<frames: 1024 B blocks, 1 of 64 used, slot 0>",
  emptyManager: "PoolManager<no pools; hits 0, misses 0, exhausted fallbacks 0>",
  manager: "PoolManager<Memory 64 B, Memory 4096 B, Hardware 16 B; hits 1, misses 1, exhausted fallbacks 0>",
  nested: "[BlockPool<audio: 4096 B blocks, 1 of 10 used, max 50>]",
  string: "BlockPool<audio: 4096 B blocks, 1 of 10 used, max 50>",
  json: JSON.stringify({
    pool: "BlockPool<big: 4096 B blocks, 1 of 1 used, max 2>",
    manager: "PoolManager<Memory 64 B, Memory 4096 B, Hardware 16 B; hits 1, misses 1, exhausted fallbacks 0>"
  }),
  enumerable: [],
  detached: "SharedBlockPool<frames: 1024 B blocks, 1 of 64 used, slot 0, detached>"
}

const root = join(import.meta.dir, "..", "..", "..")
const fixture = join(import.meta.dir, "fixtures", "printed-forms.ts")
const source = join(import.meta.dir, "..", "src", "index.ts")
const binary = (name: string): string | undefined => {
  const local = join(root, "node_modules", ".bin", name)
  return existsSync(local) ? local : (Bun.which(name) ?? undefined)
}

/** Runs `args` and parses the JSON line it prints last. */
const printedBy = (args: ReadonlyArray<string>): unknown => {
  const [command, ...rest] = args as [string, ...Array<string>]
  const run = spawnSync(command, rest, { encoding: "utf8" })
  if (run.status !== 0) throw new Error(`${args.join(" ")} exited with ${run.status}:\n${run.stderr}`)
  return JSON.parse(run.stdout.trim().split("\n").pop() ?? "")
}

describe("printed forms of pools and the pool manager", () => {
  test("Bun.inspect", () => {
    expect(printedForms(pool, (value) => Bun.inspect(value))).toEqual(expected)
  })

  test("util.inspect (in Bun)", () => {
    expect(printedForms(pool, inspect)).toEqual(expected)
  })

  const node = binary("node")
  test.skipIf(node === undefined)("Node: util.inspect, in a Node process", () => {
    const dir = mkdtempSync(join(tmpdir(), "pool-printed-"))
    try {
      const entry = join(dir, "entry.ts")
      writeFileSync(
        entry,
        `import { inspect } from "node:util"\nimport * as pool from ${JSON.stringify(source)}\n` +
          `import { printedForms } from ${JSON.stringify(fixture)}\n` +
          "console.log(JSON.stringify(printedForms(pool, inspect)))\n"
      )
      const bundle = join(dir, "entry.mjs")
      const built = Bun.spawnSync([process.execPath, "build", entry, "--target=node", `--outfile=${bundle}`])
      expect(built.exitCode).toBe(0)
      expect(printedBy([node as string, bundle])).toEqual(expected)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  const deno = binary("deno")
  test.skipIf(deno === undefined)(
    "Deno: Deno.inspect, in a Deno process",
    () => {
      const code =
        `import * as pool from ${JSON.stringify(`file://${source}`)}\n` +
        `import { printedForms } from ${JSON.stringify(`file://${fixture}`)}\n` +
        "console.log(JSON.stringify(printedForms(pool, (value) => Deno.inspect(value))))\n"
      expect(printedBy([deno as string, "eval", "--no-config", code])).toEqual(expected)
    },
    30_000
  )
})
