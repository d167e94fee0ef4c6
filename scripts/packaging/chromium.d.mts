/** The first Chromium executable present, or undefined. */
export declare const findChromium: () => string | undefined
/** A Chromium executable (installed with apt-get when possible), or why there is none. */
export declare const ensureChromium: (
  log?: (line: string) => void
) =>
  | { readonly executable: string; readonly skipped?: undefined }
  | { readonly executable?: undefined; readonly skipped: string }
/** The flags every headless run uses. */
export declare const headlessFlags: ReadonlyArray<string>
/** Serves `dir` cross-origin isolated, opens `page` in headless Chromium, resolves with what the page posted. */
export declare const runIsolatedPage: (options: {
  readonly executable: string
  readonly dir: string
  readonly page: string
  readonly timeoutMillis?: number
}) => Promise<{ readonly status: number; readonly output: string }>
