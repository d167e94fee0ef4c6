// Finding (or installing) a headless Chromium, shared by the browser conformance run
// (scripts/conformance.mjs) and the report screenshot test (packages/cli/test/report.test.ts).
// Debian's chromium, then Google Chrome (preinstalled on GitHub-hosted Ubuntu runners), then Ubuntu's wrapper.
// When none is there and we are root with apt-get, `apt-get install -y chromium` is tried once.
// Callers that get `undefined` must skip their browser part LOUDLY (say what was skipped and why).
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"

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
