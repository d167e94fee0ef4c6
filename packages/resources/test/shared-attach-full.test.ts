/**
 * Attaching when every thread slot is taken is `ManagerClosed` (attachSharedResourceManager's doc comment,
 * docs/shared-manager.md), with pools as without. A manager's pools have one thread slot per thread index, and
 * the attachment's check of the descriptor's pool buffers found the first of them full: it threw the pool's
 * `InvalidPoolConfig` ("all 2 thread slots are attached", category Pool), a config the caller never wrote. A full
 * pool that is another manager's stays a bad descriptor.
 */
import { afterEach, describe, expect, test } from "bun:test"
import { ManagerClosed } from "@flight-hal/core"
import { SharedBlockPool } from "@flight-hal/pool"
import { attachSharedResourceManager, type SharedPoolConfig, type SharedResourceManager } from "../src/index.ts"
import { OpenedManagers } from "./support/shared-agents.ts"
import { thrown } from "./support/thrown.ts"

const opened = new OpenedManagers()
afterEach(() => opened.closeAll())

const pool: SharedPoolConfig = { type: "Memory", blockSize: 4096, blockCount: 4 }

/** The ledger as the manager's introspection shows it. */
const state = (manager: SharedResourceManager) =>
  JSON.stringify({ audit: manager.audit(), threads: manager.threads(), stats: manager.getResourceStats("Memory") })

describe("shared manager: attaching when every thread slot is taken", () => {
  for (const pools of [[], [pool], [pool, { ...pool, blockSize: 8192 }]]) {
    test(`with ${pools.length} pool(s): ManagerClosed, nothing claimed, and the next attach after a detach works`, () => {
      const m = opened.make({ maxThreads: 2, pools })
      const second = attachSharedResourceManager(m.descriptor)
      const before = state(m)
      const error = thrown(() => attachSharedResourceManager(m.descriptor))
      expect(error).toBeInstanceOf(ManagerClosed)
      expect(error).toMatchObject({ _tag: "ManagerClosed", category: "Resource" })
      expect(state(m)).toBe(before)
      second.close()
      const third = opened.attachHere(m)
      expect(third.thread).toBe(1)
      expect(m.threads()).toEqual([0, 1])
    })
  }

  test("a pool whose thread slots are all attached while a thread index is free (a slot taken by a direct attach of the pool's buffer): ManagerClosed", () => {
    const m = opened.make({ maxThreads: 2, pools: [pool] })
    const poolBuffer = m.descriptor.pools[0] as SharedArrayBuffer
    // the pool's second thread slot, taken by a direct attach of its buffer
    const leaving = SharedBlockPool.attach(poolBuffer)
    if (!leaving.ok) throw leaving.error
    try {
      const before = state(m)
      expect(thrown(() => attachSharedResourceManager(m.descriptor))).toBeInstanceOf(ManagerClosed)
      expect(state(m)).toBe(before)
    } finally {
      leaving.value.detach()
    }
    expect(opened.attachHere(m).thread).toBe(1)
  })

  test("another manager's full pool in the descriptor is still a bad descriptor, not ManagerClosed", () => {
    const m = opened.make({ maxThreads: 2, pools: [pool] })
    const other = opened.make({ maxThreads: 1, pools: [pool] }) // its creator holds its pool's only thread slot
    const before = state(m)
    const forged = { ...m.descriptor, pools: other.descriptor.pools }
    expect(thrown(() => attachSharedResourceManager(forged))).toMatchObject({
      _tag: "InvalidArgument",
      argument: "descriptor.pools"
    })
    expect(state(m)).toBe(before)
  })
})
