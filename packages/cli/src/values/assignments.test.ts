import { modelLookup } from '@lwm2m/core'
import { deviceModel, locationModel, temperatureModel } from '@lwm2m/objects'
import { describe, expect, it } from 'vitest'
import { CliError } from '../errors.js'
import {
  parseCompositeValues,
  parseInstanceValues,
  parseMultipleValues,
  parsePath,
  parseResourceValue,
} from './assignments.js'

const models = modelLookup([deviceModel, temperatureModel, locationModel])
const p = parsePath

describe('parsePath', () => {
  it('reads paths and says what is wrong with bad ones', () => {
    expect(p('/3/0/1').toString()).toBe('/3/0/1')
    expect(() => p('3/0')).toThrow(/must start with "\/" \(paths look like \/3\/0\/1\)/)
    expect(() => p('/3/70000')).toThrow(CliError)
  })
})

describe('parseResourceValue', () => {
  it('one value of the resource type for a single resource', () => {
    expect(parseResourceValue(p('/3/0/14'), ['+02:00'], models)).toBe('+02:00')
    expect(parseResourceValue(p('/3/0/9'), ['87'], models)).toBe(87)
    expect(() => parseResourceValue(p('/3/0/14'), ['a', 'b'], models)).toThrow(/takes one value/)
    expect(() => parseResourceValue(p('/3/0/14'), [], models)).toThrow(/give the value/)
  })

  it('instances of a multiple resource: in order, or with ids', () => {
    expect(parseResourceValue(p('/3/0/7'), ['3800', '5000'], models)).toEqual(
      new Map([
        [0, 3800],
        [1, 5000],
      ]),
    )
    expect(parseResourceValue(p('/3/0/7'), ['2=3800', '5000'], models)).toEqual(
      new Map([
        [2, 3800],
        [3, 5000],
      ]),
    )
    expect(() => parseResourceValue(p('/3/0/7'), ['0=1', '0=2'], models)).toThrow(/given twice/)
  })

  it('one value for a resource instance of a multiple resource only', () => {
    expect(parseResourceValue(p('/3/0/7/1'), ['5000'], models)).toBe(5000)
    expect(() => parseResourceValue(p('/3/0/14/0'), ['x'], models)).toThrow(/single-instance resource/)
    expect(() => parseResourceValue(p('/3/0'), ['x'], models)).toThrow(/not a resource/)
  })

  it('without a model: one word is one value, several a multiple resource', () => {
    expect(parseResourceValue(p('/9999/0/1'), ['true'], models)).toBe(true)
    expect(parseResourceValue(p('/9999/0/1'), ['a', 'b'], models)).toEqual(
      new Map([
        [0, 'a'],
        [1, 'b'],
      ]),
    )
  })

  it('says which resource and type a bad value was for', () => {
    expect(() => parseResourceValue(p('/3/0/9'), ['full'], models)).toThrow(
      '/3/0/9 (Battery Level, integer) takes a whole number such as -12, not "full"',
    )
  })
})

describe('parseInstanceValues', () => {
  it('rid=value words typed by the model; repeated and rid/ri words for multiple resources', () => {
    const v = parseInstanceValues(3, 0, ['14=+01:00', '7=3800', '7=5000', '6/3=1'], models)
    expect(v).toEqual(
      new Map<number, unknown>([
        [6, new Map([[3, 1]])],
        [
          7,
          new Map([
            [0, 3800],
            [1, 5000],
          ]),
        ],
        [14, '+01:00'],
      ]),
    )
  })

  it('values with = in them are fine; words without rid= are not', () => {
    expect(parseInstanceValues(3303, 1, ['5750=a=b'], models).get(5750)).toBe('a=b')
    expect(() => parseInstanceValues(3303, 1, ['kitchen'], models)).toThrow(/rid=value/)
    expect(() => parseInstanceValues(3, 0, ['14/0=x'], models)).toThrow(/single-instance/)
    expect(() => parseInstanceValues(3, 0, ['14=a', '14=b'], models)).toThrow(/given twice/)
    expect(() => parseInstanceValues(3, 0, ['70000=1'], models)).toThrow(CliError)
  })

  it('for a new instance the message names it <new>', () => {
    expect(() => parseInstanceValues(3303, undefined, ['5700=warm'], models)).toThrow(
      '/3303/<new>/5700 (Sensor Value, float)',
    )
  })
})

describe('parseCompositeValues and parseMultipleValues', () => {
  it('path=value pairs; a multiple resource path repeated adds instances', () => {
    const v = parseCompositeValues(['/3/0/14=+01:00', '/3/0/7=1', '/3/0/7=2', '/6/0/0=48.1'], models)
    expect([...v.keys()]).toEqual(['/3/0/14', '/3/0/7', '/6/0/0'])
    expect(v.get('/3/0/7')).toEqual(
      new Map([
        [0, 1],
        [1, 2],
      ]),
    )
    expect(v.get('/6/0/0')).toBe(48.1)
    expect(() => parseCompositeValues(['3/0/14=x'], models)).toThrow(/path=value/)
    expect(() => parseCompositeValues(['/3/0=x'], models)).toThrow(/resources and resource instances/)
    expect(() => parseCompositeValues(['/3/0/14=a', '/3/0/14=b'], models)).toThrow(/given twice/)
  })

  it('reads each instance by the model', () => {
    expect(() => parseMultipleValues(['1', 'x'], deviceModel.resources.get(7), '/3/0/7')).toThrow(
      '/3/0/7/1 (Power Source Voltage, integer)',
    )
  })
})
