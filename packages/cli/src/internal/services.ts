/**
 * The services `effect/cli` asks for (file system, path, terminal, stdio, child processes), made
 * from Node built-ins available on Node 20, Bun and Deno. The commands do their own file I/O with
 * `node:fs`; the CLI module itself needs only the terminal's width, the arguments and stdout.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as Layer from "effect/Layer"
import * as Path from "effect/Path"
import { ChildProcessSpawner } from "effect/process"
import * as Sink from "effect/Sink"
import * as Stdio from "effect/Stdio"
import * as Stream from "effect/Stream"
import * as Terminal from "effect/Terminal"

const unused = (what: string) => Effect.die(new Error(`flight-hal: ${what} is not available`))

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
        readInput: unused("terminal input"),
        readLine: unused("terminal input"),
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
