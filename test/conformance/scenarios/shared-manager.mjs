// Part "shared-manager" of the conformance scenario: the shared manager of @flight-hal/resources
// (createSharedResourceManager) with two real workers, on every runtime that has them: Node (worker_threads),
// Bun and Deno (Worker), the browser (Web Workers, on a cross-origin isolated page).
//
// The main thread creates the manager and drives two workers, A and B, one step at a time (each step is a
// message and its reply), so every runtime goes through the same states in the same order:
//   attach      A, then B, attach to the manager from its descriptor (threads 1 and 2; the creator is 0)
//   loop        both acquire and release in a loop at the same time, on the one Memory budget
//   wait        A holds most of the budget; B's NonBlocking request is refused, its Blocking one waits, and it
//               is granted when A releases
//   share       a handle acquired in A is shared in B: the resource lives until both released it
//   stats       the global stats and the per-thread stats add up
//   close       the workers detach, the main thread closes: no leaks anywhere
//   leases      a second manager with leaseBytes: both workers attach and loop at once again; usage excludes
//               the leased bytes, the peak counts them, nothing is left after the close
// A runtime's runner provides `spawn()` (a started worker running `serveSharedManagerWorker`) and the modules.

const memory = (sizeBytes) => ({ type: "Memory", sizeBytes })
const LOOP = 100
const STEP_MILLIS = 20_000

/** The fields of a typed error every runtime must agree on. */
const shape = (error) => ({
  tag: error?._tag,
  category: error?.category,
  code: error?.code,
  message: error?.message
})
const memoryOf = (threadStats) => {
  const { currentUsage, allocationCount, releaseCount, failedCount } = threadStats.find((s) => s.type === "Memory")
  return { currentUsage, allocationCount, releaseCount, failedCount }
}
const globalOf = (manager) => {
  const s = manager.getResourceStats("Memory")
  return {
    currentUsage: s.currentUsage,
    peakUsage: s.peakUsage,
    allocationCount: s.allocationCount,
    releaseCount: s.releaseCount,
    failedCount: s.failedCount,
    waiting: s.waiting
  }
}
const holdersOf = (info) => ({
  name: info.name,
  owner: info.owner,
  holders: [...info.holders],
  sizeBytes: info.sizeBytes
})

/**
 * The worker's side: answers the main thread's steps. `port` = { post(message), listen(callback) } over the
 * runtime's worker messaging; `resources` is @flight-hal/resources as the worker imported it.
 */
export const serveSharedManagerWorker = ({ resources, port }) => {
  let manager
  const held = new Map()
  let waiting
  const usage = () => manager.getResourceStats("Memory").currentUsage
  const steps = {
    attach: ({ descriptor }) => {
      manager = resources.attachSharedResourceManager(descriptor)
      return { thread: manager.thread, isCreator: manager.isCreator, label: manager.label }
    },
    loop: ({ count, sizeBytes }) => {
      let slots = 0
      for (let i = 0; i < count; i++) {
        const ref = manager.acquire(memory(sizeBytes))
        slots += ref.payload.byteLength === sizeBytes ? 1 : 0
        ref.release()
      }
      return { pairs: count, payloads: slots }
    },
    acquire: ({ key, sizeBytes, name }) => {
      const ref = manager.acquire(memory(sizeBytes), name === undefined ? undefined : { name })
      held.set(key, ref)
      return { handle: ref.handle, usage: usage() }
    },
    refused: ({ sizeBytes }) => {
      try {
        manager.acquire(memory(sizeBytes))
        return "admitted"
      } catch (error) {
        return shape(error)
      }
    },
    wait: ({ key, sizeBytes }) => {
      // the request is queued before acquireAsync returns; the grant arrives through the ledger
      waiting = manager.acquireAsync(memory(sizeBytes), { mode: "Blocking" }).then((ref) => {
        held.set(key, ref)
        return ref
      })
      return { waiting: manager.getResourceStats("Memory").waiting }
    },
    granted: async () => {
      const ref = await waiting
      return { sizeBytes: ref.metadata.sizeBytes, usage: usage(), released: ref.released }
    },
    share: ({ key, handle }) => {
      const ref = manager.share(handle)
      held.set(key, ref)
      return { info: holdersOf(manager.info(handle)), payloadBytes: ref.payload.byteLength }
    },
    shareAgain: ({ handle }) => {
      try {
        manager.share(handle)
        return "shared"
      } catch (error) {
        return shape(error)
      }
    },
    release: ({ key }) => {
      held.get(key).release()
      held.delete(key)
      return { usage: usage() }
    },
    close: () => manager.close().map((leak) => leak.name)
  }
  port.listen(async (message) => {
    try {
      port.post({ id: message.id, value: await steps[message.step](message) })
    } catch (error) {
      port.post({ id: message.id, error: { ...shape(error), stack: String(error?.stack ?? error) } })
    }
  })
  port.post({ ready: true })
}

/** A port over a Web Worker, or over a worker's own global scope (`self`): what `spawn()` returns. */
export const webPort = (target) => ({
  post: (message) => target.postMessage(message),
  listen: (callback) => {
    target.onmessage = (event) => callback(event.data)
  },
  terminate: () => target.terminate?.()
})

/** A promise of `what` that rejects after STEP_MILLIS; its `resolve` and `reject` also stop the timer. */
const timed = (what) => {
  const out = {}
  out.promise = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker ${what} timed out`)), STEP_MILLIS)
    out.resolve = (value) => {
      clearTimeout(timer)
      resolve(value)
    }
    out.reject = (error) => {
      clearTimeout(timer)
      reject(error)
    }
  })
  return out
}

/** A worker the main thread talks to step by step: `call(step, args)` resolves with the worker's answer. */
const driven = (worker) => {
  let next = 0
  const replies = new Map()
  const started = timed("start")
  worker.listen((message) => {
    if (message.ready) return started.resolve()
    const reply = replies.get(message.id)
    replies.delete(message.id)
    if (message.error) reply.reject(new Error(`worker step failed: ${JSON.stringify(message.error)}`))
    else reply.resolve(message.value)
  })
  const call = (step, args = {}) => {
    const id = next++
    const reply = timed(`step ${step}`)
    replies.set(id, reply)
    worker.post({ id, step, ...args })
    return reply.promise
  }
  return { started: started.promise, call, terminate: () => worker.terminate() }
}

/**
 * Runs the two-worker checks; `modules` = { core, resources, spawn }, where `spawn()` starts a worker running
 * {@link serveSharedManagerWorker} and returns { post(message), listen(callback), terminate() }.
 */
export const runSharedManager = async ({ core, resources, spawn }) => {
  const checks = {}
  const unavailable = new core.SharedMemoryUnavailable({ issue: "no SharedArrayBuffer" })
  checks["shared manager: SharedMemoryUnavailable is a typed Platform error"] = {
    ...shape(unavailable),
    isError: unavailable instanceof Error
  }
  const manager = resources.createSharedResourceManager({
    label: "conformance",
    maxThreads: 4,
    budgets: { Memory: { maxBytes: 4096, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 } }
  })
  const workers = [driven(spawn()), driven(spawn())]
  try {
    await Promise.all(workers.map((w) => w.started))
    const [a, b] = workers

    // attach: A first, then B, so that their thread indexes are the same on every runtime
    const attachedA = await a.call("attach", { descriptor: manager.descriptor })
    const attachedB = await b.call("attach", { descriptor: manager.descriptor })
    checks["shared manager: two workers attach to one ledger"] = {
      creator: { thread: manager.thread, isCreator: manager.isCreator },
      workers: [attachedA, attachedB],
      threads: [...manager.threads()]
    }

    // loop: both at once on the same budget
    const loops = await Promise.all(workers.map((w) => w.call("loop", { count: LOOP, sizeBytes: 64 })))
    const { peakUsage, ...afterLoops } = globalOf(manager)
    checks["shared manager: two workers acquire and release at once on one budget"] = {
      loops,
      global: afterLoops,
      // 128 when the two loops overlapped, 64 when one ran before the other
      peakOneOrTwoHeld: peakUsage === 64 || peakUsage === 128,
      perThread: [1, 2].map((t) => memoryOf(manager.threadStats(t)))
    }

    // wait: B waits for bytes A holds, and is granted when A releases them
    const big = await a.call("acquire", { key: "big", sizeBytes: 3000, name: "big" })
    const refused = await b.call("refused", { sizeBytes: 2000 })
    const queued = await b.call("wait", { key: "granted", sizeBytes: 2000 })
    const whileWaiting = { ...globalOf(manager), big: holdersOf(manager.find("big")) }
    const released = await a.call("release", { key: "big" })
    const granted = await b.call("granted")
    const afterGrant = globalOf(manager)
    await b.call("release", { key: "granted" })
    checks["shared manager: a Blocking wait is granted when the other worker releases"] = {
      heldByA: big.usage,
      refusedInB: refused,
      queued,
      whileWaiting,
      // A's release grants B's request in the same step (under the ledger's lock): B's bytes are already charged
      usageAfterARelease: released.usage,
      granted,
      afterGrant,
      afterBRelease: manager.getResourceStats("Memory").currentUsage
    }

    // share: a handle acquired in A becomes B's too
    const frame = await a.call("acquire", { key: "frame", sizeBytes: 512, name: "frame" })
    const shared = await b.call("share", { key: "frame", handle: frame.handle })
    const byMain = holdersOf(manager.info(frame.handle))
    const afterA = await a.call("release", { key: "frame" })
    const stillLive = holdersOf(manager.find("frame"))
    const afterB = await b.call("release", { key: "frame" })
    checks["shared manager: a handle from worker A is shared in worker B"] = {
      inB: shared,
      byMain,
      afterARelease: { usage: afterA.usage, info: stillLive },
      afterBRelease: afterB.usage,
      // its message names the slot and generation, which depend on the order of the loops' releases
      shareAfterRelease: (({ message, ...error }) => error)(await b.call("shareAgain", { handle: frame.handle }))
    }

    // stats: the global counts are the sums of the threads'
    const perThread = [0, 1, 2].map((t) => memoryOf(manager.threadStats(t)))
    const global = globalOf(manager)
    const sum = (key) => perThread.reduce((total, s) => total + s[key], 0)
    checks["shared manager: global and per-thread stats add up"] = {
      global,
      perThread,
      sumsMatch: ["allocationCount", "releaseCount", "failedCount", "currentUsage"].every((k) => sum(k) === global[k])
    }

    // close: the workers detach, then the creator closes
    const workerLeaks = [await a.call("close"), await b.call("close")]
    const threadsAfterDetach = [...manager.threads()]
    const leaks = manager.close()
    let afterClose
    try {
      manager.acquire(memory(1))
      afterClose = "admitted"
    } catch (error) {
      afterClose = error._tag
    }
    checks["shared manager: close() after the workers detach reports no leaks"] = {
      workerLeaks,
      threadsAfterDetach,
      leaks: leaks.length,
      afterClose
    }

    // leases: the same loops on a manager whose threads lease budget bytes (the ceiling is 2047 bytes)
    const leased = resources.createSharedResourceManager({
      label: "conformance, leased",
      maxThreads: 4,
      budgets: { Memory: { maxBytes: 4096, reservedBytes: 0, warningPercent: 50, criticalPercent: 90 } },
      leaseBytes: 256
    })
    try {
      for (const w of workers) await w.call("attach", { descriptor: leased.descriptor })
      const leasedLoops = await Promise.all(workers.map((w) => w.call("loop", { count: LOOP, sizeBytes: 64 })))
      const { peakUsage: leasedPeak, ...afterLeasedLoops } = globalOf(leased)
      const leasedWorkerLeaks = [await a.call("close"), await b.call("close")]
      checks["shared manager: two workers on leased budget bytes"] = {
        loops: leasedLoops,
        global: afterLeasedLoops,
        // a worker's first pair is charged to usage, then it leases 256 bytes: the peak counts the lease
        peakCountsALease: leasedPeak >= 64 + 256,
        perThread: [1, 2].map((t) => memoryOf(leased.threadStats(t))),
        workerLeaks: leasedWorkerLeaks,
        afterDetach: leased.getResourceStats("Memory").currentUsage
      }
    } finally {
      leased.close()
    }
  } finally {
    for (const w of workers) w.terminate()
    manager.close()
  }
  return checks
}

/** What the "shared-manager" part must produce on every runtime. */
export const expectedSharedManager = {
  "shared manager: SharedMemoryUnavailable is a typed Platform error": {
    tag: "SharedMemoryUnavailable",
    category: "Platform",
    code: 3,
    message: "Shared memory is not available: no SharedArrayBuffer",
    isError: true
  },
  "shared manager: two workers attach to one ledger": {
    creator: {
      thread: 0,
      isCreator: true
    },
    workers: [
      {
        thread: 1,
        isCreator: false,
        label: "conformance"
      },
      {
        thread: 2,
        isCreator: false,
        label: "conformance"
      }
    ],
    threads: [0, 1, 2]
  },
  "shared manager: two workers acquire and release at once on one budget": {
    loops: [
      {
        pairs: 100,
        payloads: 100
      },
      {
        pairs: 100,
        payloads: 100
      }
    ],
    global: {
      currentUsage: 0,
      allocationCount: 200,
      releaseCount: 200,
      failedCount: 0,
      waiting: 0
    },
    peakOneOrTwoHeld: true,
    perThread: [
      {
        currentUsage: 0,
        allocationCount: 100,
        releaseCount: 100,
        failedCount: 0
      },
      {
        currentUsage: 0,
        allocationCount: 100,
        releaseCount: 100,
        failedCount: 0
      }
    ]
  },
  "shared manager: a Blocking wait is granted when the other worker releases": {
    heldByA: 3000,
    refusedInB: {
      tag: "BudgetExceeded",
      category: "Resource",
      code: 2,
      message: "Budget exceeded for Memory: requested 2000 bytes, 1096 available of limit 4096"
    },
    queued: {
      waiting: 1
    },
    whileWaiting: {
      currentUsage: 3000,
      peakUsage: 3000,
      allocationCount: 201,
      releaseCount: 200,
      failedCount: 1,
      waiting: 1,
      big: {
        name: "big",
        owner: 1,
        holders: [1],
        sizeBytes: 3000
      }
    },
    usageAfterARelease: 2000,
    granted: {
      sizeBytes: 2000,
      usage: 2000,
      released: false
    },
    afterGrant: {
      currentUsage: 2000,
      peakUsage: 3000,
      allocationCount: 202,
      releaseCount: 201,
      failedCount: 1,
      waiting: 0
    },
    afterBRelease: 0
  },
  "shared manager: a handle from worker A is shared in worker B": {
    inB: {
      info: {
        name: "frame",
        owner: 1,
        holders: [1, 2],
        sizeBytes: 512
      },
      payloadBytes: 512
    },
    byMain: {
      name: "frame",
      owner: 1,
      holders: [1, 2],
      sizeBytes: 512
    },
    afterARelease: {
      usage: 512,
      info: {
        name: "frame",
        owner: 1,
        holders: [2],
        sizeBytes: 512
      }
    },
    afterBRelease: 0,
    shareAfterRelease: {
      tag: "StaleHandle",
      category: "Resource",
      code: 5
    }
  },
  "shared manager: global and per-thread stats add up": {
    global: {
      currentUsage: 0,
      peakUsage: 3000,
      allocationCount: 203,
      releaseCount: 203,
      failedCount: 1,
      waiting: 0
    },
    perThread: [
      {
        currentUsage: 0,
        allocationCount: 0,
        releaseCount: 0,
        failedCount: 0
      },
      {
        currentUsage: 0,
        allocationCount: 102,
        releaseCount: 102,
        failedCount: 0
      },
      {
        currentUsage: 0,
        allocationCount: 101,
        releaseCount: 101,
        failedCount: 1
      }
    ],
    sumsMatch: true
  },
  "shared manager: close() after the workers detach reports no leaks": {
    workerLeaks: [[], []],
    threadsAfterDetach: [0],
    leaks: 0,
    afterClose: "ManagerClosed"
  },
  "shared manager: two workers on leased budget bytes": {
    loops: [
      { pairs: 100, payloads: 100 },
      { pairs: 100, payloads: 100 }
    ],
    global: { currentUsage: 0, allocationCount: 200, releaseCount: 200, failedCount: 0, waiting: 0 },
    peakCountsALease: true,
    perThread: [
      { currentUsage: 0, allocationCount: 100, releaseCount: 100, failedCount: 0 },
      { currentUsage: 0, allocationCount: 100, releaseCount: 100, failedCount: 0 }
    ],
    workerLeaks: [[], []],
    afterDetach: 0
  }
}
