/**
 * Counters of the shared ledger that any thread may bump, each in two Int32 words so that a bump is one Int32
 * `Atomics.add` (on Bun an Atomics operation on a BigInt64 word allocates its result, on the hot path that
 * dominated the cost) and still counts past 2^31.
 *
 * Word `at` (low) holds the count modulo a carry of 2^30, word `at + 1` (high) twice the number of carries, odd
 * while a carry is in progress. The bump that takes the low word to 2^30 carries: high + 1 (odd), low − 2^30,
 * high + 1 (even). A reader reads high, low, high again (retrying when high moved) and knows from high's parity
 * and low's range whether the carry's subtraction is done. A thread terminated in the middle of a carry leaves
 * high odd: `finishCarry` (the repair after a lost thread) completes it.
 *
 * @internal
 * @module
 */

/** The low word's range: a carry moves 2^30 to the high word (the low word stays below 2^31 meanwhile). */
const CARRY = 0x40000000

/** Adds 1 to the counter at `at`. */
export const bump = (words: Int32Array, at: number): void => {
  if (Atomics.add(words, at, 1) === CARRY - 1) carry(words, at)
}

const carry = (words: Int32Array, at: number): void => {
  Atomics.add(words, at + 1, 1)
  Atomics.sub(words, at, CARRY)
  Atomics.add(words, at + 1, 1)
}

/** The counter's value. */
export const readCounter = (words: Int32Array, at: number): number => {
  for (;;) {
    const high = Atomics.load(words, at + 1)
    const low = Atomics.load(words, at)
    if (Atomics.load(words, at + 1) !== high) continue
    const carries = high >>> 1
    // odd: a carry in progress; its subtraction is done once low is back below the carry
    return ((high & 1) === 1 && low < CARRY ? carries + 1 : carries) * CARRY + low
  }
}

/** Sets the counter (nobody else may bump it meanwhile: the repair, or a baseline). */
export const writeCounter = (words: Int32Array, at: number, value: number): void => {
  const carries = Math.floor(value / CARRY)
  Atomics.store(words, at + 1, carries * 2)
  Atomics.store(words, at, value - carries * CARRY)
}

/** Completes a carry a lost thread left half done (high odd), so that later carries keep the parity rule. */
export const finishCarry = (words: Int32Array, at: number): void => {
  writeCounter(words, at, readCounter(words, at))
}
