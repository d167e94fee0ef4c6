/**
 * The variant sets that bench/instructions.ts and bench/profile.ts run one variant of in a child process: the
 * rows of bench/workload.bench.ts, of bench/fast-path-profile.bench.ts and the floor and BlockPool rows of
 * bench/pool.bench.ts (one pair per call, and 1,000 pairs per call in one loop), and the child's loop over one.
 *
 * @module
 */
import { indexRows, loopRows } from "../pool.bench.ts"
import { exerciseEffectRuntime } from "./busy-runtime.ts"
import { fastPathRows } from "./fast-path-rows.ts"
import { prepareWorkloadProcess, workloadVariants } from "./workload-variants.ts"

/** The sets by name. */
export const variantSets = {
  workload: workloadVariants,
  "fast-path": fastPathRows,
  pool: [...indexRows, ...loopRows]
} as const satisfies Record<string, ReadonlyArray<{ readonly name: string; readonly setup: () => () => unknown }>>

/** What a child process of each set does before it sets its variant up. */
const prepareProcess: Record<keyof typeof variantSets, () => void> = {
  workload: prepareWorkloadProcess,
  "fast-path": () => {},
  pool: () => {}
}

/** A set's name. */
export type VariantSetName = keyof typeof variantSets

/** Whether `name` names a set. */
export const isVariantSetName = (name: string): name is VariantSetName => Object.hasOwn(variantSets, name)

/** The flag (and child argument) that asks for a busy Effect runtime (`internal/busy-runtime.ts`). */
export const BUSY_RUNTIME = "--busy-runtime"

/** What a child process is asked to run: `ops` ops of variant `index` of `set`, in a busy runtime or not. */
export interface ChildRun {
  readonly set: VariantSetName
  readonly index: number
  readonly ops: number
  readonly busy: boolean
}

/** The arguments (after the script) that start a child for `run`: what {@link childRunOf} reads back. */
export const childArgs = (run: ChildRun): Array<string> => [
  "--child",
  run.set,
  String(run.index),
  String(run.ops),
  ...(run.busy ? [BUSY_RUNTIME] : [])
]

/** The run a child's arguments ask for; undefined when they are not a child's (the parent's own run). */
export const childRunOf = (args: ReadonlyArray<string>): ChildRun | undefined => {
  if (args[0] !== "--child") return undefined
  const set = args[1] ?? ""
  if (!isVariantSetName(set)) throw new Error(`no set ${set}`)
  return { set, index: Number(args[2]), ops: Number(args[3]), busy: args[4] === BUSY_RUNTIME }
}

/** In a child, before its variant's setup: the set's own preparation, then in a busy runtime the mix of Effect programs. */
export const prepareChild = (set: VariantSetName, busy: boolean): void => {
  prepareProcess[set]()
  if (busy) exerciseEffectRuntime()
}

/**
 * In a child: variant `index` of `set` set up (after the set's own preparation, and in a busy runtime after the mix
 * of Effect programs), as a loop that runs its op `count` times (awaiting an op that returns a promise).
 */
export const variantLoop = (set: VariantSetName, index: number, busy: boolean): ((count: number) => Promise<void>) => {
  const variant = variantSets[set][index]
  if (variant === undefined) throw new Error(`no variant ${index} in ${set}`)
  prepareChild(set, busy)
  const op: () => unknown = variant.setup()
  return async (count) => {
    for (let k = 0; k < count; k++) {
      const result = op()
      if (result instanceof Promise) await result
    }
  }
}
