/**
 * Migration from manual resource management (the seed's "Migration Guide"), step by step.
 * See docs/migration.md for the prose.
 *
 *   before   `OldTexture`: allocates in its constructor and frees in `destroy()`; a forgotten `destroy()` leaks
 *            silently and nothing bounds the total.
 *   step 1   `InteropTexture`: the same shape, but registered with the manager (`registerResource` /
 *            `releaseResource`): the bytes are budgeted and a forgotten release shows up in the leak report.
 *   step 2   `NewTexture`: a `ResourceRef` held with `using`: released at the end of the block, no destroy needed.
 *
 * Run it: `bun examples/migration.ts`
 */
import { BudgetExceeded, type ResourceHandle } from "@flight-hal/core"
import {
  createResourceManager,
  type LeakReport,
  type PlainResourceManager,
  type ResourceRef
} from "@flight-hal/resources"

let liveManualBytes = 0

/** Before: manual management. Correct only if every path calls destroy() exactly once. */
export class OldTexture {
  private data: ArrayBuffer | undefined
  constructor(readonly size: number) {
    this.data = new ArrayBuffer(size) // malloc
    liveManualBytes += size
  }
  /** The texture's bytes (undefined after destroy: a use-after-free the type system does not see). */
  get bytes(): ArrayBuffer | undefined {
    return this.data
  }
  destroy(): void {
    if (this.data === undefined) return
    liveManualBytes -= this.size
    this.data = undefined // free
  }
}

/** Step 1: same call sites, but the manager knows about the bytes (budget, stats, leak report). */
export class InteropTexture {
  private readonly handle: ResourceHandle
  constructor(
    private readonly manager: PlainResourceManager,
    name: string,
    readonly size: number
  ) {
    this.handle = manager.registerResource(name, { type: "Memory", sizeBytes: size })
  }
  destroy(): void {
    this.manager.releaseResource(this.handle) // idempotent
  }
}

let nextTexture = 0

/** Step 2: RAII. The texture is a `ResourceRef`; `using` releases it, so there is no destroy() to forget. */
export class NewTexture implements Disposable {
  private readonly resource: ResourceRef<Uint8Array>
  constructor(manager: PlainResourceManager, size: number) {
    this.resource = manager.acquire<Uint8Array>(`Texture_${nextTexture++}`, { type: "Memory", sizeBytes: size })
  }
  /** The texture's bytes; after release this throws ResourceReleased instead of reading freed memory. */
  get bytes(): Uint8Array {
    return this.resource.payload
  }
  [Symbol.dispose](): void {
    this.resource.release()
  }
}

/** What each step showed. */
export interface MigrationReport {
  readonly manualBytesLeaked: number
  readonly interopLeaks: ReadonlyArray<Pick<LeakReport, "name" | "sizeBytes" | "owner">>
  readonly raiiUsageInside: number
  readonly raiiUsageAfter: number
  readonly overBudget: string
}

/** Runs the three versions side by side. */
export const runMigration = (): MigrationReport => {
  // Before: one early return skips destroy(), and nobody notices.
  const loadLevelManually = (fail: boolean) => {
    const a = new OldTexture(4096)
    const b = new OldTexture(4096)
    if (fail) return // b and a leak
    b.destroy()
    a.destroy()
  }
  loadLevelManually(false)
  loadLevelManually(true)
  const manualBytesLeaked = liveManualBytes

  // Step 1: the same leak, now reported when the manager closes.
  const interop = createResourceManager({ detectGarbageCollectedLeaks: false, onLeaks: () => {} })
  const kept = new InteropTexture(interop, "splash", 4096)
  new InteropTexture(interop, "forgotten", 2048) // never destroyed
  kept.destroy()
  const interopLeaks = interop.close().map(({ name, sizeBytes, owner }) => ({ name, sizeBytes, owner }))

  // Step 2: RAII with a budget: the early return cannot leak, and an over-budget load is a typed error.
  using manager = createResourceManager({
    budgets: { Memory: { maxBytes: 16 * 1024, reservedBytes: 0, warningPercent: 75, criticalPercent: 90 } }
  })
  const usage = () => manager.getResourceStats("Memory").currentUsage
  let raiiUsageInside = 0
  const loadLevel = (fail: boolean) => {
    using a = new NewTexture(manager, 4096)
    using b = new NewTexture(manager, 4096)
    raiiUsageInside = usage()
    if (fail) return // a and b are still released
    b.bytes.fill(0)
    a.bytes.fill(0)
  }
  loadLevel(false)
  loadLevel(true)
  let overBudget = "loaded"
  try {
    using _huge = new NewTexture(manager, 64 * 1024)
  } catch (error) {
    if (!(error instanceof BudgetExceeded)) throw error
    overBudget = `${error._tag}: requested ${error.requested}, limit ${error.limit}`
  }
  return { manualBytesLeaked, interopLeaks, raiiUsageInside, raiiUsageAfter: usage(), overBudget }
}

if (import.meta.main) console.log(JSON.stringify(runMigration(), null, 2))
