/**
 * A strict single pass over a CBOR data item (RFC 8949 section 3) that runs before the
 * CBOR library sees the bytes: every length is checked against the remaining input
 * (so that no claimed length can make anyone allocate), text strings must be valid
 * UTF-8, nesting is bounded, only the tags LwM2M uses are allowed, and the item must
 * fill the input exactly. It returns the first problem with its byte offset, or
 * undefined when the input is well-formed.
 */

import { utf8ErrorOffset } from '../../value/utf8.js'

/** Where and why a CBOR input is not acceptable. */
export interface CborProblem {
  readonly offset: number
  readonly message: string
}

/** Deepest nesting accepted; LwM2M documents need 6 at most. */
export const MAX_CBOR_DEPTH = 32

class Stop {
  constructor(readonly problem: CborProblem) {}
}

function stop(offset: number, message: string): never {
  throw new Stop({ offset, message })
}

class Walker {
  pos = 0
  /** Where each element of the top-level array or map starts. */
  readonly tops: number[] = []
  constructor(
    readonly bytes: Uint8Array,
    readonly allowedTags: ReadonlySet<number>,
  ) {}

  /** Reads the argument of the head at `this.pos`; returns [major, info, argument]. */
  head(): [number, number, number] {
    const b = this.bytes
    const start = this.pos
    if (start >= b.length) stop(start, 'unexpected end of input')
    const ib = b[start]!
    const major = ib >> 5
    const info = ib & 31
    this.pos++
    if (info < 24) return [major, info, info]
    if (info === 31) return [major, info, -1]
    if (info > 27) stop(start, `reserved additional information ${info}`)
    const n = 1 << (info - 24)
    if (this.pos + n > b.length) stop(start, 'unexpected end of input in an argument')
    let arg = 0
    for (let i = 0; i < n; i++) arg = arg * 256 + b[this.pos + i]!
    this.pos += n
    // Arguments beyond 2^53 lose precision here; as lengths they exceed any input anyway.
    return [major, info, arg]
  }

  item(depth: number): void {
    if (depth > MAX_CBOR_DEPTH) stop(this.pos, `nesting deeper than ${MAX_CBOR_DEPTH}`)
    const start = this.pos
    if (depth === 1) this.tops.push(start)
    const [major, info, arg] = this.head()
    switch (major) {
      case 0:
      case 1:
        if (info === 31) stop(start, 'indefinite length is not allowed for integers')
        return
      case 2:
      case 3:
        if (info === 31) {
          for (;;) {
            if (this.pos >= this.bytes.length) stop(this.pos, 'unterminated indefinite-length string')
            if (this.bytes[this.pos] === 0xff) {
              this.pos++
              return
            }
            const chunk = this.pos
            const [m, i2, len] = this.head()
            if (m !== major || i2 === 31)
              stop(chunk, 'a chunk of an indefinite-length string must be a definite string of the same type')
            this.string(major, chunk, len)
          }
        }
        this.string(major, start, arg)
        return
      case 4:
      case 5: {
        const per = major === 4 ? 1 : 2
        if (info === 31) {
          for (let n = 0; ; n++) {
            if (this.pos >= this.bytes.length) stop(this.pos, 'unterminated indefinite-length container')
            if (this.bytes[this.pos] === 0xff) {
              if (per === 2 && n % 2 !== 0) stop(this.pos, 'a map ends after a key without value')
              this.pos++
              return
            }
            this.item(depth + 1)
          }
        }
        if (arg * per > this.bytes.length - this.pos) {
          stop(start, `claims ${arg} ${major === 4 ? 'elements' : 'entries'}, more than the input holds`)
        }
        for (let n = 0; n < arg * per; n++) this.item(depth + 1)
        return
      }
      case 6:
        if (info === 31) stop(start, 'indefinite length is not allowed for tags')
        if (!this.allowedTags.has(arg)) stop(start, `tag ${arg} is not used by LwM2M`)
        this.item(depth + 1)
        return
      default:
        // Major type 7: simple values and floats.
        if (info === 31) stop(start, 'unexpected "break"')
        if (info === 24 && arg < 32) stop(start, 'simple value in two bytes below 32')
        return
    }
  }

  string(major: number, start: number, len: number): void {
    if (len > this.bytes.length - this.pos) stop(start, `claims ${len} bytes, more than the input holds`)
    if (major === 3 && len > 0) {
      // Fast path: ASCII needs no decoder.
      let ascii = true
      for (let i = this.pos; i < this.pos + len; i++) {
        if (this.bytes[i]! > 0x7f) {
          ascii = false
          break
        }
      }
      if (!ascii) {
        const bad = utf8ErrorOffset(this.bytes, this.pos, this.pos + len)
        if (bad >= 0) stop(bad, 'text string is not valid UTF-8')
      }
    }
    this.pos += len
  }
}

/** The tags LwM2M payloads may carry: 1 (epoch-based date/time, for Time values). */
export const LWM2M_CBOR_TAGS: ReadonlySet<number> = new Set([1])

/** Checks that `bytes` is exactly one well-formed CBOR data item acceptable to LwM2M. */
export function checkCbor(
  bytes: Uint8Array,
  allowedTags: ReadonlySet<number> = LWM2M_CBOR_TAGS,
): CborProblem | undefined {
  const r = walkCbor(bytes, allowedTags)
  return 'problem' in r ? r.problem : undefined
}

/**
 * Like {@link checkCbor}; when the input is acceptable, also tells where each element of
 * the top-level array (or each key and value of the top-level map) starts.
 */
export function walkCbor(
  bytes: Uint8Array,
  allowedTags: ReadonlySet<number> = LWM2M_CBOR_TAGS,
): { problem: CborProblem } | { tops: number[] } {
  const w = new Walker(bytes, allowedTags)
  try {
    w.item(0)
    if (w.pos !== bytes.length) {
      return { problem: { offset: w.pos, message: `${bytes.length - w.pos} bytes after the data item` } }
    }
    return { tops: w.tops }
  } catch (e) {
    if (e instanceof Stop) return { problem: e.problem }
    throw e
  }
}
