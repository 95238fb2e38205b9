import { Lwm2mPath } from '@lwm2m/core'
import { describe, expect, it } from 'vitest'
import { deviceModel } from '../generated/object-3.js'
import { genericSensorModel } from '../generated/object-3300.js'
import { objectCompliance } from '../testing/compliance.js'
import { manualClock } from '../testing/manual-clock.js'
import {
  createHumidityObject,
  createIpsoSensorObject,
  createTemperatureObject,
  IpsoResource as R,
} from './ipso-sensor.js'

const p = Lwm2mPath.parse
const SERVER = { origin: 'server' as const, shortServerId: 1 }

objectCompliance({
  name: 'Temperature (3303)',
  create: () =>
    createTemperatureObject({
      clock: manualClock(),
      sensors: [{ value: 21.5, minRange: -40, maxRange: 85, applicationType: 'room' }, { id: 3 }],
    }),
  creatable: false,
})
objectCompliance({
  name: 'Humidity (3304) sampled on read',
  create: () => createHumidityObject({ clock: manualClock(), sensors: [{ sample: () => 40 }] }),
  creatable: false,
})
objectCompliance({
  name: 'Generic Sensor (3300)',
  create: () =>
    createIpsoSensorObject(genericSensorModel, {
      clock: manualClock(),
      sensors: [{ sensorType: 'CO2', units: 'ppm' }],
    }),
  creatable: false,
})

describe('IPSO sensor (3300-series)', () => {
  it('follows recorded values: min, max, timestamps; Reset Min and Max sets both to the current value', async () => {
    const clock = manualClock(1_700_000_000_250)
    const t = createTemperatureObject({ clock, sensors: [{ value: 20 }] })
    const events: string[] = []
    t.onChange((e) => events.push(e.path.toString()))
    t.record(0, 25)
    t.record(0, 18)
    expect(
      [R.SensorValue, R.MinMeasuredValue, R.MaxMeasuredValue, R.SensorUnits].map((id) => t.get(0, id)),
    ).toEqual([18, 18, 25, 'Cel'])
    expect(t.get(0, R.Timestamp)).toEqual(new Date(1_700_000_000_000))
    expect(t.get(0, R.FractionalTimestamp)).toBe(0.25)
    expect(events).toContain('/3303/0/5700')
    expect(events).toContain('/3303/0/5601')
    const r = await t.execute(p('/3303/0/5605'), '', SERVER)
    expect(r.ok).toBe(true)
    expect([t.get(0, R.MinMeasuredValue), t.get(0, R.MaxMeasuredValue)]).toEqual([18, 18])
  })

  it('samples on read without an interval', async () => {
    let next = 40
    const h = createHumidityObject({ clock: manualClock(), sensors: [{ sample: () => next++ }] })
    expect(await h.read(p('/3304/0/5700'), SERVER)).toMatchObject({ value: { value: 40 } })
    expect(await h.read(p('/3304/0/5700'), SERVER)).toMatchObject({ value: { value: 41 } })
    expect(h.get(0, R.MaxMeasuredValue)).toBe(41)
    expect(h.get(0, R.SensorUnits)).toBe('%RH')
  })

  it('samples every interval with the clock, notifying observers, and stops on close', async () => {
    const clock = manualClock()
    let next = 10
    const t = createTemperatureObject({ clock, samplingInterval: 1000, sensors: [{ sample: () => next++ }] })
    const seen: number[] = []
    t.onChange((e) => {
      if (e.path.resourceId === R.SensorValue) seen.push(Number(t.get(0, R.SensorValue)))
    })
    for (let i = 0; i < 3; i++) {
      clock.advance(1000)
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect(seen).toEqual([10, 11, 12])
    await t.close()
    expect(clock.pending()).toBe(0)
  })

  it('refuses a model without Sensor Value, and values that are not numbers', () => {
    expect(() => createIpsoSensorObject(deviceModel)).toThrow(/5700/)
    expect(() => createTemperatureObject().record(0, 'hot' as never)).toThrow(/number/)
    expect(() => createTemperatureObject().record(7, 1)).toThrow(/instance/)
  })
})
