// InvalidPoolConfig names the field at fault and prints its value readably (docs/pools.md, "Validation"): a block
// size over the 2 GiB limit is the block size's fault (a count of 1 cannot be lowered), and `attach` of what is no
// pool's buffer prints what it was given, under the call's name.
import { describe, expect, test } from "bun:test"
import { BlockPool, type InvalidPoolConfig, PoolManager, SharedBlockPool } from "../src/index.ts"

type Refused = { readonly ok: false; readonly error: InvalidPoolConfig }
const fieldValue = (r: { readonly ok: boolean }) => {
  const { field, value } = (r as Refused).error
  return [field, value]
}

const GiB = 2 ** 30

describe("the field at fault", () => {
  test("a block size over 2 GiB is blamed on blockSize, in each way to make a pool", () => {
    const huge = 3 * GiB
    expect(fieldValue(BlockPool.make({ name: "huge", blockSize: huge, maxCount: 1 }))).toEqual([
      "blockSize",
      String(huge)
    ])
    expect(fieldValue(SharedBlockPool.make({ name: "huge", blockSize: huge, blockCount: 1 }))).toEqual([
      "blockSize",
      String(huge)
    ])
    const manager = new PoolManager()
    for (const threadSafe of [false, true]) {
      const r = manager.createPool({ type: "Memory", blockSize: huge, initialCount: 0, maxCount: 1, threadSafe })
      expect(fieldValue(r)).toEqual(["blockSize", String(huge)])
    }
    const r = BlockPool.make({ name: "huge", blockSize: huge, maxCount: 1 }) as Refused
    expect(r.error.message).toBe(
      `Invalid pool config huge: blockSize = ${huge}: must not exceed the 2147483648-byte limit of one ArrayBuffer`
    )
  })

  test("a block size within the limit and a count over it: the count (blockCount, maxCount for createPool)", () => {
    expect(fieldValue(BlockPool.make({ blockSize: GiB, maxCount: 3 }))).toEqual(["maxCount", "3"])
    expect(fieldValue(SharedBlockPool.make({ blockSize: GiB, blockCount: 3 }))).toEqual(["blockCount", "3"])
    // 2 × 1 GiB is the limit exactly, and the shared pool's header, slots and words take it over
    expect(fieldValue(SharedBlockPool.make({ blockSize: GiB, blockCount: 2 }))).toEqual(["blockCount", "2"])
    const manager = new PoolManager()
    const shared = manager.createPool({
      type: "Memory",
      blockSize: GiB,
      initialCount: 0,
      maxCount: 2,
      threadSafe: true
    })
    expect(fieldValue(shared)).toEqual(["maxCount", "2"])
  })

  test("a shared pool whose one block fits the limit but not with its header: blockSize", () => {
    const r = SharedBlockPool.make({ name: "edge", blockSize: 2 * GiB, blockCount: 1 }) as Refused
    expect([r.error.field, r.error.value]).toEqual(["blockSize", String(2 * GiB)])
    expect(r.error.issue).toMatch(/^the pool needs \d+ bytes, over 2147483648$/)
  })
})

describe("attach of what is no pool's buffer", () => {
  test("prints the value given (its kind and length, never caller code) under the call's name", () => {
    const trap = new Proxy(
      {},
      {
        get() {
          throw new Error("a trap ran")
        },
        getPrototypeOf() {
          throw new Error("a trap ran")
        }
      }
    )
    const given: ReadonlyArray<readonly [unknown, string]> = [
      [new ArrayBuffer(4096), "an ArrayBuffer of 4096 bytes"],
      [new SharedArrayBuffer(1024), "a SharedArrayBuffer of 1024 bytes"],
      [new SharedArrayBuffer(16), "a SharedArrayBuffer of 16 bytes"],
      [new Uint8Array(new SharedArrayBuffer(512)), "an object"],
      [new DataView(new ArrayBuffer(8)), "an object"],
      [{ byteLength: 4096 }, "an object"],
      [trap, "an object"],
      [() => 0, "an object"],
      [null, "null"],
      [undefined, "undefined"],
      [4096, "4096"],
      ["buffer", '"buffer"']
    ]
    for (const [value, shown] of given) {
      const r = SharedBlockPool.attach(value as SharedArrayBuffer) as Refused
      expect([r.error.pool, r.error.field, r.error.value]).toEqual(["SharedBlockPool.attach", "buffer", shown])
    }
    const r = SharedBlockPool.attach(new ArrayBuffer(4096) as unknown as SharedArrayBuffer) as Refused
    expect(r.error.message).toBe(
      "Invalid pool config SharedBlockPool.attach: buffer = an ArrayBuffer of 4096 bytes: not the SharedArrayBuffer of a SharedBlockPool"
    )
  })

  test("a pool's buffer with a corrupt header: the same name and value", () => {
    const made = SharedBlockPool.make({ blockSize: 64, blockCount: 4, maxThreads: 1 })
    if (!made.ok) throw made.error
    const copy = new SharedArrayBuffer(made.value.buffer.byteLength)
    new Uint8Array(copy).set(new Uint8Array(made.value.buffer))
    new Int32Array(copy)[2] = 0 // blockSize
    const r = SharedBlockPool.attach(copy) as Refused
    expect([r.error.pool, r.error.field, r.error.value]).toEqual([
      "SharedBlockPool.attach",
      "buffer",
      `a SharedArrayBuffer of ${copy.byteLength} bytes`
    ])
    expect(r.error.issue).toBe("a corrupt SharedBlockPool header (blockSize out of range)")
    made.value.detach()
  })
})
