import { describe, expect, test } from "bun:test"
import { InvalidBudget, InvalidMetadata, type ResourceMetadata } from "@flight-hal/core"
import { Duration, Effect } from "effect"
import { createResourceManager, ResourceManager } from "../src/index.ts"
import { thrown } from "./support/thrown.ts"

describe("validation errors carry the Schema issue text only", () => {
  test("InvalidBudget: the issue is the Schema's message, no Cause/SchemaError wrapper", () => {
    const manager = createResourceManager({ onLeaks: () => {} })
    const error = thrown(() =>
      manager.setBudget("Memory", { maxBytes: 10, reservedBytes: 20, warningPercent: 50, criticalPercent: 90 })
    )
    expect(error).toBeInstanceOf(InvalidBudget)
    expect((error as InvalidBudget).issue).toBe("reservedBytes (20) must not exceed maxBytes (10)")
    expect((error as InvalidBudget).message).not.toMatch(/Cause|SchemaError|Fail\(/)
    manager.close()
  })

  test("InvalidBudget: a field left out is a missing key, as the Schema says, not a wrong number", () => {
    const manager = createResourceManager({ onLeaks: () => {} })
    const error = thrown(() => manager.setBudget("Memory", { maxBytes: 10 } as never))
    expect(error).toBeInstanceOf(InvalidBudget)
    expect((error as InvalidBudget).issue).toBe('Missing key at ["reservedBytes"]')
    manager.close()
  })

  test("InvalidMetadata: a field left out is a missing key, one set to undefined a wrong type (both front ends)", async () => {
    const manager = createResourceManager({ onLeaks: () => {} })
    const issue = (metadata: unknown) => (thrown(() => manager.acquire("", metadata as never)) as InvalidMetadata).issue
    expect(issue({ type: "Memory" })).toBe('Missing key at ["sizeBytes"]')
    expect(issue({ sizeBytes: 4 })).toBe('Missing key at ["type"]')
    expect(issue({ type: "Memory", sizeBytes: undefined })).toBe('Expected number at ["sizeBytes"]')
    manager.close()
    const effectIssue = await Effect.runPromise(
      Effect.gen(function* () {
        const service = yield* ResourceManager
        return yield* Effect.flip(Effect.scoped(service.acquire("", { type: "Memory" } as never)))
      }).pipe(Effect.provide(ResourceManager.layer({ onLeaks: () => {} })))
    )
    expect(effectIssue).toMatchObject({ _tag: "InvalidMetadata", issue: 'Missing key at ["sizeBytes"]' })
  })

  test("InvalidMetadata: the same for metadata", () => {
    const manager = createResourceManager({ onLeaks: () => {} })
    const bad = { type: "Memory", sizeBytes: -1 } as ResourceMetadata
    const error = thrown(() => manager.acquire("bad", bad))
    expect(error).toBeInstanceOf(InvalidMetadata)
    expect((error as InvalidMetadata).issue).not.toMatch(/Cause|SchemaError|Fail\(/)
    expect((error as InvalidMetadata).issue.length).toBeGreaterThan(0)
    manager.close()
  })
})

describe("a bad timeout is shown as the caller gave it", () => {
  const issueOf = async (promise: Promise<unknown>): Promise<string> =>
    promise.then(
      () => "admitted",
      (error: { readonly issue: string }) => error.issue
    )

  test("the facade: a string is shown as that string, not as the NaN it converts to", async () => {
    const manager = createResourceManager({ onLeaks: () => {} })
    const metadata = { type: "Memory", sizeBytes: 1 } as const
    const timeout = (value: unknown) =>
      issueOf(manager.acquireAsync("", metadata, { mode: "Timeout", timeoutMillis: value as number }))
    expect(await timeout("50")).toContain('got "50"')
    expect(await timeout(Number.NaN)).toContain("got NaN")
    expect(await timeout(-1)).toContain("got -1")
    expect(manager.snapshot().liveResources).toBe(0)
    manager.close()
  })

  test("the Effect service: a duration that does not parse is shown as given; an object that is no duration is refused", async () => {
    const run = (timeout: unknown) =>
      Effect.runPromise(
        Effect.scoped(
          Effect.gen(function* () {
            const manager = yield* ResourceManager
            return yield* manager.acquire(
              "",
              { type: "Memory", sizeBytes: 1 },
              {
                mode: "Timeout",
                timeout: timeout as Duration.Input
              }
            )
          }).pipe(Effect.provide(ResourceManager.layer({ onLeaks: () => {} })))
        ).pipe(
          Effect.match({
            onSuccess: () => "admitted",
            onFailure: (error) => (error as { readonly issue: string }).issue
          })
        )
      )
    expect(await run("soon")).toContain('got "soon"')
    expect(await run(Duration.infinity)).toContain("got Infinity")
    // an object that is no duration object: Effect would read it as 0 ms, a wait timed out at once
    for (const notDuration of [{}, { secods: 5 }, new Date(), { seconds: 1, extra: 2 }]) {
      expect(await run(notDuration)).toContain("expected a finite duration")
    }
    // duration objects and tuples still work: the Timeout wait is admitted at once here (nothing held)
    for (const duration of [{ seconds: 1 }, [1, 0], Duration.seconds(1)]) {
      expect(await run(duration)).toBe("admitted")
    }
  })
})
