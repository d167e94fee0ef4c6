/**
 * The resource types one manager serves: the built-in types, then the user-defined types its config declares
 * (`types: { Shader: {}, Mesh: { code: 0x80000010 } }`), each with a dense index (the position of its counters
 * in the manager's per-type arrays) and a numeric code (built-ins: the generated table; custom types: the
 * Custom range).
 */
import {
  CustomResourceTypeCodes,
  InvalidArgument,
  ResourceType,
  type ResourceTypeName,
  ResourceTypeNames
} from "@flight-hal/core"
import { cut, show } from "./show.ts"

/** At most this many user-defined types per manager (each has its own counters, queue and budget). */
export const MAX_CUSTOM_TYPES = 1024

const MAX_TYPE_NAME_LENGTH = 64

/** The resource types of one manager, by index, name and code. */
export class TypeTable {
  /** Every type name, by index: the built-in types in table order, then the custom types in config order. */
  readonly names: ReadonlyArray<ResourceTypeName>
  /** The numeric code of each type, by index. */
  readonly codes: ReadonlyArray<number>
  private readonly indexes: ReadonlyMap<string, number>
  /** The last name looked up and its index (most programs acquire one or two types in a row). */
  private lastName = ""
  private lastIndex = -1

  private constructor(custom: ReadonlyArray<readonly [string, number]>) {
    const builtin = ResourceTypeNames.map((name) => [name, ResourceType[name]] as const)
    const all = [...builtin, ...custom]
    this.names = all.map(([name]) => name as ResourceTypeName)
    this.codes = all.map(([, code]) => code)
    this.indexes = new Map(all.map(([name], index) => [name, index]))
  }

  /** The built-in types only (a manager whose config declares no `types`). */
  static readonly builtin: TypeTable = new TypeTable([])

  /**
   * The table of a config's `types` (undefined: the built-in types only), or InvalidArgument naming the first
   * bad entry (`config.types` or `config.types.<name>`).
   */
  static make(types: unknown): TypeTable | InvalidArgument {
    if (types === undefined) return TypeTable.builtin
    const bad = (key: string, issue: string) => new InvalidArgument({ argument: `config.${key}`, issue })
    if (typeof types !== "object" || types === null || Array.isArray(types)) {
      return bad("types", `expected an object of custom resource types by name, got ${show(types)}`)
    }
    const entries = Object.entries(types)
    if (entries.length > MAX_CUSTOM_TYPES) return bad("types", `at most ${MAX_CUSTOM_TYPES} custom types`)
    const taken = new Set<number>()
    for (const [name, declaration] of entries) {
      const issue = nameIssue(name) ?? declarationIssue(declaration)
      if (issue !== undefined) return bad(`types.${cut(name)}`, issue)
      const code = (declaration as { readonly code?: unknown } | undefined)?.code
      if (typeof code === "number") {
        if (taken.has(code))
          return bad(`types.${cut(name)}`, `code ${hex(code)} is already taken by another custom type`)
        taken.add(code)
      }
    }
    // types without a code take the lowest free codes of the range, in config order
    let next = CustomResourceTypeCodes.min
    const custom: Array<readonly [string, number]> = []
    for (const [name, declaration] of entries) {
      const given = (declaration as { readonly code?: unknown } | undefined)?.code
      if (typeof given === "number") custom.push([name, given])
      else {
        while (taken.has(next)) next++
        custom.push([name, next++])
      }
    }
    return custom.length === 0 ? TypeTable.builtin : new TypeTable(custom)
  }

  /** How many types the manager serves. */
  get count(): number {
    return this.names.length
  }

  /** The index of a type name, or -1 for anything else (never an inherited property: `"toString"` is -1). */
  indexOf(value: unknown): number {
    if (value === this.lastName) return this.lastIndex
    if (typeof value !== "string") return -1
    const index = this.indexes.get(value)
    if (index === undefined) return -1
    this.lastName = value
    this.lastIndex = index
    return index
  }

  /** The name of a type index. */
  nameOf(index: number): ResourceTypeName {
    return this.names[index] ?? "Custom"
  }

  /** A type name's index, or InvalidArgument listing the names this manager serves. */
  validate(value: unknown, argument = "type"): number | InvalidArgument {
    const index = this.indexOf(value)
    return index >= 0 ? index : new InvalidArgument({ argument, issue: this.unknownIssue(value) })
  }

  /** The issue text of a type name this manager does not serve. */
  unknownIssue(value: unknown): string {
    return `expected one of ${this.names.join(", ")}, got ${show(value)}`
  }
}

const hex = (code: number): string => `0x${code.toString(16)}`

const nameIssue = (name: string): string | undefined => {
  if (name === "") return "a custom type's name must be a non-empty string"
  if (name.length > MAX_TYPE_NAME_LENGTH) return `a custom type's name has at most ${MAX_TYPE_NAME_LENGTH} characters`
  if (Object.hasOwn(ResourceType, name)) return `${name} is a built-in resource type`
  return undefined
}

const declarationIssue = (declaration: unknown): string | undefined => {
  if (declaration === undefined) return undefined
  if (typeof declaration !== "object" || declaration === null || Array.isArray(declaration)) {
    return `expected { code?: number }, got ${show(declaration)}`
  }
  for (const key of Object.keys(declaration)) if (key !== "code") return `unknown option ${cut(key)}`
  const code = (declaration as { readonly code?: unknown }).code
  if (code === undefined) return undefined
  const { min, max } = CustomResourceTypeCodes
  if (typeof code !== "number" || !Number.isInteger(code) || code < min || code > max) {
    return `code must be an integer in [${hex(min)}, ${hex(max)}] (the Custom range), got ${show(code)}`
  }
  return undefined
}
