/**
 * Renders packages/core/src/generated/tables.ts (const objects, literal unions and flag helpers for every
 * enumeration, without Schema) and packages/core/src/generated/table-schemas.ts (their Schemas), so that a
 * program using the tables never loads Schema.
 */
import { type EnumTable, enumTables } from "../tables.ts"
import {
  docBlock,
  frozen,
  limitsSource,
  namesOf,
  numberLiteral,
  numberTuple,
  SHOWN_VALUE,
  shownValueSource,
  sortedNames,
  stringTuple,
  tsHeader
} from "./common.ts"

const since = ["@since 0.1.0", "@category tables"]

const renderEnum = (table: EnumTable): string => {
  const n = table.name
  const names = namesOf(table)
  const first = names[0] ?? ""
  const namesType = `readonly ${stringTuple(names)}`
  const byCodeType = table.entries.map((e) => `  readonly ${e.value}: ${JSON.stringify(e.name)}`).join("\n")
  const byCode = table.entries.map((e) => `  ${e.value}: ${JSON.stringify(e.name)}`).join(",\n")
  const memberTypes = table.entries
    .map((e) => `${docBlock([e.doc], "  ")}\n  readonly ${e.name}: ${numberLiteral(table, e.value)}`)
    .join("\n")
  const members = table.entries.map((e) => `  ${e.name}: ${numberLiteral(table, e.value)}`).join(",\n")
  return [
    docBlock([
      table.doc,
      "",
      `Maps each name to its numeric code. The name (\`${n}\` type) is the public representation.`,
      "",
      "@example",
      "```ts",
      `import { ${n} } from "@flight-hal/core"`,
      "",
      `const code: number = ${n}.${first}`,
      "```",
      ...since
    ]),
    `export const ${n}: {\n${memberTypes}\n} = ${frozen(`{\n${members}\n}`)}`,
    "",
    docBlock([`A ${n} name.`, ...since]),
    `export type ${n} = keyof typeof ${n}`,
    "",
    docBlock([`Every ${n} name, in table order.`, ...since]),
    `export const ${n}Names: ${namesType} = ${frozen(stringTuple(names))}`,
    "",
    docBlock([`The ${n} name of each numeric code.`, ...since]),
    `export const ${n}ByCode: {\n${byCodeType}\n} = ${frozen(`{\n${byCode}\n}`)}`
  ].join("\n")
}

const renderEnumSchemas = (table: EnumTable): string => {
  const n = table.name
  const names = namesOf(table)
  const first = names[0] ?? ""
  const codes = table.entries.map((e) => e.value)
  const namesType = `readonly ${stringTuple(names)}`
  const codesType = `readonly ${numberTuple(codes)}`
  return [
    docBlock([
      `Schema of a ${n} name.`,
      "",
      "@example",
      "```ts",
      'import { Schema } from "effect"',
      `import { ${n}Schema } from "@flight-hal/core"`,
      "",
      `const name = Schema.decodeUnknownSync(${n}Schema)(${JSON.stringify(first)})`,
      "```",
      ...since
    ]),
    `export const ${n}Schema: Schema.Literals<${namesType}> = Schema.Literals(${stringTuple(names)})`,
    "",
    docBlock([
      `Schema decoding a numeric ${n} code to its name and encoding the name back; an unknown code fails.`,
      ...since
    ]),
    `export const ${n}FromCode: Schema.decodeTo<Schema.Literals<${namesType}>, Schema.Literals<${codesType}>> =`,
    `  Schema.Literals(${numberTuple(codes)}).pipe(`,
    `    Schema.decodeTo(`,
    `      ${n}Schema,`,
    `      SchemaTransformation.transform({`,
    `        decode: (code) => ${n}ByCode[code],`,
    `        encode: (name) => ${n}[name]`,
    `      })`,
    `    )`,
    `  )`
  ].join("\n")
}

const renderFlagHelpers = (table: EnumTable): string => {
  const n = table.name
  const mask = table.entries.reduce((m, e) => m | e.value, 0)
  const expected = `expected one of ${namesOf(table).join(", ")}`
  return [
    docBlock([`Every known ${n} bit, OR-ed together.`, ...since]),
    `export const ${n}Mask: number = 0x${mask.toString(16).padStart(2, "0")}`,
    "",
    docBlock([
      `The bit of a ${n} name: own keys only, so an inherited name (\`"toString"\`, \`"constructor"\`), a misspelt`,
      "name or a value that is no string throws `InvalidArgument` (argument `flag`) rather than adding nothing."
    ]),
    `const ${n.charAt(0).toLowerCase()}${n.slice(1)}Bit = (flag: unknown): number => {`,
    `  if (typeof flag === "string" && Object.hasOwn(${n}, flag)) return ${n}[flag as ${n}]`,
    `  throw new InvalidArgument({ argument: "flag", issue: \`${expected}, got \${${SHOWN_VALUE}(flag)}\` })`,
    `}`,
    "",
    docBlock([
      `Helpers for ${n} bit sets. \`combine\` and \`has\` throw \`InvalidArgument\` (argument \`flag\`) for a name that is`,
      `not a ${n} (a misspelt flag is never silently left out).`,
      "",
      "@example",
      "```ts",
      `import { ${n}s } from "@flight-hal/core"`,
      "",
      `const set = ${n}s.combine("Shareable", "GPUAccessible")`,
      `${n}s.has(set, "Shareable") // true`,
      `${n}s.list(set) // ["GPUAccessible", "Shareable"]`,
      "```",
      ...since
    ]),
    `export const ${n}s: {`,
    `  /** The empty set. */`,
    `  readonly none: 0`,
    `  /** The set holding exactly the given flags; throws \`InvalidArgument\` for a name that is not a flag. */`,
    `  readonly combine: (...flags: ReadonlyArray<${n}>) => number`,
    `  /** Whether \`set\` holds \`flag\`; throws \`InvalidArgument\` for a name that is not a flag. */`,
    `  readonly has: (set: number, flag: ${n}) => boolean`,
    `  /** The flags of \`set\`, in table order (unknown bits are ignored). */`,
    `  readonly list: (set: number) => Array<${n}>`,
    `} = /* @__PURE__ */ Object.freeze({`,
    `  none: 0,`,
    `  combine: (...flags) => flags.reduce((set, flag) => set | ${n.charAt(0).toLowerCase()}${n.slice(1)}Bit(flag), 0),`,
    `  has: (set, flag) => (set & ${n.charAt(0).toLowerCase()}${n.slice(1)}Bit(flag)) !== 0,`,
    `  list: (set) => ${n}Names.filter((flag) => (set & ${n}[flag]) !== 0)`,
    `})`
  ].join("\n")
}

const renderFlagSetSchema = (table: EnumTable): string => {
  const n = table.name
  return [
    docBlock([
      `Schema of a ${n} set: a non-negative integer whose bits are all known ${n} bits.`,
      "An unknown bit fails with a message naming it.",
      ...since
    ]),
    // its own check first: after `Schema.isInt`, 2^53 + 2 (an integer) would get "Expected an integer"
    `export const ${n}SetSchema: Schema.Int = Schema.Number.check(`,
    `  Schema.makeFilter((set: number) => {`,
    `    if (!Number.isInteger(set) || set < 0 || set > 0xffffffff) {`,
    `      return \`a ${n} set is a 32-bit non-negative integer, got \${set}\``,
    `    }`,
    `    const unknown = (set & ~${n}Mask) >>> 0 // unsigned: bit 31 prints as 0x80000000, not -0x80000000`,
    `    return unknown === 0 ? undefined : \`unknown ${n} bit(s) 0x\${unknown.toString(16)} in 0x\${set.toString(16)}\``,
    `  }),`,
    `  Schema.isInt()`,
    `) as Schema.Int`
  ].join("\n")
}

/** The content of packages/core/src/generated/tables.ts. */
export const renderCoreTables = (): string =>
  [
    tsHeader(
      "The typed tables of Flight HAL: resource types, flags, priorities, access patterns, pressure, modes. Their Schemas are in `table-schemas.ts`."
    ),
    ...(enumTables.some((t) => t.kind === "flags")
      ? ['import { InvalidArgument } from "./errors.ts"', "", shownValueSource()]
      : []),
    "",
    enumTables
      .map((t) => (t.kind === "flags" ? `${renderEnum(t)}\n\n${renderFlagHelpers(t)}` : renderEnum(t)))
      .join("\n\n"),
    "",
    limitsSource(),
    ""
  ].join("\n")

/** The content of packages/core/src/generated/table-schemas.ts. */
export const renderCoreTableSchemas = (): string =>
  [
    tsHeader("The Schemas of the typed tables of Flight HAL: names, numeric codes and flag sets."),
    'import * as Schema from "effect/Schema"',
    'import * as SchemaTransformation from "effect/SchemaTransformation"',
    `import {\n${sortedNames(
      enumTables.flatMap((t) => [t.name, `${t.name}ByCode`, ...(t.kind === "flags" ? [`${t.name}Mask`] : [])])
    )
      .map((name) => `  ${name}`)
      .join(",\n")}\n} from "./tables.ts"`,
    "",
    enumTables
      .map((t) => (t.kind === "flags" ? `${renderEnumSchemas(t)}\n\n${renderFlagSetSchema(t)}` : renderEnumSchemas(t)))
      .join("\n\n"),
    ""
  ].join("\n")
