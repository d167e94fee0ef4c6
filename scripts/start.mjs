#!/usr/bin/env node
/**
 * `npm start`: the demo on the detected platform's profile (`--profile auto`), no arguments and no config needed.
 * Extra arguments are passed on: `npm start -- --profile web --frames 300 --report report.html`;
 * `npm start -- --help` lists every subcommand, `npm start -- inspect --help` shows one's flags.
 *
 * Node 20 cannot run TypeScript, so the CLI runs under the bun binary that `npm install` puts in
 * node_modules/.bin (a devDependency): bun runs packages/cli/src/bin.ts directly and resolves the
 * workspace packages to their sources (the "bun" export condition), so there is nothing to build
 * and nothing stale to run. Only when that binary is missing or cannot start (an unsupported
 * platform, a blocked postinstall) does this script fall back to building the packages with tsc
 * and running the built JavaScript with this Node.
 */
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const bin = (name) => join(root, "node_modules", ".bin", process.platform === "win32" ? `${name}.cmd` : name)
const args = process.argv.slice(2)
// A subcommand, or the top-level --help / --version (which list every subcommand), is passed as is;
// anything else is the demo's flags.
const topLevel = ["--help", "-h", "--version", "-v"]
const demoArgs = args.length > 0 && (!args[0].startsWith("-") || topLevel.includes(args[0])) ? args : ["demo", ...args]
const run = (command, commandArgs) =>
  spawnSync(command, commandArgs, { cwd: root, stdio: "inherit", shell: process.platform === "win32" })

const bun = bin("bun")
if (existsSync(bun) && spawnSync(bun, ["--version"], { cwd: root, stdio: "ignore" }).status === 0) {
  const result = run(bun, [join("packages", "cli", "src", "bin.ts"), ...demoArgs])
  process.exit(result.status ?? 1)
}

console.error("flight-hal: bun is not runnable here; building with tsc and running the demo with node")
const build = run(bin("tsc"), ["-b", join("packages", "cli")])
if (build.status !== 0) process.exit(build.status ?? 1)
const result = run(process.execPath, [join("packages", "cli", "dist", "bin.js"), ...demoArgs])
process.exit(result.status ?? 1)
