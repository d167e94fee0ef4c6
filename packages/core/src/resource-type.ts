/**
 * User-defined resource types: the registry a program extends (by declaration merging) with its own types,
 * the name type every API takes, and the range of codes custom types live in.
 *
 * @module
 */
import type { ResourceType } from "./generated/tables.ts"

/**
 * The registry of user-defined resource types, empty by default. A program declares its own types by merging
 * into it (once, in any module); each declared name then type-checks wherever a resource type is taken
 * (metadata, budgets, stats, reclamation), and a misspelt one is a compile error. A manager serves the
 * custom types its config declares in `types` (a name it was not given fails with a typed error).
 *
 * @example
 * ```ts
 * import type { ResourceTypeName } from "@flight-hal/core"
 *
 * declare module "@flight-hal/core" {
 *   interface CustomResourceTypes {
 *     Shader: true
 *     Mesh: true
 *   }
 * }
 *
 * const type: ResourceTypeName = "Shader"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
// biome-ignore lint/suspicious/noEmptyInterface: the registry is empty until a program merges into it
export interface CustomResourceTypes {}

/**
 * The name of a user-defined resource type: a key of {@link CustomResourceTypes}.
 *
 * @since 0.1.0
 * @category models
 */
export type CustomResourceType = Extract<keyof CustomResourceTypes, string>

/**
 * Any resource type name: a built-in `ResourceType` or a user-defined {@link CustomResourceType}.
 *
 * @example
 * ```ts
 * import type { ResourceTypeName } from "@flight-hal/core"
 *
 * const memory: ResourceTypeName = "Memory"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type ResourceTypeName = ResourceType | CustomResourceType

/**
 * The declaration of one user-defined type in a manager's config (`types: { Shader: {} }`): its code, in the
 * Custom range (default: the lowest code of the range no other custom type of the config takes).
 *
 * @example
 * ```ts
 * import type { CustomResourceTypeConfig } from "@flight-hal/core"
 *
 * const shader: CustomResourceTypeConfig = { code: 0x80000010 }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface CustomResourceTypeConfig {
  /** The type's numeric code: an integer in [{@link CustomResourceTypeCodes.min}, {@link CustomResourceTypeCodes.max}]. */
  readonly code?: number
}

/**
 * The range of codes of user-defined types: above the built-in `Custom` code (`0x80000000`), up to the largest
 * uint32: a type's code is a uint32 whose high half is the custom range.
 *
 * @example
 * ```ts
 * import { CustomResourceTypeCodes } from "@flight-hal/core"
 *
 * CustomResourceTypeCodes.min // 0x80000001
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export const CustomResourceTypeCodes: { readonly min: number; readonly max: number } = Object.freeze({
  min: 0x80000001,
  max: 0xffffffff
})
