/**
 * Standard output whose reader may go away: `flight-hal … | head -1` closes the pipe after one line, and the
 * next write fails with EPIPE. Node and Deno report it as an `error` event of `process.stdout` (unhandled, it
 * crashed the process with a stack trace), Bun by throwing from `write`. Both are caught here: the output is
 * then marked closed, every later write is dropped and `closed` is aborted, which stops the command.
 *
 * @internal
 */

/** The exit code of a command whose standard output was closed before it finished: 128 + SIGPIPE (13). */
export const CLOSED_OUTPUT_EXIT_CODE = 141

/** Whether an error is the one a write to a pipe without a reader gives. */
export const isClosedPipe = (error: unknown): boolean =>
  typeof error === "object" &&
  error !== null &&
  "code" in error &&
  (error.code === "EPIPE" || error.code === "ERR_STREAM_DESTROYED")

/** A guarded writer to a stream (`process.stdout`). */
export interface GuardedOutput {
  /** Writes text, or drops it once the reader has gone. */
  readonly write: (text: string | Uint8Array) => void
  /** Aborted when the reader has gone. */
  readonly closed: AbortSignal
  /** Stops listening to the stream's errors (a closed output stays closed). */
  readonly detach: () => void
}

/**
 * Guards writes to `stream`: its EPIPE, whether thrown or emitted as an `error` event, closes the output
 * instead of crashing the process. Another error is thrown again, as it would have been.
 */
export const guardOutput = (stream: NodeJS.WriteStream): GuardedOutput => {
  const controller = new AbortController()
  const close = (): void => {
    if (!controller.signal.aborted) controller.abort()
  }
  const onError = (error: unknown): void => {
    if (isClosedPipe(error)) close()
    else throw error
  }
  stream.on("error", onError)
  return {
    write: (text) => {
      if (controller.signal.aborted) return
      try {
        stream.write(text)
      } catch (error) {
        onError(error)
      }
    },
    closed: controller.signal,
    detach: () => {
      stream.off("error", onError)
    }
  }
}
