#!/usr/bin/env node
// The `flight-hal` executable as npm links it. A published package runs its built dist/bin.js. In a fresh clone
// of the repository, where `npm install` links this launcher before anything is built, it runs the TypeScript
// source with the bun that `npm install` put in node_modules/.bin instead, or says how to build.
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const pkg = join(dirname(fileURLToPath(import.meta.url)), "..")
const built = join(pkg, "dist", "bin.js")
const source = join(pkg, "src", "bin.ts")

/** The nearest node_modules/.bin/bun above the package (the workspace root's in this repository). */
const findBun = () => {
  const name = process.platform === "win32" ? "bun.exe" : "bun"
  for (let dir = pkg; ; dir = dirname(dir)) {
    for (const candidate of [join(dir, "node_modules", ".bin", name), join(dir, "node_modules", "bun", "bin", name)]) {
      if (existsSync(candidate)) return candidate
    }
    if (dirname(dir) === dir) return undefined
  }
}

if (existsSync(built)) {
  await import(pathToFileURL(built).href)
} else {
  const bun = existsSync(source) ? findBun() : undefined
  if (bun === undefined) {
    console.error(`flight-hal: ${built} is not built; run \`npm run build\` in the repository first`)
    process.exit(1)
  }
  const result = spawnSync(bun, [source, ...process.argv.slice(2)], { stdio: "inherit" })
  process.exit(result.status ?? 1)
}
