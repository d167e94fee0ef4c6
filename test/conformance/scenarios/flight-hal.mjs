// The conformance scenario: ONE script of observable behaviour, run by every runtime (Node and Bun on the npm
// tarballs, Deno on the TS sources, Chromium on a browser bundle). Each part returns plain data, one entry per
// check; the runner prints it as JSON and scripts/conformance.mjs compares it with `expected` and across runtimes.
// It takes the modules as arguments, so it holds no import a runtime could resolve differently.
//
//   part "core+pool" (synchronous; every runtime, the browser too): the generated tables and typed errors of
//     @flight-hal/core, a @flight-hal/pool BlockPool (alloc/free, exhaustion, double free, refused growth, trim) and
//     a PoolManager's size classes.
//   part "shared-pool" (Node, Bun, Deno): a SharedBlockPool attached twice to one SharedArrayBuffer.
//   part "resources" (Node, Bun, Deno): the plain facade of @flight-hal/resources (see resources.mjs).
//   part "shared-manager" (Node, Bun, Deno, the browser): the shared manager with two workers (see shared-manager.mjs).
import { expected as coreTablesExpected, run as runCoreTables } from "./core-tables.mjs"
import { expectedResources } from "./resources.mjs"
import { expectedSharedManager } from "./shared-manager.mjs"

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
    // a handle carries its pool's tag, which starts at a random value in each thread: the message shows it as <handle>
    error: checked.ok
      ? "freed"
      : {
          ...errorShape(checked.error),
          message: checked.error.message.replace(String(handles[1]), "<handle>"),
          issue: checked.error.issue
        },
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

  const manager = new pool.PoolManager()
  const small = manager.createPool({ type: "Memory", blockSize: 64, initialCount: 4, maxCount: 8, name: "small" })
  const large = manager.createPool({ type: "Memory", blockSize: 4096, initialCount: 1, maxCount: 2, name: "large" })
  const duplicate = manager.createPool({ type: "Memory", blockSize: 64, initialCount: 0, maxCount: 1 })
  const fromSmall = manager.allocate("Memory", 40)
  const fromLarge = manager.allocate("Memory", 100)
  const fromHeap = manager.allocate("Memory", 10000)
  const missing = manager.getPoolStats("Hardware", 64)
  checks["pool: size classes route to the smallest fitting pool"] = {
    created: [small.ok, large.ok],
    duplicate: duplicate.ok ? "created" : { tag: duplicate.error._tag, code: duplicate.error.code },
    routes: [fromSmall, fromLarge, fromHeap].map((a) => (a.ok ? [a.value.kind, a.value.view.byteLength] : "error")),
    released: [fromSmall, fromLarge, fromHeap].map((a) => a.ok && manager.release(a.value)),
    stats: manager.pools().map(({ type, pool: p }) => [type, p.name, p.stats().totalBlocks, p.stats().usedBlocks]),
    notFound: missing.ok ? "found" : missing.error._tag
  }
  return checks
}

/**
 * Part "shared-pool" (Node, Bun, Deno; a browser page has SharedArrayBuffer only when cross-origin isolated): a
 * SharedBlockPool and a second attachment to its buffer (what a worker does), freeing each other's blocks.
 */
export const runSharedPool = ({ pool }) => {
  const made = pool.SharedBlockPool.make({ name: "frames", blockSize: 256, blockCount: 16, batchSize: 4 })
  if (!made.ok) throw made.error
  const main = made.value
  const attached = pool.SharedBlockPool.attach(main.buffer)
  if (!attached.ok) throw attached.error
  const worker = attached.value
  const fromMain = Array.from({ length: 8 }, () => main.alloc())
  const fromWorker = Array.from({ length: 4 }, () => worker.alloc())
  main.view(fromMain[0]).fill(7)
  const seenByWorker = worker.view(fromMain[0])[255]
  const crossFrees = fromMain.map((h) => worker.free(h)).concat(fromWorker.map((h) => main.free(h)))
  const doubleFree = main.tryFree(fromWorker[0])
  main.flush()
  worker.detach()
  const stats = main.stats()
  return {
    "shared pool: two attachments share one SharedArrayBuffer and free each other's blocks": {
      isShared: main.buffer instanceof SharedArrayBuffer,
      handles: new Set([...fromMain, ...fromWorker]).size,
      seenByWorker,
      crossFrees: crossFrees.every(Boolean),
      doubleFree: doubleFree.ok ? "freed" : doubleFree.error.issue,
      stats: pick(stats, ["totalBlocks", "usedBlocks", "allocations", "frees"]),
      freeListIntact: main.verifySharedFreeList()
    }
  }
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
        message: "Invalid block <handle> for pool audio: already free (double free)",
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
    },
    "pool: size classes route to the smallest fitting pool": {
      created: [true, true],
      duplicate: {
        tag: "DuplicatePool",
        code: 3
      },
      routes: [
        ["pool", 64],
        ["pool", 4096],
        ["heap", 10000]
      ],
      released: [true, true, true],
      stats: [
        ["Memory", "small", 4, 0],
        ["Memory", "large", 1, 0]
      ],
      notFound: "PoolNotFound"
    }
  },
  "shared-pool": {
    "shared pool: two attachments share one SharedArrayBuffer and free each other's blocks": {
      isShared: true,
      handles: 12,
      seenByWorker: 7,
      crossFrees: true,
      doubleFree: "not allocated (already free, or never allocated)",
      stats: {
        totalBlocks: 16,
        usedBlocks: 0,
        allocations: 12,
        frees: 12
      },
      freeListIntact: 16
    }
  },
  resources: expectedResources,
  "shared-manager": expectedSharedManager
}
