// Part "resources" of the conformance scenario: the plain facade of @flight-hal/resources (createResourceManager),
// as a user without Effect drives it. Plain JS (Node 20 has no `using` syntax): `using x = …` is written as
// try/finally around `x[Symbol.dispose]()`, which is what TypeScript emits for it.
// Nothing here depends on time: the only timed wait (Timeout mode) has nothing that could release in time.

/** The fields of a thrown error every runtime must agree on (its tag, class data and message). */
const caught = (f) => {
  try {
    f()
    return "no error"
  } catch (error) {
    return shape(error)
  }
}
const rejected = async (promise) => {
  try {
    await promise
    return "no error"
  } catch (error) {
    return shape(error)
  }
}
const shape = (error) => {
  const { _tag, category, code, message } = error
  const data = {}
  for (const key of Object.keys(error).sort()) {
    if (["_tag", "category", "code", "message", "stack", "cause"].includes(key)) continue
    data[key] = error[key]
  }
  return { tag: _tag, category, code, message, isError: error instanceof Error, data }
}
/** Pressure callbacks run in a microtask after the state change: let them run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0))
const dispose = (ref) => ref[Symbol.dispose]()

const memory = (sizeBytes, extra = {}) => ({ type: "Memory", sizeBytes, ...extra })
const budget = (maxBytes, reservedBytes, warningPercent, criticalPercent) => ({
  maxBytes,
  reservedBytes,
  warningPercent,
  criticalPercent
})

/**
 * Runs the resource-manager checks; `modules` = { core, resources, inspect }, where `inspect` is the runtime's
 * own printer (what console.log shows: util.inspect on Node, Bun.inspect on Bun, Deno.inspect on Deno).
 */
export const runResources = async ({ core, resources, inspect }) => {
  const checks = {}
  const quiet = { detectGarbageCollectedLeaks: false, onLeaks: () => {} }

  // RAII: a ref is released when its scope ends; release is idempotent; a released ref refuses access.
  {
    const manager = resources.createResourceManager({ ...quiet, budgets: { Memory: budget(1 << 20, 0, 75, 90) } })
    let inside
    let ref
    {
      const texture = manager.acquire("texture", memory(4096))
      try {
        ref = texture
        inside = {
          payloadBytes: texture.payload.byteLength,
          usage: manager.getResourceStats("Memory").currentUsage,
          live: manager.snapshot().liveResources
        }
      } finally {
        dispose(texture)
      }
    }
    ref.release()
    checks["raii: released at scope end, idempotent, released ref refuses access"] = {
      inside,
      after: { usage: manager.getResourceStats("Memory").currentUsage, released: ref.released },
      access: caught(() => ref.payload),
      leaks: manager.close().length
    }
  }

  // Budgets, the critical reserve, emergency admission and pressure events.
  {
    const manager = resources.createResourceManager({
      ...quiet,
      hysteresisPercent: 0,
      budgets: { Memory: budget(1000, 100, 50, 80) }
    })
    const events = []
    manager.registerPressureCallback((event) => events.push(`${event.from}->${event.to}@${event.stats.currentUsage}`))
    manager.registerPressureCallback(() => {
      throw new Error("a failing callback is isolated")
    })
    const held = []
    const warn = console.warn
    console.warn = () => {}
    try {
      held.push(manager.acquire("a", memory(500)))
      await settle()
      held.push(manager.acquire("b", memory(200)))
      await settle()
      held.push(manager.acquire("c", memory(150)))
      await settle()
      const overBudget = caught(() => manager.acquire("d", memory(100)))
      const impossible = await rejected(manager.acquireAsync("huge", memory(5000), { mode: "Blocking" }))
      held.push(manager.acquire("critical", memory(100, { priority: "Critical" })))
      await settle()
      held.push(manager.acquire("emergency", memory(200), { mode: "Emergency" }))
      await settle()
      const stats = manager.getResourceStats("Memory")
      for (const ref of held) ref.release()
      await settle()
      checks["budgets: reserve, emergency, BudgetExceeded, pressure events on level changes"] = {
        overBudget,
        impossible,
        atPeak: { usage: stats.currentUsage, emergencyCount: stats.emergencyCount, pressure: stats.pressure },
        afterRelease: manager.getResourceStats("Memory").currentUsage,
        events
      }
    } finally {
      console.warn = warn
    }
    const invalid = caught(() => manager.setBudget("Memory", budget(100, 0, 90, 50)))
    checks["budgets: invalid budget is a typed error"] = { tag: invalid.tag, resourceType: invalid.data.resourceType }
    manager.close()
  }

  // Pools: pool capacity is charged to the type; the manager trims free pool blocks before failing a request.
  {
    const manager = resources.createResourceManager({
      ...quiet,
      budgets: { Memory: budget(600, 0, 75, 90) },
      pools: [{ type: "Memory", blockSize: 64, initialCount: 2, maxCount: 4, name: "small" }]
    })
    const usage = () => manager.getResourceStats("Memory").currentUsage
    const pool = () => {
      const s = manager.snapshot().pools.find((p) => p.name === "small")
      return s && { totalBlocks: s.totalBlocks, usedBlocks: s.usedBlocks }
    }
    const initial = { usage: usage(), pool: pool() }
    const blocks = ["v0", "v1", "v2"].map((name) => manager.acquire(name, memory(64)))
    const grown = { usage: usage(), pool: pool(), payloadBytes: blocks[0].payload.byteLength }
    for (const b of blocks) b.release()
    const freed = { usage: usage(), pool: pool() }
    const big = manager.acquire("big", memory(500))
    checks["pools: capacity charged to the budget, trimmed before a request fails"] = {
      initial,
      grown,
      freed,
      afterBigRequest: { usage: usage(), pool: pool() }
    }
    big.release()
    manager.close()
  }

  // Sharing between drivers: bytes counted once, freed when the last holder releases.
  {
    const manager = resources.createResourceManager({ ...quiet, budgets: { Memory: budget(1 << 20, 0, 75, 90) } })
    const shareable = core.ResourceFlags.combine("Shareable", "GPUAccessible")
    const vbo = manager.acquire("vertex-buffer", memory(65536, { flags: shareable }), { owner: "graphics" })
    const plain = manager.acquire("scratch", memory(16), { owner: "graphics" })
    const audio = manager.share(vbo.handle, "audio")
    const shared = { holders: manager.holders(vbo.handle), usage: manager.getResourceStats("Memory").currentUsage }
    const again = caught(() => manager.share(vbo.handle, "audio"))
    const notShareable = caught(() => manager.share(plain.handle, "audio"))
    vbo.release()
    const afterOwner = { holders: manager.holders(vbo.handle), usage: manager.getResourceStats("Memory").currentUsage }
    audio.release()
    checks["sharing: counted once, live until the last holder, typed refusals"] = {
      shared,
      again,
      notShareable,
      afterOwner,
      afterLast: manager.getResourceStats("Memory").currentUsage,
      shareReleased: caught(() => manager.share(vbo.handle, "physics")).tag
    }
    plain.release()
    manager.close()
  }

  // Deadlock detection before waiting: a two-driver name cycle and a self-deadlock on bytes (between
  // sequential drivers: every other owner is concurrent).
  {
    const manager = resources.createResourceManager({
      ...quiet,
      budgets: { Hardware: budget(2, 0, 50, 90) },
      drivers: { graphics: { sequential: true }, audio: { sequential: true }, physics: { sequential: true } }
    })
    const hw = (sizeBytes) => ({ type: "Hardware", sizeBytes })
    const dma = manager.acquire("dma0", hw(0), { owner: "graphics" })
    const timer = manager.acquire("timer0", hw(0), { owner: "audio" })
    const graphicsWaits = manager.acquireAsync("timer0", hw(0), { owner: "graphics", mode: "Blocking" })
    const waiting = manager.driverStats("graphics").waiting
    const cycle = await rejected(manager.acquireAsync("dma0", hw(0), { owner: "audio", mode: "Blocking" }))
    timer.release()
    const granted = await graphicsWaits
    const grantedTo = granted.driver
    granted.release()
    dma.release()
    const both = manager.acquire("channels", hw(2), { owner: "physics" })
    const self = await rejected(manager.acquireAsync("one-more", hw(1), { owner: "physics", mode: "Blocking" }))
    const timedOut = await rejected(
      manager.acquireAsync("late", hw(1), { owner: "input", mode: "Timeout", timeoutMillis: 1 })
    )
    both.release()
    checks["deadlock: detected before waiting, the other waiter is granted"] = {
      waiting,
      cycle: { tag: cycle.tag, drivers: [...cycle.data.drivers].sort() },
      grantedTo,
      self: { tag: self.tag, drivers: self.data.drivers },
      timedOut: { tag: timedOut.tag, resource: timedOut.data.resource, resourceType: timedOut.data.resourceType },
      usageAfter: manager.getResourceStats("Hardware").currentUsage
    }
    manager.close()
  }

  // The other typed errors, and the leak report of close().
  {
    const manager = resources.createResourceManager({ ...quiet, budgets: { Memory: budget(1 << 20, 0, 75, 90) } })
    const a = manager.acquire("a", memory(8))
    const b = manager.acquire("b", memory(8))
    manager.addDependency(a.handle, b.handle)
    checks["errors: typed errors of the facade"] = {
      invalidMetadata: caught(() => manager.acquire("bad", memory(-1))).tag,
      busy: caught(() => manager.acquire("a", memory(8))),
      cycle: caught(() => manager.addDependency(b.handle, a.handle)).tag,
      categories: ["BudgetExceeded", "NotShareable", "DependencyCycle", "DeadlockDetected", "PoolExhausted"].map(
        (tag) => [tag, core[tag].category, core[tag].code]
      )
    }
    manager.acquire("forgotten", memory(32), { owner: "audio" })
    a.release()
    b.release()
    const leaks = manager.close()
    checks["leaks: close() releases and reports what is still live"] = {
      leaks: leaks.map((l) => ({ name: l.name, type: l.type, sizeBytes: l.sizeBytes, owner: l.owner })),
      afterClose: caught(() => manager.acquire("late", memory(1))).tag
    }
  }
  // What console.log shows of a ref, a shared handle, a manager and an error: one line each (an error: its
  // first line, then its stack's frames).
  {
    const manager = resources.createResourceManager({
      ...quiet,
      label: "game",
      budgets: { Memory: budget(1 << 20, 0, 75, 90) }
    })
    const ref = manager.acquire("texture", memory(4096, { flags: core.ResourceFlag.Shareable }))
    const shared = manager.share(ref.handle, "audio")
    const error = caught(() => manager.acquire("huge", memory(1 << 21)))
    const thrown = (() => {
      try {
        manager.acquire("huge", memory(1 << 21))
      } catch (e) {
        return e
      }
    })()
    const printed = {
      ref: inspect(ref),
      shared: inspect(shared),
      manager: inspect(manager),
      // Bun prints a trailing comma inside brackets; Node and Deno do not
      nested: inspect([ref])
        .replace(/,?\s+\]/, " ]")
        .replace(/\[\s+/, "[ "),
      error: inspect(thrown).split("\n")[0],
      errorFramesOnly: inspect(thrown)
        .split("\n")
        .slice(1)
        .every((line) => /^\s+at\s/.test(line)),
      errorTag: error.tag
    }
    shared.release()
    ref.release()
    printed.released = inspect(ref)
    // the tag, then the message: in String() and in the stack's first line (what a logger prints), on every runtime
    const releasedError = (() => {
      try {
        return ref.payload
      } catch (e) {
        return e
      }
    })()
    printed.errorString = [String(thrown), String(releasedError)]
    printed.errorStackHead = [thrown.stack.split("\n")[0], releasedError.stack.split("\n")[0]]
    printed.errorFields = { name: releasedError.name, resource: releasedError.resource }
    manager.close()
    printed.closed = inspect(manager)
    checks["inspect: one line per ref, handle, manager and error"] = printed
  }
  return checks
}

/** What the "resources" part must produce on every runtime. */
export const expectedResources = {
  "raii: released at scope end, idempotent, released ref refuses access": {
    inside: {
      payloadBytes: 4096,
      usage: 4096,
      live: 1
    },
    after: {
      usage: 0,
      released: true
    },
    access: {
      tag: "ResourceReleased",
      category: "Resource",
      code: 6,
      message: "Resource texture was already released",
      isError: true,
      data: {
        resource: "texture"
      }
    },
    leaks: 0
  },
  "budgets: reserve, emergency, BudgetExceeded, pressure events on level changes": {
    overBudget: {
      tag: "BudgetExceeded",
      category: "Resource",
      code: 2,
      message: "Budget exceeded for Memory: requested 100 bytes, 50 available of limit 900",
      isError: true,
      data: {
        available: 50,
        limit: 900,
        requested: 100,
        resourceType: "Memory"
      }
    },
    impossible: {
      tag: "BudgetExceeded",
      category: "Resource",
      code: 2,
      message: "Budget exceeded for Memory: requested 5000 bytes, 50 available of limit 900",
      isError: true,
      data: {
        available: 50,
        limit: 900,
        requested: 5000,
        resourceType: "Memory"
      }
    },
    atPeak: {
      usage: 1150,
      emergencyCount: 1,
      pressure: "Critical"
    },
    afterRelease: 0,
    events: [
      "None->Low@500",
      "Low->Medium@700",
      "Medium->High@850",
      "High->Critical@950",
      "Critical->Medium@650",
      "Medium->None@450"
    ]
  },
  "budgets: invalid budget is a typed error": {
    tag: "InvalidBudget",
    resourceType: "Memory"
  },
  "pools: capacity charged to the budget, trimmed before a request fails": {
    initial: {
      usage: 128,
      pool: {
        totalBlocks: 2,
        usedBlocks: 0
      }
    },
    grown: {
      usage: 256,
      pool: {
        totalBlocks: 4,
        usedBlocks: 3
      },
      payloadBytes: 64
    },
    freed: {
      usage: 256,
      pool: {
        totalBlocks: 4,
        usedBlocks: 0
      }
    },
    afterBigRequest: {
      usage: 500,
      pool: {
        totalBlocks: 0,
        usedBlocks: 0
      }
    }
  },
  "sharing: counted once, live until the last holder, typed refusals": {
    shared: {
      holders: ["graphics", "audio"],
      usage: 65552
    },
    again: {
      tag: "AlreadyShared",
      category: "Sharing",
      code: 2,
      message: "Driver audio already holds resource vertex-buffer",
      isError: true,
      data: {
        driver: "audio",
        resource: "vertex-buffer"
      }
    },
    notShareable: {
      tag: "NotShareable",
      category: "Sharing",
      code: 1,
      message: "Resource scratch is not shareable (no Shareable flag)",
      isError: true,
      data: {
        resource: "scratch"
      }
    },
    afterOwner: {
      holders: ["audio"],
      usage: 65552
    },
    afterLast: 16,
    shareReleased: "StaleHandle"
  },
  "deadlock: detected before waiting, the other waiter is granted": {
    waiting: 1,
    cycle: {
      tag: "DeadlockDetected",
      drivers: ["audio", "graphics"]
    },
    grantedTo: "graphics",
    self: {
      tag: "DeadlockDetected",
      drivers: ["physics"]
    },
    timedOut: {
      tag: "AcquireTimeout",
      resource: "late",
      resourceType: "Hardware"
    },
    usageAfter: 0
  },
  "errors: typed errors of the facade": {
    invalidMetadata: "InvalidMetadata",
    busy: {
      tag: "ResourceBusy",
      category: "Resource",
      code: 4,
      message: "Resource name a is taken (by a resource or a waiting request)",
      isError: true,
      data: {
        resource: "a"
      }
    },
    cycle: "DependencyCycle",
    categories: [
      ["BudgetExceeded", "Resource", 2],
      ["NotShareable", "Sharing", 1],
      ["DependencyCycle", "Dependency", 1],
      ["DeadlockDetected", "Dependency", 2],
      ["PoolExhausted", "Pool", 1]
    ]
  },
  "leaks: close() releases and reports what is still live": {
    leaks: [
      {
        name: "forgotten",
        type: "Memory",
        sizeBytes: 32,
        owner: "audio"
      }
    ],
    afterClose: "ManagerClosed"
  },
  "inspect: one line per ref, handle, manager and error": {
    ref: "ResourceRef<texture Memory 4096 B, owner app, live>",
    shared: "SharedHandle<texture Memory 4096 B, holder audio, live>",
    manager: "ResourceManager<game: 1 live, Memory 4096 of 1048576 B (None), open>",
    nested: "[ ResourceRef<texture Memory 4096 B, owner app, live> ]",
    error:
      "BudgetExceeded [Resource 2]: Budget exceeded for Memory: requested 2097152 bytes, 1044480 available of limit 1048576",
    errorFramesOnly: true,
    errorTag: "BudgetExceeded",
    released: "ResourceRef<texture Memory 4096 B, owner app, released>",
    errorString: [
      "BudgetExceeded: Budget exceeded for Memory: requested 2097152 bytes, 1044480 available of limit 1048576",
      "ResourceReleased: Resource texture was already released"
    ],
    errorStackHead: [
      "BudgetExceeded: Budget exceeded for Memory: requested 2097152 bytes, 1044480 available of limit 1048576",
      "ResourceReleased: Resource texture was already released"
    ],
    errorFields: { name: "ResourceReleased", resource: "texture" },
    closed: "ResourceManager<game: closed>"
  }
}
