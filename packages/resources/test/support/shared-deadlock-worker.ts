// A sequential worker for shared-deadlock.test.ts: holds 40 bytes, then (on "wait") asks for 50 more and reports
// how that ended.
import { attachSharedResourceManager, type SharedManagerDescriptor } from "../../src/index.ts"

let manager: ReturnType<typeof attachSharedResourceManager> | undefined
self.onmessage = (event: MessageEvent<SharedManagerDescriptor | "wait">) => {
  if (event.data !== "wait") {
    manager = attachSharedResourceManager(event.data, { sequential: true })
    manager.acquire({ type: "Memory", sizeBytes: 40 })
    self.postMessage("held")
    return
  }
  manager?.acquireAsync({ type: "Memory", sizeBytes: 50 }).then(
    () => self.postMessage("granted"),
    (error: { _tag?: string; drivers?: ReadonlyArray<string> }) => {
      self.postMessage({ tag: error._tag, drivers: error.drivers })
      manager?.close()
    }
  )
}
