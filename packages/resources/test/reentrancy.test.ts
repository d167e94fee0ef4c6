/**
 * Re-entrancy matrix: every user callback (reclamation callback, pressure callback, `create` hook, `destroy`
 * hook, `onLeaks`) × every re-entrant call (acquire, release, share, setBudget, close), on both front ends.
 * No raw error escapes (neither from the outer operation nor from the re-entrant call), the outer operation
 * completes correctly (the right resource, held by the right driver) or fails with a typed error, and
 * afterwards the invariants hold (usage = live resources, nothing waits that could be granted); after close,
 * usage is 0 and nothing is live.
 */
import { describe, expect, test } from "bun:test"
import { ResourceFlags } from "@flight-hal/core"
import { Effect, Exit, Scope } from "effect"
import {
  createResourceManager,
  type PlainResourceManager,
  type ResourceManagerService,
  type ResourceRef
} from "../src/index.ts"
import { failureOf, type OpenManager, openManager, withoutLogs } from "./support/effect.ts"
import {
  budgetOf,
  closedViolations,
  describeError,
  hw,
  invariantViolations,
  isCoreError,
  mem,
  settle
} from "./support/harness.ts"

const callbacks = ["reclamation", "pressure", "create", "destroy", "onLeaks"] as const
const reentries = ["acquire", "release", "share", "setBudget", "close"] as const
type CallbackKind = (typeof callbacks)[number]
type Reentry = (typeof reentries)[number]

const BOUND_MILLIS = 3000
const shareable = { flags: ResourceFlags.combine("Shareable") }

/** Fails with "hung" when `run` does not settle within the bound (real time: only a hang reaches it). */
const bounded = async (run: () => Promise<ReadonlyArray<string>>): Promise<ReadonlyArray<string>> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  const bound = new Promise<ReadonlyArray<string>>((resolve) => {
    timer = setTimeout(() => resolve([`hung (no result within ${BOUND_MILLIS} ms)`]), BOUND_MILLIS)
  })
  try {
    return await Promise.race([run(), bound])
  } finally {
    clearTimeout(timer)
  }
}

/** Checks the outer acquisition: the right resource, held by `game`, unless the manager was closed. */
const outerProblems = (
  outer: ResourceRef<unknown>,
  expected: { readonly name: string; readonly sizeBytes: number },
  closed: boolean,
  holders: () => ReadonlyArray<string>
): ReadonlyArray<string> => {
  const out: Array<string> = []
  if (outer.name !== expected.name || outer.metadata.sizeBytes !== expected.sizeBytes || outer.driver !== "game") {
    out.push(
      `outer ref is ${outer.name}/${outer.metadata.sizeBytes}/${outer.driver}, expected ${expected.name}/${expected.sizeBytes}/game`
    )
  }
  if (!closed) {
    try {
      const list = holders()
      if (!list.includes("game")) out.push(`outer resource held by [${list.join(", ")}], not by game`)
    } catch (error) {
      out.push(`holders(outer) failed: ${describeError(error)}`)
    }
  }
  return out
}

/** The outer request's name is unique: ResourceBusy for it means a re-entrant request took its place. */
const outerErrorProblems = (error: unknown): ReadonlyArray<string> =>
  (error as { _tag?: unknown })._tag === "ResourceBusy" ? [`outer acquire failed with ${describeError(error)}`] : []

// ---------------------------------------------------------------------------------------------------------------
// Facade

const facadeCase = async (kind: CallbackKind, reentry: Reentry): Promise<ReadonlyArray<string>> => {
  const problems: Array<string> = []
  let fired = false
  let closed = false
  let manager: PlainResourceManager | undefined
  let victim: ResourceRef<Uint8Array> | undefined
  const reenter = () => {
    if (fired || manager === undefined || victim === undefined) return
    fired = true
    try {
      switch (reentry) {
        case "acquire":
          manager.acquire("inner", hw(1), { owner: "cb" })
          break
        case "release":
          victim.release()
          break
        case "share":
          manager.share(victim.handle, "gpu")
          break
        case "setBudget":
          manager.setBudget("Memory", budgetOf(800))
          break
        case "close":
          closed = true
          manager.close()
          break
      }
    } catch (error) {
      if (!isCoreError(error)) problems.push(`re-entrant ${reentry} raised ${describeError(error)}`)
    }
  }
  manager = createResourceManager({
    budgets: { Memory: budgetOf(1000) },
    onLeaks: kind === "onLeaks" ? () => reenter() : () => {}
  })
  const m = manager
  victim = m.acquire("victim", mem(400, shareable), { owner: "cache" })
  const outcome = async (): Promise<void> => {
    switch (kind) {
      case "reclamation": {
        m.registerReclamationCallback("Memory", () => {
          reenter()
          return 400
        })
        try {
          const outer = m.acquire<unknown>("outer", mem(700), { owner: "game" })
          problems.push(
            ...outerProblems(outer, { name: "outer", sizeBytes: 700 }, closed, () => m.holders(outer.handle))
          )
        } finally {
          // 400 held of 1000: 700 more needs reclamation, whatever the acquisition's outcome
          if (!fired) problems.push("the reclamation callback was not called")
        }
        return
      }
      case "pressure": {
        m.registerPressureCallback(() => reenter())
        const outer = m.acquire<unknown>("outer", mem(500), { owner: "game" })
        await settle()
        if (!fired) problems.push("the pressure callback was not called")
        problems.push(...outerProblems(outer, { name: "outer", sizeBytes: 500 }, closed, () => m.holders(outer.handle)))
        return
      }
      case "create": {
        const outer = m.acquire<string>("outer", hw(1), {
          owner: "game",
          create: () => {
            reenter()
            return "payload"
          }
        })
        try {
          if (outer.payload !== "payload") problems.push(`payload is ${String(outer.payload)}`)
        } catch (error) {
          if (!isCoreError(error)) problems.push(`payload access raised ${describeError(error)}`)
        }
        problems.push(
          ...outerProblems(outer as ResourceRef<unknown>, { name: "outer", sizeBytes: 1 }, closed, () =>
            m.holders(outer.handle)
          )
        )
        return
      }
      case "destroy": {
        const outer = m.acquire<string>("outer", hw(1), {
          owner: "game",
          create: () => "payload",
          destroy: () => reenter()
        })
        expect(outer.payload).toBe("payload")
        outer.release()
        if (!fired) problems.push("the destroy hook was not called")
        return
      }
      case "onLeaks": {
        m.acquire("outer", hw(1), { owner: "game" })
        closed = true
        const report = m.close()
        if (!report.some((leak) => leak.name === "outer")) problems.push("the leak report misses outer")
        if (!fired) problems.push("onLeaks was not called")
        return
      }
    }
  }
  try {
    await outcome()
  } catch (error) {
    if (!isCoreError(error)) problems.push(`outer operation raised ${describeError(error)}`)
    else problems.push(...outerErrorProblems(error))
  }
  await settle()
  if (!closed) problems.push(...invariantViolations(m.snapshot(), m.waitGraph()))
  try {
    m.close()
  } catch (error) {
    problems.push(`close raised ${describeError(error)}`)
  }
  await settle()
  problems.push(...closedViolations(m.snapshot(), m.waitGraph()))
  return problems
}

// ---------------------------------------------------------------------------------------------------------------
// Effect service

const effectCase = async (kind: CallbackKind, reentry: Reentry): Promise<ReadonlyArray<string>> => {
  const problems: Array<string> = []
  let fired = false
  let closed = false
  let open: OpenManager | undefined
  let victim: ResourceRef<Uint8Array> | undefined
  const refs = Scope.makeUnsafe()
  const judgeExit = (exit: Exit.Exit<unknown, unknown>, what: string) => {
    const failure = failureOf(exit)
    if (failure.other !== undefined) problems.push(`${what} died: ${failure.other.slice(0, 200)}`)
    else if (Exit.isFailure(exit) && !isCoreError(failure.error))
      problems.push(`${what} failed with ${describeError(failure.error)}`)
  }
  /** The re-entrant call as an Effect (failures judged, never propagated). */
  const reenterEffect = (): Effect.Effect<void> =>
    Effect.suspend(() => {
      if (fired || open === undefined || victim === undefined) return Effect.void
      fired = true
      const m: ResourceManagerService = open.manager
      const v = victim
      const o = open
      const call: Effect.Effect<unknown, unknown> =
        reentry === "acquire"
          ? Effect.provideService(m.acquire("inner", hw(1), { owner: "cb" }), Scope.Scope, refs)
          : reentry === "release"
            ? Effect.sync(() => v.release())
            : reentry === "share"
              ? Effect.provideService(m.share(v.handle, "gpu"), Scope.Scope, refs)
              : reentry === "setBudget"
                ? m.setBudget("Memory", budgetOf(800))
                : Effect.suspend(() => {
                    closed = true
                    return Scope.close(o.scope, Exit.void)
                  })
      return Effect.map(Effect.exit(call), (exit) => judgeExit(exit, `re-entrant ${reentry}`))
    })
  /** For the synchronous hooks: the re-entrant call started on its own fiber. */
  const reenterSync = () => {
    Effect.runFork(withoutLogs(reenterEffect()))
  }
  open = await openManager({
    budgets: { Memory: budgetOf(1000) },
    onLeaks: kind === "onLeaks" ? () => reenterSync() : () => {}
  })
  const o = open
  const m = o.manager
  const got = await o.run(m.acquire("victim", mem(400, shareable), { owner: "cache" }), refs)
  if (Exit.isFailure(got)) throw new Error("victim not acquired")
  victim = got.value
  const holdersOf = (ref: ResourceRef<unknown>) => () => {
    const exit = Effect.runSync(Effect.exit(m.holders(ref.handle)))
    if (Exit.isFailure(exit)) throw failureOf(exit).error ?? new Error("holders died")
    return exit.value
  }
  const acquireOuter = async <T>(
    metadata: Parameters<ResourceManagerService["acquire"]>[1],
    options: { create?: () => T; destroy?: (p: T) => void } = {}
  ): Promise<ResourceRef<T> | undefined> => {
    const exit = await o.run(m.acquire<T>("outer", metadata, { owner: "game", ...options }), refs)
    judgeExit(exit, "outer acquire")
    if (Exit.isFailure(exit) && isCoreError(failureOf(exit).error))
      problems.push(...outerErrorProblems(failureOf(exit).error))
    return Exit.isSuccess(exit) ? exit.value : undefined
  }
  switch (kind) {
    case "reclamation": {
      await o.run(m.registerReclamationCallback("Memory", () => Effect.as(reenterEffect(), 400)))
      const outer = await acquireOuter<unknown>(mem(700))
      if (!fired) problems.push("the reclamation callback was not called")
      if (outer !== undefined)
        problems.push(...outerProblems(outer, { name: "outer", sizeBytes: 700 }, closed, holdersOf(outer)))
      break
    }
    case "pressure": {
      await o.run(m.registerPressureCallback(() => reenterEffect()))
      const outer = await acquireOuter<unknown>(mem(500))
      await settle()
      if (!fired) problems.push("the pressure callback was not called")
      if (outer !== undefined)
        problems.push(...outerProblems(outer, { name: "outer", sizeBytes: 500 }, closed, holdersOf(outer)))
      break
    }
    case "create": {
      const outer = await acquireOuter<string>(hw(1), {
        create: () => {
          reenterSync()
          return "payload"
        }
      })
      if (outer !== undefined) {
        const payload = await Effect.runPromiseExit(outer.get)
        judgeExit(payload, "payload access")
        if (Exit.isSuccess(payload) && payload.value !== "payload") problems.push(`payload is ${String(payload.value)}`)
        await settle()
        problems.push(
          ...outerProblems(
            outer as ResourceRef<unknown>,
            { name: "outer", sizeBytes: 1 },
            closed,
            holdersOf(outer as ResourceRef<unknown>)
          )
        )
      }
      break
    }
    case "destroy": {
      const outer = await acquireOuter<string>(hw(1), { create: () => "payload", destroy: () => reenterSync() })
      if (outer !== undefined) {
        expect(await Effect.runPromise(outer.get)).toBe("payload")
        outer.release()
        await settle()
        if (!fired) problems.push("the destroy hook was not called")
      }
      break
    }
    case "onLeaks": {
      await acquireOuter<unknown>(hw(1))
      closed = true
      await o.close()
      await settle()
      if (!o.leaks.some((leak) => leak.name === "outer")) problems.push("the leak report misses outer")
      if (!fired) problems.push("onLeaks was not called")
      break
    }
  }
  await settle()
  const read = async () => {
    const exit = await Effect.runPromiseExit(Effect.all([m.snapshot, m.waitGraph]))
    if (Exit.isFailure(exit)) throw new Error("state read failed")
    return exit.value
  }
  if (!closed) {
    const [snapshot, graph] = await read()
    problems.push(...invariantViolations(snapshot, graph))
  }
  await o.close()
  await settle()
  const [snapshot, graph] = await read()
  problems.push(...closedViolations(snapshot, graph))
  await Effect.runPromise(Scope.close(refs, Exit.void))
  return problems
}

describe(`re-entrancy matrix (${callbacks.length} callbacks × ${reentries.length} re-entrant calls × 2 front ends)`, () => {
  for (const kind of callbacks) {
    for (const reentry of reentries) {
      test(`facade: ${reentry} inside the ${kind} callback`, async () => {
        expect(await bounded(() => facadeCase(kind, reentry))).toEqual([])
      })
      test(`Effect: ${reentry} inside the ${kind} callback`, async () => {
        expect(await bounded(() => effectCase(kind, reentry))).toEqual([])
      })
    }
  }
})

describe("re-entrancy: a reclamation callback that acquires its own type", () => {
  test("facade: a re-entrant acquisition that needs reclamation itself does not re-run the callbacks without bound", async () => {
    const problems = await bounded(async () => {
      const out: Array<string> = []
      const manager = createResourceManager({ budgets: { Memory: budgetOf(1000) }, onLeaks: () => {} })
      const victim = manager.acquire("victim", mem(400), { owner: "cache" })
      let calls = 0
      manager.registerReclamationCallback("Memory", () => {
        calls++
        try {
          // does not fit either: it needs a reclamation of its own
          manager.acquire("", mem(700), { owner: "cb" })
        } catch (error) {
          if (!isCoreError(error) && out.length === 0) out.push(`re-entrant acquire raised ${describeError(error)}`)
        }
        victim.release()
        return 400
      })
      try {
        const outer = manager.acquire<unknown>("outer", mem(700), { owner: "game" })
        out.push(...outerProblems(outer, { name: "outer", sizeBytes: 700 }, false, () => manager.holders(outer.handle)))
      } catch (error) {
        if (!isCoreError(error)) out.push(`outer acquire raised ${describeError(error)}`)
      }
      if (calls > 10) out.push(`the reclamation callback ran ${calls} times for one request`)
      out.push(...invariantViolations(manager.snapshot(), manager.waitGraph()))
      manager.close()
      out.push(...closedViolations(manager.snapshot(), manager.waitGraph()))
      return out
    })
    expect(problems).toEqual([])
  })
})
