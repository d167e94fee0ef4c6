// Shared helpers of the packaging scripts (check-packages, sync-versions, jsr-check, conformance, release,
// api-docs): the workspace's packages, their manifests, and a child-process runner that captures output.
import { spawn, spawnSync } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

/** The repository root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..")

/** A binary installed in the root node_modules/.bin. */
export const bin = (name) => join(root, "node_modules", ".bin", name)

/** The environment of every child: no telemetry, no colours (output is parsed). */
export const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1", NO_COLOR: "1", FORCE_COLOR: "0" }

export const readJson = (path) => JSON.parse(readFileSync(path, "utf8"))

/**
 * Every workspace package, in dependency order (the order of the root package.json's workspaces):
 * `{ dir, short, path, pkg, deno, ready }`. `ready` is false until the package has a src/index.ts.
 * `at` is the repository root (another one in tests).
 */
export const workspacePackages = (at = root) =>
  readJson(join(at, "package.json")).workspaces.map((dir) => {
    const path = join(at, dir)
    return {
      dir,
      short: dir.split("/").pop(),
      path,
      pkg: readJson(join(path, "package.json")),
      deno: existsSync(join(path, "deno.json")) ? readJson(join(path, "deno.json")) : undefined,
      ready: existsSync(join(path, "src", "index.ts"))
    }
  })

/** Runs a command to completion; resolves `{ status, output, seconds }` (stdout and stderr interleaved). */
export const run = (command, args, options = {}) =>
  new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(command, args, { cwd: root, env, ...options, stdio: ["ignore", "pipe", "pipe"] })
    let output = ""
    child.stdout.on("data", (chunk) => {
      output += chunk
    })
    child.stderr.on("data", (chunk) => {
      output += chunk
    })
    child.on("error", (error) => {
      output += String(error)
    })
    child.on("close", (status, signal) => {
      resolve({ status: status ?? (signal ? 128 : 1), output, seconds: (Date.now() - started) / 1000 })
    })
  })

/** Synchronous variant of {@link run}. */
export const runSync = (command, args, options = {}) => {
  const started = Date.now()
  const result = spawnSync(command, args, {
    cwd: root,
    env,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    ...options
  })
  return {
    status: result.status ?? 1,
    output: `${result.stdout ?? ""}${result.stderr ?? ""}${result.error ? String(result.error) : ""}`,
    seconds: (Date.now() - started) / 1000
  }
}

/** Runs `tasks` (functions returning promises) with at most `limit` at a time; resolves their results in order. */
export const parallel = async (tasks, limit) => {
  const results = new Array(tasks.length)
  let next = 0
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++
      results[index] = await tasks[index]()
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker))
  return results
}

/** Strips ANSI colour codes (deno prints them even with NO_COLOR in some paths). */
const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g")
export const plain = (text) => text.replace(ansi, "")

/** Indents every line of a block of output. */
export const indent = (text, prefix = "    ") =>
  text
    .trimEnd()
    .split("\n")
    .map((line) => prefix + line)
    .join("\n")

/** Seconds since `started` (a Date.now() value), formatted. */
export const since = (started) => `${((Date.now() - started) / 1000).toFixed(1)}s`
