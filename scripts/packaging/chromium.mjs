// Finding (or installing) a headless Chromium, shared by the browser conformance run
// (scripts/conformance.mjs) and the report screenshot test (packages/cli/test/report.test.ts), and running a page
// cross-origin isolated in it (the conformance run's workers need SharedArrayBuffer).
// Debian's chromium, then Google Chrome (preinstalled on GitHub-hosted Ubuntu runners), then Ubuntu's wrapper.
// When none is there and we are root with apt-get, `apt-get install -y chromium` is tried once.
// Callers that get `undefined` must skip their browser part LOUDLY (say what was skipped and why).
import { spawn, spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { createServer } from "node:http"
import { tmpdir } from "node:os"
import { extname, join, normalize } from "node:path"

const candidates = [
  "/usr/bin/chromium",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
  "/usr/bin/chromium-browser"
]

/** The first Chromium executable present, or undefined. */
export const findChromium = () => candidates.find((candidate) => existsSync(candidate))

/**
 * A Chromium executable, installing Debian's `chromium` with apt-get when none is present and that is possible
 * (root, apt-get). Returns `{ executable }` or `{ skipped: reason }`; `log` receives progress lines.
 */
export const ensureChromium = (log = (line) => console.error(line)) => {
  let executable = findChromium()
  if (executable === undefined && process.getuid?.() === 0 && existsSync("/usr/bin/apt-get")) {
    log("chromium missing: apt-get install -y chromium")
    const apt = spawnSync("apt-get", ["install", "-y", "--no-install-recommends", "chromium"], {
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024
    })
    if (apt.status !== 0) {
      log(
        `apt-get install chromium failed:\n${`${apt.stdout ?? ""}${apt.stderr ?? ""}`.split("\n").slice(-10).join("\n")}`
      )
    }
    executable = findChromium()
  }
  return executable === undefined
    ? { skipped: "no Chromium (/usr/bin/chromium) and it could not be installed" }
    : { executable }
}

/** The flags every headless run uses; add `--user-data-dir=<fresh dir>` and the page. */
export const headlessFlags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync"
]

/**
 * Opens `page` (a path under `dir`, with its query) in headless Chromium, served by a local HTTP server with the
 * headers that make a page cross-origin isolated (COOP same-origin, COEP require-corp: `SharedArrayBuffer` and
 * workers sharing it are then available, as they are not on a file:// page). The page reports by POSTing its
 * result to `result` (relative to the page). Resolves `{ status, output }`: 0 and the posted text, or 1 and what
 * went wrong (no result within `timeoutMillis`, or Chromium's exit and its output).
 */
export const runIsolatedPage = async ({ executable, dir, page, timeoutMillis = 60_000 }) => {
  const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8" }
  let report
  const posted = new Promise((resolve) => {
    report = resolve
  })
  const server = createServer((request, response) => {
    const isolation = {
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Embedder-Policy": "require-corp",
      "Cross-Origin-Resource-Policy": "same-origin"
    }
    const path = new URL(request.url ?? "/", "http://localhost").pathname
    if (request.method === "POST" && path === "/result") {
      let body = ""
      request.on("data", (chunk) => {
        body += chunk
      })
      request.on("end", () => {
        response.writeHead(204, isolation).end()
        report({ status: 0, output: body })
      })
      return
    }
    const file = join(dir, normalize(path).replace(/^([/\\])+/, ""))
    const type = types[extname(file)]
    if (type === undefined || !file.startsWith(dir) || !existsSync(file)) {
      response.writeHead(404, isolation).end()
      return
    }
    response.writeHead(200, { ...isolation, "Content-Type": type }).end(readFileSync(file))
  })
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve))
  const profile = mkdtempSync(join(tmpdir(), "flight-hal-chromium-"))
  const url = `http://127.0.0.1:${server.address().port}/${page}`
  const browser = spawn(executable, [...headlessFlags, `--user-data-dir=${profile}`, url], {
    stdio: ["ignore", "pipe", "pipe"]
  })
  let output = ""
  browser.stdout.on("data", (chunk) => {
    output += chunk
  })
  browser.stderr.on("data", (chunk) => {
    output += chunk
  })
  const exited = new Promise((resolve) => browser.on("close", resolve))
  let timer
  const result = await Promise.race([
    posted,
    exited.then((code) => ({ status: 1, output: `chromium exited (${code}) before the page reported:\n${output}` })),
    new Promise((resolve) => {
      timer = setTimeout(
        () => resolve({ status: 1, output: `no result from ${url} within ${timeoutMillis} ms:\n${output}` }),
        timeoutMillis
      )
    })
  ])
  clearTimeout(timer)
  browser.kill("SIGKILL")
  await exited
  await new Promise((resolve) => server.close(resolve))
  rmSync(profile, { recursive: true, force: true })
  return result
}
