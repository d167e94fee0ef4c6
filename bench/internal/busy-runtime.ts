/**
 * A busy Effect runtime: before a child times its variant, it runs a fixed mix of everyday Effect programs
 * (generators, `flatMap`/`map`, `catch`, `ensuring`, `acquireUseRelease`, a scoped `acquireRelease`, `forEach`,
 * `uninterruptible`), none of which touches the manager or Effect's `Pool`.
 *
 * Why: in a fresh process the only program Effect's fiber loop has ever run is the variant under test, so the
 * engine specialises the loop's call sites to that one program's few primitives. An application's runtime has
 * run many programs before it hands out a buffer. The same mix runs before every variant (the facade's too), so
 * the comparison stays like for like; `--busy-runtime` reports the workload in that setting, beside the fresh one.
 *
 * @module
 */
import { Effect } from "effect"

/** Runs each program of the mix `rounds` × `callsPerRound` times, interleaved by round. */
export const exerciseEffectRuntime = (rounds = 3, callsPerRound = 7_000): void => {
  const programs: ReadonlyArray<Effect.Effect<unknown, unknown>> = [
    Effect.gen(function* () {
      const a = yield* Effect.succeed(1)
      const b = yield* Effect.sync(() => a + 1)
      return yield* Effect.catch(Effect.fail("x"), () => Effect.succeed(b))
    }),
    Effect.map(
      Effect.flatMap(Effect.succeed(1), (x) => Effect.succeed(x + 1)),
      (x) => x * 2
    ),
    Effect.ensuring(Effect.succeed(1), Effect.void),
    Effect.acquireUseRelease(
      Effect.succeed(1),
      (x) => Effect.succeed(x),
      () => Effect.void
    ),
    Effect.scoped(
      Effect.flatMap(
        Effect.acquireRelease(
          Effect.sync(() => new Uint8Array(16)),
          () => Effect.void
        ),
        (bytes) => Effect.succeed(bytes[0])
      )
    ),
    Effect.forEach([1, 2, 3], (x) => Effect.succeed(x * 2)),
    Effect.orElseSucceed(Effect.fail("e"), () => 0),
    Effect.uninterruptible(Effect.sync(() => 1))
  ]
  for (let round = 0; round < rounds; round++) {
    for (const program of programs) {
      for (let call = 0; call < callsPerRound; call++) Effect.runSync(program)
    }
  }
}
