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
import * as Exit from "effect/Exit"
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
 * The terminal's key presses, for `--wizard` and prompts, read from stdin once for the whole command: one
 * `node:readline` interface with its keypress events, made when the first prompt asks and closed with the
 * command. Key presses that arrive while no prompt reads (stdin piped from a file or a pipe comes in one chunk,
 * every answer at once) wait for the next prompt, so piped answers are used one per question; the end of stdin
 * (or Ctrl+C, Ctrl+D) is remembered, so every prompt after it ends at once (the wizard quits) instead of waiting
 * for an `end` event that has already been emitted.
 */
const makeStdinInput = () => {
  const buffered: Array<Terminal.UserInput> = []
  let ended = false
  let reading: Queue.Queue<Terminal.UserInput, Cause.Done> | undefined
  let lines: readline.Interface | undefined
  const stdin = process.stdin
  const onKeypress = (input: string | undefined, key: readline.Key | undefined): void => {
    const event: Terminal.UserInput = {
      input: Option.fromNullishOr(input),
      key: { name: key?.name ?? "", ctrl: key?.ctrl === true, meta: key?.meta === true, shift: key?.shift === true }
    }
    if (endsInput(event)) onEnd()
    else if (reading !== undefined) Queue.offerUnsafe(reading, event)
    else buffered.push(event)
  }
  const onEnd = (): void => {
    ended = true
    if (reading !== undefined) Queue.endUnsafe(reading)
  }
  const start = (): void => {
    if (lines !== undefined) return
    lines = readline.createInterface({ input: stdin, escapeCodeTimeout: 50 })
    readline.emitKeypressEvents(stdin, lines)
    stdin.on("keypress", onKeypress)
    lines.once("close", onEnd)
  }

  /** A prompt's input: the key presses not used yet, then those to come (raw mode on a terminal meanwhile). */
  const readInput = Effect.gen(function* () {
    start()
    const queue = yield* Queue.make<Terminal.UserInput, Cause.Done>()
    Queue.offerAllUnsafe(queue, buffered.splice(0))
    if (ended) Queue.endUnsafe(queue)
    else reading = queue
    const wasRaw = stdin.isTTY ? stdin.isRaw : false
    if (stdin.isTTY) stdin.setRawMode(true)
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        if (reading === queue) reading = undefined
        if (stdin.isTTY) stdin.setRawMode(wasRaw)
        // what this prompt did not take is the next one's, in order
        const left: Array<Terminal.UserInput> = []
        for (let taken = Queue.takeUnsafe(queue); taken !== undefined && Exit.isSuccess(taken); ) {
          left.push(taken.value)
          taken = Queue.takeUnsafe(queue)
        }
        buffered.unshift(...left)
      })
    )
    return queue
  })

  /** One line of stdin, from the same key presses; the end of stdin (or Ctrl+D, Ctrl+C) first is a `QuitError`. */
  const readLine = Effect.scoped(
    Effect.gen(function* () {
      const queue = yield* readInput
      let line = ""
      while (true) {
        const next = yield* Effect.result(Queue.take(queue))
        if (next._tag === "Failure") return yield* Effect.fail(new Terminal.QuitError())
        const { input, key } = next.success
        if (key.name === "return" || key.name === "enter") return line
        if (key.name === "backspace") line = line.slice(0, -1)
        else if (Option.isSome(input)) line += input.value
      }
    })
  )

  const close = Effect.sync(() => {
    if (lines === undefined) return
    stdin.off("keypress", onKeypress)
    lines.off("close", onEnd)
    lines.close()
  })
  return { readInput, readLine, close }
}

const writeTo = (write: (chunk: string | Uint8Array) => void) =>
  // biome-ignore lint/suspicious/useIterableCallbackReturn: Sink.forEach takes an Effect-returning callback, not Array#forEach
  Sink.forEach((chunk: string | Uint8Array) =>
    Effect.sync(() => {
      write(chunk)
    })
  )

/**
 * The CLI's environment on Node built-ins (no `@effect/platform-node`, so Node 20 is enough); `write` writes to
 * standard output (guarded against a closed pipe by the caller).
 */
export const cliServices = (args: ReadonlyArray<string>, write: (chunk: string | Uint8Array) => void) =>
  Layer.mergeAll(
    FileSystem.layerNoop({}),
    Path.layer,
    Layer.succeed(
      Stdio.Stdio,
      Stdio.make({
        args: Effect.succeed(args),
        stdout: () => writeTo(write),
        stderr: () =>
          writeTo((chunk) => {
            process.stderr.write(chunk)
          }),
        stdin: Stream.empty,
        stdoutIsTerminal: Effect.sync(() => process.stdout.isTTY === true)
      })
    ),
    Layer.effect(
      Terminal.Terminal,
      Effect.gen(function* () {
        const input = makeStdinInput()
        yield* Effect.addFinalizer(() => input.close)
        return Terminal.make({
          columns: Effect.sync(() => process.stdout.columns ?? 80),
          rows: Effect.sync(() => process.stdout.rows ?? 24),
          size: unused("terminal resizing"),
          readInput: input.readInput,
          readLine: input.readLine,
          display: (text) =>
            Effect.sync(() => {
              write(text)
            })
        })
      })
    ),
    Layer.succeed(
      ChildProcessSpawner.ChildProcessSpawner,
      ChildProcessSpawner.make(() => unused("child processes"))
    )
  )
