/** Whether a value from caller code is a promise-like (a `then` method), to be awaited or watched for rejection. */
export const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function"

/**
 * Runs caller code (a callback) whose failure must not break the caller: a throw, or the rejection of a promise
 * it returns (not awaited), goes to `onFailure`, never to the process as an unhandled rejection.
 */
export const runIsolated = (run: () => unknown, onFailure: (error: unknown) => void): void => {
  try {
    const result = run()
    if (isThenable(result)) result.then(undefined, onFailure)
  } catch (error) {
    onFailure(error)
  }
}
