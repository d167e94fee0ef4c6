/**
 * Effect values of the front ends' own classes (a `use` call and its run, a payload read), evaluated in the
 * fiber's own step.
 *
 * @module
 */
import type * as Effect from "effect/Effect"
import * as Effectable from "effect/Effectable"

/**
 * Makes `Class`'s objects Effect primitives whose evaluation, in the fiber's own step, is their `step()`
 * (`Effectable.Prototype`). An `Effectable.Class` would call its base constructor per object and `asEffect` per
 * evaluation (77 instructions more per scoped acquisition and `get` in a scratch count; about 70 of `use` + get's
 * 4,900 in `bench/instructions.ts`).
 */
export const evaluatedByStep = (Class: { readonly prototype: object }, label: string): void => {
  Object.setPrototypeOf(
    Class.prototype,
    Effectable.Prototype<Effect.Effect<unknown, unknown, unknown>>({
      label,
      evaluate() {
        return (this as unknown as { step(): Effect.Effect<unknown, unknown, unknown> }).step()
      }
    })
  )
}
