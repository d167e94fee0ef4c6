/**
 * Renders packages/core/src/generated/errors.ts: one light error class per row of the error table
 * (a yieldable Effect error from `effect/Data`, with its tag, category, code, fields and a message
 * formatted from them), and the (category, code) lookup. The Schemas of the errors, for programs that
 * decode or encode errors, are rendered into a module of their own (`error-schemas.ts`), so that
 * importing an error class never loads Schema.
 */
import { type ErrorEntry, type ErrorField, enumTables, errorCategories, errors } from "../tables.ts"
import {
  docBlock,
  frozen,
  LIST_SEPARATOR,
  shownNameSource,
  showsResourceName,
  templateLiteral,
  tsHeader,
  UNNAMED,
  validateTables
} from "./common.ts"

const since = ["@since 0.1.0", "@category errors"]
const sinceNew = ["@since 0.1.0", "@category errors"]

/** The TypeScript type of an error field. */
export const errorFieldType = (field: ErrorField): string => {
  switch (field.kind) {
    case "string":
      return "string"
    case "int":
      return "number"
    case "resourceType":
      return "ResourceTypeName"
    case "stringList":
      return "ReadonlyArray<string>"
    case "pressure":
      return "ResourcePressure"
    case "priority":
      return "ResourcePriority"
    case "mode":
      return "AcquisitionMode"
  }
}

/** An example value of an error field, as TypeScript source. */
export const exampleValue = (f: ErrorField): string => {
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

/** `{ resourceType: "Memory", requested: 1 }`, or "" for an error without fields. */
export const exampleFields = (e: ErrorEntry): string =>
  e.fields.length === 0 ? "" : `{ ${e.fields.map((f) => `${f.name}: ${exampleValue(f)}`).join(", ")} }`

/** An error's optional fields (none for most). */
export const optionalFields = (e: ErrorEntry): ReadonlyArray<ErrorField> => (e.optional ?? []).map((o) => o.field)

/** `{field}` in a doc comment's message: the row's message, then each optional field's. */
const messagesDoc = (e: ErrorEntry): ReadonlyArray<string> => [
  `Category \`${e.category}\`, code ${e.code}. Message: "${e.message}".`,
  ...(e.optional ?? []).map((o) => `With \`${o.field.name}\` (optional): "${o.message}".`)
]

const renderError = (e: ErrorEntry): string => {
  const members = [
    ...e.fields.map((f) => `${docBlock([f.doc], "  ")}\n  readonly ${f.name}: ${errorFieldType(f)}`),
    ...optionalFields(e).map((f) => `${docBlock([f.doc], "  ")}\n  readonly ${f.name}?: ${errorFieldType(f)}`)
  ]
  const fieldsType = members.length === 0 ? "{}" : `{\n${members.join("\n")}\n}`
  return [
    `const ${e.tag}Base: FlightHalErrorClass<${JSON.stringify(e.tag)}, ${JSON.stringify(e.category)}, ${e.code}, ${fieldsType}> =`,
    `  errorClass(${JSON.stringify(e.tag)}, ${JSON.stringify(e.category)}, ${e.code}, (${e.fields.length === 0 ? "" : "self"}) => ${templateLiteral(e, "self")})`,
    "",
    docBlock([
      e.doc,
      "",
      ...messagesDoc(e),
      "",
      "@example",
      "```ts",
      `import { ${e.tag} } from "@flight-hal/core"`,
      "",
      `const error = new ${e.tag}(${exampleFields(e)})`,
      `console.log(error.category, error.code, error.message)`,
      "```",
      ...since
    ]),
    `export class ${e.tag} extends ${e.tag}Base {`,
    ...e.fields.flatMap((f) => [`  /** ${f.doc} */`, `  declare readonly ${f.name}: ${errorFieldType(f)}`]),
    ...optionalFields(e).flatMap((f) => [`  /** ${f.doc} */`, `  declare readonly ${f.name}?: ${errorFieldType(f)}`]),
    `}`
  ].join("\n")
}

/** The imports of the field types the error table uses. */
const fieldTypeImports = (): ReadonlyArray<string> => {
  const kinds = new Set(errors.flatMap((e) => [...e.fields, ...optionalFields(e)].map((f) => f.kind)))
  const tables = (["mode", "pressure", "priority"] as const)
    .filter((k) => kinds.has(k))
    .map((k) => errorFieldType({ name: "", kind: k, doc: "" }))
  return [
    ...(kinds.has("resourceType") ? ['import type { ResourceTypeName } from "../resource-type.ts"'] : []),
    ...(tables.length === 0 ? [] : [`import type { ${tables.join(", ")} } from "./tables.ts"`])
  ]
}

/** The content of packages/core/src/generated/errors.ts. */
export const renderCoreErrors = (): string => {
  validateTables(enumTables, errors)
  const tags = errors.map((e) => e.tag)
  const categories = errorCategories.map((c) => c.name)
  const lookup = errorCategories
    .map((c) => {
      const rows = errors.filter((e) => e.category === c.name).map((e) => `    ${e.code}: ${e.tag}`)
      return `  ${c.name}: ${frozen(`{\n${rows.join(",\n")}\n  }`)}`
    })
    .join(",\n")
  const table = errors
    .map(
      (e) =>
        `  ${frozen(`{ tag: ${JSON.stringify(e.tag)}, category: ${JSON.stringify(e.category)}, code: ${e.code}, message: ${JSON.stringify(e.message)}, fields: ${frozen(`[${e.fields.map((f) => JSON.stringify(f.name)).join(", ")}]`)}, optionalFields: ${frozen(`[${(e.optional ?? []).map((o) => frozen(`{ name: ${JSON.stringify(o.field.name)}, message: ${JSON.stringify(o.message)} }`)).join(", ")}]`)} }`)}`
    )
    .join(",\n")
  return [
    tsHeader(
      "The typed errors of Flight HAL, one class per row of the error table: yieldable Effect errors (`effect/Data`), without Schema. Their Schemas are in `error-schemas.ts`."
    ),
    'import type * as Cause from "effect/Cause"',
    'import * as Data from "effect/Data"',
    'import type * as Types from "effect/Types"',
    ...fieldTypeImports(),
    "",
    docBlock([
      "An instance of a Flight HAL error class: a yieldable Effect error (`yield*` it in `Effect.gen`, match it with",
      "`Effect.catchTag`) with its `_tag`, category, code and fields; its message is formatted from the fields.",
      ...sinceNew
    ]),
    "export type FlightHalErrorInstance<",
    "  Tag extends string,",
    "  Category extends ErrorCategory,",
    "  Code extends number,",
    "  Fields extends object",
    "> = Cause.YieldableError & {",
    "  /** The error's tag, also its class name. */",
    "  readonly _tag: Tag",
    "  /** The error's category. */",
    "  readonly category: Category",
    "  /** The error's code, stable within its category. */",
    "  readonly code: Code",
    "} & Readonly<Fields>",
    "",
    docBlock([
      "The constructor of a Flight HAL error class: what every generated error class extends. It takes the",
      "error's fields (nothing for an error without fields) and carries the category and code.",
      "",
      "@example",
      "```ts",
      'import { type FlightHalErrorClass, ManagerClosed } from "@flight-hal/core"',
      "",
      'const errorClass: FlightHalErrorClass<"ManagerClosed", "Resource", 7, {}> = ManagerClosed',
      "new errorClass().code // 7",
      "```",
      ...sinceNew
    ]),
    "export interface FlightHalErrorClass<",
    "  Tag extends string,",
    "  Category extends ErrorCategory,",
    "  Code extends number,",
    "  Fields extends object",
    "> {",
    "  /** Makes the error from its fields. */",
    "  new (fields: Types.VoidIfEmpty<Fields>): FlightHalErrorInstance<Tag, Category, Code, Fields>",
    "  /** The error's category. */",
    "  readonly category: Category",
    "  /** The error's code, stable within its category. */",
    "  readonly code: Code",
    "}",
    "",
    'const nodeInspect = Symbol.for("nodejs.util.inspect.custom")',
    'const denoInspect = Symbol.for("Deno.customInspect")',
    "",
    "/** `Tag [Category code]: message`, then the stack's frames (console.log on Node, Bun and Deno). */",
    "const inspectError = (error: Error & { readonly _tag: string; readonly category: string; readonly code: number }): string =>",
    "  [",
    `    \`\${error._tag} [\${error.category} \${error.code}]: \${error.message}\`,`,
    '    ...(error.stack ?? "").split("\\n").filter((line) => /^\\s+at\\s/.test(line))',
    '  ].join("\\n")',
    "",
    ...(errors.some(showsResourceName) ? [shownNameSource(), ""] : []),
    "/** The base class of one error: `Data.TaggedError` with the category, the code and the message. */",
    "const errorClass = <Tag extends string, Category extends ErrorCategory, Code extends number, Fields extends object>(",
    "  tag: Tag,",
    "  category: Category,",
    "  code: Code,",
    "  format: (self: Readonly<Fields>) => string",
    "): FlightHalErrorClass<Tag, Category, Code, Fields> => {",
    "  class FlightHalError extends Data.TaggedError(tag)<{}> {",
    "    static readonly category: Category = category",
    "    static readonly code: Code = code",
    "    constructor(fields: Types.VoidIfEmpty<Fields>) {",
    "      super(fields as unknown as undefined)",
    "      // its own name and message (the message formatted once from the fields): Bun's `stack` starts with the",
    "      // message only when it is the error's own, and with the name only when it is the error's own or its class's.",
    "      // Not enumerable (the default here), as an `Error`'s own: `JSON.stringify` and `Object.keys` leave them out.",
    "      // Two calls: one `Object.defineProperties` made an error about 20 % dearer to construct on Bun.",
    '      Object.defineProperty(this, "name", { value: tag, configurable: true, writable: true })',
    '      Object.defineProperty(this, "message", {',
    "        value: format(this as unknown as Readonly<Fields>),",
    "        configurable: true,",
    "        writable: true",
    "      })",
    "    }",
    "    get category(): Category {",
    "      return category",
    "    }",
    "    get code(): Code {",
    "      return code",
    "    }",
    "    [nodeInspect](): string {",
    "      return inspectError(this)",
    "    }",
    "    [denoInspect](): string {",
    "      return inspectError(this)",
    "    }",
    "  }",
    "  return FlightHalError as unknown as FlightHalErrorClass<Tag, Category, Code, Fields>",
    "}",
    "",
    errors.map(renderError).join("\n\n"),
    "",
    docBlock([
      "The category of an error: the part of the system that refused (resources, validation, sharing, dependencies,",
      "pools, platform).",
      ...since
    ]),
    `export type ErrorCategory = ${categories.map((c) => JSON.stringify(c)).join(" | ")}`,
    "",
    docBlock(["The numeric value of each error category.", ...since]),
    `export const ErrorCategory: {\n${errorCategories.map((c) => `  readonly ${c.name}: ${c.value}`).join("\n")}\n} = ${frozen(`{\n${errorCategories.map((c) => `  ${c.name}: ${c.value}`).join(",\n")}\n}`)}`,
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
    "  /**",
    "   * The message template: `{field}` stands for the field's value; a field holding a resource name prints an",
    `   * empty name as \`${UNNAMED}\`; a list field prints as \`a${LIST_SEPARATOR.sequence}b\` when its order is a path (a`,
    `   * dependency cycle) and as \`a${LIST_SEPARATOR.set}b\` when it is a set (a deadlock's drivers and resources).`,
    "   */",
    "  readonly message: string",
    "  /** The names of the error's typed fields (those it always carries). */",
    "  readonly fields: ReadonlyArray<string>",
    "  /**",
    "   * The fields it may leave out, each with the message template it has when it carries that field (the first",
    "   * carried, in this order); `message` names none of them.",
    "   */",
    "  readonly optionalFields: ReadonlyArray<{ readonly name: string; readonly message: string }>",
    "}",
    "",
    docBlock(["The error table, in table order.", ...since]),
    `export const ErrorTable: ReadonlyArray<ErrorTableRow> = ${frozen(`[\n${table}\n]`)}`,
    "",
    docBlock(["The class of any Flight HAL error.", ...since]),
    `export type ErrorClass = ${tags.map((t) => `typeof ${t}`).join(" | ")}`,
    "",
    docBlock(["The error class of each (category, code) pair.", ...since]),
    `export const ErrorClassByCode: { readonly [C in ErrorCategory]: Readonly<Record<number, ErrorClass>> } = ${frozen(`{\n${lookup}\n}`)}`,
    "",
    docBlock([
      "The error class for a (category, code) pair, or undefined when the pair is unknown: a category or code the",
      'table does not have as its own key (`"constructor"`, `"__proto__"`), or that is not a string and a number.',
      "",
      "@example",
      "```ts",
      'import { BudgetExceeded, errorClassFor } from "@flight-hal/core"',
      "",
      'errorClassFor("Resource", 2) === BudgetExceeded // true',
      "```",
      ...since
    ]),
    "export const errorClassFor = (category: ErrorCategory, code: number): ErrorClass | undefined => {",
    '  // own keys only (an inherited name such as "constructor" is unknown), and only a string category and a number',
    "  // code: turning another value into a key would run its code",
    '  if (typeof category !== "string" || typeof code !== "number" || !Object.hasOwn(ErrorClassByCode, category)) {',
    "    return undefined",
    "  }",
    "  const byCode: Readonly<Record<number, ErrorClass>> = ErrorClassByCode[category]",
    "  return Object.hasOwn(byCode, code) ? byCode[code] : undefined",
    "}",
    ""
  ].join("\n")
}
