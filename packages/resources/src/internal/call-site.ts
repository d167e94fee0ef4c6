/**
 * The acquisition site a leak report shows (`captureAcquisitionSite`): the stack of the call that asked for the
 * resource, taken in that call (`Core.request` for the facade, the service's `acquire` or `use` for the Effect
 * front end), without the manager's own frames, so that its first frame is the caller's.
 *
 * @module
 */

/**
 * How a frame in this package names its files: the package's `src/` (run from the sources) or its `dist/` (the
 * built package), as a URL and as a path, from this module's own file as the first frame of a stack made here
 * names it (a `file://` URL on Node's ES modules and Deno, a path on Bun and Node's CommonJS). Nothing when no frame
 * can be read, or when the module is not in a file of its own (`../` of a bundle's URL is the site's root: a
 * bundle's frames are all in one file). Not `import.meta.url`: a classic-script bundle (IIFE) has no
 * `import.meta`, and would fail to load.
 */
const ownFiles = ((): ReadonlyArray<string> => {
  try {
    const file = /^\s+at .*?((?:[a-z]+:\/\/|\/)[^()\s]*?)(?::\d+){1,2}\)?$/m.exec(new Error().stack ?? "")?.[1] ?? ""
    const root = new URL("../", file.startsWith("/") ? `file://${file}` : file)
    return root.pathname === "/" ? [] : [root.href, decodeURIComponent(root.pathname)]
  } catch {
    return []
  }
})()

/**
 * `stack` without its frames in this package. A stack whose every frame is in it (a browser bundle, where the
 * caller's code and the manager's share one file) is kept whole: a site must name some frame.
 *
 * @example
 * ```ts
 * import { callerStack } from "./call-site.ts"
 *
 * callerStack("Error: acquired here\n    at main (/app/main.ts:3:1)") // unchanged: no frame is the manager's
 * ```
 */
export const callerStack = (stack: string): string => {
  if (ownFiles.length === 0) return stack
  const lines = stack.split("\n")
  const kept = lines.filter((line) => !/^\s+at\s/.test(line) || !ownFiles.some((file) => line.includes(file)))
  return kept.some((line) => /^\s+at\s/.test(line)) ? kept.join("\n") : stack
}

/**
 * The acquisition site of the call running now: a new stack, the manager's frames left out (`callerStack`). Taken
 * only with `captureAcquisitionSite` (a stack costs microseconds).
 */
export const captureSite = (): string => callerStack(new Error("acquired here").stack ?? "")
