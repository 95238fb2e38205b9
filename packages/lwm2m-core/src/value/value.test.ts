import { describe, expect, it } from 'vitest'
import { Lwm2mError } from '../errors.js'
import type { ResourceModel } from '../model/types.js'
import { decodeBase64, decodeBase64Url, encodeBase64, encodeBase64Url } from './base64.js'
import { checkValue, valuesEqual } from './check.js'
import { INT64_MAX, INT64_MIN, normalizeInteger, parseDecimalInteger, UINT64_MAX } from './integer.js'
import { formatObjectLink, NULL_OBJECT_LINK, objectLink, parseObjectLink } from './object-link.js'
import { checkRange, parseRangeEnumeration } from './range.js'
import { textToValue, valueToText } from './text.js'
import { utf8ErrorOffset } from './utf8.js'

const invalid = (f: () => unknown) => {
  try {
    f()
  } catch (e) {
    expect(Lwm2mError.isInstance(e) && e.code).toBe('LWM2M_INVALID_VALUE')
    return
  }
  throw new Error('expected LWM2M_INVALID_VALUE')
}

describe('Core TS Appendix C resource types: checkValue', () => {
  it('Integer covers the signed 64-bit range exactly: number when safe, bigint otherwise', () => {
    expect(checkValue('integer', 42n)).toBe(42)
    expect(checkValue('integer', INT64_MIN)).toBe(INT64_MIN)
    expect(checkValue('integer', INT64_MAX)).toBe(INT64_MAX)
    invalid(() => checkValue('integer', INT64_MAX + 1n))
    invalid(() => checkValue('integer', 2 ** 53)) // an unsafe number may already have lost precision
    invalid(() => checkValue('integer', 1.5))
    invalid(() => checkValue('integer', '1'))
  })

  it('Unsigned Integer covers 0..2^64-1', () => {
    expect(checkValue('unsigned', UINT64_MAX)).toBe(UINT64_MAX)
    invalid(() => checkValue('unsigned', -1))
    invalid(() => checkValue('unsigned', UINT64_MAX + 1n))
  })

  it('Time takes a Date or seconds, keeps whole seconds, refuses what a Date cannot hold', () => {
    expect((checkValue('time', new Date(1500)) as Date).getTime()).toBe(1000)
    expect((checkValue('time', 1367491215) as Date).toISOString()).toBe('2013-05-02T10:40:15.000Z')
    invalid(() => checkValue('time', new Date(Number.NaN)))
    invalid(() => checkValue('time', 10n ** 15n))
  })

  it('Strings must be well-formed (no lone surrogate), none carries only ""', () => {
    expect(checkValue('string', 'ok 🙂')).toBe('ok 🙂')
    invalid(() => checkValue('string', 'bad \ud800'))
    expect(checkValue('none', '')).toBe('')
    invalid(() => checkValue('none', 'x'))
  })

  it('Objlnk ids are 0..65535; Opaque is a Uint8Array; Boolean a boolean; Float a number', () => {
    expect(objectLink(3, 0)).toEqual({ objectId: 3, instanceId: 0 })
    invalid(() => objectLink(65536, 0))
    invalid(() => checkValue('opaque', [1, 2]))
    invalid(() => checkValue('boolean', 1))
    expect(checkValue('float', Number.NaN)).toBeNaN()
  })

  it('valuesEqual compares by meaning', () => {
    expect(valuesEqual('integer', 5, 5n)).toBe(true)
    expect(valuesEqual('float', Number.NaN, Number.NaN)).toBe(true)
    expect(valuesEqual('opaque', Uint8Array.of(1), Uint8Array.of(1))).toBe(true)
    expect(valuesEqual('opaque', Uint8Array.of(1), Uint8Array.of(2))).toBe(false)
    expect(valuesEqual('time', new Date(1000), new Date(1999))).toBe(true)
    expect(valuesEqual('objlnk', { objectId: 1, instanceId: 2 }, { objectId: 1, instanceId: 3 })).toBe(false)
  })
})

describe('integers', () => {
  it('normalizeInteger and parseDecimalInteger are exact', () => {
    expect(normalizeInteger(9007199254740991n)).toBe(9007199254740991)
    expect(normalizeInteger(9007199254740992n)).toBe(9007199254740992n)
    expect(normalizeInteger(-0)).toBe(0)
    expect(parseDecimalInteger('18446744073709551615')).toBe(UINT64_MAX)
    expect(parseDecimalInteger('-9223372036854775808')).toBe(INT64_MIN)
    expect(parseDecimalInteger('007')).toBeUndefined()
    expect(parseDecimalInteger('1e3')).toBeUndefined()
  })
})

describe('Core TS 7.4.1 plain-text forms', () => {
  it('round-trips each type', () => {
    const cases: [Parameters<typeof valueToText>[0], Parameters<typeof valueToText>[1], string][] = [
      ['integer', -9223372036854775808n, '-9223372036854775808'],
      ['unsigned', 18446744073709551615n, '18446744073709551615'],
      ['float', 22.4, '22.4'],
      ['float', 1e300, '1e+300'],
      ['boolean', true, '1'],
      ['boolean', false, '0'],
      ['opaque', Uint8Array.of(0xde, 0xad, 0xbe, 0xef), '3q2+7w=='],
      ['time', new Date(1367491215000), '1367491215'],
      ['objlnk', { objectId: 66, instanceId: 0 }, '66:0'],
      ['string', 'Open Mobile Alliance', 'Open Mobile Alliance'],
    ]
    for (const [type, value, text] of cases) {
      expect(valueToText(type, value)).toBe(text)
      expect(valuesEqual(type, textToValue(type, text), value)).toBe(true)
    }
  })

  it('refuses text that is not a value of the type', () => {
    for (const [type, text] of [
      ['integer', '1.0'],
      ['integer', '9223372036854775808'],
      ['unsigned', '-1'],
      ['boolean', 'true'],
      ['float', '1,5'],
      ['opaque', 'not base64!'],
      ['objlnk', '66'],
      ['time', '12:00'],
    ] as const) {
      invalid(() => textToValue(type, text))
    }
  })
})

describe('base64 (RFC 4648) and base64url', () => {
  it('is strict about alphabet, padding and trailing bits', () => {
    expect(encodeBase64(Uint8Array.of(0xfb, 0xff))).toBe('+/8=')
    expect(encodeBase64Url(Uint8Array.of(0xfb, 0xff))).toBe('-_8')
    expect(decodeBase64('+/8=')).toEqual(Uint8Array.of(0xfb, 0xff))
    expect(decodeBase64Url('-_8')).toEqual(Uint8Array.of(0xfb, 0xff))
    expect(decodeBase64('-_8')).toBeUndefined()
    expect(decodeBase64('QR==')).toBeUndefined()
    expect(decodeBase64('Q===')).toBeUndefined()
    expect(decodeBase64('')).toEqual(new Uint8Array(0))
  })
})

describe('object links', () => {
  it('parses and formats "oid:iid", accepts the spec\'s "FFFF:FFFF" spelling of the null link', () => {
    expect(parseObjectLink('66:1')).toEqual({ objectId: 66, instanceId: 1 })
    expect(parseObjectLink('FFFF:FFFF')).toEqual(NULL_OBJECT_LINK)
    expect(parseObjectLink('65536:0')).toBeUndefined()
    expect(parseObjectLink('01:0')).toBeUndefined()
    expect(formatObjectLink(NULL_OBJECT_LINK)).toBe('65535:65535')
  })
})

describe('DDF RangeEnumeration', () => {
  const model = (type: ResourceModel['type'], rangeEnumeration: string): ResourceModel => ({
    id: 9,
    name: 'Battery Level',
    operations: 'R',
    multiple: false,
    mandatory: false,
    type,
    rangeEnumeration,
    units: '',
    description: '',
  })

  it('reads ranges, lists and byte lengths; ignores prose and ambiguous bare numbers', () => {
    expect(parseRangeEnumeration('0..100', 'integer')).toEqual({ of: 'value', min: 0, max: 100 })
    expect(parseRangeEnumeration('-158..-44', 'integer')).toEqual({ of: 'value', min: -158, max: -44 })
    expect(parseRangeEnumeration('0..1', 'float')).toEqual({ of: 'value', min: 0, max: 1 })
    expect(parseRangeEnumeration('0..255 bytes', 'string')).toEqual({ of: 'length', min: 0, max: 255 })
    expect(parseRangeEnumeration('16,32,48', 'opaque')).toEqual({ of: 'length', values: [16, 32, 48] })
    expect(parseRangeEnumeration('32 bytes', 'string')).toEqual({ of: 'length', min: 0, max: 32 })
    expect(parseRangeEnumeration('8-Bits', 'integer')).toBeUndefined()
    expect(parseRangeEnumeration('255', 'integer')).toBeUndefined()
    expect(parseRangeEnumeration('0..1', 'boolean')).toBeUndefined()
  })

  it('checkRange throws LWM2M_INVALID_VALUE outside the range', () => {
    checkRange(100, model('integer', '0..100'))
    invalid(() => checkRange(101, model('integer', '0..100')))
    invalid(() => checkRange(2n ** 70n, model('unsigned', '0..100')))
    checkRange('0123456789', model('string', '10,26'))
    invalid(() => checkRange('012345678', model('string', '10,26')))
    invalid(() => checkRange(new Uint8Array(7), model('opaque', '6')))
    checkRange('é'.repeat(16), model('string', '32 bytes'))
    invalid(() => checkRange('é'.repeat(17), model('string', '32 bytes')))
  })
})

describe('UTF-8 (RFC 3629)', () => {
  it('finds the first offending byte', () => {
    const b = (...x: number[]) => Uint8Array.from(x)
    expect(utf8ErrorOffset(new TextEncoder().encode('ok 🙂 é'))).toBe(-1)
    expect(utf8ErrorOffset(b(0x61, 0xc0, 0x80))).toBe(1) // overlong
    expect(utf8ErrorOffset(b(0x61, 0x62, 0xed, 0xa0, 0x80))).toBe(2) // surrogate
    expect(utf8ErrorOffset(b(0xf4, 0x90, 0x80, 0x80))).toBe(0) // above U+10FFFF
    expect(utf8ErrorOffset(b(0x61, 0xe2, 0x82))).toBe(1) // truncated
  })
})
