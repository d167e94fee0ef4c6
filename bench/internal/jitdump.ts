/**
 * Reading JavaScriptCore's JITDump files (the format `perf inject --jit` reads): every piece of machine code
 * the JIT made, with its address, size, tier and function name, so that a sample's instruction pointer can be
 * named. JavaScriptCore writes them when Bun runs with `BUN_JSC_useJITDump=1` (into
 * `BUN_JSC_jitDumpDirectory`).
 *
 * Code is freed and its addresses reused while a program runs (a function compiled again at a higher tier, a
 * jettisoned compilation), so one address may belong to several records: {@link JitCodeMap.nameOf} names it by
 * the newest record that covers it, the code a steady-state loop runs.
 *
 * @module
 */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

/** One piece of JIT code: `[start, start + size)`, its name (`JSC-FTL: fillSlot#DU5GHe`) and load order. */
interface JitCode {
  readonly start: number
  readonly size: number
  readonly name: string
  readonly order: number
}

/** JITDump's record kind for a piece of code loaded. */
const CODE_LOAD = 0
/** The size of a record's header: id, total size (u32 each), timestamp (u64). */
const RECORD_HEADER = 16
/** JIT_CODE_LOAD's fixed fields after the header: pid, tid (u32), vma, code address, size, index (u64). */
const CODE_LOAD_FIELDS = 40
/** How many records before an address's nearest start are looked at for a newer one that covers it. */
const OVERLAP_WINDOW = 400

/** The code of one or more JITDump files, searchable by address. */
export class JitCodeMap {
  private readonly starts: Array<number>

  private constructor(private readonly codes: ReadonlyArray<JitCode>) {
    this.starts = codes.map((code) => code.start)
  }

  /** Every `*.dump` file of a directory (one per process JavaScriptCore ran in). */
  static fromDirectory(directory: string): JitCodeMap {
    const codes: Array<JitCode> = []
    for (const file of readdirSync(directory)) {
      if (file.endsWith(".dump")) readRecords(readFileSync(join(directory, file)), codes)
    }
    codes.sort((a, b) => a.start - b.start)
    return new JitCodeMap(codes)
  }

  /** How many pieces of code were read. */
  get size(): number {
    return this.codes.length
  }

  /** The name of the newest code covering `address`, or undefined (not JIT code: the runtime, GC, kernel). */
  nameOf(address: number): string | undefined {
    return this.codeAt(address)?.name
  }

  /** The newest code covering `address`, or undefined (not JIT code: the runtime, GC, kernel). */
  codeAt(address: number): JitCode | undefined {
    let low = 0
    let high = this.starts.length
    while (low < high) {
      const mid = (low + high) >>> 1
      if ((this.starts[mid] as number) <= address) low = mid + 1
      else high = mid
    }
    let found: JitCode | undefined
    for (let i = low - 1; i >= 0 && i >= low - OVERLAP_WINDOW; i--) {
      const code = this.codes[i] as JitCode
      if (address < code.start + code.size && (found === undefined || code.order > found.order)) found = code
    }
    return found
  }
}

/** Appends a file's code-load records to `into`. */
const readRecords = (bytes: Buffer, into: Array<JitCode>): void => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let at = view.getUint32(8, true) // the file header's own size
  while (at + RECORD_HEADER <= bytes.length) {
    const id = view.getUint32(at, true)
    const total = view.getUint32(at + 4, true)
    if (total === 0 || at + total > bytes.length) break
    if (id === CODE_LOAD) {
      const fields = at + RECORD_HEADER
      const start = Number(view.getBigUint64(fields + 16, true))
      const size = Number(view.getBigUint64(fields + 24, true))
      const nameAt = fields + CODE_LOAD_FIELDS
      const nameEnd = bytes.indexOf(0, nameAt)
      into.push({ start, size, name: bytes.toString("utf8", nameAt, nameEnd), order: into.length })
    }
    at += total
  }
}
