/**
 * A Schema decoding message (`issue\n  at ["a"][0]["b"]`) as the CLI prints it: on one line, with the path of
 * the field at fault in dotted form (`a.0.b`).
 *
 * @internal
 */

/** Splits a Schema message into the dotted path of its field (under `prefix`, when not `""`) and the issue. */
export const splitIssue = (message: string, prefix: string): { readonly field: string; readonly issue: string } => {
  const at = /\n\s*at ((?:\[[^\]]+\])+)\s*$/.exec(message)
  const path = at?.[1] === undefined ? [] : [...at[1].matchAll(/\[("?)([^"\]]*)\1\]/g)].map((m) => m[2] ?? "")
  const issue = (at === null ? message : message.slice(0, at.index)).trim()
  return { field: [...(prefix === "" ? [] : [prefix]), ...path].join("."), issue }
}

/** A Schema message on one line: `field: issue`, or the issue alone when it names no field. */
export const issueLine = (message: string): string => {
  const { field, issue } = splitIssue(message, "")
  return `${field === "" ? "" : `${field}: `}${issue.replace(/\s*\n\s*/g, "; ")}`
}
