// Tests of the packaging tooling itself: the tarball content rules of check-packages, the doc-example extraction of
// api-docs, the API site's import paths and landing page, and sync-versions' check and fix modes (on a temporary copy
// of the manifests).
import { describe, expect, test } from "bun:test"
import { spawnSync } from "node:child_process"
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { docEntries, rewriteSpecifiers, writeLanding } from "../../scripts/packaging/api-site.mjs"
import { examplesOf, exportsOf, markdownExamplesOf, withOwnImports } from "../../scripts/packaging/doc-examples.mjs"
import { contentProblems, manifestProblems } from "../../scripts/packaging/pack.mjs"
import { root, workspacePackages } from "../../scripts/packaging/workspace.mjs"

const core = workspacePackages().find((p: { short: string }) => p.short === "core")
const built = [
  "package.json",
  "README.md",
  "CHANGELOG.md",
  "LICENSE",
  "dist/index.js",
  "dist/index.js.map",
  "dist/index.d.ts",
  "dist/index.d.ts.map",
  "src/index.ts"
]

describe("api-docs: the API site", () => {
  const ready = workspacePackages().filter((p: { ready: boolean }) => p.ready)
  const entries = docEntries(ready)

  test("every export of every deno.json is documented under its package specifier", () => {
    expect(entries).toContainEqual({ file: "packages/resources/src/index.ts", specifier: "@flight-hal/resources" })
    expect(entries).toContainEqual({
      file: "packages/resources/src/TraceFile.ts",
      specifier: "@flight-hal/resources/trace-file"
    })
    expect(entries.map((e: { specifier: string }) => e.specifier)).toContain("@flight-hal/core")
  })

  test("module paths become specifiers in Usage boxes, breadcrumbs, titles and search results, not in links", () => {
    const dir = mkdtempSync(join(tmpdir(), "flight-hal-api-site-"))
    try {
      const page = [
        "<title>ResourceRef - resources/src/index.ts - Flight HAL documentation</title>",
        '<a href="..&#x2F;resources&#x2F;src&#x2F;index.ts&#x2F;index.html">resources&#x2F;src&#x2F;index.ts</a>',
        "<code>import { ResourceRef } from &quot;resources/src/index.ts&quot;;</code>"
      ].join("\n")
      writeFileSync(join(dir, "page.html"), page)
      writeFileSync(join(dir, "search_index.js"), '{"file":"core/src/index.ts","url":"./core/src/index.ts/~/X.html"}')
      expect(rewriteSpecifiers(dir, entries)).toBe(2)
      expect(readFileSync(join(dir, "page.html"), "utf8")).toBe(
        [
          "<title>ResourceRef - @flight-hal/resources - Flight HAL documentation</title>",
          '<a href="..&#x2F;resources&#x2F;src&#x2F;index.ts&#x2F;index.html">@flight-hal/resources</a>',
          "<code>import { ResourceRef } from &quot;@flight-hal/resources&quot;;</code>"
        ].join("\n")
      )
      expect(readFileSync(join(dir, "search_index.js"), "utf8")).toBe(
        '{"file":"@flight-hal/core","url":"./core/src/index.ts/~/X.html"}'
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test("the landing page names every link to a page deno doc did not write", () => {
    const dir = mkdtempSync(join(tmpdir(), "flight-hal-api-landing-"))
    try {
      writeFileSync(join(dir, "index.html"), "<body><main></main></body>")
      mkdirSync(join(dir, "resources/src/index.ts/~"), { recursive: true })
      writeFileSync(join(dir, "resources/src/index.ts/~/createResourceManager.html"), "")
      const missing = writeLanding(dir, ready, entries)
      expect(missing).toContain(
        "@flight-hal/resources: PlainResourceManager.acquire (./resources/src/index.ts/~/PlainResourceManager.acquire.html)"
      )
      expect(missing.some((m: string) => m.includes("createResourceManager"))).toBe(false)
      const landing = readFileSync(join(dir, "index.html"), "utf8")
      expect(landing).toContain('href="./resources/src/index.ts/~/createResourceManager.html"')
      expect(landing).toContain('src="diagrams/admission.svg"')
      expect(readFileSync(join(dir, "diagrams/budget.svg"), "utf8")).toContain("<svg")
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe("check-packages: manifests and READMEs as a registry shows them", () => {
  test("every workspace package passes", () => {
    for (const p of workspacePackages()) {
      expect({
        name: p.pkg.name,
        problems: manifestProblems(p, readFileSync(join(p.path, "README.md"), "utf8"))
      }).toEqual({
        name: p.pkg.name,
        problems: []
      })
    }
  })

  test("missing fields, relative links and other forms of repository links are named", () => {
    const bare = { ...core, pkg: { name: "@flight-hal/core", repository: { url: "x", directory: "elsewhere" } } }
    const readme = [
      "[guide](docs/manager.md)",
      "[home](https://github.com/flight-hal/flight-hal#readme)",
      "[tree](https://github.com/flight-hal/flight-hal/tree/main/examples)",
      "[good](https://github.com/flight-hal/flight-hal/blob/main/docs/pools.md)",
      "[other](https://effect.website)"
    ].join("\n")
    expect(manifestProblems(bare, readme)).toEqual([
      "package.json: repository.directory is not packages/core",
      "package.json: no homepage",
      "package.json: no bugs.url",
      "package.json: no keywords",
      "package.json: no engines.node",
      "README.md: relative link docs/manager.md",
      "README.md: https://github.com/flight-hal/flight-hal#readme (link into the repository as https://github.com/flight-hal/flight-hal/blob/main/…)",
      "README.md: https://github.com/flight-hal/flight-hal/tree/main/examples (link into the repository as https://github.com/flight-hal/flight-hal/blob/main/…)"
    ])
  })
})

describe("check-packages: tarball contents", () => {
  test("a tarball of built JS with types, maps, sources and docs has no problem", () => {
    expect(contentProblems(core, built)).toEqual([])
  })

  test("tsbuildinfo, tests, stray files, a missing .d.ts or map and a stale build are named", () => {
    const files = [
      ...built.filter((f) => f !== "dist/index.d.ts" && f !== "README.md" && f !== "LICENSE"),
      "dist/.tsbuildinfo",
      "test/pool.test.ts",
      "tsconfig.json",
      "dist/gone.js",
      "dist/gone.js.map",
      "dist/gone.d.ts"
    ]
    expect(contentProblems(core, files).sort()).toEqual(
      [
        "must not ship dist/.tsbuildinfo",
        "must not ship test/pool.test.ts",
        "unexpected file tsconfig.json",
        "exports target dist/index.d.ts is not in the tarball",
        "dist/index.js has no .d.ts",
        "dist/gone.js is stale: src/gone.ts does not exist",
        "no README.md",
        "no LICENSE (package.json says MIT; the text must travel with it)"
      ].sort()
    )
  })

  test("a source file that was not built is named", () => {
    expect(contentProblems(core, [...built, "src/budget.ts"])).toEqual([
      "src/budget.ts was not built (no dist/budget.js)"
    ])
  })
})

describe("api-docs: doc examples", () => {
  const source = [
    "/**",
    " * Adds.",
    " *",
    " * @example",
    " * ```ts",
    " * add(1, 2) // 3",
    " * ```",
    " */",
    "export const add = (a: number, b: number): number => a + b",
    "/** Not an example: ```ts outside a fence line */",
    "export interface Pair {}"
  ].join("\n")

  test("```ts blocks inside doc comments are found with the line of their fence", () => {
    expect(examplesOf(source)).toEqual([{ line: 5, code: "add(1, 2) // 3" }])
  })

  test("```ts blocks of Markdown are found", () => {
    expect(markdownExamplesOf("# T\n\n```ts\nconst x = 1\n```\n\n```sh\nls\n```\n")).toEqual([
      { line: 3, code: "const x = 1" }
    ])
  })

  test("an example gets an import of its own module's exports it uses, types as types, nothing it declares", () => {
    const exported = exportsOf(source)
    expect(exported).toEqual([
      { name: "add", typeOnly: false },
      { name: "Pair", typeOnly: true }
    ])
    expect(withOwnImports("const p: Pair = {}\nadd(1, 2)", "/m.ts", exported)).toBe(
      'import { add, type Pair } from "/m.ts"\nconst p: Pair = {}\nadd(1, 2)'
    )
    expect(withOwnImports('import { add } from "@x/y"\nadd(1, 2)', "/m.ts", exported)).toBe(
      'import { add } from "@x/y"\nadd(1, 2)'
    )
    expect(withOwnImports("const add = 1\nadd + 1", "/m.ts", exported)).toBe("const add = 1\nadd + 1")
  })
})

describe("sync-versions", () => {
  const copy = () => {
    const dir = mkdtempSync(join(tmpdir(), "flight-hal-sync-"))
    cpSync(join(root, "package.json"), join(dir, "package.json"))
    for (const p of workspacePackages()) {
      mkdirSync(join(dir, p.dir), { recursive: true })
      for (const file of ["package.json", "deno.json"]) cpSync(join(p.path, file), join(dir, p.dir, file))
    }
    return dir
  }
  const sync = (dir: string, ...args: Array<string>) => {
    const result = spawnSync("node", [join(root, "scripts", "sync-versions.mjs"), "--root", dir, ...args])
    return { status: result.status, output: `${result.stdout}${result.stderr}` }
  }
  const edit = (path: string, change: (json: Record<string, unknown>) => void) => {
    const json = JSON.parse(readFileSync(path, "utf8"))
    change(json)
    writeFileSync(path, JSON.stringify(json))
  }

  test("--check passes on the repository's manifests", () => {
    const dir = copy()
    try {
      expect(sync(dir, "--check").status).toBe(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test("--check names each difference and changes nothing; without it the manifests are fixed", () => {
    const dir = copy()
    try {
      edit(join(dir, "packages/pool/deno.json"), (j) => {
        j.version = "0.0.1"
        j.exports = { ".": "./src/other.ts" }
      })
      edit(join(dir, "packages/resources/package.json"), (j) => {
        j.version = "9.9.9"
      })
      const before = readFileSync(join(dir, "packages/pool/deno.json"), "utf8")
      const checked = sync(dir, "--check")
      expect(checked.status).toBe(1)
      expect(checked.output).toContain("packages/pool/deno.json: exports")
      expect(checked.output).toContain("packages/core/package.json: version")
      expect(checked.output).toContain("packages/cli/package.json: dependencies.@flight-hal/resources")
      expect(readFileSync(join(dir, "packages/pool/deno.json"), "utf8")).toBe(before)

      expect(sync(dir).status).toBe(0)
      expect(sync(dir, "--check").status).toBe(0)
      const pool = JSON.parse(readFileSync(join(dir, "packages/pool/deno.json"), "utf8"))
      expect([pool.version, pool.exports]).toEqual(["9.9.9", { ".": "./src/index.ts" }])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
