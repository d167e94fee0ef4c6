// Runs extracted doc examples in one Bun process (Effect and the packages load once), in order, each isolated:
// a throw, a rejected top-level await, a leak warning printed by a manager (an example's own `onLeaks` is not
// one), or an example still running after 10 s fails that example only.
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
/**
 * The leak warnings a manager without `onLeaks` printed during the current example: the facade's `flight-hal
 * <label> leak: blur Shader 2048 bytes owned by app` (console.warn), the Effect service's the same in a log line.
 */
let leaks: Array<string> = []
const LEAK_WARNING = /\S+ leak: [^"\n]*? bytes owned by [^"\n,]*/
const listen = (...args: Array<unknown>) => {
  const leak = LEAK_WARNING.exec(args.map(String).join(" "))
  if (leak !== null) leaks.push(leak[0])
}
const error = console.error
const silence = () => {
  console.log = listen
  console.info = listen
  console.warn = listen
  console.error = listen
}
for (const file of process.argv.slice(2)) {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    leaks = []
    silence()
    await Promise.race([
      import(file),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`still running after ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS)
      })
    ])
    // an example a reader copies must not leak: its manager would print this warning in their program too
    if (leaks.length > 0) throw new Error(`its manager reported a leak: ${leaks[0]}`)
    passed++
  } catch (error) {
    failed++
    log(`FAILED ${file} ${String(error instanceof Error ? error.message : error).split("\n")[0]}`)
  } finally {
    clearTimeout(timer)
    console.log = log
    console.error = error
  }
}
log(`RAN ${passed} ${failed}`)
process.exit(0)
