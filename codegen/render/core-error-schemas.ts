/**
 * Renders packages/core/src/generated/error-schemas.ts: the Schema of every error class (its encoded
 * form is `{ _tag, ...fields }`), and of any Flight HAL error. A module of its own, so that the error
 * classes never load Schema.
 */
import { type ErrorEntry, type ErrorField, errors } from "../tables.ts"
import { docBlock, sortedNames, tsHeader } from "./common.ts"
import { exampleFields, optionalFields } from "./core-errors.ts"

const since = ["@since 0.1.0", "@category error schemas"]

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

const renderSchema = (e: ErrorEntry): string => {
  const optional = optionalFields(e)
  const fieldsType = `{ ${[
    ...e.fields.map((f) => `readonly ${f.name}: ${fieldSchemaType(f)}`),
    ...optional.map((f) => `readonly ${f.name}: Schema.optionalKey<${fieldSchemaType(f)}>`)
  ].join("; ")} }`
  const members = [
    ...e.fields.map((f) => `${docBlock([f.doc], "  ")}\n  ${f.name}: ${fieldSchema(f)}`),
    ...optional.map((f) => `${docBlock([f.doc], "  ")}\n  ${f.name}: Schema.optionalKey(${fieldSchema(f)})`)
  ]
  const fields = members.length === 0 ? "{}" : `{\n${members.join(",\n")}\n}`
  // an optional field is copied only when present (the error then has no such key at all)
  const picked = (source: string) =>
    [
      ...e.fields.map((f) => `${f.name}: ${source}.${f.name}`),
      ...optional.map((f) => `...(${source}.${f.name} === undefined ? {} : { ${f.name}: ${source}.${f.name} })`)
    ].join(", ")
  const decode = e.fields.length === 0 ? `() => new ${e.tag}()` : `(encoded) => new ${e.tag}({ ${picked("encoded")} })`
  const encode =
    e.fields.length === 0
      ? `() => ({ _tag: ${JSON.stringify(e.tag)} as const })`
      : `(error) => ({ _tag: ${JSON.stringify(e.tag)} as const, ${picked("error")} })`
  const example = exampleFields(e)
  return [
    `const ${e.tag}Fields: ${fieldsType} = ${fields}`,
    "",
    docBlock([
      `Schema of {@link ${e.tag}}: decodes \`{ _tag: ${JSON.stringify(e.tag)}${e.fields.map((f) => `, ${f.name}`).join("")}${optional.map((f) => `, ${f.name}?`).join("")} }\` to an instance and`,
      "encodes an instance back to its fields.",
      "",
      "@example",
      "```ts",
      `import { ${e.tag}, ${e.tag}Schema } from "@flight-hal/core"`,
      'import * as Schema from "effect/Schema"',
      "",
      `const encoded = Schema.encodeSync(${e.tag}Schema)(new ${e.tag}(${example}))`,
      `Schema.decodeUnknownSync(${e.tag}Schema)(encoded) instanceof ${e.tag} // true`,
      "```",
      ...since
    ]),
    `export const ${e.tag}Schema: Schema.decodeTo<`,
    `  Schema.instanceOf<${e.tag}>,`,
    `  Schema.TaggedStruct<${JSON.stringify(e.tag)}, typeof ${e.tag}Fields>`,
    `> = Schema.TaggedStruct(${JSON.stringify(e.tag)}, ${e.tag}Fields).pipe(`,
    `  Schema.decodeTo(`,
    `    Schema.instanceOf(${e.tag}),`,
    `    SchemaTransformation.transform({ decode: ${decode}, encode: ${encode} })`,
    `  )`,
    `)`
  ].join("\n")
}

/** The content of packages/core/src/generated/error-schemas.ts. */
export const renderCoreErrorSchemas = (): string => {
  const kinds = new Set(errors.flatMap((e) => [...e.fields, ...optionalFields(e)].map((f) => f.kind)))
  const tableSchemas = [
    ["mode", "AcquisitionModeSchema"],
    ["pressure", "ResourcePressureSchema"],
    ["priority", "ResourcePrioritySchema"]
  ]
    .filter(([kind]) => kinds.has(kind as ErrorField["kind"]))
    .map(([, name]) => name)
  return [
    tsHeader(
      "The Schemas of the errors of Flight HAL, for programs that decode or encode them (a dump, a wire format)."
    ),
    'import * as Schema from "effect/Schema"',
    'import * as SchemaTransformation from "effect/SchemaTransformation"',
    ...(kinds.has("resourceType") ? ['import { ResourceTypeNameSchema } from "../schemas.ts"'] : []),
    `import {\n${sortedNames(errors.map((e) => e.tag))
      .map((tag) => `  ${tag}`)
      .join(",\n")}\n} from "./errors.ts"`,
    ...(tableSchemas.length === 0 ? [] : [`import { ${tableSchemas.join(", ")} } from "./table-schemas.ts"`]),
    "",
    errors.map(renderSchema).join("\n\n"),
    "",
    docBlock([
      "Schema of any Flight HAL error: decodes an encoded error by its `_tag` to an instance of its class.",
      "",
      "@example",
      "```ts",
      'import { FlightHalErrorSchema, ManagerClosed } from "@flight-hal/core"',
      'import * as Schema from "effect/Schema"',
      "",
      'Schema.decodeUnknownSync(FlightHalErrorSchema)({ _tag: "ManagerClosed" }) instanceof ManagerClosed // true',
      "```",
      ...since
    ]),
    `export const FlightHalErrorSchema: Schema.Union<readonly [\n${errors.map((e) => `  typeof ${e.tag}Schema`).join(",\n")}\n]> = Schema.Union([\n${errors.map((e) => `  ${e.tag}Schema`).join(",\n")}\n])`,
    ""
  ].join("\n")
}
