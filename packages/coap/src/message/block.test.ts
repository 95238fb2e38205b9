import { describe, expect, it } from 'vitest'
import { CoapError } from '../errors.js'
import { blockSize, decodeBlock, encodeBlock, sizeToSzx } from './block.js'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

describe('Block option values (RFC 7959 section 2.2)', () => {
  it('packs NUM, M and SZX as NUM << 4 | M << 3 | SZX in the fewest bytes', () => {
    expect(hex(encodeBlock({ num: 0, more: false, szx: 0 }))).toBe('') // all zero: the empty value
    expect(hex(encodeBlock({ num: 0, more: true, szx: 6 }))).toBe('0e')
    expect(hex(encodeBlock({ num: 2, more: false, szx: 3 }))).toBe('23')
    expect(hex(encodeBlock({ num: 15, more: true, szx: 2 }))).toBe('fa')
    expect(hex(encodeBlock({ num: 16, more: false, szx: 0 }))).toBe('0100')
    expect(hex(encodeBlock({ num: 4095, more: true, szx: 6 }))).toBe('fffe')
    expect(hex(encodeBlock({ num: 4096, more: false, szx: 6 }))).toBe('010006')
    expect(hex(encodeBlock({ num: 0xfffff, more: true, szx: 6 }))).toBe('fffffe')
  })

  it('decodes 0 to 3 bytes, the empty value as block 0 of 16 bytes without more', () => {
    expect(decodeBlock(new Uint8Array(0))).toEqual({ num: 0, more: false, szx: 0 })
    expect(decodeBlock(Uint8Array.of(0x0e))).toEqual({ num: 0, more: true, szx: 6 })
    expect(decodeBlock(Uint8Array.of(0x01, 0x00, 0x06))).toEqual({ num: 4096, more: false, szx: 6 })
    expect(decodeBlock(Uint8Array.of(0xff, 0xff, 0xff))).toEqual({ num: 0xfffff, more: true, szx: 7 })
    expect(decodeBlock(new Uint8Array(4))).toBeUndefined()
  })

  it('SZX 7 decodes as such (reserved over UDP, BERT over TCP per RFC 8323) for the caller to refuse', () => {
    expect(decodeBlock(Uint8Array.of(0x17))).toEqual({ num: 1, more: false, szx: 7 })
  })

  it('refuses block numbers beyond 2^20 - 1 and size exponents beyond 7', () => {
    for (const bad of [
      { num: 0x100000, more: false, szx: 0 },
      { num: -1, more: false, szx: 0 },
      { num: 1.5, more: false, szx: 0 },
      { num: 0, more: false, szx: 8 },
      { num: 0, more: false, szx: -1 },
    ]) {
      expect(() => encodeBlock(bad)).toThrow(CoapError)
    }
  })

  it('block sizes are 2^(SZX + 4): 16 to 1024 bytes', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map(blockSize)).toEqual([16, 32, 64, 128, 256, 512, 1024])
  })

  it('chooses the largest block size not above a size limit', () => {
    expect(sizeToSzx(16)).toBe(0)
    expect(sizeToSzx(31)).toBe(0)
    expect(sizeToSzx(32)).toBe(1)
    expect(sizeToSzx(1000)).toBe(5)
    expect(sizeToSzx(1024)).toBe(6)
    expect(sizeToSzx(1152)).toBe(6) // the usual UDP budget: still 1024
    expect(sizeToSzx(65536)).toBe(6)
    for (const bad of [15, 0, -16, Number.NaN]) expect(() => sizeToSzx(bad)).toThrow(CoapError)
  })
})
