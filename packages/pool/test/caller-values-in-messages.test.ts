// How the pool package's errors print the caller's values (docs/pools.md, "Options are read once"): without running
// the caller's code (no toString, no Symbol.toPrimitive, no function source), an object or a function as its kind,
// a long string cut at 64 characters with an ellipsis and its length, and a pool named without the caller's code.
import { describe, expect, test } from "bun:test"
import { BlockPool, InvalidPoolConfig, PoolManager, SharedBlockPool } from "../src/index.ts"

/** An object whose conversions to a string or a number count their runs and answer a plausible value. */
const sneaky = (answer: string) => {
  const self = {
    runs: 0,
    toString: () => {
      self.runs++
      return answer
    },
    valueOf: () => {
      self.runs++
      return Number(answer)
    },
    [Symbol.toPrimitive]: () => {
      self.runs++
      return answer
    }
  }
  return self
}

/** The error of a Result, which must be a refusal. */
const refusal = (r: { readonly ok: true } | { readonly ok: false; readonly error: Error }): Error => {
  if (r.ok) throw new Error("accepted")
  return r.error
}

/** The `InvalidPoolConfig` of a Result, which must be one. */
const refused = (r: { readonly ok: true } | { readonly ok: false; readonly error: Error }): InvalidPoolConfig => {
  const error = refusal(r)
  if (!(error instanceof InvalidPoolConfig)) throw error
  return error
}

const HUGE = 2 ** 20
const huge = "h".repeat(HUGE)
const hugeShown = `"${"h".repeat(64)}…" (${HUGE} characters)`
/** Longer than any message should be once the caller's strings are cut. */
const BOUND = 400

function secretPluginCode() {
  return 'API_KEY = "s3cr3t"'
}

describe("objects are shown as their kind; their code is not run", () => {
  test("BlockPool.make: a blockSize object", () => {
    const blockSize = sneaky("64")
    const e = refused(BlockPool.make({ blockSize: blockSize as never, maxCount: 4 }))
    expect(blockSize.runs).toBe(0)
    expect([e.pool, e.field, e.value]).toEqual(["pool", "blockSize", "an object"])
    expect(e.message).toBe("Invalid pool config pool: blockSize = an object: must be a number")
  })

  test("PoolManager.createPool: a type, name or blockSize object", () => {
    const type = sneaky("Memory")
    const byType = refused(new PoolManager().createPool({ type: type, blockSize: 64, maxCount: 2 } as never))
    expect(type.runs).toBe(0)
    expect(byType.message).toBe("Invalid pool config pool-64: type = an object: must be a ResourceType name")

    const name = sneaky("audio")
    const byName = refused(
      new PoolManager().createPool({ type: "Memory", name: name as never, blockSize: 64, initialCount: 1, maxCount: 2 })
    )
    expect(name.runs).toBe(0)
    expect(byName.message).toBe("Invalid pool config Memory-64: name = an object: must be a non-empty string")

    const blockSize = sneaky("64")
    const bySize = refused(new PoolManager().createPool({ type: "Memory", blockSize, maxCount: 2 } as never))
    expect(blockSize.runs).toBe(0)
    expect(bySize.message).toBe("Invalid pool config Memory: blockSize = an object: must be a number")
  })

  test("an empty config names no undefined pool", () => {
    const e = refused(new PoolManager().createPool({} as never))
    expect(e.pool).toBe("pool")
    expect(e.message).not.toContain("undefined-")
  })

  test("a function is shown by its name, never its source", () => {
    const made = refused(BlockPool.make({ blockSize: secretPluginCode as never, maxCount: 4 }))
    expect(made.value).toBe("function secretPluginCode")
    const manager = refused(
      new PoolManager().createPool({ type: secretPluginCode, blockSize: 64, maxCount: 2 } as never)
    )
    expect(manager.value).toBe("function secretPluginCode")
    const allocated = refused(new PoolManager().allocate(secretPluginCode as never, 64))
    expect(allocated.message).not.toContain("API_KEY")
    const stats = refusal(new PoolManager().getPoolStats(secretPluginCode as never, 64))
    expect(stats.message).not.toContain("API_KEY")
    const shared = refused(SharedBlockPool.make({ blockSize: 64, blockCount: 4, debug: secretPluginCode as never }))
    expect(shared.value).toBe("function secretPluginCode")
    // no usable name (none, or reading it throws): by its kind
    const anonymous = Object.defineProperty(() => 1, "name", { value: "" })
    expect(refused(BlockPool.make({ blockSize: anonymous as never, maxCount: 4 })).value).toBe("a function")
    const hostile = () => 1
    Object.defineProperty(hostile, "name", {
      get() {
        throw new Error("no")
      }
    })
    expect(refused(BlockPool.make({ blockSize: hostile as never, maxCount: 4 })).value).toBe("a function")
    const long = { [`f${"x".repeat(99)}`]: () => 1 }[`f${"x".repeat(99)}`]
    expect(refused(BlockPool.make({ blockSize: long as never, maxCount: 4 })).value).toBe(
      `function f${"x".repeat(63)}… (100 characters)`
    )
  })

  test("what a hook threw: its message is cut, a thrown object is not turned into a string", () => {
    const made = SharedBlockPool.make({ blockSize: 64, blockCount: 4 })
    if (!made.ok) throw made.error
    const thrownObject = sneaky("boom")
    const byObject = (() => {
      try {
        made.value.rebuild(() => {
          throw thrownObject
        })
      } catch (e) {
        return e as InvalidPoolConfig
      }
      throw new Error("rebuild did not throw")
    })()
    expect(thrownObject.runs).toBe(0)
    expect(byObject.issue).toBe("threw (an object)")
    const byHuge = (() => {
      try {
        made.value.rebuild(() => {
          throw new Error(huge)
        })
      } catch (e) {
        return e as InvalidPoolConfig
      }
      throw new Error("rebuild did not throw")
    })()
    expect(byHuge).toBeInstanceOf(InvalidPoolConfig)
    expect(byHuge.message.length).toBeLessThan(BOUND)
    expect(byHuge.issue).toBe(`threw (${"h".repeat(64)}… (${HUGE} characters))`)
  })
})

describe("long strings are cut at 64 characters, with an ellipsis and their length", () => {
  test("a field's value", () => {
    for (const field of ["blockSize", "maxCount", "initialCount", "alignment", "debug", "admitGrowth"] as const) {
      const e = refused(BlockPool.make({ blockSize: 64, maxCount: 4, [field]: huge } as never))
      expect([e.field, e.value]).toEqual([field, hugeShown])
      expect(e.message.length).toBeLessThan(BOUND)
    }
    const config = refused(BlockPool.make(huge as never))
    expect([config.field, config.value]).toEqual(["config", hugeShown])
    expect(() => new PoolManager({ admitGrowth: huge as never })).toThrow(hugeShown)
  })

  test("a type printed once, as the value: the pool is not named after it", () => {
    const e = refused(new PoolManager().createPool({ type: huge, blockSize: 64, maxCount: 2 } as never))
    expect([e.pool, e.value]).toEqual(["pool-64", hugeShown])
    expect(e.message.length).toBeLessThan(BOUND)
    const size = refused(new PoolManager().createPool({ type: "Memory", blockSize: huge, maxCount: 2 } as never))
    expect([size.pool, size.value]).toEqual(["Memory", hugeShown])
    expect(size.message.length).toBeLessThan(BOUND)
  })

  test("allocate, getPoolStats and destroyPool with a long type", () => {
    const manager = new PoolManager()
    for (const e of [
      refused(manager.allocate(huge as never, 64)),
      refused(manager.allocate("Memory", huge as never)),
      refused(manager.allocate("Memory", 64, huge as never)),
      refusal(manager.getPoolStats(huge as never, 64)),
      refusal(manager.destroyPool(huge as never, 64))
    ]) {
      expect(e.message.length).toBeLessThan(BOUND)
    }
  })

  test("a long pool name is cut where an error names the pool", () => {
    const local = refused(BlockPool.make({ name: huge, blockSize: 64, maxCount: 4, debug: "yes" } as never))
    expect(local.pool).toBe(`${"h".repeat(64)}… (${HUGE} characters)`)
    const shared = refused(SharedBlockPool.make({ name: huge, blockSize: 64, blockCount: 4, maxThreads: 0 }))
    expect(shared.message.length).toBeLessThan(BOUND)
    const typed = refused(
      new PoolManager().createPool({ type: "Memory", name: huge, blockSize: 64, maxCount: 2, debug: 1 } as never)
    )
    expect(typed.message.length).toBeLessThan(BOUND)
    const sized = refused(
      new PoolManager().createPool({ type: "Memory", name: huge, blockSize: 0, maxCount: 2 } as never)
    )
    expect(sized.message.length).toBeLessThan(BOUND)
  })

  test("a string of 64 characters or fewer is printed whole, a surrogate pair is never cut in two", () => {
    const whole = "w".repeat(64)
    expect(refused(BlockPool.make({ blockSize: whole as never, maxCount: 4 })).value).toBe(JSON.stringify(whole))
    const pairs = `${"h".repeat(63)}😀😀`
    expect(refused(BlockPool.make({ blockSize: pairs as never, maxCount: 4 })).value).toBe(
      `"${"h".repeat(63)}…" (${pairs.length} characters)`
    )
  })
})
