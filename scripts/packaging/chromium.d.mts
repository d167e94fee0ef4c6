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
