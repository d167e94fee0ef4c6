/**
 * The rows of bench/fast-path-profile.bench.ts (timed) and bench/instructions.ts (counted): the facade's fast
 * path built up one step at a time from the core's own pieces.
 *
 * @module
 */
import { AcquisitionMode } from "@flight-hal/core"
import { do_not_optimize } from "mitata"
import { createResourceManager, type ResourceManagerConfig } from "../../packages/resources/src/index.ts"
import { type AcquireRequest, Core } from "../../packages/resources/src/internal/core.ts"
import { validateAcquireOptions } from "../../packages/resources/src/internal/validate.ts"

const BLOCK = 4096
const memory = { type: "Memory", sizeBytes: BLOCK } as const
const hardware = { type: "Hardware", sizeBytes: 1 } as const
const budgets: ResourceManagerConfig["budgets"] = {
  Memory: { maxBytes: 64 * 1024 * 1024, reservedBytes: 1024 * 1024, warningPercent: 75, criticalPercent: 90 }
}
const quiet = { onLeaks: () => {} }
const pooled: ResourceManagerConfig = {
  ...quiet,
  budgets,
  pools: [{ type: "Memory", blockSize: BLOCK, initialCount: 64, maxCount: 64 }]
}
const modes = ["NonBlocking", "Emergency"] as const
const millis = (value: unknown): number => (typeof value === "number" ? value : Number.NaN)

const coreOf = (config: ResourceManagerConfig): Core<unknown> => {
  // the facade reads the clock once per synchronous burst: a constant clock stands for that here
  const core = Core.make<unknown>(config, () => 0)
  if (core instanceof Error) throw core
  return core
}

/** The facade's first step: the options (none) and the request validated. */
const validated = (core: Core<unknown>, metadata: typeof memory | typeof hardware): AcquireRequest => {
  const settings = validateAcquireOptions(undefined, modes, "NonBlocking", "timeoutMillis", millis)
  if (settings instanceof Error) throw settings
  const request = core.request("", metadata, AcquisitionMode.NonBlocking, settings.owner)
  if (request instanceof Error) throw request
  return request
}

/** The slot of a request admitted at once. */
const admitted = (core: Core<unknown>, request: AcquireRequest): number => {
  const slot = core.start(request)
  if (typeof slot !== "number") throw new Error("not admitted")
  return slot
}

/** One admission through the core, without a ref: validation, then (unless `validateOnly`) start + release. */
const coreStep =
  (config: ResourceManagerConfig, metadata: typeof memory | typeof hardware, validateOnly: boolean) => () => {
    const core = coreOf(config)
    return () => {
      const request = validated(core, metadata)
      if (validateOnly) return do_not_optimize(request)
      const slot = admitted(core, request)
      core.release(slot, request.driver)
      return do_not_optimize(slot)
    }
  }

/** The same through a ref (bound by the core as the facade does), reading the payload or not. */
const refStep = (readPayload: boolean) => () => {
  const core = coreOf(pooled)
  return () => {
    const request = validated(core, memory)
    const ref = core.bind<Uint8Array>(admitted(core, request), request, undefined, undefined)
    const payload = readPayload ? ref.payload : undefined
    ref.release()
    return do_not_optimize(payload)
  }
}

/** A row: its name, the op it times, and the row its step is over (absent: the row above). */
export interface Row {
  readonly name: string
  readonly setup: () => () => unknown
  /** The name of the row this row's step is measured over, when it is not the row above. */
  readonly stepOver?: string
}

/**
 * The rows, each adding one step of the general path to the row above; then the one-step admission the front
 * ends take first in the common case (`Core.admitAtOnce`), and the facade itself (which takes it).
 */
export const fastPathRows: ReadonlyArray<Row> = [
  { name: "validate", setup: coreStep(pooled, memory, true) },
  { name: "+ admit/release, no budget", setup: coreStep(quiet, hardware, false) },
  { name: "+ budget (pressure, stats)", setup: coreStep({ ...quiet, budgets }, memory, false) },
  { name: "+ pool block", setup: coreStep(pooled, memory, false) },
  { name: "+ ref", setup: refStep(false) },
  { name: "+ payload view", setup: refStep(true) },
  {
    name: "one step (acquireAtOnce: admission + ref) + payload view",
    // an alternative to the general path's steps, not one more step: compared with the whole general path
    stepOver: "+ payload view",
    setup: () => {
      const core = coreOf(pooled)
      const first = validated(core, memory) // the general path memoizes the pool's route
      core.release(admitted(core, first), first.driver)
      return () => {
        const ref = core.acquireAtOnce<Uint8Array>("", memory)
        if (ref === undefined) throw new Error("not admitted in one step")
        const payload = ref.payload
        ref.release()
        return do_not_optimize(payload)
      }
    }
  },
  {
    name: "facade acquire + payload + release",
    // the front end's own work: over the general path's last row, as docs/manager.md defines the step
    stepOver: "+ payload view",
    setup: () => {
      const manager = createResourceManager(pooled)
      return () => {
        const ref = manager.acquire("", memory)
        const payload = ref.payload
        ref.release()
        return do_not_optimize(payload)
      }
    }
  }
]
