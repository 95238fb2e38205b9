import { describe, expect, it } from 'vitest'
import type { ValueRow } from './rows.js'
import { isMeasuredValue, SensorUnits } from './sensor-units.js'

const row = (path: string, value: number | string, unit?: string): ValueRow => ({
  path,
  name: 'x',
  type: typeof value === 'number' ? 'float' : 'string',
  value,
  unit,
})

describe('SensorUnits', () => {
  it('learns the Sensor Units (5701) of an instance and gives them to its measured values', () => {
    const units = new SensorUnits()
    const rows = units.apply('ep1', [
      row('/3303/0/5700', 21.5),
      row('/3303/0/5701', 'Cel'),
      row('/3303/0/5750', 'room'),
    ])
    expect(rows.map((r) => r.unit)).toEqual(['Cel', undefined, undefined])
    // Later notifications of the value alone get the unit too; other endpoints and instances do not.
    expect(units.apply('ep1', [row('/3303/0/5700', 22)])[0]?.unit).toBe('Cel')
    expect(units.apply('ep2', [row('/3303/0/5700', 22)])[0]?.unit).toBeUndefined()
    expect(units.apply('ep1', [row('/3303/1/5700', 22)])[0]?.unit).toBeUndefined()
    // A unit from the model stays.
    expect(units.apply('ep1', [row('/3303/0/5601', 1, 'K')])[0]?.unit).toBe('K')
    expect(units.knows('ep1', '/3303/0')).toBe(true)
    units.forget('ep1')
    expect(units.knows('ep1', '/3303/0')).toBe(false)
  })

  it('stays bounded', () => {
    const units = new SensorUnits()
    for (let i = 0; i < 10_050; i++) units.learn(`ep${i}`, '/3303/0', 'Cel')
    expect(units.knows('ep0', '/3303/0')).toBe(false)
    expect(units.knows('ep10049', '/3303/0')).toBe(true)
  })

  it('knows which values are measured in the Sensor Units', () => {
    expect(isMeasuredValue(3303, 5700, true)).toBe(true)
    expect(isMeasuredValue(3303, 5750, true)).toBe(false)
    expect(isMeasuredValue(3, 5700, true)).toBe(false)
    expect(isMeasuredValue(3303, 5700, false)).toBe(false)
  })
})
