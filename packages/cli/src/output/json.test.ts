import { Lwm2mPath } from '@lwm2m/core'
import { describe, expect, it } from 'vitest'
import { jsonLine, jsonResourceValue, toJson } from './json.js'

describe('jsonResourceValue', () => {
  it('encodes each resource type deterministically', () => {
    expect(jsonResourceValue('string', 'a')).toBe('a')
    expect(jsonResourceValue('integer', 42)).toBe(42)
    expect(jsonResourceValue('integer', 42n)).toBe(42)
    expect(jsonResourceValue('integer', -(2n ** 63n))).toBe('-9223372036854775808')
    expect(jsonResourceValue('unsigned', 2n ** 64n - 1n)).toBe('18446744073709551615')
    expect(jsonResourceValue('float', 21.5)).toBe(21.5)
    expect(jsonResourceValue('float', -0)).toBe(0)
    expect(jsonResourceValue('float', Number.NaN)).toBe('NaN')
    expect(jsonResourceValue('float', Number.POSITIVE_INFINITY)).toBe('Infinity')
    expect(jsonResourceValue('float', Number.NEGATIVE_INFINITY)).toBe('-Infinity')
    expect(jsonResourceValue('boolean', false)).toBe(false)
    expect(jsonResourceValue('opaque', Uint8Array.of(1, 2, 3))).toBe('AQID')
    expect(jsonResourceValue('time', new Date(1_700_000_000_000))).toBe('2023-11-14T22:13:20.000Z')
    expect(jsonResourceValue('objlnk', { objectId: 3, instanceId: 0 })).toBe('3:0')
  })
})

describe('toJson', () => {
  it('makes maps, sets, paths, errors, bigints and bytes plain, leaving out undefined', () => {
    const err = Object.assign(new Error('bad'), { code: 'X' })
    expect(
      toJson({
        m: new Map<unknown, unknown>([
          [1, 'a'],
          ['b', undefined],
        ]),
        s: new Set([1n, 2]),
        p: Lwm2mPath.parse('/3/0'),
        e: err,
        u: undefined,
        f: () => 1,
        n: null,
        big: 2n ** 70n,
        bytes: new Uint8Array(0),
        when: new Date(Number.NaN),
      }),
    ).toEqual({
      m: { 1: 'a' },
      s: [1, 2],
      p: '/3/0',
      e: { name: 'Error', message: 'bad', code: 'X' },
      n: null,
      big: '1180591620717411303424',
      bytes: '',
      when: null,
    })
  })

  it('cuts nesting deeper than 32 levels', () => {
    let deep: unknown = 'bottom'
    for (let i = 0; i < 40; i++) deep = [deep]
    expect(JSON.stringify(toJson(deep))).toContain('null')
  })

  it('jsonLine is one line', () => {
    expect(jsonLine({ type: 'x', text: 'a\nb' })).toBe('{"type":"x","text":"a\\nb"}')
  })
})
