#!/usr/bin/env node
/**
 * The `flight-hal` executable: runs the command on `process.argv` and exits with its code.
 *
 * A command that never ends (a wait nothing can complete) would otherwise leave the process with nothing to do
 * and exit 0 without a word; the `beforeExit` hook reports it and exits 1 instead.
 *
 * A reader that closes standard output (`flight-hal demo | head -1`) stops the command with exit code 141 and no
 * message ({@link runCli}); a closed pipe reported only after the command ended (its last write) exits the same
 * way, where the unhandled `error` event would have crashed the process with a stack trace.
 *
 * @module
 */
import { runCli } from "./cli.ts"
import { CLOSED_OUTPUT_EXIT_CODE, isClosedPipe } from "./internal/stdout.ts"

process.stdout.on("error", (error) => {
  if (!isClosedPipe(error)) throw error
  process.exitCode = CLOSED_OUTPUT_EXIT_CODE
})

let ended = false
process.once("beforeExit", () => {
  if (ended) return
  console.error("flight-hal: the command stopped before it finished (a wait that nothing can complete); this is a bug")
  process.exitCode = 1
})

runCli(process.argv.slice(2)).then(
  (code) => {
    ended = true
    process.exitCode = code
  },
  (error: unknown) => {
    ended = true
    console.error(error)
    process.exitCode = 1
  }
)
