import type { HandshakeFragment } from './messages.js'
import { MAX_HANDSHAKE_MESSAGE } from './messages.js'

/** A complete handshake message in order: its body and the full message as hashed (RFC 6347 4.2.6). */
export interface HandshakeMessage {
  readonly type: number
  readonly seq: number
  readonly body: Uint8Array
}

interface Pending {
  readonly type: number
  readonly length: number
  readonly buf: Uint8Array
  /** Sorted, disjoint [start, end) ranges received so far. */
  ranges: Array<[number, number]>
}

/** What `add` did with a fragment. */
export type FragmentResult = 'old' | 'buffered' | 'ignored'

/**
 * Handshake message reassembly (RFC 6347 section 4.2.3): fragments may arrive in any
 * order, overlap and repeat; messages come out in message_seq order. Bounded: messages
 * more than `window` ahead are ignored, every buffered message counts its full length
 * against `maxBytes`, and a message keeps at most 64 disjoint ranges.
 */
export class Reassembler {
  next = 0
  private readonly pending = new Map<number, Pending>()
  private bytes = 0
  private readonly maxBytes: number
  private readonly window: number

  constructor(maxBytes: number, window = 8) {
    this.maxBytes = maxBytes
    this.window = window
  }

  get bufferedBytes(): number {
    return this.bytes
  }

  add(f: HandshakeFragment): FragmentResult {
    if (f.messageSeq < this.next) return 'old'
    if (f.messageSeq >= this.next + this.window) return 'ignored'
    if (f.length > MAX_HANDSHAKE_MESSAGE) return 'ignored'
    let p = this.pending.get(f.messageSeq)
    if (p === undefined) {
      if (this.bytes + f.length > this.maxBytes) return 'ignored'
      p = { type: f.type, length: f.length, buf: new Uint8Array(f.length), ranges: [] }
      this.pending.set(f.messageSeq, p)
      this.bytes += f.length
    } else if (p.type !== f.type || p.length !== f.length) {
      // Inconsistent with the fragments so far: ignore it, the genuine ones win.
      return 'ignored'
    }
    const start = f.fragmentOffset
    const end = start + f.body.length
    if (end > p.length) return 'ignored'
    if (end === start && p.length !== 0) return 'buffered'
    p.buf.set(f.body, start)
    p.ranges = mergeRange(p.ranges, start, end)
    if (p.ranges.length > 64) {
      this.pending.delete(f.messageSeq)
      this.bytes -= p.length
      return 'ignored'
    }
    return 'buffered'
  }

  /** The next message in order if it is complete. */
  take(): HandshakeMessage | undefined {
    const p = this.pending.get(this.next)
    if (p === undefined) return undefined
    const r = p.ranges[0]
    const complete =
      p.length === 0 || (p.ranges.length === 1 && r !== undefined && r[0] === 0 && r[1] === p.length)
    if (!complete) return undefined
    this.pending.delete(this.next)
    this.bytes -= p.length
    const m = { type: p.type, seq: this.next, body: p.buf }
    this.next++
    return m
  }

  clear(): void {
    this.pending.clear()
    this.bytes = 0
  }
}

function mergeRange(ranges: Array<[number, number]>, start: number, end: number): Array<[number, number]> {
  const out: Array<[number, number]> = []
  let s = start
  let e = end
  let placed = false
  for (const [a, b] of ranges) {
    if (b < s) out.push([a, b])
    else if (a > e) {
      if (!placed) {
        out.push([s, e])
        placed = true
      }
      out.push([a, b])
    } else {
      s = Math.min(s, a)
      e = Math.max(e, b)
    }
  }
  if (!placed) out.push([s, e])
  return out
}
