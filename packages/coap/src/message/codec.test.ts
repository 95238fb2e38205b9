import { describe, expect, it } from 'vitest'
import { CoapCodecError } from '../errors.js'
import { decodeMessage, encodeMessage } from './codec.js'
import { MessageType } from './types.js'

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'))

describe('message codec (RFC 7252 section 3)', () => {
  it('decodes a confirmable GET with a token and Uri-Path options', () => {
    // 0x44: version 1, CON, TKL 4; 0x01 GET; message ID 0x7d34; token; Uri-Path "temperature"
    const msg = decodeMessage(hex('44 01 7d 34 01 02 03 04 bb 74 65 6d 70 65 72 61 74 75 72 65'))
    expect(msg.type).toBe(MessageType.CON)
    expect(msg.code).toBe(0x01)
    expect(msg.messageId).toBe(0x7d34)
    expect([...msg.token]).toEqual([1, 2, 3, 4])
    expect(msg.options).toHaveLength(1)
    expect(msg.options[0]!.number).toBe(11)
    expect(Buffer.from(msg.options[0]!.value).toString()).toBe('temperature')
  })

  it('round-trips extended option deltas and lengths at 12/13/268/269', () => {
    for (const n of [12, 13, 268, 269, 1000]) {
      const value = new Uint8Array(n).fill(7)
      const msg = {
        type: MessageType.NON,
        code: 0x45,
        messageId: 1,
        token: new Uint8Array(0),
        options: [{ number: n, value }],
        payload: hex('ff00'),
      }
      const back = decodeMessage(encodeMessage(msg))
      expect(back.options[0]!.number).toBe(n)
      expect(back.options[0]!.value).toEqual(value)
      expect(back.payload).toEqual(hex('ff00'))
    }
  })

  it('rejects a payload marker with no payload (section 3)', () => {
    expect(() => decodeMessage(hex('40 01 00 01 ff'))).toThrow(CoapCodecError)
  })

  it('rejects token lengths 9-15 with the byte offset (section 3)', () => {
    try {
      decodeMessage(hex('49 01 00 01 00 00 00 00 00 00 00 00 00'))
      expect.unreachable()
    } catch (e) {
      expect(CoapCodecError.isInstance(e)).toBe(true)
      expect((e as CoapCodecError).offset).toBe(0)
    }
  })
})
