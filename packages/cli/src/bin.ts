#!/usr/bin/env node
/**
 * The `flight-hal` executable: runs the command on `process.argv` and exits with its code.
 *
 * @module
 */
import { runCli } from "./cli.ts"

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    console.error(error)
    process.exitCode = 1
  }
)
