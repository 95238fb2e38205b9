/**
 * The anti-replay sliding window of RFC 6347 section 4.1.2.6 (after RFC 4303 section
 * 3.4.3): remembers which of the last `size` sequence numbers were received. `check` says
 * whether a number is new; `accept` records it, and is called only after the record's MAC
 * verified, so that forged records cannot move the window.
 */
export class ReplayWindow {
  readonly size: number
  /** The highest sequence number accepted so far, or -1. */
  private top = -1
  /** Bit i set: sequence number (top - i) was received. */
  private readonly bits: Uint8Array

  constructor(size = 64) {
    if (!Number.isInteger(size) || size < 1 || size > 4096)
      throw new RangeError('replay window size must be 1..4096')
    this.size = size
    this.bits = new Uint8Array(Math.ceil(size / 8))
  }

  /** True when `seq` is neither a duplicate nor too old to judge. */
  check(seq: number): boolean {
    if (seq > this.top) return true
    const d = this.top - seq
    if (d >= this.size) return false
    return (this.bits[d >>> 3]! & (1 << (d & 7))) === 0
  }

  /** True when `seq` is above every number accepted so far (RFC 9146 section 6 moves the peer only then). */
  isNewest(seq: number): boolean {
    return seq > this.top
  }

  /** Marks `seq` received (call after `check` and a verified MAC). */
  accept(seq: number): void {
    if (seq > this.top) {
      const shift = this.top < 0 ? this.size : seq - this.top
      this.shift(shift)
      this.top = seq
      this.bits[0]! |= 1
      return
    }
    const d = this.top - seq
    if (d < this.size) this.bits[d >>> 3]! |= 1 << (d & 7)
  }

  /** Forgets everything (a new epoch starts with a fresh window). */
  reset(): void {
    this.top = -1
    this.bits.fill(0)
  }

  private shift(n: number): void {
    const b = this.bits
    if (n >= this.size) {
      b.fill(0)
      return
    }
    const bytes = n >>> 3
    const bitsN = n & 7
    // Move toward higher indexes (older numbers), byte-wise then bit-wise.
    for (let i = b.length - 1; i >= 0; i--) {
      const src = i - bytes
      const cur = src >= 0 ? b[src]! : 0
      const lower = src - 1 >= 0 ? b[src - 1]! : 0
      b[i] = bitsN === 0 ? cur : ((cur << bitsN) | (lower >>> (8 - bitsN))) & 0xff
    }
    // Clear bits past the window size in the last byte.
    const extra = b.length * 8 - this.size
    if (extra > 0) b[b.length - 1]! &= 0xff >>> extra
  }
}
