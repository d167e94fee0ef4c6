/**
 * Effect-side harness: a ResourceManager built in a long-lived scope (driven step by step from Promises), and
 * scenario runs under a given `Scheduler.MaxOpsBeforeYield` that check the manager is quiescent afterwards.
 */
import { Cause, Context, Effect, Exit, Layer, References, Scheduler, Scope } from "effect"
import { TestClock } from "effect/testing"
import {
  type LeakReport,
  type ManagerConfigError,
  ResourceManager,
  type ResourceManagerConfig,
  type ResourceManagerService
} from "../../src/index.ts"
import { closedViolations, fingerprint } from "./harness.ts"

/** A manager built in its own scope, with the leak reports it delivered. */
export interface OpenManager {
  readonly manager: ResourceManagerService
  /** The manager's scope (reclamation/pressure registrations that live as long as the manager). */
  readonly scope: Scope.Closeable
  readonly leaks: Array<LeakReport>
  /** Runs an Effect needing the service and a scope (the manager's scope unless given). */
  readonly run: <A, E>(
    effect: Effect.Effect<A, E, ResourceManager | Scope.Scope>,
    scope?: Scope.Scope
  ) => Promise<Exit.Exit<A, E>>
  /** Snapshot + wait graph as JSON. */
  readonly state: () => Promise<string>
  /** Closes the manager's scope (the Layer's finalizer: close + leak report). */
  readonly close: () => Promise<void>
}

/** Runs an Effect with logging off (the manager logs leaks and isolated callback failures as warnings). */
export const withoutLogs = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.provideService(effect, References.MinimumLogLevel, "None")

export const openManager = async (config: ResourceManagerConfig = {}): Promise<OpenManager> => {
  const leaks: Array<LeakReport> = []
  const scope = Scope.makeUnsafe()
  const userOnLeaks = config.onLeaks
  const layer = ResourceManager.layer({
    ...config,
    onLeaks: (reported) => {
      leaks.push(...reported)
      userOnLeaks?.(reported)
    }
  })
  const context = await Effect.runPromise(withoutLogs(Layer.buildWithScope(layer, scope)))
  const manager = Context.get(context, ResourceManager)
  const run = <A, E>(effect: Effect.Effect<A, E, ResourceManager | Scope.Scope>, inScope: Scope.Scope = scope) =>
    Effect.runPromiseExit(
      effect.pipe(
        Effect.provideService(ResourceManager, manager),
        Effect.provideService(Scope.Scope, inScope),
        withoutLogs
      )
    )
  const state = async () => {
    const exit = await Effect.runPromiseExit(Effect.all([manager.snapshot, manager.waitGraph]))
    if (Exit.isFailure(exit)) throw new Error(`state read failed: ${Cause.pretty(exit.cause)}`)
    return fingerprint(exit.value[0], exit.value[1])
  }
  const close = () => Effect.runPromise(withoutLogs(Scope.close(scope, Exit.void)))
  return { manager, scope, leaks, run, state, close }
}

/** The failure of an Exit, or the defect / interruption described as a string. */
export const failureOf = <A, E>(exit: Exit.Exit<A, E>): { readonly error?: E; readonly other?: string } => {
  if (Exit.isSuccess(exit)) return {}
  const error = exit.cause.reasons.find(Cause.isFailReason)
  if (error !== undefined) return { error: error.error }
  return { other: Cause.pretty(exit.cause) }
}

/** The result of a scenario run under a scheduler setting. */
export interface ScenarioResult<A> {
  readonly exit: Exit.Exit<A, unknown>
  /** Violations of "no bytes charged, nothing waiting, nothing live" after the body, before close. */
  readonly violations: ReadonlyArray<string>
  /** Leaks reported when the manager's Layer closed. */
  readonly leaks: ReadonlyArray<LeakReport>
}

/**
 * Runs `body` against a fresh manager with `Scheduler.MaxOpsBeforeYield = opsPerYield`, then checks that the
 * manager is quiescent and closes it. A run that does not finish within `boundMillis` (real time: only a hang
 * reaches it) rejects, so a hang fails the test instead of the suite. With `clock: "test"` the manager and the
 * body run on Effect's TestClock (the body advances it with `TestClock.adjust`).
 */
export const runScenario = <A>(
  config: ResourceManagerConfig,
  opsPerYield: number,
  body: Effect.Effect<A, unknown, ResourceManager>,
  boundMillis = 5000,
  clock: "real" | "test" = "real"
): Promise<ScenarioResult<A>> => {
  const leaks: Array<LeakReport> = []
  const managerLayer = ResourceManager.layer({ ...config, onLeaks: (reported) => leaks.push(...reported) })
  // with the TestClock merged in, the body's TestClock.adjust drives the manager's clock and every sleep
  const layer: Layer.Layer<ResourceManager, ManagerConfigError> =
    clock === "test" ? managerLayer.pipe(Layer.provideMerge(TestClock.layer())) : managerLayer
  const program = Effect.gen(function* () {
    const manager = yield* ResourceManager
    const exit = yield* Effect.exit(body)
    const snapshot = yield* manager.snapshot
    const graph = yield* manager.waitGraph
    return { exit, violations: closedViolations(snapshot, graph) }
  }).pipe(Effect.provide(layer), Effect.provideService(Scheduler.MaxOpsBeforeYield, opsPerYield), withoutLogs)
  let timer: ReturnType<typeof setTimeout> | undefined
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`scenario hung (> ${boundMillis} ms)`)), boundMillis)
  })
  return Promise.race([Effect.runPromise(program), bound])
    .then((result) => ({ ...result, leaks }))
    .finally(() => clearTimeout(timer))
}
