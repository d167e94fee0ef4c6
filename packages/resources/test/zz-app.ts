import { createResourceManager } from "@flight-hal/resources"
import { serveManager } from "@flight-hal/resources/serve"
const manager = createResourceManager({ label: "game", budgets: { Memory: { maxBytes: 16 << 20, reservedBytes: 1 << 20, warningPercent: 75, criticalPercent: 90 } }, pools: [{ type: "Memory", blockSize: 4096, initialCount: 4, maxCount: 64, alignment: 64, name: "blocks" }] })
const server = await serveManager(manager, { port: 0 })
console.log(server.url)
const refs: Array<{ release(): void }> = []
let i = 0
setInterval(() => {
  i++
  if (refs.length < 40 && i % 3 !== 0) refs.push(manager.acquire(`tex-${i}`, { type: "Memory", sizeBytes: 4096 * (1 + (i % 7)) * 64 }))
  else refs.shift()?.release()
}, 50)
setTimeout(() => process.exit(0), 6000)
