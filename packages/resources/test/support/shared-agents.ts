/**
 * Worker agents for the shared manager's tests: each runs `test/fixtures/shared-agent.ts`, attaches to a
 * manager and answers calls. Events the agent posts (settled waits, pressure, reclamation) are kept until a
 * test takes them with `next`. Every wait has a deadline that only turns a hang into a failure. `OpenedManagers`
 * keeps the managers a test opens in its own thread.
 */
import {
  attachSharedResourceManager,
  createSharedResourceManager,
  type SharedManagerConfig,
  type SharedManagerDescriptor,
  type SharedResourceManager
} from "../../src/index.ts"

/** How long a test waits for an answer or an event before it fails (a failure deadline, never a decision). */
export const DEADLINE_MILLIS = 15_000

/** An error an agent answered with: its `_tag` and fields. */
export class AgentError extends Error {
  constructor(readonly fields: Record<string, unknown>) {
    super(`${String(fields._tag)}: ${String(fields.message)}`)
  }
  get tag(): string {
    return String(this.fields._tag)
  }
}

export interface AgentEvent {
  readonly event: string
  readonly [key: string]: unknown
}

/** Resolves with `promise`, or fails with `what` after the deadline. */
export const within = <T>(promise: Promise<T>, what: string, millis = DEADLINE_MILLIS): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${what} within ${millis} ms`)), millis)
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error) => {
        clearTimeout(timer)
        reject(error)
      }
    )
  })

/** Polls `condition` on every macrotask until it holds (fails after the deadline). */
export const until = async (condition: () => boolean, what: string, millis = DEADLINE_MILLIS): Promise<void> => {
  const end = Date.now() + millis
  while (!condition()) {
    if (Date.now() > end) throw new Error(`${what}: not reached within ${millis} ms`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

export class Agent {
  private nextId = 1
  private readonly calls = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>()
  private readonly events: Array<AgentEvent> = []
  private readonly watchers: Array<{ match: (event: AgentEvent) => boolean; resolve: (event: AgentEvent) => void }> = []
  private terminated = false
  thread = -1

  private constructor(readonly worker: Worker) {
    worker.onmessage = (message: MessageEvent<{ id?: number; ok?: boolean; value?: unknown } & AgentEvent>) => {
      const data = message.data
      if (data.id !== undefined) {
        const call = this.calls.get(data.id)
        this.calls.delete(data.id)
        if (data.ok) call?.resolve(data.value)
        else call?.reject(new AgentError((data as unknown as { error: Record<string, unknown> }).error))
        return
      }
      const at = this.watchers.findIndex((w) => w.match(data))
      if (at >= 0) this.watchers.splice(at, 1)[0]?.resolve(data)
      else this.events.push(data)
    }
    worker.onerror = (error) => {
      for (const call of this.calls.values()) call.reject(error)
      this.calls.clear()
    }
  }

  /** A new worker, not attached yet. */
  static spawn(): Agent {
    return new Agent(new Worker(new URL("../fixtures/shared-agent.ts", import.meta.url).href))
  }

  /** Attaches the worker to the manager of `descriptor`. */
  async attach(descriptor: SharedManagerDescriptor): Promise<Agent> {
    const { thread } = await this.call<{ thread: number }>("attach", descriptor)
    this.thread = thread
    return this
  }

  call<T = unknown>(op: string, ...args: ReadonlyArray<unknown>): Promise<T> {
    const id = this.nextId++
    const answer = new Promise<T>((resolve, reject) => {
      this.calls.set(id, { resolve: resolve as (value: unknown) => void, reject })
    })
    this.worker.postMessage({ id, op, args })
    return within(answer, `answer to ${op}`)
  }

  /** The error a call fails with (fails the test when it succeeds). */
  async refusal(op: string, ...args: ReadonlyArray<unknown>): Promise<AgentError> {
    try {
      await this.call(op, ...args)
    } catch (error) {
      if (error instanceof AgentError) return error
      throw error
    }
    throw new Error(`${op} succeeded`)
  }

  /** The next event matching `match`, kept or still to come. */
  next(match: (event: AgentEvent) => boolean, what: string): Promise<AgentEvent> {
    const at = this.events.findIndex(match)
    if (at >= 0) return Promise.resolve(this.events.splice(at, 1)[0] as AgentEvent)
    return within(new Promise<AgentEvent>((resolve) => this.watchers.push({ match, resolve })), what)
  }

  /** The `settled` event of the wait `key`. */
  settled(key: string): Promise<AgentEvent> {
    return this.next((e) => e.event === "settled" && e.key === key, `settlement of ${key}`)
  }

  /** Events kept so far that match (without taking them). */
  kept(match: (event: AgentEvent) => boolean): ReadonlyArray<AgentEvent> {
    return this.events.filter(match)
  }

  terminate(): void {
    if (this.terminated) return
    this.terminated = true
    this.worker.terminate()
  }
}

/** Agents made by a test, terminated after it whatever happened. */
export class Agents {
  private readonly all: Array<Agent> = []

  attach(descriptor: SharedManagerDescriptor): Promise<Agent> {
    const agent = Agent.spawn()
    this.all.push(agent)
    return agent.attach(descriptor)
  }

  terminateAll(): void {
    for (const agent of this.all.splice(0)) agent.terminate()
  }
}

/**
 * The managers a test opens in this thread (created, or attached as further threads of the ledger), closed
 * after it, the attachments first.
 */
export class OpenedManagers {
  private readonly all: Array<SharedResourceManager> = []

  /** A manager created in this thread. */
  make(config: SharedManagerConfig): SharedResourceManager {
    const m = createSharedResourceManager(config)
    this.all.push(m)
    return m
  }

  /** Another attachment in this thread: a thread of the ledger of its own. */
  attachHere(m: SharedResourceManager): SharedResourceManager {
    const other = attachSharedResourceManager(m.descriptor)
    this.all.push(other)
    return other
  }

  closeAll(): void {
    for (const m of this.all.splice(0).reverse()) m.close()
  }
}
