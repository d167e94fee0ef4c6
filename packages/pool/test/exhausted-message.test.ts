// PoolExhausted says why: every block in use at maxCount (the message it always had), or a growth (or the initial
// capacity) that `admitGrowth`, the pool's budget, refused: then `refusedBytes` and a message that says so. The tag,
// category, code, class and the other fields are the same either way.
import { describe, expect, test } from "bun:test"
import { BlockPool, PoolExhausted, PoolManager } from "../src/index.ts"

const refusedMessage = (pool: string, bytes: number) =>
  `Pool ${pool} could not grow by ${bytes} bytes: its budget refused them`

describe("BlockPool", () => {
  test("initial capacity refused by admitGrowth: refusedBytes is the initial capacity", () => {
    const made = BlockPool.make({
      name: "audio",
      blockSize: 64,
      initialCount: 4,
      maxCount: 16,
      admitGrowth: () => false
    })
    expect(made.ok).toBe(false)
    const error = (made as { readonly error: PoolExhausted }).error
    expect(error).toBeInstanceOf(PoolExhausted)
    expect(error).toBeInstanceOf(Error)
    expect([error._tag, error.category, error.code, error.name]).toEqual(["PoolExhausted", "Pool", 1, "PoolExhausted"])
    expect({ ...error } as Record<string, unknown>).toEqual({
      name: "PoolExhausted",
      _tag: "PoolExhausted",
      category: "Pool",
      code: 1,
      pool: "audio",
      blockSize: 64,
      maxCount: 16,
      refusedBytes: 256
    })
    expect(error.message).toBe(refusedMessage("audio", 256))
  })

  test("a growth refused below maxCount: refusedBytes is the growth; at maxCount, every block is in use", () => {
    let allowed = 2 * 64
    const admitGrowth = (bytes: number) => {
      if (bytes > allowed) return false
      allowed -= bytes
      return true
    }
    const made = BlockPool.make({ name: "audio", blockSize: 64, initialCount: 2, maxCount: 4, admitGrowth })
    if (!made.ok) throw made.error
    const pool = made.value
    expect(pool.tryAlloc().ok).toBe(true)
    expect(pool.tryAlloc().ok).toBe(true)
    // the default growth (to maxCount here: 2 blocks, 128 bytes) is refused
    const refused = pool.tryAlloc()
    expect(refused.ok).toBe(false)
    const error = (refused as { readonly error: PoolExhausted }).error
    expect(error).toBeInstanceOf(PoolExhausted)
    expect(error.refusedBytes).toBe(128)
    expect(error.message).toBe(refusedMessage("audio", 128))
    expect(pool.stats().totalBlocks).toBe(2)
    // admitted now: the pool grows to maxCount, and once every block is in use the message says so
    allowed = 128
    expect(pool.tryAlloc().ok).toBe(true)
    expect(pool.tryAlloc().ok).toBe(true)
    const full = pool.tryAlloc()
    const exhausted = (full as { readonly error: PoolExhausted }).error
    expect(exhausted).toBeInstanceOf(PoolExhausted)
    expect("refusedBytes" in exhausted).toBe(false)
    expect(exhausted.message).toBe("Pool audio is exhausted: all 4 blocks of 64 bytes are in use")
  })

  test("without admitGrowth, exhaustion at maxCount keeps its message and fields", () => {
    const made = BlockPool.make({ name: "audio", blockSize: 64, maxCount: 1 })
    if (!made.ok) throw made.error
    made.value.alloc()
    const r = made.value.tryAlloc()
    const error = (r as { readonly error: PoolExhausted }).error
    expect(Object.keys(error).sort()).toEqual(["_tag", "blockSize", "category", "code", "maxCount", "name", "pool"])
    expect(error.message).toBe("Pool audio is exhausted: all 1 blocks of 64 bytes are in use")
  })
})

describe("PoolManager.createPool", () => {
  test("a pool's initial capacity refused: refusedBytes is that capacity", () => {
    const manager = new PoolManager({ admitGrowth: () => false })
    const made = manager.createPool({
      type: "Memory",
      name: "textures",
      blockSize: 4096,
      initialCount: 300,
      maxCount: 400
    })
    const error = (made as { readonly error: PoolExhausted }).error
    expect(error).toBeInstanceOf(PoolExhausted)
    expect(error.refusedBytes).toBe(300 * 4096)
    expect(error.message).toBe(refusedMessage("textures", 1228800))
  })

  test("a threadSafe pool's whole capacity refused: refusedBytes is that capacity", () => {
    const manager = new PoolManager({ admitGrowth: () => false })
    const made = manager.createPool({
      type: "Memory",
      name: "shared",
      blockSize: 64,
      initialCount: 4,
      maxCount: 8,
      threadSafe: true
    })
    const error = (made as { readonly error: PoolExhausted }).error
    expect(error).toBeInstanceOf(PoolExhausted)
    expect([error.pool, error.blockSize, error.maxCount, error.refusedBytes]).toEqual(["shared", 64, 8, 512])
    expect(error.message).toBe(refusedMessage("shared", 512))
  })
})

describe("a growth the budget did not refuse", () => {
  const budgetMessage = /its budget refused/

  test("a pool its PoolManager destroyed: the manager refuses its growth, not the budget (no refusedBytes)", () => {
    const asked: Array<number> = []
    const manager = new PoolManager({
      admitGrowth: (_type, bytes) => {
        asked.push(bytes)
        return true
      }
    })
    const made = manager.createPool({ type: "Memory", name: "kept", blockSize: 64, initialCount: 1, maxCount: 8 })
    if (!made.ok) throw made.error
    const pool = made.value as BlockPool
    expect(pool.tryAlloc().ok).toBe(true)
    expect(manager.destroyPool("Memory", 64).ok).toBe(true)
    const r = pool.tryAlloc()
    const error = (r as { readonly error: PoolExhausted }).error
    expect(error).toBeInstanceOf(PoolExhausted)
    expect("refusedBytes" in error).toBe(false)
    expect(error.message).not.toMatch(budgetMessage)
    // the budget was never asked about that growth
    expect(asked).toEqual([64])
  })

  test("a pool its hook destroyed while the budget admitted the growth: no refusedBytes either", () => {
    let manager: PoolManager | undefined
    let destroying = false
    manager = new PoolManager({
      admitGrowth: () => {
        if (destroying) manager?.destroyPool("Memory", 64)
        return true
      }
    })
    const made = manager.createPool({ type: "Memory", name: "gone", blockSize: 64, initialCount: 1, maxCount: 8 })
    if (!made.ok) throw made.error
    const pool = made.value as BlockPool
    expect(pool.tryAlloc().ok).toBe(true)
    destroying = true
    const r = pool.tryAlloc()
    const error = (r as { readonly error: PoolExhausted }).error
    expect(error).toBeInstanceOf(PoolExhausted)
    expect("refusedBytes" in error).toBe(false)
    expect(error.message).not.toMatch(budgetMessage)
  })

  test("a growth refused because one is in progress (a hook's nested alloc): no refusedBytes", () => {
    let nested: PoolExhausted | undefined
    let pool: BlockPool | undefined
    const made = BlockPool.make({
      name: "nested",
      blockSize: 64,
      maxCount: 64,
      admitGrowth: () => {
        const r = pool?.tryAlloc()
        if (r !== undefined && !r.ok && r.error instanceof PoolExhausted) nested = r.error
        return true
      }
    })
    if (!made.ok) throw made.error
    pool = made.value
    expect(pool.tryAlloc().ok).toBe(true)
    expect(nested).toBeInstanceOf(PoolExhausted)
    expect(nested !== undefined && "refusedBytes" in nested).toBe(false)
  })
})
