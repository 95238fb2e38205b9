import { describe, expect, it } from 'vitest'
import { CoapCodecError, CoapError } from '../errors.js'
import { decodeMessage, encodedSize, encodeMessage, peekHeader } from './codec.js'
import { Code } from './codes.js'
import { type CoapMessage, MessageType } from './types.js'

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'))
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const EMPTY = new Uint8Array(0)

function message(fields: Partial<CoapMessage>): CoapMessage {
  return {
    type: MessageType.CON,
    code: Code.GET,
    messageId: 1,
    token: EMPTY,
    options: [],
    payload: EMPTY,
    ...fields,
  }
}

/** The CoapCodecError that decoding `bytes` throws. */
function codecError(bytes: Uint8Array): CoapCodecError {
  try {
    decodeMessage(bytes)
  } catch (e) {
    expect(CoapCodecError.isInstance(e)).toBe(true)
    expect((e as CoapCodecError).code).toBe('COAP_MALFORMED')
    return e as CoapCodecError
  }
  throw new Error(`expected ${toHex(bytes)} to be rejected`)
}

/** The CoapError that encoding `m` throws. */
function encodeError(m: CoapMessage): CoapError {
  try {
    encodeMessage(m)
  } catch (e) {
    expect(CoapError.isInstance(e)).toBe(true)
    expect((e as CoapError).code).toBe('COAP_INVALID_ARGUMENT')
    return e as CoapError
  }
  throw new Error('expected the message to be refused')
}

describe('RFC 7252 Appendix A: the worked example (Figure 16)', () => {
  // CON GET MID 0x7d34, no token, Uri-Path "temperature"
  const request = '40 01 7d 34 bb 74 65 6d 70 65 72 61 74 75 72 65'
  // ACK 2.05 MID 0x7d34, payload "22.3 C"
  const response = '60 45 7d 34 ff 32 32 2e 33 20 43'

  it('decodes the request and encodes it back byte for byte', () => {
    const m = decodeMessage(hex(request))
    expect(m.type).toBe(MessageType.CON)
    expect(m.code).toBe(Code.GET)
    expect(m.messageId).toBe(0x7d34)
    expect(m.token.length).toBe(0)
    expect(m.options.map((o) => [o.number, Buffer.from(o.value).toString()])).toEqual([[11, 'temperature']])
    expect(m.payload.length).toBe(0)
    expect(toHex(encodeMessage(m))).toBe(toHex(hex(request)))
  })

  it('decodes the piggybacked response and encodes it back byte for byte', () => {
    const m = decodeMessage(hex(response))
    expect(m.type).toBe(MessageType.ACK)
    expect(m.code).toBe(Code.Content)
    expect(Buffer.from(m.payload).toString()).toBe('22.3 C')
    expect(toHex(encodeMessage(m))).toBe(toHex(hex(response)))
  })

  it('decodes a CON GET with a 4-byte token', () => {
    const m = decodeMessage(hex('44 01 7d 34 01 02 03 04 bb 74 65 6d 70 65 72 61 74 75 72 65'))
    expect([...m.token]).toEqual([1, 2, 3, 4])
    expect(m.options[0]!.number).toBe(11)
  })
})

describe('RFC 7252 section 3: header', () => {
  it('rejects a datagram shorter than the 4-byte header, at its end', () => {
    for (const b of ['', '40', '40 01', '40 01 00']) {
      expect(codecError(hex(b)).offset).toBe(hex(b).length)
    }
  })

  it('rejects versions 0, 2 and 3 at byte 0', () => {
    for (const first of ['00', '80', 'c0']) {
      const e = codecError(hex(`${first} 01 00 01`))
      expect(e.offset).toBe(0)
      expect(e.reason).toMatch(/version/)
    }
  })

  it('reads all four message types from bits 4-5', () => {
    expect([0x40, 0x50, 0x60, 0x70].map((b0) => decodeMessage(Uint8Array.of(b0, 1, 0, 1)).type)).toEqual([
      MessageType.CON,
      MessageType.NON,
      MessageType.ACK,
      MessageType.RST,
    ])
  })

  it('accepts a token length of 0 and of 8', () => {
    expect(decodeMessage(hex('40 01 00 01')).token.length).toBe(0)
    expect([...decodeMessage(hex('48 01 00 01 01 02 03 04 05 06 07 08')).token]).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8,
    ])
  })

  it('rejects token lengths 9 to 15 at byte 0 ("reserved, MUST be processed as a message format error")', () => {
    for (let tkl = 9; tkl <= 15; tkl++) {
      const bytes = new Uint8Array(4 + tkl)
      bytes[0] = 0x40 | tkl
      bytes[1] = 1
      const e = codecError(bytes)
      expect(e.offset).toBe(0)
      expect(e.reason).toMatch(/token length/)
    }
  })

  it('rejects a token that runs past the end, at the token', () => {
    expect(codecError(hex('48 01 00 01 01 02 03')).offset).toBe(4)
  })

  it('encodes a token of 8 bytes and refuses one of 9', () => {
    const token = hex('0102030405060708')
    expect(toHex(encodeMessage(message({ token })))).toBe('48010001' + '0102030405060708')
    encodeError(message({ token: new Uint8Array(9) }))
  })

  it('refuses out-of-range header fields', () => {
    for (const bad of [
      { type: 4 as MessageType },
      { type: -1 as MessageType },
      { code: 256 },
      { code: -1 },
      { code: 1.5 },
      { messageId: 0x10000 },
      { messageId: -1 },
      { messageId: Number.NaN },
    ]) {
      encodeError(message(bad))
    }
  })

  it('writes the message ID in network byte order', () => {
    expect(toHex(encodeMessage(message({ messageId: 0xabcd })))).toBe('4001abcd')
    expect(peekHeader(hex('52 45 ab cd 01 02'))).toEqual({
      type: MessageType.NON,
      code: Code.Content,
      messageId: 0xabcd,
      tokenLength: 2,
    })
    expect(peekHeader(hex('40 01 00'))).toBeUndefined()
    expect(peekHeader(hex('80 01 00 01'))).toBeUndefined()
  })
})

describe('RFC 7252 section 3.1: option delta and length', () => {
  it('uses the 4-bit forms up to 12', () => {
    // Option 12 (Content-Format) with a 12-byte value: one byte 0xcc, no extension.
    const value = new Uint8Array(12).fill(1)
    const bytes = encodeMessage(message({ options: [{ number: 12, value }] }))
    expect(toHex(bytes.subarray(4, 5))).toBe('cc')
    expect(bytes.length).toBe(4 + 1 + 12)
  })

  it('nibble 13: one extended byte holding the value minus 13, for 13 to 268', () => {
    expect(toHex(encodeMessage(message({ options: [{ number: 13, value: EMPTY }] })))).toBe(
      '40010001' + 'd000',
    )
    expect(toHex(encodeMessage(message({ options: [{ number: 268, value: EMPTY }] })))).toBe(
      '40010001' + 'd0ff',
    )
    const v13 = new Uint8Array(13).fill(2)
    expect(toHex(encodeMessage(message({ options: [{ number: 1, value: v13 }] })).subarray(4, 6))).toBe(
      '1d00',
    )
    const v268 = new Uint8Array(268).fill(2)
    expect(toHex(encodeMessage(message({ options: [{ number: 1, value: v268 }] })).subarray(4, 6))).toBe(
      '1dff',
    )
    const m = decodeMessage(hex('40 01 00 01 d0 ff'))
    expect(m.options[0]!.number).toBe(268)
  })

  it('nibble 14: two extended bytes holding the value minus 269, for 269 to 65804', () => {
    expect(toHex(encodeMessage(message({ options: [{ number: 269, value: EMPTY }] })))).toBe(
      '40010001' + 'e00000',
    )
    expect(toHex(encodeMessage(message({ options: [{ number: 65535, value: EMPTY }] })))).toBe(
      '40010001' + 'e0fef2',
    )
    const v269 = new Uint8Array(269)
    expect(toHex(encodeMessage(message({ options: [{ number: 1, value: v269 }] })).subarray(4, 7))).toBe(
      '1e0000',
    )
    const v65804 = new Uint8Array(65804).fill(9)
    const bytes = encodeMessage(message({ options: [{ number: 1, value: v65804 }] }))
    expect(toHex(bytes.subarray(4, 7))).toBe('1effff')
    expect(decodeMessage(bytes).options[0]!.value.length).toBe(65804)
  })

  it('delta and length both extended: delta first, then length', () => {
    const value = new Uint8Array(300).fill(3)
    const bytes = encodeMessage(message({ options: [{ number: 1000, value }] }))
    // 0xee, delta 1000-269 = 0x02db, length 300-269 = 0x001f
    expect(toHex(bytes.subarray(4, 9))).toBe('ee02db001f')
    const back = decodeMessage(bytes).options[0]!
    expect(back.number).toBe(1000)
    expect(back.value.length).toBe(300)
  })

  it('rejects delta nibble 15 in a byte that is not the payload marker', () => {
    for (const b of ['f0', 'f1', 'fe']) {
      const e = codecError(hex(`40 01 00 01 ${b} 00`))
      expect(e.offset).toBe(4)
      expect(e.reason).toMatch(/delta 15/)
    }
  })

  it('rejects length nibble 15 (reserved)', () => {
    const e = codecError(hex('40 01 00 01 bf'))
    expect(e.offset).toBe(4)
    expect(e.reason).toMatch(/length 15/)
  })

  it('rejects extended delta and length bytes that run past the end', () => {
    expect(codecError(hex('40 01 00 01 d0')).offset).toBe(5)
    expect(codecError(hex('40 01 00 01 e0 00')).offset).toBe(5)
    expect(codecError(hex('40 01 00 01 0d')).offset).toBe(5)
    expect(codecError(hex('40 01 00 01 0e 00')).offset).toBe(5)
    expect(codecError(hex('40 01 00 01 dd 00')).offset).toBe(6)
  })

  it('rejects an option value that runs past the end, at the value', () => {
    const e = codecError(hex('40 01 00 01 b5 61 62 63'))
    expect(e.offset).toBe(5)
    expect(e.reason).toMatch(/option 11/)
    expect(codecError(hex('40 01 00 01 0d 00 00 00')).offset).toBe(6)
  })

  it('rejects an option number above 65535 reached by one delta or by the sum of deltas', () => {
    // 0xe0 0xff 0xff: delta 65535 + 269 = 65804
    const one = codecError(hex('40 01 00 01 e0 ff ff'))
    expect(one.offset).toBe(4)
    expect(one.reason).toMatch(/65804/)
    // option 65535, then delta 1
    const sum = codecError(hex('40 01 00 01 e0 fe f2 10'))
    expect(sum.offset).toBe(7)
    expect(sum.reason).toMatch(/65536/)
  })

  it('keeps repeated options in order (delta 0)', () => {
    const m = decodeMessage(hex('40 01 00 01 b1 61 01 62 01 63'))
    expect(m.options.map((o) => [o.number, Buffer.from(o.value).toString()])).toEqual([
      [11, 'a'],
      [11, 'b'],
      [11, 'c'],
    ])
  })

  it('refuses to encode unsorted, negative, fractional or too large option numbers and values over 65804 bytes', () => {
    encodeError(
      message({
        options: [
          { number: 11, value: EMPTY },
          { number: 3, value: EMPTY },
        ],
      }),
    )
    encodeError(message({ options: [{ number: -1, value: EMPTY }] }))
    encodeError(message({ options: [{ number: 1.5, value: EMPTY }] }))
    encodeError(message({ options: [{ number: 65536, value: EMPTY }] }))
    encodeError(message({ options: [{ number: 1, value: new Uint8Array(65805) }] }))
  })
})

describe('RFC 7252 section 3: payload marker', () => {
  it('rejects a payload marker followed by a zero-length payload, at the marker', () => {
    const e = codecError(hex('40 01 00 01 ff'))
    expect(e.offset).toBe(4)
    expect(codecError(hex('41 01 00 01 aa b0 ff')).offset).toBe(6)
  })

  it('takes every byte after the marker as payload, 0xff included', () => {
    const m = decodeMessage(hex('40 02 00 01 ff ff 00 ff'))
    expect(toHex(m.payload)).toBe('ff00ff')
    expect(m.options).toHaveLength(0)
  })

  it('writes no marker for an empty payload, and a marker before a non-empty one', () => {
    expect(toHex(encodeMessage(message({})))).toBe('40010001')
    expect(toHex(encodeMessage(message({ payload: hex('00') })))).toBe('40010001ff00')
    expect(encodedSize(message({ payload: hex('0000') }))).toBe(7)
  })
})

describe('RFC 7252 section 4.1: Empty messages', () => {
  it('decodes the 4-byte Empty message of every type (CoAP ping is an Empty CON, section 4.3)', () => {
    for (const b0 of [0x40, 0x50, 0x60, 0x70]) {
      const m = decodeMessage(Uint8Array.of(b0, 0, 0x12, 0x34))
      expect(m.code).toBe(Code.Empty)
      expect(m.messageId).toBe(0x1234)
    }
  })

  it('rejects an Empty message with a token length other than 0, at byte 0', () => {
    expect(codecError(hex('41 00 00 01 aa')).offset).toBe(0)
  })

  it('rejects bytes after the Message ID of an Empty message, at byte 4', () => {
    expect(codecError(hex('60 00 00 01 ff 01')).offset).toBe(4)
    expect(codecError(hex('70 00 00 01 b0')).offset).toBe(4)
    expect(codecError(hex('40 00 00 01 ff')).offset).toBe(4)
  })

  it('refuses to encode an Empty message with a token, an option or a payload', () => {
    expect(toHex(encodeMessage(message({ type: MessageType.RST, code: 0 })))).toBe('70000001')
    encodeError(message({ code: 0, token: hex('01') }))
    encodeError(message({ code: 0, options: [{ number: 11, value: EMPTY }] }))
    encodeError(message({ code: 0, payload: hex('01') }))
  })
})
