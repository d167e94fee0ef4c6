/**
 * Abort signals that cannot be used, each made fresh: what every front end's `acquireAsync` / `use` must refuse
 * with InvalidArgument (signal) before its request is submitted (docs/semantics.md, sections 5, 14 and 17).
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
    "its addEventListener getter throws after validation read it",
    () => {
      let reads = 0
      return {
        aborted: false,
        get addEventListener() {
          reads++
          if (reads > 1) throw new Error("second read")
          return () => {}
        },
        removeEventListener() {}
      }
    }
  ],
  ["it lacks removeEventListener", () => ({ aborted: false, addEventListener() {} })],
  [
    "its removeEventListener is a function only on the first read",
    () => {
      let reads = 0
      return {
        aborted: false,
        addEventListener() {},
        get removeEventListener() {
          reads++
          return reads > 1 ? undefined : () => {}
        }
      }
    }
  ]
]
