import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Lwm2mError } from '../errors.js'
import { type ExecuteArgument, formatExecuteArguments, parseExecuteArguments } from './execute-arguments.js'

describe('Execute arguments (Core TS 1.2 section 6.3.5)', () => {
  it("parses the examples 0='x',1 and 5 and 2='10.3',7,0='https://x.org'", () => {
    expect(parseExecuteArguments("0='x',1")).toEqual([{ digit: 0, value: 'x' }, { digit: 1 }])
    expect(parseExecuteArguments('5')).toEqual([{ digit: 5 }])
    expect(parseExecuteArguments("2='10.3',7,0='https://x.org'")).toEqual([
      { digit: 2, value: '10.3' },
      { digit: 7 },
      { digit: 0, value: 'https://x.org' },
    ])
  })

  it('reads bytes and an empty payload', () => {
    expect(parseExecuteArguments(new TextEncoder().encode("3=''"))).toEqual([{ digit: 3, value: '' }])
    expect(parseExecuteArguments('')).toEqual([])
  })

  it.each([["0='a b'"], ['10'], ["0='x"], ['0,'], ['0,,1'], ['a'], ["0=x'"], ['0,0'], ["0='\"'"], [',']])(
    'rejects %s',
    (t) => {
      expect(() => parseExecuteArguments(t)).toThrow(Lwm2mError)
    },
  )

  it('formats and refuses what cannot be written', () => {
    expect(formatExecuteArguments([{ digit: 0, value: 'x' }, { digit: 1 }])).toBe("0='x',1")
    expect(() => formatExecuteArguments([{ digit: 10 }])).toThrow(Lwm2mError)
    expect(() => formatExecuteArguments([{ digit: 1, value: "it's" }])).toThrow(Lwm2mError)
  })

  it('round-trips (fast-check)', () => {
    const char = fc.integer({ min: 0x21, max: 0x7e }).filter((c) => c !== 0x22 && c !== 0x27 && c !== 0x5c)
    const args = fc
      .uniqueArray(
        fc.record({
          digit: fc.integer({ min: 0, max: 9 }),
          value: fc.option(fc.string({ unit: char.map((c) => String.fromCharCode(c)), maxLength: 20 }), {
            nil: undefined,
          }),
        }),
        { selector: (a) => a.digit, maxLength: 10 },
      )
      .map(
        (list) =>
          list.map(({ digit, value }) =>
            value === undefined ? { digit } : { digit, value },
          ) as ExecuteArgument[],
      )
    fc.assert(
      fc.property(args, (a) => {
        expect(parseExecuteArguments(formatExecuteArguments(a))).toEqual(a)
      }),
    )
  })

  it('arbitrary text parses or throws LWM2M_INVALID_VALUE (fast-check)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 40 }), fc.stringMatching(/^[0-9=',a ]{0,20}$/)), (t) => {
        try {
          parseExecuteArguments(t)
        } catch (err) {
          expect(Lwm2mError.isInstance(err) && err.code === 'LWM2M_INVALID_VALUE').toBe(true)
        }
      }),
    )
  })
})
