/**
 * A library that wraps these packages and is built with `declaration: true` can name every documented value it
 * returns: the types of `BlockPool.storageKind`, `layerSystemPressure`'s `events`, `timelineToFile`'s `fs` and the
 * parts of `waitGraph()` are exported by the public modules, so the emitted declarations import them from
 * `@flight-hal/…` (before, tsc reported TS2742 (TS 5) or TS2883 (TS 7) against the published `dist/internal/…`
 * files, and against the sources it emitted an import of an `internal/` module). The wrapper is compiled by the
 * repository's tsc in a temporary directory, with `paths` mapping `@flight-hal/…` to the packages' sources (the
 * declarations then import a type that only an internal module exports from that module's file).
 */
import { describe, expect, test } from "bun:test"
import { spawnSync } from "node:child_process"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, parse, relative } from "node:path"

const root = join(import.meta.dir, "..", "..", "..")

const wrapper = `
import { createResourceManager, type SystemPressureOptions } from "@flight-hal/resources"
import { timelineToFile } from "@flight-hal/resources/timeline-file"
import { BlockPool, type BlockPoolOptions } from "@flight-hal/pool"

export const storageOf = (pool: BlockPool) => pool.storageKind
export const storageOption = (options: BlockPoolOptions) => options.storage
export const eventsOf = (options: SystemPressureOptions) => options.events
export const timelineFsOf = (options: Parameters<typeof timelineToFile>[1]) => options?.fs
export const graphOf = () => createResourceManager().waitGraph()
export const waitingDrivers = () => createResourceManager().waitGraph().drivers
export const waitsOf = () => createResourceManager().waitGraph().drivers[0]?.waitsFor
export const priorityOf = () => createResourceManager().waitGraph().drivers[0]?.waitsFor[0]?.priority
export const resourcesOf = () => createResourceManager().waitGraph().resources
export const deadlockOf = () => createResourceManager().waitGraph().deadlock
`

/** Compiles `source` with `declaration: true`; the diagnostics and the emitted declarations. */
/** `@flight-hal/…` specifiers mapped to the packages' sources (a wrapper's view of the public modules). */
const sources: Record<string, ReadonlyArray<string>> = {
  "@flight-hal/core": [join(root, "packages", "core", "src", "index.ts")],
  "@flight-hal/pool": [join(root, "packages", "pool", "src", "index.ts")],
  "@flight-hal/resources": [join(root, "packages", "resources", "src", "index.ts")],
  "@flight-hal/resources/timeline-file": [join(root, "packages", "resources", "src", "TimelineFile.ts")]
}

/** Compiles `source` with `declaration: true`; tsc's output and the emitted declarations. */
const emitDeclarations = (source: string): { readonly output: string; readonly declarations: string } => {
  const dir = mkdtempSync(join(tmpdir(), "flight-hal-dts-"))
  try {
    mkdirSync(join(dir, "node_modules"))
    symlinkSync(join(root, "node_modules", "effect"), join(dir, "node_modules", "effect"), "dir")
    writeFileSync(join(dir, "wrapper.ts"), source)
    const compilerOptions = {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      lib: ["ES2024", "ESNext.Disposable", "ESNext.SharedMemory", "DOM"],
      types: [],
      strict: true,
      exactOptionalPropertyTypes: true,
      skipLibCheck: true,
      allowImportingTsExtensions: true,
      paths: sources,
      declaration: true,
      emitDeclarationOnly: true,
      noEmitOnError: true, // nothing is written anywhere when the options or the sources are refused
      rootDir: parse(dir).root, // the packages' sources are compiled too, from outside the directory
      outDir: "out"
    }
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["wrapper.ts"] }))
    const run = spawnSync(join(root, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.json"], {
      cwd: dir,
      encoding: "utf8"
    })
    let declarations = ""
    try {
      declarations = readFileSync(join(dir, "out", relative(parse(dir).root, dir), "wrapper.d.ts"), "utf8")
    } catch {
      // nothing emitted: the output says why
    }
    return { output: `${run.stdout}${run.stderr}`, declarations }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe("declaration emit of a wrapper library", () => {
  test("every documented value's type is named from a public module", () => {
    const { output, declarations } = emitDeclarations(wrapper)
    expect(output).not.toMatch(/TS2742|TS2883/)
    expect(output).toBe("")
    expect(declarations).toContain("export declare const deadlockOf")
    // no declaration reaches into a package's internal modules (or its dist, or node_modules)
    expect(
      declarations.match(/import\("[^"]*"/g)?.filter((specifier) => !/^import\("@flight-hal\//.test(specifier))
    ).toEqual([])
    expect(declarations).not.toContain("internal/")
    for (const name of ["StorageKind", "EventSourceLike", "LineFileSystem", "DriverNode", "WaitEdge", "Deadlock"]) {
      expect(declarations).toContain(`).${name}`)
    }
  })
})
