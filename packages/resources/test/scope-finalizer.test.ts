/**
 * `addFinalizerNow` writes a scope's state as `effect/Scope` documents it: mixed with `Scope.addFinalizer`, every
 * finalizer runs once, in reverse order of registration, with the scope's exit, whatever the number already
 * registered; a closed scope takes none. A change in Effect's scope model fails here first.
 */
import { describe, expect, test } from "bun:test"
import { Effect, Exit, Scope } from "effect"
import { addFinalizerNow } from "../src/internal/scope-finalizer.ts"

const closeWith = (registrations: ReadonlyArray<"now" | "effect">) =>
  Effect.runSync(
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const ran: Array<string> = []
      const exits: Array<Exit.Exit<unknown, unknown>> = []
      for (const [i, how] of registrations.entries()) {
        const finalizer = (exit: Exit.Exit<unknown, unknown>) =>
          Effect.sync(() => {
            ran.push(`${how}${i}`)
            exits.push(exit)
          })
        if (how === "now") expect(addFinalizerNow(scope, {}, finalizer)).toBe(true)
        else yield* Scope.addFinalizerExit(scope, finalizer)
      }
      yield* Scope.close(scope, Exit.succeed("done"))
      const late = addFinalizerNow(scope, {}, () => Effect.sync(() => ran.push("late")))
      return { ran, exits, late }
    })
  )

describe("addFinalizerNow", () => {
  test("one, two and many finalizers, mixed with Scope.addFinalizerExit, run once in reverse order", () => {
    const shapes: ReadonlyArray<ReadonlyArray<"now" | "effect">> = [
      [],
      ["now"],
      ["now", "now"],
      ["effect", "now"],
      ["now", "effect"],
      ["now", "effect", "now", "now", "effect", "now"]
    ]
    for (const shape of shapes) {
      const { ran, exits, late } = closeWith(shape)
      expect(ran).toEqual(shape.map((how, i) => `${how}${i}`).reverse())
      expect(exits.every((exit) => Exit.isSuccess(exit) && exit.value === "done")).toBe(true)
      expect(late).toBe(false)
    }
  })

  test("a scope whose only finalizer was removed (a closed child scope) takes a new one", () => {
    const ran = Effect.runSync(
      Effect.gen(function* () {
        const parent = yield* Scope.make()
        const child = yield* Scope.fork(parent)
        yield* Scope.close(child, Exit.void) // removes the child's finalizer from the parent
        const ran: Array<string> = []
        expect(addFinalizerNow(parent, {}, () => Effect.sync(() => ran.push("a")))).toBe(true)
        expect(addFinalizerNow(parent, {}, () => Effect.sync(() => ran.push("b")))).toBe(true)
        yield* Scope.close(parent, Exit.void)
        return ran
      })
    )
    expect(ran).toEqual(["b", "a"])
  })
})
