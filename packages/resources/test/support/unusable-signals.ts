/**
 * Abort signals that cannot be used, each made fresh: what every front end's `acquireAsync` / `use` must refuse
 * with InvalidArgument (signal) before its request is submitted (docs/semantics.md, sections 5, 14 and 17). Each
 * property is read once (`watchSignal`), so a getter that answers differently on a second read has no second read.
 */
export const unusableSignals: ReadonlyArray<readonly [string, () => unknown]> = [
  [
    "its aborted getter throws",
    () => ({
      get aborted(): boolean {
        throw new Error("aborted boom")
      },
      addEventListener() {},
      removeEventListener() {}
    })
  ],
  [
    "its addEventListener throws",
    () => ({
      aborted: false,
      addEventListener() {
        throw new Error("add boom")
      },
      removeEventListener() {}
    })
  ],
  [
    "its addEventListener getter throws",
    () => ({
      aborted: false,
      get addEventListener(): () => void {
        throw new Error("getter boom")
      },
      removeEventListener() {}
    })
  ],
  ["it lacks removeEventListener", () => ({ aborted: false, addEventListener() {} })],
  ["its removeEventListener is no function", () => ({ aborted: false, addEventListener() {}, removeEventListener: 5 })]
]
