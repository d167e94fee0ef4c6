// Runs extracted doc examples in one Bun process (Effect and the packages load once), in order, each isolated:
// a throw, a rejected top-level await, or an example still running after 10 s fails that example only.
// Prints one line per failure (`FAILED <file> <error>`) and `RAN <passed> <failed>`, then exits (an example may
// leave timers or workers behind). Usage: bun doc-examples-run.ts <absolute path of example.ts ...>
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

// Examples may write files (a trace, a report): they run in a scratch directory, never in the repository.
process.chdir(mkdtempSync(join(tmpdir(), "flight-hal-doc-examples-")))

const TIMEOUT_MS = 10_000
let passed = 0
let failed = 0
const log = console.log
const silence = () => {
  console.log = () => {}
  console.info = () => {}
  console.warn = () => {}
}
for (const file of process.argv.slice(2)) {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    silence()
    await Promise.race([
      import(file),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`still running after ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS)
      })
    ])
    passed++
  } catch (error) {
    failed++
    log(`FAILED ${file} ${String(error instanceof Error ? error.message : error).split("\n")[0]}`)
  } finally {
    clearTimeout(timer)
    console.log = log
  }
}
log(`RAN ${passed} ${failed}`)
process.exit(0)
