import { randomFillSync } from 'node:crypto'

/**
 * A source of random bytes: fills `target` completely. Message IDs, tokens,
 * Request-Tags and the retransmission jitter come from it; inject a seeded one in
 * tests for reproducible runs.
 */
export type RandomSource = (target: Uint8Array) => void

/**
 * Cryptographically strong random bytes (node:crypto), drawn from a pool refilled
 * 4 KiB at a time so that a token costs a copy, not a system call.
 */
export function cryptoRandom(): RandomSource {
  const pool = new Uint8Array(4096)
  let pos = pool.length
  return (target) => {
    const n = target.length
    if (n > pool.length) {
      randomFillSync(target)
      return
    }
    if (pos + n > pool.length) {
      randomFillSync(pool)
      pos = 0
    }
    for (let i = 0; i < n; i++) target[i] = pool[pos + i]!
    pos += n
  }
}

/**
 * A small deterministic generator (mulberry32) for tests and fault injection: the
 * same seed gives the same sequence. Not for anything that must be unpredictable.
 */
export class SeededRandom {
  #state: number

  constructor(seed: number) {
    this.#state = seed >>> 0
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0
    let t = this.#state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296
  }

  /** Fills `target` (usable as a {@link RandomSource}). */
  fill(target: Uint8Array): void {
    for (let i = 0; i < target.length; i++) target[i] = this.nextUint32() & 0xff
  }
}

/** A {@link RandomSource} from a seed, for reproducible tests. */
export function seededRandom(seed: number): RandomSource {
  const r = new SeededRandom(seed)
  return (target) => r.fill(target)
}
