import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeString, encodeString } from './options.js'

const reference = new TextEncoder()
/** A high surrogate without a low one after it, or a low one without a high one before it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

describe('string option values (RFC 7252 section 3.2: string values are UTF-8)', () => {
  it('encodes every string as TextEncoder does, short ASCII ones too (they take a faster copy)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 80 }),
          fc.string({ unit: 'binary', maxLength: 80 }),
          fc.string({ unit: 'grapheme-ascii', maxLength: 70 }),
        ),
        (s) => {
          expect([...encodeString(s)]).toEqual([...reference.encode(s)])
          // A string without lone surrogates comes back as it went.
          if (!LONE_SURROGATE.test(s)) expect(decodeString(encodeString(s))).toBe(s)
        },
      ),
    )
  })

  it('decodes every byte string as TextDecoder does (invalid sequences become U+FFFD)', () => {
    const decoder = new TextDecoder('utf-8', { fatal: false })
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 48 }), fc.uint8Array({ maxLength: 48 }), (raw, ascii) => {
        const text = ascii.map((b) => b & 0x7f)
        expect(decodeString(raw)).toBe(decoder.decode(raw))
        expect(decodeString(text)).toBe(decoder.decode(text))
      }),
    )
  })
})
