/**
 * A request as the state machine's transitions and the trace recorder see it, with the two fields the core keeps
 * for its front ends (the acquisition site, the wait's start).
 *
 * @since 0.1.0
 */
import type { ResourceMetadata } from "@flight-hal/core"

/**
 * A request as the state machine sees it (all fields already validated).
 *
 * @since 0.1.0
 */
export interface Request {
  readonly type: number
  readonly size: number
  /** 0 Low … 3 Critical. */
  readonly priority: number
  /** An `AcquisitionMode` code. */
  readonly mode: number
  /** The driver's index (a caller's request looks it up again on each submission: `Core.submit`). */
  driver: number
  /** `""`: unnamed. */
  readonly name: string
  readonly flags: number
  /** Live slots the new resource depends on. */
  readonly deps: ReadonlyArray<number>
  /**
   * The payload is a pool block already charged through the pool's capacity: admitted with no charge. Set by the
   * core on each submission of its own (fresh) request object, so a pooled submission copies nothing.
   */
  pooled?: boolean
  /** The validated metadata (what refs carry). */
  readonly metadata?: ResourceMetadata | undefined
  /**
   * The admitted resource's generation, set when the request is admitted (at once, or its wait granted). Caller
   * code can run between the admission and the ref's making (an Emergency admission's payback run, `destroy`
   * hooks before waiters wake) and free the resource, whose slot another resource may then take: the ref is
   * made with this generation, so it reads as released instead of reaching the slot's new resource.
   */
  generation?: number
  /**
   * The acquisition site (`captureAcquisitionSite`), taken when the acquisition was requested: the core gives it
   * to the slot when the request is admitted, at once or when its wait is granted. Undefined without the option.
   */
  readonly site?: string | undefined
}
