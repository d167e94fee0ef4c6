// A worker for shared-pools.test.ts: attaches, shares the handle it is sent, reads the block's first byte, writes
// the second, and reports what it read and the global usage.
import type { ResourceHandle } from "@flight-hal/core"
import { attachSharedResourceManager, type SharedManagerDescriptor } from "../../src/index.ts"

self.onmessage = (event: MessageEvent<{ descriptor: SharedManagerDescriptor; handle: ResourceHandle }>) => {
  const manager = attachSharedResourceManager(event.data.descriptor)
  const shared = manager.share(event.data.handle)
  const read = shared.payload[0]
  shared.payload[1] = 7
  shared.release()
  self.postMessage({ read, usage: manager.getResourceStats("Memory").currentUsage })
  manager.close()
}
