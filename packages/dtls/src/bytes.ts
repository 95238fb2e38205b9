import { DtlsCodecError } from './errors.js'

/**
 * A bounds-checked reader over a byte view. Every read checks the remaining length
 * first and throws {@link DtlsCodecError} with the absolute offset (relative to the
 * view it was created over, plus `base`) where it stopped.
 */
export class Reader {
  readonly bytes: Uint8Array
  offset: number
  private readonly end: number
  private readonly base: number

  constructor(bytes: Uint8Array, start = 0, end = bytes.length, base = 0) {
    this.bytes = bytes
    this.offset = start
    this.end = end
    this.base = base
  }

  get remaining(): number {
    return this.end - this.offset
  }

  /** Absolute position for error reports. */
  get position(): number {
    return this.base + this.offset
  }

  fail(reason: string, alert?: number): never {
    throw new DtlsCodecError(this.position, reason, alert)
  }

  need(n: number, what: string): void {
    if (n > this.end - this.offset) this.fail(`${what}: needs ${n} bytes, ${this.end - this.offset} left`)
  }

  u8(what = 'uint8'): number {
    this.need(1, what)
    return this.bytes[this.offset++]!
  }

  u16(what = 'uint16'): number {
    this.need(2, what)
    const b = this.bytes
    const o = this.offset
    this.offset += 2
    return (b[o]! << 8) | b[o + 1]!
  }

  u24(what = 'uint24'): number {
    this.need(3, what)
    const b = this.bytes
    const o = this.offset
    this.offset += 3
    return (b[o]! << 16) | (b[o + 1]! << 8) | b[o + 2]!
  }

  u48(what = 'uint48'): number {
    this.need(6, what)
    const b = this.bytes
    const o = this.offset
    this.offset += 6
    return (
      ((b[o]! << 8) | b[o + 1]!) * 0x1_0000_0000 +
      ((b[o + 2]! << 24) >>> 0) +
      ((b[o + 3]! << 16) | (b[o + 4]! << 8) | b[o + 5]!)
    )
  }

  /** A view (no copy) of the next `n` bytes. */
  view(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what)
    const v = this.bytes.subarray(this.offset, this.offset + n)
    this.offset += n
    return v
  }

  /** A vector with a 1, 2 or 3 byte length prefix, checked against [min, max]. */
  vector(lengthBytes: 1 | 2 | 3, what: string, min = 0, max = 2 ** (8 * lengthBytes) - 1): Uint8Array {
    const n = lengthBytes === 1 ? this.u8(what) : lengthBytes === 2 ? this.u16(what) : this.u24(what)
    if (n < min || n > max) {
      this.offset -= lengthBytes
      this.fail(`${what}: length ${n} outside ${min}..${max}`)
    }
    return this.view(n, what)
  }

  /** A reader over the next `n` bytes that advances this one past them. */
  sub(n: number, what: string): Reader {
    this.need(n, what)
    const r = new Reader(this.bytes, this.offset, this.offset + n, this.base)
    this.offset += n
    return r
  }

  expectEnd(what: string): void {
    if (this.offset !== this.end) this.fail(`${what}: ${this.end - this.offset} trailing bytes`)
  }
}

/** A growable byte writer for handshake messages (not the record hot path). */
export class Writer {
  private buf: Uint8Array
  length = 0

  constructor(size = 256) {
    this.buf = new Uint8Array(size)
  }

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.length + n) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.length))
    this.buf = next
  }

  u8(v: number): this {
    this.ensure(1)
    this.buf[this.length++] = v & 0xff
    return this
  }

  u16(v: number): this {
    this.ensure(2)
    this.buf[this.length++] = (v >>> 8) & 0xff
    this.buf[this.length++] = v & 0xff
    return this
  }

  u24(v: number): this {
    this.ensure(3)
    this.buf[this.length++] = (v >>> 16) & 0xff
    this.buf[this.length++] = (v >>> 8) & 0xff
    this.buf[this.length++] = v & 0xff
    return this
  }

  u48(v: number): this {
    const hi = Math.floor(v / 0x1_0000_0000)
    this.u16(hi)
    const lo = v >>> 0
    this.ensure(4)
    this.buf[this.length++] = (lo >>> 24) & 0xff
    this.buf[this.length++] = (lo >>> 16) & 0xff
    this.buf[this.length++] = (lo >>> 8) & 0xff
    this.buf[this.length++] = lo & 0xff
    return this
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length)
    this.buf.set(b, this.length)
    this.length += b.length
    return this
  }

  /** Writes `b` with a length prefix of 1, 2 or 3 bytes, checking it fits. */
  vector(lengthBytes: 1 | 2 | 3, b: Uint8Array): this {
    const max = 2 ** (8 * lengthBytes) - 1
    if (b.length > max) throw new RangeError(`vector of ${b.length} bytes exceeds ${max}`)
    if (lengthBytes === 1) this.u8(b.length)
    else if (lengthBytes === 2) this.u16(b.length)
    else this.u24(b.length)
    return this.bytes(b)
  }

  /** Writes a length-prefixed block produced by `fn`, back-patching the length. */
  block(lengthBytes: 1 | 2 | 3, fn: (w: this) => void): this {
    this.ensure(lengthBytes)
    const at = this.length
    this.length += lengthBytes
    fn(this)
    const n = this.length - at - lengthBytes
    if (n > 2 ** (8 * lengthBytes) - 1) throw new RangeError(`block of ${n} bytes exceeds its length field`)
    for (let i = lengthBytes - 1; i >= 0; i--) this.buf[at + (lengthBytes - 1 - i)] = (n >>> (8 * i)) & 0xff
    return this
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length)
  }
}

/** Concatenates byte arrays into one new array. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** A Buffer view over the same memory (no copy), for node:crypto and dgram. */
export function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength)
}
