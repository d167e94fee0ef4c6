/**
 * Wires the system pressure signal ({@link SystemPressure}) to the manager: an OS-level High or Critical
 * level triggers the manager's reclamation before any budget is hit, and every change of the system level
 * is published as a pressure event with `source: "system"`. Off unless this Layer is provided.
 *
 * @module
 */
import { InvalidArgument, type ResourcePressure, ResourcePressureNames } from "@flight-hal/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { show } from "./internal/show.ts"
import { isObjectArgument } from "./internal/validate.ts"
import { ResourceManager } from "./ResourceManager.ts"
import { SystemPressure } from "./SystemPressure.ts"

/**
 * Options of {@link layerSystemPressureReclamation}.
 *
 * @since 0.1.0
 * @category models
 */
export interface SystemPressureReclamationOptions {
  /** The system level from which reclamation runs (default `"Critical"`). */
  readonly reclaimAt?: "High" | "Critical"
  /**
   * The share of each type's usage the reclamation asks for, in percent (default 25): free pool blocks are
   * trimmed first, then the type's reclamation callbacks are called in order until that much is freed.
   */
  readonly reclaimPercent?: number
}

const rank = (level: ResourcePressure): number => ResourcePressureNames.indexOf(level)

/** The options read once and checked: the threshold's rank and the share, or InvalidArgument naming the option. */
const checkOptions = (options: unknown): { readonly threshold: number; readonly percent: number } | InvalidArgument => {
  if (options === undefined) return { threshold: rank("Critical"), percent: 25 }
  if (!isObjectArgument(options)) {
    return new InvalidArgument({ argument: "options", issue: `expected an object, got ${show(options)}` })
  }
  let reclaimAt: unknown
  let reclaimPercent: unknown
  try {
    reclaimAt = (options as SystemPressureReclamationOptions).reclaimAt
    reclaimPercent = (options as SystemPressureReclamationOptions).reclaimPercent
  } catch (error) {
    return new InvalidArgument({ argument: "options", issue: `could not be read (${show(error)})` })
  }
  if (reclaimAt !== undefined && reclaimAt !== "High" && reclaimAt !== "Critical") {
    return new InvalidArgument({
      argument: "reclaimAt",
      issue: `expected "High" or "Critical", got ${show(reclaimAt)}`
    })
  }
  if (
    reclaimPercent !== undefined &&
    (typeof reclaimPercent !== "number" || !(reclaimPercent >= 0 && reclaimPercent <= 100))
  ) {
    return new InvalidArgument({
      argument: "reclaimPercent",
      issue: `expected a number from 0 to 100, got ${show(reclaimPercent)}`
    })
  }
  return { threshold: rank(reclaimAt ?? "Critical"), percent: reclaimPercent ?? 25 }
}

/**
 * A Layer that feeds the system pressure signal to the ResourceManager. Whenever the system level rises to
 * `reclaimAt` or above, the manager trims free pool blocks, then asks every type's reclamation callbacks for
 * `reclaimPercent` % of its usage; every change of the system level is published as a pressure event
 * (`source: "system"`, type `Memory`). It runs one fiber in its own scope: closing the Layer stops it, and
 * it starts no timer of its own (the signal's polling stops with the signal's Layer). Options that are not as
 * typed (`reclaimAt` other than "High" or "Critical", `reclaimPercent` outside 0–100) fail the Layer with
 * `InvalidArgument` naming the option.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import {
 *   layerSystemPressure,
 *   layerSystemPressureReclamation,
 *   ResourceManager,
 *   reportSystemPressure
 * } from "@flight-hal/resources"
 *
 * const layer = layerSystemPressureReclamation({ reclaimAt: "High" }).pipe(
 *   Layer.provideMerge(Layer.merge(ResourceManager.layer({}), layerSystemPressure({ enabled: true })))
 * )
 * const program = reportSystemPressure("Critical") // trims pools, then asks reclamation callbacks
 * Effect.runPromise(Effect.provide(program, layer))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSystemPressureReclamation = (
  options?: SystemPressureReclamationOptions
): Layer.Layer<never, InvalidArgument, ResourceManager | SystemPressure> =>
  Layer.effectDiscard(
    Effect.gen(function* () {
      const checked = checkOptions(options)
      if (checked instanceof InvalidArgument) return yield* checked
      const manager = yield* ResourceManager
      const signal = yield* SystemPressure
      const threshold = checked.threshold
      const reclaim = { percent: checked.percent }
      let previous: ResourcePressure = "None"
      yield* Effect.forkScoped(
        Stream.runForEach(signal.changes, (level) => {
          const from = previous
          if (level === from) return Effect.void
          previous = level
          const rising = rank(level) >= threshold && rank(level) > rank(from)
          // a level the signal should never send (or a bad reclaimPercent) is logged; the watch goes on
          return manager
            .relieveSystemPressure(from, level, rising ? reclaim : undefined)
            .pipe(Effect.catch((error) => Effect.logWarning("system pressure relief refused", error.message)))
        })
      )
    })
  )
