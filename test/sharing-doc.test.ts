// docs/sharing.md's deadlock example prints what its comments say: a cycle between sequential drivers is refused
// at once, the same cycle between concurrent owners (the default) waits until the waits' timeouts.
import { describe, expect, test } from "bun:test"
import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { markdownBlocksOf } from "../scripts/packaging/doc-examples.mjs"

const repo = join(import.meta.dirname, "..")
const guide = readFileSync(join(repo, "docs", "sharing.md"), "utf8")

/** The lines a block says it prints: its trailing `// line` comments, each without its `(explanation)`. */
const expectedOutput = (code: string): ReadonlyArray<string> => {
  const lines = code.trimEnd().split("\n")
  const comments: Array<string> = []
  for (let i = lines.length - 1; i >= 0 && (lines[i] ?? "").startsWith("// "); i--) {
    comments.unshift((lines[i] ?? "").slice(3).replace(/\s{2,}\(.*\)$/, ""))
  }
  return comments
}

describe("docs/sharing.md, Waiting and deadlock detection", () => {
  test("the example's cycle is refused between sequential drivers and waits between concurrent owners", () => {
    const section = guide.slice(guide.indexOf("## Waiting and deadlock detection"))
    const block = markdownBlocksOf(section).find((b: { readonly code: string }) => b.code.includes("sequential"))
    if (block === undefined) throw new Error("no deadlock example in docs/sharing.md")
    const expected = expectedOutput(block.code)
    expect(expected.map((line) => line.split(":")[0])).toEqual(["sequential", "concurrent"])
    const dir = mkdtempSync(join(tmpdir(), "flight-hal-sharing-doc-"))
    try {
      const file = join(dir, "example.ts")
      const entry = join(repo, "packages", "resources", "src", "index.ts")
      writeFileSync(file, block.code.replace('"@flight-hal/resources"', JSON.stringify(entry)))
      const run = spawnSync(process.execPath, [file], { encoding: "utf8" })
      expect(run.stderr).toBe("")
      expect(run.stdout.trimEnd().split("\n")).toEqual([...expected])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 30_000) // a process of its own
})
