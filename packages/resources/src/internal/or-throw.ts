/**
 * The plain front ends' way out of an error value: the synchronous APIs throw the typed error the core
 * returned.
 *
 * @internal
 */

/** Throws an error value, returns anything else. */
export const orThrow = <A>(value: A): Exclude<A, Error> => {
  if (value instanceof Error) throw value
  return value as Exclude<A, Error>
}
