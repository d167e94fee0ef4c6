/**
 * Writes a manager's timeline to a file (Node, Bun, Deno): a sink that appends each NDJSON line
 * synchronously, and `close` to close the file once the recording has stopped.
 *
 * @module
 */
import { InvalidArgument } from "@flight-hal/core"
import { builtinFs, type LineFileSystem } from "./internal/node-fs.ts"
import { show, showThrown } from "./internal/show.ts"

/**
 * The part of `node:fs` a timeline file needs (`openSync`, `writeSync`, `closeSync`): the `fs` option of
 * {@link timelineToFile}, for a runtime whose `node:fs` is not where the manager looks, or a test's fake. The trace
 * file's `TraceFileSystem` is the same type.
 *
 * @example
 * ```ts
 * import { type LineFileSystem, timelineToFile } from "@flight-hal/resources/timeline-file"
 *
 * const lines: Array<string> = []
 * const fs: LineFileSystem = { openSync: () => 3, writeSync: (_fd, data) => lines.push(data), closeSync: () => {} }
 * const file = timelineToFile("timeline.ndjson", { fs })
 * file.sink("{}")
 * file.close()
 * ```
 *
 * @since 0.1.0
 * @category timeline
 */
export type { LineFileSystem } from "./internal/node-fs.ts"

/**
 * A timeline file being written.
 *
 * @since 0.1.0
 * @category timeline
 */
export interface TimelineFile {
  /** The `sink` of `recordTimeline` / `recordTimelineScoped`. */
  readonly sink: (line: string) => void
  /** Closes the file (lines sunk afterwards are dropped). */
  readonly close: () => void
}

/**
 * A timeline sink writing to `path` (truncated first). Throws `InvalidArgument` (path) for a path that is not a
 * non-empty string or cannot be opened for writing (a missing directory, a directory, no permission).
 *
 * @example
 * ```ts
 * import { createResourceManager, recordTimeline } from "@flight-hal/resources"
 * import { timelineToFile } from "@flight-hal/resources/timeline-file"
 *
 * const file = timelineToFile("timeline.ndjson")
 * const manager = createResourceManager({})
 * const timeline = recordTimeline(manager, { sink: file.sink, intervalMillis: 100 })
 * // … the program runs; then `flight-hal report timeline.ndjson --out report.html`
 * timeline.stop()
 * manager.close()
 * file.close()
 * ```
 *
 * @since 0.1.0
 * @category timeline
 */
export const timelineToFile = (
  path: string,
  options: { readonly fs?: LineFileSystem | undefined } = {}
): TimelineFile => {
  if (typeof path !== "string" || path === "") {
    throw new InvalidArgument({ argument: "path", issue: `expected a file path, got ${show(path)}` })
  }
  const fs = options.fs ?? builtinFs("writing a timeline file")
  let fd: number
  try {
    fd = fs.openSync(path, "w")
  } catch (error) {
    // a missing directory, a directory given as the file, no permission: typed, with the system's reason
    throw new InvalidArgument({ argument: "path", issue: `${path} cannot be written (${showThrown(error)})` })
  }
  let open = true
  return {
    sink: (line) => {
      if (open) fs.writeSync(fd, `${line}\n`)
    },
    close: () => {
      if (!open) return
      open = false
      fs.closeSync(fd)
    }
  }
}
