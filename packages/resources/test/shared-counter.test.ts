/**
 * The shared ledger's counters (internal/shared/counter.ts): two Int32 words each, a carry every 2^30. The
 * carry's three steps are taken one at a time here, as a thread terminated between them would leave them, and
 * the value read at each step must be the count.
 */
import { describe, expect, test } from "bun:test"
import { bump, finishCarry, readCounter, writeCounter } from "../src/internal/shared/counter.ts"

const CARRY = 2 ** 30

const counter = (value: number): Int32Array => {
  const words = new Int32Array(new SharedArrayBuffer(8))
  writeCounter(words, 0, value)
  return words
}

describe("shared ledger counters", () => {
  test("bump counts one by one, and carries at 2^30 without changing the value read", () => {
    const words = counter(CARRY - 3)
    const seen: Array<number> = []
    for (let i = 0; i < 6; i++) {
      bump(words, 0)
      seen.push(readCounter(words, 0))
    }
    expect(seen).toEqual([CARRY - 2, CARRY - 1, CARRY, CARRY + 1, CARRY + 2, CARRY + 3])
    expect([words[0], words[1]]).toEqual([3, 2]) // low 3, one carry (high 2: even, done)
  })

  test("a carry read at each of its steps, and a carry cut short completed by finishCarry", () => {
    const words = counter(CARRY - 1)
    Atomics.add(words, 0, 1) // the bump that reaches 2^30: low = 2^30, high 0
    expect(readCounter(words, 0)).toBe(CARRY)
    Atomics.add(words, 1, 1) // carry step 1: high odd
    expect(readCounter(words, 0)).toBe(CARRY)
    Atomics.add(words, 0, 5) // other threads bump meanwhile
    expect(readCounter(words, 0)).toBe(CARRY + 5)
    Atomics.sub(words, 0, CARRY) // carry step 2: low back below 2^30, high still odd
    expect(readCounter(words, 0)).toBe(CARRY + 5)
    // the carrying thread is terminated here; the repair completes the carry
    finishCarry(words, 0)
    expect([words[0], words[1]]).toEqual([5, 2])
    expect(readCounter(words, 0)).toBe(CARRY + 5)
    // the next carry keeps the parity rule
    writeCounter(words, 0, 2 * CARRY - 1)
    bump(words, 0)
    expect(readCounter(words, 0)).toBe(2 * CARRY)
    expect(words[1]).toBe(4)
  })

  test("finishCarry of a carry stopped before its subtraction, and values past 2^53 / 2^31 round-trip", () => {
    const words = counter(7)
    Atomics.store(words, 0, CARRY + 7) // low past the carry …
    Atomics.store(words, 1, 1) // … and high odd: step 1 done, step 2 not
    expect(readCounter(words, 0)).toBe(CARRY + 7)
    finishCarry(words, 0)
    expect([words[0], words[1]]).toEqual([7, 2])
    for (const value of [0, 1, CARRY - 1, CARRY, 2 ** 31, 2 ** 40 + 12345, Number.MAX_SAFE_INTEGER]) {
      expect(readCounter(counter(value), 0)).toBe(value)
    }
  })
})
