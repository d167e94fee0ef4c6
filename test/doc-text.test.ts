// The doc comments of every package (what the editor and the API site show): no `@since` names a version after
// the package's own (0.1.0 is the only release; 0.2.0 / 0.3.0 tags named versions that never existed), and no
// comment of core, pool or resources explains a symbol by "the seed" (a design document that is not in this
// repository; the cli's "seed" is its random number generator's).
import { describe, expect, test } from "bun:test"
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"

const packagesDir = join(import.meta.dir, "..", "packages")

const sourcesOf = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourcesOf(path)
    return name.endsWith(".ts") ? [path] : []
  })

const versionNumbers = (version: string): Array<number> => version.split(".").map(Number)

const isAfter = (a: string, b: string): boolean => {
  const [x, y] = [versionNumbers(a), versionNumbers(b)]
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0)
    if (d !== 0) return d > 0
  }
  return false
}

describe.each(["core", "pool", "resources", "cli"])("%s's doc comments", (pkg) => {
  const root = join(packagesDir, pkg)
  const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { readonly version: string }
  const files = sourcesOf(join(root, "src")).map((path) => ({ path, text: readFileSync(path, "utf8") }))

  test("no @since names a version after the package's", () => {
    const late = files.flatMap(({ path, text }) =>
      [...text.matchAll(/@since (\d+\.\d+\.\d+)/g)]
        .filter((m) => m[1] !== undefined && isAfter(m[1], version))
        .map((m) => `${path.slice(root.length + 1)}: @since ${m[1]}`)
    )
    expect(late).toEqual([])
  })

  // the cli's "seed" is its random number generator's: checked in the libraries only
  if (pkg !== "cli") {
    test("no comment cites the seed", () => {
      const cites = files.flatMap(({ path, text }) =>
        text
          .split("\n")
          .filter((line) => /\bthe seed\b|\bseed's\b/i.test(line))
          .map((line) => `${path.slice(root.length + 1)}: ${line.trim()}`)
      )
      expect(cites).toEqual([])
    })
  }
})
