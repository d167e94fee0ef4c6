/**
 * The services `effect/cli` asks for (file system, path, terminal, stdio, child processes), made
 * from Node built-ins available on Node 20, Bun and Deno. The commands do their own file I/O with
 * `node:fs`; the CLI module itself needs only the terminal's width, the arguments and stdout.
 *
 * @internal
 */
import * as readline from "node:readline"
import type * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Path from "effect/Path"
import { ChildProcessSpawner } from "effect/process"
import * as Queue from "effect/Queue"
import * as Sink from "effect/Sink"
import * as Stdio from "effect/Stdio"
import * as Stream from "effect/Stream"
import * as Terminal from "effect/Terminal"

const unused = (what: string) => Effect.die(new Error(`flight-hal: ${what} is not available`))

/** Ctrl+C and Ctrl+D end the input (the wizard then quits), as in a shell. */
const endsInput = ({ key }: Terminal.UserInput): boolean => key.ctrl && (key.name === "c" || key.name === "d")

/**
 * The terminal's key presses, for `--wizard` and prompts: `node:readline`'s keypress events on stdin (raw mode on a
 * terminal, restored when the scope closes). The queue ends on Ctrl+C, Ctrl+D or the end of stdin, so a wizard run
 * without a terminal (stdin from a file or `/dev/null`) quits instead of waiting.
 */
const readInput = Effect.gen(function* () {
  const queue = yield* Queue.make<Terminal.UserInput, Cause.Done>()
  const stdin = process.stdin
  const lines = readline.createInterface({ input: stdin, escapeCodeTimeout: 50 })
  readline.emitKeypressEvents(stdin, lines)
  const wasRaw = stdin.isTTY ? stdin.isRaw : false
  if (stdin.isTTY) stdin.setRawMode(true)
  const onKeypress = (input: string | undefined, key: readline.Key | undefined): void => {
    const event: Terminal.UserInput = {
      input: Option.fromNullishOr(input),
      key: { name: key?.name ?? "", ctrl: key?.ctrl === true, meta: key?.meta === true, shift: key?.shift === true }
    }
    if (endsInput(event)) Queue.endUnsafe(queue)
    else Queue.offerUnsafe(queue, event)
  }
  const onEnd = (): void => {
    Queue.endUnsafe(queue)
  }
  stdin.on("keypress", onKeypress)
  lines.once("close", onEnd)
  yield* Effect.addFinalizer(() =>
    Effect.sync(() => {
      stdin.off("keypress", onKeypress)
      lines.off("close", onEnd)
      if (stdin.isTTY) stdin.setRawMode(wasRaw)
      lines.close()
    })
  )
  return queue
})

/** One line of stdin; the end of stdin (or Ctrl+D, Ctrl+C) before a line is a `QuitError`. */
const readLine = Effect.callback<string, Terminal.QuitError>((resume) => {
  const lines = readline.createInterface({ input: process.stdin })
  let done = false
  lines.once("line", (line) => {
    done = true
    lines.close()
    resume(Effect.succeed(line))
  })
  lines.once("close", () => {
    if (!done) resume(Effect.fail(new Terminal.QuitError()))
  })
  return Effect.sync(() => {
    done = true
    lines.close()
  })
})

const writeTo = (stream: NodeJS.WriteStream) =>
  // biome-ignore lint/suspicious/useIterableCallbackReturn: Sink.forEach takes an Effect-returning callback, not Array#forEach
  Sink.forEach((chunk: string | Uint8Array) =>
    Effect.sync(() => {
      stream.write(chunk)
    })
  )

/** The CLI's environment on Node built-ins (no `@effect/platform-node`, so Node 20 is enough). */
export const cliServices = (args: ReadonlyArray<string>) =>
  Layer.mergeAll(
    FileSystem.layerNoop({}),
    Path.layer,
    Layer.succeed(
      Stdio.Stdio,
      Stdio.make({
        args: Effect.succeed(args),
        stdout: () => writeTo(process.stdout),
        stderr: () => writeTo(process.stderr),
        stdin: Stream.empty,
        stdoutIsTerminal: Effect.sync(() => process.stdout.isTTY === true)
      })
    ),
    Layer.succeed(
      Terminal.Terminal,
      Terminal.make({
        columns: Effect.sync(() => process.stdout.columns ?? 80),
        rows: Effect.sync(() => process.stdout.rows ?? 24),
        size: unused("terminal resizing"),
        readInput,
        readLine,
        display: (text) =>
          Effect.sync(() => {
            process.stdout.write(text)
          })
      })
    ),
    Layer.succeed(
      ChildProcessSpawner.ChildProcessSpawner,
      ChildProcessSpawner.make(() => unused("child processes"))
    )
  )
