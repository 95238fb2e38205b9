import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DtlsCodecError } from '../errors.js'
import { decodeDatagram, decodeRecord, encodeRecord } from './codec.js'
import type { DtlsRecord } from './types.js'

const recordArb = (cidLength: number): fc.Arbitrary<DtlsRecord> =>
  fc
    .record({
      type: cidLength > 0 ? fc.constantFrom(20, 21, 22, 23, 25) : fc.constantFrom(20, 21, 22, 23),
      version: fc.constantFrom(0xfefd, 0xfeff),
      epoch: fc.integer({ min: 0, max: 0xffff }),
      sequence: fc.integer({ min: 0, max: 2 ** 48 - 1 }),
      fragment: fc.uint8Array({ maxLength: 300 }),
      cid: fc.uint8Array({ minLength: cidLength, maxLength: cidLength }),
    })
    .map(({ cid, ...r }) => (r.type === 25 ? { ...r, cid } : r))

describe('record codec properties', () => {
  it('decode(encode(r)) equals r, also with CIDs', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }).chain((n) => fc.tuple(fc.constant(n), recordArb(n))),
        ([n, r]) => {
          const { record, next } = decodeRecord(encodeRecord(r), 0, n)
          expect(next).toBe(encodeRecord(r).length)
          expect({
            ...record,
            fragment: Array.from(record.fragment),
            cid: record.cid && Array.from(record.cid),
          }).toEqual({
            ...r,
            fragment: Array.from(r.fragment),
            cid: r.cid && Array.from(r.cid),
          })
        },
      ),
    )
  })

  it('a datagram of several encoded records splits back into them', () => {
    fc.assert(
      fc.property(fc.array(recordArb(0), { minLength: 1, maxLength: 6 }), (rs) => {
        const d = Buffer.concat(rs.map((r) => encodeRecord(r)))
        const { records, error } = decodeDatagram(d)
        expect(error).toBeUndefined()
        expect(records.map((r) => r.sequence)).toEqual(rs.map((r) => r.sequence))
      }),
    )
  })

  it('arbitrary bytes decode or yield DtlsCodecError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: 8 }), (bytes, cid) => {
        const { records, error } = decodeDatagram(bytes, cid)
        if (error !== undefined) expect(error).toBeInstanceOf(DtlsCodecError)
        expect(records.length).toBeLessThanOrEqual(Math.ceil(bytes.length / 13))
      }),
      { numRuns: 2000 },
    )
  })
})
