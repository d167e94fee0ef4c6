/**
 * A caller's `signal` (facade `acquireAsync`/`use`, the shared manager's too) as an acquisition listens to it.
 * The signal is caller code: it is read (`aborted`, `addEventListener`, `removeEventListener`, once each) and
 * listened to before the request is submitted, so that one that cannot be used is refused with
 * `InvalidArgument { argument: "signal" }` with nothing changed; an abort is only acted on once the request
 * waits, or when it came during the admission (the plain facade; the shared manager in a NonBlocking admission,
 * the only one that runs caller code; docs/semantics.md, sections 5 and 14). A grant that ends a wait (facade or
 * shared manager) reads `aborted` once more (`abortedNow`).
 *
 * @internal
 */
import { InvalidArgument } from "@flight-hal/core"
import { showThrown } from "./show.ts"

/** What a caller's signal that could not be used is refused with. */
export const unusableSignal = (error: unknown): InvalidArgument =>
  new InvalidArgument({ argument: "signal", issue: `could not be used (${showThrown(error)})` })

/** A caller's signal as an acquisition listens to it, from before its request is submitted to the wait's end. */
export interface SignalWatch {
  /** Whether the signal is aborted: when it was read, or since (its listener ran). */
  aborted: boolean
  /** What an abort does once the request waits (until then an abort is only noted). */
  onAbort: (() => void) | undefined
  /** Stops listening (a throw is ignored: the wait may end inside another caller's release). */
  stop: () => void
}

/** The `stop` of a watch that added no listener (its signal was already aborted). */
export const notListening = (): void => {}

/**
 * Reads a caller's signal before its request is submitted, so that a signal that cannot be used is refused with
 * InvalidArgument (signal) and nothing changed (docs/semantics.md, section 14): `aborted`, `addEventListener`
 * and `removeEventListener` are read once (the two methods must be functions, as validation found them), and
 * the listener is added now (a throw refuses the signal); a request acts on an abort once it waits (the plain
 * facade and the shared manager's NonBlocking admission also on one that came during the admission: `aborted`
 * turned true). A watch
 * must be stopped however the acquisition ends (admitted at once, refused, its wait over).
 */
export const watchSignal = (signal: AbortSignal): SignalWatch | InvalidArgument => {
  let aborted: unknown
  let add: unknown
  let remove: unknown
  try {
    aborted = signal.aborted
    add = signal.addEventListener
    remove = signal.removeEventListener
  } catch (error) {
    return unusableSignal(error)
  }
  if (typeof add !== "function" || typeof remove !== "function") {
    return new InvalidArgument({ argument: "signal", issue: "expected an AbortSignal, got an object" })
  }
  const watch: SignalWatch = { aborted: aborted === true, onAbort: undefined, stop: notListening }
  if (watch.aborted) return watch
  const listener = () => {
    watch.aborted = true
    watch.onAbort?.()
  }
  const stop = () => {
    try {
      remove.call(signal, "abort", listener)
    } catch {
      // the wait is over either way
    }
  }
  try {
    add.call(signal, "abort", listener, { once: true })
  } catch (error) {
    stop()
    return unusableSignal(error)
  }
  watch.stop = stop
  return watch
}

/**
 * Whether a watched signal is aborted, read once more when a grant ends the wait: an abort being dispatched then
 * (an abort listener added before the watch's freed what the wait waited for, or another wait on the signal left
 * and made room) has set `aborted` but not yet reached the watch's listener, which stopping the watch removes. A
 * throw reads as not aborted: the grant stands.
 */
export const abortedNow = (signal: AbortSignal | undefined): boolean => {
  try {
    return signal?.aborted === true
  } catch {
    return false
  }
}

/**
 * What an aborted wait rejects with: the signal's `reason`, or InvalidArgument (signal) when reading it throws
 * (the caller's signal is caller code).
 */
export const abortReason = (signal: AbortSignal | undefined): unknown => {
  try {
    return signal?.reason
  } catch (error) {
    return unusableSignal(error)
  }
}
