/**
 * Driver integration (the seed's "Driver Integration" and "Sharing Resources"), with the plain facade and `using`.
 *
 * A graphics driver creates GPU vertex buffers as Hardware resources and shares one with the audio driver, which
 * draws its waveform visualisation into it through its share: the share gives the audio driver the buffer
 * (`share.payload`), so no raw payload is passed between drivers. The bytes are counted once; the buffer lives
 * until its last holder releases it, so the audio driver keeps drawing after the graphics driver let go. The two drivers also each hold one DMA/timer channel and then ask for the other's: the manager
 * refuses the request that would close the cycle with `DeadlockDetected` instead of letting both wait forever.
 *
 * Run it: `bun examples/driver-sharing.ts`
 */
import { DeadlockDetected, ResourceFlags, type ResourceMetadata, ResourceReleased } from "@flight-hal/core"
import {
  createResourceManager,
  type PlainResourceManager,
  type ResourceRef,
  type SharedHandle
} from "@flight-hal/resources"

/** A vertex buffer: interleaved x, y floats. */
export type VertexBuffer = Float32Array

/** The graphics driver: owns the vertex buffers it creates (owner "graphics"). */
export class GraphicsDriver {
  private nextId = 0
  constructor(private readonly manager: PlainResourceManager) {}

  /** Creates a GPU-visible, DMA-capable, shareable vertex buffer of `sizeBytes` (the seed's create_vertex_buffer). */
  createVertexBuffer(sizeBytes: number): ResourceRef<VertexBuffer> {
    const metadata: ResourceMetadata = {
      type: "Hardware",
      sizeBytes,
      flags: ResourceFlags.combine("GPUAccessible", "DMACapable", "Shareable")
    }
    return this.manager.acquire<VertexBuffer>(`VertexBuffer_${this.nextId++}`, metadata, {
      owner: "graphics",
      create: (m) => new Float32Array(m.sizeBytes / Float32Array.BYTES_PER_ELEMENT)
    })
  }

  /** Makes the audio driver a holder of the buffer (the seed's share_buffer_with_audio). */
  shareBufferWithAudio(buffer: ResourceRef<VertexBuffer>): SharedHandle<VertexBuffer> {
    return this.manager.share<VertexBuffer>(buffer.handle, "audio")
  }
}

/** The audio driver: draws a waveform into a vertex buffer it was given a share of. */
export class AudioDriver {
  /** Draws into the shared buffer (throws `ResourceReleased` once the share is released); returns the points. */
  draw(share: SharedHandle<VertexBuffer>, samples: ReadonlyArray<number>): number {
    return this.visualise(share.payload, samples)
  }

  /** Writes `samples` as (x, y) points into the buffer; returns the points written. */
  visualise(buffer: VertexBuffer, samples: ReadonlyArray<number>): number {
    const points = Math.min(samples.length, buffer.length / 2)
    for (let i = 0; i < points; i++) {
      buffer[2 * i] = points <= 1 ? 0 : i / (points - 1)
      buffer[2 * i + 1] = samples[i] ?? 0
    }
    return points
  }
}

/** What the run showed, for the console and for the example's test. */
export interface SharingReport {
  readonly holdersWhileShared: ReadonlyArray<string>
  readonly hardwareBytesWhileShared: number
  readonly pointsDrawn: number
  readonly holdersAfterGraphicsReleased: ReadonlyArray<string>
  readonly pointsDrawnAfterGraphicsReleased: number
  readonly accessAfterShareReleased: string
  readonly hardwareBytesAfterAll: number
  readonly deadlock: string
  readonly waiterGranted: string
  readonly liveAtReturn: number
}

/** Runs both drivers against one manager. */
export const runDrivers = async (): Promise<SharingReport> => {
  await using manager = createResourceManager({
    budgets: { Hardware: { maxBytes: 1 << 20, reservedBytes: 0, warningPercent: 75, criticalPercent: 90 } },
    // drivers in the seed's sense: while one waits it releases nothing, so their wait cycle is refused at once
    drivers: { graphics: { sequential: true }, audio: { sequential: true } }
  })
  const graphics = new GraphicsDriver(manager)
  const audio = new AudioDriver()
  const hardwareBytes = () => manager.getResourceStats("Hardware").currentUsage

  const vertices = graphics.createVertexBuffer(64 * 1024)
  const share = graphics.shareBufferWithAudio(vertices)
  const holdersWhileShared = manager.holders(vertices.handle)
  const hardwareBytesWhileShared = hardwareBytes()
  const pointsDrawn = audio.draw(share, [0, 0.5, 1, 0.5, 0, -0.5, -1, -0.5])

  // The graphics driver is done with the buffer; the audio driver still holds it and keeps drawing.
  vertices.release()
  const holdersAfterGraphicsReleased = manager.holders(share.handle)
  const pointsDrawnAfterGraphicsReleased = audio.draw(share, [1, 0, -1])
  share.release()
  const hardwareBytesAfterAll = hardwareBytes()
  let accessAfterShareReleased = "allowed"
  try {
    audio.draw(share, [0])
  } catch (error) {
    if (!(error instanceof ResourceReleased)) throw error
    accessAfterShareReleased = error._tag
  }

  // Each driver holds one channel, then asks for the other's.
  using dma = manager.acquire("dma-channel-0", { type: "Hardware", sizeBytes: 0 }, { owner: "graphics" })
  const timer = manager.acquire("timer-0", { type: "Hardware", sizeBytes: 0 }, { owner: "audio" })
  const graphicsWaits = manager.acquireAsync("timer-0", { type: "Hardware", sizeBytes: 0 }, { owner: "graphics" })
  let deadlock = "none"
  try {
    using _ = await manager.acquireAsync("dma-channel-0", { type: "Hardware", sizeBytes: 0 }, { owner: "audio" })
  } catch (error) {
    if (!(error instanceof DeadlockDetected)) throw error
    deadlock = `${error._tag}: drivers ${[...error.drivers].sort().join(", ")}`
  }
  // The audio driver backs off: it releases its timer, and the waiting graphics driver gets it.
  timer.release()
  using granted = await graphicsWaits
  const waiterGranted = `${granted.name} -> ${granted.driver} (dma held by ${dma.driver})`

  return {
    holdersWhileShared,
    hardwareBytesWhileShared,
    pointsDrawn,
    holdersAfterGraphicsReleased,
    pointsDrawnAfterGraphicsReleased,
    accessAfterShareReleased,
    hardwareBytesAfterAll,
    deadlock,
    waiterGranted,
    liveAtReturn: manager.snapshot().liveResources // dma and the granted timer: `using` releases them on return
  }
}

if (import.meta.main) console.log(JSON.stringify(await runDrivers(), null, 2))
