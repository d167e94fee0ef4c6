// Extracts the ```ts examples from the doc comments of the packages' sources, their README.md files and the root
// README.md into .cache/doc-examples/, one module
// per example, so they can be type-checked (tsc, one program) and run (bun, one process: see doc-examples-run.ts).
// An example imports what it uses from the package by name. As `deno test --doc` does, the names an example uses
// from its own module's exports are imported for it (so an internal module's example can call that module's
// functions); its relative imports are rewritten to the source file's directory.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
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

/** The ```ts blocks of a Markdown file (a package's README): `{ line, code }`. */
export const markdownExamplesOf = (text) => {
  const found = []
  let block
  text.split("\n").forEach((line, index) => {
    if (block === undefined && /^```(ts|typescript)\s*$/.test(line.trim())) block = { line: index + 1, code: [] }
    else if (block !== undefined && line.trim() === "```") {
      found.push({ line: block.line, code: block.code.join("\n") })
      block = undefined
    } else if (block !== undefined) block.code.push(line)
  })
  return found
}

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

/** Writes the ```ts blocks of one Markdown file (if it exists) as example modules. */
const markdownFile = (path, pkg) => {
  if (!existsSync(path)) return []
  const source = relative(root, path)
  return markdownExamplesOf(readFileSync(path, "utf8")).map((example) => {
    const name = `${source.replace(/[/.]/g, "_")}_${example.line}.ts`
    writeFileSync(join(examplesDir, name), `// ${source}:${example.line}\n${example.code}\nexport {}\n`)
    return { file: join(examplesDir, name), source, line: example.line, pkg }
  })
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
    written.push(...markdownFile(join(p.path, "README.md"), p))
  }
  written.push(...markdownFile(join(root, "README.md"), undefined))
  return written
}
