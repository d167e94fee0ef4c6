/**
 * `flight-hal watch <url>`: the live view of a running program's manager. It polls the JSON snapshot the
 * program serves (`serveManager` of `@flight-hal/resources/serve`, or `managerEndpoint` mounted in its own
 * server) at `--fps` polls per second, redraws the view in place on a TTY (a plain line per poll
 * otherwise), and tells what changed since the previous poll.
 *
 * @module
 */
import type { ManagerDump } from "@flight-hal/resources"
import * as Effect from "effect/Effect"
import { fetchDump } from "./internal/fetch-dump.ts"
import { count, formatMoment } from "./internal/format.ts"
import { renderWatchLine, renderWatchView, type ViewOutput } from "./live-view.ts"

/**
 * The snapshot URL of what `watch` is given: the URL itself when its path ends in `/snapshot`, else its
 * `/snapshot` route.
 *
 * @example
 * ```ts
 * import { snapshotUrl } from "@flight-hal/cli"
 *
 * console.log(snapshotUrl("http://127.0.0.1:9464")) // http://127.0.0.1:9464/snapshot
 * ```
 *
 * @since 0.1.0
 * @category watch
 */
export const snapshotUrl = (url: string): string => {
  const parsed = new URL(url)
  if (!parsed.pathname.endsWith("/snapshot")) parsed.pathname = `${parsed.pathname.replace(/\/+$/, "")}/snapshot`
  return parsed.toString()
}

/** Each failure reason's words for one and for several (`1 timeout`, `3 timeouts`). */
const REASONS: ReadonlyArray<readonly [reason: string, one: string, several: string]> = [
  ["timeout", "timeout", "timeouts"],
  ["deadlock", "deadlock refused", "deadlocks refused"],
  ["budget_exceeded", "refused (budget)", "refused (budget)"],
  ["resource_busy", "refused (busy)", "refused (busy)"],
  ["budget_lowered", "failed (budget lowered)", "failed (budget lowered)"]
]

/**
 * What changed between two snapshots of a manager, in a few words (undefined when nothing did): admissions
 * and releases, failures by reason, Emergency admissions, leaks and pressure changes, per type.
 *
 * @example
 * ```ts
 * import { createResourceManager, managerDump } from "@flight-hal/resources"
 * import { describeChanges } from "@flight-hal/cli"
 *
 * using manager = createResourceManager({})
 * const before = managerDump(manager)
 * using ref = manager.acquire("a", { type: "Memory", sizeBytes: 8 })
 * console.log(describeChanges(before, managerDump(manager))) // Memory: +1 admission
 * ```
 *
 * @since 0.1.0
 * @category watch
 */
export const describeChanges = (before: ManagerDump, after: ManagerDump): string | undefined => {
  const parts: Array<string> = []
  for (const now of after.snapshot.types) {
    const was = before.snapshot.types.find((t) => t.type === now.type)
    if (was === undefined) continue
    const said: Array<string> = []
    const admitted = now.allocationCount - was.allocationCount
    const freed = now.releaseCount - was.releaseCount
    if (admitted > 0) said.push(`+${count(admitted, "admission")}`)
    if (freed > 0) said.push(`−${count(freed, "release")}`)
    for (const [reason, one, several] of REASONS) {
      const key = reason as keyof NonNullable<typeof now.failures>
      const failed = (now.failures?.[key] ?? 0) - (was.failures?.[key] ?? 0)
      if (failed > 0) said.push(count(failed, one, several))
    }
    const emergency = now.emergencyCount - was.emergencyCount
    if (emergency > 0) said.push(count(emergency, "Emergency admission"))
    const leaks = (now.leaks ?? 0) - (was.leaks ?? 0)
    if (leaks > 0) said.push(count(leaks, "leak"))
    if (now.pressure !== was.pressure) said.push(`pressure ${was.pressure} → ${now.pressure}`)
    if (said.length > 0) parts.push(`${now.type}: ${said.join(", ")}`)
  }
  return parts.length === 0 ? undefined : parts.join("; ")
}

/**
 * Options of {@link watchManager}.
 *
 * @since 0.1.0
 * @category watch
 */
export interface WatchOptions {
  /** The program's endpoint (its base URL or its `/snapshot` URL). */
  readonly url: string
  /** Polls per second (≥ 1). */
  readonly fps: number
  /** Stop after this many polls (default: until interrupted). */
  readonly polls?: number
  /** Where the view goes (redrawn in place on a terminal, coloured unless its `color` is false). */
  readonly output: ViewOutput
}

/**
 * Watches a running program's manager: polls its snapshot `fps` times a second (by the wall clock) and shows
 * the live view, until `polls` polls or interruption. Fails with an Error naming the URL when the program
 * cannot be reached or does not answer with a dump.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { createResourceManager } from "@flight-hal/resources"
 * import { serveManager } from "@flight-hal/resources/serve"
 * import { watchManager } from "@flight-hal/cli"
 *
 * using manager = createResourceManager({ label: "game" })
 * await using server = await serveManager(manager)
 * const lines: Array<string> = []
 * const output = { write: (text: string) => void lines.push(text), isTTY: false }
 * await Effect.runPromise(watchManager({ url: server.url, fps: 10, polls: 2, output }))
 * ```
 *
 * @since 0.1.0
 * @category watch
 */
export const watchManager = (options: WatchOptions): Effect.Effect<void, Error> =>
  Effect.gen(function* () {
    const url = snapshotUrl(options.url)
    const pause = 1000 / Math.max(1, options.fps)
    let previous: ManagerDump | undefined
    let lastEvent = `watching ${url}`
    let drawn = 0
    for (let poll = 0; options.polls === undefined || poll < options.polls; poll++) {
      if (poll > 0) yield* Effect.sleep(pause)
      const dump = yield* fetchDump(url)
      const changes = previous === undefined ? undefined : describeChanges(previous, dump)
      if (changes !== undefined) lastEvent = `[${formatMoment(dump.takenAtMillis)}] ${changes}`
      if (options.output.isTTY) {
        const lines = renderWatchView(dump, lastEvent, options.output.color ?? true)
        options.output.write(`${drawn > 0 ? `\x1b[${drawn}F` : ""}\x1b[J${lines.join("\n")}\n`)
        drawn = lines.length
      } else {
        options.output.write(`${renderWatchLine(dump)}${changes === undefined ? "" : ` · ${changes}`}\n`)
      }
      previous = dump
    }
  })
