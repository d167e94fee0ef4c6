/**
 * The system pressure signal: one adapter that turns what the runtime offers into a stream of
 * {@link ResourcePressure} levels, so that an OS-level Critical can trigger reclamation before any
 * budget is hit.
 *
 * Sources (the signal's level is the highest level any source currently reports):
 * - `manual`: {@link reportSystemPressure} — always available, sticky until the next report;
 * - `psi`: Linux PSI `/proc/pressure/memory`, polled (see {@link psiLevel});
 * - `memory.events`: the cgroup v2 `/sys/fs/cgroup/memory.events` counters, polled (see
 *   {@link memoryEventsLevel});
 * - `bun.memoryPressure`: Bun's `process.on("memoryPressure")` where present; an event reports
 *   Critical, which falls back to None after `eventHold` without another event.
 *
 * The automatic sources are off unless `enabled: true`; files are polled only when readable at
 * start. Everything lives in the Layer's scope: closing it stops the polling fiber, the hold
 * timer and removes the event listener, so no timers remain.
 *
 * @module
 */
import { InvalidArgument, type ResourcePressure, ResourcePressureNames } from "@flight-hal/core"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import type * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
import { durationMillis } from "./internal/duration-millis.ts"
import * as Runtime from "./internal/platform-runtime.ts"
import { show, showThrown } from "./internal/show.ts"
import { isObjectArgument } from "./internal/validate.ts"

/**
 * A listener registry with `process.on`'s shape (`on` and `off`): the `events` option of
 * {@link SystemPressureOptions}, where the `memoryPressure` events come from (default: Bun's `process`).
 *
 * @example
 * ```ts
 * import { type EventSourceLike, layerSystemPressure } from "@flight-hal/resources"
 *
 * const listeners = new Set<(...args: ReadonlyArray<unknown>) => void>()
 * const events: EventSourceLike = {
 *   on: (_event, listener) => listeners.add(listener),
 *   off: (_event, listener) => listeners.delete(listener)
 * }
 * const layer = layerSystemPressure({ enabled: true, events }) // each listener call reports Critical
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface EventSourceLike {
  /** Adds `listener` for `event` (the manager listens for `"memoryPressure"`). */
  readonly on: (event: string, listener: (...args: ReadonlyArray<unknown>) => void) => unknown
  /** Removes a listener `on` added (when the Layer's scope closes). */
  readonly off: (event: string, listener: (...args: ReadonlyArray<unknown>) => void) => unknown
}

/**
 * A source of system pressure.
 *
 * @since 0.1.0
 * @category models
 */
export type SystemPressureSource = "manual" | "psi" | "memory.events" | "bun.memoryPressure"

/**
 * The system pressure signal.
 *
 * @since 0.1.0
 * @category models
 */
export interface SystemPressureSignal {
  /** The current level (the highest of the sources). */
  readonly current: Effect.Effect<ResourcePressure>
  /** The current level, then every change of it. */
  readonly changes: Stream.Stream<ResourcePressure>
  /** Sets the `manual` source's level; a value that is no level fails with `InvalidArgument`, nothing set. */
  readonly report: (level: ResourcePressure) => Effect.Effect<void, InvalidArgument>
  /** The sources in use. */
  readonly sources: ReadonlyArray<SystemPressureSource>
}

const SystemPressureBase: Context.ServiceClass<
  SystemPressure,
  "@flight-hal/resources/SystemPressure",
  SystemPressureSignal
> = Context.Service<SystemPressure, SystemPressureSignal>()("@flight-hal/resources/SystemPressure")

/**
 * The system pressure service; provide it with {@link layerSystemPressure}.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { layerSystemPressure, reportSystemPressure, SystemPressure } from "@flight-hal/resources"
 *
 * const program = Effect.gen(function*() {
 *   const signal = yield* SystemPressure
 *   yield* reportSystemPressure("Critical")
 *   return yield* signal.current // "Critical"
 * })
 * Effect.runPromise(Effect.provide(program, layerSystemPressure({ enabled: true })))
 * ```
 *
 * @since 0.1.0
 * @category services
 */
export class SystemPressure extends SystemPressureBase {}

/**
 * Options of {@link layerSystemPressure}. Each is read once and checked, whether or not `enabled`: one that is
 * not as typed fails the Layer with `InvalidArgument` naming it.
 *
 * @since 0.1.0
 * @category models
 */
export interface SystemPressureOptions {
  /** Turns the automatic sources on (default `false`: only manual reports). */
  readonly enabled?: boolean | undefined
  /** How often PSI and memory.events are read (default 1 second): a finite duration of at least 1 ms. */
  readonly pollInterval?: Duration.Input | undefined
  /** How long a `memoryPressure` event keeps the level Critical (default 5 seconds): a finite duration ≥ 0. */
  readonly eventHold?: Duration.Input | undefined
  /** Prefix of `/proc` and `/sys` paths (default `/`); tests point it at fake files. */
  readonly fsRoot?: string | undefined
  /** Reads a text file, `undefined` when unreadable (default: `node:fs` where available). */
  readonly readFile?: ((path: string) => Promise<string | undefined>) | undefined
  /** Where `memoryPressure` events come from (default: Bun's `process`); `null` turns the source off. */
  readonly events?: EventSourceLike | null | undefined
}

/**
 * The Linux PSI file for memory.
 *
 * @since 0.1.0
 * @category constants
 */
export const PSI_MEMORY: string = "/proc/pressure/memory"

/**
 * The cgroup v2 memory events file.
 *
 * @since 0.1.0
 * @category constants
 */
export const CGROUP_MEMORY_EVENTS: string = "/sys/fs/cgroup/memory.events"

const rank = (level: ResourcePressure): number => ResourcePressureNames.indexOf(level)

const highest = (levels: Iterable<ResourcePressure>): ResourcePressure => {
  let top: ResourcePressure = "None"
  for (const level of levels) if (rank(level) > rank(top)) top = level
  return top
}

/** A file's text, or InvalidArgument (thrown) for anything that is not a string. */
const textOf = (text: unknown): string => {
  if (typeof text !== "string")
    throw new InvalidArgument({ argument: "text", issue: `expected a string, got ${show(text)}` })
  return text
}

const avg10 = (text: string, kind: "some" | "full"): number => {
  const line = text.split("\n").find((l) => l.startsWith(`${kind} `))
  const match = line?.match(/avg10=(\d+(?:\.\d+)?)/)
  return match?.[1] === undefined ? 0 : Number(match[1])
}

/**
 * The level of a PSI memory file's text, from its 10-second averages (the share of time tasks
 * stalled on memory): `full` avg10 ≥ 10 → Critical; `some` avg10 ≥ 40 → High, ≥ 20 → Medium,
 * ≥ 5 → Low; otherwise None.
 *
 * @example
 * ```ts
 * import { psiLevel } from "@flight-hal/resources"
 *
 * psiLevel("some avg10=22.50 avg60=3.00 avg300=1.00 total=1\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0") // "Medium"
 * ```
 *
 * Throws `InvalidArgument` for a `text` that is not a string.
 *
 * @since 0.1.0
 * @category parsing
 */
export const psiLevel = (given: string): ResourcePressure => {
  const text = textOf(given)
  if (avg10(text, "full") >= 10) return "Critical"
  const some = avg10(text, "some")
  if (some >= 40) return "High"
  if (some >= 20) return "Medium"
  if (some >= 5) return "Low"
  return "None"
}

/**
 * The counters of a cgroup v2 `memory.events` file.
 *
 * @since 0.1.0
 * @category models
 */
export type MemoryEventCounters = Readonly<Record<string, number>>

/**
 * Parses a `memory.events` file (`low N`, `high N`, `max N`, `oom N`, `oom_kill N` lines). Throws
 * `InvalidArgument` for a `text` that is not a string.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseMemoryEvents = (text: string): MemoryEventCounters => {
  const counters: Record<string, number> = {}
  for (const line of textOf(text).split("\n")) {
    const [key, value] = line.trim().split(/\s+/)
    if (key !== undefined && key !== "" && value !== undefined && /^\d+$/.test(value)) counters[key] = Number(value)
  }
  return counters
}

/** The `memory.events` counters {@link memoryEventsLevel} compares. */
const eventKeys = ["low", "high", "max", "oom", "oom_kill", "oom_group_kill"] as const
type EventKey = (typeof eventKeys)[number]

/** The counters `memoryEventsLevel` compares, each read once (absent: 0), or InvalidArgument (thrown). */
const readCounters = (counters: unknown, argument: string): Readonly<Record<EventKey, number>> => {
  const bad = (issue: string) => new InvalidArgument({ argument, issue })
  if (typeof counters !== "object" || counters === null) {
    throw bad(`expected memory.events counters, got ${show(counters)}`)
  }
  const read: Record<string, number> = {}
  for (const key of eventKeys) {
    let value: unknown
    try {
      value = (counters as Readonly<Record<string, unknown>>)[key]
    } catch (error) {
      throw bad(`could not be read (${showThrown(error)})`)
    }
    if (value !== undefined && (typeof value !== "number" || Number.isNaN(value))) {
      throw bad(`${key}: expected a number, got ${show(value)}`)
    }
    read[key] = value ?? 0
  }
  return read as Record<EventKey, number>
}

/**
 * The level of the `memory.events` counters that grew since the previous reading: `oom` or
 * `oom_kill` → Critical; `max` (the limit was hit) → High; `high` (throttled above memory.high)
 * → Medium; `low` → Low; nothing grew → None.
 *
 * @example
 * ```ts
 * import { memoryEventsLevel, parseMemoryEvents } from "@flight-hal/resources"
 *
 * memoryEventsLevel(parseMemoryEvents("high 0\nmax 0"), parseMemoryEvents("high 3\nmax 0")) // "Medium"
 * ```
 *
 * Throws `InvalidArgument` for counters that are not an object whose counters (each read once) are numbers, or
 * whose reading throws.
 *
 * @since 0.1.0
 * @category parsing
 */
export const memoryEventsLevel = (previous: MemoryEventCounters, current: MemoryEventCounters): ResourcePressure => {
  const before = readCounters(previous, "previous")
  const after = readCounters(current, "current")
  const grew = (key: EventKey) => after[key] > before[key]
  if (grew("oom") || grew("oom_kill") || grew("oom_group_kill")) return "Critical"
  if (grew("max")) return "High"
  if (grew("high")) return "Medium"
  if (grew("low")) return "Low"
  return "None"
}

const MEMORY_PRESSURE_EVENT = "memoryPressure"

/** The options, read once and checked. */
interface CheckedOptions {
  readonly enabled: boolean
  readonly pollMillis: number
  readonly holdMillis: number
  readonly fsRoot: string
  readonly readFile: ((path: string) => unknown) | undefined
  readonly events: EventSourceLike | null | undefined
}

const optionKeys = ["enabled", "pollInterval", "eventHold", "fsRoot", "readFile", "events"] as const

/** A duration option in milliseconds, or why it is not one (a finite duration of at least `min` ms). */
const durationOption = (value: unknown, fallback: number, min: number, expected: string): number | string => {
  if (value === undefined) return fallback
  const millis = durationMillis(value)
  return Number.isFinite(millis) && millis >= min ? millis : `expected ${expected}, got ${show(value)}`
}

/**
 * `value` as an event source, its `on` and `off` read once each (and called on it), or `undefined` when it has
 * not `process.on`'s shape or its reading throws.
 */
const eventSource = (value: unknown): EventSourceLike | undefined => {
  if (!isObjectArgument(value)) return undefined
  try {
    const { on, off } = value as Partial<Record<"on" | "off", unknown>>
    if (typeof on !== "function" || typeof off !== "function") return undefined
    return {
      on: (event, listener) => on.call(value, event, listener),
      off: (event, listener) => off.call(value, event, listener)
    }
  } catch {
    return undefined
  }
}

/** The options read once, each checked: the values, or InvalidArgument naming the first bad option. */
const checkOptions = (options: unknown): CheckedOptions | InvalidArgument => {
  if (options !== undefined && !isObjectArgument(options)) {
    return new InvalidArgument({ argument: "options", issue: `expected an object, got ${show(options)}` })
  }
  const read: Partial<Record<(typeof optionKeys)[number], unknown>> = {}
  try {
    for (const key of optionKeys) read[key] = (options as Partial<Record<string, unknown>> | undefined)?.[key]
  } catch (error) {
    return new InvalidArgument({ argument: "options", issue: `could not be read (${showThrown(error)})` })
  }
  const bad = (argument: string, issue: string) => new InvalidArgument({ argument, issue })
  const { enabled, fsRoot, readFile, events } = read
  if (enabled !== undefined && typeof enabled !== "boolean") {
    return bad("enabled", `expected a boolean, got ${show(enabled)}`)
  }
  const pollMillis = durationOption(read.pollInterval, 1000, 1, "a finite duration of at least 1 ms")
  if (typeof pollMillis === "string") return bad("pollInterval", pollMillis)
  const holdMillis = durationOption(read.eventHold, 5000, 0, "a finite duration ≥ 0")
  if (typeof holdMillis === "string") return bad("eventHold", holdMillis)
  if (fsRoot !== undefined && typeof fsRoot !== "string") return bad("fsRoot", `expected a string, got ${show(fsRoot)}`)
  if (readFile !== undefined && typeof readFile !== "function") {
    return bad("readFile", `expected a function, got ${show(readFile)}`)
  }
  const source = events === undefined || events === null ? events : eventSource(events)
  if (source === undefined && events !== undefined) {
    return bad("events", `expected null or an object with on and off functions, got ${show(events)}`)
  }
  return {
    enabled: enabled === true,
    pollMillis,
    holdMillis,
    fsRoot: fsRoot ?? "/",
    readFile: readFile as ((path: string) => unknown) | undefined,
    events: source
  }
}

const make = Effect.fnUntraced(function* (given: unknown) {
  const options = checkOptions(given)
  if (options instanceof InvalidArgument) return yield* options
  const ref = yield* SubscriptionRef.make<ResourcePressure>("None")
  const levels = new Map<SystemPressureSource, ResourcePressure>()
  const set = (source: SystemPressureSource, level: ResourcePressure): Effect.Effect<void> =>
    Effect.suspend(() => {
      levels.set(source, level)
      const next = highest(levels.values())
      return next === SubscriptionRef.getUnsafe(ref) ? Effect.void : SubscriptionRef.set(ref, next)
    })
  const sources: Array<SystemPressureSource> = ["manual"]

  if (options.enabled) {
    const readFile = options.readFile ?? Runtime.readTextFile
    const psiPath = Runtime.joinRoot(options.fsRoot, PSI_MEMORY)
    const eventsPath = Runtime.joinRoot(options.fsRoot, CGROUP_MEMORY_EVENTS)
    // a file is its text; a read that throws, rejects or answers anything but a string is an unreadable file
    const read = (path: string) =>
      Effect.promise(async () => {
        try {
          const text = await readFile(path)
          return typeof text === "string" ? text : undefined
        } catch {
          return undefined
        }
      })

    const initialPsi = yield* read(psiPath)
    const psiReadable = initialPsi !== undefined
    if (initialPsi !== undefined) yield* set("psi", psiLevel(initialPsi))
    const initialEvents = yield* read(eventsPath)
    let counters = initialEvents === undefined ? undefined : parseMemoryEvents(initialEvents)
    if (psiReadable) sources.push("psi")
    if (counters !== undefined) sources.push("memory.events")

    const poll = Effect.gen(function* () {
      if (psiReadable) {
        const text = yield* read(psiPath)
        if (text !== undefined) yield* set("psi", psiLevel(text))
      }
      if (counters !== undefined) {
        const text = yield* read(eventsPath)
        if (text !== undefined) {
          const next = parseMemoryEvents(text)
          const level = memoryEventsLevel(counters, next)
          counters = next
          yield* set("memory.events", level)
        }
      }
    })
    if (psiReadable || counters !== undefined) {
      const interval = Duration.millis(options.pollMillis)
      yield* Effect.forkScoped(Effect.forever(Effect.andThen(Effect.sleep(interval), poll)))
    }

    const events = options.events === undefined ? Runtime.bunProcessEvents() : options.events
    if (events !== null && events !== undefined) {
      sources.push("bun.memoryPressure")
      const hold = Duration.millis(options.holdMillis)
      const queue = yield* Queue.unbounded<true>()
      const listener = () => {
        Queue.offerUnsafe(queue, true)
      }
      yield* Effect.acquireRelease(
        Effect.sync(() => events.on(MEMORY_PRESSURE_EVENT, listener)),
        () => Effect.sync(() => events.off(MEMORY_PRESSURE_EVENT, listener))
      )
      // Each event sets Critical; once no event came for `hold`, the source falls back to None.
      const untilQuiet: Effect.Effect<void> = Effect.suspend(() =>
        Effect.flatMap(Effect.timeoutOption(Queue.take(queue), hold), (next) =>
          Option.isSome(next) ? untilQuiet : set("bun.memoryPressure", "None")
        )
      )
      yield* Effect.forkScoped(
        Effect.forever(
          Queue.take(queue).pipe(Effect.andThen(set("bun.memoryPressure", "Critical")), Effect.andThen(untilQuiet))
        )
      )
    }
  }

  return SystemPressure.of({
    current: SubscriptionRef.get(ref),
    changes: SubscriptionRef.changes(ref),
    report: (level) =>
      (ResourcePressureNames as ReadonlyArray<unknown>).includes(level)
        ? set("manual", level)
        : Effect.fail(
            new InvalidArgument({ argument: "level", issue: `expected a pressure level, got ${show(level)}` })
          ),
    sources
  })
})

/**
 * The system pressure signal as a scoped Layer (see the module doc for the sources). Options that are not as
 * typed (not an object, `enabled` not a boolean, `pollInterval` not a finite duration of at least 1 ms,
 * `eventHold` not a finite duration ≥ 0, `fsRoot` not a string, `readFile` not a function, `events` neither
 * null nor an object with `on` and `off` functions, or options whose reading throws) fail the Layer with
 * `InvalidArgument` naming the option, as `layerSystemPressureReclamation`'s do.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { layerSystemPressure, SystemPressure } from "@flight-hal/resources"
 *
 * const watch = Effect.gen(function*() {
 *   const signal = yield* SystemPressure
 *   // `changes` starts with the current level; a long-running watcher would keep reading it.
 *   const first = yield* Stream.runHead(signal.changes)
 *   yield* Effect.log(`system pressure now: ${String(first)} (sources: ${signal.sources.join(", ")})`)
 * })
 * await Effect.runPromise(Effect.provide(watch, layerSystemPressure({ enabled: true, pollInterval: "2 seconds" })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSystemPressure = (options?: SystemPressureOptions): Layer.Layer<SystemPressure, InvalidArgument> =>
  Layer.effect(SystemPressure, make(options))

/**
 * Reports a system pressure level from outside (the `manual` source), for runtimes with no
 * signal of their own. A value that is no level (`"bogus"`) fails with `InvalidArgument`, nothing set.
 *
 * @since 0.1.0
 * @category reporting
 */
export const reportSystemPressure = (level: ResourcePressure): Effect.Effect<void, InvalidArgument, SystemPressure> =>
  SystemPressure.use((signal) => signal.report(level))
