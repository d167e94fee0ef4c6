/**
 * Renders packages/core/src/generated/errors.ts: one `Schema.TaggedError` class per error, with
 * its category, code and formatted message on class and instance, and the (category, code) lookup.
 */
import { type ErrorEntry, type ErrorField, enumTables, errorCategories, errors } from "../tables.ts"
import { docBlock, templateLiteral, tsHeader, validateTables } from "./common.ts"

const since = ["@since 0.1.0", "@category errors"]

const fieldSchema = (field: ErrorField): string => {
  switch (field.kind) {
    case "string":
      return "Schema.String"
    case "int":
      return "Schema.Number"
    case "resourceType":
      return "ResourceTypeNameSchema"
    case "stringList":
      return "Schema.Array(Schema.String)"
    case "pressure":
      return "ResourcePressureSchema"
    case "priority":
      return "ResourcePrioritySchema"
    case "mode":
      return "AcquisitionModeSchema"
  }
}

/** The declared type of a field's Schema (JSR needs explicit types in the public API). */
const fieldSchemaType = (field: ErrorField): string => {
  switch (field.kind) {
    case "stringList":
      return "Schema.$Array<Schema.String>"
    case "resourceType":
    case "pressure":
    case "priority":
    case "mode":
      return `typeof ${fieldSchema(field)}`
    default:
      return fieldSchema(field)
  }
}

const renderError = (e: ErrorEntry): string => {
  const fieldsType = `{ ${e.fields.map((f) => `readonly ${f.name}: ${fieldSchemaType(f)}`).join("; ")} }`
  const fields =
    e.fields.length === 0
      ? "{}"
      : `{\n${e.fields.map((f) => `${docBlock([f.doc], "  ")}\n  ${f.name}: ${fieldSchema(f)}`).join(",\n")}\n}`
  const example = e.fields.map((f) => `${f.name}: ${exampleValue(f)}`).join(", ")
  return [
    `const ${e.tag}Fields: ${fieldsType} = ${fields}`,
    "",
    `const ${e.tag}Base: Schema.Class<`,
    `  ${e.tag},`,
    `  Schema.TaggedStruct<${JSON.stringify(e.tag)}, typeof ${e.tag}Fields>,`,
    `  Cause.YieldableError`,
    `> = Schema.TaggedError<${e.tag}>()(${JSON.stringify(e.tag)}, ${e.tag}Fields)`,
    "",
    docBlock([
      e.doc,
      "",
      `Category \`${e.category}\`, code ${e.code}. Message: "${e.message}".`,
      "",
      "@example",
      "```ts",
      `import { ${e.tag} } from "@flight-hal/core"`,
      "",
      `const error = new ${e.tag}(${example === "" ? "" : `{ ${example} }`})`,
      `console.log(error.category, error.code, error.message)`,
      "```",
      ...since
    ]),
    `export class ${e.tag} extends ${e.tag}Base {`,
    `  /** The error's category. */`,
    `  static readonly category: ${JSON.stringify(e.category)} = ${JSON.stringify(e.category)}`,
    `  /** The error's code, stable within its category. */`,
    `  static readonly code: ${e.code} = ${e.code}`,
    `  /** The error's category. */`,
    `  get category(): ${JSON.stringify(e.category)} {`,
    `    return ${JSON.stringify(e.category)}`,
    `  }`,
    `  /** The error's code, stable within its category. */`,
    `  get code(): ${e.code} {`,
    `    return ${e.code}`,
    `  }`,
    `}`,
    `defineMessage(${e.tag}.prototype, (${e.fields.length === 0 ? "" : "self"}) => ${templateLiteral(e, "self")})`
  ].join("\n")
}

const exampleValue = (f: ErrorField): string => {
  switch (f.kind) {
    case "string":
      return JSON.stringify(f.name === "name" ? "Texture1" : "x")
    case "int":
      return "1"
    case "resourceType":
      return '"Memory"'
    case "stringList":
      return '["a", "b"]'
    case "pressure":
      return '"High"'
    case "priority":
      return '"Normal"'
    case "mode":
      return '"Blocking"'
  }
}

/** The content of packages/core/src/generated/errors.ts. */
export const renderCoreErrors = (): string => {
  validateTables(enumTables, errors)
  const tags = errors.map((e) => e.tag)
  const categories = errorCategories.map((c) => c.name)
  const lookup = errorCategories
    .map((c) => {
      const rows = errors.filter((e) => e.category === c.name).map((e) => `    ${e.code}: ${e.tag}`)
      return `  ${c.name}: {\n${rows.join(",\n")}\n  }`
    })
    .join(",\n")
  const table = errors
    .map(
      (e) =>
        `  { tag: ${JSON.stringify(e.tag)}, category: ${JSON.stringify(e.category)}, code: ${e.code}, message: ${JSON.stringify(e.message)}, fields: [${e.fields.map((f) => JSON.stringify(f.name)).join(", ")}] }`
    )
    .join(",\n")
  return [
    tsHeader("The typed errors of Flight HAL, one Schema.TaggedError class per row of the error table."),
    'import type * as Cause from "effect/Cause"',
    'import * as Schema from "effect/Schema"',
    'import { ResourceTypeNameSchema } from "../resource-type.ts"',
    'import { AcquisitionModeSchema, ResourcePressureSchema, ResourcePrioritySchema } from "./tables.ts"',
    "",
    "const defineMessage = <A>(prototype: A, format: (self: A) => string): void => {",
    '  Object.defineProperty(prototype, "message", {',
    "    get(this: A) {",
    "      return format(this)",
    "    },",
    "    configurable: true,",
    "    enumerable: false",
    "  })",
    "}",
    "",
    "// Referenced so that every field-kind Schema import is used even when no error needs it.",
    "void [AcquisitionModeSchema, ResourcePressureSchema, ResourcePrioritySchema]",
    "",
    errors.map(renderError).join("\n\n"),
    "",
    docBlock(["The category of an error (the seed's HALErrorCategory).", ...since]),
    `export type ErrorCategory = ${categories.map((c) => JSON.stringify(c)).join(" | ")}`,
    "",
    docBlock(["The numeric value of each error category.", ...since]),
    `export const ErrorCategory = {\n${errorCategories.map((c) => `  ${c.name}: ${c.value}`).join(",\n")}\n} as const`,
    "",
    docBlock(["The tag of any Flight HAL error.", ...since]),
    `export type ErrorTag = ${tags.map((t) => JSON.stringify(t)).join(" | ")}`,
    "",
    docBlock(["Any Flight HAL error.", ...since]),
    `export type FlightHalError = ${tags.join(" | ")}`,
    "",
    docBlock(["One row of the error table, as data.", ...since]),
    "export interface ErrorTableRow {",
    "  /** The error's tag, also its class name. */",
    "  readonly tag: ErrorTag",
    "  /** The error's category. */",
    "  readonly category: ErrorCategory",
    "  /** The error's code, stable forever within its category. */",
    "  readonly code: number",
    "  /** The message template: `{field}` stands for the field's value. */",
    "  readonly message: string",
    "  /** The names of the error's typed fields. */",
    "  readonly fields: ReadonlyArray<string>",
    "}",
    "",
    docBlock(["The error table, in table order.", ...since]),
    `export const ErrorTable: ReadonlyArray<ErrorTableRow> = [\n${table}\n]`,
    "",
    docBlock(["The class of any Flight HAL error.", ...since]),
    `export type ErrorClass = ${tags.map((t) => `typeof ${t}`).join(" | ")}`,
    "",
    docBlock(["The error class of each (category, code) pair.", ...since]),
    `export const ErrorClassByCode: { readonly [C in ErrorCategory]: Readonly<Record<number, ErrorClass>> } = {\n${lookup}\n}`,
    "",
    docBlock([
      "The error class for a (category, code) pair, or undefined when the pair is unknown.",
      "",
      "@example",
      "```ts",
      'import { BudgetExceeded, errorClassFor } from "@flight-hal/core"',
      "",
      'errorClassFor("Resource", 2) === BudgetExceeded // true',
      "```",
      ...since
    ]),
    "export const errorClassFor = (category: ErrorCategory, code: number): ErrorClass | undefined =>",
    "  ErrorClassByCode[category][code]",
    ""
  ].join("\n")
}
