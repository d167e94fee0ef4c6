/** What `f` throws (undefined when it returns). */
export const thrown = (f: () => unknown): unknown => {
  try {
    f()
  } catch (error) {
    return error
  }
  return undefined
}

/** A field of what `f` throws (`_tag`, `argument`, …), undefined when it returns. */
export const thrownField = (f: () => unknown, field: string): unknown => {
  const error = thrown(f)
  return typeof error === "object" && error !== null ? (error as Record<string, unknown>)[field] : undefined
}
