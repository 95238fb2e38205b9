import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CoapCodecError, CoapError } from '../errors.js'
import { decodeMessage, encodedSize, encodeMessage } from './codec.js'
import type { CoapMessage, CoapOption, MessageType } from './types.js'

// Properties of the message codec (RFC 7252 section 3).

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')

/**
 * A comparable picture of a message: byte fields as hex, so that views and copies compare
 * equal, and numbers plus 0, so that an input of -0 compares equal to the decoded 0.
 */
function plain(m: CoapMessage) {
  return {
    type: m.type + 0,
    code: m.code + 0,
    messageId: m.messageId + 0,
    token: hex(m.token),
    options: m.options.map((o) => [o.number, hex(o.value)]),
    payload: hex(m.payload),
  }
}

/** Option deltas and lengths that sit on the edges of the nibble and extended forms (section 3.1). */
const EDGES = [0, 1, 12, 13, 14, 267, 268, 269, 270, 1000, 65535]

const delta = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...EDGES) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 20 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 65535 }) },
)

const valueLength = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 20 }) },
  { weight: 3, arbitrary: fc.constantFrom(12, 13, 14, 267, 268, 269, 270) },
  { weight: 1, arbitrary: fc.constantFrom(1000, 65804) },
)

const optionValue = valueLength.chain((n) =>
  n <= 20
    ? fc.uint8Array({ minLength: n, maxLength: n })
    : fc.integer({ min: 0, max: 255 }).map((fill) => new Uint8Array(n).fill(fill)),
)

/** Sorted options built from deltas, so that repeats (delta 0) and every extended form occur. */
const options: fc.Arbitrary<CoapOption[]> = fc
  .array(fc.tuple(delta, optionValue), { maxLength: 12 })
  .map((pairs) => {
    const out: CoapOption[] = []
    let number = 0
    for (const [d, value] of pairs) {
      if (number + d > 0xffff) break
      number += d
      out.push({ number, value })
    }
    return out
  })

const type = fc.constantFrom<MessageType>(0, 1, 2, 3)

const nonEmptyMessage: fc.Arbitrary<CoapMessage> = fc.record({
  type,
  code: fc.integer({ min: 1, max: 255 }),
  messageId: fc.integer({ min: 0, max: 0xffff }),
  token: fc.uint8Array({ maxLength: 8 }),
  options,
  payload: fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ minLength: 1, maxLength: 64 })),
})

// Section 4.1: an Empty message is the 4-byte header with code 0.00 and nothing else.
const emptyMessage: fc.Arbitrary<CoapMessage> = fc.record({
  type,
  code: fc.constant(0),
  messageId: fc.integer({ min: 0, max: 0xffff }),
  token: fc.constant(new Uint8Array(0)),
  options: fc.constant([]),
  payload: fc.constant(new Uint8Array(0)),
})

const message = fc.oneof({ weight: 9, arbitrary: nonEmptyMessage }, { weight: 1, arbitrary: emptyMessage })

/** Byte strings near valid ones: encoded messages with bytes changed, cut or appended. */
const mutated: fc.Arbitrary<Uint8Array> = fc
  .tuple(
    message.map(encodeMessage),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
    fc.option(fc.nat()),
    fc.uint8Array({ maxLength: 4 }),
  )
  .map(([bytes, edits, cut, tail]) => {
    const b = bytes.slice(0, cut === null ? bytes.length : cut % (bytes.length + 1))
    for (const [at, v] of edits) if (b.length > 0) b[at % b.length] = v
    const out = new Uint8Array(b.length + tail.length)
    out.set(b)
    out.set(tail, b.length)
    return out
  })

const anyBytes = fc.oneof(fc.uint8Array({ maxLength: 300 }), mutated)

/** Decodes, or checks that the only failure is a CoapCodecError pointing inside the input. */
function decodeOrCodecError(bytes: Uint8Array): CoapMessage | undefined {
  try {
    return decodeMessage(bytes)
  } catch (e) {
    expect(CoapCodecError.isInstance(e)).toBe(true)
    const err = e as CoapCodecError
    expect(err.code).toBe('COAP_MALFORMED')
    expect(err.offset).toBeGreaterThanOrEqual(0)
    expect(err.offset).toBeLessThanOrEqual(bytes.length)
    expect(typeof err.reason).toBe('string')
    return undefined
  }
}

describe('message codec properties (RFC 7252 section 3)', () => {
  it('decode(encode(m)) equals m for every type, code, token, option and payload', () => {
    fc.assert(
      fc.property(message, (m) => {
        const bytes = encodeMessage(m)
        expect(bytes.length).toBe(encodedSize(m))
        expect(plain(decodeMessage(bytes))).toEqual(plain(m))
      }),
      { numRuns: 1000 },
    )
  })

  it('the option at each extended delta/length boundary round-trips alone (section 3.1)', () => {
    const edges = fc.constantFrom(0, 12, 13, 268, 269, 65535)
    const lengths = fc.constantFrom(0, 12, 13, 268, 269, 65804)
    fc.assert(
      fc.property(edges, lengths, fc.boolean(), (number, length, withPayload) => {
        const m: CoapMessage = {
          type: 1,
          code: 0x45,
          messageId: 7,
          token: Uint8Array.of(1),
          options: [{ number, value: new Uint8Array(length).fill(0xa5) }],
          payload: withPayload ? Uint8Array.of(0xff, 0) : new Uint8Array(0),
        }
        expect(plain(decodeMessage(encodeMessage(m)))).toEqual(plain(m))
      }),
    )
  })

  it('encode(decode(b)) equals b for every byte string that decodes (the encoding is canonical)', () => {
    fc.assert(
      fc.property(anyBytes, (bytes) => {
        const m = decodeOrCodecError(bytes)
        if (m !== undefined) expect(hex(encodeMessage(m))).toBe(hex(bytes))
      }),
      { numRuns: 3000 },
    )
  })

  it('arbitrary bytes decode or throw a CoapCodecError with an offset inside the input, nothing else', () => {
    let decoded = 0
    fc.assert(
      fc.property(anyBytes, (bytes) => {
        if (decodeOrCodecError(bytes) !== undefined) decoded++
      }),
      { numRuns: 5000 },
    )
    // The generator reaches both outcomes, so the property is not vacuous.
    expect(decoded).toBeGreaterThan(0)
  })

  it('encode either refuses a message with COAP_INVALID_ARGUMENT or writes one that decodes to it', () => {
    const loose = fc.record({
      type: fc.oneof(type, fc.integer({ min: -1, max: 5 }), fc.double()),
      code: fc.oneof(fc.integer({ min: -2, max: 260 }), fc.double()),
      messageId: fc.oneof(fc.integer({ min: -2, max: 0x10001 }), fc.double()),
      token: fc.uint8Array({ maxLength: 10 }),
      options: fc.array(
        fc.record({
          number: fc.oneof(fc.integer({ min: -2, max: 0x10002 }), fc.double({ min: 0, max: 100 })),
          value: fc.uint8Array({ maxLength: 16 }),
        }),
        { maxLength: 5 },
      ),
      payload: fc.uint8Array({ maxLength: 8 }),
    })
    fc.assert(
      fc.property(loose, (m) => {
        let bytes: Uint8Array
        try {
          bytes = encodeMessage(m as CoapMessage)
        } catch (e) {
          expect(CoapError.isInstance(e)).toBe(true)
          expect((e as CoapError).code).toBe('COAP_INVALID_ARGUMENT')
          return
        }
        expect(plain(decodeMessage(bytes))).toEqual(plain(m as CoapMessage))
      }),
      { numRuns: 2000 },
    )
  })

  it('decoded fields are views over the input, not copies', () => {
    fc.assert(
      fc.property(nonEmptyMessage, (m) => {
        const bytes = encodeMessage(m)
        const back = decodeMessage(bytes)
        for (const part of [back.token, back.payload, ...back.options.map((o) => o.value)]) {
          if (part.length > 0) expect(part.buffer).toBe(bytes.buffer)
        }
      }),
      { numRuns: 200 },
    )
  })
})
