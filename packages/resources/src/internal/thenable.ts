/** Whether a value from caller code is a promise-like (a `then` method), to be awaited or watched for rejection. */
export const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function"
