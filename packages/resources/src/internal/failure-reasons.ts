/**
 * Why an admission failed, as the manager counts it per type (`ManagerState.failures`, the
 * `flight_hal_resource_failures_total{reason}` counter). Every count of `failedCount` has exactly one reason.
 *
 * @since 0.1.0
 */

/** The reasons, by index. */
export const FailureReason = {
  /** Refused at once, BudgetExceeded (it does not fit, or it would barge, or it can never fit). */
  Rejected: 0,
  /** Refused at once, ResourceBusy (its name is live). */
  ResourceBusy: 1,
  /** A wait (or a freed name's move) refused with DeadlockDetected. */
  Deadlock: 2,
  /** A Timeout-mode wait whose time ran out (AcquireTimeout). */
  Timeout: 3,
  /** A waiter failed with BudgetExceeded because a budget was lowered below its request. */
  BudgetLowered: 4
} as const

/** How many reasons there are (the stride of `ManagerState.failures`). */
export const FAILURE_REASONS = 5

/** The label value of each reason in the metrics, by index. */
export const failureReasonLabels: ReadonlyArray<FailureReasonLabel> = [
  "budget_exceeded",
  "resource_busy",
  "deadlock",
  "timeout",
  "budget_lowered"
]

/** A failure reason as the metrics and the JSON snapshot name it. */
export type FailureReasonLabel = "budget_exceeded" | "resource_busy" | "deadlock" | "timeout" | "budget_lowered"
