/**
 * Naive lock-free Treiber stacks over a SharedArrayBuffer, without per-thread caches: the reference the
 * SharedBlockPool design is measured against, in its two ABA-safe head encodings.
 *
 * @module
 */

/** Head packed into one Int32: (version << indexBits) | (index + 1). */
export class Int32TaggedStack {
  readonly buffer: SharedArrayBuffer
  private readonly head: Int32Array
  private readonly next: Int32Array
  private readonly bits: number
  private readonly mask: number

  /** A new stack of `count` blocks, or (with `buffer`) one attached to an existing stack's buffer. */
  constructor(count: number, buffer?: SharedArrayBuffer) {
    if (buffer !== undefined) count = (buffer.byteLength - 64) / 4
    this.buffer = buffer ?? new SharedArrayBuffer(64 + 4 * count)
    this.head = new Int32Array(this.buffer, 0, 1)
    this.next = new Int32Array(this.buffer, 64, count)
    this.bits = 32 - Math.clz32(count)
    this.mask = 2 ** this.bits - 1
    if (buffer === undefined) {
      for (let i = 0; i < count; i++) this.next[i] = i + 1 < count ? i + 1 : -1
      this.head[0] = 1
    }
  }

  pop(): number {
    for (;;) {
      const h = Atomics.load(this.head, 0)
      const i = (h & this.mask) - 1
      if (i < 0) return -1
      const after = Atomics.load(this.next, i)
      const replacement = (((h >>> this.bits) + 1) << this.bits) | (after + 1)
      if (Atomics.compareExchange(this.head, 0, h, replacement) === h) return i
    }
  }

  push(i: number): void {
    for (;;) {
      const h = Atomics.load(this.head, 0)
      Atomics.store(this.next, i, (h & this.mask) - 1)
      const replacement = (((h >>> this.bits) + 1) << this.bits) | (i + 1)
      if (Atomics.compareExchange(this.head, 0, h, replacement) === h) return
    }
  }
}

/** Head in one BigInt64 word: version in the high 32 bits, index + 1 in the low 32 bits. */
export class BigInt64TaggedStack {
  private readonly head: BigInt64Array
  private readonly next: Int32Array

  constructor(count: number) {
    const buffer = new SharedArrayBuffer(64 + 4 * count)
    this.head = new BigInt64Array(buffer, 0, 1)
    this.next = new Int32Array(buffer, 64, count)
    for (let i = 0; i < count; i++) this.next[i] = i + 1 < count ? i + 1 : -1
    this.head[0] = 1n
  }

  pop(): number {
    for (;;) {
      const h = Atomics.load(this.head, 0)
      const i = Number(h & 0xffffffffn) - 1
      if (i < 0) return -1
      const after = Atomics.load(this.next, i)
      const replacement = (((h >> 32n) + 1n) << 32n) | BigInt(after + 1)
      if (Atomics.compareExchange(this.head, 0, h, replacement) === h) return i
    }
  }

  push(i: number): void {
    for (;;) {
      const h = Atomics.load(this.head, 0)
      Atomics.store(this.next, i, Number(h & 0xffffffffn) - 1)
      const replacement = (((h >> 32n) + 1n) << 32n) | BigInt(i + 1)
      if (Atomics.compareExchange(this.head, 0, h, replacement) === h) return
    }
  }
}
