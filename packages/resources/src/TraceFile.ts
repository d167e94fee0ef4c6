/**
 * Writes a manager's NDJSON transition trace to a file (Node, Bun, Deno): a `TraceConfig` whose sink
 * appends each line synchronously, plus `close` to flush and close the file.
 *
 * The lines are in the format described in the repository's `spec/README.md` ("Trace format"; the header's
 * `format` names its version): the header first, one line per transition, `setBudget` a
 * `Rebudget` line, `removeBudget` an `Unbudget` line, pool capacity `PoolGrow`/`PoolTrim` lines (the config's pools'
 * right after the header), a request a pool block serves an `AcquirePooled` line, and nothing after the `Close`
 * line. Every byte count must be a whole number of `unitBytes`, and below 10^9 of them (a trace's numbers have at
 * most nine digits): a config whose are not is refused (`InvalidArgument` on `config.trace.unitBytes`; the file is
 * then left empty), a later one ends the trace with a `TraceStopped` line, as does a change of a header driver's
 * kind by `registerDriver`: declare the kinds in the config's `drivers`.
 *
 * Checking a trace: the spec and its checker are not in this package. In a clone of the repository at the
 * version of `@flight-hal/resources` that recorded it, with bun (and `npm install`), Java 17+ and tla2tools.jar
 * (TLC 2.20: https://github.com/tlaplus/tlaplus/releases/download/v1.8.0/tla2tools.jar, whose SHA-256 the
 * repository's `spec/README.md` gives) in `~/.cache/tla/` (or `TLA2TOOLS_JAR`):
 * `bun scripts/spec-trace.ts --strict run.ndjson` (exit 0 accepted, 1 rejected with the line and the rule it
 * breaks, 3 TLC not found).
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
 * A trace config writing to `path` (created or truncated at once: a config the manager refuses leaves it empty,
 * which the checker reports as an empty trace), and `close` for the end of the run.
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
