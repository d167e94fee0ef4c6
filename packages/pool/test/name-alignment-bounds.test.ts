// A pool's name and alignment are bounded as a resource's are (docs/pools.md, "Validation"): a name of at most
// MAX_NAME_LENGTH characters (a 1 MiB name was kept and went into metric labels, stats and printed forms), an
// alignment of at most MAX_ALIGNMENT, 2^30, as a resource's `alignmentBytes` (a config took up to 2^31), both
// refused with `InvalidPoolConfig` naming the field, by every way a pool is made.
import { describe, expect, test } from "bun:test"
import {
  ALIGNMENT_RULE,
  BlockPool,
  InvalidPoolConfig,
  MAX_ALIGNMENT,
  MAX_NAME_LENGTH,
  PoolManager,
  SharedBlockPool,
  validateLayout,
  validatePoolConfig
} from "../src/index.ts"

/** The `InvalidPoolConfig` of a Result, which must be one. */
const refused = (r: { readonly ok: true } | { readonly ok: false; readonly error: Error }): InvalidPoolConfig => {
  if (r.ok) throw new Error("accepted")
  if (!(r.error instanceof InvalidPoolConfig)) throw r.error
  return r.error
}

/** `{ alignment }`, or nothing for the default. */
const aligned = (alignment: number | undefined): { readonly alignment?: number } =>
  alignment === undefined ? {} : { alignment }

const longest = "n".repeat(MAX_NAME_LENGTH)
const tooLong = "n".repeat(MAX_NAME_LENGTH + 1)
const huge = "h".repeat(2 ** 20)

/** Every way of making a pool, given a name and an alignment. */
const makers: ReadonlyArray<
  readonly [string, (name: string, alignment?: number) => { readonly ok: true } | { readonly ok: false; error: Error }]
> = [
  ["validateLayout", (name, alignment) => validateLayout({ name, blockSize: 64, maxCount: 1, ...aligned(alignment) })],
  [
    "validatePoolConfig",
    (name, alignment) =>
      validatePoolConfig({ type: "Memory", name, blockSize: 64, initialCount: 0, maxCount: 1, ...aligned(alignment) })
  ],
  ["BlockPool.make", (name, alignment) => BlockPool.make({ name, blockSize: 64, maxCount: 1, ...aligned(alignment) })],
  [
    "PoolManager.createPool",
    (name, alignment) =>
      new PoolManager().createPool({
        type: "Memory",
        name,
        blockSize: 64,
        initialCount: 0,
        maxCount: 1,
        ...aligned(alignment)
      })
  ],
  [
    "SharedBlockPool.make",
    (name, alignment) => SharedBlockPool.make({ name, blockSize: 64, blockCount: 1, ...aligned(alignment) })
  ]
]

describe("a pool's name has at most MAX_NAME_LENGTH characters", () => {
  test("the bound is 256", () => {
    expect(MAX_NAME_LENGTH).toBe(256)
  })

  for (const [what, make] of makers) {
    test(`${what}: ${MAX_NAME_LENGTH} characters are taken, one more is InvalidPoolConfig (name), a 1 MiB one too`, () => {
      expect(make(longest).ok).toBe(true)
      const over = refused(make(tooLong))
      expect(over.field).toBe("name")
      expect(over.issue).toBe(`must have at most ${MAX_NAME_LENGTH} characters`)
      expect(over.pool).toBe(`${"n".repeat(64)}… (${MAX_NAME_LENGTH + 1} characters)`)
      const byHuge = refused(make(huge))
      expect(byHuge.field).toBe("name")
      expect(byHuge.message.length).toBeLessThan(400)
    })
  }

  test("a pool made with the longest name keeps it", () => {
    const made = BlockPool.make({ name: longest, blockSize: 64, maxCount: 1 })
    if (!made.ok) throw made.error
    expect(made.value.stats().name).toBe(longest)
  })
})

describe("a pool's alignment is at most MAX_ALIGNMENT, 2^30, as a resource's alignmentBytes", () => {
  test("the bound and its wording", () => {
    expect(MAX_ALIGNMENT).toBe(2 ** 30)
    expect(ALIGNMENT_RULE).toBe("a power of two between 1 and 2^30")
  })

  for (const [what, make] of makers) {
    test(`${what}: 2^31 is InvalidPoolConfig (alignment) with the one wording`, () => {
      const error = refused(make("p", 2 ** 31))
      expect(error.field).toBe("alignment")
      expect(error.issue).toBe(`must be ${ALIGNMENT_RULE}`)
      expect(refused(make("p", 3)).issue).toBe(`must be ${ALIGNMENT_RULE}`)
    })
  }

  test("2^30 is taken (validateLayout: nothing allocated)", () => {
    const layout = validateLayout({ name: "p", blockSize: 1, maxCount: 1, alignment: MAX_ALIGNMENT })
    expect(layout.ok && layout.value.blockSize).toBe(MAX_ALIGNMENT)
  })

  test("allocate says the same", () => {
    const a = new PoolManager().allocate("Memory", 10, 2 ** 31)
    expect(!a.ok && a.error.issue).toBe(`must be ${ALIGNMENT_RULE}`)
  })
})
