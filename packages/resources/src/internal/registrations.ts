/**
 * The pressure callbacks registered with a manager: each registration counts, so a callback registered twice (in
 * two scopes, or twice by the facade) is delivered each event once and stays registered until both registrations
 * end. A `Set` ended both with the first.
 *
 * @module
 */

/**
 * Registrations of values, counted per value.
 *
 * @example
 * ```ts
 * import { Registrations } from "./registrations.ts"
 *
 * const callbacks = new Registrations<() => void>()
 * const callback = () => {}
 * callbacks.add(callback)
 * callbacks.add(callback)
 * callbacks.remove(callback)
 * callbacks.size // 1: one registration is left
 * ```
 */
export class Registrations<A> {
  private readonly counts = new Map<A, number>()

  /** How many distinct values are registered. */
  get size(): number {
    return this.counts.size
  }

  /** One more registration of `value`. */
  add(value: A): void {
    this.counts.set(value, (this.counts.get(value) ?? 0) + 1)
  }

  /** Ends one registration of `value`; it stays while another is left. */
  remove(value: A): void {
    const count = this.counts.get(value)
    if (count === undefined) return
    if (count > 1) this.counts.set(value, count - 1)
    else this.counts.delete(value)
  }

  /** The registered values, each once, in the order of their first registration (a copy). */
  values(): Array<A> {
    return [...this.counts.keys()]
  }
}
