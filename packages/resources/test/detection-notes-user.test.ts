/**
 * Detection notes a user shipping one app to several platforms found misleading: a cgroup limit above 2^53 − 1 is
 * no limit and the note says why (2^59 is no "sentinel"); on Deno, a probe refused for want of a permission says
 * which flag it needs.
 */
import { describe, expect, test } from "bun:test"
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import type { PlatformDetectionFailed } from "@flight-hal/core"
import { autoProfile, CGROUP_V1_MEMORY_LIMIT, detectMemoryLimitAsync, detectMemoryLimitSync } from "../src/index.ts"

const GiB = 1024 ** 3

describe("a cgroup limit that is not a safe integer", () => {
  test("is no limit, and the note says why (2^59 is no sentinel)", async () => {
    const fsRoot = mkdtempSync(join(tmpdir(), "cgroup-"))
    const file = join(fsRoot, CGROUP_V1_MEMORY_LIMIT)
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, `${2n ** 59n}\n`)
    const limit = await detectMemoryLimitAsync({ fsRoot, probes: { osTotalMemory: () => 4 * GiB } })
    expect(limit).toMatchObject({ bytes: 4 * GiB, source: "os.totalmem" })
    expect(limit.notes).toContain(
      "cgroup-v1: 576460752303423488 (above 2^53 − 1: no limit, like the unlimited sentinel)"
    )
  })
})

describe("Deno without a permission (a fake Deno global's error classes)", () => {
  class NotCapable extends Error {}
  class PermissionDenied extends Error {}
  const withDeno = async (run: () => Promise<void>) => {
    const globals = globalThis as { Deno?: unknown }
    const before = Object.getOwnPropertyDescriptor(globals, "Deno")
    globals.Deno = { errors: { NotCapable, PermissionDenied } }
    try {
      await run()
    } finally {
      if (before === undefined) delete globals.Deno
      else Object.defineProperty(globals, "Deno", before)
    }
  }
  const refused = (error: Error) => () => {
    throw error
  }
  const probes = {
    readFile: refused(new NotCapable("Requires read access")),
    denoTotalMemory: refused(new NotCapable("Requires sys access")),
    osTotalMemory: refused(new PermissionDenied("Requires sys access")),
    deviceMemoryGiB: () => undefined
  }
  const expected = [
    "cgroup-v2: /sys/fs/cgroup/memory.max not readable (needs --allow-read)",
    "cgroup-v1: /sys/fs/cgroup/memory/memory.limit_in_bytes not readable (needs --allow-read)",
    "Deno.systemMemoryInfo: unavailable (needs --allow-sys)",
    "os.totalmem: unavailable (needs --allow-sys)",
    "navigator.deviceMemory: unavailable"
  ].join("; ")

  test("the fallback's issue and the failure say which flag each probe needs (sync and async)", async () => {
    await withDeno(async () => {
      const auto = autoProfile({ probes })
      expect(auto).toMatchObject({ source: "fallback", issue: expected })
      const failed = detectMemoryLimitSync({ probes })
      expect((failed as PlatformDetectionFailed).issue).toBe(expected)
      const rejected = await detectMemoryLimitAsync({
        probes: { ...probes, readFile: async () => Promise.reject(new NotCapable("Requires read access")) }
      }).catch((error: unknown) => error)
      expect((rejected as PlatformDetectionFailed).issue).toBe(expected)
    })
  })

  test("another error (a Proxy whose test throws too), or the same one outside Deno, is no permission: the notes stay as they were", async () => {
    await withDeno(async () => {
      const other = detectMemoryLimitSync({ probes: { ...probes, readFile: refused(new Error("EACCES")) } })
      expect((other as PlatformDetectionFailed).issue).toContain("memory.max not readable; ")
    })
    const hostile = new Proxy(
      {},
      {
        getPrototypeOf: () => {
          throw new Error("no prototype")
        }
      }
    )
    await withDeno(async () => {
      const failed = detectMemoryLimitSync({ probes: { ...probes, readFile: refused(hostile as Error) } })
      expect((failed as PlatformDetectionFailed).issue).toContain("memory.max not readable; ")
    })
    const outside = detectMemoryLimitSync({ probes })
    expect((outside as PlatformDetectionFailed).issue).not.toContain("needs")
  })
})
