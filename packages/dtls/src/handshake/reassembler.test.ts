import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Reassembler } from './reassembler.js'

const frag = (seq: number, body: Uint8Array, off: number, len: number, type = 11) => ({
  type,
  length: body.length,
  messageSeq: seq,
  fragmentOffset: off,
  body: body.subarray(off, off + len),
})

describe('handshake reassembly (RFC 6347 section 4.2.3)', () => {
  it('assembles fragments in any order, overlapping and repeated', () => {
    const body = Uint8Array.from({ length: 100 }, (_, i) => i)
    const r = new Reassembler(1 << 16)
    r.add(frag(0, body, 50, 50))
    expect(r.take()).toBeUndefined()
    r.add(frag(0, body, 10, 60))
    r.add(frag(0, body, 10, 60))
    expect(r.take()).toBeUndefined()
    r.add(frag(0, body, 0, 15))
    const m = r.take()
    expect(m?.seq).toBe(0)
    expect(Array.from(m!.body)).toEqual(Array.from(body))
    expect(r.next).toBe(1)
  })

  it('hands out messages in message_seq order only', () => {
    const r = new Reassembler(1 << 16)
    r.add(frag(1, Uint8Array.of(2), 0, 1))
    expect(r.take()).toBeUndefined()
    r.add(frag(0, Uint8Array.of(1), 0, 1))
    expect(r.take()?.seq).toBe(0)
    expect(r.take()?.seq).toBe(1)
    expect(r.add(frag(0, Uint8Array.of(1), 0, 1))).toBe('old')
  })

  it('ignores fragments that disagree with earlier ones, or beyond the window and byte budget', () => {
    const r = new Reassembler(1024, 4)
    expect(r.add(frag(0, new Uint8Array(10), 0, 5))).toBe('buffered')
    expect(r.add(frag(0, new Uint8Array(11), 0, 5))).toBe('ignored')
    expect(r.add(frag(0, new Uint8Array(10), 0, 5, 12))).toBe('ignored')
    expect(r.add(frag(4, new Uint8Array(10), 0, 5))).toBe('ignored')
    expect(r.add(frag(1, new Uint8Array(2000), 0, 5))).toBe('ignored')
    expect(r.bufferedBytes).toBe(10)
  })

  it('any fragmentation and order of a message yields it exactly', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 400 }),
        fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 20 }),
        fc.integer(),
        (body, sizes, seed) => {
          const pieces: Array<[number, number]> = []
          let off = 0
          let i = 0
          while (off < body.length) {
            const n = Math.min(sizes[i++ % sizes.length]!, body.length - off)
            pieces.push([off, n])
            off += n
          }
          // Deterministic shuffle.
          let s = seed
          for (let k = pieces.length - 1; k > 0; k--) {
            s = (s * 1103515245 + 12345) & 0x7fffffff
            const j = s % (k + 1)
            ;[pieces[k], pieces[j]] = [pieces[j]!, pieces[k]!]
          }
          const r = new Reassembler(1 << 16)
          for (const [o, n] of pieces) r.add(frag(0, body, o, n))
          const m = r.take()
          expect(m).toBeDefined()
          expect(Buffer.from(m!.body).equals(Buffer.from(body))).toBe(true)
          expect(r.bufferedBytes).toBe(0)
        },
      ),
    )
  })
})
