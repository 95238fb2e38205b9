import { describe, expect, it } from 'vitest'
import { DtlsCodecError } from '../errors.js'
import { decodeDatagram, decodeRecord, encodeRecord } from './codec.js'
import { ContentType, DTLS_1_2 } from './types.js'

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex')

describe('DTLS record header (RFC 6347 section 4.1)', () => {
  it('decodes type, version, epoch, 48-bit sequence number and length', () => {
    const d = hex('17 fefd 0001 0000 0000 002a 0003 aabbcc')
    const { record, next } = decodeRecord(d, 0)
    expect(record).toMatchObject({ type: 23, version: DTLS_1_2, epoch: 1, sequence: 42 })
    expect(Buffer.from(record.fragment).toString('hex')).toBe('aabbcc')
    expect(next).toBe(16)
  })

  it('carries the full 48-bit sequence number', () => {
    const d = hex('17 fefd 0001 ffff ffff fffe 0000')
    expect(decodeRecord(d, 0).record.sequence).toBe(2 ** 48 - 2)
    const enc = encodeRecord({
      type: 23,
      version: DTLS_1_2,
      epoch: 65535,
      sequence: 2 ** 48 - 1,
      fragment: new Uint8Array(0),
    })
    expect(Buffer.from(enc).toString('hex')).toBe('17fefdffffffffffffffff0000')
  })

  it('splits several records of one datagram', () => {
    const d = hex('16 fefd 0000 0000 0000 0001 0001 01  14 fefd 0000 0000 0000 0002 0001 01')
    const { records, error } = decodeDatagram(d)
    expect(error).toBeUndefined()
    expect(records.map((r) => r.type)).toEqual([ContentType.handshake, ContentType.change_cipher_spec])
  })

  it('stops at a truncated record and keeps the ones before it', () => {
    const d = hex('16 fefd 0000 0000 0000 0001 0001 01  17 fefd 0001 0000 0000 0001 0010 00')
    const { records, error } = decodeDatagram(d)
    expect(records).toHaveLength(1)
    expect(error).toBeInstanceOf(DtlsCodecError)
    expect(error?.offset).toBe(14 + 13)
  })

  it('refuses unknown content types and non-DTLS versions with the offset', () => {
    expect(() => decodeRecord(hex('30 fefd 0000 0000 0000 0000 0000'), 0)).toThrow(DtlsCodecError)
    try {
      decodeRecord(hex('17 0303 0000 0000 0000 0000 0000'), 0)
    } catch (e) {
      expect((e as DtlsCodecError).offset).toBe(3)
      expect((e as DtlsCodecError).code).toBe('DTLS_MALFORMED')
    }
  })

  it('reads the CID of a tls12_cid record with the length the receiver chose (RFC 9146 section 4)', () => {
    const d = hex('19 fefd 0001 0000 0000 0005 0a0b0c 0002 eeff')
    const { record } = decodeRecord(d, 0, 3)
    expect(Buffer.from(record.cid!).toString('hex')).toBe('0a0b0c')
    expect(Buffer.from(record.fragment).toString('hex')).toBe('eeff')
    expect(() => decodeRecord(d, 0, 0)).toThrow(DtlsCodecError)
    expect(Buffer.from(encodeRecord(record)).equals(d)).toBe(true)
  })

  it('refuses a length above 2^14 + 2048 (RFC 5246 section 6.2.3)', () => {
    const d = Buffer.concat([hex('17 fefd 0001 0000 0000 0001 4801'), Buffer.alloc(0x4801)])
    expect(() => decodeRecord(d, 0)).toThrow(/exceeds/)
  })
})
