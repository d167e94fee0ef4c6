// One scenario, run by every runtime: reads the tables and errors of @flight-hal/core and
// returns plain data, so each runtime's test compares the same values with `expected`.
// It takes the module as an argument: Node passes the built JS, Deno the TS source.

/** What the scenario must produce on every runtime. */
export const expected = {
  resourceTypes: [
    ["Hardware", 1],
    ["Memory", 2],
    ["Performance", 4],
    ["Communication", 8],
    ["Platform", 16],
    ["Custom", 2147483648]
  ],
  priorities: ["Low", "Normal", "High", "Critical"],
  pressures: ["None", "Low", "Medium", "High", "Critical"],
  modes: ["NonBlocking", "Blocking", "Timeout", "Emergency"],
  accessPatterns: ["ReadOnly", "WriteOnly", "ReadWrite", "Streaming"],
  shareableGpu: 10,
  flagList: ["GPUAccessible", "Shareable"],
  budgetExceeded: {
    tag: "BudgetExceeded",
    category: "Resource",
    code: 2,
    message: "Budget exceeded for Memory: requested 10 bytes, 2 available of limit 8",
    isError: true,
    lookup: true
  },
  decodedType: "Memory",
  unknownTypeFails: true,
  unknownFlagFails: true
}

/** Runs the scenario against a @flight-hal/core module and a Schema module. */
export const run = (core, Schema) => {
  const error = new core.BudgetExceeded({ resourceType: "Memory", requested: 10, available: 2, limit: 8 })
  const fails = (schema, input) => {
    try {
      Schema.decodeUnknownSync(schema)(input)
      return false
    } catch {
      return true
    }
  }
  return {
    resourceTypes: core.ResourceTypeNames.map((name) => [name, core.ResourceType[name]]),
    priorities: [...core.ResourcePriorityNames],
    pressures: [...core.ResourcePressureNames],
    modes: [...core.AcquisitionModeNames],
    accessPatterns: [...core.AccessPatternNames],
    shareableGpu: core.ResourceFlags.combine("Shareable", "GPUAccessible"),
    flagList: core.ResourceFlags.list(10),
    budgetExceeded: {
      tag: error._tag,
      category: error.category,
      code: error.code,
      message: error.message,
      isError: error instanceof Error,
      lookup: core.errorClassFor("Resource", 2) === core.BudgetExceeded
    },
    decodedType: Schema.decodeUnknownSync(core.ResourceTypeFromCode)(2),
    unknownTypeFails: fails(core.ResourceTypeFromCode, 3),
    unknownFlagFails: fails(core.ResourceFlagSetSchema, 0x400)
  }
}
