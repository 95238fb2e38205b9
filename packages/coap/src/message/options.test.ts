import { describe, expect, it } from 'vitest'
import { CoapError } from '../errors.js'
import {
  decodeString,
  decodeUint,
  encodeString,
  encodeUint,
  getOption,
  getOptions,
  getStringOptions,
  getUintOption,
  hasOption,
  isCritical,
  isElective,
  isNoCacheKey,
  isUnsafe,
  OptionNumber,
  optionByName,
  optionDefinition,
  optionName,
  sortOptions,
  unrecognizedCriticalOptions,
  withOption,
  withoutOption,
} from './options.js'
import type { CoapOption } from './types.js'

const opt = (number: number, value: Uint8Array | string = new Uint8Array(0)): CoapOption => ({
  number,
  value: typeof value === 'string' ? encodeString(value) : value,
})
const bytes = (n: number) => new Uint8Array(n).fill(1)

describe('option classes (RFC 7252 section 5.4.6)', () => {
  // Table 4 of RFC 7252 section 5.10, with Observe (RFC 7641 section 2) and Block1/Block2/Size2
  // (RFC 7959 section 2.1): C = critical, U = unsafe, N = NoCacheKey.
  const table: [name: string, number: number, flags: string][] = [
    ['If-Match', 1, 'C'],
    ['Uri-Host', 3, 'CU'],
    ['ETag', 4, ''],
    ['If-None-Match', 5, 'C'],
    ['Observe', 6, 'U'],
    ['Uri-Port', 7, 'CU'],
    ['Location-Path', 8, ''],
    ['Uri-Path', 11, 'CU'],
    ['Content-Format', 12, ''],
    ['Max-Age', 14, 'U'],
    ['Uri-Query', 15, 'CU'],
    ['Accept', 17, 'C'],
    ['Location-Query', 20, ''],
    ['Block2', 23, 'CU'],
    ['Block1', 27, 'CU'],
    ['Size2', 28, 'N'],
    ['Proxy-Uri', 35, 'CU'],
    ['Proxy-Scheme', 39, 'CU'],
    ['Size1', 60, 'N'],
  ]

  it.each(table)('%s (%i) is %s', (name, number, flags) => {
    expect(optionByName(name)?.number).toBe(number)
    expect(isCritical(number)).toBe(flags.includes('C'))
    expect(isElective(number)).toBe(!flags.includes('C'))
    expect(isUnsafe(number)).toBe(flags.includes('U'))
    expect(isNoCacheKey(number)).toBe(flags.includes('N'))
  })

  it('derives the classes from the number bits for any number', () => {
    // Figure 11: Critical = onum & 1, UnSafe = onum & 2, NoCacheKey = (onum & 0x1e) == 0x1c.
    for (let n = 0; n <= 0xffff; n += 37) {
      expect(isCritical(n)).toBe(n % 2 === 1)
      expect(isUnsafe(n)).toBe(Math.floor(n / 2) % 2 === 1)
      expect(isNoCacheKey(n)).toBe(n % 32 === 28 || n % 32 === 29)
    }
  })

  it('names the options of the IANA registry this package knows', () => {
    expect(OptionNumber.Observe).toBe(6)
    expect(OptionNumber.OSCORE).toBe(9)
    expect(OptionNumber.HopLimit).toBe(16)
    expect(OptionNumber.Echo).toBe(252)
    expect(OptionNumber.NoResponse).toBe(258)
    expect(OptionNumber.RequestTag).toBe(292)
    expect(optionName(11)).toBe('Uri-Path')
    expect(optionName(2049)).toBe('Option 2049')
    expect(optionDefinition(12)).toMatchObject({
      format: 'uint',
      repeatable: false,
      minLength: 0,
      maxLength: 2,
    })
    expect(optionDefinition(35)).toMatchObject({ format: 'string', minLength: 1, maxLength: 1034 })
    expect(optionDefinition(2)).toBeUndefined()
    expect(optionByName('uri-path')).toBeUndefined()
  })
})

describe('unrecognizedCriticalOptions (RFC 7252 sections 5.4.1, 5.4.3, 5.4.5)', () => {
  it('accepts well-formed known options, repeatable ones repeated', () => {
    const options = [
      opt(3, 'example'),
      opt(7, encodeUint(5683)),
      opt(11, 'a'),
      opt(11, ''),
      opt(11, 'c'),
      opt(15, 'x=1'),
      opt(15, 'y'),
      opt(17, encodeUint(40)),
      opt(23, encodeUint(0x16)),
    ]
    expect(unrecognizedCriticalOptions(options)).toEqual([])
  })

  it('reports an unknown critical option and ignores an unknown elective one (section 5.4.1)', () => {
    expect(unrecognizedCriticalOptions([opt(2048, 'x'), opt(2049, 'y')])).toEqual([2049])
  })

  it('treats a critical option with a length out of range as unrecognized (section 5.4.3)', () => {
    expect(unrecognizedCriticalOptions([opt(3, '')])).toEqual([3]) // Uri-Host: 1-255
    expect(unrecognizedCriticalOptions([opt(7, bytes(3))])).toEqual([7]) // Uri-Port: 0-2
    expect(unrecognizedCriticalOptions([opt(5, bytes(1))])).toEqual([5]) // If-None-Match: empty
    expect(unrecognizedCriticalOptions([opt(11, bytes(256))])).toEqual([11]) // Uri-Path: 0-255
    expect(unrecognizedCriticalOptions([opt(23, bytes(4))])).toEqual([23]) // Block2: 0-3
    expect(unrecognizedCriticalOptions([opt(35, '')])).toEqual([35]) // Proxy-Uri: 1-1034
    expect(unrecognizedCriticalOptions([opt(35, bytes(1034))])).toEqual([])
  })

  it('ignores elective options with a length out of range', () => {
    expect(unrecognizedCriticalOptions([opt(4, bytes(9)), opt(12, bytes(3)), opt(16, bytes(0))])).toEqual([])
  })

  it('treats the second and later occurrences of a non-repeatable critical option as unrecognized (section 5.4.5)', () => {
    expect(unrecognizedCriticalOptions([opt(3, 'a')])).toEqual([])
    expect(unrecognizedCriticalOptions([opt(3, 'a'), opt(3, 'b')])).toEqual([3])
    expect(unrecognizedCriticalOptions([opt(17, bytes(1)), opt(17, bytes(1)), opt(17, bytes(1))])).toEqual([
      17,
    ])
    // Apart in an unsorted list: still a repeat.
    expect(unrecognizedCriticalOptions([opt(3, 'a'), opt(11, 'x'), opt(3, 'b')])).toEqual([3])
    expect(unrecognizedCriticalOptions([opt(11, 'x'), opt(3, 'a')])).toEqual([])
    // Elective: repeated Content-Format or Max-Age are ignored, not reported.
    expect(unrecognizedCriticalOptions([opt(12), opt(12), opt(14), opt(14)])).toEqual([])
  })

  it('reports each number once, in the order first met, for unsorted lists too', () => {
    const options = [opt(2049), opt(3, ''), opt(2049), opt(3, ''), opt(9999), opt(2049)]
    expect(unrecognizedCriticalOptions(options)).toEqual([2049, 3, 9999])
  })

  it('with `known`, reports critical options outside that set', () => {
    const known = new Set([11, 15])
    expect(
      unrecognizedCriticalOptions([opt(11, 'a'), opt(15, 'q'), opt(17, bytes(1)), opt(12)], known),
    ).toEqual([17])
  })

  it('handles many distinct unknown critical options in one pass', () => {
    const options = Array.from({ length: 20_000 }, (_, i) => opt(2 * i + 1001))
    expect(unrecognizedCriticalOptions(options)).toHaveLength(20_000)
  })
})

describe('uint option values (RFC 7252 section 3.2)', () => {
  it('encodes 0 as the empty string and each value in the fewest bytes', () => {
    const cases: [number, string][] = [
      [0, ''],
      [1, '01'],
      [255, 'ff'],
      [256, '0100'],
      [65535, 'ffff'],
      [65536, '010000'],
      [0xffffff, 'ffffff'],
      [0x1000000, '01000000'],
      [0xffffffff, 'ffffffff'],
    ]
    for (const [n, hex] of cases) {
      expect(Buffer.from(encodeUint(n)).toString('hex')).toBe(hex)
      expect(decodeUint(encodeUint(n))).toBe(n)
    }
  })

  it('decodes values with leading zero bytes ("A sender SHOULD represent the integer with as few bytes")', () => {
    expect(decodeUint(Uint8Array.of(0, 0, 1))).toBe(1)
    expect(decodeUint(Uint8Array.of(0, 0, 0, 0))).toBe(0)
  })

  it('refuses values it cannot encode and values longer than 4 bytes', () => {
    for (const bad of [-1, 1.5, 2 ** 32, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => encodeUint(bad)).toThrow(CoapError)
    }
    expect(() => decodeUint(new Uint8Array(5))).toThrow(CoapError)
  })
})

describe('string option values and option lists', () => {
  it('uses UTF-8 both ways and replaces invalid sequences', () => {
    expect([...encodeString('é')]).toEqual([0xc3, 0xa9])
    expect(decodeString(Uint8Array.of(0xc3, 0xa9))).toBe('é')
    expect(decodeString(Uint8Array.of(0xff))).toBe('\ufffd')
  })

  const options = [opt(11, 'a'), opt(11, 'b'), opt(12, encodeUint(40)), opt(60, bytes(5))]

  it('reads first, all, presence, uint and string values', () => {
    expect(decodeString(getOption(options, 11)!)).toBe('a')
    expect(getOption(options, 3)).toBeUndefined()
    expect(getOptions(options, 11).map(decodeString)).toEqual(['a', 'b'])
    expect(hasOption(options, 12)).toBe(true)
    expect(hasOption(options, 14)).toBe(false)
    expect(getUintOption(options, 12)).toBe(40)
    expect(getUintOption(options, 60)).toBeUndefined() // longer than 4 bytes
    expect(getUintOption(options, 14)).toBeUndefined()
    expect(getStringOptions(options, 11)).toEqual(['a', 'b'])
  })

  it('replaces and removes options without touching the input, keeping the list sorted', () => {
    const replaced = withOption(options, 11, encodeString('z'))
    expect(replaced.map((o) => o.number)).toEqual([11, 12, 60])
    expect(getStringOptions(replaced, 11)).toEqual(['z'])
    const added = withOption(options, 3, encodeString('host'))
    expect(added.map((o) => o.number)).toEqual([3, 11, 11, 12, 60])
    expect(withoutOption(options, 11).map((o) => o.number)).toEqual([12, 60])
    expect(options.map((o) => o.number)).toEqual([11, 11, 12, 60])
  })

  it('sorts stably, keeping repeated options in their order', () => {
    const sorted = sortOptions([opt(15, 'q1'), opt(11, 'p1'), opt(15, 'q2'), opt(11, 'p2'), opt(3, 'h')])
    expect(sorted.map((o) => `${o.number}:${decodeString(o.value)}`)).toEqual([
      '3:h',
      '11:p1',
      '11:p2',
      '15:q1',
      '15:q2',
    ])
  })
})
