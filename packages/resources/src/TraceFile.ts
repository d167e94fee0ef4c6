/**
 * Writes a manager's NDJSON transition trace to a file (Node, Bun, Deno): a `TraceConfig` whose sink
 * appends each line synchronously, plus `close` to flush and close the file.
 *
 * The lines are in the format of `spec/README.md` ("Trace format"), which `scripts/spec-trace.ts` checks against
 * the TLA+ model: one line per transition, `setBudget` a `Rebudget` line (`type`, `max`, `reserved`), `removeBudget`
 * an `Unbudget` line (`type`; the type is unlimited up to the usage bound), and nothing after the `Close` line.
 *
 * @module
 */
import type { ResourceTypeName } from "@flight-hal/core"
import { builtinFs, type LineFileSystem } from "./internal/node-fs.ts"
import type { TraceConfig } from "./ResourceManagerConfig.ts"

/**
 * The part of `node:fs` the trace file needs.
 *
 * @since 0.1.0
 * @category tracing
 */
export type TraceFileSystem = LineFileSystem

/**
 * A trace config writing to `path` (truncated first), and `close` for the end of the run.
 *
 * @example
 * ```ts
 * import { createResourceManager } from "@flight-hal/resources"
 * import { traceToFile } from "@flight-hal/resources/trace-file"
 *
 * const trace = traceToFile("run.ndjson", { drivers: ["app", "gpu"], types: ["Memory"] })
 * const manager = createResourceManager({ budgets: {}, trace: trace.config })
 * // … workload …
 * manager.close()
 * trace.close()
 * ```
 *
 * @since 0.1.0
 * @category tracing
 */
export const traceToFile = (
  path: string,
  options: {
    readonly unitBytes?: number
    readonly drivers?: ReadonlyArray<string>
    readonly types?: ReadonlyArray<ResourceTypeName>
    /** The file system (default: the runtime's `node:fs`). */
    readonly fs?: TraceFileSystem
  } = {}
): { readonly config: TraceConfig; readonly close: () => void } => {
  const { fs = builtinFs("writing a trace file"), ...traceOptions } = options
  const fd = fs.openSync(path, "w")
  let open = true
  return {
    config: { ...traceOptions, sink: (line) => (open ? void fs.writeSync(fd, `${line}\n`) : undefined) },
    close: () => {
      if (!open) return
      open = false
      fs.closeSync(fd)
    }
  }
}
