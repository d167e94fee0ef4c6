#!/usr/bin/env node
/**
 * The `flight-hal` executable: runs the command on `process.argv` and exits with its code.
 *
 * A command that never ends (a wait nothing can complete) would otherwise leave the process with nothing to do
 * and exit 0 without a word; the `beforeExit` hook reports it and exits 1 instead.
 *
 * @module
 */
import { runCli } from "./cli.ts"

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
