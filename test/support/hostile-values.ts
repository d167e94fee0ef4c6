/**
 * Hostile caller values for the entry-point fuzz suite: the values a caller can pass where the types say
 * otherwise (wrong primitives, prototype-named strings, non-finite and unsafe numbers, BigInts, Symbols,
 * functions, Proxies whose traps throw, revoked Proxies, objects that cannot be printed, frozen objects) and,
 * for an options object, a valid object with one field made hostile (a bad value, a getter that throws, a getter
 * that answers differently on its first and later reads, the field missing or inherited).
 *
 * Each value is a {@link Gen}: made afresh for each run from the run's world (a getter counts its own reads, so
 * nothing is shared between runs or tests) and printed by its label in fast-check's counterexamples. Shared by the
 * fuzz suites of packages/pool and packages/resources.
 */
import * as fc from "fast-check"

/** A value made for one run from that run's world, printed by its label. */
export interface Gen<W> {
  readonly label: string
  readonly make: (world: W) => unknown
}

/** A {@link Gen} printed as `label` in counterexamples. */
export const gen = <W>(label: string, make: (world: W) => unknown): Gen<W> => {
  const value: Gen<W> & { readonly [fc.toStringMethod]: () => string } = {
    label,
    make,
    [fc.toStringMethod]: () => label
  }
  return value
}

/** A constant (a primitive, or an immutable value) as a {@link Gen}. */
export const constant = <W>(value: unknown, label: string = fc.stringify(value)): Gen<W> => gen<W>(label, () => value)

/** What hostile values throw: if one of these escapes a call, the library let a caller's throw through raw. */
export class HostileThrow extends Error {
  constructor(what: string) {
    super(`hostile ${what}`)
    this.name = "HostileThrow"
  }
}

const thrower = (what: string) => () => {
  throw new HostileThrow(what)
}

/** A Proxy over `target` whose every trap throws. */
export const throwingProxy = <T extends object>(target: T): T =>
  new Proxy(target, {
    get: thrower("get trap"),
    set: thrower("set trap"),
    has: thrower("has trap"),
    ownKeys: thrower("ownKeys trap"),
    getOwnPropertyDescriptor: thrower("getOwnPropertyDescriptor trap"),
    defineProperty: thrower("defineProperty trap"),
    deleteProperty: thrower("deleteProperty trap"),
    getPrototypeOf: thrower("getPrototypeOf trap"),
    setPrototypeOf: thrower("setPrototypeOf trap"),
    isExtensible: thrower("isExtensible trap"),
    preventExtensions: thrower("preventExtensions trap"),
    apply: thrower("apply trap"),
    construct: thrower("construct trap")
  })

/** A revoked Proxy: every operation on it throws a TypeError. */
export const revokedProxy = <T extends object>(target: T): T => {
  const { proxy, revoke } = Proxy.revocable(target, {})
  revoke()
  return proxy
}

/** An object that cannot be turned into a primitive (String(), template literals and `+` throw). */
export const unprintable = (): object => ({
  toString: thrower("toString"),
  valueOf: thrower("valueOf"),
  [Symbol.toPrimitive]: thrower("Symbol.toPrimitive")
})

/** Primitives a caller can pass anywhere. */
export const hostilePrimitiveValues: ReadonlyArray<unknown> = [
  undefined,
  null,
  true,
  false,
  "",
  " ",
  "toString",
  "__proto__",
  "constructor",
  "hasOwnProperty",
  "valueOf",
  "then",
  "12",
  "NaN",
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -0,
  0,
  -1,
  0.5,
  1.5,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53),
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  10n,
  -1n,
  2n ** 64n,
  Symbol("hostile"),
  Symbol.iterator
]

/** Objects and functions a caller can pass anywhere, made afresh per run. */
export const hostileObjectMakers: ReadonlyArray<readonly [string, () => unknown]> = [
  ["{}", () => ({})],
  ["[]", () => []],
  ["[1, 2]", () => [1, 2]],
  ["Object.create(null)", () => Object.create(null)],
  ["Object.freeze({})", () => Object.freeze({})],
  ["Object.freeze([])", () => Object.freeze([])],
  ["() => 1", () => () => 1],
  ["async () => 1", () => async () => 1],
  ["class {}", () => class {}],
  ["new Date(NaN)", () => new Date(Number.NaN)],
  ["/x/g", () => /x/g],
  ["new Map()", () => new Map()],
  ["new Uint8Array(8)", () => new Uint8Array(8)],
  ["new ArrayBuffer(8)", () => new ArrayBuffer(8)],
  ["new Number(5)", () => new Number(5)],
  ['new String("Memory")', () => new String("Memory")],
  // biome-ignore lint/suspicious/noThenProperty: a hostile thenable is the point
  ["a thenable whose then throws", () => ({ then: thrower("then") })],
  ["new Error()", () => new Error("a caller's error")],
  ["a throwing Proxy", () => throwingProxy({})],
  ["a throwing function Proxy", () => throwingProxy(() => 1)],
  ["a revoked Proxy", () => revokedProxy({})],
  ["a revoked function Proxy", () => revokedProxy(() => 1)],
  ["an unprintable object", unprintable]
]

/** A hostile primitive: a listed one or an arbitrary double, integer, BigInt or short string. */
export const hostilePrimitive = <W>(): fc.Arbitrary<Gen<W>> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...hostilePrimitiveValues).map((v) => constant<W>(v)) },
    { weight: 1, arbitrary: fc.double().map((v) => constant<W>(v)) },
    { weight: 1, arbitrary: fc.integer().map((v) => constant<W>(v)) },
    { weight: 1, arbitrary: fc.bigInt().map((v) => constant<W>(v)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 6 }).map((v) => constant<W>(v)) }
  )

/** Labels of the Proxies whose traps throw or that are revoked (for a known bug's exclusion). */
export const throwingProxyLabels: ReadonlyArray<string> = [
  "a throwing Proxy",
  "a throwing function Proxy",
  "a revoked Proxy",
  "a revoked function Proxy"
]

/** Labels of the revoked Proxies (for a known bug's exclusion). */
export const revokedProxyLabels: ReadonlyArray<string> = ["a revoked Proxy", "a revoked function Proxy"]

/** A hostile object or function, made afresh per run (but those labelled in `except`). */
export const hostileObject = <W>(except: ReadonlyArray<string> = []): fc.Arbitrary<Gen<W>> =>
  fc
    .constantFrom(...hostileObjectMakers.filter(([label]) => !except.includes(label)))
    .map(([label, make]) => gen<W>(label, make))

/** The objects whose every use throws (throwing and revoked Proxies, the unprintable object): drawn more often. */
const nastyLabels: ReadonlyArray<string> = [...throwingProxyLabels, "an unprintable object"]

/** Any hostile value of the families above (but the objects labelled in `except`). */
export const hostileValue = <W>(except: ReadonlyArray<string> = []): fc.Arbitrary<Gen<W>> => {
  const nasty = nastyLabels.filter((label) => !except.includes(label))
  return fc.oneof(
    { weight: 3, arbitrary: hostilePrimitive<W>() },
    { weight: 2, arbitrary: hostileObject<W>([...except, ...nasty]) },
    ...(nasty.length === 0 ? [] : [{ weight: 1, arbitrary: hostileObject<W>(hostileObjectLabels(nasty)) }])
  )
}

/** The labels of every object family but `keep`. */
const hostileObjectLabels = (keep: ReadonlyArray<string>): ReadonlyArray<string> =>
  hostileObjectMakers.map(([label]) => label).filter((label) => !keep.includes(label))

/** How one field of a valid object is made hostile. */
type FieldVariant<W> = {
  readonly label: string
  readonly apply: (target: Record<string, unknown>, key: string, world: W) => void
}

const define = (target: object, key: string, descriptor: PropertyDescriptor) =>
  Object.defineProperty(target, key, { configurable: true, enumerable: true, ...descriptor })

/** A getter that answers `first` on its first read and `later` on every read after it. */
const shifting = (first: () => unknown, later: () => unknown): PropertyDescriptor => {
  let reads = 0
  return { get: () => (reads++ === 0 ? first() : later()) }
}

/** The ways of making a field hostile, by name (for a known bug's exclusion). */
export type FieldVariantKind = "value" | "missing" | "throwing getter" | "valid then hostile" | "hostile then valid"

const fieldVariants = <W>(
  value: fc.Arbitrary<Gen<W>>,
  except: ReadonlyArray<FieldVariantKind>
): fc.Arbitrary<FieldVariant<W>> => {
  const all: ReadonlyArray<readonly [FieldVariantKind, number, fc.Arbitrary<FieldVariant<W>>]> = [
    [
      "value",
      4,
      value.map(
        (v): FieldVariant<W> => ({ label: v.label, apply: (t, k, w) => void define(t, k, { value: v.make(w) }) })
      )
    ],
    ["missing", 1, fc.constant<FieldVariant<W>>({ label: "missing", apply: (t, k) => void delete t[k] })],
    [
      "throwing getter",
      1,
      fc.constant<FieldVariant<W>>({
        label: "a getter that throws",
        apply: (t, k) => void define(t, k, { get: thrower(`getter ${k}`) })
      })
    ],
    [
      "valid then hostile",
      2,
      value.map(
        (v): FieldVariant<W> => ({
          label: `a getter answering the valid value first, then ${v.label}`,
          apply: (t, k, w) => {
            const valid = t[k]
            const bad = v.make(w)
            define(
              t,
              k,
              shifting(
                () => valid,
                () => bad
              )
            )
          }
        })
      )
    ],
    [
      "hostile then valid",
      1,
      value.map(
        (v): FieldVariant<W> => ({
          label: `a getter answering ${v.label} first, then the valid value`,
          apply: (t, k, w) => {
            const valid = t[k]
            const bad = v.make(w)
            define(
              t,
              k,
              shifting(
                () => bad,
                () => valid
              )
            )
          }
        })
      )
    ]
  ]
  return fc.oneof(
    ...all.filter(([kind]) => !except.includes(kind)).map(([, weight, arbitrary]) => ({ weight, arbitrary }))
  )
}

/**
 * A valid object (from `valid`) with one of `keys` made hostile: a hostile value, missing, a throwing getter or a
 * getter answering differently on later reads (but the ways listed in `exceptVariants`).
 */
export const withHostileField = <W>(
  valid: fc.Arbitrary<Gen<W>>,
  keys: ReadonlyArray<string>,
  value: fc.Arbitrary<Gen<W>> = hostileValue<W>(),
  exceptVariants: ReadonlyArray<FieldVariantKind> = []
): fc.Arbitrary<Gen<W>> =>
  fc.tuple(valid, fc.constantFrom(...keys), fieldVariants(value, exceptVariants)).map(([base, key, variant]) =>
    gen<W>(`${base.label} with ${key}: ${variant.label}`, (world) => {
      const target = { ...(base.make(world) as Record<string, unknown>) }
      variant.apply(target, key, world)
      return target
    })
  )

/** A valid object dressed up: frozen, a Proxy that answers the valid fields once then throws, or one field extra. */
export const disguised = <W>(valid: fc.Arbitrary<Gen<W>>): fc.Arbitrary<Gen<W>> =>
  fc.tuple(valid, fc.integer({ min: 0, max: 3 })).map(([base, kind]) => {
    switch (kind) {
      case 0:
        return gen<W>(`Object.freeze(${base.label})`, (w) => Object.freeze({ ...(base.make(w) as object) }))
      case 1:
        return gen<W>(`a Proxy over ${base.label} whose second read of a field throws`, (w) => {
          const seen = new Set<PropertyKey>()
          return new Proxy(
            { ...(base.make(w) as object) },
            {
              get(target, key, receiver) {
                if (seen.has(key)) throw new HostileThrow(`second read of ${String(key)}`)
                seen.add(key)
                return Reflect.get(target, key, receiver)
              }
            }
          )
        })
      case 2:
        return gen<W>(`Object.create(${base.label}) (inherited fields)`, (w) => Object.create(base.make(w) as object))
      default:
        return gen<W>(`${base.label} with an extra "__proto__" own key`, (w) => {
          const target = { ...(base.make(w) as object) }
          define(target, "__proto__", { value: { polluted: true } })
          return target
        })
    }
  })

/** A short description of a thrown value, for failure messages. */
export const describeThrown = (thrown: unknown): string => {
  try {
    if (thrown instanceof Error) {
      const tag = (thrown as { readonly _tag?: unknown })._tag
      return `${thrown.constructor.name}${tag === undefined ? "" : ` (_tag ${String(tag)})`}: ${thrown.message}`
    }
    return `a non-Error ${typeof thrown}: ${fc.stringify(thrown)}`
  } catch {
    return "an unprintable value"
  }
}

/** The error classes among a module's exports (classes whose prototype is an Error). */
export const errorClassesOf = (
  exports: Record<string, unknown>
): ReadonlyArray<abstract new (...args: never) => Error> =>
  Object.values(exports).filter(
    (value): value is abstract new (...args: never) => Error =>
      typeof value === "function" && (value as { readonly prototype?: unknown }).prototype instanceof Error
  )

/**
 * Whether `error` is an instance of exactly one of `classes` (its own class, not a subclass made elsewhere) with
 * a string `_tag` naming that class.
 */
export const isTaggedError = (
  classes: ReadonlyArray<abstract new (...args: never) => Error>,
  error: unknown
): boolean => {
  if (typeof error !== "object" || error === null) return false
  const own = classes.find((C) => Object.getPrototypeOf(error) === C.prototype)
  const tag = (error as { readonly _tag?: unknown })._tag
  return own !== undefined && typeof tag === "string" && tag === own.name
}

/** One argument of an entry point: its valid values and its hostile ones. */
export interface Position<W> {
  readonly valid: fc.Arbitrary<Gen<W>>
  readonly hostile: fc.Arbitrary<Gen<W>>
}

/**
 * Argument tuples where one or more positions (a non-empty subset, chosen by a bit mask that shrinks towards
 * "the first argument alone") are hostile and the others valid.
 */
export const argumentsFor = <W>(positions: ReadonlyArray<Position<W>>): fc.Arbitrary<ReadonlyArray<Gen<W>>> =>
  fc
    .record({
      mask: fc.integer({ min: 1, max: 2 ** positions.length - 1 }),
      valid: fc.tuple(...positions.map((p) => p.valid)),
      hostile: fc.tuple(...positions.map((p) => p.hostile))
    })
    .map(({ mask, valid, hostile }) => positions.map((_, i) => ((mask >> i) & 1 ? hostile[i] : valid[i]) as Gen<W>))
