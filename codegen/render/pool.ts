/**
 * Renders the dependency-free copies of the tables @flight-hal/pool needs: the ResourceType
 * table, the shared limits and plain `Error` classes for the pool's rows of the error table.
 */
import { type ErrorEntry, errors, resourceType } from "../tables.ts"
import {
  docBlock,
  frozen,
  limitsSource,
  numberLiteral,
  plainFieldType,
  shownNameSource,
  showsResourceName,
  stringTuple,
  templateLiteral,
  tsHeader
} from "./common.ts"

const since = (category: string): ReadonlyArray<string> => ["@since 0.1.0", `@category ${category}`]

/** The content of packages/pool/src/generated/tables.ts. */
export const renderPoolTables = (): string => {
  const names = resourceType.entries.map((e) => e.name)
  const memberTypes = resourceType.entries
    .map((e) => `${docBlock([e.doc], "  ")}\n  readonly ${e.name}: ${numberLiteral(resourceType, e.value)}`)
    .join("\n")
  const members = resourceType.entries.map((e) => `  ${e.name}: ${numberLiteral(resourceType, e.value)}`).join(",\n")
  return [
    tsHeader("The ResourceType table, dependency-free, for @flight-hal/pool."),
    "",
    docBlock([resourceType.doc, ...since("tables")]),
    `export const ResourceType: {\n${memberTypes}\n} = ${frozen(`{\n${members}\n}`)}`,
    "",
    docBlock(["A ResourceType name.", ...since("tables")]),
    "export type ResourceType = keyof typeof ResourceType",
    "",
    docBlock(["Every ResourceType name, in table order.", ...since("tables")]),
    `export const ResourceTypeNames: readonly ${stringTuple(names)} = ${frozen(stringTuple(names))}`,
    "",
    docBlock(["Whether `u` is a ResourceType name.", ...since("tables")]),
    "export const isResourceType = (u: unknown): u is ResourceType =>",
    '  typeof u === "string" && (ResourceTypeNames as ReadonlyArray<string>).includes(u)',
    "",
    limitsSource(),
    ""
  ].join("\n")
}

const renderPoolError = (e: ErrorEntry): string => {
  const optional = (e.optional ?? []).map((o) => o.field)
  const fieldsType = `{ ${[
    ...e.fields.map((f) => `readonly ${f.name}: ${plainFieldType(f)}`),
    ...optional.map((f) => `readonly ${f.name}?: ${plainFieldType(f)}`)
  ].join("; ")} }`
  return [
    docBlock([e.doc, "", `Category \`${e.category}\`, code ${e.code}.`, ...since("errors")]),
    `export class ${e.tag} extends Error {`,
    `  /** The error's category. */`,
    `  static readonly category: ${JSON.stringify(e.category)} = ${JSON.stringify(e.category)}`,
    `  /** The error's code, stable within its category. */`,
    `  static readonly code: ${e.code} = ${e.code}`,
    `  /** The error's tag. */`,
    `  readonly _tag: ${JSON.stringify(e.tag)} = ${JSON.stringify(e.tag)}`,
    `  /** The error's category. */`,
    `  readonly category: ${JSON.stringify(e.category)} = ${JSON.stringify(e.category)}`,
    `  /** The error's code, stable within its category. */`,
    `  readonly code: ${e.code} = ${e.code}`,
    ...e.fields.flatMap((f) => [`  /** ${f.doc} */`, `  readonly ${f.name}: ${plainFieldType(f)}`]),
    // declared, not defined: an error without the field has no such key (as the core's class)
    ...optional.flatMap((f) => [`  /** ${f.doc} */`, `  declare readonly ${f.name}?: ${plainFieldType(f)}`]),
    `  /** Makes the error from its fields; the message is formatted from them. */`,
    `  constructor(fields: ${fieldsType}) {`,
    `    super(${templateLiteral(e, "fields")})`,
    `    this.name = ${JSON.stringify(e.tag)}`,
    ...e.fields.map((f) => `    this.${f.name} = fields.${f.name}`),
    ...optional.map((f) => `    if (fields.${f.name} !== undefined) this.${f.name} = fields.${f.name}`),
    `  }`,
    `}`
  ].join("\n")
}

/** The content of packages/pool/src/generated/errors.ts. */
export const renderPoolErrors = (): string => {
  const poolErrors = errors.filter((e) => e.pool === true)
  const usesType = poolErrors.some((e) => e.fields.some((f) => f.kind === "resourceType"))
  return [
    tsHeader("The pool's rows of the error table, as dependency-free Error classes."),
    ...(usesType ? ['import type { ResourceType } from "./tables.ts"'] : []),
    "",
    ...(poolErrors.some(showsResourceName) ? [shownNameSource(), ""] : []),
    poolErrors.map(renderPoolError).join("\n\n"),
    "",
    docBlock(["Any error of @flight-hal/pool.", ...since("errors")]),
    `export type PoolError = ${poolErrors.map((e) => e.tag).join(" | ")}`,
    ""
  ].join("\n")
}
