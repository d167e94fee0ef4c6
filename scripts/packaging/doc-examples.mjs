// Extracts the ```ts examples from the doc comments of the packages' sources into .cache/doc-examples/, one module
// per example, so they can be type-checked (tsc, one program) and run (bun, one process: see doc-examples-run.ts).
// An example imports what it uses from the package by name. As `deno test --doc` does, the names an example uses
// from its own module's exports are imported for it (so an internal module's example can call that module's
// functions); its relative imports are rewritten to the source file's directory. The Markdown files' blocks are run
// by `deno test --doc` instead (scripts/markdown-examples.mjs); markdownBlocksOf is the parser both use.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import { root } from "./workspace.mjs"

/** Where the extracted examples go (.cache/ is git-ignored). */
export const examplesDir = join(root, ".cache", "doc-examples")

const sourceFiles = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return /\.tsx?$/.test(name) && !name.endsWith(".d.ts") ? [path] : []
  })

/**
 * Every fenced code block of a Markdown file: `{ line, lang, attributes, comment, code }`. `line` is the opening
 * fence's (1-based), `lang` the info string's first word, `attributes` the other words (`ignore`), and `comment`
 * the text of an HTML comment on the line just above the fence (`<!-- fragment: … -->`), or undefined.
 */
export const markdownBlocksOf = (text) => {
  const found = []
  const lines = text.split("\n")
  let block
  lines.forEach((line, index) => {
    const fence = /^```\s*([\w-]*)\s*(.*)$/.exec(line.trim())
    if (block === undefined && fence !== null && line.trim() !== "```") {
      const above = /^<!--([\s\S]*?)-->$/.exec((lines[index - 1] ?? "").trim())
      block = {
        line: index + 1,
        lang: fence[1],
        attributes: fence[2].split(/\s+/).filter((a) => a !== ""),
        comment: above?.[1]?.trim(),
        code: []
      }
    } else if (block === undefined && line.trim() === "```") {
      block = { line: index + 1, lang: "", attributes: [], comment: undefined, code: [] }
    } else if (block !== undefined && line.trim() === "```") {
      found.push({ ...block, code: block.code.join("\n") })
      block = undefined
    } else if (block !== undefined) block.code.push(line)
  })
  return found
}

/** The plain ```ts blocks of a Markdown file (no attributes such as `ignore`): `{ line, code }`. */
export const markdownExamplesOf = (text) =>
  markdownBlocksOf(text)
    .filter((b) => (b.lang === "ts" || b.lang === "typescript") && b.attributes.length === 0)
    .map(({ line, code }) => ({ line, code }))

/** The ```ts blocks inside /** … *\/ comments of one file: `{ line, code }` (line of the opening fence, 1-based). */
export const examplesOf = (text) => {
  const lines = text.split("\n")
  const found = []
  let inComment = false
  let block
  lines.forEach((raw, index) => {
    if (!inComment && raw.includes("/**")) inComment = true
    if (inComment) {
      const line = raw.replace(/^\s*\*? ?/, "")
      if (block === undefined && /^```(ts|typescript)\s*$/.test(line.trim())) block = { line: index + 1, code: [] }
      else if (block !== undefined && line.trim() === "```") {
        found.push({ line: block.line, code: block.code.join("\n") })
        block = undefined
      } else if (block !== undefined) block.code.push(line)
    }
    if (raw.includes("*/")) {
      inComment = false
      block = undefined
    }
  })
  return found
}

const tsconfig = {
  extends: "../../tsconfig.base.json",
  compilerOptions: {
    noEmit: true,
    allowImportingTsExtensions: true,
    rewriteRelativeImportExtensions: false,
    types: ["bun"],
    noUnusedLocals: false,
    noUnusedParameters: false
  },
  include: ["*.ts"]
}

/** The names a module exports directly, with whether each is a type only. */
export const exportsOf = (text) =>
  [
    ...text.matchAll(
      /^export\s+(?:declare\s+)?(?:abstract\s+)?(const|let|function\*?|class|interface|type|enum|namespace)\s+([A-Za-z_$][\w$]*)/gm
    )
  ].map((m) => ({ name: m[2], typeOnly: m[1] === "interface" || m[1] === "type" }))

/** Prepends an import of the module's own exports that the example uses without declaring or importing them. */
export const withOwnImports = (code, path, exported) => {
  const declared = new Set(
    [
      ...code.matchAll(
        /\b(?:import\s+(?:type\s+)?\{([^}]*)\}|(?:const|let|var|function|class|interface|type)\s+([A-Za-z_$][\w$]*))/g
      )
    ].flatMap((m) =>
      (m[1] ?? m[2] ?? "").split(",").map(
        (n) =>
          n
            .replace(/^\s*type\s+/, "")
            .split(/\s+as\s+/)
            .pop()
            ?.trim() ?? ""
      )
    )
  )
  const used = exported.filter(
    ({ name }) => !declared.has(name) && new RegExp(`(?<![\\w$.])${name.replace(/\$/g, "\\$")}(?![\\w$])`).test(code)
  )
  if (used.length === 0) return code
  const names = used.map(({ name, typeOnly }) => (typeOnly ? `type ${name}` : name)).join(", ")
  return `import { ${names} } from ${JSON.stringify(path)}\n${code}`
}

/**
 * Writes every example of the given packages (from workspacePackages()) to examplesDir; returns
 * `[{ file, source, line, pkg }]` where `file` is the example module and `source` the relative path of its origin.
 */
export const extractExamples = (packages) => {
  rmSync(examplesDir, { recursive: true, force: true })
  mkdirSync(examplesDir, { recursive: true })
  // Type-checked as one program with the repository's strict flags (unused names are allowed in a snippet).
  writeFileSync(join(examplesDir, "tsconfig.json"), `${JSON.stringify(tsconfig, null, 2)}\n`)
  const written = []
  for (const p of packages) {
    for (const path of sourceFiles(join(p.path, "src"))) {
      const source = relative(root, path)
      const text = readFileSync(path, "utf8")
      for (const example of examplesOf(text)) {
        const name = `${source.replace(/[/.]/g, "_")}_${example.line}.ts`
        const code = withOwnImports(example.code, path, exportsOf(text)).replace(
          /(from\s+|import\s*\(\s*)(["'])(\.{1,2}\/[^"']+)\2/g,
          (_m, prefix, quote, spec) => `${prefix}${quote}${join(dirname(path), spec)}${quote}`
        )
        writeFileSync(join(examplesDir, name), `// ${source}:${example.line}\n${code}\nexport {}\n`)
        written.push({ file: join(examplesDir, name), source, line: example.line, pkg: p })
      }
    }
  }
  return written
}
