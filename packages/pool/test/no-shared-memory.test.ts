/**
 * A page that is not cross-origin isolated has no SharedArrayBuffer (simulated by removing the global): a manager's
 * `threadSafe` pool is refused as `InvalidPoolConfig { field: "threadSafe" }`, and the message says what the page
 * needs (COOP: same-origin, COEP: require-corp), as a user in a browser asked.
 */
import { describe, expect, test } from "bun:test"
import { InvalidPoolConfig, PoolManager, SharedBlockPool } from "../src/index.ts"

/** Runs `run` without a SharedArrayBuffer global, then puts it back. */
const withoutSharedMemory = <A>(run: () => A): A => {
  const globals = globalThis as { SharedArrayBuffer?: unknown }
  const descriptor = Object.getOwnPropertyDescriptor(globals, "SharedArrayBuffer")
  delete globals.SharedArrayBuffer
  try {
    return run()
  } finally {
    if (descriptor !== undefined) Object.defineProperty(globals, "SharedArrayBuffer", descriptor)
  }
}

const isolation = "serve the page cross-origin isolated (COOP: same-origin, COEP: require-corp)"

describe("without SharedArrayBuffer (a page that is not cross-origin isolated)", () => {
  test("a manager's threadSafe pool is InvalidPoolConfig { field: threadSafe } naming COOP/COEP; nothing is made", () => {
    const manager = new PoolManager()
    const made = withoutSharedMemory(() =>
      manager.createPool({ type: "Memory", blockSize: 64, maxCount: 8, threadSafe: true, name: "frames" })
    )
    expect(made.ok).toBe(false)
    if (made.ok) return
    expect(made.error).toBeInstanceOf(InvalidPoolConfig)
    expect(made.error).toMatchObject({ pool: "frames", field: "threadSafe", value: "true" })
    expect(made.error.message).toContain(isolation)
    expect(manager.pools()).toEqual([])
    // the same config where SharedArrayBuffer is
    expect(manager.createPool({ type: "Memory", blockSize: 64, maxCount: 8, threadSafe: true }).ok).toBe(true)
  })

  test("SharedBlockPool.make fails and its message names COOP/COEP", () => {
    const made = withoutSharedMemory(() => SharedBlockPool.make({ name: "frames", blockSize: 1024, blockCount: 4 }))
    expect(made.ok).toBe(false)
    if (!made.ok) expect(made.error.message).toContain(isolation)
  })
})
