/**
 * The table generator: turns `codegen/tables.ts` into every generated file of the repository.
 *
 * Usage (run by bun through `npm run codegen`):
 *   bun codegen/generate.ts            write the outputs whose content changed
 *   bun codegen/generate.ts --check    exit 1 and name each stale or missing output
 *   bun codegen/generate.ts --root DIR use DIR as the repository root (tests use a copy)
 *
 * Output is deterministic: the same tables always give byte-identical files.
 */
import { spawnSync } from "node:child_process"
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { renderCoreErrorSchemas } from "./render/core-error-schemas.ts"
import { renderCoreErrors } from "./render/core-errors.ts"
import { renderCoreTableSchemas, renderCoreTables } from "./render/core-tables.ts"
import { renderDocs } from "./render/docs.ts"
import { renderPoolErrors, renderPoolTables } from "./render/pool.ts"
import { renderTla } from "./render/tla.ts"

/** One generated file: its path relative to the repository root and its content. */
export interface GeneratedFile {
  readonly path: string
  readonly content: string
}

const biome = join(import.meta.dirname, "..", "node_modules", ".bin", "biome")

/** Formats TypeScript with the repository's Biome settings, so generated code passes the lint. */
const formatTs = (path: string, source: string): string => {
  const result = spawnSync(biome, ["format", `--stdin-file-path=${path}`], { input: source, encoding: "utf8" })
  if (result.status !== 0) throw new Error(`biome could not format ${path}:\n${result.stderr}`)
  return result.stdout
}

const formatted = (file: GeneratedFile): GeneratedFile =>
  file.path.endsWith(".ts") ? { path: file.path, content: formatTs(file.path, file.content) } : file

/** Every generated file, in a fixed order, formatted as committed. */
export const generatedFiles = (): ReadonlyArray<GeneratedFile> => rawFiles().map(formatted)

const rawFiles = (): ReadonlyArray<GeneratedFile> => [
  { path: "packages/core/src/generated/tables.ts", content: renderCoreTables() },
  { path: "packages/core/src/generated/table-schemas.ts", content: renderCoreTableSchemas() },
  { path: "packages/core/src/generated/errors.ts", content: renderCoreErrors() },
  { path: "packages/core/src/generated/error-schemas.ts", content: renderCoreErrorSchemas() },
  { path: "packages/pool/src/generated/tables.ts", content: renderPoolTables() },
  { path: "packages/pool/src/generated/errors.ts", content: renderPoolErrors() },
  { path: "spec/generated/FlightHalTables.tla", content: renderTla() },
  { path: "docs/tables.md", content: renderDocs() }
]

const readOrUndefined = (path: string): string | undefined => {
  try {
    return readFileSync(path, "utf8")
  } catch {
    return undefined
  }
}

const main = (argv: ReadonlyArray<string>): number => {
  const check = argv.includes("--check")
  const rootIndex = argv.indexOf("--root")
  const rootArg = rootIndex >= 0 ? argv[rootIndex + 1] : undefined
  const root = resolve(rootArg ?? join(import.meta.dirname, ".."))
  const stale: Array<string> = []
  let written = 0
  const files = generatedFiles()
  for (const file of files) {
    const target = join(root, file.path)
    const current = readOrUndefined(target)
    if (current === file.content) continue
    if (check) {
      stale.push(`${file.path} (${current === undefined ? "missing" : "differs from codegen/tables.ts"})`)
      continue
    }
    mkdirSync(dirname(target), { recursive: true })
    writeFileSync(target, file.content)
    written++
  }
  if (check) {
    if (stale.length === 0) {
      console.log("codegen: all generated files are up to date")
      return 0
    }
    console.error(`codegen: ${stale.length} generated file(s) are stale; run \`npm run codegen\`:`)
    for (const s of stale) console.error(`  ${s}`)
    return 1
  }
  console.log(`codegen: ${written} file(s) written, ${files.length - written} unchanged`)
  return 0
}

if (import.meta.main) process.exit(main(process.argv.slice(2)))
