import type { ResourceModel } from '@lwm2m/core'
import { deviceModel, temperatureModel } from '@lwm2m/objects'
import { describe, expect, it } from 'vitest'
import { CliError } from '../errors.js'
import { inferTextType, parseValueText } from './parse-value.js'

function model(type: ResourceModel['type'], name = 'Thing'): ResourceModel {
  return {
    id: 1,
    name,
    operations: 'RW',
    multiple: false,
    mandatory: false,
    type,
    rangeEnumeration: '',
    units: '',
    description: '',
  }
}

function fails(text: string, m: ResourceModel | undefined): CliError {
  try {
    parseValueText(text, m, '/9/0/1')
  } catch (err) {
    if (CliError.isInstance(err)) return err
    throw err
  }
  throw new Error(`"${text}" was accepted`)
}

describe('parseValueText by resource type', () => {
  it('strings and core links as they are, empty ones included', () => {
    expect(parseValueText('+02:00', deviceModel.resources.get(14), '/3/0/14')).toBe('+02:00')
    expect(parseValueText('', model('string'), '/9/0/1')).toBe('')
    expect(parseValueText('</3/0>', model('corelnk'), '/9/0/1')).toBe('</3/0>')
  })

  it('integers exactly, with a leading + and beyond 2^53 as bigint', () => {
    expect(parseValueText('42', model('integer'), '')).toBe(42)
    expect(parseValueText('+7', model('integer'), '')).toBe(7)
    expect(parseValueText('-9223372036854775808', model('integer'), '')).toBe(-(2n ** 63n))
    expect(parseValueText('18446744073709551615', model('unsigned'), '')).toBe(2n ** 64n - 1n)
    expect(fails('1.5', model('integer')).message).toBe(
      '/9/0/1 (Thing, integer) takes a whole number such as -12, not "1.5"',
    )
    expect(fails('-1', model('unsigned')).code).toBe('CLI_INVALID_VALUE')
    expect(fails('9223372036854775808', model('integer')).message).toContain('signed 64-bit')
  })

  it('floats in decimal and exponent forms, and the non-finite names', () => {
    expect(parseValueText('21.5', temperatureModel.resources.get(5700), '')).toBe(21.5)
    expect(parseValueText('.5', model('float'), '')).toBe(0.5)
    expect(parseValueText('-1e-3', model('float'), '')).toBe(-0.001)
    expect(parseValueText('NaN', model('float'), '')).toBeNaN()
    expect(parseValueText('-Infinity', model('float'), '')).toBe(Number.NEGATIVE_INFINITY)
    expect(fails('21,5', model('float')).message).toContain('takes a number such as 21.5')
  })

  it('booleans in several spellings', () => {
    for (const t of ['true', 'TRUE', '1', 'on', 'yes'])
      expect(parseValueText(t, model('boolean'), '')).toBe(true)
    for (const t of ['false', '0', 'off', 'No']) expect(parseValueText(t, model('boolean'), '')).toBe(false)
    expect(fails('maybe', model('boolean')).message).toContain('true or false')
  })

  it('opaque as hex or base64', () => {
    expect(parseValueText('0x0a1B', model('opaque'), '')).toEqual(Uint8Array.of(0x0a, 0x1b))
    expect(parseValueText('AQID', model('opaque'), '')).toEqual(Uint8Array.of(1, 2, 3))
    expect(parseValueText('', model('opaque'), '')).toEqual(new Uint8Array(0))
    expect(fails('0xabc', model('opaque')).code).toBe('CLI_INVALID_VALUE')
    expect(fails('not base64!', model('opaque')).message).toContain('0x0a1b')
  })

  it('time as seconds, ISO dates or now, to the second', () => {
    expect(parseValueText('1700000000', model('time'), '')).toEqual(new Date(1_700_000_000_000))
    expect(parseValueText('2024-05-01T12:00:00Z', model('time'), '')).toEqual(
      new Date('2024-05-01T12:00:00Z'),
    )
    expect(parseValueText('2024-05-01T12:00:00.750+02:00', model('time'), '')).toEqual(
      new Date('2024-05-01T10:00:00Z'),
    )
    expect(parseValueText('now', model('time'), '', () => 1_700_000_000_999)).toEqual(
      new Date(1_700_000_000_000),
    )
    expect(fails('yesterday', model('time')).message).toContain('ISO date')
    expect(fails('2024-13-45', model('time')).code).toBe('CLI_INVALID_VALUE')
  })

  it('object links as oid:iid', () => {
    expect(parseValueText('3:0', model('objlnk'), '')).toEqual({ objectId: 3, instanceId: 0 })
    expect(fails('3:70000', model('objlnk')).message).toContain('oid:iid')
  })

  it('none only as the empty string', () => {
    expect(parseValueText('', model('none'), '')).toBe('')
    expect(fails('x', model('none')).code).toBe('CLI_INVALID_VALUE')
  })

  it('without a model, the type the text suggests', () => {
    expect(inferTextType('true')).toBe('boolean')
    expect(inferTextType('-12')).toBe('integer')
    expect(inferTextType('1.25')).toBe('float')
    expect(inferTextType('kitchen')).toBe('string')
    expect(parseValueText('12', undefined, '/9/0/1')).toBe(12)
    expect(parseValueText('hello', undefined, '/9/0/1')).toBe('hello')
  })
})
