/**
 * A plain manager's `threadSafe` pool on a page that is not cross-origin isolated (no SharedArrayBuffer, simulated by
 * removing the global): `InvalidPoolConfig { field: "threadSafe" }` (@flight-hal/core's class), whose message says
 * what the page needs (COOP: same-origin, COEP: require-corp).
 */
import { describe, expect, test } from "bun:test"
import { InvalidPoolConfig } from "@flight-hal/core"
import { createResourceManager } from "../src/index.ts"

describe("a plain manager's threadSafe pool without SharedArrayBuffer", () => {
  test("is InvalidPoolConfig { field: threadSafe }, naming COOP/COEP", () => {
    const globals = globalThis as { SharedArrayBuffer?: unknown }
    const descriptor = Object.getOwnPropertyDescriptor(globals, "SharedArrayBuffer")
    delete globals.SharedArrayBuffer
    let thrown: unknown
    try {
      createResourceManager({ pools: [{ type: "Memory", blockSize: 4096, maxCount: 4, threadSafe: true }] })
    } catch (error) {
      thrown = error
    } finally {
      if (descriptor !== undefined) Object.defineProperty(globals, "SharedArrayBuffer", descriptor)
    }
    expect(thrown).toBeInstanceOf(InvalidPoolConfig)
    expect(thrown).toMatchObject({ field: "threadSafe", value: "true" })
    expect((thrown as InvalidPoolConfig).message).toContain(
      "serve the page cross-origin isolated (COOP: same-origin, COEP: require-corp)"
    )
  })
})
