/**
 * What the detection notes say: the file actually tried under `fsRoot` (they named the default path), and, on a
 * Node without `process.getBuiltinModule` (20.0–20.15, simulated by removing it as a user did), why the
 * synchronous detection read nothing — `profile: "auto"` then falls back to the `web` profile, which the notes and
 * `autoProfile()`'s `issue` now say, while the asynchronous detection still reads `os.totalmem`.
 */
import { describe, expect, test } from "bun:test"
import { PlatformDetectionFailed } from "@flight-hal/core"
import { Effect } from "effect"
import {
  autoProfile,
  CGROUP_V1_MEMORY_LIMIT,
  CGROUP_V2_MEMORY_MAX,
  type DetectionProbes,
  detectMemoryLimit,
  detectMemoryLimitAsync,
  detectMemoryLimitSync,
  detectProfileSync
} from "../src/index.ts"

const fsRoot = "/tmp/flight-hal-fake-root/"
const nothing: DetectionProbes = {
  readFile: () => undefined,
  osTotalMemory: () => undefined,
  denoTotalMemory: () => undefined,
  deviceMemoryGiB: () => undefined
}

describe("the notes name the file tried under fsRoot", () => {
  test("sync, async and Effect: the notes and the failure's issue", async () => {
    const asked: Array<string> = []
    const probes = {
      ...nothing,
      readFile: (path: string) => {
        asked.push(path)
        return undefined
      }
    }
    const v2 = `/tmp/flight-hal-fake-root${CGROUP_V2_MEMORY_MAX}`
    const v1 = `/tmp/flight-hal-fake-root${CGROUP_V1_MEMORY_LIMIT}`
    const expected = [`cgroup-v2: ${v2} not readable`, `cgroup-v1: ${v1} not readable`]
    const failures = [
      detectMemoryLimitSync({ fsRoot, probes }),
      await detectMemoryLimitAsync({ fsRoot, probes }).catch((error: unknown) => error),
      await Effect.runPromise(Effect.flip(detectMemoryLimit({ fsRoot, probes })))
    ]
    expect(asked).toEqual([v2, v1, v2, v1, v2, v1])
    for (const failure of failures) {
      expect(failure).toBeInstanceOf(PlatformDetectionFailed)
      expect((failure as PlatformDetectionFailed).issue.startsWith(`${expected.join("; ")};`)).toBe(true)
    }
    const host = detectMemoryLimitSync({ fsRoot, probes: { ...probes, osTotalMemory: () => 2 ** 30 } })
    expect(host).toMatchObject({
      source: "os.totalmem",
      notes: [...expected, "Deno.systemMemoryInfo: unavailable", "os.totalmem: 1073741824"]
    })
  })

  test("without fsRoot the default paths; an fsRoot that is no string is noted and nothing read", () => {
    const asked: Array<string> = []
    const readFile = (path: string) => {
      asked.push(path)
      return undefined
    }
    const limit = detectMemoryLimitSync({ probes: { ...nothing, readFile, osTotalMemory: () => 2 ** 30 } })
    expect(limit).toMatchObject({ notes: expect.arrayContaining([`cgroup-v2: ${CGROUP_V2_MEMORY_MAX} not readable`]) })
    expect(asked).toEqual([CGROUP_V2_MEMORY_MAX, CGROUP_V1_MEMORY_LIMIT])
    const odd = detectMemoryLimitSync({
      fsRoot: 5 as never,
      probes: { ...nothing, readFile, osTotalMemory: () => 2 ** 30 }
    })
    expect(odd).toMatchObject({
      notes: expect.arrayContaining(["cgroup-v2: not read (fsRoot is not a string: 5)"])
    })
    expect(asked).toHaveLength(2)
  })
})

/** Runs `f` on a Node without `process.getBuiltinModule` (Node 20.0–20.15), then puts it back. */
const withoutGetBuiltinModule = async <A>(f: () => A | Promise<A>): Promise<A> => {
  const process = globalThis.process as { getBuiltinModule?: unknown }
  const descriptor = Object.getOwnPropertyDescriptor(process, "getBuiltinModule")
  delete process.getBuiltinModule
  try {
    return await f()
  } finally {
    if (descriptor !== undefined) Object.defineProperty(process, "getBuiltinModule", descriptor)
  }
}

describe("Node 20 before 20.16 (no process.getBuiltinModule): the fallback says why", () => {
  test("the synchronous detection's notes and autoProfile's issue say it; the async detection reads os.totalmem", async () => {
    const seen = await withoutGetBuiltinModule(async () => ({
      sync: detectMemoryLimitSync(),
      auto: autoProfile(),
      async: await detectMemoryLimitAsync()
    }))
    const version = globalThis.process.versions.node
    const why =
      `process.getBuiltinModule: missing (Node ${version}, Node ≥ 20.16 has it), so the synchronous detection ` +
      "cannot read node:fs or node:os (detectProfileAsync can)"
    expect(seen.sync).toBeInstanceOf(PlatformDetectionFailed)
    const issue = (seen.sync as PlatformDetectionFailed).issue
    expect(issue.startsWith(`${why}; cgroup-v2: ${CGROUP_V2_MEMORY_MAX} not readable (no synchronous node:fs); `)).toBe(
      true
    )
    expect(issue).toContain("; os.totalmem: unavailable (no synchronous node:os); ")
    expect(seen.auto).toMatchObject({ source: "fallback", issue })
    expect(seen.async.source === "os.totalmem" || seen.async.source.startsWith("cgroup")).toBe(true)
  })

  test("probes given by the caller get no such note: they are the caller's", async () => {
    const limit = await withoutGetBuiltinModule(() =>
      detectProfileSync({ probes: { ...nothing, osTotalMemory: () => 2 ** 33 } })
    )
    expect(limit).toMatchObject({ source: "os.totalmem" })
    const failed = await withoutGetBuiltinModule(() => detectMemoryLimitSync({ probes: nothing }))
    expect((failed as PlatformDetectionFailed).issue).not.toContain("getBuiltinModule")
    // only the default probe left in place is marked
    const { osTotalMemory: _, ...withoutOs } = nothing
    const half = await withoutGetBuiltinModule(() => detectMemoryLimitSync({ probes: withoutOs }))
    expect((half as PlatformDetectionFailed).issue).toContain("os.totalmem: unavailable (no synchronous node:os)")
    expect((half as PlatformDetectionFailed).issue).not.toContain("no synchronous node:fs")
  })

  test("with getBuiltinModule (this runtime) no such note", () => {
    const limit = detectMemoryLimitSync()
    const notes = limit instanceof PlatformDetectionFailed ? [limit.issue] : limit.notes
    expect(notes.join("; ")).not.toContain("getBuiltinModule")
  })
})
