// The conformance scenario: ONE script of observable behaviour, run by every runtime (Node and Bun on the npm
// tarballs, Deno on the TS sources, Chromium on a browser bundle). Each part returns plain data, one entry per
// check; the runner prints it as JSON and scripts/conformance.mjs compares it with `expected` and across runtimes.
// It takes the modules as arguments, so it holds no import a runtime could resolve differently.
//
//   part "core+pool" (synchronous; every runtime, the browser too): the generated tables and typed errors of
//     @flight-hal/core, and a @flight-hal/pool BlockPool (alloc/free, exhaustion, double free, refused growth, trim).
//   part "resources" (Node, Bun, Deno): the plain facade of @flight-hal/resources (see resources.mjs).
import { expected as coreTablesExpected, run as runCoreTables } from "./core-tables.mjs"
import { expectedResources } from "./resources.mjs"

/** The typed-error fields every runtime must agree on. */
const errorShape = (error) => ({
  tag: error._tag,
  category: error.category,
  code: error.code,
  message: error.message,
  isError: error instanceof Error
})

/** Runs the core and pool checks; `modules` = { core, pool, Schema }. */
export const runCoreAndPool = ({ core, pool, Schema }) => {
  const checks = {}
  checks["core: tables, flags, schemas and typed errors"] = runCoreTables(core, Schema)

  const invalid = pool.BlockPool.make({ name: "bad", blockSize: 0, maxCount: 4 })
  checks["pool: invalid config is a typed error"] = invalid.ok
    ? "made"
    : { ...errorShape(invalid.error), field: invalid.error.field, value: invalid.error.value }

  const deltas = []
  const made = pool.BlockPool.make({
    name: "audio",
    blockSize: 4096,
    initialCount: 2,
    maxCount: 4,
    onCapacityChange: (delta) => deltas.push(delta)
  })
  if (!made.ok) throw made.error
  const audio = made.value
  const handles = [audio.alloc(), audio.alloc(), audio.alloc(), audio.alloc()]
  const view = audio.view(handles[0])
  view.set([1, 2, 3])
  checks["pool: alloc grows to maxCount, views are zero-copy blocks"] = {
    distinct: new Set(handles).size,
    allValid: handles.every((h) => h !== pool.NO_BLOCK && audio.isAllocated(h)),
    viewBytes: view.byteLength,
    readBack: [...audio.view(handles[0]).subarray(0, 3)],
    capacityDeltas: [...deltas]
  }
  const exhausted = audio.tryAlloc()
  checks["pool: exhaustion returns NO_BLOCK and PoolExhausted"] = {
    sentinel: audio.alloc() === pool.NO_BLOCK,
    error: exhausted.ok ? "allocated" : { ...errorShape(exhausted.error), maxCount: exhausted.error.maxCount }
  }
  const freedOnce = audio.free(handles[1])
  const freedTwice = audio.free(handles[1])
  const checked = audio.tryFree(handles[1])
  checks["pool: double free is rejected and leaves the pool unchanged"] = {
    freedOnce,
    freedTwice,
    error: checked.ok ? "freed" : { ...errorShape(checked.error), issue: checked.error.issue },
    stats: pick(audio.stats(), ["totalBlocks", "usedBlocks", "freeBlocks", "allocations", "frees", "failures"])
  }
  for (const h of [handles[0], handles[2], handles[3]]) audio.free(h)
  const released = audio.trim(1)
  checks["pool: trim releases free capacity and reports it"] = {
    released,
    lastDelta: deltas.at(-1),
    stats: pick(audio.stats(), ["totalBlocks", "usedBlocks", "totalCapacityBytes", "peakUsedBlocks", "invalidFrees"])
  }

  const refused = pool.BlockPool.make({ name: "capped", blockSize: 64, maxCount: 8, admitGrowth: () => false })
  if (!refused.ok) throw refused.error
  checks["pool: growth refused by the admission hook"] = {
    alloc: refused.value.alloc() === pool.NO_BLOCK,
    stats: pick(refused.value.stats(), ["totalBlocks", "failures"])
  }
  return checks
}

const pick = (object, keys) => Object.fromEntries(keys.map((k) => [k, object[k]]))

/** What each part must produce, check by check, on every runtime. */
export const expected = {
  "core+pool": {
    "core: tables, flags, schemas and typed errors": coreTablesExpected,
    "pool: invalid config is a typed error": {
      tag: "InvalidPoolConfig",
      category: "Pool",
      code: 2,
      message: "Invalid pool config bad: blockSize = 0: must be at least 1",
      isError: true,
      field: "blockSize",
      value: "0"
    },
    "pool: alloc grows to maxCount, views are zero-copy blocks": {
      distinct: 4,
      allValid: true,
      viewBytes: 4096,
      readBack: [1, 2, 3],
      capacityDeltas: [8192, 8192]
    },
    "pool: exhaustion returns NO_BLOCK and PoolExhausted": {
      sentinel: true,
      error: {
        tag: "PoolExhausted",
        category: "Pool",
        code: 1,
        message: "Pool audio is exhausted: all 4 blocks of 4096 bytes are in use",
        isError: true,
        maxCount: 4
      }
    },
    "pool: double free is rejected and leaves the pool unchanged": {
      freedOnce: true,
      freedTwice: false,
      error: {
        tag: "InvalidBlock",
        category: "Pool",
        code: 5,
        message: "Invalid block 1 for pool audio: already free (double free)",
        isError: true,
        issue: "already free (double free)"
      },
      stats: {
        totalBlocks: 4,
        usedBlocks: 3,
        freeBlocks: 1,
        allocations: 4,
        frees: 1,
        failures: 2
      }
    },
    "pool: trim releases free capacity and reports it": {
      released: 12288,
      lastDelta: -12288,
      stats: {
        totalBlocks: 1,
        usedBlocks: 0,
        totalCapacityBytes: 4096,
        peakUsedBlocks: 4,
        invalidFrees: 2
      }
    },
    "pool: growth refused by the admission hook": {
      alloc: true,
      stats: {
        totalBlocks: 0,
        failures: 1
      }
    }
  },
  resources: expectedResources
}
