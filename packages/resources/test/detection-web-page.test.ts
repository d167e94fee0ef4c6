/**
 * Detection in a web page without `navigator.deviceMemory` (Firefox, Safari), as a user found it: the fallback's
 * issue listed the cgroup files as "not readable" and the Deno and Node probes as unavailable, though a page has no
 * file system and tried none. Where no `process` or `Deno` global is, the sources whose default probe has nothing
 * to try are neither tried nor noted; a probe the caller gave is still tried and noted.
 */
import { describe, expect, test } from "bun:test"
import type { PlatformDetectionFailed } from "@flight-hal/core"
import { autoProfile, detectMemoryLimitAsync, detectMemoryLimitSync } from "../src/index.ts"

const GiB = 1024 ** 3

/** Runs `run` with neither a `process` nor a `Deno` global (a web page, as a bundle sees it), then puts them back. */
const inWebPage = async <A>(run: () => A | Promise<A>): Promise<A> => {
  const globals = globalThis as { process?: unknown; Deno?: unknown }
  const saved = (["process", "Deno"] as const).map(
    (key) => [key, Object.getOwnPropertyDescriptor(globals, key)] as const
  )
  for (const [key] of saved) delete globals[key]
  try {
    return await run()
  } finally {
    for (const [key, descriptor] of saved) if (descriptor !== undefined) Object.defineProperty(globals, key, descriptor)
  }
}

describe("a web page without navigator.deviceMemory", () => {
  const noDeviceMemory = { probes: { deviceMemoryGiB: () => undefined } }

  test("autoProfile's fallback issue lists only navigator.deviceMemory", async () => {
    const auto = await inWebPage(() => autoProfile(noDeviceMemory))
    expect(auto).toMatchObject({ source: "fallback", issue: "navigator.deviceMemory: unavailable" })
  })

  test("the sync and async detections fail with that issue alone", async () => {
    const failed = await inWebPage(() => detectMemoryLimitSync(noDeviceMemory))
    expect((failed as PlatformDetectionFailed).issue).toBe("navigator.deviceMemory: unavailable")
    const rejected = await inWebPage(() => detectMemoryLimitAsync(noDeviceMemory).catch((error: unknown) => error))
    expect((rejected as PlatformDetectionFailed).issue).toBe("navigator.deviceMemory: unavailable")
  })

  test("with navigator.deviceMemory the notes say only that", async () => {
    const limit = await inWebPage(() => detectMemoryLimitSync({ probes: { deviceMemoryGiB: () => 0.5 } }))
    expect(limit).toEqual({ bytes: GiB / 2, source: "navigator.deviceMemory", notes: ["navigator.deviceMemory: 0.5"] })
  })

  test("a probe the caller gave is tried and noted there too", async () => {
    const failed = await inWebPage(() =>
      detectMemoryLimitSync({
        probes: { readFile: () => undefined, osTotalMemory: () => undefined, deviceMemoryGiB: () => undefined }
      })
    )
    expect((failed as PlatformDetectionFailed).issue).toBe(
      [
        "cgroup-v2: /sys/fs/cgroup/memory.max not readable",
        "cgroup-v1: /sys/fs/cgroup/memory/memory.limit_in_bytes not readable",
        "os.totalmem: unavailable",
        "navigator.deviceMemory: unavailable"
      ].join("; ")
    )
  })

  test("where a process global is (Node, Bun), the notes list every source as before", () => {
    const failed = detectMemoryLimitSync({
      probes: { readFile: () => undefined, osTotalMemory: () => undefined, deviceMemoryGiB: () => undefined }
    })
    expect((failed as PlatformDetectionFailed).issue).toBe(
      [
        "cgroup-v2: /sys/fs/cgroup/memory.max not readable",
        "cgroup-v1: /sys/fs/cgroup/memory/memory.limit_in_bytes not readable",
        "Deno.systemMemoryInfo: unavailable",
        "os.totalmem: unavailable",
        "navigator.deviceMemory: unavailable"
      ].join("; ")
    )
  })
})
