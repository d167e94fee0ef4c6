/**
 * What the state machine tells a trace recorder, one method per kind of transition line. The state holds
 * this interface (not the recorder), so the state does not depend on the recorder's module.
 *
 * @since 0.1.0
 */
import type { Request } from "./request.ts"

/** A waiter as a trace sees it. */
export interface TracedWaiter extends Request {
  readonly req: number
  readonly kind: "bytes" | "name"
}

/** The recorder of transitions (`trace-recorder.ts`). */
export interface TransitionTrace {
  /** Acquire / AcquireEmergency (written as AcquirePooled for a request a pool block serves: `request.pooled`). */
  admitted(action: "Acquire" | "AcquireEmergency", req: number, request: Request, slot: number): void
  /** Reject / RefuseDeadlock. */
  failed(action: "Reject" | "RefuseDeadlock", req: number, request: Request, error: string): void
  /** Enqueue (a new request, or a name waiter moving to its type queue). */
  enqueued(waiter: TracedWaiter, isNew: boolean): void
  /** Grant. */
  granted(waiter: TracedWaiter, slot: number): void
  /** Timeout / Interrupt. */
  left(action: "Timeout" | "Interrupt", waiter: TracedWaiter): void
  /** Starts a step that may free slots before its line is written (a refused name move). */
  beginLeave(): void
  /** RefuseDeadlock of a name waiter whose move to its type queue the reduction refused. */
  refusedMove(waiter: TracedWaiter, error: string): void
  /** Starts a release: returns the slot's request id. */
  beginRelease(slot: number): number
  /** A slot was freed by the current step. */
  freed(slot: number): void
  /** Release / Reclaim. */
  released(action: "Release" | "Reclaim", req: number, driver: number, holders: ReadonlyArray<number>): void
  /** Share. */
  shared(slot: number, driver: number, holders: ReadonlyArray<number>): void
  /** RefuseShare: a share to a sequential driver with a request waiting, refused by the deadlock check. */
  refusedShare(slot: number, driver: number, error: string): void
  /** AddDependency (a new edge `dependent → dependency`) or RefuseDependency (it would close a cycle). */
  dependency(action: "AddDependency" | "RefuseDependency", dependent: number, dependency: number): void
  /** Starts a step that fails waiters and may free what they pinned (a budget change, close). */
  beginFailing(): void
  /** Rebudget: the type's budget changed; `failed` = the waiters that can now never fit. */
  rebudgeted(type: number, failed: ReadonlyArray<TracedWaiter>): void
  /** PoolGrow / RefusePoolGrow / PoolTrim of `bytes` of a type's pool capacity. */
  pool(action: "PoolGrow" | "RefusePoolGrow" | "PoolTrim", type: number, bytes: number): void
  /** Close: every waiter failed (what only they pinned freed), then every live resource released as a leak. */
  closing(failed: ReadonlyArray<TracedWaiter>): void
  /** The end of a close: the leaks were freed since `closing`, in release order. */
  closed(): void
  /** A driver's kind changed (registerDriver): the model's kinds are constant (after the header: the trace stops). */
  kindChanged(driver: number): void
}
