import { createCipheriv } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { decodeRecord } from '../record/codec.js'
import { ContentType, DTLS_1_2 } from '../record/types.js'
import {
  type CipherState,
  cipherStatesFromKeyBlock,
  keyBlockLength,
  protectRecord,
  unprotectRecord,
} from './record-protection.js'
import { CIPHER_SUITES, type CipherSuite } from './suites.js'

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex')

function states(suite: CipherSuite): { client: CipherState; server: CipherState } {
  const kb = new Uint8Array(keyBlockLength(suite)).map((_, i) => (i * 7 + 3) & 0xff)
  return cipherStatesFromKeyBlock(suite, kb)
}

describe('AES-CCM with an 8-byte tag on node:crypto', () => {
  // RFC 3610 section 8, Packet Vector #1 (M = 8, L = 2): node:crypto's aes-128-ccm with authTagLength 8.
  it('matches RFC 3610 packet vector #1', () => {
    const key = hex('C0C1C2C3C4C5C6C7C8C9CACBCCCDCECF')
    const nonce = hex('00000003020100A0A1A2A3A4A5')
    const aad = hex('0001020304050607')
    const plain = hex('08090A0B0C0D0E0F101112131415161718191A1B1C1D1E')
    const c = createCipheriv('aes-128-ccm', key, nonce, { authTagLength: 8 })
    c.setAAD(aad, { plaintextLength: plain.length })
    const out = Buffer.concat([c.update(plain), c.final(), c.getAuthTag()])
    expect(out.toString('hex').toUpperCase()).toBe(
      '588C979A61C663D2F066D0C2C0F989806D5F6B61DAC38417E8D12CFDF926E0',
    )
  })
})

describe.each(CIPHER_SUITES.map((s) => [s.name, s] as const))(
  'record protection with %s (RFC 5246 6.2.3)',
  (_, suite) => {
    const { client, server } = states(suite)

    it('round-trips application data and checks the sequence number and epoch in the MAC', () => {
      const data = Buffer.from('hello over dtls')
      const rec = protectRecord(client, ContentType.application_data, DTLS_1_2, 1, 42, data)
      const { record } = decodeRecord(rec, 0)
      expect(record.epoch).toBe(1)
      expect(record.sequence).toBe(42)
      const opened = unprotectRecord(client, record)
      expect(opened?.type).toBe(ContentType.application_data)
      expect(Buffer.from(opened!.content).equals(data)).toBe(true)
      // The other direction's keys do not open it.
      expect(unprotectRecord(server, record)).toBeUndefined()
      // A different sequence number in the header breaks authentication (RFC 6347 section 4.1.2.1).
      expect(unprotectRecord(client, { ...record, sequence: 43 })).toBeUndefined()
      expect(unprotectRecord(client, { ...record, type: ContentType.handshake })).toBeUndefined()
    })

    it('drops any record with a flipped bit (RFC 6347 section 4.1.2.7)', () => {
      const rec = protectRecord(client, ContentType.application_data, DTLS_1_2, 1, 7, Buffer.alloc(40, 9))
      for (let i = 13; i < rec.length; i++) {
        const t = Buffer.from(rec)
        t[i]! ^= 0x01
        const { record } = decodeRecord(t, 0)
        expect(unprotectRecord(client, record)).toBeUndefined()
      }
    })

    it('uses the tls12_cid format and additional data of RFC 9146 section 5', () => {
      const cid = hex('0102030405')
      const rec = protectRecord(client, ContentType.application_data, DTLS_1_2, 1, 5, Buffer.from('x'), cid)
      expect(rec[0]).toBe(ContentType.tls12_cid)
      expect(Buffer.from(rec.subarray(11, 16)).equals(cid)).toBe(true)
      const { record } = decodeRecord(rec, 0, 5)
      const opened = unprotectRecord(client, record)
      expect(opened?.type).toBe(ContentType.application_data)
      expect(Buffer.from(opened!.content).toString()).toBe('x')
      // Another CID in the header fails authentication.
      expect(unprotectRecord(client, { ...record, cid: hex('0102030406') })).toBeUndefined()
    })

    it('protects an empty payload', () => {
      const rec = protectRecord(client, ContentType.application_data, DTLS_1_2, 1, 0, new Uint8Array(0))
      const opened = unprotectRecord(client, decodeRecord(rec, 0).record)
      expect(opened?.content.length).toBe(0)
    })
  },
)

describe('CBC without a padding oracle (RFC 5246 section 6.2.3.2)', () => {
  const suite = CIPHER_SUITES.find((s) => s.cipher === 'aes-128-cbc-sha256')!
  const { client } = states(suite)

  it('rejects records whose length is not whole blocks or too short, without throwing', () => {
    const rec = protectRecord(client, ContentType.application_data, DTLS_1_2, 1, 1, Buffer.alloc(5))
    const { record } = decodeRecord(rec, 0)
    expect(
      unprotectRecord(client, {
        ...record,
        fragment: record.fragment.subarray(0, record.fragment.length - 1),
      }),
    ).toBeUndefined()
    expect(unprotectRecord(client, { ...record, fragment: record.fragment.subarray(0, 48) })).toBeUndefined()
  })

  it('treats bad padding exactly like a bad MAC (both give undefined)', () => {
    const rec = Buffer.from(
      protectRecord(client, ContentType.application_data, DTLS_1_2, 1, 1, Buffer.alloc(20, 1)),
    )
    // Flip a bit in the second-to-last ciphertext block: garbles the last plaintext block's padding.
    rec[rec.length - 20]! ^= 0x80
    expect(unprotectRecord(client, decodeRecord(rec, 0).record)).toBeUndefined()
  })
})
