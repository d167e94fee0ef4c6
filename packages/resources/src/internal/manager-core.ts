/**
 * The core behind a manager object of either front end, for the functions that read a manager from outside
 * its interface (metrics, dumps, timelines): each front end attaches its core to the object it hands out.
 *
 * @since 0.1.0
 */
import { InvalidArgument } from "@flight-hal/core"
import type { Core } from "./core.ts"

/** A manager's core and the label its config gave it. */
export interface AttachedCore {
  readonly core: Core<unknown>
  readonly label: string | undefined
}

const attached = new WeakMap<object, AttachedCore>()

/** Attaches a core to the manager object a front end hands out. */
export const attachCore = (manager: object, core: Core<unknown>, label: string | undefined): void => {
  attached.set(manager, { core, label })
}

/** The core of a manager made by `createResourceManager` or `ResourceManager.layer`, else InvalidArgument. */
export const attachedCore = (manager: unknown): AttachedCore | InvalidArgument => {
  const found = typeof manager === "object" && manager !== null ? attached.get(manager) : undefined
  return (
    found ??
    new InvalidArgument({
      argument: "manager",
      issue: "expected a manager made by createResourceManager or the ResourceManager service"
    })
  )
}
